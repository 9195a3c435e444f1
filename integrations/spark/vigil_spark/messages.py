"""Reading messages into the frame every job works on: one row per message with

* ``conversation_id`` (string): the partitioning and state key;
* ``message_id`` (string): the tie-breaker of the streaming job's order;
* ``ts_ms`` (long): the message's time in milliseconds since the Unix epoch, for ordering and the
  streaming watermark;
* ``json`` (string): the message as one JSON document, exactly what ``vigil scan`` reads. The core
  parses it (``Tracker.observe_json_escalations``), so the message schema is the core's own
  (``core/src/message.rs``), read as leniently as the core reads it: the platform's own channel and
  relationship words, integer ids, ages as digits, epoch timestamps;
* ``invalid_utf8`` (boolean): the line held bytes that are not UTF-8, which were read as U+FFFD
  (the core's JSON Lines reader does the same, and the backtest counts such lines).

JSON Lines input is kept verbatim (each line is handed to the core as it is, invalid UTF-8
replaced). Parquet input is mapped onto the core's JSON fields, see :func:`parquet_messages`.
"""

from __future__ import annotations

import os
from typing import Iterable, List

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

#: The frame's columns, in order.
MESSAGE_COLUMNS = ["conversation_id", "message_id", "ts_ms", "json", "invalid_utf8"]

# Epoch numbers from these magnitudes on count milliseconds, microseconds, nanoseconds (the core's
# `Timestamp::from_epoch`: below 10^11 seconds, below 10^14 milliseconds, below 10^17
# microseconds, else nanoseconds).
_EPOCH_MS_FROM = 10**11
_EPOCH_US_FROM = 10**14
_EPOCH_NS_FROM = 10**17
# Milliseconds an i64 holds (the core's range); a number beyond it is an error in the core.
_MS_LIMIT = 9.2e18
# RFC 3339 date-time (a space may stand for the `T`, as in the core's `Timestamp::parse`).
_RFC3339 = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"


def ts_millis(raw: Column) -> Column:
    """Milliseconds since the epoch of a timestamp as the message's JSON carries it (its text, as
    ``json_tuple`` gives it, or a column cast to string), read as the core reads it
    (``Timestamp::parse``, ``vigil.parse_timestamp``): an integer is epoch seconds,
    milliseconds, microseconds or nanoseconds by magnitude (below 10^11 seconds, below 10^14
    milliseconds, below 10^17 microseconds, else nanoseconds); a number with a fraction or an
    exponent the same, rounded to the millisecond; else RFC 3339 text (a space for the ``T``
    allowed), which Spark parses (``try_cast`` to timestamp); anything else is null.

    The result orders messages and drives the streaming watermark only — the core parses the
    timestamp again itself for scoring. It equals the core's for every timestamp the core
    accepts (the tests check it), and is null for what the core rejects, but for a few numbers
    the core reads only as JSON numbers (an exponent) or not at all (``1.5d``): a message the core
    rejects is reported wherever it sits."""
    t = F.trim(raw)
    # Integers: exact, in decimal (an i128 in the core). Each branch is evaluated only when its
    # condition holds, and none overflows a long.
    n = t.try_cast("decimal(38,0)")
    a = F.abs(n)
    from_int = (
        F.when(a < _EPOCH_MS_FROM, (n * 1000).cast("long"))
        .when(a < _EPOCH_US_FROM, n.cast("long"))
        .when(a < _EPOCH_NS_FROM, _int_div(n, 1000))
        .when(a < _MS_LIMIT * 1_000_000, _int_div(n, 1_000_000))
    )
    # A fraction or an exponent (`1774040400.5`; `1.7740404005E9` is how json_tuple writes a JSON
    # number with a fraction): the core's `Timestamp::from_epoch_f64`, rounded to the millisecond.
    x = t.try_cast("double")
    ax = F.abs(x)
    scaled = (
        F.when(ax < float(_EPOCH_MS_FROM), x * 1000.0)
        .when(ax < float(_EPOCH_US_FROM), x)
        .when(ax < float(_EPOCH_NS_FROM), x / 1000.0)
        .otherwise(x / 1_000_000.0)
    )
    from_float = F.when(F.abs(scaled) < _MS_LIMIT, F.round(scaled).cast("long"))
    # RFC 3339 only, as the core reads it: Spark's cast alone also takes a date, or a time of day
    # (today's date!), which would move the stream's watermark for a message the core rejects.
    return (
        F.when(t.rlike(r"^[+-]?[0-9]+$"), from_int)
        .when(x.isNotNull(), from_float)
        .when(t.rlike(_RFC3339), F.unix_millis(F.upper(t).try_cast("timestamp")))
    )


def _int_div(n: Column, d: int) -> Column:
    """``n / d`` truncated toward zero (Rust's integer division), as a long."""
    q = n / d
    return F.when(n >= 0, F.floor(q)).otherwise(F.ceil(q)).cast("long")


def detect_format(paths: Iterable[str]) -> str:
    """``parquet`` when every path ends in ``.parquet`` or is a directory holding ``*.parquet``
    files, else ``jsonl``."""
    paths = list(paths)

    def is_parquet(p: str) -> bool:
        if p.endswith(".parquet"):
            return True
        if os.path.isdir(p):
            names = os.listdir(p)
            return any(n.endswith(".parquet") for n in names) and not any(
                n.endswith((".jsonl", ".json")) for n in names
            )
        return False

    return "parquet" if paths and all(is_parquet(p) for p in paths) else "jsonl"


def valid_utf8(text: Column) -> Column:
    """The text with every invalid UTF-8 sequence replaced by U+FFFD, one per maximal invalid
    subpart (Unicode's recommended practice: Rust's ``String::from_utf8_lossy``, Python's
    ``errors="replace"``; the tests check Spark's ``make_valid_utf8`` gives the same)."""
    return F.make_valid_utf8(text)


def jsonl_messages(lines: DataFrame) -> DataFrame:
    """Messages from a frame of text lines (column ``value``): blank lines are skipped (as
    ``vigil scan`` does); every other line is kept verbatim as ``json``, except that bytes that
    are not UTF-8 (Spark's text source does not check) are read as U+FFFD, as the core's JSON Lines
    reader reads them, and the line is flagged ``invalid_utf8``. A line whose ``conversation_id``
    cannot be read gets a null key; the core then reports it as malformed."""
    df = lines.where(F.trim(F.col("value")) != "").select(
        valid_utf8(F.col("value")).alias("value"), (~F.is_valid_utf8(F.col("value"))).alias("invalid_utf8")
    )
    parts = F.json_tuple(F.col("value"), "conversation_id", "message_id", "timestamp")
    df = df.select(F.col("value").alias("json"), "invalid_utf8", parts.alias("cid", "mid", "ts_raw"))
    return df.select(
        F.col("cid").alias("conversation_id"),
        F.col("mid").alias("message_id"),
        ts_millis(F.col("ts_raw")).alias("ts_ms"),
        F.col("json"),
        F.col("invalid_utf8"),
    )


_PARTICIPANT_FIELDS = ["id", "age_band", "age", "account_age_days"]


def _participant(df: DataFrame, prefix: str) -> Column:
    """The ``sender``/``recipient`` object: a struct column of that name, or flat columns
    ``{prefix}_id``, ``{prefix}_age_band``, ``{prefix}_age``, ``{prefix}_account_age_days``. Null
    (left out of the JSON) when there is no id."""
    fields = {f.name: f.dataType for f in df.schema.fields}
    if prefix in fields and isinstance(fields[prefix], T.StructType):
        sub = {f.name for f in fields[prefix].fields}
        parts = [F.col(prefix)[n].alias(n) for n in _PARTICIPANT_FIELDS if n in sub]
        return F.when(F.col(prefix).isNull() | F.col(prefix)["id"].isNull(), F.lit(None)).otherwise(F.struct(*parts))
    idcol = f"{prefix}_id"
    if idcol not in fields:
        return F.lit(None).cast("struct<id:string>")
    parts = [F.col(f"{prefix}_{n}").alias(n) for n in _PARTICIPANT_FIELDS if f"{prefix}_{n}" in fields]
    return F.when(F.col(idcol).isNull(), F.lit(None)).otherwise(F.struct(*parts))


def parquet_messages(df: DataFrame) -> DataFrame:
    """Messages from a Parquet frame. Column mapping (names as in the core's JSON; other columns
    are ignored):

    ============================  ================================================================
    ``conversation_id``           string (or integer), required
    ``message_id``                string (or integer), required
    ``timestamp``                 timestamp (UTC); a number of epoch seconds, milliseconds,
                                  microseconds or nanoseconds (by magnitude, as the core reads
                                  it); or a string (RFC 3339 text or epoch digits)
    ``sender``                    struct ``<id, age_band, age, account_age_days>`` — or flat
                                  columns ``sender_id``, ``sender_age_band``, ``sender_age``,
                                  ``sender_account_age_days``
    ``recipient``                 the same shape (``recipient_*`` when flat); null in group and
                                  public channels
    ``channel``, ``relationship`` string: the platform's own word (``dm``, ``lobby``, ``friend``)
                                  or a kind's name (``direct|group|public|unknown``,
                                  ``stranger|contact|family|unknown``), mapped by the policy's
                                  ``[metadata]`` tables; null → not given
    ``text``                      string, required
    ============================  ================================================================

    Participant ids may be integers and ages strings of digits: the core reads them. A Parquet file
    written by ``spark.read.json(corpus).write.parquet(...)`` has exactly this shape. Strings that
    are not valid UTF-8 are read with U+FFFD, as in JSON Lines.
    """
    fields = {f.name: f.dataType for f in df.schema.fields}
    ts_type = fields.get("timestamp")
    if isinstance(ts_type, (T.TimestampType, T.TimestampNTZType)):
        ts_json = F.unix_millis(F.col("timestamp"))
        ts_ms = ts_json
    elif isinstance(ts_type, T.NumericType):
        # The number as it is: the core reads it by magnitude, and so does ts_millis.
        ts_json = F.col("timestamp")
        ts_ms = ts_millis(F.col("timestamp").cast("string"))
    else:
        ts_json = F.col("timestamp").cast("string")
        ts_ms = ts_millis(ts_json)
    parts = [
        F.col("conversation_id").cast("string").alias("conversation_id"),
        F.col("message_id").cast("string").alias("message_id"),
        ts_json.alias("timestamp"),
        _participant(df, "sender").alias("sender"),
        _participant(df, "recipient").alias("recipient"),
    ]
    for name in ("channel", "relationship"):
        if name in fields:
            parts.append(F.col(name).cast("string").alias(name))
    parts.append(F.col("text").cast("string").alias("text"))
    json = F.to_json(F.struct(*parts))
    return df.select(
        F.col("conversation_id").cast("string").alias("conversation_id"),
        F.col("message_id").cast("string").alias("message_id"),
        ts_ms.alias("ts_ms"),
        valid_utf8(json).alias("json"),
        (~F.is_valid_utf8(json)).alias("invalid_utf8"),
    )


def read_messages(spark: SparkSession, paths: List[str], fmt: str = "auto") -> DataFrame:
    """Reads JSON Lines files (``fmt="jsonl"``) or Parquet (``fmt="parquet"``; ``auto`` decides
    by :func:`detect_format`) into the message frame (:data:`MESSAGE_COLUMNS`)."""
    if fmt == "auto":
        fmt = detect_format(paths)
    if fmt == "jsonl":
        return jsonl_messages(spark.read.text(paths))
    if fmt == "parquet":
        return parquet_messages(spark.read.parquet(*paths))
    raise ValueError(f"unknown input format {fmt!r} (jsonl, parquet or auto)")


def read_message_stream(spark: SparkSession, directory: str, fmt: str, max_files_per_trigger: int) -> DataFrame:
    """A streaming message frame over the files arriving in ``directory`` (file source). Parquet
    streams need a schema: it is taken from the files already there."""
    if fmt == "auto":
        fmt = detect_format([directory])
    reader = spark.readStream.option("maxFilesPerTrigger", max_files_per_trigger)
    if fmt == "jsonl":
        return jsonl_messages(reader.format("text").load(directory))
    if fmt == "parquet":
        schema = spark.read.parquet(directory).schema
        return parquet_messages(reader.schema(schema).parquet(directory))
    raise ValueError(f"unknown input format {fmt!r} (jsonl, parquet or auto)")
