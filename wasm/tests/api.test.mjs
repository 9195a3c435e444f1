// The JS API: every call, its records, and its errors (JS `Error`s carrying the core's messages).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

import { REPO, WASM_DIR, jsonLines, loadVigil, message, vectors } from "./helpers.mjs";

const vigil = loadVigil();
const { Engine, Tracker, parseMessage, parseJsonl, shippedPacks, escalationSchema, version } = vigil;

/** Runs `f`, which must throw a VigilError; returns it. */
function vigilError(f, kind) {
  let caught;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.name, "VigilError");
  assert.equal(caught.kind, kind, caught.message);
  return caught;
}

test("the shipped engine loads, passes its examples and describes its policy", () => {
  const e = new Engine();
  assert.match(e.policyId, /core/);
  assert.ok(e.ruleCount > 0);
  assert.match(e.policyHash, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(e.checkExamples(), []);
  const p = e.policy();
  assert.equal(p.id, e.policyId);
  assert.equal(p.version, e.policyVersion);
  assert.equal(p.rules.length, e.ruleCount);
  assert.equal(p.scoring.levels.length, 3);
  assert.equal(e.levelFor(p.scoring.levels[1]), "review");
  assert.equal(e.levelFor(0), undefined);
  assert.deepEqual(new Engine(["shipped"]).policyHash, e.policyHash, "no layers means the shipped packs");
});

test("shippedPacks() are the repository's policies/ files, in load order", () => {
  const packs = shippedPacks();
  assert.ok(packs.length > 0);
  for (const p of packs) assert.equal(p.text, readFileSync(`${REPO}policies/${p.name}.toml`, "utf8"));
  const byName = new Engine(packs.map((p) => p.name));
  const asText = new Engine(packs.map((p) => ({ name: `policies/${p.name}.toml`, text: p.text })));
  assert.equal(byName.policyHash, new Engine().policyHash);
  assert.equal(asText.policyHash, byName.policyHash);
});

test("assess() finds spans in the original text despite evasive spelling", () => {
  const e = new Engine();
  const text = "ok so d0n'7 t e l l ur parents about us";
  const a = e.assess(message(text));
  assert.ok(a.score > 0);
  assert.ok(a.hits.length > 0);
  const h = a.hits[0];
  const bytes = Buffer.from(text, "utf8");
  assert.match(bytes.subarray(h.span.start, h.span.end).toString("utf8"), /d0n'7 t e l l/);
  assert.deepEqual(e.assess(JSON.stringify(message(text))), a, "a message as JSON text gives the same");
  assert.equal(e.assess(message("see you at practice tomorrow")).hits.length, 0);
});

test("spans are UTF-8 byte offsets, also after non-ASCII text", () => {
  const e = new Engine();
  const text = "héllo 👋 dont tell your parents";
  const h = e.assess(message(text)).hits[0];
  assert.ok(h, "a hit");
  const bytes = Buffer.from(text, "utf8");
  assert.equal(bytes.subarray(h.span.start, h.span.end).toString("utf8").startsWith("dont tell"), true);
});

test("a layer can disable a rule, change a threshold and add terms", () => {
  const text = "dont tell your parents about us";
  const hit = new Engine().assess(message(text)).hits[0];
  assert.ok(hit);
  const off = new Engine(["shipped", { name: "acme.toml", text: `[[override]]\nrule = "${hit.rule}"\nenabled = false\n` }]);
  assert.ok(!off.assess(message(text)).hits.some((h) => h.rule === hit.rule));
  assert.ok(off.policyId.endsWith("+acme"), off.policyId);

  const added = new Engine([
    "shipped",
    { name: "acme.toml", text: `[[override]]\nrule = "${hit.rule}"\nadd_any = ["zorblax quux"]\n` },
  ]);
  assert.ok(added.assess(message("hey zorblax quux ok")).hits.some((h) => h.rule === hit.rule));

  const json = new Engine(["shipped", { name: "acme.json", text: '{"scoring": {"levels": {"review": 55}}}' }]);
  assert.equal(json.policy().scoring.levels[1], 55);
  const forced = new Engine(["shipped", { name: "x", text: "[scoring]\nlevels = { review = 56 }", format: "toml" }]);
  assert.equal(forced.policy().scoring.levels[1], 56);
});

test("policy errors are Errors with the core's message and location", () => {
  const bad = "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nwieght = 3\n";
  const e = vigilError(() => new Engine([{ name: "my.toml", text: bad }]), "policy");
  // The core's own doctest: `err.to_string().starts_with("my.toml:4:1")` and names the field.
  assert.ok(e.message.startsWith("my.toml:4:1"), e.message);
  assert.match(e.message, /wieght/);
  assert.deepEqual(e.location, { source: "my.toml", line: 4, column: 1, item: null, field: null });
  assert.match(String(e), /^VigilError: my\.toml:4:1/);

  const unknown = vigilError(() => new Engine(["klingon"]), "policy");
  assert.match(unknown.message, /no shipped pack named `klingon`/);
  const empty = vigilError(() => new Engine([]), "policy");
  assert.match(empty.message, /no policy layers/);
  const ref = vigilError(
    () => new Engine(["shipped", { name: "o.toml", text: '[[override]]\nrule = "no.such.rule"\nenabled = false\n' }]),
    "policy",
  );
  assert.match(ref.message, /^o\.toml/);
  assert.match(ref.message, /no\.such\.rule/);
});

test("message errors name the field, and the line or position", () => {
  const m = message("hi");
  delete m.message_id;
  const e = vigilError(() => new Engine().assess(m), "message");
  assert.equal(e.field, "message_id");
  assert.match(e.message, /message_id/);

  const id = vigilError(() => parseMessage({ ...message("hi"), sender: { id: { nested: 1 } } }), "message");
  assert.equal(id.field, "sender.id");
  assert.equal(id.message, "field `sender.id`: expected a string or an integer");

  const syntax = vigilError(() => parseMessage("{not json"), "message");
  assert.match(syntax.message, /invalid JSON at column/);
  assert.equal(typeof syntax.column, "number");

  const doc = `${JSON.stringify(message("a", 1))}\n\n${JSON.stringify({ ...message("b", 2), timestamp: "yesterday" })}\n`;
  const t = new Tracker(new Engine());
  const line = vigilError(() => t.observeAll(doc), "message");
  assert.equal(line.line, 3);
  assert.ok(line.message.startsWith("line 3: "), line.message);
  assert.equal(t.stats().observed, 0, "nothing is observed when a message is bad");

  const item = vigilError(() => t.observeAll([message("a", 1), { ...message("b", 2), text: 5 }]), "message");
  assert.equal(item.index, 2);
  assert.ok(item.message.startsWith("message 2: "), item.message);
  assert.equal(t.stats().observed, 0);
});

test("arguments of the wrong shape are argument errors, not crashes", () => {
  const e = new Engine();
  const t = new Tracker(e);
  for (const [f, needle] of [
    [() => e.assess(undefined), /got undefined/],
    [() => t.observe(() => 1), /got a function/],
    [() => t.observe(10n), /JSON\.stringify cannot encode/],
    [() => new Engine("shipped"), /must be an array/],
    [() => new Engine([42]), /policy layer 1/],
    [() => new Engine([{ name: "a.toml" }]), /missing `text`/],
    [() => new Engine([{ name: "a.toml", text: "", format: "yaml" }]), /unknown format/],
    [() => t.restore("not bytes"), /Uint8Array/],
    [() => e.normalized(42), /a string/],
    [() => parseJsonl({}), /a string/],
  ]) {
    assert.match(vigilError(f, "argument").message, needle);
  }
  const cyclic = message("x");
  cyclic.self = cyclic;
  vigilError(() => t.observe(cyclic), "argument");
  assert.equal(t.stats().observed, 0);
});

test("observeBatch: one call for many messages, the results of observing them one by one", () => {
  const engine = new Engine();
  const msgs = [
    message("hey, how old are you?", 1),
    message("you seem really mature for your age", 2),
    message("this is our secret, dont tell your mum", 3),
    message("delete this chat after", 4),
    message("send me a pic", 5),
  ];
  const one = new Tracker(engine);
  const want = msgs.map((m) => one.observe(m));
  const raised = want.flatMap((o) => [o.escalation, o.recipient_escalation, o.sender_escalation]).filter(Boolean);
  assert.ok(raised.length > 0, "the conversation escalates");
  // Objects and JSON texts may be mixed in one array.
  const mixed = msgs.map((m, i) => (i % 2 ? JSON.stringify(m) : m));
  assert.deepStrictEqual(new Tracker(engine).observeBatch(mixed), want);
  assert.deepStrictEqual(new Tracker(engine).observeBatch(mixed, null), want);
  assert.deepStrictEqual(new Tracker(engine).observeBatch(mixed, { escalationsOnly: true }), raised);
  assert.deepStrictEqual(new Tracker(engine).observeBatch([]), []);
  assert.deepStrictEqual(new Tracker(engine).observeBatch("", { escalationsOnly: true }), []);

  // A bad message throws before any is observed, naming its position or line.
  const t = new Tracker(engine);
  const item = vigilError(() => t.observeBatch([msgs[0], JSON.stringify(msgs[1]), "{"], { escalationsOnly: true }), "message");
  assert.equal(item.index, 3);
  assert.ok(item.message.startsWith("message 3: "), item.message);
  const line = vigilError(() => t.observeBatch(`${JSON.stringify(msgs[0])}\n{}\n`), "message");
  assert.equal(line.line, 2);
  assert.equal(t.stats().observed, 0, "nothing is observed when a message is bad");

  // Bad options and batches of the wrong shape are argument errors.
  for (const [f, needle] of [
    [() => t.observeBatch(msgs, { escalations_only: true }), /unknown field `escalations_only`/],
    [() => t.observeBatch(msgs, { escalationsOnly: "yes" }), /must be a boolean/],
    [() => t.observeBatch(msgs, [true]), /expected \{escalationsOnly\?/],
    [() => t.observeBatch(msgs, () => 1), /batch options/],
    [() => t.observeBatch(42), /expected an array of messages/],
    [() => t.observeBatch(undefined), /got undefined/],
  ]) {
    assert.match(vigilError(f, "argument").message, needle);
  }
  assert.equal(t.stats().observed, 0);
  // Then it works.
  assert.deepStrictEqual(t.observeBatch(msgs), want);
});

test("timestamps may be RFC 3339 text, a Date, or epoch seconds, milliseconds or microseconds", () => {
  const want = parseMessage(message("hi")).timestamp;
  const ms = Date.parse(want);
  for (const timestamp of [
    ms,
    new Date(ms),
    ms / 1000,
    String(ms),
    String(ms / 1000),
    ms * 1000,
    want.replace("T", " "),
    want.replace("Z", "+00:00"),
  ]) {
    assert.equal(parseMessage(message("hi", 1, { timestamp })).timestamp, want, `timestamp ${timestamp}`);
  }
  const half = parseMessage(message("hi", 1, { timestamp: ms / 1000 + 0.25 })).timestamp;
  assert.equal(Date.parse(half) - ms, 250, "a fraction of a second");
  const bad = vigilError(() => parseMessage(message("hi", 1, { timestamp: "soon" })), "message");
  assert.equal(bad.field, "timestamp");
});

test("a platform's export reads as it is: integer ids, ages as digits, band words Vigil does not know", () => {
  const m = parseMessage({
    conversation_id: 4004,
    message_id: 7,
    timestamp: "1793556245",
    sender: { id: 9001, age_band: "grown-up", age: "40", account_age_days: "3" },
    recipient: { id: 9002, age_band: "Minor", age: 13.5 },
    channel: "Lobby",
    relationship: "friend",
    text: "gg",
    extra: { ignored: true },
  });
  assert.deepEqual(m, {
    conversation_id: "4004",
    message_id: "7",
    timestamp: "2026-11-01T18:04:05Z",
    sender: { id: "9001", age_band: "unknown", age: 40, account_age_days: 3 },
    recipient: { id: "9002", age_band: "minor", age: 13 },
    channel: "Lobby",
    relationship: "friend",
    text: "gg",
  });
  const teen = parseMessage({ ...message("hi"), sender: { id: "u", age_band: "teen", age: "thirteen" } }).sender;
  assert.deepEqual(teen, { id: "u", age_band: "unknown" }, "an unknown band word and a non-number age are not known");
});

test("platform words are accepted, scored by kind and kept in the observation and its escalation", () => {
  const t = new Tracker(new Engine());
  const obs = t.observe(message("how old are you? dont tell your parents about us", 1, { channel: "lobby", relationship: "friend" }));
  assert.deepEqual(obs.platform, {
    channel: { word: "lobby", kind: "public", mapped: true },
    relationship: { word: "friend", kind: "contact", mapped: true },
  });
  assert.equal(obs.recipient, null, "a public channel has no recipient on the key");
  assert.ok(obs.escalation, "it escalates");
  assert.equal(obs.escalation.channel, "public");
  assert.equal(obs.escalation.relationship, "contact");
  assert.deepEqual(obs.escalation.platform, obs.platform);

  const unmapped = t.observe(message("hi", 2, { channel: "hologram" }));
  assert.deepEqual(unmapped.platform, { channel: { word: "hologram", kind: "unknown", mapped: false } });
  assert.equal("platform" in t.observe(message("hi", 3)), false, "kinds' names only: no platform");

  // An override layer maps the platform's words; the resolved policy lists them.
  const acme = new Engine(["shipped", { name: "acme.toml", text: '[metadata.channel]\npublic = ["hologram"]\n' }]);
  assert.equal(acme.policy().metadata.channel_words.hologram, "public");
  assert.equal(new Engine().policy().metadata.adult_age, 18);
  const mapped = new Tracker(acme).observe(message("hi", 2, { channel: "Hologram" }));
  assert.deepEqual(mapped.platform, { channel: { word: "Hologram", kind: "public", mapped: true } });
});

test("parseMessage and parseJsonl read messages as the core does", () => {
  const m = parseMessage({ conversation_id: "c", message_id: "1", timestamp: 0, sender: { id: "a", age: 12 }, text: "x" });
  assert.deepEqual(m, {
    conversation_id: "c",
    message_id: "1",
    timestamp: "1970-01-01T00:00:00Z",
    sender: { id: "a", age_band: "unknown", age: 12 },
    text: "x",
  });
  const doc = readFileSync(`${REPO}examples/sample-conversation.jsonl`, "utf8");
  const ms = parseJsonl(doc);
  assert.equal(ms.length, doc.split("\n").filter((l) => l.trim()).length);
});

test("parseJsonl and observeAll read a file saved on Windows: byte-order mark and CRLF", () => {
  // What `readFileSync(path, "utf8")` gives for such a file: U+FEFF first, "\r\n" line ends.
  const doc = readFileSync(`${REPO}examples/sample-conversation.jsonl`, "utf8");
  const windows = "\uFEFF" + doc.split("\n").join("\r\n");
  assert.deepEqual(parseJsonl(windows), parseJsonl(doc));
  assert.ok(parseJsonl(windows).length > 0);
  const plain = new Tracker(new Engine()).observeAll(doc);
  assert.deepEqual(new Tracker(new Engine()).observeAll(windows), plain);
  // Errors still name their line, counted as the CLI counts them (blank lines included).
  const bad = vigilError(() => parseJsonl("\uFEFF" + JSON.stringify(message("x")) + "\r\n\r\n{\r\n"), "message");
  assert.equal(bad.line, 3);
  assert.match(bad.message, /^line 3: /);
});

test("a tracker escalates a risky conversation once per new level or category", () => {
  const e = new Engine();
  const t = new Tracker(e);
  const doc = readFileSync(`${REPO}examples/sample-conversation.jsonl`, "utf8");
  const obs = t.observeAll(doc);
  const escalations = obs.map((o) => o.escalation).filter(Boolean);
  assert.ok(escalations.length > 0);
  for (const x of escalations) {
    assert.equal(x.schema, "vigil.escalation/1");
    assert.equal(x.policy.hash, e.policyHash);
    assert.ok(x.evidence.length > 0);
  }
  const stats = t.stats();
  assert.equal(stats.observed, obs.length);
  assert.equal(stats.escalations, escalations.length);
  assert.equal(t.size, stats.keys);
  const again = t.observe(JSON.parse(doc.split("\n")[0]));
  assert.equal(again.out_of_order, true);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.stats().observed, 0);
});

test("observations say what to do with a message before it is delivered: nudge, mask, hold", () => {
  const v = vectors().find((x) => x.name === "interventions");
  assert.ok(v, "the index lists the interventions vector");
  const lines = jsonLines(v.input);
  const t = new Tracker(new Engine(v.layers));
  const obs = lines.map((l) => t.observe(l));
  const at = (n) => obs[n - 1].intervention; // line n of the vector
  assert.equal(at(1), undefined, "absent when there is nothing to do");
  assert.equal(at(2).action, "nudge_sender");
  assert.equal(at(2).notice.id, "reviewed");
  assert.equal(at(4).action, "nudge_recipient");
  assert.deepEqual(at(4).categories, ["platform-switch"]);
  assert.equal(at(4).notice.language, "en");
  assert.match(at(4).notice.text, /block or report/);
  // Line 8 gives a handle and a phone number: delivered masked.
  assert.equal(at(8).action, "mask");
  assert.equal(at(8).id, "mask-contact-details");
  assert.equal(at(8).masked_text, "my snap is \u2022\u2022\u2022 or text \u2022\u2022\u2022");
  const text8 = new TextEncoder().encode(JSON.parse(lines[7]).text);
  const masked = at(8).spans.map((s) => new TextDecoder().decode(text8.slice(s.start, s.end)));
  assert.deepEqual(masked, ["sunny_d_77", "+44 7700 900456"], "the spans are the masked details");
  // Line 9 threatens: held, nothing delivered, no notice.
  assert.equal(at(9).action, "hold");
  assert.deepEqual(at(9).categories, ["sextortion"]);
  assert.equal(at(9).notice, undefined);
  assert.equal(at(9).masked_text, undefined);
  // The German conversation gets the German notices.
  const german = obs.filter((o) => o.conversation_id === "iv-de" && o.intervention);
  assert.deepEqual(german.map((o) => [o.intervention.action, o.intervention.notice.id, o.intervention.notice.language]), [
    ["nudge_recipient", "moving-apps", "de"],
    ["nudge_recipient", "meeting", "de"],
  ]);
  assert.match(german[0].intervention.notice.text, /blockieren oder melden/);
  // Friends and adults among themselves are left alone.
  assert.equal(at(13), undefined);
  assert.equal(at(14), undefined);
  // Nudges are rate limited per key and category: line 5 asks again within the day and gets no
  // nudge; a fresh tracker that never showed line 4's nudge shows it at line 5.
  assert.equal(at(5), undefined);
  const fresh = new Tracker(new Engine(v.layers));
  lines.slice(0, 3).forEach((l) => fresh.observe(l));
  assert.equal(fresh.observe(lines[4]).intervention.action, "nudge_recipient");
});

test("the shipped policy masks and holds in the message path", () => {
  const t = new Tracker(new Engine());
  // The shipped nudges wait for a conversation at review: age questions first.
  t.observe(message("how old are you?", 1));
  t.observe(message("what grade are you in?", 2));
  const first = t.observe(message("add me on snapchat my snap is sunny_d_77", 3));
  assert.equal(first.intervention.action, "mask");
  assert.equal(first.intervention.masked_text, "add me on snapchat my snap is \u2022\u2022\u2022");
  assert.equal(first.intervention.notice?.id, "moving-apps", "the mask carries the nudge's notice");
  const second = t.observe(message("pay or ill post them for your followers", 4));
  assert.equal(second.intervention.action, "hold");
  assert.equal(new Engine().policy().interventions.find((i) => i.action === "mask").replacement, "\u2022\u2022\u2022");
});

test("trackers keep working after their engine is freed", () => {
  const e = new Engine();
  const t = new Tracker(e, 10);
  assert.equal(t.capacity, 10);
  e.free();
  assert.ok(t.observe(message("how old r u?")).assessment.hits.length > 0);
});

test("snapshots restore, per tracker and per conversation; bad bytes change nothing", () => {
  const e = new Engine();
  const a = new Tracker(e);
  a.observe(message("how old r u?", 1));
  a.observe(message("dont tell your parents", 2, { conversation_id: "c-other" }));
  const all = a.snapshot();
  assert.ok(all instanceof Uint8Array);
  const b = new Tracker(e);
  b.restore(all);
  assert.equal(b.size, a.size);
  const c = new Tracker(e);
  c.restoreConversation(a.snapshotConversation("c-other"));
  assert.equal(c.size, 1);
  const err = vigilError(() => b.restore(all.subarray(0, all.length - 1)), "snapshot");
  assert.match(err.message, /truncated|corrupt/);
  vigilError(() => b.restore(new Uint8Array([1, 2, 3])), "snapshot");
  assert.equal(b.size, a.size, "a failed restore leaves the tracker as it was");
  b.restore(Buffer.from(all));
  assert.equal(b.size, a.size, "a Node Buffer is a Uint8Array");
  b.evictIdle();
});

test("normalized() shows what the matchers see", () => {
  const n = new Engine().normalized("ＳＮＡＰ me, d0nt t e l l");
  assert.equal(typeof n.terms, "string");
  assert.equal(typeof n.patterns, "string");
  assert.match(n.terms, /snap/);
});

test("the escalation schema and the version are exposed", () => {
  const schema = escalationSchema();
  assert.equal(schema.$id, "vigil.escalation/1");
  const pkg = JSON.parse(readFileSync(`${WASM_DIR}pkg/package.json`, "utf8"));
  assert.equal(version(), pkg.version, "pkg/package.json has the crate's version");
  const cargo = readFileSync(`${REPO}Cargo.toml`, "utf8").match(/\[workspace\.package\][^[]*?version = "([^"]+)"/);
  assert.equal(version(), cargo?.[1]);
});

// Report drafts: tests/drafts/sextortion.jsonl (synthetic, conversation sx-1) escalates to urgent
// with a sextortion annotation; its first escalation is at watch.
function sextortionEscalations() {
  const doc = readFileSync(`${REPO}tests/drafts/sextortion.jsonl`, "utf8");
  return new Tracker(new Engine()).observeAll(doc).map((o) => o.escalation).filter(Boolean);
}

const draftOptions = {
  reviewedBy: "mod-7",
  decision: "confirmed",
  reviewedAtMs: 1_790_000_000_000,
  note: "checked the whole conversation",
  platform: "ExampleChat",
  medium: "online_gaming",
  declaredAges: { "u-3141": 13 },
};

test("draftCybertipline() makes the core's draft of a confirmed urgent escalation", () => {
  const urgent = sextortionEscalations().at(-1);
  assert.equal(urgent.level, "urgent");
  const d = vigil.draftCybertipline(urgent, draftOptions);
  assert.deepEqual(Object.keys(d).sort(), ["json", "xml"]);
  assert.match(d.xml, /<sextortion\/>/);
  assert.match(d.xml, /Online Enticement of Children for Sexual Acts/);
  assert.match(d.xml, /TO_BE_COMPLETED/);
  assert.match(d.xml, /<onlineGamingIncident>/);
  assert.match(d.xml, /<age>13<\/age>/);
  const json = JSON.parse(d.json);
  assert.equal(json.schema, "vigil.draft.cybertipline/1");
  assert.ok(json.to_be_completed.includes("report/reporter/reportingPerson/email"));
  assert.deepEqual(vigil.draftCybertipline(JSON.stringify(urgent), draftOptions), d, "the document as JSON text gives the same");
  // Only the reviewer and the decision are required: a chat by default.
  assert.match(vigil.draftCybertipline(urgent, { reviewedBy: "mod-7", decision: "confirmed" }).xml, /<chatImIncident>/);
});

test("draftCaseExport() gives vigil.case-export/1 JSON text", () => {
  const x = vigil.draftCaseExport(sextortionEscalations().at(-1), draftOptions);
  assert.equal(typeof x, "string");
  assert.equal(JSON.parse(x).schema, "vigil.case-export/1");
  assert.doesNotMatch(x, /Online Enticement/);
});

test("draft refusals are VigilErrors of kind draft with the reason; bad arguments of kind argument", () => {
  const all = sextortionEscalations();
  const urgent = all.at(-1);
  const watch = all.find((e) => e.level === "watch");
  assert.ok(watch, "a watch-level escalation");
  for (const draft of [vigil.draftCybertipline, vigil.draftCaseExport]) {
    const nobody = vigilError(() => draft(urgent, { ...draftOptions, reviewedBy: " " }), "draft");
    assert.equal(nobody.reason, "missing_reviewer");
    assert.match(nobody.message, /reviewer/);
    assert.equal(vigilError(() => draft(urgent, { decision: "confirmed" }), "draft").reason, "missing_reviewer");
    const below = vigilError(() => draft(watch, draftOptions), "draft");
    assert.equal(below.reason, "below_review");
    assert.equal(below.level, "watch");
    assert.match(below.message, /this one is at `watch`/);
    assert.equal(vigilError(() => draft(urgent, { ...draftOptions, decision: "dismissed" }), "draft").reason, "not_confirmed");
    assert.match(vigilError(() => draft(urgent, { ...draftOptions, decision: "maybe" }), "argument").message, /unknown decision "maybe"/);
    assert.match(vigilError(() => draft(urgent, { ...draftOptions, medium: "forum" }), "argument").message, /unknown medium "forum"/);
    assert.match(vigilError(() => draft(urgent, { ...draftOptions, reviewed_by: "m" }), "argument").message, /unknown field `reviewed_by`/);
    assert.match(vigilError(() => draft(urgent, undefined), "argument").message, /draft options/);
    assert.match(vigilError(() => draft("{", draftOptions), "argument").message, /invalid escalation document/);
    assert.match(vigilError(() => draft({ schema: "vigil.escalation/1" }, draftOptions), "argument").message, /invalid escalation document/);
  }
  const odd = vigilError(() => vigil.draftCybertipline(urgent, { ...draftOptions, incidentType: "Something else" }), "draft");
  assert.equal(odd.reason, "unknown_incident_type");
});
