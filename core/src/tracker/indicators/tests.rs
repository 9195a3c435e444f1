use std::sync::Arc;

use crate::indicators::IndicatorKind;
use crate::testutil::{dm, POLICY};
use crate::{AgeBand, Engine, Escalation, Message, Policy, Tracker};

const ADULT: AgeBand = AgeBand::Adult;
const MINOR: AgeBand = AgeBand::Minor;

/// The unit-test policy with an `[indicators]` layer on top.
fn engine_with(indicators: &str) -> Arc<Engine> {
    let policy = Policy::builder()
        .add_toml("test.toml", POLICY)
        .and_then(|b| b.add_toml("indicators.toml", indicators))
        .and_then(|b| b.build())
        .unwrap();
    Arc::new(Engine::new(policy).unwrap())
}

fn enabled() -> Arc<Engine> {
    engine_with(
        r#"
        [indicators]
        enabled = true
        [indicators.report]
        phone = "reported/phone"
        handle = "reported/screenName"
        "#,
    )
}

fn to_child(id: &str, minutes: i64, text: &str) -> Message {
    dm("c1", id, minutes, ("adult", ADULT), ("kid", MINOR), text)
}

fn to_adult(id: &str, minutes: i64, text: &str) -> Message {
    dm("c1", id, minutes, ("kid", MINOR), ("adult", ADULT), text)
}

/// The sightings a tracker holds for one key, as (kind, value, message id, count).
fn held(t: &Tracker, sender: &str) -> Vec<(IndicatorKind, String, String, u32)> {
    t.keys
        .iter()
        .filter(|(k, _)| &*k.sender == sender)
        .flat_map(|(_, st)| st.indicators.iter())
        .map(|s| {
            (
                s.indicator.kind,
                s.indicator.value.clone(),
                s.message_id.clone(),
                s.count,
            )
        })
        .collect()
}

fn values(e: &Escalation) -> Vec<(&str, &str, u32)> {
    e.indicators
        .iter()
        .map(|i| (i.kind.as_str(), i.value.as_str(), i.count))
        .collect()
}

#[test]
fn a_policy_that_never_asks_extracts_nothing() {
    let engine = crate::testutil::engine();
    assert!(!engine.policy().indicators().enabled);
    assert!(engine.indicators.is_none(), "no extractor is built");
    let mut t = Tracker::new(engine);
    let e = t
        .observe(&to_child("1", 0, "lets meet up, text me +44 7700 900123"))
        .escalation
        .expect("escalates");
    assert!(e.indicators.is_empty());
    assert!(e.report_hints.indicators.is_empty());
    assert!(held(&t, "adult").is_empty());
    let json = e.to_json();
    assert!(
        !json.contains("\"indicators\""),
        "absent from the document: {json}"
    );
}

#[test]
fn each_key_keeps_what_its_own_sender_wrote() {
    let mut t = Tracker::new(enabled());
    t.observe(&to_child("1", 0, "add me on snap: northwind_77"));
    t.observe(&to_adult("2", 1, "ok my number is 07700 900456"));
    let e = t
        .observe(&to_child("3", 2, "lets meet up, text me +44 7700 900123"))
        .escalation
        .expect("escalates");
    assert_eq!(
        values(&e),
        [("handle", "northwind_77", 1), ("phone", "+447700900123", 1)],
        "the adult's escalation lists the adult's details only"
    );
    assert_eq!(e.indicators[0].detail.as_deref(), Some("snapchat"));
    assert_eq!(e.indicators[0].message_id, "1");
    assert_eq!(e.indicators[1].message_id, "3");
    assert_eq!(
        held(&t, "kid"),
        [(
            IndicatorKind::Phone,
            "07700900456".to_string(),
            "2".to_string(),
            1
        )],
        "the child's own number stays in the child's key"
    );
}

#[test]
fn repeats_count_on_the_first_sighting() {
    let mut t = Tracker::new(enabled());
    t.observe(&to_child("1", 0, "text me +44 7700 900123"));
    t.observe(&to_child(
        "2",
        1,
        "my number again: +447700900123, +44 7700 900123",
    ));
    let e = t
        .observe(&to_child("3", 2, "lets meet up"))
        .escalation
        .expect("escalates");
    assert_eq!(values(&e), [("phone", "+447700900123", 3)]);
    assert_eq!(e.indicators[0].message_id, "1", "the first sighting is kept");
    assert_eq!((e.indicators[0].span.start, e.indicators[0].span.end), (8, 23));
}

#[test]
fn a_key_keeps_at_most_max_items() {
    let mut t = Tracker::new(engine_with("[indicators]\nenabled = true\nmax_items = 2"));
    t.observe(&to_child("1", 0, "text me +44 7700 900123"));
    t.observe(&to_child("2", 1, "or mail me at someone@example.com"));
    t.observe(&to_child("3", 2, "or snap: northwind_77"));
    t.observe(&to_child("4", 3, "text me +44 7700 900123"));
    let e = t
        .observe(&to_child("5", 4, "lets meet up"))
        .escalation
        .expect("escalates");
    assert_eq!(
        values(&e),
        [("phone", "+447700900123", 2), ("email", "someone@example.com", 1)],
        "the first two are kept and still counted; the third is not kept"
    );
}

#[test]
fn kinds_narrow_what_is_kept() {
    let mut t = Tracker::new(engine_with(
        "[indicators]\nenabled = true\nkinds = [\"wallet\", \"email\"]",
    ));
    t.observe(&to_child("1", 0, "text me +44 7700 900123"));
    t.observe(&to_child("2", 1, "or mail me at someone@example.com"));
    let e = t
        .observe(&to_child("3", 2, "lets meet up"))
        .escalation
        .expect("escalates");
    assert_eq!(values(&e), [("email", "someone@example.com", 1)]);
    let ind = t.engine().policy().indicators();
    assert_eq!(ind.kinds, [IndicatorKind::Email, IndicatorKind::Wallet]);
    assert!(ind.keeps(IndicatorKind::Wallet) && !ind.keeps(IndicatorKind::Phone));
}

#[test]
fn spans_are_char_boundaries_of_the_named_message_and_text_is_read_up_to_the_limit() {
    let mut t = Tracker::new(enabled());
    let mut texts = std::collections::HashMap::new();
    let msgs = [
        to_child("1", 0, "héllo 😊 snap: northwind_77"),
        to_child("2", 1, "ça va? ☎ +44 7700 900123 ok"),
        // The test policy reads 64 bytes: the number past them is not read.
        to_child(
            "3",
            2,
            "lets meet up — a long message with the number at the very end +44 7700 900999",
        ),
    ];
    let mut last = None;
    for m in &msgs {
        texts.insert(m.message_id.clone(), m.text.clone());
        last = t.observe(m).escalation.or(last);
    }
    let e = last.expect("escalates");
    assert_eq!(e.indicators.len(), 2, "{:?}", values(&e));
    for i in &e.indicators {
        let text = &texts[&i.message_id];
        assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end));
        assert!(i.span.start < i.span.end && i.span.end <= text.len());
        let written: String = text[i.span.start..i.span.end]
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let value: String = i.value.chars().filter(char::is_ascii_alphanumeric).collect();
        assert_eq!(written.to_lowercase(), value, "the span is the value as written");
    }
}

#[test]
fn report_hints_route_the_senders_details_by_kind() {
    let mut t = Tracker::new(enabled());
    t.observe(&to_child(
        "1",
        0,
        "mail me at someone@example.com or snap: northwind_77",
    ));
    let e = t
        .observe(&to_child("2", 1, "lets meet up, text me +44 7700 900123"))
        .escalation
        .expect("escalates");
    let routed: Vec<(&str, &str, &str)> = e
        .report_hints
        .indicators
        .iter()
        .map(|h| (h.field.as_str(), h.kind.as_str(), h.value.as_str()))
        .collect();
    assert_eq!(
        routed,
        [
            ("reported/screenName", "handle", "northwind_77"),
            ("reported/phone", "phone", "+447700900123"),
        ],
        "kinds without a field (email here) are listed as indicators but not routed"
    );
    assert_eq!(e.indicators.len(), 3);
}

#[test]
fn a_childs_own_details_are_never_routed_to_the_reported_person() {
    // A child writing to an adult: the test policy's meeting rule is for adult senders, so a
    // child's key escalates on secrecy here.
    let mut t = Tracker::new(enabled());
    let e = t
        .observe(&to_adult("1", 0, "this is our secret, text me 07700 900456"))
        .escalation
        .expect("escalates");
    assert_eq!(values(&e), [("phone", "07700900456", 1)]);
    assert!(e.report_hints.indicators.is_empty());
}

#[test]
fn layers_override_the_table_and_bad_values_are_refused() {
    let on = enabled();
    let p = on.policy().indicators();
    assert!(p.enabled);
    assert_eq!(p.max_items, crate::policy::defaults::MAX_INDICATORS);
    assert_eq!(p.kinds, IndicatorKind::ALL);
    assert_eq!(p.report_field(IndicatorKind::Phone), Some("reported/phone"));
    assert_eq!(p.report_field(IndicatorKind::Wallet), None);
    let off = Policy::builder()
        .add_toml("test.toml", POLICY)
        .and_then(|b| b.add_toml("a.toml", "[indicators]\nenabled = true\nmax_items = 5"))
        .and_then(|b| b.add_toml("b.toml", "[indicators]\nenabled = false"))
        .and_then(|b| b.build())
        .unwrap();
    assert!(!off.indicators().enabled);
    assert_eq!(
        off.indicators().max_items,
        5,
        "a later layer changes only what it names"
    );
    for bad in [
        "[indicators]\nmax_items = 0",
        "[indicators]\nmax_items = 1001",
        "[indicators]\nkinds = [\"fax\"]",
        "[indicators]\nenable = true",
        "[indicators.report]\nphone = \" \"",
    ] {
        let r = Policy::builder()
            .add_toml("test.toml", POLICY)
            .and_then(|b| b.add_toml("bad.toml", bad))
            .and_then(|b| b.build());
        assert!(r.is_err(), "{bad} is refused");
    }
}

#[test]
fn a_policy_without_the_table_hashes_as_before() {
    let plain = crate::testutil::policy();
    assert!(!plain.to_json().contains("\"indicators\""));
    let same = Policy::builder()
        .add_toml("test.toml", POLICY)
        .and_then(|b| b.add_toml("off.toml", "[indicators]\nenabled = false"))
        .and_then(|b| b.build())
        .unwrap();
    assert!(
        !same.to_json().contains("\"indicators\""),
        "disabled with the defaults serializes (and hashes) as no table at all"
    );
    assert!(enabled().policy().to_json().contains("\"indicators\""));
}

#[test]
fn snapshots_carry_a_keys_indicators_and_a_policy_without_them_drops_them() {
    let mut t = Tracker::new(enabled());
    t.observe(&to_child("1", 0, "snap: northwind_77"));
    t.observe(&to_child("2", 1, "text me +44 7700 900123"));
    for bytes in [t.snapshot(), t.snapshot_conversation("c1")] {
        let mut restored = Tracker::new(enabled());
        restored.restore(&bytes).unwrap();
        let e = restored
            .observe(&to_child("3", 2, "lets meet up, snap me northwind_77"))
            .escalation
            .expect("escalates");
        assert_eq!(
            values(&e),
            [("handle", "northwind_77", 2), ("phone", "+447700900123", 1)]
        );
        let mut plain = Tracker::new(crate::testutil::engine());
        plain.restore(&bytes).unwrap();
        assert!(
            held(&plain, "adult").is_empty(),
            "a policy that keeps none holds none"
        );
        let mut narrow = Tracker::new(engine_with("[indicators]\nenabled = true\nkinds = [\"phone\"]"));
        narrow.restore_conversation(&bytes).unwrap();
        assert_eq!(held(&narrow, "adult").len(), 1, "only the kinds the policy keeps");
    }
}

#[test]
fn the_sharded_tracker_escalates_with_the_same_indicators() {
    let engine = enabled();
    // The test policy holds 3 keys: room for all of them in both.
    let mut single = Tracker::new(engine.clone()).with_capacity(100);
    let sharded = crate::SharedTracker::with_shards(engine, 4).with_capacity(400);
    let msgs = [
        to_child("1", 0, "snap: northwind_77"),
        to_adult("2", 1, "ok my number is 07700 900456"),
        dm(
            "c2",
            "3",
            2,
            ("adult", ADULT),
            ("kid2", MINOR),
            "text me +44 7700 900123",
        ),
        to_child("4", 3, "lets meet up, text me +44 7700 900123"),
        dm("c2", "5", 4, ("adult", ADULT), ("kid2", MINOR), "lets meet up"),
    ];
    let mut escalations = 0;
    for m in &msgs {
        let a = single.observe(m);
        let b = sharded.observe(m);
        assert_eq!(a.escalation, b.escalation, "message {}", m.message_id);
        escalations += usize::from(a.escalation.is_some_and(|e| !e.indicators.is_empty()));
    }
    assert_eq!(escalations, 3, "messages 1, 4 and 5");
}
