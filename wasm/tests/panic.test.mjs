// No panic reaches JS as a trap: the panic hook turns a bug into a VigilError (kind `internal`)
// with the panic message, and the module recovers with a fresh instance for the next call.
// (Its own file: the reset makes every object created before it stale.)
import { test } from "node:test";
import assert from "node:assert/strict";

import { existsSync, readFileSync } from "node:fs";

import { jsonLines, loadVigil, message, vectors } from "./helpers.mjs";

const vigil = loadVigil();

function internal(f) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Error);
    assert.ok(!(e instanceof WebAssembly.RuntimeError), `a trap reached JS: ${e}`);
    assert.equal(e.name, "VigilError");
    assert.equal(e.kind, "internal");
    return e;
  }
  assert.fail("expected an internal error");
}

test("a panic becomes an Error, and the module keeps working", () => {
  const engine = new vigil.Engine();
  const tracker = new vigil.Tracker(engine);
  assert.ok(tracker.observe(message("how old r u?")).assessment.hits.length > 0);

  const e = internal(() => vigil.__panicForTests("boom: a deliberate test panic"));
  assert.match(e.message, /^vigil internal error \(a bug in Vigil; please report it\): /);
  assert.match(e.message, /boom: a deliberate test panic/);

  // Objects of the instance that panicked are refused with an Error, not used in a bad state.
  assert.throws(() => tracker.observe(message("hi")), (err) => err instanceof Error && /stale/i.test(err.message));
  assert.throws(() => new vigil.Tracker(engine), (err) => err instanceof Error && /stale/i.test(err.message));
  // Freeing them is harmless: it must not free anything of the fresh instance.
  tracker.free();
  engine.free();
  // New objects work, and so do calls with string arguments right after the reset.
  assert.equal(typeof vigil.parseJsonl("").length, "number");
  const fresh = new vigil.Tracker(new vigil.Engine());
  assert.ok(fresh.observe(message("how old r u?")).assessment.hits.length > 0);
});

test("after panics and stale frees, the golden vectors still replay exactly", () => {
  const stale = new vigil.Engine();
  internal(() => vigil.__panicForTests("before the replay"));
  stale.free();
  for (const v of vectors()) {
    if (!existsSync(v.expectedPath)) continue; // vectors.test.mjs reports missing files
    const want = jsonLines(readFileSync(v.expectedPath, "utf8")).map((l) => JSON.parse(l));
    const got = new vigil.Tracker(new vigil.Engine(v.layers)).observeAll(v.input);
    assert.deepStrictEqual(got, want, v.name);
  }
});

test("every panic is an Error, not only the first", () => {
  for (let i = 0; i < 5; i++) {
    const e = internal(() => vigil.__panicForTests(`panic ${i}`));
    assert.match(e.message, new RegExp(`panic ${i}`));
  }
  // Right after a panic, a call that copies a string in must land in the fresh instance.
  internal(() => vigil.__panicForTests("again"));
  assert.deepEqual(vigil.parseJsonl(JSON.stringify(message("x")))[0].text, "x");
  assert.ok(new vigil.Engine().ruleCount > 0);
});
