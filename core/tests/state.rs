//! State that survives: snapshot/restore round-trips exactly (property tests, for `Tracker` and
//! `SharedTracker`); truncated, corrupted, foreign and future-version snapshots are refused with
//! a clear error and leave the tracker in use as it was; capacity and idle time-to-live bound
//! memory however many distinct conversations pass through.
//!
//! The ten-million-conversation run is `ten_million_conversations` (ignored; run it in release
//! under `/usr/bin/time -v`, see docs/reliability.md for the figures).

use std::sync::{Arc, OnceLock};

use proptest::prelude::*;
use vigil::snapshot::{FORMAT_VERSION, MAGIC};
use vigil::{
    AgeBand, Channel, Engine, Message, Observation, Participant, Policy, Relationship, SharedTracker,
    SnapshotError, Timestamp, Tracker,
};

const POLICY: &str = r#"
[policy]
id = "state"
version = "1"

[scoring]
half_life = "1h"
levels = { watch = 10, review = 30, urgent = 60 }
stage_bonus = { from = 2, points = 5, window = "1d" }

[evidence]
excerpt = "context"
context_chars = 4
max_items = 3

[tracker]
capacity = 1000
idle_ttl = "2h"

[[stage]]
id = "isolation"
summary = "isolating"

[[stage]]
id = "meeting"
summary = "meeting"

[[stage]]
id = "context"
summary = "context"

[[category]]
id = "secrecy"
stage = "isolation"
summary = "Asks the child to keep the contact secret"
conversation_cap = 30

[[category]]
id = "meeting"
stage = "meeting"
summary = "Moves the chat or arranges to meet"

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
any = ["add me on snap", "send a pic"]
level = "watch"

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
fan_out = { min = 2, window = "1h" }
multiply = 1.5
"#;

fn engine() -> Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| {
        let p = Policy::builder()
            .add_toml("state.toml", POLICY)
            .unwrap()
            .build()
            .unwrap();
        Arc::new(Engine::new(p).unwrap())
    })
    .clone()
}

/// The same policy with an idle time-to-live longer than any test's span of time. Shards evict
/// idle keys lazily and by their own least-recently-used order, so with idle eviction in play a
/// shared tracker's counters (not its observations of live keys) may differ from one tracker's.
fn engine_no_ttl() -> Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| {
        let text = POLICY.replace("idle_ttl = \"2h\"", "idle_ttl = \"3650d\"");
        let p = Policy::builder()
            .add_toml("state.toml", &text)
            .unwrap()
            .build()
            .unwrap();
        Arc::new(Engine::new(p).unwrap())
    })
    .clone()
}

const TEXTS: &[&str] = &[
    "don't tell your parents",
    "add me on snap",
    "send a pic",
    "our secret",
    "im 13",
    "hello",
    "good game",
    "lol ok",
];

/// A message from small numbers: conversation, sender, recipient, bands, channel, text, time.
#[derive(Debug, Clone)]
struct Spec {
    conv: u8,
    from: u8,
    to: u8,
    from_band: u8,
    to_band: u8,
    group: bool,
    text: u8,
    /// Minutes since the previous message (negative: out of order).
    step: i16,
}

fn band(b: u8) -> AgeBand {
    [AgeBand::Minor, AgeBand::Adult, AgeBand::Unknown][usize::from(b % 3)]
}

fn messages(specs: &[Spec]) -> Vec<Message> {
    let mut t: i64 = 1_700_000_000_000;
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            t += i64::from(s.step) * 60_000;
            let mut m = Message::new(
                format!("c{}", s.conv % 6),
                format!("m{i}"),
                Timestamp::from_millis(t),
                Participant::new(format!("u{}", s.from % 5), band(s.from_band)),
                TEXTS[usize::from(s.text) % TEXTS.len()],
            )
            .with_relationship(Relationship::Stranger);
            if s.group {
                m = m.with_channel(Channel::Group);
            } else {
                m = m
                    .with_channel(Channel::Direct)
                    .with_recipient(Participant::new(format!("u{}", s.to % 5), band(s.to_band)));
            }
            m
        })
        .collect()
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        any::<bool>(),
        any::<u8>(),
        -30i16..120,
    )
        .prop_map(|(conv, from, to, from_band, to_band, group, text, step)| Spec {
            conv,
            from,
            to,
            from_band,
            to_band,
            group,
            text,
            step,
        })
}

fn feed(t: &mut Tracker, msgs: &[Message]) -> Vec<Observation> {
    msgs.iter().map(|m| t.observe(m)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// A restored tracker is indistinguishable from the original: the same bytes when snapshotted
    /// again, and the same observations (escalations included) for whatever comes next.
    #[test]
    fn snapshot_restore_round_trips_exactly(
        before in proptest::collection::vec(spec(), 0..60),
        after in proptest::collection::vec(spec(), 1..30),
        capacity in 1usize..12,
    ) {
        let (before, after) = (messages(&before), messages(&after));
        let mut a = Tracker::new(engine()).with_capacity(capacity);
        feed(&mut a, &before);
        let bytes = a.snapshot();
        let mut b = Tracker::new(engine()).with_capacity(capacity);
        b.restore(&bytes).unwrap();
        prop_assert_eq!(b.snapshot(), bytes.clone());
        prop_assert_eq!(b.stats(), a.stats());
        prop_assert_eq!(feed(&mut b, &after), feed(&mut a, &after));
        prop_assert_eq!(b.snapshot(), a.snapshot());
    }

    /// The same for the shared tracker, across shard counts and into a single tracker: the bytes
    /// restore to the same state, and every tracker continues exactly like the original.
    #[test]
    fn shared_snapshots_round_trip_between_shard_counts(
        before in proptest::collection::vec(spec(), 0..60),
        after in proptest::collection::vec(spec(), 1..30),
        shards in 1usize..9,
        other in 1usize..9,
    ) {
        let (before, after) = (messages(&before), messages(&after));
        let big = 1_000_000; // no eviction: LRU order is per shard, so eviction may differ.
        let mut serial = Tracker::new(engine_no_ttl()).with_capacity(big);
        feed(&mut serial, &before);
        let a = SharedTracker::with_shards(engine_no_ttl(), shards).with_capacity(big);
        for m in &before {
            a.observe(m);
        }
        let bytes = a.snapshot();
        let b = SharedTracker::with_shards(engine_no_ttl(), shards).with_capacity(big);
        b.restore(&bytes).unwrap();
        prop_assert_eq!(b.snapshot(), bytes.clone(), "same shard count: same bytes");
        let c = SharedTracker::with_shards(engine_no_ttl(), other).with_capacity(big);
        c.restore(&bytes).unwrap();
        let mut d = Tracker::new(engine_no_ttl()).with_capacity(big);
        d.restore(&bytes).unwrap();
        prop_assert_eq!(c.stats(), serial.stats());
        prop_assert_eq!(d.stats(), serial.stats());
        let expected = feed(&mut serial, &after);
        for m in &after {
            a.observe(m);
        }
        let got_b: Vec<Observation> = after.iter().map(|m| b.observe(m)).collect();
        let got_c: Vec<Observation> = after.iter().map(|m| c.observe(m)).collect();
        prop_assert_eq!(&got_b, &expected);
        prop_assert_eq!(&got_c, &expected);
        prop_assert_eq!(&feed(&mut d, &after), &expected);
    }

    /// Per-conversation state moves between trackers exactly.
    #[test]
    fn conversation_snapshots_round_trip(
        before in proptest::collection::vec(spec(), 0..40),
        after in proptest::collection::vec(spec(), 1..20),
    ) {
        // One timeline, in time order (steps of 0 to 119 minutes, so keys go idle past the
        // 2-hour time-to-live). A restored tracker uses its keys in another order (that of the
        // restores), so eviction, which walks from the least recently used key, drops idle keys in
        // another order; a key idle past the time-to-live starts afresh wherever it sits, so that
        // does not change what comes next. Out of order, it can (docs/reliability.md).
        let in_order = |specs: Vec<Spec>| -> Vec<Spec> {
            specs.into_iter().map(|s| Spec { step: s.step.max(0), ..s }).collect()
        };
        let split = before.len();
        let all = messages(&in_order([before, after].concat()));
        let (before, after) = all.split_at(split);
        let mut a = Tracker::new(engine());
        feed(&mut a, before);
        let mut b = Tracker::new(engine());
        for c in 0..6 {
            b.restore_conversation(&a.snapshot_conversation(&format!("c{c}"))).unwrap();
        }
        prop_assert_eq!(b.len(), a.len());
        // Fan-out is per sender, not per conversation, and is not carried: compare group messages
        // of senders who sent nothing direct before.
        let direct: Vec<&str> =
            before.iter().filter(|m| m.recipient.is_some()).map(|m| m.sender.id.as_str()).collect();
        let same_conv: Vec<Message> = after
            .iter()
            .filter(|m| m.recipient.is_none() && !direct.contains(&m.sender.id.as_str()))
            .cloned()
            .collect();
        prop_assert_eq!(feed(&mut b, &same_conv), feed(&mut a, &same_conv));
    }

    /// Any change to any byte, and any cut, is refused, and the tracker is left as it was.
    #[test]
    fn damaged_snapshots_are_refused_and_leave_the_tracker_intact(
        specs in proptest::collection::vec(spec(), 1..40),
        at in any::<prop::sample::Index>(),
        xor in 1u8..=255,
        cut in any::<prop::sample::Index>(),
    ) {
        let msgs = messages(&specs);
        let mut a = Tracker::new(engine());
        feed(&mut a, &msgs);
        let good = a.snapshot();
        let mut victim = Tracker::new(engine());
        feed(&mut victim, &msgs[..msgs.len() / 2]);
        let before = victim.snapshot();

        let mut flipped = good.clone();
        let i = at.index(flipped.len());
        flipped[i] ^= xor;
        prop_assert!(victim.restore(&flipped).is_err(), "a change at byte {} was accepted", i);
        prop_assert_eq!(victim.snapshot(), before.clone());

        let n = cut.index(good.len());
        prop_assert!(victim.restore(&good[..n]).is_err());
        prop_assert!(victim.restore_conversation(&good[..n]).is_err());
        prop_assert_eq!(victim.snapshot(), before.clone());

        let shared = SharedTracker::with_shards(engine(), 4);
        for m in &msgs[..msgs.len() / 2] {
            shared.observe(m);
        }
        let shared_before = shared.snapshot();
        prop_assert!(shared.restore(&flipped).is_err());
        prop_assert!(shared.restore(&good[..n]).is_err());
        prop_assert!(shared.restore_conversation(&flipped).is_err());
        prop_assert_eq!(shared.snapshot(), shared_before);
    }
}

fn populated() -> Tracker {
    let mut t = Tracker::new(engine());
    let specs: Vec<Spec> = (0..40u8)
        .map(|i| Spec {
            conv: i % 5,
            from: i % 3,
            to: (i + 1) % 3,
            from_band: i % 3,
            to_band: (i + 2) % 3,
            group: i % 7 == 0,
            text: i,
            step: 3,
        })
        .collect();
    feed(&mut t, &messages(&specs));
    assert!(t.stats().escalations > 0);
    t
}

fn header(version: u16, payload: &[u8], crc: u32) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&version.to_le_bytes());
    b.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    b.extend_from_slice(&crc.to_le_bytes());
    b.extend_from_slice(payload);
    b
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn every_truncation_is_refused_with_a_clear_error() {
    let good = populated().snapshot();
    let mut victim = populated();
    let before = victim.snapshot();
    for n in 0..good.len() {
        let err = victim.restore(&good[..n]).unwrap_err();
        match err {
            SnapshotError::NotASnapshot => assert!(n < 8),
            SnapshotError::Truncated { expected, found } => {
                assert_eq!(found, n as u64);
                assert!(expected > found);
                assert!(err.to_string().contains("truncated"), "{err}");
            }
            e => panic!("cut at {n}: {e:?}"),
        }
    }
    assert_eq!(victim.snapshot(), before);
}

#[test]
fn a_future_version_is_refused_naming_both_versions() {
    let good = populated().snapshot();
    let payload = &good[22..];
    let future = header(FORMAT_VERSION + 1, payload, crc32(payload));
    let mut victim = populated();
    let before = victim.snapshot();
    let err = victim.restore(&future).unwrap_err();
    assert_eq!(
        err,
        SnapshotError::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );
    let text = err.to_string();
    assert!(text.contains(&(FORMAT_VERSION + 1).to_string()) && text.contains(&FORMAT_VERSION.to_string()));
    assert_eq!(victim.snapshot(), before);

    let shared = SharedTracker::new(engine());
    assert!(matches!(
        shared.restore(&future),
        Err(SnapshotError::UnsupportedVersion { .. })
    ));
}

#[test]
fn corrupted_and_foreign_snapshots_are_refused() {
    let good = populated().snapshot();
    let mut victim = populated();
    let before = victim.snapshot();
    // A changed payload byte: checksum mismatch.
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 0x40;
    assert_eq!(victim.restore(&bad), Err(SnapshotError::Corrupted));
    // Extra bytes after the payload.
    let mut long = good.clone();
    long.push(0);
    assert_eq!(victim.restore(&long), Err(SnapshotError::Corrupted));
    // Not a snapshot at all.
    for foreign in [&b""[..], b"{\"keys\": []}", b"VIGILSN", b"PK\x03\x04 a zip file"] {
        assert_eq!(victim.restore(foreign), Err(SnapshotError::NotASnapshot));
    }
    // A valid header and checksum around a payload that does not decode.
    let junk = [0xFFu8; 64];
    let err = victim
        .restore(&header(FORMAT_VERSION, &junk, crc32(&junk)))
        .unwrap_err();
    assert!(matches!(err, SnapshotError::Decode(_)), "{err:?}");
    // A length that claims more than any memory: refused without allocating it.
    let mut huge = good[..22].to_vec();
    huge[10..18].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        victim.restore(&huge),
        Err(SnapshotError::Truncated { .. })
    ));
    assert_eq!(victim.snapshot(), before, "the tracker in use is left intact");
}

#[test]
fn a_snapshot_restores_under_a_changed_policy() {
    // A rule and a category removed, a modifier renamed: their state is dropped by id.
    let t = populated();
    let bytes = t.snapshot();
    let changed = POLICY.replace("id = \"fan-out\"", "id = \"fan-out-2\"").replace(
        "[[rule]]\nid = \"meeting.snap\"",
        "[[rule]]\nid = \"meeting.snap2\"",
    );
    let e = Arc::new(
        Engine::new(
            Policy::builder()
                .add_toml("changed.toml", &changed)
                .unwrap()
                .build()
                .unwrap(),
        )
        .unwrap(),
    );
    let mut other = Tracker::new(e);
    other.restore(&bytes).unwrap();
    assert_eq!(other.len(), t.len());
    let m = &messages(&[Spec {
        conv: 0,
        from: 0,
        to: 1,
        from_band: 1,
        to_band: 0,
        group: false,
        text: 1,
        step: 1,
    }])[0];
    let obs = other.observe(m);
    assert!(obs.risk.is_finite());
}

/// Distinct conversations, each one message; one in `risky` is risky.
fn flood(n: usize, risky: usize, step_ms: i64, mut each: impl FnMut(&Message)) {
    let mut m = Message::new(
        "c",
        "m",
        Timestamp::from_millis(0),
        Participant::new("a", AgeBand::Adult),
        "hello",
    )
    .with_recipient(Participant::new("b", AgeBand::Minor))
    .with_channel(Channel::Direct);
    for i in 0..n {
        m.conversation_id.clear();
        m.conversation_id.push_str(&format!("conv-{i}"));
        m.sender.id.clear();
        m.sender.id.push_str(&format!("s-{}", i % 100_000));
        m.timestamp = Timestamp::from_millis(i as i64 * step_ms);
        m.text = if i % risky == 0 {
            "don't tell your parents, add me on snap"
        } else {
            "hello there"
        }
        .into();
        each(&m);
    }
}

#[test]
fn capacity_holds_memory_under_200_000_distinct_conversations() {
    // CI size of the ten-million run: 200,000 conversations through a capacity of 1,000.
    let mut t = Tracker::new(engine());
    let mut max_len = 0;
    let mut size_at_10k = 0;
    let mut i = 0;
    flood(200_000, 3, 1, |m| {
        t.observe(m);
        max_len = max_len.max(t.len());
        i += 1;
        if i == 10_000 {
            size_at_10k = t.snapshot().len();
        }
    });
    assert_eq!(max_len, 1_000);
    let s = t.stats();
    assert_eq!(s.observed, 200_000);
    assert_eq!(s.keys, 1_000);
    assert_eq!(s.evicted_capacity, 199_000);
    // Everything the tracker holds (keys, fan-out senders, probable minors) stays bounded: the
    // snapshot, which holds all of it, is no bigger than after the first 10,000.
    let size = t.snapshot().len();
    assert!(size <= size_at_10k + size_at_10k / 10, "{size} vs {size_at_10k}");

    let shared = SharedTracker::with_shards(engine(), 8);
    flood(200_000, 3, 1, |m| {
        shared.observe(m);
    });
    let s = shared.stats();
    assert!(s.keys <= 1_000 && s.keys + s.evicted_capacity == 200_000, "{s:?}");
}

#[test]
fn idle_time_to_live_evicts_by_message_time() {
    // One conversation a minute with a 2-hour time-to-live: at most ~120 stay, whatever the
    // capacity, and the rest are counted as idle evictions.
    let mut t = Tracker::new(engine()).with_capacity(1_000_000);
    let mut max_len = 0;
    flood(50_000, 2, 60_000, |m| {
        t.observe(m);
        max_len = max_len.max(t.len());
    });
    assert!(max_len <= 122, "{max_len}");
    let s = t.stats();
    assert_eq!(s.evicted_capacity, 0);
    assert_eq!(s.evicted_idle + s.keys, 50_000);

    let shared = SharedTracker::with_shards(engine(), 8).with_capacity(1_000_000);
    flood(50_000, 2, 60_000, |m| {
        shared.observe(m);
    });
    shared.evict_idle();
    let s = shared.stats();
    assert!(s.keys <= 122, "{s:?}");
    assert_eq!(s.evicted_idle + s.keys, 50_000);
}

#[test]
#[ignore = "measurement: ten million distinct conversations; run in release under /usr/bin/time -v"]
fn ten_million_conversations() {
    // The shipped packs and their capacity (100,000 keys), one message per conversation, one in
    // four risky (evidence, stages, fan-out state).
    let engine = Arc::new(Engine::default());
    let capacity = engine.policy().tracker().capacity;
    let mut t = Tracker::new(engine);
    let start = std::time::Instant::now();
    let mut max_len = 0;
    flood(10_000_000, 4, 10, |m| {
        t.observe(m);
        max_len = max_len.max(t.len());
    });
    let s = t.stats();
    println!(
        "10,000,000 conversations in {:.1} s: max keys held {max_len} (capacity {capacity}), {s:?}, snapshot {} bytes",
        start.elapsed().as_secs_f64(),
        t.snapshot().len()
    );
    assert!(max_len <= capacity);
    assert_eq!(s.observed, 10_000_000);
}

/// The sharded tracker's snapshots carry the conversations' language estimates (format 2), so a
/// restored tracker goes on scoping packs as the one that wrote it.
#[test]
fn sharded_snapshots_keep_language_estimates() {
    use vigil::{AgeBand, Engine, Message, Participant, Timestamp, Tracker};
    let engine = std::sync::Arc::new(Engine::default());
    let lines = [
        "hey how was the concert last night, did you like the band?",
        "it was great, the drummer was amazing and the crowd was so loud",
        "we should go to the next one together, it is in two weeks",
    ];
    let msg = |i: usize, text: &str| {
        Message::new(
            "c-lang",
            format!("m{i}"),
            Timestamp::from_millis(i as i64 * 60_000),
            Participant::new(if i % 2 == 0 { "a" } else { "b" }, AgeBand::Adult),
            text,
        )
        .with_recipient(Participant::new(
            if i % 2 == 0 { "b" } else { "a" },
            AgeBand::Adult,
        ))
    };
    let shared = vigil::SharedTracker::new(engine.clone());
    let mut single = Tracker::new(engine.clone());
    for (i, t) in lines.iter().enumerate() {
        shared.observe(&msg(i, t));
        single.observe(&msg(i, t));
    }
    // Whole snapshots, and one conversation moved into another sharded tracker.
    let other = vigil::SharedTracker::with_shards(engine.clone(), 5);
    other
        .restore_conversation(&shared.snapshot_conversation("c-lang"))
        .unwrap();
    let next = msg(9, "ok");
    let want = single.observe(&next).language.unwrap();
    assert!(!want.conversation.is_empty());
    for bytes in [shared.snapshot(), other.snapshot()] {
        let mut restored = Tracker::new(engine.clone());
        restored.restore(&bytes).unwrap();
        let got = restored.observe(&next).language.unwrap();
        assert_eq!(got.conversation, want.conversation);
    }
}
