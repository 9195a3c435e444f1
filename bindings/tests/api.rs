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
        channel: "direct".into(),
        relationship: "stranger".into(),
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
fn timestamps_read_as_message_timestamps_do() {
    // `parse_timestamp` accepts what the core's `Timestamp::parse` accepts, to the millisecond.
    let t = 1_793_556_245_000;
    for text in [
        "2026-11-01T18:04:05Z",
        "2026-11-01 19:04:05+01:00",
        "1793556245",
        " 1793556245000 ",
        "1793556245000000",
        "1793556245000000000",
    ] {
        assert_eq!(parse_timestamp(text.into()).unwrap(), t, "{text}");
        assert_eq!(
            vigil::Timestamp::parse(text).unwrap().as_millis(),
            t,
            "{text} (core)"
        );
    }
    assert_eq!(parse_timestamp("1793556245.25".into()).unwrap(), t + 250);
    for bad in ["yesterday", "", "12:00"] {
        let e = parse_timestamp(bad.into()).unwrap_err();
        assert!(matches!(e, VigilError::Timestamp(_)), "{bad}: {e:?}");
        assert_eq!(
            e.to_string(),
            vigil::Timestamp::parse(bad).unwrap_err().to_string()
        );
    }
}

#[test]
fn a_platform_export_reads_leniently_into_a_record() {
    // A line as a platform might export it: integer ids, ages as digits or numbers, a band word
    // Vigil does not know, epoch milliseconds as digits, the platform's own metadata words.
    let line = r#"{"conversation_id": 4004, "message_id": 7, "timestamp": "1793556245000",
        "sender": {"id": 9001, "age_band": "grown-up", "age": "40", "account_age_days": 3.0},
        "recipient": {"id": "u-4", "age_band": "Minor", "age": 13.5},
        "channel": "Lobby", "relationship": "friend", "text": "hi", "extra": true}"#;
    let m = parse_message(line.into()).unwrap();
    assert_eq!(m, vigil::Message::from_json(line).unwrap().into());
    assert_eq!(
        (
            m.conversation_id.as_str(),
            m.message_id.as_str(),
            m.sender.id.as_str()
        ),
        ("4004", "7", "9001")
    );
    assert_eq!(m.timestamp_ms, 1_793_556_245_000);
    assert_eq!(
        (m.sender.age_band, m.sender.age, m.sender.account_age_days),
        (AgeBand::Unknown, Some(40), Some(3))
    );
    let r = m.recipient.as_ref().unwrap();
    assert_eq!((r.age_band, r.age), (AgeBand::Minor, Some(13)));
    assert_eq!((m.channel.as_str(), m.relationship.as_str()), ("Lobby", "friend"));
    // What cannot be read is still an error naming the field.
    let e = parse_message(line.replace(r#""1793556245000""#, r#""soon""#)).unwrap_err();
    assert!(matches!(e, VigilError::Message(_)));
    assert!(e.to_string().starts_with("field `timestamp`: "), "{e}");
}

#[test]
fn platform_words_are_scored_by_kind_and_kept() {
    let engine = Arc::new(Engine::shipped().unwrap());
    let tracker = Tracker::new(engine.clone());
    let mut m = msg("m-1", "how old are you? dont tell your parents about us");
    m.channel = "lobby".into();
    m.relationship = "friend".into();
    let obs = tracker.observe(m.clone()).unwrap();
    let platform = obs.platform.clone().unwrap();
    assert_eq!(
        platform.channel,
        Some(PlatformWord {
            word: "lobby".into(),
            kind: "public".into(),
            mapped: true
        })
    );
    assert_eq!(
        platform.relationship,
        Some(PlatformWord {
            word: "friend".into(),
            kind: "contact".into(),
            mapped: true
        })
    );
    // Scored as the kinds: a public channel has no recipient on the key.
    assert_eq!(obs.recipient, None);
    let esc = obs.escalation.expect("the message escalates");
    assert_eq!(esc.channel, Channel::Public);
    assert_eq!(esc.relationship, Relationship::Contact);
    assert_eq!(esc.platform, Some(platform));
    // Exactly what the core gives for the same message.
    let core = vigil::Tracker::new(Arc::new(
        vigil::Engine::new(vigil::Policy::shipped().unwrap()).unwrap(),
    ))
    .observe(&m.into());
    assert_eq!(obs.json, core.to_json());

    // A word no layer maps is scored as unknown, kept, and not mapped; kinds' names are not
    // repeated under `platform`.
    let mut m = msg("m-2", "hi");
    m.channel = "hologram".into();
    let obs = tracker.observe(m).unwrap();
    let platform = obs.platform.unwrap();
    assert_eq!(
        platform.channel,
        Some(PlatformWord {
            word: "hologram".into(),
            kind: "unknown".into(),
            mapped: false
        })
    );
    assert_eq!(platform.relationship, None, "`stranger` is a kind's name");
    assert_eq!(tracker.observe(msg("m-3", "hi")).unwrap().platform, None);
}

#[test]
fn the_policy_vocabulary_is_the_core_one() {
    let engine = Engine::shipped().unwrap();
    let core = vigil::Policy::shipped().unwrap();
    let meta = core.metadata();
    for word in ["dm", "Lobby", "party chat", "direct", "hologram", "", "  GAME "] {
        let (c, k) = (engine.channel_kind(word.into()), meta.channel(word));
        assert_eq!((c.kind, c.mapped), (k.kind.into(), k.mapped), "channel {word:?}");
    }
    for word in ["friend", "Friends", "none", "stranger", "nemesis", ""] {
        let (r, k) = (engine.relationship_kind(word.into()), meta.relationship(word));
        assert_eq!(
            (r.kind, r.mapped),
            (k.kind.into(), k.mapped),
            "relationship {word:?}"
        );
    }
    assert_eq!(
        engine.channel_kind("lobby".into()),
        ChannelKind {
            kind: Channel::Public,
            mapped: true
        }
    );
    assert_eq!(
        engine.relationship_kind("nemesis".into()),
        RelationshipKind {
            kind: Relationship::Unknown,
            mapped: false
        }
    );
    assert_eq!(engine.adult_age(), meta.adult_age);
    assert_eq!(engine.adult_age(), 18);
    // An override layer's words and adult age.
    let policy = Arc::new(PolicyBuilder::new())
        .add_shipped()
        .unwrap()
        .add_toml(
            "acme.toml".into(),
            "[metadata]\nadult_age = 16\n[metadata.channel]\npublic = [\"hologram\"]\n".into(),
        )
        .unwrap()
        .build()
        .unwrap();
    let acme = Engine::new(policy).unwrap();
    assert_eq!(acme.adult_age(), 16);
    assert_eq!(
        acme.channel_kind("Hologram".into()),
        ChannelKind {
            kind: Channel::Public,
            mapped: true
        }
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

/// The text a span covers (byte offsets into the UTF-8 text).
fn slice<'t>(text: &'t str, span: &Span) -> &'t str {
    text.get(span.start as usize..span.end as usize)
        .unwrap_or_else(|| panic!("{span:?} is not on character boundaries of {text:?}"))
}

#[test]
fn an_escalation_lists_indicators_field_by_field() {
    const ADDRESS: &str = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
    let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
    let first = msg(
        "m-1",
        &format!("how old r u? dont tell your parents, my btc is {ADDRESS}"),
    );
    let e = tracker.observe(first.clone()).unwrap().escalation.unwrap();
    let wallets: Vec<&EscalatedIndicator> = e
        .indicators
        .iter()
        .filter(|i| i.kind == IndicatorKind::Wallet)
        .collect();
    assert_eq!(wallets.len(), 1, "{:?}", e.indicators);
    let w = wallets[0];
    assert_eq!(w.value, ADDRESS);
    assert_eq!(w.detail.as_deref(), Some("bitcoin"));
    assert_eq!(w.checked, Some(true), "Base58Check holds");
    assert_eq!(w.message_id, "m-1");
    assert_eq!(slice(&first.text, &w.span), ADDRESS);
    assert_eq!(w.count, 1);
    // The document says the same.
    let doc: serde_json::Value = serde_json::from_str(&e.json).unwrap();
    let item = doc["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "wallet")
        .unwrap();
    assert_eq!(item["value"], ADDRESS);
    assert_eq!(item["span"]["start"], w.span.start);

    // Seen again in a later message that escalates (a new category): still the first sighting,
    // counted twice.
    let mut second = msg("m-2", &format!("send a pic, same btc {ADDRESS}"));
    second.timestamp_ms += 60_000;
    let e = tracker.observe(second).unwrap().escalation.unwrap();
    let w = e
        .indicators
        .iter()
        .find(|i| i.kind == IndicatorKind::Wallet)
        .unwrap();
    assert_eq!((w.message_id.as_str(), w.count), ("m-1", 2));
}
