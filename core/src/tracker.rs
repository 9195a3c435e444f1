//! Conversation tracking: decayed risk per conversation key, grooming stages, levels and
//! escalations, in bounded memory.
//!
//! A key is (conversation, sender → recipient) in direct channels and (conversation, sender) in
//! group and public channels: risk is about what one participant does to another.
//!
//! ```
//! use std::sync::Arc;
//! use vigil::{Engine, Message, Tracker};
//!
//! let engine = Arc::new(Engine::default());
//! let mut tracker = Tracker::new(engine);
//! let doc = include_str!("../../examples/sample-conversation.jsonl");
//! let mut escalations = 0;
//! for msg in vigil::jsonl::parse(doc) {
//!     if tracker.observe(&msg.unwrap()).escalation.is_some() {
//!         escalations += 1;
//!     }
//! }
//! assert!(escalations > 0);
//! ```
//!
//! # Time
//! Decay and idle time-to-live run on message timestamps, not on the wall clock, so replaying a
//! log gives the same result as the live stream. A message older than the last one seen for its
//! key (out of order) is scored as if it arrived at that last time: risk never decays backwards,
//! its points are added without rewinding, and [`Observation::out_of_order`] is set.

use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use hashlink::LinkedHashMap;
use serde::{Deserialize, Serialize};

use crate::engine::{round3, Assessment, Context, Earlier, Engine, LanguageReport, PartSeen, Span};
use crate::escalation::{Escalation, EvidenceFact, EvidenceItem, Facts, StageFact};
use crate::indicators::Sighting;
use crate::level::Level;
use crate::matcher::Scratch;
use crate::message::{AgeBand, Channel, Message, PlatformMetadata, Timestamp};
use crate::policy::model::ExcerptMode;
use senders::{CaseContact, Contact, SenderCase};

/// A conversation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Key {
    pub(crate) conversation: Box<str>,
    pub(crate) sender: Box<str>,
    pub(crate) recipient: Option<Box<str>>,
}

fn hash_parts<H: Hasher>(h: &mut H, c: &str, s: &str, r: Option<&str>) {
    c.hash(h);
    s.hash(h);
    r.hash(h);
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        hash_parts(h, &self.conversation, &self.sender, self.recipient.as_deref());
    }
}

impl Key {
    fn is(&self, c: &str, s: &str, r: Option<&str>) -> bool {
        &*self.conversation == c && &*self.sender == s && self.recipient.as_deref() == r
    }
}

/// When a stage was first and last seen for a key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StageSeen {
    pub(crate) stage: u16,
    pub(crate) first_message: Box<str>,
    pub(crate) first_ts: i64,
    pub(crate) last_ts: i64,
}

/// One kept piece of evidence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    pub(crate) message_id: Box<str>,
    /// Who sent it, in a recipient's view (where several senders add up); `None` in a
    /// sender's key, whose sender is the key's.
    pub(crate) sender: Option<Box<str>>,
    pub(crate) ts: i64,
    pub(crate) rule: u32,
    pub(crate) start: u64,
    pub(crate) end: u64,
    pub(crate) excerpt: Option<Box<str>>,
}

impl Evidence {
    /// The item as an escalation lists it: the rule's id and category from the engine's policy,
    /// and the conversation it was seen in where the escalation spans conversations. `None` when
    /// the rule index is not the policy's.
    pub(crate) fn item(&self, engine: &Engine, conversation_id: Option<&str>) -> Option<EvidenceItem> {
        let rule = engine.policy().rules().get(self.rule as usize)?;
        Some(EvidenceItem {
            message_id: self.message_id.to_string(),
            timestamp: Timestamp::from_millis(self.ts),
            rule: rule.id.clone(),
            category: rule.category.clone(),
            span: Span {
                start: self.start as usize,
                end: self.end as usize,
            },
            excerpt: self.excerpt.as_deref().map(str::to_string),
            sender: self.sender.as_deref().map(str::to_string),
            conversation_id: conversation_id.map(str::to_string),
        })
    }
}

/// The state of one conversation key.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct KeyState {
    pub(crate) last_ts: i64,
    pub(crate) messages: u32,
    /// (category index, points as of `last_ts`).
    pub(crate) cats: Vec<(u16, f64)>,
    pub(crate) stages: Vec<StageSeen>,
    pub(crate) forced: Option<Level>,
    pub(crate) escalated: Option<Level>,
    pub(crate) escalated_cats: Vec<u16>,
    pub(crate) sequence: u32,
    pub(crate) evidence: Vec<Evidence>,
    pub(crate) modifiers: Vec<u16>,
    /// The level of the ceiling in force at the last message (see [`crate::policy::model::Ceiling`]).
    pub(crate) cap: Option<Level>,
    /// Counted hits of combination parts in the key's last messages, as far back as the
    /// policy's longest combination reaches (empty without combinations over messages).
    pub(crate) parts: Vec<PartSeen>,
    /// The indicators the sender wrote: first sightings, at most the policy's `max_items`
    /// (empty, unallocated, unless the policy enables indicators).
    pub(crate) indicators: Vec<Sighting>,
    /// The key's nudges, for the interventions' rate limits (empty, unallocated, unless the
    /// policy has interventions with `once_per`).
    pub(crate) nudged: Vec<crate::intervene::Nudged>,
}

/// What a tracker knows of one conversation's language.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct ConversationLanguage {
    pub(crate) estimate: crate::lang::LanguageEstimate,
    /// The conversation's last message.
    pub(crate) last_ts: i64,
}

/// A tracker's state in its own types, least recently used first: what snapshots convert to
/// their wire types and back ([`Tracker::export`], [`Tracker::import`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TrackerState {
    pub(crate) clock: i64,
    pub(crate) stats: TrackerStats,
    pub(crate) keys: Vec<(Key, KeyState)>,
    pub(crate) senders: Vec<(Box<str>, SenderState)>,
    pub(crate) minors: Vec<(MinorKey, i64)>,
    pub(crate) languages: Vec<(Box<str>, ConversationLanguage)>,
}

/// (conversation, participant) of a probable minor.
pub(crate) type MinorKey = (Box<str>, Box<str>);

/// What a tracker keeps per sender, across conversations: recent risky messages to minors
/// (recipient hash, timestamp) for fan-out modifiers, and the sender's case (only with
/// `[senders]`, once a risky message to a minor was seen).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SenderState {
    pub(crate) recent: Vec<(u64, i64)>,
    pub(crate) case: Option<Box<SenderCase>>,
}

impl SenderState {
    /// Whether anything of the sender is newer than `limit` (else it is idle and evicted).
    pub(crate) fn active_since(&self, limit: i64) -> bool {
        self.recent.iter().any(|(_, t)| *t >= limit)
            || self.case.as_ref().is_some_and(|c| c.last_ts() >= limit)
    }
}

/// Most recipients remembered per sender for fan-out.
const FAN_OUT_MEMORY: usize = 64;

/// Counters of a tracker's work and evictions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrackerStats {
    /// Conversation keys held now.
    pub keys: u64,
    /// Messages observed.
    pub observed: u64,
    /// Escalations raised.
    pub escalations: u64,
    /// Keys evicted because the tracker was full (least recently used first).
    pub evicted_capacity: u64,
    /// Keys evicted because they were idle longer than the time-to-live.
    pub evicted_idle: u64,
    /// Messages older than the last one of their key.
    pub out_of_order: u64,
}

/// What a tracker did with one message's conversation key ([`Tracker::observe_traced`]): the
/// record explanations are rendered from, so an explanation tells exactly the story that produced
/// the observation. Category points are `(category index, points)` in policy order.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct KeyTrace {
    /// The sender's age band was unknown and is scored as `minor`: they disclosed being a child
    /// earlier in the conversation (and not longer ago than the time-to-live).
    pub sender_inferred_minor: bool,
    /// The same for the recipient.
    pub recipient_inferred_minor: bool,
    /// Messages the key had seen before this one (0: a new key, or one that started afresh).
    pub key_messages_before: u32,
    /// Messages of the key with this one.
    pub key_messages: u32,
    /// Time since the key's previous message (none for a new key).
    pub elapsed_ms: Option<i64>,
    /// The decay factor applied to the key's points: `2^(−elapsed / half_life)` (1 for a new key).
    pub decay: f64,
    /// The key's risk as of its previous message.
    pub risk_before: f64,
    /// Category points before the message, as of the key's previous message.
    pub before: Vec<(u16, f64)>,
    /// The same after decay (points below 0.001 dropped).
    pub decayed: Vec<(u16, f64)>,
    /// After the message's points were added and the conversation caps applied.
    pub after: Vec<(u16, f64)>,
    /// Distinct stages active within the stage-bonus window.
    pub active_stages: u32,
    /// The stage bonus they give.
    pub stage_bonus: f64,
    /// The key's risk after the message: the categories' points plus the stage bonus.
    pub risk: f64,
    /// The level the risk reaches by the thresholds.
    pub threshold_level: Option<Level>,
    /// The highest level a rule has forced on the key.
    pub forced: Option<Level>,
    /// The key's level (after any ceiling).
    pub level: Option<Level>,
}

/// A conversation key's risk and level as of its last message ([`Tracker::key_level`]).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct KeyLevel {
    /// Conversation risk (decayed category scores plus stage bonus).
    pub risk: f64,
    /// The level that risk (or a forced level) reaches, under any ceiling in force.
    pub level: Option<Level>,
}

/// What observing one message produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Observation {
    /// The conversation.
    pub conversation_id: String,
    /// The message.
    pub message_id: String,
    /// The message's timestamp.
    pub timestamp: Timestamp,
    /// The sender.
    pub sender: String,
    /// The recipient of the key (`None` in group and public channels).
    pub recipient: Option<String>,
    /// The message's assessment, under what the conversation knows (inferred ages, fan-out).
    pub assessment: Assessment,
    /// Conversation risk of the key after this message.
    #[serde(serialize_with = "round3")]
    pub risk: f64,
    /// The key's level after this message.
    pub level: Option<Level>,
    /// Stages active for the key (seen within the stage-bonus window), in policy order.
    pub stages: Vec<Arc<str>>,
    /// The policy's level ceiling that held the key's level below what its risk reached, if one
    /// did (e.g. both participants are declared adults).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped_by: Option<Arc<str>>,
    /// The language of the message and its conversation, with the packs that applied (only
    /// with language scoping: packs of two or more languages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<LanguageReport>,
    /// The platform's own channel and relationship words, when the message wrote words that are
    /// not kinds' names: what each was scored as, and whether the policy maps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<PlatformMetadata>,
    /// The message was older than the last one of its key (see "Keys and time" in the crate docs).
    pub out_of_order: bool,
    /// What the app should do with the message now, by the policy's interventions (absent:
    /// deliver it as it is). See [`crate::intervene`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intervention: Option<crate::intervene::Intervention>,
    /// An escalation, when the level rose or a new category joined.
    pub escalation: Option<Escalation>,
    /// An escalation of the recipient's view (`scope: "recipient"`): in a public channel, a
    /// message addressed to a minor — the streamer or host of the space — also counts in that
    /// minor's own key, where every sender's messages to them add up (several viewers pushing
    /// one streamer). Raised like [`escalation`](Observation::escalation), when that key's level
    /// rises or a new category joins it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_escalation: Option<Escalation>,
    /// An escalation of the sender's case (`scope: "sender"`): raised when the sender's
    /// conversations with minors, added up, cross the policy's sender levels — one account
    /// working through several children — or when another minor's conversation joins the case
    /// at its level (only with `[senders]`; see [`Senders`](crate::policy::Senders)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_escalation: Option<Escalation>,
    /// What the sender's case recorded of this message, for a second stage that builds sender
    /// cases elsewhere ([`Tracker::observe_contact`]): only from a tracker made
    /// [`with_case_contacts`](Tracker::with_case_contacts), for a risky message, with `[senders]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case_contact: Option<CaseContact>,
}

impl Observation {
    /// Every escalation the message raised, in a fixed order: the conversation key's
    /// ([`escalation`](Observation::escalation)), the recipient's view
    /// ([`recipient_escalation`](Observation::recipient_escalation)), the sender's case
    /// ([`sender_escalation`](Observation::sender_escalation)).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{Engine, Tracker};
    /// let mut tracker = Tracker::new(Arc::new(Engine::default()));
    /// let doc = include_str!("../../examples/sample-conversation.jsonl");
    /// let raised: usize = vigil::jsonl::parse(doc)
    ///     .map(|m| tracker.observe(&m.unwrap()).escalations().count())
    ///     .sum();
    /// assert_eq!(raised as u64, tracker.stats().escalations);
    /// ```
    pub fn escalations(&self) -> impl Iterator<Item = &Escalation> {
        self.escalation
            .iter()
            .chain(&self.recipient_escalation)
            .chain(&self.sender_escalation)
    }

    /// The observation as one line of JSON (the format of the golden vectors). Infallible: an
    /// observation holds no map and nothing whose serialization can fail (see `core/src/json.rs`).
    pub fn to_json(&self) -> String {
        crate::json::compact(self)
    }
}

/// Conversation state for one engine. Not shared between threads by itself (wrap it in a lock
/// or shard it); a phone holds one per signed-in user, a server one per shard.
#[derive(Debug)]
pub struct Tracker {
    pub(crate) engine: Arc<Engine>,
    keys: LinkedHashMap<Key, KeyState>,
    senders: LinkedHashMap<Box<str>, SenderState>,
    minors: LinkedHashMap<MinorKey, i64>,
    /// Language estimates by conversation (only with language scoping).
    languages: LinkedHashMap<Box<str>, ConversationLanguage>,
    clock: i64,
    stats: TrackerStats,
    capacity: usize,
    ttl: i64,
    scratch: Scratch,
    fan_buf: Vec<(i64, u32)>,
    /// Reused buffer: the key's remembered combination parts, for one observation.
    parts_buf: Vec<PartSeen>,
    /// Observations carry their [`CaseContact`] ([`Tracker::with_case_contacts`]).
    case_contacts: bool,
}

impl Tracker {
    /// An empty tracker with the policy's capacity and idle time-to-live.
    pub fn new(engine: Arc<Engine>) -> Tracker {
        let cfg = engine.policy().tracker().clone();
        Tracker {
            engine,
            keys: LinkedHashMap::new(),
            senders: LinkedHashMap::new(),
            minors: LinkedHashMap::new(),
            languages: LinkedHashMap::new(),
            clock: i64::MIN,
            stats: TrackerStats::default(),
            capacity: cfg.capacity,
            ttl: cfg.idle_ttl_ms,
            scratch: Scratch::new(),
            fan_buf: Vec::new(),
            parts_buf: Vec::new(),
            case_contacts: false,
        }
    }

    /// Makes observations carry the [`CaseContact`] of each risky message (with `[senders]`):
    /// what a job that scores conversations apart hands to a second stage, keyed by sender, which
    /// builds the sender cases with [`observe_contact`](Tracker::observe_contact).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{AgeBand, Engine, Message, Participant, Timestamp, Tracker};
    ///
    /// let engine = Arc::new(Engine::default());
    /// // Stage 1: each conversation on its own (here: a fresh tracker per conversation).
    /// let mut contacts = Vec::new();
    /// for kid in 0..9 {
    ///     let mut conversation = Tracker::new(engine.clone()).with_case_contacts();
    ///     for (i, text) in ["how old are you?", "add me on snap"].iter().enumerate() {
    ///         let msg = Message::new(format!("dm-{kid}"), format!("m-{i}"),
    ///             Timestamp::from_millis((kid * 2 + i as i64) * 60_000),
    ///             Participant::new("u-1", AgeBand::Adult), *text)
    ///             .with_recipient(Participant::new(format!("kid-{kid}"), AgeBand::Minor));
    ///         contacts.extend(conversation.observe(&msg).case_contact);
    ///     }
    /// }
    /// // Stage 2: the sender's contacts in time order.
    /// let mut cases = Tracker::new(engine);
    /// let raised: Vec<_> = contacts.iter().filter_map(|c| cases.observe_contact(c)).collect();
    /// let last = raised.last().unwrap();
    /// // Nine conversations at `watch`: 9 × 10 points, `urgent` by the shipped sender levels.
    /// assert_eq!(last.conversations.len(), 9);
    /// assert_eq!(last.level, vigil::Level::Urgent);
    /// ```
    pub fn with_case_contacts(mut self) -> Tracker {
        self.case_contacts = true;
        self
    }

    /// Records a risky message's [`CaseContact`] (from a tracker made
    /// [`with_case_contacts`](Tracker::with_case_contacts)) in its sender's case, and returns
    /// the sender escalation it raises, if any — exactly what observing the message raised in
    /// the tracker that made the contact, when that tracker held every conversation of the
    /// sender. Feed each sender's contacts in time order. Nothing happens without `[senders]`.
    pub fn observe_contact(&mut self, contact: &CaseContact) -> Option<Escalation> {
        let engine = Arc::clone(&self.engine);
        if !engine.policy().senders().enabled {
            return None;
        }
        self.clock = self.clock.max(contact.ts);
        self.evict_idle();
        let resolved = contact.resolve(&engine);
        let c = contact.contact(&engine, &resolved);
        let raised = note_sender(
            &engine,
            &mut self.senders,
            self.capacity,
            &contact.message,
            &c,
            resolved.bands,
        );
        if raised.is_some() {
            self.stats.escalations += 1;
        }
        raised
    }

    /// Overrides the policy's capacity (most keys held). At least 1.
    pub fn with_capacity(mut self, capacity: usize) -> Tracker {
        self.capacity = capacity.max(1);
        self
    }

    /// The most keys held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Counters.
    pub fn stats(&self) -> TrackerStats {
        TrackerStats {
            keys: self.keys.len() as u64,
            ..self.stats
        }
    }

    /// Number of conversation keys held.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Forgets everything (counters included).
    pub fn clear(&mut self) {
        self.keys.clear();
        self.senders.clear();
        self.minors.clear();
        self.languages.clear();
        self.clock = i64::MIN;
        self.stats = TrackerStats::default();
    }

    fn key_hash(&self, c: &str, s: &str, r: Option<&str>) -> u64 {
        let mut h = self.keys.hasher().build_hasher();
        hash_parts(&mut h, c, s, r);
        h.finish()
    }

    /// Whether `participant` disclosed being a child in `conversation` at or after `since` (an
    /// older mark is idle past the time-to-live, even if eviction has not reached it yet).
    fn probable_minor(&self, conversation: &str, participant: &str, since: i64) -> bool {
        if self.minors.is_empty() {
            return false;
        }
        let hash = self.minors.hasher().hash_one((conversation, participant));
        self.minors
            .raw_entry()
            .from_hash(hash, |(c, p)| &**c == conversation && &**p == participant)
            .is_some_and(|(_, t)| *t >= since)
    }

    /// Evicts keys idle for longer than the time-to-live, measured against the newest timestamp
    /// seen. Runs on every observation; call it to trim memory between bursts.
    pub fn evict_idle(&mut self) {
        let limit = self.clock.saturating_sub(self.ttl);
        while let Some((_, st)) = self.keys.front() {
            if st.last_ts >= limit {
                break;
            }
            self.keys.pop_front();
            self.stats.evicted_idle += 1;
        }
        while let Some((_, st)) = self.senders.front() {
            if st.active_since(limit) {
                break;
            }
            self.senders.pop_front();
        }
        while let Some((_, t)) = self.minors.front() {
            if *t >= limit {
                break;
            }
            self.minors.pop_front();
        }
        while let Some((_, l)) = self.languages.front() {
            if l.last_ts >= limit {
                break;
            }
            self.languages.pop_front();
        }
    }

    /// Observes one message: assesses it under what the conversation knows, updates the key's
    /// decayed risk, stages and level, and raises an escalation when the level rises or a new
    /// category joins. Never panics.
    pub fn observe(&mut self, msg: &Message) -> Observation {
        self.observe_with(msg, None)
    }

    /// [`observe`](Tracker::observe), recording what the tracker did with the message's key: the
    /// ages it inferred, the decay since the key's previous message, each category's points before
    /// and after, the stage bonus, the levels and the ceiling. This is what explanations render
    /// ([`explain_conversation`](crate::explain::explain_conversation)); `observe` records
    /// nothing.
    pub fn observe_traced(&mut self, msg: &Message) -> (Observation, KeyTrace) {
        let mut trace = KeyTrace::default();
        let obs = self.observe_with(msg, Some(&mut trace));
        (obs, trace)
    }

    fn observe_with(&mut self, msg: &Message, mut trace: Option<&mut KeyTrace>) -> Observation {
        let engine = Arc::clone(&self.engine);
        let ts = msg.timestamp.as_millis();
        self.clock = self.clock.max(ts);
        self.stats.observed += 1;
        self.evict_idle();

        let truncated = engine.find(&msg.text, &mut self.scratch);
        let conv = msg.conversation_id.as_str();
        let sender = msg.sender.id.as_str();
        let mut ctx = Context::of(engine.policy(), msg);
        let group = ctx.channel.is_shared();
        let recipient = if group {
            None
        } else {
            msg.recipient.as_ref().map(|r| r.id.as_str())
        };
        // In a public channel a message may be addressed to one person: the streamer or host of
        // the space. Its rules and modifiers then see that person's age band, the key stays the
        // sender's, and the recipient's own view adds up every sender (below).
        let addressed = if ctx.channel == Channel::Public {
            msg.recipient.as_ref().map(|r| r.id.as_str())
        } else {
            None
        };
        if group && addressed.is_none() {
            ctx.recipient = AgeBand::Unknown;
        }
        let (known_sender, known_recipient) = (ctx.sender, ctx.recipient);
        // What was last seen more than the time-to-live before this message is gone, wherever
        // it sits in eviction order: eviction walks from the least recently used entry and
        // stops at the first fresh one, so an idle entry can still be held behind a fresh one
        // (and a tracker restored from snapshots has another order). With messages in time
        // order this makes "idle longer than the time-to-live" exact.
        let idle_before = ts.saturating_sub(self.ttl);
        let mut out_of_scope = Vec::new();
        let language = match &engine.scoping {
            Some(scoping) => {
                let entry = conversation_language(&mut self.languages, conv, ts, idle_before);
                let mut outcome = scoping.scope_hits(&msg.text, &mut entry.estimate, &mut self.scratch.hits);
                let report = LanguageReport::new(&outcome, &entry.estimate, |r| {
                    engine.rules.get(r as usize).map(|x| x.id.clone())
                });
                out_of_scope = std::mem::take(&mut outcome.dropped);
                Some(report)
            }
            None => None,
        };
        let sender_probable = self.probable_minor(conv, sender, idle_before);
        let recipient_probable = recipient
            .or(addressed)
            .is_some_and(|r| self.probable_minor(conv, r, idle_before));
        if ctx.sender == AgeBand::Unknown && sender_probable {
            ctx.sender = AgeBand::Minor;
        }
        if ctx.recipient == AgeBand::Unknown && recipient_probable {
            ctx.recipient = AgeBand::Minor;
        }

        // Fan-out: distinct minors this sender sent risky messages to.
        let mut fan_buf = std::mem::take(&mut self.fan_buf);
        fan_buf.clear();
        if !engine.fan_out_windows.is_empty() {
            let risky = self
                .scratch
                .hits
                .iter()
                .any(|h| engine.rules[h.rule as usize].weight > 0.0);
            if risky && ctx.recipient == AgeBand::Minor {
                if let Some(r) = recipient {
                    self.record_fan_out(sender, fnv1a(r.as_bytes()), ts);
                }
            }
            if let Some(st) = self.senders.get(sender) {
                for &w in &engine.fan_out_windows {
                    let from = ts.saturating_sub(w);
                    let mut seen: Vec<u64> = st
                        .recent
                        .iter()
                        .filter(|(_, t)| *t >= from && *t <= ts)
                        .map(|(r, _)| *r)
                        .collect();
                    seen.sort_unstable();
                    seen.dedup();
                    fan_buf.push((w, seen.len() as u32));
                }
            }
        }
        ctx.fan_out = Some(&fan_buf);
        // Combination rules over messages see the parts of the key's last messages.
        let hash = self.key_hash(conv, sender, recipient);
        let mut parts = std::mem::take(&mut self.parts_buf);
        parts.clear();
        if engine.combo_depth > 1 {
            let held = self
                .keys
                .raw_entry()
                .from_hash(hash, |k| k.is(conv, sender, recipient))
                .map(|(_, st)| st)
                .filter(|st| st.last_ts >= idle_before);
            let message_no = held.map_or(1, |st| st.messages.saturating_add(1));
            if let Some(st) = held {
                parts.extend_from_slice(&st.parts);
            }
            ctx.earlier = Some(Earlier {
                message_no,
                parts: &parts,
            });
        }
        let mut assessment = engine.score(&self.scratch.hits, &ctx, truncated);
        engine.note_cancelled(&mut assessment, &self.scratch);
        assessment
            .not_counted
            .extend(out_of_scope.into_iter().map(|hit| crate::engine::Dropped {
                hit,
                why: crate::engine::DropReason::Language,
            }));
        let sender_band = ctx.sender;
        let recipient_band = ctx.recipient;

        if assessment.discloses_minor && !sender_probable {
            self.minors.insert((conv.into(), sender.into()), ts);
            if self.minors.len() > self.capacity {
                self.minors.pop_front();
            }
        } else if sender_probable {
            let hash = self.minors.hasher().hash_one((conv, sender));
            if let hashlink::linked_hash_map::RawEntryMut::Occupied(mut e) = self
                .minors
                .raw_entry_mut()
                .from_hash(hash, |(c, p)| &**c == conv && &**p == sender)
            {
                *e.get_mut() = ts;
                e.to_back();
            }
        }

        // The key's state.
        let state = key_state(
            &mut self.keys,
            &mut self.stats,
            (hash, conv, sender, recipient),
            ts,
            idle_before,
        );
        let out_of_order = state.messages > 0 && ts < state.last_ts;
        let now = ts.max(state.last_ts);
        if let Some(t) = trace.as_deref_mut() {
            t.sender_inferred_minor = sender_probable && known_sender == AgeBand::Unknown;
            t.recipient_inferred_minor = recipient_probable
                && (!group || addressed.is_some())
                && msg.recipient.is_some()
                && known_recipient == AgeBand::Unknown;
            t.key_messages_before = state.messages;
            if state.messages > 0 {
                t.elapsed_ms = Some(now.saturating_sub(state.last_ts));
                t.risk_before = risk_of(&engine, state, state.last_ts);
            }
            t.before = state.cats.clone();
        }
        // Ceilings see a participant who disclosed being a child as a minor, whatever was declared.
        let mut known = ctx;
        if sender_probable {
            known.sender = AgeBand::Minor;
        }
        if recipient_probable {
            known.recipient = AgeBand::Minor;
        }
        let update = Update {
            engine: &engine,
            msg,
            assessment: &assessment,
            now,
            known,
            language: language.as_ref(),
            recipient_view: false,
        };
        let (risk, level, stages, capped_by) = update.apply(state, trace);
        let found = indicators::note(&engine, msg, &mut state.indicators);
        let intervention = match &engine.interventions {
            Some(iv) => iv.decide(
                found,
                msg,
                &known,
                &assessment,
                level,
                &stages,
                language.as_ref(),
                engine.scoping.as_ref(),
                now,
                &mut state.nudged,
            ),
            None => None,
        };
        let escalation = update.escalate(
            state,
            risk,
            level,
            capped_by,
            [
                (sender_band, sender_probable),
                (recipient_band, recipient_probable),
            ],
        );
        let mut case_contact = None;
        let sender_escalation = if engine.policy().senders().enabled
            && (assessment.forced_level.is_some() || assessment.categories.iter().any(|c| c.score > 0.0))
        {
            let contact = Contact::of_key(
                conv,
                recipient.or(addressed),
                (known.recipient == AgeBand::Minor, ctx.relationship),
                level,
                risk,
                state,
                &msg.message_id,
                now,
            );
            let bands = [
                (sender_band, sender_probable),
                (recipient_band, recipient_probable),
            ];
            if self.case_contacts {
                case_contact = Some(CaseContact::new(&engine, msg, &contact, bands));
            }
            note_sender(&engine, &mut self.senders, self.capacity, msg, &contact, bands)
        } else {
            None
        };
        let recipient_escalation = match addressed {
            Some(streamer)
                if known.recipient == AgeBand::Minor
                    && (assessment.forced_level.is_some()
                        || assessment.categories.iter().any(|c| c.score > 0.0)) =>
            {
                let bands = [
                    (sender_band, sender_probable),
                    (recipient_band, recipient_probable),
                ];
                self.observe_recipient_view(&update, streamer, idle_before, bands)
            }
            _ => None,
        };
        self.parts_buf = parts;
        self.fan_buf = fan_buf;
        self.stats.escalations +=
            u64::from(recipient_escalation.is_some()) + u64::from(sender_escalation.is_some());
        if out_of_order {
            self.stats.out_of_order += 1;
        }
        if escalation.is_some() {
            self.stats.escalations += 1;
        }
        self.trim_to_capacity();
        Observation {
            conversation_id: msg.conversation_id.clone(),
            message_id: msg.message_id.clone(),
            timestamp: msg.timestamp,
            sender: msg.sender.id.clone(),
            recipient: recipient.map(str::to_string),
            assessment,
            risk,
            level,
            stages,
            capped_by: capped_by.map(|c| engine.ceilings[usize::from(c)].id.clone()),
            language,
            platform: engine.policy().metadata().platform_words(msg),
            out_of_order,
            intervention,
            escalation,
            recipient_escalation,
            sender_escalation,
            case_contact,
        }
    }

    /// Adds a risky message addressed to a minor in a public channel to that minor's own key
    /// (conversation, no sender, the minor), where every sender's messages to them add up, and
    /// returns that key's escalation if one is raised.
    fn observe_recipient_view(
        &mut self,
        update: &Update<'_>,
        recipient: &str,
        idle_before: i64,
        bands: [(AgeBand, bool); 2],
    ) -> Option<Escalation> {
        let conv = update.msg.conversation_id.as_str();
        let hash = self.key_hash(conv, RECIPIENT_VIEW, Some(recipient));
        let ts = update.now;
        let key = (hash, conv, RECIPIENT_VIEW, Some(recipient));
        let state = key_state(&mut self.keys, &mut self.stats, key, ts, idle_before);
        let view = Update {
            now: ts.max(state.last_ts),
            recipient_view: true,
            ..*update
        };
        let (risk, level, _, capped_by) = view.apply(state, None);
        indicators::note(view.engine, view.msg, &mut state.indicators);
        view.escalate(state, risk, level, capped_by, bands)
    }

    /// Trims keys, probable-minor marks and language estimates to the capacity, least recently
    /// used first; evicted keys are counted. The one trim of the tracker (observations, restores,
    /// the sharded tracker).
    pub(crate) fn trim_to_capacity(&mut self) {
        while self.keys.len() > self.capacity {
            self.keys.pop_front();
            self.stats.evicted_capacity += 1;
        }
        while self.minors.len() > self.capacity {
            self.minors.pop_front();
        }
        while self.languages.len() > self.capacity {
            self.languages.pop_front();
        }
    }

    /// Copies `from`'s conversation state (keys, probable-minor marks, language estimates) into
    /// this tracker, in `from`'s order, and keeps the later clock (for the sharded tracker).
    pub(crate) fn copy_conversations_from(&mut self, from: &Tracker) {
        for (k, v) in from.keys.iter() {
            self.keys.insert(k.clone(), v.clone());
        }
        for (k, v) in from.minors.iter() {
            self.minors.insert(k.clone(), *v);
        }
        for (k, v) in from.languages.iter() {
            self.languages.insert(k.clone(), *v);
        }
        self.clock = self.clock.max(from.clock);
    }

    /// The tracker's state, or only one conversation's (no fan-out memory and zero counters
    /// then), in its own types, least recently used first (for snapshots).
    pub(crate) fn export(&self, only: Option<&str>) -> TrackerState {
        let keep = |c: &str| only.is_none_or(|o| o == c);
        TrackerState {
            clock: self.clock,
            stats: if only.is_some() {
                TrackerStats::default()
            } else {
                self.stats
            },
            keys: self
                .keys
                .iter()
                .filter(|(k, _)| keep(&k.conversation))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            senders: if only.is_some() {
                Vec::new()
            } else {
                self.senders.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
            },
            minors: self
                .minors
                .iter()
                .filter(|((c, _), _)| keep(c))
                .map(|(k, v)| (k.clone(), *v))
                .collect(),
            languages: self
                .languages
                .iter()
                .filter(|(c, _)| keep(c))
                .map(|(c, l)| (c.clone(), *l))
                .collect(),
        }
    }

    /// Replaces the whole state (a restore).
    pub(crate) fn import(&mut self, state: TrackerState) {
        self.keys = state.keys.into_iter().collect();
        self.senders = state.senders.into_iter().collect();
        self.minors = state.minors.into_iter().collect();
        self.languages = state.languages.into_iter().collect();
        self.clock = state.clock;
        self.stats = state.stats;
    }

    /// Adds conversation state, replacing what the tracker held for the same keys, marks and
    /// conversations; keeps the later clock; trims to capacity (a one-conversation restore).
    pub(crate) fn merge_conversations(&mut self, state: TrackerState) {
        for (k, v) in state.keys {
            self.keys.remove(&k);
            self.keys.insert(k, v);
        }
        for (k, v) in state.minors {
            self.minors.remove(&k);
            self.minors.insert(k, v);
        }
        for (k, v) in state.languages {
            self.languages.remove(&k);
            self.languages.insert(k, v);
        }
        self.advance_clock(state.clock);
        self.trim_to_capacity();
    }

    /// Takes `from`'s conversation state, replacing what this tracker held for the same keys,
    /// marks and conversations; keeps the later clock; trims to capacity.
    pub(crate) fn absorb_conversations(&mut self, mut from: Tracker) {
        while let Some((k, v)) = from.keys.pop_front() {
            self.keys.remove(&k);
            self.keys.insert(k, v);
        }
        while let Some((k, v)) = from.minors.pop_front() {
            self.minors.remove(&k);
            self.minors.insert(k, v);
        }
        while let Some((k, v)) = from.languages.pop_front() {
            self.languages.remove(&k);
            self.languages.insert(k, v);
        }
        self.advance_clock(from.clock);
        self.trim_to_capacity();
    }

    /// Whether the tracker holds no conversation state (keys, marks, estimates).
    pub(crate) fn holds_no_conversation(&self) -> bool {
        self.keys.is_empty() && self.minors.is_empty() && self.languages.is_empty()
    }

    /// The newest timestamp seen.
    pub(crate) fn clock(&self) -> i64 {
        self.clock
    }

    /// Moves the clock forward to `ts` (never back).
    pub(crate) fn advance_clock(&mut self, ts: i64) {
        self.clock = self.clock.max(ts);
    }

    /// Replaces the counters (the sharded tracker keeps its totals in its first shard).
    pub(crate) fn set_stats(&mut self, stats: TrackerStats) {
        self.stats = stats;
    }

    /// Lends one sender's fan-out state to this tracker for an observation (replacing any other).
    pub(crate) fn lend_sender(&mut self, sender: Option<(Box<str>, SenderState)>) {
        self.senders.clear();
        if let Some((k, st)) = sender {
            self.senders.insert(k, st);
        }
    }

    /// Adds a sender's fan-out state, most recently used last.
    pub(crate) fn insert_sender(&mut self, sender: Box<str>, st: SenderState) {
        self.senders.insert(sender, st);
    }

    /// Takes the fan-out state back, least recently used first.
    pub(crate) fn take_senders(&mut self) -> impl Iterator<Item = (Box<str>, SenderState)> + '_ {
        std::iter::from_fn(move || self.senders.pop_front())
    }

    /// Moves this tracker's conversation state into `parts`, each conversation to
    /// `parts[pick(conversation)]`, in order (for the sharded tracker).
    pub(crate) fn move_conversations_into(&mut self, parts: &mut [Tracker], pick: impl Fn(&str) -> usize) {
        while let Some((k, v)) = self.keys.pop_front() {
            if let Some(t) = parts.get_mut(pick(&k.conversation)) {
                t.keys.insert(k, v);
            }
        }
        while let Some((k, v)) = self.minors.pop_front() {
            if let Some(t) = parts.get_mut(pick(&k.0)) {
                t.minors.insert(k, v);
            }
        }
        while let Some((k, v)) = self.languages.pop_front() {
            if let Some(t) = parts.get_mut(pick(&k)) {
                t.languages.insert(k, v);
            }
        }
    }

    fn record_fan_out(&mut self, sender: &str, recipient: u64, ts: i64) {
        let max_window = self.engine.fan_out_windows.iter().copied().max().unwrap_or(0);
        let Some(st) = sender_state(&mut self.senders, self.capacity, sender) else {
            return;
        };
        let from = ts.saturating_sub(max_window);
        st.recent.retain(|(r, t)| *t >= from && *r != recipient);
        st.recent.push((recipient, ts));
        if st.recent.len() > FAN_OUT_MEMORY {
            st.recent.remove(0);
        }
    }

    /// The current risk and level of one key as of its last message (for inspection).
    pub fn key_level(&self, conversation: &str, sender: &str, recipient: Option<&str>) -> Option<KeyLevel> {
        let hash = self.key_hash(conversation, sender, recipient);
        let (_, st) = self
            .keys
            .raw_entry()
            .from_hash(hash, |k| k.is(conversation, sender, recipient))?;
        let risk = risk_of(&self.engine, st, st.last_ts);
        Some(KeyLevel {
            risk,
            level: capped(self.engine.level_for(risk).max(st.forced), st.cap),
        })
    }
}

/// The state of `sender`, created if missing (the least recently used sender evicted beyond
/// `capacity`), made most recently used.
fn sender_state<'m>(
    senders: &'m mut LinkedHashMap<Box<str>, SenderState>,
    capacity: usize,
    sender: &str,
) -> Option<&'m mut SenderState> {
    if senders.contains_key(sender) {
        senders.to_back(sender);
    } else {
        senders.insert(sender.into(), SenderState::default());
        if senders.len() > capacity {
            senders.pop_front();
        }
    }
    senders.get_mut(sender)
}

/// Records a risky message in its sender's case and returns the case's escalation if one is
/// raised (see [`senders`]).
fn note_sender(
    engine: &Engine,
    map: &mut LinkedHashMap<Box<str>, SenderState>,
    capacity: usize,
    msg: &Message,
    contact: &Contact<'_>,
    bands: [(AgeBand, bool); 2],
) -> Option<Escalation> {
    let policy = engine.policy().senders();
    let sender = msg.sender.id.as_str();
    // A sender with no case yet opens one only for a contact the case would keep.
    if !(contact.minor || contact.level.is_some()) && map.get(sender).is_none_or(|st| st.case.is_none()) {
        return None;
    }
    let st = sender_state(map, capacity, sender)?;
    let case = st.case.get_or_insert_with(Default::default);
    case.expire(policy, contact.ts);
    case.note(engine, contact);
    let tally = case.tally(policy);
    let previous = case.escalate(&tally)?;
    let level = tally.level?;
    let facts = crate::escalation::SenderFacts {
        now: contact.ts,
        level,
        previous,
        tally: &tally,
        case,
        bands,
    };
    Some(Escalation::build_sender(engine, msg, &facts))
}

/// A stable 64-bit FNV-1a hash: fan-out state stores recipients hashed, and snapshots must
/// restore into trackers with other hasher seeds; the sharded tracker picks shards with it.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The language entry of conversation `conv` at a message at `ts`, created if missing and started
/// afresh if idle since before `idle_before`, and moved to the back (most recently used).
/// `Tracker::observe` trims the map to its capacity afterwards.
fn conversation_language<'a>(
    map: &'a mut LinkedHashMap<Box<str>, ConversationLanguage>,
    conv: &str,
    ts: i64,
    idle_before: i64,
) -> &'a mut ConversationLanguage {
    let hash = map.hasher().hash_one(conv);
    let fresh = ConversationLanguage {
        last_ts: ts,
        ..ConversationLanguage::default()
    };
    match map.raw_entry_mut().from_hash(hash, |c| &**c == conv) {
        hashlink::linked_hash_map::RawEntryMut::Occupied(mut e) => {
            e.to_back();
            let entry = e.into_mut();
            if entry.last_ts < idle_before {
                *entry = fresh;
            }
            entry.last_ts = entry.last_ts.max(ts);
            entry
        }
        hashlink::linked_hash_map::RawEntryMut::Vacant(e) => {
            e.insert_hashed_nocheck(hash, conv.into(), fresh).1
        }
    }
}

/// The state of a key (`hash` of conversation, sender, recipient), made most recently used: a
/// new key's, or a held one's — started afresh, as if it had been evicted, when it was idle past
/// the time-to-live (counted as an idle eviction).
fn key_state<'m>(
    keys: &'m mut LinkedHashMap<Key, KeyState>,
    stats: &mut TrackerStats,
    (hash, conv, sender, recipient): (u64, &str, &str, Option<&str>),
    ts: i64,
    idle_before: i64,
) -> &'m mut KeyState {
    let fresh = || KeyState {
        last_ts: ts,
        ..KeyState::default()
    };
    match keys
        .raw_entry_mut()
        .from_hash(hash, |k| k.is(conv, sender, recipient))
    {
        hashlink::linked_hash_map::RawEntryMut::Occupied(mut e) => {
            e.to_back();
            let state = e.into_mut();
            if state.last_ts < idle_before {
                *state = fresh();
                stats.evicted_idle += 1;
            }
            state
        }
        hashlink::linked_hash_map::RawEntryMut::Vacant(e) => {
            let key = Key {
                conversation: conv.into(),
                sender: sender.into(),
                recipient: recipient.map(Into::into),
            };
            e.insert_hashed_nocheck(hash, key, fresh()).1
        }
    }
}

/// What a fresh conversation key makes of one assessed message: the tracker's own arithmetic
/// (caps, stage bonus, levels, ceilings) on a new key, for explanations of a message on its own.
pub(crate) fn trace_alone(engine: &Engine, msg: &Message, assessment: &Assessment) -> KeyTrace {
    let ts = msg.timestamp.as_millis();
    let mut known = Context::of(engine.policy(), msg);
    if known.channel.is_shared() && !(known.channel == Channel::Public && msg.recipient.is_some()) {
        known.recipient = AgeBand::Unknown;
    }
    let update = Update {
        engine,
        msg,
        assessment,
        now: ts,
        known,
        language: None,
        recipient_view: false,
    };
    let mut st = KeyState {
        last_ts: ts,
        ..KeyState::default()
    };
    let mut trace = KeyTrace::default();
    update.apply(&mut st, Some(&mut trace));
    trace
}

/// `level` held to a ceiling's `cap`.
fn capped(level: Option<Level>, cap: Option<Level>) -> Option<Level> {
    match cap {
        Some(c) => level.min(Some(c)),
        None => level,
    }
}

/// Distinct messages of a key whose evidence carries risk (a rule of positive weight).
fn risky_messages(engine: &Engine, st: &KeyState) -> u32 {
    let mut n = 0;
    let mut last: Option<&str> = None;
    for e in &st.evidence {
        let risky = engine.rules.get(e.rule as usize).is_some_and(|r| r.weight > 0.0);
        if risky && last != Some(&*e.message_id) {
            n += 1;
            last = Some(&e.message_id);
        }
    }
    n
}

/// Conversation risk of a state at `now`: categories (already decayed to `last_ts`) plus bonus.
fn risk_of(engine: &Engine, st: &KeyState, now: i64) -> f64 {
    let sum: f64 = st.cats.iter().map(|(_, s)| s).sum();
    sum + stage_bonus(engine, st, now).0
}

/// (bonus points, number of active stages).
fn stage_bonus(engine: &Engine, st: &KeyState, now: i64) -> (f64, u32) {
    let Some(b) = &engine.policy().scoring().stage_bonus else {
        return (0.0, 0);
    };
    let active = st
        .stages
        .iter()
        .filter(|s| s.last_ts >= now.saturating_sub(b.window_ms))
        .count() as u32;
    if active >= b.from {
        (b.points * f64::from(active - b.from + 1), active)
    } else {
        (0.0, active)
    }
}

/// The sender of a recipient's view key: no sender (platform ids are never empty).
pub(crate) const RECIPIENT_VIEW: &str = "";

#[derive(Clone, Copy)]
struct Update<'a> {
    engine: &'a Engine,
    msg: &'a Message,
    assessment: &'a Assessment,
    now: i64,
    /// The message's metadata with probable minors counted as minors, for ceilings.
    known: Context<'a>,
    /// The language of the message and its conversation.
    language: Option<&'a LanguageReport>,
    /// The key is a recipient's view (every sender's messages to one minor in a public channel).
    recipient_view: bool,
}

impl Update<'_> {
    /// Decays, adds the message, and returns (risk, level, active stages, the ceiling that held
    /// the level down).
    fn apply(
        &self,
        st: &mut KeyState,
        mut trace: Option<&mut KeyTrace>,
    ) -> (f64, Option<Level>, Vec<Arc<str>>, Option<u16>) {
        let engine = self.engine;
        let scoring = engine.policy().scoring();
        // Saturating: timestamps span all of i64, and a key far behind the eviction front can be
        // older than `now` by more than i64::MAX.
        let decay =
            || libm::exp2(-(self.now.saturating_sub(st.last_ts) as f64) / scoring.half_life_ms as f64);
        if self.now > st.last_ts && !st.cats.is_empty() {
            let f = decay();
            for c in &mut st.cats {
                c.1 *= f;
            }
            st.cats.retain(|c| c.1 >= 0.001);
            if let Some(t) = trace.as_deref_mut() {
                t.decay = f;
            }
        } else if let Some(t) = trace.as_deref_mut() {
            t.decay = if self.now > st.last_ts && st.messages > 0 {
                decay()
            } else {
                1.0
            };
        }
        if let Some(t) = trace.as_deref_mut() {
            t.decayed = st.cats.clone();
        }
        st.last_ts = self.now;
        st.messages = st.messages.saturating_add(1);
        for cs in &self.assessment.categories {
            if cs.score <= 0.0 {
                continue;
            }
            let cap = engine.categories[usize::from(cs.index)].conversation_cap;
            match st.cats.iter_mut().find(|c| c.0 == cs.index) {
                Some(c) => c.1 = (c.1 + cs.score).min(cap),
                None => st.cats.push((cs.index, cs.score.min(cap))),
            }
            let stage = engine.categories[usize::from(cs.index)].stage;
            match st.stages.iter_mut().find(|s| s.stage == stage) {
                Some(s) => s.last_ts = s.last_ts.max(self.now),
                None => st.stages.push(StageSeen {
                    stage,
                    first_message: self.msg.message_id.as_str().into(),
                    first_ts: self.now,
                    last_ts: self.now,
                }),
            }
        }
        st.cats.sort_by_key(|c| c.0);
        st.forced = st.forced.max(self.assessment.forced_level);
        for m in &self.assessment.modifiers {
            if !st.modifiers.contains(&m.index) {
                st.modifiers.push(m.index);
            }
        }
        self.keep_evidence(st);
        self.remember_parts(st);
        let risk = risk_of(engine, st, self.now);
        let reached = engine.level_for(risk).max(st.forced);
        let ceiling = engine.ceiling(&self.known, &st.cats, || risky_messages(engine, st));
        st.cap = ceiling.map(|(_, l)| l);
        let level = capped(reached, st.cap);
        let capped_by = ceiling.filter(|_| level < reached).map(|(i, _)| i);
        if let Some(t) = trace {
            let (bonus, active) = stage_bonus(engine, st, self.now);
            t.after = st.cats.clone();
            t.stage_bonus = bonus;
            t.active_stages = active;
            t.risk = risk;
            t.threshold_level = engine.level_for(risk);
            t.forced = st.forced;
            t.level = level;
            t.key_messages = st.messages;
        }
        let window = scoring.stage_bonus.as_ref().map_or(i64::MAX, |b| b.window_ms);
        let mut active: Vec<&StageSeen> = st
            .stages
            .iter()
            .filter(|s| s.last_ts >= self.now.saturating_sub(window))
            .collect();
        active.sort_by_key(|s| s.stage);
        let stages = active
            .iter()
            .map(|s| engine.stages[usize::from(s.stage)].clone())
            .collect();
        (risk, level, stages, capped_by)
    }

    /// Keeps this message's counted hits of combination parts in the key, and forgets those the
    /// longest combination can no longer reach from the next message.
    fn remember_parts(&self, st: &mut KeyState) {
        let depth = self.engine.combo_depth;
        if depth < 2 || self.recipient_view {
            return;
        }
        let n = st.messages;
        st.parts
            .retain(|p| p.message_no.saturating_add(depth) > n.saturating_add(1));
        for h in &self.assessment.hits {
            let part = self
                .engine
                .is_part
                .get(h.rule_index as usize)
                .copied()
                .unwrap_or(false);
            if part
                && !st
                    .parts
                    .iter()
                    .any(|p| p.message_no == n && p.rule == h.rule_index)
            {
                st.parts.push(PartSeen {
                    message_no: n,
                    rule: h.rule_index,
                    message_id: self.msg.message_id.as_str().into(),
                    ts: self.now,
                    start: h.span.start as u64,
                    end: h.span.end as u64,
                });
            }
        }
    }

    fn keep_evidence(&self, st: &mut KeyState) {
        let ev = self.engine.policy().evidence();
        let max = ev.max_items as usize;
        let hits = &self.assessment.hits;
        // A combination's parts in earlier messages of the key are evidence of it: the message
        // and span of each (no excerpt: that text is gone).
        let mut earlier: Vec<Evidence> = Vec::new();
        // (A recipient's view remembers no parts: combinations are each sender's own.)
        for h in hits
            .iter()
            .filter(|h| h.kind == crate::HitKind::Combination && !self.recipient_view)
        {
            for &r in h.by.items.iter() {
                if hits.iter().any(|x| x.rule_index == r) {
                    continue;
                }
                let part = st
                    .parts
                    .iter()
                    .rev()
                    .find(|p| p.rule == r && p.message_no < st.messages);
                if let Some(p) = part {
                    let seen = |e: &Evidence| e.message_id == p.message_id && e.rule == r;
                    if !st.evidence.iter().any(seen) && !earlier.iter().any(seen) {
                        earlier.push(Evidence {
                            message_id: p.message_id.clone(),
                            sender: None,
                            ts: p.ts,
                            rule: r,
                            start: p.start,
                            end: p.end,
                            excerpt: None,
                        });
                    }
                }
            }
        }
        // A weight-0 cue is evidence only where a combination used it.
        let used = |r: u32| {
            hits.iter()
                .any(|h| h.kind == crate::HitKind::Combination && h.by.items.contains(&r))
        };
        let kept = hits.iter().filter(|h| {
            h.weight > 0.0 || {
                let rule = &self.engine.rules[h.rule_index as usize];
                rule.level.is_some() || rule.discloses_minor || used(h.rule_index)
            }
        });
        let items = earlier.into_iter().chain(kept.map(|hit| Evidence {
            message_id: self.msg.message_id.as_str().into(),
            sender: self.recipient_view.then(|| self.msg.sender.id.as_str().into()),
            ts: self.now,
            rule: hit.rule_index,
            start: hit.span.start as u64,
            end: hit.span.end as u64,
            excerpt: excerpt(&self.msg.text, hit.span, ev.excerpt, ev.context_chars),
        }));
        for item in items {
            if st.evidence.len() >= max {
                // Drop the oldest item whose rule is evidenced again; if every rule is unique, keep
                // what we have (first evidence of each rule matters most).
                let dup = (0..st.evidence.len()).find(|&i| {
                    st.evidence
                        .iter()
                        .filter(|e| e.rule == st.evidence[i].rule)
                        .count()
                        > 1
                        || st.evidence[i].rule == item.rule
                });
                match dup {
                    Some(i) => {
                        st.evidence.remove(i);
                    }
                    None => continue,
                }
            }
            st.evidence.push(item);
        }
    }

    fn escalate(
        &self,
        st: &mut KeyState,
        risk: f64,
        level: Option<Level>,
        capped_by: Option<u16>,
        bands: [(AgeBand, bool); 2],
    ) -> Option<Escalation> {
        let Some(level) = level else {
            // Dormant: a later episode escalates anew.
            st.escalated = None;
            st.escalated_cats.clear();
            return None;
        };
        let rose = st.escalated.is_none_or(|e| level > e);
        let joined = st.escalated.is_some_and(|e| level >= e)
            && st
                .cats
                .iter()
                .any(|(c, s)| *s > 0.0 && !st.escalated_cats.contains(c));
        if !(rose || joined) {
            return None;
        }
        let previous = st.escalated;
        st.escalated = Some(level.max(previous.unwrap_or(level)));
        st.escalated_cats = st
            .cats
            .iter()
            .filter(|(_, s)| *s > 0.0)
            .map(|(c, _)| *c)
            .collect();
        st.sequence = st.sequence.saturating_add(1);
        Some(self.build(st, risk, level, previous, capped_by, bands))
    }

    fn build(
        &self,
        st: &KeyState,
        risk: f64,
        level: Level,
        previous: Option<Level>,
        capped_by: Option<u16>,
        bands: [(AgeBand, bool); 2],
    ) -> Escalation {
        // Hand the key's state over in plain terms; `escalation.rs` writes the document.
        let facts = Facts {
            now: self.now,
            level,
            previous,
            risk,
            sequence: st.sequence,
            cats: &st.cats,
            stage_bonus: stage_bonus(self.engine, st, self.now),
            forced: st.forced,
            capped_by,
            bands,
            stages: st
                .stages
                .iter()
                .map(|s| StageFact {
                    stage: s.stage,
                    first_message: &s.first_message,
                    first_ts: s.first_ts,
                    last_ts: s.last_ts,
                })
                .collect(),
            evidence: st
                .evidence
                .iter()
                .map(|e| EvidenceFact {
                    message_id: &e.message_id,
                    sender: e.sender.as_deref(),
                    ts: e.ts,
                    rule: e.rule,
                    start: e.start,
                    end: e.end,
                    excerpt: e.excerpt.as_deref(),
                })
                .collect(),
            modifiers: &st.modifiers,
            indicators: &st.indicators,
            language: self.language.map_or(&[][..], |l| &l.conversation[..]),
            recipient_view: self.recipient_view,
        };
        Escalation::build(self.engine, self.msg, &facts)
    }
}

/// The excerpt the policy allows for a span.
fn excerpt(text: &str, span: Span, mode: ExcerptMode, context: u32) -> Option<Box<str>> {
    let (s, e) = (span.start.min(text.len()), span.end.min(text.len()));
    if !text.is_char_boundary(s) || !text.is_char_boundary(e) || s >= e {
        return None;
    }
    match mode {
        ExcerptMode::None => None,
        ExcerptMode::Match => Some(text[s..e].into()),
        ExcerptMode::Context => {
            let n = context as usize;
            let start = text[..s]
                .char_indices()
                .rev()
                .nth(n.saturating_sub(1))
                .map_or(0, |(i, _)| i);
            let start = if n == 0 { s } else { start };
            let end = text[e..].char_indices().nth(n).map_or(text.len(), |(i, _)| e + i);
            Some(text[start..end].into())
        }
    }
}

pub(crate) mod batch;
pub(crate) mod indicators;
pub(crate) mod senders;
#[cfg(test)]
mod tests;
