//! `vigil policy check|test|show|compile`, and `--bundle`.

use predicates::prelude::*;

use crate::{snap, stderr, stdout, vigil, FIXTURE};

#[test]
fn check_a_clean_policy() {
    vigil()
        .args(["policy", "check"])
        .args(FIXTURE)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("policy fixture 1")
                .and(predicate::str::contains("lint: no lint warnings")),
        )
        .stderr("");
}

#[test]
fn check_prints_lint_warnings_with_locations() {
    let out = vigil()
        .args(["policy", "check"])
        .args(FIXTURE)
        .args(["--policy", "cli/tests/fixtures/lint.toml"])
        .assert()
        .success();
    snap!("policy_check_lints", stderr(&out));
    assert!(stdout(&out).contains("lint: 6 lint warnings"), "{}", stdout(&out));
    vigil()
        .args(["policy", "check", "--deny-warnings"])
        .args(FIXTURE)
        .args(["--policy", "cli/tests/fixtures/lint.toml"])
        .assert()
        .code(1);
}

#[test]
fn check_json() {
    let out = vigil()
        .args(["policy", "check", "--json"])
        .args(FIXTURE)
        .args(["--policy", "cli/tests/fixtures/lint.toml"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let kinds: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "duplicate-term",
            "unmatchable-term",
            "unmatchable-pattern",
            "shadowed-rule",
            "unused-category",
            "unused-stage"
        ]
    );
    // A term added by an override is located at its rule's definition (core's rule locations
    // look in the rule's own layer).
    assert_eq!(v["warnings"][0]["term"], "DON'T  TELL your parents");
    assert_eq!(
        v["warnings"][0]["location"]["source"],
        "cli/tests/fixtures/policy.toml"
    );
    assert_eq!(
        v["warnings"][1]["location"]["source"],
        "cli/tests/fixtures/lint.toml"
    );
    assert_eq!(v["warnings"][1]["location"]["line"], 10);
    assert_eq!(v["rules"], 11);
}

#[test]
fn test_runs_examples_and_fails_on_a_broken_one() {
    vigil()
        .args(["policy", "test"])
        .args(FIXTURE)
        .assert()
        .success()
        .stdout(predicate::str::contains("examples: 15 passed, 0 failed"));
    let dir = tempfile::tempdir().unwrap();
    let layer = dir.path().join("broken.toml");
    std::fs::write(
        &layer,
        "[[rule]]\nid = \"x.broken\"\ncategory = \"meeting\"\nweight = 1\nany = [\"meet me\"]\nexamples = { hit = [\"see you\"] }\n",
    )
    .unwrap();
    vigil()
        .args(["policy", "test"])
        .args(FIXTURE)
        .arg("--policy")
        .arg(&layer)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("FAIL x.broken: \"see you\" should match but did not")
                .and(predicate::str::contains("broken.toml:6"))
                .and(predicate::str::contains("examples: 15 passed, 1 failed")),
        );
}

#[test]
fn syntax_errors_are_compiler_style() {
    let dir = tempfile::tempdir().unwrap();
    let layer = dir.path().join("typo.toml");
    std::fs::write(
        &layer,
        "[[rule]]\nid = \"x\"\ncategory = \"meeting\"\nwieght = 3\n",
    )
    .unwrap();
    let out = vigil()
        .args(["policy", "check"])
        .arg("--policy")
        .arg(&layer)
        .assert()
        .code(2);
    let err = stderr(&out);
    assert!(err.contains("typo.toml:4:1: error: "), "{err}");
    assert!(err.contains("wieght"), "{err}");
}

#[test]
fn show_prints_the_merged_policy() {
    let out = vigil()
        .args(["policy", "show"])
        .args(FIXTURE)
        .args(["--policy", "cli/tests/fixtures/policy-v2.toml"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["id"], "fixture+fixture-v2");
    assert_eq!(v["scoring"]["levels"][1], 40.0);
}

#[test]
fn the_shipped_packs_check() {
    vigil()
        .args(["policy", "check"])
        .assert()
        .success()
        .stdout(predicate::str::contains("policy vigil-core+vigil-en"));
}

#[test]
fn policy_check_lints_a_platform_vocabulary() {
    let out = vigil()
        .args([
            "policy",
            "check",
            "--vocabulary",
            "cli/tests/fixtures/vocabulary.toml",
            "--json",
        ])
        .assert()
        .code(0);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let unmapped: Vec<&str> = v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "unmapped-word")
        .map(|w| w["term"].as_str().unwrap())
        .collect();
    assert_eq!(unmapped, vec!["arena", "rival"]);
    vigil()
        .args([
            "policy",
            "check",
            "--vocabulary",
            "cli/tests/fixtures/vocabulary.toml",
            "--deny-warnings",
        ])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "cli/tests/fixtures/vocabulary.toml: warning[unmapped-word]: the platform's channel `arena`",
        ));
    vigil()
        .args(["policy", "check", "--vocabulary", "no/such.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read no/such.toml"));
}

#[test]
fn compile_writes_a_bundle_that_scans_like_the_layers() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("fixture.bundle");
    let out = vigil()
        .args(["policy", "compile"])
        .args(FIXTURE)
        .arg("-o")
        .arg(&bundle)
        .assert()
        .success();
    assert!(stderr(&out).contains("wrote"), "{}", stderr(&out));
    let bytes = std::fs::read(&bundle).unwrap();
    assert_eq!(&bytes[..8], b"VIGILBDL");
    let from_layers = vigil()
        .args(["scan", crate::CHAT, "--all"])
        .args(FIXTURE)
        .assert()
        .success();
    let from_bundle = vigil()
        .args(["scan", crate::CHAT, "--all", "--bundle"])
        .arg(&bundle)
        .assert()
        .success();
    assert!(!stdout(&from_layers).is_empty());
    assert_eq!(stdout(&from_bundle), stdout(&from_layers));
    // The policy a bundle holds is the layers' policy.
    let shown = vigil()
        .args(["policy", "show", "--bundle"])
        .arg(&bundle)
        .assert()
        .success();
    let layers = vigil().args(["policy", "show"]).args(FIXTURE).assert().success();
    assert_eq!(stdout(&shown), stdout(&layers));
}

#[test]
fn a_damaged_bundle_is_an_error_naming_the_file_and_the_byte() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = dir.path().join("bad.bundle");
    std::fs::write(&bundle, b"VIGILBDL\x07\x00").unwrap();
    let out = vigil()
        .args(["scan", crate::CHAT, "--bundle"])
        .arg(&bundle)
        .assert()
        .code(2);
    let err = stderr(&out);
    assert!(
        err.contains("bad.bundle: error: bundle byte 8: bundle format version 7"),
        "{err}"
    );
    // --bundle replaces the layers: both at once is a usage error.
    vigil()
        .args(["scan", crate::CHAT, "--bundle"])
        .arg(&bundle)
        .args(FIXTURE)
        .assert()
        .code(2);
}
