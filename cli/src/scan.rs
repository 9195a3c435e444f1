//! `vigil scan`: messages in, escalations (or every observation) out.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vigil::{Escalation, EscalationScope, Level, Observation, PlatformMetadata, Tracker};

use crate::exit;
use crate::input::{Inputs, PolicyArgs};
use crate::style::{self, paint, BOLD, DIM};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON document per line
    Jsonl,
    /// Readable text for a terminal
    Pretty,
}

/// Which escalations `vigil scan` prints.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scope {
    /// A conversation key's escalations (one sender's messages in a conversation)
    Conversation,
    /// A minor's view in a public channel (every sender's messages to them)
    Recipient,
    /// Sender cases (one sender's conversations with minors, added up)
    Sender,
    /// All three
    All,
}

impl Scope {
    /// Whether an escalation of scope `s` is printed.
    pub fn includes(self, s: EscalationScope) -> bool {
        match self {
            Scope::All => true,
            Scope::Conversation => s == EscalationScope::Conversation,
            Scope::Recipient => s == EscalationScope::Recipient,
            Scope::Sender => s == EscalationScope::Sender,
        }
    }
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Messages as JSON Lines: files, directories, or `-` (the default) for standard input
    ///
    /// Files may be gzip-compressed. A directory gives its .jsonl, .ndjson and .json files (and
    /// those ending in .gz), in its subdirectories too, in path order. Several inputs are read in
    /// order as one stream: a conversation carries on from one file to the next.
    #[arg(default_value = "-", value_name = "PATH")]
    pub input: Vec<String>,
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Print every observation, not only escalations
    #[arg(long)]
    pub all: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Print only escalations (or, with --all, observations) at or above this level
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub min_level: Option<Level>,
    /// Print only escalations of this scope: `conversation` (a conversation key's), `recipient`
    /// (a minor's view in a public channel), `sender` (sender cases) or `all`
    #[arg(long, value_enum, default_value_t = Scope::All, value_name = "SCOPE")]
    pub scope: Scope,
    /// Exit with code 3 when an escalation at or above this level is found
    #[arg(long, value_name = "LEVEL", value_parser = parse_level)]
    pub fail_on: Option<Level>,
    /// Stop at the first malformed line (exit 2) instead of reporting and skipping it
    #[arg(long)]
    pub strict: bool,
    /// No summary on standard error
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// No progress bar (it is shown only for files, when standard error is a terminal; for gzip
    /// files it counts compressed bytes)
    #[arg(long)]
    pub no_progress: bool,
}

pub fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
}

#[derive(Default)]
struct Summary {
    messages: u64,
    bad: u64,
    conversations: HashSet<String>,
    by_level: [u64; 3],
    by_category: BTreeMap<String, u64>,
    /// Interventions decided, by action.
    interventions: BTreeMap<&'static str, u64>,
    /// The highest level of an escalation of the chosen scope.
    top: Option<Level>,
    /// Sender escalations, and the sender cases they belong to.
    sender_escalations: u64,
    cases: HashSet<String>,
    /// Platform words no policy layer maps: (field, word) → messages.
    unmapped: BTreeMap<(&'static str, String), u64>,
}

impl Summary {
    /// Counts the words of an observation that the policy does not map.
    fn count_unmapped(&mut self, platform: Option<&PlatformMetadata>) {
        let Some(p) = platform else { return };
        for (field, w) in [("channel", &p.channel), ("relationship", &p.relationship)] {
            if let Some(w) = w.as_ref().filter(|w| !w.mapped) {
                *self.unmapped.entry((field, w.word.clone())).or_default() += 1;
            }
        }
    }
}

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let engine = args.policy.engine()?;
    let mut tracker = Tracker::new(engine);
    let mut input = Inputs::open(&args.input)?;
    let progress = match input.len {
        Some(len) if !args.no_progress && !args.quiet && style::stderr_is_terminal() => {
            let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
            pb.set_style(
                ProgressStyle::with_template(
                    "{spinner} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} · {msg} · {eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            pb.enable_steady_tick(Duration::from_millis(200));
            Some(pb)
        }
        _ => None,
    };
    let mut out = anstream::stdout().lock();
    let mut s = Summary::default();
    let min = args.min_level;
    while let Some(item) = input.next_message()? {
        if let Some(note) = input.repair_note() {
            let line = format!("vigil: {note}");
            match &progress {
                Some(pb) => pb.suspend(|| eprintln!("{line}")),
                None => eprintln!("{line}"),
            }
        }
        let msg = match item {
            Ok(m) => m,
            Err(e) => {
                if args.strict {
                    if let Some(pb) = &progress {
                        pb.abandon();
                    }
                    anyhow::bail!("{}: {e}", input.name());
                }
                let line = format!("vigil: {}: {e} (skipped)", input.name());
                match &progress {
                    Some(pb) => pb.suspend(|| eprintln!("{line}")),
                    None => eprintln!("{line}"),
                }
                s.bad += 1;
                continue;
            }
        };
        s.messages += 1;
        if !s.conversations.contains(&msg.conversation_id) {
            s.conversations.insert(msg.conversation_id.clone());
        }
        let obs = tracker.observe(&msg);
        s.count_unmapped(obs.platform.as_ref());
        // A conversation key's escalation, and a minor's view in a public channel (every
        // sender's messages to them) when it escalates too.
        for e in obs.escalations() {
            s.by_level[e.level as usize] += 1;
            if args.scope.includes(e.scope) {
                s.top = s.top.max(Some(e.level));
            }
            if e.scope == EscalationScope::Sender {
                s.sender_escalations += 1;
                if let Some(c) = &e.case {
                    if !s.cases.contains(c) {
                        s.cases.insert(c.clone());
                    }
                }
            }
            for c in &e.categories {
                *s.by_category.entry(c.id.clone()).or_default() += 1;
            }
        }
        if let Some(i) = &obs.intervention {
            *s.interventions.entry(i.action.as_str()).or_default() += 1;
        }
        if args.all {
            if min.is_none_or(|m| obs.level >= Some(m)) {
                match args.format {
                    Format::Jsonl => writeln!(out, "{}", obs.to_json())?,
                    Format::Pretty => write_observation(&mut out, &obs, &msg.text)?,
                }
            }
        } else {
            for e in obs.escalations() {
                if min.is_some_and(|m| e.level < m) || !args.scope.includes(e.scope) {
                    continue;
                }
                match args.format {
                    Format::Jsonl => writeln!(out, "{}", e.to_json())?,
                    Format::Pretty => write_escalation(&mut out, e)?,
                }
            }
        }
        if let Some(pb) = &progress {
            if s.messages % 256 == 0 {
                pb.set_position(input.bytes_read());
                let secs = started.elapsed().as_secs_f64().max(1e-9);
                pb.set_message(format!(
                    "{} messages ({:.0}/s)",
                    s.messages,
                    s.messages as f64 / secs
                ));
            }
        }
    }
    out.flush()?;
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    if !args.quiet {
        let elapsed = started.elapsed();
        let rate = s.messages as f64 / elapsed.as_secs_f64().max(1e-9);
        let mut err = anstream::stderr().lock();
        let senders = match s.sender_escalations {
            0 => String::new(),
            n => format!(
                ", of which {n} sender escalation{} in {} sender case{}",
                if n == 1 { "" } else { "s" },
                s.cases.len(),
                if s.cases.len() == 1 { "" } else { "s" }
            ),
        };
        writeln!(
            err,
            "vigil: {} messages, {} conversations, {} escalations (watch {}, review {}, urgent {}){senders}, {} malformed lines skipped, {:.2?} ({:.0} messages/s)",
            s.messages,
            s.conversations.len(),
            s.by_level.iter().sum::<u64>(),
            s.by_level[0],
            s.by_level[1],
            s.by_level[2],
            s.bad,
            elapsed,
            rate
        )?;
        if !s.by_category.is_empty() {
            let mut cats: Vec<(&String, &u64)> = s.by_category.iter().collect();
            cats.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = cats.iter().map(|(c, n)| format!("{c} {n}")).collect();
            writeln!(err, "vigil: escalations by category: {}", list.join(", "))?;
        }
        if !s.interventions.is_empty() {
            let list: Vec<String> = s.interventions.iter().map(|(a, n)| format!("{a} {n}")).collect();
            writeln!(
                err,
                "vigil: interventions: {} ({} of {} messages)",
                list.join(", "),
                s.interventions.values().sum::<u64>(),
                s.messages
            )?;
        }
        let repaired = input.repaired_lines();
        if repaired > 0 {
            writeln!(
                err,
                "vigil: {repaired} lines were not valid UTF-8 and were read with the invalid bytes replaced"
            )?;
        }
        for ((field, word), n) in &s.unmapped {
            writeln!(
                err,
                "vigil: {field} {word:?} is not mapped by the policy: {n} messages scored it as `unknown` \
                 (list it under [metadata.{field}] in a policy layer)"
            )?;
        }
    }
    let code = if args.fail_on.is_some_and(|f| s.top >= Some(f)) {
        exit::FOUND
    } else if s.bad > 0 {
        exit::PROBLEMS
    } else {
        exit::OK
    };
    Ok(exit::code(code))
}

/// An escalation as readable text.
pub fn write_escalation(out: &mut impl Write, e: &Escalation) -> std::io::Result<()> {
    if e.scope == EscalationScope::Sender {
        return write_sender_escalation(out, e);
    }
    let lvl = style::level(Some(e.level));
    let arrow = e
        .participants
        .recipient
        .as_ref()
        .map(|r| format!(" → {} ({})", r.id, r.age_band))
        .unwrap_or_default();
    writeln!(
        out,
        "{} {}  {}  {} ({}){}",
        paint(lvl, format!("▲ {}", e.level.as_str().to_uppercase())),
        paint(
            DIM,
            match e.previous_level {
                Some(p) if p == e.level => "new category".to_string(),
                p => format!("from {}", p.map_or("none", Level::as_str)),
            }
        ),
        paint(BOLD, &e.conversation_id),
        e.participants.sender.id,
        e.participants.sender.age_band,
        arrow
    )?;
    if e.scope == vigil::EscalationScope::Recipient {
        let mut senders: Vec<&str> = e.evidence.iter().filter_map(|x| x.sender.as_deref()).collect();
        senders.sort_unstable();
        senders.dedup();
        writeln!(
            out,
            "  {}",
            paint(
                style::WARN,
                format!(
                    "recipient's view: every sender's messages to this minor add up ({} senders: {})",
                    senders.len(),
                    senders.join(", ")
                )
            )
        )?;
    }
    writeln!(
        out,
        "  {}",
        paint(
            DIM,
            format!(
                "message {} at {} · risk {} · escalation #{}{}",
                e.message_id,
                e.raised_at.to_rfc3339(),
                vigil::explain::fmt_num(e.risk),
                e.sequence,
                e.case
                    .as_deref()
                    .map(|c| format!(" · case {c}"))
                    .unwrap_or_default()
            )
        )
    )?;
    for r in &e.reasons {
        writeln!(out, "  • {r}")?;
    }
    write_evidence(out, e)?;
    if !e.indicators.is_empty() {
        writeln!(out, "  {}", paint(BOLD, "indicators"))?;
        for i in &e.indicators {
            let detail = i.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
            let seen = if i.count > 1 {
                format!("first in {}, seen {} times", i.message_id, i.count)
            } else {
                format!("in {}", i.message_id)
            };
            writeln!(
                out,
                "    {}{}  {}{}  {}",
                paint(DIM, i.kind.as_str()),
                paint(DIM, detail),
                paint(BOLD, style::visible(&i.value)),
                checksum_mark(i.checked),
                paint(DIM, seen)
            )?;
        }
    }
    if let Some(a) = &e.recommended_action {
        writeln!(out, "  {} {a}", paint(BOLD, "action:"))?;
    }
    writeln!(out)
}

/// A sender escalation as readable text: the case, the sender's arithmetic, the conversations
/// that count and their first evidence.
fn write_sender_escalation(out: &mut impl Write, e: &Escalation) -> std::io::Result<()> {
    let num = vigil::explain::fmt_num;
    writeln!(
        out,
        "{} {}  {} {} ({})  {}",
        paint(
            style::level(Some(e.level)),
            format!("▲ {}", e.level.as_str().to_uppercase())
        ),
        paint(
            DIM,
            format!("from {}", e.previous_level.map_or("none", Level::as_str))
        ),
        paint(BOLD, "sender"),
        paint(BOLD, &e.participants.sender.id),
        e.participants.sender.age_band,
        paint(BOLD, e.case.as_deref().unwrap_or("(no case reference)"))
    )?;
    writeln!(
        out,
        "  {}",
        paint(
            style::WARN,
            format!(
                "sender case: the sender's conversations with minors add up ({} conversations)",
                e.conversations.len()
            )
        )
    )?;
    writeln!(
        out,
        "  {}",
        paint(
            DIM,
            format!(
                "raised by message {} in {} at {} · sender points {} · escalation #{}",
                e.message_id,
                e.conversation_id,
                e.raised_at.to_rfc3339(),
                num(e.risk),
                e.sequence
            )
        )
    )?;
    for r in &e.reasons {
        writeln!(out, "  • {r}")?;
    }
    writeln!(out, "  {}", paint(BOLD, "conversations"))?;
    for c in &e.conversations {
        let to = c
            .recipient
            .as_deref()
            .map(|r| format!(" → {r}{}", if c.minor { " (minor)" } else { "" }))
            .unwrap_or_default();
        writeln!(
            out,
            "    {}{}  {}  {} points  {}",
            paint(BOLD, &c.conversation_id),
            to,
            paint(style::level(c.level), style::level_name(c.level)),
            num(c.points),
            paint(
                DIM,
                format!(
                    "first {} at {} · last {} at {} · {} risky message{} · {}",
                    c.first_message_id,
                    c.first_seen.to_rfc3339(),
                    c.last_message_id,
                    c.last_seen.to_rfc3339(),
                    c.messages,
                    if c.messages == 1 { "" } else { "s" },
                    c.categories.join(", ")
                )
            )
        )?;
    }
    write_evidence(out, e)?;
    if let Some(a) = &e.recommended_action {
        writeln!(out, "  {} {a}", paint(BOLD, "action:"))?;
    }
    writeln!(out)
}

/// An indicator's checksum result as a mark after its value: ` ✓ checksum`, ` ✗ checksum`, or
/// nothing when the format has none.
/// An escalation's evidence, one line an item: the message (after its conversation, in a
/// sender escalation, which spans conversations), the quote or the span, the rule.
fn write_evidence(out: &mut impl Write, e: &Escalation) -> std::io::Result<()> {
    if e.evidence.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {}", paint(BOLD, "evidence"))?;
    for ev in &e.evidence {
        let quote = ev
            .excerpt
            .as_deref()
            .map(|x| paint(style::mark(0), style::visible(x)))
            .unwrap_or_else(|| paint(DIM, format!("bytes {}..{}", ev.span.start, ev.span.end)));
        let message = match &ev.conversation_id {
            Some(c) => format!("{c}/{}", ev.message_id),
            None => ev.message_id.clone(),
        };
        writeln!(
            out,
            "    {}  {}  {}",
            paint(DIM, message),
            quote,
            paint(DIM, format!("{} ({})", ev.rule, ev.category))
        )?;
    }
    Ok(())
}

fn checksum_mark(checked: Option<bool>) -> String {
    match checked {
        Some(true) => format!(" {}", paint(style::GOOD, "✓ checksum")),
        Some(false) => format!(" {}", paint(style::BAD, "✗ checksum fails")),
        None => String::new(),
    }
}

/// An observation as one readable line, with the message's hits highlighted.
fn write_observation(out: &mut impl Write, o: &Observation, text: &str) -> std::io::Result<()> {
    let spans: Vec<(usize, usize, anstyle::Style)> = o
        .assessment
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| (h.span.start, h.span.end, style::mark(i)))
        .collect();
    let to = o
        .recipient
        .as_deref()
        .map(|r| format!("→{r}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{} {} {}{}  {}  score {}  risk {}  {}{}",
        paint(DIM, &o.conversation_id),
        paint(BOLD, &o.message_id),
        o.sender,
        to,
        style::highlight(text, &spans),
        vigil::explain::fmt_num(o.assessment.score),
        vigil::explain::fmt_num(o.risk),
        paint(style::level(o.level), style::level_name(o.level)),
        if o.escalation.is_some() {
            paint(style::level(o.level), " ▲ escalated")
        } else {
            String::new()
        }
    )?;
    for h in &o.assessment.hits {
        writeln!(
            out,
            "    {} {} ({}) +{}",
            paint(DIM, "↳"),
            h.rule,
            h.category,
            vigil::explain::fmt_num(h.weight)
        )?;
    }
    if let Some(i) = &o.intervention {
        write!(out, "    {} {} ({})", paint(BOLD, "⇒"), i.action.as_str(), i.id)?;
        if let Some(t) = &i.masked_text {
            write!(out, ": delivered as \"{t}\"")?;
        }
        if let Some(n) = &i.notice {
            write!(out, "  notice [{}] \"{}\"", n.language, n.text)?;
        }
        writeln!(out)?;
    }
    Ok(())
}
