#!/usr/bin/env bash
# Builds the npm package in wasm/pkg/ (needs wasm/setup.sh first):
#   pkg/web/   ES module for browsers and bundlers (call the default export `init()` once)
#   pkg/node/  CommonJS for Node (loads the .wasm synchronously; `import` works too)
# Steps: cargo (wasm32-unknown-unknown, release, size-minded settings), the wasm-bindgen CLI at
# exactly the crate's version, then wasm-opt -Oz from the npm package `binaryen` (cached by input
# hash, as it takes ~40 s), then pkg/vigil-packs.bundle (the shipped packs compiled, for
# `Engine.fromBundle`). Prints the .wasm and bundle sizes raw and gzipped.
#
# Environment: VIGIL_WASM_NO_OPT=1 skips wasm-opt (quicker builds while developing).
set -euo pipefail
cd "$(dirname "$0")"

want=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"$/\1/p' Cargo.toml)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "build.sh: wasm-bindgen CLI $want is needed (found '${have:-none}'): run bash wasm/setup.sh" >&2
    exit 1
fi

# Size-minded release settings, for this build only (the workspace's [profile.release] is
# shared with the native crates and is left as it is).
cargo build --locked -p vigil-wasm --target wasm32-unknown-unknown --release \
    --config 'profile.release.opt-level="s"' \
    --config 'profile.release.lto="fat"' \
    --config 'profile.release.codegen-units=1'

target_dir=$(cargo metadata --format-version 1 --no-deps | node -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
raw="$target_dir/wasm32-unknown-unknown/release/vigil_wasm.wasm"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
wasm-bindgen --target web --out-dir "$tmp/web" "$raw"
wasm-bindgen --target nodejs --out-dir "$tmp/node" "$raw"
node patch-glue.mjs "$tmp/web"
node patch-glue.mjs "$tmp/node"

opt() { # in out
    if [ "${VIGIL_WASM_NO_OPT:-}" = 1 ]; then
        cp "$1" "$2"
        return
    fi
    local flags="-Oz --strip-debug --strip-producers --strip-target-features"
    local key
    key=$( (sha256sum <"$1"; echo "$flags"; node_modules/.bin/wasm-opt --version) | sha256sum | cut -c1-32)
    mkdir -p .build-cache
    if [ ! -f ".build-cache/$key.wasm" ]; then
        # shellcheck disable=SC2086
        node_modules/.bin/wasm-opt $flags "$1" -o "$tmp/opt.wasm"
        mv "$tmp/opt.wasm" ".build-cache/$key.wasm"
        # Keep the two newest (the web and Node builds, when they differ).
        ls -t .build-cache/*.wasm | tail -n +3 | xargs -r rm -f
    fi
    cp ".build-cache/$key.wasm" "$2"
}
opt "$tmp/web/vigil_wasm_bg.wasm" "$tmp/web/vigil_wasm_bg.opt.wasm"
mv "$tmp/web/vigil_wasm_bg.opt.wasm" "$tmp/web/vigil_wasm_bg.wasm"
opt "$tmp/node/vigil_wasm_bg.wasm" "$tmp/node/vigil_wasm_bg.opt.wasm"
mv "$tmp/node/vigil_wasm_bg.opt.wasm" "$tmp/node/vigil_wasm_bg.wasm"

for t in web node; do
    rm -rf "pkg/$t"
    mkdir -p "pkg/$t"
    cp "$tmp/$t"/vigil_wasm* "pkg/$t/"
done
# The Node build is CommonJS inside a package that may be loaded as a module.
echo '{ "type": "commonjs" }' >pkg/node/package.json

# The shipped packs compiled into a bundle by this very build (a bundle loads only in the Vigil
# version that wrote it): `Engine.fromBundle(bytes)` starts without parsing the packs' TOML or
# normalizing their terms. Not in the npm package's `files` (the packs are still embedded in the
# .wasm): an app that wants it serves or bundles pkg/vigil-packs.bundle itself.
node -e 'const v = require("./pkg/node/vigil_wasm.js");
require("fs").writeFileSync("pkg/vigil-packs.bundle", new v.Engine().toBundle());'
printf 'vigil-packs.bundle: %s bytes raw, %s bytes gzipped (gzip -9)\n' \
    "$(wc -c <pkg/vigil-packs.bundle | tr -d ' ')" "$(gzip -9c pkg/vigil-packs.bundle | wc -c | tr -d ' ')"

wasm=pkg/web/vigil_wasm_bg.wasm
printf 'vigil-wasm %s: %s bytes raw, %s bytes gzipped (gzip -9)\n' \
    "$(sed -n 's/.*"version": "\(.*\)".*/\1/p' pkg/package.json | head -1)" \
    "$(wc -c <"$wasm" | tr -d ' ')" "$(gzip -9c "$wasm" | wc -c | tr -d ' ')"
