use std::sync::Arc;

use crate::policy::InterventionAction as Action;
use crate::{AgeBand, Channel, Engine, Message, Participant, Policy, Relationship, Timestamp, Tracker};

/// Turns the shipped interventions off.
const OFF: &str = r#"
[[override]]
intervention = "nudge-moving-apps"
enabled = false
[[override]]
intervention = "nudge-secrecy"
enabled = false
[[override]]
intervention = "nudge-meeting"
enabled = false
[[override]]
intervention = "nudge-pictures"
enabled = false
[[override]]
intervention = "mask-contact-details"
enabled = false
[[override]]
intervention = "hold-coercion"
enabled = false
[[override]]
intervention = "hold-picture-request"
enabled = false
"#;

fn engine(layer: &str) -> Arc<Engine> {
    let policy = Policy::builder()
        .add_shipped()
        .and_then(|b| b.add_toml("layer.toml", layer))
        .and_then(|b| b.build())
        .unwrap();
    Arc::new(Engine::new(policy).unwrap())
}

fn shipped() -> Arc<Engine> {
    Arc::new(Engine::default())
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
    let mut t = Tracker::new(engine(OFF));
    assert!(t.engine().interventions.is_none());
    let o = t.observe(&msg("m-1", 0, "add me on snap its jay_k_2009"));
    assert!(o.level.is_some() && o.intervention.is_none());
    assert!(!o.to_json().contains("intervention"));
}

#[test]
fn a_nudge_is_shown_once_per_category_per_window_in_the_conversations_language() {
    let mut t = Tracker::new(shipped());
    // The shipped nudges wait for a conversation at `review`: a single ask is common and harmless.
    let early = t.observe(&msg("m-0", 0, "lass uns auf snapchat schreiben"));
    assert!(early.intervention.is_none() && early.level < Some(crate::Level::Review));
    let mut t = Tracker::new(shipped());
    t.observe(&msg("m-a", 0, "wie alt bist du?"));
    t.observe(&msg("m-b", 0, "in welche klasse gehst du?"));
    let first = t.observe(&msg("m-1", 0, "lass uns auf snapchat schreiben"));
    let i = first.intervention.expect("a nudge");
    assert_eq!(i.action, Action::NudgeRecipient);
    assert_eq!(&*i.id, "nudge-moving-apps");
    assert_eq!(i.categories, vec![Arc::from("platform-switch")]);
    assert!(!i.spans.is_empty());
    let n = i.notice.expect("a notice");
    assert_eq!((&*n.id, &*n.language), ("moving-apps", "de"));
    assert!(n.text.starts_with("Diese Person"));
    // The platform's own word for the child's language comes first.
    let mut t2 = Tracker::new(shipped());
    let mut child = Participant::new("child-1", AgeBand::Minor);
    child.language = Some("pt-BR".into());
    let mut shown = 0;
    for (i, text) in [
        "wie alt bist du?",
        "in welche klasse gehst du?",
        "lass uns auf snapchat schreiben",
    ]
    .into_iter()
    .enumerate()
    {
        let m = msg(&format!("p-{i}"), 0, text).with_recipient(child.clone());
        if let Some(iv) = t2.observe(&m).intervention {
            let n = iv.notice.expect("a notice");
            assert_eq!(&*n.language, "pt");
            assert!(n.text.contains("outro aplicativo"), "{}", n.text);
            shown += 1;
        }
    }
    assert_eq!(shown, 1, "one nudge, in the declared language");
    // Within the window the same category nudges no more ...
    let again = t.observe(&msg("m-2", 60, "schreib mir auf snapchat"));
    assert!(again.intervention.is_none(), "{:?}", again.intervention);
    // ... and after it, it nudges again.
    let later = t.observe(&msg("m-3", 25 * 60, "komm auf snapchat"));
    assert_eq!(later.intervention.map(|i| i.action), Some(Action::NudgeRecipient));
}

#[test]
fn contact_details_from_an_adult_stranger_are_masked_by_their_spans() {
    let mut t = Tracker::new(shipped());
    t.observe(&msg("m-a", 0, "how old are you?"));
    t.observe(&msg("m-b", 0, "what grade are you in?"));
    let text = "add me on snap its jay_k_2009 or text +44 7700 900123";
    let o = t.observe(&msg("m-1", 0, text));
    let i = o.intervention.expect("mask");
    assert_eq!(i.action, Action::Mask, "mask is stronger than the nudge");
    assert_eq!(
        i.masked_text.as_deref(),
        Some("add me on snap its ••• or text •••")
    );
    assert_eq!(i.spans.len(), 2);
    // The child also sees why: the notice of the nudge that applies too.
    assert_eq!(i.notice.map(|n| n.id), Some(Arc::from("moving-apps")));
    for s in &i.spans {
        assert!(text.is_char_boundary(s.start) && s.end <= text.len());
    }
    // A known contact is neither masked nor nudged by the shipped defaults (strangers only).
    let mut t = Tracker::new(shipped());
    let friend = msg("m-1", 0, text).with_relationship(Relationship::Contact);
    assert_eq!(t.observe(&friend).intervention, None);
}

#[test]
fn threats_to_a_minor_are_held_and_benign_messages_pass() {
    let mut t = Tracker::new(shipped());
    assert!(t
        .observe(&msg("m-1", 0, "gg that was a great match"))
        .intervention
        .is_none());
    // A threat with no other grooming stage in the conversation (banter: "send me money") is
    // escalated, not held ...
    let lone = t.observe(&msg("m-2", 1, "pay or ill post them for your followers"));
    assert!(
        lone.level.is_some() && lone.intervention.is_none(),
        "{:?}",
        lone.intervention
    );
    // ... after an age question it is held.
    let mut t = Tracker::new(shipped());
    t.observe(&msg("m-1", 0, "how old are you?"));
    let o = t.observe(&msg("m-2", 1, "pay or ill post them for your followers"));
    let i = o.intervention.expect("hold");
    assert_eq!(i.action, Action::Hold);
    assert!(i.notice.is_none() && i.masked_text.is_none());
    assert!(i
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with("Threats or coercion aimed at a minor")));
    // Between adults nothing is held.
    let mut t = Tracker::new(shipped());
    let adults = msg("m-1", 0, "pay or ill post them for your followers")
        .with_recipient(Participant::new("adult-2", AgeBand::Adult));
    assert!(t.observe(&adults).intervention.is_none());
}

#[test]
fn the_rate_limit_survives_a_snapshot() {
    let e = shipped();
    let mut a = Tracker::new(e.clone());
    a.observe(&msg("m-a", 0, "how old are you?"));
    a.observe(&msg("m-b", 0, "what grade are you in?"));
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
    // Restored under a policy with the intervention off, nothing is decided.
    let mut d = Tracker::new(engine(OFF));
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
    bad(
        "[[override]]\nintervention = \"hold-coercion\"\nlevel = \"urgent\"\n",
        "may only change `enabled`",
    );
    bad(
        "[[override]]\nintervention = \"nope\"\nenabled = false\n",
        "unknown intervention `nope`",
    );
}
