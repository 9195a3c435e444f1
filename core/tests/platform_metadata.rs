//! Platforms' own metadata: messages written with a platform's words (`"whisper"`, `"lobby"`,
//! `"follower"`), numeric ages and epoch timestamps are all read, and score exactly as the same
//! conversations written with Vigil's kinds (`tests/vectors/platform.input.jsonl` against
//! `platform.canonical.jsonl`). Arbitrary words and ages never lose a message.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;
use serde_json::Value;
use vigil::{Channel, Engine, Message, Policy, Relationship, Tracker};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn read(name: &str) -> Vec<Message> {
    let text = fs::read_to_string(vectors().join(name)).unwrap();
    vigil::jsonl::parse(&text)
        .enumerate()
        .map(|(i, m)| m.unwrap_or_else(|e| panic!("{name}: message {}: {e}", i + 1)))
        .collect()
}

/// Every observation of `messages` as JSON, without the `platform` words (which only the
/// platform-worded file has).
fn observe(messages: &[Message]) -> Vec<Value> {
    let mut tracker = Tracker::new(Arc::new(Engine::default()));
    messages
        .iter()
        .map(|m| {
            let mut v = serde_json::to_value(tracker.observe(m)).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("platform");
            if let Some(e) = o.get_mut("escalation").and_then(Value::as_object_mut) {
                e.remove("platform");
            }
            v
        })
        .collect()
}

#[test]
fn platform_words_score_as_the_kinds_they_mean() {
    let platform = read("platform.input.jsonl");
    let canonical = read("platform.canonical.jsonl");
    assert_eq!(
        platform.len(),
        canonical.len(),
        "one canonical message per platform message"
    );
    let (a, b) = (observe(&platform), observe(&canonical));
    for (i, (a, b)) in a.iter().zip(&b).enumerate() {
        assert_eq!(a, b, "message {} scores differently", i + 1);
    }
    let escalations = a.iter().filter(|o| !o["escalation"].is_null()).count();
    assert!(escalations >= 4, "the vector escalates ({escalations})");
}

#[test]
fn observations_and_escalations_keep_the_platform_words() {
    let mut tracker = Tracker::new(Arc::new(Engine::default()));
    let mut seen = Vec::new();
    for m in read("platform.input.jsonl") {
        let o = tracker.observe(&m);
        if let Some(p) = &o.platform {
            let c = p
                .channel
                .as_ref()
                .map(|w| (w.word.clone(), w.kind.clone(), w.mapped));
            seen.push((m.conversation_id.clone(), c));
        }
        if let Some(e) = &o.escalation {
            assert_eq!(
                e.platform, o.platform,
                "the escalation keeps the words it was raised under"
            );
        }
    }
    let of = |conv: &str| seen.iter().find(|(c, _)| c == conv).and_then(|(_, w)| w.clone());
    assert_eq!(of("p-1"), Some(("whisper".into(), "direct".into(), true)));
    assert_eq!(of("p-2"), Some(("Lobby".into(), "public".into(), true)));
    // A word no layer maps is scored as unknown, kept as written, and marked.
    assert_eq!(of("4004"), Some(("hologram".into(), "unknown".into(), false)));
}

#[test]
fn when_conditions_name_kinds_or_platform_words() {
    let policy = Policy::builder()
        .add_shipped()
        .unwrap()
        .add_toml(
            "acme.toml",
            r#"
            [policy]
            id = "acme"
            [metadata]
            adult_age = 16
            [metadata.channel]
            public = ["arena"]
            [[modifier]]
            id = "arena-chat"
            when = { channel = ["Arena"] }
            multiply = 1.5
            "#,
        )
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(policy.metadata().channel("ARENA").kind, Channel::Public);
    assert_eq!(
        policy.metadata().relationship("friend").kind,
        Relationship::Contact
    );
    let engine = Arc::new(Engine::new(policy).unwrap());
    let msg = |channel: &str| {
        Message::from_json(&format!(
            r#"{{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{{"id":"a","age":17}},
                "channel":"{channel}","text":"how old are you"}}"#
        ))
        .unwrap()
    };
    let applied = |engine: &Engine, m: &Message| -> Vec<String> {
        engine
            .assess(m)
            .modifiers
            .iter()
            .map(|m| m.id.to_string())
            .collect()
    };
    assert!(applied(&engine, &msg("arena")).contains(&"arena-chat".to_string()));
    assert!(
        !applied(&engine, &msg("lobby")).contains(&"arena-chat".to_string()),
        "a word matches only itself"
    );
    // adult_age 16: a 17-year-old writing to a 12-year-old is an adult under this policy, not
    // under the shipped one (18).
    let mut m = msg("dm");
    m.recipient = Some(vigil::Participant::new("b", vigil::AgeBand::Unknown));
    if let Some(r) = m.recipient.as_mut() {
        r.age = Some(12);
    }
    assert!(applied(&engine, &m).contains(&"adult-to-minor".to_string()));
    assert!(!applied(&Engine::default(), &m).contains(&"adult-to-minor".to_string()));
}

#[test]
fn a_metadata_word_cannot_rename_a_kind_or_mean_two() {
    let build = |toml: &str| {
        Policy::builder()
            .add_shipped()
            .unwrap()
            .add_toml("acme.toml", toml)
            .unwrap()
            .build()
    };
    let e = build("[metadata.channel]\npublic = [\"direct\"]").unwrap_err();
    assert!(e.to_string().contains("name of the kind"), "{e}");
    let e = build("[metadata.channel]\npublic = [\"arena\"]\ngroup = [\"Arena\"]").unwrap_err();
    assert!(e.to_string().contains("two kinds"), "{e}");
    let e = build("[metadata]\nadult_age = 0").unwrap_err();
    assert!(e.to_string().contains("adult_age"), "{e}");
    // A later layer moves a word to another kind.
    let p = build("[metadata.channel]\ngroup = [\"lobby\"]").unwrap();
    assert_eq!(p.metadata().channel("lobby").kind, Channel::Group);
}

fn shared_engine() -> &'static Arc<Engine> {
    static ENGINE: std::sync::OnceLock<Arc<Engine>> = std::sync::OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(Engine::default()))
}

fn line(channel: &str, relationship: &str, age: &Value, band: &Value) -> String {
    serde_json::json!({
        "conversation_id": "c", "message_id": "m", "timestamp": 1_793_556_245,
        "sender": {"id": "a", "age": age, "age_band": band},
        "recipient": {"id": "b", "age": age, "age_band": band},
        "channel": channel, "relationship": relationship,
        "text": "how old are you? add me on snap"
    })
    .to_string()
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// No channel or relationship word, age or age band loses a message: it is read, kept as
    /// written, and scored.
    #[test]
    fn arbitrary_metadata_never_loses_the_message(
        channel in any::<String>(),
        relationship in any::<String>(),
        age in scalar(),
        band in scalar(),
    ) {
        let engine = Arc::clone(shared_engine());
        let text = line(&channel, &relationship, &age, &band);
        let m = Message::from_json(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&m.channel, &channel);
        prop_assert_eq!(&m.relationship, &relationship);
        let mut t = Tracker::new(engine);
        let o = t.observe(&m);
        prop_assert!(!o.assessment.hits.is_empty());
        // A word that is not a kind's name travels with the observation.
        let kind = |w: &str| Channel::from_name(w).is_some();
        if !channel.is_empty() && !kind(&channel) {
            let w = o.platform.as_ref().and_then(|p| p.channel.as_ref());
            prop_assert_eq!(w.map(|w| w.word.as_str()), Some(channel.as_str()));
        }
    }
}
