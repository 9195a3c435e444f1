"""Reading messages into the frame every job works on: one row per message with

* ``conversation_id`` (string): the partitioning and state key;
* ``message_id`` (string): the tie-breaker of the streaming job's order;
* ``ts_ms`` (long): the message's time in milliseconds since the Unix epoch, for ordering and the
  streaming watermark;
* ``json`` (string): the message as one JSON document, exactly what ``vigil scan`` reads. The core
  parses it (``Tracker.observe_json_escalation``), so the message schema is the core's own
  (``core/src/message.rs``).

JSON Lines input is kept verbatim (each line is handed to the core as it is). Parquet input is
mapped onto the core's JSON fields, see :func:`parquet_messages`.
"""

from __future__ import annotations

import os
from typing import Iterable, List

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

#: The frame's columns, in order.
MESSAGE_COLUMNS = ["conversation_id", "message_id", "ts_ms", "json"]


def ts_millis(raw: Column) -> Column:
    """Milliseconds since the epoch of a timestamp as the JSON carries it: an integer (already
    milliseconds) or RFC 3339 text. Spark parses the text (``try_cast`` to timestamp, session time
    zone UTC); the result orders messages and drives the watermark only — the core parses the
    timestamp again itself for scoring. Unparseable values give null."""
    return F.when(raw.rlike(r"^\s*-?[0-9]+\s*$"), F.trim(raw).cast("long")).otherwise(
        F.unix_millis(raw.try_cast("timestamp"))
    )


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


def jsonl_messages(lines: DataFrame) -> DataFrame:
    """Messages from a frame of text lines (column ``value``): blank lines are skipped (as
    ``vigil scan`` does); every other line is kept verbatim as ``json``. A line whose
    ``conversation_id`` cannot be read gets a null key; the core then reports it as malformed."""
    df = lines.where(F.trim(F.col("value")) != "")
    parts = F.json_tuple(F.col("value"), "conversation_id", "message_id", "timestamp")
    df = df.select(F.col("value").alias("json"), parts.alias("cid", "mid", "ts_raw"))
    return df.select(
        F.col("cid").alias("conversation_id"),
        F.col("mid").alias("message_id"),
        ts_millis(F.col("ts_raw")).alias("ts_ms"),
        F.col("json"),
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
    ``conversation_id``           string, required
    ``message_id``                string, required
    ``timestamp``                 timestamp (UTC), long (milliseconds since the epoch) or string
                                  (RFC 3339)
    ``sender``                    struct ``<id, age_band, age, account_age_days>`` — or flat
                                  columns ``sender_id``, ``sender_age_band``, ``sender_age``,
                                  ``sender_account_age_days``
    ``recipient``                 the same shape (``recipient_*`` when flat); null in group and
                                  public channels
    ``channel``, ``relationship`` string (``direct|group|public|unknown``,
                                  ``stranger|contact|family|unknown``); null → the core's default
    ``text``                      string, required
    ============================  ================================================================

    A Parquet file written by ``spark.read.json(corpus).write.parquet(...)`` has exactly this shape.
    """
    fields = {f.name: f.dataType for f in df.schema.fields}
    ts_type = fields.get("timestamp")
    if isinstance(ts_type, (T.TimestampType, T.TimestampNTZType)):
        ts_json = F.unix_millis(F.col("timestamp"))
        ts_ms = ts_json
    elif isinstance(ts_type, (T.LongType, T.IntegerType, T.ShortType)):
        ts_json = F.col("timestamp").cast("long")
        ts_ms = ts_json
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
    return df.select(
        F.col("conversation_id").cast("string").alias("conversation_id"),
        F.col("message_id").cast("string").alias("message_id"),
        ts_ms.alias("ts_ms"),
        F.to_json(F.struct(*parts)).alias("json"),
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
