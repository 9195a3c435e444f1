//! Report drafts: a reviewed escalation becomes a hotline report a moderator completes and files.
//!
//! Vigil never sends a report. A [`Drafter`] turns one escalation — a conversation's or a
//! sender case's, at `review` or above, confirmed by a named reviewer — into:
//!
//! - a [`CyberTiplineDraft`]: the sections of NCMEC's CyberTipline Reporting API report
//!   (`incidentSummary`, `internetDetails`, `reporter`, `personOrUserReported`, `victim`,
//!   `additionalInfo`), as the XML the API takes ([`CyberTiplineDraft::to_xml`]) and as JSON
//!   with the same structure ([`CyberTiplineDraft::to_json`]); fields only the platform knows
//!   (the reporter, the contact, the legal references, the reported person's screen name) hold
//!   [`TO_BE_COMPLETED`] and are listed in [`CyberTiplineDraft::to_be_completed`];
//! - a [`CaseExport`]: the same facts in neutral terms (no US-specific codes), for hotlines and
//!   police elsewhere that take structured referrals (`vigil.case-export/1`).
//!
//! Both record the review and every evidence item they include, so a second moderator can check
//! them. The XML validates against `core/schema/cybertipline-report.xsd`, a schema written from
//! the element names of the API's public documentation (see the note at its top).
//!
//! ```
//! use vigil::draft::{Decision, Drafter, Review};
//! use std::sync::Arc;
//! use vigil::{AgeBand, Channel, Engine, Message, Participant, Relationship, Timestamp, Tracker};
//!
//! let mut tracker = Tracker::new(Arc::new(Engine::default()));
//! let mut last = None;
//! for (i, text) in ["how old are you?", "don't tell your parents about us",
//!                   "add me on snapchat", "send me a pic of you"].iter().enumerate() {
//!     let m = Message::new("c-1", format!("m-{i}"), Timestamp::from_millis(i as i64 * 60_000),
//!             Participant::new("adult-1", AgeBand::Adult), *text)
//!         .with_recipient(Participant::new("child-1", AgeBand::Minor))
//!         .with_channel(Channel::Direct)
//!         .with_relationship(Relationship::Stranger);
//!     if let Some(e) = tracker.observe(&m).escalation { last = Some(e); }
//! }
//! let escalation = last.unwrap();
//! let review = Review::new("mod-7", Decision::Confirmed);
//! let draft = Drafter::new(review).platform("ExampleChat").cybertipline(&escalation).unwrap();
//! assert!(draft.to_xml().contains("<incidentType>Online Enticement of Children for Sexual Acts</incidentType>"));
//! assert!(draft.to_be_completed.iter().any(|p| p == "report/reporter/reportingPerson/email"));
//!
//! // Below `review`, or without a reviewer, there is no draft.
//! assert!(Drafter::new(Review::new("", Decision::Confirmed)).cybertipline(&escalation).is_err());
//! ```

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::escalation::{
    EscalatedIndicator, Escalation, EscalationScope, EvidenceItem, PolicyRef, TimelineEntry,
};
use crate::level::Level;
use crate::message::{AgeBand, Timestamp};

mod cybertipline;
mod export;
mod xml;

#[cfg(test)]
mod tests;

pub use cybertipline::{
    AssociatedAccount, ChatImIncident, CyberTiplineDraft, IncidentSummary, InternetDetails,
    OnlineGamingIncident, Person, PersonOrUserReported, Report, Reporter, Victim, ANNOTATIONS,
    INCIDENT_TYPES,
};
pub use export::{
    CaseExport, ExportCase, ExportChild, ExportConversation, ExportIncident, ExportReporter, ExportSuspect,
};

/// The highest age a report takes.
pub const MAX_AGE: u32 = 150;

/// The marker of a field only the platform can fill (the reporter, the contact, legal references).
pub const TO_BE_COMPLETED: &str = "TO_BE_COMPLETED";

/// A reviewer's decision on an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Decision {
    /// The reviewer confirmed the escalation: a report may be drafted.
    Confirmed,
    /// The reviewer found no exploitation: no report.
    Dismissed,
    /// The reviewer needs more before deciding: no report yet.
    NeedsMoreInformation,
}

impl Decision {
    /// The decision's name (`confirmed`, `dismissed`, `needs_more_information`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Confirmed => "confirmed",
            Decision::Dismissed => "dismissed",
            Decision::NeedsMoreInformation => "needs_more_information",
        }
    }
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Decision {
    type Err = String;

    /// ```
    /// use vigil::draft::Decision;
    /// assert_eq!("confirmed".parse::<Decision>(), Ok(Decision::Confirmed));
    /// assert!("maybe".parse::<Decision>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Decision, String> {
        match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "confirmed" => Ok(Decision::Confirmed),
            "dismissed" => Ok(Decision::Dismissed),
            "needs_more_information" => Ok(Decision::NeedsMoreInformation),
            _ => Err(format!(
                "unknown decision {s:?} (expected confirmed, dismissed or needs_more_information)"
            )),
        }
    }
}

/// A human's review of an escalation: who, what they decided, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Review {
    /// The reviewer's id (a moderator account, not a name).
    pub reviewed_by: String,
    /// What they decided.
    pub decision: Decision,
    /// When they decided, if the caller says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_at: Option<Timestamp>,
    /// Their note, if any (it goes into the draft's additional information).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Review {
    /// A review by `reviewed_by` with `decision`.
    pub fn new(reviewed_by: impl Into<String>, decision: Decision) -> Review {
        Review {
            reviewed_by: reviewed_by.into(),
            decision,
            reviewed_at: None,
            note: None,
        }
    }
}

/// Where the incident took place, as the CyberTipline types it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Medium {
    /// A chat or instant-messaging service (`chatImIncident`). The default.
    #[default]
    ChatIm,
    /// An online game's chat (`onlineGamingIncident`).
    OnlineGaming,
}

impl std::str::FromStr for Medium {
    type Err = String;

    fn from_str(s: &str) -> Result<Medium, String> {
        match s.trim().to_ascii_lowercase().replace(['-', ' '], "_").as_str() {
            "chat_im" | "chat" | "im" => Ok(Medium::ChatIm),
            "online_gaming" | "gaming" | "game" => Ok(Medium::OnlineGaming),
            _ => Err(format!(
                "unknown medium {s:?} (expected chat_im or online_gaming)"
            )),
        }
    }
}

/// Why no draft was made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DraftError {
    /// Drafts are made only from escalations a moderator must review.
    #[error("a report draft needs an escalation at `review` or above; this one is at `{level}`")]
    BelowReview {
        /// The escalation's level.
        level: Level,
    },
    /// Nobody is named as the reviewer.
    #[error("a report draft needs the reviewer's id (`reviewed_by`): a human decides, not Vigil")]
    MissingReviewer,
    /// The reviewer did not confirm the escalation.
    #[error("a report draft needs a `confirmed` decision; the review says `{decision}`")]
    NotConfirmed {
        /// The review's decision.
        decision: Decision,
    },
    /// A recipient's view weighs several senders: there is no one reported person.
    #[error(
        "a recipient's view (`scope: \"recipient\"`) adds up several senders: draft from each sender's \
         conversation or sender case instead"
    )]
    RecipientView,
    /// The policy suggests no incident type and none was given.
    #[error(
        "the escalation's report hints name no incident type: give one (one of the CyberTipline's \
         incident types)"
    )]
    NoIncidentType,
    /// An incident type that is not one of the CyberTipline's.
    #[error("`{0}` is not a CyberTipline incident type (see vigil::draft::INCIDENT_TYPES)")]
    UnknownIncidentType(String),
    /// A draft's JSON form could not be read.
    #[error("invalid draft JSON: {0}")]
    Json(String),
}

/// Makes report drafts from reviewed escalations: the review, and what the platform tells about
/// itself (its name, the kind of incident, participants' declared ages).
#[derive(Debug, Clone)]
pub struct Drafter {
    review: Review,
    platform: Option<String>,
    medium: Medium,
    incident_type: Option<String>,
    ages: Vec<(String, u32)>,
}

impl Drafter {
    /// A drafter for escalations reviewed as `review` says.
    pub fn new(review: Review) -> Drafter {
        Drafter {
            review,
            platform: None,
            medium: Medium::default(),
            incident_type: None,
            ages: Vec::new(),
        }
    }

    /// The platform's (or game's) name: the chat client or game name of the incident.
    pub fn platform(mut self, name: impl Into<String>) -> Drafter {
        let name = name.into();
        self.platform = (!name.trim().is_empty()).then_some(name);
        self
    }

    /// Where the incident took place (chat or online game; chat by default).
    pub fn medium(mut self, medium: Medium) -> Drafter {
        self.medium = medium;
        self
    }

    /// The incident type, instead of the first one the policy's report hints suggest (the
    /// reviewer's choice). Must be one of [`INCIDENT_TYPES`].
    pub fn incident_type(mut self, incident_type: impl Into<String>) -> Drafter {
        self.incident_type = Some(incident_type.into());
        self
    }

    /// A participant's age in years as the platform knows it (a victim's age in the draft). An
    /// age above [`MAX_AGE`] is not an age (the report takes 0 to 150) and is ignored.
    pub fn declared_age(mut self, participant: impl Into<String>, years: u32) -> Drafter {
        let id = participant.into();
        self.ages.retain(|(p, _)| *p != id);
        if years <= MAX_AGE {
            self.ages.push((id, years));
        }
        self
    }

    /// A CyberTipline-shaped draft of `escalation`.
    ///
    /// # Errors
    /// [`DraftError`] when the escalation is below `review`, is a recipient's view, the review
    /// names no reviewer or is not `confirmed`, or no valid incident type is known.
    pub fn cybertipline(&self, escalation: &Escalation) -> Result<CyberTiplineDraft, DraftError> {
        let facts = self.facts(escalation)?;
        cybertipline::draft(&facts)
    }

    /// A neutral case export of `escalation` (`vigil.case-export/1`).
    ///
    /// # Errors
    /// As [`Drafter::cybertipline`], except that no incident type is needed.
    pub fn case_export(&self, escalation: &Escalation) -> Result<CaseExport, DraftError> {
        let facts = self.facts(escalation)?;
        Ok(export::export(&facts))
    }

    fn facts<'e>(&'e self, e: &'e Escalation) -> Result<Facts<'e>, DraftError> {
        if e.level < Level::Review {
            return Err(DraftError::BelowReview { level: e.level });
        }
        if self.review.reviewed_by.trim().is_empty() {
            return Err(DraftError::MissingReviewer);
        }
        if self.review.decision != Decision::Confirmed {
            return Err(DraftError::NotConfirmed {
                decision: self.review.decision,
            });
        }
        if e.scope == EscalationScope::Recipient {
            return Err(DraftError::RecipientView);
        }
        Ok(Facts::of(self, e))
    }
}

/// A conversation of the case, with its evidence.
pub(crate) struct ConversationFacts<'e> {
    pub(crate) id: &'e str,
    pub(crate) recipient: Option<&'e str>,
    pub(crate) minor: bool,
    pub(crate) level: Option<Level>,
    pub(crate) first_seen: Option<Timestamp>,
    pub(crate) last_seen: Option<Timestamp>,
    pub(crate) evidence: Vec<&'e EvidenceItem>,
}

/// A child of the case.
pub(crate) struct ChildFacts<'e> {
    pub(crate) id: &'e str,
    pub(crate) conversation_id: &'e str,
    pub(crate) age_band: AgeBand,
    pub(crate) disclosed_minor: bool,
    pub(crate) declared_age: Option<u32>,
}

/// What both draft forms say, read once from the escalation.
pub(crate) struct Facts<'e> {
    pub(crate) drafter: &'e Drafter,
    pub(crate) escalation: &'e Escalation,
    pub(crate) conversations: Vec<ConversationFacts<'e>>,
    pub(crate) children: Vec<ChildFacts<'e>>,
    pub(crate) first_seen: Timestamp,
    pub(crate) last_seen: Timestamp,
}

impl<'e> Facts<'e> {
    fn of(drafter: &'e Drafter, e: &'e Escalation) -> Facts<'e> {
        let age = |id: &str| drafter.ages.iter().find(|(p, _)| p == id).map(|(_, a)| *a);
        let recipient = e.participants.recipient.as_ref();
        let mut conversations: Vec<ConversationFacts<'e>> = if e.scope == EscalationScope::Sender {
            e.conversations
                .iter()
                .map(|c| ConversationFacts {
                    id: &c.conversation_id,
                    recipient: c.recipient.as_deref(),
                    minor: c.minor,
                    level: c.level,
                    first_seen: Some(c.first_seen),
                    last_seen: Some(c.last_seen),
                    evidence: e
                        .evidence
                        .iter()
                        .filter(|x| x.conversation_id.as_deref() == Some(c.conversation_id.as_str()))
                        .collect(),
                })
                .collect()
        } else {
            let evidence: Vec<&EvidenceItem> = e.evidence.iter().collect();
            vec![ConversationFacts {
                id: &e.conversation_id,
                recipient: recipient.map(|r| r.id.as_str()),
                minor: recipient.is_some_and(|r| r.age_band == AgeBand::Minor || r.probable_minor),
                level: Some(e.level),
                first_seen: evidence.iter().map(|x| x.timestamp).min(),
                last_seen: evidence.iter().map(|x| x.timestamp).max().max(Some(e.raised_at)),
                evidence,
            }]
        };
        // A sender escalation lists only the conversations that count; evidence of others (none
        // today) would still be listed, never dropped.
        if e.scope == EscalationScope::Sender {
            let orphans: Vec<&EvidenceItem> = e
                .evidence
                .iter()
                .filter(|x| {
                    !conversations
                        .iter()
                        .any(|c| Some(c.id) == x.conversation_id.as_deref())
                })
                .collect();
            if !orphans.is_empty() {
                conversations.push(ConversationFacts {
                    id: &e.conversation_id,
                    recipient: None,
                    minor: false,
                    level: None,
                    first_seen: orphans.iter().map(|x| x.timestamp).min(),
                    last_seen: orphans.iter().map(|x| x.timestamp).max(),
                    evidence: orphans,
                });
            }
        }
        let children = conversations
            .iter()
            .filter(|c| c.minor)
            .filter_map(|c| {
                let id = c.recipient?;
                let raising = recipient.filter(|r| r.id == id);
                Some(ChildFacts {
                    id,
                    conversation_id: c.id,
                    age_band: raising.map_or(AgeBand::Minor, |r| r.age_band),
                    disclosed_minor: raising.is_some_and(|r| r.probable_minor),
                    declared_age: age(id),
                })
            })
            .collect();
        let first_seen = conversations
            .iter()
            .filter_map(|c| c.first_seen)
            .min()
            .unwrap_or(e.raised_at);
        let last_seen = conversations
            .iter()
            .filter_map(|c| c.last_seen)
            .max()
            .unwrap_or(e.raised_at)
            .max(first_seen);
        Facts {
            drafter,
            escalation: e,
            conversations,
            children,
            first_seen,
            last_seen,
        }
    }

    /// The case's reference: the sender case id, or the conversation id.
    pub(crate) fn reference(&self) -> &'e str {
        match (self.escalation.scope, &self.escalation.case) {
            (EscalationScope::Sender, Some(case)) => case,
            _ => &self.escalation.conversation_id,
        }
    }

    pub(crate) fn indicators(&self) -> &'e [EscalatedIndicator] {
        &self.escalation.indicators
    }

    pub(crate) fn timeline(&self) -> &'e [TimelineEntry] {
        &self.escalation.timeline
    }

    pub(crate) fn policy(&self) -> &'e PolicyRef {
        &self.escalation.policy
    }

    pub(crate) fn evidence_count(&self) -> usize {
        self.conversations.iter().map(|c| c.evidence.len()).sum()
    }
}

/// One evidence item a draft includes: enough for a second moderator to find and check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IncludedEvidence {
    /// The message's conversation.
    pub conversation_id: String,
    /// The message.
    pub message_id: String,
    /// Its timestamp.
    pub timestamp: Timestamp,
    /// The rule that matched.
    pub rule: String,
    /// The rule's category.
    pub category: String,
    /// Byte offsets into the message's original text.
    pub span: crate::engine::Span,
    /// Whether the draft quotes the matched text (only where the policy's evidence settings
    /// allow excerpts).
    pub quoted: bool,
}

impl IncludedEvidence {
    fn of(conversation_id: &str, x: &EvidenceItem) -> IncludedEvidence {
        IncludedEvidence {
            conversation_id: conversation_id.to_owned(),
            message_id: x.message_id.clone(),
            timestamp: x.timestamp,
            rule: x.rule.clone(),
            category: x.category.clone(),
            span: x.span,
            quoted: x.excerpt.is_some(),
        }
    }
}

/// Where a draft comes from: the escalation it was made of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DraftSource {
    /// The escalation's scope: `conversation` or `sender`.
    pub scope: EscalationScope,
    /// The conversation id, or the sender case id (`sender-…`).
    pub reference: String,
    /// The sender's case reference, when the policy enables sender cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// The escalation's sequence number.
    pub sequence: u32,
    /// Its level.
    pub level: Level,
    /// When it was raised (the raising message's time).
    pub raised_at: Timestamp,
    /// The raising message.
    pub message_id: String,
    /// The policy that decided.
    pub policy: PolicyRef,
}

impl DraftSource {
    fn of(f: &Facts<'_>) -> DraftSource {
        let e = f.escalation;
        DraftSource {
            scope: e.scope,
            reference: f.reference().to_owned(),
            case: e.case.clone(),
            sequence: e.sequence,
            level: e.level,
            raised_at: e.raised_at,
            message_id: e.message_id.clone(),
            policy: e.policy.clone(),
        }
    }
}

/// The evidence items of `f`, in the order the draft lists them.
fn included(f: &Facts<'_>) -> Vec<IncludedEvidence> {
    f.conversations
        .iter()
        .flat_map(|c| c.evidence.iter().map(|x| IncludedEvidence::of(c.id, x)))
        .collect()
}
