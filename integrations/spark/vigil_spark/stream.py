"""The streaming job: Structured Streaming with per-conversation state in Spark's state store.

Plan of the query:

1. a file source (JSON Lines or Parquet files arriving in a directory; ``maxFilesPerTrigger``
   bounds a micro-batch) read into the message frame (:mod:`vigil_spark.messages`);
2. an event-time watermark on the message timestamp (``withWatermark(event_time, delay)``);
3. ``groupBy(conversation_id).applyInPandasWithState(...)`` with an **event-time timeout**. For each
   conversation with new messages in a micro-batch the function

   * clears this worker's tracker and restores the conversation's state — the bytes of
     ``Tracker.snapshot_conversation`` kept in the state store (``snapshot``, with ``last_ts_ms``,
     the newest message time seen);
   * observes the new messages ordered by ``(timestamp, message_id)``;
   * emits their escalations (the same rows as the backtest) and stores the new snapshot;
   * sets the timeout to ``last_ts_ms + idle_ttl`` (the policy's ``tracker.idle_ttl``): the state
     is dropped once the watermark passes it, which mirrors the tracker's own time-to-live — the
     tracker measures idleness on message timestamps, not on the wall clock, and so does an
     event-time timeout. A message that would have arrived after that is older than the watermark
     and so dropped as late by Spark.

4. a Parquet file sink (exactly-once with the checkpoint: a restarted query neither loses nor
   repeats rows).

Sender cases (scope ``sender``, one sender's conversations with minors added up) are not built
here yet: they need a second stateful stage keyed by sender, and Spark 4.3 rejects two
``applyInPandasWithState`` operators in one query ("Multiple applyInPandasWithStates are not
supported"); see README.md. The backtest builds them.

Why event time and not processing time: decay and time-to-live in the core run on message
timestamps, so replaying a log and running live give the same result; a processing-time timeout
would make the state's lifetime depend on how fast the stream is consumed.
"""

from __future__ import annotations

import sys
from typing import Iterator, Optional, Tuple

import pandas as pd
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.streaming import StreamingQuery
from pyspark.sql.streaming.state import GroupState, GroupStateTimeout

from .backtest import _escalation_columns
from .escalations import ESCALATION_FIELDS, ESCALATION_SCHEMA, replay_staged
from .messages import read_message_stream
from .policy import PolicySpec, tracker_for

#: What the state store holds per conversation.
STATE_SCHEMA = T.StructType(
    [
        T.StructField("snapshot", T.BinaryType()),  # Tracker.snapshot_conversation(conversation_id)
        T.StructField("last_ts_ms", T.LongType()),  # newest message timestamp seen
    ]
)


def _conversation_step(spec_bc, ttl_ms: int):
    """The ``applyInPandasWithState`` function."""

    def step(key: Tuple[str], pdfs: Iterator[pd.DataFrame], state: GroupState) -> Iterator[pd.DataFrame]:
        if state.hasTimedOut:
            # Idle for longer than the policy's time-to-live, measured on message time: the
            # tracker would have evicted every key of this conversation by now.
            state.remove()
            return
        spec: PolicySpec = spec_bc.value
        cid = key[0]
        frames = [p for p in pdfs if len(p)]
        if not frames:
            return
        batch = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        batch = batch.sort_values(["ts_ms", "message_id"], kind="mergesort")
        # Made with_case_contacts, as the backtest's stage 1: its escalations leave out a sender
        # escalation raised from this conversation alone (sender cases span conversations; this
        # job does not build them yet, see README.md).
        tracker = tracker_for(spec, staged=True)
        tracker.clear()
        last: Optional[int] = None
        if state.exists:
            snapshot, last = state.get
            tracker.restore_conversation(bytes(snapshot))
        rows = []
        for line, escs, _contact, error in replay_staged(tracker, batch["json"].tolist()):
            if error is not None:
                print(f"vigil-spark: conversation {cid}: malformed message skipped: {error}", file=sys.stderr)
            rows.extend(escs)
        newest = int(batch["ts_ms"].max())
        last = newest if last is None else max(int(last), newest)
        state.update((tracker.snapshot_conversation(cid), last))
        tracker.clear()
        timeout = last + ttl_ms
        watermark = state.getCurrentWatermarkMs()
        state.setTimeoutTimestamp(max(timeout, watermark + 1))
        if rows:
            yield pd.DataFrame(rows, columns=ESCALATION_FIELDS)

    return step


def escalation_stream(
    spark: SparkSession,
    messages: DataFrame,
    policy: PolicySpec,
    watermark_delay: str = "10 minutes",
    ttl_ms: Optional[int] = None,
) -> DataFrame:
    """The streaming frame of escalation rows (same columns as the backtest's ``escalations/``)
    from a streaming message frame. ``ttl_ms`` defaults to the policy's ``idle_ttl``. Messages
    whose conversation id or timestamp Spark cannot read are left out (they have no key or event
    time); messages the core rejects are logged by the executors and skipped."""
    ttl = int(ttl_ms if ttl_ms is not None else policy.idle_ttl_ms)
    spec_bc = spark.sparkContext.broadcast(policy)
    keyed = (
        messages.where(F.col("conversation_id").isNotNull() & F.col("ts_ms").isNotNull())
        .withColumn("event_time", F.timestamp_millis(F.col("ts_ms")))
        .withWatermark("event_time", watermark_delay)
    )
    out = keyed.groupBy("conversation_id").applyInPandasWithState(
        _conversation_step(spec_bc, ttl),
        outputStructType=ESCALATION_SCHEMA,
        stateStructType=STATE_SCHEMA,
        outputMode="append",
        timeoutConf=GroupStateTimeout.EventTimeTimeout,
    )
    return _escalation_columns(out)


def start_stream(
    spark: SparkSession,
    input_dir: str,
    output: str,
    checkpoint: str,
    policy: PolicySpec,
    fmt: str = "auto",
    max_files_per_trigger: int = 10,
    watermark_delay: str = "10 minutes",
    available_now: bool = False,
    trigger_interval: Optional[str] = None,
    query_name: Optional[str] = None,
) -> StreamingQuery:
    """Starts the query: messages from files in ``input_dir``, escalation rows appended as Parquet
    to ``output`` (a file sink; read it back with ``spark.read.parquet(output)``), state and
    progress in ``checkpoint``. ``available_now`` processes what is there (in micro-batches of
    ``max_files_per_trigger`` files) and stops; otherwise the query runs until stopped, with a
    micro-batch every ``trigger_interval`` (default: as soon as the previous one ends)."""
    messages = read_message_stream(spark, input_dir, fmt, max_files_per_trigger)
    rows = escalation_stream(spark, messages, policy, watermark_delay)
    writer = (
        rows.writeStream.format("parquet")
        .option("path", output)
        .option("checkpointLocation", checkpoint)
        .outputMode("append")
    )
    if query_name:
        writer = writer.queryName(query_name)
    if available_now:
        writer = writer.trigger(availableNow=True)
    elif trigger_interval:
        writer = writer.trigger(processingTime=trigger_interval)
    return writer.start()
