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
