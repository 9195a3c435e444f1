//! `vigil eval`.

use predicates::prelude::*;

use crate::{snap, stdout, vigil, CHAT, FIXTURE, LABELS};

#[test]
fn eval_table() {
    let out = vigil()
        .args(["eval", "--messages", CHAT, "--labels", LABELS])
        .args(FIXTURE)
        .assert()
        .success();
    snap!("eval_table", stdout(&out));
}

#[test]
fn eval_json_and_gates() {
    let out = vigil()
        .args(["eval", "-m", CHAT, "-l", LABELS, "--json"])
        .args(FIXTURE)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["overall"]["grooming"], 2);
    assert_eq!(v["overall"]["recall"], 0.5);
    assert_eq!(v["overall"]["benign_escalation_rate"], 0.5);
    assert_eq!(v["overall"]["latency"]["median"], 3.0);
    assert_eq!(v["by_language"]["de"]["recall"], 0.0);
    assert_eq!(v["missing"][0], "c-missing");
    let misses: Vec<&str> = v["misses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(misses, vec!["c-coach", "c-group"]);
    vigil()
        .args(["eval", "-m", CHAT, "-l", LABELS, "--min-recall", "0.9"])
        .args(FIXTURE)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "recall 50.0% is below --min-recall 90.0%",
        ));
    vigil()
        .args([
            "eval",
            "-m",
            CHAT,
            "-l",
            LABELS,
            "--max-benign-rate",
            "0.5",
            "--threshold",
            "urgent",
        ])
        .args(FIXTURE)
        .assert()
        .success();
}

#[test]
fn eval_reports_bad_label_lines() {
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.jsonl");
    std::fs::write(
        &labels,
        "{\"conversation_id\": \"c-groom\", \"label\": \"grooming\"}\n{\"conversation_id\": \"c-x\", \"label\": \"maybe\"}\n",
    )
    .unwrap();
    vigil()
        .args(["eval", "-m", CHAT, "-l"])
        .arg(&labels)
        .args(FIXTURE)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("line 2: unknown variant `maybe`"));
}

#[test]
fn eval_on_the_examples_with_the_shipped_packs() {
    let dir = tempfile::tempdir().unwrap();
    let messages = dir.path().join("both.jsonl");
    let root = crate::root();
    let mut doc = std::fs::read_to_string(root.join("examples/sample-conversation.jsonl")).unwrap();
    doc.push_str(&std::fs::read_to_string(root.join("examples/benign-conversation.jsonl")).unwrap());
    std::fs::write(&messages, doc).unwrap();
    let labels = dir.path().join("labels.jsonl");
    std::fs::write(
        &labels,
        "{\"conversation_id\": \"sample-1\", \"label\": \"grooming\", \"language\": \"en\"}\n\
         {\"conversation_id\": \"benign-1\", \"label\": \"benign\", \"language\": \"en\"}\n",
    )
    .unwrap();
    let out = vigil()
        .args(["eval", "--json", "-m"])
        .arg(&messages)
        .arg("-l")
        .arg(&labels)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["overall"]["recall"], 1.0);
    assert_eq!(v["overall"]["benign_escalation_rate"], 0.0);
}

#[test]
fn eval_on_the_labelled_corpus() {
    let root = crate::root();
    let dir = root.join("tests/corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no tests/corpus");
        return;
    };
    let mut messages = Vec::new();
    let mut labels = Vec::new();
    for e in entries {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".labels.jsonl") {
            labels.push(format!("tests/corpus/{name}"));
        } else if name.ends_with(".jsonl") {
            messages.push(format!("tests/corpus/{name}"));
        }
    }
    messages.sort();
    labels.sort();
    let labelled: usize = labels
        .iter()
        .map(|l| {
            std::fs::read_to_string(root.join(l))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
        })
        .sum();
    let out = vigil()
        .args(["eval", "--json", "-m"])
        .args(&messages)
        .arg("-l")
        .args(&labels)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["conversations"], labelled as u64);
    assert_eq!(v["missing"].as_array().unwrap().len(), 0);
    assert_eq!(v["unknown_first_risky"].as_array().unwrap().len(), 0);
    assert!(v["overall"]["recall"].is_number());
    assert!(v["by_language"]["en"]["grooming"].as_u64().unwrap() > 0);
    // The table renders too.
    vigil()
        .args(["eval", "-m"])
        .args(&messages)
        .arg("-l")
        .args(&labels)
        .assert()
        .success()
        .stdout(predicate::str::contains("  en "));
}

#[test]
fn eval_reports_sender_level_recall_on_the_sender_corpus() {
    let root = crate::root();
    let dir = root.join("tests/corpus/senders");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: no tests/corpus/senders");
        return;
    };
    let (mut messages, mut labels) = (Vec::new(), Vec::new());
    for e in entries {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".labels.jsonl") {
            labels.push(format!("tests/corpus/senders/{name}"));
        } else if name.ends_with(".jsonl") {
            messages.push(format!("tests/corpus/senders/{name}"));
        }
    }
    messages.sort();
    labels.sort();
    let out = vigil()
        .args([
            "eval",
            "--json",
            "--min-sender-recall",
            "0.9",
            "--max-benign-sender-rate",
            "0",
            "-m",
        ])
        .args(&messages)
        .arg("-l")
        .args(&labels)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let s = &v["senders"];
    assert!(s["overall"]["grooming"].as_u64().unwrap() >= 16);
    assert!(s["overall"]["recall"].as_f64().unwrap() >= 0.9);
    assert_eq!(s["overall"]["benign_escalated"], 0);
    assert_eq!(s["missing"].as_array().unwrap().len(), 0);
    assert!(s["by_language"]["de"]["grooming"].as_u64().unwrap() > 0);
    // Conversation labels sit in the same files.
    assert!(v["overall"]["grooming"].as_u64().unwrap() > 0);
    // The table has a senders section; an impossible gate fails with code 1.
    vigil()
        .args(["eval", "-m"])
        .args(&messages)
        .arg("-l")
        .args(&labels)
        .assert()
        .success()
        .stdout(predicate::str::contains("senders"))
        .stdout(predicate::str::contains("only as sender"));
    vigil()
        .args(["eval", "--min-sender-recall", "1.01", "-m"])
        .args(&messages)
        .arg("-l")
        .args(&labels)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("sender-level recall"));
}

#[test]
fn eval_benign_table() {
    let out = vigil()
        .args(["eval", "--benign", "-m", CHAT])
        .args(FIXTURE)
        .assert()
        .success();
    snap!("eval_benign_table", stdout(&out));
}

#[test]
fn eval_benign_json_gates_and_usage() {
    let out = vigil()
        .args(["eval", "--benign", "--json", "-m", CHAT])
        .args(FIXTURE)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["benign_only"], true);
    assert_eq!(v["conversations"], 4);
    assert_eq!(v["unlabelled"], 0);
    assert_eq!(v["overall"]["grooming"], 0);
    assert!(v["overall"]["recall"].is_null());
    let b = &v["benign"];
    assert_eq!(b["conversations"], 4);
    assert_eq!(b["messages"], 12);
    assert_eq!(b["escalated"], 2);
    assert_eq!(b["escalated_rate"], 0.5);
    assert_eq!(b["urgent"], 1);
    assert_eq!(b["escalations"], 6);
    assert_eq!(b["escalations_per_10k_messages"], 5000.0);
    assert_eq!(b["escalations_at_threshold_per_10k_messages"], 3333.33);
    let top = &b["rules"][0];
    assert_eq!(top["rule"], "meeting.meet");
    assert_eq!(top["escalated_conversations"], 2);
    assert_eq!(top["messages"], 2);
    let escalated: Vec<&str> = v["misses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["conversation_id"].as_str().unwrap())
        .collect();
    assert_eq!(escalated, vec!["c-groom", "c-coach"]);
    // The gate applies to the share of conversations escalated; --threshold moves it.
    vigil()
        .args(["eval", "--benign", "-m", CHAT, "--max-benign-rate", "0.3"])
        .args(FIXTURE)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "benign escalation rate 50.0% is above --max-benign-rate 30.0%",
        ));
    vigil()
        .args(["eval", "--benign", "-m", CHAT, "--max-benign-rate", "0.3"])
        .args(["--threshold", "urgent"])
        .args(FIXTURE)
        .assert()
        .success();
    // Labels are needed unless --benign says there are none; both at once is a usage error.
    vigil()
        .args(["eval", "-m", CHAT])
        .args(FIXTURE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--benign when every conversation is benign",
        ));
    vigil()
        .args(["eval", "--benign", "-m", CHAT, "-l", LABELS])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    vigil()
        .args(["eval", "--benign", "-m", CHAT, "--min-recall", "0.9"])
        .assert()
        .code(2);
}

#[test]
fn eval_benign_on_the_example_with_the_shipped_packs() {
    let out = vigil()
        .args([
            "eval",
            "--benign",
            "--json",
            "-m",
            "examples/benign-conversation.jsonl",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["benign"]["conversations"], 1);
    assert_eq!(v["benign"]["escalated"], 0);
    assert_eq!(v["benign"]["urgent"], 0);
}

#[test]
fn eval_benign_on_the_real_chat_sample() {
    // Five real conversations (tests/realchat/, MIT); the figures depend on the shipped packs, so
    // only the counts and the shape are checked.
    let out = vigil()
        .args([
            "eval",
            "--benign",
            "--json",
            "-m",
            "tests/realchat/chitchat-sample.jsonl",
        ])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["benign"]["conversations"], 5);
    assert_eq!(v["benign"]["messages"], 134);
    assert!(v["benign"]["escalations_per_10k_messages"].is_number());
    assert!(v["benign"]["rules"].is_array());
}
