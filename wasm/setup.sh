#!/usr/bin/env bash
# Installs what the WASM package's build and tests need, on a fresh Debian machine as root
# (idempotent; quick when everything is there already):
#   - the wasm32-unknown-unknown Rust target
#   - the wasm-bindgen CLI at exactly the version of the `wasm-bindgen` crate in Cargo.toml
#   - Debian's Chromium (for the Playwright browser tests) and a font for its screenshots
#   - the npm dev tools in wasm/node_modules (playwright-core, typescript, binaryen's wasm-opt),
#     exactly as package-lock.json pins them
set -euo pipefail
cd "$(dirname "$0")"

step() { printf '== wasm/setup.sh: %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
fi

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    step "cargo install wasm-bindgen-cli $want (takes a few minutes)"
    cargo install --locked wasm-bindgen-cli --version "$want"
fi

apt_pkgs=()
[ -x /usr/bin/chromium ] || apt_pkgs+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || apt_pkgs+=(fonts-dejavu-core)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_pkgs+=(nodejs npm)
fi
if [ "${#apt_pkgs[@]}" -gt 0 ]; then
    step "apt-get install ${apt_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_pkgs[@]}" >/dev/null
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "wasm/setup.sh: Node.js 20 or later is needed (found $(node --version))" >&2
    exit 1
fi

# npm ci only when node_modules does not match the lock file.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(node -e '
        const l = require("./package-lock.json").packages;
        delete l[""];
        console.log(JSON.stringify(Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.version]))));') \
    <(node -e '
        const l = require("./node_modules/.package-lock.json").packages;
        console.log(JSON.stringify(Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.version]))));'); then
    step "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
fi
step "ready"
