//! Combination rules (`combine`): one counted hit of each part group, in one message or spread
//! over a sender's consecutive messages of one conversation key — an offer split over two
//! messages is one deal. Synthetic, non-graphic texts.

use std::sync::Arc;

use vigil::{Engine, HitKind, Level, Message, Policy, PolicyErrorKind, SharedTracker, Tracker};

const BASE: &str = r#"
[policy]
id = "combine-test"
version = "1"

[scoring]
half_life = "72h"
levels = { watch = 20, review = 50, urgent = 85 }

[[stage]]
id = "trust"
summary = "Builds trust"

[[stage]]
id = "exploitation"
summary = "Offers payment for images"

[[category]]
id = "gifts"
stage = "trust"
summary = "Offers money or gifts"

[[category]]
id = "image-request"
stage = "exploitation"
summary = "Asks for images"

[[category]]
id = "transactional"
stage = "exploitation"
summary = "Offers payment for images"

[[rule]]
id = "gifts.money"
category = "gifts"
weight = 10
any = ["send you money", "50 bucks"]

[[rule]]
id = "image-request.video"
category = "image-request"
weight = 0
any = ["video of you"]
"#;

fn engine(extra: &str) -> Arc<Engine> {
    let policy = Policy::builder()
        .add_toml("base.toml", BASE)
        .and_then(|b| b.add_toml("extra.toml", extra))
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    Arc::new(Engine::new(policy).unwrap_or_else(|e| panic!("{e}")))
}

const SPLIT: &str = r#"
[[rule]]
id = "transactional.pay-for-content"
category = "transactional"
weight = 60
combine = { parts = [["gifts"], ["image-request.video"]], messages = 2 }
when = { recipient = ["minor"] }
examples = { hit = ["i can send you money for a video of you"], miss = ["i can send you money"] }
"#;

fn msg(conv: &str, id: &str, minute: u32, sender: &str, recipient: &str, text: &str) -> Message {
    Message::from_json(&format!(
        r#"{{"conversation_id":"{conv}","message_id":"{id}","timestamp":"2026-05-01T10:{minute:02}:00Z","sender":{{"id":"{sender}","age_band":"adult"}},"recipient":{{"id":"{recipient}","age_band":"minor"}},"channel":"direct","text":"{text}"}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn combined(o: &vigil::Observation) -> Option<&vigil::Hit> {
    o.assessment.hits.iter().find(|h| h.kind == HitKind::Combination)
}

#[test]
fn parts_in_one_message_combine_even_without_a_tracker() {
    let engine = engine(SPLIT);
    let m = msg("c", "m-1", 0, "a", "k", "i can send you money for a video of you");
    let a = engine.assess(&m);
    let hit = a
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Combination)
        .expect("combination fires");
    assert_eq!(&*hit.rule, "transactional.pay-for-content");
    assert_eq!(&*hit.category, "transactional");
    // The span is the first part's in this message.
    assert_eq!(&m.text[hit.span.start..hit.span.end], "send you money");
    assert!(a
        .categories
        .iter()
        .any(|c| &*c.category == "transactional" && c.score == 60.0));
    assert_eq!(engine.check_examples(), vec![]);
}

#[test]
fn parts_over_two_messages_of_one_key_combine_on_the_second() {
    let engine = engine(SPLIT);
    let mut t = Tracker::new(Arc::clone(&engine));
    let first = t.observe(&msg("c", "m-1", 0, "a", "k", "i can send you 50 bucks"));
    assert!(combined(&first).is_none(), "one part alone is not a deal");
    let m2 = msg("c", "m-2", 1, "a", "k", "for a video of you");
    let second = t.observe(&m2);
    let hit = combined(&second).expect("the second message completes the offer");
    assert_eq!(&m2.text[hit.span.start..hit.span.end], "video of you");
    assert!(second.level >= Some(Level::Review), "{:?}", second.level);

    // Explained from the same trace: the parts by rule id.
    let x = vigil::explain::explain_conversation(
        &engine,
        &[msg("c", "m-1", 0, "a", "k", "i can send you 50 bucks"), m2],
        "c",
    );
    let step = x.steps.last().expect("two steps");
    let h = step
        .message
        .hits
        .iter()
        .find(|h| h.kind == HitKind::Combination)
        .expect("explained");
    assert_eq!(
        h.by,
        vec!["gifts.money".to_string(), "image-request.video".to_string()]
    );
    assert_eq!(h.normalized, None);
}

#[test]
fn parts_out_of_reach_or_in_other_keys_do_not_combine() {
    let engine = engine(SPLIT);
    let mut t = Tracker::new(Arc::clone(&engine));
    t.observe(&msg("c", "m-1", 0, "a", "k", "i can send you 50 bucks"));
    t.observe(&msg("c", "m-2", 1, "a", "k", "how was school"));
    let third = t.observe(&msg("c", "m-3", 2, "a", "k", "for a video of you"));
    assert!(
        combined(&third).is_none(),
        "two messages apart is beyond `messages = 2`"
    );

    // Another recipient is another key; another sender too.
    let mut t = Tracker::new(Arc::clone(&engine));
    t.observe(&msg("c", "m-1", 0, "a", "k", "i can send you 50 bucks"));
    let other = t.observe(&msg("c", "m-2", 1, "a", "j", "for a video of you"));
    assert!(combined(&other).is_none());
    let reply = t.observe(&msg("c", "m-3", 2, "k", "a", "for a video of you"));
    assert!(combined(&reply).is_none());
}

#[test]
fn when_conditions_hold_for_the_message_that_completes_it() {
    let engine = engine(SPLIT);
    let mut t = Tracker::new(Arc::clone(&engine));
    let adult = |id: &str, minute, text: &str| {
        Message::from_json(&format!(
            r#"{{"conversation_id":"c","message_id":"{id}","timestamp":"2026-05-01T10:{minute:02}:00Z","sender":{{"id":"a","age_band":"adult"}},"recipient":{{"id":"b","age_band":"adult"}},"channel":"direct","text":"{text}"}}"#
        ))
        .unwrap()
    };
    t.observe(&adult("m-1", 0, "i can send you 50 bucks"));
    let o = t.observe(&adult("m-2", 1, "for a video of you"));
    assert!(combined(&o).is_none(), "between adults the rule's `when` fails");
}

#[test]
fn sharded_tracker_combines_like_the_single_one() {
    let engine = engine(SPLIT);
    let mut single = Tracker::new(Arc::clone(&engine));
    let shared = SharedTracker::new(Arc::clone(&engine));
    let texts = ["hi", "i can send you 50 bucks", "for a video of you", "ok?"];
    for conv in ["c1", "c2", "c3"] {
        for (i, text) in texts.iter().enumerate() {
            let m = msg(conv, &format!("m-{i}"), i as u32, "a", &format!("k-{conv}"), text);
            let (x, y) = (single.observe(&m), shared.observe(&m));
            assert_eq!(x.to_json(), y.to_json());
        }
    }
}

#[test]
fn invalid_combinations_are_refused_with_a_location() {
    let cases = [
        (
            r#"
[[rule]]
id = "t.x"
category = "transactional"
weight = 10
any = ["coins"]
combine = { parts = [["gifts"], ["image-request"]] }
"#,
            "takes no `any`",
        ),
        (
            r#"
[[rule]]
id = "t.x"
category = "transactional"
weight = 10
combine = { parts = [["gifts"]] }
"#,
            "at least two non-empty groups",
        ),
        (
            r#"
[[rule]]
id = "t.x"
category = "transactional"
weight = 10
combine = { parts = [["gifts"], ["image-request"]], messages = 9 }
"#,
            "",
        ),
        (
            r#"
[[rule]]
id = "t.x"
category = "transactional"
weight = 10
combine = { parts = [["gifts"], ["image-request"]] }

[[rule]]
id = "t.y"
category = "transactional"
weight = 10
combine = { parts = [["t.x"], ["image-request"]] }
"#,
            "is a combination rule",
        ),
    ];
    for (extra, words) in cases {
        let err = Policy::builder()
            .add_toml("base.toml", BASE)
            .and_then(|b| b.add_toml("extra.toml", extra))
            .and_then(|b| b.build())
            .expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("extra.toml"), "{text}");
        assert!(text.contains(words), "{text}");
    }
    let err = Policy::builder()
        .add_toml("base.toml", BASE)
        .and_then(|b| {
            b.add_toml(
                "extra.toml",
                r#"
[[rule]]
id = "t.x"
category = "transactional"
weight = 10
combine = { parts = [["gifts"], ["no-such-thing"]] }
"#,
            )
        })
        .and_then(|b| b.build())
        .expect_err("refused");
    assert!(
        matches!(err.kind(), PolicyErrorKind::UnknownReference { id, .. } if id == "no-such-thing"),
        "{err}"
    );
}

#[test]
fn a_snapshot_between_the_parts_keeps_the_first() {
    let engine = engine(SPLIT);
    let mut t = Tracker::new(Arc::clone(&engine));
    t.observe(&msg("c", "m-1", 0, "a", "k", "i can send you 50 bucks"));
    for bytes in [t.snapshot(), t.snapshot_conversation("c")] {
        let mut restored = Tracker::new(Arc::clone(&engine));
        restored.restore(&bytes).unwrap_or_else(|e| panic!("{e}"));
        let o = restored.observe(&msg("c", "m-2", 1, "a", "k", "for a video of you"));
        assert!(
            combined(&o).is_some(),
            "the restored key remembers the first part"
        );
    }
}

#[test]
fn a_weight_zero_cue_is_inert_only_when_no_combination_names_it() {
    let inert = |extra: &str| -> Vec<String> {
        let policy = Policy::builder()
            .add_toml("base.toml", BASE)
            .and_then(|b| b.add_toml("extra.toml", extra))
            .and_then(|b| b.build())
            .unwrap_or_else(|e| panic!("{e}"));
        vigil::lint::lint(&policy)
            .into_iter()
            .filter(|w| w.kind == vigil::lint::LintKind::InertRule)
            .filter_map(|w| w.rule)
            .collect()
    };
    // `image-request.video` (weight 0) is a part of SPLIT's combination.
    assert_eq!(inert(SPLIT), Vec::<String>::new());
    let without = SPLIT.replace("\"image-request.video\"", "\"gifts.money\"");
    assert_eq!(inert(&without), vec!["image-request.video".to_string()]);
}

#[test]
fn a_language_packs_combination_needs_a_part_of_its_own_pack() {
    let de = r#"
[policy]
id = "de-pack"
version = "1"
languages = ["de"]

[[rule]]
id = "de.gifts.geld"
category = "gifts"
weight = 10
any = ["geld"]

[[rule]]
id = "de.transactional.split"
category = "transactional"
weight = 60
combine = { parts = [["gifts"], ["image-request"]], messages = 2 }
"#;
    let policy = Policy::builder()
        .add_toml("base.toml", BASE)
        .and_then(|b| b.add_toml("de.toml", de))
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::new(policy).unwrap_or_else(|e| panic!("{e}"));
    let fired = |text: &str| {
        engine
            .assess(&msg("c", "m-1", 0, "a", "k", text))
            .hits
            .iter()
            .any(|h| h.kind == HitKind::Combination)
    };
    // Both parts from language-neutral rules: not this pack's words.
    assert!(!fired("i can send you money for a video of you"));
    // One part is the pack's own rule.
    assert!(fired("ich schicke dir geld for a video of you"));
}

#[test]
fn the_escalation_shows_the_earlier_part_and_no_idle_cue() {
    let engine = engine(SPLIT);
    let mut t = Tracker::new(Arc::clone(&engine));
    let m1 = msg("c", "m-1", 0, "a", "k", "hey, for a video of you");
    let first = t.observe(&m1);
    // A weight-0 cue alone is no evidence (it raised nothing).
    assert!(first.escalation.is_none());
    let o = t.observe(&msg("c", "m-2", 1, "a", "k", "i can send you 50 bucks"));
    let e = o.escalation.expect("the offer escalates");
    let earlier = e
        .evidence
        .iter()
        .find(|x| x.message_id == "m-1")
        .expect("the earlier part is evidence");
    assert_eq!(earlier.rule, "image-request.video");
    assert_eq!(&m1.text[earlier.span.start..earlier.span.end], "video of you");
    assert!(e
        .evidence
        .iter()
        .any(|x| x.message_id == "m-2" && x.rule == "transactional.pay-for-content"));
}
