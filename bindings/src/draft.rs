//! Report drafts: a reviewed escalation becomes a CyberTipline-shaped draft or a neutral case
//! export (the core's `vigil::draft`). This module only converts: the options become the core's
//! `Review` and `Drafter`, the escalation document is read with serde, and every refusal is the
//! core's own, raised as `VigilError.Draft`. Nothing is ever sent anywhere.

use std::collections::HashMap;

use vigil::draft::{Decision, Drafter, Medium, Review};

use crate::error::VigilError;

/// What a moderator decided about an escalation, and what the platform tells about itself: the
/// inputs of a report draft.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DraftOptions {
    /// The reviewer's id (a moderator account, not a name). Required: a human decides.
    pub reviewed_by: String,
    /// The decision: `confirmed` (the only one that makes a draft), `dismissed` or
    /// `needs_more_information` (any case; `-` and spaces for `_`).
    pub decision: String,
    /// When the reviewer decided, in milliseconds since the Unix epoch.
    #[uniffi(default)]
    pub reviewed_at_ms: Option<i64>,
    /// The reviewer's note; it goes into the draft's additional information.
    #[uniffi(default)]
    pub note: Option<String>,
    /// The platform's (or game's) name: the chat client or game name of the incident.
    #[uniffi(default)]
    pub platform: Option<String>,
    /// Where the incident took place: `chat_im` (the default) or `online_gaming`.
    #[uniffi(default)]
    pub medium: Option<String>,
    /// The incident type, instead of the first one the policy's report hints suggest; one of
    /// the CyberTipline's incident types.
    #[uniffi(default)]
    pub incident_type: Option<String>,
    /// Participants' ages in years as the platform knows them, by participant id (a victim's
    /// age in the draft).
    #[uniffi(default)]
    pub declared_ages: HashMap<String, u32>,
}

/// A CyberTipline-shaped report draft: the XML the Reporting API takes and the JSON of the same
/// structure (with the review, the evidence included and the fields `TO_BE_COMPLETED`). The
/// platform completes and files it; Vigil never sends it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportDraft {
    /// The report as XML.
    pub xml: String,
    /// The draft as JSON (`vigil.draft.cybertipline/1`).
    pub json: String,
}

fn draft_error(message: impl Into<String>) -> VigilError {
    VigilError::Draft {
        message: message.into(),
    }
}

fn escalation(json: &str) -> Result<vigil::Escalation, VigilError> {
    serde_json::from_str(json).map_err(|e| draft_error(format!("invalid escalation document: {e}")))
}

fn drafter(options: DraftOptions) -> Result<Drafter, VigilError> {
    let decision: Decision = options.decision.parse().map_err(draft_error)?;
    let mut review = Review::new(options.reviewed_by, decision);
    review.reviewed_at = options.reviewed_at_ms.map(vigil::Timestamp::from_millis);
    review.note = options.note;
    let mut drafter = Drafter::new(review);
    if let Some(platform) = options.platform {
        drafter = drafter.platform(platform);
    }
    if let Some(medium) = options.medium {
        drafter = drafter.medium(medium.parse::<Medium>().map_err(draft_error)?);
    }
    if let Some(incident_type) = options.incident_type {
        drafter = drafter.incident_type(incident_type);
    }
    let mut ages: Vec<(String, u32)> = options.declared_ages.into_iter().collect();
    ages.sort_unstable();
    for (participant, years) in ages {
        drafter = drafter.declared_age(participant, years);
    }
    Ok(drafter)
}

/// A CyberTipline-shaped draft of an escalation document (`vigil.escalation/1`, as
/// `Escalation.json` or `observeJsonEscalation` give it), reviewed as `options` say.
///
/// Raises `VigilError.Draft` with the core's message when the document is not an escalation,
/// the decision or medium is unknown, or the core refuses: below `review`, no reviewer, not
/// `confirmed`, a recipient's view, or no (valid) incident type.
#[uniffi::export]
pub fn draft_cybertipline(escalation_json: String, options: DraftOptions) -> Result<ReportDraft, VigilError> {
    let e = escalation(&escalation_json)?;
    let draft = drafter(options)?.cybertipline(&e)?;
    Ok(ReportDraft {
        xml: draft.to_xml(),
        json: draft.to_json(),
    })
}

/// A neutral case export of an escalation document (`vigil.case-export/1` JSON): the same facts
/// as the CyberTipline draft without US-specific codes, for hotlines and police elsewhere.
///
/// Raises `VigilError.Draft` as [`draft_cybertipline`] does (no incident type is needed).
#[uniffi::export]
pub fn draft_case_export(escalation_json: String, options: DraftOptions) -> Result<String, VigilError> {
    let e = escalation(&escalation_json)?;
    Ok(drafter(options)?.case_export(&e)?.to_json())
}
