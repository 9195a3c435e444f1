"""The streaming job: Structured Streaming with per-conversation state in Spark's state store and,
when the policy enables ``[senders]``, per-sender state (the senders' cases) in a second query.

Plan of the conversation query (the only one without ``[senders]``):

1. a file source (JSON Lines or Parquet files arriving in a directory; ``maxFilesPerTrigger``
   bounds a micro-batch) read into the message frame (:mod:`vigil_spark.messages`);
2. an event-time watermark on the message timestamp (``withWatermark(event_time, delay)``);
3. ``groupBy(conversation_id).applyInPandasWithState(...)`` with an **event-time timeout**. For each
   conversation with new messages in a micro-batch the function

   * clears this worker's tracker and restores the conversation's state — the bytes of
     ``Tracker.snapshot_conversation`` kept in the state store (``snapshot``, with ``last_ts_ms``,
     the newest message time seen);
   * observes the new messages ordered by ``(timestamp, message_id)``, in one binding call
     (``vigil.observe_arrow`` over their ``json`` column: no Python code per message);
   * emits their escalations (the same rows as the backtest's stage 1) and, with ``[senders]``,
     each risky message's **case contact**, and stores the new snapshot;
   * sets the timeout to ``last_ts_ms + idle_ttl`` (the policy's ``tracker.idle_ttl``): the state
     is dropped once the watermark passes it, which mirrors the tracker's own time-to-live — the
     tracker measures idleness on message timestamps, not on the wall clock, and so does an
     event-time timeout. A message that would have arrived after that is older than the watermark
     and so dropped as late by Spark.

4. a Parquet file sink: ``--output`` without ``[senders]``; with them, a staging sink under the
   checkpoint (``<checkpoint>/stage1-out``, the query's checkpoint ``<checkpoint>/conversations``).

Sender cases (scope ``sender``, one sender's conversations with minors added up) need a second
stateful operator keyed by sender, and Spark 4.3 rejects two ``applyInPandasWithState`` in one
query, so they are a second query (checkpoint ``<checkpoint>/senders``):

5. a file source over the staging sink. A file source reading a file sink's output lists only the
   files the sink committed (its ``_spark_metadata`` log), so the hand-over is exactly once;
6. an event-time watermark on **the conversation query's watermark when it emitted the row**
   (``stage_watermark_ms``), with a delay of one millisecond. That column never decreases from
   one conversation micro-batch to the next and is the same on all rows of one, so a contact the
   conversation query let through is never late here, however the staging files are cut into
   micro-batches of this query; and this query's watermark is the conversation query's, which the
   timeouts compare with;
7. escalation rows pass through; case contacts go to ``groupBy(sender_id).applyInPandasWithState``
   — state ``snapshot`` (``Tracker.snapshot()`` of a tracker holding that one sender's case) and
   ``last_ts_ms`` (the newest contact's time) — which restores the case, replays the new contacts
   ordered by ``(ts_ms, conversation_id, message_id)`` (``Tracker.observe_contact_json``, as the
   backtest's stage 2), emits the sender escalations and stores the snapshot back, with the
   event-time timeout ``last_ts_ms + idle_ttl``: the core forgets a sender whose case saw nothing
   for ``idle_ttl`` (conversations older than the ``[senders]`` window leave the case earlier,
   inside the snapshot);
8. both, unioned, to the ``--output`` Parquet file sink.

Each query is exactly once with its checkpoint; together they are too: stop them at any point and
start them again on the same checkpoint, and the conversation query resumes after its last
committed micro-batch while the sender query reads the staging files it has not committed yet.
:func:`start_stream` returns a :class:`VigilStream` over both. The staging output is kept (Spark's
``cleanSource`` does not apply to a file sink's directory): it grows by the escalations and one
case contact per risky message.

As in the backtest, the fan-out modifier is seen only within a conversation (the conversation
query scores each conversation apart; see README.md).

Why event time and not processing time: decay and time-to-live in the core run on message
timestamps, so replaying a log and running live give the same result; a processing-time timeout
would make the state's lifetime depend on how fast the stream is consumed.
"""

from __future__ import annotations

import sys
import time
import warnings
from typing import Callable, Iterator, List, Optional, Tuple

import pandas as pd
import pyarrow as pa
import vigil
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.streaming import StreamingQuery
from pyspark.sql.streaming.state import GroupState, GroupStateTimeout

from .backtest import _escalation_columns
from .escalations import ESCALATION_FIELDS, ESCALATION_SCHEMA, contact_sender, escalation_row, observe_contacts
from .messages import read_message_stream
from .policy import PolicySpec, tracker_for

# PySpark's worker concatenates the frames a stateful function yields; those of the conversation
# query hold columns that are all null (a contact's escalation columns), which pandas 2 warns about
# on every micro-batch. The result is the same either way.
warnings.filterwarnings(
    "ignore", message="The behavior of DataFrame concatenation with empty or all-NA entries", category=FutureWarning
)

#: What the state store holds per conversation.
STATE_SCHEMA = T.StructType(
    [
        T.StructField("snapshot", T.BinaryType()),  # Tracker.snapshot_conversation(conversation_id)
        T.StructField("last_ts_ms", T.LongType()),  # newest message timestamp seen
    ]
)

#: What the state store holds per sender (the sender query).
SENDER_STATE_SCHEMA = T.StructType(
    [
        T.StructField("snapshot", T.BinaryType()),  # Tracker.snapshot() of a tracker holding this sender's case
        T.StructField("last_ts_ms", T.LongType()),  # newest case contact's time seen
    ]
)

#: Rows of the conversation query: escalation rows (``kind`` "escalation") and case contacts
#: (``kind`` "contact": ``conversation_id``, ``message_id``, ``sender_id``, ``ts_ms`` and
#: ``contact_json``; the escalation columns otherwise null). ``stage_watermark_ms``: the query's
#: event-time watermark in the micro-batch that emitted the row (the sender query's event time).
STAGE_SCHEMA = T.StructType(
    [
        T.StructField("kind", T.StringType()),
        T.StructField("ts_ms", T.LongType()),
        T.StructField("contact_json", T.StringType()),
        T.StructField("stage_watermark_ms", T.LongType()),
        *ESCALATION_SCHEMA.fields,
    ]
)
STAGE_FIELDS = [f.name for f in STAGE_SCHEMA.fields]

#: Under the checkpoint directory, with sender cases: the conversation query's checkpoint, its
#: staging sink and the sender query's checkpoint.
CONVERSATIONS_CHECKPOINT = "conversations"
STAGING_OUTPUT = "stage1-out"
SENDERS_CHECKPOINT = "senders"


def _frame(rows: List[dict], columns: List[str], **constant: object) -> pd.DataFrame:
    """The frame a stateful function yields. (A module-level function of this module: the
    functions Spark ships refer to it, so a Python worker imports the module, and its warnings
    filter above.)"""
    out = pd.DataFrame(rows, columns=columns)
    for name, value in constant.items():
        out[name] = value
    return out


def _conversation_step(spec_bc, ttl_ms: int, contacts: bool):
    """The ``applyInPandasWithState`` function of the conversation query. ``contacts``: also emit
    each risky message's case contact (for the sender query)."""

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
        # escalation raised from this conversation alone (sender cases span conversations: the
        # sender query builds them from the case contacts).
        tracker = tracker_for(spec, staged=True)
        tracker.clear()
        last: Optional[int] = None
        if state.exists:
            snapshot, last = state.get
            tracker.restore_conversation(bytes(snapshot))
        watermark = state.getCurrentWatermarkMs()
        rows = []
        # One binding call for the group's new messages (no Python per message): the tracker
        # holds this conversation only, so nothing is forgotten between rows.
        lines = pa.array(batch["json"].tolist(), pa.string())
        obs = vigil.observe_arrow(tracker, pa.RecordBatch.from_arrays([lines], names=["json"]))
        for error in obs.errors.column(1).to_pylist():
            print(f"vigil-spark: conversation {cid}: malformed message skipped: {error}", file=sys.stderr)
        esc = obs.escalations
        for scope, doc in zip(esc.column(1).to_pylist(), esc.column(3).to_pylist()):
            if scope == "sender":
                # Raised from this conversation alone: the sender's case is the sender query's.
                continue
            row = dict.fromkeys(STAGE_FIELDS)
            row.update(escalation_row(doc), kind="escalation")
            rows.append(row)
        if contacts and obs.case_contacts.num_rows:
            times = batch["ts_ms"].tolist()
            ids = batch["message_id"].tolist()
            cc = obs.case_contacts
            for r, contact in zip(cc.column(0).to_pylist(), cc.column(1).to_pylist()):
                sender, _ = contact_sender(contact)
                # Every column given (None where a row has none): pandas would fill in NaN,
                # which Arrow cannot read as an array or an integer.
                row = dict.fromkeys(STAGE_FIELDS)
                row.update(
                    kind="contact", conversation_id=cid, message_id=ids[r], sender_id=sender, ts_ms=int(times[r]), contact_json=contact
                )
                rows.append(row)
        newest = int(batch["ts_ms"].max())
        last = newest if last is None else max(int(last), newest)
        state.update((tracker.snapshot_conversation(cid), last))
        tracker.clear()
        state.setTimeoutTimestamp(max(last + ttl_ms, watermark + 1))
        if rows:
            yield _frame(rows, STAGE_FIELDS, stage_watermark_ms=watermark)

    return step


def _sender_step(spec_bc, ttl_ms: int):
    """The ``applyInPandasWithState`` function of the sender query: one sender's new case
    contacts in, the sender escalations they raise out."""

    def step(key: Tuple[str], pdfs: Iterator[pd.DataFrame], state: GroupState) -> Iterator[pd.DataFrame]:
        if state.hasTimedOut:
            # Nothing of the sender for longer than the policy's time-to-live, on message time:
            # the core would have forgotten the sender's case.
            state.remove()
            return
        spec: PolicySpec = spec_bc.value
        frames = [p for p in pdfs if len(p)]
        if not frames:
            return
        batch = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        batch = batch.sort_values(["ts_ms", "conversation_id", "message_id"], kind="mergesort")
        tracker = tracker_for(spec)
        tracker.clear()
        last: Optional[int] = None
        if state.exists:
            snapshot, last = state.get
            tracker.restore(bytes(snapshot))
        rows = []
        for esc, error in observe_contacts(tracker, batch["contact_json"].tolist()):
            if error is not None:
                print(f"vigil-spark: sender {key[0]}: case contact skipped: {error}", file=sys.stderr)
            elif esc is not None:
                rows.append(escalation_row(esc))
        newest = int(batch["ts_ms"].max())
        last = newest if last is None else max(int(last), newest)
        state.update((tracker.snapshot(), last))
        tracker.clear()
        state.setTimeoutTimestamp(max(last + ttl_ms, state.getCurrentWatermarkMs() + 1))
        if rows:
            yield _frame(rows, ESCALATION_FIELDS)

    return step


def conversation_stage(
    spark: SparkSession,
    messages: DataFrame,
    policy: PolicySpec,
    watermark_delay: str = "10 minutes",
    ttl_ms: Optional[int] = None,
    contacts: bool = False,
) -> DataFrame:
    """The streaming frame of :data:`STAGE_SCHEMA` rows from a streaming message frame: each
    conversation's escalations and, with ``contacts``, the case contacts of its risky messages.
    ``ttl_ms`` defaults to the policy's ``idle_ttl``. Messages whose conversation id or timestamp
    Spark cannot read are left out (they have no key or event time); messages the core rejects are
    logged by the executors and skipped."""
    ttl = int(ttl_ms if ttl_ms is not None else policy.idle_ttl_ms)
    spec_bc = spark.sparkContext.broadcast(policy)
    keyed = (
        messages.where(F.col("conversation_id").isNotNull() & F.col("ts_ms").isNotNull())
        .withColumn("event_time", F.timestamp_millis(F.col("ts_ms")))
        .withWatermark("event_time", watermark_delay)
    )
    return keyed.groupBy("conversation_id").applyInPandasWithState(
        _conversation_step(spec_bc, ttl, contacts),
        outputStructType=STAGE_SCHEMA,
        stateStructType=STATE_SCHEMA,
        outputMode="append",
        timeoutConf=GroupStateTimeout.EventTimeTimeout,
    )


def escalation_stream(
    spark: SparkSession,
    messages: DataFrame,
    policy: PolicySpec,
    watermark_delay: str = "10 minutes",
    ttl_ms: Optional[int] = None,
) -> DataFrame:
    """The streaming frame of escalation rows (same columns as the backtest's ``escalations/``)
    of the conversation query alone: conversation and recipient-view escalations, no sender
    cases (see :func:`sender_stage`)."""
    staged = conversation_stage(spark, messages, policy, watermark_delay, ttl_ms, contacts=False)
    return _escalation_columns(staged.where(F.col("kind") == "escalation"))


def sender_stage(spark: SparkSession, staged: DataFrame, policy: PolicySpec, ttl_ms: Optional[int] = None) -> DataFrame:
    """The sender query's frame of escalation rows from a streaming frame of :data:`STAGE_SCHEMA`
    rows (the conversation query's staging output, read back): the escalation rows as they are,
    and the sender escalations the case contacts raise, with each sender's case in the state
    store."""
    ttl = int(ttl_ms if ttl_ms is not None else policy.idle_ttl_ms)
    spec_bc = spark.sparkContext.broadcast(policy)
    # The conversation query's watermark (0, or unset, in its first micro-batch) plus one
    # millisecond, with a delay of one: rows of the micro-batch this query saw last are never late.
    stage_time = F.timestamp_millis(F.greatest(F.col("stage_watermark_ms"), F.lit(0)) + F.lit(1))
    timed = staged.withColumn("stage_time", stage_time).withWatermark("stage_time", "1 millisecond")
    passed = timed.where(F.col("kind") == "escalation").select(*ESCALATION_FIELDS)
    cases = (
        timed.where((F.col("kind") == "contact") & F.col("sender_id").isNotNull())
        .select("sender_id", "conversation_id", "message_id", "ts_ms", "contact_json", "stage_time")
        .groupBy("sender_id")
        .applyInPandasWithState(
            _sender_step(spec_bc, ttl),
            outputStructType=ESCALATION_SCHEMA,
            stateStructType=SENDER_STATE_SCHEMA,
            outputMode="append",
            timeoutConf=GroupStateTimeout.EventTimeTimeout,
        )
    )
    return _escalation_columns(passed.unionByName(cases))


class VigilStream:
    """The running streaming job: the conversation query and, when the policy enables
    ``[senders]``, the sender query reading its staging output. ``recentProgress`` and
    ``lastProgress`` are the conversation query's (the one reading the input); ``output`` is the
    query writing ``--output``.

    With ``available_now`` the sender query starts when the conversation query has processed what
    was there (in :meth:`awaitTermination`), so it sees all of it; otherwise both run together."""

    def __init__(self, conversations: StreamingQuery, start_senders: Optional[Callable[[], StreamingQuery]], deferred: bool):
        self.conversations = conversations
        self.senders: Optional[StreamingQuery] = None
        self._start_senders = start_senders
        if start_senders is not None and not deferred:
            self.senders = start_senders()
            self._start_senders = None

    @property
    def queries(self) -> List[StreamingQuery]:
        """The queries started so far, the conversation query first."""
        return [self.conversations] + ([self.senders] if self.senders is not None else [])

    @property
    def output(self) -> Optional[StreamingQuery]:
        """The query that writes ``--output`` (``None`` while it waits for its start)."""
        return self.conversations if self._start_senders is None and self.senders is None else self.senders

    @property
    def recentProgress(self):  # noqa: N802 - StreamingQuery's name
        return self.conversations.recentProgress

    @property
    def lastProgress(self):  # noqa: N802 - StreamingQuery's name
        return self.conversations.lastProgress

    @property
    def isActive(self) -> bool:  # noqa: N802 - StreamingQuery's name
        return any(q.isActive for q in self.queries) or (self._start_senders is not None and self.conversations.exception() is None)

    def exception(self):
        """The first failed query's exception, else ``None``."""
        for q in self.queries:
            e = q.exception()
            if e is not None:
                return e
        return None

    def stop(self) -> None:
        """Stops the queries (the sender query will not start any more)."""
        self._start_senders = None
        for q in self.queries:
            q.stop()

    def awaitTermination(self, timeout: Optional[float] = None) -> Optional[bool]:  # noqa: N802 - StreamingQuery's name
        """Waits until every query ended (``timeout`` seconds at most: then returns ``False``);
        raises a failed query's exception, after stopping the other. With ``available_now``, starts
        the sender query once the conversation query is done."""
        deadline = None if timeout is None else time.monotonic() + timeout

        def left() -> Optional[float]:
            return None if deadline is None else max(0.0, deadline - time.monotonic())

        while True:
            for q in self.queries:
                if not q.isActive and q.exception() is not None:
                    self.stop()
                    raise q.exception()
            if self._start_senders is not None and not self.conversations.isActive:
                self.senders = self._start_senders()
                self._start_senders = None
            active = [q for q in self.queries if q.isActive]
            if not active and self._start_senders is None:
                return True
            remaining = left()
            if remaining is not None and remaining <= 0:
                return False
            wait = 1.0 if remaining is None else min(1.0, remaining)
            try:
                active[0].awaitTermination(wait) if active else time.sleep(0.1)
            except Exception:  # a failure: raised by the loop above, after stopping the rest
                pass


def _mkdirs(spark: SparkSession, path: str) -> None:
    """Creates a directory (any Hadoop file system) if it is missing."""
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    fs.mkdirs(hpath)


def _exists(spark: SparkSession, path: str) -> bool:
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    return bool(hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).exists(hpath))


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
) -> VigilStream:
    """Starts the job: messages from files in ``input_dir``, escalation rows appended as Parquet
    to ``output`` (a file sink; read it back with ``spark.read.parquet(output)``), state and
    progress in ``checkpoint``. ``available_now`` processes what is there (in micro-batches of
    ``max_files_per_trigger`` files) and stops; otherwise the queries run until stopped, with a
    micro-batch every ``trigger_interval`` (default: as soon as the previous one ends).

    Without ``[senders]`` in the policy, one query with its checkpoint in ``checkpoint``. With
    them, two: the conversation query (checkpoint ``checkpoint/conversations``) writes escalation
    rows and case contacts to ``checkpoint/stage1-out``; the sender query (checkpoint
    ``checkpoint/senders``) reads them back, builds the sender cases and writes ``output``. A
    checkpoint of the one-query layout cannot be reused with sender cases (``ValueError``)."""
    messages = read_message_stream(spark, input_dir, fmt, max_files_per_trigger)

    def trigger(writer, name: Optional[str]):
        if name:
            writer = writer.queryName(name)
        if available_now:
            return writer.trigger(availableNow=True)
        if trigger_interval:
            return writer.trigger(processingTime=trigger_interval)
        return writer

    if not policy.senders:
        rows = escalation_stream(spark, messages, policy, watermark_delay)
        writer = rows.writeStream.format("parquet").option("path", output).option("checkpointLocation", checkpoint).outputMode("append")
        return VigilStream(trigger(writer, query_name).start(), None, available_now)

    base = checkpoint.rstrip("/")
    if _exists(spark, f"{base}/offsets"):
        raise ValueError(
            f"{checkpoint} is the checkpoint of a job without sender cases (one query); the policy enables "
            "[senders], which needs two queries: start with a new checkpoint and a new output directory"
        )
    staging = f"{base}/{STAGING_OUTPUT}"
    _mkdirs(spark, staging)
    staged = conversation_stage(spark, messages, policy, watermark_delay, contacts=True)
    stage_writer = (
        staged.writeStream.format("parquet")
        .option("path", staging)
        .option("checkpointLocation", f"{base}/{CONVERSATIONS_CHECKPOINT}")
        .outputMode("append")
    )
    conversations = trigger(stage_writer, f"{query_name}-conversations" if query_name else None).start()
    # The staging sink writes at most one file per shuffle partition per micro-batch: read about
    # max_files_per_trigger micro-batches' worth at a time.
    per_batch = int(spark.conf.get("spark.sql.shuffle.partitions"))

    def start_senders() -> StreamingQuery:
        staged_back = spark.readStream.schema(STAGE_SCHEMA).option("maxFilesPerTrigger", max_files_per_trigger * per_batch).parquet(staging)
        rows = sender_stage(spark, staged_back, policy)
        writer = (
            rows.writeStream.format("parquet")
            .option("path", output)
            .option("checkpointLocation", f"{base}/{SENDERS_CHECKPOINT}")
            .outputMode("append")
        )
        return trigger(writer, query_name).start()

    return VigilStream(conversations, start_senders, deferred=available_now)
