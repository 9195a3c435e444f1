//! `vigil report --draft cybertipline|case-export`: a reviewed case becomes a hotline report draft
//! a moderator completes and files. Nothing is sent: the draft is written to a file or stdout.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use vigil::draft::{Decision, Drafter, Medium, Review};
use vigil::{Escalation, EscalationScope, Message, Timestamp, Tracker};

use crate::exit;
use crate::input;
use crate::report::ReportArgs;

/// Which draft to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DraftKind {
    /// A CyberTipline-shaped report (NCMEC's Reporting API): XML, or JSON of the same structure
    Cybertipline,
    /// A neutral case export (`vigil.case-export/1`) for hotlines and police elsewhere
    CaseExport,
}

/// The draft's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DraftFormat {
    /// The report XML (CyberTipline drafts only)
    Xml,
    /// JSON
    Json,
}

/// The options of `vigil report` that only drafts use.
#[derive(Args, Debug, Default)]
#[command(next_help_heading = "Report drafts (--draft)")]
pub struct DraftArgs {
    /// Write a report draft of one reviewed case instead of the HTML case file (never sent:
    /// a moderator completes and files it)
    #[arg(long, value_enum, value_name = "KIND")]
    pub draft: Option<DraftKind>,
    /// The sender case to draft (`sender-…`, as escalations' `case` names it); or give one
    /// --conversation
    #[arg(long, value_name = "ID", requires = "draft")]
    pub case: Option<String>,
    /// The reviewer's id (a moderator account): required for a draft
    #[arg(long, value_name = "ID", requires = "draft")]
    pub reviewed_by: Option<String>,
    /// The reviewer's decision: a draft needs `confirmed`
    #[arg(long, value_name = "DECISION", value_parser = parse_decision, requires = "draft")]
    pub decision: Option<Decision>,
    /// When the reviewer decided (RFC 3339)
    #[arg(long, value_name = "TIME", value_parser = parse_time, requires = "draft")]
    pub reviewed_at: Option<Timestamp>,
    /// The reviewer's note (goes into the draft's additional information)
    #[arg(long, value_name = "TEXT", requires = "draft")]
    pub note: Option<String>,
    /// The platform's (or game's) name: chat client, game name, ESP service
    #[arg(long, value_name = "NAME", requires = "draft")]
    pub platform: Option<String>,
    /// Where the incident took place: chat-im (default) or online-gaming
    #[arg(long, value_name = "MEDIUM", value_parser = parse_medium, requires = "draft")]
    pub medium: Option<Medium>,
    /// The incident type, instead of the one the policy's report hints suggest
    #[arg(long, value_name = "TYPE", requires = "draft")]
    pub incident_type: Option<String>,
    /// The draft's format (default: json when --output ends in .json or for case-export, else xml)
    #[arg(long, value_enum, value_name = "FORMAT", requires = "draft")]
    pub format: Option<DraftFormat>,
}

fn parse_decision(s: &str) -> Result<Decision, String> {
    s.parse()
}

fn parse_medium(s: &str) -> Result<Medium, String> {
    s.parse()
}

fn parse_time(s: &str) -> Result<Timestamp, String> {
    Timestamp::parse(s).map_err(|e| e.to_string())
}

pub fn run(args: &ReportArgs, kind: DraftKind) -> Result<ExitCode> {
    let d = &args.drafts;
    let format = match (d.format, kind) {
        (Some(DraftFormat::Xml), DraftKind::CaseExport) => {
            anyhow::bail!("a case export is JSON only: drop --format xml")
        }
        (Some(f), _) => f,
        (None, DraftKind::CaseExport) => DraftFormat::Json,
        (None, DraftKind::Cybertipline) => {
            if args.output.extension().is_some_and(|e| e == "json") {
                DraftFormat::Json
            } else {
                DraftFormat::Xml
            }
        }
    };
    let target = match (&d.case, args.conversation.as_slice()) {
        (Some(case), []) => Target::Case(case.clone()),
        (None, [c]) => Target::Conversation(c.clone()),
        _ => anyhow::bail!(
            "a draft is of one case: give one --conversation ID or one --case ID (a sender case)"
        ),
    };
    let decision = d.decision.with_context(|| {
        "a draft needs the reviewer's decision: --decision confirmed (and --reviewed-by ID)"
    })?;
    let engine = args.policy.engine()?;
    let input::Messages { files, messages, bad } = input::read_messages(&args.input, false)?;
    let mut tracker = Tracker::new(engine);
    let mut found: Option<Escalation> = None;
    for m in &messages {
        let obs = tracker.observe(m);
        for e in obs.escalations() {
            if target.is(e) {
                found = Some(e.clone());
            }
        }
    }
    let escalation = found.with_context(|| {
        format!(
            "{}: {} raised no escalation{}",
            input::describe(&files),
            target,
            target.hint()
        )
    })?;
    let mut review = Review::new(d.reviewed_by.clone().unwrap_or_default(), decision);
    review.reviewed_at = d.reviewed_at;
    review.note = d.note.clone();
    let mut drafter = Drafter::new(review).medium(d.medium.unwrap_or_default());
    if let Some(p) = &d.platform {
        drafter = drafter.platform(p.clone());
    }
    if let Some(t) = &d.incident_type {
        drafter = drafter.incident_type(t.clone());
    }
    for (id, age) in declared_ages(&messages) {
        drafter = drafter.declared_age(id, age);
    }
    let (text, to_complete, items) = match kind {
        DraftKind::Cybertipline => {
            let draft = drafter.cybertipline(&escalation)?;
            let text = match format {
                DraftFormat::Xml => draft.to_xml(),
                DraftFormat::Json => draft.to_json() + "\n",
            };
            (text, draft.to_be_completed.len(), draft.evidence_included.len())
        }
        DraftKind::CaseExport => {
            let export = drafter.case_export(&escalation)?;
            (
                export.to_json() + "\n",
                export.to_be_completed.len(),
                export.evidence_included.len(),
            )
        }
    };
    write(&args.output, &text)?;
    eprintln!(
        "vigil: {} draft of {} at {} ({items} evidence items) — nothing was sent; {to_complete} fields to complete (TO_BE_COMPLETED)",
        match kind {
            DraftKind::Cybertipline => "CyberTipline",
            DraftKind::CaseExport => "case export",
        },
        target,
        escalation.level,
    );
    Ok(exit::code(if bad > 0 { exit::PROBLEMS } else { exit::OK }))
}

/// The ages platforms declared for participants (the last one given for each).
fn declared_ages(messages: &[Message]) -> Vec<(String, u32)> {
    let mut ages: HashMap<&str, u32> = HashMap::new();
    let mut order: Vec<&str> = Vec::new();
    for m in messages {
        for p in std::iter::once(&m.sender).chain(m.recipient.as_ref()) {
            if let Some(a) = p.age {
                if ages.insert(&p.id, a).is_none() {
                    order.push(&p.id);
                }
            }
        }
    }
    order.into_iter().map(|id| (id.to_owned(), ages[id])).collect()
}

fn write(output: &Path, text: &str) -> Result<()> {
    if output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
    } else {
        std::fs::write(output, text).with_context(|| format!("cannot write {}", output.display()))?;
        eprintln!("vigil: wrote {}", output.display());
    }
    Ok(())
}

enum Target {
    Conversation(String),
    Case(String),
}

impl Target {
    /// Whether `e` is an escalation of this case (a conversation's own, not a recipient's view).
    fn is(&self, e: &Escalation) -> bool {
        match self {
            Target::Conversation(c) => e.scope == EscalationScope::Conversation && e.conversation_id == *c,
            Target::Case(c) => e.scope == EscalationScope::Sender && e.case.as_deref() == Some(c.as_str()),
        }
    }

    fn hint(&self) -> &'static str {
        match self {
            Target::Conversation(_) => "",
            Target::Case(_) => {
                " (sender case ids are in escalations' `case`; `vigil scan --scope sender` lists them)"
            }
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Conversation(c) => write!(f, "conversation {c}"),
            Target::Case(c) => write!(f, "sender case {c}"),
        }
    }
}
