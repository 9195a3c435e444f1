//! `vigil report --draft`: report drafts of reviewed cases, validated against the committed
//! schema (core/schema/cybertipline-report.xsd) by tests/drafts/validate.py, and refusals.

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use crate::{root, vigil};

const SAMPLE: &str = "tests/vectors/sample.input.jsonl";
const SENDERS: &str = "tests/vectors/senders.input.jsonl";
const SEXTORTION: &str = "tests/drafts/sextortion.jsonl";
const CONFIRMED: [&str; 4] = ["--reviewed-by", "mod-7", "--decision", "confirmed"];

/// Writes a draft with `args` to `out`; returns stderr.
fn draft(input: &str, args: &[&str], out: &Path) -> String {
    let o = vigil()
        .args(["report", input])
        .args(args)
        .args(CONFIRMED)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("nothing was sent"), "{stderr}");
    stderr
}

/// The sender case that reached `urgent` in the ten-children vector.
fn urgent_case() -> String {
    let o = vigil()
        .args(["scan", SENDERS, "--scope", "sender", "--min-level", "urgent"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout.lines().next().expect("an urgent sender escalation");
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["case"].as_str().unwrap().to_owned()
}

/// The Python of cli/.venv with `xmlschema` (cli/setup.sh installs it).
fn validator() -> Option<PathBuf> {
    let py = root().join("cli/.venv/bin/python");
    let ok = Process::new(&py)
        .args(["-c", "import xmlschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(py);
    }
    if std::env::var_os("CI").is_some() {
        panic!("xmlschema is needed for this test in CI: run cli/setup.sh");
    }
    eprintln!("skipped: no cli/.venv with xmlschema (cli/setup.sh installs it)");
    None
}

#[test]
fn four_cases_make_drafts_that_validate_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name);
    let case = urgent_case();
    let mut files: Vec<PathBuf> = Vec::new();
    // A conversation case.
    for ext in ["xml", "json"] {
        let f = p(&format!("sample.{ext}"));
        draft(
            SAMPLE,
            &[
                "--draft",
                "cybertipline",
                "--conversation",
                "sample-1",
                "--platform",
                "ExampleChat",
            ],
            &f,
        );
        files.push(f);
    }
    // A sender case with ten children (its mild categories suggest no incident type: the
    // reviewer chooses one).
    for ext in ["xml", "json"] {
        let f = p(&format!("sender.{ext}"));
        draft(
            SENDERS,
            &[
                "--draft",
                "cybertipline",
                "--case",
                &case,
                "--incident-type",
                "Online Enticement of Children for Sexual Acts",
            ],
            &f,
        );
        files.push(f);
    }
    // A sextortion case in a game.
    for ext in ["xml", "json"] {
        let f = p(&format!("sextortion.{ext}"));
        draft(
            SEXTORTION,
            &[
                "--draft",
                "cybertipline",
                "--conversation",
                "sx-1",
                "--platform",
                "ExampleGame",
                "--medium",
                "online-gaming",
            ],
            &f,
        );
        files.push(f);
    }
    // Neutral exports of the same cases.
    let f = p("sender-export.json");
    draft(SENDERS, &["--draft", "case-export", "--case", &case], &f);
    files.push(f);
    let f = p("sextortion-export.json");
    draft(
        SEXTORTION,
        &["--draft", "case-export", "--conversation", "sx-1"],
        &f,
    );
    files.push(f);

    let read = |name: &str| std::fs::read_to_string(p(name)).unwrap();
    let sample = read("sample.xml");
    assert!(sample.contains("<incidentType>Online Enticement of Children for Sexual Acts</incidentType>"));
    assert!(sample.contains("<chatClient>ExampleChat</chatClient>"));
    let sender = read("sender.xml");
    assert_eq!(sender.matches("<victim>").count(), 10, "ten children");
    assert_eq!(
        sender.matches("<chatImIncident>").count(),
        10,
        "ten conversations"
    );
    assert!(sender.contains("<escalateToHighPriority>"));
    let sx = read("sextortion.xml");
    assert!(
        sx.contains("<reportAnnotations>\n      <sextortion/>\n    </reportAnnotations>"),
        "{sx}"
    );
    assert!(sx.contains("<onlineGamingIncident>") && sx.contains("<phone>+447700900123</phone>"));
    assert!(
        sx.contains("<age>13</age>"),
        "the platform's declared age of the child"
    );
    let export: serde_json::Value = serde_json::from_str(&read("sender-export.json")).unwrap();
    assert_eq!(export["schema"], "vigil.case-export/1");
    assert_eq!(export["children"].as_array().unwrap().len(), 10);
    let json: serde_json::Value = serde_json::from_str(&read("sextortion.json")).unwrap();
    assert_eq!(json["review"]["reviewed_by"], "mod-7");
    assert_eq!(
        json["evidence_included"].as_array().unwrap().len(),
        sx.matches("\n[2026-").count() + 1,
        "every evidence item the draft lists is recorded"
    );

    let Some(py) = validator() else { return };
    let o = Process::new(py)
        .arg(root().join("tests/drafts/validate.py"))
        .args(&files)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn drafts_are_refused_below_review_without_a_reviewer_or_a_confirmation() {
    let refused = |input: &str, args: &[&str], expected: &str| {
        let o = vigil()
            .args(["report", input, "--draft", "cybertipline", "-o", "-"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        assert!(o.stdout.is_empty(), "nothing written on refusal");
    };
    // The coach's conversations stay at `watch`.
    refused(
        SENDERS,
        &[
            "--conversation",
            "coach-0",
            "--reviewed-by",
            "mod-7",
            "--decision",
            "confirmed",
        ],
        "needs an escalation at `review` or above; this one is at `watch`",
    );
    refused(
        SEXTORTION,
        &["--conversation", "sx-1", "--decision", "confirmed"],
        "needs the reviewer's id",
    );
    refused(
        SEXTORTION,
        &[
            "--conversation",
            "sx-1",
            "--reviewed-by",
            "mod-7",
            "--decision",
            "dismissed",
        ],
        "needs a `confirmed` decision; the review says `dismissed`",
    );
    refused(
        SEXTORTION,
        &["--conversation", "sx-1", "--reviewed-by", "mod-7"],
        "--decision confirmed",
    );
    refused(
        SEXTORTION,
        &[
            "--conversation",
            "nope",
            "--reviewed-by",
            "mod-7",
            "--decision",
            "confirmed",
        ],
        "conversation nope raised no escalation",
    );
    refused(
        SEXTORTION,
        &["--reviewed-by", "mod-7", "--decision", "confirmed"],
        "give one --conversation ID or one --case ID",
    );
}
