//! `vigil diff`: which conversations change level between two policy versions, and why.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde_json::Value;
use vigil::eval::{ConversationDiff, DiffReport, Differ, FieldChange, ItemChanges};

use crate::exit;
use crate::input::{compile, Inputs, PolicyArgs};
use crate::style::{self, paint, BOLD, DIM, GOOD};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Messages as JSON Lines: files, directories, or `-` for standard input
    ///
    /// Files may be gzip-compressed. A directory gives its .jsonl, .ndjson and .json files (and
    /// those ending in .gz), in its subdirectories too, in path order. Several inputs are read in
    /// order as one stream: a conversation carries on from one file to the next.
    #[arg(value_name = "PATH", required = true)]
    pub input: Vec<String>,
    /// Policy A (before): layers loaded after the shipped packs; repeat for more
    #[arg(long = "policy", short = 'p', value_name = "FILE")]
    pub policy_a: Vec<PathBuf>,
    /// Policy B (after): layers loaded after the shipped packs; repeat for more
    #[arg(long = "policy-b", short = 'b', value_name = "FILE")]
    pub policy_b: Vec<PathBuf>,
    /// Do not load the shipped packs for either side
    #[arg(long)]
    pub no_default_packs: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    /// Also list conversations whose level is the same but whose escalated categories changed
    #[arg(long)]
    pub categories: bool,
}

pub fn run(args: DiffArgs) -> Result<ExitCode> {
    let loader = PolicyArgs {
        policies: Vec::new(),
        no_default_packs: args.no_default_packs,
        bundle: None,
    };
    let a = compile(loader.load_layers(&args.policy_a)?)?;
    let b = compile(loader.load_layers(&args.policy_b)?)?;
    let mut differ = Differ::new(a, b);
    let mut bad = 0u64;
    let mut input = Inputs::open(&args.input)?;
    bad += input.for_each(false, |m| differ.observe(&m))?;
    let report = differ.finish();
    let mut out = anstream::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_report(&mut out, &report, args.categories)?;
    }
    Ok(exit::code(if bad > 0 { exit::PROBLEMS } else { exit::OK }))
}

fn value(v: &Value) -> String {
    match v {
        Value::Null => "(none)".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), vigil::explain::fmt_num),
        Value::Array(xs) if xs.len() > 6 => format!("[{} items]", xs.len()),
        Value::Array(xs) => format!("[{}]", xs.iter().map(value).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

fn field(f: &FieldChange) -> String {
    if !f.added.is_empty() || !f.removed.is_empty() {
        let mut parts = Vec::new();
        if !f.added.is_empty() {
            let v: Vec<String> = f.added.iter().map(value).collect();
            parts.push(format!("+{}", v.join(", +")));
        }
        if !f.removed.is_empty() {
            let v: Vec<String> = f.removed.iter().map(value).collect();
            parts.push(format!("−{}", v.join(", −")));
        }
        format!("{}: {}", f.field, parts.join("; "))
    } else {
        format!("{}: {} → {}", f.field, value(&f.a), value(&f.b))
    }
}

fn write_items(out: &mut impl Write, kind: &str, c: &ItemChanges) -> std::io::Result<()> {
    for id in &c.added {
        writeln!(out, "  {} {kind} {id}", paint(style::GOOD, "+"))?;
    }
    for id in &c.removed {
        writeln!(out, "  {} {kind} {id}", paint(style::BAD, "−"))?;
    }
    for ch in &c.changed {
        let fields: Vec<String> = ch.fields.iter().map(field).collect();
        writeln!(
            out,
            "  {} {kind} {}: {}",
            paint(style::WARN, "~"),
            ch.id,
            fields.join("; ")
        )?;
    }
    Ok(())
}

fn write_conversation(out: &mut impl Write, d: &ConversationDiff) -> std::io::Result<()> {
    let arrow = match d.direction {
        vigil::eval::Direction::Up => paint(style::BAD, "▲"),
        vigil::eval::Direction::Down => paint(GOOD, "▼"),
        vigil::eval::Direction::Same => paint(DIM, "="),
    };
    writeln!(
        out,
        "{arrow} {}  {} → {}  {}",
        paint(BOLD, &d.conversation_id),
        paint(style::level(d.a.level), d.a.level.map_or("none", |l| l.as_str())),
        paint(style::level(d.b.level), d.b.level.map_or("none", |l| l.as_str())),
        paint(
            DIM,
            format!(
                "(max risk {} → {})",
                vigil::explain::fmt_num(d.a.max_risk),
                vigil::explain::fmt_num(d.b.max_risk)
            )
        )
    )?;
    for r in &d.rules_only_b {
        writeln!(
            out,
            "    + {} [{}] fires on {} message(s), first {}",
            r.rule, r.category, r.messages, r.first_message
        )?;
    }
    for r in &d.rules_only_a {
        writeln!(
            out,
            "    − {} [{}] no longer fires ({} message(s), first {})",
            r.rule, r.category, r.messages, r.first_message
        )?;
    }
    for w in &d.reweighted {
        writeln!(
            out,
            "    ~ {} weight {} → {}",
            w.rule,
            vigil::explain::fmt_num(w.a),
            vigil::explain::fmt_num(w.b)
        )?;
    }
    for m in &d.modifiers_only_b {
        writeln!(out, "    + modifier {m} applies")?;
    }
    for m in &d.modifiers_only_a {
        writeln!(out, "    − modifier {m} no longer applies")?;
    }
    if !d.categories_added.is_empty() {
        writeln!(out, "    categories gained: {}", d.categories_added.join(", "))?;
    }
    if !d.categories_removed.is_empty() {
        writeln!(out, "    categories lost: {}", d.categories_removed.join(", "))?;
    }
    let no_rule_change = d.rules_only_a.is_empty()
        && d.rules_only_b.is_empty()
        && d.reweighted.is_empty()
        && d.modifiers_only_a.is_empty()
        && d.modifiers_only_b.is_empty();
    if no_rule_change {
        writeln!(
            out,
            "    {}",
            paint(
                DIM,
                "same rules fired: the change comes from thresholds, caps, decay or the stage bonus"
            )
        )?;
    }
    Ok(())
}

fn write_report(out: &mut impl Write, r: &DiffReport, categories: bool) -> std::io::Result<()> {
    writeln!(
        out,
        "A: {} {} {}",
        paint(BOLD, &r.a.id),
        r.a.version,
        paint(DIM, format!("({})", r.a.hash))
    )?;
    writeln!(
        out,
        "B: {} {} {}",
        paint(BOLD, &r.b.id),
        r.b.version,
        paint(DIM, format!("({})", r.b.hash))
    )?;
    let pc = &r.policy_changes;
    if pc.is_empty() {
        writeln!(out, "{}", paint(DIM, "the policies are identical"))?;
    } else {
        writeln!(out, "{}", paint(BOLD, "policy changes"))?;
        for s in &pc.settings {
            writeln!(out, "  {} {}", paint(style::WARN, "~"), field(s))?;
        }
        write_items(out, "stage", &pc.stages)?;
        write_items(out, "category", &pc.categories)?;
        write_items(out, "rule", &pc.rules)?;
        write_items(out, "modifier", &pc.modifiers)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} messages, {} conversations: {} changed level{}",
        r.messages,
        r.conversations,
        r.changed.len(),
        if r.transitions.is_empty() {
            String::new()
        } else {
            let t: Vec<String> = r.transitions.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            format!(" ({})", t.join(", "))
        }
    )?;
    for d in &r.changed {
        write_conversation(out, d)?;
    }
    if !r.categories_changed.is_empty() {
        if categories {
            writeln!(
                out,
                "\n{} conversations kept their level but changed categories:",
                r.categories_changed.len()
            )?;
            for d in &r.categories_changed {
                write_conversation(out, d)?;
            }
        } else {
            writeln!(
                out,
                "{}",
                paint(
                    DIM,
                    format!(
                        "{} more conversations kept their level but changed categories (--categories lists them)",
                        r.categories_changed.len()
                    )
                )
            )?;
        }
    }
    Ok(())
}
