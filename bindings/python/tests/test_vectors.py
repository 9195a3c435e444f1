"""The golden vectors (tests/vectors/) replayed through the Python binding.

Each input line is parsed with ``json`` and turned into a ``vigil.Message`` record by hand — or,
when the line is in a platform's own shape (integer ids, epoch numbers, ages as digits, band words
Vigil does not know), read by the core's lenient reader (``vigil.parse_message``) — observed, and
the observation is checked against the expected line twice: the core's JSON (``Observation.json``)
exactly, and every field of the returned records (numbers within the core's 3-decimal rounding),
``platform`` included. ``observe_json`` on a second tracker must give the same lines.
"""

from __future__ import annotations

import json
import math
from typing import Any, Dict, Optional, Tuple

import pytest

import vigil
from conftest import INDEX, vector_engine, vector_lines

BANDS = {"minor": vigil.AgeBand.MINOR, "adult": vigil.AgeBand.ADULT, "unknown": vigil.AgeBand.UNKNOWN, None: vigil.AgeBand.UNKNOWN}


class NotCanonical(Exception):
    """The line is in a platform's own shape: the core's reader reads it."""


def _text(v: Any) -> str:
    if not isinstance(v, str):
        raise NotCanonical
    return v


def _whole(v: Any) -> Optional[int]:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise NotCanonical
    return v


def _word(v: Any) -> str:
    return "" if v is None else _text(v)


def participant(p: Dict[str, Any]) -> vigil.Participant:
    if p.get("age_band") not in BANDS:
        raise NotCanonical
    return vigil.Participant(
        id=_text(p["id"]),
        age_band=BANDS[p.get("age_band")],
        age=_whole(p.get("age")),
        account_age_days=_whole(p.get("account_age_days")),
    )


def message_of(m: Dict[str, Any]) -> vigil.Message:
    """A Message record built by hand from one input line (not through the core's JSON reader),
    when the line is in the canonical shape: string ids, a text timestamp (read by
    ``parse_timestamp``), bands by name, whole ages. The channel and relationship words pass as
    written, whatever they are. Raises ``NotCanonical`` otherwise."""
    return vigil.Message(
        conversation_id=_text(m["conversation_id"]),
        message_id=_text(m["message_id"]),
        timestamp_ms=vigil.parse_timestamp(_text(m["timestamp"])),
        sender=participant(m["sender"]),
        recipient=participant(m["recipient"]) if m.get("recipient") is not None else None,
        channel=_word(m.get("channel")),
        relationship=_word(m.get("relationship")),
        text=_text(m["text"]),
    )


def record_of(line: str) -> Tuple[vigil.Message, bool]:
    """The record of an input line, and whether it was built by hand."""
    parsed = vigil.parse_message(line)
    try:
        by_hand = message_of(json.loads(line))
    except NotCanonical:
        return parsed, False
    assert parsed == by_hand, "the core's reader and the hand-built record differ"
    return by_hand, True


def name(e: Optional[Any]) -> Optional[str]:
    return None if e is None else e.name.lower()


def span(s: vigil.Span) -> Dict[str, int]:
    return {"start": s.start, "end": s.end}


def observation_value(o: vigil.Observation) -> Dict[str, Any]:
    """The records of an observation, in the shape of the core's JSON."""
    a = o.assessment
    assessment: Dict[str, Any] = {
        "score": a.score,
        "base_score": a.base_score,
        "hits": [hit_value(h) for h in a.hits],
        "categories": [{"category": c.category, "stage": c.stage, "score": c.score} for c in a.categories],
        "modifiers": [{"id": m.id, "factor": m.factor} for m in a.modifiers],
        "discloses_minor": a.discloses_minor,
        "truncated": a.truncated,
    }
    if a.forced_level is not None:
        assessment["forced_level"] = name(a.forced_level)
    value: Dict[str, Any] = {
        "conversation_id": o.conversation_id,
        "message_id": o.message_id,
        "timestamp": vigil.format_timestamp(o.timestamp_ms),
        "sender": o.sender,
        "recipient": o.recipient,
        "assessment": assessment,
        "risk": o.risk,
        "level": name(o.level),
        "stages": list(o.stages),
        "out_of_order": o.out_of_order,
        "escalation": None if o.escalation is None else escalation_value(o.escalation),
    }
    if o.intervention is not None:
        value["intervention"] = intervention_value(o.intervention)
    if o.recipient_escalation is not None:
        value["recipient_escalation"] = escalation_value(o.recipient_escalation)
    if o.sender_escalation is not None:
        value["sender_escalation"] = escalation_value(o.sender_escalation)
    if o.case_contact is not None:
        value["case_contact"] = json.loads(o.case_contact)
    if o.capped_by is not None:
        value["capped_by"] = o.capped_by
    if o.platform is not None:
        value["platform"] = platform_value(o.platform)
    if o.language is not None:
        lang: Dict[str, Any] = {"conversation": [share(s) for s in o.language.conversation]}
        if o.language.message is not None:
            lang["message"] = share(o.language.message)
        if o.language.packs is not None:
            lang["packs"] = list(o.language.packs)
        if o.language.out_of_scope:
            lang["out_of_scope"] = list(o.language.out_of_scope)
        value["language"] = lang
    return value


def hit_value(h: vigil.Hit) -> Dict[str, Any]:
    hit: Dict[str, Any] = {"rule": h.rule, "category": h.category, "kind": name(h.kind), "weight": h.weight, "span": span(h.span)}
    if h.evasion is not None:
        hit["evasion"] = h.evasion
    return hit


def intervention_value(i: vigil.Intervention) -> Dict[str, Any]:
    """An intervention record, in the shape of the core's JSON (absent members left out)."""
    out: Dict[str, Any] = {"action": name(i.action), "id": i.id, "categories": list(i.categories), "spans": [span(s) for s in i.spans]}
    if i.reason is not None:
        out["reason"] = i.reason
    if i.notice is not None:
        out["notice"] = {"id": i.notice.id, "language": i.notice.language, "text": i.notice.text}
    if i.masked_text is not None:
        out["masked_text"] = i.masked_text
    return out


def platform_value(p: vigil.PlatformMetadata) -> Dict[str, Any]:
    """The platform's words, in the shape of the core's JSON (absent members left out)."""
    out: Dict[str, Any] = {}
    for key, w in (("channel", p.channel), ("relationship", p.relationship)):
        if w is not None:
            out[key] = {"word": w.word, "kind": w.kind, "mapped": w.mapped}
    return out


def share(s: vigil.LanguageShare) -> Dict[str, Any]:
    return {"language": s.language, "share": s.share}


def participant_ref(p: Optional[vigil.ParticipantRef]) -> Optional[Dict[str, Any]]:
    if p is None:
        return None
    return {"id": p.id, "age_band": name(p.age_band), "probable_minor": p.probable_minor}


def escalation_value(e: vigil.Escalation) -> Dict[str, Any]:
    """The records of an escalation, in the shape of the vigil.escalation/1 document."""
    evidence = []
    for v in e.evidence:
        item: Dict[str, Any] = {
            "message_id": v.message_id,
            "timestamp": vigil.format_timestamp(v.timestamp_ms),
            "rule": v.rule,
            "category": v.category,
            "span": span(v.span),
        }
        if v.excerpt is not None:
            item["excerpt"] = v.excerpt
        if v.sender is not None:
            item["sender"] = v.sender
        if v.conversation_id is not None:
            item["conversation_id"] = v.conversation_id
        evidence.append(item)
    timeline = []
    for t in e.timeline:
        entry: Dict[str, Any] = {
            "stage": t.stage,
            "first_message_id": t.first_message_id,
            "first_seen": vigil.format_timestamp(t.first_seen_ms),
            "last_seen": vigil.format_timestamp(t.last_seen_ms),
        }
        if t.conversation_id is not None:
            entry["conversation_id"] = t.conversation_id
        timeline.append(entry)
    value: Dict[str, Any] = {
        "schema": e.schema,
        "conversation_id": e.conversation_id,
        "sequence": e.sequence,
        "level": name(e.level),
        "previous_level": name(e.previous_level),
        "message_id": e.message_id,
        "raised_at": vigil.format_timestamp(e.raised_at_ms),
        "participants": {
            "sender": participant_ref(e.participants.sender),
            "recipient": participant_ref(e.participants.recipient),
        },
        "channel": name(e.channel),
        "relationship": name(e.relationship),
        "risk": e.risk,
        "categories": [{"id": c.id, "stage": c.stage, "score": c.score, "summary": c.summary} for c in e.categories],
        "reasons": list(e.reasons),
        "evidence": evidence,
        "timeline": timeline,
        "modifiers": list(e.modifiers),
        "policy": {"id": e.policy.id, "version": e.policy.version, "hash": e.policy.hash},
        "recommended_action": e.recommended_action,
        "report_hints": {
            "incident_types": list(e.report_hints.incident_types),
            "annotations": list(e.report_hints.annotations),
        },
    }
    if e.language:
        value["language"] = [share(s) for s in e.language]
    if e.platform is not None:
        value["platform"] = platform_value(e.platform)
    if e.indicators:
        value["indicators"] = [indicator_value(i) for i in e.indicators]
    if e.report_hints.indicators:
        value["report_hints"]["indicators"] = [
            {"field": h.field, "kind": name(h.kind), "value": h.value} for h in e.report_hints.indicators
        ]
    if e.scope != vigil.EscalationScope.CONVERSATION:
        value["scope"] = name(e.scope)
    if e.case is not None:
        value["case"] = e.case
    if e.conversations:
        value["conversations"] = [case_conversation_value(c) for c in e.conversations]
    return value


def case_conversation_value(c: vigil.CaseConversation) -> Dict[str, Any]:
    """A conversation of a sender case, in the shape of the document's ``conversations`` items."""
    out: Dict[str, Any] = {
        "conversation_id": c.conversation_id,
        "minor": c.minor,
        "level": name(c.level),
        "points": c.points,
        "risk": c.risk,
        "categories": list(c.categories),
        "first_message_id": c.first_message_id,
        "first_seen": vigil.format_timestamp(c.first_seen_ms),
        "last_message_id": c.last_message_id,
        "last_seen": vigil.format_timestamp(c.last_seen_ms),
        "messages": c.messages,
    }
    if c.recipient is not None:
        out["recipient"] = c.recipient
    return out


def indicator_value(i: vigil.EscalatedIndicator) -> Dict[str, Any]:
    """An indicator record, in the shape of the document's ``indicators`` items (absent members
    left out)."""
    out: Dict[str, Any] = {"kind": name(i.kind), "value": i.value, "message_id": i.message_id, "span": span(i.span), "count": i.count}
    if i.detail is not None:
        out["detail"] = i.detail
    if i.checked is not None:
        out["checked"] = i.checked
    return out


def difference(path: str, got: Any, want: Any) -> Optional[str]:
    """None when equal as JSON (numbers within 0.0005), else where they differ."""
    number = (int, float)
    if isinstance(got, number) and isinstance(want, number) and not isinstance(got, bool) and not isinstance(want, bool):
        return None if math.isclose(got, want, rel_tol=0, abs_tol=5e-4 + 1e-9) else f"{path}: {got!r} != {want!r}"
    if isinstance(got, list) and isinstance(want, list):
        if len(got) != len(want):
            return f"{path}: {len(got)} items != {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            d = difference(f"{path}[{i}]", g, w)
            if d:
                return d
        return None
    if isinstance(got, dict) and isinstance(want, dict):
        if set(got) != set(want):
            return f"{path}: keys {sorted(got)} != {sorted(want)}"
        for k in want:
            d = difference(f"{path}.{k}", got[k], want[k])
            if d:
                return d
        return None
    if type(got) is not type(want) or got != want:
        return f"{path}: {got!r} != {want!r}"
    return None


def test_index_lists_vectors():
    assert INDEX, "tests/vectors/index.json lists no vector"


@pytest.mark.parametrize("vector", INDEX, ids=[v["name"] for v in INDEX])
def test_vector(vector):
    name_ = vector["name"]
    inputs, expected = vector_lines(name_)
    engine = vector_engine(vector["policy"])
    tracker = vigil.Tracker(engine)
    by_json = vigil.Tracker(engine)
    by_hand = 0
    for i, (line, want) in enumerate(zip(inputs, expected), start=1):
        record, hand_built = record_of(line)
        by_hand += hand_built
        obs = tracker.observe(record)
        assert json.loads(obs.json) == want, f"{name_}: observation {i} (core JSON)"
        d = difference("observation", observation_value(obs), want)
        assert d is None, f"{name_}: observation {i} (records): {d}"
        if obs.escalation is not None:
            assert json.loads(obs.escalation.json) == want["escalation"], f"{name_}: observation {i} (escalation JSON)"
            assert obs.escalation.platform == obs.platform, f"{name_}: observation {i} (escalation platform)"
        for member in ("recipient_escalation", "sender_escalation"):
            esc = getattr(obs, member)
            if esc is not None:
                assert json.loads(esc.json) == want[member], f"{name_}: observation {i} ({member} JSON)"
        assert json.loads(by_json.observe_json(line)) == want, f"{name_}: observation {i} (observe_json)"
    assert by_hand > 0, f"{name_}: no line built by hand"
    if name_ == "platform":
        assert by_hand < len(inputs), f"{name_}: no line in a platform's own shape"


def test_senders_vector_in_two_stages():
    """The senders vector in two stages, as a batch job runs it: a tracker made
    ``with_case_contacts`` observes every message (``observe_json_staged``; the records of a
    second one carry the same contacts), then a fresh tracker fed the contacts in order
    (``observe_contact_json``) raises exactly the vector's sender escalations, where one tracker
    saw everything."""
    inputs, expected = vector_lines("senders")
    want = [o["sender_escalation"] for o in expected if o.get("sender_escalation") is not None]
    assert len(want) > 1, "the vector raises sender escalations"
    engine = vigil.Engine.shipped()
    staged = vigil.Tracker.with_case_contacts(engine)
    records = vigil.Tracker.with_case_contacts(engine)
    contacts = []
    for i, (line, line_want) in enumerate(zip(inputs, expected), start=1):
        s = staged.observe_json_staged(line)
        o = records.observe(vigil.parse_message(line))
        documents = [json.loads(e.json) for e in (o.escalation, o.recipient_escalation, o.sender_escalation) if e is not None]
        assert [json.loads(e) for e in s.escalations] == documents, f"message {i}: escalations"
        # The first stage raises what one tracker raises.
        assert documents == [line_want[k] for k in ("escalation", "recipient_escalation", "sender_escalation") if line_want.get(k) is not None]
        assert s.case_contact == o.case_contact, f"message {i}: contact"
        if s.case_contact is not None:
            contacts.append(s.case_contact)
    assert contacts
    second = vigil.Tracker(engine)
    got = [json.loads(e) for e in (second.observe_contact_json(c) for c in contacts) if e is not None]
    assert got == want
    with pytest.raises(vigil.VigilError.Contact):
        second.observe_contact_json("{}")


def deliver(obs: vigil.Observation, text: str) -> Optional[str]:
    """What an app delivers in the message path: the text, the masked text, or nothing yet (held
    for review). Nudges deliver the text and show their notice."""
    i = obs.intervention
    if i is None:
        return text
    if i.action == vigil.InterventionAction.MASK:
        return i.masked_text
    if i.action == vigil.InterventionAction.HOLD:
        return None
    return text


def test_interventions_vector_in_the_message_path():
    """The interventions vector as an app uses it before delivering a message: line 8 is
    delivered masked, line 9 held for review, and the nudges show their notice in the child's
    language (English, then German)."""
    inputs, _ = vector_lines("interventions")
    tracker = vigil.Tracker(vector_engine(["shipped", "interventions.toml"]))
    observations = [tracker.observe(vigil.parse_message(line)) for line in inputs]
    masked = observations[7].intervention
    assert masked is not None and masked.action == vigil.InterventionAction.MASK
    assert masked.masked_text == "my snap is \u2022\u2022\u2022 or text \u2022\u2022\u2022"
    assert len(masked.spans) == 2
    assert deliver(observations[7], "unused") == "my snap is ••• or text •••"
    held = observations[8].intervention
    assert held is not None and held.action == vigil.InterventionAction.HOLD
    assert held.id == "hold-coercion"
    assert held.masked_text is None and held.notice is None
    assert deliver(observations[8], "unused") is None
    languages = [o.intervention.notice.language for o in observations
                 if o.intervention is not None and o.intervention.action == vigil.InterventionAction.NUDGE_RECIPIENT]
    assert "en" in languages and "de" in languages, languages
    assert observations[-1].intervention is None, "adults: delivered as they are"

