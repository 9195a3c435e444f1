// Compiled policy bundles: `Engine.fromBundle` gives an engine that observes exactly as the one
// compiled from the layers (every golden vector), and refuses damaged, cut or foreign bundles with
// a VigilError of kind `bundle` carrying the byte offset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

import { WASM_DIR, jsonLines, loadVigil, vectors } from "./helpers.mjs";

const { Engine, Tracker } = loadVigil();

function bundleError(f) {
  let caught;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.name, "VigilError");
  assert.equal(caught.kind, "bundle", caught.message);
  assert.equal(typeof caught.offset, "number");
  return caught;
}

for (const v of vectors()) {
  test(`vector ${v.name}: an engine from a bundle observes like the compiled layers`, () => {
    const want = jsonLines(readFileSync(v.expectedPath, "utf8")).map((l) => JSON.parse(l));
    const compiled = new Engine(v.layers);
    const bytes = compiled.toBundle();
    assert.ok(bytes instanceof Uint8Array);
    const loaded = Engine.fromBundle(bytes, compiled.policyHash);
    assert.equal(loaded.policyHash, compiled.policyHash);
    assert.deepStrictEqual(loaded.policy(), compiled.policy());
    const t = new Tracker(loaded);
    const got = jsonLines(v.input).map((l) => t.observe(l));
    assert.equal(got.length, want.length);
    got.forEach((o, i) => assert.deepStrictEqual(o, want[i], `${v.name}: observation ${i + 1} differs`));
    t.free();
    loaded.free();
    compiled.free();
  });
}

test("bad bundles are refused with kind `bundle` and the byte offset", () => {
  const e = new Engine([{ name: "lifecycle.toml", text: readFileSync(new URL("../../tests/vectors/lifecycle.toml", import.meta.url), "utf8") }]);
  const bytes = e.toBundle();
  const garbage = bundleError(() => Engine.fromBundle(new Uint8Array([1, 2, 3])));
  assert.equal(garbage.message, "bundle byte 0: not a Vigil bundle (bad magic bytes)");
  assert.equal(garbage.offset, 0);
  assert.match(bundleError(() => Engine.fromBundle(bytes.subarray(0, bytes.length - 1))).message, /truncated/);
  const damaged = bytes.slice();
  damaged[damaged.length - 1] ^= 1;
  assert.match(bundleError(() => Engine.fromBundle(damaged)).message, /checksum mismatch/);
  assert.match(bundleError(() => Engine.fromBundle(bytes, "sha256:00")).message, /not sha256:00/);
  assert.throws(() => Engine.fromBundle("not bytes"), /Uint8Array/);
  // A Node Buffer is a Uint8Array.
  assert.equal(Engine.fromBundle(Buffer.from(bytes)).policyHash, e.policyHash);
});

test("the package's shipped-packs bundle, where the build made one, loads", () => {
  const path = `${WASM_DIR}pkg/vigil-packs.bundle`;
  if (!existsSync(path)) return;
  const e = Engine.fromBundle(readFileSync(path));
  assert.equal(e.policyHash, new Engine().policyHash);
});
