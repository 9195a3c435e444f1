#!/usr/bin/env bash
# Installs what the binding tests need (bindings/test.sh) on a fresh Debian machine, as root.
# Idempotent: what is already installed is left alone, so a second run takes seconds.
#
#   Kotlin: a JDK (17), JNA and Gson from Debian; kotlinc from the npm package `kotlin-compiler`
#           into bindings/kotlin/node_modules.
#   Python: a venv in bindings/python/.venv with maturin and pytest, and pyarrow and pandas (the
#           batch helpers `vigil.observe_arrow` / `observe_pandas` and their tests; optional for
#           users of the package).
#   Swift:  nothing (no Swift toolchain can be installed here); test.sh runs the Swift tests
#           only where `swift` is on PATH.
#   Rust:   the crates (cargo fetch); the uniffi-bindgen binary is built from the workspace.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"

KOTLIN_COMPILER_VERSION="2.4.20"
MATURIN_VERSION="1.16.0"
PYTEST_VERSION="9.2.0"
PYARROW_VERSION="26.0.1"
PANDAS_VERSION="3.1.1"

log() { printf '[bindings/setup] %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------------------------
need_apt=()
command -v javac >/dev/null 2>&1 || need_apt+=(openjdk-17-jdk-headless)
[ -f /usr/share/java/jna.jar ] || need_apt+=(libjna-java)
[ -f /usr/share/java/gson.jar ] || need_apt+=(libgoogle-gson-java)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3 python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "apt-get install ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# --- Kotlin compiler (npm) -------------------------------------------------------------------
kc="$here/kotlin/node_modules/kotlin-compiler"
if [ "$(cat "$kc/build.txt" 2>/dev/null || true)" != "$KOTLIN_COMPILER_VERSION" ] || [ ! -x "$kc/bin/kotlinc" ]; then
    log "npm install kotlin-compiler@$KOTLIN_COMPILER_VERSION"
    (cd "$here/kotlin" && npm install --no-audit --no-fund --loglevel=error)
fi

# --- Python venv with maturin and pytest -----------------------------------------------------
venv="$here/python/.venv"
if [ ! -x "$venv/bin/python" ]; then
    log "python3 -m venv $venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
fi
if [ "$("$venv/bin/python" -m maturin --version 2>/dev/null || true)" != "maturin $MATURIN_VERSION" ] ||
    [ "$("$venv/bin/python" -c 'import pytest; print(pytest.__version__)' 2>/dev/null || true)" != "$PYTEST_VERSION" ]; then
    log "pip install maturin==$MATURIN_VERSION pytest==$PYTEST_VERSION"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "maturin==$MATURIN_VERSION" "pytest==$PYTEST_VERSION"
fi
if [ "$("$venv/bin/python" -c 'import pyarrow, pandas; print(pyarrow.__version__, pandas.__version__)' 2>/dev/null || true)" != "$PYARROW_VERSION $PANDAS_VERSION" ]; then
    log "pip install pyarrow==$PYARROW_VERSION pandas==$PANDAS_VERSION"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "pyarrow==$PYARROW_VERSION" "pandas==$PANDAS_VERSION"
fi

# --- Rust crates -----------------------------------------------------------------------------
(cd "$root" && cargo fetch --locked >/dev/null)

if command -v swift >/dev/null 2>&1; then
    log "swift found: $(swift --version 2>&1 | head -n 1)"
else
    log "no Swift toolchain on this machine: bindings/test.sh will say the Swift tests were skipped"
fi
log "ready"
