#!/usr/bin/env bash
# Benchmark of the backtest (not run in CI): builds the `vigil` binding in release mode, generates
# a synthetic log of MESSAGES messages (default 5,000,000; Parquet, bench-data/log.parquet), runs
# the backtest with local[1] and local[2], and prints messages/s (and the state size per
# conversation). The figures and the machine are recorded in BENCH.md.
#
#   bash integrations/spark/bench.sh            # MESSAGES=1000000 bash … for a quicker run
#
# Afterwards test.sh re-installs the dev build of the binding by itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
py="$venv/bin/python"
messages="${MESSAGES:-5000000}"
partitions="${PARTITIONS:-8}"
data="$here/bench-data"
[ -x "$py" ] || { echo "venv missing: run integrations/spark/setup.sh" >&2; exit 1; }
export PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py"
mkdir -p "$data"

bash "$here/install-binding.sh" release

echo "== machine"
echo "nproc: $(nproc)"
lscpu | grep 'Model name' || true
free -g | awk '/^Mem:/ { print "memory: " $2 " GiB" }'
"$py" -c 'import pyspark, vigil, sys; print("pyspark", pyspark.__version__, "| vigil", vigil.__version__, "| python", sys.version.split()[0])'
java -version 2>&1 | head -n 1

if [ ! -f "$data/log.parquet/_SUCCESS" ] || [ "$(cat "$data/log.messages" 2>/dev/null || true)" != "$messages" ]; then
    echo "== generate $messages messages"
    start=$(date +%s)
    "$py" "$here/bench/generate.py" "$data/log.parquet" --messages "$messages"
    echo "$messages" >"$data/log.messages"
    echo "generated in $(( $(date +%s) - start )) s"
fi
du -sh "$data/log.parquet"

echo "== state size per conversation (snapshot_conversation bytes, corpus)"
"$py" "$here/bench/state_size.py" | tee "$data/state-size.json"

echo "== single Python process, no Spark: observe_json on 200k corpus messages (the per-core ceiling)"
"$py" - "$here/../../tests/corpus" <<'PY'
import glob, sys, time, vigil
lines = [l for p in sorted(glob.glob(sys.argv[1] + "/??.jsonl")) for l in open(p, encoding="utf-8") if l.strip()]
t = vigil.Tracker(vigil.Engine.shipped())
n = 0
start = time.perf_counter()
while n < 200_000:
    t.clear()
    for l in lines:
        t.observe_json(l)
    n += len(lines)
el = time.perf_counter() - start
print(f"python loop: {n} messages in {el:.1f} s = {n / el:,.0f} messages/s")
PY

for cores in 1 2; do
    echo "== backtest local[$cores], $partitions partitions"
    "$py" -m vigil_spark backtest "$data/log.parquet" -o "$data/out-local$cores" --master "local[$cores]" \
        --partitions "$partitions" --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false \
        --conf spark.driver.memory=6g --conf spark.sql.shuffle.partitions="$partitions" 2>&1 | grep -E '^vigil-spark' || true
    "$py" -c "import json,sys; s=json.load(open('$data/out-local$cores/summary.json')); print(f\"local[$cores]: {s['messages']} messages, {s['conversations']} conversations, {s['escalations']} escalations in {s['seconds']} s = {s['messages_per_second']:,.0f} messages/s\")" | tee "$data/result-local$cores.txt"
done
