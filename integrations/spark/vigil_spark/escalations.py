"""Escalations as rows, and replaying one conversation through a tracker.

The escalation document (``vigil.escalation/1``) is kept whole in ``escalation_json``, byte for
byte as the core wrote it (the text ``vigil scan`` prints); the other columns are read from it for
querying.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Dict, Iterable, Iterator, List, Optional, Tuple

import vigil
from pyspark.sql import types as T

#: Escalation levels, lowest first.
LEVELS = ["watch", "review", "urgent"]

#: One item of the ``indicators`` column: a contact or payment detail the escalation lists
#: (the document's ``indicators``, its span flattened to ``start``/``end``).
INDICATOR_SCHEMA = T.StructType(
    [
        T.StructField("kind", T.StringType()),
        T.StructField("value", T.StringType()),
        T.StructField("detail", T.StringType()),
        T.StructField("checked", T.BooleanType()),
        T.StructField("message_id", T.StringType()),
        T.StructField("start", T.LongType()),
        T.StructField("end", T.LongType()),
        T.StructField("count", T.LongType()),
    ]
)

#: Columns of an escalation row (the Parquet output of both jobs), in order.
ESCALATION_SCHEMA = T.StructType(
    [
        T.StructField("conversation_id", T.StringType()),
        T.StructField("scope", T.StringType()),  # conversation | recipient | sender
        T.StructField("case", T.StringType()),  # the sender's case reference (null in a recipient's view)
        T.StructField("sequence", T.LongType()),
        T.StructField("level", T.StringType()),
        T.StructField("previous_level", T.StringType()),
        T.StructField("message_id", T.StringType()),
        T.StructField("raised_at_ms", T.LongType()),
        T.StructField("sender_id", T.StringType()),
        T.StructField("sender_age_band", T.StringType()),
        T.StructField("recipient_id", T.StringType()),
        T.StructField("recipient_age_band", T.StringType()),
        T.StructField("channel", T.StringType()),
        T.StructField("relationship", T.StringType()),
        T.StructField("channel_word", T.StringType()),
        T.StructField("relationship_word", T.StringType()),
        T.StructField("risk", T.DoubleType()),
        T.StructField("categories", T.ArrayType(T.StringType())),
        T.StructField("rules", T.ArrayType(T.StringType())),
        T.StructField("evidence_message_ids", T.ArrayType(T.StringType())),
        T.StructField("modifiers", T.ArrayType(T.StringType())),
        T.StructField("language", T.StringType()),
        T.StructField("indicators", T.ArrayType(INDICATOR_SCHEMA)),
        T.StructField("policy_id", T.StringType()),
        T.StructField("policy_version", T.StringType()),
        T.StructField("policy_hash", T.StringType()),
        T.StructField("escalation_json", T.StringType()),
    ]
)
ESCALATION_FIELDS = [f.name for f in ESCALATION_SCHEMA.fields]

#: Escalation scopes (the ``scope`` column): a conversation key's, a minor's view in a public
#: channel, a sender's case.
SCOPES = ["conversation", "recipient", "sender"]

def language_of(rules: Iterable[str]) -> str:
    """The language of an escalation: the pack prefix (``en`` of ``en.secrecy.dont-tell``) most of
    its evidence comes from, the language-neutral ``core`` pack aside; ``und`` when none."""
    counts = Counter(r.split(".", 1)[0] for r in rules)
    counts.pop("core", None)
    if not counts:
        return "und"
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def indicator_items(doc: Dict[str, object]) -> List[Dict[str, object]]:
    """The ``indicators`` column of an escalation document: one struct per listed indicator, in
    the document's order (empty when it lists none)."""
    items = []
    for i in doc.get("indicators") or []:
        span = i.get("span") or {}
        items.append(
            {
                "kind": i.get("kind"),
                "value": i.get("value"),
                "detail": i.get("detail"),
                "checked": i.get("checked"),
                "message_id": i.get("message_id"),
                "start": span.get("start"),
                "end": span.get("end"),
                "count": i.get("count"),
            }
        )
    return items


def escalation_row(text: str) -> Dict[str, object]:
    """An escalation row (:data:`ESCALATION_FIELDS`) from the escalation's JSON text."""
    e = json.loads(text)
    parts = e.get("participants") or {}
    sender = parts.get("sender") or {}
    recipient = parts.get("recipient") or {}
    evidence = e.get("evidence") or []
    rules = [ev.get("rule", "") for ev in evidence]
    seen: Dict[str, None] = {}
    for ev in evidence:
        seen.setdefault(ev.get("message_id", ""), None)
    policy = e.get("policy") or {}
    platform = e.get("platform") or {}
    return {
        "conversation_id": e.get("conversation_id"),
        # The document leaves the scope out for a conversation key's escalation.
        "scope": e.get("scope") or "conversation",
        "case": e.get("case"),
        "sequence": e.get("sequence"),
        "level": e.get("level"),
        "previous_level": e.get("previous_level"),
        "message_id": e.get("message_id"),
        "raised_at_ms": vigil.parse_timestamp(e["raised_at"]) if e.get("raised_at") else None,
        "sender_id": sender.get("id"),
        "sender_age_band": sender.get("age_band"),
        "recipient_id": recipient.get("id"),
        "recipient_age_band": recipient.get("age_band"),
        "channel": e.get("channel"),
        "relationship": e.get("relationship"),
        "channel_word": (platform.get("channel") or {}).get("word"),
        "relationship_word": (platform.get("relationship") or {}).get("word"),
        "risk": float(e.get("risk", 0.0)),
        "categories": [c.get("id") for c in e.get("categories") or []],
        "rules": list(dict.fromkeys(rules)),
        "evidence_message_ids": list(seen),
        "modifiers": list(e.get("modifiers") or []),
        "language": language_of(rules),
        "indicators": indicator_items(e),
        "policy_id": policy.get("id"),
        "policy_version": policy.get("version"),
        "policy_hash": policy.get("hash"),
        "escalation_json": text,
    }


def replay(tracker: "vigil.Tracker", lines: Iterable[str]) -> Iterator[Tuple[str, List[str], Optional[str]]]:
    """Observes each message (JSON text) in order; yields ``(line, escalation documents, error or
    None)`` per message: every escalation it raised as the core wrote it
    (``Tracker.observe_json_escalations``: the conversation key's, then a minor's recipient view in
    a public channel), what ``vigil scan`` prints for it. A message the core rejects yields its
    error and changes nothing."""
    for line in lines:
        try:
            escs = tracker.observe_json_escalations(line)
        except vigil.VigilError as e:  # a malformed message: reported, never dropped silently
            yield line, [], str(e)
            continue
        yield line, list(escs), None


def replay_staged(
    tracker: "vigil.Tracker", lines: Iterable[str]
) -> Iterator[Tuple[str, List[Dict[str, object]], Optional[str], Optional[str]]]:
    """The first stage of a job that scores conversations apart: observes each message (JSON text)
    in order with a tracker made ``Tracker.with_case_contacts`` and yields ``(line, escalation rows,
    case contact or None, error or None)`` per message. The rows are the conversation key's and the
    recipient's view's (:func:`escalation_row`); a sender escalation the tracker raised from this
    conversation alone is left out: sender cases are the second stage's
    (:func:`observe_contacts`), which sees all of the sender's conversations. The case contact is
    the JSON text ``Tracker.observe_contact_json`` reads. A message the core rejects yields its
    error and changes nothing."""
    for line in lines:
        try:
            staged = tracker.observe_json_staged(line)
        except vigil.VigilError as e:  # a malformed message: reported, never dropped silently
            yield line, [], None, str(e)
            continue
        rows = [r for r in (escalation_row(esc) for esc in staged.escalations) if r["scope"] != "sender"]
        yield line, rows, staged.case_contact, None


def contact_sender(contact: str) -> Tuple[Optional[str], Optional[int]]:
    """``(sender id, time in ms)`` of a case contact's JSON text: the second stage's key and
    order (the key's time after the message, which is the message's in a time-ordered log)."""
    c = json.loads(contact)
    sender = ((c.get("message") or {}).get("sender") or {}).get("id")
    return (None if sender is None else str(sender)), c.get("ts")


def observe_contacts(tracker: "vigil.Tracker", contacts: Iterable[str]) -> Iterator[Tuple[Optional[str], Optional[str]]]:
    """The second stage: records one sender's case contacts (JSON text, in time order) in
    ``tracker`` (``Tracker.observe_contact_json``) and yields ``(sender escalation document or
    None, error or None)`` per contact — what one tracker observing all of the sender's
    conversations raised."""
    for contact in contacts:
        try:
            yield tracker.observe_contact_json(contact), None
        except vigil.VigilError as e:
            yield None, str(e)


def level_rank(level: Optional[str]) -> int:
    """0 for no level, then 1 (watch), 2 (review), 3 (urgent)."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0

