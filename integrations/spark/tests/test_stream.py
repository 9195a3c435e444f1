"""The streaming job: micro-batches over the corpus give the batch job's escalations, and a
restart from the checkpoint loses and doubles nothing (the shipped packs enable sender cases, so
the job runs its two queries: see test_senders.py for sender cases themselves)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import List

import pytest

from vigil_spark.policy import load_policy
from vigil_spark.stream import start_stream

from conftest import corpus_lines, fresh_dir, read_escalation_json, time_ordered

FILES = 6


def write_arrivals(directory: Path) -> List[Path]:
    """The corpus as a live feed would deliver it: time-ordered, cut into FILES files whose
    modification times follow that order (the file source takes files oldest first)."""
    lines = time_ordered(corpus_lines())
    fresh_dir(directory)
    size = -(-len(lines) // FILES)
    paths = []
    base = time.time() - 3600
    for i in range(FILES):
        p = directory / f"arrival-{i:02d}.jsonl"
        p.write_text("\n".join(lines[i * size : (i + 1) * size]) + "\n", encoding="utf-8")
        os.utime(p, (base + i, base + i))
        paths.append(p)
    return paths


def test_stream_equals_batch(spark, workdir, backtest_corpus, scan_reference):
    src = workdir / "stream-in"
    write_arrivals(src)
    out, ckpt = workdir / "stream-out", workdir / "stream-ckpt"
    q = start_stream(spark, str(src), str(out), str(ckpt), load_policy(), max_files_per_trigger=1, available_now=True)
    q.awaitTermination(600)
    assert q.exception() is None
    batches = [p for p in q.recentProgress if p["numInputRows"] > 0]
    assert len(batches) == FILES, "one micro-batch per file"
    got = read_escalation_json(spark, out)
    assert got == read_escalation_json(spark, backtest_corpus["out"] / "escalations")
    assert got == sorted(scan_reference)
    # The corpus spans months: conversations idle for longer than the policy's 30 days timed out
    # of the state store as the watermark moved on.
    state = q.lastProgress["stateOperators"][0]
    conversations = len({r for r in (l.split('"conversation_id": "')[1].split('"')[0] for l in corpus_lines())})
    assert 0 < state["numRowsTotal"] < conversations
    # So did the senders' cases, kept by the sender query from the case contacts of the staging
    # output (the shipped packs enable [senders]).
    staged = spark.read.parquet(str(ckpt / "stage1-out"))
    senders = staged.where(staged.kind == "contact").select("sender_id").distinct().count()
    sender_state = q.senders.lastProgress["stateOperators"][0]
    assert 0 < sender_state["numRowsTotal"] < senders


def _wait_for_batches(job, n: int, timeout: float = 300.0) -> None:
    """Waits until the conversation query has run ``n`` micro-batches and the query writing the
    output has written something."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if job.exception() is not None:
            raise job.exception()
        progress = job.lastProgress
        written = job.output is not None and any(p["numInputRows"] > 0 for p in job.output.recentProgress)
        if progress is not None and progress["batchId"] >= n - 1 and written:
            return
        time.sleep(0.2)
    pytest.fail(f"no {n} micro-batches within {timeout} s")


def test_stream_restart_from_checkpoint(spark, workdir, backtest_corpus):
    """Stop the job after two micro-batches of the conversation query (possibly in the middle of
    the third, and of a micro-batch of the sender query, which the shipped packs enable), start it
    again on the same checkpoint: the output is exactly the batch job's, nothing lost or
    doubled."""
    src = workdir / "restart-in"
    write_arrivals(src)
    out, ckpt = workdir / "restart-out", workdir / "restart-ckpt"
    policy = load_policy()
    first = start_stream(spark, str(src), str(out), str(ckpt), policy, max_files_per_trigger=1)
    _wait_for_batches(first, 2)
    first.stop()
    partial = read_escalation_json(spark, out)
    expected = read_escalation_json(spark, backtest_corpus["out"] / "escalations")
    assert 0 < len(partial) < len(expected), "stopped mid-way"

    second = start_stream(spark, str(src), str(out), str(ckpt), policy, max_files_per_trigger=1, available_now=True)
    second.awaitTermination(600)
    assert second.exception() is None
    assert second.recentProgress[0]["batchId"] > 0, "resumed from the checkpoint"
    assert second.senders.recentProgress[0]["batchId"] > 0, "the sender query too"
    assert read_escalation_json(spark, out) == expected
