use crate::error::SnapshotError;
use crate::testutil::{at, dm, engine};
use crate::{AgeBand, Channel, Level, Message, Participant, Tracker};

const ADULT: AgeBand = AgeBand::Adult;
const MINOR: AgeBand = AgeBand::Minor;
const UNKNOWN: AgeBand = AgeBand::Unknown;

fn to_child(id: &str, minutes: i64, text: &str) -> Message {
    dm("c1", id, minutes, ("adult", ADULT), ("kid", MINOR), text)
}

#[test]
fn risk_accumulates_decays_with_half_life_and_levels_follow() {
    let mut t = Tracker::new(engine());
    let o = t.observe(&to_child("1", 0, "lets meet up")); // 20 × 2 = 40
    assert_eq!(o.risk, 40.0);
    assert_eq!(o.level, Some(Level::Review));
    let e = o.escalation.expect("first crossing escalates");
    assert_eq!((e.level, e.previous_level, e.sequence), (Level::Review, None, 1));
    // One half-life later, an unrelated message: risk halves.
    let o = t.observe(&to_child("2", 60, "hello"));
    assert!((o.risk - 20.0).abs() < 1e-9, "{}", o.risk);
    assert_eq!(o.level, Some(Level::Watch));
    assert!(o.escalation.is_none(), "falling never escalates");
}

#[test]
fn escalates_only_when_level_rises_or_a_category_joins() {
    let mut t = Tracker::new(engine());
    assert!(t.observe(&to_child("1", 0, "lets meet up")).escalation.is_some());
    // Same category again, level stays review (capless meeting: 40 + 40 = 80 → urgent rises).
    let o = t.observe(&to_child("2", 0, "lets meet up"));
    assert_eq!(o.level, Some(Level::Urgent));
    let e = o.escalation.expect("level rose");
    assert_eq!(e.previous_level, Some(Level::Review));
    let o = t.observe(&to_child("3", 0, "lets meet up"));
    assert!(o.escalation.is_none(), "same state, no new escalation");
    let o = t.observe(&to_child("4", 0, "this is our secret"));
    let e = o.escalation.expect("a new category joined");
    assert_eq!(
        (e.level, e.previous_level, e.sequence),
        (Level::Urgent, Some(Level::Urgent), 3)
    );
    assert!(t.observe(&to_child("5", 0, "our secret")).escalation.is_none());
}

#[test]
fn escalation_document_carries_evidence_stages_and_policy() {
    let mut t = Tracker::new(engine());
    t.observe(&to_child("1", 0, "pls d0n'7 t e l l your parents"));
    let msg = to_child("2", 5, "i can pick you up after school");
    let o = t.observe(&msg);
    let e = o.escalation.expect("escalates");
    assert_eq!(e.schema, "vigil.escalation/1");
    assert_eq!(e.conversation_id, "c1");
    assert_eq!(e.participants.sender.id, "adult");
    assert_eq!(e.participants.recipient.as_ref().unwrap().age_band, MINOR);
    assert_eq!(e.evidence.len(), 2);
    assert_eq!(
        e.evidence[0].excerpt.as_deref(),
        Some("d0n'7 t e l l your parents")
    );
    assert_eq!(e.evidence[0].span.start, 4);
    assert_eq!(
        e.timeline.iter().map(|s| s.stage.as_str()).collect::<Vec<_>>(),
        ["isolation", "meeting"]
    );
    assert!(e.reasons.iter().any(|r| r.contains("secret")));
    assert!(
        e.reasons.iter().any(|r| r.contains("stages")),
        "two stages within a day earn the bonus: {:?}",
        e.reasons
    );
    assert_eq!(e.policy.id, "test");
    assert!(e.modifiers.contains(&"adult-to-minor".to_string()));
    assert_eq!(
        e.report_hints.incident_types,
        ["Online Enticement of Children for Sexual Acts"]
    );
    assert_eq!(o.stages.len(), 2);
    let json: serde_json::Value = serde_json::from_str(&e.to_json()).unwrap();
    for field in [
        "schema",
        "conversation_id",
        "level",
        "previous_level",
        "evidence",
        "policy",
        "report_hints",
    ] {
        assert!(json.get(field).is_some(), "{field}");
    }
    assert!(json["evidence"][0]["span"]["start"].is_u64());
}

#[test]
fn forced_level_escalates_at_once_and_sticks() {
    let mut t = Tracker::new(engine());
    let o = t.observe(&to_child("1", 0, "pay me or i will share it"));
    assert_eq!(o.level, Some(Level::Urgent));
    let e = o.escalation.unwrap();
    assert_eq!(e.level, Level::Urgent);
    assert!(e.report_hints.annotations.contains(&"sextortion".to_string()));
    let o = t.observe(&to_child("2", 100, "hi"));
    assert_eq!(o.level, Some(Level::Urgent), "a forced level does not decay");
}

#[test]
fn disclosed_age_makes_an_unknown_participant_a_probable_minor() {
    let mut t = Tracker::new(engine());
    let from_adult = |id: &str, m: i64, text: &str| dm("c2", id, m, ("adult", ADULT), ("kid", UNKNOWN), text);
    let o = t.observe(&from_adult("1", 0, "lets meet up"));
    assert_eq!(o.risk, 20.0, "no adult-to-minor yet");
    let o = t.observe(&dm("c2", "2", 1, ("kid", UNKNOWN), ("adult", ADULT), "im 13"));
    assert!(o.assessment.discloses_minor);
    let o = t.observe(&from_adult("3", 1, "lets meet up"));
    assert_eq!(o.assessment.score, 40.0, "now adult-to-minor applies");
    let e = o.escalation.unwrap();
    assert!(e.participants.recipient.unwrap().probable_minor);
    assert!(e.reasons.iter().any(|r| r.contains("disclosed being a child")));
}

#[test]
fn fan_out_to_several_minors_applies_its_modifier() {
    let mut t = Tracker::new(engine());
    let o = t.observe(&dm("a", "1", 0, ("x", ADULT), ("k1", MINOR), "lets meet up"));
    assert!(!o.assessment.modifiers.iter().any(|m| &*m.id == "fan-out"));
    let o = t.observe(&dm("b", "2", 1, ("x", ADULT), ("k2", MINOR), "lets meet up"));
    assert!(
        o.assessment.modifiers.iter().any(|m| &*m.id == "fan-out"),
        "two distinct minors within the hour"
    );
    assert_eq!(o.assessment.score, 60.0);
    let o = t.observe(&dm("c", "3", 200, ("x", ADULT), ("k3", MINOR), "lets meet up"));
    assert!(
        !o.assessment.modifiers.iter().any(|m| &*m.id == "fan-out"),
        "outside the window"
    );
}

#[test]
fn group_channels_key_by_sender_only() {
    let mut t = Tracker::new(engine());
    let g = |id: &str, text: &str| {
        Message::new("g", id, at(0), Participant::new("x", ADULT), text)
            .with_recipient(Participant::new("k", MINOR))
            .with_channel(Channel::Group)
    };
    let o = t.observe(&g("1", "lets meet up"));
    assert_eq!(o.recipient, None);
    assert_eq!(o.assessment.score, 20.0, "no recipient band in a group");
    t.observe(&g("2", "hi"));
    assert_eq!(t.len(), 1);
}

#[test]
fn capacity_evicts_least_recently_used_and_counts_it() {
    let mut t = Tracker::new(engine());
    for (i, conv) in ["a", "b", "c", "d"].iter().enumerate() {
        t.observe(&dm(conv, "1", i as i64, ("x", ADULT), ("k", MINOR), "hi"));
    }
    assert_eq!(t.len(), 3);
    assert_eq!(t.stats().evicted_capacity, 1);
    assert!(t.key_level("a", "x", Some("k")).is_none());
    assert!(t.key_level("d", "x", Some("k")).is_some());
}

#[test]
fn idle_keys_expire_by_message_time() {
    let mut t = Tracker::new(engine());
    t.observe(&dm("a", "1", 0, ("x", ADULT), ("k", MINOR), "lets meet up"));
    t.observe(&dm("b", "1", 200, ("y", ADULT), ("k", MINOR), "hi"));
    assert_eq!(t.len(), 1);
    assert_eq!(t.stats().evicted_idle, 1);
}

#[test]
fn out_of_order_messages_do_not_rewind_decay() {
    let mut t = Tracker::new(engine());
    t.observe(&to_child("1", 60, "lets meet up"));
    let o = t.observe(&to_child("2", 0, "our secret"));
    assert!(o.out_of_order);
    assert_eq!(
        o.risk,
        40.0 + 24.0 + 5.0,
        "added at the last seen time (plus the two-stage bonus), nothing decayed or rewound"
    );
    assert_eq!(t.stats().out_of_order, 1);
}

#[test]
fn snapshot_round_trips_and_bad_snapshots_leave_state_intact() {
    let mut t = Tracker::new(engine());
    t.observe(&to_child("1", 0, "lets meet up"));
    t.observe(&dm("c1", "2", 1, ("kid", UNKNOWN), ("adult", ADULT), "im 13"));
    let bytes = t.snapshot();
    let mut r = Tracker::new(engine());
    r.restore(&bytes).unwrap();
    assert_eq!(r.snapshot(), bytes, "restore then snapshot gives the same bytes");
    assert_eq!(
        r.key_level("c1", "adult", Some("kid")),
        t.key_level("c1", "adult", Some("kid"))
    );
    // Continuing on both gives the same observations.
    let next = to_child("3", 2, "our secret");
    assert_eq!(r.observe(&next), t.observe(&next));

    let before = r.snapshot();
    let mut corrupted = bytes.clone();
    let last = corrupted.len() - 1;
    corrupted[last] ^= 0xff;
    assert_eq!(r.restore(&corrupted), Err(SnapshotError::Corrupted));
    assert!(matches!(
        r.restore(&bytes[..bytes.len() - 3]),
        Err(SnapshotError::Truncated { .. })
    ));
    assert_eq!(
        r.restore(b"hello world, not a snapshot"),
        Err(SnapshotError::NotASnapshot)
    );
    let mut future = bytes.clone();
    future[8] = 9;
    assert!(matches!(
        r.restore(&future),
        Err(SnapshotError::UnsupportedVersion {
            found: 9,
            supported: crate::snapshot::FORMAT_VERSION
        })
    ));
    assert_eq!(r.snapshot(), before, "failed restores change nothing");
}

#[test]
fn snapshot_restores_under_a_changed_policy_by_ids() {
    let mut t = Tracker::new(engine());
    t.observe(&to_child("1", 0, "lets meet up"));
    let bytes = t.snapshot();
    let other = crate::Policy::builder()
        .add_toml("test.toml", crate::testutil::POLICY)
        .unwrap()
        .add_toml("o.toml", "[[stage]]\nid = \"extra\"\nsummary = \"x\"\n[[category]]\nid = \"aaa\"\nstage = \"extra\"\nsummary = \"x\"\n")
        .unwrap()
        .build()
        .unwrap();
    let mut r = Tracker::new(std::sync::Arc::new(crate::Engine::new(other).unwrap()));
    r.restore(&bytes).unwrap();
    assert_eq!(r.key_level("c1", "adult", Some("kid")).unwrap().risk, 40.0);
}
