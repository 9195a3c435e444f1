// The hand-written TypeScript declarations (src/records.d.ts, shipped in vigil_wasm.d.ts) match
// what the package really returns: real records, from the golden vectors and every call, are
// written out as typed object literals and checked with `tsc --noEmit --strict` (object literals
// get excess-property checks, so a field the declarations lack fails as surely as a missing or
// mistyped one). tests/usage.ts checks the calls, for the web and the Node build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { REPO, WASM_DIR, loadVigil, message, vectors } from "./helpers.mjs";

const vigil = loadVigil();
const TSC = join(WASM_DIR, "node_modules", "typescript", "bin", "tsc");

function tsc(files) {
  try {
    execFileSync(
      process.execPath,
      [TSC, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext",
        "--lib", "es2022,esnext.disposable,dom", ...files],
      { encoding: "utf8", stdio: "pipe" },
    );
  } catch (e) {
    assert.fail(`tsc found type errors:\n${e.stdout}${e.stderr}`);
  }
}

/** Own enumerable and error fields of a thrown VigilError, as a plain object. */
function errorFields(f) {
  try {
    f();
  } catch (e) {
    const out = { name: e.name, message: e.message };
    for (const k of Object.keys(e)) out[k] = e[k];
    return out;
  }
  throw new Error("expected an error");
}

function records() {
  const observations = [];
  for (const v of vectors()) {
    observations.push(...new vigil.Tracker(new vigil.Engine(v.layers)).observeAll(v.input));
  }
  // A first stage's observations carry case contacts.
  const senders = vectors().find((v) => v.name === "senders");
  observations.push(...vigil.Tracker.withCaseContacts(new vigil.Engine(senders.layers)).observeAll(senders.input));
  const sample = readFileSync(`${REPO}examples/sample-conversation.jsonl`, "utf8");
  const engine = new vigil.Engine();
  const tracker = new vigil.Tracker(engine);
  observations.push(...tracker.observeAll(sample));
  const failing = new vigil.Engine([
    "shipped",
    {
      name: "failing.toml",
      text: '[[rule]]\nid = "t.fail"\ncategory = "secrecy"\nweight = 1\nany = ["zzyzx"]\nexamples = { hit = ["nope"], miss = ["zzyzx"] }\n',
    },
  ]);
  const failures = failing.checkExamples();
  assert.equal(failures.length, 2, "one failing hit and one failing miss example");
  const b = message("x");
  delete b.message_id;
  // Report drafts of tests/drafts/sextortion.jsonl (urgent at the end, watch at the start).
  const sx = new vigil.Tracker(engine)
    .observeAll(readFileSync(`${REPO}tests/drafts/sextortion.jsonl`, "utf8"))
    .map((o) => o.escalation)
    .filter(Boolean);
  const draftOptions = {
    reviewedBy: "mod-7",
    decision: "confirmed",
    reviewedAtMs: 1_790_000_000_000,
    note: "checked",
    platform: "ExampleChat",
    medium: "online_gaming",
    incidentType: null,
    declaredAges: { "u-3141": 13 },
  };
  return {
    "Observation[]": observations,
    "Assessment[]": observations.map((o) => o.assessment).concat([engine.assess(message("how old r u? dont tell ur mum"))]),
    "Escalation[]": observations
      .flatMap((o) => [o.escalation, o.recipient_escalation, o.sender_escalation])
      .filter(Boolean),
    ResolvedPolicy: engine.policy(),
    "ExampleFailure[]": failures,
    "Message[]": vigil.parseJsonl(sample).concat([vigil.parseMessage({ ...message("x"), recipient: null })]),
    TrackerStats: tracker.stats(),
    "ShippedPack[]": vigil.shippedPacks(),
    NormalizedText: engine.normalized("d0nt t e l l"),
    DraftOptions: draftOptions,
    ReportDraft: vigil.draftCybertipline(sx.at(-1), draftOptions),
    "(Pick<VigilError, 'name' | 'message' | 'kind'> & Partial<VigilError>)[]": [
      errorFields(() => new vigil.Engine([{ name: "my.toml", text: "[[rule]]\nwieght = 3\n" }])),
      errorFields(() => vigil.parseMessage(b)),
      errorFields(() => vigil.parseMessage("{")),
      errorFields(() => tracker.observeAll(`${JSON.stringify(message("a"))}\n{}`)),
      errorFields(() => tracker.observeAll([message("a"), {}])),
      errorFields(() => tracker.restore(new Uint8Array([1]))),
      errorFields(() => tracker.observe(undefined)),
      errorFields(() => vigil.draftCybertipline(sx[0], draftOptions)),
      errorFields(() => vigil.draftCaseExport(sx.at(-1), { ...draftOptions, reviewedBy: "" })),
    ],
  };
}

test("real records type-check against the declarations", () => {
  assert.ok(existsSync(TSC), "typescript is installed (bash wasm/setup.sh)");
  const dir = mkdtempSync(join(tmpdir(), "vigil-types-"));
  try {
    const recs = records();
    // Indicators (optional members) are checked only where records carry them.
    assert.ok(recs["Escalation[]"].some((e) => e.indicators?.length), "an escalation of the vectors lists indicators");
    assert.ok(recs["Escalation[]"].some((e) => e.scope === "sender" && e.conversations?.length), "a sender escalation");
    assert.ok(recs["Observation[]"].some((o) => o.case_contact), "an observation carries a case contact");
    const actions = new Set(recs["Observation[]"].map((o) => o.intervention?.action).filter(Boolean));
    assert.deepEqual([...actions].sort(), ["hold", "mask", "nudge_recipient", "nudge_sender"], "every intervention action");
    assert.ok(recs.ResolvedPolicy.interventions?.length && recs.ResolvedPolicy.notices?.length, "the policy's interventions");
    const names = [...new Set(Object.keys(recs).flatMap((t) => t.match(/[A-Z]\w+/g)))].filter(
      (n) => !["Pick", "Partial"].includes(n),
    );
    const lines = [`import type { ${names.join(", ")} } from ${JSON.stringify(join(WASM_DIR, "pkg/node/vigil_wasm.js"))};`];
    Object.entries(recs).forEach(([type, value], i) => {
      lines.push(`export const r${i}: ${type} = ${JSON.stringify(value, null, 1)};`);
    });
    const file = join(dir, "records.ts");
    writeFileSync(file, lines.join("\n"));
    tsc([file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a typed usage compiles, against the web and the Node build", () => {
  tsc([join(WASM_DIR, "tests", "usage.ts")]);
});

test("the declarations reject what they should", () => {
  // The checks above rely on tsc rejecting wrong literals and unknown fields: show that it does.
  const dir = mkdtempSync(join(tmpdir(), "vigil-types-"));
  try {
    const file = join(dir, "wrong.ts");
    const mod = JSON.stringify(join(WASM_DIR, "pkg/node/vigil_wasm.js"));
    writeFileSync(
      file,
      `import type { Observation, Span } from ${mod};\n` +
        `export const bad: Observation["level"] = "high";\n` +
        `export const extra: Span[] = [{ start: 0, end: 1, length: 1 }];\n`,
    );
    assert.throws(() => tsc([file]), (e) => /Type '"high"' is not assignable/.test(e.message) && /'length' does not exist/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
