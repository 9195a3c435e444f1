"""The interventions the backtest reports ("how often would children see this?"): per message and
summarized, exactly those of the golden vectors' observations and of ``vigil scan --all``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

import pytest
import vigil

from vigil_spark.backtest import format_summary, run_backtest
from vigil_spark.interventions import ACTIONS, observation_parts, top_level_raw
from vigil_spark.policy import engine_for, load_policy

from conftest import VECTORS, run_vigil, vector_lines

INTERVENTIONS_LAYER = VECTORS / "interventions.toml"

#: (vector, policy layers on top of the shipped packs), as tests/vectors/index.json lists them.
CASES = [
    ("interventions", [INTERVENTIONS_LAYER]),
    ("sample", []),
]


def observed(observations: List[Dict[str, object]]) -> List[Dict[str, object]]:
    """The messages with an intervention, as the per-message rows hold them."""
    out = []
    for o in observations:
        iv = o.get("intervention")
        if not iv:
            continue
        notice = iv.get("notice") or {}
        out.append(
            {
                "conversation_id": o["conversation_id"],
                "message_id": o["message_id"],
                "ts_ms": vigil.parse_timestamp(o["timestamp"]),
                "action": iv["action"],
                "intervention_id": iv["id"],
                "notice_language": notice.get("language"),
                "intervention": iv,
            }
        )
    return out


def expected_summary(rows: List[Dict[str, object]]) -> Dict[str, object]:
    """The summary's ``interventions`` member, counted in plain Python."""
    by_action = Counter(r["action"] for r in rows)
    by_id = Counter(r["intervention_id"] for r in rows)
    by_lang: Dict[str, Counter] = {}
    for r in rows:
        if r["notice_language"] is not None:
            by_lang.setdefault(r["action"], Counter())[r["notice_language"]] += 1
    convs = lambda actions: len({r["conversation_id"] for r in rows if r["action"] in actions})  # noqa: E731
    return {
        "total": len(rows),
        "by_action": {a: by_action.get(a, 0) for a in ACTIONS},
        "by_id": dict(sorted(by_id.items(), key=lambda kv: (-kv[1], kv[0]))),
        "by_notice_language": {a: dict(sorted(by_lang[a].items())) for a in ACTIONS if a in by_lang},
        "conversations": len({r["conversation_id"] for r in rows}),
        "conversations_by_action": {a: convs({a}) for a in ACTIONS},
        "conversations_with_hold": convs({"hold"}),
        "conversations_with_nudge": convs({"nudge_recipient", "nudge_sender"}),
    }


def expected_table(rows: List[Dict[str, object]]) -> List[tuple]:
    """The summary table's rows, counted in plain Python."""

    def group(key):
        acc: Dict[tuple, set] = {}
        cnt: Counter = Counter()
        for r in rows:
            k = key(r)
            if k is None:
                continue
            cnt[k] += 1
            acc.setdefault(k, set()).add(r["conversation_id"])
        return {k: (cnt[k], len(acc[k])) for k in cnt}

    out = [("total", None, None, None, len(rows), len({r["conversation_id"] for r in rows}))]
    per_action = group(lambda r: r["action"])
    out += [("action", a, None, None, *per_action.get(a, (0, 0))) for a in ACTIONS]
    out += [("intervention", a, i, None, *v) for (a, i), v in group(lambda r: (r["action"], r["intervention_id"])).items()]
    out += [
        ("notice_language", a, None, l, *v)
        for (a, l), v in group(lambda r: (r["action"], r["notice_language"]) if r["notice_language"] else None).items()
    ]
    return sorted(out, key=repr)


def scan_all(input_path: Path, layers: List[Path]) -> List[Dict[str, object]]:
    """``vigil scan --all`` of a file: every observation."""
    args = ["scan", "--all", "--quiet"]
    for layer in layers:
        args += ["--policy", str(layer)]
    out = run_vigil(*args, str(input_path))
    assert out.returncode == 0, out.stderr
    return [json.loads(l) for l in out.stdout.splitlines() if l.strip()]


@pytest.fixture(scope="module")
def backtests(spark, workdir):
    """The backtest of each case's vector input (JSON Lines), with its policy."""
    done = {}
    for name, layers in CASES:
        out = workdir / f"backtest-interventions-{name}"
        summary = run_backtest(spark, [str(VECTORS / f"{name}.input.jsonl")], str(out), load_policy([str(p) for p in layers]))
        done[name] = {"summary": summary, "out": out}
    return done


def test_observation_parts_are_the_staged_texts():
    """Cutting the observation (``observe_json``) gives, byte for byte, the escalation documents
    and the case contact ``observe_json_staged`` returns for the same message, and the
    intervention the observation holds."""
    for name, layers in CASES + [("senders", []), ("indicators", [])]:
        spec = load_policy([str(p) for p in layers])
        whole = vigil.Tracker.with_case_contacts(engine_for(spec))
        staged = vigil.Tracker.with_case_contacts(engine_for(spec))
        for line in vector_lines(VECTORS / f"{name}.input.jsonl"):
            text = whole.observe_json(line)
            want = staged.observe_json_staged(line)
            escalations, contact, intervention = observation_parts(text)
            assert escalations == list(want.escalations), (name, line)
            assert contact == want.case_contact, (name, line)
            doc = json.loads(text)
            assert (json.loads(intervention) if intervention else None) == doc.get("intervention")
            assert {k: json.loads(v) for k, v in top_level_raw(text).items()} == doc


@pytest.mark.parametrize("name,layers", CASES)
def test_vectors_hold_interventions(name, layers):
    """The vectors exercise what is counted: every action in the interventions vector, and
    ``vigil scan --all`` decides what the golden observations hold."""
    rows = observed([json.loads(l) for l in vector_lines(VECTORS / f"{name}.expected.jsonl")])
    assert rows, name
    if name == "interventions":
        assert {r["action"] for r in rows} == set(ACTIONS)
    scanned = observed(scan_all(VECTORS / f"{name}.input.jsonl", layers))
    assert scanned == rows


@pytest.mark.parametrize("name,layers", CASES)
def test_backtest_counts_the_vectors_interventions(spark, backtests, name, layers):
    """Per message, in the summary table and in ``summary.json``: exactly the interventions of
    the golden observations (``tests/vectors/NAME.expected.jsonl``)."""
    want = observed([json.loads(l) for l in vector_lines(VECTORS / f"{name}.expected.jsonl")])
    got = backtests[name]
    out: Path = got["out"]

    per_message = spark.read.parquet(str(out / "interventions")).collect()
    assert len(per_message) == len(want)
    key = lambda r: (r["conversation_id"], r["message_id"])  # noqa: E731
    by_key = {key(r): r for r in per_message}
    for w in want:
        r = by_key[key(w)]
        assert r["ts_ms"] == w["ts_ms"]
        assert (r["action"], r["intervention_id"], r["notice_language"]) == (w["action"], w["intervention_id"], w["notice_language"])
        assert r["notice_id"] == (w["intervention"].get("notice") or {}).get("id")
        assert list(r["intervention_categories"]) == w["intervention"]["categories"]
        assert json.loads(r["intervention_json"]) == w["intervention"]

    frame = spark.read.parquet(str(out / "interventions"))
    assert frame.where("unix_millis(timestamp) != ts_ms").count() == 0
    assert frame.columns[:4] == ["conversation_id", "message_id", "ts_ms", "timestamp"]

    table = spark.read.parquet(str(out / "interventions_summary")).collect()
    got_table = sorted(
        ((r["grouping"], r["action"], r["intervention_id"], r["notice_language"], r["interventions"], r["conversations"]) for r in table),
        key=repr,
    )
    assert got_table == expected_table(want)

    summary = got["summary"]
    assert summary["interventions"] == expected_summary(want)
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert written["interventions"] == summary["interventions"]
    text = format_summary(summary)
    assert f"{len(want)} interventions (" in text
    assert "interventions by id: " in text


def test_backtest_interventions_vector_counts(backtests):
    """The interventions vector's figures, spelled out (a change in the vector or the packs shows
    here first)."""
    iv = backtests["interventions"]["summary"]["interventions"]
    assert iv["by_action"] == {"nudge_recipient": 5, "nudge_sender": 1, "mask": 1, "hold": 1}
    assert iv["by_notice_language"]["nudge_recipient"] == {"de": 2, "en": 3}
    assert iv["conversations_with_hold"] == 1
    assert iv["conversations_with_nudge"] == 2


def test_backtest_escalations_unchanged_on_the_vectors(spark, backtests):
    """Reading the whole observation keeps the escalations byte for byte ``vigil scan``'s."""
    for name, layers in CASES:
        args = ["scan", "--quiet"]
        for layer in layers:
            args += ["--policy", str(layer)]
        out = run_vigil(*args, str(VECTORS / f"{name}.input.jsonl"))
        assert out.returncode == 0, out.stderr
        want = sorted(l for l in out.stdout.splitlines() if l.strip())
        got = sorted(r[0] for r in spark.read.parquet(str(backtests[name]["out"] / "escalations")).select("escalation_json").collect())
        assert got == want, name


def test_policy_b_interventions(spark, workdir):
    """With ``--policy-b`` each policy's interventions are written and summarized: the vector's
    layer adds the sender nudge to B only."""
    path = VECTORS / "interventions.input.jsonl"
    out = workdir / "backtest-interventions-b"
    summary = run_backtest(spark, [str(path)], str(out), load_policy(), load_policy([str(INTERVENTIONS_LAYER)]))
    a = summary["interventions"]
    b = summary["b"]["interventions"]
    assert a["by_action"]["nudge_sender"] == 0
    assert b == expected_summary(observed([json.loads(l) for l in vector_lines(VECTORS / "interventions.expected.jsonl")]))
    assert spark.read.parquet(str(out / "interventions_b")).count() == b["total"]
    assert spark.read.parquet(str(out / "interventions")).count() == a["total"]
    assert "(policy B): " in format_summary(summary)
