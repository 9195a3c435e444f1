// Golden vectors: the WASM build must give exactly the observations the Rust core gives
// (tests/vectors/NAME.expected.jsonl, written by `VIGIL_BLESS=1 cargo test -p vigil --test vectors`).
// Compared as parsed JSON values, through each way JS can pass messages in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

import { jsonLines, loadVigil, vectors } from "./helpers.mjs";

const { Engine, Tracker } = loadVigil();

const all = vectors();

test("the vector index lists vectors", () => {
  assert.ok(all.length > 0);
});

for (const v of all) {
  const expected = () => {
    assert.ok(existsSync(v.expectedPath), `${v.expectedPath} is missing (bless the vectors with cargo)`);
    return jsonLines(readFileSync(v.expectedPath, "utf8")).map((l) => JSON.parse(l));
  };
  const lines = jsonLines(v.input);

  const ways = {
    "one JSON text at a time": (t) => lines.map((l) => t.observe(l)),
    "one object at a time": (t) => lines.map((l) => t.observe(JSON.parse(l))),
    "as a JSON Lines document": (t) => t.observeAll(v.input),
    "as an array of objects": (t) => t.observeAll(lines.map((l) => JSON.parse(l))),
  };
  for (const [way, observe] of Object.entries(ways)) {
    test(`vector ${v.name}: ${way}`, () => {
      const want = expected();
      const engine = new Engine(v.layers);
      const tracker = new Tracker(engine);
      const got = observe(tracker);
      assert.equal(got.length, want.length, "number of observations");
      got.forEach((o, i) => assert.deepStrictEqual(o, want[i], `${v.name}: observation ${i + 1} differs`));
      tracker.free();
      engine.free();
    });
  }

  test(`vector ${v.name}: a snapshot halfway gives the same rest`, () => {
    const want = expected();
    const engine = new Engine(v.layers);
    const first = new Tracker(engine);
    const half = Math.floor(lines.length / 2);
    lines.slice(0, half).forEach((l) => first.observe(l));
    const second = new Tracker(engine);
    second.restore(first.snapshot());
    lines.slice(half).forEach((l, i) => {
      assert.deepStrictEqual(second.observe(l), want[half + i], `${v.name}: observation ${half + i + 1} differs`);
    });
  });
}
