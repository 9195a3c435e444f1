"""Sender cases: the backtest's second stage (case contacts replayed per sender) against
`vigil scan`, which holds every conversation in one tracker, and the streaming job's sender
query against the backtest, across micro-batches and a restart.

The backtest scores each conversation apart, so it cannot see the fan-out modifier (a sender's
risky messages to several minors within a day raise each conversation's score): these tests give
both sides the fixture layer `no-fan-out.toml`, which disables it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Dict, List

import pytest

from vigil_spark.backtest import run_backtest
from vigil_spark.policy import load_policy
from vigil_spark.stream import start_stream

from conftest import HERE, VECTORS, fresh_dir, read_escalation_json, run_vigil, time_ordered, vector_lines

NO_FAN_OUT = HERE / "fixtures" / "no-fan-out.toml"
#: Disables sender cases (`[senders] enabled = false`).
NO_SENDERS = HERE / "fixtures" / "no-senders.toml"
#: The golden vector: one adult writing to ten children, a coach writing to six players.
TEN = VECTORS / "senders.input.jsonl"
#: Several senders interleaved: three children and a lobby, two children and an adult, a minor
#: writing to minors (peers), two children ten days apart (past the sender window).
MIXED = HERE / "fixtures" / "senders-mixed.jsonl"


def _log(workdir: Path, name: str, sources: List[Path]) -> Path:
    lines: List[str] = []
    for s in sources:
        lines.extend(vector_lines(s))
    path = workdir / f"{name}.jsonl"
    path.write_text("\n".join(time_ordered(lines)) + "\n", encoding="utf-8")
    return path


def _scan(log: Path) -> List[str]:
    out = run_vigil("scan", "--quiet", "--policy", str(NO_FAN_OUT), str(log))
    assert out.returncode == 0, out.stderr
    return [l for l in out.stdout.splitlines() if l.strip()]


def _scope(doc: str) -> str:
    return json.loads(doc).get("scope", "conversation")


@pytest.fixture(scope="module")
def senders_log(workdir) -> Path:
    """The golden vector and the mixed fixture, as one time-ordered log."""
    return _log(workdir, "senders", [TEN, MIXED])


@pytest.fixture(scope="module")
def senders_backtest(spark, workdir, senders_log) -> Dict[str, object]:
    out = workdir / "backtest-senders"
    summary = run_backtest(spark, [str(senders_log)], str(out), load_policy([str(NO_FAN_OUT)]), partitions=3)
    return {"summary": summary, "out": out}


@pytest.mark.parametrize("sources", [[TEN], [MIXED]], ids=["ten-children", "mixed"])
def test_backtest_sender_cases_equal_vigil_scan(spark, workdir, sources):
    """Each input alone: every escalation, sender cases included, byte for byte `vigil scan`'s."""
    log = _log(workdir, "senders-" + sources[0].stem, sources)
    expected = _scan(log)
    senders = [d for d in expected if _scope(d) == "sender"]
    assert len(senders) >= 2, "the input should raise sender cases"
    out = workdir / ("backtest-" + log.stem)
    run_backtest(spark, [str(log)], str(out), load_policy([str(NO_FAN_OUT)]), partitions=3)
    got = read_escalation_json(spark, out / "escalations")
    assert [d for d in got if _scope(d) == "sender"] == sorted(senders)
    assert got == sorted(expected)


def test_backtest_both_inputs_equal_vigil_scan(spark, senders_backtest, senders_log):
    expected = _scan(senders_log)
    got = read_escalation_json(spark, senders_backtest["out"] / "escalations")
    assert got == sorted(expected)
    docs = [json.loads(d) for d in expected]
    raised_by = {d["participants"]["sender"]["id"] for d in docs if d.get("scope") == "sender"}
    # The adult of the vector, the coach, u-7 and 42 of the fixture: not the minor writing to
    # peers, nor u-9, whose two children are ten days apart (one at a time in the window).
    assert {"u-new", "coach-7", "u-7", "42"} <= raised_by
    assert not raised_by & {"teen-3", "u-9"}


def test_sender_rows_and_summary(spark, senders_backtest, senders_log):
    rows = spark.read.parquet(str(senders_backtest["out"] / "escalations")).collect()
    expected = [json.loads(d) for d in _scan(senders_log)]
    for r in rows:
        doc = json.loads(r["escalation_json"])
        assert r["scope"] == doc.get("scope", "conversation")
        assert r["case"] == doc.get("case")
        assert r["sender_id"] == doc["participants"]["sender"]["id"]
        if r["scope"] == "sender":
            assert r["case"] and r["case"].startswith("sender-")
            assert len(doc["conversations"]) >= 2
    # One case reference per sender, on their conversations' escalations and their own.
    cases: Dict[str, set] = {}
    for r in rows:
        if r["scope"] != "recipient":
            cases.setdefault(r["sender_id"], set()).add(r["case"])
    assert all(len(c) == 1 for c in cases.values())
    s = senders_backtest["summary"]
    scopes = {scope: sum(d.get("scope", "conversation") == scope for d in expected) for scope in ("conversation", "recipient", "sender")}
    assert s["by_scope"] == scopes
    assert s["escalations"] == len(expected)
    assert s["senders_escalated"] == len({d["participants"]["sender"]["id"] for d in expected if d.get("scope") == "sender"})


def test_fan_out_needs_the_sender_stage_in_conversations(spark, workdir):
    """With the shipped packs (fan-out on), `vigil scan` raises the vector's conversations higher
    than the per-conversation stage does: what README.md says about fan-out."""
    log = _log(workdir, "senders-fan-out", [TEN])
    out = run_vigil("scan", "--quiet", str(log))
    assert out.returncode == 0, out.stderr
    scanned = [l for l in out.stdout.splitlines() if l.strip()]
    assert any("fan-out" in json.loads(d).get("modifiers", []) for d in scanned)
    dest = workdir / "backtest-senders-fan-out"
    run_backtest(spark, [str(log)], str(dest), load_policy(), partitions=2)
    got = read_escalation_json(spark, dest / "escalations")
    assert not any("fan-out" in json.loads(d).get("modifiers", []) for d in got)
    assert got != sorted(scanned)


def _arrivals(directory: Path, lines: List[str], files: int) -> List[Path]:
    """``lines`` (time-ordered) cut into ``files`` files whose modification times follow that
    order (the file source takes files oldest first)."""
    size = -(-len(lines) // files)
    base = time.time() - 3600
    paths = []
    for i in range(files):
        p = directory / f"arrival-{i:02d}.jsonl"
        p.write_text("\n".join(lines[i * size : (i + 1) * size]) + "\n", encoding="utf-8")
        os.utime(p, (base + i, base + i))
        paths.append(p)
    return paths


def _senders_of(docs: List[str]) -> Dict[str, List[int]]:
    """The sequence numbers of each sender's case escalations among ``docs``."""
    seqs: Dict[str, List[int]] = {}
    for d in docs:
        doc = json.loads(d)
        if doc.get("scope") == "sender":
            seqs.setdefault(doc["participants"]["sender"]["id"], []).append(doc["sequence"])
    return {k: sorted(v) for k, v in seqs.items()}


def test_stream_equals_batch_with_sender_cases(spark, workdir, senders_backtest, senders_log):
    """The log in four time-ordered files, one per micro-batch of the conversation query: the
    streaming job gives the backtest's escalations (and so `vigil scan`'s), sender cases included,
    with each sender's case carried from one micro-batch of the sender query to the next in the
    state store."""
    src = fresh_dir(workdir / "stream-senders-in")
    files = 4
    _arrivals(src, vector_lines(senders_log), files)
    out, ckpt = workdir / "stream-senders-out", workdir / "stream-senders-ckpt"
    q = start_stream(
        spark, str(src), str(out), str(ckpt), load_policy([str(NO_FAN_OUT)]), max_files_per_trigger=1, available_now=True
    )
    q.awaitTermination(600)
    assert q.exception() is None
    assert q.senders is not None, "the policy enables [senders]: a sender query"
    assert len([p for p in q.recentProgress if p["numInputRows"] > 0]) == files
    sender_batches = [p for p in q.senders.recentProgress if p["numInputRows"] > 0]
    assert len(sender_batches) > 1, "the sender query ran over several micro-batches"
    got = read_escalation_json(spark, out)
    expected = read_escalation_json(spark, senders_backtest["out"] / "escalations")
    assert sum(_scope(d) == "sender" for d in expected) >= 4
    assert got == expected
    assert got == sorted(_scan(senders_log))
    # Every sender with a case escalated holds one state row, none for the others.
    state = q.senders.lastProgress["stateOperators"][0]
    assert state["numRowsTotal"] >= len(_senders_of(expected))


def test_stream_restart_keeps_sender_cases(spark, workdir, senders_backtest, senders_log):
    """The first half of the log arrives, the job runs and stops; the rest arrives, the job starts
    again on the same checkpoint and is stopped wherever it is once it has taken a file; a third
    start finishes: nothing lost or doubled, and sender cases continued from the state store (a
    sender's escalations numbered on from before the first restart)."""
    src = fresh_dir(workdir / "restart-senders-in")
    files = 4
    paths = _arrivals(src, vector_lines(senders_log), files)
    later = fresh_dir(workdir / "restart-senders-later")
    for p in paths[2:]:
        p.rename(later / p.name)
    out, ckpt = workdir / "restart-senders-out", workdir / "restart-senders-ckpt"
    policy = load_policy([str(NO_FAN_OUT)])
    first = start_stream(spark, str(src), str(out), str(ckpt), policy, max_files_per_trigger=1, available_now=True)
    first.awaitTermination(600)
    assert first.exception() is None
    partial = read_escalation_json(spark, out)
    expected = read_escalation_json(spark, senders_backtest["out"] / "escalations")
    before = _senders_of(partial)
    assert before, "sender cases escalated before the restart"
    assert 0 < len(partial) < len(expected)

    for p in paths[2:]:
        moved = later / p.name
        stamp = os.stat(moved).st_mtime
        moved.rename(p)
        os.utime(p, (stamp, stamp))
    # Both queries running side by side, stopped as soon as the conversation query took a file
    # (the sender query anywhere in its work).
    second = start_stream(spark, str(src), str(out), str(ckpt), policy, max_files_per_trigger=1)
    deadline = time.time() + 300
    while not any(p["numInputRows"] > 0 for p in second.recentProgress):
        assert second.exception() is None
        assert time.time() < deadline, "the second run took no file"
        time.sleep(0.2)
    second.stop()
    assert second.recentProgress[0]["batchId"] > 0, "the conversation query resumed from its checkpoint"

    third = start_stream(spark, str(src), str(out), str(ckpt), policy, max_files_per_trigger=1, available_now=True)
    third.awaitTermination(600)
    assert third.exception() is None
    assert third.senders.recentProgress[0]["batchId"] > 0, "the sender query resumed from its checkpoint"
    got = read_escalation_json(spark, out)
    assert got == expected
    after = _senders_of(got)
    assert any(len(after[s]) > len(before[s]) for s in before), "a case continued after the restart"


def test_stream_without_senders_is_one_query(spark, workdir, senders_log):
    """A policy that disables `[senders]`: one query, as before sender cases, and the backtest's
    escalations under that policy (none of scope sender)."""
    policy = load_policy([str(NO_FAN_OUT), str(NO_SENDERS)])
    assert not policy.senders
    src = fresh_dir(workdir / "stream-no-senders-in")
    _arrivals(src, vector_lines(senders_log), 2)
    out, ckpt = workdir / "stream-no-senders-out", workdir / "stream-no-senders-ckpt"
    q = start_stream(spark, str(src), str(out), str(ckpt), policy, max_files_per_trigger=1, available_now=True)
    q.awaitTermination(600)
    assert q.exception() is None
    assert q.senders is None and q.queries == [q.conversations]
    dest = workdir / "backtest-no-senders"
    run_backtest(spark, [str(senders_log)], str(dest), policy, partitions=2)
    expected = read_escalation_json(spark, dest / "escalations")
    assert expected and not any(_scope(d) == "sender" for d in expected)
    assert read_escalation_json(spark, out) == expected
