//! `vigil explain`.

use predicates::prelude::*;

use crate::{snap, stdout, vigil, CHAT, FIXTURE};

#[test]
fn explain_text_shows_normalization_hits_and_arithmetic() {
    let out = vigil()
        .args([
            "explain",
            "--text",
            "pls d0n'7 t e l l your parents and delete this chat, meet up at hotel 12",
            "--relationship",
            "stranger",
        ])
        .args(FIXTURE)
        .assert()
        .success();
    snap!("explain_text", stdout(&out));
}

#[test]
fn explain_text_json_is_the_core_explanation() {
    let out = vigil()
        .args([
            "explain",
            "--text",
            "how old r u? our secret",
            "--sender",
            "unknown",
            "--json",
        ])
        .args(FIXTURE)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["context"]["sender"], "unknown");
    assert_eq!(v["hits"][0]["rule"], "age.how-old");
    assert_eq!(v["hits"][0]["matched"], "how old r u");
    assert_eq!(v["hits"][1]["by"][0], "our secret");
    assert_eq!(v["formula"], "8 + 12 = 20");
    assert_eq!(v["alone"]["level"], "watch");
}

#[test]
fn explain_blocked_rules_say_why() {
    let out = vigil()
        .args(["explain", "--text", "lets meet up", "--sender", "minor"])
        .args(FIXTURE)
        .assert()
        .success();
    let s = stdout(&out);
    assert!(
        s.contains("meeting.meet  [meeting]  matched \"meet up\" but not counted: `when` not met: sender is minor (needs adult or unknown)"),
        "{s}"
    );
}

#[test]
fn explain_a_conversation_step_by_step() {
    let out = vigil()
        .args(["explain", CHAT, "--conversation", "c-groom"])
        .args(FIXTURE)
        .assert()
        .success();
    snap!("explain_conversation", stdout(&out));
}

#[test]
fn explain_one_message_of_a_conversation_as_json() {
    let out = vigil()
        .args(["explain", CHAT, "-c", "c-groom", "-m", "m6", "--json"])
        .args(FIXTURE)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    let s = &steps[0];
    assert_eq!(s["message_id"], "m6");
    assert_eq!(s["index"], 6);
    assert_eq!(s["elapsed_ms"], 7_200_000);
    assert_eq!(s["decay"], 0.25);
    assert_eq!(s["level"], "urgent");
    assert_eq!(s["escalation"]["level"], "urgent");
}

#[test]
fn explain_needs_a_conversation_when_the_file_has_several() {
    vigil()
        .args(["explain", CHAT])
        .args(FIXTURE)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("holds 4 conversations")
                .and(predicate::str::contains("c-groom, c-coach")),
        );
    vigil()
        .args(["explain", CHAT, "-c", "nope"])
        .args(FIXTURE)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no conversation `nope`"));
    vigil().args(["explain"]).assert().code(2);
}

#[test]
fn explain_colours_only_when_asked_or_on_a_terminal() {
    let plain = vigil()
        .args(["explain", "--text", "our secret"])
        .args(FIXTURE)
        .assert()
        .success();
    assert!(!stdout(&plain).contains('\u{1b}'));
    let coloured = vigil()
        .args(["explain", "--text", "our secret", "--color", "always"])
        .args(FIXTURE)
        .assert()
        .success();
    // The span is highlighted with a background colour.
    assert!(
        stdout(&coloured).contains("\u{1b}[1m\u{1b}[30m\u{1b}[41mour secret"),
        "{:?}",
        stdout(&coloured)
    );
    let no_color = vigil()
        .env("NO_COLOR", "1")
        .args(["explain", "--text", "our secret"])
        .args(FIXTURE)
        .assert()
        .success();
    assert!(!stdout(&no_color).contains('\u{1b}'));
}

#[test]
fn explain_the_shipped_sample() {
    let out = vigil()
        .args(["explain", "examples/sample-conversation.jsonl", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["max_level"], "urgent");
    assert_eq!(v["steps"].as_array().unwrap().len(), 16);
    let text = vigil()
        .args(["explain", "examples/sample-conversation.jsonl"])
        .assert()
        .success();
    let s = stdout(&text);
    // Invisible characters are shown, evasions traced to their terms.
    assert!(s.contains("⟨U+200B⟩"), "{s}");
    assert!(s.contains("\"dont tei ur mom\""), "{s}");
}

/// The sender escalation the vector raises at `conversation`/`message` (shipped packs).
fn sender_escalation(conversation: &str, message: &str) -> serde_json::Value {
    let doc = std::fs::read_to_string(crate::root().join("tests/vectors/senders.expected.jsonl")).unwrap();
    doc.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|o| o["conversation_id"] == conversation && o["message_id"] == message)
        .map(|o| o["sender_escalation"].clone())
        .filter(|e| !e.is_null())
        .unwrap()
}

#[test]
fn explain_shows_a_senders_arithmetic() {
    const SENDERS: &str = "tests/vectors/senders.input.jsonl";
    // The coach's fifth conversation makes five minors at watch, each a contact (× 0.4).
    let e = sender_escalation("coach-4", "m-2");
    let out = vigil()
        .args(["explain", SENDERS, "-c", "coach-4", "-m", "m-2"])
        .assert()
        .success();
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "▲ sender escalation #{}: sender coach-7 {} (was none) — case {}",
            e["sequence"],
            e["level"].as_str().unwrap(),
            e["case"].as_str().unwrap()
        )),
        "{text}"
    );
    for c in e["conversations"].as_array().unwrap() {
        let row = text
            .lines()
            .find(|l| {
                l.trim_start()
                    .starts_with(&format!("{} →", c["conversation_id"].as_str().unwrap()))
            })
            .unwrap_or_else(|| panic!("{c}\n{text}"));
        assert!(
            row.ends_with(&format!(
                "watch    10 × 0.4 (contact) = {}",
                c["points"].as_f64().unwrap()
            )),
            "{row}"
        );
    }
    assert!(
        text.contains(&format!("total{}{}", " ".repeat(37), e["risk"].as_f64().unwrap())),
        "{text}"
    );
    assert!(
        text.contains("5 minors (a sender level needs at least 2) within 7d00h"),
        "{text}"
    );
    assert!(
        text.contains("(sender levels: watch 20 · review 50 · urgent 85)"),
        "{text}"
    );
    assert!(text.contains(&format!("action: {}", e["recommended_action"].as_str().unwrap())));
    // As JSON: the step's sender arithmetic, the escalation's points.
    let out = vigil()
        .args(["explain", SENDERS, "-c", "coach-4", "-m", "m-2", "--json"])
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let a = &v["steps"][0]["sender_escalation"];
    assert_eq!(a["points"], e["risk"]);
    assert_eq!(a["min_minors"], 2);
    assert_eq!(a["minors"], 5);
    let rows = a["conversations"].as_array().unwrap();
    assert_eq!(rows.len(), e["conversations"].as_array().unwrap().len());
    for (r, c) in rows.iter().zip(e["conversations"].as_array().unwrap()) {
        assert_eq!(r["points"], c["points"]);
        assert_eq!(
            (r["level_points"].as_f64(), r["factor"].as_f64()),
            (Some(10.0), Some(0.4))
        );
        assert_eq!(r["relationship"], "contact");
    }
    // A message that raises none shows none.
    let out = vigil()
        .args(["explain", SENDERS, "-c", "coach-4", "-m", "m-1"])
        .assert()
        .success();
    assert!(!stdout(&out).contains("sender escalation"));
}
