//! The sharded tracker: [`SharedTracker`], one tracker observed from many threads at once (N
//! shards of [`Tracker`] behind mutexes). Private: the type is re-exported at the crate root.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use hashlink::LinkedHashMap;

use crate::engine::Engine;
use crate::error::SnapshotError;
use crate::message::Message;
use crate::tracker::{KeyLevel, Observation, SenderState, Tracker, TrackerStats};

type SenderMap = LinkedHashMap<Box<str>, SenderState>;

/// A tracker for servers: conversation state observed from many threads at once, in N shards of
/// [`Tracker`] behind mutexes, chosen by a stable hash of the conversation id.
///
/// A [`Tracker`] is single-threaded (`&mut self`). A server that assesses messages on many threads
/// shares one `SharedTracker` instead (behind an `Arc`, or by reference in scoped threads):
///
/// * **Shards.** Conversation state lives in N shards, each a `Mutex<Tracker>`. A conversation
///   always goes to the same shard, chosen by a stable hash (FNV-1a) of its id, so all of its keys,
///   the order of its messages and what it knows of its participants' ages stay together; threads
///   working on different conversations rarely wait for each other.
/// * **Fan-out across shards.** Fan-out modifiers count the distinct minors one *sender* reached
///   across conversations, which live in different shards. That per-sender state is kept outside
///   the shards, in N stripes (`Mutex`es chosen by a hash of the sender id), and is moved into the
///   shard for the duration of one observation. So fan-out is counted over **all** of a sender's
///   conversations, exactly as one [`Tracker`] counts it — not per shard. Locks are always taken in
///   the order shard, then stripe (and by a snapshot: all shards in order, then all stripes in
///   order), so they cannot deadlock.
/// * **Bounds.** The capacity (the policy's `tracker.capacity`, or
///   [`with_capacity`](SharedTracker::with_capacity)) is split evenly across the shards, each
///   evicting its least recently used key beyond its share; per-sender state is bounded the same
///   way across the stripes. Idle time-to-live runs on the newest message timestamp seen by *any*
///   thread, as in a single tracker.
/// * **Same results.** Observing each conversation's messages in order gives every key the same
///   risk, level, stages and escalations as one [`Tracker`] fed the same messages serially, and
///   the counters ([`stats`](SharedTracker::stats)) are the sums over the shards: no update is
///   lost or doubled (`core/tests/concurrency.rs` checks this from 8 threads). The order across
///   conversations does not matter, except for fan-out, which — as with any tracker — depends on
///   the order in which a sender's messages to different conversations are observed.
/// * **Eviction is per shard.** Each shard evicts its own least recently used keys, and evicts
///   idle keys when it is next used (or on [`evict_idle`](SharedTracker::evict_idle)). So which
///   keys are evicted, and when, can differ from one tracker of the same total capacity: the
///   counters then differ, and a key idle past the time-to-live may be forgotten (and so escalate
///   afresh) where one tracker still held it behind a more recently used key, or the reverse.
/// * **Snapshots.** [`snapshot`](SharedTracker::snapshot) writes the single-tracker snapshot format
///   (see [`crate::snapshot`]), so a snapshot moves freely between a `Tracker` and a
///   `SharedTracker` of any shard count; [`restore`](SharedTracker::restore) redistributes keys by
///   conversation. A failed restore leaves every shard as it was.
///
/// ```
/// use std::sync::Arc;
/// use vigil::{Engine, SharedTracker};
///
/// let tracker = SharedTracker::new(Arc::new(Engine::default()));
/// let doc = include_str!("../../examples/sample-conversation.jsonl");
/// let messages: Vec<vigil::Message> = vigil::jsonl::parse(doc).map(|m| m.unwrap()).collect();
/// std::thread::scope(|s| {
///     // One thread per conversation here; any partition that keeps each conversation's messages
///     // in order works.
///     s.spawn(|| {
///         for m in &messages {
///             tracker.observe(m);
///         }
///     });
/// });
/// assert_eq!(tracker.stats().observed, messages.len() as u64);
/// assert!(tracker.stats().escalations > 0);
/// ```
///
/// With threads of its own:
///
/// ```
/// use std::sync::Arc;
/// use vigil::{AgeBand, Engine, Message, Participant, SharedTracker, Timestamp};
///
/// let tracker = Arc::new(SharedTracker::with_shards(Arc::new(Engine::default()), 4));
/// let handles: Vec<_> = (0..4)
///     .map(|t| {
///         let tracker = tracker.clone();
///         std::thread::spawn(move || {
///             for i in 0..10 {
///                 let msg = Message::new(format!("c-{t}"), format!("m-{i}"), Timestamp::from_millis(i * 1000),
///                     Participant::new(format!("u-{t}"), AgeBand::Adult), "hello");
///                 tracker.observe(&msg);
///             }
///         })
///     })
///     .collect();
/// for h in handles {
///     h.join().unwrap();
/// }
/// assert_eq!(tracker.stats().observed, 40);
/// assert_eq!(tracker.len(), 4);
/// ```
#[derive(Debug)]
pub struct SharedTracker {
    engine: Arc<Engine>,
    shards: Box<[Mutex<Tracker>]>,
    senders: Box<[Mutex<SenderMap>]>,
    /// Newest message timestamp seen by any thread (idle time-to-live runs on it).
    clock: AtomicI64,
    shard_capacity: usize,
    sender_capacity: usize,
    ttl: i64,
}

/// Locks a mutex, recovering the data if a thread panicked while holding it (Vigil does not panic;
/// a caller's code running under no lock of ours cannot poison these).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

// The tracker's stable FNV-1a hash: a conversation maps to the same shard in every process.
use crate::tracker::fnv1a;

fn index(id: &str, n: usize) -> usize {
    // Fold the high bits in: FNV's low bits alone spread short ids less evenly.
    let h = fnv1a(id.as_bytes());
    ((h ^ (h >> 32)) % n.max(1) as u64) as usize
}

impl SharedTracker {
    /// Shards (and sender stripes) of [`SharedTracker::new`].
    pub const DEFAULT_SHARDS: usize = 16;

    /// An empty shared tracker with [`DEFAULT_SHARDS`](SharedTracker::DEFAULT_SHARDS) shards, the
    /// policy's capacity (split across the shards) and idle time-to-live.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// assert_eq!(t.shard_count(), vigil::SharedTracker::DEFAULT_SHARDS);
    /// assert!(t.is_empty());
    /// ```
    pub fn new(engine: Arc<Engine>) -> SharedTracker {
        SharedTracker::with_shards(engine, SharedTracker::DEFAULT_SHARDS)
    }

    /// An empty shared tracker with `shards` shards (at least 1). More shards than threads keeps
    /// waiting rare; each shard holds `capacity / shards` keys.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::with_shards(Arc::new(vigil::Engine::default()), 64);
    /// assert_eq!(t.shard_count(), 64);
    /// ```
    pub fn with_shards(engine: Arc<Engine>, shards: usize) -> SharedTracker {
        let capacity = engine.policy().tracker().capacity;
        let ttl = engine.policy().tracker().idle_ttl_ms;
        let n = shards.max(1);
        let shard_capacity = (capacity / n).max(1);
        SharedTracker {
            shards: (0..n)
                .map(|_| Mutex::new(Tracker::new(engine.clone()).with_capacity(shard_capacity)))
                .collect(),
            senders: (0..n).map(|_| Mutex::new(SenderMap::new())).collect(),
            clock: AtomicI64::new(i64::MIN),
            shard_capacity,
            sender_capacity: shard_capacity,
            ttl,
            engine,
        }
    }

    /// Overrides the policy's capacity: the most keys held across all shards, split evenly (each
    /// shard holds at least one). State already held is kept and trimmed as shards are used.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::with_shards(Arc::new(vigil::Engine::default()), 8)
    ///     .with_capacity(1000);
    /// assert_eq!(t.capacity(), 1000);
    /// ```
    pub fn with_capacity(mut self, capacity: usize) -> SharedTracker {
        let per = (capacity / self.shards.len()).max(1);
        let shards = std::mem::take(&mut self.shards);
        self.shards = shards
            .into_vec()
            .into_iter()
            .map(|m| {
                Mutex::new(
                    m.into_inner()
                        .unwrap_or_else(PoisonError::into_inner)
                        .with_capacity(per),
                )
            })
            .collect();
        self.shard_capacity = per;
        self.sender_capacity = per;
        self
    }

    /// The engine.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let engine = Arc::new(vigil::Engine::default());
    /// let t = vigil::SharedTracker::new(engine.clone());
    /// assert!(Arc::ptr_eq(t.engine(), &engine));
    /// ```
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// Number of shards.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::with_shards(Arc::new(vigil::Engine::default()), 0);
    /// assert_eq!(t.shard_count(), 1);
    /// ```
    pub fn shard_count(&self) -> usize {
        self.shards.len()
    }

    /// The shard a conversation lives in: a stable function of its id and the shard count, the
    /// same in every process (useful to route conversations to worker threads).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::with_shards(Arc::new(vigil::Engine::default()), 8);
    /// assert_eq!(t.shard_of("c-17"), t.shard_of("c-17"));
    /// assert!(t.shard_of("c-17") < 8);
    /// ```
    pub fn shard_of(&self, conversation_id: &str) -> usize {
        index(conversation_id, self.shards.len())
    }

    /// The most keys held at once, over all shards (each shard's share times the shard count).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::with_shards(Arc::new(vigil::Engine::default()), 3)
    ///     .with_capacity(10);
    /// assert_eq!(t.capacity(), 9);
    /// ```
    pub fn capacity(&self) -> usize {
        self.shard_capacity.saturating_mul(self.shards.len())
    }

    /// Observes one message (see [`Tracker::observe`]). Takes the lock of the conversation's shard
    /// and, when the policy has fan-out modifiers, the lock of the sender's stripe. Never panics.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{AgeBand, Message, Participant, Timestamp};
    ///
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// let msg = Message::new("c-1", "m-1", Timestamp::from_millis(0),
    ///     Participant::new("u-9", AgeBand::Adult), "don't tell your parents about us")
    ///     .with_recipient(Participant::new("u-4", AgeBand::Minor));
    /// let obs = t.observe(&msg);
    /// assert!(obs.risk > 0.0);
    /// ```
    pub fn observe(&self, msg: &Message) -> Observation {
        let ts = msg.timestamp.as_millis();
        let mut shard = lock(&self.shards[self.shard_of(&msg.conversation_id)]);
        shard.advance_clock(self.clock.load(Ordering::Acquire));
        if self.engine.fan_out_windows.is_empty() && !self.engine.policy().senders().enabled {
            let obs = shard.observe(msg);
            self.clock.fetch_max(ts, Ordering::AcqRel);
            return obs;
        }
        let sender = msg.sender.id.as_str();
        let mut stripe = lock(&self.senders[index(sender, self.senders.len())]);
        // Lend the sender's fan-out state to the shard for this one observation.
        shard.lend_sender(stripe.remove_entry(sender));
        let obs = shard.observe(msg);
        for (k, st) in shard.take_senders() {
            stripe.insert(k, st);
        }
        let now = self.clock.fetch_max(ts, Ordering::AcqRel).max(ts);
        let limit = now.saturating_sub(self.ttl);
        while let Some((_, st)) = stripe.front() {
            if st.active_since(limit) {
                break;
            }
            stripe.pop_front();
        }
        while stripe.len() > self.sender_capacity {
            stripe.pop_front();
        }
        obs
    }

    /// Counters, summed over the shards.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// assert_eq!(t.stats(), vigil::TrackerStats::default());
    /// ```
    pub fn stats(&self) -> TrackerStats {
        self.shards.iter().fold(TrackerStats::default(), |acc, s| {
            let s = lock(s).stats();
            TrackerStats {
                keys: acc.keys + s.keys,
                observed: acc.observed + s.observed,
                escalations: acc.escalations + s.escalations,
                evicted_capacity: acc.evicted_capacity + s.evicted_capacity,
                evicted_idle: acc.evicted_idle + s.evicted_idle,
                out_of_order: acc.out_of_order + s.out_of_order,
            }
        })
    }

    /// Number of conversation keys held, over all shards.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// assert_eq!(t.len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether no key is held.
    ///
    /// ```
    /// use std::sync::Arc;
    /// assert!(vigil::SharedTracker::new(Arc::new(vigil::Engine::default())).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.shards.iter().all(|s| lock(s).is_empty())
    }

    /// Forgets everything (counters included).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{AgeBand, Message, Participant, Timestamp};
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// t.observe(&Message::new("c", "m", Timestamp::from_millis(0), Participant::new("u", AgeBand::Adult), "hi"));
    /// t.clear();
    /// assert!(t.is_empty() && t.stats().observed == 0);
    /// ```
    pub fn clear(&self) {
        for s in self.shards.iter() {
            lock(s).clear();
        }
        for s in self.senders.iter() {
            lock(s).clear();
        }
        self.clock.store(i64::MIN, Ordering::Release);
    }

    /// Evicts keys (and per-sender state) idle longer than the time-to-live in every shard,
    /// measured against the newest timestamp seen by any thread. Observing evicts in the shard it
    /// touches; call this between bursts to trim shards that saw no traffic.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{AgeBand, Message, Participant, Timestamp};
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// let day = 24 * 3600 * 1000;
    /// t.observe(&Message::new("old", "m", Timestamp::from_millis(0), Participant::new("u", AgeBand::Adult), "hi"));
    /// t.observe(&Message::new("new", "m", Timestamp::from_millis(400 * day), Participant::new("u", AgeBand::Adult), "hi"));
    /// t.evict_idle();
    /// assert_eq!(t.len(), 1);
    /// ```
    pub fn evict_idle(&self) {
        let now = self.clock.load(Ordering::Acquire);
        for s in self.shards.iter() {
            let mut t = lock(s);
            t.advance_clock(now);
            t.evict_idle();
        }
        let limit = now.saturating_sub(self.ttl);
        for s in self.senders.iter() {
            let mut m = lock(s);
            m.retain(|_, st| st.active_since(limit));
        }
    }

    /// The current risk and level of one key as of its last message (see [`Tracker::key_level`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// assert_eq!(t.key_level("c", "u", None), None);
    /// ```
    pub fn key_level(&self, conversation: &str, sender: &str, recipient: Option<&str>) -> Option<KeyLevel> {
        lock(&self.shards[self.shard_of(conversation)]).key_level(conversation, sender, recipient)
    }

    /// The whole state as bytes, in the single-tracker snapshot format (so it restores into a
    /// [`Tracker`] or a `SharedTracker` of any shard count). Locks every shard, then every stripe,
    /// for a consistent cut, and holds a copy of the state while encoding.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::{Engine, SharedTracker, Tracker};
    ///
    /// let engine = Arc::new(Engine::default());
    /// let shared = SharedTracker::with_shards(engine.clone(), 4);
    /// for msg in vigil::jsonl::parse(include_str!("../../examples/sample-conversation.jsonl")) {
    ///     shared.observe(&msg.unwrap());
    /// }
    /// let bytes = shared.snapshot();
    /// let mut single = Tracker::new(engine.clone());
    /// single.restore(&bytes).unwrap();
    /// assert_eq!(single.len(), shared.len());
    /// let other = SharedTracker::with_shards(engine, 7);
    /// other.restore(&bytes).unwrap();
    /// assert_eq!((other.len(), other.stats()), (shared.len(), shared.stats()));
    /// ```
    pub fn snapshot(&self) -> Vec<u8> {
        let shards: Vec<MutexGuard<'_, Tracker>> = self.shards.iter().map(lock).collect();
        let stripes: Vec<MutexGuard<'_, SenderMap>> = self.senders.iter().map(lock).collect();
        let mut all = Tracker::new(self.engine.clone()).with_capacity(usize::MAX);
        let mut stats = TrackerStats::default();
        all.advance_clock(self.clock.load(Ordering::Acquire));
        for t in &shards {
            all.copy_conversations_from(t);
            let s = t.stats();
            stats.observed += s.observed;
            stats.escalations += s.escalations;
            stats.evicted_capacity += s.evicted_capacity;
            stats.evicted_idle += s.evicted_idle;
            stats.out_of_order += s.out_of_order;
        }
        for m in &stripes {
            for (k, v) in m.iter() {
                all.insert_sender(k.clone(), v.clone());
            }
        }
        all.set_stats(stats);
        all.snapshot()
    }

    /// Replaces the whole state with a snapshot's (from [`snapshot`](SharedTracker::snapshot) or
    /// [`Tracker::snapshot`]), spreading keys over the shards by conversation; each shard then
    /// keeps its share of the capacity (least recently used keys beyond it are evicted and
    /// counted). On any error — not a snapshot, truncated, corrupted, a future format version —
    /// nothing changes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// let mut future = t.snapshot();
    /// future[8..10].copy_from_slice(&9u16.to_le_bytes());
    /// let err = t.restore(&future).unwrap_err();
    /// assert!(matches!(err, vigil::SnapshotError::UnsupportedVersion { found: 9, .. }));
    /// assert!(t.restore(&future[..5]).is_err());
    /// ```
    pub fn restore(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let mut all = Tracker::new(self.engine.clone()).with_capacity(usize::MAX);
        all.restore(bytes)?;
        let n = self.shards.len();
        let mut parts: Vec<Tracker> = (0..n)
            .map(|_| Tracker::new(self.engine.clone()).with_capacity(self.shard_capacity))
            .collect();
        let mut stripes: Vec<SenderMap> = (0..n).map(|_| SenderMap::new()).collect();
        all.move_conversations_into(&mut parts, |c| index(c, n));
        for (k, v) in all.take_senders() {
            stripes[index(&k, n)].insert(k, v);
        }
        for (i, t) in parts.iter_mut().enumerate() {
            t.advance_clock(all.clock());
            if i == 0 {
                t.set_stats(all.stats());
            }
            t.trim_to_capacity();
        }
        for m in &mut stripes {
            while m.len() > self.sender_capacity {
                m.pop_front();
            }
        }
        let mut shards: Vec<MutexGuard<'_, Tracker>> = self.shards.iter().map(lock).collect();
        let mut locked: Vec<MutexGuard<'_, SenderMap>> = self.senders.iter().map(lock).collect();
        for (dst, src) in shards.iter_mut().zip(parts) {
            **dst = src;
        }
        for (dst, src) in locked.iter_mut().zip(stripes) {
            **dst = src;
        }
        self.clock.store(all.clock(), Ordering::Release);
        Ok(())
    }

    /// The state of one conversation, from its shard (see [`Tracker::snapshot_conversation`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::SharedTracker;
    ///
    /// let engine = Arc::new(vigil::Engine::default());
    /// let a = SharedTracker::new(engine.clone());
    /// for msg in vigil::jsonl::parse(include_str!("../../examples/sample-conversation.jsonl")) {
    ///     a.observe(&msg.unwrap());
    /// }
    /// let state = a.snapshot_conversation("sample-1");
    /// let b = SharedTracker::new(engine);
    /// b.restore_conversation(&state).unwrap();
    /// assert_eq!(b.len(), a.len());
    /// ```
    pub fn snapshot_conversation(&self, conversation_id: &str) -> Vec<u8> {
        lock(&self.shards[self.shard_of(conversation_id)]).snapshot_conversation(conversation_id)
    }

    /// Adds conversation state (from [`snapshot_conversation`](SharedTracker::snapshot_conversation)
    /// or [`Tracker::snapshot_conversation`]), replacing what the tracker held for those keys. On
    /// error nothing changes.
    ///
    /// ```
    /// use std::sync::Arc;
    /// let t = vigil::SharedTracker::new(Arc::new(vigil::Engine::default()));
    /// assert!(t.restore_conversation(b"not a snapshot").is_err());
    /// ```
    pub fn restore_conversation(&self, bytes: &[u8]) -> Result<(), SnapshotError> {
        let mut part = Tracker::new(self.engine.clone()).with_capacity(usize::MAX);
        part.restore_conversation(bytes)?;
        let n = self.shards.len();
        let clock = part.clock();
        let mut parts: Vec<Tracker> = (0..n)
            .map(|_| Tracker::new(self.engine.clone()).with_capacity(usize::MAX))
            .collect();
        part.move_conversations_into(&mut parts, |c| index(c, n));
        for (i, mut p) in parts.into_iter().enumerate() {
            if p.holds_no_conversation() {
                continue;
            }
            p.advance_clock(clock);
            lock(&self.shards[i]).absorb_conversations(p);
        }
        self.clock.fetch_max(clock, Ordering::AcqRel);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{dm, engine};
    use crate::AgeBand::{Adult, Minor};

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<SharedTracker>();
    }

    #[test]
    fn conversations_stay_in_one_shard_and_shards_spread() {
        let t = SharedTracker::with_shards(engine(), 8).with_capacity(1000);
        let mut used = [0usize; 8];
        for i in 0..800 {
            used[t.shard_of(&format!("conv-{i}"))] += 1;
        }
        assert!(used.iter().all(|&n| n > 50), "{used:?}");
    }

    #[test]
    fn fan_out_is_counted_across_shards() {
        // The fan-out modifier needs 2 distinct minors within 1h; the two conversations are in
        // different shards, and the second message still sees the first.
        let t = SharedTracker::with_shards(engine(), 8).with_capacity(100);
        let (a, b) = (0..100)
            .map(|i| format!("c{i}"))
            .flat_map(|x| (0..100).map(move |j| (x.clone(), format!("d{j}"))))
            .find(|(x, y)| t.shard_of(x) != t.shard_of(y))
            .unwrap();
        t.observe(&dm(&a, "1", 0, ("g", Adult), ("k1", Minor), "meet up"));
        let obs = t.observe(&dm(&b, "2", 1, ("g", Adult), ("k2", Minor), "meet up"));
        assert!(
            obs.assessment.modifiers.iter().any(|m| &*m.id == "fan-out"),
            "{obs:?}"
        );
    }

    #[test]
    fn capacity_is_split_and_held() {
        let t = SharedTracker::with_shards(engine(), 4).with_capacity(8);
        for i in 0..100 {
            t.observe(&dm(&format!("c{i}"), "m", i, ("a", Adult), ("b", Adult), "hi"));
        }
        assert!(t.len() <= 8);
        let s = t.stats();
        assert_eq!(s.observed, 100);
        assert_eq!(s.evicted_capacity + s.keys, 100);
    }
}
