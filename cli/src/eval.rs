//! `vigil eval`: recall, benign escalation rate and detection latency on labelled conversations,
//! or the false alarms on a benign-only corpus (`--benign`).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;
use vigil::eval::{
    parse_any_labels, AnyLabel, BenignStats, Evaluation, LabelKind, Metrics, Report, SenderMetrics,
};
use vigil::Level;

use crate::exit;
use crate::input::{self, Inputs, PolicyArgs};
use crate::scan::parse_level;
use crate::style::{self, paint, pct, BOLD, DIM, GOOD, WARN};

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Messages as JSON Lines: files, directories, or `-` for standard input
    ///
    /// Files may be gzip-compressed. A directory gives its .jsonl, .ndjson and .json files (and
    /// those ending in .gz), in its subdirectories too, in path order. Several inputs are read in
    /// order as one stream: a conversation carries on from one file to the next.
    #[arg(long, short = 'm', value_name = "PATH", num_args = 1.., required = true)]
    pub messages: Vec<String>,
    /// Labels as JSON Lines: {"conversation_id", "label": "grooming"|"benign",
    /// "first_risky_message_id"?, "language"?}, or a sender's {"sender_id", "label",
    /// "language"?}; several files are merged
    ///
    /// Files, directories and gzip are read as for --messages. Sender labels give sender-level
    /// recall: whether a grooming sender's own escalation (their conversations with minors added
    /// up) reached the threshold.
    #[arg(long, short = 'l', value_name = "PATH", num_args = 1.., conflicts_with = "benign")]
    pub labels: Vec<String>,
    /// Every conversation is benign (real chat, no labels): report the false alarms
    #[arg(long)]
    pub benign: bool,
    /// The level that counts as detected
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, default_value = "review")]
    pub threshold: Level,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    /// Most misses listed in the table output (all are in --json)
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub max_misses: usize,
    /// Most rules listed under the benign false alarms in the table output (all are in --json)
    #[arg(long, value_name = "N", default_value_t = 15)]
    pub top_rules: usize,
    /// Exit with code 1 if recall is below this share (0 to 1)
    #[arg(long, value_name = "SHARE", conflicts_with = "benign")]
    pub min_recall: Option<f64>,
    /// Exit with code 1 if the benign escalation rate is above this share (0 to 1)
    #[arg(long, value_name = "SHARE")]
    pub max_benign_rate: Option<f64>,
    /// Exit with code 1 if sender-level recall (over the labelled grooming senders) is below this
    /// share (0 to 1)
    #[arg(long, value_name = "SHARE", conflicts_with = "benign")]
    pub min_sender_recall: Option<f64>,
    /// Exit with code 1 if the benign sender escalation rate is above this share (0 to 1)
    #[arg(long, value_name = "SHARE")]
    pub max_benign_sender_rate: Option<f64>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

pub fn run(args: EvalArgs) -> Result<ExitCode> {
    if !args.benign && args.labels.is_empty() {
        bail!(
            "no labels: give --labels FILE, or --benign when every conversation is benign \
             (real chat without labels)"
        );
    }
    let engine = args.policy.engine()?;
    let senders_enabled = engine.policy().senders().enabled;
    let mut labels = Vec::new();
    let mut sender_labels = Vec::new();
    let mut bad = 0u64;
    for (path, text) in input::read_texts(&args.labels)? {
        for item in parse_any_labels(&text) {
            match item {
                Ok(AnyLabel::Conversation(l)) => labels.push(l),
                Ok(AnyLabel::Sender(l)) => sender_labels.push(l),
                Ok(_) => bad += 1,
                Err(e) => {
                    eprintln!("vigil: {path}: {e} (skipped)");
                    bad += 1;
                }
            }
        }
    }
    let ev = if args.benign {
        Evaluation::benign(engine)
    } else {
        Evaluation::new(engine, labels)
            .and_then(|ev| ev.with_sender_labels(sender_labels))
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.labels.join(", ")))?
    };
    let mut ev = ev.with_threshold(args.threshold);
    let mut input = Inputs::open(&args.messages)?;
    bad += input.for_each(false, |m| ev.observe(&m))?;
    let report = ev.finish();
    let mut out = anstream::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_report(
            &mut out,
            &report,
            senders_enabled,
            args.max_misses,
            args.top_rules,
        )?;
    }
    let mut failed = false;
    if let Some(min) = args.min_recall {
        if report.overall.recall.is_some_and(|r| r < min) {
            eprintln!(
                "vigil: recall {} is below --min-recall {}",
                pct(report.overall.recall),
                pct(Some(min))
            );
            failed = true;
        }
    }
    if let Some(max) = args.max_benign_rate {
        if report.overall.benign_escalation_rate.is_some_and(|r| r > max) {
            eprintln!(
                "vigil: benign escalation rate {} is above --max-benign-rate {}",
                pct(report.overall.benign_escalation_rate),
                pct(Some(max))
            );
            failed = true;
        }
    }
    if let Some(min) = args.min_sender_recall {
        if report.senders.overall.recall.is_some_and(|r| r < min) {
            eprintln!(
                "vigil: sender-level recall {} is below --min-sender-recall {}",
                pct(report.senders.overall.recall),
                pct(Some(min))
            );
            failed = true;
        }
    }
    if let Some(max) = args.max_benign_sender_rate {
        if report
            .senders
            .overall
            .benign_escalation_rate
            .is_some_and(|r| r > max)
        {
            eprintln!(
                "vigil: benign sender escalation rate {} is above --max-benign-sender-rate {}",
                pct(report.senders.overall.benign_escalation_rate),
                pct(Some(max))
            );
            failed = true;
        }
    }
    Ok(exit::code(if failed || bad > 0 {
        exit::PROBLEMS
    } else {
        exit::OK
    }))
}

fn latency(m: &Metrics) -> (String, String) {
    let f = |v: Option<f64>| v.map_or("-".to_string(), vigil::explain::fmt_num);
    (f(m.latency.median), f(m.latency.p90))
}

fn row(name: &str, m: &Metrics) -> Vec<String> {
    let (median, p90) = latency(m);
    vec![
        name.to_string(),
        m.grooming.to_string(),
        m.detected.to_string(),
        pct(m.recall),
        m.benign.to_string(),
        m.benign_escalated.to_string(),
        pct(m.benign_escalation_rate),
        median,
        p90,
    ]
}

fn write_report(
    out: &mut impl Write,
    r: &Report,
    senders_enabled: bool,
    max_misses: usize,
    top_rules: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "policy {} {} {}",
        paint(BOLD, &r.policy.id),
        r.policy.version,
        paint(DIM, format!("({})", r.policy.hash))
    )?;
    if r.benign_only {
        return write_benign_only(out, r, senders_enabled, max_misses, top_rules);
    }
    writeln!(
        out,
        "{} messages, {} labelled conversations ({} grooming, {} benign); detected = reached {}",
        r.messages, r.conversations, r.overall.grooming, r.overall.benign, r.threshold
    )?;
    if r.unlabelled > 0 {
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                format!("{} conversations without a label were ignored", r.unlabelled)
            )
        )?;
    }
    if !r.missing.is_empty() {
        writeln!(
            out,
            "{}",
            paint(
                WARN,
                format!(
                    "{} labelled conversations have no messages: {}",
                    r.missing.len(),
                    r.missing.join(", ")
                )
            )
        )?;
    }
    if !r.unknown_first_risky.is_empty() {
        writeln!(
            out,
            "{}",
            paint(
                WARN,
                format!(
                    "first_risky_message_id not found in: {}",
                    r.unknown_first_risky.join(", ")
                )
            )
        )?;
    }
    writeln!(out)?;
    let header = [
        "",
        "grooming",
        "detected",
        "recall",
        "benign",
        "escalated",
        "benign rate",
        "latency p50",
        "p90",
    ];
    let mut rows = vec![row("all", &r.overall)];
    if r.by_language.len() > 1 || r.by_language.keys().any(|k| k != "unknown") {
        for (lang, m) in &r.by_language {
            rows.push(row(lang, m));
        }
    }
    write!(out, "{}", style::table(&header, &rows, &[1, 2, 3, 4, 5, 6, 7, 8]))?;
    writeln!(
        out,
        "{}",
        paint(
            DIM,
            "  latency: messages from the first risky message through the one that reached the threshold"
        )
    )?;
    if !r.by_category.is_empty() {
        writeln!(out)?;
        let rows: Vec<Vec<String>> = r
            .by_category
            .iter()
            .map(|c| vec![c.category.clone(), c.grooming.to_string(), c.benign.to_string()])
            .collect();
        write!(
            out,
            "{}",
            style::table(
                &["category (in an escalation)", "grooming", "benign"],
                &rows,
                &[1, 2]
            )
        )?;
    }
    if r.benign.conversations > 0 {
        writeln!(out)?;
        writeln!(out, "{}", paint(BOLD, "benign conversations"))?;
        write_benign(out, &r.benign, r.threshold, top_rules)?;
    }
    if senders_enabled || r.senders.labelled > 0 {
        write_senders(out, r, max_misses)?;
    }
    writeln!(out)?;
    if r.misses.is_empty() {
        writeln!(out, "{}", paint(GOOD, "no misses"))?;
        return Ok(());
    }
    writeln!(out, "{}", paint(BOLD, format!("misses ({})", r.misses.len())))?;
    write_misses(out, r, max_misses)
}

fn sender_row(name: &str, m: &SenderMetrics) -> Vec<String> {
    let f = |v: Option<f64>| v.map_or("-".to_string(), vigil::explain::fmt_num);
    vec![
        name.to_string(),
        m.grooming.to_string(),
        m.detected.to_string(),
        pct(m.recall),
        m.detected_only_as_sender.to_string(),
        f(m.conversations_at_detection.median),
        m.benign.to_string(),
        m.benign_escalated.to_string(),
        pct(m.benign_escalation_rate),
    ]
}

/// Sender cases (when the policy enables `[senders]`, or senders are labelled): every sender's
/// escalations; with sender labels, sender-level recall and the benign sender escalation rate,
/// and the senders it got wrong.
fn write_senders(out: &mut impl Write, r: &Report, max_misses: usize) -> std::io::Result<()> {
    let s = &r.senders;
    writeln!(out)?;
    writeln!(out, "{}", paint(BOLD, "senders"))?;
    writeln!(
        out,
        "{} senders: {} with a sender escalation, {} at {}+, {} urgent ({} sender escalations)",
        s.senders, s.with_escalation, s.at_threshold, r.threshold, s.urgent, s.escalations
    )?;
    if !s.missing.is_empty() {
        writeln!(
            out,
            "{}",
            paint(
                WARN,
                format!(
                    "{} labelled senders have no messages: {}",
                    s.missing.len(),
                    s.missing.join(", ")
                )
            )
        )?;
    }
    if r.benign_only {
        writeln!(
            out,
            "benign sender escalation rate (every sender benign): {} of {} ({})",
            s.overall.benign_escalated,
            s.overall.benign,
            pct(s.overall.benign_escalation_rate)
        )?;
    } else if s.labelled > 0 {
        let header = [
            "senders",
            "grooming",
            "detected",
            "recall",
            "only as sender",
            "conversations p50",
            "benign",
            "escalated",
            "benign rate",
        ];
        let mut rows = vec![sender_row("all", &s.overall)];
        if s.by_language.len() > 1 || s.by_language.keys().any(|k| k != "unknown") {
            for (lang, m) in &s.by_language {
                rows.push(sender_row(lang, m));
            }
        }
        write!(out, "{}", style::table(&header, &rows, &[1, 2, 3, 4, 5, 6, 7, 8]))?;
        writeln!(
            out,
            "{}",
            paint(
                DIM,
                "  detected: the sender's escalation (scope sender) reached the threshold; only as sender: none of \
                 their conversations did; conversations p50: conversations in the case when it did"
            )
        )?;
    }
    if s.misses.is_empty() {
        return Ok(());
    }
    let title = if r.benign_only {
        "escalated senders"
    } else {
        "sender misses"
    };
    writeln!(out, "{}", paint(BOLD, format!("{title} ({})", s.misses.len())))?;
    for m in s.misses.iter().take(max_misses) {
        let what = match m.label {
            LabelKind::Grooming => paint(WARN, "grooming sender not detected"),
            LabelKind::Benign if r.benign_only => paint(WARN, "escalated"),
            LabelKind::Benign => paint(WARN, "benign sender escalated"),
        };
        let at = m
            .escalated_at
            .as_deref()
            .map(|a| format!(" at {a}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {what}: sender level {}{at}, {} points, {} conversations ({} in the case), highest conversation level {}",
            paint(BOLD, &m.sender_id),
            paint(style::level(m.level), m.level.map_or("none", |l| l.as_str())),
            vigil::explain::fmt_num(m.points),
            m.conversations,
            m.case_conversations,
            m.conversation_level.map_or("none", |l| l.as_str()),
        )?;
        if !m.rules.is_empty() {
            writeln!(out, "      rules: {}", m.rules.join(", "))?;
        }
    }
    if s.misses.len() > max_misses {
        writeln!(out, "  … and {} more (see --json)", s.misses.len() - max_misses)?;
    }
    Ok(())
}

/// The report of `--benign`: every conversation is benign, so every escalation is a false alarm.
fn write_benign_only(
    out: &mut impl Write,
    r: &Report,
    senders_enabled: bool,
    max_misses: usize,
    top_rules: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} messages, {} conversations, all benign (--benign); escalated = reached {}",
        r.messages, r.conversations, r.threshold
    )?;
    writeln!(out)?;
    write_benign(out, &r.benign, r.threshold, top_rules)?;
    if senders_enabled {
        write_senders(out, r, max_misses)?;
    }
    writeln!(out)?;
    if r.misses.is_empty() {
        writeln!(out, "{}", paint(GOOD, "no conversation escalated"))?;
        return Ok(());
    }
    writeln!(
        out,
        "{}",
        paint(BOLD, format!("escalated conversations ({})", r.misses.len()))
    )?;
    write_misses(out, r, max_misses)
}

/// Conversations at the threshold and at `urgent`, escalations per 10,000 messages, and the rules
/// behind them.
fn write_benign(
    out: &mut impl Write,
    b: &BenignStats,
    threshold: Level,
    top_rules: usize,
) -> std::io::Result<()> {
    let per_10k = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
    let at = format!("at {threshold}+");
    let rows = vec![
        vec![
            format!("conversations {at}"),
            b.escalated.to_string(),
            pct(b.escalated_rate),
            String::new(),
        ],
        vec![
            "conversations at urgent".to_string(),
            b.urgent.to_string(),
            pct(b.urgent_rate),
            String::new(),
        ],
        vec![
            "escalations".to_string(),
            b.escalations.to_string(),
            String::new(),
            per_10k(b.escalations_per_10k_messages),
        ],
        vec![
            format!("escalations {at}"),
            b.escalations_at_threshold.to_string(),
            String::new(),
            per_10k(b.escalations_at_threshold_per_10k_messages),
        ],
    ];
    // Interventions children would have seen for nothing, per action (policies with some).
    let mut rows = rows;
    for (action, n) in &b.interventions.conversations {
        let messages = b.interventions.messages.get(action).copied().unwrap_or(0);
        rows.push(vec![
            format!("conversations with {action}"),
            n.to_string(),
            pct(b.interventions.conversation_rate.get(action).copied()),
            per_10k((b.messages > 0).then(|| messages as f64 * 10_000.0 / b.messages as f64)),
        ]);
    }
    let head = format!("{} conversations, {} messages", b.conversations, b.messages);
    write!(
        out,
        "{}",
        style::table(
            &[&head, "count", "share", "per 10,000 messages"],
            &rows,
            &[1, 2, 3]
        )
    )?;
    if b.rules.is_empty() || top_rules == 0 {
        return Ok(());
    }
    writeln!(out)?;
    let shown = b.rules.len().min(top_rules);
    let title = if shown < b.rules.len() {
        format!(
            "rules firing on benign messages (top {shown} of {})",
            b.rules.len()
        )
    } else {
        format!("rules firing on benign messages ({shown})")
    };
    let rows: Vec<Vec<String>> = b
        .rules
        .iter()
        .take(top_rules)
        .map(|r| {
            vec![
                r.rule.clone(),
                r.category.clone(),
                r.escalated_conversations.to_string(),
                r.conversations.to_string(),
                r.messages.to_string(),
            ]
        })
        .collect();
    write!(
        out,
        "{}",
        style::table(
            &[
                &title,
                "category",
                &format!("conversations {at}"),
                "conversations",
                "messages"
            ],
            &rows,
            &[2, 3, 4]
        )
    )?;
    writeln!(
        out,
        "{}",
        paint(
            DIM,
            format!("  conversations {at}: escalated benign conversations with the rule in their evidence")
        )
    )
}

fn write_misses(out: &mut impl Write, r: &Report, max_misses: usize) -> std::io::Result<()> {
    for m in r.misses.iter().take(max_misses) {
        let what = match m.label {
            LabelKind::Grooming => paint(WARN, "grooming not detected"),
            LabelKind::Benign if r.benign_only => paint(WARN, "escalated"),
            LabelKind::Benign => paint(WARN, "benign escalated"),
        };
        let language = if r.benign_only {
            String::new()
        } else {
            format!(" [{}]", m.language)
        };
        let at = m
            .escalated_at
            .as_deref()
            .map(|a| format!(" at {a}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {what}: highest level {}{at}, risk {}, {} messages{language}",
            paint(BOLD, &m.conversation_id),
            paint(style::level(m.level), m.level.map_or("none", |l| l.as_str())),
            vigil::explain::fmt_num(m.max_risk),
            m.messages,
        )?;
        if !m.rules.is_empty() {
            writeln!(out, "      rules: {}", m.rules.join(", "))?;
        }
    }
    if r.misses.len() > max_misses {
        writeln!(out, "  … and {} more (see --json)", r.misses.len() - max_misses)?;
    }
    writeln!(
        out,
        "{}",
        paint(DIM, "explain one with: vigil explain MESSAGES --conversation ID")
    )
}
