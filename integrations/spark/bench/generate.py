"""Generates a synthetic message log for the benchmark: the labelled corpus (tests/corpus/??.jsonl)
copied K times under new conversation and participant ids, shifted in time, with light text
perturbation, written as Parquet (nested sender/recipient structs, timestamp column).

    python bench/generate.py OUT.parquet --messages 5000000
"""

import argparse
import glob
import math
import os
import sys

from pyspark.sql import functions as F

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from vigil_spark.session import make_session  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FILLERS = ["lol", "ok", "haha", ":)", "btw", "fr", "idk", "k", "omg", "np"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--messages", type=int, default=5_000_000)
    ap.add_argument("--files", type=int, default=16)
    ap.add_argument("--master", default="local[2]")
    args = ap.parse_args()
    spark = make_session("vigil-bench-generate", args.master, {"spark.ui.enabled": "false", "spark.driver.memory": "4g"})
    spark.sparkContext.setLogLevel("ERROR")
    corpus = spark.read.json(sorted(glob.glob(os.path.join(ROOT, "tests", "corpus", "??.jsonl"))))
    n = corpus.count()
    copies = math.ceil(args.messages / n)
    k = F.col("k")
    suffix = F.concat(F.lit("~"), k.cast("string"))
    shift_ms = (F.xxhash64(k) % F.lit(90 * 24 * 3600)).cast("long") * 1000  # up to 90 days
    filler = F.element_at(F.array(*[F.lit(w) for w in FILLERS]), (F.abs(F.xxhash64("message_id", k)) % len(FILLERS) + 1).cast("int"))
    df = (
        corpus.crossJoin(spark.range(copies).withColumnRenamed("id", "k"))
        .select(
            F.concat("conversation_id", suffix).alias("conversation_id"),
            "message_id",
            F.timestamp_millis(F.unix_millis(F.col("timestamp").try_cast("timestamp")) + shift_ms).alias("timestamp"),
            F.col("sender").withField("id", F.concat("sender.id", suffix)).alias("sender"),
            F.when(F.col("recipient").isNull(), None)
            .otherwise(F.col("recipient").withField("id", F.concat("recipient.id", suffix)))
            .alias("recipient"),
            "channel",
            "relationship",
            F.when(F.abs(F.xxhash64("text", k)) % 4 == 0, F.concat_ws(" ", "text", filler)).otherwise(F.col("text")).alias("text"),
        )
        .limit(args.messages)
    )
    df.repartition(args.files).write.mode("overwrite").parquet(args.output)
    written = spark.read.parquet(args.output)
    print(f"generated {written.count()} messages, {written.select('conversation_id').distinct().count()} conversations -> {args.output}")
    spark.stop()


if __name__ == "__main__":
    main()
