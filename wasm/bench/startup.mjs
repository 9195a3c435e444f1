// Cold start of the Node build, as an app feels it at launch: each round is a fresh `node` process
// that loads the module, makes the engine (from the shipped packs' TOML, or from the bundle that
// wasm/build.sh writes to pkg/vigil-packs.bundle, read from disk beforehand) and observes one
// message. Run `bash wasm/build.sh` first.
//
//   node wasm/bench/startup.mjs [rounds=5]
//
// Not a test: medians of `rounds` fresh processes on whatever machine it runs on.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

import { WASM_DIR } from "../tests/helpers.mjs";

const rounds = Number(process.argv[2] ?? 5);
const bundle = `${WASM_DIR}pkg/vigil-packs.bundle`;
const glue = `${WASM_DIR}pkg/node/vigil_wasm.js`;
if (!existsSync(glue) || !existsSync(bundle)) throw new Error("run bash wasm/build.sh first");

// One fresh process: prints module load, engine ready and first message ready in ms, as JSON.
const child = `
const { performance } = require("node:perf_hooks");
const [way, glue, bundle] = process.argv.slice(1);
const bytes = new Uint8Array(require("node:fs").readFileSync(bundle));
let t0 = performance.now();
const v = require(glue);
const module = performance.now() - t0;
t0 = performance.now();
const engine = way === "bundle" ? v.Engine.fromBundle(bytes) : new v.Engine();
const ready = performance.now() - t0;
new v.Tracker(engine).observe({ conversation_id: "c-1", message_id: "m-1", timestamp: "2026-11-01T18:00:00Z",
  sender: { id: "u-9" }, text: "hi, how old are you? add me on snap" });
console.log(JSON.stringify({ module, ready, first: performance.now() - t0 }));
`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const runs = { toml: [], bundle: [] };
for (let i = 0; i < rounds; i++) {
  for (const way of Object.keys(runs)) {
    runs[way].push(JSON.parse(execFileSync(process.execPath, ["-e", child, way, glue, bundle], { encoding: "utf8" })));
  }
}
console.log(`fresh node processes, medians of ${rounds} (ms)`);
console.log("way      module load   engine ready   first message ready");
for (const [way, rs] of Object.entries(runs)) {
  const m = (k) => median(rs.map((r) => r[k])).toFixed(1).padStart(12);
  console.log(`${way.padEnd(8)} ${m("module")}   ${m("ready")}   ${m("first")}`);
}
