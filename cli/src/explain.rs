//! `vigil explain`: why a message scored what it scored, and how a conversation got its level.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::{Args, ValueEnum};
use vigil::explain::{
    explain_conversation, explain_message, fmt_num, ConversationExplanation, MatchView, MessageExplanation,
    NotCountedReason, SenderArithmetic, Step,
};
use vigil::{AgeBand, Message, Participant, Timestamp};

use crate::exit;
use crate::input::{self, PolicyArgs};
use crate::style::{self, paint, BOLD, DIM, HEAD};

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum Band {
    Adult,
    Minor,
    Unknown,
}

impl From<Band> for AgeBand {
    fn from(b: Band) -> AgeBand {
        match b {
            Band::Adult => AgeBand::Adult,
            Band::Minor => AgeBand::Minor,
            Band::Unknown => AgeBand::Unknown,
        }
    }
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Messages as JSON Lines: files, directories, or `-` for standard input; explain one
    /// conversation of them
    ///
    /// Files may be gzip-compressed. A directory gives its .jsonl, .ndjson and .json files (and
    /// those ending in .gz), in its subdirectories too, in path order. Several inputs are read in
    /// order as one stream: a conversation carries on from one file to the next.
    #[arg(
        value_name = "PATH",
        conflicts_with = "text",
        required_unless_present = "text"
    )]
    pub input: Vec<String>,
    /// The conversation to explain (needed when the file holds several)
    #[arg(long, short = 'c', value_name = "ID")]
    pub conversation: Option<String>,
    /// Show only this message's step (the conversation is still replayed up to it)
    #[arg(long, short = 'm', value_name = "ID")]
    pub message: Option<String>,
    /// Explain one message given on the command line instead of a file
    #[arg(long, short = 't')]
    pub text: Option<String>,
    /// With --text: the sender's age band
    #[arg(long, value_enum, default_value_t = Band::Adult, requires = "text")]
    pub sender: Band,
    /// With --text: the recipient's age band
    #[arg(long, value_enum, default_value_t = Band::Minor, requires = "text")]
    pub recipient: Band,
    /// With --text: the relationship, a kind (stranger, contact, family, unknown) or the
    /// platform's own word (friend, follower…), mapped by the policy's [metadata] tables
    #[arg(long, value_name = "WORD", default_value = "unknown", requires = "text")]
    pub relationship: String,
    /// With --text: the channel, a kind (direct, group, public, unknown) or the platform's own
    /// word (dm, lobby, game…), mapped by the policy's [metadata] tables
    #[arg(long, value_name = "WORD", default_value = "direct", requires = "text")]
    pub channel: String,
    /// With --text: the sender's account age in days
    #[arg(long, value_name = "DAYS", requires = "text")]
    pub account_age_days: Option<u32>,
    /// Print the explanation as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

fn message_from_flags(a: &ExplainArgs, text: &str) -> Message {
    let mut sender = Participant::new("sender", a.sender.into());
    sender.account_age_days = a.account_age_days;
    Message::new("cli", "cli-1", Timestamp::from_millis(0), sender, text)
        .with_recipient(Participant::new("recipient", a.recipient.into()))
        .with_relationship(a.relationship.as_str())
        .with_channel(a.channel.as_str())
}

pub fn run(args: ExplainArgs) -> Result<ExitCode> {
    let engine = args.policy.engine()?;
    let mut out = anstream::stdout().lock();
    if let Some(text) = &args.text {
        let msg = message_from_flags(&args, text);
        let x = explain_message(&engine, &msg);
        if args.json {
            writeln!(out, "{}", serde_json::to_string_pretty(&x)?)?;
        } else {
            write_message(&mut out, &x)?;
            write_alone(&mut out, &x)?;
        }
        return Ok(exit::code(exit::OK));
    }
    let input::Messages { files, messages, bad } = input::read_messages(&args.input, false)?;
    let source = input::describe(&files);
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<&str> = messages
        .iter()
        .map(|m| m.conversation_id.as_str())
        .filter(|c| seen.insert(*c))
        .collect();
    let conversation = match (&args.conversation, ids.as_slice()) {
        (Some(c), _) => {
            if !seen.contains(c.as_str()) {
                const SHOWN: usize = 10;
                let more = match ids.len().saturating_sub(SHOWN) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                anyhow::bail!(
                    "{source}: no conversation `{c}` (conversations: {}{more})",
                    ids[..ids.len().min(SHOWN)].join(", ")
                );
            }
            c.clone()
        }
        (None, [one]) => one.to_string(),
        (None, []) => anyhow::bail!("{source}: no messages"),
        (None, many) => anyhow::bail!(
            "{source} {} {} conversations: choose one with --conversation ({})",
            if files.len() == 1 { "holds" } else { "hold" },
            many.len(),
            many.join(", ")
        ),
    };
    let mut x = explain_conversation(&engine, &messages, &conversation);
    if let Some(m) = &args.message {
        x.steps.retain(|s| &s.message_id == m);
        if x.steps.is_empty() {
            anyhow::bail!("conversation `{conversation}` has no message `{m}`");
        }
    }
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&x)?)?;
    } else {
        write_conversation(&mut out, &x)?;
    }
    out.flush().context("cannot write")?;
    Ok(exit::code(if bad > 0 { exit::PROBLEMS } else { exit::OK }))
}

fn label(out: &mut impl Write, name: &str, value: impl std::fmt::Display) -> std::io::Result<()> {
    writeln!(out, "  {} {value}", paint(DIM, format!("{name:<11}")))
}

/// A kind as scored, with the platform's word it was read from: `public ("lobby")`, or
/// `unknown ("hologram", not mapped by the policy)`.
fn said(kind: &str, word: Option<&vigil::PlatformWord>) -> String {
    match word {
        None => kind.to_string(),
        Some(w) if w.mapped => format!("{kind} ({:?})", w.word),
        Some(w) => format!("{kind} ({:?}, not mapped by the policy)", w.word),
    }
}

/// One message's explanation.
pub fn write_message(out: &mut impl Write, x: &MessageExplanation) -> std::io::Result<()> {
    let c = &x.context;
    let mut meta = format!(
        "sender {}{} → recipient {}{}, {}, {}",
        c.sender,
        if c.sender_inferred_minor {
            " (disclosed)"
        } else {
            ""
        },
        c.recipient,
        if c.recipient_inferred_minor {
            " (disclosed)"
        } else {
            ""
        },
        said(
            c.relationship.as_str(),
            c.platform.as_ref().and_then(|p| p.relationship.as_ref())
        ),
        said(
            c.channel.as_str(),
            c.platform.as_ref().and_then(|p| p.channel.as_ref())
        )
    );
    if let Some(d) = c.account_age_days {
        meta.push_str(&format!(", account {d} days old"));
    }
    label(out, "metadata", meta)?;
    let spans: Vec<(usize, usize, anstyle::Style)> = x
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| (h.span.start, h.span.end, style::mark(i)))
        .collect();
    label(out, "text", style::highlight(&x.text, &spans))?;
    let nspans: Vec<(usize, usize, anstyle::Style)> = x
        .hits
        .iter()
        .enumerate()
        .filter(|(_, h)| h.kind != vigil::HitKind::Pattern)
        .filter_map(|(i, h)| h.normalized_span.map(|s| (s.start, s.end, style::mark(i))))
        .collect();
    label(out, "terms view", style::highlight(&x.normalized.terms, &nspans))?;
    let pspans: Vec<(usize, usize, anstyle::Style)> = x
        .hits
        .iter()
        .enumerate()
        .filter(|(_, h)| h.kind == vigil::HitKind::Pattern)
        .filter_map(|(i, h)| h.normalized_span.map(|s| (s.start, s.end, style::mark(i))))
        .collect();
    label(out, "patterns", style::highlight(&x.normalized.patterns, &pspans))?;
    if x.truncated {
        label(
            out,
            "",
            paint(style::WARN, "text truncated to the policy's max_message_bytes"),
        )?;
    }
    if x.hits.is_empty() {
        label(out, "hits", paint(DIM, "none"))?;
    } else {
        writeln!(out, "  {}", paint(BOLD, "hits"))?;
        for (i, h) in x.hits.iter().enumerate() {
            let kind = match h.kind {
                vigil::HitKind::Term => "term",
                vigil::HitKind::Near => "near",
                vigil::HitKind::Pattern => "pattern",
                vigil::HitKind::Combination => "combination",
            };
            writeln!(
                out,
                "    {} {}  {}  weight {}{}{}",
                paint(style::mark(i), format!(" {} ", i + 1)),
                paint(BOLD, &h.rule),
                paint(DIM, format!("[{}]", h.category)),
                fmt_num(h.weight),
                h.forces_level
                    .map(|l| paint(style::BAD, format!(", forces {l}")))
                    .unwrap_or_default(),
                if h.discloses_minor {
                    paint(style::WARN, ", sender discloses being a child")
                } else {
                    String::new()
                }
            )?;
            let by =
                h.by.iter()
                    .map(|b| {
                        if h.kind == vigil::HitKind::Pattern {
                            format!("`{b}`")
                        } else {
                            format!("{b:?}")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" + ");
            if h.kind == vigil::HitKind::Combination {
                writeln!(
                    out,
                    "        combination of {} (in this message or the sender's last ones); this part: {} (bytes {}..{})",
                    h.by.join(" + "),
                    paint(style::mark(i), style::visible(&h.matched)),
                    h.span.start,
                    h.span.end
                )?;
                continue;
            }
            writeln!(
                out,
                "        {} {} matched {} → {} (bytes {}..{})",
                kind,
                by,
                paint(style::mark(i), style::visible(&h.matched)),
                h.normalized
                    .as_deref()
                    .map(|n| format!("{n:?}"))
                    .unwrap_or_else(|| "?".into()),
                h.span.start,
                h.span.end
            )?;
            let view = match h.view {
                MatchView::Plain => "plain words",
                MatchView::Skeleton => "skeleton only",
                _ => "patterns view",
            };
            match h.evasion {
                Some(e) if h.view == MatchView::Skeleton => writeln!(
                    out,
                    "        {}",
                    paint(
                        DIM,
                        format!(
                            "view: {view}; counts because the text is evaded: {}",
                            e.describe()
                        )
                    )
                )?,
                Some(e) => writeln!(
                    out,
                    "        {}",
                    paint(DIM, format!("view: {view}; evasion undone: {}", e.describe()))
                )?,
                None => writeln!(out, "        {}", paint(DIM, format!("view: {view}")))?,
            }
        }
    }
    for n in &x.not_counted {
        let why = match &n.reason {
            NotCountedReason::When { unmet } => format!("`when` not met: {}", unmet.join("; ")),
            NotCountedReason::Unless { phrase, .. } => format!("cancelled by `unless` {phrase:?}"),
            NotCountedReason::Overlap { by } => format!("same words already counted by `{by}`"),
            NotCountedReason::Language { pack } => format!(
                "its pack's language ({}) is not plausible for this message or conversation",
                pack.join(", ")
            ),
            _ => "not counted".into(),
        };
        writeln!(
            out,
            "    {} {}  {}  matched {} but not counted: {why}",
            paint(DIM, " - "),
            n.rule,
            paint(DIM, format!("[{}]", n.category)),
            n.matched.as_deref().map(|m| format!("{m:?}")).unwrap_or_default(),
        )?;
    }
    if x.hits.is_empty() {
        return Ok(());
    }
    writeln!(out, "  {}", paint(BOLD, "score"))?;
    for c in &x.categories {
        let sum = c
            .rules
            .iter()
            .map(|r| fmt_num(r.weight))
            .collect::<Vec<_>>()
            .join(" + ");
        let cap = match c.message_cap {
            Some(cap) if c.sum > cap => format!(" → capped at {}", fmt_num(cap)),
            Some(cap) => paint(DIM, format!(" (cap {})", fmt_num(cap))),
            None => String::new(),
        };
        writeln!(
            out,
            "    {} {sum}{cap} = {}",
            style::pad(&format!("{} ({})", c.category, c.stage), 34),
            fmt_num(c.capped)
        )?;
    }
    for m in &x.modifiers {
        if m.applied {
            writeln!(
                out,
                "    {} × {}",
                style::pad(&format!("modifier {}", m.id), 34),
                fmt_num(m.factor)
            )?;
        } else {
            writeln!(
                out,
                "    {}",
                paint(
                    DIM,
                    format!(
                        "{} not applied: {}",
                        style::pad(&format!("modifier {}", m.id), 34),
                        m.reason.as_deref().unwrap_or("")
                    )
                )
            )?;
        }
    }
    writeln!(
        out,
        "    {} {}",
        style::pad(&paint(BOLD, "message score"), 34),
        paint(BOLD, &x.formula)
    )?;
    Ok(())
}

fn write_alone(out: &mut impl Write, x: &MessageExplanation) -> std::io::Result<()> {
    let a = &x.alone;
    let mut parts: Vec<String> = a
        .categories
        .iter()
        .map(|c| format!("{} {}", c.category, fmt_num(c.points)))
        .collect();
    if a.stage_bonus > 0.0 {
        parts.push(format!("stage bonus {}", fmt_num(a.stage_bonus)));
    }
    let detail = if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(" + "))
    };
    writeln!(
        out,
        "  {} risk {}{detail} → level {}{}",
        paint(BOLD, "as a new conversation:"),
        fmt_num(a.risk),
        paint(style::level(a.level), style::level_name(a.level)),
        x.forced_level
            .map(|l| format!(" (a rule forces {l})"))
            .unwrap_or_default()
    )
}

fn duration(ms: i64) -> String {
    let s = ms / 1000;
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else if s < 86_400 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}d{:02}h", s / 86_400, (s % 86_400) / 3600)
    }
}

fn write_step(out: &mut impl Write, x: &ConversationExplanation, s: &Step) -> std::io::Result<()> {
    let to = s
        .recipient
        .as_deref()
        .map(|r| format!(" → {r}"))
        .unwrap_or_default();
    writeln!(
        out,
        "{} {}  {}{}  {}",
        paint(HEAD, format!("#{}", s.index)),
        paint(BOLD, &s.message_id),
        s.sender,
        to,
        paint(DIM, s.timestamp.to_rfc3339())
    )?;
    write_message(out, &s.message)?;
    if let Some(l) = &s.language {
        let share = |v: f32| format!("{:.0}%", f64::from(v) * 100.0);
        let mut parts = Vec::new();
        if let Some(m) = &l.message {
            parts.push(format!(
                "message {} (confidence {})",
                m.language.code(),
                share(m.share)
            ));
        }
        if !l.conversation.is_empty() {
            let conv: Vec<String> = l
                .conversation
                .iter()
                .map(|c| format!("{} {}", c.language.code(), share(c.share)))
                .collect();
            parts.push(format!("conversation {}", conv.join(", ")));
        }
        match &l.packs {
            Some(p) => parts.push(format!(
                "packs applied: {}",
                p.iter().map(|l| l.code()).collect::<Vec<_>>().join(", ")
            )),
            None if !s.message.hits.is_empty() || !s.message.not_counted.is_empty() => {
                parts.push("packs applied: all".into())
            }
            None => {}
        }
        if !parts.is_empty() {
            label(out, "language", paint(DIM, parts.join(" · ")))?;
        }
    }
    if s.message.hits.is_empty() && s.key_message > 1 && s.categories.iter().all(|c| c.before == 0.0) {
        return Ok(());
    }
    writeln!(out, "  {}", paint(BOLD, "conversation"))?;
    let decay = match s.elapsed_ms {
        None => "first message of this key: nothing to decay".to_string(),
        Some(ms) => format!(
            "{} since this key's previous message: × {} (2^(−{} / {}))",
            duration(ms),
            fmt_num_long(s.decay),
            duration(ms),
            duration(x.half_life_ms)
        ),
    };
    writeln!(out, "    {} {decay}", style::pad("decay", 34))?;
    for c in &s.categories {
        let cap = match c.conversation_cap {
            Some(cap) if c.decayed + c.added > cap + 1e-9 => format!(" → capped at {}", fmt_num(cap)),
            _ => String::new(),
        };
        writeln!(
            out,
            "    {} {} → {} + {}{cap} = {}",
            style::pad(&format!("{} ({})", c.category, c.stage), 34),
            fmt_num(c.before),
            fmt_num(c.decayed),
            fmt_num(c.added),
            paint(BOLD, fmt_num(c.after))
        )?;
    }
    if s.stage_bonus > 0.0 || s.stages.len() > 1 {
        writeln!(
            out,
            "    {} {} ({} stages active: {})",
            style::pad("stage bonus", 34),
            fmt_num(s.stage_bonus),
            s.stages.len(),
            s.stages.join(", ")
        )?;
    }
    let forced = s
        .forced
        .as_ref()
        .filter(|f| Some(f.level) > s.threshold_level)
        .map(|f| format!(", forced to {} by {}", f.level, f.rule))
        .unwrap_or_default();
    let forced = match &s.capped_by {
        Some(c) => format!("{forced}, held there by the ceiling `{c}`"),
        None => forced,
    };
    let thresholds = format!(
        "watch {} · review {} · urgent {}",
        fmt_num(x.thresholds.watch),
        fmt_num(x.thresholds.review),
        fmt_num(x.thresholds.urgent)
    );
    writeln!(
        out,
        "    {} {} → {}  {}",
        style::pad(&paint(BOLD, "risk"), 34),
        fmt_num(s.risk_before),
        paint(BOLD, fmt_num(s.risk)),
        paint(DIM, format!("({thresholds})"))
    )?;
    writeln!(
        out,
        "    {} {}{forced}",
        style::pad(&paint(BOLD, "level"), 34),
        paint(style::level(s.level), style::level_name(s.level))
    )?;
    if let Some(e) = &s.escalation {
        writeln!(
            out,
            "    {}",
            paint(
                style::level(Some(e.level)),
                format!(
                    "▲ escalation #{}: {} (was {}) — {}",
                    e.sequence,
                    e.level,
                    e.previous_level.map_or("none", |l| l.as_str()),
                    e.categories.join(", ")
                )
            )
        )?;
        for r in &e.reasons {
            writeln!(out, "      • {r}")?;
        }
    }
    if let Some(a) = &s.sender_escalation {
        write_sender_arithmetic(out, a)?;
    }
    if let Some(i) = &s.intervention {
        let mut line = format!("⇒ intervention {} ({})", i.action.as_str(), i.id);
        if !i.categories.is_empty() {
            let cats: Vec<&str> = i.categories.iter().map(|c| &**c).collect();
            line.push_str(&format!(" on {}", cats.join(", ")));
        }
        if let Some(r) = &i.reason {
            line.push_str(&format!(" — {r}"));
        }
        writeln!(out, "    {}", paint(BOLD, line))?;
        if let Some(t) = &i.masked_text {
            writeln!(out, "      delivered as: {t}")?;
        }
        if let Some(n) = &i.notice {
            writeln!(out, "      notice `{}` [{}]: {}", n.id, n.language, n.text)?;
        }
    }
    Ok(())
}

/// The arithmetic of a sender escalation a step raised: each conversation's points by its
/// level, times its relationship's factor; the total against the sender levels.
fn write_sender_arithmetic(out: &mut impl Write, a: &SenderArithmetic) -> std::io::Result<()> {
    writeln!(
        out,
        "    {}",
        paint(
            style::level(Some(a.level)),
            format!(
                "▲ sender escalation #{}: sender {} {} (was {}){}",
                a.sequence,
                a.sender,
                a.level,
                a.previous_level.map_or("none", |l| l.as_str()),
                a.case
                    .as_deref()
                    .map(|c| format!(" — case {c}"))
                    .unwrap_or_default()
            )
        )
    )?;
    writeln!(
        out,
        "    {}",
        paint(
            BOLD,
            "sender points (a conversation's points by its highest level × its relationship's factor)"
        )
    )?;
    for c in &a.conversations {
        let to = c
            .recipient
            .as_deref()
            .map(|r| format!(" → {r}{}", if c.minor { " (minor)" } else { "" }))
            .unwrap_or_default();
        writeln!(
            out,
            "      {} {} {} × {} ({}) = {}",
            style::pad(&format!("{}{to}", c.conversation_id), 32),
            style::pad(&paint(style::level(c.level), style::level_name(c.level)), 8),
            fmt_num(c.level_points),
            fmt_num(c.factor),
            c.relationship.as_str(),
            paint(BOLD, fmt_num(c.points))
        )?;
    }
    writeln!(
        out,
        "      {} {}",
        style::pad(&paint(BOLD, "total"), 41),
        paint(BOLD, fmt_num(a.points))
    )?;
    writeln!(
        out,
        "      {} {} minor{} (a sender level needs at least {}) within {}",
        style::pad("minors", 41),
        a.minors,
        if a.minors == 1 { "" } else { "s" },
        a.min_minors,
        duration(a.window_ms)
    )?;
    writeln!(
        out,
        "      {} {} → {}  {}",
        style::pad(&paint(BOLD, "sender level"), 41),
        fmt_num(a.points),
        paint(style::level(Some(a.level)), a.level.as_str()),
        paint(
            DIM,
            format!(
                "(sender levels: watch {} · review {} · urgent {})",
                fmt_num(a.levels.watch),
                fmt_num(a.levels.review),
                fmt_num(a.levels.urgent)
            )
        )
    )?;
    if let Some(action) = &a.recommended_action {
        writeln!(out, "      {} {action}", paint(BOLD, "action:"))?;
    }
    Ok(())
}

fn fmt_num_long(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn write_conversation(out: &mut impl Write, x: &ConversationExplanation) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {}  {}",
        paint(HEAD, "conversation"),
        paint(BOLD, &x.conversation_id),
        paint(
            DIM,
            format!(
                "policy {} {} · half-life {}",
                x.policy.id,
                x.policy.version,
                duration(x.half_life_ms)
            )
        )
    )?;
    writeln!(out)?;
    for s in &x.steps {
        write_step(out, x, s)?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "{} {}",
        paint(BOLD, "highest level:"),
        paint(style::level(x.max_level), style::level_name(x.max_level))
    )
}
