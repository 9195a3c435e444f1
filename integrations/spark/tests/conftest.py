"""Fixtures: one local Spark session (local[2], small shuffles, no UI) for the whole run, the
labelled corpus, and the `vigil` command's own output as the reference."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Dict, List

import pytest
import vigil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CORPUS = sorted(glob.glob(str(ROOT / "tests" / "corpus" / "??.jsonl")))
SOFTER = HERE / "fixtures" / "softer.toml"
VECTORS = ROOT / "tests" / "vectors"
#: The golden vector of platform-style messages: the platform's own channel and relationship words
#: (mapped and not), integer ids, ages as digits, epoch timestamps in seconds, milliseconds and
#: microseconds, RFC 3339 with a space.
PLATFORM = VECTORS / "platform.input.jsonl"


def run_vigil(*args: str) -> subprocess.CompletedProcess:
    """Runs the `vigil` command of this workspace (``cargo run -p vigil-cli``; ``VIGIL_BIN``
    overrides) from the repository root."""
    binary = os.environ.get("VIGIL_BIN")
    cmd = [binary] if binary else ["cargo", "run", "-q", "--locked", "-p", "vigil-cli", "--"]
    return subprocess.run(cmd + list(args), cwd=ROOT, capture_output=True, text=True, check=False)


def corpus_lines() -> List[str]:
    """Every message line of the corpus, in file order."""
    lines = []
    for path in CORPUS:
        with open(path, encoding="utf-8") as f:
            lines.extend(line.rstrip("\n") for line in f if line.strip())
    return lines


def core_ts(line: str) -> int:
    """A message line's timestamp in milliseconds, as the core reads it (RFC 3339 or epoch
    seconds, milliseconds, … by magnitude)."""
    return vigil.parse_message(line).timestamp_ms


def time_ordered(lines: List[str]) -> List[str]:
    """The lines as a live log would hold them: by timestamp (the core's parse), input order
    breaking ties (a stable sort)."""
    return sorted(lines, key=core_ts)


def vector_lines(path: Path) -> List[str]:
    """The non-blank lines of a JSON Lines file."""
    return [l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]


@pytest.fixture(scope="session")
def spark():
    from vigil_spark.session import make_session

    session = make_session(
        "vigil-spark-tests",
        "local[2]",
        {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            "spark.driver.memory": "1g",
            "spark.sql.streaming.noDataMicroBatches.enabled": "true",
        },
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("vigil-spark")


@pytest.fixture(scope="session")
def ordered_log(workdir) -> Path:
    """The corpus as one time-ordered JSON Lines log."""
    path = workdir / "corpus-ordered.jsonl"
    path.write_text("\n".join(time_ordered(corpus_lines())) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def scan_reference(ordered_log) -> List[str]:
    """``vigil scan`` of the time-ordered corpus: escalation documents, one per line."""
    out = run_vigil("scan", "--quiet", str(ordered_log))
    assert out.returncode == 0, out.stderr
    lines = [l for l in out.stdout.splitlines() if l.strip()]
    assert len(lines) > 100, "the corpus should escalate"
    return lines


@pytest.fixture(scope="session")
def backtest_corpus(spark, workdir) -> Dict[str, object]:
    """The backtest over the corpus files as shipped (JSON Lines, shipped packs)."""
    from vigil_spark.backtest import run_backtest
    from vigil_spark.policy import load_policy

    out = workdir / "backtest-corpus"
    summary = run_backtest(spark, CORPUS, str(out), load_policy())
    return {"summary": summary, "out": out}


def read_escalation_json(spark, path) -> List[str]:
    """The ``escalation_json`` column of a Parquet output, sorted."""
    return sorted(r[0] for r in spark.read.parquet(str(path)).select("escalation_json").collect())


def fresh_dir(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path
