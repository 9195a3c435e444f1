//! Indicators in the tracker: each message's contact and payment details, kept per conversation
//! key (the sender's side), for the key's escalations. Built into an [`Engine`] only when the
//! policy enables them (`[indicators]`): otherwise the tracker does nothing and allocates nothing.

use std::sync::Arc;

use crate::engine::Engine;
use crate::indicators::{insert_sighting, Extractor, Indicator, IndicatorKind, Sighting};
use crate::message::Message;
use crate::policy::Policy;

/// An engine's indicator extraction: the extractor (patterns compiled once) and the policy's
/// settings.
#[derive(Debug)]
pub(crate) struct IndicatorWatch {
    extractor: Arc<Extractor>,
    kinds: Vec<IndicatorKind>,
    max_items: usize,
    max_bytes: usize,
}

impl IndicatorWatch {
    /// The watch of a policy that enables indicators (with at least one kind); `None` otherwise.
    pub(crate) fn new(policy: &Policy, extractor: &dyn Fn() -> Arc<Extractor>) -> Option<IndicatorWatch> {
        let s = policy.indicators();
        (s.enabled && !s.kinds.is_empty()).then(|| IndicatorWatch {
            extractor: extractor(),
            kinds: s.kinds.clone(),
            max_items: s.max_items as usize,
            max_bytes: policy.scoring().max_message_bytes,
        })
    }

    /// Adds the indicators of `msg`'s text (up to the policy's `max_message_bytes`, as the
    /// matchers see it) to a key's sightings: a repeat counts, a new one is kept while the key
    /// holds fewer than `max_items`. With `keep`, returns every detail found (of every kind),
    /// for the interventions that mask them.
    fn note(&self, msg: &Message, sightings: &mut Vec<Sighting>, keep: bool) -> Option<Vec<Indicator>> {
        let text = truncated(&msg.text, self.max_bytes);
        let found = self.extractor.find(text);
        if !keep {
            for f in found {
                if self.kinds.contains(&f.kind) {
                    insert_sighting(sightings, self.max_items, &msg.message_id, f);
                }
            }
            return None;
        }
        for f in &found {
            if self.kinds.contains(&f.kind) {
                insert_sighting(sightings, self.max_items, &msg.message_id, f.clone());
            }
        }
        Some(found)
    }
}

/// Notes `msg`'s indicators in a key's sightings when the engine's policy enables indicators;
/// returns the details found when the policy has interventions to decide with them (`None`
/// otherwise: nothing is copied).
pub(crate) fn note(engine: &Engine, msg: &Message, sightings: &mut Vec<Sighting>) -> Option<Vec<Indicator>> {
    let keep = engine.interventions.is_some();
    engine
        .indicators
        .as_ref()
        .and_then(|w| w.note(msg, sightings, keep))
}

/// `text` up to `max` bytes, on a character boundary (a prefix: spans in it are spans of `text`).
pub(crate) fn truncated(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests;
