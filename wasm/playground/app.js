// The policy playground: a static page. Every edit rebuilds the engine (when the policy changed)
// and replays the conversation through Vigil's WebAssembly build, in the browser.
//
// All logic lives in the core; this file only renders what it returns.

import init, { Engine, Tracker, parseJsonl, shippedPacks, version } from "../pkg/web/vigil_wasm.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const LEVELS = ["watch", "review", "urgent"];
const LEVEL_COLORS = { watch: "#c99a06", review: "#e0641b", urgent: "#c8232c", none: "#b9c0cc" };
const SERIES_COLORS = ["#2f5fd0", "#7a3fb0", "#138a72", "#b0456b", "#5b6b7f"];
const START = Date.parse("2026-11-01T18:00:00Z");
const CHANNELS = ["direct", "group", "public", "unknown"];
const RELATIONSHIPS = ["stranger", "contact", "family", "unknown"];

const DEFAULT_POLICY = `# Your platform's layer, merged on top of the shipped packs.
# Try it: uncomment a block below, change a weight or a threshold, add terms.
[policy]
id = "playground"
version = "1"

# [scoring]
# levels = { review = 60 }

# [[override]]
# rule = "en.secrecy.dont-tell"
# enabled = false

# [[override]]
# rule = "en.secrecy.dont-tell"
# add_any = ["keep it on the down low"]

# Interventions (the message-path demo below): a notice for the sender.
# [[notice]]
# id = "reviewed"
# fallback = "en"
# text.en = "Messages to young people are reviewed for safety."
#
# [[intervention]]
# id = "nudge-sender-age"
# action = "nudge_sender"
# when = { sender = ["adult"], recipient = ["minor"], relationship = ["stranger"] }
# categories = ["age-probing"]
# notice = "reviewed"
`;

// Synthetic, at safety-lexicon level.
const SAMPLE = [
  ["A", "hey, gg! ur really good at this game"],
  ["B", "thx lol"],
  ["A", "how old r u? u seem really mature"],
  ["B", "13"],
  ["A", "ur so mature for ur age. r ur parents home rn?"],
  ["A", "dont tell ur parents we talk ok? its our secret"],
  ["A", "add me on snap, its more private there"],
  ["A", "send a pic of u"],
];

// ------------------------------------------------------------------------------------------
// Conversation input: the JSON Lines text is the source of truth; the chat form appends to it.
// ------------------------------------------------------------------------------------------

function participants() {
  const age = Number.parseInt($("account-age").value, 10);
  const a = { id: "A", age_band: $("band-a").value };
  if (Number.isFinite(age) && age >= 0) a.account_age_days = age;
  return {
    A: a,
    B: { id: "B", age_band: $("band-b").value },
    // A kind's name or the platform's own word, as typed: the policy maps words to kinds.
    channel: $("channel").value.trim(),
    relationship: $("relationship").value.trim(),
  };
}

function lines() {
  return $("jsonl").value.split("\n").filter((l) => l.trim() !== "");
}

function chatMessage(speaker, text, n, timestamp) {
  const p = participants();
  const [sender, recipient] = speaker === "A" ? [p.A, p.B] : [p.B, p.A];
  return {
    conversation_id: "playground",
    message_id: `m${n}`,
    timestamp,
    sender,
    recipient,
    channel: p.channel,
    relationship: p.relationship,
    text,
  };
}

function nextTimestamp(existing) {
  for (let i = existing.length - 1; i >= 0; i--) {
    try {
      const t = Date.parse(JSON.parse(existing[i]).timestamp);
      if (Number.isFinite(t)) return new Date(t + 60_000).toISOString().replace(".000Z", "Z");
    } catch {
      // not JSON yet: keep looking
    }
  }
  return new Date(START).toISOString().replace(".000Z", "Z");
}

function appendMessage(speaker, text) {
  const existing = lines();
  const msg = chatMessage(speaker, text, existing.length + 1, nextTimestamp(existing));
  $("jsonl").value = [...existing, JSON.stringify(msg)].join("\n") + "\n";
}

/** Applies the participant settings to the messages of A and B already written. */
function applyParticipants() {
  const p = participants();
  const out = $("jsonl").value.split("\n").map((line) => {
    if (line.trim() === "") return line;
    let m;
    try {
      m = JSON.parse(line);
    } catch {
      return line;
    }
    if (!m || typeof m !== "object") return line;
    for (const role of ["sender", "recipient"]) {
      const who = m[role]?.id;
      if (who === "A" || who === "B") m[role] = { ...p[who] };
    }
    if (m.conversation_id === "playground") {
      m.channel = p.channel;
      m.relationship = p.relationship;
    }
    return JSON.stringify(m);
  });
  $("jsonl").value = out.join("\n");
}

function loadSample() {
  $("jsonl").value = "";
  for (const [speaker, text] of SAMPLE) appendMessage(speaker, text);
}

// ------------------------------------------------------------------------------------------
// Engine: rebuilt only when the policy input changes.
// ------------------------------------------------------------------------------------------

const compiled = { key: null, engine: null, error: null, examples: null, levels: null };

function engine() {
  const text = $("policy").value;
  const shipped = $("use-shipped").checked;
  const key = JSON.stringify([shipped, text]);
  if (compiled.key === key) return compiled;
  const layers = [];
  if (shipped) layers.push("shipped");
  if (text.trim() !== "") layers.push({ name: "override.toml", text, format: "toml" });
  compiled.key = key;
  try {
    const next = new Engine(layers);
    compiled.engine?.free();
    compiled.engine = next;
    compiled.error = null;
    compiled.examples = null;
    const policy = next.policy();
    compiled.levels = policy.scoring.levels;
    fillWords("channel-words", CHANNELS, policy.metadata.channel_words);
    fillWords("relationship-words", RELATIONSHIPS, policy.metadata.relationship_words);
  } catch (e) {
    compiled.error = e;
  }
  return compiled;
}

/** Offers the kinds, then every word the policy maps (with its kind), in a <datalist>. */
function fillWords(id, kinds, words) {
  $(id).replaceChildren(
    ...kinds.map((k) => el("option", { value: k })),
    ...Object.entries(words ?? {}).map(([word, kind]) => el("option", { value: word, label: `→ ${kind}` })),
  );
}

// ------------------------------------------------------------------------------------------
// Rendering helpers
// ------------------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, String(v));
    else if (k === "title") node.title = v;
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : String(c));
  }
  return node;
}

const fmt = (x) => (Math.round(x * 10) / 10).toLocaleString("en", { maximumFractionDigits: 1 });
const levelBadge = (level) => el("span", { class: `level ${level ?? "none"}` }, level ?? "none");
const chip = (cls, text, title) => el("span", { class: `chip ${cls}`, title }, text);

/** The platform's words of a message and the kinds they were scored as (`Observation.platform`). */
function platformChips(platform) {
  return ["channel", "relationship"].map((what) => {
    const w = platform?.[what];
    if (!w) return null;
    return w.mapped
      ? chip("word", `${w.word} → ${w.kind}`, `${what} word, scored as ${w.kind}`)
      : chip("word unmapped", `${w.word}: not mapped`, `${what} word no policy layer maps: scored as unknown; add it to [metadata.${what}]`);
  });
}

/** UTF-16 index of every UTF-8 byte offset of `text` (spans are byte offsets). */
function byteToIndex(text) {
  const idx = [];
  let b = 0;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i) ?? 0;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) idx[b + k] = i;
    b += n;
    i += cp > 0xffff ? 2 : 1;
  }
  idx[b] = text.length;
  return idx;
}

/** The text with every hit's span in a <mark> (overlaps split into segments). */
function highlighted(text, hits) {
  const idx = byteToIndex(text);
  const ranges = hits
    .map((h) => ({ s: idx[h.span.start] ?? text.length, e: idx[h.span.end] ?? text.length, h }))
    .filter((r) => r.s < r.e);
  const cuts = [...new Set([0, text.length, ...ranges.flatMap((r) => [r.s, r.e])])].sort((a, b) => a - b);
  const out = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [s, e] = [cuts[k], cuts[k + 1]];
    const seg = text.slice(s, e);
    const over = ranges.filter((r) => r.s <= s && r.e >= e);
    if (over.length === 0) {
      out.push(seg);
      continue;
    }
    out.push(
      el(
        "mark",
        {
          "data-rule": over.map((r) => r.h.rule).join(" "),
          "data-category": over.map((r) => r.h.category).join(" "),
          title: over.map((r) => `${r.h.rule} (${r.h.category}, ${r.h.kind}, weight ${r.h.weight})`).join("\n"),
        },
        seg,
      ),
    );
  }
  return out;
}

function time(ts) {
  const d = new Date(ts);
  return Number.isFinite(d.getTime()) ? d.toISOString().slice(0, 16).replace("T", " ") : ts;
}

// ------------------------------------------------------------------------------------------
// Panels
// ------------------------------------------------------------------------------------------

function renderMessages(messages, observations) {
  const list = $("messages");
  list.replaceChildren();
  $("messages-empty").hidden = messages.length > 0;
  messages.forEach((m, i) => {
    const o = observations[i];
    const a = o.assessment;
    const who = (p) => (p ? `${p.id} (${p.age_band})` : "group");
    list.append(
      el(
        "li",
        { class: `msg${m.sender.id === "B" ? " from-b" : ""}`, "data-level": o.level ?? "none", "data-message": m.message_id },
        el(
          "div",
          { class: "msg-head" },
          el("span", {}, `#${i + 1} ${m.message_id}`),
          el("span", {}, `${who(m.sender)} → ${who(m.recipient)}`),
          el("span", { class: "words" }, platformChips(o.platform)),
          el("span", {}, time(m.timestamp)),
          el("span", {}, `score ${fmt(a.score)}`),
          el("span", {}, `risk ${fmt(o.risk)} `, levelBadge(o.level)),
          o.escalation
            ? el("span", { class: "escalated" }, "⚑ escalation ", levelBadge(o.escalation.level))
            : null,
          o.recipient_escalation
            ? el("span", { class: "escalated" }, "⚑ recipient ", levelBadge(o.recipient_escalation.level))
            : null,
          o.sender_escalation
            ? el("span", { class: "escalated" }, "⚑ sender case ", levelBadge(o.sender_escalation.level))
            : null,
          o.out_of_order ? el("span", {}, "out of order") : null,
        ),
        el("p", { class: "msg-text" }, highlighted(m.text, a.hits)),
        a.hits.length || o.stages.length
          ? el(
              "div",
              { class: "chips" },
              a.hits.map((h) => chip("rule", h.rule, `${h.kind} match, weight ${h.weight}`)),
              a.categories.map((c) => chip("category", `${c.category} +${fmt(c.score)}`, `stage: ${c.stage}`)),
              a.modifiers.map((mo) => chip("modifier", `${mo.id} ×${mo.factor}`)),
              o.stages.map((s) => chip("stage", s, "grooming stage active in this conversation")),
              a.forced_level ? chip("category", `forces ${a.forced_level}`) : null,
              a.discloses_minor ? chip("stage", "sender discloses being a child") : null,
              a.truncated ? chip("modifier", "truncated") : null,
            )
          : null,
      ),
    );
  });
}

function renderChart(observations, levels) {
  const box = $("chart");
  box.replaceChildren();
  if (observations.length === 0) {
    box.append(el("p", { class: "muted" }, "No messages."));
    return;
  }
  const W = 640, H = 230, L = 40, R = 14, T = 12, B = 30;
  const n = observations.length;
  const maxRisk = Math.max(...observations.map((o) => o.risk));
  const yMax = Math.max(levels[2] * 1.15, maxRisk * 1.08, 10);
  const x = (i) => (n === 1 ? L + (W - L - R) / 2 : L + (i * (W - L - R)) / (n - 1));
  const y = (v) => T + (H - T - B) * (1 - v / yMax);
  const chart = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Conversation risk over time" });
  chart.append(
    svg("line", { class: "axis", x1: L, y1: y(0), x2: W - R, y2: y(0) }),
    svg("line", { class: "axis", x1: L, y1: T, x2: L, y2: y(0) }),
    svg("text", { x: L - 6, y: y(0) + 4, "text-anchor": "end" }, "0"),
  );
  LEVELS.forEach((name, k) => {
    const v = levels[k];
    chart.append(
      svg("line", { class: `threshold ${name}`, x1: L, y1: y(v), x2: W - R, y2: y(v), stroke: LEVEL_COLORS[name] }),
      svg("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(v)),
      svg("text", { x: L + 4, y: y(v) - 3, "text-anchor": "start", fill: LEVEL_COLORS[name] }, name),
    );
  });
  const step = Math.max(1, Math.ceil(n / 16));
  for (let i = 0; i < n; i += step) chart.append(svg("text", { x: x(i), y: H - 10, "text-anchor": "middle" }, i + 1));

  const series = new Map();
  observations.forEach((o, i) => {
    const key = `${o.conversation_id}: ${o.sender} → ${o.recipient ?? "group"}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key).push([i, o]);
  });
  const legend = el("div", { class: "legend" });
  [...series.entries()].forEach(([key, points], s) => {
    const color = SERIES_COLORS[s % SERIES_COLORS.length];
    chart.append(
      svg("polyline", {
        class: "series",
        points: points.map(([i, o]) => `${x(i)},${y(o.risk)}`).join(" "),
        fill: "none",
        stroke: color,
        "stroke-width": 2,
      }),
    );
    for (const [i, o] of points) {
      const dot = svg("circle", {
        class: o.escalation ? "point escalation" : "point",
        cx: x(i),
        cy: y(o.risk),
        r: o.escalation ? 6 : 3.5,
        fill: LEVEL_COLORS[o.level ?? "none"],
        stroke: o.escalation ? "#1d2330" : color,
        "stroke-width": o.escalation ? 2 : 1,
      });
      dot.append(svg("title", {}, `#${i + 1} ${o.message_id}: risk ${fmt(o.risk)} (${o.level ?? "no level"})${o.escalation ? ", escalated" : ""}`));
      chart.append(dot);
    }
    legend.append(el("span", {}, el("i", { style: `background:${color}` }), key));
  });
  legend.append(el("span", {}, "dots: level; ringed: escalation"));
  box.append(chart, legend);
}

function renderEscalations(observations) {
  const box = $("escalations");
  box.replaceChildren();
  // Every escalation of a message, in the core's order: the conversation's, the recipient's
  // view's, the sender's case's.
  const escalations = observations
    .flatMap((o) => [o.escalation, o.recipient_escalation, o.sender_escalation])
    .filter(Boolean);
  $("escalation-count").textContent = `(${escalations.length})`;
  if (escalations.length === 0) {
    box.append(el("p", { class: "muted", id: "no-escalations" }, "No escalation: the conversation stays below every level."));
    return;
  }
  for (const e of escalations) {
    const hints = [...e.report_hints.incident_types, ...e.report_hints.annotations];
    box.append(
      el(
        "article",
        { class: "escalation", "data-level": e.level, "data-message": e.message_id, "data-scope": e.scope ?? "conversation" },
        el(
          "h3",
          {},
          levelBadge(e.level),
          `${{ sender: "Sender escalation", recipient: "Recipient escalation" }[e.scope] ?? "Escalation"} ${e.sequence}`,
          el(
            "small",
            {},
            `at ${e.scope === "sender" ? `${e.conversation_id}/` : ""}${e.message_id} · ${e.scope === "sender" ? "points" : "risk"} ${fmt(e.risk)}${e.previous_level ? ` · was ${e.previous_level}` : ""}${e.case ? ` · case ${e.case}` : ""}`,
          ),
        ),
        e.conversations?.length
          ? el(
              "p",
              { class: "case-conversations" },
              `Conversations: ${e.conversations
                .map((c) => `${c.conversation_id}${c.recipient ? ` → ${c.recipient}` : ""} ${c.level ?? "contact"} (${fmt(c.points)} points)`)
                .join(", ")}`,
            )
          : null,
        el("ul", { class: "reasons" }, e.reasons.map((r) => el("li", {}, r))),
        el(
          "div",
          { class: "chips" },
          e.categories.map((c) => chip("category", `${c.id} ${fmt(c.score)}`, c.summary)),
          e.timeline.map((t) => chip("stage", t.stage, `first at ${t.first_message_id}`)),
          e.modifiers.map((m) => chip("modifier", m)),
        ),
        el(
          "ul",
          { class: "evidence" },
          e.evidence.map((ev) =>
            el(
              "li",
              {},
              ev.conversation_id ? el("code", {}, `${ev.conversation_id}/`) : null,
              el("code", {}, ev.message_id),
              " ",
              el("code", {}, ev.rule),
              ev.excerpt !== undefined ? ` “${ev.excerpt}”` : ` bytes ${ev.span.start}–${ev.span.end}`,
            ),
          ),
        ),
        renderIndicators(e.indicators ?? []),
        hints.length ? el("p", { class: "action" }, `Report hints: ${hints.join(", ")}`) : null,
        e.recommended_action ? el("p", { class: "action" }, e.recommended_action) : null,
      ),
    );
  }
}

/** An escalation's contact and payment details as a small table (nothing when it lists none). */
function renderIndicators(indicators) {
  if (indicators.length === 0) return null;
  const checksum = (c) => (c === undefined ? "—" : c ? "✓" : "✗");
  return el(
    "table",
    { class: "indicators" },
    el("caption", {}, "Indicators"),
    el("thead", {}, el("tr", {}, ["kind", "value", "detail", "checksum", "first message", "count"].map((h) => el("th", {}, h)))),
    el(
      "tbody",
      {},
      indicators.map((i) =>
        el(
          "tr",
          { "data-kind": i.kind },
          el("td", {}, i.kind.replace("_", " ")),
          el("td", {}, el("code", {}, i.value)),
          el("td", {}, i.detail ?? "—"),
          el("td", { title: i.checked === undefined ? "no checksum in this format" : undefined }, checksum(i.checked)),
          el("td", {}, el("code", {}, i.message_id)),
          el("td", {}, String(i.count)),
        ),
      ),
    ),
  );
}

function renderExamples(engine) {
  const box = $("examples");
  box.replaceChildren();
  const failures = engine.checkExamples();
  const failed = new Set(failures.map((f) => `${f.rule}\u0000${f.expected_hit}\u0000${f.text}`));
  const rules = engine.policy().rules.filter((r) => r.enabled && r.examples);
  const total = rules.reduce((n, r) => n + r.examples.hit.length + r.examples.miss.length, 0);
  $("examples-count").textContent = `(${total} in ${rules.length} rules)`;
  box.className = "examples";
  box.append(
    failures.length === 0
      ? el("p", { class: "pass", id: "examples-summary" }, `✓ All ${total} examples pass.`)
      : el("p", { class: "fail", id: "examples-summary" }, `✗ ${failures.length} of ${total} examples fail:`),
  );
  if (failures.length) {
    box.append(
      el(
        "ul",
        {},
        failures.map((f) =>
          el("li", {}, el("code", {}, f.rule), ` should ${f.expected_hit ? "match" : "not match"} “${f.text}” — ${f.location}`),
        ),
      ),
    );
  }
  const row = (r) => {
    const ex = (text, hit) => {
      const ok = !failed.has(`${r.id}\u0000${hit}\u0000${text}`);
      return el("div", { class: ok ? "pass" : "fail" }, `${ok ? "✓" : "✗"} ${hit ? "hit" : "miss"}: ${text}`);
    };
    return el(
      "tr",
      {},
      el("td", {}, el("code", {}, r.id)),
      el("td", {}, r.examples.hit.map((t) => ex(t, true)), r.examples.miss.map((t) => ex(t, false))),
    );
  };
  box.append(el("details", {}, el("summary", {}, "Every example, by rule"), el("table", {}, rules.map(row))));
}

// ------------------------------------------------------------------------------------------
// Replay
// ------------------------------------------------------------------------------------------

function showError(id, error) {
  const box = $(id);
  box.hidden = !error;
  box.textContent = error ? String(error.message ?? error) : "";
  $(id.replace("-error", "")).setAttribute("aria-invalid", error ? "true" : "false");
}

function replay() {
  const c = engine();
  showError("policy-error", c.error);
  const outputs = document.querySelector(".outputs");
  if (!c.engine) {
    outputs.classList.add("stale");
    renderDemo();
    return;
  }
  renderDemo();
  const e = c.engine;
  $("policy-info").textContent =
    `${c.error ? "Showing the last policy that compiled: " : ""}policy ${e.policyId} ${e.policyVersion} · ${e.ruleCount} rules · ${e.policyHash.slice(0, 19)}…`;
  if (!c.examples) {
    renderExamples(e);
    c.examples = true;
  }

  const doc = $("jsonl").value;
  let messages, observations;
  const tracker = new Tracker(e);
  try {
    messages = parseJsonl(doc);
    observations = tracker.observeAll(doc);
    showError("jsonl-error", null);
  } catch (err) {
    showError("jsonl-error", err);
    outputs.classList.add("stale");
    return;
  } finally {
    tracker.free();
  }
  outputs.classList.toggle("stale", Boolean(c.error));
  renderMessages(messages, observations);
  renderChart(observations, c.levels);
  renderEscalations(observations);
}

// Compiling a policy takes a few hundred milliseconds: wait for a pause in policy edits.
let timer = 0;
function schedule(delay = 120) {
  clearTimeout(timer);
  document.body.dataset.pending = "true"; // for the browser tests: input not replayed yet
  timer = setTimeout(run, delay);
}

function run() {
  clearTimeout(timer);
  try {
    replay();
  } catch (err) {
    // A bug, not an input problem: say so rather than fail silently.
    $("status").dataset.state = "error";
    $("status").textContent = `Internal error: ${err.message ?? err}`;
  } finally {
    document.body.dataset.pending = "false";
  }
}

// ------------------------------------------------------------------------------------------
// The message path: two screens of one chat. Each message is observed before it is delivered,
// and the observation's `intervention` decides what the other screen shows.
// ------------------------------------------------------------------------------------------

// The child's buttons, in the languages the shipped notices are written in.
const NOTICE_BUTTONS = {
  en: ["Block", "Report"],
  de: ["Blockieren", "Melden"],
  es: ["Bloquear", "Denunciar"],
  fr: ["Bloquer", "Signaler"],
  it: ["Blocca", "Segnala"],
  nl: ["Blokkeren", "Melden"],
  pl: ["Zablokuj", "Zgłoś"],
  pt: ["Bloquear", "Denunciar"],
};
const DEMO_START = Date.parse("2026-11-20T17:00:00Z");

/** The chat's messages as sent ([who, text]), and what the child did. */
const demo = { sent: [], blockedAfter: null, reported: new Set() };

function demoMessage(who, text, n) {
  const age = Number.parseInt($("demo-account-age").value, 10);
  const adult = { id: "adult-1", age_band: "adult" };
  if (Number.isFinite(age) && age >= 0) adult.account_age_days = age;
  const child = { id: "child-1", age_band: "minor" };
  const [sender, recipient] = who === "adult" ? [adult, child] : [child, adult];
  return {
    conversation_id: "message-path",
    message_id: `d${n}`,
    timestamp: new Date(DEMO_START + n * 60_000).toISOString().replace(".000Z", "Z"),
    sender,
    recipient,
    channel: "direct",
    relationship: $("demo-relationship").value,
    text,
  };
}

/** What each screen shows of one observed message. */
function delivery(who, text, intervention) {
  const iv = intervention ?? null;
  if (!iv) return { text, action: "deliver" };
  switch (iv.action) {
    case "hold":
      return { text: null, action: "hold", iv };
    case "mask":
      return { text: iv.masked_text ?? text, action: "mask", iv, recipientNotice: iv.notice };
    case "nudge_sender":
      return { text, action: "nudge_sender", iv, senderNotice: iv.notice };
    case "nudge_recipient":
      return { text, action: "nudge_recipient", iv, recipientNotice: iv.notice };
    default:
      return { text, action: iv.action, iv };
  }
}

function noticeBox(notice, n, forRecipient) {
  const [block, report] = NOTICE_BUTTONS[notice.language] ?? NOTICE_BUTTONS.en;
  const box = el(
    "li",
    { class: `notice ${forRecipient ? "recipient" : "sender"}`, "data-notice": notice.id, "data-message": `d${n}`, lang: notice.language, role: "note" },
    el("p", {}, notice.text),
  );
  if (!forRecipient) return box;
  if (demo.blockedAfter !== null) {
    box.append(el("p", { class: "done" }, "You blocked this account."));
  } else {
    const blockBtn = el("button", { type: "button", class: "block" }, block);
    blockBtn.addEventListener("click", () => {
      demo.blockedAfter = demo.sent.length;
      renderDemo();
    });
    let reportBtn = null;
    if (!demo.reported.has(n)) {
      reportBtn = el("button", { type: "button", class: "report" }, report);
      reportBtn.addEventListener("click", () => {
        demo.reported.add(n);
        renderDemo();
      });
    }
    box.append(el("div", { class: "notice-actions" }, blockBtn, reportBtn));
    if (demo.reported.has(n)) box.append(el("p", { class: "done" }, "Reported. Thank you: a moderator will look at it."));
  }
  return box;
}

function renderDemo() {
  const adultList = $("adult-messages");
  const childList = $("child-messages");
  const c = compiled;
  if (!c.engine) {
    adultList.replaceChildren();
    childList.replaceChildren(el("li", { class: "system" }, "No policy compiles: fix the policy above."));
    return;
  }
  const messages = demo.sent.map(([who, text], i) => demoMessage(who, text, i + 1));
  const tracker = new Tracker(c.engine);
  let observations;
  try {
    observations = tracker.observeAll(messages);
  } finally {
    tracker.free();
  }
  const adult = [];
  const child = [];
  messages.forEach((m, i) => {
    const n = i + 1;
    const who = demo.sent[i][0];
    const d = delivery(who, m.text, observations[i].intervention);
    const blocked = demo.blockedAfter !== null && i >= demo.blockedAfter;
    const [mine, theirs] = who === "adult" ? [adult, child] : [child, adult];
    const attrs = { "data-message": `d${n}`, "data-action": d.action };
    // The sender's screen: what they wrote, and a sender notice before it goes out.
    if (d.senderNotice) mine.push(noticeBox(d.senderNotice, n, false));
    mine.push(
      el("li", { class: "bubble mine", ...attrs, title: d.iv ? `${d.iv.id}: ${d.iv.reason ?? ""}` : null },
        el("span", { class: "text" }, m.text),
        el("span", { class: "meta" }, blocked ? "not delivered (blocked)" : d.action === "deliver" ? "delivered" : `engine: ${d.action}`)),
    );
    // The recipient's screen: what is delivered.
    if (blocked) return;
    if (d.action === "hold") {
      theirs.push(el("li", { class: "bubble held", ...attrs }, "A message is held for review: nothing is delivered until a moderator has looked at it."));
      return;
    }
    theirs.push(
      el("li", { class: `bubble${d.action === "mask" ? " masked" : ""}`, ...attrs },
        el("span", { class: "text" }, d.text),
        d.action === "mask" ? el("span", { class: "meta" }, "contact details hidden") : null),
    );
    if (d.recipientNotice) theirs.push(noticeBox(d.recipientNotice, n, true));
  });
  if (demo.blockedAfter !== null) child.push(el("li", { class: "system" }, "You blocked this account."));
  adultList.replaceChildren(...adult);
  childList.replaceChildren(...child);
  $("adult-text").disabled = demo.blockedAfter !== null;
  $("child-text").disabled = demo.blockedAfter !== null;
}

function demoSend(who, input) {
  const text = input.value;
  if (text.trim() === "") return;
  demo.sent.push([who, text]);
  input.value = "";
  engine(); // compiles a changed policy now, rather than after the debounce
  renderDemo();
}

// ------------------------------------------------------------------------------------------
// Start
// ------------------------------------------------------------------------------------------

async function main() {
  try {
    await init();
  } catch (err) {
    $("status").dataset.state = "error";
    $("status").textContent = `Could not load the WebAssembly build: ${err.message ?? err}`;
    return;
  }
  $("packs").textContent = `(${shippedPacks().map((p) => p.name).join(", ")})`;
  $("policy").value = DEFAULT_POLICY;
  loadSample();

  $("policy").addEventListener("input", () => schedule(350));
  $("use-shipped").addEventListener("change", () => schedule());
  $("jsonl").addEventListener("input", () => schedule());
  for (const id of ["band-a", "band-b", "channel", "relationship", "account-age"]) {
    $(id).addEventListener("change", () => {
      applyParticipants();
      schedule();
    });
  }
  $("chat-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = $("chat-text").value;
    if (text.trim() === "") return;
    appendMessage($("speaker").value, text);
    $("chat-text").value = "";
    run();
  });
  $("load-sample").addEventListener("click", () => {
    loadSample();
    run();
  });
  $("adult-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    demoSend("adult", $("adult-text"));
  });
  $("child-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    demoSend("child", $("child-text"));
  });
  for (const id of ["demo-account-age", "demo-relationship"]) $(id).addEventListener("change", () => renderDemo());
  $("demo-reset").addEventListener("click", () => {
    demo.sent = [];
    demo.blockedAfter = null;
    demo.reported.clear();
    renderDemo();
  });
  $("clear").addEventListener("click", () => {
    $("jsonl").value = "";
    run();
  });

  run();
  $("status").dataset.state = "ready";
  $("status").textContent = `Ready · vigil-wasm ${version()} running in your browser`;
}

main();
