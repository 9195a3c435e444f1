#!/usr/bin/env bash
# Installs the `vigil` Python binding (bindings/python, built by maturin from the workspace) into
# integrations/spark/.venv, and makes `vigil_spark` importable there (a .pth file pointing at this
# folder, so Spark's Python workers import the same code). Skips the build when the Rust and Python
# sources and the profile are those of the last install (a stamp file).
#
#   bash install-binding.sh          # dev profile (as bindings/test.sh): incremental, for tests
#   bash install-binding.sh release  # release profile: for bench.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
profile="${1:-dev}"
venv="$here/.venv"
py="$venv/bin/python"
[ -x "$py" ] || { echo "venv missing: run integrations/spark/setup.sh" >&2; exit 1; }

sources_hash() {
    (
        cd "$root"
        find core/src core/Cargo.toml bindings/src bindings/Cargo.toml bindings/uniffi.toml bindings/python/pyproject.toml \
            bindings/python/src policies Cargo.toml Cargo.lock -type f \
            ! -path '*/__pycache__/*' ! -name '*.pyc' ! -path '*/_ffi/*' -print0 2>/dev/null |
            sort -z | xargs -0 sha256sum
        echo "profile=$profile"
    ) | sha256sum | cut -d' ' -f1
}

stamp="$here/.stamp-binding"
want="$(sources_hash)"
if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && "$py" -c 'import vigil' 2>/dev/null; then
    echo "[spark] vigil binding up to date ($profile)"
else
    echo "[spark] building the vigil binding ($profile profile) into $venv"
    rm -f "$stamp"
    (
        cd "$root/bindings/python"
        PATH="$venv/bin:$PATH" MATURIN_PEP517_ARGS="--profile $profile" "$py" -m pip install -q --disable-pip-version-check \
            --no-build-isolation --no-deps --force-reinstall .
    )
    printf '%s' "$want" >"$stamp"
fi

site="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
printf '%s\n' "$here" >"$site/vigil_spark_local.pth"
"$py" -c 'import vigil, vigil_spark; print("[spark] vigil", vigil.__version__, "| vigil_spark", vigil_spark.__version__)'
