//! Escalations: the versioned document a moderator receives (`vigil.escalation/1`).
//!
//! Its JSON Schema is `core/schema/escalation.schema.json` (also [`Escalation::SCHEMA`]). The
//! types are re-exported at the crate root.

use serde::{Deserialize, Serialize};

use crate::engine::Context;
use crate::engine::{round3, Engine, LanguageShare, Span};
use crate::indicators::{IndicatorKind, Sighting};
use crate::level::Level;
use crate::message::{AgeBand, Channel, Message, PlatformMetadata, Relationship, Timestamp};
use crate::policy::Policy;

/// The schema id every escalation carries.
pub(crate) const SCHEMA_ID: &str = "vigil.escalation/1";

/// The JSON Schema of an escalation document.
pub(crate) const SCHEMA: &str = include_str!("../schema/escalation.schema.json");

/// A conversation that crossed a level, or reached a new category, with the evidence a moderator
/// needs to decide. Raised only when the level rises or a new category joins — never twice for
/// the same state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Escalation {
    /// Always [`Escalation::SCHEMA_ID`].
    pub schema: String,
    /// The conversation.
    pub conversation_id: String,
    /// Whose messages it weighs: absent (one sender's, the default) or `"recipient"` (every
    /// sender's messages to one minor in a public channel).
    #[serde(default, skip_serializing_if = "EscalationScope::is_conversation")]
    pub scope: EscalationScope,
    /// The sender's case reference: the same in every escalation of one sender — each of their
    /// conversations' and their sender escalations — so a moderation queue folds a sender's
    /// conversations into one case (only when the policy enables `[senders]`; absent in a
    /// recipient's view, where several senders add up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// 1 for the first escalation of this conversation key, then 2, 3, …
    pub sequence: u32,
    /// The level now.
    pub level: Level,
    /// The level of the previous escalation of this key (`null` for the first).
    pub previous_level: Option<Level>,
    /// The message that raised it.
    pub message_id: String,
    /// That message's timestamp.
    pub raised_at: Timestamp,
    /// The participants: ids and age bands, never more.
    pub participants: Participants,
    /// The channel of the raising message.
    pub channel: Channel,
    /// The relationship of the raising message.
    pub relationship: Relationship,
    /// The platform's own channel and relationship words of the raising message, when they are
    /// not kinds' names (`"game"` scored as `public`), mapped or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<PlatformMetadata>,
    /// Conversation risk (decayed category scores plus stage bonus).
    #[serde(serialize_with = "round3")]
    pub risk: f64,
    /// Categories holding points, strongest first.
    pub categories: Vec<EscalatedCategory>,
    /// Reasons in plain words (the policy's category summaries, and the stage bonus).
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
    /// The conversation's languages as estimated so far, strongest first (only with language
    /// scoping; empty before any evidence).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub language: Vec<LanguageShareItem>,
    /// Contact and payment details the sender wrote in the conversation (phone numbers, e-mail
    /// addresses, handles, invite links, payment handles, wallets, gift-card codes), each once,
    /// in the order first seen (only when the policy enables `[indicators]`; absent when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<EscalatedIndicator>,
    /// In a sender escalation (`scope: "sender"`): the sender's conversations that count, with
    /// their levels, points and evidence summaries, in the order they began (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conversations: Vec<CaseConversationItem>,
}

/// One conversation of a sender case, as a sender escalation lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CaseConversationItem {
    /// The conversation.
    pub conversation_id: String,
    /// The recipient of the sender's messages (absent in group and public channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The recipient is a minor (declared, or disclosed being a child).
    pub minor: bool,
    /// The highest level the conversation reached (`null`: risky messages below `watch`).
    pub level: Option<Level>,
    /// The points it adds to the sender's case, by that level.
    #[serde(serialize_with = "round3")]
    pub points: f64,
    /// The conversation's risk after the sender's last risky message in it.
    #[serde(serialize_with = "round3")]
    pub risk: f64,
    /// The categories holding points in it then, strongest first.
    pub categories: Vec<String>,
    /// The sender's first risky message in it.
    pub first_message_id: String,
    /// Its timestamp.
    pub first_seen: Timestamp,
    /// The sender's last risky message in it.
    pub last_message_id: String,
    /// Its timestamp.
    pub last_seen: Timestamp,
    /// The sender's risky messages in it.
    pub messages: u32,
}

/// A contact or payment detail of an escalated conversation key: its first sighting, and how
/// often the sender wrote it (see [`crate::indicators`] for what each kind finds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EscalatedIndicator {
    /// What it is.
    pub kind: IndicatorKind,
    /// Its normalized value (`+447700900123`, `name@example.com`, `$name`, …).
    pub value: String,
    /// The app of a handle or link, the service of a payment handle, the chain of a wallet, the
    /// brand of a gift card, `obfuscated` for an e-mail written with words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The checksum result, where the format has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<bool>,
    /// The message it was first seen in.
    pub message_id: String,
    /// Byte offsets into that message's original text.
    pub span: Span,
    /// How many times the sender wrote it in the conversation (saturating).
    pub count: u32,
}

/// A language of the conversation and its share of the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LanguageShareItem {
    /// ISO 639-1 code.
    pub language: String,
    /// Share of the conversation's language evidence, in [0, 1].
    #[serde(serialize_with = "crate::engine::round3")]
    pub share: f64,
}

/// Sender and recipient of a conversation key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Participants {
    /// The sender whose messages were assessed.
    pub sender: ParticipantRef,
    /// The recipient (absent in group channels).
    pub recipient: Option<ParticipantRef>,
}

/// A participant as an escalation names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ParticipantRef {
    /// Platform id.
    pub id: String,
    /// The platform's age band.
    pub age_band: AgeBand,
    /// The participant disclosed being a child in the conversation.
    pub probable_minor: bool,
}

/// A category's share of conversation risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EscalatedCategory {
    /// Category id.
    pub id: String,
    /// Its grooming stage.
    pub stage: String,
    /// Decayed points.
    #[serde(serialize_with = "round3")]
    pub score: f64,
    /// The policy's plain-words summary.
    pub summary: String,
}

/// One piece of evidence: which rule matched which bytes of which message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EvidenceItem {
    /// The message.
    pub message_id: String,
    /// Its timestamp.
    pub timestamp: Timestamp,
    /// The rule.
    pub rule: String,
    /// The rule's category.
    pub category: String,
    /// Byte offsets into the message's original text.
    pub span: Span,
    /// The matched text (and context), only where the policy allows.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub excerpt: Option<String>,
    /// Who sent the message, in a recipient's view (`scope: "recipient"`), where several
    /// senders add up; absent in a conversation key, whose sender is the escalation's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sender: Option<String>,
    /// The message's conversation, in a sender escalation (`scope: "sender"`), which spans
    /// conversations; absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub conversation_id: Option<String>,
}

/// Whose messages an escalation weighs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EscalationScope {
    /// One sender's messages in a conversation: to one recipient in a direct channel, to the
    /// space in a shared one. The default, absent from documents.
    #[default]
    Conversation,
    /// Every sender's messages addressed to one minor in a public channel — a streamer pushed by
    /// several viewers. `participants.recipient` is that minor, `participants.sender` the sender
    /// of the raising message, and each evidence item names its sender.
    Recipient,
    /// One sender's messages across conversations: the sender's case (see
    /// [`Senders`](crate::policy::Senders)). `conversations` lists them, evidence items and
    /// timeline entries name their conversation, `participants` are those of the raising message.
    Sender,
}

impl EscalationScope {
    /// Whether this is the default scope (documents leave it out).
    pub fn is_conversation(&self) -> bool {
        *self == EscalationScope::Conversation
    }
}

/// When a stage first and last appeared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TimelineEntry {
    /// Stage id.
    pub stage: String,
    /// First message that evidenced it.
    pub first_message_id: String,
    /// Its timestamp.
    pub first_seen: Timestamp,
    /// The latest signal of this stage.
    pub last_seen: Timestamp,
    /// The conversation of the first message, in a sender escalation (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub conversation_id: Option<String>,
}

/// The policy that produced an escalation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PolicyRef {
    /// Layer ids joined with `+`.
    pub id: String,
    /// Layer versions joined with `+`.
    pub version: String,
    /// Content hash of the resolved policy.
    pub hash: String,
}

/// Report hints from the policy's categories.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReportHints {
    /// Incident types suggested by the categories present.
    pub incident_types: Vec<String>,
    /// Annotations, with `minorToMinorInteraction` when both participants are minors.
    pub annotations: Vec<String>,
    /// Where the report takes each of the escalation's indicators, by the policy's
    /// `[indicators.report]` (absent when no indicator's kind has a field there).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<IndicatorHint>,
}

/// One indicator of an escalation and the report field the policy takes it to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IndicatorHint {
    /// The report field, as the policy names it (e.g. a CyberTipline element path).
    pub field: String,
    /// The indicator's kind.
    pub kind: IndicatorKind,
    /// Its value (as in [`Escalation::indicators`]).
    pub value: String,
}

impl From<&Policy> for PolicyRef {
    /// The reference escalations (and evaluation reports) make to `policy`.
    ///
    /// ```
    /// let policy = vigil::Policy::shipped().unwrap();
    /// let r = vigil::PolicyRef::from(&policy);
    /// assert_eq!((r.id.as_str(), r.hash.as_str()), (policy.id(), policy.hash()));
    /// ```
    fn from(policy: &Policy) -> PolicyRef {
        PolicyRef {
            id: policy.id().into(),
            version: policy.version().into(),
            hash: policy.hash().into(),
        }
    }
}

impl Escalation {
    /// The schema id every escalation carries (`vigil.escalation/1`).
    pub const SCHEMA_ID: &'static str = SCHEMA_ID;

    /// The JSON Schema of an escalation document (`core/schema/escalation.schema.json`).
    pub const SCHEMA: &'static str = SCHEMA;

    /// The escalation as one line of JSON. Infallible: an escalation holds no map and nothing
    /// whose serialization can fail (see `core/src/json.rs`).
    pub fn to_json(&self) -> String {
        crate::json::compact(self)
    }
}

/// What a tracker hands over to build an escalation: its key's state in plain terms (category
/// and stage indices are the engine's policy's).
pub(crate) struct Facts<'a> {
    /// The key's time (the raising message's, or the key's last if that was later).
    pub(crate) now: i64,
    pub(crate) level: Level,
    pub(crate) previous: Option<Level>,
    pub(crate) risk: f64,
    pub(crate) sequence: u32,
    /// (category index, points).
    pub(crate) cats: &'a [(u16, f64)],
    /// (bonus points, active stages).
    pub(crate) stage_bonus: (f64, u32),
    pub(crate) forced: Option<Level>,
    /// The ceiling that held the level down.
    pub(crate) capped_by: Option<u16>,
    /// (age band as scored, probable minor) of sender and recipient.
    pub(crate) bands: [(AgeBand, bool); 2],
    pub(crate) stages: Vec<StageFact<'a>>,
    pub(crate) evidence: Vec<EvidenceFact<'a>>,
    /// Modifier indices that applied over the key.
    pub(crate) modifiers: &'a [u16],
    /// The indicators the key's sender wrote.
    pub(crate) indicators: &'a [Sighting],
    pub(crate) language: &'a [LanguageShare],
    /// The key is a recipient's view (every sender's messages to one minor).
    pub(crate) recipient_view: bool,
}

/// When a stage was first and last seen.
pub(crate) struct StageFact<'a> {
    pub(crate) stage: u16,
    pub(crate) first_message: &'a str,
    pub(crate) first_ts: i64,
    pub(crate) last_ts: i64,
}

/// One kept piece of evidence (rule index, byte span).
pub(crate) struct EvidenceFact<'a> {
    pub(crate) message_id: &'a str,
    pub(crate) sender: Option<&'a str>,
    pub(crate) ts: i64,
    pub(crate) rule: u32,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) excerpt: Option<&'a str>,
}

impl ReportHints {
    /// Adds the incident types and annotations of the categories (indices into `policy`'s).
    fn add_categories(&mut self, policy: &Policy, cats: impl Iterator<Item = u16>) {
        for i in cats {
            let Some(r) = policy
                .categories()
                .get(usize::from(i))
                .and_then(|c| c.report.as_ref())
            else {
                continue;
            };
            if let Some(t) = &r.incident_type {
                if !self.incident_types.contains(t) {
                    self.incident_types.push(t.clone());
                }
            }
            for a in &r.annotations {
                if !self.annotations.contains(a) {
                    self.annotations.push(a.clone());
                }
            }
        }
    }
}

/// The metadata of the raising message and its participants as an escalation names them.
fn participants<'m>(
    engine: &Engine,
    msg: &'m Message,
    bands: [(AgeBand, bool); 2],
) -> (Context<'m>, Participants) {
    let known = Context::of(engine.policy(), msg);
    // A public message addressed to one person (a streamer) names them.
    let group = known.channel.is_shared() && !(known.channel == Channel::Public && msg.recipient.is_some());
    let sender = ParticipantRef {
        id: msg.sender.id.clone(),
        age_band: known.sender,
        probable_minor: bands[0].1,
    };
    let recipient = if group {
        None
    } else {
        msg.recipient.as_ref().map(|r| ParticipantRef {
            id: r.id.clone(),
            age_band: r.band(engine.policy().metadata().adult_age),
            probable_minor: bands[1].1,
        })
    };
    (known, Participants { sender, recipient })
}

impl Escalation {
    /// The document for the message `msg` that raised it, from what the tracker handed over.
    pub(crate) fn build(engine: &Engine, msg: &Message, f: &Facts<'_>) -> Escalation {
        let policy = engine.policy();
        let mut cats: Vec<&(u16, f64)> = f.cats.iter().collect();
        cats.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let categories: Vec<EscalatedCategory> = cats
            .iter()
            .map(|(i, s)| {
                let c = &policy.categories()[usize::from(*i)];
                EscalatedCategory {
                    id: c.id.clone(),
                    stage: c.stage.clone(),
                    score: *s,
                    summary: c.summary.clone(),
                }
            })
            .collect();
        let mut reasons: Vec<String> = categories.iter().map(|c| c.summary.clone()).collect();
        let (bonus, active) = f.stage_bonus;
        if bonus > 0.0 {
            reasons.push(format!(
                "Several grooming stages from one sender: {active} distinct stages in this conversation"
            ));
        }
        if let Some(forced) = f.forced {
            if engine.level_for(f.risk).is_none_or(|l| l < forced) {
                reasons.push(format!(
                    "A rule that the policy treats as {forced} on its own fired"
                ));
            }
        }
        if let Some(c) = f.capped_by.and_then(|c| engine.ceilings.get(usize::from(c))) {
            reasons.push(match &c.description {
                Some(d) => format!("Held at {}: {d}", c.level),
                None => format!("Held at {} by the policy's ceiling `{}`", c.level, c.id),
            });
        }
        let (known, Participants { sender, recipient }) = participants(engine, msg, f.bands);
        for (p, (band, probable)) in [Some(&sender), recipient.as_ref()].into_iter().zip(f.bands) {
            if let Some(p) = p {
                if probable && p.age_band == AgeBand::Unknown && band == AgeBand::Minor {
                    reasons.push(format!(
                        "Participant {} disclosed being a child in this conversation",
                        p.id
                    ));
                }
            }
        }
        let mut evidence: Vec<EvidenceItem> = f
            .evidence
            .iter()
            .map(|e| {
                let rule = &policy.rules()[e.rule as usize];
                EvidenceItem {
                    message_id: e.message_id.to_string(),
                    timestamp: Timestamp::from_millis(e.ts),
                    rule: rule.id.clone(),
                    category: rule.category.clone(),
                    span: Span {
                        start: e.start as usize,
                        end: e.end as usize,
                    },
                    excerpt: e.excerpt.map(str::to_string),
                    sender: e.sender.map(str::to_string),
                    conversation_id: None,
                }
            })
            .collect();
        evidence.sort_by_key(|e| e.timestamp);
        if f.recipient_view {
            let mut senders: Vec<&str> = evidence.iter().filter_map(|e| e.sender.as_deref()).collect();
            senders.sort_unstable();
            senders.dedup();
            if let Some(r) = &recipient {
                reasons.push(format!(
                    "{} sender(s) sent these messages to {}, a minor, in a public channel (as to a streamer or host): what each sent adds up here",
                    senders.len(),
                    r.id
                ));
            }
        }
        let mut timeline: Vec<TimelineEntry> = f
            .stages
            .iter()
            .map(|s| TimelineEntry {
                stage: engine.stages[usize::from(s.stage)].to_string(),
                first_message_id: s.first_message.to_string(),
                first_seen: Timestamp::from_millis(s.first_ts),
                last_seen: Timestamp::from_millis(s.last_ts),
                conversation_id: None,
            })
            .collect();
        timeline.sort_by_key(|t| t.first_seen);
        let mut hints = ReportHints::default();
        hints.add_categories(policy, f.cats.iter().map(|(i, _)| *i));
        if f.bands[0].0 == AgeBand::Minor && f.bands[1].0 == AgeBand::Minor {
            hints.annotations.push("minorToMinorInteraction".into());
        }
        // The report's reported person is the key's sender: a child's own details (a minor
        // writing to someone who is not) are listed as indicators but never routed there.
        let routes = &policy.indicators().report;
        let child_to_other = f.bands[0].0 == AgeBand::Minor && f.bands[1].0 != AgeBand::Minor;
        if !routes.is_empty() && !child_to_other {
            hints.indicators = f
                .indicators
                .iter()
                .filter_map(|s| {
                    routes.get(&s.indicator.kind).map(|field| IndicatorHint {
                        field: field.clone(),
                        kind: s.indicator.kind,
                        value: s.indicator.value.clone(),
                    })
                })
                .collect();
        }
        let mut mods = f.modifiers.to_vec();
        mods.sort_unstable();
        Escalation {
            schema: SCHEMA_ID.into(),
            conversation_id: msg.conversation_id.clone(),
            scope: if f.recipient_view {
                EscalationScope::Recipient
            } else {
                EscalationScope::Conversation
            },
            case: (policy.senders().enabled && !f.recipient_view)
                .then(|| crate::tracker::senders::case_id(&msg.sender.id)),
            sequence: f.sequence,
            level: f.level,
            previous_level: f.previous,
            message_id: msg.message_id.clone(),
            raised_at: Timestamp::from_millis(f.now),
            participants: Participants { sender, recipient },
            channel: known.channel,
            relationship: known.relationship,
            platform: engine.policy().metadata().platform_words(msg),
            risk: f.risk,
            categories,
            reasons,
            evidence,
            timeline,
            modifiers: mods
                .iter()
                .map(|m| engine.modifiers[usize::from(*m)].id.to_string())
                .collect(),
            policy: PolicyRef {
                id: policy.id().into(),
                version: policy.version().into(),
                hash: policy.hash().into(),
            },
            recommended_action: policy.action(f.level).map(str::to_string),
            report_hints: hints,
            language: f
                .language
                .iter()
                .map(|s| LanguageShareItem {
                    language: s.language.code().to_string(),
                    share: f64::from(s.share),
                })
                .collect(),
            indicators: f
                .indicators
                .iter()
                .map(|s| EscalatedIndicator {
                    kind: s.indicator.kind,
                    value: s.indicator.value.clone(),
                    detail: s.indicator.detail.clone(),
                    checked: s.indicator.checked,
                    message_id: s.message_id.clone(),
                    span: s.indicator.span,
                    count: s.count,
                })
                .collect(),
            conversations: Vec::new(),
        }
    }
}

mod sender;
pub(crate) use sender::SenderFacts;
