use crate::testutil::{dm, engine};
use crate::{AgeBand, HitKind, Level, Message, Relationship};

const ADULT: AgeBand = AgeBand::Adult;
const MINOR: AgeBand = AgeBand::Minor;

fn say(text: &str) -> Message {
    dm("c", "m", 0, ("a", ADULT), ("b", MINOR), text)
}

fn spans(msg: &Message, a: &crate::Assessment) -> Vec<(String, String)> {
    a.hits
        .iter()
        .map(|h| (h.rule.to_string(), msg.text[h.span.start..h.span.end].to_string()))
        .collect()
}

#[test]
fn a_term_matches_its_evasions_and_highlights_what_was_typed() {
    let e = engine();
    for text in [
        "please don't tell your parents ok",
        "pls d0n'7 t e l l your parents ok",
        "pls DON'T TELL YOUR PARENTS ok",
        "pls dont tell yoouur paaarents ok",
        "pls don\u{200b}t tell your parents ok",
    ] {
        let m = say(text);
        let a = e.assess(&m);
        let s = spans(&m, &a);
        assert_eq!(s.len(), 1, "{text}: {s:?}");
        assert_eq!(s[0].0, "secrecy.dont-tell");
        let lower = s[0].1.to_lowercase();
        assert!(
            lower.starts_with('d') && lower.ends_with('s'),
            "{text}: {:?}",
            s[0].1
        );
    }
}

#[test]
fn whole_words_only_unless_wildcard() {
    let e = engine();
    assert!(
        e.assess(&say("our secrets are fine")).hits.is_empty(),
        "`our secret` must not match inside `secrets`"
    );
    let m = say("add me on snapchat");
    let a = e.assess(&m);
    assert_eq!(
        spans(&m, &a),
        vec![("meeting.meet".to_string(), "snapchat".to_string())]
    );
}

#[test]
fn unless_cancels_the_rule_in_that_message() {
    let e = engine();
    assert!(e
        .assess(&say("don't tell your parents about the surprise party"))
        .hits
        .is_empty());
}

#[test]
fn near_finds_groups_within_the_distance() {
    let e = engine();
    let m = say("pls delete all these messages now");
    let a = e.assess(&m);
    assert_eq!(a.hits.len(), 1);
    assert_eq!(a.hits[0].kind, HitKind::Near);
    assert_eq!(
        &m.text[a.hits[0].span.start..a.hits[0].span.end],
        "delete all these messages"
    );
    assert!(
        e.assess(&say("delete that one thing in the long chat"))
            .hits
            .is_empty(),
        "too far apart"
    );
}

#[test]
fn patterns_run_on_the_light_view_and_map_spans_back() {
    let e = engine();
    let m = say("room at HOTEL  42 ok");
    let a = e.assess(&m);
    assert_eq!(
        spans(&m, &a),
        vec![("meeting.pattern".to_string(), "HOTEL  42".to_string())]
    );
}

#[test]
fn when_conditions_gate_rules() {
    let e = engine();
    let m = dm("c", "m", 0, ("a", MINOR), ("b", MINOR), "lets meet up");
    assert!(
        e.assess(&m).hits.is_empty(),
        "meeting.meet only fires from adult or unknown senders"
    );
}

#[test]
fn modifiers_multiply_and_are_listed() {
    let e = engine();
    let a = e.assess(&say("lets meet up"));
    assert_eq!(a.base_score, 20.0);
    assert_eq!(a.score, 40.0);
    assert_eq!(
        a.modifiers.iter().map(|m| &*m.id).collect::<Vec<_>>(),
        ["adult-to-minor"]
    );
    let fam = say("lets meet up").with_relationship(Relationship::Family);
    let a = e.assess(&fam);
    assert_eq!(a.score, 20.0, "adult-to-minor ×2 then family ×0.5");
    assert!(
        a.modifiers.iter().all(|m| &*m.id != "fan-out"),
        "fan-out needs a tracker"
    );
}

#[test]
fn a_rule_counts_once_and_categories_are_capped() {
    let e = engine();
    let m = dm(
        "c",
        "m",
        0,
        ("a", AgeBand::Unknown),
        ("b", AgeBand::Unknown),
        "our secret our secret, delete the chat",
    );
    let a = e.assess(&m);
    assert_eq!(a.hits.len(), 2);
    assert_eq!(
        a.base_score, 20.0,
        "12 + 15 capped at the category's message_cap of 20"
    );
}

#[test]
fn forced_level_and_disclosure() {
    let e = engine();
    let a = e.assess(&say("send it or i will share everything"));
    assert_eq!(a.forced_level, Some(Level::Urgent));
    let a = e.assess(&dm(
        "c",
        "m",
        0,
        ("b", AgeBand::Unknown),
        ("a", ADULT),
        "i'm 13 lol",
    ));
    assert!(a.discloses_minor);
    assert_eq!(a.score, 0.0);
}

#[test]
fn long_text_is_truncated_and_flagged() {
    let e = engine();
    let text = format!("{}don't tell your parents", "x ".repeat(40));
    let a = e.assess(&say(&text));
    assert!(a.truncated);
    assert!(a.hits.is_empty(), "the phrase lies beyond max_message_bytes");
    let text = format!("don't tell your parents{}", " é".repeat(40));
    let a = e.assess(&say(&text));
    assert!(
        a.truncated && a.hits.len() == 1,
        "truncation lands on a char boundary"
    );
}

#[test]
fn empty_and_odd_texts_do_not_panic() {
    let e = engine();
    for text in [
        "",
        " ",
        "\u{200b}\u{200b}",
        "🙂",
        "\u{0301}\u{0301}",
        "a\0b",
        "\u{FEFF}",
    ] {
        let a = e.assess(&say(text));
        assert!(a.hits.is_empty(), "{text:?}");
    }
}

#[test]
fn shipped_engine_default_works() {
    let e = crate::Engine::default();
    assert!(e.rule_count() > 10);
    assert!(e.policy().layers().len() >= 2);
}

#[test]
fn overlapping_words_count_once_per_category_for_the_heaviest_rule() {
    let policy = crate::Policy::builder()
        .add_toml("test.toml", crate::testutil::POLICY)
        .unwrap()
        .add_toml(
            "other-language.toml",
            "[[rule]]\nid = \"xx.meeting.meet\"\ncategory = \"meeting\"\nweight = 5\nany = [\"meet up\"]\n",
        )
        .unwrap()
        .build()
        .unwrap();
    let e = crate::Engine::new(policy).unwrap();
    let a = e.assess(&say("lets meet up"));
    assert_eq!(
        a.hits.iter().map(|h| &*h.rule).collect::<Vec<_>>(),
        ["meeting.meet"]
    );
    assert_eq!(a.base_score, 20.0);
    // Different words of the same category still add up.
    let a = e.assess(&say("meet up at hotel 5"));
    assert_eq!(
        a.hits.iter().map(|h| &*h.rule).collect::<Vec<_>>(),
        ["meeting.meet", "meeting.pattern"]
    );
    assert_eq!(a.base_score, 25.0);
}
