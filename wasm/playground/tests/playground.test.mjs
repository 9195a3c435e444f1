// The playground in a real browser: Playwright drives Debian's Chromium against the page served
// from a local static server. Types a risky conversation, checks the highlights and the
// escalation, disables the rule in the policy editor and checks the escalation goes. The
// message-path demo: the adult's messages reach the child's screen masked, with a notice, or held.
// Screenshots go to wasm/playground/test-results/ (gitignored).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { startServer } from "../serve.mjs";

const RESULTS = fileURLToPath(new URL("../test-results/", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let server, base, browser, page;
const errors = [];

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run bash wasm/setup.sh (Debian's chromium)`);
  ({ server, url: base } = await startServer({ port: 0 }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // Playwright gives every launch a fresh, empty --user-data-dir of its own.
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${r.url()}`);
  });
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console error: ${m.text()}`);
  });
  mkdirSync(RESULTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/** Waits until the page has replayed the current input (edits are debounced). */
async function settled() {
  await page.waitForSelector('body[data-pending="false"]', { timeout: 30_000 });
  assert.notEqual(await page.getAttribute("#status", "data-state"), "error", await page.textContent("#status"));
}

test("the playground loads the WASM build and shows the sample", async () => {
  await page.goto(`${base}/playground/`);
  await page.waitForSelector('#status[data-state="ready"]', { timeout: 30_000 });
  assert.match(await page.textContent("#status"), /vigil-wasm \d+\.\d+\.\d+/);
  assert.ok((await page.locator("#messages > li").count()) > 3, "the sample conversation is shown");
  assert.match(await page.textContent("#examples-summary"), /All \d+ examples pass/);
  assert.ok((await page.locator("#chart svg polyline.series").count()) >= 1, "the risk chart is drawn");
  assert.ok((await page.locator("#escalations .escalation").count()) >= 1, "the sample escalates");
  await page.screenshot({ path: join(RESULTS, "playground-sample.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("typing a risky conversation highlights it and escalates", async () => {
  await page.click("#clear");
  await settled();
  assert.equal(await page.locator("#messages > li").count(), 0);
  assert.equal(await page.locator("#escalations .escalation").count(), 0);

  // A adult (new account, stranger) → B minor: the form's defaults.
  const say = async (speaker, text) => {
    await page.selectOption("#speaker", speaker);
    await page.click("#chat-text");
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
  };
  await say("A", "hey nice game");
  await say("B", "thx");
  await say("A", "dont tell your parents about us ok");
  await settled();

  assert.equal(await page.locator("#messages > li").count(), 3);
  const marks = page.locator('#messages li[data-message="m3"] mark');
  assert.ok((await marks.count()) > 0, "the risky message has highlights");
  assert.match((await marks.allTextContents()).join(" "), /tell your parents/);
  assert.equal(await page.locator('#messages li[data-message="m1"] mark').count(), 0, "a benign message has none");

  const escalations = page.locator("#escalations .escalation");
  assert.ok((await escalations.count()) >= 1, "an escalation appears");
  assert.equal(await escalations.first().getAttribute("data-message"), "m3");
  assert.ok((await page.locator("#chart circle.point.escalation").count()) >= 1, "the chart marks it");
  await page.screenshot({ path: join(RESULTS, "playground-escalation.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("disabling the rule in the policy editor removes the escalation", async () => {
  const rules = new Set();
  for (const r of await page.locator('#messages li[data-message="m3"] mark').evaluateAll((ms) => ms.map((m) => m.dataset.rule))) {
    for (const id of r.split(" ")) rules.add(id);
  }
  assert.ok(rules.size >= 1);
  const overrides = [...rules].map((id) => `[[override]]\nrule = "${id}"\nenabled = false\n`).join("\n");
  await page.fill("#policy", `[policy]\nid = "playground"\nversion = "2"\n\n${overrides}`);
  await settled();

  assert.equal(await page.isHidden("#policy-error"), true, await page.textContent("#policy-error"));
  assert.match(await page.textContent("#policy-info"), /playground/);
  assert.equal(await page.locator("#escalations .escalation").count(), 0, "the escalation is gone");
  assert.equal(await page.locator('#messages li[data-message="m3"] mark').count(), 0, "and so are the highlights");
  assert.ok(await page.isVisible("#no-escalations"));
  await page.screenshot({ path: join(RESULTS, "playground-rule-disabled.png"), fullPage: true });

  // A policy error is shown with the core's location, and fixing it brings the results back.
  await page.fill("#policy", "[[override]]\nrule = 42\n");
  await settled();
  assert.match(await page.textContent("#policy-error"), /^override\.toml:2/);
  await page.fill("#policy", "");
  await settled();
  assert.equal(await page.isHidden("#policy-error"), true);
  assert.ok((await page.locator("#escalations .escalation").count()) >= 1, "the shipped policy escalates again");
  assert.deepEqual(errors, []);
});

test("a bad JSON line is reported with its line number", async () => {
  await page.fill("#jsonl", '{"conversation_id": "c"}\n');
  await settled();
  assert.match(await page.textContent("#jsonl-error"), /^line 1: field `message_id`: missing/);
  assert.deepEqual(errors, []);
});

test("the channel and relationship take the platform's own words, mapped or not", async () => {
  // The datalists offer the kinds and the words the policy maps.
  assert.equal(await page.locator('#channel-words option[value="public"]').count(), 1);
  assert.equal(await page.locator('#channel-words option[value="lobby"]').count(), 1, "a word of the shipped [metadata.channel]");
  assert.equal(await page.locator('#relationship-words option[value="friend"]').count(), 1);

  await page.click("#clear");
  await settled();
  const setWord = async (id, word) => {
    await page.fill(id, word);
    await page.locator(id).dispatchEvent("change");
    await settled();
  };
  await setWord("#channel", "lobby");
  await setWord("#relationship", "friend");
  await page.click("#chat-text");
  await page.keyboard.type("how old are you? dont tell your parents");
  await page.keyboard.press("Enter");
  await settled();
  assert.equal(JSON.parse((await page.inputValue("#jsonl")).trim()).channel, "lobby", "the word is written as typed");
  const words = page.locator('#messages li[data-message="m1"] .chip.word');
  assert.deepEqual(await words.allTextContents(), ["lobby → public", "friend → contact"]);
  assert.ok((await page.locator("#escalations .escalation").count()) >= 1, "scored as a public channel, it escalates");

  // A word no layer maps is kept and shown as not mapped; mapping it in the override maps it.
  await setWord("#channel", "hologram");
  const unmapped = page.locator('#messages li[data-message="m1"] .chip.word.unmapped');
  assert.deepEqual(await unmapped.allTextContents(), ["hologram: not mapped"]);
  await page.fill("#policy", '[policy]\nid = "playground"\nversion = "3"\n\n[metadata.channel]\npublic = ["hologram"]\n');
  await settled();
  assert.equal(await page.isHidden("#policy-error"), true, await page.textContent("#policy-error"));
  assert.deepEqual(await words.allTextContents(), ["hologram → public", "friend → contact"]);
  assert.equal(await page.locator('#channel-words option[value="hologram"]').count(), 1, "the override's word is offered");
  await page.screenshot({ path: join(RESULTS, "playground-platform-words.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("an escalation shows the contact and payment details it lists", async () => {
  await page.fill("#policy", "");
  await page.click("#clear");
  await settled();
  const setWord = async (id, word) => {
    await page.fill(id, word);
    await page.locator(id).dispatchEvent("change");
    await settled();
  };
  await setWord("#channel", "direct");
  await setWord("#relationship", "stranger");
  await page.selectOption("#speaker", "A");
  await page.click("#chat-text");
  await page.keyboard.type("how old are you? dont tell your parents, add me on snap: coolkid_22");
  await page.keyboard.press("Enter");
  await settled();

  const table = page.locator("#escalations .escalation table.indicators").first();
  assert.ok(await table.isVisible(), "the escalation has an indicators table");
  const row = table.locator('tbody tr[data-kind="handle"]');
  assert.equal(await row.count(), 1);
  assert.deepEqual(await row.locator("td").allTextContents(), ["handle", "coolkid_22", "snapchat", "—", "m1", "1"]);
  await page.screenshot({ path: join(RESULTS, "playground-indicators.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("a sender's conversations with several minors show as a sender escalation", async () => {
  // The first two conversations of the senders vector: one account, two children.
  const lines = readFileSync(fileURLToPath(new URL("../../../tests/vectors/senders.input.jsonl", import.meta.url)), "utf8")
    .split("\n")
    .filter((l) => /"conversation_id": "ten-[01]"/.test(l));
  assert.ok(lines.length > 0);
  await page.fill("#policy", "");
  await page.fill("#jsonl", `${lines.join("\n")}\n`);
  await settled();
  const sender = page.locator('#escalations .escalation[data-scope="sender"]');
  assert.ok((await sender.count()) >= 1, "the sender's case escalates");
  assert.match(await sender.first().locator(".case-conversations").textContent(), /ten-0 → kid-0 .*ten-1 → kid-1/);
  assert.ok((await page.locator("#messages .escalated", { hasText: "sender case" }).count()) >= 1, "the message is flagged");
  await page.screenshot({ path: join(RESULTS, "playground-sender-case.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("the message path: the child's screen shows what the engine lets through", async () => {
  // The shipped policy, so the shipped interventions decide.
  await page.fill("#policy", "");
  await settled();
  await page.click("#demo-reset");
  assert.equal(await page.locator("#child-messages > li").count(), 0);
  const send = async (text) => {
    await page.click("#adult-text");
    await page.keyboard.type(text);
    await page.keyboard.press("Enter");
  };

  await send("how old are you?");
  const first = page.locator('#child-messages .bubble[data-message="d1"]');
  assert.equal(await first.getAttribute("data-action"), "deliver");
  assert.equal(await first.locator(".text").textContent(), "how old are you?");
  // The shipped nudges wait for a conversation at review: age questions first.
  await send("what grade are you in?");

  // A handle from an adult stranger: delivered masked, with the moving-apps notice.
  await send("add me on snapchat my snap is sunny_d_77");
  const masked = page.locator('#child-messages .bubble[data-message="d3"]');
  assert.equal(await masked.getAttribute("data-action"), "mask");
  assert.equal(await masked.locator(".text").textContent(), "add me on snapchat my snap is \u2022\u2022\u2022");
  assert.doesNotMatch(await page.textContent("#child-messages"), /sunny_d_77/, "the handle never reaches the child");
  assert.match(await page.textContent('#adult-messages .bubble[data-message="d3"]'), /sunny_d_77/, "the adult sees what they wrote");
  const notice = page.locator('#child-messages .notice[data-notice="moving-apps"]');
  assert.equal(await notice.count(), 1);
  assert.equal(await notice.getAttribute("lang"), "en");
  assert.match(await notice.textContent(), /move to another app/);
  assert.deepEqual(await notice.locator("button").allTextContents(), ["Block", "Report"]);

  // A threat: held, nothing delivered.
  await send("pay or ill post them for your followers");
  const held = page.locator('#child-messages .bubble[data-message="d4"]');
  assert.equal(await held.getAttribute("data-action"), "hold");
  assert.match(await held.textContent(), /held for review/);
  assert.doesNotMatch(await page.textContent("#child-messages"), /followers/, "the held text is not delivered");
  assert.equal(await page.locator("#child-messages .bubble").count(), 4);
  await page.locator("#demo").scrollIntoViewIfNeeded();
  const shot = join(RESULTS, "playground-message-path.png");
  await page.locator("#demo").screenshot({ path: shot });
  assert.ok(statSync(shot).size > 10_000, "the screenshot is written");

  // Report, then block: later messages are not delivered.
  await notice.locator("button.report").click();
  assert.match(await page.textContent('#child-messages .notice[data-notice="moving-apps"]'), /Reported/);
  await page.click('#child-messages .notice[data-notice="moving-apps"] button.block');
  assert.equal(await page.isDisabled("#adult-text"), true);
  assert.match(await page.textContent("#child-messages"), /You blocked this account/);

  // A German conversation gets the German notice and buttons.
  await page.click("#demo-reset");
  await send("wie alt bist du und in welche klasse gehst du?");
  await send("lass uns auf snapchat schreiben");
  const de = page.locator('#child-messages .notice[data-notice="moving-apps"]');
  assert.equal(await de.getAttribute("lang"), "de");
  assert.deepEqual(await de.locator("button").allTextContents(), ["Blockieren", "Melden"]);

  // A sender nudge (the interventions vector's layer) shows on the adult's screen.
  const layer = readFileSync(fileURLToPath(new URL("../../../tests/vectors/interventions.toml", import.meta.url)), "utf8");
  await page.fill("#policy", layer);
  await settled();
  assert.equal(await page.isHidden("#policy-error"), true, await page.textContent("#policy-error"));
  await page.click("#demo-reset");
  await send("how old are you?");
  const nudge = page.locator('#adult-messages .notice.sender[data-notice="reviewed"]');
  assert.match(await nudge.textContent(), /reviewed for safety/);
  assert.equal(await page.locator("#child-messages .notice").count(), 0, "the child sees no notice for it");
  assert.equal(await page.textContent('#child-messages .bubble[data-message="d1"] .text'), "how old are you?");
  await page.locator("#demo").screenshot({ path: join(RESULTS, "playground-sender-nudge.png") });

  // The policy editor drives the demo too: disabling the mask delivers the handle as written.
  await page.fill("#policy", '[[override]]\nintervention = "mask-contact-details"\nenabled = false\n');
  await settled();
  await page.click("#demo-reset");
  await send("my snap is sunny_d_77");
  assert.match(await page.textContent("#child-messages"), /sunny_d_77/);
  await page.fill("#policy", "");
  await settled();
  assert.doesNotMatch(await page.textContent("#child-messages"), /sunny_d_77/, "replayed under the shipped policy again");
  assert.deepEqual(errors, []);
});
