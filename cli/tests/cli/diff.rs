//! `vigil diff`.

use crate::{snap, stdout, vigil, CHAT};

const V2: [&str; 6] = [
    "--no-default-packs",
    "--policy",
    "cli/tests/fixtures/policy.toml",
    "--policy-b",
    "cli/tests/fixtures/policy.toml",
    "--policy-b",
];

#[test]
fn diff_shows_changed_conversations_and_why() {
    let out = vigil()
        .args(["diff", CHAT])
        .args(V2)
        .arg("cli/tests/fixtures/policy-v2.toml")
        .assert()
        .success();
    snap!("diff", stdout(&out));
}

#[test]
fn diff_json() {
    let out = vigil()
        .args(["diff", CHAT, "--json"])
        .args(V2)
        .arg("cli/tests/fixtures/policy-v2.toml")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["b"]["id"], "fixture+fixture-v2");
    assert_eq!(v["policy_changes"]["rules"]["added"][0], "meeting.meet-up");
    let changed = v["changed"].as_array().unwrap();
    assert!(!changed.is_empty());
    for c in changed {
        assert_ne!(c["a"]["level"], c["b"]["level"]);
    }
}

#[test]
fn diff_of_identical_policies_changes_nothing() {
    let out = vigil()
        .args(["diff", "examples/sample-conversation.jsonl"])
        .assert()
        .success();
    let s = stdout(&out);
    assert!(s.contains("the policies are identical"), "{s}");
    assert!(s.contains("16 messages, 1 conversations: 0 changed level"), "{s}");
}

#[test]
fn diff_reads_several_files() {
    let out = vigil()
        .args([
            "diff",
            "examples/sample-conversation.jsonl",
            "examples/benign-conversation.jsonl",
            "--json",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["conversations"], 2);
    assert_eq!(v["changed"].as_array().unwrap().len(), 0);
}
