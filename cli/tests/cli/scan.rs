//! `vigil scan`, and the first tests of `vigil policy`.

use predicates::prelude::*;

use crate::{snap, stderr, stdout, vigil, CHAT, FIXTURE, INDICATORS_CHAT, WITH_INDICATORS};

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
    let texts: std::collections::HashMap<String, String> = vigil::jsonl::parse(&input)
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

#[test]
fn scan_pretty_prints_readable_escalations() {
    let out = vigil()
        .args(["scan", CHAT, "--format", "pretty"])
        .args(FIXTURE)
        .assert()
        .success();
    snap!("scan_pretty", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("12 messages, 4 conversations, 6 escalations (watch 2, review 3, urgent 1), 0 malformed lines skipped"),
        "{err}"
    );
    assert!(
        err.contains("escalations by category: age-probing 4, secrecy 4, meeting 2, platform-switch 2"),
        "{err}"
    );
}

#[test]
fn scan_min_level_and_quiet() {
    let out = vigil()
        .args(["scan", CHAT, "--min-level", "review", "--quiet"])
        .args(FIXTURE)
        .assert()
        .success()
        .stderr("");
    let levels: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["level"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(levels, vec!["review", "review", "urgent", "review"]);
    // With --all, every observation at or above the level.
    let out = vigil()
        .args(["scan", CHAT, "--all", "--min-level", "urgent", "-q"])
        .args(FIXTURE)
        .assert()
        .success();
    let ids: Vec<String> = stdout(&out)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["message_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, vec!["m6"]);
}

#[test]
fn scan_fail_on_exits_3() {
    vigil()
        .args(["scan", CHAT, "-q", "--fail-on", "urgent"])
        .args(FIXTURE)
        .assert()
        .code(3);
    vigil()
        .args([
            "scan",
            "examples/benign-conversation.jsonl",
            "-q",
            "--fail-on",
            "watch",
        ])
        .assert()
        .success();
    // A usage error is 2, with the valid levels named.
    vigil()
        .args(["scan", CHAT, "--fail-on", "severe"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("watch, review or urgent"));
}

#[test]
fn scan_reads_invalid_utf8_repaired_and_reports_missing_files() {
    let mut input = b"{\"conversation_id\":\"c\",\"message_id\":\"1\",\"timestamp\":0,\"sender\":{\"id\":\"a\"},\"text\":\"hi\"}\n".to_vec();
    // Latin-1 bytes in a message: the message is kept, its bytes replaced, the line noted.
    input.extend_from_slice(
        b"{\"conversation_id\":\"c\",\"message_id\":\"2\",\"timestamp\":0,\"sender\":{\"id\":\"a\"},\"text\":\"how old are you gar\xe7on\"}\n",
    );
    let out = vigil()
        .args(["scan", "-", "--all"])
        .write_stdin(input)
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains(
                "<stdin>: line 2: not valid UTF-8; read with the invalid bytes replaced",
            )
            .and(predicate::str::contains("2 messages"))
            .and(predicate::str::contains("0 malformed lines skipped"))
            .and(predicate::str::contains("1 lines were not valid UTF-8")),
        );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[1]["assessment"]["hits"][0]["rule"],
        "en.age-probing.how-old"
    );
    vigil()
        .args(["scan", "no/such/file.jsonl"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot open no/such/file.jsonl"));
}

/// Escalations without the platform's words (only the platform-worded file has them).
fn escalations_without_platform(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("platform");
            v
        })
        .collect()
}

#[test]
fn platform_words_scan_with_nothing_skipped_like_canonical_values() {
    let platform = vigil()
        .args(["scan", "tests/vectors/platform.input.jsonl"])
        .assert()
        .code(0)
        .stderr(
            predicate::str::contains("19 messages, 5 conversations")
                .and(predicate::str::contains("0 malformed lines skipped"))
                .and(predicate::str::contains(
                    "channel \"hologram\" is not mapped by the policy: 3 messages",
                ))
                .and(predicate::str::contains(
                    "relationship \"nemesis\" is not mapped by the policy: 3 messages",
                )),
        );
    let canonical = vigil()
        .args(["scan", "tests/vectors/platform.canonical.jsonl"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("not mapped").not());
    let (a, b) = (stdout(&platform), stdout(&canonical));
    let first: serde_json::Value = serde_json::from_str(a.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["platform"]["channel"],
        serde_json::json!({"word": "whisper", "kind": "direct", "mapped": true})
    );
    let a = escalations_without_platform(&a);
    assert!(a.len() >= 4, "the platform vector escalates");
    assert_eq!(a, escalations_without_platform(&b));
}

#[test]
fn scan_pretty_all_highlights_hits() {
    let out = vigil()
        .args([
            "scan", CHAT, "--all", "--format", "pretty", "-q", "--color", "always",
        ])
        .args(FIXTURE)
        .assert()
        .success();
    let s = stdout(&out);
    assert!(s.contains("\u{1b}["), "colour was asked for");
    assert_eq!(
        s.lines().filter(|l| l.starts_with("\u{1b}[2mc-")).count(),
        12,
        "{s}"
    );
}

/// A file saved by a Windows editor: a byte-order mark and `\r\n` line ends (and a blank line).
fn windows_copy(path: &str, dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(crate::root().join(path)).unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    for line in text.lines() {
        bytes.extend_from_slice(line.as_bytes());
        bytes.extend_from_slice(b"\r\n\r\n");
    }
    let out = dir.join(std::path::Path::new(path).file_name().unwrap());
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn scan_and_eval_read_byte_order_marks_and_crlf_as_the_library_does() {
    let dir = tempfile::tempdir().unwrap();
    let chat = windows_copy(CHAT, dir.path());
    let want = vigil()
        .args(["scan", CHAT, "-q"])
        .args(FIXTURE)
        .assert()
        .success();
    let got = vigil()
        .arg("scan")
        .arg(&chat)
        .arg("-q")
        .args(FIXTURE)
        .assert()
        .success();
    assert_eq!(stdout(&got), stdout(&want));
    assert!(!stdout(&got).is_empty());
    // Standard input too, and the library's `jsonl::parse` reads the same messages.
    let bytes = std::fs::read(&chat).unwrap();
    let piped = vigil()
        .args(["scan", "-", "-q"])
        .args(FIXTURE)
        .write_stdin(bytes.clone())
        .assert()
        .success();
    assert_eq!(stdout(&piped), stdout(&want));
    let parsed: Vec<vigil::Message> = vigil::jsonl::parse(std::str::from_utf8(&bytes).unwrap())
        .map(|m| m.unwrap())
        .collect();
    assert_eq!(parsed.len(), 12);
    // Labels are JSON Lines as well.
    let labels = windows_copy(crate::LABELS, dir.path());
    let want = vigil()
        .args(["eval", "-m", CHAT, "-l", crate::LABELS, "--json"])
        .args(FIXTURE)
        .assert();
    let got = vigil()
        .args(["eval", "-m"])
        .arg(&chat)
        .arg("-l")
        .arg(&labels)
        .arg("--json")
        .args(FIXTURE)
        .assert();
    assert_eq!(stdout(&got), stdout(&want));
    assert_eq!(got.get_output().status.code(), want.get_output().status.code());
}

#[test]
fn scan_pretty_lists_indicators() {
    let out = vigil()
        .args(["scan", INDICATORS_CHAT, "--format", "pretty", "-q"])
        .args(WITH_INDICATORS)
        .assert()
        .success();
    let text = stdout(&out);
    // The last escalation lists every indicator the sender wrote, first sighting and count.
    let last = text.split("▲ ").last().unwrap_or_default();
    assert!(last.contains("  indicators\n"), "{text}");
    for line in [
        "    handle (snapchat)  coolkid_22  first in m1, seen 2 times",
        "    wallet (bitcoin)  1BoatSLRHtKNngkdXEeobR76b53LETtpyT ✓ checksum  in m3",
        "    payment_handle (cashapp)  $coolguy99  in m3",
        "    phone  +447700900123  in m4",
    ] {
        assert!(last.contains(line), "{line:?} in {last}");
    }
    // Without the layer the fixture policy extracts nothing.
    let out = vigil()
        .args(["scan", INDICATORS_CHAT, "--format", "pretty", "-q"])
        .args(FIXTURE)
        .assert()
        .success();
    assert!(!stdout(&out).contains("indicators"));
    // The JSON carries them through the core.
    let out = vigil()
        .args(["scan", INDICATORS_CHAT, "-q"])
        .args(WITH_INDICATORS)
        .assert()
        .success();
    let docs: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let last = docs.last().unwrap();
    assert_eq!(last["indicators"].as_array().map(Vec::len), Some(4), "{last}");
    assert_eq!(
        last["report_hints"]["indicators"][0]["field"],
        "associatedAccount/screenName"
    );
}

/// The golden vector of sender cases (ten children and a coach), replayed with the shipped
/// packs, whose core pack enables `[senders]`.
const SENDERS: &str = "tests/vectors/senders.input.jsonl";

/// The escalations of the vector's expected observations, by kind (`escalation`,
/// `sender_escalation`).
fn expected_escalations(field: &str) -> Vec<serde_json::Value> {
    let doc = std::fs::read_to_string(crate::root().join("tests/vectors/senders.expected.jsonl")).unwrap();
    doc.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|o| o.get(field).filter(|e| !e.is_null()).cloned())
        .collect()
}

#[test]
fn scan_scope_selects_sender_cases() {
    let out = vigil()
        .args(["scan", SENDERS, "--scope", "sender"])
        .assert()
        .success();
    let printed: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Exactly the vector's sender escalations, documents unchanged.
    let senders = expected_escalations("sender_escalation");
    assert!(senders.len() >= 2);
    assert_eq!(printed, senders);
    let cases: std::collections::BTreeSet<&str> =
        printed.iter().map(|e| e["case"].as_str().unwrap()).collect();
    let conversations = expected_escalations("escalation");
    // The summary counts every escalation, and the sender ones apart.
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} escalations (", senders.len() + conversations.len()))
            && err.contains(&format!(
                "of which {} sender escalations in {} sender cases,",
                senders.len(),
                cases.len()
            )),
        "{err}"
    );
    // `conversation` leaves them out; `all` (the default) prints both, each message's
    // conversation escalation before its sender escalation.
    let conv = vigil()
        .args(["scan", SENDERS, "--scope", "conversation", "-q"])
        .assert()
        .success();
    let conv: Vec<serde_json::Value> = stdout(&conv)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(conv, conversations);
    let all = vigil().args(["scan", SENDERS, "-q"]).assert().success();
    assert_eq!(stdout(&all).lines().count(), senders.len() + conversations.len());
    let recipient = vigil()
        .args(["scan", SENDERS, "-q", "--scope", "recipient"])
        .assert()
        .success();
    assert_eq!(stdout(&recipient), "");
    // --fail-on looks at the chosen scope: the sender case reaches urgent, no conversation does.
    vigil()
        .args(["scan", SENDERS, "-q", "--scope", "sender", "--fail-on", "urgent"])
        .assert()
        .code(3);
    vigil()
        .args([
            "scan",
            SENDERS,
            "-q",
            "--scope",
            "conversation",
            "--fail-on",
            "urgent",
        ])
        .assert()
        .success();
}

#[test]
fn scan_pretty_prints_a_senders_case() {
    let out = vigil()
        .args(["scan", SENDERS, "--scope", "sender", "--format", "pretty", "-q"])
        .assert()
        .success();
    let text = stdout(&out);
    let last = expected_escalations("sender_escalation")
        .into_iter()
        .rfind(|e| e["participants"]["sender"]["id"] == "u-new")
        .unwrap();
    let block = text
        .split("\n\n")
        .filter(|b| b.contains("sender u-new"))
        .last()
        .unwrap();
    // The case, the arithmetic in the escalation's words, each conversation with its level,
    // points, recipient and first and last message.
    assert!(block.contains(last["case"].as_str().unwrap()), "{block}");
    assert!(block.starts_with("▲ URGENT"), "{block}");
    for r in last["reasons"].as_array().unwrap() {
        assert!(block.contains(&format!("  • {}", r.as_str().unwrap())), "{block}");
    }
    let convs = last["conversations"].as_array().unwrap();
    assert_eq!(convs.len(), 10);
    for c in convs {
        let line = format!(
            "    {} → {} (minor)  {}  {} points  first {} at {} · last {} at {}",
            c["conversation_id"].as_str().unwrap(),
            c["recipient"].as_str().unwrap(),
            c["level"].as_str().unwrap(),
            c["points"].as_f64().unwrap(),
            c["first_message_id"].as_str().unwrap(),
            c["first_seen"].as_str().unwrap(),
            c["last_message_id"].as_str().unwrap(),
            c["last_seen"].as_str().unwrap(),
        );
        assert!(block.contains(&line), "{line}\n{block}");
    }
    assert!(block.contains("action: "), "{block}");
    // A conversation escalation names its case.
    let conv = vigil()
        .args([
            "scan",
            SENDERS,
            "--scope",
            "conversation",
            "--format",
            "pretty",
            "-q",
        ])
        .assert()
        .success();
    assert!(stdout(&conv).contains(&format!(" · case {}", last["case"].as_str().unwrap())));
}
