//! Measured accuracy of the shipped packs on the labelled corpus (`tests/corpus/`), with floors:
//! recall at `review` or above ≥ 0.90, benign conversations raised to `review` or above ≤ 0.05.
//!
//! The test prints the figures as Markdown and checks that `docs/evaluation.md` carries exactly
//! them (between the `figures` markers). After a deliberate change to the packs or the corpus:
//! `VIGIL_BLESS=1 cargo test -p vigil --test corpus` rewrites that section.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use vigil::eval::{parse_labels, Evaluation, Label, Metrics, Report};
use vigil::{Engine, Message};

const RECALL_FLOOR: f64 = 0.93;
const BENIGN_CEILING: f64 = 0.02;
/// No language's recall below this (issue 13).
const LANGUAGE_RECALL_FLOOR: f64 = 0.85;
const START: &str = "<!-- figures:start (written by `VIGIL_BLESS=1 cargo test -p vigil --test corpus`) -->";
const END: &str = "<!-- figures:end -->";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load() -> (Vec<Message>, Vec<Label>) {
    let dir = root().join("tests/corpus");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jsonl") && !n.ends_with(".labels.jsonl"))
        .collect();
    names.sort();
    let (mut messages, mut labels) = (Vec::new(), Vec::new());
    for name in names {
        let text = fs::read_to_string(dir.join(&name)).unwrap();
        for m in vigil::jsonl::parse(&text) {
            messages.push(m.unwrap_or_else(|e| panic!("{name}: {e}")));
        }
        let labels_name = name.replace(".jsonl", ".labels.jsonl");
        let text = fs::read_to_string(dir.join(&labels_name)).unwrap();
        for l in parse_labels(&text) {
            labels.push(l.unwrap_or_else(|e| panic!("{labels_name}: {e}")));
        }
    }
    (messages, labels)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
}

fn row(name: &str, m: &Metrics) -> String {
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} |\n",
        m.grooming,
        pct(m.recall),
        m.benign,
        pct(m.benign_escalation_rate),
        m.latency.median.map_or("–".into(), |v| format!("{v}")),
        m.latency.max.map_or("–".into(), |v| v.to_string()),
    )
}

fn render(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Policy `{}` {} (`{}`), threshold `{}`; {} messages in {} conversations.\n",
        r.policy.id, r.policy.version, r.policy.hash, r.threshold, r.messages, r.conversations
    );
    s.push_str("| language | grooming | recall | benign | benign escalated | median latency (messages) | max latency |\n");
    s.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    s.push_str(&row("**all**", &r.overall));
    for (lang, m) in &r.by_language {
        s.push_str(&row(lang, m));
    }
    s.push_str("\n| category | grooming conversations | benign conversations |\n| --- | ---: | ---: |\n");
    for c in &r.by_category {
        let _ = writeln!(s, "| {} | {} | {} |", c.category, c.grooming, c.benign);
    }
    if !r.misses.is_empty() {
        s.push_str("\nMisses (grooming not raised to the threshold, or benign raised):\n\n");
        for m in &r.misses {
            let _ = writeln!(
                s,
                "- `{}` ({}, {}): level {}, categories {}",
                m.conversation_id,
                m.language,
                m.label.as_str(),
                m.level.map_or("none".into(), |l| l.to_string()),
                if m.categories.is_empty() {
                    "none".into()
                } else {
                    m.categories.join(", ")
                }
            );
        }
    }
    s
}

#[test]
fn shipped_packs_meet_the_accuracy_floors_on_the_corpus() {
    let (messages, labels) = load();
    assert!(labels.len() >= 300, "the corpus has at least 300 conversations");
    let engine = Arc::new(Engine::default());
    let report = Evaluation::run(&engine, &messages, labels).unwrap();
    let figures = render(&report);
    println!("{figures}");

    let doc_path = root().join("docs/evaluation.md");
    let doc = fs::read_to_string(&doc_path).unwrap_or_default();
    let (Some(a), Some(b)) = (doc.find(START), doc.find(END)) else {
        panic!("docs/evaluation.md lacks the figures markers");
    };
    let current = doc[a + START.len()..b].trim();
    if std::env::var_os("VIGIL_BLESS").is_some() {
        let new = format!(
            "{}{START}\n{}\n{END}{}",
            &doc[..a],
            figures.trim(),
            &doc[b + END.len()..]
        );
        fs::write(&doc_path, new).unwrap();
    } else {
        assert_eq!(
            current,
            figures.trim(),
            "docs/evaluation.md is out of date: run with VIGIL_BLESS=1"
        );
    }

    let recall = report.overall.recall.unwrap_or(0.0);
    let benign = report.overall.benign_escalation_rate.unwrap_or(1.0);
    assert!(
        recall >= RECALL_FLOOR,
        "recall {recall:.3} below the floor {RECALL_FLOOR}"
    );
    for (lang, m) in &report.by_language {
        let r = m.recall.unwrap_or(0.0);
        assert!(
            r >= LANGUAGE_RECALL_FLOOR,
            "{lang}: recall {r:.3} below the floor {LANGUAGE_RECALL_FLOOR}"
        );
    }
    assert!(
        benign <= BENIGN_CEILING,
        "benign escalation rate {benign:.3} above the ceiling {BENIGN_CEILING}"
    );
}
