//! Concurrency: one `Engine` shared by many threads, and a `SharedTracker` fed from 8 threads
//! giving exactly the counts, risks, levels and escalations of a serial run — no update lost or
//! doubled — including fan-out across conversations that live in different shards, with
//! snapshots taken while threads write.
//!
//! Work is bounded by counts (conversations × messages); nothing here measures time.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use vigil::{
    AgeBand, Assessment, Channel, Engine, KeyLevel, Level, Message, Observation, Participant, Policy,
    Relationship, Scratch, SharedTracker, Timestamp, Tracker,
};

const POLICY: &str = r#"
[policy]
id = "concurrency"
version = "1"

[scoring]
half_life = "1h"
levels = { watch = 10, review = 30, urgent = 60 }
stage_bonus = { from = 2, points = 5, window = "1d" }

[evidence]
excerpt = "match"
max_items = 4

[tracker]
capacity = 100000
idle_ttl = "30d"

[[stage]]
id = "isolation"
summary = "isolating"

[[stage]]
id = "meeting"
summary = "meeting"

[[stage]]
id = "coercion"
summary = "threats"

[[stage]]
id = "context"
summary = "context"

[[category]]
id = "secrecy"
stage = "isolation"
summary = "Asks the child to keep the contact secret"
conversation_cap = 40

[[category]]
id = "meeting"
stage = "meeting"
summary = "Arranges to meet or moves the chat"

[[category]]
id = "sextortion"
stage = "coercion"
summary = "Threatens the child"

[[category]]
id = "age-disclosure"
stage = "context"
summary = "A participant says they are a child"

[[rule]]
id = "secrecy.dont-tell"
category = "secrecy"
weight = 12
any = ["don't tell your parents", "our secret"]

[[rule]]
id = "meeting.snap"
category = "meeting"
weight = 9
any = ["add me on snap", "meet up"]

[[rule]]
id = "meeting.pic"
category = "meeting"
weight = 7
patterns = ['''\bsend (me )?a pic\b''']

[[rule]]
id = "sextortion.threat"
category = "sextortion"
weight = 1
any = ["or i will share"]
level = "urgent"

[[rule]]
id = "age.disclose"
category = "age-disclosure"
weight = 0
patterns = ['''\bi'?m (1[0-7])\b''']
discloses = "minor"

[[modifier]]
id = "adult-to-minor"
when = { sender = ["adult"], recipient = ["minor"] }
multiply = 2.0

[[modifier]]
id = "fan-out"
fan_out = { min = 3, window = "6h" }
multiply = 1.5
"#;

fn engine() -> Arc<Engine> {
    let p = Policy::builder()
        .add_toml("concurrency.toml", POLICY)
        .unwrap()
        .build()
        .unwrap();
    Arc::new(Engine::new(p).unwrap())
}

const RISKY: &[&str] = &[
    "don't tell your parents about this",
    "add me on snap",
    "send me a pic",
    "it's our secret ok",
    "we should meet up",
    "or i will share it",
];
const BENIGN: &[&str] = &[
    "good game",
    "what level are you on",
    "lol",
    "see you tomorrow at school",
    "did you do the homework",
];
const REPLIES: &[&str] = &["ok", "why", "im 13", "no", "idk", "lol"];

/// A deterministic generator (xorshift64*), so every run sees the same workload.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// One conversation's messages, in order, and who sends.
struct Conversation {
    /// Index of the adult who writes in it (several conversations share one), or `None` for a
    /// conversation between two users of their own.
    adult: Option<usize>,
    messages: Vec<Message>,
}

/// `adults` adults each writing to `per_adult` children (a sender shared across conversations, so
/// fan-out matters), plus `benign` conversations between pairs of their own, `len` messages each.
fn workload(adults: usize, per_adult: usize, benign: usize, len: usize) -> Vec<Conversation> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut convs = Vec::new();
    for a in 0..adults {
        for k in 0..per_adult {
            let id = format!("a{a}-k{k}");
            let child = format!("child-{a}-{k}");
            let band = if k % 2 == 0 {
                AgeBand::Minor
            } else {
                AgeBand::Unknown
            };
            let mut t = (a * 7 + k * 3) as i64 * 60_000;
            let messages = (0..len)
                .map(|i| {
                    t += (1 + rng.next() % 40) as i64 * 60_000;
                    let (from, to, text) = if i % 3 == 2 {
                        (
                            (child.clone(), band),
                            (format!("adult-{a}"), AgeBand::Adult),
                            rng.pick(REPLIES),
                        )
                    } else {
                        let text = if rng.next() % 3 == 0 {
                            rng.pick(BENIGN)
                        } else {
                            rng.pick(RISKY)
                        };
                        (
                            (format!("adult-{a}"), AgeBand::Adult),
                            (child.clone(), band),
                            text,
                        )
                    };
                    msg(&id, i, t, from, to, text)
                })
                .collect();
            convs.push(Conversation {
                adult: Some(a),
                messages,
            });
        }
    }
    for b in 0..benign {
        let id = format!("b{b}");
        let (x, y) = (format!("x{b}"), format!("y{b}"));
        let mut t = b as i64 * 30_000;
        let group = b % 4 == 0;
        let messages = (0..len)
            .map(|i| {
                t += (1 + rng.next() % 90) as i64 * 60_000;
                let text = if rng.next() % 10 == 0 {
                    rng.pick(RISKY)
                } else {
                    rng.pick(BENIGN)
                };
                let (from, to) = if i % 2 == 0 { (&x, &y) } else { (&y, &x) };
                let mut m = msg(
                    &id,
                    i,
                    t,
                    (from.clone(), AgeBand::Unknown),
                    (to.clone(), AgeBand::Unknown),
                    text,
                );
                if group {
                    m = m.with_channel(Channel::Group);
                    m.recipient = None;
                }
                m
            })
            .collect();
        convs.push(Conversation {
            adult: None,
            messages,
        });
    }
    convs
}

fn msg(conv: &str, i: usize, ms: i64, from: (String, AgeBand), to: (String, AgeBand), text: &str) -> Message {
    Message::new(
        conv,
        format!("m{i}"),
        Timestamp::from_millis(ms),
        Participant::new(from.0, from.1),
        text,
    )
    .with_recipient(Participant::new(to.0, to.1))
    .with_channel(Channel::Direct)
    .with_relationship(Relationship::Stranger)
}

/// All messages in one global order: by timestamp, then conversation.
fn serial_order(convs: &[Conversation]) -> Vec<&Message> {
    let mut all: Vec<&Message> = convs.iter().flat_map(|c| c.messages.iter()).collect();
    all.sort_by(|a, b| (a.timestamp, &a.conversation_id).cmp(&(b.timestamp, &b.conversation_id)));
    all
}

/// A conversation key: (conversation, sender, recipient).
type KeyId = (String, String, Option<String>);
/// An escalation: (conversation, sender, sequence, level, previous level, message).
type Raised = (String, String, u32, Level, Option<Level>, String);

/// What a run must agree on: per key, the risk (bit for bit) and level; every escalation.
#[derive(Debug, PartialEq)]
struct Outcome {
    keys: BTreeMap<KeyId, (u64, Option<Level>)>,
    escalations: Vec<Raised>,
    observed: u64,
    escalation_count: u64,
}

fn key_of(o: &Observation) -> KeyId {
    (o.conversation_id.clone(), o.sender.clone(), o.recipient.clone())
}

fn escalation_of(o: &Observation) -> Option<Raised> {
    o.escalation.as_ref().map(|e| {
        (
            e.conversation_id.clone(),
            o.sender.clone(),
            e.sequence,
            e.level,
            e.previous_level,
            e.message_id.clone(),
        )
    })
}

fn outcome(
    observations: &[Observation],
    level: impl Fn(&str, &str, Option<&str>) -> Option<KeyLevel>,
    stats: vigil::TrackerStats,
) -> Outcome {
    let mut keys = BTreeMap::new();
    let mut escalations = Vec::new();
    for o in observations {
        let k = key_of(o);
        let kl = level(&k.0, &k.1, k.2.as_deref()).expect("every key is held (capacity is large)");
        keys.insert(k, (kl.risk.to_bits(), kl.level));
        escalations.extend(escalation_of(o));
    }
    escalations.sort();
    Outcome {
        keys,
        escalations,
        observed: stats.observed,
        escalation_count: stats.escalations,
    }
}

fn serial(engine: &Arc<Engine>, convs: &[Conversation]) -> (Outcome, Tracker) {
    let mut t = Tracker::new(engine.clone());
    let obs: Vec<Observation> = serial_order(convs).into_iter().map(|m| t.observe(m)).collect();
    let out = outcome(&obs, |c, s, r| t.key_level(c, s, r), t.stats());
    (out, t)
}

#[test]
fn one_engine_shared_by_eight_threads_assesses_like_one() {
    let engine = engine();
    let convs = workload(4, 4, 20, 12);
    let all: Vec<&Message> = convs.iter().flat_map(|c| c.messages.iter()).collect();
    let expected: Vec<Assessment> = all.iter().map(|m| engine.assess(m)).collect();
    std::thread::scope(|s| {
        for t in 0..8 {
            let (engine, all, expected) = (&engine, &all, &expected);
            s.spawn(move || {
                let mut scratch = Scratch::new();
                // Each thread walks the messages from a different start, reusing its buffers.
                for i in 0..all.len() {
                    let j = (i + t * 37) % all.len();
                    assert_eq!(engine.assess_with(all[j], &mut scratch), expected[j]);
                }
            });
        }
    });
}

#[test]
fn shared_tracker_partitioned_by_sender_matches_a_serial_run_fan_out_included() {
    // 8 threads; each takes the conversations of its adults (a sender spans several
    // conversations, and so several shards) and a share of the others, in time order.
    let engine = engine();
    let convs = workload(16, 5, 48, 24);
    let (expected, _) = serial(&engine, &convs);
    assert!(
        expected.escalations.len() > 50,
        "the workload escalates: {}",
        expected.escalations.len()
    );
    // Fan-out (one adult, several minors) applies in the serial run: the shards must count it
    // across conversations to agree.
    let mut t = Tracker::new(engine.clone());
    let fan_out = serial_order(&convs)
        .into_iter()
        .filter(|m| {
            t.observe(m)
                .assessment
                .modifiers
                .iter()
                .any(|x| &*x.id == "fan-out")
        })
        .count();
    assert!(fan_out > 100, "fan-out applied {fan_out} times");
    assert!(expected.escalations.iter().any(|e| e.3 == Level::Urgent));

    for shards in [1, 3, 16, 64] {
        let shared = SharedTracker::with_shards(engine.clone(), shards).with_capacity(1_000_000);
        let observations = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for t in 0..8 {
                let (shared, observations, convs) = (&shared, &observations, &convs);
                s.spawn(move || {
                    let mine = share_of(convs, t, 8);
                    let mut obs = Vec::new();
                    for m in serial_order_of(&mine) {
                        obs.push(shared.observe(m));
                    }
                    observations.lock().unwrap().extend(obs);
                });
            }
        });
        let obs = observations.into_inner().unwrap();
        let got = outcome(&obs, |c, s, r| shared.key_level(c, s, r), shared.stats());
        assert_eq!(got, expected, "{shards} shards");
        assert_eq!(shared.stats().keys, expected.keys.len() as u64);
    }
}

/// Thread `t`'s share of `threads`: every conversation of one adult goes to the same thread (so
/// fan-out sees a sender's messages in order); conversations without one are spread by index.
fn share_of(convs: &[Conversation], t: usize, threads: usize) -> Vec<&Conversation> {
    convs
        .iter()
        .enumerate()
        .filter(|(i, c)| c.adult.map_or(*i, |a| a) % threads == t)
        .map(|(_, c)| c)
        .collect()
}

fn serial_order_of<'a>(convs: &[&'a Conversation]) -> Vec<&'a Message> {
    let mut all: Vec<&Message> = convs.iter().flat_map(|c| c.messages.iter()).collect();
    all.sort_by(|a, b| (a.timestamp, &a.conversation_id).cmp(&(b.timestamp, &b.conversation_id)));
    all
}

#[test]
fn shared_tracker_with_interleaved_conversations_matches_a_serial_run() {
    // Conversations between users of their own (no sender spans two conversations), their
    // messages taken in order by whichever of 8 threads gets there first: consecutive messages
    // of one conversation are observed by different threads.
    let engine = engine();
    let convs = workload(0, 0, 160, 30);
    let (expected, _) = serial(&engine, &convs);
    assert!(!expected.escalations.is_empty());

    let shared = SharedTracker::with_shards(engine.clone(), 4).with_capacity(1_000_000);
    let cursors: Vec<Mutex<usize>> = convs.iter().map(|_| Mutex::new(0)).collect();
    let remaining = AtomicUsize::new(convs.iter().map(|c| c.messages.len()).sum());
    let observations = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..8u64 {
            let (shared, cursors, remaining, observations, convs) =
                (&shared, &cursors, &remaining, &observations, &convs);
            s.spawn(move || {
                let mut rng = Rng(0x1234_5678 + t);
                let mut obs = Vec::new();
                while remaining.load(Ordering::Acquire) > 0 {
                    let c = (rng.next() % convs.len() as u64) as usize;
                    // Holding the conversation's cursor keeps its messages in order.
                    let mut next = cursors[c].lock().unwrap();
                    if let Some(m) = convs[c].messages.get(*next) {
                        obs.push(shared.observe(m));
                        *next += 1;
                        remaining.fetch_sub(1, Ordering::AcqRel);
                    }
                }
                observations.lock().unwrap().extend(obs);
            });
        }
    });
    let obs = observations.into_inner().unwrap();
    assert_eq!(obs.len() as u64, expected.observed);
    let got = outcome(&obs, |c, s, r| shared.key_level(c, s, r), shared.stats());
    assert_eq!(got, expected);
}

#[test]
fn a_tracker_behind_a_mutex_from_eight_threads_loses_nothing() {
    // The simple way to share a `Tracker` (and what the bindings' `Tracker` object does).
    let engine = engine();
    let convs = workload(8, 3, 40, 16);
    let (expected, _) = serial(&engine, &convs);
    let tracker = Mutex::new(Tracker::new(engine.clone()));
    let observations = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..8 {
            let (tracker, observations, convs) = (&tracker, &observations, &convs);
            s.spawn(move || {
                let mine = share_of(convs, t, 8);
                let obs: Vec<Observation> = serial_order_of(&mine)
                    .into_iter()
                    .map(|m| tracker.lock().unwrap().observe(m))
                    .collect();
                observations.lock().unwrap().extend(obs);
            });
        }
    });
    let tracker = tracker.into_inner().unwrap();
    let obs = observations.into_inner().unwrap();
    let got = outcome(&obs, |c, s, r| tracker.key_level(c, s, r), tracker.stats());
    assert_eq!(got, expected);
}

#[test]
fn snapshots_taken_while_threads_write_are_consistent_and_restore() {
    let engine = engine();
    let convs = workload(8, 4, 40, 20);
    let (expected, serial_tracker) = serial(&engine, &convs);
    let shared = SharedTracker::with_shards(engine.clone(), 8).with_capacity(1_000_000);
    let done = AtomicUsize::new(0);
    let snapshots = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for t in 0..7 {
            let (shared, convs, done) = (&shared, &convs, &done);
            s.spawn(move || {
                let mine = share_of(convs, t, 7);
                for m in serial_order_of(&mine) {
                    shared.observe(m);
                }
                done.fetch_add(1, Ordering::AcqRel);
            });
        }
        let (shared, done, snapshots) = (&shared, &done, &snapshots);
        s.spawn(move || {
            let mut taken = 0;
            while done.load(Ordering::Acquire) < 7 || taken < 3 {
                snapshots.lock().unwrap().push(shared.snapshot());
                taken += 1;
                std::thread::yield_now();
            }
        });
    });
    // Every snapshot taken mid-flight is a consistent cut: it restores, and its key count and
    // counters never exceed the final ones.
    let final_stats = shared.stats();
    let mut last_observed = 0;
    for bytes in snapshots.into_inner().unwrap() {
        let mut t = Tracker::new(engine.clone());
        t.restore(&bytes)
            .expect("a snapshot taken while threads write restores");
        let s = t.stats();
        assert!(s.observed <= final_stats.observed && s.keys <= final_stats.keys);
        assert!(
            s.observed >= last_observed,
            "snapshots taken in order never go back"
        );
        last_observed = s.observed;
    }
    // The final state, through a snapshot, equals the serial run's.
    let mut t = Tracker::new(engine.clone());
    t.restore(&shared.snapshot()).unwrap();
    assert_eq!(t.stats().observed, expected.observed);
    assert_eq!(t.stats().escalations, expected.escalation_count);
    for (c, s, r) in expected.keys.keys() {
        assert_eq!(
            t.key_level(c, s, r.as_deref())
                .map(|k| (k.risk.to_bits(), k.level)),
            serial_tracker
                .key_level(c, s, r.as_deref())
                .map(|k| (k.risk.to_bits(), k.level))
        );
    }
}

#[test]
fn shared_capacity_holds_under_eight_writers() {
    let engine = engine();
    let shared = SharedTracker::with_shards(engine, 16).with_capacity(1_600);
    std::thread::scope(|s| {
        for t in 0..8 {
            let shared = &shared;
            s.spawn(move || {
                for i in 0..2_000 {
                    let m = msg(
                        &format!("t{t}-c{i}"),
                        0,
                        i as i64 * 1000,
                        (format!("u{t}-{i}"), AgeBand::Adult),
                        (format!("v{t}-{i}"), AgeBand::Minor),
                        "add me on snap",
                    );
                    shared.observe(&m);
                    assert!(shared.len() <= 1_600);
                }
            });
        }
    });
    let st = shared.stats();
    assert_eq!(st.observed, 16_000);
    assert!(st.keys <= 1_600);
    assert_eq!(
        st.keys + st.evicted_capacity + st.evicted_idle,
        16_000,
        "every key is held or counted as evicted"
    );
}

#[test]
fn the_public_types_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Engine>();
    check::<Arc<Engine>>();
    check::<Policy>();
    check::<Tracker>();
    check::<Mutex<Tracker>>();
    check::<SharedTracker>();
    check::<Message>();
    check::<Observation>();
    check::<vigil::Escalation>();
    check::<vigil::Error>();
}
