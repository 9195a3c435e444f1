#!/usr/bin/env bash
# Installs what the Spark integration's tests need (integrations/spark/test.sh) on a fresh Debian
# machine, as root. Idempotent: what is already installed is left alone, so a second run takes
# seconds.
#
#   Java:   a JDK/JRE 17 (Spark 4 runs on Java 17 or 21); Debian's openjdk-17 when none is found.
#   Python: a venv in integrations/spark/.venv with pinned pyspark, pandas, pyarrow, pytest and
#           maturin; then the `vigil` binding built from bindings/python (install-binding.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

PYSPARK_VERSION="4.3.0"
PANDAS_VERSION="2.3.3"
PYARROW_VERSION="26.0.1"
NUMPY_VERSION="2.4.6"
PYTEST_VERSION="9.2.0"
MATURIN_VERSION="1.16.0"

log() { printf '[spark/setup] %s\n' "$*"; }
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Java 17 or 21 ---------------------------------------------------------------------------
java_ok() {
    local j="${JAVA_HOME:+$JAVA_HOME/bin/}java"
    "$j" -version 2>&1 | grep -qE 'version "(17|21)[."]'
}
if ! java_ok; then
    if ls -d /usr/lib/jvm/java-17-openjdk-* >/dev/null 2>&1; then
        log "JAVA_HOME=${JAVA_HOME:-unset} is not Java 17/21; Java 17 is in /usr/lib/jvm (test.sh uses it)"
    else
        log "apt-get install openjdk-17-jre-headless"
        apt_install openjdk-17-jre-headless
    fi
fi

# --- Python venv -----------------------------------------------------------------------------
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
    log "python3 -m venv $venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
        apt_install python3-venv
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
fi
want="pyspark==$PYSPARK_VERSION pandas==$PANDAS_VERSION pyarrow==$PYARROW_VERSION numpy==$NUMPY_VERSION pytest==$PYTEST_VERSION maturin==$MATURIN_VERSION"
have="$("$venv/bin/python" - <<'PY' 2>/dev/null || true
from importlib.metadata import version
print(" ".join(f"{n}=={version(n)}" for n in ["pyspark", "pandas", "pyarrow", "numpy", "pytest", "maturin"]))
PY
)"
if [ "$have" != "$want" ]; then
    log "pip install $want"
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install -q --disable-pip-version-check $want
fi

# --- the vigil binding and vigil_spark -------------------------------------------------------
(cd "$here/../.." && cargo fetch --locked >/dev/null)
bash "$here/install-binding.sh" dev
log "ready"
