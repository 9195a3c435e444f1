"""Indicators (contact and payment details) in the backtest's output: the golden vector of
indicators through the backtest equals `vigil scan`, and the ``indicators`` column holds each
document's indicators, with spans that point at the value in the message."""

from __future__ import annotations

import json

import vigil

from vigil_spark.backtest import run_backtest
from vigil_spark.policy import load_policy

from conftest import VECTORS, read_escalation_json, run_vigil, vector_lines

#: The golden vector whose escalations list indicators of every kind.
INDICATORS = VECTORS / "indicators.input.jsonl"


def column(doc):
    """The ``indicators`` column as the document says it should be."""
    return [
        {
            "kind": i["kind"],
            "value": i["value"],
            "detail": i.get("detail"),
            "checked": i.get("checked"),
            "message_id": i["message_id"],
            "start": i["span"]["start"],
            "end": i["span"]["end"],
            "count": i["count"],
        }
        for i in doc.get("indicators", [])
    ]


def test_backtest_of_the_indicators_vector_equals_vigil_scan(spark, workdir):
    out = workdir / "backtest-indicators"
    summary = run_backtest(spark, [str(INDICATORS)], str(out), load_policy())
    assert summary["malformed"] == 0
    scan = run_vigil("scan", "--quiet", str(INDICATORS))
    assert scan.returncode == 0, scan.stderr
    want = sorted(l for l in scan.stdout.splitlines() if l.strip())
    assert want, "the indicators vector escalates"
    assert read_escalation_json(spark, out / "escalations") == want

    rows = spark.read.parquet(str(out / "escalations")).collect()
    texts = {}
    for line in vector_lines(INDICATORS):
        m = vigil.parse_message(line)
        texts[(m.conversation_id, m.message_id)] = m.text
    kinds = set()
    for r in rows:
        doc = json.loads(r["escalation_json"])
        got = [i.asDict() for i in r["indicators"]]
        assert got == column(doc)
        for i in got:
            kinds.add(i["kind"])
            # The span is bytes of the message's text where the value was written.
            data = texts[(doc["conversation_id"], i["message_id"])].encode("utf-8")
            assert 0 <= i["start"] < i["end"] <= len(data)
            assert data[i["start"] : i["end"]].decode("utf-8")
            assert i["count"] >= 1
    assert len(kinds) >= 3, f"the vector lists several kinds of indicator: {sorted(kinds)}"
