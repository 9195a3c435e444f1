#!/usr/bin/env bash
# Runs the Spark integration's tests (integrations/spark/tests) on a local Spark (local[2]):
# the backtest against `vigil scan` and `vigil diff` on the labelled corpus, the streaming job
# against the backtest, and a restart from the checkpoint. Run setup.sh first on a fresh machine.
# Re-installs the `vigil` binding when the Rust changed. Exits non-zero on any failure; the last
# line is the summary "spark: N passed, M failed".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
venv="$here/.venv"
[ -x "$venv/bin/python" ] || { echo "venv missing: run integrations/spark/setup.sh" >&2; echo "spark: 0 passed, 1 failed"; exit 1; }

# Java 17 (or 21) for Spark: JAVA_HOME when it is one, else the java on PATH, else Debian's.
java_ok() { "$1" -version 2>&1 | grep -qE 'version "(17|21)[."]'; }
if [ -z "${JAVA_HOME:-}" ] || ! java_ok "$JAVA_HOME/bin/java"; then
    unset JAVA_HOME
    if command -v java >/dev/null 2>&1 && java_ok java; then
        JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    else
        JAVA_HOME="$(ls -d /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-* 2>/dev/null | head -n 1 || true)"
    fi
    [ -n "$JAVA_HOME" ] || { echo "no Java 17/21: run integrations/spark/setup.sh" >&2; echo "spark: 0 passed, 1 failed"; exit 1; }
    export JAVA_HOME
fi

bash "$here/install-binding.sh" dev
# The reference: the workspace's `vigil` command.
(cd "$root" && cargo build --locked -q -p vigil-cli)
export VIGIL_BIN="$target/debug/vigil"
export PYSPARK_PYTHON="$venv/bin/python" PYSPARK_DRIVER_PYTHON="$venv/bin/python"

out="$(mktemp)"
set +e
(cd "$here" && "$venv/bin/python" -m pytest -q -p no:cacheprovider -W ignore::FutureWarning tests) 2>&1 | tee "$out"
status=${PIPESTATUS[0]}
set -e
summary="$(grep -E '[0-9]+ (passed|failed|error)' "$out" | tail -n 1 || true)"
rm -f "$out"
passed="$(printf '%s' "$summary" | { grep -oE '[0-9]+ passed' || true; } | awk '{ n += $1 } END { print n + 0 }')"
failed="$(printf '%s' "$summary" | { grep -oE '[0-9]+ (failed|errors?)' || true; } | awk '{ n += $1 } END { print n + 0 }')"
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then
    failed=1
fi
echo
echo "spark: ${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ] && [ "${passed:-0}" -gt 0 ]
