"""The golden vectors (tests/vectors/) replayed both ways through the Python binding: message by
message (``observe_json``) and in one call — ``Tracker.observe_batch`` (records),
``observe_batch_escalations``, ``observe_json_batch`` (JSON lines), and ``vigil.observe_arrow``
(a record batch with a ``json`` column, and one with a column per message field) and
``vigil.observe_pandas`` — each giving the expected observations exactly. Also: bad buffers raise
``VigilError.Batch`` naming column and row, malformed rows are reported, sliced and chunked
inputs read right, and ``forget_between_conversations`` equals a tracker cleared by hand.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import vigil
from conftest import INDEX, VECTORS, vector_engine, vector_lines

pa = pytest.importorskip("pyarrow")

LEVEL = {None: 0, vigil.Level.WATCH: 1, vigil.Level.REVIEW: 2, vigil.Level.URGENT: 3}


def one_by_one(engine: vigil.Engine, lines: List[str]) -> List[str]:
    tracker = vigil.Tracker(engine)
    return [tracker.observe_json(line) for line in lines]


def escalations_of(observations: List[str]) -> List[tuple]:
    """(row, document) of every escalation, in the order ``vigil scan`` prints them, cut out of the
    observations' JSON as parsed values."""
    out = []
    for row, o in enumerate(observations):
        v = json.loads(o)
        for member in ("escalation", "recipient_escalation", "sender_escalation"):
            if v.get(member) is not None:
                out.append((row, v[member]))
    return out


def participant_columns(prefix: str, ps: List[Optional[vigil.Participant]], raw: List[Dict[str, Any]]) -> Dict[str, Any]:
    band = {vigil.AgeBand.MINOR: "minor", vigil.AgeBand.ADULT: "adult", vigil.AgeBand.UNKNOWN: "unknown"}
    return {
        f"{prefix}_id": pa.array([None if p is None else p.id for p in ps], pa.string()),
        f"{prefix}_age_band": pa.array([None if p is None else band[p.age_band] for p in ps], pa.string()),
        f"{prefix}_age": pa.array([None if p is None else p.age for p in ps], pa.int64()),
        f"{prefix}_account_age_days": pa.array([None if p is None else p.account_age_days for p in ps], pa.int64()),
        f"{prefix}_language": pa.array([(r or {}).get("language") for r in raw], pa.string()),
    }


def field_batch(lines: List[str]):
    """A record batch with one column per message field, from the lines (read by the core's
    reader, ``parse_message``, so platform-shaped lines give the same values)."""
    records = [vigil.parse_message(line) for line in lines]
    raw = [json.loads(line) for line in lines]
    columns: Dict[str, Any] = {
        "conversation_id": pa.array([m.conversation_id for m in records], pa.string()),
        "message_id": pa.array([m.message_id for m in records], pa.string()),
        "timestamp_ms": pa.array([m.timestamp_ms for m in records], pa.int64()),
        "channel": pa.array([m.channel or None for m in records], pa.string()),
        "relationship": pa.array([m.relationship or None for m in records], pa.string()),
        "text": pa.array([m.text for m in records], pa.string()),
    }
    columns.update(participant_columns("sender", [m.sender for m in records], [r.get("sender") for r in raw]))
    columns.update(participant_columns("recipient", [m.recipient for m in records], [r.get("recipient") for r in raw]))
    return pa.RecordBatch.from_pydict(columns)


def check_result(name: str, result: vigil.ArrowObservations, single: List[str]) -> None:
    n = len(single)
    assert result.messages == n and result.malformed == 0, f"{name}: {result.errors.to_pylist()[:1]}"
    rows = result.rows.to_pydict()
    assert rows["observation"] == single, name
    for row, o in enumerate(single):
        v = json.loads(o)
        assert rows["risk"][row] == v["risk"] or math.isclose(rows["risk"][row], v["risk"], abs_tol=5e-4), (name, row)
        assert rows["level"][row] == v["level"], (name, row)
        action = (v.get("intervention") or {}).get("action")
        assert rows["action"][row] == action, (name, row)
    esc = result.escalations.to_pydict()
    assert [(r, json.loads(j)) for r, j in zip(esc["row"], esc["json"])] == escalations_of(single), name
    assert esc["level"] == [json.loads(j)["level"] for j in esc["json"]], name


@pytest.mark.parametrize("vector", INDEX, ids=[v["name"] for v in INDEX])
def test_vector_in_one_batch(vector: Dict[str, Any]) -> None:
    name = vector["name"]
    engine = vector_engine(vector["policy"])
    lines, expected = vector_lines(name)
    single = one_by_one(engine, lines)
    assert [json.loads(o) for o in single] == expected, f"{name}: one by one"

    # Records, in one call.
    records = [vigil.parse_message(line) for line in lines]
    by_record = vigil.Tracker(engine).observe_batch(records)
    ref = vigil.Tracker(engine)
    assert by_record == [ref.observe(m) for m in records], f"{name}: observe_batch"
    raised = vigil.Tracker(engine).observe_batch_escalations(records)
    assert [(e.row, json.loads(e.json)) for e in raised] == escalations_of([o.json for o in by_record]), name

    # JSON lines, in one call.
    options = vigil.BatchOptions(observation_json=True)
    out = vigil.Tracker(engine).observe_json_batch(lines, options)
    assert out.observations == single, f"{name}: observe_json_batch"
    assert list(out.levels) == [LEVEL[o.level] for o in by_record]

    # Arrow: one json column, then a column per field; a table; pandas.
    json_batch = pa.RecordBatch.from_pydict({"json": pa.array(lines, pa.string())})
    check_result(f"{name} (arrow json)", vigil.observe_arrow(vigil.Tracker(engine), json_batch, observation_json=True), single)
    fields = field_batch(lines)
    check_result(f"{name} (arrow fields)", vigil.observe_arrow(vigil.Tracker(engine), fields, observation_json=True), single)
    table = pa.Table.from_batches([fields.slice(0, 3), fields.slice(3)])
    check_result(f"{name} (arrow table)", vigil.observe_arrow(vigil.Tracker(engine), table, observation_json=True), single)
    frame = fields.to_pandas()
    check_result(f"{name} (pandas)", vigil.observe_pandas(vigil.Tracker(engine), frame, observation_json=True), single)

    # Escalations only: the same documents, no per-row columns.
    only = vigil.observe_arrow(vigil.Tracker(engine), fields, escalations_only=True)
    assert only.rows is None
    assert only.escalations.column("json").to_pylist() == [e.json for e in raised]


def corpus_lines() -> List[str]:
    corpus = VECTORS.parent / "corpus"
    lines: List[str] = []
    for path in sorted(corpus.glob("*.jsonl")):
        if not path.name.endswith(".labels.jsonl"):
            lines += [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    return lines


def test_forgetting_between_conversations_equals_clearing_by_hand(shipped: vigil.Engine) -> None:
    lines = corpus_lines()[:600]
    assert len(lines) == 600
    cids = [json.loads(l)["conversation_id"] for l in lines]
    tracker = vigil.Tracker(shipped)
    single, current = [], None
    for cid, line in zip(cids, lines):
        if cid != current:
            tracker.clear()
            current = cid
        single.append(tracker.observe_json(line))
    # The conversation id given apart from the JSON, as the Spark backtest has it; dictionary-encoded.
    batch = pa.RecordBatch.from_pydict(
        {"conversation_id": pa.array(cids).dictionary_encode(), "json": pa.array(lines, pa.large_string())}
    )
    out = vigil.observe_arrow(vigil.Tracker(shipped), batch, forget_between_conversations=True, observation_json=True)
    assert out.conversations == len(set(cids))
    check_result("corpus (forget)", out, single)


def test_sliced_arrays_and_malformed_rows(shipped: vigil.Engine) -> None:
    lines = corpus_lines()[:40]
    bad = lines[:5] + ["{not json", json.dumps({"conversation_id": "c", "message_id": "", "timestamp": 0, "sender": {"id": "a"}, "text": "x"})] + lines[5:]
    column = pa.array(["padding"] + bad + ["padding"], pa.string()).slice(1, len(bad))
    out = vigil.observe_arrow(vigil.Tracker(shipped), pa.RecordBatch.from_arrays([column], names=["json"]), observation_json=True)
    assert out.malformed == 2
    assert out.errors.column("row").to_pylist() == [5, 6]
    assert "invalid JSON" in out.errors.column("message")[0].as_py()
    assert "message_id" in out.errors.column("message")[1].as_py()
    risks = out.rows.column("risk").to_pylist()
    assert math.isnan(risks[5]) and math.isnan(risks[6])
    kept = [o for i, o in enumerate(out.rows.column("observation").to_pylist()) if i not in (5, 6)]
    assert kept == one_by_one(shipped, lines)


def test_bad_buffers_raise_batch_errors(shipped: vigil.Engine) -> None:
    tracker = vigil.Tracker(shipped)
    col = vigil.Utf8ColumnBuffers(name="json", offsets=(0).to_bytes(4, "little") + (50).to_bytes(4, "little"), data=b"{}", len=1)
    with pytest.raises(vigil.VigilError.Batch) as e:
        tracker.observe_columns(1, [col], [], vigil.BatchOptions())
    assert str(e.value) == "column `json`, row 0: offsets 0..50 past the data (2 bytes)"
    bad_utf8 = vigil.Utf8ColumnBuffers(name="text", offsets=(0).to_bytes(4, "little") + (1).to_bytes(4, "little"), data=b"\xff", len=1)
    with pytest.raises(vigil.VigilError.Batch, match=r"column `text`, row 0: not UTF-8"):
        tracker.observe_columns(1, [bad_utf8], [], vigil.BatchOptions())
    with pytest.raises(vigil.VigilError.Batch, match=r"column `json`: 1 values, the batch has 2 rows"):
        tracker.observe_columns(2, [vigil.Utf8ColumnBuffers(name="json", offsets=bytes(8), data=b"", len=1)], [], vigil.BatchOptions())
    # A batch without the required columns: every row an error, nothing observed.
    out = vigil.observe_arrow(tracker, pa.RecordBatch.from_pydict({"text": ["hi"]}))
    assert out.malformed == 1 and "conversation_id` is required" in out.errors.column("message")[0].as_py()
    assert tracker.stats().observed == 0
    with pytest.raises(vigil.VigilError.Batch, match="message 1: "):
        m = vigil.parse_message(json.dumps({"conversation_id": "c", "message_id": "m", "timestamp": 0, "sender": {"id": "a"}, "text": "x"}))
        tracker.observe_batch([m, vigil.Message(conversation_id="c", message_id="", timestamp_ms=0, sender=m.sender, text="x")])


def test_readme_batch_example() -> None:
    import re

    from test_readme import README, ModerationQueue

    blocks = [b for b in re.findall(r"^```python\n(.*?)^```$", README.read_text(encoding="utf-8"), flags=re.S | re.M) if "observe_arrow" in b]
    assert len(blocks) == 1, "the batch example of bindings/README.md"
    queue = ModerationQueue()
    exec(compile(blocks[0], str(README), "exec"), {"moderation_queue": queue})
    assert queue.sent, "the README batch example raised no escalation"
    assert all(json.loads(d)["schema"].startswith("vigil.escalation") for d in queue.sent)
