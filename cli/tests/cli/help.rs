//! `--help` for every command, and shell completions.

use predicates::prelude::*;

use crate::{stdout, vigil};

#[test]
fn every_command_has_help_with_examples() {
    let top = vigil().arg("--help").assert().success();
    let s = stdout(&top);
    assert!(
        s.contains("Exit codes:") && s.contains("3  scan --fail-on LEVEL"),
        "{s}"
    );
    for cmd in [
        vec!["scan"],
        vec!["explain"],
        vec!["policy", "check"],
        vec!["policy", "test"],
        vec!["policy", "show"],
        vec!["policy", "compile"],
        vec!["eval"],
        vec!["diff"],
        vec!["report"],
        vec!["completions"],
    ] {
        vigil()
            .args(&cmd)
            .arg("--help")
            .assert()
            .success()
            .stdout(predicate::str::contains("Examples:").and(predicate::str::contains("vigil ")));
    }
    vigil()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("vigil "));
    vigil().arg("frobnicate").assert().code(2);
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _vigil"),
        ("zsh", "#compdef vigil"),
        ("fish", "complete -c vigil"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion:arg-completer[vigil]"),
    ] {
        let out = vigil().args(["completions", shell]).assert().success();
        let s = stdout(&out);
        assert!(s.contains(marker), "{shell}: {s}");
        assert!(s.contains("explain") && s.contains("policy"), "{shell}");
    }
}
