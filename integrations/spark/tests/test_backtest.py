"""The batch backtest against the `vigil` command on the labelled corpus."""

from __future__ import annotations

import json
import random
from collections import Counter

from pyspark.sql import functions as F

from vigil_spark.backtest import run_backtest
from vigil_spark.cli import main as cli_main
from vigil_spark.policy import load_policy

from conftest import CORPUS, HERE, SOFTER, corpus_lines, read_escalation_json, run_vigil


def test_backtest_equals_vigil_scan(spark, backtest_corpus, scan_reference):
    """Every escalation of `vigil scan` (over the corpus in time order), byte for byte, and no
    other — whole documents: conversation, level, categories, evidence, policy hash, …"""
    got = read_escalation_json(spark, backtest_corpus["out"] / "escalations")
    assert len(got) == len(scan_reference)
    assert got == sorted(scan_reference)


def test_backtest_columns_match_the_documents(spark, backtest_corpus):
    rows = spark.read.parquet(str(backtest_corpus["out"] / "escalations")).collect()
    for r in rows:
        doc = json.loads(r["escalation_json"])
        assert r["conversation_id"] == doc["conversation_id"]
        assert r["level"] == doc["level"] and r["sequence"] == doc["sequence"]
        assert r["message_id"] == doc["message_id"]
        assert list(r["categories"]) == [c["id"] for c in doc["categories"]]
        assert set(r["evidence_message_ids"]) == {e["message_id"] for e in doc["evidence"]}
        assert r["policy_hash"] == doc["policy"]["hash"]
        assert [(i["kind"], i["value"], i["message_id"], i["start"], i["end"], i["count"]) for i in r["indicators"]] == [
            (i["kind"], i["value"], i["message_id"], i["span"]["start"], i["span"]["end"], i["count"])
            for i in doc.get("indicators", [])
        ]
        assert r["raised_at"] is not None
        assert r["language"] in ("de", "en", "es", "fr", "it", "nl", "pl", "pt", "und")
    # The language is the pack most evidence comes from: nearly always the conversation's own
    # (German and Dutch share words; evidence only from the language-neutral core pack is "und").
    assert sum(r["language"] == r["conversation_id"][:2] for r in rows) >= 0.95 * len(rows)


def test_backtest_summary_matches_scan(backtest_corpus, scan_reference):
    s = backtest_corpus["summary"]
    docs = [json.loads(l) for l in scan_reference]
    assert s["messages"] == len(corpus_lines())
    assert s["conversations"] == len({json.loads(l)["conversation_id"] for l in corpus_lines()})
    assert s["malformed"] == 0
    assert s["invalid_utf8"] == 0
    assert s["escalations"] == len(docs)
    assert s["by_level"] == {lvl: sum(d["level"] == lvl for d in docs) for lvl in ("watch", "review", "urgent")}
    assert s["by_category"] == dict(Counter(c["id"] for d in docs for c in d["categories"]))
    assert sum(s["by_language"].values()) == len(docs)
    assert s["policy"]["hash"] == docs[0]["policy"]["hash"]
    on_disk = json.loads((backtest_corpus["out"] / "summary.json").read_text())
    assert on_disk["by_level"] == s["by_level"]


def test_parquet_input_shuffled_flat_columns(spark, workdir, scan_reference):
    """Parquet with flat participant columns and a timestamp column, rows in random order: the
    job orders each conversation by time itself."""
    lines = corpus_lines()
    random.Random(7).shuffle(lines)
    df = spark.read.json(spark.sparkContext.parallelize(lines, 3))
    participants = [
        F.col(f"{who}.{field.name}").alias(f"{who}_{field.name}")
        for who in ("sender", "recipient")
        for field in df.schema[who].dataType.fields
    ]
    flat = df.select(
        "conversation_id",
        "message_id",
        F.col("timestamp").try_cast("timestamp").alias("timestamp"),
        *participants,
        "channel",
        "relationship",
        "text",
    )
    assert {"sender_id", "sender_age_band", "sender_account_age_days", "recipient_id"} <= set(flat.columns)
    src = workdir / "corpus-flat.parquet"
    flat.write.mode("overwrite").parquet(str(src))
    out = workdir / "backtest-parquet"
    summary = run_backtest(spark, [str(src)], str(out), load_policy(), partitions=3)
    assert summary["malformed"] == 0
    assert read_escalation_json(spark, out / "escalations") == sorted(scan_reference)


def test_policy_b_matches_vigil_diff(spark, workdir):
    """--policy-b: both policies in one pass; the changed conversations are `vigil diff`'s, and
    policy B's escalations are `vigil scan --policy B`'s."""
    from conftest import time_ordered

    log = workdir / "corpus-ordered-b.jsonl"
    log.write_text("\n".join(time_ordered(corpus_lines())) + "\n", encoding="utf-8")
    out = workdir / "backtest-b"
    softer = str(SOFTER)
    summary = run_backtest(spark, CORPUS, str(out), load_policy(), load_policy([softer]))

    diff = run_vigil("diff", "--json", "--policy-b", softer, str(log))
    assert diff.returncode == 0, diff.stderr
    report = json.loads(diff.stdout)
    assert report["changed"], "the fixture policy should change some conversation"
    expected = sorted((c["conversation_id"], c["a"]["level"], c["b"]["level"], c["direction"]) for c in report["changed"])
    rows = spark.read.parquet(str(out / "changes")).collect()
    got = sorted((r["conversation_id"], r["level_a"], r["level_b"], r["direction"]) for r in rows)
    assert got == expected
    assert summary["changes"]["conversations_changed"] == len(expected)
    assert summary["changes"]["transitions"] == report["transitions"]
    assert summary["b"]["policy"]["hash"] == report["b"]["hash"]
    assert summary["policy"]["hash"] == report["a"]["hash"]

    scan_b = run_vigil("scan", "--quiet", "--policy", softer, str(log))
    assert scan_b.returncode == 0, scan_b.stderr
    assert read_escalation_json(spark, out / "escalations_b") == sorted(l for l in scan_b.stdout.splitlines() if l.strip())
    assert read_escalation_json(spark, out / "escalations") != read_escalation_json(spark, out / "escalations_b")


def test_cli_malformed_lines_exit_1(spark, workdir, capsys):
    """Through the command line: malformed lines are reported in malformed/ and the summary, the
    rest is scored, exit code 1 (as `vigil scan`)."""
    out = workdir / "backtest-malformed"
    code = cli_main(["backtest", str(HERE / "fixtures" / "malformed.jsonl"), "-o", str(out), "--master", "local[2]"])
    assert code == 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["messages"] == 4 and summary["malformed"] == 2
    bad = spark.read.parquet(str(out / "malformed")).collect()
    assert sorted(r["line"][:20] for r in bad) == sorted(['{"conversation_id": ', "this line is not JSO"])
    assert all(r["error"] for r in bad)
    esc = spark.read.parquet(str(out / "escalations")).collect()
    assert esc and {r["conversation_id"] for r in esc} == {"t-1"}
    assert "malformed lines skipped" in capsys.readouterr().err


def test_cli_policy_error_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[override]]\nrule = "no.such.rule"\nweight = 1\n')
    code = cli_main(["backtest", CORPUS[0], "-o", str(tmp_path / "out"), "--policy", str(bad)])
    assert code == 2
    assert "no.such.rule" in capsys.readouterr().err
