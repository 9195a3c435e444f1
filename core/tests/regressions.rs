//! Regressions: inputs that once crashed Vigil, hung it or gave a wrong answer, found by the
//! fuzzers (`scripts/fuzz`, targets in `fuzz/fuzz_targets/`) or by the adversarial and state
//! tests, kept here as plain tests. Each names how it was found and what was fixed; see
//! docs/reliability.md for the full log.
//!
//! Texts are synthetic and stay at the level of the safety lexicon.

use std::sync::Arc;

use vigil::normalize::{Mode, Normalizer};
use vigil::snapshot::{FORMAT_VERSION, MAGIC};
use vigil::{AgeBand, Engine, Message, Participant, SnapshotError, Timestamp, Tracker};

fn msg(text: &str) -> Message {
    Message::new(
        "c",
        "m",
        Timestamp::from_millis(0),
        Participant::new("a", AgeBand::Adult),
        text,
    )
    .with_recipient(Participant::new("b", AgeBand::Minor))
}

/// Found by `state.rs` (corrupted snapshots): a header whose payload length is `u64::MAX`
/// overflowed computing the expected size for the error (a panic in debug builds, a wrapped
/// number in release). Fixed in `snapshot.rs` (now `snapshot/wire.rs`) with a saturating add.
#[test]
fn snapshot_length_field_of_u64_max_is_a_truncation_error() {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&u64::MAX.to_le_bytes());
    bytes.extend_from_slice(&0u32.to_le_bytes());
    bytes.extend_from_slice(b"payload");
    let mut t = Tracker::new(Arc::new(Engine::default()));
    assert_eq!(
        t.restore(&bytes),
        Err(SnapshotError::Truncated {
            expected: u64::MAX,
            found: bytes.len() as u64
        })
    );
    for len in [u64::MAX - 21, u64::MAX - 22, u64::MAX / 2] {
        bytes[10..18].copy_from_slice(&len.to_le_bytes());
        assert!(matches!(t.restore(&bytes), Err(SnapshotError::Truncated { .. })));
    }
}

/// Found by `adversarial.rs` (every confusable in one line): the Greek lunate sigma `ϲ`
/// (U+03F2), a lookalike of `c`, was turned into a final sigma by NFKC before the lookalike
/// table was consulted, so `ϲall me` slipped past a rule for `call me`. Fixed in
/// `normalize/mod.rs`: lookalikes that map to a Latin letter are mapped before NFKC.
#[test]
fn lunate_sigma_reads_as_c() {
    let n = Normalizer::default();
    assert_eq!(n.normalize("ϲall", Mode::Terms).as_str(), "cai");
    assert_eq!(n.normalize("Ϲall", Mode::Patterns).as_str(), "call");
    // The span covers the original two-byte character.
    let norm = n.normalize("ϲall", Mode::Patterns);
    assert_eq!(norm.original_span(0..1), Some(0..2));
    // And the shipped packs see it.
    let plain = Engine::default().assess(&msg("add me on snap"));
    let disguised = Engine::default().assess(&msg("add me on ѕnаp ϲall"));
    assert!(!plain.hits.is_empty());
    assert_eq!(
        plain.hits.iter().map(|h| &*h.rule).collect::<Vec<_>>()[..1],
        disguised.hits.iter().map(|h| &*h.rule).collect::<Vec<_>>()[..1]
    );
}

/// A payload behind a valid header and checksum.
fn rewrap(snapshot: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = snapshot[..10].to_vec();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
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

/// A tracker holding one key with one piece of evidence from message `m-evidence` at time 0.
fn one_key() -> (Tracker, Vec<u8>, f64) {
    let mut t = Tracker::new(Arc::new(Engine::default()));
    let m = Message::new(
        "c",
        "m-evidence",
        Timestamp::from_millis(0),
        Participant::new("a", AgeBand::Adult),
        "don't tell your parents",
    )
    .with_recipient(Participant::new("b", AgeBand::Minor));
    let obs = t.observe(&m);
    assert_eq!(obs.assessment.hits.len(), 1);
    let points = obs.assessment.categories[0].score;
    let bytes = t.snapshot();
    (t, bytes, points)
}

/// Found by the `snapshot` fuzz target: a forged payload (valid checksum) whose evidence span
/// was reversed (start 121, end 7) was accepted, and the next escalation carried the reversed
/// span to moderators. Fixed in `snapshot.rs` (now `snapshot/mod.rs`): decoded values are
/// checked (spans non-empty, category points finite, non-negative and bounded) and such snapshots
/// are refused.
#[test]
fn forged_snapshot_with_a_reversed_evidence_span_is_refused() {
    let (mut t, good, _) = one_key();
    let payload = &good[22..];
    // The evidence item is the last place the message id appears; after it come the timestamp
    // (0), the rule index, then start and end (each one byte here: the span is below 128).
    let id = b"m-evidence";
    let at = payload.windows(id.len()).rposition(|w| w == id).unwrap() + id.len();
    let mut forged = payload.to_vec();
    let (start, end) = (forged[at + 2], forged[at + 3]);
    assert!(start < end && end < 128, "{start} {end}");
    forged.swap(at + 2, at + 3);
    let before = t.snapshot();
    let err = t.restore(&rewrap(&good, &forged)).unwrap_err();
    assert!(
        matches!(&err, SnapshotError::Decode(m) if m.contains("evidence span")),
        "{err}"
    );
    assert_eq!(t.snapshot(), before);
    // The same with an empty span.
    forged[at + 2] = forged[at + 3];
    assert!(t.restore(&rewrap(&good, &forged)).is_err());
    assert!(t.restore_conversation(&rewrap(&good, &forged)).is_err());
}

/// Found alongside: category points of NaN, infinity or below zero in a forged payload made
/// conversation risk NaN (no level, `null` in JSON). Now refused the same way.
#[test]
fn forged_snapshot_with_non_finite_points_is_refused() {
    let (mut t, good, points) = one_key();
    let payload = &good[22..];
    let at = payload
        .windows(8)
        .position(|w| w == points.to_le_bytes())
        .unwrap();
    for bad in [f64::NAN, f64::INFINITY, -1.0, 1e300] {
        let mut forged = payload.to_vec();
        forged[at..at + 8].copy_from_slice(&bad.to_le_bytes());
        let err = t.restore(&rewrap(&good, &forged)).unwrap_err();
        assert!(
            matches!(&err, SnapshotError::Decode(m) if m.contains("points")),
            "{bad}: {err}"
        );
    }
    // The untouched payload still restores.
    t.restore(&rewrap(&good, payload)).unwrap();
}

/// Found by `adversarial.rs` (measuring `wildcards_on_both_ends_in_one_long_word`): a policy term
/// with `*` at both ends, such as `*ab*`, against one 64 KiB word `abab…` took 0.64 s, because
/// each of the 32,000 matches scanned its word for the bounds (quadratic; at the 16 MiB ceiling,
/// hours). Fixed in `matcher.rs`: word bounds come from the positions of the spaces, found once per
/// text (now linear). Spans must be unchanged: the whole word, at the start, middle and end.
#[test]
fn wildcard_spans_cover_the_whole_word_anywhere_in_the_text() {
    let policy = r#"
[policy]
id = "wild"
[scoring]
half_life = "1h"
levels = { watch = 1, review = 2, urgent = 3 }
[[stage]]
id = "s"
summary = "s"
[[category]]
id = "c"
stage = "s"
summary = "c"
[[rule]]
id = "both"
category = "c"
weight = 1
any = ["*nap*"]
[[rule]]
id = "end"
category = "c"
weight = 1
any = ["instag*"]
[[rule]]
id = "start"
category = "c"
weight = 1
any = ["*chat"]
"#;
    let e = Engine::new(
        vigil::Policy::builder()
            .add_toml("wild.toml", policy)
            .unwrap()
            .build()
            .unwrap(),
    )
    .unwrap();
    for (text, rule, want) in [
        ("snapped", "both", "snapped"),
        ("hi snapped me", "both", "snapped"),
        ("my snapp", "both", "snapp"),
        ("instagram", "end", "instagram"),
        ("go to instagram now", "end", "instagram"),
        ("on a groupchat", "start", "groupchat"),
        ("groupchat ok", "start", "groupchat"),
    ] {
        let a = e.assess(&msg(text));
        let h = a
            .hits
            .iter()
            .find(|h| &*h.rule == rule)
            .unwrap_or_else(|| panic!("{rule} in {text}"));
        assert_eq!(&text[h.span.start..h.span.end], want, "{rule} in {text:?}");
    }
    let long = "nap".repeat(20_000);
    let a = e.assess(&msg(&long));
    let h = a.hits.iter().find(|h| &*h.rule == "both").unwrap();
    assert_eq!((h.span.start, h.span.end), (0, long.len()));
}

/// Found by the `assess` fuzz target (round 2): decay computed `now - last_ts`, which overflows
/// when a key's last message is more than `i64::MAX` ms older than the new one (a panic in debug
/// builds; in release a wrapped, negative interval that made risk grow instead of decay). Idle
/// eviction does not always catch it: it stops at the first fresh key in least-recently-used
/// order, and a key touched later with an old timestamp sits behind it. Fixed in `tracker.rs`
/// with a saturating subtraction.
#[test]
fn decay_across_the_whole_timestamp_range_does_not_overflow() {
    let engine = Arc::new(Engine::default());
    let mut t = Tracker::new(engine);
    let at = |conv: &str, id: &str, ms: i64, text: &str| {
        Message::new(
            conv,
            id,
            Timestamp::from_millis(ms),
            Participant::new("a", AgeBand::Adult),
            text,
        )
        .with_recipient(Participant::new("b", AgeBand::Minor))
    };
    let future = 8_000_000_000_000_000_000;
    let past = -7_000_000_000_000_000_000;
    t.observe(&at("fresh", "1", future, "hello"));
    let first = t.observe(&at("k", "2", past, "don't tell your parents"));
    assert!(first.risk > 0.0);
    let again = t.observe(&at("k", "3", future, "hello"));
    assert!(again.risk.is_finite());
    assert_eq!(again.risk, 0.0, "everything decayed over 15e18 ms");
    let third = t.observe(&at("k", "4", future, "don't tell your parents"));
    assert_eq!(third.risk, first.risk);
}

/// Found by `state.rs` (`conversation_snapshots_round_trip`): eviction walks from the least
/// recently used key and stops at the first fresh one, so a tracker restored from
/// per-conversation snapshots (used in the order of the restores) could still hold a key idle
/// past the time-to-live that the original had evicted, and carry its old risk into a later
/// message where the original started afresh. Fixed in `tracker.rs`: a key (or a probable-minor
/// mark) last seen more than the time-to-live before a message starts afresh wherever it sits.
#[test]
fn an_idle_key_starts_afresh_wherever_it_sits_in_eviction_order() {
    let engine = Arc::new(Engine::default());
    let day = 86_400_000;
    let at = |conv: &str, id: &str, ms: i64, text: &str| {
        Message::new(
            conv,
            id,
            Timestamp::from_millis(ms),
            Participant::new("a", AgeBand::Adult),
            text,
        )
        .with_recipient(Participant::new("b", AgeBand::Minor))
    };
    let mut a = Tracker::new(Arc::clone(&engine));
    a.observe(&at("old", "1", 0, "don't tell your parents"));
    a.observe(&at("fresh", "2", 20 * day, "hello"));
    // Restored the other way round: "old" is now the most recently used key.
    let mut b = Tracker::new(Arc::clone(&engine));
    b.restore_conversation(&a.snapshot_conversation("fresh")).unwrap();
    b.restore_conversation(&a.snapshot_conversation("old")).unwrap();
    // Day 35, elsewhere: 30 days (the shipped time-to-live) after "old" went quiet. `a` evicts
    // it; `b` still holds it behind "fresh".
    let tick = at("other", "3", 35 * day, "hello");
    assert_eq!(a.observe(&tick), b.observe(&tick));
    let next = at("old", "4", 36 * day, "don't tell your parents");
    let (in_a, in_b) = (a.observe(&next), b.observe(&next));
    assert_eq!(in_a, in_b);
    assert_eq!(
        in_a.risk, in_a.assessment.score,
        "nothing carried over from the idle key"
    );
    assert!(in_a.escalation.is_some(), "an idle key escalates afresh");
}
