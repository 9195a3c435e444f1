// The npm package (pkg/): resolves by name under Node (require and import pick the Node build),
// its browser build loads as an ES module, and `npm pack` ships both builds with their types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { WASM_DIR } from "./helpers.mjs";

const PKG = join(WASM_DIR, "pkg");
const MSG = JSON.stringify({
  conversation_id: "c", message_id: "m", timestamp: "2026-11-01T18:00:00Z",
  sender: { id: "a", age_band: "adult" }, recipient: { id: "b", age_band: "minor" },
  channel: "direct", text: "how old r u? dont tell ur parents",
});

function withProject(files, run) {
  const dir = mkdtempSync(join(tmpdir(), "vigil-pkg-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(PKG, join(dir, "node_modules", "vigil-wasm"), "dir");
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const node = (dir, file) => JSON.parse(execFileSync(process.execPath, [file], { cwd: dir, encoding: "utf8" }));

test("require('vigil-wasm') and import from 'vigil-wasm' give the Node build", () => {
  withProject(
    {
      "a.cjs": `const { Engine, Tracker } = require("vigil-wasm");
        const o = new Tracker(new Engine()).observe(${MSG});
        console.log(JSON.stringify({ hits: o.assessment.hits.length, file: require.resolve("vigil-wasm") }));`,
      "b.mjs": `import { Engine, Tracker } from "vigil-wasm";
        const o = new Tracker(new Engine()).observe(${MSG});
        console.log(JSON.stringify({ hits: o.assessment.hits.length, file: import.meta.resolve("vigil-wasm") }));`,
    },
    (dir) => {
      const a = node(dir, "a.cjs");
      const b = node(dir, "b.mjs");
      assert.ok(a.hits > 0);
      assert.equal(b.hits, a.hits);
      assert.match(a.file, /node[\\/]vigil_wasm\.js$/);
      assert.match(b.file, /node\/vigil_wasm\.js$/);
    },
  );
});

test("the browser build is an ES module that loads with init()", () => {
  withProject(
    {
      "c.mjs": `import { readFileSync } from "node:fs";
        import init, { Engine, Tracker } from "vigil-wasm/web";
        const wasm = readFileSync(new URL(import.meta.resolve("vigil-wasm/vigil_wasm_bg.wasm")));
        await init({ module_or_path: wasm });
        const o = new Tracker(new Engine()).observe(${MSG});
        console.log(JSON.stringify({ hits: o.assessment.hits.length }));`,
    },
    (dir) => assert.ok(node(dir, "c.mjs").hits > 0),
  );
});

test("npm pack ships both builds, their declarations and the README", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: PKG,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const files = JSON.parse(out)[0].files.map((f) => f.path).sort();
  for (const want of [
    "README.md",
    "package.json",
    "node/package.json",
    "node/vigil_wasm.d.ts",
    "node/vigil_wasm.js",
    "node/vigil_wasm_bg.wasm",
    "web/vigil_wasm.d.ts",
    "web/vigil_wasm.js",
    "web/vigil_wasm_bg.wasm",
  ]) {
    assert.ok(files.includes(want), `${want} is packed (packed: ${files.join(", ")})`);
  }
});
