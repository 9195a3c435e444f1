"""The batch backtest: replay a message log through one or two policies and write every
escalation.

Plan of the job:

1. read the messages (JSON Lines or Parquet, :mod:`vigil_spark.messages`) and number them in input
   order (``seq``);
2. ``repartition(N, conversation_id)`` — every message of a conversation lands in one partition —
   then ``sortWithinPartitions(conversation_id, ts_ms, seq)``: each conversation's messages are
   contiguous and in time order (input order breaks ties, as ``vigil scan`` reads a file);
3. stage 1, ``mapInArrow``: each Python worker streams through its partition with one tracker per
   policy (the policy travels as source text in a broadcast variable, the engine is compiled once
   per worker process), handing each Arrow batch to the core in one call (``vigil.observe_arrow``
   over the ``json`` column) that clears the tracker between conversations, so each conversation
   is scored on its own — exactly what the streaming job does with its per-conversation state. The tracker is
   made ``with_case_contacts``: each risky message also yields its case contact (a row with the
   sender id, time and ``seq``), and each message the policy's interventions act on an
   intervention row (:mod:`vigil_spark.interventions`);
4. stage 2: the case contacts ``repartition(N, sender_id)``, sorted by ``(sender_id, ts_ms,
   seq)``, replayed per sender through a tracker cleared between senders
   (``observe_contact_json``): the sender escalations (scope ``sender``), exactly those of one
   tracker holding all of the sender's conversations;
5. the escalations of both stages (and malformed lines, and per-partition counters) come back as
   rows; they are written as Parquet and summarized.

Because conversations are scored independently and sender cases are rebuilt from the contacts, the
result equals ``vigil scan`` over the same messages in time order (the tests check this on the
labelled corpus and on inputs where senders write to several children, whole JSON documents). The
fan-out modifier (one sender writing risky messages to several minors raises each conversation's
score) is seen only within a conversation: see README.md.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Dict, Iterator, List, Optional

import pyarrow as pa
from pyspark import StorageLevel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.types import to_arrow_schema

from .escalations import ESCALATION_FIELDS, ESCALATION_SCHEMA, LEVELS, SCOPES, contact_sender, escalation_row, observe_contacts
from .interventions import (
    INTERVENTION_FIELDS,
    INTERVENTION_SCHEMA,
    intervention_columns,
    intervention_row,
    summarize,
    summary_table,
)
from .messages import read_messages
from .policy import PolicySpec, policy_ref, tracker_for

#: Rows the Python stage returns: escalations, malformed lines and one counter row per partition.
RESULT_SCHEMA = T.StructType(
    [
        T.StructField("kind", T.StringType()),  # escalation | contact | intervention | malformed | stats
        T.StructField("variant", T.StringType()),  # a | b
        T.StructField("error", T.StringType()),
        T.StructField("line", T.StringType()),
        T.StructField("messages", T.LongType()),
        T.StructField("conversations", T.LongType()),
        T.StructField("invalid_utf8", T.LongType()),
        # A case contact (kind "contact", with sender_id): the message's time and input number,
        # the second stage's order, and the contact's JSON text.
        T.StructField("ts_ms", T.LongType()),
        T.StructField("seq", T.LongType()),
        T.StructField("contact_json", T.StringType()),
        *ESCALATION_SCHEMA.fields,
        # An intervention (kind "intervention"): the columns of INTERVENTION_SCHEMA that the
        # escalation columns above do not hold already (conversation_id, message_id, sender_id,
        # recipient_id are shared; ts_ms is the contact's).
        *[f for f in INTERVENTION_SCHEMA.fields if f.name not in ESCALATION_FIELDS and f.name != "ts_ms"],
    ]
)

_FLUSH_ROWS = 2048


def _result_batch(schema: pa.Schema, n: int, **columns: object) -> pa.RecordBatch:
    """A batch of ``n`` result rows: the given columns (Arrow arrays, Python lists, or a scalar
    repeated), every other column of ``schema`` null."""
    arrays = []
    for field in schema:
        value = columns.get(field.name)
        if value is None:
            arrays.append(pa.nulls(n, field.type))
        elif isinstance(value, (pa.Array, pa.ChunkedArray)):
            arrays.append(value.cast(field.type) if value.type != field.type else value)
        elif isinstance(value, list):
            arrays.append(pa.array(value, field.type))
        else:
            arrays.append(pa.array([value] * n, field.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _leading_run(cids: pa.Array, first: Optional[str]) -> int:
    """How many rows at the start of ``cids`` hold the conversation id ``first`` (null for
    ``None``)."""
    import pyarrow.compute as pc

    if first is None:
        other = pc.is_valid(cids)
    else:
        other = pc.fill_null(pc.not_equal(cids, pa.scalar(first, cids.type)), True)
    at = pc.index(other, True).as_py()
    return len(cids) if at < 0 else at


def _observe_parts(vigil, tracker, data: pa.RecordBatch, continued: int):  # noqa: ANN001
    """Observes the rows of ``data`` (``conversation_id`` and ``json``, sorted by conversation) in
    one or two binding calls (``vigil.observe_arrow`` with ``forget_between_conversations``): the
    first ``continued`` rows continue the conversation of the batch before (the core clears the
    tracker at a batch's first row, so they go in a call of their own that does not forget), the
    rest starts afresh. Yields ``(row offset, ArrowObservations)``."""
    if continued:
        yield 0, vigil.observe_arrow(tracker, data.slice(0, continued), forget_between_conversations=False)
    if continued < data.num_rows:
        yield continued, vigil.observe_arrow(tracker, data.slice(continued), forget_between_conversations=True)


def _replay_partition(specs_bc):
    """The ``mapInArrow`` function of stage 1: batches of ``(conversation_id, json, invalid_utf8,
    ts_ms, seq)`` sorted by conversation and time in, result rows out (escalations, case contacts,
    interventions, malformed lines, one stats row).

    Each Arrow batch crosses into the core once per policy (``vigil.observe_arrow`` over the
    batch's ``json`` column, ``forget_between_conversations``: the tracker is cleared whenever the
    conversation changes, so each conversation is scored on its own) — no Python code per
    message. A conversation may span two batches of a partition: its rows at the start of the
    next batch are observed without clearing (:func:`_observe_parts`). The sparse outputs (the
    escalation documents, case contacts and interventions, each with its row) become result rows;
    the escalations' columns are read from their documents (:func:`escalation_row`)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        import pyarrow.compute as pc
        import vigil

        specs: List[PolicySpec] = specs_bc.value
        trackers = [(v, tracker_for(s, staged=True)) for v, s in zip("ab", specs)]
        for _, t in trackers:
            t.clear()
        schema = to_arrow_schema(RESULT_SCHEMA)
        rows: List[Dict[str, object]] = []
        out: List[pa.RecordBatch] = []
        pending = 0
        # The conversation id of the last row seen (`_START` before the first batch).
        last: object = _START
        messages = conversations = invalid_utf8 = 0
        for batch in batches:
            n = batch.num_rows
            if n == 0:
                continue
            cids = batch.column(0)
            first = cids[0].as_py()
            continued = _leading_run(cids, first) if first == last and last is not _START else 0
            last = cids[n - 1].as_py()
            messages += n
            invalid_utf8 += pc.sum(pc.cast(batch.column(2), pa.int64())).as_py() or 0
            data = pa.RecordBatch.from_arrays([cids, batch.column(1)], names=["conversation_id", "json"])
            lines = batch.column(1)
            times = batch.column(3)
            seqs = batch.column(4)
            for variant, tracker in trackers:
                for offset, obs in _observe_parts(vigil, tracker, data, continued):
                    if variant == "a":
                        # Runs counted by the core; a conversation continued from the batch
                        # before was counted there already.
                        conversations += obs.conversations - (1 if offset == 0 and continued and first is not None else 0)
                        for r, error in zip(obs.errors.column(0).to_pylist(), obs.errors.column(1).to_pylist()):
                            row = offset + r
                            rows.append(
                                {
                                    "kind": "malformed",
                                    "variant": variant,
                                    "error": error,
                                    "line": lines[row].as_py(),
                                    "conversation_id": cids[row].as_py(),
                                }
                            )
                    esc = obs.escalations
                    if esc.num_rows:
                        # A sender escalation raised from this conversation alone is left out:
                        # the sender's case is stage 2's.
                        keep = esc.filter(pc.not_equal(esc.column("scope"), "sender"))
                        for doc in keep.column("json").to_pylist():
                            row = escalation_row(doc)
                            row["kind"] = "escalation"
                            row["variant"] = variant
                            rows.append(row)
                    iv = obs.interventions
                    for r, doc in zip(iv.column(0).to_pylist(), iv.column(1).to_pylist()):
                        row_at = offset + r
                        message = vigil.parse_message(lines[row_at].as_py())
                        row = intervention_row(
                            doc,
                            cids[row_at].as_py(),
                            message.message_id,
                            times[row_at].as_py(),
                            message.sender.id,
                            None if message.recipient is None else message.recipient.id,
                        )
                        row["kind"] = "intervention"
                        row["variant"] = variant
                        rows.append(row)
                    cc = obs.case_contacts
                    if cc.num_rows:
                        at = pc.add(cc.column(0), offset)
                        contacts = cc.column(1)
                        out.append(
                            _result_batch(
                                schema,
                                cc.num_rows,
                                kind="contact",
                                variant=variant,
                                conversation_id=cids.take(at),
                                sender_id=[contact_sender(c)[0] for c in contacts.to_pylist()],
                                ts_ms=times.take(at),
                                seq=seqs.take(at),
                                contact_json=contacts,
                            )
                        )
                        pending += cc.num_rows
            if rows:
                out.append(pa.RecordBatch.from_pylist(rows, schema=schema))
                pending += len(rows)
                rows = []
            if pending >= _FLUSH_ROWS:
                yield from out
                out = []
                pending = 0
        for _, t in trackers:
            t.clear()
        yield from out
        yield _result_batch(schema, 1, kind="stats", messages=messages, conversations=conversations, invalid_utf8=invalid_utf8)

    return run


#: Before the first batch of a partition (no conversation seen yet).
_START = object()


def _replay_senders(specs_bc):
    """The ``mapInArrow`` function of stage 2: case contacts ``(variant, sender_id,
    contact_json)`` sorted by sender, variant and time in; each sender's contacts replayed through
    a tracker cleared between senders (``observe_contact_json``); the sender escalations out, as
    result rows (and contacts the core rejected as malformed rows, which cannot happen with
    contacts of stage 1)."""

    def run(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        specs: List[PolicySpec] = specs_bc.value
        trackers = {v: tracker_for(s) for v, s in zip("ab", specs)}
        schema = to_arrow_schema(RESULT_SCHEMA)
        rows: List[Dict[str, object]] = []
        current: object = object()
        for batch in batches:
            variants = batch.column(0).to_pylist()
            senders = batch.column(1).to_pylist()
            contacts = batch.column(2).to_pylist()
            for variant, sender, contact in zip(variants, senders, contacts):
                tracker = trackers[variant]
                if (variant, sender) != current:
                    current = (variant, sender)
                    tracker.clear()
                for esc, error in observe_contacts(tracker, [contact]):
                    if error is not None:
                        rows.append({"kind": "malformed", "variant": variant, "error": error, "line": contact})
                    elif esc is not None:
                        row = escalation_row(esc)
                        row["kind"] = "escalation"
                        row["variant"] = variant
                        rows.append(row)
            if len(rows) >= _FLUSH_ROWS:
                yield pa.RecordBatch.from_pylist(rows, schema=schema)
                rows = []
        for t in trackers.values():
            t.clear()
        yield pa.RecordBatch.from_pylist(rows, schema=schema)

    return run


def sender_cases(spark: SparkSession, result: DataFrame, specs: List[PolicySpec], partitions: Optional[int] = None) -> DataFrame:
    """Stage 2: the case contacts of stage 1 (``kind == "contact"`` rows of :func:`replay`)
    repartitioned by sender, sorted by ``(sender, variant, ts_ms, seq)`` — each sender's contacts
    contiguous, in time order, input order breaking ties (the order one tracker saw them in) — and
    replayed per sender. Returns :data:`RESULT_SCHEMA` rows: the sender escalations (scope
    ``sender``), with the other escalations' columns."""
    n = partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))
    ordered = (
        result.where(F.col("kind") == "contact")
        .select("variant", "sender_id", "contact_json", "ts_ms", "seq")
        .repartition(n, "sender_id")
        .sortWithinPartitions("sender_id", "variant", "ts_ms", "seq")
        .select("variant", "sender_id", "contact_json")
    )
    specs_bc = spark.sparkContext.broadcast(list(specs))
    return ordered.mapInArrow(_replay_senders(specs_bc), RESULT_SCHEMA)


def replay(spark: SparkSession, messages: DataFrame, specs: List[PolicySpec], partitions: Optional[int] = None) -> DataFrame:
    """Partitions ``messages`` (the frame of :func:`vigil_spark.messages.read_messages`) by
    conversation, orders each by time, and replays it through each policy of ``specs`` (one or
    two). Returns :data:`RESULT_SCHEMA` rows (lazy)."""
    n = partitions or int(spark.conf.get("spark.sql.shuffle.partitions"))
    ordered = (
        messages.withColumn("seq", F.monotonically_increasing_id())
        .repartition(n, "conversation_id")
        .sortWithinPartitions("conversation_id", "ts_ms", "seq")
        .select("conversation_id", "json", "invalid_utf8", "ts_ms", "seq")
    )
    specs_bc = spark.sparkContext.broadcast(list(specs))
    return ordered.mapInArrow(_replay_partition(specs_bc), RESULT_SCHEMA)


def _escalation_columns(df: DataFrame) -> DataFrame:
    return df.select(
        *[F.col(c) for c in ESCALATION_FIELDS if c != "escalation_json"],
        F.timestamp_millis(F.col("raised_at_ms")).alias("raised_at"),
        F.col("escalation_json"),
    )


def _counts(df: DataFrame, column) -> Dict[str, int]:
    keyed = df.select(column.alias("k"))
    return {r[0]: int(r[1]) for r in keyed.groupBy("k").count().orderBy("k").collect() if r[0] is not None}


def _side_summary(esc: DataFrame, spec: PolicySpec) -> Dict[str, object]:
    by_level = _counts(esc, F.col("level"))
    by_category = _counts(esc, F.explode("categories"))
    by_scope = _counts(esc, F.col("scope"))
    return {
        "policy": policy_ref(spec),
        "escalations": sum(by_level.values()),
        "by_level": {lvl: by_level.get(lvl, 0) for lvl in LEVELS},
        "by_scope": {scope: by_scope.get(scope, 0) for scope in SCOPES},
        "by_category": dict(sorted(by_category.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_language": _counts(esc, F.col("language")),
        "conversations_escalated": esc.select("conversation_id").distinct().count(),
        "senders_escalated": esc.where(F.col("scope") == "sender").select("sender_id").distinct().count(),
    }


def _interventions(iv: DataFrame, output: str, suffix: str) -> Dict[str, object]:
    """Writes one policy's interventions (``OUT/interventions{suffix}/``, one row per message with
    an intervention) and their summary table (``OUT/interventions_summary{suffix}/``); returns
    the summary's ``interventions`` member."""
    iv = iv.select(*INTERVENTION_FIELDS)
    intervention_columns(iv).write.mode("overwrite").parquet(os.path.join(output, "interventions" + suffix))
    table = summary_table(iv)
    table.write.mode("overwrite").parquet(os.path.join(output, "interventions_summary" + suffix))
    return summarize([r.asDict() for r in table.collect()], iv)


def level_changes(esc: DataFrame) -> DataFrame:
    """Conversations whose highest level differs between policy A and B (``variant`` a/b rows):
    ``conversation_id, level_a, level_b, direction (up|down), categories_a, categories_b,
    categories_gained, categories_lost``. A conversation's level is the highest level any of its
    keys escalated to (as ``vigil diff`` counts it); categories are those of its escalations."""
    order = F.array(*[F.lit(l) for l in LEVELS])
    # A sender escalation is the sender's level, not its raising conversation's (`vigil diff`
    # compares conversations).
    esc = esc.where(F.col("scope") != "sender")
    per = esc.groupBy("conversation_id", "variant").agg(
        F.max(F.array_position(order, F.col("level"))).alias("rank"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("categories")))).alias("cats"),
    )
    a = per.where(F.col("variant") == "a").select("conversation_id", F.col("rank").alias("ra"), F.col("cats").alias("categories_a"))
    b = per.where(F.col("variant") == "b").select("conversation_id", F.col("rank").alias("rb"), F.col("cats").alias("categories_b"))
    empty = F.array().cast("array<string>")
    j = a.join(b, "conversation_id", "full_outer").select(
        "conversation_id",
        F.coalesce("ra", F.lit(0)).alias("ra"),
        F.coalesce("rb", F.lit(0)).alias("rb"),
        F.coalesce("categories_a", empty).alias("categories_a"),
        F.coalesce("categories_b", empty).alias("categories_b"),
    )
    lvl = lambda r: F.when(r > 0, F.element_at(order, r.cast("int")))  # noqa: E731
    return (
        j.where(F.col("ra") != F.col("rb"))
        .select(
            "conversation_id",
            lvl(F.col("ra")).alias("level_a"),
            lvl(F.col("rb")).alias("level_b"),
            F.when(F.col("rb") > F.col("ra"), "up").otherwise("down").alias("direction"),
            "categories_a",
            "categories_b",
            F.array_except("categories_b", "categories_a").alias("categories_gained"),
            F.array_except("categories_a", "categories_b").alias("categories_lost"),
        )
        .orderBy("conversation_id")
    )


def run_backtest(
    spark: SparkSession,
    inputs: List[str],
    output: str,
    policy: PolicySpec,
    policy_b: Optional[PolicySpec] = None,
    fmt: str = "auto",
    partitions: Optional[int] = None,
    min_level: Optional[str] = None,
) -> Dict[str, object]:
    """Runs the backtest and writes, under ``output`` (overwritten):

    * ``escalations/`` — every escalation under the policy (Parquet, :data:`ESCALATION_SCHEMA` plus
      ``raised_at`` as a timestamp), at or above ``min_level`` when given;
    * ``malformed/`` — lines the core rejected (``conversation_id, line, error``);
    * ``interventions/`` — one row per message the policy's interventions act on
      (:data:`vigil_spark.interventions.INTERVENTION_SCHEMA` plus ``timestamp``), and
      ``interventions_summary/`` — their counts per action, intervention id and notice language
      (:func:`vigil_spark.interventions.summary_table`);
    * with ``policy_b``: ``escalations_b/``, ``interventions_b/``, ``interventions_summary_b/``
      and ``changes/`` (:func:`level_changes`);
    * ``summary.json`` — the returned summary: messages, conversations, malformed lines, lines
      whose invalid UTF-8 was read as U+FFFD (``invalid_utf8``; such a line is scored like any
      other), escalations by level, category and language and the interventions (for each
      policy), and the level changes.
    """
    started = time.time()
    specs = [policy] + ([policy_b] if policy_b is not None else [])
    messages = read_messages(spark, inputs, fmt)
    result = replay(spark, messages, specs, partitions).persist(StorageLevel.MEMORY_AND_DISK)
    senders = sender_cases(spark, result, specs, partitions).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        esc = result.where(F.col("kind") == "escalation").unionByName(senders.where(F.col("kind") == "escalation"))
        written = esc if min_level is None else esc.where(
            F.array_position(F.array(*[F.lit(l) for l in LEVELS]), F.col("level")) >= LEVELS.index(min_level) + 1
        )
        written = written.orderBy("conversation_id", "raised_at_ms", "scope", "sequence", "sender_id", "recipient_id")
        _escalation_columns(written.where(F.col("variant") == "a")).write.mode("overwrite").parquet(os.path.join(output, "escalations"))
        stats = (
            result.where(F.col("kind") == "stats")
            .agg(F.sum("messages"), F.sum("conversations"), F.sum("invalid_utf8"))
            .collect()[0]
        )
        malformed = (
            result.where(F.col("kind") == "malformed")
            .unionByName(senders.where(F.col("kind") == "malformed"))
            .select("conversation_id", "line", "error")
        )
        malformed.write.mode("overwrite").parquet(os.path.join(output, "malformed"))
        iv = result.where(F.col("kind") == "intervention")
        summary: Dict[str, object] = {
            "messages": int(stats[0] or 0),
            "conversations": int(stats[1] or 0),
            "malformed": malformed.count(),
            "invalid_utf8": int(stats[2] or 0),
            **_side_summary(esc.where(F.col("variant") == "a"), policy),
            "interventions": _interventions(iv.where(F.col("variant") == "a"), output, ""),
        }
        if policy_b is not None:
            _escalation_columns(written.where(F.col("variant") == "b")).write.mode("overwrite").parquet(
                os.path.join(output, "escalations_b")
            )
            changes = level_changes(esc)
            changes.write.mode("overwrite").parquet(os.path.join(output, "changes"))
            rows = changes.collect()
            transitions: Dict[str, int] = {}
            for r in rows:
                key = f"{r['level_a'] or 'none'} → {r['level_b'] or 'none'}"
                transitions[key] = transitions.get(key, 0) + 1
            summary["b"] = _side_summary(esc.where(F.col("variant") == "b"), policy_b)
            summary["b"]["interventions"] = _interventions(iv.where(F.col("variant") == "b"), output, "_b")
            summary["changes"] = {
                "conversations_changed": len(rows),
                "transitions": dict(sorted(transitions.items(), key=lambda kv: (-kv[1], kv[0]))),
            }
    finally:
        senders.unpersist()
        result.unpersist()
    elapsed = time.time() - started
    summary["seconds"] = round(elapsed, 3)
    summary["messages_per_second"] = round(summary["messages"] / elapsed, 1) if elapsed > 0 else None
    if "://" not in output:
        os.makedirs(output, exist_ok=True)
    _write_text(spark, os.path.join(output, "summary.json"), json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    return summary


def _write_text(spark: SparkSession, path: str, text: str) -> None:
    """Writes a small text file on the driver: a local path directly, anything else (hdfs://,
    s3a://) through Hadoop's FileSystem API."""
    if "://" not in path or path.startswith("file://"):
        local = path[len("file://") :] if path.startswith("file://") else path
        with open(local, "w", encoding="utf-8") as f:
            f.write(text)
        return
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    out = fs.create(hpath, True)
    try:
        out.write(bytearray(text.encode("utf-8")))
    finally:
        out.close()


def format_summary(summary: Dict[str, object]) -> str:
    """The summary as the lines ``vigil scan`` prints on standard error."""
    lines = []

    def side(s, label=""):
        lv = s["by_level"]
        lines.append(
            f"vigil-spark{label}: {summary['messages']} messages, {summary['conversations']} conversations, "
            f"{s['escalations']} escalations (watch {lv['watch']}, review {lv['review']}, urgent {lv['urgent']}), "
            f"{summary['malformed']} malformed lines skipped, {summary.get('seconds', 0)} s "
            f"({summary.get('messages_per_second') or 0:.0f} messages/s)"
        )
        if s["by_category"]:
            cats = ", ".join(f"{k} {v}" for k, v in s["by_category"].items())
            lines.append(f"vigil-spark{label}: escalations by category: {cats}")
        if s["by_language"]:
            langs = ", ".join(f"{k} {v}" for k, v in s["by_language"].items())
            lines.append(f"vigil-spark{label}: escalations by language: {langs}")

    def interventions(iv, label):
        if not iv:
            return
        acts = ", ".join(f"{k} {v}" for k, v in iv["by_action"].items())
        lines.append(
            f"vigil-spark{label}: {iv['total']} interventions ({acts}); conversations with a hold "
            f"{iv['conversations_with_hold']}, with a nudge {iv['conversations_with_nudge']}, with any {iv['conversations']}"
        )
        if iv["by_id"]:
            lines.append(f"vigil-spark{label}: interventions by id: " + ", ".join(f"{k} {v}" for k, v in iv["by_id"].items()))
        if iv["by_notice_language"]:
            langs = "; ".join(
                f"{a} " + ", ".join(f"{l} {n}" for l, n in per.items()) for a, per in iv["by_notice_language"].items()
            )
            lines.append(f"vigil-spark{label}: interventions by notice language: {langs}")

    side(summary)
    scopes = summary.get("by_scope") or {}
    if scopes.get("sender") or scopes.get("recipient"):
        lines.append(
            "vigil-spark: escalations by scope: "
            + ", ".join(f"{k} {v}" for k, v in scopes.items())
            + f"; {summary.get('senders_escalated', 0)} senders escalated"
        )
    if summary.get("invalid_utf8"):
        lines.append(
            f"vigil-spark: {summary['invalid_utf8']} lines held invalid UTF-8, read with U+FFFD in place of the bad bytes"
        )
    interventions(summary.get("interventions"), "")
    if "b" in summary:
        side(summary["b"], " (policy B)")
        interventions(summary["b"].get("interventions"), " (policy B)")
        ch = summary["changes"]
        tr = ", ".join(f"{k}: {v}" for k, v in ch["transitions"].items())
        lines.append(f"vigil-spark: {ch['conversations_changed']} conversations changed level" + (f" ({tr})" if tr else ""))
    return "\n".join(lines)


def log(msg: str) -> None:
    """A line on standard error."""
    print(msg, file=sys.stderr, flush=True)
