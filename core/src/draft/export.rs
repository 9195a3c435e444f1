//! The neutral case export (`vigil.case-export/1`): the facts of a reviewed case in Vigil's own
//! terms, with no US-specific codes, for hotlines and police that take structured referrals.
//! Documented field by field in `docs/report-drafts.md`.

use serde::{Deserialize, Serialize};

use super::{
    included, ConversationFacts, DraftSource, Facts, IncludedEvidence, Medium, Review, TO_BE_COMPLETED,
};
use crate::engine::round3;
use crate::escalation::{EscalatedCategory, EscalatedIndicator, EvidenceItem, TimelineEntry};
use crate::level::Level;
use crate::message::{AgeBand, Timestamp};

/// The schema id of a case export.
const SCHEMA_ID: &str = "vigil.case-export/1";

/// The JSON Schema of a case export.
const SCHEMA: &str = include_str!("../../schema/case-export.schema.json");

/// A reviewed case in neutral terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CaseExport {
    /// Always `vigil.case-export/1`.
    pub schema: String,
    /// The escalation it was made of.
    pub source: DraftSource,
    /// The review that allowed it.
    pub review: Review,
    /// The case: scope, level, risk.
    pub case: ExportCase,
    /// What happened, and when.
    pub incident: ExportIncident,
    /// The account whose messages were assessed.
    pub suspect: ExportSuspect,
    /// The children of the case.
    pub children: Vec<ExportChild>,
    /// The conversations, each with its evidence.
    pub conversations: Vec<ExportConversation>,
    /// Grooming stages in the order they appeared.
    pub timeline: Vec<TimelineEntry>,
    /// The reporting organisation: only the platform knows it.
    pub reporter: ExportReporter,
    /// Fields holding `TO_BE_COMPLETED` that the platform must fill.
    pub to_be_completed: Vec<String>,
    /// Every evidence item the export includes, in the order listed.
    pub evidence_included: Vec<IncludedEvidence>,
}

/// The case as Vigil rated it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportCase {
    /// `conversation` (one sender's messages in one conversation) or `sender` (one sender's
    /// conversations with several children).
    pub scope: String,
    /// The conversation id, or the sender case id.
    pub reference: String,
    /// The level.
    pub level: Level,
    /// The risk (conversation risk, or the sender's points).
    #[serde(serialize_with = "round3")]
    pub risk: f64,
    /// What the policy recommends at this level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommended_action: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportIncident {
    /// The first risky message's time.
    pub first_seen: Timestamp,
    /// The last one's.
    pub last_seen: Timestamp,
    /// `chat_im` or `online_gaming`.
    pub medium: Medium,
    /// The platform's name, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The behaviours found (the policy's categories), strongest first.
    pub categories: Vec<EscalatedCategory>,
    /// Reasons in plain words.
    pub reasons: Vec<String>,
    /// Both participants are minors (the policy's `minor-to-minor` reading).
    pub between_minors: bool,
}

/// The account whose messages were assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportSuspect {
    /// The platform's id of the account.
    pub platform_id: String,
    /// Its age band as scored.
    pub age_band: AgeBand,
    /// It disclosed being a child.
    pub disclosed_minor: bool,
    /// Contact and payment details it wrote.
    pub indicators: Vec<EscalatedIndicator>,
}

/// A child of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportChild {
    /// The platform's id of the account.
    pub platform_id: String,
    /// The conversation with the suspect.
    pub conversation_id: String,
    /// The platform's age band.
    pub age_band: AgeBand,
    /// The age in years, when the platform declared one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_age: Option<u32>,
    /// The child disclosed being a child in the conversation.
    pub disclosed_minor: bool,
}

/// A conversation of the case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportConversation {
    /// The conversation.
    pub conversation_id: String,
    /// The recipient of the suspect's messages (absent in group and public channels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The highest level it reached (`null`: risky messages below `watch`).
    pub level: Option<Level>,
    /// The evidence: message, rule, span, and the matched text where the policy allows quoting.
    pub evidence: Vec<EvidenceItem>,
}

/// The reporting organisation's details, to be completed by the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ExportReporter {
    /// The organisation's name.
    pub organisation: String,
    /// The contact person's name.
    pub contact_name: String,
    /// The contact's e-mail address.
    pub contact_email: String,
    /// The legal basis of the referral in the platform's jurisdiction.
    pub legal_basis: String,
}

impl CaseExport {
    /// The schema id (`vigil.case-export/1`).
    pub const SCHEMA_ID: &'static str = SCHEMA_ID;

    /// The JSON Schema of a case export (`core/schema/case-export.schema.json`, JSON Schema
    /// draft 2020-12).
    pub const SCHEMA: &'static str = SCHEMA;

    /// The export as pretty JSON.
    pub fn to_json(&self) -> String {
        crate::json::pretty(self)
    }
}

pub(super) fn export(f: &Facts<'_>) -> CaseExport {
    let e = f.escalation;
    let d = f.drafter;
    let tbc = || TO_BE_COMPLETED.to_owned();
    let mut to_be_completed: Vec<String> = ["organisation", "contact_name", "contact_email", "legal_basis"]
        .iter()
        .map(|k| format!("reporter.{k}"))
        .collect();
    if f.conversations
        .iter()
        .any(|c| c.evidence.iter().any(|x| x.excerpt.is_none()))
    {
        to_be_completed.push(
            "conversations[].evidence[] without excerpt (the policy does not quote them: attach the messages from the platform's records)"
                .to_owned(),
        );
    }
    CaseExport {
        schema: SCHEMA_ID.to_owned(),
        source: DraftSource::of(f),
        review: d.review.clone(),
        case: ExportCase {
            scope: if e.scope == crate::EscalationScope::Sender {
                "sender"
            } else {
                "conversation"
            }
            .to_owned(),
            reference: f.reference().to_owned(),
            level: e.level,
            risk: e.risk,
            recommended_action: e.recommended_action.clone(),
        },
        incident: ExportIncident {
            first_seen: f.first_seen,
            last_seen: f.last_seen,
            medium: d.medium,
            platform: d.platform.clone(),
            categories: e.categories.clone(),
            reasons: e.reasons.clone(),
            between_minors: e.participants.sender.age_band == AgeBand::Minor
                && e.participants
                    .recipient
                    .as_ref()
                    .is_some_and(|r| r.age_band == AgeBand::Minor || r.probable_minor),
        },
        suspect: ExportSuspect {
            platform_id: e.participants.sender.id.clone(),
            age_band: e.participants.sender.age_band,
            disclosed_minor: e.participants.sender.probable_minor,
            indicators: e.indicators.clone(),
        },
        children: f
            .children
            .iter()
            .map(|c| ExportChild {
                platform_id: c.id.to_owned(),
                conversation_id: c.conversation_id.to_owned(),
                age_band: c.age_band,
                declared_age: c.declared_age,
                disclosed_minor: c.disclosed_minor,
            })
            .collect(),
        conversations: f
            .conversations
            .iter()
            .map(|c| ExportConversation {
                conversation_id: c.id.to_owned(),
                recipient: c.recipient.map(str::to_owned),
                level: c.level,
                evidence: c
                    .evidence
                    .iter()
                    .map(|x| {
                        let mut x = (*x).clone();
                        x.conversation_id = None;
                        x
                    })
                    .collect(),
            })
            .collect(),
        timeline: f.timeline().to_vec(),
        reporter: ExportReporter {
            organisation: tbc(),
            contact_name: tbc(),
            contact_email: tbc(),
            legal_basis: tbc(),
        },
        to_be_completed,
        evidence_included: included(f),
    }
}

/// A conversation's evidence as report content: one line per item, quoting the matched text
/// only where the escalation carries an excerpt (the policy's evidence settings).
pub(super) fn content(c: &ConversationFacts<'_>) -> String {
    let mut lines: Vec<String> = c
        .evidence
        .iter()
        .map(|x| {
            let head = format!(
                "[{}] message {} (rule {}, {}, bytes {}-{})",
                x.timestamp.to_rfc3339(),
                x.message_id,
                x.rule,
                x.category,
                x.span.start,
                x.span.end
            );
            match &x.excerpt {
                Some(t) => format!("{head}: \"{t}\""),
                None => format!(
                    "{head}: not quoted by the policy; attach the message from the platform's records"
                ),
            }
        })
        .collect();
    if lines.is_empty() {
        lines.push("No evidence item of this conversation is listed in the escalation.".to_owned());
    }
    lines.join("\n")
}

/// One indicator in plain words.
pub(super) fn indicator_line(i: &EscalatedIndicator) -> String {
    let mut s = format!("{}: {}", i.kind.as_str(), i.value);
    if let Some(d) = &i.detail {
        s.push_str(&format!(" ({d})"));
    }
    s.push_str(&format!(
        ", first in message {}, written {} time(s)",
        i.message_id, i.count
    ));
    s
}

/// The case in plain words for a report's additional information: what Vigil found, the
/// review, the timeline, the evidence count and the policy.
pub(super) fn narrative(f: &Facts<'_>) -> String {
    let e = f.escalation;
    let r = &f.drafter.review;
    let mut s = String::new();
    let what = if e.scope == crate::EscalationScope::Sender {
        format!(
            "sender case {} ({} conversations)",
            f.reference(),
            f.conversations.len()
        )
    } else {
        format!("conversation {}", e.conversation_id)
    };
    s.push_str(&format!(
        "Drafted by Vigil (automated detection) from {what}: escalation {} at level {}, raised at {} by message {}. Nothing was sent by Vigil.\n",
        e.sequence,
        e.level,
        e.raised_at.to_rfc3339(),
        e.message_id
    ));
    s.push_str(&format!("Reviewed by {}: {}", r.reviewed_by, r.decision));
    if let Some(t) = r.reviewed_at {
        s.push_str(&format!(" at {}", t.to_rfc3339()));
    }
    s.push('.');
    if let Some(n) = &r.note {
        s.push_str(&format!(" Note: {n}"));
    }
    s.push_str("\nReasons:\n");
    for reason in &e.reasons {
        s.push_str(&format!("- {reason}\n"));
    }
    if !e.timeline.is_empty() {
        s.push_str("Timeline (grooming stages):\n");
        for t in &e.timeline {
            s.push_str(&format!(
                "- {}: first at {} (message {}{}), last at {}\n",
                t.stage,
                t.first_seen.to_rfc3339(),
                t.first_message_id,
                t.conversation_id
                    .as_deref()
                    .map(|c| format!(" in {c}"))
                    .unwrap_or_default(),
                t.last_seen.to_rfc3339()
            ));
        }
    }
    s.push_str(&format!(
        "Evidence included: {} item(s), listed in each incident's content.\n",
        f.evidence_count()
    ));
    let p = f.policy();
    s.push_str(&format!("Policy: {} version {} ({}).", p.id, p.version, p.hash));
    s
}
