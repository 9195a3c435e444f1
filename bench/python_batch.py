"""Python batch observation against native `observe`, on the same messages (issue 19: Python batch
observe >= 50 % of native throughput).

Times, on the messages of the given JSONL files in file order (default: tests/corpus/*.jsonl and
tests/corpus/senders/*.jsonl), a fresh tracker per pass, the best of PASSES passes (on a shared
machine, the pass least disturbed by other work), each way in turn:

* per message: a Python loop of ``Tracker.observe_json`` (one FFI call and one JSON document per
  message), and of ``Tracker.observe`` on records;
* in one call: ``Tracker.observe_batch`` (records), ``observe_json_batch`` (JSON lines; also
  escalations only), ``vigil.observe_arrow`` on a record batch with a ``json`` column and on one
  with a column per message field, and ``vigil.observe_pandas`` on a data frame of the fields;
* native, when ``--native`` names a release ``vigil-bench``: ``vigil-bench observe-file`` on the
  same files (``observe`` on parsed messages, ``from_json`` + ``observe``, ``observe_json_lines``).

Use a release build of the binding (``bash integrations/spark/install-binding.sh release``, or
``MATURIN_PEP517_ARGS="--profile release" pip install bindings/python``):

    cargo build --release -p vigil-bench
    python bench/python_batch.py --passes 7 --native target/release/vigil-bench
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import subprocess
import sys
import time
from typing import Callable, Dict, List

import vigil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def default_files() -> List[str]:
    files = sorted(glob.glob(os.path.join(ROOT, "tests/corpus/*.jsonl")))
    files += sorted(glob.glob(os.path.join(ROOT, "tests/corpus/senders/*.jsonl")))
    return [f for f in files if not f.endswith(".labels.jsonl")]


def read_lines(files: List[str]) -> List[str]:
    lines: List[str] = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            lines += [l.rstrip("\n") for l in f if l.strip()]
    return lines


def rate(n: int, passes: int, run: Callable[[], object]) -> float:
    rates = []
    for _ in range(passes):
        t = time.perf_counter()
        run()
        rates.append(n / (time.perf_counter() - t))
    return max(rates)


def field_batch(pa, lines: List[str]):  # noqa: ANN001, ANN201
    records = [vigil.parse_message(l) for l in lines]
    band = {vigil.AgeBand.MINOR: "minor", vigil.AgeBand.ADULT: "adult", vigil.AgeBand.UNKNOWN: "unknown"}

    def participant(prefix: str, ps):  # noqa: ANN001, ANN202
        return {
            f"{prefix}_id": pa.array([None if p is None else p.id for p in ps], pa.string()),
            f"{prefix}_age_band": pa.array([None if p is None else band[p.age_band] for p in ps], pa.string()),
            f"{prefix}_age": pa.array([None if p is None else p.age for p in ps], pa.int64()),
            f"{prefix}_account_age_days": pa.array([None if p is None else p.account_age_days for p in ps], pa.int64()),
        }

    columns = {
        "conversation_id": pa.array([m.conversation_id for m in records], pa.string()),
        "message_id": pa.array([m.message_id for m in records], pa.string()),
        "timestamp_ms": pa.array([m.timestamp_ms for m in records], pa.int64()),
        "channel": pa.array([m.channel or None for m in records], pa.string()),
        "relationship": pa.array([m.relationship or None for m in records], pa.string()),
        "text": pa.array([m.text for m in records], pa.string()),
    }
    columns.update(participant("sender", [m.sender for m in records]))
    columns.update(participant("recipient", [m.recipient for m in records]))
    return pa.RecordBatch.from_pydict(columns)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*", help="JSONL files (default: the corpus)")
    ap.add_argument("--passes", type=int, default=5)
    ap.add_argument("--native", help="a release vigil-bench binary, for the native figures")
    args = ap.parse_args()
    files = args.files or default_files()
    lines = read_lines(files)
    n = len(lines)
    engine = vigil.Engine.shipped()
    records = [vigil.parse_message(l) for l in lines]
    results: Dict[str, float] = {}

    def fresh() -> vigil.Tracker:
        return vigil.Tracker(engine)

    def loop_json() -> None:
        t = fresh()
        for l in lines:
            t.observe_json(l)

    def loop_records() -> None:
        t = fresh()
        for m in records:
            t.observe(m)

    results["python loop: observe_json per message"] = rate(n, args.passes, loop_json)
    results["python loop: observe(record) per message"] = rate(n, args.passes, loop_records)
    results["observe_batch(records)"] = rate(n, args.passes, lambda: fresh().observe_batch(records))
    results["observe_json_batch(lines)"] = rate(n, args.passes, lambda: fresh().observe_json_batch(lines, vigil.BatchOptions()))
    results["observe_json_batch(lines), escalations only"] = rate(
        n, args.passes, lambda: fresh().observe_json_batch(lines, vigil.BatchOptions(escalations_only=True))
    )
    try:
        import pyarrow as pa
    except ImportError:
        pa = None
    if pa is not None:
        json_batch = pa.RecordBatch.from_pydict({"json": pa.array(lines, pa.string())})
        fields = field_batch(pa, lines)
        results["observe_arrow(json column)"] = rate(n, args.passes, lambda: vigil.observe_arrow(fresh(), json_batch))
        results["observe_arrow(field columns)"] = rate(n, args.passes, lambda: vigil.observe_arrow(fresh(), fields))
        try:
            frame = fields.to_pandas()
            results["observe_pandas(field columns)"] = rate(n, args.passes, lambda: vigil.observe_pandas(fresh(), frame))
        except ImportError:
            pass
    native: Dict[str, float] = {}
    if args.native:
        out = subprocess.run(
            [args.native, "observe-file", str(args.passes), *files], check=True, capture_output=True, text=True
        ).stdout
        for line in out.splitlines():
            m = re.match(r"native (.+): (\d+) msgs/s", line)
            if m:
                native[m.group(1)] = float(m.group(2))
    base = native.get("observe (parsed messages)")
    print(f"messages: {n} from {len(files)} files; best of {args.passes} passes, a fresh tracker each; vigil {vigil.__version__}")
    print()
    print("| how | msgs/s | ÷ native observe |")
    print("| --- | ---: | ---: |")
    for name, r in [*(("native " + k, v) for k, v in native.items()), *results.items()]:
        ratio = f"{r / base:.0%}" if base else "—"
        print(f"| {name} | {r:,.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
