// ---------------------------------------------------------------------------------------------
// Records that cross the boundary (hand-written; checked against real output by
// wasm/tests/types.test.mjs). Field names are the core's JSON names (snake_case), exactly as in
// `Observation::to_json()`, the golden vectors and `vigil.escalation/1` documents.
// ---------------------------------------------------------------------------------------------

/** What the platform knows of a participant's age, from age assurance or declaration. */
export type AgeBand = "minor" | "adult" | "unknown";
/**
 * A kind of channel: what scoring knows. Messages say the platform's own word (`"dm"`, `"lobby"`,
 * `"game"`); the policy's `[metadata.channel]` table maps it to one of these.
 */
export type Channel = "direct" | "group" | "public" | "unknown";
/**
 * A kind of relationship from sender to recipient: what scoring knows. Messages say the platform's
 * own word (`"friend"`, `"follower"`); the policy's `[metadata.relationship]` table maps it to one
 * of these.
 */
export type Relationship = "stranger" | "contact" | "family" | "unknown";
/**
 * A channel as a message says it: a kind's name (`"direct"`, `"group"`, `"public"`, `"unknown"`)
 * or the platform's own word (`"dm"`, `"lobby"`, `"game"`, `"party"`, any string). The policy's
 * `[metadata.channel]` table maps words to kinds, without case and with `-`, `_` and spaces alike;
 * a word it does not list is scored as `unknown` (and reported in `Observation.platform`).
 */
export type ChannelWord = Channel | (string & {});
/**
 * A relationship as a message says it: a kind's name (`"stranger"`, `"contact"`, `"family"`,
 * `"unknown"`) or the platform's own word (`"friend"`, `"follower"`, any string), mapped by the
 * policy's `[metadata.relationship]` table like channels.
 */
export type RelationshipWord = Relationship | (string & {});
/** How urgently a conversation needs a human, lowest first. */
export type Level = "watch" | "review" | "urgent";
/** How a rule matched: a literal term, terms near each other, or a regex pattern. */
export type HitKind = "term" | "near" | "pattern" | "combination";
/** An instant: RFC 3339 text in UTC, as the core writes it (`2026-11-01T18:04:05Z`). */
export type Timestamp = string;

/**
 * A participant as given to Vigil. Read leniently, as platforms export it: an integer id is read as
 * its digits; ages may be numbers or digits in a string (a fraction is cut; anything else is
 * ignored).
 */
export interface ParticipantInput {
  /** The platform's opaque id for the account (not empty); an integer is read as its digits. */
  id: string | number;
  /**
   * The age band; `unknown` when absent or `null`. At run time the core also reads the bands in
   * any case, and any other word as `unknown` (a platform's export is never refused for it); the
   * declarations take only the bands, so that a typo does not silently lose a minor's band.
   */
  age_band?: AgeBand | null;
  /** Age in years (a number or digits); gives the band when `age_band` is unknown (a minor below the policy's `metadata.adult_age`, 18 in the shipped packs). */
  age?: number | string | null;
  /** Days since the account was created (a number or digits). */
  account_age_days?: number | string | null;
}

/**
 * One chat message as given to Vigil: this object, or its JSON text, read leniently by the core as
 * `vigil scan` reads JSON Lines. Unknown fields are ignored at run time; a missing or unreadable
 * required field (ids, timestamp, text) throws a `VigilError` naming it.
 */
export interface MessageInput {
  /** The conversation (thread, DM channel, group) the message belongs to; an integer is read as its digits. */
  conversation_id: string | number;
  /** The message's id, unique within the conversation; evidence refers to it. An integer is read as its digits. */
  message_id: string | number;
  /**
   * RFC 3339 text (a space may stand for the `T`), a `Date`, or a number of epoch seconds,
   * milliseconds, microseconds or nanoseconds (or its digits in a string), told apart by
   * magnitude: below 10¹¹ seconds, below 10¹⁴ milliseconds, below 10¹⁷ microseconds, else
   * nanoseconds (`Date.now()` is milliseconds; every date from 1973 on reads the same in each unit).
   */
  timestamp: string | number | Date;
  /** Who sent it. */
  sender: ParticipantInput;
  /** To whom, in direct channels; absent or `null` in group and public channels. */
  recipient?: ParticipantInput | null;
  /** The channel: a kind's name or the platform's own word (not given when absent or `null`). */
  channel?: ChannelWord | null;
  /** The relationship from sender to recipient: a kind's name or the platform's own word (not given when absent or `null`). */
  relationship?: RelationshipWord | null;
  /** The text as the user typed it. Spans are UTF-8 byte offsets into it. */
  text: string;
}

/** A participant as the core reads it back (see `parseMessage`). */
export interface Participant {
  id: string;
  age_band: AgeBand;
  age?: number;
  account_age_days?: number;
}

/**
 * A message as the core reads it (see `parseMessage`): ids as strings, timestamp in UTC, words as
 * written.
 */
export interface Message {
  conversation_id: string;
  message_id: string;
  timestamp: Timestamp;
  sender: Participant;
  recipient?: Participant;
  /** The channel word as written; absent when not given. */
  channel?: ChannelWord;
  /** The relationship word as written; absent when not given. */
  relationship?: RelationshipWord;
  text: string;
}

/** One metadata word as the platform wrote it, and what it was scored as. */
export interface PlatformWord {
  /** The word as the message wrote it (`"Lobby"`). */
  word: string;
  /** The kind it was scored as (`"public"`, `"contact"`; `"unknown"` when not mapped). */
  kind: Channel | Relationship;
  /** Whether a policy layer maps the word. `false`: scored as `unknown`; map it in the policy's `[metadata]` table. */
  mapped: boolean;
}

/**
 * The platform's own channel and relationship words of a message, when they are not kinds'
 * names, with the kind each was scored as.
 */
export interface PlatformMetadata {
  /** The channel word, when the message wrote one that is not a kind's name. */
  channel?: PlatformWord;
  /** The relationship word, when the message wrote one that is not a kind's name. */
  relationship?: PlatformWord;
}

/**
 * A byte range of a message's ORIGINAL text, as UTF-8 byte offsets on character boundaries
 * (not UTF-16 indices: convert with `TextEncoder` for non-ASCII text).
 */
export interface Span {
  /** First byte. */
  start: number;
  /** One past the last byte. */
  end: number;
}

/** One rule that fired on a message. */
export interface Hit {
  /** Rule id. */
  rule: string;
  /** Category id. */
  category: string;
  /** How it matched. */
  kind: HitKind;
  /** The rule's weight. */
  weight: number;
  /** What it matched (the rule's first match). */
  span: Span;
  /** How the text was evaded where it matched, if it was. */
  evasion?: Evasion;
}

/** A way of writing a word so that a plain list of words misses it. */
export type Evasion =
  | "leetspeak"
  | "spaced"
  | "stretched"
  | "lookalike"
  | "compatibility"
  | "invisible"
  | "stacked_marks";

/** A language (ISO 639-1 code) with a share of a conversation's evidence or a guess's confidence, in [0, 1]. */
export interface LanguageShare {
  language: string;
  share: number;
}

/** The language of a message and its conversation, and the language packs that applied. */
export interface LanguageReport {
  /** The message's own language, when it was identified. */
  message?: LanguageShare;
  /** The conversation's estimate, strongest first. */
  conversation: LanguageShare[];
  /** Languages whose packs applied; absent when every pack did. */
  packs?: string[];
  /** Rules whose text matched but whose pack's language is not plausible here. */
  out_of_scope?: string[];
}

/** A category's contribution to one message's score. */
export interface CategoryScore {
  /** Category id. */
  category: string;
  /** The grooming stage it evidences. */
  stage: string;
  /** Points, after the category's message cap and the modifiers. */
  score: number;
}

/** A metadata modifier that applied to a message. */
export interface AppliedModifier {
  /** Modifier id. */
  id: string;
  /** The factor it applied. */
  factor: number;
}

/** The assessment of one message: which rules fired, where, and the score they make. */
export interface Assessment {
  /** Message score: the sum of category scores (after caps and modifiers). */
  score: number;
  /** The score before modifiers. */
  base_score: number;
  /** Rules that fired, in policy order. */
  hits: Hit[];
  /** Category contributions, in policy order. */
  categories: CategoryScore[];
  /** Modifiers applied (only when some rule fired). */
  modifiers: AppliedModifier[];
  /** The highest level a fired rule forces, if any. */
  forced_level?: Level;
  /** A fired rule says the sender disclosed being a child. */
  discloses_minor: boolean;
  /** The text was longer than the policy's `max_message_bytes` and was assessed up to it. */
  truncated: boolean;
}

/** What observing one message produced. */
export interface Observation {
  conversation_id: string;
  message_id: string;
  timestamp: Timestamp;
  /** The sender's id. */
  sender: string;
  /** The recipient of the conversation key (`null` in group and public channels). */
  recipient: string | null;
  /** The message's assessment, under what the conversation knows (inferred ages, fan-out). */
  assessment: Assessment;
  /** Conversation risk of the key after this message. */
  risk: number;
  /** The key's level after this message. */
  level: Level | null;
  /** Stages active for the key, in policy order. */
  stages: string[];
  /** The message was older than the last one of its key. */
  out_of_order: boolean;
  /** The policy's level ceiling that held the key's level down, if one did. */
  capped_by?: string;
  /** The language of the message and its conversation (with language scoping only). */
  language?: LanguageReport;
  /** The message's channel and relationship words, when it wrote words that are not kinds' names (`"lobby"`, `"friend"`). */
  platform?: PlatformMetadata;
  /** An escalation, when the level rose or a new category joined. */
  escalation: Escalation | null;
  /** An escalation of the recipient's view (`scope: "recipient"`): in a public channel, every sender's messages addressed to one minor (a streamer) add up. */
  recipient_escalation?: Escalation;
  /** An escalation of the sender's case (`scope: "sender"`): the sender's conversations with minors, added up, crossed the policy's sender levels, or another minor's conversation joined the case at its level (only with the policy's `[senders]`). */
  sender_escalation?: Escalation;
  /** What to do with the message before delivering it (the policy's `[[intervention]]`s): absent when nothing is to be done. Read it before delivering: deliver `masked_text` for `mask`, nothing for `hold` (until a moderator reviewed it). */
  intervention?: Intervention;
  /** What the sender's case recorded of this message, for a second stage (`Tracker.observeContact`): only from a tracker made with `Tracker.withCaseContacts`, for a risky message, with the policy's `[senders]`. Pass it on as it is. */
  case_contact?: CaseContact;
}

/**
 * What an intervention tells the app to do with a message in the path:
 * - `nudge_recipient`: deliver it, and show the recipient (the child) `notice` with block and report buttons;
 * - `nudge_sender`: show the sender `notice` (friction) and deliver it;
 * - `mask`: deliver `masked_text` instead of the text (contact details replaced); `notice`, when present, is shown to the recipient as for `nudge_recipient`;
 * - `hold`: deliver nothing until a moderator reviewed the message.
 * When several apply the strongest wins: hold, mask, nudge_sender, nudge_recipient.
 */
export type InterventionAction = "nudge_recipient" | "nudge_sender" | "mask" | "hold";

/** A notice in one language (`Intervention.notice`): the policy's `[[notice]]` text for the conversation's language, else its fallback. */
export interface NoticeText {
  /** The policy's notice id (`"moving-apps"`). */
  id: string;
  /** The language of `text` (ISO 639-1). */
  language: string;
  /** The text to show. */
  text: string;
}

/** What to do with one message now, and why (`Observation.intervention`). */
export interface Intervention {
  action: InterventionAction;
  /** The policy's intervention that decided (`"mask-contact-details"`). */
  id: string;
  /** Its plain-words reason, for moderators and logs; never shown to the sender. */
  reason?: string;
  /** The message's categories that triggered it (empty for an intervention that lists none). */
  categories: string[];
  /** The evidence: the triggering hits' spans, or for `mask` the masked details (UTF-8 byte offsets into the original text). */
  spans: Span[];
  /** The notice a nudge (or a mask that carries one) shows, in the conversation's language. */
  notice?: NoticeText;
  /** For `mask`: the text to deliver, each masked detail replaced by the policy's replacement (`"•••"`). */
  masked_text?: string;
}

/**
 * A risky message as a sender's case records it (`Observation.case_contact`), for a second stage
 * that builds sender cases apart from conversations (`Tracker.observeContact`): opaque data in
 * the core's own format, passed on as it is (as an object or as its JSON text).
 */
export type CaseContact = Record<string, unknown>;

/** A participant as an escalation names them: id and age band, never more. */
export interface ParticipantRef {
  id: string;
  age_band: AgeBand;
  /** The participant disclosed being a child in the conversation. */
  probable_minor: boolean;
}

/** A category's share of conversation risk. */
export interface EscalatedCategory {
  id: string;
  /** Its grooming stage. */
  stage: string;
  /** Decayed points. */
  score: number;
  /** The policy's plain-words summary. */
  summary: string;
}

/** One piece of evidence: which rule matched which bytes of which message. */
export interface EvidenceItem {
  message_id: string;
  timestamp: Timestamp;
  rule: string;
  category: string;
  /** Byte offsets into that message's original text. */
  span: Span;
  /** The matched text (and context), only where the policy allows. */
  excerpt?: string;
  /** Who sent the message, in a recipient's view (`scope: "recipient"`) only. */
  sender?: string;
  /** The message's conversation, in a sender escalation (`scope: "sender"`) only. */
  conversation_id?: string;
}

/** When a grooming stage first and last appeared. */
export interface TimelineEntry {
  stage: string;
  first_message_id: string;
  first_seen: Timestamp;
  last_seen: Timestamp;
  /** The conversation of the first message, in a sender escalation (`scope: "sender"`) only. */
  conversation_id?: string;
}

/** One conversation of a sender case, as a sender escalation lists it (`Escalation.conversations`). */
export interface CaseConversation {
  conversation_id: string;
  /** The recipient of the sender's messages (absent in group and public channels). */
  recipient?: string;
  /** The recipient is a minor (declared, or disclosed being a child). */
  minor: boolean;
  /** The highest level the conversation reached (`null`: risky messages below `watch`). */
  level: Level | null;
  /** The points it adds to the sender's case, by that level. */
  points: number;
  /** The conversation's risk after the sender's last risky message in it. */
  risk: number;
  /** The categories holding points in it then, strongest first. */
  categories: string[];
  /** The sender's first risky message in it. */
  first_message_id: string;
  first_seen: Timestamp;
  /** The sender's last risky message in it. */
  last_message_id: string;
  last_seen: Timestamp;
  /** The sender's risky messages in it. */
  messages: number;
}

/** The policy that produced an escalation. */
export interface PolicyRef {
  /** Layer ids joined with `+`. */
  id: string;
  /** Layer versions joined with `+`. */
  version: string;
  /** Content hash of the resolved policy (`sha256:…`). */
  hash: string;
}

/** Hints for a hotline report a human may file after review. */
export interface ReportHints {
  incident_types: string[];
  annotations: string[];
  /** Where the report takes each of the escalation's indicators, by the policy's `[indicators.report]` (absent when none). */
  indicators?: IndicatorHint[];
}

/** One indicator of an escalation and the report field the policy takes it to. */
export interface IndicatorHint {
  /** The report field, as the policy names it (e.g. a CyberTipline element path). */
  field: string;
  kind: IndicatorKind;
  /** Its value (as in `Escalation.indicators`). */
  value: string;
}

/** The kind of a contact or payment detail an escalation lists. */
export type IndicatorKind = "phone" | "email" | "handle" | "invite_link" | "payment_handle" | "wallet" | "gift_card";

/**
 * A contact or payment detail the sender wrote in the conversation — phone number, e-mail
 * address, handle, invite link, payment handle, wallet address or gift-card code — where it was
 * first seen and how often. What the text contains, not who owns it.
 */
export interface Indicator {
  kind: IndicatorKind;
  /** The value, normalized (`+447700900123`, `coolkid_22`, `$name`, an IBAN without spaces, a wallet address, a gift code upper-case without separators). */
  value: string;
  /** The app of a handle or link, the service of a payment handle (`cashapp`, `paypal`, `venmo`, `iban`), the chain of a wallet, the brand of a gift card, `obfuscated` for an e-mail written with words. */
  detail?: string;
  /** The checksum result where the format has one (IBAN, Base58Check, Bech32, EIP-55, Monero, Luhn). */
  checked?: boolean;
  /** The message it was first seen in. */
  message_id: string;
  /** Byte offsets into that message's original text. */
  span: Span;
  /** How many times the sender wrote it in the conversation. */
  count: number;
}

/** A `vigil.escalation/1` document for moderators (JSON Schema: `escalationSchema()`). */
export interface Escalation {
  schema: "vigil.escalation/1";
  conversation_id: string;
  /** Whose messages it weighs: absent for one sender's in a conversation (the default), `"recipient"` for every sender's messages to one minor in a public channel, `"sender"` for one sender's across conversations (the sender's case). */
  scope?: "recipient" | "sender";
  /** The sender's case reference (`sender-` and 16 hex digits): the same in every escalation of one sender, conversations' and sender escalations alike (only with the policy's `[senders]`; absent in a recipient's view). */
  case?: string;
  /** 1 for the first escalation of this conversation key, then 2, 3, … */
  sequence: number;
  level: Level;
  /** The level of the previous escalation of this key (`null` for the first). */
  previous_level: Level | null;
  /** The message that raised it. */
  message_id: string;
  raised_at: Timestamp;
  participants: { sender: ParticipantRef; recipient: ParticipantRef | null };
  /** The kind of channel of the raising message (its word mapped by the policy). */
  channel: Channel;
  /** The kind of relationship of the raising message. */
  relationship: Relationship;
  /** The raising message's own channel and relationship words, when they are not kinds' names. */
  platform?: PlatformMetadata;
  /** Conversation risk (decayed category scores plus stage bonus). */
  risk: number;
  /** Categories holding points, strongest first. */
  categories: EscalatedCategory[];
  /** Reasons in plain words. */
  reasons: string[];
  /** The messages and spans that caused it. */
  evidence: EvidenceItem[];
  /** Grooming stages in the order they appeared. */
  timeline: TimelineEntry[];
  /** Modifiers that applied over the conversation. */
  modifiers: string[];
  policy: PolicyRef;
  /** What the policy recommends at this level. */
  recommended_action: string | null;
  report_hints: ReportHints;
  /** The conversation's languages as estimated so far, strongest first (with language scoping only). */
  language?: LanguageShare[];
  /** Contact and payment details the conversation named, first sighting first (absent when none). */
  indicators?: Indicator[];
  /** In a sender escalation (`scope: "sender"`): the sender's conversations that count, in the order they began (absent otherwise). */
  conversations?: CaseConversation[];
}

/** A pack example that did not behave as written (see `Engine.checkExamples`). */
export interface ExampleFailure {
  /** Rule id. */
  rule: string;
  /** The example text. */
  text: string;
  /** `true` for a `hit` example that did not match, `false` for a `miss` that did. */
  expected_hit: boolean;
  /** Where the rule is defined (`source:line:column: rule …, field …`). */
  location: string;
}

/** The two normalized views of a text (see `Engine.normalized`). */
export interface NormalizedText {
  /** What literal terms and `near` groups match against. */
  terms: string;
  /** What regex patterns match against (lightly normalized). */
  patterns: string;
}

/** Counters of a tracker's work and evictions. */
export interface TrackerStats {
  keys: number;
  observed: number;
  escalations: number;
  evicted_capacity: number;
  evicted_idle: number;
  out_of_order: number;
}

/** Options of `Tracker.observeBatch`. */
export interface BatchOptions {
  /**
   * Return only the escalations raised (conversation, recipient and sender escalations, message
   * by message, in the order `vigil scan` prints them) instead of one observation per message.
   */
  escalationsOnly?: boolean;
}

/** A batch of messages for `Tracker.observeBatch`: message objects or their JSON text, or a JSON Lines document. */
export type MessageBatch = (MessageInput | string)[] | string;

// `Tracker.observeBatch` (declared here, merged into the generated `Tracker` class, so that its
// result type follows `escalationsOnly`).
export interface Tracker {
  /**
   * Observes a batch of messages in one call, in order, with exactly the results of observing
   * them one by one. Every message is read first: a bad one (named by its `line` or `index`)
   * throws a `VigilError` (kind `message`) before any is observed.
   */
  observeBatch(messages: MessageBatch, options: BatchOptions & { escalationsOnly: true }): Escalation[];
  observeBatch(messages: MessageBatch, options?: BatchOptions & { escalationsOnly?: false }): Observation[];
  observeBatch(messages: MessageBatch, options?: BatchOptions): Observation[] | Escalation[];
}

/** A shipped policy pack: its name and TOML text. */
export interface ShippedPack {
  name: string;
  text: string;
}

/** A policy layer given as text. */
export interface PolicySource {
  /** The name errors cite, such as `acme.toml`. */
  name: string;
  /** TOML or JSON text. */
  text: string;
  /** The format; by default JSON when `name` ends in `.json` or `text` starts with `{`, else TOML. */
  format?: "toml" | "json";
}

/**
 * One policy layer: `"shipped"` (every shipped pack, in order), the name of one shipped pack
 * (`"core"`, `"en"`; see `shippedPacks()`), or a `PolicySource`.
 */
export type PolicyLayer = "shipped" | (string & {}) | PolicySource;

/** Where in a policy source a problem is; `null` where unknown. */
export interface PolicyErrorLocation {
  /** The name the source was loaded under. */
  source: string;
  /** 1-based line. */
  line: number | null;
  /** 1-based column, in characters. */
  column: number | null;
  /** The item, such as ``rule `en.secrecy.dont-tell` ``. */
  item: string | null;
  /** The field within the item, such as `any`. */
  field: string | null;
}

/**
 * What every call throws: a JS `Error` whose `message` is the core's own message (for example
 * ``acme.toml:4:1: unknown field `wieght` …``).
 */
export interface VigilError extends Error {
  name: "VigilError";
  /**
   * `policy`, `message`, `snapshot`, `bundle` (a compiled bundle that is damaged, cut, of another
   * Vigil version or another policy; see `offset`), `draft` (the core refused a report draft; see `reason`),
   * `argument` (a JS value of the wrong shape) or `internal` (a bug in Vigil, such as a panic:
   * please report it).
   */
  kind: "policy" | "message" | "snapshot" | "bundle" | "draft" | "argument" | "internal";
  /** Policy errors: where. */
  location?: PolicyErrorLocation;
  /** Message errors: the 1-based line in a JSON Lines document. */
  line?: number;
  /** Message errors: the 1-based position in an array. */
  index?: number;
  /** Message errors: the field, such as `sender.age_band`. */
  field?: string;
  /** Message syntax errors: the 1-based column. */
  column?: number;
  /** Bundle errors: the byte of the bundle where the problem was found. */
  offset?: number;
  /** Draft refusals: why. */
  reason?: DraftRefusal;
  /** Draft refusals below `review`: the escalation's level. */
  level?: Level;
}

// ---------------------------------------------------------------------------------------------
// Report drafts (`draftCybertipline`, `draftCaseExport`): a reviewed escalation becomes a report
// a moderator completes and files. Nothing is ever sent anywhere.
// ---------------------------------------------------------------------------------------------

/**
 * A reviewer's decision on an escalation; only `confirmed` makes a draft. (The core also reads
 * these in any case and with `-` or spaces for `_`; the declarations take only the names.)
 */
export type Decision = "confirmed" | "dismissed" | "needs_more_information";
/** Where the incident took place, as the CyberTipline types it: a chat (the default) or an online game's chat. */
export type Medium = "chat_im" | "online_gaming";

/**
 * The review of an escalation and what the platform tells about itself: the options of a draft.
 * Unknown keys are refused (kind `argument`).
 */
export interface DraftOptions {
  /** The reviewer's id (a moderator account, not a name). Missing or blank: refused (`missing_reviewer`). */
  reviewedBy: string;
  /** The reviewer's decision. */
  decision: Decision;
  /** When the reviewer decided, in milliseconds since the Unix epoch (`Date.now()`). */
  reviewedAtMs?: number | null;
  /** The reviewer's note; it goes into the draft's additional information. */
  note?: string | null;
  /** The platform's (or game's) name: the chat client or game name of the incident. */
  platform?: string | null;
  /** Chat (`chat_im`, the default) or online game (`online_gaming`). */
  medium?: Medium | null;
  /** The incident type, instead of the first one the policy's report hints suggest; one of the CyberTipline's incident types. */
  incidentType?: string | null;
  /** Participants' ages in years as the platform knows them, by participant id (a victim's age in the draft). */
  declaredAges?: Record<string, number> | null;
}

/** A CyberTipline-shaped report draft: the same report as XML (what the Reporting API takes) and as JSON text (`vigil.draft.cybertipline/1`). */
export interface ReportDraft {
  xml: string;
  json: string;
}

/**
 * Why the core refused a draft (`VigilError.reason`, kind `draft`): the escalation is below
 * `review`, names no reviewer, is not `confirmed`, is a recipient's view (several senders), or has
 * no (valid) incident type; `refused` for a refusal this package does not name yet.
 */
export type DraftRefusal =
  | "below_review"
  | "missing_reviewer"
  | "not_confirmed"
  | "recipient_view"
  | "no_incident_type"
  | "unknown_incident_type"
  | "json"
  | "refused";

// ---------------------------------------------------------------------------------------------
// The resolved policy (see `Engine.policy()`): the merged layers, as the core serializes them.
// ---------------------------------------------------------------------------------------------

/** Conditions on message metadata; every listed field must match. */
export interface Condition {
  sender?: AgeBand[];
  recipient?: AgeBand[];
  /** Kinds (`contact`) or platform words (`follower`, which then matches that word only). */
  relationship?: RelationshipWord[];
  /** Kinds (`public`) or platform words (`lobby`, which then matches that word only). */
  channel?: ChannelWord[];
  account_age_days_below?: number;
}

/** A proximity condition: one term of each group within `within` words. */
export interface Near {
  terms: string[][];
  within: number;
}

/** A rule's self-tests. */
export interface Examples {
  hit: string[];
  miss: string[];
}

/** A combination rule's parts (`combine`). */
export interface Combine {
  parts: string[][];
  /** Consecutive messages of a key the parts may spread over (1 to 8). */
  messages: number;
}

/** A detection rule. */
export interface Rule {
  id: string;
  category: string;
  weight: number;
  description?: string;
  any?: string[];
  near?: Near[];
  patterns?: string[];
  unless?: string[];
  /** Instead of `any`/`near`/`patterns`: one counted hit of each part group (rule or category ids) within `messages` consecutive messages of the key. */
  combine?: Combine;
  when?: Condition;
  level?: Level;
  discloses?: "minor";
  enabled: boolean;
  examples?: Examples;
}

/** A grooming stage. */
export interface Stage {
  id: string;
  summary: string;
}

/** A category of risky behaviour. */
export interface Category {
  id: string;
  stage: string;
  summary: string;
  message_cap?: number;
  conversation_cap?: number;
  report?: { incident_type?: string; annotations: string[] };
}

/** A metadata modifier. */
export interface Modifier {
  id: string;
  description?: string;
  when?: Condition;
  fan_out?: { min: number; window: string };
  multiply: number;
  enabled: boolean;
}

/** A level ceiling: the highest level a conversation reaches while its participants meet `when`. */
export interface Ceiling {
  id: string;
  description?: string;
  when?: Condition;
  level: Level;
  /** Categories whose presence lifts the ceiling. */
  lifted_by?: string[];
  /** Distinct messages with risk signals that lift the ceiling. */
  lifted_after?: number;
  enabled: boolean;
}

/** An intervention of the policy (`[[intervention]]`): when a message meets every listed condition, the app is told to nudge, mask or hold it. */
export interface PolicyIntervention {
  id: string;
  action: InterventionAction;
  description?: string;
  when?: Condition;
  /** The message carries points in one of these categories. */
  categories?: string[];
  /** The key's level after the message is at least this one. */
  min_level?: Level;
  /** The key has one of these stages active. */
  stages?: string[];
  /** The message holds a contact or payment detail of one of these kinds (a mask's spans). */
  indicators?: IndicatorKind[];
  /** The id of the notice a nudge shows. */
  notice?: string;
  /** A nudge's rate limit per conversation key and category (`"24h"`). */
  once_per?: string;
  /** What a mask writes in place of each detail. */
  replacement?: string;
  enabled: boolean;
}

/** A notice of the policy (`[[notice]]`): the text a nudge shows, by language. */
export interface Notice {
  id: string;
  /** The language used when the conversation's language has no text. */
  fallback?: string;
  /** ISO 639-1 code → text. */
  text: Record<string, string>;
}

/** A layer's identity. */
export interface LayerMeta {
  id: string;
  version: string;
  languages: string[];
  description?: string;
}

/** The merged, validated policy an engine runs. */
export interface ResolvedPolicy {
  /** Layer ids joined with `+`. */
  id: string;
  /** Layer versions joined with `+`. */
  version: string;
  layers: LayerMeta[];
  normalize: {
    nfkc: boolean;
    case_fold: boolean;
    strip_diacritics: boolean;
    confusables: boolean;
    leetspeak: boolean;
    strip_invisible: boolean;
    join_spaced_letters: boolean;
    collapse_repeats: boolean;
  };
  scoring: {
    half_life_ms: number;
    /** Thresholds of watch, review and urgent. */
    levels: [number, number, number];
    stage_bonus: { from: number; points: number; window_ms: number } | null;
    max_message_bytes: number;
    regex_size_limit: number;
  };
  evidence: { excerpt: "none" | "match" | "context"; context_chars: number; max_items: number };
  /** Recommended actions for watch, review and urgent. */
  actions: [string | null, string | null, string | null];
  /** Sender cases (`[senders]`): absent when no layer mentions them (then off). `points` by the highest level a conversation reached (none, watch, review, urgent); `levels` the sender thresholds of watch, review and urgent; `relationship` factors on a conversation's points. */
  senders?: {
    enabled: boolean;
    window_ms: number;
    min_minors: number;
    max_conversations: number;
    evidence_per_conversation: number;
    points: [number, number, number, number];
    levels: [number, number, number];
    actions: [string | null, string | null, string | null];
    relationship: Partial<Record<Relationship, number>>;
  };
  tracker: { capacity: number; idle_ttl_ms: number };
  /** Indicator extraction (`[indicators]`): absent when no layer mentions it (then off). `report` maps a kind to the report field it goes to. */
  indicators?: { enabled: boolean; max_items: number; kinds: IndicatorKind[]; report?: Partial<Record<IndicatorKind, string>> };
  /** Language scoping of the packs. */
  language: {
    scoping: boolean;
    /** For a language, the languages whose packs apply where it is plausible. */
    packs: Record<string, string[]>;
    options: {
      min_letters: number;
      max_bytes: number;
      reliable_confidence: number;
      message_weight: number;
      min_evidence: number;
      plausible_share: number;
      learn_until: number;
    };
  };
  /** The platform's metadata vocabulary. */
  metadata: {
    /** The age from which a participant with a known `age` (and no band) is an adult. */
    adult_age: number;
    /** Channel words (folded: lower case, `_` for `-` and spaces) and the kind each means. */
    channel_words: Record<string, Channel>;
    /** Relationship words (folded) and the kind each means. */
    relationship_words: Record<string, Relationship>;
  };
  stages: Stage[];
  categories: Category[];
  rules: Rule[];
  modifiers: Modifier[];
  ceilings?: Ceiling[];
  /** Absent when no layer defines interventions. */
  interventions?: PolicyIntervention[];
  /** Absent when no layer defines notices. */
  notices?: Notice[];
}
