//! Tracker snapshots: the whole conversation state as bytes, and back.
//!
//! Layout: 8 magic bytes `VIGILSNP`, a little-endian `u16` format version, a `u64` payload length,
//! a CRC-32 of the payload, then the payload, whose layout the format version defines
//! (`docs/snapshots.md` in the repository spells out every byte). Items refer to rules,
//! categories, stages and modifiers by index into the snapshot's own id tables, and restoring maps
//! those ids onto the engine's policy, so a snapshot restores under a newer policy: state for ids
//! the new policy no longer has is dropped.
//!
//! # Versions
//! Each format version has its own wire types, separate from the tracker's in-memory state, and
//! committed fixtures (`core/tests/fixtures/snapshots/`) that every later build must restore and
//! encode again to the same bytes. This library writes [`FORMAT_VERSION`] and reads every version
//! from 1 up to it. Anything that changes the bytes a version writes, or how a reader must
//! interpret them (a new field included), is a new version with its own wire types and fixtures;
//! a snapshot of a version this library does not read, a truncated or damaged one, or one with
//! invalid values is refused with a [`SnapshotError`] and the tracker is left as it was.
//!
//! A reader maps every id-table entry by id and never assumes a table lists the writer's whole
//! policy, or in its order. A whole-tracker snapshot ([`Tracker::snapshot`]) lists every id of
//! the writer's policy; a one-conversation snapshot ([`Tracker::snapshot_conversation`]) lists
//! only the ids its items use (earlier versions of this library listed every id there too: both
//! forms restore).
//!
//! Restoring one conversation is meant to be cheap enough to do per message batch in a keyed
//! state store: the compact id tables keep the payload to the conversation's own state, and the
//! engine builds its id-to-index maps once, on the first restore, and keeps them.
//!
//! ```
//! use std::sync::Arc;
//! use vigil::{Engine, Tracker};
//!
//! let engine = Arc::new(Engine::default());
//! let mut tracker = Tracker::new(engine.clone());
//! for msg in vigil::jsonl::parse(include_str!("../../../examples/sample-conversation.jsonl")) {
//!     tracker.observe(&msg.unwrap());
//! }
//! let bytes = tracker.snapshot();
//! let mut restored = Tracker::new(engine);
//! restored.restore(&bytes).unwrap();
//! assert_eq!(restored.len(), tracker.len());
//! assert!(restored.restore(&bytes[..bytes.len() - 1]).is_err());
//! assert_eq!(restored.len(), tracker.len(), "a failed restore leaves the tracker as it was");
//! ```

use std::collections::HashMap;

use crate::error::SnapshotError;
use crate::ids::IdIndex;
use crate::tracker::{
    ConversationLanguage, Key, KeyState, MinorKey, SenderState, Tracker, TrackerState, TrackerStats,
};

mod wire;

/// Magic bytes at the start of every snapshot.
pub const MAGIC: &[u8; 8] = b"VIGILSNP";
/// The snapshot format version this library writes (it reads every version from 1 up to this).
pub const FORMAT_VERSION: u16 = 5;

/// What a snapshot holds, whatever its format version: the tracker's state in its in-memory
/// types, with the snapshot's own id tables. Each format version converts its wire types from and
/// to this (see `wire`).
#[derive(Debug, Clone, Default, PartialEq)]
struct Image {
    /// Hash of the writer's policy (informative: restoring maps ids, not hashes).
    policy_hash: String,
    /// The ids that items' indices refer to.
    ids: Ids,
    /// The newest timestamp seen (milliseconds).
    clock: i64,
    /// Counters (all zero in a one-conversation snapshot).
    stats: TrackerStats,
    /// Conversation keys, least recently used first.
    keys: Vec<(Key, KeyState)>,
    /// Fan-out memory by sender, least recently used first (empty in a one-conversation snapshot).
    senders: Vec<(Box<str>, SenderState)>,
    /// Probable minors and when they were last seen, least recently used first.
    minors: Vec<(MinorKey, i64)>,
    /// Language estimates by conversation, least recently used first (format 2 on).
    languages: Vec<(Box<str>, ConversationLanguage)>,
}

impl Image {
    /// The tracker state it holds (without the id tables, once remapped).
    fn into_state(self) -> TrackerState {
        TrackerState {
            clock: self.clock,
            stats: self.stats,
            keys: self.keys,
            senders: self.senders,
            minors: self.minors,
            languages: self.languages,
        }
    }
}

/// A snapshot's id tables: item index `i` of a kind refers to entry `i` of its table.
#[derive(Debug, Clone, Default, PartialEq)]
struct Ids {
    categories: Vec<String>,
    stages: Vec<String>,
    rules: Vec<String>,
    modifiers: Vec<String>,
    /// Intervention ids (format 5 on; empty before).
    interventions: Vec<String>,
}

impl Tracker {
    /// The whole state as bytes (see [`crate::snapshot`] for the format).
    pub fn snapshot(&self) -> Vec<u8> {
        wire::encode(self.image(None))
    }

    /// The state to snapshot: all of it, or only one conversation's.
    fn image(&self, only: Option<&str>) -> Image {
        let policy = self.engine.policy();
        let st = self.export(only);
        let mut image = Image {
            policy_hash: policy.hash().to_string(),
            ids: Ids::default(),
            clock: st.clock,
            stats: st.stats,
            keys: st.keys,
            senders: st.senders,
            minors: st.minors,
            languages: st.languages,
        };
        if only.is_some() {
            compact_ids(&mut image, policy);
        } else {
            image.ids = Ids {
                categories: policy.categories().iter().map(|c| c.id.clone()).collect(),
                stages: policy.stages().iter().map(|s| s.id.clone()).collect(),
                rules: policy.rules().iter().map(|r| r.id.clone()).collect(),
                modifiers: policy.modifiers().iter().map(|m| m.id.clone()).collect(),
                interventions: policy.interventions().iter().map(|c| c.id.clone()).collect(),
            };
        }
        image
    }

    /// The state of ONE conversation (all its keys and what it knows of participants' ages) as
    /// bytes in the snapshot format, for keyed state stores such as a stream processor's. Fan-out
    /// (which spans conversations) is not included.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{Engine, Tracker};
    ///
    /// let engine = Arc::new(Engine::default());
    /// let mut a = Tracker::new(engine.clone());
    /// for msg in vigil::jsonl::parse(include_str!("../../../examples/sample-conversation.jsonl")) {
    ///     a.observe(&msg.unwrap());
    /// }
    /// let state = a.snapshot_conversation("sample-1");
    /// let mut b = Tracker::new(engine);
    /// b.restore_conversation(&state).unwrap();
    /// assert_eq!(b.len(), a.len());
    /// ```
    pub fn snapshot_conversation(&self, conversation_id: &str) -> Vec<u8> {
        wire::encode(self.image(Some(conversation_id)))
    }

    /// Adds one conversation's state (from [`snapshot_conversation`](Tracker::snapshot_conversation))
    /// to this tracker, replacing what it held for that conversation. On error nothing changes.
    pub fn restore_conversation(&mut self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let mut image = decode(bytes)?;
        self.remap(&mut image);
        self.merge_conversations(image.into_state());
        Ok(())
    }

    /// Replaces this tracker's state with a snapshot's. On any error the tracker is left exactly
    /// as it was.
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let image = decode(bytes)?;
        self.install(image);
        Ok(())
    }

    fn install(&mut self, mut image: Image) {
        self.remap(&mut image);
        self.import(image.into_state());
    }

    /// Maps a snapshot's item indices onto this engine's policy by id; drops what it lacks.
    fn remap(&self, image: &mut Image) {
        let ids = self
            .engine
            .snapshot_ids
            .get_or_init(|| IdIndex::new(self.engine.policy()));
        let map = |old: &[String], idx: &HashMap<Box<str>, usize>| -> Vec<Option<usize>> {
            old.iter().map(|s| idx.get(s.as_str()).copied()).collect()
        };
        let cats = map(&image.ids.categories, &ids.categories);
        let stages = map(&image.ids.stages, &ids.stages);
        let rules = map(&image.ids.rules, &ids.rules);
        let mods = map(&image.ids.modifiers, &ids.modifiers);
        let interventions = map(&image.ids.interventions, &ids.interventions);
        let re16 = |t: &[Option<usize>], i: u16| t.get(usize::from(i)).copied().flatten().map(|v| v as u16);
        let indicators = self.engine.policy().indicators();
        let keys = std::mem::take(&mut image.keys);
        image.keys = keys
            .into_iter()
            .map(|(k, mut st)| {
                st.cats = st
                    .cats
                    .into_iter()
                    .filter_map(|(c, s)| re16(&cats, c).map(|c| (c, s)))
                    .collect();
                st.cats.sort_by_key(|c| c.0);
                st.escalated_cats = st
                    .escalated_cats
                    .into_iter()
                    .filter_map(|c| re16(&cats, c))
                    .collect();
                st.stages = st
                    .stages
                    .into_iter()
                    .filter_map(|mut s| {
                        s.stage = re16(&stages, s.stage)?;
                        Some(s)
                    })
                    .collect();
                st.modifiers = st.modifiers.into_iter().filter_map(|m| re16(&mods, m)).collect();
                st.evidence = st
                    .evidence
                    .into_iter()
                    .filter_map(|mut e| {
                        e.rule = rules.get(e.rule as usize).copied().flatten()? as u32;
                        Some(e)
                    })
                    .collect();
                st.parts = st
                    .parts
                    .into_iter()
                    .filter_map(|mut p| {
                        p.rule = rules.get(p.rule as usize).copied().flatten()? as u32;
                        // Only parts of this policy's combinations are remembered.
                        self.engine
                            .is_part
                            .get(p.rule as usize)
                            .copied()
                            .unwrap_or(false)
                            .then_some(p)
                    })
                    .collect();
                // Indicators of kinds this policy does not keep (or of a policy that keeps none).
                st.indicators.retain(|s| indicators.keeps(s.indicator.kind));
                // Nudges of interventions this policy has (for their rate limits).
                st.nudged.retain_mut(|(i, c, _)| {
                    let Some(n) = re16(&interventions, *i) else {
                        return false;
                    };
                    *i = n;
                    *c == crate::intervene::NO_CATEGORY || re16(&cats, *c).map(|n| *c = n).is_some()
                });
                (k, st)
            })
            .collect();
        for (_, st) in image.senders.iter_mut() {
            let Some(case) = st.case.as_deref_mut() else {
                continue;
            };
            for c in case.convs.iter_mut() {
                c.cats = std::mem::take(&mut c.cats)
                    .into_iter()
                    .filter_map(|(i, s)| re16(&cats, i).map(|i| (i, s)))
                    .collect();
                c.cats.sort_by_key(|c| c.0);
                c.stages
                    .retain_mut(|s| re16(&stages, s.stage).map(|n| s.stage = n).is_some());
                c.evidence.retain_mut(|e| {
                    rules
                        .get(e.rule as usize)
                        .copied()
                        .flatten()
                        .map(|r| e.rule = r as u32)
                        .is_some()
                });
            }
        }
        // Sender cases are kept only under a policy that enables them.
        if !self.engine.policy().senders().enabled {
            for (_, st) in image.senders.iter_mut() {
                st.case = None;
            }
        }
    }
}

/// Fills `image`'s id tables with only the ids its keys use, and renumbers the keys' items into
/// them. Items whose index the policy lacks (never written by a tracker) are dropped, as a
/// restore would drop them.
fn compact_ids(image: &mut Image, policy: &crate::policy::Policy) {
    /// Old index to new, and the ids in new order.
    struct Table<'a> {
        ids: Vec<&'a str>,
        slots: Vec<u32>,
        out: Vec<String>,
    }
    impl<'a> Table<'a> {
        fn new(ids: Vec<&'a str>) -> Table<'a> {
            let slots = vec![u32::MAX; ids.len()];
            Table {
                ids,
                slots,
                out: Vec::new(),
            }
        }
        fn slot(&mut self, old: usize) -> Option<u32> {
            let s = self.slots.get_mut(old)?;
            if *s == u32::MAX {
                *s = u32::try_from(self.out.len()).ok()?;
                self.out.push(self.ids.get(old)?.to_string());
            }
            Some(*s)
        }
        fn slot16(&mut self, old: u16) -> Option<u16> {
            self.slot(usize::from(old)).and_then(|s| u16::try_from(s).ok())
        }
    }
    let mut cats = Table::new(policy.categories().iter().map(|c| c.id.as_str()).collect());
    let mut stages = Table::new(policy.stages().iter().map(|s| s.id.as_str()).collect());
    let mut rules = Table::new(policy.rules().iter().map(|r| r.id.as_str()).collect());
    let mut mods = Table::new(policy.modifiers().iter().map(|m| m.id.as_str()).collect());
    for (_, st) in image.keys.iter_mut() {
        st.cats
            .retain_mut(|(c, _)| cats.slot16(*c).map(|n| *c = n).is_some());
        st.escalated_cats
            .retain_mut(|c| cats.slot16(*c).map(|n| *c = n).is_some());
        st.stages
            .retain_mut(|s| stages.slot16(s.stage).map(|n| s.stage = n).is_some());
        st.modifiers
            .retain_mut(|m| mods.slot16(*m).map(|n| *m = n).is_some());
        st.evidence.retain_mut(|e| {
            usize::try_from(e.rule)
                .ok()
                .and_then(|r| rules.slot(r))
                .map(|n| e.rule = n)
                .is_some()
        });
        st.parts.retain_mut(|p| {
            usize::try_from(p.rule)
                .ok()
                .and_then(|r| rules.slot(r))
                .map(|n| p.rule = n)
                .is_some()
        });
        st.nudged.retain_mut(|(_, c, _)| {
            *c == crate::intervene::NO_CATEGORY || cats.slot16(*c).map(|n| *c = n).is_some()
        });
    }
    image.ids = Ids {
        categories: cats.out,
        stages: stages.out,
        rules: rules.out,
        modifiers: mods.out,
        // Few: the whole table.
        interventions: policy.interventions().iter().map(|c| c.id.clone()).collect(),
    };
}

/// Checks the header and checksum, decodes the payload in its format version, and checks the
/// values.
fn decode(bytes: &[u8]) -> Result<Image, SnapshotError> {
    let image = wire::decode(bytes)?;
    check(&image)?;
    Ok(image)
}

/// Refuses values a tracker never writes, which would otherwise reach escalations: category
/// points that are not finite, negative or absurdly large (risk must stay a finite number), and
/// empty or reversed evidence spans. (Found by the `snapshot` fuzz target: a checksum guards
/// against damage, not against a forged payload.)
fn check(image: &Image) -> Result<(), SnapshotError> {
    for (i, (_, st)) in image.keys.iter().enumerate() {
        if let Some((c, v)) = st
            .cats
            .iter()
            .find(|(_, v)| !(v.is_finite() && (0.0..=1e100).contains(v)))
        {
            return Err(SnapshotError::Decode(format!(
                "invalid value: key {i}, category {c} holds {v} points"
            )));
        }
        if let Some(e) = st.evidence.iter().find(|e| e.start >= e.end) {
            return Err(SnapshotError::Decode(format!(
                "invalid value: key {i}, evidence span {}..{} is empty or reversed",
                e.start, e.end
            )));
        }
        let interventions = image.ids.interventions.len();
        if st.nudged.len() > interventions.saturating_mul(image.ids.categories.len() + 1) {
            return Err(SnapshotError::Decode(format!(
                "invalid value: key {i} holds {} nudges for {interventions} interventions",
                st.nudged.len()
            )));
        }
    }
    for (i, (_, st)) in image.senders.iter().enumerate() {
        for c in st.case.iter().flat_map(|c| c.convs.iter()) {
            let bad_points = |v: &f64| !(v.is_finite() && (0.0..=1e100).contains(v));
            if bad_points(&c.risk) || c.cats.iter().any(|(_, v)| bad_points(v)) {
                return Err(SnapshotError::Decode(format!(
                    "invalid value: sender {i}, conversation {} holds points that are not finite and in range",
                    c.conversation
                )));
            }
            if let Some(e) = c.evidence.iter().find(|e| e.start >= e.end) {
                return Err(SnapshotError::Decode(format!(
                    "invalid value: sender {i}, evidence span {}..{} is empty or reversed",
                    e.start, e.end
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
