#!/usr/bin/env bash
# Measures the release cdylib of vigil-ffi for the host (x86_64 Linux here) with the shipped packs
# embedded, as shipped to apps (`--lib --no-default-features`: no generator). Prints raw,
# stripped and gzipped sizes and the packs embedded. Slow (a release build with LTO): not part
# of test.sh.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
(cd "$root" && cargo build --locked --release -p vigil-ffi --lib --no-default-features)
lib="$target/release/libvigil_ffi.so"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
strip --strip-unneeded -o "$tmp/stripped.so" "$lib"
raw=$(stat -c %s "$lib")
stripped=$(stat -c %s "$tmp/stripped.so")
gz=$(gzip -9 -c "$tmp/stripped.so" | wc -c)
packs=$(grep -o 'include_str!("../../policies/[a-z]*.toml")' "$root/core/src/packs.rs" | sed 's|.*/||; s|.toml")||' | paste -sd, -)
pack_bytes=0
for p in ${packs//,/ }; do pack_bytes=$((pack_bytes + $(stat -c %s "$root/policies/$p.toml"))); done
echo "target:        $(rustc -vV | sed -n 's/^host: //p'), $(rustc --version)"
echo "packs:         $packs ($pack_bytes bytes of TOML)"
echo "cdylib raw:    $raw bytes"
echo "stripped:      $stripped bytes"
echo "stripped+gzip: $gz bytes"
