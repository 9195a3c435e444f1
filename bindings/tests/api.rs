//! The FFI layer's own API: errors carry the core's messages, objects are thread-safe,
//! snapshots round-trip, and messages convert both ways without loss.

use std::sync::Arc;
use std::thread;

use vigil_ffi::*;

fn msg(id: &str, text: &str) -> Message {
    Message {
        conversation_id: "c-1".into(),
        message_id: id.into(),
        timestamp_ms: 1_762_020_245_000,
        sender: Participant {
            id: "u-9".into(),
            age_band: AgeBand::Adult,
            age: None,
            account_age_days: Some(2),
        },
        recipient: Some(Participant {
            id: "u-4".into(),
            age_band: AgeBand::Minor,
            age: Some(12),
            account_age_days: None,
        }),
        channel: Channel::Direct,
        relationship: Relationship::Stranger,
        text: text.into(),
    }
}

#[test]
fn policy_errors_carry_the_core_message() {
    let text = "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nwieght = 3\n";
    let core = vigil::Policy::builder()
        .add_toml("my.toml", text)
        .unwrap_err()
        .to_string();
    let err = Arc::new(PolicyBuilder::new())
        .add_toml("my.toml".into(), text.into())
        .unwrap_err();
    assert!(matches!(err, VigilError::Policy(_)));
    assert_eq!(err.to_string(), core);
    assert!(err.to_string().starts_with("my.toml:4:1"), "{err}");
}

#[test]
fn a_failed_add_leaves_the_builder_as_it_was() {
    let b = Arc::new(PolicyBuilder::new()).add_shipped().unwrap();
    assert!(b.clone().add_toml("bad.toml".into(), "[[rule]\n".into()).is_err());
    let policy = b.build().unwrap();
    assert_eq!(policy.hash(), Policy::shipped().unwrap().hash());
}

#[test]
fn unknown_pack_and_missing_file_are_errors() {
    let e = Arc::new(PolicyBuilder::new())
        .add_pack("klingon".into())
        .unwrap_err();
    assert!(e.to_string().contains("no shipped pack named `klingon`"), "{e}");
    let e = Arc::new(PolicyBuilder::new())
        .add_file("/nonexistent/acme.toml".into())
        .unwrap_err();
    assert!(matches!(e, VigilError::Io { .. }));
    assert!(e.to_string().starts_with("/nonexistent/acme.toml: "), "{e}");
}

#[test]
fn message_errors_name_the_field() {
    let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
    let e =
        tracker.observe_json(r#"{"conversation_id":"c","timestamp":0,"sender":{"id":"a"},"text":""}"#.into());
    let e = e.unwrap_err();
    assert!(matches!(e, VigilError::Message(_)));
    assert!(e.to_string().contains("message_id"), "{e}");
    let mut m = msg("m-1", "hi");
    m.sender.id = String::new();
    let e = tracker.observe(m).unwrap_err();
    assert!(e.to_string().contains("sender.id"), "{e}");
    assert_eq!(tracker.stats().observed, 0, "an invalid message is not observed");
    assert!(matches!(
        parse_timestamp("yesterday".into()),
        Err(VigilError::Timestamp(_))
    ));
}

#[test]
fn messages_convert_both_ways() {
    let m = msg("m-1", "how old are you?");
    let json = message_to_json(m.clone());
    assert_eq!(parse_message(json).unwrap(), m);
    assert_eq!(
        format_timestamp(parse_timestamp("2026-11-01T18:04:05Z".into()).unwrap()),
        "2026-11-01T18:04:05Z"
    );
}

#[test]
fn assess_matches_the_core() {
    let engine = Engine::shipped().unwrap();
    let m = msg("m-1", "d0n'7 t e l l ur parents about us");
    let a = engine.assess(m.clone()).unwrap();
    let core = vigil::Engine::new(vigil::Policy::shipped().unwrap())
        .unwrap()
        .assess(&m.clone().into());
    assert_eq!(a.hits.len(), core.hits.len());
    assert!(a.score > 0.0);
    let json = engine.assess_json(message_to_json(m)).unwrap();
    assert_eq!(json, serde_json::to_string(&core).unwrap());
    assert!(engine.check_examples().is_empty());
    assert!(engine.rule_count() > 0);
    assert_eq!(engine.policy().hash(), Policy::shipped().unwrap().hash());
}

/// The messages of conversation `t` in the thread test: its own sender (so no fan-out links
/// conversations), a mix of risky and benign lines, one minute apart.
fn thread_messages(t: usize) -> Vec<Message> {
    const TEXTS: [&str; 6] = [
        "hey how was school",
        "how old are you?",
        "dont tell your parents about us",
        "add me on snap",
        "lol ok",
        "send a pic, our secret",
    ];
    (0..30)
        .map(|i| {
            let mut m = msg(&format!("m-{t}-{i}"), TEXTS[(i + t) % TEXTS.len()]);
            m.conversation_id = format!("c-{t}");
            m.sender.id = format!("u-9-{t}");
            m.timestamp_ms += 60_000 * i as i64;
            m
        })
        .collect()
}

#[test]
fn trackers_are_shared_across_threads() {
    // One binding Tracker fed by 8 threads gives every message the observation a serial run
    // gives, and the same counters: nothing lost or doubled.
    let engine = Arc::new(Engine::shipped().unwrap());
    let serial = Tracker::new(engine.clone());
    let expected: Vec<Vec<String>> = (0..8)
        .map(|t| {
            thread_messages(t)
                .into_iter()
                .map(|m| serial.observe(m).unwrap().json)
                .collect()
        })
        .collect();
    let tracker = Arc::new(Tracker::new(engine));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let tracker = tracker.clone();
            thread::spawn(move || {
                thread_messages(t)
                    .into_iter()
                    .map(|m| tracker.observe(m).unwrap().json)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for (t, h) in handles.into_iter().enumerate() {
        assert_eq!(h.join().unwrap(), expected[t], "conversation c-{t}");
    }
    let (shared, alone) = (tracker.stats(), serial.stats());
    assert_eq!(shared.observed, 240);
    assert_eq!(shared.keys, 8);
    assert!(shared.escalations >= 8, "every conversation escalates");
    assert_eq!(
        (shared.observed, shared.keys, shared.escalations),
        (alone.observed, alone.keys, alone.escalations)
    );
}

#[test]
fn snapshots_round_trip_and_bad_bytes_are_errors() {
    let engine = Arc::new(Engine::shipped().unwrap());
    let a = Tracker::new(engine.clone());
    a.observe(msg("m-1", "how old are you? dont tell your mum"))
        .unwrap();
    let b = Tracker::new(engine.clone());
    b.restore(a.snapshot()).unwrap();
    assert_eq!(b.len(), a.len());
    let next = msg("m-2", "add me on snap");
    assert_eq!(
        a.observe(next.clone()).unwrap().json,
        b.observe(next).unwrap().json
    );
    let e = b.restore(b"not a snapshot".to_vec()).unwrap_err();
    assert!(matches!(e, VigilError::Snapshot(_)));
    assert_eq!(e.to_string(), "not a Vigil snapshot (bad magic bytes)");
    let c = Tracker::new(engine);
    c.restore_conversation(a.snapshot_conversation("c-1".into()))
        .unwrap();
    assert_eq!(c.len(), 1);
    c.clear();
    assert!(c.is_empty());
}

#[test]
fn an_escalation_is_serialized_once_and_read_by_field() {
    let engine = Arc::new(Engine::shipped().unwrap());
    let (records, lines, escalations_only) = (
        Tracker::new(engine.clone()),
        Tracker::new(engine.clone()),
        Tracker::new(engine),
    );
    let texts = [
        "how old are you?",
        "dont tell your parents about us",
        "hi",
        "add me on snap",
        "send a pic",
    ];
    let mut escalated = 0;
    for (i, text) in texts.iter().enumerate() {
        let line = message_to_json(msg(&format!("m-{i}"), text));
        let obs = records.observe(parse_message(line.clone()).unwrap()).unwrap();
        assert_eq!(obs.json, lines.observe_json(line.clone()).unwrap());
        let only = escalations_only.observe_json_escalation(line).unwrap();
        let whole: serde_json::Value = serde_json::from_str(&obs.json).unwrap();
        match &obs.escalation {
            Some(e) => {
                escalated += 1;
                // The record's document is the observation's `escalation` member, byte for byte.
                assert!(obs.json.contains(&format!("\"escalation\":{}", e.json)));
                assert_eq!(
                    whole["escalation"],
                    serde_json::from_str::<serde_json::Value>(&e.json).unwrap()
                );
                assert_eq!(only.as_deref(), Some(e.json.as_str()));
            }
            None => {
                assert!(whole["escalation"].is_null());
                assert_eq!(only, None);
            }
        }
    }
    assert!(escalated >= 2, "{escalated}");
    assert_eq!(escalations_only.stats().observed, texts.len() as u64);
}
