use super::*;
use crate::testutil::{dm, engine};
use crate::{AgeBand, Relationship, Tracker};

const ADULT: AgeBand = AgeBand::Adult;
const MINOR: AgeBand = AgeBand::Minor;

fn say(text: &str) -> Message {
    dm("c", "m", 0, ("a", ADULT), ("b", MINOR), text)
}

#[test]
fn a_hit_is_traced_to_its_term_and_both_spans() {
    let e = engine();
    let m = say("pls d0n'7 t e l l your parents ok");
    let x = explain_message(&e, &m);
    assert_eq!(x.hits.len(), 1);
    let h = &x.hits[0];
    assert_eq!(h.rule, "secrecy.dont-tell");
    assert_eq!(h.matched, "d0n'7 t e l l your parents");
    assert_eq!(h.by, vec!["don't tell your parents".to_string()]);
    assert_eq!(h.normalized.as_deref(), Some("dont tei your parents"));
    let ns = h.normalized_span.unwrap();
    assert_eq!(&x.normalized.terms[ns.start..ns.end], "dont tei your parents");
    assert_eq!(x.normalized.terms, "pis dont tei your parents ok");
    assert_eq!(x.normalized.patterns, "pls d0n'7 t e l l your parents ok");
}

#[test]
fn near_and_pattern_hits_are_traced() {
    let e = engine();
    let x = explain_message(&e, &say("pls delete the chat now, hotel 12"));
    let near = x.hits.iter().find(|h| h.rule == "secrecy.delete").unwrap();
    assert_eq!(near.kind, HitKind::Near);
    assert_eq!(near.matched, "delete the chat");
    assert_eq!(near.by, vec!["delete".to_string(), "chat".to_string()]);
    let pat = x.hits.iter().find(|h| h.rule == "meeting.pattern").unwrap();
    assert_eq!(pat.kind, HitKind::Pattern);
    assert_eq!(pat.matched, "hotel 12");
    assert_eq!(pat.by, vec![r"\bhotel\s+\d+".to_string()]);
    assert_eq!(pat.normalized.as_deref(), Some("hotel 12"));
}

#[test]
fn the_arithmetic_adds_up_with_caps_and_modifiers() {
    let e = engine();
    let x = explain_message(&e, &say("don't tell your parents and delete the chat"));
    assert_eq!(x.categories.len(), 1);
    let c = &x.categories[0];
    assert_eq!(c.sum, 27.0);
    assert_eq!(c.message_cap, Some(20.0));
    assert_eq!(c.capped, 20.0);
    assert_eq!(c.factor, 2.0);
    assert_eq!(c.score, 40.0);
    assert_eq!(x.score, 40.0);
    assert_eq!(x.formula, "min(12 + 15, 20) × 2 = 40");
    let applied: Vec<&str> = x
        .modifiers
        .iter()
        .filter(|m| m.applied)
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(applied, vec!["adult-to-minor"]);
    let family = x.modifiers.iter().find(|m| m.id == "family").unwrap();
    assert_eq!(
        family.reason.as_deref(),
        Some("relationship is stranger (needs family)")
    );
    let fan = x.modifiers.iter().find(|m| m.id == "fan-out").unwrap();
    assert!(
        fan.reason.as_deref().unwrap().contains("conversations"),
        "{fan:?}"
    );
    // Alone: conversation cap 25 on secrecy, one stage: no bonus; 25 < review 30 -> watch.
    assert_eq!(x.alone.risk, 25.0);
    assert_eq!(x.alone.level, Some(Level::Watch));
}

#[test]
fn formula_for_several_categories_and_plain_sums() {
    let e = engine();
    let x = explain_message(&e, &say("don't tell your parents, meet up"));
    assert_eq!(x.formula, "(12 + 20) × 2 = 64");
    let m = dm("c", "m", 0, ("a", ADULT), ("b", ADULT), "meet up");
    assert_eq!(explain_message(&e, &m).formula, "20");
    let m = dm("c", "m", 0, ("a", ADULT), ("b", ADULT), "meet up at hotel 9");
    assert_eq!(explain_message(&e, &m).formula, "20 + 5 = 25");
    assert_eq!(explain_message(&e, &say("hello")).formula, "0");
}

#[test]
fn rules_blocked_by_when_or_unless_are_explained() {
    let e = engine();
    let m = dm("c", "m", 0, ("a", MINOR), ("b", MINOR), "meet up later");
    let x = explain_message(&e, &m);
    assert!(x.hits.is_empty());
    assert_eq!(x.not_counted.len(), 1);
    assert_eq!(x.not_counted[0].rule, "meeting.meet");
    assert_eq!(x.not_counted[0].matched.as_deref(), Some("meet up"));
    assert_eq!(
        x.not_counted[0].reason,
        NotCountedReason::When {
            unmet: vec!["sender is minor (needs adult or unknown)".into()]
        }
    );

    let m = say("don't tell your parents about the surprise party");
    let x = explain_message(&e, &m);
    assert!(x.hits.is_empty());
    let nc = &x.not_counted[0];
    assert_eq!(nc.rule, "secrecy.dont-tell");
    assert_eq!(nc.matched.as_deref(), Some("don't tell your parents"));
    match &nc.reason {
        NotCountedReason::Unless { phrase, span } => {
            assert_eq!(phrase, "surprise party");
            let s = span.unwrap();
            assert_eq!(&m.text[s.start..s.end], "surprise party");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn alone_matches_a_fresh_tracker() {
    let e = engine();
    for text in [
        "don't tell your parents",
        "don't tell your parents, meet up",
        "send it or i will share",
        "meet up at hotel 4 and delete the chat",
        "nothing here",
    ] {
        let m = say(text);
        let x = explain_message(&e, &m);
        let mut t = Tracker::new(e.clone());
        let obs = t.observe(&m);
        assert!(
            (x.alone.risk - obs.risk).abs() < 1e-9,
            "{text}: {} vs {}",
            x.alone.risk,
            obs.risk
        );
        assert_eq!(x.alone.level, obs.level, "{text}");
    }
}

#[test]
fn truncated_text_is_explained_up_to_the_limit() {
    let e = engine();
    let long = format!("{} meet up", "x".repeat(80));
    let x = explain_message(&e, &say(&long));
    assert!(x.truncated);
    assert!(x.hits.is_empty());
    assert!(x.normalized.terms.len() <= 64);
}

#[test]
fn conversation_steps_show_decay_caps_bonus_and_levels() {
    let e = engine();
    let msgs = vec![
        dm(
            "c",
            "m1",
            0,
            ("a", ADULT),
            ("b", MINOR),
            "don't tell your parents",
        ),
        dm("c", "m2", 1, ("b", MINOR), ("a", ADULT), "ok"),
        dm("other", "x1", 2, ("z", ADULT), ("y", ADULT), "meet up"),
        dm("c", "m3", 60, ("a", ADULT), ("b", MINOR), "meet up"),
        dm(
            "c",
            "m4",
            61,
            ("a", ADULT),
            ("b", MINOR),
            "send more or i will share",
        ),
    ];
    let x = explain_conversation(&e, &msgs, "c");
    assert_eq!(x.steps.len(), 4);
    assert_eq!(x.thresholds.review, 30.0);
    let s1 = &x.steps[0];
    assert_eq!(s1.key_message, 1);
    assert_eq!(s1.elapsed_ms, None);
    assert_eq!(s1.categories[0].added, 24.0);
    assert_eq!(s1.categories[0].after, 24.0);
    assert_eq!(s1.level, Some(Level::Watch));
    assert!(s1.escalation.is_some());
    // The reply is another key.
    let s2 = &x.steps[1];
    assert_eq!((s2.sender.as_str(), s2.key_message), ("b", 1));
    assert_eq!(s2.risk, 0.0);
    // One hour later (the half-life): secrecy halves, meeting is added, two stages: bonus 5.
    let s3 = &x.steps[2];
    assert_eq!(s3.index, 3);
    assert_eq!(s3.elapsed_ms, Some(3_600_000));
    assert!((s3.decay - 0.5).abs() < 1e-12);
    let sec = s3.categories.iter().find(|c| c.category == "secrecy").unwrap();
    assert_eq!(
        (sec.before, sec.decayed, sec.added, sec.after),
        (24.0, 12.0, 0.0, 12.0)
    );
    let meet = s3.categories.iter().find(|c| c.category == "meeting").unwrap();
    assert_eq!((meet.before, meet.added, meet.after), (0.0, 40.0, 40.0));
    assert_eq!(s3.stage_bonus, 5.0);
    assert_eq!(s3.risk_before, 24.0);
    assert!((s3.risk - 57.0).abs() < 1e-9, "{}", s3.risk);
    assert_eq!(s3.level, Some(Level::Review));
    // A forcing rule: urgent whatever the risk, and which rule forced it.
    let s4 = &x.steps[3];
    assert_eq!(s4.level, Some(Level::Urgent));
    assert_eq!(
        s4.forced,
        Some(Forced {
            level: Level::Urgent,
            rule: "sextortion.threat".into()
        })
    );
    assert_eq!(x.max_level, Some(Level::Urgent));
    for s in &x.steps {
        let sum: f64 = s.categories.iter().map(|c| c.after).sum();
        assert!((sum + s.stage_bonus - s.risk).abs() < 1e-9, "{}", s.message_id);
    }
    // Serializes.
    let json = serde_json::to_string(&x).unwrap();
    assert!(json.contains("\"decay\":0.5"), "{json}");
}

#[test]
fn inferred_minor_is_shown_in_the_context() {
    let e = engine();
    let msgs = vec![
        Message::new(
            "c",
            "m1",
            crate::testutil::at(0),
            crate::Participant::new("kid", AgeBand::Unknown),
            "i'm 13",
        )
        .with_recipient(crate::Participant::new("a", ADULT))
        .with_channel(Channel::Direct),
        Message::new(
            "c",
            "m2",
            crate::testutil::at(1),
            crate::Participant::new("a", ADULT),
            "don't tell your parents",
        )
        .with_recipient(crate::Participant::new("kid", AgeBand::Unknown))
        .with_channel(Channel::Direct)
        .with_relationship(Relationship::Contact),
    ];
    let x = explain_conversation(&e, &msgs, "c");
    let ctx = &x.steps[1].message.context;
    assert_eq!(ctx.recipient, MINOR);
    assert!(ctx.recipient_inferred_minor);
    assert!(x.steps[0].message.discloses_minor);
    assert!(x.steps[1]
        .message
        .modifiers
        .iter()
        .any(|m| m.id == "adult-to-minor" && m.applied));
}

#[test]
fn never_panics_on_odd_text() {
    let e = engine();
    for text in [
        "",
        " ",
        "\u{200b}",
        "ｄｏｎ'ｔ ｔｅｌｌ ｙｏｕｒ ｐａｒｅｎｔｓ",
        "é́́́́",
        "🙂🙂",
        "a\u{0}b",
    ] {
        let x = explain_message(&e, &say(text));
        for h in &x.hits {
            assert!(text.get(h.span.start..h.span.end).is_some());
        }
    }
}

#[test]
fn a_near_rule_cancelled_by_unless_shows_where_it_would_have_matched() {
    let policy = crate::Policy::builder()
        .add_toml("test.toml", crate::testutil::POLICY)
        .unwrap()
        .add_toml(
            "x.toml",
            "[[override]]\nrule = \"secrecy.delete\"\nadd_unless = [\"just kidding\"]\n",
        )
        .unwrap()
        .build()
        .unwrap();
    let e = crate::Engine::new(policy).unwrap();
    let m = say("delete the long old chat, delete this chat. just kidding");
    let x = explain_message(&e, &m);
    assert!(x.hits.is_empty());
    assert_eq!(x.not_counted.len(), 1);
    assert_eq!(x.not_counted[0].rule, "secrecy.delete");
    // Where the matcher found it: the same words the rule hits without the `unless` phrase.
    let without = e.assess(&say("delete the long old chat, delete this chat."));
    let hit = without
        .hits
        .iter()
        .find(|h| &*h.rule == "secrecy.delete")
        .unwrap();
    assert_eq!(x.not_counted[0].span, Some(hit.span));
    assert_eq!(x.not_counted[0].matched.as_deref(), Some("chat, delete"));
}

#[test]
fn a_step_that_raises_a_sender_escalation_shows_the_senders_arithmetic() {
    let engine = std::sync::Arc::new(crate::Engine::default());
    let doc = include_str!("../../../tests/vectors/senders.input.jsonl");
    let msgs: Vec<Message> = crate::jsonl::parse(doc).collect::<Result<_, _>>().unwrap();
    let s = engine.policy().senders();
    // Every sender escalation a tracker raises is explained at its step, with the same
    // conversations and points.
    let mut tracker = Tracker::new(std::sync::Arc::clone(&engine));
    let mut raised = Vec::new();
    for m in &msgs {
        if let Some(e) = tracker.observe(m).sender_escalation {
            raised.push(e);
        }
    }
    assert!(raised.len() >= 2);
    let mut contact_factor_seen = false;
    for e in &raised {
        let x = explain_conversation(&engine, &msgs, &e.conversation_id);
        let step = x.steps.iter().find(|st| st.message_id == e.message_id).unwrap();
        let a = step.sender_escalation.as_ref().unwrap();
        assert_eq!(
            (a.level, a.sequence, a.case.as_ref()),
            (e.level, e.sequence, e.case.as_ref())
        );
        assert_eq!(a.conversations.len(), e.conversations.len());
        for (c, d) in a.conversations.iter().zip(&e.conversations) {
            assert_eq!(c.conversation_id, d.conversation_id);
            assert_eq!(c.level_points, s.points_for(d.level));
            assert_eq!(c.factor, s.factor(c.relationship));
            // The relationship recovered for the key gives the document's points.
            assert!((c.level_points * c.factor - d.points).abs() < 1e-9, "{c:?} {d:?}");
            contact_factor_seen |= c.relationship == Relationship::Contact && c.factor < 1.0;
        }
        let sum: f64 = a.conversations.iter().map(|c| c.points).sum();
        assert!((sum - a.points).abs() < 1e-9);
        assert!(a.minors >= a.min_minors && a.min_minors == s.min_minors);
        assert_eq!(s.level_for(a.points), Some(a.level));
        assert_eq!(a.levels.watch, s.levels[0]);
        // Other steps raise none.
        assert_eq!(
            x.steps.iter().filter(|st| st.sender_escalation.is_some()).count(),
            {
                raised
                    .iter()
                    .filter(|r| r.conversation_id == e.conversation_id)
                    .count()
            }
        );
    }
    assert!(contact_factor_seen, "the coach's contacts count 0.4");
}
