// Indicative timings of the Node build (run `bash wasm/build.sh` first): how long `new Engine()`
// (the shipped packs) takes, and messages a second through `Tracker.observe` one call a message
// versus `Tracker.observeBatch` one call for all, on the corpus (tests/corpus/*.jsonl, in order)
// and the golden vectors' inputs. Checks that both ways give the same observations.
//
//   node wasm/bench/batch.mjs [rounds=5]
//
// Not a test and not a benchmark harness: best of `rounds` on whatever machine it runs on.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";

import { REPO, WASM_DIR, loadVigil, jsonLines } from "../tests/helpers.mjs";

const rounds = Number(process.argv[2] ?? 5);

// Engine ready: load of the module (once, first) and each `new Engine()` afterwards.
let t0 = performance.now();
const { Engine, Tracker } = loadVigil();
const loadMs = performance.now() - t0;
const engineMs = [];
let engine;
for (let i = 0; i < rounds; i++) {
  engine?.free();
  t0 = performance.now();
  engine = new Engine();
  engineMs.push(performance.now() - t0);
}
const fmt = (x) => x.toFixed(1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = (xs) => `first ${fmt(xs[0])} ms, median ${fmt(median(xs))} ms, best ${fmt(Math.min(...xs))} ms of ${rounds}`;
console.log(`module load (require, compile + instantiate): ${fmt(loadMs)} ms`);
console.log(`new Engine() (shipped packs, from TOML): ${times(engineMs)}`);

// The same packs from the bundle that wasm/build.sh writes (pkg/vigil-packs.bundle), when present.
const bundlePath = `${WASM_DIR}pkg/vigil-packs.bundle`;
if (existsSync(bundlePath)) {
  const bytes = new Uint8Array(readFileSync(bundlePath));
  const bundleMs = [];
  for (let i = 0; i < rounds; i++) {
    t0 = performance.now();
    const e = Engine.fromBundle(bytes);
    bundleMs.push(performance.now() - t0);
    e.free();
  }
  console.log(`Engine.fromBundle (${bytes.length} bytes, read beforehand): ${times(bundleMs)}`);
}

const sets = {
  corpus: readdirSync(`${REPO}tests/corpus`)
    .filter((f) => f.endsWith(".jsonl") && !f.endsWith(".labels.jsonl"))
    .sort()
    .flatMap((f) => jsonLines(readFileSync(`${REPO}tests/corpus/${f}`, "utf8"))),
  // The vectors that run on the shipped packs alone.
  vectors: JSON.parse(readFileSync(`${REPO}tests/vectors/index.json`, "utf8"))
    .filter((v) => v.policy.length === 1 && v.policy[0] === "shipped")
    .flatMap((v) => jsonLines(readFileSync(`${REPO}tests/vectors/${v.name}.input.jsonl`, "utf8"))),
};

function best(f) {
  let ms = Infinity;
  let out;
  for (let i = 0; i < rounds; i++) {
    const t = new Tracker(engine);
    const start = performance.now();
    out = f(t);
    ms = Math.min(ms, performance.now() - start);
    t.free();
  }
  return { ms, out };
}

for (const [name, lines] of Object.entries(sets)) {
  const objects = lines.map((l) => JSON.parse(l));
  const ways = {
    "observe, one call a message (objects)": (t) => objects.map((m) => t.observe(m)),
    "observe, one call a message (JSON text)": (t) => lines.map((l) => t.observe(l)),
    "observeBatch, one call (objects)": (t) => t.observeBatch(objects),
    "observeBatch, one call (JSON Lines)": (t) => t.observeBatch(lines.join("\n")),
    "observeBatch, one call, escalationsOnly (objects)": (t) => t.observeBatch(objects, { escalationsOnly: true }),
  };
  console.log(`\n${name}: ${lines.length} messages, best of ${rounds}`);
  let reference;
  for (const [way, f] of Object.entries(ways)) {
    const { ms, out } = best(f);
    if (!way.includes("escalationsOnly")) {
      reference ??= out;
      if (!isDeepStrictEqual(out, reference)) throw new Error(`${way}: observations differ from one-by-one observation`);
    }
    const rate = Math.round((lines.length / ms) * 1000).toLocaleString("en");
    console.log(`  ${way.padEnd(52)} ${fmt(ms).padStart(8)} ms  ${rate.padStart(9)} messages/s`);
  }
}
