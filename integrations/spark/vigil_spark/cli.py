"""The command line: ``python -m vigil_spark backtest …`` and ``python -m vigil_spark stream …``.

Exit codes follow the ``vigil`` command: 0 ok, 1 malformed lines were reported and skipped,
2 usage or policy errors.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import List, Optional

EXAMPLES = """examples:
  python -m vigil_spark backtest --master 'local[2]' tests/corpus/??.jsonl -o /tmp/bt
  python -m vigil_spark backtest log.parquet -o /tmp/bt --policy acme.toml --policy-b acme-v2.toml
  spark-submit --master yarn … launcher.py backtest hdfs:///logs/2026-11/ -o hdfs:///vigil/bt
  python -m vigil_spark stream --input /data/incoming --output /data/escalations --checkpoint /data/ckpt
"""


def _policy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("-p", "--policy", action="append", default=[], metavar="FILE",
                   help="policy layer (TOML or JSON) loaded after the shipped packs; repeat for more")
    p.add_argument("--no-default-packs", action="store_true", help="leave the shipped packs out")


def _spark_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--master", help="Spark master (local[2], yarn, spark://…); default: spark-submit's, else local[*]")
    p.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE", help="Spark setting; repeat for more")
    p.add_argument("--format", default="auto", choices=["auto", "jsonl", "parquet"], help="input format (default: by extension)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of both commands."""
    ap = argparse.ArgumentParser(prog="python -m vigil_spark", description="Vigil on Apache Spark: backtest and stream.",
                                 epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    bt = sub.add_parser("backtest", help="replay a message log through a policy (and a second one with --policy-b)",
                        description="Partitions messages by conversation, orders each by time, replays them through "
                        "the policy and writes every escalation and every intervention (Parquet), the interventions' counts "
                        "(interventions_summary/) and a summary.")
    bt.add_argument("inputs", nargs="+", metavar="INPUT", help="JSON Lines files or Parquet files/directories (globs allowed)")
    bt.add_argument("-o", "--output", required=True, help="output directory (escalations/, interventions/, interventions_summary/, malformed/, "
                    "summary.json, …); overwritten")
    _policy_args(bt)
    bt.add_argument("-b", "--policy-b", action="append", default=[], metavar="FILE",
                    help="policy B layers (after the shipped packs): run both policies in one pass and write which "
                    "conversations change level")
    bt.add_argument("--partitions", type=int, help="conversation partitions (default: spark.sql.shuffle.partitions)")
    bt.add_argument("--min-level", choices=["watch", "review", "urgent"], help="write only escalations at or above this level")
    bt.add_argument("-q", "--quiet", action="store_true", help="no summary on standard error")
    _spark_args(bt)

    st = sub.add_parser("stream", help="run the streaming job (file source → per-conversation state → per-sender state → Parquet)",
                        description="Structured Streaming over files arriving in a directory, with each conversation's "
                        "tracker state in Spark's state store and an event-time timeout of the policy's idle_ttl; with "
                        "the policy's [senders], a second query keeps each sender's case, keyed by sender.")
    st.add_argument("--input", required=True, help="directory the message files (JSON Lines or Parquet) arrive in")
    st.add_argument("--output", required=True, help="directory of the escalation rows (Parquet file sink)")
    st.add_argument("--checkpoint", required=True, help="checkpoint directory (offsets, state stores, the staging output of "
                    "sender cases); reuse it to restart")
    _policy_args(st)
    st.add_argument("--max-files-per-trigger", type=int, default=10, help="files per micro-batch (default 10)")
    st.add_argument("--watermark-delay", default="10 minutes", help="how late a message may be, in event time (default '10 minutes')")
    st.add_argument("--trigger-interval", help="a micro-batch every INTERVAL ('30 seconds'); default: back to back")
    st.add_argument("--available-now", action="store_true", help="process the files already there, then stop")
    _spark_args(st)
    return ap


def main(argv: Optional[List[str]] = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    import vigil

    from .policy import load_policy
    from .session import make_session, parse_conf

    try:
        conf = parse_conf(args.conf)
        spec = load_policy(args.policy, not args.no_default_packs)
        spec_b = load_policy(args.policy_b, not args.no_default_packs) if getattr(args, "policy_b", None) else None
    except (vigil.VigilError, OSError, ValueError) as e:
        print(f"vigil-spark: {e}", file=sys.stderr)
        return 2

    from pyspark.sql import SparkSession

    owned = SparkSession.getActiveSession() is None  # stop the session only if this call made it

    if args.command == "backtest":
        import glob

        from .backtest import format_summary, run_backtest

        inputs: List[str] = []
        for pattern in args.inputs:
            matched = sorted(glob.glob(pattern)) if "://" not in pattern else []
            inputs.extend(matched or [pattern])
        spark = make_session("vigil-backtest", args.master, conf)
        summary = run_backtest(spark, inputs, args.output, spec, spec_b, args.format, args.partitions, args.min_level)
        if not args.quiet:
            print(format_summary(summary), file=sys.stderr)
        if owned:
            spark.stop()
        return 1 if summary["malformed"] else 0

    from .stream import start_stream

    spark = make_session("vigil-stream", args.master, conf)
    try:
        query = start_stream(spark, args.input, args.output, args.checkpoint, spec, args.format,
                             args.max_files_per_trigger, args.watermark_delay, args.available_now, args.trigger_interval)
    except ValueError as e:  # a checkpoint of the one-query layout with [senders]
        print(f"vigil-spark: {e}", file=sys.stderr)
        if owned:
            spark.stop()
        return 2
    cases = "with sender cases (two queries)" if spec.senders else "without sender cases"
    print(f"vigil-spark: streaming {args.input} → {args.output} (checkpoint {args.checkpoint}), policy {spec.id} {spec.hash}, "
          f"{cases}", file=sys.stderr)
    try:
        query.awaitTermination()
    except KeyboardInterrupt:
        query.stop()
    progress = query.lastProgress
    if progress:
        print(f"vigil-spark: last batch {progress.get('batchId')}: {json.dumps(progress.get('numInputRows'))} rows", file=sys.stderr)
    if owned:
        spark.stop()
    return 0
