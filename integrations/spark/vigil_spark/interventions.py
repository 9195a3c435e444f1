"""Interventions as rows, and their summary: what the policy's ``[[intervention]]`` rules would
have done with each message (nudge the recipient or the sender, mask contact details, hold the
message) — "how often would children see this?".

The core decides an intervention with every observation (the observation's ``intervention``,
absent when there is nothing to do) from the conversation key's state only (its level, stages and
the rate limits of its nudges), so scoring each conversation on its own, as the backtest's stage 1
does, decides what ``vigil scan`` decides.

Stage 1 reads the whole observation (``Tracker.observe_json``) and cuts it into its parts with
:func:`observation_parts`: the escalation documents and the case contact are kept as the exact
substrings the core wrote (byte for byte the texts ``observe_json_staged`` returns: the core
serializes a nested document exactly as on its own), the intervention is parsed into a row.
"""

from __future__ import annotations

import json
from json.decoder import scanstring
from typing import Dict, List, Optional, Tuple

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

#: The actions, strongest last (the core's ``InterventionAction``).
ACTIONS = ["nudge_recipient", "nudge_sender", "mask", "hold"]

#: Columns of a per-message intervention row (``OUT/interventions/``), in order; the stage's rows
#: carry ``ts_ms`` and the frame written adds ``timestamp``.
INTERVENTION_SCHEMA = T.StructType(
    [
        T.StructField("conversation_id", T.StringType()),
        T.StructField("message_id", T.StringType()),
        T.StructField("ts_ms", T.LongType()),
        T.StructField("sender_id", T.StringType()),
        T.StructField("recipient_id", T.StringType()),
        T.StructField("action", T.StringType()),
        T.StructField("intervention_id", T.StringType()),
        T.StructField("intervention_categories", T.ArrayType(T.StringType())),
        T.StructField("notice_id", T.StringType()),
        T.StructField("notice_language", T.StringType()),
        T.StructField("intervention_json", T.StringType()),
    ]
)
INTERVENTION_FIELDS = [f.name for f in INTERVENTION_SCHEMA.fields]

#: The observation fields stage 1 keeps, in the order the core writes them.
_ESCALATION_KEYS = ("escalation", "recipient_escalation", "sender_escalation")
_DECODER = json.JSONDecoder()
_WS = " \t\n\r"


def _skip_ws(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WS:
        i += 1
    return i


def top_level_raw(text: str) -> Dict[str, str]:
    """The top-level members of a JSON object as the exact text of each value (a value ``null``
    included as ``"null"``). Raises ``ValueError`` on text that is not a JSON object."""
    out: Dict[str, str] = {}
    i = _skip_ws(text, 0)
    if i >= len(text) or text[i] != "{":
        raise ValueError("not a JSON object")
    i = _skip_ws(text, i + 1)
    if i < len(text) and text[i] == "}":
        return out
    while True:
        if i >= len(text) or text[i] != '"':
            raise ValueError(f"expected a key at {i}")
        key, i = scanstring(text, i + 1)
        i = _skip_ws(text, i)
        if i >= len(text) or text[i] != ":":
            raise ValueError(f"expected ':' at {i}")
        start = _skip_ws(text, i + 1)
        _, end = _DECODER.raw_decode(text, start)
        out[key] = text[start:end]
        i = _skip_ws(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
            continue
        if i < len(text) and text[i] == "}":
            return out
        raise ValueError(f"expected ',' or '}}' at {i}")


def observation_parts(observation) -> Tuple[List[str], Optional[str], Optional[str]]:
    """An observation (``Tracker.observe_json``'s text, or its :func:`top_level_raw` members) cut
    into ``(escalations, case_contact, intervention)``: the escalation documents in the core's
    order (the conversation key's, the recipient's view's, the sender case's), the case contact
    and the intervention, each as the exact text the core wrote, or ``None``."""
    members = top_level_raw(observation) if isinstance(observation, str) else observation
    escalations = [members[k] for k in _ESCALATION_KEYS if members.get(k, "null") != "null"]
    contact = members.get("case_contact")
    intervention = members.get("intervention")
    return (
        escalations,
        None if contact in (None, "null") else contact,
        None if intervention in (None, "null") else intervention,
    )


def intervention_row(
    intervention_json: str, conversation_id: Optional[str], message_id: Optional[str], ts_ms: Optional[int],
    sender_id: Optional[str], recipient_id: Optional[str],
) -> Dict[str, object]:
    """A row of :data:`INTERVENTION_SCHEMA` from the observation's ``intervention`` text."""
    doc = json.loads(intervention_json)
    notice = doc.get("notice") or {}
    return {
        "conversation_id": conversation_id,
        "message_id": message_id,
        "ts_ms": ts_ms,
        "sender_id": sender_id,
        "recipient_id": recipient_id,
        "action": doc.get("action"),
        "intervention_id": doc.get("id"),
        "intervention_categories": list(doc.get("categories") or []),
        "notice_id": notice.get("id"),
        "notice_language": notice.get("language"),
        "intervention_json": intervention_json,
    }


def intervention_columns(df: DataFrame) -> DataFrame:
    """The per-message frame as written: :data:`INTERVENTION_SCHEMA` with ``timestamp`` (UTC)
    after ``ts_ms``, ordered by conversation, time and message."""
    cols = []
    for c in INTERVENTION_FIELDS:
        cols.append(F.col(c))
        if c == "ts_ms":
            cols.append(F.timestamp_millis(F.col("ts_ms")).alias("timestamp"))
    return df.select(*cols).orderBy("conversation_id", "ts_ms", "message_id")


#: Columns of the interventions summary table (``OUT/interventions_summary/``).
SUMMARY_SCHEMA = T.StructType(
    [
        T.StructField("grouping", T.StringType()),  # total | action | intervention | notice_language
        T.StructField("action", T.StringType()),
        T.StructField("intervention_id", T.StringType()),
        T.StructField("notice_language", T.StringType()),
        T.StructField("interventions", T.LongType()),
        T.StructField("conversations", T.LongType()),
    ]
)


def summary_table(iv: DataFrame) -> DataFrame:
    """The interventions summary as a table (:data:`SUMMARY_SCHEMA`), one row per group:

    * ``total`` — every intervention;
    * ``action`` — per action (each action the policy's interventions can take has a row, zero
      when it never fired);
    * ``intervention`` — per action and intervention id;
    * ``notice_language`` — per action and the language of the notice shown (interventions
      without a notice — holds, and masks without a nudge's notice — have none and no row here).

    ``interventions`` counts messages (a message gets at most one intervention), ``conversations``
    the conversations with at least one of them."""
    spark = iv.sparkSession
    agg = [F.count(F.lit(1)).alias("interventions"), F.countDistinct("conversation_id").alias("conversations")]
    none = F.lit(None).cast("string")
    total = iv.agg(*agg).select(F.lit("total").alias("grouping"), none.alias("action"), none.alias("intervention_id"),
                                none.alias("notice_language"), "interventions", "conversations")
    actions = spark.createDataFrame([(a,) for a in ACTIONS], "action string")
    by_action = (
        actions.join(iv.groupBy("action").agg(*agg), "action", "left")
        .select(F.lit("action").alias("grouping"), "action", none.alias("intervention_id"), none.alias("notice_language"),
                F.coalesce("interventions", F.lit(0)).cast("long").alias("interventions"),
                F.coalesce("conversations", F.lit(0)).cast("long").alias("conversations"))
    )
    by_id = iv.groupBy("action", "intervention_id").agg(*agg).select(
        F.lit("intervention").alias("grouping"), "action", "intervention_id", none.alias("notice_language"),
        "interventions", "conversations")
    by_lang = iv.where(F.col("notice_language").isNotNull()).groupBy("action", "notice_language").agg(*agg).select(
        F.lit("notice_language").alias("grouping"), "action", none.alias("intervention_id"), "notice_language",
        "interventions", "conversations")
    order = F.array_position(F.array(*[F.lit(g) for g in ["total", "action", "intervention", "notice_language"]]), F.col("grouping"))
    act = F.array_position(F.array(*[F.lit(a) for a in ACTIONS]), F.col("action"))
    return (
        total.unionByName(by_action).unionByName(by_id).unionByName(by_lang)
        .orderBy(order, act, "intervention_id", "notice_language")
    )


def summarize(rows: List[Dict[str, object]], iv: DataFrame) -> Dict[str, object]:
    """The ``interventions`` member of ``summary.json`` from the collected summary table, plus the
    conversations with at least one hold, nudge (either kind) or intervention of any kind."""
    by_action = {a: 0 for a in ACTIONS}
    by_id: Dict[str, int] = {}
    by_lang: Dict[str, Dict[str, int]] = {}
    conversations_by_action = {a: 0 for a in ACTIONS}
    total = conversations = 0
    for r in rows:
        g = r["grouping"]
        if g == "total":
            total, conversations = int(r["interventions"]), int(r["conversations"])
        elif g == "action":
            by_action[r["action"]] = int(r["interventions"])
            conversations_by_action[r["action"]] = int(r["conversations"])
        elif g == "intervention":
            by_id[r["intervention_id"]] = by_id.get(r["intervention_id"], 0) + int(r["interventions"])
        elif g == "notice_language":
            langs = by_lang.setdefault(r["action"], {})
            langs[r["notice_language"]] = int(r["interventions"])
    nudged = iv.where(F.col("action").isin("nudge_recipient", "nudge_sender")).select("conversation_id").distinct().count()
    return {
        "total": total,
        "by_action": by_action,
        "by_id": dict(sorted(by_id.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_notice_language": {a: dict(sorted(l.items())) for a, l in sorted(by_lang.items(), key=lambda kv: ACTIONS.index(kv[0]))},
        "conversations": conversations,
        "conversations_by_action": conversations_by_action,
        "conversations_with_hold": conversations_by_action["hold"],
        "conversations_with_nudge": nudged,
    }
