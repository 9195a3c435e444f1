//! Sender cases: one account, many children, one case (`scope: "sender"`).
//!
//! The scenario: one new adult account sends the same three lines to ten different
//! minors within half an hour. Each conversation alone is mild; the account is not.

use std::sync::Arc;

use vigil::{
    AgeBand, CaseContact, Engine, Escalation, EscalationScope, Level, Message, Participant, SharedTracker,
    Timestamp, Tracker,
};

const LINES: [&str; 3] = ["hey", "how old are you?", "add me on snap"];

fn engine() -> Arc<Engine> {
    Arc::new(Engine::default())
}

fn dm(sender: &str, kid: &str, conv: &str, id: &str, minute: i64, text: &str) -> Message {
    let mut m = Message::new(
        conv,
        id,
        Timestamp::from_millis(1_790_000_000_000 + minute * 60_000),
        Participant::new(sender, AgeBand::Adult),
        text,
    )
    .with_recipient(Participant::new(kid, AgeBand::Minor));
    m.channel = "direct".into();
    m.relationship = "stranger".into();
    m
}

/// The three lines to ten children: one child after the other (`sequential`), or each line to
/// every child in turn.
fn ten_children(sender: &str, sequential: bool) -> Vec<Message> {
    let mut out = Vec::new();
    for step in 0..30i64 {
        let (kid, line) = if sequential {
            (step / 3, step % 3)
        } else {
            (step % 10, step / 10)
        };
        out.push(dm(
            sender,
            &format!("{sender}-kid-{kid}"),
            &format!("{sender}-dm-{kid}"),
            &format!("m-{line}"),
            step,
            LINES[line as usize],
        ));
    }
    out
}

fn sender_escalations(t: &mut Tracker, msgs: &[Message]) -> Vec<Escalation> {
    msgs.iter()
        .filter_map(|m| t.observe(m).sender_escalation)
        .collect()
}

#[test]
fn ten_children_make_one_urgent_sender_case_listing_all_ten() {
    for sequential in [false, true] {
        let msgs = ten_children("u-new", sequential);
        let mut t = Tracker::new(engine());
        let mut conversation_escalations = Vec::new();
        let mut raised = Vec::new();
        for m in &msgs {
            let o = t.observe(m);
            conversation_escalations.extend(o.escalation);
            raised.extend(o.sender_escalation);
        }
        assert!(
            !raised.is_empty(),
            "sequential={sequential}: no sender escalation"
        );
        // One case: the same reference everywhere, on the conversations' escalations too.
        let case = raised[0].case.clone().expect("a case reference");
        assert!(raised.iter().all(|e| e.case.as_ref() == Some(&case)));
        assert!(conversation_escalations
            .iter()
            .all(|e| e.case.as_ref() == Some(&case)));
        assert!(raised.iter().all(|e| e.scope == EscalationScope::Sender));
        // The case rose to urgent once; the last document lists all ten conversations.
        let rose_to_urgent = raised
            .iter()
            .filter(|e| e.level == Level::Urgent && e.previous_level != Some(Level::Urgent))
            .count();
        assert_eq!(rose_to_urgent, 1, "sequential={sequential}");
        let last = raised.last().unwrap();
        assert_eq!(last.level, Level::Urgent);
        assert_eq!(last.conversations.len(), 10, "sequential={sequential}");
        assert!(last.conversations.iter().all(|c| c.minor && c.level.is_some()));
        let sum: f64 = last.conversations.iter().map(|c| c.points).sum();
        assert!(
            (last.risk - sum).abs() < 1e-9,
            "risk is the conversations' points"
        );
        // Evidence and timeline name their conversations; the reasons give the arithmetic.
        assert!(last.evidence.iter().all(|e| e.conversation_id.is_some()));
        assert!(last.timeline.iter().all(|e| e.conversation_id.is_some()));
        assert!(
            last.reasons.iter().any(|r| r.contains("10 minors")),
            "{:?}",
            last.reasons
        );
        assert!(last
            .recommended_action
            .as_deref()
            .is_some_and(|a| a.contains("account")));
        // Sequence numbers count the case's escalations.
        for (i, e) in raised.iter().enumerate() {
            assert_eq!(e.sequence as usize, i + 1);
        }
    }
}

#[test]
fn one_conversation_is_never_a_sender_case() {
    let mut t = Tracker::new(engine());
    let msgs: Vec<Message> = (0..3)
        .map(|i| dm("u-1", "kid", "dm", &format!("m-{i}"), i, LINES[i as usize]))
        .chain([dm(
            "u-1",
            "kid",
            "dm",
            "m-9",
            5,
            "don't tell your parents about us",
        )])
        .collect();
    assert!(sender_escalations(&mut t, &msgs).is_empty());
}

#[test]
fn benign_many_recipients_stay_below_review() {
    // A coach messaging a whole team about practice: everyday lines, some of which a lexicon
    // notices (an age, a meeting place), to twelve minors.
    let lines = [
        "hi team, practice moves to 5pm tomorrow at the school field",
        "bring your water bottle and your kit",
        "how old are you? need it for the u12 tournament sheet",
        "parents can pick you up at the main gate at 7",
    ];
    let mut msgs = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        for k in 0..12i64 {
            let mut m = dm(
                "coach",
                &format!("player-{k}"),
                &format!("coach-dm-{k}"),
                &format!("m-{li}"),
                li as i64 * 12 + k,
                line,
            );
            m.relationship = "contact".into();
            msgs.push(m);
        }
    }
    let mut t = Tracker::new(engine());
    let raised = sender_escalations(&mut t, &msgs);
    let levels: Vec<(String, Level, Vec<String>)> = raised
        .iter()
        .map(|e| (e.message_id.clone(), e.level, e.reasons.clone()))
        .collect();
    // Noticed (a contact asking twelve children their ages), held below review.
    assert!(!raised.is_empty());
    assert!(raised.iter().all(|e| e.level < Level::Review), "{levels:?}");
}

#[test]
fn a_policy_without_senders_keeps_no_case() {
    let policy = vigil::Policy::builder()
        .add_shipped()
        .unwrap()
        .add_toml("no-senders.toml", "[senders]\nenabled = false\n")
        .unwrap()
        .build()
        .unwrap();
    let mut t = Tracker::new(Arc::new(Engine::new(policy).unwrap()));
    let msgs = ten_children("u-new", true);
    let mut any_case = false;
    for m in &msgs {
        let o = t.observe(m);
        assert!(o.sender_escalation.is_none());
        any_case |= o.escalation.is_some_and(|e| e.case.is_some());
    }
    assert!(!any_case, "no case reference without [senders]");
}

#[test]
fn the_window_forgets_old_conversations() {
    // Two children a month apart: never two minors within the 7-day window.
    let mut msgs: Vec<Message> = (0..3)
        .map(|i| dm("u-1", "kid-a", "dm-a", &format!("m-{i}"), i, LINES[i as usize]))
        .collect();
    msgs.extend((0..3).map(|i| {
        dm(
            "u-1",
            "kid-b",
            "dm-b",
            &format!("m-{i}"),
            30 * 24 * 60 + i,
            LINES[i as usize],
        )
    }));
    let mut t = Tracker::new(engine());
    assert!(sender_escalations(&mut t, &msgs).is_empty());
}

/// Several groomers, each working through several children, with the children's replies.
fn many_senders() -> Vec<Message> {
    let mut out = Vec::new();
    let replies = ["hi", "13", "ok"];
    for s in 0..16i64 {
        let sender = format!("u-{s}");
        for step in 0..(3 * 5) {
            let (kid, line) = (step % 5, step / 5);
            let conv = format!("{sender}-dm-{kid}");
            let kid_id = format!("{sender}-kid-{kid}");
            let minute = s * 7 + step * 2;
            out.push(dm(
                &sender,
                &kid_id,
                &conv,
                &format!("m-{line}"),
                minute,
                LINES[line as usize],
            ));
            let mut r = dm(
                &kid_id,
                &sender,
                &conv,
                &format!("r-{line}"),
                minute + 1,
                replies[line as usize],
            );
            r.sender = Participant::new(kid_id.as_str(), AgeBand::Minor);
            r.recipient = Some(Participant::new(sender.as_str(), AgeBand::Adult));
            out.push(r);
        }
    }
    out.sort_by_key(|m| m.timestamp);
    out
}

fn all_escalations_json(obs: impl IntoIterator<Item = vigil::Observation>) -> Vec<String> {
    let mut v: Vec<String> = obs
        .into_iter()
        .flat_map(|o| o.escalations().map(Escalation::to_json).collect::<Vec<_>>())
        .collect();
    v.sort();
    v
}

#[test]
fn shared_tracker_under_8_threads_equals_one_tracker() {
    let msgs = many_senders();
    let engine = engine();
    let mut single = Tracker::new(engine.clone());
    let expected = all_escalations_json(msgs.iter().map(|m| single.observe(m)).collect::<Vec<_>>());
    assert!(expected.iter().any(|e| e.contains("\"scope\":\"sender\"")));

    let shared = SharedTracker::with_shards(engine, 8);
    // Each sender's conversations (with the children's replies) on one thread, in order.
    let mut parts: Vec<Vec<&Message>> = vec![Vec::new(); 8];
    for m in &msgs {
        let owner: i64 = m.conversation_id[2..]
            .split('-')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap();
        parts[(owner % 8) as usize].push(m);
    }
    let got = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|part| {
                let shared = &shared;
                s.spawn(move || part.iter().map(|m| shared.observe(m)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect::<Vec<_>>()
    });
    assert_eq!(all_escalations_json(got), expected);
}

#[test]
fn snapshots_keep_sender_cases() {
    let msgs = ten_children("u-new", true);
    let engine = engine();
    let mut whole = Tracker::new(engine.clone());
    let expected: Vec<String> = sender_escalations(&mut whole, &msgs)
        .iter()
        .map(Escalation::to_json)
        .collect();

    let (first, rest) = msgs.split_at(14);
    let mut a = Tracker::new(engine.clone());
    let mut got: Vec<String> = sender_escalations(&mut a, first)
        .iter()
        .map(Escalation::to_json)
        .collect();
    let bytes = a.snapshot();
    let mut b = Tracker::new(engine.clone());
    b.restore(&bytes).unwrap();
    got.extend(sender_escalations(&mut b, rest).iter().map(Escalation::to_json));
    assert_eq!(got, expected);

    // Through a shared tracker and back: it carries on the same.
    let shared = SharedTracker::with_shards(engine.clone(), 4);
    shared.restore(&bytes).unwrap();
    let mut c = Tracker::new(engine);
    c.restore(&shared.snapshot()).unwrap();
    let mut again: Vec<String> = sender_escalations(&mut a_copy(&bytes), &[])
        .iter()
        .map(Escalation::to_json)
        .collect();
    again.extend(sender_escalations(&mut c, rest).iter().map(Escalation::to_json));
    assert_eq!(again, expected[expected.len() - again.len()..]);
    assert!(!again.is_empty());
}

fn a_copy(bytes: &[u8]) -> Tracker {
    let mut t = Tracker::new(engine());
    t.restore(bytes).unwrap();
    t
}

#[test]
fn contacts_replayed_in_a_second_stage_give_the_same_sender_cases() {
    let msgs = many_senders();
    let engine = engine();
    let mut first = Tracker::new(engine.clone()).with_case_contacts();
    let mut expected = Vec::new();
    let mut contacts: Vec<CaseContact> = Vec::new();
    for m in &msgs {
        let o = first.observe(m);
        expected.extend(o.sender_escalation.map(|e| e.to_json()));
        contacts.extend(o.case_contact);
    }
    assert!(!expected.is_empty());
    // Through JSON, as between the stages of a job.
    let lines: Vec<String> = contacts.iter().map(CaseContact::to_json).collect();
    let mut second = Tracker::new(engine);
    let got: Vec<String> = lines
        .iter()
        .map(|l| serde_json::from_str::<CaseContact>(l).unwrap())
        .filter_map(|c| second.observe_contact(&c))
        .map(|e| e.to_json())
        .collect();
    assert_eq!(got, expected);
}
