// A typed usage of the package, checked by `tsc --noEmit --strict` (tests/types.test.mjs); never
// run. It shows the API as TypeScript users see it, and what the declarations must reject.
import init, * as web from "../pkg/web/vigil_wasm.js";
import {
  Engine,
  Tracker,
  draftCaseExport,
  draftCybertipline,
  parseJsonl,
  parseMessage,
  shippedPacks,
  type BatchOptions,
  type CaseContact,
  type Channel,
  type DraftOptions,
  type Escalation,
  type Indicator,
  type IndicatorKind,
  type Intervention,
  type InterventionAction,
  type Level,
  type NoticeText,
  type MessageInput,
  type Observation,
  type PlatformWord,
  type PolicyLayer,
  type Relationship,
  type ReportDraft,
  type VigilError,
  type PolicyIntervention,
} from "../pkg/node/vigil_wasm.js";

export async function browser(): Promise<number> {
  await init(); // fetches vigil_wasm_bg.wasm next to the module
  const engine = new web.Engine();
  return engine.ruleCount;
}

export function node(queue: Escalation[]): Level | null {
  const layers: PolicyLayer[] = [
    "shipped",
    { name: "acme.toml", text: '[[override]]\nrule = "en.secrecy.dont-tell"\nenabled = false\n' },
    { name: "levels.json", text: '{"scoring": {"levels": {"review": 55}}}', format: "json" },
  ];
  const engine = new Engine(layers);
  const tracker = new Tracker(engine, 10_000);
  const msg: MessageInput = {
    conversation_id: "c-17",
    message_id: "m-3",
    timestamp: new Date(),
    sender: { id: "u-9", age_band: "adult", account_age_days: 3 },
    recipient: { id: "u-4", age_band: "minor" },
    channel: "direct",
    relationship: "stranger",
    text: "how old are you? dont tell your mum we talk",
  };
  const obs: Observation = tracker.observe(msg);
  // A platform's export as it is: integer ids, ages as digits, epoch seconds, its own words.
  const exported: MessageInput = {
    conversation_id: 4004,
    message_id: 7,
    timestamp: 1_793_556_245,
    sender: { id: 9001, age: "40", account_age_days: null },
    recipient: { id: "u-4", age: 13 },
    channel: "lobby",
    relationship: "friend",
    text: "gg",
  };
  const words: PlatformWord | undefined = tracker.observe(exported).platform?.channel;
  const kind: Channel | Relationship | undefined = words?.kind;
  void kind;
  for (const hit of obs.assessment.hits) {
    const bytes: number = hit.span.end - hit.span.start;
    if (bytes < 0) throw new Error("spans are ordered");
  }
  if (obs.escalation) {
    queue.push(obs.escalation);
    const first: string | undefined = obs.escalation.evidence[0]?.excerpt;
    void first;
    // Contact and payment details, for the people who trace accounts and money.
    const wallets: Indicator[] = (obs.escalation.indicators ?? []).filter((i) => i.kind === "wallet");
    for (const w of wallets) {
      const chain: string | undefined = w.detail;
      const valid: boolean | undefined = w.checked;
      const where: [string, number, number] = [w.message_id, w.span.start, w.span.end];
      const times: number = w.count;
      void [chain, valid, where, times];
    }
  }
  const all: Observation[] = tracker.observeAll([msg, JSON.stringify(msg)].join("\n"));
  const again: Observation[] = tracker.observeAll([msg]);
  void all;
  void again;
  // One call for a batch: observations, or with escalationsOnly the escalations alone.
  const batch: Observation[] = tracker.observeBatch([msg, JSON.stringify(msg)]);
  const lines: Observation[] = tracker.observeBatch(JSON.stringify(msg), { escalationsOnly: false });
  const raised: Escalation[] = tracker.observeBatch([msg], { escalationsOnly: true });
  const options: BatchOptions = { escalationsOnly: raised.length > 0 };
  const either: Observation[] | Escalation[] = tracker.observeBatch(parseJsonl(""), options);
  void [batch, lines, either];
  void parseMessage(JSON.stringify(msg)).sender.age_band;
  void parseJsonl("").length;
  void shippedPacks().map((p) => p.name);
  const snapshot: Uint8Array = tracker.snapshot();
  new Tracker(new Engine()).restore(snapshot);
  try {
    new Engine([{ name: "bad.toml", text: "[[rule]]" }]);
  } catch (e) {
    const err = e as VigilError;
    if (err.kind === "policy") return err.location?.line === null ? null : "watch";
  }
  return engine.levelFor(obs.risk) ?? null;
}

/** Sender cases in two stages: conversations scored apart, each sender's contacts replayed in order. */
export function twoStages(engine: Engine, messages: MessageInput[]): Escalation[] {
  const first = Tracker.withCaseContacts(engine);
  const contacts: CaseContact[] = [];
  for (const o of first.observeAll(messages)) {
    if (o.case_contact) contacts.push(o.case_contact);
    const fromOneTracker: Escalation | undefined = o.sender_escalation;
    if (fromOneTracker?.scope === "sender") {
      const counted: number = fromOneTracker.conversations?.length ?? 0;
      const where: (string | undefined)[] = fromOneTracker.evidence.map((e) => e.conversation_id);
      void [counted, where, fromOneTracker.case];
    }
  }
  const cases = new Tracker(engine);
  return contacts.flatMap((c) => cases.observeContact(JSON.stringify(c)) ?? []);
}

/** A moderator confirmed an escalation: the report draft to complete and file, or why there is none. */
export function draft(escalation: Escalation, moderator: string): ReportDraft | string {
  const options: DraftOptions = {
    reviewedBy: moderator,
    decision: "confirmed",
    reviewedAtMs: Date.now(),
    platform: "ExampleChat",
    medium: "online_gaming",
    declaredAges: { "u-4": 13 },
  };
  try {
    const report: ReportDraft = draftCybertipline(escalation, options);
    const neutral: string = draftCaseExport(JSON.stringify(escalation), options);
    void neutral;
    return report;
  } catch (e) {
    const err = e as VigilError;
    if (err.kind === "draft" && err.reason === "below_review") return `only ${err.level ?? "?"}`;
    return err.message;
  }
}

export function rejected(tracker: Tracker, msg: MessageInput, obs: Observation): void {
  // @ts-expect-error: not an age band
  tracker.observe({ ...msg, sender: { id: "a", age_band: "teen" } });
  // @ts-expect-error: the text is required
  tracker.observe({ conversation_id: "c", message_id: "m", timestamp: 0, sender: { id: "a" } });
  // @ts-expect-error: an escalation's channel is a kind, not any word
  const channel: Escalation["channel"] = "lobby";
  void channel;
  // @ts-expect-error: records use the core's snake_case names
  void obs.messageId;
  // @ts-expect-error: an indicator's kind is one of the listed kinds
  const kind: IndicatorKind = "bank_account";
  void kind;
  // @ts-expect-error: a level is not any string
  const level: Level = "high";
  void level;
  // @ts-expect-error: policy layers are names or {name, text}
  new Engine([{ toml: "" }]);
  // @ts-expect-error: a decision is one of the three
  draftCybertipline(obs.escalation!, { reviewedBy: "mod-7", decision: "maybe" });
  // @ts-expect-error: escalationsOnly gives escalations, not observations
  const notObservations: Observation[] = tracker.observeBatch([msg], { escalationsOnly: true });
  void notObservations;
  // @ts-expect-error: batch options use camelCase names
  tracker.observeBatch([msg], { escalations_only: true });
  // @ts-expect-error: draft options use camelCase names
  draftCaseExport(obs.escalation!, { reviewed_by: "mod-7", decision: "confirmed" });
}

/** What a chat delivers to the recipient, read from the observation before delivering. */
export interface Delivery {
  /** The text to deliver, or `null` while the message is held for review. */
  text: string | null;
  /** A banner for the recipient (with block and report buttons). */
  recipientNotice?: NoticeText;
  /** A notice for the sender. */
  senderNotice?: NoticeText;
}

export function deliver(tracker: Tracker, msg: MessageInput): Delivery {
  const obs: Observation = tracker.observe(msg);
  const iv: Intervention | undefined = obs.intervention;
  const text: string = msg.text;
  if (!iv) return { text };
  const action: InterventionAction = iv.action;
  const where: number[] = iv.spans.map((s) => s.end - s.start);
  void [where, iv.reason, iv.categories];
  switch (action) {
    case "hold":
      return { text: null };
    case "mask":
      return { text: iv.masked_text ?? text, recipientNotice: iv.notice };
    case "nudge_sender":
      return { text, senderNotice: iv.notice };
    case "nudge_recipient":
      return { text, recipientNotice: iv.notice };
  }
}

export function policyInterventions(engine: Engine): string[] {
  const list: PolicyIntervention[] = engine.policy().interventions ?? [];
  const texts: Record<string, string>[] = (engine.policy().notices ?? []).map((n) => n.text);
  void texts;
  // @ts-expect-error: "block" is not an intervention action
  const wrong: InterventionAction = "block";
  void wrong;
  return list.filter((i) => i.enabled).map((i) => `${i.action}:${i.id}`);
}
