//! Records and enums: the core's messages, assessments, observations and escalations as plain
//! data in Kotlin (data classes), Swift (structs) and Python (dataclasses), and the conversions
//! to and from the core types. Nothing here decides anything: fields are copied one for one.
//!
//! Differences from the core's Rust types, forced by the FFI: timestamps are milliseconds since
//! the Unix epoch (`*_ms`, `i64`), byte offsets and counters are `u64`, and observations and
//! escalations also carry `json`, the core's own serialization (the golden-vector format and the
//! `vigil.escalation/1` document).

use vigil::HitKind as CoreHitKind;

/// What the platform knows of a participant's age, from age assurance or declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum AgeBand {
    /// Under 18.
    Minor,
    /// 18 or older.
    Adult,
    /// Not known.
    Unknown,
}

/// A kind of relationship between sender and recipient: what scoring knows. Messages carry the
/// platform's own word (`Message.relationship`, such as `"friend"`); the policy's
/// `[metadata.relationship]` table maps it to one of these (see `Engine.relationship_kind`), and
/// escalations name the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Relationship {
    /// No prior connection on the platform.
    Stranger,
    /// Mutual friends, followers or contacts.
    Contact,
    /// A family link the platform verified.
    Family,
    /// Not known.
    Unknown,
}

/// A kind of channel: what scoring knows. Messages carry the platform's own word
/// (`Message.channel`, such as `"lobby"`); the policy's `[metadata.channel]` table maps it to one
/// of these (see `Engine.channel_kind`), and escalations name the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Channel {
    /// A one-to-one conversation.
    Direct,
    /// A group chat: the message has no single recipient.
    Group,
    /// A public or broadcast space (game lobby, comments, stream chat).
    Public,
    /// Not known.
    Unknown,
}

/// How urgently a conversation needs a human, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, uniffi::Enum)]
pub enum Level {
    /// Worth watching: early signals.
    Watch,
    /// A moderator should review the conversation.
    Review,
    /// Act now.
    Urgent,
}

/// How a rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum HitKind {
    /// One of the rule's literal terms.
    Term,
    /// Terms of every `near` group within the distance.
    Near,
    /// A regex pattern.
    Pattern,
    /// A combination of other rules' hits (`combine`).
    Combination,
}

/// The kind of a contact or payment detail an escalation lists ([`EscalatedIndicator`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum IndicatorKind {
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A username on a messaging or social app (`detail`: the app, when named).
    Handle,
    /// An invite or profile link of a messaging or social app (`detail`: the app).
    InviteLink,
    /// A payment handle: cashtag, PayPal.Me, Venmo, or an IBAN (`detail`: the service).
    PaymentHandle,
    /// A crypto wallet address (`detail`: the chain).
    Wallet,
    /// A gift-card code (`detail`: the brand, when named).
    GiftCard,
}

/// One participant: an opaque id and what the platform knows of their age.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Participant {
    /// The platform's opaque id for the account (not empty).
    pub id: String,
    /// The age band.
    pub age_band: AgeBand,
    /// Age in years, when known; used for the band when `age_band` is unknown (a minor below the
    /// policy's `metadata.adult_age`, 18 in the shipped packs).
    #[uniffi(default)]
    pub age: Option<u32>,
    /// Days since the account was created, when known.
    #[uniffi(default)]
    pub account_age_days: Option<u32>,
}

/// One chat message with its metadata.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Message {
    /// The conversation (thread, DM channel, group) the message belongs to.
    pub conversation_id: String,
    /// The message's id, unique within the conversation; evidence refers to it.
    pub message_id: String,
    /// When it was sent, in milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// Who sent it.
    pub sender: Participant,
    /// To whom, in direct channels; absent in group and public channels.
    #[uniffi(default)]
    pub recipient: Option<Participant>,
    /// The channel, in the platform's own word (`"dm"`, `"game"`, `"lobby"`) or a kind's name
    /// (`"direct"`, `"group"`, `"public"`, `"unknown"`); empty when not known. The policy's
    /// `[metadata.channel]` table maps words to kinds (any case; `-`, `_` and spaces alike); a
    /// word it does not list is scored as `unknown` and reported in `Observation.platform`.
    #[uniffi(default = "")]
    pub channel: String,
    /// The relationship from sender to recipient, in the platform's own word (`"friend"`,
    /// `"follower"`) or a kind's name (`"stranger"`, `"contact"`, `"family"`, `"unknown"`);
    /// empty when not known. Mapped by the policy's `[metadata.relationship]` table, like
    /// `channel`.
    #[uniffi(default = "")]
    pub relationship: String,
    /// The text as the user typed it. Evidence spans are byte offsets into its UTF-8 encoding.
    pub text: String,
}

/// A byte range of a message's original text (UTF-8), on character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Span {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

/// One rule that fired on a message.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Hit {
    /// Rule id.
    pub rule: String,
    /// Category id.
    pub category: String,
    /// How it matched.
    pub kind: HitKind,
    /// The rule's weight.
    pub weight: f64,
    /// What it matched, in the original text (the rule's first match).
    pub span: Span,
    /// How the text was evaded where it matched (`leetspeak`, `spaced`, `stretched`,
    /// `lookalike`, `compatibility`, `invisible`, `stacked_marks`), if it was.
    pub evasion: Option<String>,
}

/// A language with its share of a conversation's evidence, or a message guess's confidence.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LanguageShare {
    /// ISO 639-1 code.
    pub language: String,
    /// In [0, 1].
    pub share: f64,
}

/// The language of a message and its conversation, and the language packs that applied.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct LanguageReport {
    /// The message's own language, when it was identified.
    pub message: Option<LanguageShare>,
    /// The conversation's estimate, strongest first.
    pub conversation: Vec<LanguageShare>,
    /// Languages whose packs applied; absent when every pack did.
    pub packs: Option<Vec<String>>,
    /// Rules whose text matched but whose pack's language is not plausible here.
    pub out_of_scope: Vec<String>,
}

/// A category's contribution to one message's score.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CategoryScore {
    /// Category id.
    pub category: String,
    /// The grooming stage it evidences.
    pub stage: String,
    /// Points, after the category's message cap and the modifiers.
    pub score: f64,
}

/// A modifier that applied to a message.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AppliedModifier {
    /// Modifier id.
    pub id: String,
    /// The factor it applied.
    pub factor: f64,
}

/// The assessment of one message: which rules fired, where, and the score they make.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Assessment {
    /// Message score: the sum of category scores (after caps and modifiers).
    pub score: f64,
    /// The score before modifiers.
    pub base_score: f64,
    /// Rules that fired, in policy order.
    pub hits: Vec<Hit>,
    /// Category contributions, in policy order.
    pub categories: Vec<CategoryScore>,
    /// Modifiers applied (only when some rule fired).
    pub modifiers: Vec<AppliedModifier>,
    /// The highest level a fired rule forces, if any.
    pub forced_level: Option<Level>,
    /// A fired rule says the sender disclosed being a child.
    pub discloses_minor: bool,
    /// The text was longer than the policy's `max_message_bytes` and was assessed up to it.
    pub truncated: bool,
}

/// One metadata word as the platform wrote it, and the kind it was scored as.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PlatformWord {
    /// The word as the message wrote it (`"Lobby"`).
    pub word: String,
    /// The kind it was scored as, by name: a `Channel` (`"public"`) or a `Relationship`
    /// (`"contact"`); `"unknown"` when the policy does not map the word.
    pub kind: String,
    /// Whether a policy layer maps the word. `false`: it was scored as `unknown`; add it to the
    /// policy's `[metadata]` table.
    pub mapped: bool,
}

/// The platform's own channel and relationship words of a message, when they are not kinds'
/// names, with the kind each was scored as (the core's `PlatformMetadata`).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PlatformMetadata {
    /// The channel word, when the message wrote one that is not a kind's name.
    pub channel: Option<PlatformWord>,
    /// The relationship word, when the message wrote one that is not a kind's name.
    pub relationship: Option<PlatformWord>,
}

/// The kind of channel a platform's word means under a policy (`Engine.channel_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct ChannelKind {
    /// The kind (`Unknown` for a word no layer maps, and for no word).
    pub kind: Channel,
    /// The word is a kind's name or listed by a policy layer.
    pub mapped: bool,
}

/// The kind of relationship a platform's word means under a policy
/// (`Engine.relationship_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct RelationshipKind {
    /// The kind (`Unknown` for a word no layer maps, and for no word).
    pub kind: Relationship,
    /// The word is a kind's name or listed by a policy layer.
    pub mapped: bool,
}

/// What observing one message produced.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Observation {
    /// The conversation.
    pub conversation_id: String,
    /// The message.
    pub message_id: String,
    /// The message's timestamp, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// The sender's id.
    pub sender: String,
    /// The recipient of the conversation key (absent in group and public channels).
    pub recipient: Option<String>,
    /// The message's assessment, under what the conversation knows (inferred ages, fan-out).
    pub assessment: Assessment,
    /// Conversation risk of the key after this message.
    pub risk: f64,
    /// The key's level after this message.
    pub level: Option<Level>,
    /// Stages active for the key, in policy order.
    pub stages: Vec<String>,
    /// The message was older than the last one of its key.
    pub out_of_order: bool,
    /// The policy's level ceiling that held the key's level down (e.g. both participants are
    /// declared adults), if one did.
    pub capped_by: Option<String>,
    /// The language of the message and its conversation (with language scoping only).
    pub language: Option<LanguageReport>,
    /// The message's channel and relationship words, when it wrote words that are not kinds'
    /// names (`"lobby"`, `"friend"`): what each was scored as, and whether the policy maps it.
    pub platform: Option<PlatformMetadata>,
    /// An escalation, when the level rose or a new category joined: send it to moderators.
    pub escalation: Option<Escalation>,
    /// What to do with this message in the path, before delivering it (only with a policy that
    /// defines `[[intervention]]`s): absent → deliver it as it is.
    pub intervention: Option<Intervention>,
    /// An escalation of the recipient's view (scope `Recipient`): in a public channel, every
    /// sender's messages addressed to one minor (a streamer) add up; send it to moderators too.
    pub recipient_escalation: Option<Escalation>,
    /// An escalation of the sender's case (scope `Sender`): the sender's conversations with
    /// minors, added up, crossed the policy's sender levels, or another minor's conversation
    /// joined the case at its level (only with the policy's `[senders]`); send it to moderators
    /// too.
    pub sender_escalation: Option<Escalation>,
    /// What the sender's case recorded of this message, as one line of JSON, for a second stage
    /// that builds sender cases elsewhere (`Tracker.observeContactJson`): only from a tracker
    /// made `withCaseContacts`, for a risky message, with the policy's `[senders]`.
    pub case_contact: Option<String>,
    /// The whole observation as one line of JSON, as the core serializes it (the format of the
    /// golden vectors in `tests/vectors/`).
    pub json: String,
}

/// What an intervention does to a message in the path, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, uniffi::Enum)]
pub enum InterventionAction {
    /// Show the recipient (the child) the notice, with a block/report affordance.
    NudgeRecipient,
    /// Show the sender friction (the notice) before the message goes out.
    NudgeSender,
    /// Deliver `Intervention.masked_text` instead of the message's text.
    Mask,
    /// Keep the message until a human reviewed it.
    Hold,
}

/// A notice in one language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NoticeText {
    /// The policy's notice id.
    pub id: String,
    /// The language of `text` (ISO 639-1).
    pub language: String,
    /// The text to show.
    pub text: String,
}

/// What the app should do with one message in the path, and why (the policy's
/// `[[intervention]]` that decided).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Intervention {
    /// The action.
    pub action: InterventionAction,
    /// The policy's intervention that decided.
    pub id: String,
    /// Its plain-words reason (for moderators and logs; never shown to the sender).
    pub reason: Option<String>,
    /// The message's categories that triggered it (empty for one that lists no categories).
    pub categories: Vec<String>,
    /// The evidence in the message: the spans of the triggering categories' hits, or for `Mask`
    /// the masked details (byte offsets into the message's original text).
    pub spans: Vec<Span>,
    /// The notice a nudge shows, in the recipient's language.
    pub notice: Option<NoticeText>,
    /// For `Mask`: the text to deliver, each masked detail replaced by the policy's replacement.
    pub masked_text: Option<String>,
}

/// A participant as an escalation names them: id and age band, never more.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ParticipantRef {
    /// Platform id.
    pub id: String,
    /// The platform's age band.
    pub age_band: AgeBand,
    /// The participant disclosed being a child in the conversation.
    pub probable_minor: bool,
}

/// Sender and recipient of a conversation key.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Participants {
    /// The sender whose messages were assessed.
    pub sender: ParticipantRef,
    /// The recipient (absent in group channels).
    pub recipient: Option<ParticipantRef>,
}

/// A category's share of conversation risk.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct EscalatedCategory {
    /// Category id.
    pub id: String,
    /// Its grooming stage.
    pub stage: String,
    /// Decayed points.
    pub score: f64,
    /// The policy's plain-words summary.
    pub summary: String,
}

/// One piece of evidence: which rule matched which bytes of which message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EvidenceItem {
    /// The message.
    pub message_id: String,
    /// Its timestamp, in milliseconds since the Unix epoch.
    pub timestamp_ms: i64,
    /// The rule.
    pub rule: String,
    /// The rule's category.
    pub category: String,
    /// Byte offsets into the message's original text.
    pub span: Span,
    /// The matched text (and context), only where the policy allows.
    pub excerpt: Option<String>,
    /// Who sent the message, in a recipient's view (scope `Recipient`); absent otherwise.
    pub sender: Option<String>,
    /// The message's conversation, in a sender escalation (scope `Sender`), which spans
    /// conversations; absent otherwise.
    pub conversation_id: Option<String>,
}

/// Whose messages an escalation weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum EscalationScope {
    /// One sender's messages in a conversation (the default; absent from the document).
    Conversation,
    /// Every sender's messages addressed to one minor in a public channel (a streamer).
    Recipient,
    /// One sender's messages across conversations: the sender's case (`Escalation.conversations`
    /// lists them).
    Sender,
}

impl From<vigil::EscalationScope> for EscalationScope {
    fn from(s: vigil::EscalationScope) -> EscalationScope {
        match s {
            vigil::EscalationScope::Recipient => EscalationScope::Recipient,
            vigil::EscalationScope::Sender => EscalationScope::Sender,
            _ => EscalationScope::Conversation,
        }
    }
}

/// When a grooming stage first and last appeared.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TimelineEntry {
    /// Stage id.
    pub stage: String,
    /// First message that evidenced it.
    pub first_message_id: String,
    /// Its timestamp, in milliseconds since the Unix epoch.
    pub first_seen_ms: i64,
    /// The latest signal of this stage, in milliseconds since the Unix epoch.
    pub last_seen_ms: i64,
    /// The conversation of the first message, in a sender escalation (scope `Sender`); absent
    /// otherwise.
    pub conversation_id: Option<String>,
}

/// One conversation of a sender case, as a sender escalation lists it (`conversations` in the
/// document).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct CaseConversation {
    /// The conversation.
    pub conversation_id: String,
    /// The recipient of the sender's messages (absent in group and public channels).
    pub recipient: Option<String>,
    /// The recipient is a minor (declared, or disclosed being a child).
    pub minor: bool,
    /// The highest level the conversation reached (absent: risky messages below `Watch`).
    pub level: Option<Level>,
    /// The points it adds to the sender's case, by that level.
    pub points: f64,
    /// The conversation's risk after the sender's last risky message in it.
    pub risk: f64,
    /// The categories holding points in it then, strongest first.
    pub categories: Vec<String>,
    /// The sender's first risky message in it.
    pub first_message_id: String,
    /// Its timestamp, in milliseconds since the Unix epoch.
    pub first_seen_ms: i64,
    /// The sender's last risky message in it.
    pub last_message_id: String,
    /// Its timestamp, in milliseconds since the Unix epoch.
    pub last_seen_ms: i64,
    /// The sender's risky messages in it.
    pub messages: u32,
}

/// The policy that produced an escalation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PolicyRef {
    /// Layer ids joined with `+`.
    pub id: String,
    /// Layer versions joined with `+`.
    pub version: String,
    /// Content hash of the resolved policy.
    pub hash: String,
}

/// Hints for a hotline report a human may file after review.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportHints {
    /// Incident types suggested by the categories present.
    pub incident_types: Vec<String>,
    /// Annotations, with `minorToMinorInteraction` when both participants are minors.
    pub annotations: Vec<String>,
    /// Where the report takes each of the escalation's indicators, by the policy's
    /// `[indicators.report]` (empty when no indicator's kind has a field there).
    pub indicators: Vec<IndicatorHint>,
}

/// One indicator of an escalation and the report field the policy takes it to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IndicatorHint {
    /// The report field, as the policy names it (e.g. a CyberTipline element path).
    pub field: String,
    /// The indicator's kind.
    pub kind: IndicatorKind,
    /// Its value (as in `Escalation.indicators`).
    pub value: String,
}

/// A contact or payment detail the sender wrote in the conversation — a phone number, e-mail
/// address, handle, invite link, payment handle, wallet address or gift-card code — where it was
/// first seen and how often (`indicators` in the document). What the text contains, not who owns
/// it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EscalatedIndicator {
    /// What it is.
    pub kind: IndicatorKind,
    /// The value, normalized (`+447700900123`, `coolkid_22`, `$name`, an IBAN without spaces, a
    /// wallet address, a gift code upper-case without separators).
    pub value: String,
    /// The app of a handle or link, the service of a payment handle, the chain of a wallet, the
    /// brand of a gift card, `obfuscated` for an e-mail written with words; absent when there is
    /// nothing to say.
    pub detail: Option<String>,
    /// The checksum result where the format has one (IBAN, Base58Check, Bech32, EIP-55, Monero,
    /// Luhn); absent where it has none or none was written.
    pub checked: Option<bool>,
    /// The message it was first seen in.
    pub message_id: String,
    /// Byte offsets into that message's original text.
    pub span: Span,
    /// How many times the sender wrote it in the conversation.
    pub count: u32,
}

/// A conversation that crossed a level, or reached a new category, with the evidence a moderator
/// needs to decide (`vigil.escalation/1`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Escalation {
    /// Always `vigil.escalation/1`.
    pub schema: String,
    /// The conversation.
    pub conversation_id: String,
    /// Whose messages it weighs (`scope` in the document, absent there for `Conversation`).
    pub scope: EscalationScope,
    /// The sender's case reference (`sender-` and 16 hex digits): the same in every escalation
    /// of one sender — each of their conversations' and their sender escalations — so a
    /// moderation queue folds them into one case (only with the policy's `[senders]`; absent in
    /// a recipient's view).
    pub case: Option<String>,
    /// 1 for the first escalation of this conversation key, then 2, 3, …
    pub sequence: u32,
    /// The level now.
    pub level: Level,
    /// The level of the previous escalation of this key (absent for the first).
    pub previous_level: Option<Level>,
    /// The message that raised it.
    pub message_id: String,
    /// That message's timestamp, in milliseconds since the Unix epoch.
    pub raised_at_ms: i64,
    /// The participants: ids and age bands, never more.
    pub participants: Participants,
    /// The kind of channel of the raising message (its word mapped by the policy).
    pub channel: Channel,
    /// The kind of relationship of the raising message (its word mapped by the policy).
    pub relationship: Relationship,
    /// The raising message's own channel and relationship words, when they are not kinds'
    /// names, with the kind each was scored as (`platform` in the document).
    pub platform: Option<PlatformMetadata>,
    /// Conversation risk (decayed category scores plus stage bonus).
    pub risk: f64,
    /// Categories holding points, strongest first.
    pub categories: Vec<EscalatedCategory>,
    /// Reasons in plain words.
    pub reasons: Vec<String>,
    /// The messages and spans that caused it.
    pub evidence: Vec<EvidenceItem>,
    /// Grooming stages in the order they appeared.
    pub timeline: Vec<TimelineEntry>,
    /// Modifiers that applied over the conversation.
    pub modifiers: Vec<String>,
    /// The policy that decided.
    pub policy: PolicyRef,
    /// What the policy recommends at this level.
    pub recommended_action: Option<String>,
    /// Hints for a hotline report a human may file after review.
    pub report_hints: ReportHints,
    /// The conversation's languages as estimated so far, strongest first (with language
    /// scoping only).
    pub language: Vec<LanguageShare>,
    /// Contact and payment details the sender wrote in the conversation, each once, in the
    /// order first seen (empty when there are none, or the policy does not enable
    /// `[indicators]`).
    pub indicators: Vec<EscalatedIndicator>,
    /// In a sender escalation (scope `Sender`): the sender's conversations that count, with
    /// their levels and points, in the order they began (empty otherwise).
    pub conversations: Vec<CaseConversation>,
    /// The document as one line of JSON, as the core serializes it: what a moderation queue
    /// stores (schema in `core/schema/escalation.schema.json`).
    pub json: String,
}

/// Counters of a tracker's work and evictions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct TrackerStats {
    /// Conversation keys held now.
    pub keys: u64,
    /// Messages observed.
    pub observed: u64,
    /// Escalations raised.
    pub escalations: u64,
    /// Keys evicted because the tracker was full (least recently used first).
    pub evicted_capacity: u64,
    /// Keys evicted because they were idle longer than the time-to-live.
    pub evicted_idle: u64,
    /// Messages older than the last one of their key.
    pub out_of_order: u64,
}

/// A pack example that did not behave as written.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ExampleFailure {
    /// Rule id.
    pub rule: String,
    /// The example text.
    pub text: String,
    /// `true` for a `hit` example that did not match, `false` for a `miss` that did.
    pub expected_hit: bool,
    /// Where the rule is defined.
    pub location: String,
}

/// The two normalized views of a text the matchers run on, for explanations.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NormalizedText {
    /// The view literal terms and `near` groups match.
    pub terms: String,
    /// The view regex patterns match.
    pub patterns: String,
}

// ---- enums, both ways ----

macro_rules! mirror_enum {
    ($ffi:ident, $core:path, [$($v:ident),+ $(,)?]) => {
        impl From<$core> for $ffi {
            fn from(v: $core) -> $ffi {
                use $core as C;
                match v {
                    $(C::$v => $ffi::$v,)+
                }
            }
        }
        impl From<$ffi> for $core {
            fn from(v: $ffi) -> $core {
                use $core as C;
                match v {
                    $($ffi::$v => C::$v,)+
                }
            }
        }
    };
}

mirror_enum!(AgeBand, vigil::AgeBand, [Minor, Adult, Unknown]);
mirror_enum!(
    Relationship,
    vigil::Relationship,
    [Stranger, Contact, Family, Unknown]
);
mirror_enum!(Channel, vigil::Channel, [Direct, Group, Public, Unknown]);
mirror_enum!(Level, vigil::Level, [Watch, Review, Urgent]);
mirror_enum!(HitKind, CoreHitKind, [Term, Near, Pattern, Combination]);

/// The record's kind of a core indicator kind. The core's enum is open to new kinds
/// (`#[non_exhaustive]`): a kind this layer does not mirror yet is `None`, and the test
/// `every_indicator_kind_is_mirrored` fails until it does.
pub(crate) fn indicator_kind(k: vigil::indicators::IndicatorKind) -> Option<IndicatorKind> {
    use vigil::indicators::IndicatorKind as C;
    Some(match k {
        C::Phone => IndicatorKind::Phone,
        C::Email => IndicatorKind::Email,
        C::Handle => IndicatorKind::Handle,
        C::InviteLink => IndicatorKind::InviteLink,
        C::PaymentHandle => IndicatorKind::PaymentHandle,
        C::Wallet => IndicatorKind::Wallet,
        C::GiftCard => IndicatorKind::GiftCard,
        _ => return None,
    })
}

impl From<IndicatorKind> for vigil::indicators::IndicatorKind {
    fn from(k: IndicatorKind) -> vigil::indicators::IndicatorKind {
        use vigil::indicators::IndicatorKind as C;
        match k {
            IndicatorKind::Phone => C::Phone,
            IndicatorKind::Email => C::Email,
            IndicatorKind::Handle => C::Handle,
            IndicatorKind::InviteLink => C::InviteLink,
            IndicatorKind::PaymentHandle => C::PaymentHandle,
            IndicatorKind::Wallet => C::Wallet,
            IndicatorKind::GiftCard => C::GiftCard,
        }
    }
}

// ---- inputs: records to core ----

impl From<Participant> for vigil::Participant {
    fn from(p: Participant) -> vigil::Participant {
        vigil::Participant {
            // Not a record field yet: platforms give it in the message JSON (`observe_json`).
            language: None,
            id: p.id,
            age_band: p.age_band.into(),
            age: p.age,
            account_age_days: p.account_age_days,
        }
    }
}

impl From<Message> for vigil::Message {
    fn from(m: Message) -> vigil::Message {
        vigil::Message {
            conversation_id: m.conversation_id,
            message_id: m.message_id,
            timestamp: vigil::Timestamp::from_millis(m.timestamp_ms),
            sender: m.sender.into(),
            recipient: m.recipient.map(Into::into),
            channel: m.channel,
            relationship: m.relationship,
            text: m.text,
        }
    }
}

impl From<vigil::Participant> for Participant {
    fn from(p: vigil::Participant) -> Participant {
        Participant {
            id: p.id,
            age_band: p.age_band.into(),
            age: p.age,
            account_age_days: p.account_age_days,
        }
    }
}

impl From<vigil::Message> for Message {
    fn from(m: vigil::Message) -> Message {
        Message {
            conversation_id: m.conversation_id,
            message_id: m.message_id,
            timestamp_ms: m.timestamp.as_millis(),
            sender: m.sender.into(),
            recipient: m.recipient.map(Into::into),
            channel: m.channel,
            relationship: m.relationship,
            text: m.text,
        }
    }
}

// ---- outputs: core to records ----

fn offset(v: usize) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

impl From<vigil::Span> for Span {
    fn from(s: vigil::Span) -> Span {
        Span {
            start: offset(s.start),
            end: offset(s.end),
        }
    }
}

impl From<&vigil::Hit> for Hit {
    fn from(h: &vigil::Hit) -> Hit {
        Hit {
            rule: h.rule.to_string(),
            category: h.category.to_string(),
            kind: h.kind.into(),
            weight: h.weight,
            span: h.span.into(),
            evasion: h.evasion.map(evasion_name),
        }
    }
}

/// An evasion's name, as the core's JSON writes it.
fn evasion_name(e: vigil::normalize::Evasion) -> String {
    serde_json::to_value(e)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<&vigil::LanguageShare> for LanguageShare {
    fn from(s: &vigil::LanguageShare) -> LanguageShare {
        LanguageShare {
            language: s.language.code().to_string(),
            share: f64::from(s.share),
        }
    }
}

impl From<&vigil::LanguageReport> for LanguageReport {
    fn from(l: &vigil::LanguageReport) -> LanguageReport {
        LanguageReport {
            message: l.message.as_ref().map(Into::into),
            conversation: l.conversation.iter().map(Into::into).collect(),
            packs: l
                .packs
                .as_ref()
                .map(|p| p.iter().map(|l| l.code().to_string()).collect()),
            out_of_scope: l.out_of_scope.iter().map(|r| r.to_string()).collect(),
        }
    }
}

impl From<&vigil::Assessment> for Assessment {
    fn from(a: &vigil::Assessment) -> Assessment {
        Assessment {
            score: a.score,
            base_score: a.base_score,
            hits: a.hits.iter().map(Into::into).collect(),
            categories: a
                .categories
                .iter()
                .map(|c| CategoryScore {
                    category: c.category.to_string(),
                    stage: c.stage.to_string(),
                    score: c.score,
                })
                .collect(),
            modifiers: a
                .modifiers
                .iter()
                .map(|m| AppliedModifier {
                    id: m.id.to_string(),
                    factor: m.factor,
                })
                .collect(),
            forced_level: a.forced_level.map(Into::into),
            discloses_minor: a.discloses_minor,
            truncated: a.truncated,
        }
    }
}

impl From<&vigil::PlatformWord> for PlatformWord {
    fn from(w: &vigil::PlatformWord) -> PlatformWord {
        PlatformWord {
            word: w.word.clone(),
            kind: w.kind.clone(),
            mapped: w.mapped,
        }
    }
}

impl From<&vigil::PlatformMetadata> for PlatformMetadata {
    fn from(p: &vigil::PlatformMetadata) -> PlatformMetadata {
        PlatformMetadata {
            channel: p.channel.as_ref().map(Into::into),
            relationship: p.relationship.as_ref().map(Into::into),
        }
    }
}

impl From<vigil::policy::KindOf<vigil::Channel>> for ChannelKind {
    fn from(k: vigil::policy::KindOf<vigil::Channel>) -> ChannelKind {
        ChannelKind {
            kind: k.kind.into(),
            mapped: k.mapped,
        }
    }
}

impl From<vigil::policy::KindOf<vigil::Relationship>> for RelationshipKind {
    fn from(k: vigil::policy::KindOf<vigil::Relationship>) -> RelationshipKind {
        RelationshipKind {
            kind: k.kind.into(),
            mapped: k.mapped,
        }
    }
}

impl From<&vigil::ParticipantRef> for ParticipantRef {
    fn from(p: &vigil::ParticipantRef) -> ParticipantRef {
        ParticipantRef {
            id: p.id.clone(),
            age_band: p.age_band.into(),
            probable_minor: p.probable_minor,
        }
    }
}

impl Escalation {
    /// The record of an escalation whose document `json` already holds (see
    /// [`Observation`]'s conversion: the document is serialized once, with the observation).
    fn with_json(e: &vigil::Escalation, json: String) -> Escalation {
        Escalation {
            schema: e.schema.clone(),
            conversation_id: e.conversation_id.clone(),
            scope: e.scope.into(),
            case: e.case.clone(),
            sequence: e.sequence,
            level: e.level.into(),
            previous_level: e.previous_level.map(Into::into),
            message_id: e.message_id.clone(),
            raised_at_ms: e.raised_at.as_millis(),
            participants: Participants {
                sender: (&e.participants.sender).into(),
                recipient: e.participants.recipient.as_ref().map(Into::into),
            },
            channel: e.channel.into(),
            relationship: e.relationship.into(),
            platform: e.platform.as_ref().map(Into::into),
            risk: e.risk,
            categories: e
                .categories
                .iter()
                .map(|c| EscalatedCategory {
                    id: c.id.clone(),
                    stage: c.stage.clone(),
                    score: c.score,
                    summary: c.summary.clone(),
                })
                .collect(),
            reasons: e.reasons.clone(),
            evidence: e
                .evidence
                .iter()
                .map(|v| EvidenceItem {
                    message_id: v.message_id.clone(),
                    timestamp_ms: v.timestamp.as_millis(),
                    rule: v.rule.clone(),
                    category: v.category.clone(),
                    span: v.span.into(),
                    excerpt: v.excerpt.clone(),
                    sender: v.sender.clone(),
                    conversation_id: v.conversation_id.clone(),
                })
                .collect(),
            timeline: e
                .timeline
                .iter()
                .map(|t| TimelineEntry {
                    stage: t.stage.clone(),
                    first_message_id: t.first_message_id.clone(),
                    first_seen_ms: t.first_seen.as_millis(),
                    last_seen_ms: t.last_seen.as_millis(),
                    conversation_id: t.conversation_id.clone(),
                })
                .collect(),
            modifiers: e.modifiers.clone(),
            policy: PolicyRef {
                id: e.policy.id.clone(),
                version: e.policy.version.clone(),
                hash: e.policy.hash.clone(),
            },
            recommended_action: e.recommended_action.clone(),
            report_hints: ReportHints {
                incident_types: e.report_hints.incident_types.clone(),
                annotations: e.report_hints.annotations.clone(),
                indicators: e
                    .report_hints
                    .indicators
                    .iter()
                    .filter_map(|h| {
                        Some(IndicatorHint {
                            field: h.field.clone(),
                            kind: indicator_kind(h.kind)?,
                            value: h.value.clone(),
                        })
                    })
                    .collect(),
            },
            language: e
                .language
                .iter()
                .map(|s| LanguageShare {
                    language: s.language.clone(),
                    share: s.share,
                })
                .collect(),
            indicators: e
                .indicators
                .iter()
                .filter_map(|i| {
                    Some(EscalatedIndicator {
                        kind: indicator_kind(i.kind)?,
                        value: i.value.clone(),
                        detail: i.detail.clone(),
                        checked: i.checked,
                        message_id: i.message_id.clone(),
                        span: i.span.into(),
                        count: i.count,
                    })
                })
                .collect(),
            conversations: e
                .conversations
                .iter()
                .map(|c| CaseConversation {
                    conversation_id: c.conversation_id.clone(),
                    recipient: c.recipient.clone(),
                    minor: c.minor,
                    level: c.level.map(Into::into),
                    points: c.points,
                    risk: c.risk,
                    categories: c.categories.clone(),
                    first_message_id: c.first_message_id.clone(),
                    first_seen_ms: c.first_seen.as_millis(),
                    last_message_id: c.last_message_id.clone(),
                    last_seen_ms: c.last_seen.as_millis(),
                    messages: c.messages,
                })
                .collect(),
            json,
        }
    }
}

/// The escalation and case-contact members of an observation's JSON, as their own texts: byte
/// for byte the documents, read by name (not by position).
#[derive(Default)]
struct Members<'a> {
    escalation: Option<&'a str>,
    recipient_escalation: Option<&'a str>,
    sender_escalation: Option<&'a str>,
    case_contact: Option<&'a str>,
}

/// Reads the [`Members`] of an observation's JSON (none when it does not parse).
fn observation_members(observation_json: &str) -> Members<'_> {
    use serde_json::value::RawValue;
    #[derive(serde::Deserialize)]
    struct Raw<'a> {
        #[serde(borrow)]
        escalation: Option<&'a RawValue>,
        #[serde(borrow, default)]
        recipient_escalation: Option<&'a RawValue>,
        #[serde(borrow, default)]
        sender_escalation: Option<&'a RawValue>,
        #[serde(borrow, default)]
        case_contact: Option<&'a RawValue>,
    }
    match serde_json::from_str::<Raw<'_>>(observation_json) {
        Ok(m) => Members {
            escalation: m.escalation.map(RawValue::get),
            recipient_escalation: m.recipient_escalation.map(RawValue::get),
            sender_escalation: m.sender_escalation.map(RawValue::get),
            case_contact: m.case_contact.map(RawValue::get),
        },
        Err(_) => Members::default(),
    }
}

impl From<vigil::policy::InterventionAction> for InterventionAction {
    fn from(a: vigil::policy::InterventionAction) -> InterventionAction {
        use vigil::policy::InterventionAction as Core;
        match a {
            Core::NudgeRecipient => InterventionAction::NudgeRecipient,
            Core::NudgeSender => InterventionAction::NudgeSender,
            Core::Mask => InterventionAction::Mask,
            Core::Hold => InterventionAction::Hold,
        }
    }
}

impl From<&vigil::intervene::Intervention> for Intervention {
    fn from(i: &vigil::intervene::Intervention) -> Intervention {
        Intervention {
            action: i.action.into(),
            id: i.id.to_string(),
            reason: i.reason.as_deref().map(str::to_string),
            categories: i.categories.iter().map(|c| c.to_string()).collect(),
            spans: i.spans.iter().map(|&s| s.into()).collect(),
            notice: i.notice.as_ref().map(|n| NoticeText {
                id: n.id.to_string(),
                language: n.language.to_string(),
                text: n.text.to_string(),
            }),
            masked_text: i.masked_text.clone(),
        }
    }
}

impl From<&vigil::Observation> for Observation {
    /// Serializes the observation once: the escalation's `json` is the `escalation` member of
    /// the observation's `json`, not a second serialization of the same document.
    fn from(o: &vigil::Observation) -> Observation {
        let json = o.to_json();
        let members = observation_members(&json);
        // The member is always there when the observation has the escalation; serializing the
        // escalation on its own is the same text, should it ever not be.
        let record = |e: &vigil::Escalation, member: Option<&str>| {
            Escalation::with_json(e, member.map_or_else(|| e.to_json(), str::to_string))
        };
        let escalation = o.escalation.as_ref().map(|e| record(e, members.escalation));
        let recipient_escalation = o
            .recipient_escalation
            .as_ref()
            .map(|e| record(e, members.recipient_escalation));
        let sender_escalation = o
            .sender_escalation
            .as_ref()
            .map(|e| record(e, members.sender_escalation));
        let case_contact = o
            .case_contact
            .as_ref()
            .map(|c| members.case_contact.map_or_else(|| c.to_json(), str::to_string));
        Observation {
            conversation_id: o.conversation_id.clone(),
            message_id: o.message_id.clone(),
            timestamp_ms: o.timestamp.as_millis(),
            sender: o.sender.clone(),
            recipient: o.recipient.clone(),
            assessment: (&o.assessment).into(),
            risk: o.risk,
            level: o.level.map(Into::into),
            stages: o.stages.iter().map(|s| s.to_string()).collect(),
            out_of_order: o.out_of_order,
            capped_by: o.capped_by.as_deref().map(str::to_string),
            language: o.language.as_ref().map(Into::into),
            platform: o.platform.as_ref().map(Into::into),
            escalation,
            intervention: o.intervention.as_ref().map(Into::into),
            recipient_escalation,
            sender_escalation,
            case_contact,
            json,
        }
    }
}

impl From<vigil::TrackerStats> for TrackerStats {
    fn from(s: vigil::TrackerStats) -> TrackerStats {
        TrackerStats {
            keys: s.keys,
            observed: s.observed,
            escalations: s.escalations,
            evicted_capacity: s.evicted_capacity,
            evicted_idle: s.evicted_idle,
            out_of_order: s.out_of_order,
        }
    }
}

impl From<vigil::ExampleFailure> for ExampleFailure {
    fn from(f: vigil::ExampleFailure) -> ExampleFailure {
        ExampleFailure {
            rule: f.rule,
            text: f.text,
            expected_hit: f.expected_hit,
            location: f.location,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_indicator_kind_is_mirrored() {
        for k in vigil::indicators::IndicatorKind::ALL {
            let ffi = indicator_kind(k).unwrap_or_else(|| panic!("{k} has no record kind"));
            assert_eq!(vigil::indicators::IndicatorKind::from(ffi), k);
        }
    }

    /// Each core action maps to the record action of the same name.
    #[test]
    fn every_intervention_action_is_mirrored() {
        use vigil::policy::InterventionAction as Core;
        for core in [Core::NudgeRecipient, Core::NudgeSender, Core::Mask, Core::Hold] {
            let ffi = InterventionAction::from(core);
            assert_eq!(format!("{ffi:?}").to_lowercase(), core.as_str().replace('_', ""));
        }
    }
}
