use super::*;
use crate::testutil::{dm, engine};
use crate::{AgeBand, Policy};

const ADULT: AgeBand = AgeBand::Adult;
const MINOR: AgeBand = AgeBand::Minor;

fn corpus() -> Vec<Message> {
    vec![
        // g1: grooming, detected at m3 (risk 24 → 57 at m3: review), first risky m1.
        dm(
            "g1",
            "m1",
            0,
            ("a", ADULT),
            ("b", MINOR),
            "don't tell your parents",
        ),
        dm("g1", "m2", 1, ("b", MINOR), ("a", ADULT), "ok"),
        dm("g1", "m3", 61, ("a", ADULT), ("b", MINOR), "meet up"),
        // g2: grooming, never above watch.
        dm("g2", "m1", 0, ("c", ADULT), ("d", MINOR), "hi"),
        dm("g2", "m2", 1, ("c", ADULT), ("d", MINOR), "our secret"),
        // g3: grooming, urgent at its first risky message.
        dm("g3", "m1", 0, ("e", ADULT), ("f", MINOR), "hey"),
        dm(
            "g3",
            "m2",
            1,
            ("e", ADULT),
            ("f", MINOR),
            "send it or i will share",
        ),
        // b1: benign, escalated (false positive).
        dm(
            "b1",
            "m1",
            0,
            ("g", ADULT),
            ("h", MINOR),
            "meet up, don't tell your parents",
        ),
        // b2: benign, quiet.
        dm("b2", "m1", 0, ("i", ADULT), ("j", ADULT), "lunch?"),
        // u1: unlabelled.
        dm("u1", "m1", 0, ("k", ADULT), ("l", ADULT), "hello"),
    ]
}

fn labels() -> Vec<Label> {
    vec![
        Label::grooming("g1").with_first_risky("m1").with_language("en"),
        Label::grooming("g2").with_first_risky("m2").with_language("en"),
        Label::grooming("g3").with_first_risky("m2").with_language("de"),
        Label::benign("b1").with_language("en"),
        Label::benign("b2"),
        Label::grooming("gone"),
    ]
}

#[test]
fn metrics_latency_categories_and_misses() {
    let e = engine();
    let r = Evaluation::run(&e, &corpus(), labels()).unwrap();
    assert_eq!(r.threshold, Level::Review);
    assert_eq!(r.messages, 10);
    assert_eq!(r.conversations, 5);
    assert_eq!(r.unlabelled, 1);
    assert_eq!(r.missing, vec!["gone".to_string()]);
    let o = &r.overall;
    assert_eq!(
        (o.grooming, o.detected, o.benign, o.benign_escalated),
        (3, 2, 2, 1)
    );
    assert!((o.recall.unwrap() - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(o.benign_escalation_rate, Some(0.5));
    // g1: m1..m3 = 3 messages; g3: 1.
    assert_eq!(o.latency.measured, 2);
    assert_eq!(o.latency.median, Some(2.0));
    assert_eq!(o.latency.p90, Some(3.0));
    assert_eq!(o.latency.max, Some(3));
    assert_eq!(o.levels[&LabelKind::Grooming]["watch"], 1);
    assert_eq!(o.levels[&LabelKind::Benign]["none"], 1);

    let en = &r.by_language["en"];
    assert_eq!(
        (en.grooming, en.detected, en.benign, en.benign_escalated),
        (2, 1, 1, 1)
    );
    let de = &r.by_language["de"];
    assert_eq!(de.recall, Some(1.0));
    assert_eq!(de.benign_escalation_rate, None);
    assert_eq!(r.by_language["unknown"].benign, 1);

    let cats: Vec<(&str, u64, u64)> = r
        .by_category
        .iter()
        .map(|c| (c.category.as_str(), c.grooming, c.benign))
        .collect();
    assert_eq!(
        cats,
        vec![("secrecy", 2, 1), ("meeting", 1, 1), ("sextortion", 1, 0)]
    );

    let misses: Vec<(&str, LabelKind)> = r
        .misses
        .iter()
        .map(|m| (m.conversation_id.as_str(), m.label))
        .collect();
    assert_eq!(
        misses,
        vec![("g2", LabelKind::Grooming), ("b1", LabelKind::Benign)]
    );
    assert_eq!(r.misses[0].level, Some(Level::Watch));
    assert_eq!(r.misses[0].rules, vec!["secrecy.dont-tell".to_string()]);
    assert_eq!(r.misses[1].escalated_at.as_deref(), Some("m1"));
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["overall"]["recall"], 0.6667);
    assert_eq!(json["overall"]["levels"]["grooming"]["watch"], 1);
}

#[test]
fn threshold_watch_counts_more() {
    let e = engine();
    let mut ev = Evaluation::new(e, labels()).unwrap().with_threshold(Level::Watch);
    for m in &corpus() {
        ev.observe(m);
    }
    let r = ev.finish();
    assert_eq!(r.overall.recall, Some(1.0));
}

#[test]
fn latency_zero_when_reached_before_the_labelled_message_and_unknown_ids() {
    let e = engine();
    let msgs = vec![
        dm(
            "g",
            "m1",
            0,
            ("a", ADULT),
            ("b", MINOR),
            "send it or i will share",
        ),
        dm("g", "m2", 1, ("a", ADULT), ("b", MINOR), "hi"),
        dm(
            "h",
            "m1",
            0,
            ("a", ADULT),
            ("c", MINOR),
            "send it or i will share",
        ),
    ];
    let labels = vec![
        Label::grooming("g").with_first_risky("m2"),
        Label::grooming("h").with_first_risky("nope"),
    ];
    let r = Evaluation::run(&e, &msgs, labels).unwrap();
    assert_eq!(r.overall.latency.measured, 1);
    assert_eq!(r.overall.latency.median, Some(0.0));
    assert_eq!(r.unknown_first_risky, vec!["h".to_string()]);
}

#[test]
fn labels_parse_with_lines_and_duplicates_are_rejected() {
    let doc = "{\"conversation_id\":\"a\",\"label\":\"grooming\",\"extra\":1}\n\n{\"conversation_id\":\"b\",\"label\":\"spam\"}\n{\"conversation_id\":\"\",\"label\":\"benign\"}\n";
    let items: Vec<Result<Label, LabelError>> = parse_labels(doc).collect();
    assert!(items[0].is_ok());
    let e = items[1].as_ref().unwrap_err();
    assert_eq!(e.line(), Some(3));
    assert!(e.to_string().starts_with("line 3: unknown variant `spam`"), "{e}");
    assert!(items[2]
        .as_ref()
        .unwrap_err()
        .to_string()
        .contains("conversation_id"));
    let err = Evaluation::new(engine(), vec![Label::benign("x"), Label::grooming("x")]).unwrap_err();
    assert_eq!(err, LabelError::Duplicate("x".into()));
}

#[test]
fn empty_evaluation_has_no_rates() {
    let r = Evaluation::run(&engine(), &[], vec![]).unwrap();
    assert_eq!(r.overall.recall, None);
    assert_eq!(r.overall.latency.median, None);
    assert!(r.misses.is_empty());
}

#[test]
fn diff_explains_level_changes() {
    let a = engine();
    let b = std::sync::Arc::new(
        crate::Engine::new(
            Policy::builder()
                .add_toml("test.toml", crate::testutil::POLICY)
                .unwrap()
                .add_toml(
                    "v2.toml",
                    r#"
[policy]
id = "v2"
version = "2"
[[override]]
rule = "meeting.meet"
enabled = false
[[override]]
rule = "secrecy.dont-tell"
weight = 20
add_any = ["hi"]
[[rule]]
id = "x.new"
category = "meeting"
weight = 30
any = ["lunch"]
"#,
                )
                .unwrap()
                .build()
                .unwrap(),
        )
        .unwrap(),
    );
    let d = diff(&a, &b, &corpus());
    assert_eq!(d.messages, 10);
    assert_eq!(d.conversations, 6);
    let changed: Vec<(&str, Option<Level>, Option<Level>)> = d
        .changed
        .iter()
        .map(|c| (c.conversation_id.as_str(), c.a.level, c.b.level))
        .collect();
    // g1 loses its meeting signal; b1 too; b2 gains the new rule. g2 gains a hit ("hi") but the
    // secrecy cap keeps it at watch.
    assert_eq!(
        changed,
        vec![
            ("g1", Some(Level::Review), Some(Level::Watch)),
            ("b1", Some(Level::Urgent), Some(Level::Watch)),
            ("b2", None, Some(Level::Review)),
        ],
        "{d:#?}"
    );
    let g1 = &d.changed[0];
    assert_eq!(g1.direction, diff::Direction::Down);
    assert_eq!(g1.rules_only_a[0].rule, "meeting.meet");
    assert_eq!(g1.rules_only_a[0].first_message, "m3");
    assert_eq!(g1.categories_removed, vec!["meeting".to_string()]);
    assert_eq!(g1.reweighted.len(), 1);
    assert_eq!((g1.reweighted[0].a, g1.reweighted[0].b), (12.0, 20.0));
    let b2 = &d.changed[2];
    assert_eq!(b2.direction, diff::Direction::Up);
    assert_eq!(b2.rules_only_b[0].rule, "x.new");
    assert_eq!(b2.categories_added, vec!["meeting".to_string()]);
    assert_eq!(d.transitions["none → review"], 1);
    assert_eq!(d.transitions["review → watch"], 1);
    assert!(d.categories_changed.is_empty(), "{:?}", d.categories_changed);

    let pc = &d.policy_changes;
    assert_eq!(pc.rules.added, vec!["x.new".to_string()]);
    let dont = pc
        .rules
        .changed
        .iter()
        .find(|c| c.id == "secrecy.dont-tell")
        .unwrap();
    let any = dont.fields.iter().find(|f| f.field == "any").unwrap();
    assert_eq!(any.added, vec![serde_json::json!("hi")]);
    assert!(dont.fields.iter().any(|f| f.field == "weight"));
    let meet = pc.rules.changed.iter().find(|c| c.id == "meeting.meet").unwrap();
    assert_eq!(meet.fields[0].field, "enabled");
    assert!(pc.settings.is_empty(), "{:?}", pc.settings);
    assert!(PolicyChanges::between(a.policy(), a.policy()).is_empty());
}

#[test]
fn benign_stats_in_labelled_mode() {
    let r = Evaluation::run(&engine(), &corpus(), labels()).unwrap();
    assert!(!r.benign_only);
    let b = &r.benign;
    // b1 (escalated to urgent by its one message) and b2 (quiet); u1 is unlabelled.
    assert_eq!((b.conversations, b.messages), (2, 2));
    assert_eq!((b.escalated, b.urgent), (1, 1));
    assert_eq!(b.escalated_rate, Some(0.5));
    assert_eq!(b.urgent_rate, Some(0.5));
    assert_eq!((b.escalations, b.escalations_at_threshold), (1, 1));
    assert_eq!(b.escalations_per_10k_messages, Some(5000.0));
    let rules: Vec<(&str, &str, u64, u64, u64)> = b
        .rules
        .iter()
        .map(|r| {
            (
                r.rule.as_str(),
                r.category.as_str(),
                r.escalated_conversations,
                r.conversations,
                r.messages,
            )
        })
        .collect();
    assert_eq!(
        rules,
        vec![
            ("meeting.meet", "meeting", 1, 1, 1),
            ("secrecy.dont-tell", "secrecy", 1, 1, 1),
        ]
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["benign"]["escalations_per_10k_messages"], 5000.0);
    assert_eq!(json["benign"]["rules"][0]["rule"], "meeting.meet");
    assert_eq!(json["benign_only"], false);
}

#[test]
fn benign_only_counts_every_conversation_as_benign() {
    let e = engine();
    let r = Evaluation::run_benign(&e, &corpus());
    assert!(r.benign_only);
    assert_eq!(r.messages, 10);
    assert_eq!((r.conversations, r.unlabelled), (6, 0));
    assert!(r.missing.is_empty());
    let o = &r.overall;
    assert_eq!((o.grooming, o.benign), (0, 6));
    assert_eq!(o.recall, None);
    assert_eq!(o.latency.measured, 0);
    assert_eq!(r.by_language.keys().collect::<Vec<_>>(), vec!["unknown"]);
    let b = &r.benign;
    assert_eq!((b.conversations, b.messages), (6, 10));
    // g1 reaches review, g3 and b1 urgent; g2 stays at watch.
    assert_eq!((b.escalated, b.urgent), (3, 2));
    assert_eq!(o.benign_escalated, 3);
    assert_eq!(o.benign_escalation_rate, Some(0.5));
    assert!(b.escalations > b.escalations_at_threshold, "{b:?}");
    assert_eq!(
        b.escalations_at_threshold_per_10k_messages,
        Some(b.escalations_at_threshold as f64 * 1000.0)
    );
    let meet = b.rules.iter().find(|r| r.rule == "meeting.meet").unwrap();
    assert_eq!(
        (meet.escalated_conversations, meet.conversations, meet.messages),
        (2, 2, 2)
    );
    // Sorted by escalated conversations, then messages.
    let keys: Vec<(u64, u64)> = b
        .rules
        .iter()
        .map(|r| (r.escalated_conversations, r.messages))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted);
    let misses: Vec<&str> = r.misses.iter().map(|m| m.conversation_id.as_str()).collect();
    assert_eq!(misses, vec!["g1", "g3", "b1"]);
    assert!(r.misses.iter().all(|m| m.label == LabelKind::Benign));
    assert_eq!(r.misses[0].escalated_at.as_deref(), Some("m3"));
}

#[test]
fn benign_only_threshold_and_empty_input() {
    let mut ev = Evaluation::benign(engine()).with_threshold(Level::Urgent);
    for m in &corpus() {
        ev.observe(m);
    }
    let r = ev.finish();
    assert_eq!(r.threshold, Level::Urgent);
    assert_eq!((r.benign.escalated, r.benign.urgent), (2, 2));
    let empty = Evaluation::run_benign(&engine(), &[]);
    assert_eq!(empty.benign.conversations, 0);
    assert_eq!(empty.benign.escalated_rate, None);
    assert_eq!(empty.benign.escalations_per_10k_messages, None);
    assert!(empty.benign.rules.is_empty());
}

/// The shipped packs: they enable sender cases.
fn shipped() -> Arc<Engine> {
    Arc::new(Engine::default())
}

/// One sender asking `kids` children their age and for their snap (each conversation reaches
/// `review`), and a coach (a contact) telling as many players about practice.
fn sender_corpus(kids: usize) -> Vec<Message> {
    let mut v = Vec::new();
    for k in 0..kids {
        let (conv, kid) = (format!("s{k}"), format!("kid{k}"));
        let t = k as i64 * 3;
        v.push(dm(
            &conv,
            "m1",
            t,
            ("u-new", ADULT),
            (&kid, MINOR),
            "how old are you?",
        ));
        v.push(dm(
            &conv,
            "m2",
            t + 1,
            ("u-new", ADULT),
            (&kid, MINOR),
            "add me on snap",
        ));
        let (conv, player) = (format!("c{k}"), format!("player{k}"));
        v.push(
            dm(
                &conv,
                "m1",
                t,
                ("coach", ADULT),
                (&player, MINOR),
                "practice moves to 5pm tomorrow",
            )
            .with_relationship(crate::Relationship::Contact),
        );
    }
    v
}

#[test]
fn sender_labels_give_sender_level_recall_and_the_benign_sender_rate() {
    let msgs = sender_corpus(3);
    let mut ev = Evaluation::new(shipped(), [])
        .unwrap()
        .with_sender_labels([
            SenderLabel::grooming("u-new").with_language("en"),
            SenderLabel::benign("coach").with_language("en"),
            SenderLabel::benign("nobody"),
        ])
        .unwrap();
    for m in &msgs {
        ev.observe(m);
    }
    let r = ev.finish();
    let s = &r.senders;
    assert_eq!(s.senders, 2);
    assert_eq!(s.labelled, 2);
    assert_eq!(s.missing, vec!["nobody".to_string()]);
    assert_eq!((s.overall.grooming, s.overall.detected), (1, 1));
    assert_eq!(s.overall.recall, Some(1.0));
    assert_eq!((s.overall.benign, s.overall.benign_escalated), (1, 0));
    assert_eq!(s.overall.benign_escalation_rate, Some(0.0));
    // Each of the sender's conversations reached review on its own.
    assert_eq!(s.overall.conversation_detected, 1);
    assert_eq!(s.overall.detected_only_as_sender, 0);
    // Two conversations at review make 50 points: the sender reached review with the second.
    assert_eq!(s.overall.conversations_at_detection.median, Some(2.0));
    assert_eq!(s.by_language["en"].recall, Some(1.0));
    assert!(s.at_threshold >= 1 && s.with_escalation >= 1 && s.escalations >= 1);
    assert!(s.misses.is_empty());
    // Conversation labels are independent: none were given.
    assert_eq!(r.conversations, 0);
    assert_eq!(r.overall.grooming, 0);
}

#[test]
fn a_missed_grooming_sender_is_listed_with_its_level_and_conversations() {
    // One child only: never a sender case (min_minors 2).
    let msgs = sender_corpus(1);
    let mut ev = Evaluation::new(shipped(), [])
        .unwrap()
        .with_sender_labels([SenderLabel::grooming("u-new")])
        .unwrap();
    for m in &msgs {
        ev.observe(m);
    }
    let r = ev.finish();
    assert_eq!(r.senders.overall.recall, Some(0.0));
    let m = &r.senders.misses[0];
    assert_eq!(m.sender_id, "u-new");
    assert_eq!(m.label, LabelKind::Grooming);
    assert_eq!(m.level, None);
    assert_eq!(m.conversations, 1);
    assert_eq!(m.conversation_level, Some(Level::Review));
    assert_eq!(m.language, "unknown");
}

#[test]
fn benign_only_counts_every_sender_as_benign() {
    let msgs = sender_corpus(3);
    let r = Evaluation::run_benign(&shipped(), &msgs);
    let s = &r.senders;
    assert_eq!(s.senders, 2);
    assert_eq!(s.overall.benign, 2);
    assert_eq!(s.overall.benign_escalated, 1);
    assert_eq!(s.overall.benign_escalation_rate, Some(0.5));
    assert_eq!(s.misses.len(), 1);
    assert_eq!(s.misses[0].sender_id, "u-new");
    assert!(s.misses[0]
        .escalated_at
        .as_deref()
        .is_some_and(|a| a.starts_with("s1/")));
}

#[test]
fn labels_files_mix_conversation_and_sender_lines() {
    let doc = "{\"sender_id\": \"u-1\", \"label\": \"benign\", \"language\": \"de\", \"note\": \"coach\"}\n\
               {\"conversation_id\": \"c-1\", \"label\": \"grooming\"}\n\
               {\"sender_id\": \"\", \"label\": \"benign\"}\n\
               {\"sender_id\": \"u-2\", \"label\": \"maybe\"}\n";
    let items: Vec<_> = parse_any_labels(doc).collect();
    assert_eq!(
        items[0],
        Ok(AnyLabel::Sender(SenderLabel::benign("u-1").with_language("de")))
    );
    assert_eq!(items[1], Ok(AnyLabel::Conversation(Label::grooming("c-1"))));
    assert_eq!(items[2].as_ref().unwrap_err().line(), Some(3));
    assert_eq!(items[3].as_ref().unwrap_err().line(), Some(4));
    // A line with both ids is a conversation's label.
    let both =
        AnyLabel::from_json("{\"conversation_id\": \"c\", \"sender_id\": \"u\", \"label\": \"benign\"}");
    assert!(matches!(both, Ok(AnyLabel::Conversation(_))));
    let dup = Evaluation::new(shipped(), [])
        .unwrap()
        .with_sender_labels([SenderLabel::grooming("u"), SenderLabel::benign("u")]);
    assert_eq!(dup.unwrap_err(), LabelError::DuplicateSender("u".into()));
}
