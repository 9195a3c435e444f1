//! End-to-end tests of the `vigil` command.

use assert_cmd::Command;
use predicates::prelude::*;

fn vigil() -> Command {
    let mut c = Command::cargo_bin("vigil").unwrap();
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    c
}

#[test]
fn scan_the_sample_prints_escalations_with_evasive_spans() {
    let out = vigil()
        .args(["scan", "examples/sample-conversation.jsonl"])
        .assert()
        .success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains("messages") && stderr.contains("escalations"),
        "{stderr}"
    );
    let input = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sample-conversation.jsonl"
    ))
    .unwrap();
    let texts: std::collections::HashMap<String, String> = vigil::message::parse_jsonl(&input)
        .map(|m| m.unwrap())
        .map(|m| (m.message_id, m.text))
        .collect();
    let escalations: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!escalations.is_empty());
    let last = escalations.last().unwrap();
    assert_eq!(last["schema"], "vigil.escalation/1");
    assert_eq!(last["level"], "urgent");
    // The evidence highlights what the user typed, evasions included.
    let highlighted: Vec<&str> = last["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = &texts[e["message_id"].as_str().unwrap()];
            &text[e["span"]["start"].as_u64().unwrap() as usize..e["span"]["end"].as_u64().unwrap() as usize]
        })
        .collect();
    assert!(
        highlighted
            .iter()
            .any(|h| !h.is_ascii() || h.chars().any(|c| c.is_ascii_digit())),
        "{highlighted:?}"
    );
}

#[test]
fn scan_reads_stdin_and_reports_malformed_lines() {
    let input = "{\"conversation_id\":\"c\",\"message_id\":\"1\",\"timestamp\":0,\"sender\":{\"id\":\"a\"},\"text\":\"hi\"}\nnot json\n{\"conversation_id\":\"c\",\"timestamp\":0,\"sender\":{\"id\":\"a\"},\"text\":\"hi\"}\n";
    vigil()
        .args(["scan", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("line 2").and(predicate::str::contains("line 3: field `message_id`")),
        )
        .stderr(predicate::str::contains("2 malformed lines skipped"));
    vigil()
        .args(["scan", "-", "--strict"])
        .write_stdin(input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2"));
}

#[test]
fn scan_all_prints_every_observation() {
    let out = vigil()
        .args(["scan", "examples/sample-conversation.jsonl", "--all"])
        .assert()
        .success();
    let n = String::from_utf8_lossy(&out.get_output().stdout).lines().count();
    let messages = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/sample-conversation.jsonl"
    ))
    .unwrap()
    .lines()
    .filter(|l| !l.trim().is_empty())
    .count();
    assert_eq!(n, messages);
}

#[test]
fn benign_sample_does_not_escalate() {
    vigil()
        .args(["scan", "examples/benign-conversation.jsonl"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn policy_test_runs_the_shipped_examples() {
    vigil()
        .args(["policy", "test"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 failed"));
}

#[test]
fn policy_check_names_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("vigil-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[[override]]\nrule = \"no.such.rule\"\nweight = 3\n").unwrap();
    vigil()
        .args(["policy", "check", "--policy"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("bad.toml:2")
                .and(predicate::str::contains("unknown rule `no.such.rule`")),
        );
}
