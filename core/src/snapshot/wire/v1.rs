//! Format version 1, the first released: the payload's wire types and their conversions from and
//! to an [`Image`].
//!
//! FROZEN. These types are the bytes of format 1, as released builds wrote them and as
//! `core/tests/fixtures/snapshots/v1-*.bin` hold them. Postcard writes them field by field in
//! declaration order, without names or tags: unsigned integers as LEB128 varints, signed ones
//! zigzag-encoded then as varints, `f64` as 8 little-endian bytes, strings and sequences as a
//! varint length then the bytes or items, `Option` as a byte `0` (none) or `1` then the value,
//! enums as the varint index of the variant (`docs/snapshots.md` lists every field). Changing a
//! field, its type or its place, or an enum's variants, changes the format: add a version
//! instead (see the parent module).
//!
//! The conversions destructure the tracker's types field by field, so a field added to them does
//! not compile until someone decides how snapshots carry it.

use serde::{Deserialize, Serialize};

use crate::error::SnapshotError;
use crate::snapshot::{Ids, Image};
use crate::tracker as mem;
use crate::TrackerStats;

/// This format's number in the header.
pub(super) const VERSION: u16 = 1;

/// The payload.
#[derive(Serialize, Deserialize)]
pub(super) struct Payload {
    /// Hash of the writer's policy.
    policy_hash: String,
    /// Category ids; a category index `i` below is entry `i`.
    categories: Vec<String>,
    /// Stage ids.
    stages: Vec<String>,
    /// Rule ids.
    rules: Vec<String>,
    /// Modifier ids.
    modifiers: Vec<String>,
    /// The newest timestamp the tracker had seen (milliseconds since the Unix epoch).
    clock: i64,
    /// Counters.
    stats: Stats,
    /// Conversation keys, least recently used first.
    keys: Vec<KeyEntry>,
    /// Fan-out memory, least recently used sender first.
    senders: Vec<Sender>,
    /// Probable minors, least recently used first.
    minors: Vec<Minor>,
}

/// The tracker's counters.
#[derive(Serialize, Deserialize)]
struct Stats {
    keys: u64,
    observed: u64,
    escalations: u64,
    evicted_capacity: u64,
    evicted_idle: u64,
    out_of_order: u64,
}

/// One conversation key and its state.
#[derive(Serialize, Deserialize)]
struct KeyEntry {
    key: Key,
    state: KeyState,
}

/// (conversation, sender → recipient); no recipient in group and public channels.
#[derive(Serialize, Deserialize)]
struct Key {
    conversation: Box<str>,
    sender: Box<str>,
    recipient: Option<Box<str>>,
}

/// The state of one key.
#[derive(Serialize, Deserialize)]
struct KeyState {
    /// Timestamp of the key's last message.
    last_ts: i64,
    /// Messages observed.
    messages: u32,
    /// Categories with points, decayed to `last_ts`.
    cats: Vec<Category>,
    /// Stages seen.
    stages: Vec<StageSeen>,
    /// The highest level a rule forced.
    forced: Option<Level>,
    /// The level of the last escalation of the current episode.
    escalated: Option<Level>,
    /// Category indices the last escalation covered.
    escalated_cats: Vec<u16>,
    /// Escalations raised for the key.
    sequence: u32,
    /// Kept evidence.
    evidence: Vec<Evidence>,
    /// Modifier indices that applied to the key's messages.
    modifiers: Vec<u16>,
}

/// A category's points.
#[derive(Serialize, Deserialize)]
struct Category {
    index: u16,
    points: f64,
}

/// When a stage was first and last seen.
#[derive(Serialize, Deserialize)]
struct StageSeen {
    stage: u16,
    first_message: Box<str>,
    first_ts: i64,
    last_ts: i64,
}

/// A level; the variants' order is their index on the wire.
#[derive(Serialize, Deserialize, Clone, Copy)]
pub(super) enum Level {
    Watch,
    Review,
    Urgent,
}

/// One piece of evidence.
#[derive(Serialize, Deserialize)]
struct Evidence {
    message_id: Box<str>,
    ts: i64,
    /// Rule index.
    rule: u32,
    /// Byte span in the message text.
    start: u64,
    end: u64,
    excerpt: Option<Box<str>>,
}

/// A sender's recent risky messages to minors.
#[derive(Serialize, Deserialize)]
struct Sender {
    sender: Box<str>,
    recent: Vec<Recent>,
}

/// One risky message to a minor.
#[derive(Serialize, Deserialize)]
struct Recent {
    /// 64-bit FNV-1a hash of the recipient's id.
    recipient: u64,
    ts: i64,
}

/// A participant who disclosed being a child in a conversation.
#[derive(Serialize, Deserialize)]
struct Minor {
    conversation: Box<str>,
    participant: Box<str>,
    /// When they were last seen.
    ts: i64,
}

/// The payload of an image (this library writes format 3; the fixture tests encode format 1
/// again).
#[cfg(test)]
pub(super) fn encode(image: Image) -> Vec<u8> {
    // Postcard fails only on types it cannot represent (maps of unknown length and the like),
    // which these are not.
    postcard::to_allocvec(&Payload::from(image)).unwrap_or_default()
}

/// The image of a payload.
pub(super) fn decode(payload: &[u8]) -> Result<Image, SnapshotError> {
    let payload: Payload = postcard::from_bytes(payload).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    Ok(Image::from(payload))
}

impl From<Image> for Payload {
    fn from(image: Image) -> Payload {
        let Image {
            policy_hash,
            ids:
                Ids {
                    categories,
                    stages,
                    rules,
                    modifiers,
                    // Formats 1 to 4 predate interventions (format 5 carries their ids).
                    interventions: _,
                },
            clock,
            stats,
            keys,
            senders,
            minors,
            // Format 1 predates language estimates.
            languages: _,
        } = image;
        let TrackerStats {
            keys: stats_keys,
            observed,
            escalations,
            evicted_capacity,
            evicted_idle,
            out_of_order,
        } = stats;
        Payload {
            policy_hash,
            categories,
            stages,
            rules,
            modifiers,
            clock,
            stats: Stats {
                keys: stats_keys,
                observed,
                escalations,
                evicted_capacity,
                evicted_idle,
                out_of_order,
            },
            keys: keys
                .into_iter()
                .map(|(key, state)| KeyEntry {
                    key: Key::from(key),
                    state: KeyState::from(state),
                })
                .collect(),
            senders: senders
                .into_iter()
                .map(|(sender, mem::SenderState { recent, case: _ })| Sender {
                    sender,
                    recent: recent
                        .into_iter()
                        .map(|(recipient, ts)| Recent { recipient, ts })
                        .collect(),
                })
                .collect(),
            minors: minors
                .into_iter()
                .map(|((conversation, participant), ts)| Minor {
                    conversation,
                    participant,
                    ts,
                })
                .collect(),
        }
    }
}

impl From<Payload> for Image {
    fn from(p: Payload) -> Image {
        let Payload {
            policy_hash,
            categories,
            stages,
            rules,
            modifiers,
            clock,
            stats,
            keys,
            senders,
            minors,
        } = p;
        Image {
            policy_hash,
            ids: Ids {
                categories,
                stages,
                rules,
                modifiers,
                interventions: Vec::new(),
            },
            clock,
            stats: TrackerStats {
                keys: stats.keys,
                observed: stats.observed,
                escalations: stats.escalations,
                evicted_capacity: stats.evicted_capacity,
                evicted_idle: stats.evicted_idle,
                out_of_order: stats.out_of_order,
            },
            keys: keys
                .into_iter()
                .map(|e| (mem::Key::from(e.key), mem::KeyState::from(e.state)))
                .collect(),
            senders: senders
                .into_iter()
                .map(|s| {
                    let recent = s.recent.into_iter().map(|r| (r.recipient, r.ts)).collect();
                    (s.sender, mem::SenderState { recent, case: None })
                })
                .collect(),
            minors: minors
                .into_iter()
                .map(|m| ((m.conversation, m.participant), m.ts))
                .collect(),
            languages: Vec::new(),
        }
    }
}

impl From<mem::Key> for Key {
    fn from(k: mem::Key) -> Key {
        let mem::Key {
            conversation,
            sender,
            recipient,
        } = k;
        Key {
            conversation,
            sender,
            recipient,
        }
    }
}

impl From<Key> for mem::Key {
    fn from(k: Key) -> mem::Key {
        mem::Key {
            conversation: k.conversation,
            sender: k.sender,
            recipient: k.recipient,
        }
    }
}

impl From<mem::KeyState> for KeyState {
    fn from(st: mem::KeyState) -> KeyState {
        let mem::KeyState {
            last_ts,
            messages,
            cats,
            stages,
            forced,
            escalated,
            escalated_cats,
            sequence,
            evidence,
            modifiers,
            // Format 1 predates ceilings: the cap is worked out again at the key's next message.
            cap: _,
            // Formats 1 and 2 predate combinations (format 3 keeps the parts).
            parts: _,
            // Formats 1 and 2 predate indicators; format 3 carries them beside this payload.
            indicators: _,
            // Formats 1 to 4 predate interventions; format 5 carries nudges beside its payload.
            nudged: _,
        } = st;
        KeyState {
            last_ts,
            messages,
            cats: cats
                .into_iter()
                .map(|(index, points)| Category { index, points })
                .collect(),
            stages: stages
                .into_iter()
                .map(|s| {
                    let mem::StageSeen {
                        stage,
                        first_message,
                        first_ts,
                        last_ts,
                    } = s;
                    StageSeen {
                        stage,
                        first_message,
                        first_ts,
                        last_ts,
                    }
                })
                .collect(),
            forced: forced.map(Level::from),
            escalated: escalated.map(Level::from),
            escalated_cats,
            sequence,
            evidence: evidence
                .into_iter()
                .map(|e| {
                    let mem::Evidence {
                        message_id,
                        ts,
                        rule,
                        start,
                        end,
                        excerpt,
                        // Formats 1 and 2 predate recipient views (format 3 keeps senders).
                        sender: _,
                    } = e;
                    Evidence {
                        message_id,
                        ts,
                        rule,
                        start,
                        end,
                        excerpt,
                    }
                })
                .collect(),
            modifiers,
        }
    }
}

impl From<KeyState> for mem::KeyState {
    fn from(st: KeyState) -> mem::KeyState {
        mem::KeyState {
            last_ts: st.last_ts,
            messages: st.messages,
            cats: st.cats.into_iter().map(|c| (c.index, c.points)).collect(),
            stages: st
                .stages
                .into_iter()
                .map(|s| mem::StageSeen {
                    stage: s.stage,
                    first_message: s.first_message,
                    first_ts: s.first_ts,
                    last_ts: s.last_ts,
                })
                .collect(),
            forced: st.forced.map(crate::Level::from),
            escalated: st.escalated.map(crate::Level::from),
            escalated_cats: st.escalated_cats,
            sequence: st.sequence,
            parts: Vec::new(),
            nudged: Vec::new(),
            evidence: st
                .evidence
                .into_iter()
                .map(|e| mem::Evidence {
                    message_id: e.message_id,
                    ts: e.ts,
                    rule: e.rule,
                    start: e.start,
                    end: e.end,
                    excerpt: e.excerpt,
                    sender: None,
                })
                .collect(),
            modifiers: st.modifiers,
            cap: None,
            indicators: Vec::new(),
        }
    }
}

impl From<crate::Level> for Level {
    fn from(l: crate::Level) -> Level {
        match l {
            crate::Level::Watch => Level::Watch,
            crate::Level::Review => Level::Review,
            crate::Level::Urgent => Level::Urgent,
        }
    }
}

impl From<Level> for crate::Level {
    fn from(l: Level) -> crate::Level {
        match l {
            Level::Watch => crate::Level::Watch,
            Level::Review => crate::Level::Review,
            Level::Urgent => crate::Level::Urgent,
        }
    }
}
