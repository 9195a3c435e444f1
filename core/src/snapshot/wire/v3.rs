//! Format version 3: format 2's payload, then one entry per key with what later trackers hold
//! per key besides — the indicators (contact and payment details) each key's sender wrote, the
//! counted hits of combination parts in the key's last messages, and the sender of each evidence
//! item in a recipient's view.
//!
//! FROZEN once released, like formats 1 and 2 (see the parent module):
//! `core/tests/fixtures/snapshots/v3-*.bin` hold its bytes. Postcard writes the fields in
//! declaration order: first the whole of a format-2 payload ([`v2::Payload`], unchanged), then
//! `keys`, one [`KeyExtra`] per key of the base payload, in the order of its keys
//! (`docs/snapshots.md` lists every byte). Indicator kinds are written by name, so a kind added
//! later does not shift the others; a reader drops a kind it does not know.

use serde::{Deserialize, Serialize};

use super::v2;
use crate::engine::PartSeen;
use crate::error::SnapshotError;
use crate::indicators::{Indicator, IndicatorKind, Sighting};
use crate::snapshot::Image;
use crate::Span;

/// This format's number in the header.
pub(super) const VERSION: u16 = 3;

/// The payload (format 4 carries it whole, as its base).
#[derive(Serialize, Deserialize)]
pub(super) struct Payload {
    /// Everything format 2 holds, in its layout.
    base: v2::Payload,
    /// For each key of the base payload, in order: what format 2 does not hold of it.
    keys: Vec<KeyExtra>,
}

/// What a key holds beyond format 2.
#[derive(Serialize, Deserialize)]
struct KeyExtra {
    /// The indicators the key's sender wrote: first sightings, in the order first seen.
    indicators: Vec<IndicatorSighting>,
    /// Counted hits of combination parts in the key's last messages.
    parts: Vec<Part>,
    /// For each evidence item of the key, in order: its sender, in a recipient's view (the key
    /// with no sender); empty in a sender's key.
    evidence_senders: Vec<Option<Box<str>>>,
}

/// A counted hit of a combination's part.
#[derive(Serialize, Deserialize)]
struct Part {
    /// The key's message number it was in (1 for the key's first message).
    message_no: u32,
    /// Rule index (into the snapshot's rule ids).
    rule: u32,
    /// That message's id.
    message_id: Box<str>,
    /// That message's time (milliseconds since the Unix epoch).
    ts: i64,
    /// The hit's byte span in that message's text.
    start: u64,
    end: u64,
}

/// The first sighting of an indicator, and how often it was seen.
#[derive(Serialize, Deserialize)]
struct IndicatorSighting {
    /// The kind's name (`phone`, `email`, `handle`, `invite_link`, `payment_handle`, `wallet`,
    /// `gift_card`).
    kind: Box<str>,
    /// The normalized value.
    value: String,
    /// App, service, chain or brand.
    detail: Option<String>,
    /// The checksum result.
    checked: Option<bool>,
    /// The message of the first sighting.
    message_id: String,
    /// Byte span in that message's text.
    start: u64,
    end: u64,
    /// Times seen.
    count: u32,
}

/// The payload of an image.
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
        let keys = image
            .keys
            .iter_mut()
            .map(|(_, st)| KeyExtra {
                indicators: std::mem::take(&mut st.indicators)
                    .into_iter()
                    .map(|s| IndicatorSighting {
                        kind: s.indicator.kind.as_str().into(),
                        value: s.indicator.value,
                        detail: s.indicator.detail,
                        checked: s.indicator.checked,
                        message_id: s.message_id,
                        start: s.indicator.span.start as u64,
                        end: s.indicator.span.end as u64,
                        count: s.count,
                    })
                    .collect(),
                parts: std::mem::take(&mut st.parts)
                    .into_iter()
                    .map(|p| Part {
                        message_no: p.message_no,
                        rule: p.rule,
                        message_id: p.message_id,
                        ts: p.ts,
                        start: p.start,
                        end: p.end,
                    })
                    .collect(),
                evidence_senders: if st.evidence.iter().any(|e| e.sender.is_some()) {
                    st.evidence.iter_mut().map(|e| e.sender.take()).collect()
                } else {
                    Vec::new()
                },
            })
            .collect();
        Payload {
            base: v2::Payload::from(image),
            keys,
        }
    }
}

impl Payload {
    /// The image it holds.
    pub(super) fn into_image(self) -> Result<Image, SnapshotError> {
        let Payload { base, keys } = self;
        let mut image = base.into_image()?;
        if keys.len() != image.keys.len() {
            return Err(SnapshotError::Decode(format!(
                "invalid value: {} key entries for {} keys",
                keys.len(),
                image.keys.len()
            )));
        }
        for (i, ((_, st), extra)) in image.keys.iter_mut().zip(keys).enumerate() {
            st.parts = extra
                .parts
                .into_iter()
                .map(|p| PartSeen {
                    message_no: p.message_no,
                    rule: p.rule,
                    message_id: p.message_id,
                    ts: p.ts,
                    start: p.start,
                    end: p.end,
                })
                .collect();
            if !extra.evidence_senders.is_empty() {
                if extra.evidence_senders.len() != st.evidence.len() {
                    return Err(SnapshotError::Decode(format!(
                        "invalid value: key {i}, {} evidence senders for {} evidence items",
                        extra.evidence_senders.len(),
                        st.evidence.len()
                    )));
                }
                for (e, sender) in st.evidence.iter_mut().zip(extra.evidence_senders) {
                    e.sender = sender;
                }
            }
            for s in extra.indicators {
                // A kind this build does not know (a newer build's) is left out.
                let Some(kind) = IndicatorKind::ALL.into_iter().find(|k| k.as_str() == &*s.kind) else {
                    continue;
                };
                let span = match (usize::try_from(s.start), usize::try_from(s.end)) {
                    (Ok(start), Ok(end)) if start < end => Span { start, end },
                    _ => {
                        return Err(SnapshotError::Decode(format!(
                            "invalid value: key {i}, indicator span {}..{} is empty or reversed",
                            s.start, s.end
                        )))
                    }
                };
                if s.count == 0 {
                    return Err(SnapshotError::Decode(format!(
                        "invalid value: key {i}, indicator seen 0 times"
                    )));
                }
                let mut indicator = Indicator::new(kind, s.value, span);
                indicator.detail = s.detail;
                indicator.checked = s.checked;
                st.indicators.push(Sighting {
                    message_id: s.message_id,
                    indicator,
                    count: s.count,
                });
            }
        }
        Ok(image)
    }
}
