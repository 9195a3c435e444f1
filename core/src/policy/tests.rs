use crate::error::PolicyErrorKind;
use crate::testutil::{policy, POLICY};
use crate::{Engine, Policy};

fn build(extra: &str) -> Result<Policy, crate::PolicyError> {
    Policy::builder()
        .add_toml("test.toml", POLICY)?
        .add_toml("extra.toml", extra)?
        .build()
}

fn compile(extra: &str) -> Result<Engine, crate::PolicyError> {
    build(extra).and_then(Engine::new)
}

#[test]
fn the_test_policy_builds_with_its_constants() {
    let p = policy();
    assert_eq!(p.id(), "test");
    assert_eq!(p.scoring().half_life_ms, 3_600_000);
    assert_eq!(p.scoring().levels, [10.0, 30.0, 60.0]);
    assert_eq!(p.tracker().capacity, 3);
    assert!(p.hash().starts_with("sha256:") && p.hash().len() == 7 + 64);
}

#[test]
fn unknown_field_is_rejected_with_line_and_column() {
    let e = Policy::builder()
        .add_toml(
            "typo.toml",
            "[[rule]]\nid = \"x\"\ncategory = \"c\"\nwieght = 3\n",
        )
        .unwrap_err();
    assert_eq!(e.location().source, "typo.toml");
    assert_eq!(e.location().line, Some(4));
    assert_eq!(e.location().column, Some(1));
    assert!(
        matches!(e.kind(), PolicyErrorKind::Syntax(m) if m.contains("wieght")),
        "{e}"
    );
}

#[test]
fn json_layers_report_line_and_column() {
    let e = Policy::builder()
        .add_json("p.json", "{\n  \"scoring\": {\"half_lfe\": \"1h\"}\n}")
        .unwrap_err();
    assert_eq!(e.location().line, Some(2));
    assert!(e.to_string().contains("half_lfe"), "{e}");
    let ok = Policy::builder()
        .add_toml("test.toml", POLICY)
        .unwrap()
        .add_source("o.json", r#"{"scoring": {"levels": {"watch": 11}}}"#)
        .unwrap()
        .build()
        .unwrap();
    assert_eq!(ok.scoring().levels[0], 11.0);
}

#[test]
fn duplicate_ids_are_rejected_with_the_later_location() {
    let e = build("[[rule]]\nid = \"secrecy.delete\"\ncategory = \"secrecy\"\nweight = 1\nany = [\"x\"]\n")
        .unwrap_err();
    assert!(
        matches!(e.kind(), PolicyErrorKind::DuplicateId { kind: "rule", .. }),
        "{e}"
    );
    assert_eq!(e.location().source, "extra.toml");
    assert_eq!(e.location().line, Some(2));
}

#[test]
fn unknown_category_names_rule_and_field() {
    let e = build("[[rule]]\nid = \"r\"\ncategory = \"nope\"\nweight = 1\nany = [\"x\"]\n").unwrap_err();
    assert!(matches!(
        e.kind(),
        PolicyErrorKind::UnknownReference { kind: "category", .. }
    ));
    assert_eq!(e.location().item.as_deref(), Some("rule `r`"));
    assert_eq!(e.location().field.as_deref(), Some("category"));
    assert_eq!(e.location().line, Some(3));
}

#[test]
fn weight_out_of_range() {
    let e = build("[[rule]]\nid = \"r\"\ncategory = \"meeting\"\nweight = 500\nany = [\"x\"]\n").unwrap_err();
    assert!(matches!(e.kind(), PolicyErrorKind::OutOfRange { .. }), "{e}");
    assert_eq!(e.location().line, Some(4));
}

#[test]
fn levels_must_increase() {
    let e = build("[scoring]\nlevels = { review = 5 }\n").unwrap_err();
    assert!(e.to_string().contains("levels must increase"), "{e}");
}

#[test]
fn empty_and_punctuation_terms_are_rejected_at_compile() {
    let e = compile("[[rule]]\nid = \"r\"\ncategory = \"meeting\"\nweight = 1\nany = [\"ok\", \"?!\"]\n")
        .unwrap_err();
    assert!(matches!(e.kind(), PolicyErrorKind::EmptyTerm { .. }), "{e}");
    assert_eq!(e.location().source, "extra.toml");
    assert_eq!(e.location().line, Some(5));
    assert_eq!(e.location().field.as_deref(), Some("any"));
}

#[test]
fn invalid_regex_carries_the_regex_message() {
    let e =
        compile("[[rule]]\nid = \"r\"\ncategory = \"meeting\"\nweight = 1\npatterns = ['''(unclosed''']\n")
            .unwrap_err();
    match e.kind() {
        PolicyErrorKind::InvalidRegex { message, .. } => assert!(message.contains("unclosed"), "{message}"),
        k => panic!("{k:?}"),
    }
    assert_eq!(e.location().line, Some(5));
}

#[test]
fn huge_regex_hits_the_size_limit() {
    let e = compile("[scoring]\nregex_size_limit = 2048\n[[rule]]\nid = \"r\"\ncategory = \"meeting\"\nweight = 1\npatterns = ['''\\w{500}''']\n")
        .unwrap_err();
    assert!(matches!(e.kind(), PolicyErrorKind::InvalidRegex { .. }), "{e}");
}

#[test]
fn override_of_missing_rule_is_rejected() {
    let e = build("[[override]]\nrule = \"no.such.rule\"\nenabled = false\n").unwrap_err();
    assert!(
        matches!(e.kind(), PolicyErrorKind::UnknownReference { kind: "rule", .. }),
        "{e}"
    );
    assert_eq!(e.location().line, Some(2));
}

#[test]
fn overrides_change_rules_modifiers_and_settings_without_copying() {
    let p = build(
        r#"
[policy]
id = "acme"
version = "7"
[scoring]
half_life = "2h"
[[override]]
rule = "secrecy.dont-tell"
weight = 3
add_any = ["keep it quiet"]
[[override]]
rule = "meeting.meet"
enabled = false
[[override]]
modifier = "family"
multiply = 0.25
[[override]]
category = "secrecy"
conversation_cap = 40
"#,
    )
    .unwrap();
    assert_eq!(p.id(), "test+acme");
    assert_eq!(p.version(), "1+7");
    assert_eq!(p.scoring().half_life_ms, 7_200_000);
    assert_eq!(
        p.scoring().levels,
        [10.0, 30.0, 60.0],
        "levels not named keep their values"
    );
    let r = p.rules().iter().find(|r| r.id == "secrecy.dont-tell").unwrap();
    assert_eq!(r.weight, 3.0);
    assert!(r.any.contains(&"keep it quiet".to_string()));
    assert!(!p.rules().iter().find(|r| r.id == "meeting.meet").unwrap().enabled);
    assert_eq!(
        p.modifiers().iter().find(|m| m.id == "family").unwrap().multiply,
        0.25
    );
    assert_eq!(
        p.categories()
            .iter()
            .find(|c| c.id == "secrecy")
            .unwrap()
            .conversation_cap,
        Some(40.0)
    );
    assert_ne!(p.hash(), policy().hash());
}

#[test]
fn override_fields_must_fit_the_target() {
    let e = build("[[override]]\nrule = \"secrecy.delete\"\nmultiply = 2.0\n").unwrap_err();
    assert!(e.to_string().contains("does not apply"), "{e}");
}

#[test]
fn an_override_file_alone_is_an_error_not_an_empty_policy() {
    let e = Policy::builder()
        .add_toml("o.toml", "[scoring]\nhalf_life = \"1h\"\n")
        .unwrap()
        .build()
        .unwrap_err();
    assert!(
        e.to_string().contains("half_life")
            || e.to_string().contains("levels")
            || e.to_string().contains("no rules"),
        "{e}"
    );
}

#[test]
fn bad_durations_are_rejected() {
    let e = build("[scoring]\nhalf_life = \"soon\"\n").unwrap_err();
    assert!(matches!(e.kind(), PolicyErrorKind::InvalidDuration(_)), "{e}");
}

#[test]
fn near_needs_two_groups() {
    let e = build("[[rule]]\nid = \"r\"\ncategory = \"meeting\"\nweight = 1\nnear = { terms = [[\"a\"]], within = 2 }\n").unwrap_err();
    assert!(e.to_string().contains("near"), "{e}");
}

#[test]
fn unknown_pack_is_typed() {
    let e = Policy::builder().add_pack("klingon").unwrap_err();
    assert!(matches!(e.kind(), PolicyErrorKind::UnknownPack(_)));
}

#[test]
fn shipped_packs_build_compile_and_pass_their_examples() {
    let engine = Engine::new(Policy::shipped().unwrap()).unwrap();
    let failures = engine.check_examples();
    assert!(failures.is_empty(), "{failures:#?}");
    for r in engine.policy().rules() {
        assert!(
            r.examples.hit.len() >= 2 && r.examples.miss.len() >= 2,
            "rule {} needs 2 hit and 2 miss examples",
            r.id
        );
    }
}

#[test]
fn test_policy_examples_pass() {
    let engine = Engine::new(policy()).unwrap();
    assert_eq!(engine.check_examples(), vec![]);
}

#[test]
fn hash_is_stable_across_builds() {
    assert_eq!(policy().hash(), policy().hash());
}
