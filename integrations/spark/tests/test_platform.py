"""The platform's own vocabulary and shapes, as the core reads them: the golden vector of
platform-style messages through the backtest and the stream, timestamps ordered as the core reads
them, and lines with invalid UTF-8 read with U+FFFD."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import vigil
from pyspark.sql import functions as F

from vigil_spark.backtest import format_summary, run_backtest
from vigil_spark.messages import jsonl_messages, parquet_messages, ts_millis
from vigil_spark.policy import load_policy
from vigil_spark.stream import start_stream

from conftest import PLATFORM, core_ts, fresh_dir, read_escalation_json, run_vigil, vector_lines

#: Timestamps as platforms write them, every one read by the core (`vigil.parse_timestamp`).
TIMESTAMPS = [
    "2026-11-01T18:04:05Z",
    "2026-11-01T19:04:05.250+01:00",
    "2026-11-01t18:04:05.123456789z",
    "2026-11-01 18:04:05Z",
    "2026-03-20 22:00:00+02:00",
    "1793556245",
    " 1793556245 ",
    "1793556245000",
    "1793556245250000",
    "1793556245250000000",
    "1793556245.25",
    "1793556245.0005",
    "1793556245250.4",
    "1774040400.5",
    "0",
    "-86400",
    "99999999999",
    "100000000000",
    "99999999999999",
    "100000000000000",
    "99999999999999999",
    "100000000000000000",
    "-1793556245999999",
]


def test_ts_millis_reads_timestamps_as_the_core_does(spark):
    """The order and the watermark run on the core's reading of every timestamp it accepts: epoch
    numbers by magnitude, fractions rounded, RFC 3339 with a space or an offset."""
    df = spark.createDataFrame([(t,) for t in TIMESTAMPS], "raw string")
    got = {r["raw"]: r["ms"] for r in df.select("raw", ts_millis(F.col("raw")).alias("ms")).collect()}
    want = {t: vigil.parse_timestamp(t) for t in TIMESTAMPS}
    assert got == want
    # What the core rejects is never a number of milliseconds here either.
    rejected = ["soon", "", "12:00", "2026-11-01", "2026-11-01T18:04:05", "2026-11-01T18:04Z", "1.2.3", "NaN"]
    for t in rejected:
        try:
            vigil.parse_timestamp(t)
            raise AssertionError(f"the core reads {t!r}")
        except vigil.VigilError.Timestamp:
            pass
    bad = spark.createDataFrame([(t,) for t in rejected], "raw string")
    assert [r[0] for r in bad.select(ts_millis(F.col("raw"))).collect()] == [None] * len(rejected)


def test_platform_lines_keep_their_key_and_time(spark):
    """Integer conversation ids and epoch timestamps of every unit: the frame's key and time are
    the core's (a JSON number in exponent form too, which json_tuple hands over as text)."""
    exponent = vector_lines(PLATFORM)[0].replace('"timestamp": 1774029600', '"timestamp": 1.7740296005e9')
    lines = vector_lines(PLATFORM) + [exponent]
    assert core_ts(exponent) == core_ts(lines[0]) + 500
    frame = jsonl_messages(spark.createDataFrame([(l,) for l in lines], "value string")).collect()
    assert [r["ts_ms"] for r in frame] == [core_ts(l) for l in lines]
    assert [r["conversation_id"] for r in frame] == [vigil.parse_message(l).conversation_id for l in lines]
    assert [r["json"] for r in frame] == lines, "lines are handed to the core verbatim"
    assert not any(r["invalid_utf8"] for r in frame)


def test_parquet_numeric_timestamps_in_seconds(spark):
    """A Parquet log whose timestamps are epoch seconds (a long column) and whose ids are integers:
    the core reads the seconds by magnitude, and the job orders by the same milliseconds."""
    lines = vector_lines(PLATFORM)
    rows = [
        (4004, i, core_ts(l) // 1000, 9001, vigil.parse_message(l).channel, vigil.parse_message(l).text)
        for i, l in enumerate(lines, start=1)
    ]
    df = spark.createDataFrame(rows, "conversation_id long, message_id long, timestamp long, sender_id long, channel string, text string")
    frame = parquet_messages(df).collect()
    assert [r["ts_ms"] for r in frame] == [core_ts(l) // 1000 * 1000 for l in lines]
    for r in frame:
        m = vigil.parse_message(r["json"])
        assert (m.conversation_id, m.sender.id, m.timestamp_ms) == ("4004", "9001", r["ts_ms"])


def test_backtest_of_the_platform_vector_equals_vigil_scan(spark, workdir):
    """The platform vector (its conversations are in time order) through the backtest: every
    escalation document of `vigil scan`, byte for byte, platform words included."""
    out = workdir / "backtest-platform"
    summary = run_backtest(spark, [str(PLATFORM)], str(out), load_policy())
    scan = run_vigil("scan", "--quiet", str(PLATFORM))
    assert scan.returncode == 0, scan.stderr
    want = sorted(l for l in scan.stdout.splitlines() if l.strip())
    assert want, "the platform vector escalates"
    assert read_escalation_json(spark, out / "escalations") == want
    assert summary["messages"] == len(vector_lines(PLATFORM)) and summary["malformed"] == 0
    rows = spark.read.parquet(str(out / "escalations")).collect()
    words = {(r["channel"], r["channel_word"], r["relationship"], r["relationship_word"]) for r in rows}
    assert ("public", "Lobby", "stranger", "none") in words
    assert ("unknown", "hologram", "unknown", "nemesis") in words, "unmapped words are kept"
    for r in rows:
        platform = json.loads(r["escalation_json"]).get("platform", {})
        assert r["channel_word"] == platform.get("channel", {}).get("word")
        assert r["relationship_word"] == platform.get("relationship", {}).get("word")


def test_stream_of_the_platform_vector_equals_the_backtest(spark, workdir):
    """Two arrivals of platform-style messages, epoch seconds and microseconds mixed: the event
    time is the core's, so watermark and state carry over and the stream gives the batch job's
    escalations."""
    src = fresh_dir(workdir / "platform-stream-in")
    lines = vector_lines(PLATFORM)
    half = len(lines) // 2
    base = time.time() - 60
    for i, part in enumerate([lines[:half], lines[half:]]):
        p = src / f"arrival-{i}.jsonl"
        p.write_text("\n".join(part) + "\n", encoding="utf-8")
        os.utime(p, (base + i, base + i))
    out, ckpt = workdir / "platform-stream-out", workdir / "platform-stream-ckpt"
    q = start_stream(spark, str(src), str(out), str(ckpt), load_policy(), max_files_per_trigger=1, available_now=True)
    q.awaitTermination(600)
    assert q.exception() is None
    batches = [p for p in q.recentProgress if p["numInputRows"] > 0]
    assert len(batches) == 2
    assert sum(p["numInputRows"] for p in batches) == len(lines)
    batch_out = workdir / "platform-stream-batch"
    run_backtest(spark, [str(PLATFORM)], str(batch_out), load_policy())
    assert read_escalation_json(spark, out) == read_escalation_json(spark, batch_out / "escalations")


def _invalid_utf8_log(path: Path) -> bytes:
    """A synthetic log: valid lines, lines with bytes that are not UTF-8 inside the text (a lone
    continuation byte, a truncated sequence, an encoded surrogate, Latin-1), and one with a bad
    byte outside any string (malformed JSON once read)."""

    def line(mid: int, text: bytes, ts: int) -> bytes:
        head = (
            '{"conversation_id": "u-1", "message_id": "m-%d", "timestamp": %d, "sender": {"id": "a", "age_band": "adult"}, '
            '"recipient": {"id": "b", "age_band": "minor"}, "channel": "dm", "relationship": "stranger", "text": "' % (mid, ts)
        ).encode()
        return head + text + b'"}'

    t = 1_793_556_245
    data = b"\n".join(
        [
            line(1, b"hey \x80 how old are you?", t),
            line(2, b"caf\xe9 later? dont tell your parents", t + 60),
            line(3, "cool 👍".encode(), t + 120),
            line(4, b"add me on snap \xe2\x82 its more private", t + 180),
            line(5, b"\xed\xa0\x80 send a pic", t + 240),
            b'{"conversation_id": "u-1", \xff "message_id": "m-6"}',
            line(7, b"ok", t + 300),
        ]
    ) + b"\n"
    path.write_bytes(data)
    return data


def test_invalid_utf8_is_read_with_replacement_characters_and_counted(spark, workdir, capsys):
    """Lines with invalid UTF-8 do not stop the backtest: the bad bytes are read as U+FFFD (as the
    core's JSON Lines reader will), such lines are counted, and the result is `vigil scan`'s on the
    same lines decoded with replacement (Python's `errors="replace"`, the same rule)."""
    raw = workdir / "invalid-utf8.jsonl"
    data = _invalid_utf8_log(raw)
    repaired = workdir / "invalid-utf8.repaired.jsonl"
    repaired.write_text(data.decode("utf-8", errors="replace"), encoding="utf-8")

    # Spark's replacement is Python's (and Rust's `from_utf8_lossy`), line by line.
    frame = jsonl_messages(spark.read.text(str(raw))).collect()
    assert [r["json"] for r in frame] == [l for l in repaired.read_text(encoding="utf-8").splitlines() if l.strip()]
    assert [r["invalid_utf8"] for r in frame] == [True, True, False, True, True, True, False]

    out = workdir / "backtest-invalid-utf8"
    summary = run_backtest(spark, [str(raw)], str(out), load_policy())
    assert summary["messages"] == 7
    assert summary["invalid_utf8"] == 5
    assert summary["malformed"] == 1, "the line with a bad byte outside any string is not JSON"
    assert "5 lines held invalid UTF-8" in format_summary(summary)
    bad = spark.read.parquet(str(out / "malformed")).collect()
    assert len(bad) == 1 and "\ufffd" in bad[0]["line"]

    scan = run_vigil("scan", "--quiet", str(repaired))
    assert scan.returncode == 1, scan.stderr  # the one malformed line
    want = sorted(l for l in scan.stdout.splitlines() if l.strip())
    assert want, "the log escalates"
    assert read_escalation_json(spark, out / "escalations") == want
    # Spans are byte offsets into the text as read, U+FFFD included (3 bytes each).
    texts = {m.message_id: m.text for m in (vigil.parse_message(l) for l in repaired.read_text(encoding="utf-8").splitlines()[:5])}
    evidence = [e for l in want for e in json.loads(l)["evidence"]]
    assert {e["message_id"] for e in evidence} >= {"m-1", "m-2"}
    for e in evidence:
        quoted = texts[e["message_id"]].encode("utf-8")[e["span"]["start"] : e["span"]["end"]].decode("utf-8")
        assert quoted == e["excerpt"], e
