use super::*;
use crate::testutil::POLICY;

fn lint_with(extra: &str) -> Vec<LintWarning> {
    let policy = Policy::builder()
        .add_toml("test.toml", POLICY)
        .and_then(|b| b.add_toml("extra.toml", extra))
        .and_then(|b| b.build())
        .unwrap();
    lint(&policy)
}

fn kinds(w: &[LintWarning]) -> Vec<(LintKind, Option<&str>)> {
    w.iter().map(|w| (w.kind, w.rule.as_deref())).collect()
}

#[test]
fn the_test_policy_and_the_shipped_packs_lint_as_expected() {
    let base = lint_with("");
    // The test policy has no unused items and no duplicate terms.
    assert_eq!(kinds(&base), vec![], "{base:#?}");
    let shipped = lint(&Policy::shipped().unwrap());
    for w in &shipped {
        assert!(
            w.location.source.starts_with("policies/") || w.location.source == "(policy)",
            "{w}"
        );
    }
}

#[test]
fn duplicate_terms_in_a_rule_and_across_a_category() {
    let w = lint_with(
        r#"
[[rule]]
id = "x.one"
category = "secrecy"
weight = 5
any = ["keep it quiet", "KEEP  it qu1et", "our secret"]

[[rule]]
id = "x.two"
category = "secrecy"
weight = 5
any = ["k33p it quiet"]
"#,
    );
    let dup: Vec<&LintWarning> = w.iter().filter(|w| w.kind == LintKind::DuplicateTerm).collect();
    // "our secret" is also a term of `secrecy.dont-tell`, but in another layer: packs of different
    // languages may share words, so only duplicates within one layer are reported.
    assert_eq!(dup.len(), 2, "{w:#?}");
    assert_eq!(dup[0].term.as_deref(), Some("KEEP  it qu1et"));
    assert!(dup[0].message.contains("same rule"), "{}", dup[0]);
    assert_eq!(dup[1].term.as_deref(), Some("k33p it quiet"));
    assert!(dup[1].message.contains("x.one"), "{}", dup[1]);
    // Location: the extra file, the line of the term.
    assert_eq!(dup[0].location.source, "extra.toml");
    assert_eq!(dup[0].location.line, Some(6));
    assert!(dup[0].to_string().starts_with("extra.toml:6:"), "{}", dup[0]);
}

#[test]
fn terms_cancelled_by_their_own_unless_and_inner_wildcards() {
    let w = lint_with(
        r#"
[[rule]]
id = "x.party"
category = "secrecy"
weight = 5
any = ["keep the surprise party secret", "sn*p me"]
unless = ["surprise party"]
"#,
    );
    assert_eq!(
        kinds(&w),
        vec![
            (LintKind::UnmatchableTerm, Some("x.party")),
            (LintKind::InnerWildcard, Some("x.party")),
        ],
        "{w:#?}"
    );
    assert!(w[0].message.contains("surprise party"));
}

#[test]
fn wildcards_are_respected_by_unless_implication() {
    // `snap*` may match "snapchat": an unless "snap" (whole word) does not always occur.
    let w = lint_with(
        r#"
[[rule]]
id = "x.snap"
category = "meeting"
weight = 5
any = ["add me on snap*"]
unless = ["snap"]
"#,
    );
    assert!(w.iter().all(|w| w.kind != LintKind::UnmatchableTerm), "{w:#?}");
}

#[test]
fn patterns_with_characters_normalization_removes() {
    let w = lint_with(
        r#"
[[rule]]
id = "x.pat"
category = "meeting"
weight = 5
patterns = ['\bHotel\s+\d+', '(?i)\bMotel\b', '\bcafé\b', '(?P<Room>room)\s\d', 'x?', '[A-Z]{2}\d']
"#,
    );
    let p: Vec<&str> = w
        .iter()
        .filter(|w| w.kind == LintKind::UnmatchablePattern)
        .map(|w| w.term.as_deref().unwrap())
        .collect();
    assert_eq!(p, vec![r"\bHotel\s+\d+", r"\bcafé\b", "x?"], "{w:#?}");
    let hotel = w
        .iter()
        .find(|w| w.term.as_deref() == Some(r"\bHotel\s+\d+"))
        .unwrap();
    assert!(hotel.message.contains("'H' (becomes \"h\")"), "{hotel}");
}

#[test]
fn shadowed_rules() {
    let w = lint_with(
        r#"
[[rule]]
id = "x.narrow"
category = "secrecy"
weight = 10
any = ["please don't tell your parents", "it is our secret ok"]
unless = ["just kidding", "surprise party"]

[[rule]]
id = "x.heavier"
category = "secrecy"
weight = 30
any = ["please don't tell your parents ever"]

[[rule]]
id = "x.other-category"
category = "meeting"
weight = 1
any = ["meet up now"]
when = { sender = ["adult"] }
"#,
    );
    let s: Vec<&LintWarning> = w.iter().filter(|w| w.kind == LintKind::ShadowedRule).collect();
    // x.narrow: both terms contain terms of secrecy.dont-tell (weight 12 >= 10), and its
    // exceptions include those of secrecy.dont-tell.
    // x.heavier is heavier than its shadows: not reported. x.other-category: covered by
    // meeting.meet (weight 20, when adult/unknown ⊇ adult).
    let rules: Vec<&str> = s.iter().map(|w| w.rule.as_deref().unwrap()).collect();
    assert_eq!(rules, vec!["x.narrow", "x.other-category"], "{w:#?}");
    assert!(s[0].message.contains("secrecy.dont-tell"));
}

#[test]
fn identical_rules_are_reported_once() {
    let w = lint_with(
        r#"
[[rule]]
id = "x.a"
category = "meeting"
weight = 3
any = ["see you at the mall"]

[[rule]]
id = "x.b"
category = "meeting"
weight = 3
any = ["see you at the mall"]
"#,
    );
    let s: Vec<&str> = w
        .iter()
        .filter(|w| w.kind == LintKind::ShadowedRule)
        .map(|w| w.rule.as_deref().unwrap())
        .collect();
    assert_eq!(s, vec!["x.b"]);
}

#[test]
fn unused_categories_stages_and_inert_rules() {
    let w = lint_with(
        r#"
[[stage]]
id = "lonely"
summary = "no category"

[[category]]
id = "empty"
stage = "meeting"
summary = "no rules"

[[rule]]
id = "x.zero"
category = "meeting"
weight = 0
any = ["zero weight"]

[[override]]
rule = "sextortion.threat"
enabled = false
"#,
    );
    let k = kinds(&w);
    assert!(k.contains(&(LintKind::InertRule, Some("x.zero"))), "{w:#?}");
    let items: Vec<(LintKind, &str)> = w
        .iter()
        .filter_map(|w| Some((w.kind, w.item.as_deref()?)))
        .collect();
    assert_eq!(
        items,
        vec![
            (LintKind::UnusedCategory, "category `sextortion`"),
            (LintKind::UnusedCategory, "category `empty`"),
            (LintKind::UnusedStage, "stage `lonely`"),
        ]
    );
    let json = serde_json::to_value(&w[0]).unwrap();
    assert!(json["kind"].is_string());
}

#[test]
fn unused_items_point_at_the_layer_that_defines_them() {
    let w = lint_with("[[stage]]\nid = \"lonely\"\nsummary = \"x\"\n");
    let unused = w
        .iter()
        .find(|w| w.kind == LintKind::UnusedStage)
        .expect("the stage is unused");
    assert_eq!(unused.location.source, "extra.toml");
    assert_eq!(unused.location.line, Some(2));
}

#[test]
fn when_words_that_are_neither_kinds_nor_mapped_are_flagged() {
    let w = lint_with(
        r#"
[metadata.channel]
public = ["arena"]
[metadata.relationship]
contact = ["friend"]

[[modifier]]
id = "x.arena"
when = { channel = ["arena", "public", "areana"], relationship = ["friend", "frend"] }
multiply = 1.1
"#,
    );
    let unknown: Vec<(&str, Option<&str>)> = w
        .iter()
        .filter(|w| w.kind == LintKind::UnknownWord)
        .map(|w| (w.term.as_deref().unwrap_or(""), w.item.as_deref()))
        .collect();
    assert_eq!(
        unknown,
        vec![
            ("areana", Some("modifier `x.arena`")),
            ("frend", Some("modifier `x.arena`"))
        ],
        "{w:#?}"
    );
    let first = w.iter().find(|w| w.kind == LintKind::UnknownWord).unwrap();
    assert_eq!(first.location.source, "extra.toml");
    assert!(first.to_string().contains("warning[unknown-word]"), "{first}");
}

#[test]
fn a_platform_vocabulary_is_checked_word_by_word() {
    let policy = crate::Policy::shipped().unwrap();
    let vocab = super::Vocabulary::new(
        vec!["Game".into(), "lobby".into(), "arena".into(), " ".into()],
        vec!["follower".into(), "rival".into()],
    );
    let w = super::lint_vocabulary(&policy, &vocab, "acme.toml");
    let got: Vec<(LintKind, &str, &str)> = w
        .iter()
        .map(|w| {
            (
                w.kind,
                w.term.as_deref().unwrap_or(""),
                w.location.source.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (LintKind::UnmappedWord, "arena", "acme.toml"),
            (LintKind::UnmappedWord, "rival", "acme.toml")
        ]
    );
    assert!(
        w[1].message.contains("[metadata.relationship]"),
        "{}",
        w[1].message
    );
}
