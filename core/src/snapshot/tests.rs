//! The committed fixtures of every format version decode, and encode again to exactly their
//! bytes (this fails when the encoding of an existing version changes); images round-trip
//! through every version. Restoring the fixtures into trackers is `tests/snapshot_fixtures.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::{check, wire, Image, FORMAT_VERSION};
use crate::testutil::{dm, engine};
use crate::tracker::Tracker;
use crate::AgeBand::{Adult, Minor, Unknown};
use crate::Level;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots")
}

/// Every `vN-KIND.bin` fixture: (N, KIND) → bytes.
fn fixtures() -> BTreeMap<(u16, String), Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let Some(stem) = name.strip_suffix(".bin") else {
            continue;
        };
        let (version, kind) = stem
            .strip_prefix('v')
            .and_then(|s| s.split_once('-'))
            .unwrap_or_else(|| panic!("{name}: fixtures are named vN-KIND.bin"));
        let version: u16 = version.parse().unwrap_or_else(|_| panic!("{name}: bad version"));
        out.insert((version, kind.to_string()), fs::read(&path).unwrap());
    }
    out
}

fn decoded(version: u16, kind: &str) -> Image {
    let all = fixtures();
    let bytes = &all[&(version, kind.to_string())];
    wire::decode(bytes).unwrap()
}

#[test]
fn every_version_has_both_fixtures() {
    let all = fixtures();
    for version in 1..=FORMAT_VERSION {
        for kind in ["tracker", "conversation"] {
            assert!(
                all.contains_key(&(version, kind.to_string())),
                "v{version}-{kind}.bin is missing: every format version needs committed fixtures"
            );
        }
    }
    assert!(
        all.keys().all(|(v, _)| (1..=FORMAT_VERSION).contains(v)),
        "a fixture of a version this library does not read: {:?}",
        all.keys()
    );
}

#[test]
fn every_fixture_encodes_again_to_its_exact_bytes() {
    for ((version, kind), bytes) in fixtures() {
        let name = format!("v{version}-{kind}.bin");
        assert_eq!(
            u16::from_le_bytes([bytes[8], bytes[9]]),
            version,
            "{name}: header version"
        );
        let image = wire::decode(&bytes).unwrap_or_else(|e| panic!("{name} does not decode: {e}"));
        check(&image).unwrap_or_else(|e| panic!("{name} holds invalid values: {e}"));
        let again = wire::encode_as(version, image).unwrap_or_else(|| panic!("{name}: no encoder"));
        if again != bytes {
            let at = again.iter().zip(&bytes).position(|(a, b)| a != b);
            panic!(
                "{name}: the encoding of format version {version} changed (first difference at byte \
                 {at:?}, {} bytes now, {} committed). Released versions never change: add a new \
                 version instead (see snapshot/wire.rs).",
                again.len(),
                bytes.len()
            );
        }
    }
}

#[test]
fn the_v1_fixtures_hold_every_kind_of_state() {
    let t = decoded(1, "tracker");
    assert!(t.policy_hash.starts_with("sha256:") && !t.ids.categories.is_empty() && !t.ids.rules.is_empty());
    // Values the messages fix, whatever the packs: the newest timestamp (2026-11-03T23:03:00Z),
    // the number of messages, the one out-of-order message, the level the sextortion threat forced.
    assert_eq!(t.clock, 1_793_746_980_000);
    assert_eq!((t.stats.observed, t.stats.out_of_order), (69, 1));
    assert!(t.stats.escalations > 0);
    let key = |c: &str, s: &str| {
        t.keys
            .iter()
            .find(|(k, _)| &*k.conversation == c && &*k.sender == s)
            .map(|(_, st)| (st.forced, st.escalated))
    };
    assert_eq!(
        key("FAN-2", "u-30"),
        Some((Some(Level::Urgent), Some(Level::Urgent)))
    );
    assert_eq!(key("L2", "u-7"), Some((None, Some(Level::Watch))));
    assert_eq!(key("G2", "u-40"), Some((None, Some(Level::Review))));
    // Fan-out memory holds recipients as 64-bit FNV-1a hashes of their ids, which must stay
    // the same hash for old snapshots to count the same recipients.
    let fnv1a = |s: &str| {
        s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
    };
    let fan_out = t
        .senders
        .iter()
        .find(|(s, _)| &**s == "u-30")
        .map(|(_, st)| st.recent.iter().map(|(r, _)| *r).collect::<Vec<_>>());
    assert_eq!(fan_out, Some(vec![fnv1a("u-31"), fnv1a("u-32"), fnv1a("u-33")]));
    let states = || t.keys.iter().map(|(_, s)| s);
    assert!(t.keys.iter().any(|(k, _)| k.recipient.is_none()), "a group key");
    assert!(t.keys.iter().any(|(k, _)| k.recipient.is_some()), "a direct key");
    assert!(states().any(|s| s.forced.is_some()), "a forced level");
    assert!(states().any(|s| s.escalated.is_some() && !s.escalated_cats.is_empty()));
    assert!(states().any(|s| s.cats.len() > 1 && s.stages.len() > 1 && s.sequence > 1));
    assert!(states().any(|s| s.evidence.iter().any(|e| e.excerpt.is_some())));
    assert!(states().any(|s| !s.modifiers.is_empty()));
    assert!(
        t.senders.iter().any(|(_, s)| s.recent.len() >= 3),
        "fan-out memory"
    );
    assert!(!t.minors.is_empty(), "probable minors");

    let c = decoded(1, "conversation");
    assert!(!c.keys.is_empty() && c.keys.iter().all(|(k, _)| &*k.conversation == "sample-1"));
    assert!(c.minors.iter().all(|((conv, _), _)| &**conv == "sample-1") && !c.minors.is_empty());
    assert!(c.senders.is_empty() && c.stats == Default::default());
    assert!(
        c.ids.rules.len() < t.ids.rules.len(),
        "compact id tables: only the ids the conversation uses"
    );
}

#[test]
fn images_round_trip_through_every_version() {
    let mut t = Tracker::new(engine());
    let script = [
        (
            "c1",
            0,
            ("g", Adult),
            ("k", Minor),
            "don't tell your parents, our secret",
        ),
        ("c1", 1, ("k", Minor), ("g", Adult), "ok"),
        ("c1", 2, ("g", Adult), ("k", Minor), "meet up? delete the chat"),
        ("c2", 3, ("g", Adult), ("j", Unknown), "add me on snap"),
        ("c2", 4, ("j", Unknown), ("g", Adult), "im 13"),
        (
            "c2",
            5,
            ("g", Adult),
            ("j", Unknown),
            "send me a pic or i will share it",
        ),
    ];
    for (i, (c, m, from, to, text)) in script.into_iter().enumerate() {
        t.observe(&dm(c, &format!("m{i}"), m, from, to, text));
    }
    for image in [t.image(None), t.image(Some("c2"))] {
        assert!(!image.keys.is_empty());
        for version in 1..=FORMAT_VERSION {
            let bytes = wire::encode_as(version, image.clone()).unwrap();
            assert_eq!(wire::decode(&bytes).unwrap(), image, "version {version}");
        }
        assert_eq!(
            wire::encode(image.clone()),
            wire::encode_as(FORMAT_VERSION, image).unwrap()
        );
    }
    assert_eq!(wire::encode_as(FORMAT_VERSION + 1, Image::default()), None);
}

#[test]
fn format_2_carries_ceilings_and_language_estimates_that_format_1_lacks() {
    // The shipped packs: two ceilings and eight languages.
    let mut t = Tracker::new(std::sync::Arc::new(crate::Engine::default()));
    let script = [
        (
            "en",
            ("a", Adult),
            ("b", Adult),
            "hey how was the concert last night, did you like it?",
        ),
        (
            "en",
            ("a", Adult),
            ("b", Adult),
            "you're so pretty, we should meet up some time",
        ),
        (
            "de",
            ("c", Unknown),
            ("d", Unknown),
            "wie war dein Wochenende, hast du etwas Schönes gemacht?",
        ),
    ];
    for (i, (c, from, to, text)) in script.into_iter().enumerate() {
        t.observe(&dm(c, &format!("m{i}"), i as i64, from, to, text));
    }
    let mut image = t.image(None);
    without_cases(&mut image);
    assert!(
        image.keys.iter().any(|(_, st)| st.cap.is_some()),
        "a ceiling held"
    );
    assert_eq!(image.languages.len(), 2, "an estimate per conversation");
    assert!(image.languages.iter().all(|(_, l)| l.estimate.evidence() > 0.0));
    let v2 = wire::decode(&wire::encode_as(2, image.clone()).unwrap()).unwrap();
    assert_eq!(v2, image);
    let v1 = wire::decode(&wire::encode_as(1, image.clone()).unwrap()).unwrap();
    let mut lacking = image;
    lacking.languages.clear();
    for (_, st) in &mut lacking.keys {
        st.cap = None;
    }
    assert_eq!(v1, lacking, "format 1 drops exactly what it predates");
}

#[test]
fn format_3_carries_indicators_that_format_2_lacks() {
    // The shipped packs enable indicators.
    let mut t = Tracker::new(std::sync::Arc::new(crate::Engine::default()));
    let script = [
        (
            "c1",
            ("a", Adult),
            ("k", Minor),
            "text me +44 7700 900123 or snap: northwind_77",
        ),
        ("c1", ("k", Minor), ("a", Adult), "ok my number is 07700 900456"),
        (
            "c1",
            ("a", Adult),
            ("k", Minor),
            "btc bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4, +447700900123",
        ),
    ];
    for (i, (c, from, to, text)) in script.into_iter().enumerate() {
        t.observe(&dm(c, &format!("m{i}"), i as i64, from, to, text));
    }
    for mut image in [t.image(None), t.image(Some("c1"))] {
        without_cases(&mut image);
        let held: usize = image.keys.iter().map(|(_, st)| st.indicators.len()).sum();
        assert_eq!(held, 4, "three of the adult's, one of the child's");
        let v3 = wire::decode(&wire::encode_as(3, image.clone()).unwrap()).unwrap();
        assert_eq!(v3, image);
        let v2 = wire::decode(&wire::encode_as(2, image.clone()).unwrap()).unwrap();
        let mut lacking = image;
        for (_, st) in &mut lacking.keys {
            st.indicators.clear();
            st.parts.clear();
            for e in &mut st.evidence {
                e.sender = None;
            }
        }
        assert_eq!(v2, lacking, "format 2 drops exactly what it predates");
    }
}

/// Drops the sender cases (format 4 on) from an image, for the formats before them.
/// Drops what formats 4 and 5 add (sender cases, nudges and the intervention ids), for the
/// formats before them.
fn without_cases(image: &mut Image) {
    for (_, st) in &mut image.senders {
        st.case = None;
    }
    without_nudges(image);
}

/// Drops what format 5 adds: the keys' nudges and the intervention id table.
fn without_nudges(image: &mut Image) {
    image.ids.interventions.clear();
    for (_, st) in &mut image.keys {
        st.nudged.clear();
    }
}

#[test]
fn format_4_carries_sender_cases_that_format_3_lacks() {
    // The shipped packs enable sender cases: one adult, three children, the same lines.
    let mut t = Tracker::new(std::sync::Arc::new(crate::Engine::default()));
    let lines = ["how old are you?", "add me on snap", "don't tell your parents"];
    let mut i = 0;
    for kid in ["k1", "k2", "k3"] {
        for text in lines {
            t.observe(&dm(kid, &format!("m{i}"), i, ("a", Adult), (kid, Minor), text));
            i += 1;
        }
    }
    let mut image = t.image(None);
    without_nudges(&mut image);
    let case = image
        .senders
        .iter()
        .find_map(|(s, st)| (&**s == "a").then_some(st.case.as_deref()).flatten())
        .expect("the adult's case");
    assert_eq!(case.convs.len(), 3);
    assert!(case.sequence > 0 && case.escalated.is_some());
    assert!(case
        .convs
        .iter()
        .all(|c| c.minor && !c.evidence.is_empty() && !c.cats.is_empty()));
    let v4 = wire::decode(&wire::encode_as(4, image.clone()).unwrap()).unwrap();
    assert_eq!(v4, image);
    let v3 = wire::decode(&wire::encode_as(3, image.clone()).unwrap()).unwrap();
    let mut lacking = image;
    without_cases(&mut lacking);
    assert_eq!(v3, lacking, "format 3 drops exactly what it predates");
}

#[test]
fn format_5_carries_nudges_that_format_4_lacks() {
    let mut t = Tracker::new(std::sync::Arc::new(crate::Engine::default()));
    let lines = [
        "add me on snapchat",
        "dont tell your parents about us",
        "lets meet at the park",
    ];
    for (i, text) in lines.into_iter().enumerate() {
        t.observe(&dm(
            "c1",
            &format!("m{i}"),
            i as i64,
            ("a", Adult),
            ("k", Minor),
            text,
        ));
    }
    for image in [t.image(None), t.image(Some("c1"))] {
        let nudges: usize = image.keys.iter().map(|(_, st)| st.nudged.len()).sum();
        assert!(nudges >= 2, "the shipped nudges were recorded: {nudges}");
        assert!(!image.ids.interventions.is_empty());
        let v5 = wire::decode(&wire::encode_as(5, image.clone()).unwrap()).unwrap();
        assert_eq!(v5, image);
        let v4 = wire::decode(&wire::encode_as(4, image.clone()).unwrap()).unwrap();
        let mut lacking = image;
        without_nudges(&mut lacking);
        assert_eq!(v4, lacking, "format 4 drops exactly what it predates");
    }
}

#[test]
fn the_v3_fixtures_hold_indicators_and_older_ones_none() {
    let kinds = |image: &Image, conv: &str| -> Vec<(String, String, u32)> {
        image
            .keys
            .iter()
            .filter(|(k, _)| &*k.conversation == conv)
            .flat_map(|(_, st)| &st.indicators)
            .map(|s| (s.indicator.kind.to_string(), s.indicator.value.clone(), s.count))
            .collect()
    };
    let t = decoded(3, "tracker");
    assert_eq!(
        kinds(&t, "IND-1"),
        [
            ("gift_card".into(), "K7Q2M4XPL9ZR8TW".into(), 1),
            ("payment_handle".into(), "$northwind77".into(), 2),
            (
                "wallet".into(),
                "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".into(),
                1
            ),
        ]
    );
    let wallet = t
        .keys
        .iter()
        .flat_map(|(_, st)| &st.indicators)
        .find(|s| s.indicator.detail.as_deref() == Some("bitcoin"));
    assert_eq!(wallet.and_then(|s| s.indicator.checked), Some(true));
    let c = decoded(3, "conversation");
    assert_eq!(
        kinds(&c, "sample-1"),
        [
            ("phone".into(), "+447700900123".into(), 1),
            ("handle".into(), "northwind_77".into(), 1),
        ]
    );
    for version in [1, 2] {
        for kind in ["tracker", "conversation"] {
            let image = decoded(version, kind);
            assert!(image.keys.iter().all(|(_, st)| st.indicators.is_empty()));
        }
    }
}

#[test]
fn forged_indicators_are_refused_and_unknown_kinds_dropped() {
    let mut t = Tracker::new(std::sync::Arc::new(crate::Engine::default()));
    t.observe(&dm(
        "c1",
        "m1",
        0,
        ("a", Adult),
        ("k", Minor),
        "text me +44 7700 900123",
    ));
    let image = t.image(None);
    let bytes = wire::encode_as(3, image.clone()).unwrap();
    // The kind's name is written as text: rename it to one this build does not know.
    let at = bytes.windows(5).rposition(|w| w == b"phone").unwrap();
    let mut renamed = bytes.clone();
    renamed[at..at + 5].copy_from_slice(b"fax_x");
    let payload = &renamed[22..];
    let crc = crc32fast::hash(payload).to_le_bytes();
    renamed[18..22].copy_from_slice(&crc);
    let decoded = wire::decode(&renamed).unwrap();
    assert!(decoded.keys.iter().all(|(_, st)| st.indicators.is_empty()));
    // A reversed span is refused.
    let mut bad = image;
    for (_, st) in &mut bad.keys {
        for s in &mut st.indicators {
            std::mem::swap(&mut s.indicator.span.start, &mut s.indicator.span.end);
        }
    }
    assert!(wire::decode(&wire::encode_as(3, bad).unwrap()).is_err());
}
