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
    "observeBatch: one call, an array of objects": (t) => t.observeBatch(lines.map((l) => JSON.parse(l))),
    "observeBatch: one call, an array of JSON texts": (t) => t.observeBatch(lines, {}),
    "observeBatch: one call, a JSON Lines document": (t) => t.observeBatch(v.input, { escalationsOnly: false }),
    "observeBatch: in batches of 3": (t) => {
      const out = [];
      for (let i = 0; i < lines.length; i += 3) out.push(...t.observeBatch(lines.slice(i, i + 3)));
      return out;
    },
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

  test(`vector ${v.name}: observeBatch with escalationsOnly gives the escalations of one-by-one observation`, () => {
    const engine = new Engine(v.layers);
    // Message by message: every escalation an observation carries, in the order `vigil scan`
    // prints them (conversation, recipient, sender).
    const single = new Tracker(engine);
    const want = lines
      .map((l) => single.observe(l))
      .flatMap((o) => [o.escalation, o.recipient_escalation, o.sender_escalation])
      .filter(Boolean);
    const expectedRaised = expected().flatMap((o) => [o.escalation, o.recipient_escalation, o.sender_escalation]).filter(Boolean);
    assert.deepStrictEqual(want, expectedRaised, "one-by-one observation matches the golden file");
    for (const input of [lines, v.input, lines.map((l) => JSON.parse(l))]) {
      const batch = new Tracker(engine);
      const got = batch.observeBatch(input, { escalationsOnly: true });
      assert.deepStrictEqual(got, want);
      // The tracker saw every message, as one-by-one observation did.
      assert.deepStrictEqual(batch.stats(), single.stats());
      batch.free();
    }
    single.free();
    engine.free();
  });

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

test("vector interventions: every action, and the expected lines carry them", () => {
  // The replay above compares whole observations, `intervention` included; make sure the vector
  // really has them, so that comparison is not vacuous.
  const v = all.find((x) => x.name === "interventions");
  assert.ok(v, "the index lists the interventions vector");
  const want = jsonLines(readFileSync(v.expectedPath, "utf8")).map((l) => JSON.parse(l));
  const actions = want.map((o) => o.intervention?.action).filter(Boolean);
  assert.deepEqual([...new Set(actions)].sort(), ["hold", "mask", "nudge_recipient", "nudge_sender"]);
  const got = new Tracker(new Engine(v.layers)).observeAll(v.input);
  assert.deepStrictEqual(got.map((o) => o.intervention), want.map((o) => o.intervention));
});

test("indicators in the vectors' escalations point at their values in the messages", () => {
  const kinds = new Set(["phone", "email", "handle", "invite_link", "payment_handle", "wallet", "gift_card"]);
  const utf8 = new TextEncoder();
  const text = new TextDecoder("utf-8", { fatal: true });
  let listed = 0;
  for (const v of all) {
    const messages = new Map(jsonLines(v.input).map((l) => JSON.parse(l)).map((m) => [`${m.conversation_id}/${m.message_id}`, m]));
    const tracker = new Tracker(new Engine(v.layers));
    for (const o of tracker.observeAll(v.input)) {
      for (const i of o.escalation?.indicators ?? []) {
        listed++;
        assert.ok(kinds.has(i.kind), i.kind);
        assert.ok(i.value.length > 0 && i.count >= 1, JSON.stringify(i));
        const m = messages.get(`${o.conversation_id}/${i.message_id}`);
        assert.ok(m, `${v.name}: ${i.message_id} is a message of ${o.conversation_id}`);
        // Spans are byte offsets into the UTF-8 text, on character boundaries.
        const bytes = utf8.encode(String(m.text));
        assert.ok(0 <= i.span.start && i.span.start < i.span.end && i.span.end <= bytes.length, JSON.stringify(i));
        const written = text.decode(bytes.slice(i.span.start, i.span.end));
        assert.ok(written.trim() === written && written.length > 0, `${v.name}: ${JSON.stringify(written)}`);
      }
    }
  }
  assert.ok(listed > 0, "some vector's escalations list indicators");
});

test("vector senders in two stages: case contacts fed to a second tracker give the sender escalations", () => {
  // As a batch job runs it: a tracker made withCaseContacts observes every message, then a fresh
  // tracker fed the contacts in order raises exactly the sender escalations of one tracker.
  const v = all.find((x) => x.name === "senders");
  assert.ok(v, "the index lists the senders vector");
  const want = jsonLines(readFileSync(v.expectedPath, "utf8"))
    .map((l) => JSON.parse(l))
    .filter((o) => o.sender_escalation)
    .map((o) => o.sender_escalation);
  assert.ok(want.length > 1, "the vector raises sender escalations");
  const engine = new Engine(v.layers);
  const first = Tracker.withCaseContacts(engine);
  const observations = first.observeAll(v.input);
  // The first stage raises what one tracker raises, and adds the contacts.
  assert.deepStrictEqual(
    observations.map((o) => o.sender_escalation),
    new Tracker(engine).observeAll(v.input).map((o) => o.sender_escalation),
  );
  const contacts = observations.map((o) => o.case_contact).filter(Boolean);
  assert.ok(contacts.length > 0);
  for (const [way, pass] of Object.entries({ "as objects": (c) => c, "as JSON text": (c) => JSON.stringify(c) })) {
    const second = new Tracker(engine);
    const got = contacts.map((c) => second.observeContact(pass(c))).filter((e) => e !== undefined);
    assert.deepStrictEqual(got, want, way);
    second.free();
  }
  const bad = new Tracker(engine);
  assert.throws(() => bad.observeContact({}), (e) => e.kind === "argument" && /invalid case contact/.test(e.message));
  assert.throws(() => bad.observeContact(undefined), (e) => e.kind === "argument");
});
