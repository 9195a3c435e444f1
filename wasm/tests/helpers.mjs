// Shared by the Node tests: paths, the Node build, and the golden vectors.
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const WASM_DIR = fileURLToPath(new URL("..", import.meta.url));
export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const VECTORS = fileURLToPath(new URL("../../tests/vectors/", import.meta.url));

/** The Node build (CommonJS), as `require("vigil-wasm")` gives it under Node. */
export function loadVigil() {
  const path = `${WASM_DIR}pkg/node/vigil_wasm.js`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run bash wasm/build.sh first`);
  return createRequire(import.meta.url)(path);
}

/** The vectors of tests/vectors/index.json, with their policy layers ready for `new Engine`. */
export function vectors() {
  const index = JSON.parse(readFileSync(`${VECTORS}index.json`, "utf8"));
  return index.map((v) => ({
    name: v.name,
    // The same names the Rust test gives `add_source`, so policy ids and hashes agree.
    layers: v.policy.map((l) => (l === "shipped" ? "shipped" : { name: l, text: readFileSync(`${VECTORS}${l}`, "utf8") })),
    input: readFileSync(`${VECTORS}${v.name}.input.jsonl`, "utf8"),
    expectedPath: `${VECTORS}${v.name}.expected.jsonl`,
  }));
}

/** Non-blank lines of a JSON Lines document. */
export const jsonLines = (doc) => doc.split("\n").filter((l) => l.trim() !== "");

/** A direct message from an adult stranger to a minor (synthetic). */
export function message(text, n = 1, extra = {}) {
  return {
    conversation_id: "c-test",
    message_id: `m-${n}`,
    timestamp: `2026-11-01T18:${String(n).padStart(2, "0")}:00Z`,
    sender: { id: "u-9", age_band: "adult", account_age_days: 3 },
    recipient: { id: "u-4", age_band: "minor" },
    channel: "direct",
    relationship: "stranger",
    text,
    ...extra,
  };
}
