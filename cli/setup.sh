#!/usr/bin/env bash
# Installs what the vigil CLI's tests need on a fresh Debian machine. Run as root; idempotent.
#
# - chromium: the end-to-end test of `vigil report` renders the case file headless and takes a
#   screenshot (cli/tests/cli/report.rs). Without it that test is skipped locally and fails in CI.
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
chromium --version

# - xmlschema (Python, in cli/.venv): the report-draft test validates `vigil report --draft
#   cybertipline` XML against core/schema/cybertipline-report.xsd (cli/tests/cli/draft.rs runs
#   tests/drafts/validate.py). Without it that test is skipped locally and fails in CI.
XMLSCHEMA_VERSION=4.3.2
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"
if ! "$venv/bin/python" -c "import xmlschema, sys; sys.exit(xmlschema.__version__ != '$XMLSCHEMA_VERSION')" 2>/dev/null; then
  command -v python3 >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq python3 >/dev/null; }
  if ! python3 -m venv "$venv" 2>/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install -q --disable-pip-version-check "xmlschema==$XMLSCHEMA_VERSION"
fi
"$venv/bin/python" -c "import xmlschema; print('xmlschema', xmlschema.__version__)"
