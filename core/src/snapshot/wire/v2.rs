//! Format version 2: format 1's payload, then what later trackers hold besides — the level ceiling
//! in force at each key's last message, and each conversation's language estimate.
//!
//! FROZEN once released, like format 1 (see the parent module): `core/tests/fixtures/snapshots/
//! v2-*.bin` hold its bytes. Postcard writes the fields in declaration order: first the whole of a
//! format-1 payload ([`v1::Payload`], unchanged), then `caps` (one entry per key, in the order of
//! the keys), then `languages` (`docs/snapshots.md` lists every byte).

use serde::{Deserialize, Serialize};

use super::v1;
use crate::error::SnapshotError;
use crate::lang::{Language, LanguageEstimate};
use crate::snapshot::Image;
use crate::tracker::ConversationLanguage;

/// This format's number in the header.
pub(super) const VERSION: u16 = 2;

/// The payload (format 3 carries it whole, as its base).
#[derive(Serialize, Deserialize)]
pub(super) struct Payload {
    /// Everything format 1 holds, in its layout.
    base: v1::Payload,
    /// For each key of `base.keys`, in order: the level of the ceiling in force at its last
    /// message (none: no ceiling).
    caps: Vec<Option<v1::Level>>,
    /// Language estimates by conversation, least recently used first.
    languages: Vec<ConversationEstimate>,
}

/// One conversation's language estimate.
#[derive(Serialize, Deserialize)]
struct ConversationEstimate {
    conversation: Box<str>,
    /// The conversation's last message (milliseconds since the Unix epoch).
    last_ts: i64,
    /// The decayed sum of guess confidences.
    evidence: f32,
    /// The languages kept (at most four), with their decayed weights.
    langs: Vec<LanguageWeight>,
}

/// A language of an estimate, by ISO 639-1 code (so a snapshot does not depend on the order of
/// any table).
#[derive(Serialize, Deserialize)]
struct LanguageWeight {
    code: Box<str>,
    weight: f32,
}

/// The payload of an image (this library writes format 3; the fixture tests encode format 2
/// again).
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
        let caps = image
            .keys
            .iter()
            .map(|(_, st)| st.cap.map(v1::Level::from))
            .collect();
        let languages = std::mem::take(&mut image.languages)
            .into_iter()
            .map(|(conversation, l)| {
                let (langs, evidence) = l.estimate.parts();
                ConversationEstimate {
                    conversation,
                    last_ts: l.last_ts,
                    evidence,
                    langs: langs
                        .into_iter()
                        .map(|(lang, weight)| LanguageWeight {
                            code: lang.code().into(),
                            weight,
                        })
                        .collect(),
                }
            })
            .collect();
        Payload {
            base: v1::Payload::from(image),
            caps,
            languages,
        }
    }
}

impl Payload {
    /// The image it holds (checking what postcard cannot).
    pub(super) fn into_image(self) -> Result<Image, SnapshotError> {
        let Payload {
            base,
            caps,
            languages,
        } = self;
        let mut image = Image::from(base);
        if caps.len() != image.keys.len() {
            return Err(SnapshotError::Decode(format!(
                "invalid value: {} ceiling entries for {} keys",
                caps.len(),
                image.keys.len()
            )));
        }
        for ((_, st), cap) in image.keys.iter_mut().zip(caps) {
            st.cap = cap.map(crate::Level::from);
        }
        for (i, c) in languages.into_iter().enumerate() {
            // A language this build does not identify (a newer build's) is left out of the estimate.
            let langs = c
                .langs
                .into_iter()
                .filter_map(|w| Some((Language::from_code(&w.code)?, w.weight)))
                .collect();
            let estimate = LanguageEstimate::from_parts(langs, c.evidence)
                .map_err(|e| SnapshotError::Decode(format!("invalid value: language estimate {i}: {e}")))?;
            image.languages.push((
                c.conversation,
                ConversationLanguage {
                    estimate,
                    last_ts: c.last_ts,
                },
            ));
        }
        Ok(image)
    }
}
