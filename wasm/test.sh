#!/usr/bin/env bash
# Builds the npm package and runs the WASM tests (run wasm/setup.sh once first):
#   tests/             Node tests: golden vectors, API and errors, panics, TypeScript declarations,
#                      the npm package
#   playground/tests/  browser tests: Playwright driving Debian's Chromium on the playground
# Ends with the Node test runner's summary; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

bash build.sh
echo "== wasm/test.sh: node --test"
node --test tests/*.test.mjs playground/tests/*.test.mjs
