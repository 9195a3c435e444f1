//! Escalations: the versioned document a moderator receives (`vigil.escalation/1`).
//!
//! Its JSON Schema is `core/schema/escalation.schema.json` (also [`Escalation::SCHEMA`]). The
//! types are re-exported at the crate root.

use serde::{Deserialize, Serialize};

use crate::engine::{round3, Span};
use crate::level::Level;
use crate::message::{AgeBand, Channel, Relationship, Timestamp};
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
