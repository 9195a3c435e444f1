//! Measured accuracy of the shipped packs on the labelled corpus (`tests/corpus/`), with floors:
//! recall at `review` or above ≥ 0.90, benign conversations raised to `review` or above ≤ 0.05.
//!
//! The test prints the figures as Markdown and checks that `docs/evaluation.md` carries exactly
//! them (between the `figures` markers). After a deliberate change to the packs or the corpus:
//! `VIGIL_BLESS=1 cargo test -p vigil --test corpus` rewrites that section.
//!
//! The sender-case corpus (`tests/corpus/senders/`, issue 15) is measured apart, by sender: its
//! figures go between the `sender-figures` markers of the same document.

use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use std::sync::Mutex;

use vigil::eval::{
    parse_any_labels, parse_labels, AnyLabel, Evaluation, Label, Metrics, Report, SenderLabel,
};
use vigil::{Engine, Message};

const RECALL_FLOOR: f64 = 0.93;
const BENIGN_CEILING: f64 = 0.02;
/// No language's recall below this (issue 13).
const LANGUAGE_RECALL_FLOOR: f64 = 0.85;
const START: &str = "<!-- figures:start (written by `VIGIL_BLESS=1 cargo test -p vigil --test corpus`) -->";
const END: &str = "<!-- figures:end -->";
/// Sender-level recall on the sender-case corpus (issue 15).
const SENDER_RECALL_FLOOR: f64 = 0.9;
/// Benign senders raised to `review` or above on it: none (issue 15: "the benign
/// many-recipient cases stay below review").
const BENIGN_SENDER_CEILING: f64 = 0.0;
const SENDER_START: &str =
    "<!-- sender-figures:start (written by `VIGIL_BLESS=1 cargo test -p vigil --test corpus`) -->";
const SENDER_END: &str = "<!-- sender-figures:end -->";
/// Both tests rewrite one document when blessing.
static DOC: Mutex<()> = Mutex::new(());

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

    check_doc(START, END, &figures);

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

/// Checks (or, with `VIGIL_BLESS`, rewrites) the section of `docs/evaluation.md` between two
/// markers.
fn check_doc(start: &str, end: &str, figures: &str) {
    let _guard = DOC.lock().unwrap_or_else(|e| e.into_inner());
    let doc_path = root().join("docs/evaluation.md");
    let doc = fs::read_to_string(&doc_path).unwrap_or_default();
    let (Some(a), Some(b)) = (doc.find(start), doc.find(end)) else {
        panic!("docs/evaluation.md lacks the markers {start} … {end}");
    };
    let current = doc[a + start.len()..b].trim();
    if std::env::var_os("VIGIL_BLESS").is_some() {
        let new = format!(
            "{}{start}\n{}\n{end}{}",
            &doc[..a],
            figures.trim(),
            &doc[b + end.len()..]
        );
        fs::write(&doc_path, new).unwrap();
    } else {
        assert_eq!(
            current,
            figures.trim(),
            "docs/evaluation.md is out of date: run with VIGIL_BLESS=1"
        );
    }
}

fn load_senders() -> (Vec<Message>, Vec<Label>, Vec<SenderLabel>) {
    let dir = root().join("tests/corpus/senders");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".jsonl") && !n.ends_with(".labels.jsonl"))
        .collect();
    names.sort();
    let (mut messages, mut labels, mut senders) = (Vec::new(), Vec::new(), Vec::new());
    for name in names {
        let text = fs::read_to_string(dir.join(&name)).unwrap();
        for m in vigil::jsonl::parse(&text) {
            messages.push(m.unwrap_or_else(|e| panic!("{name}: {e}")));
        }
        let labels_name = name.replace(".jsonl", ".labels.jsonl");
        let text = fs::read_to_string(dir.join(&labels_name)).unwrap();
        for l in parse_any_labels(&text) {
            match l.unwrap_or_else(|e| panic!("{labels_name}: {e}")) {
                AnyLabel::Conversation(l) => labels.push(l),
                AnyLabel::Sender(l) => senders.push(l),
                other => panic!("{labels_name}: unexpected label {other:?}"),
            }
        }
    }
    // The files follow each other in time in name order (de, en, es, fr): one tracker reads
    // them in time order, as `vigil eval -m tests/corpus/senders/??.jsonl` does.
    assert!(messages
        .windows(2)
        .all(|w| w[0].timestamp.as_millis() <= w[1].timestamp.as_millis()));
    (messages, labels, senders)
}

fn sender_row(name: &str, r: &Report, lang: Option<&str>) -> String {
    let (s, c) = match lang {
        Some(l) => (&r.senders.by_language[l], &r.by_language[l]),
        None => (&r.senders.overall, &r.overall),
    };
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
        s.grooming,
        pct(s.recall),
        s.detected_only_as_sender,
        s.conversations_at_detection
            .median
            .map_or("–".into(), |v| format!("{v}")),
        s.benign,
        pct(s.benign_escalation_rate),
        pct(c.recall),
        pct(c.benign_escalation_rate),
    )
}

fn render_senders(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Policy `{}` (`{}`), threshold `{}`; {} messages in {} conversations; {} labelled senders.\n",
        r.policy.id, r.policy.hash, r.threshold, r.messages, r.conversations, r.senders.labelled
    );
    s.push_str("| language | grooming senders | sender recall | found only as a sender | conversations in the case at detection (median) | benign senders | benign senders at review+ | conversation recall | benign conversations at review+ |\n");
    s.push_str("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    s.push_str(&sender_row("**all**", r, None));
    for lang in r.senders.by_language.keys() {
        s.push_str(&sender_row(lang, r, Some(lang)));
    }
    s.push_str("\n| label | highest sender level | senders |\n| --- | --- | ---: |\n");
    for (label, levels) in &r.senders.overall.levels {
        for level in ["none", "watch", "review", "urgent"] {
            if let Some(n) = levels.get(level) {
                let _ = writeln!(s, "| {} | {level} | {n} |", label.as_str());
            }
        }
    }
    if !r.senders.misses.is_empty() {
        s.push_str(
            "\nSender misses (grooming senders not raised to the threshold, or benign senders raised):\n\n",
        );
        for m in &r.senders.misses {
            let _ = writeln!(
                s,
                "- `{}` ({}, {}): sender level {}, {} conversations, rules {}",
                m.sender_id,
                m.language,
                m.label.as_str(),
                m.level.map_or("none".into(), |l| l.to_string()),
                m.conversations,
                if m.rules.is_empty() {
                    "none".into()
                } else {
                    m.rules.join(", ")
                }
            );
        }
    }
    s
}

#[test]
fn sender_cases_meet_the_floors_on_the_sender_corpus() {
    let (messages, labels, senders) = load_senders();
    let languages: std::collections::BTreeSet<_> =
        senders.iter().filter_map(|s| s.language.clone()).collect();
    assert!(
        languages.len() >= 4,
        "the sender corpus covers at least four languages"
    );
    let engine = Arc::new(Engine::default());
    assert!(
        engine.policy().senders().enabled,
        "the shipped packs enable sender cases"
    );
    let mut ev = Evaluation::new(Arc::clone(&engine), labels)
        .unwrap()
        .with_sender_labels(senders)
        .unwrap();
    for m in &messages {
        ev.observe(m);
    }
    let report = ev.finish();
    let figures = render_senders(&report);
    println!("{figures}");
    check_doc(SENDER_START, SENDER_END, &figures);

    let s = &report.senders;
    assert!(
        s.missing.is_empty(),
        "labelled senders without messages: {:?}",
        s.missing
    );
    assert!(
        s.overall.grooming >= 16 && s.overall.benign >= 16,
        "{:?}",
        s.overall
    );
    let recall = s.overall.recall.unwrap_or(0.0);
    assert!(
        recall >= SENDER_RECALL_FLOOR,
        "sender-level recall {recall:.3} below the floor {SENDER_RECALL_FLOOR}: {:#?}",
        s.misses
    );
    let benign = s.overall.benign_escalation_rate.unwrap_or(1.0);
    assert!(
        benign <= BENIGN_SENDER_CEILING,
        "benign senders at review or above ({benign:.3}): {:#?}",
        s.misses
    );
    // The set holds grooming senders that no single conversation gives away: the sender case is
    // what finds them.
    assert!(s.overall.detected_only_as_sender > 0, "{:?}", s.overall);
    assert!(
        report.overall.recall < s.overall.recall,
        "mild lines: conversation-level recall stays below sender-level recall"
    );
}
