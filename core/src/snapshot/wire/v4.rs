//! Format version 4: format 3's payload, then one entry per sender with the sender's case — the
//! conversations in which the sender's messages carried risk to minors, with their highest
//! level, category points, stages and first evidence ([`crate::policy::Senders`]).
//!
//! FROZEN once released, like formats 1 to 3 (see the parent module):
//! `core/tests/fixtures/snapshots/v4-*.bin` hold its bytes. Postcard writes the fields in
//! declaration order: first the whole of a format-3 payload ([`v3::Payload`], unchanged), then
//! `senders`, one [`SenderExtra`] per sender of the base payload, in the order of its senders
//! (`docs/snapshots.md` lists every byte). Category, stage and rule indices refer to the
//! snapshot's id tables, as everywhere else.

use serde::{Deserialize, Serialize};

use super::{v1, v3};
use crate::error::SnapshotError;
use crate::message::Relationship;
use crate::snapshot::Image;
use crate::tracker::senders::{CaseConversation, SenderCase};
use crate::tracker::{Evidence as MemEvidence, StageSeen as MemStage};

/// This format's number in the header.
pub(super) const VERSION: u16 = 4;

/// The payload.
#[derive(Serialize, Deserialize)]
pub(super) struct Payload {
    /// Everything format 3 holds, in its layout.
    base: v3::Payload,
    /// For each sender of the base payload, in order: what format 3 does not hold of it.
    senders: Vec<SenderExtra>,
}

/// What a sender holds beyond format 3.
#[derive(Serialize, Deserialize)]
struct SenderExtra {
    /// The sender's case (none: no risky message to a minor yet, or sender cases are off).
    case: Option<Case>,
}

/// A sender's case.
#[derive(Serialize, Deserialize)]
struct Case {
    /// The level of the case's last escalation (none: none yet, or dormant since).
    escalated: Option<v1::Level>,
    /// Escalations of the case so far.
    sequence: u32,
    /// Its conversations, least recently active first.
    conversations: Vec<Conversation>,
}

/// One conversation key of a case.
#[derive(Serialize, Deserialize)]
struct Conversation {
    conversation: Box<str>,
    recipient: Option<Box<str>>,
    minor: bool,
    /// The relationship kind of the sender's last risky message in it.
    relationship: Relationship,
    level: Option<v1::Level>,
    risk: f64,
    /// (category index, points).
    cats: Vec<(u16, f64)>,
    stages: Vec<Stage>,
    first_ts: i64,
    first_message: Box<str>,
    last_ts: i64,
    last_message: Box<str>,
    messages: u32,
    evidence: Vec<Evidence>,
    reported: bool,
}

/// When a stage was first and last seen in the conversation.
#[derive(Serialize, Deserialize)]
struct Stage {
    stage: u16,
    first_message: Box<str>,
    first_ts: i64,
    last_ts: i64,
}

/// One evidence item of the conversation.
#[derive(Serialize, Deserialize)]
struct Evidence {
    message_id: Box<str>,
    ts: i64,
    /// Rule index.
    rule: u32,
    start: u64,
    end: u64,
    excerpt: Option<Box<str>>,
}

/// The payload of an image (format 5 wraps [`Payload`]; this is for the fixture tests).
#[cfg(test)]
pub(super) fn encode(image: Image) -> Vec<u8> {
    // As in format 1: postcard fails only on types it cannot represent, which these are not.
    postcard::to_allocvec(&Payload::from(image)).unwrap_or_default()
}

/// The image of a payload.
pub(super) fn decode(payload: &[u8]) -> Result<Image, SnapshotError> {
    let payload: Payload = postcard::from_bytes(payload).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    payload.into_image()
}

impl From<Image> for Payload {
    fn from(mut image: Image) -> Payload {
        let senders = image
            .senders
            .iter_mut()
            .map(|(_, st)| SenderExtra {
                case: st.case.take().map(|c| {
                    let SenderCase {
                        convs,
                        escalated,
                        sequence,
                    } = *c;
                    Case {
                        escalated: escalated.map(v1::Level::from),
                        sequence,
                        conversations: convs.into_iter().map(Conversation::from).collect(),
                    }
                }),
            })
            .collect();
        Payload {
            base: v3::Payload::from(image),
            senders,
        }
    }
}

impl Payload {
    /// The image it holds.
    pub(super) fn into_image(self) -> Result<Image, SnapshotError> {
        let Payload { base, senders } = self;
        let mut image = base.into_image()?;
        if senders.len() != image.senders.len() {
            return Err(SnapshotError::Decode(format!(
                "invalid value: {} sender entries for {} senders",
                senders.len(),
                image.senders.len()
            )));
        }
        for ((_, st), extra) in image.senders.iter_mut().zip(senders) {
            st.case = extra.case.map(|c| {
                Box::new(SenderCase {
                    convs: c.conversations.into_iter().map(CaseConversation::from).collect(),
                    escalated: c.escalated.map(crate::Level::from),
                    sequence: c.sequence,
                })
            });
        }
        Ok(image)
    }
}

impl From<CaseConversation> for Conversation {
    fn from(c: CaseConversation) -> Conversation {
        let CaseConversation {
            conversation,
            recipient,
            minor,
            relationship,
            level,
            risk,
            cats,
            stages,
            first_ts,
            first_message,
            last_ts,
            last_message,
            messages,
            evidence,
            reported,
        } = c;
        Conversation {
            conversation,
            recipient,
            minor,
            relationship,
            level: level.map(v1::Level::from),
            risk,
            cats,
            stages: stages
                .into_iter()
                .map(|s| Stage {
                    stage: s.stage,
                    first_message: s.first_message,
                    first_ts: s.first_ts,
                    last_ts: s.last_ts,
                })
                .collect(),
            first_ts,
            first_message,
            last_ts,
            last_message,
            messages,
            evidence: evidence
                .into_iter()
                .map(|e| Evidence {
                    message_id: e.message_id,
                    ts: e.ts,
                    rule: e.rule,
                    start: e.start,
                    end: e.end,
                    excerpt: e.excerpt,
                })
                .collect(),
            reported,
        }
    }
}

impl From<Conversation> for CaseConversation {
    fn from(c: Conversation) -> CaseConversation {
        CaseConversation {
            conversation: c.conversation,
            recipient: c.recipient,
            minor: c.minor,
            relationship: c.relationship,
            level: c.level.map(crate::Level::from),
            risk: c.risk,
            cats: c.cats,
            stages: c
                .stages
                .into_iter()
                .map(|s| MemStage {
                    stage: s.stage,
                    first_message: s.first_message,
                    first_ts: s.first_ts,
                    last_ts: s.last_ts,
                })
                .collect(),
            first_ts: c.first_ts,
            first_message: c.first_message,
            last_ts: c.last_ts,
            last_message: c.last_message,
            messages: c.messages,
            evidence: c
                .evidence
                .into_iter()
                .map(|e| MemEvidence {
                    message_id: e.message_id,
                    sender: None,
                    ts: e.ts,
                    rule: e.rule,
                    start: e.start,
                    end: e.end,
                    excerpt: e.excerpt,
                })
                .collect(),
            reported: c.reported,
        }
    }
}
