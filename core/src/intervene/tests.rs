use std::sync::Arc;

use crate::policy::model::InterventionAction as Action;
use crate::{AgeBand, Channel, Engine, Message, Participant, Policy, Relationship, Timestamp, Tracker};

/// The shipped packs and an interventions layer.
const LAYER: &str = r#"
[policy]
id = "test-interventions"
version = "1"

[[notice]]
id = "moving-apps"
fallback = "en"
text.en = "This person is asking you to move to another app. You can block or report them."
text.de = "Diese Person möchte, dass du in eine andere App wechselst. Du kannst sie blockieren oder melden."

[[notice]]
id = "reviewed"
fallback = "en"
text.en = "Messages to young people are reviewed for safety."

[[intervention]]
id = "nudge-platform-switch"
action = "nudge_recipient"
description = "An adult or unknown sender asks a minor to move to another app"
when = { sender = ["adult", "unknown"], recipient = ["minor"] }
categories = ["platform-switch"]
notice = "moving-apps"
once_per = "24h"

[[intervention]]
id = "mask-contact"
action = "mask"
description = "An adult stranger sends a minor contact details"
when = { sender = ["adult"], recipient = ["minor"], relationship = ["stranger"] }
indicators = ["phone", "handle", "invite_link"]
replacement = "[hidden]"

[[intervention]]
id = "hold-sextortion"
action = "hold"
description = "Threats or coercion aimed at a minor"
when = { recipient = ["minor"] }
categories = ["sextortion"]

[indicators]
enabled = true
"#;

fn engine(layer: &str) -> Arc<Engine> {
    let policy = Policy::builder()
        .add_shipped()
        .and_then(|b| b.add_toml("interventions.toml", layer))
        .and_then(|b| b.build())
        .unwrap();
    Arc::new(Engine::new(policy).unwrap())
}

fn msg(id: &str, minutes: i64, text: &str) -> Message {
    Message::new(
        "c-1",
        id,
        Timestamp::from_millis(minutes * 60_000),
        Participant::new("adult-1", AgeBand::Adult),
        text,
    )
    .with_recipient(Participant::new("child-1", AgeBand::Minor))
    .with_channel(Channel::Direct)
    .with_relationship(Relationship::Stranger)
}

#[test]
fn a_policy_without_interventions_decides_nothing() {
    let mut t = Tracker::new(Arc::new(Engine::default()));
    assert!(t.engine().interventions.is_none());
    let o = t.observe(&msg("m-1", 0, "add me on snap its jay_k_2009"));
    assert!(o.level.is_some() && o.intervention.is_none());
    assert!(!o.to_json().contains("intervention"));
}

#[test]
fn a_nudge_is_shown_once_per_category_per_window_in_the_conversations_language() {
    let mut t = Tracker::new(engine(LAYER));
    let first = t.observe(&msg("m-1", 0, "lass uns auf snapchat schreiben"));
    let i = first.intervention.expect("a nudge");
    assert_eq!(i.action, Action::NudgeRecipient);
    assert_eq!(&*i.id, "nudge-platform-switch");
    assert_eq!(i.categories, vec![Arc::from("platform-switch")]);
    assert!(!i.spans.is_empty());
    let n = i.notice.expect("a notice");
    assert_eq!((&*n.id, &*n.language), ("moving-apps", "de"));
    assert!(n.text.starts_with("Diese Person"));
    // Within the window the same category nudges no more ...
    let again = t.observe(&msg("m-2", 60, "schreib mir auf snapchat"));
    assert!(again.intervention.is_none(), "{:?}", again.intervention);
    // ... and after it, it nudges again.
    let later = t.observe(&msg("m-3", 25 * 60, "komm auf snapchat"));
    assert_eq!(later.intervention.map(|i| i.action), Some(Action::NudgeRecipient));
}

#[test]
fn contact_details_from_an_adult_stranger_are_masked_by_their_spans() {
    let mut t = Tracker::new(engine(LAYER));
    let text = "add me on snap its jay_k_2009 or text +44 7700 900123";
    let o = t.observe(&msg("m-1", 0, text));
    let i = o.intervention.expect("mask");
    assert_eq!(i.action, Action::Mask, "mask is stronger than the nudge");
    assert_eq!(
        i.masked_text.as_deref(),
        Some("add me on snap its [hidden] or text [hidden]")
    );
    assert_eq!(i.spans.len(), 2);
    for s in &i.spans {
        assert!(text.is_char_boundary(s.start) && s.end <= text.len());
    }
    // A contact (not a stranger) is not masked: the nudge applies instead.
    let mut t = Tracker::new(engine(LAYER));
    let friend = msg("m-1", 0, text).with_relationship(Relationship::Contact);
    assert_eq!(
        t.observe(&friend).intervention.map(|i| i.action),
        Some(Action::NudgeRecipient)
    );
}

#[test]
fn threats_to_a_minor_are_held_and_benign_messages_pass() {
    let mut t = Tracker::new(engine(LAYER));
    assert!(t
        .observe(&msg("m-1", 0, "gg that was a great match"))
        .intervention
        .is_none());
    let o = t.observe(&msg("m-2", 1, "pay or ill post them for your followers"));
    let i = o.intervention.expect("hold");
    assert_eq!(i.action, Action::Hold);
    assert!(i.notice.is_none() && i.masked_text.is_none());
    assert_eq!(i.reason.as_deref(), Some("Threats or coercion aimed at a minor"));
    // Between adults nothing is held.
    let mut t = Tracker::new(engine(LAYER));
    let adults = msg("m-1", 0, "pay or ill post them for your followers")
        .with_recipient(Participant::new("adult-2", AgeBand::Adult));
    assert!(t.observe(&adults).intervention.is_none());
}

#[test]
fn the_rate_limit_survives_a_snapshot() {
    let e = engine(LAYER);
    let mut a = Tracker::new(e.clone());
    assert!(a
        .observe(&msg("m-1", 0, "lets talk on snapchat"))
        .intervention
        .is_some());
    let mut b = Tracker::new(e.clone());
    b.restore(&a.snapshot()).unwrap();
    assert!(b
        .observe(&msg("m-2", 10, "talk on snapchat?"))
        .intervention
        .is_none());
    let mut c = Tracker::new(e);
    c.restore_conversation(&a.snapshot_conversation("c-1")).unwrap();
    assert!(c
        .observe(&msg("m-2", 10, "talk on snapchat?"))
        .intervention
        .is_none());
    // Restored under a policy without the intervention, the nudge record is dropped.
    let mut d = Tracker::new(Arc::new(Engine::default()));
    d.restore(&a.snapshot()).unwrap();
    assert!(d
        .observe(&msg("m-2", 10, "talk on snapchat?"))
        .intervention
        .is_none());
}

#[test]
fn invalid_interventions_are_refused_with_a_location() {
    let bad = |layer: &str, expected: &str| {
        let e = Policy::builder()
            .add_shipped()
            .and_then(|b| b.add_toml("x.toml", layer))
            .and_then(|b| b.build())
            .unwrap_err();
        let text = e.to_string();
        assert!(text.contains(expected), "{text}");
        assert!(text.contains("x.toml"), "{text}");
    };
    bad(
        "[[intervention]]\nid = \"n\"\naction = \"nudge_recipient\"\n",
        "names the notice it shows",
    );
    bad(
        "[[intervention]]\nid = \"m\"\naction = \"mask\"\nreplacement = \"*\"\n",
        "lists the indicator kinds it masks",
    );
    bad(
        "[[intervention]]\nid = \"h\"\naction = \"hold\"\ncategories = [\"nope\"]\n",
        "unknown category `nope`",
    );
    bad(
        "[[intervention]]\nid = \"h\"\naction = \"hold\"\nonce_per = \"1h\"\n",
        "`once_per` is for nudges",
    );
    bad(
        "[[notice]]\nid = \"x\"\nfallback = \"fr\"\ntext.en = \"hi\"\n",
        "the fallback language `fr` has no text",
    );
}
