//! `vigil report`: a self-contained HTML case file for moderators.
//!
//! One file, no external resources (inline CSS, inline SVG chart, a few lines of inline script):
//! it can be attached to a ticket and opened offline. Message text is blurred until clicked
//! (or the switch is turned on), for moderators' wellbeing.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use clap::Args;
use vigil::explain::{fmt_num, Thresholds};
use vigil::indicators::{Extractor, Indicator, IndicatorKind};
use vigil::{Engine, EscalatedIndicator, Escalation, Level, Message, Observation, Span, Tracker};

use crate::exit;
use crate::input::{self, PolicyArgs};
use crate::scan::parse_level;

#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Messages as JSON Lines: files, directories, or `-` (the default) for standard input
    ///
    /// Files may be gzip-compressed. A directory gives its .jsonl, .ndjson and .json files (and
    /// those ending in .gz), in its subdirectories too, in path order. Several inputs are read in
    /// order as one stream: a conversation carries on from one file to the next.
    #[arg(default_value = "-", value_name = "PATH")]
    pub input: Vec<String>,
    /// Where to write the HTML (`-` for standard output)
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
    /// Conversations to include (repeat for more); by default every conversation that reached
    /// --min-level
    #[arg(long, short = 'c', value_name = "ID")]
    pub conversation: Vec<String>,
    /// Without --conversation: include conversations that reached this level
    #[arg(long, value_name = "LEVEL", value_parser = parse_level, default_value = "watch")]
    pub min_level: Level,
    /// Start with message text visible (it is blurred until clicked by default)
    #[arg(long)]
    pub no_blur: bool,
    /// The report's title
    #[arg(long, default_value = "Vigil case file")]
    pub title: String,
    #[command(flatten)]
    pub policy: PolicyArgs,
    #[command(flatten)]
    pub drafts: crate::draft::DraftArgs,
}

struct Case<'a> {
    id: String,
    steps: Vec<(&'a Message, Observation)>,
    max_level: Option<Level>,
}

/// A sender case: its sender escalations in the order raised (the last lists the conversations
/// that count now).
struct SenderCase<'a> {
    /// The case reference (`sender-…`).
    id: String,
    escalations: Vec<(&'a Message, Escalation)>,
}

impl SenderCase<'_> {
    fn last(&self) -> Option<&Escalation> {
        self.escalations.last().map(|(_, e)| e)
    }

    fn max_level(&self) -> Option<Level> {
        self.escalations.iter().map(|(_, e)| e.level).max()
    }
}

pub fn run(args: ReportArgs) -> Result<ExitCode> {
    if let Some(kind) = args.drafts.draft {
        return crate::draft::run(&args, kind);
    }
    let engine = args.policy.engine()?;
    let input::Messages { files, messages, bad } = input::read_messages(&args.input, false)?;
    // A first pass: each conversation's highest level, and the sender cases.
    let mut order: Vec<String> = Vec::new();
    let mut max: HashMap<String, Option<Level>> = HashMap::new();
    let mut senders: Vec<SenderCase<'_>> = Vec::new();
    {
        let mut tracker = Tracker::new(engine.clone());
        for m in &messages {
            let obs = tracker.observe(m);
            let e = max.entry(m.conversation_id.clone()).or_insert_with(|| {
                order.push(m.conversation_id.clone());
                None
            });
            *e = (*e).max(obs.level);
            if let Some(x) = obs.sender_escalation {
                let id = x.case.clone().unwrap_or_else(|| x.participants.sender.id.clone());
                match senders.iter_mut().find(|c| c.id == id) {
                    Some(c) => c.escalations.push((m, x)),
                    None => senders.push(SenderCase {
                        id,
                        escalations: vec![(m, x)],
                    }),
                }
            }
        }
    }
    let selected: Vec<String> = if args.conversation.is_empty() {
        order
            .into_iter()
            .filter(|c| max.get(c).copied().flatten() >= Some(args.min_level))
            .collect()
    } else {
        for c in &args.conversation {
            if !messages.iter().any(|m| &m.conversation_id == c) {
                anyhow::bail!("{}: no conversation `{c}`", input::describe(&files));
            }
        }
        args.conversation.clone()
    };
    // Sender cases: those with a selected conversation, and (without --conversation) those that
    // reached --min-level themselves.
    senders.retain(|c| {
        let listed = c.last().is_some_and(|e| {
            e.conversations
                .iter()
                .any(|x| selected.contains(&x.conversation_id))
        });
        listed || (args.conversation.is_empty() && c.max_level() >= Some(args.min_level))
    });
    // The conversations to replay: the selected ones (each a section), then the other
    // conversations of the sender cases (a chart each on the sender's section).
    let mut needed = selected.clone();
    for c in &senders {
        for x in c.last().map_or(&[][..], |e| e.conversations.as_slice()) {
            if !needed.contains(&x.conversation_id) {
                needed.push(x.conversation_id.clone());
            }
        }
    }
    let mut cases: Vec<Case<'_>> = needed
        .iter()
        .map(|id| Case {
            id: id.clone(),
            steps: Vec::new(),
            max_level: None,
        })
        .collect();
    let index: HashMap<&str, usize> = needed.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let mut tracker = Tracker::new(engine.clone());
    for m in &messages {
        let obs = tracker.observe(m);
        if let Some(&i) = index.get(m.conversation_id.as_str()) {
            cases[i].max_level = cases[i].max_level.max(obs.level);
            cases[i].steps.push((m, obs));
        }
    }
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            std::path::Path::new(f)
                .file_name()
                .map_or(f.clone(), |n| n.to_string_lossy().into_owned())
        })
        .collect();
    let source = input::describe(&names);
    let html = render(
        &engine,
        Report {
            cases: &cases,
            sections: selected.len(),
            senders: &senders,
        },
        &args.title,
        &source,
        !args.no_blur,
    );
    if args.output.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(html.as_bytes())?;
        out.flush()?;
    } else {
        std::fs::write(&args.output, html)
            .with_context(|| format!("cannot write {}", args.output.display()))?;
        let cases_note = match senders.len() {
            0 => String::new(),
            1 => ", 1 sender case".to_string(),
            n => format!(", {n} sender cases"),
        };
        eprintln!(
            "vigil: wrote {} ({} conversation{}{cases_note})",
            args.output.display(),
            selected.len(),
            if selected.len() == 1 { "" } else { "s" }
        );
    }
    Ok(exit::code(if bad > 0 { exit::PROBLEMS } else { exit::OK }))
}

/// HTML-escapes text.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c.is_control() && c != '\n' && c != '\t')
                || matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0xFEFF | 0x00AD) =>
            {
                let _ = write!(
                    out,
                    "<span class=\"inv\" title=\"invisible character U+{0:04X}\">U+{0:04X}</span>",
                    c as u32
                );
            }
            c => out.push(c),
        }
    }
    out
}

/// Text for an HTML attribute value (quoted with `"`): markup characters escaped, control
/// characters left out. Unlike [`esc`], invisible characters stay as they are (an attribute
/// cannot hold the visible marker), so a copied value is the value.
fn esc_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// An id usable in HTML attributes.
fn anchor(s: &str) -> String {
    let mut a = String::from("c-");
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            a.push(c);
        } else {
            let _ = write!(a, "_{:x}", c as u32);
        }
    }
    a
}

/// The id of a sender case's section (`s-…`, apart from conversations' `c-…`).
fn sender_anchor(case: &str) -> String {
    let a = anchor(case);
    format!("s{}", &a[1..])
}

fn level_badge(l: Option<Level>) -> String {
    let name = l.map_or("none", Level::as_str);
    format!("<span class=\"badge {name}\">{name}</span>")
}

/// The message text with evidence spans marked (`<mark class="ev">`), and the spans of the
/// case's indicators inside it (`<mark class="ind">`, within an evidence mark where they overlap).
fn marked_text(text: &str, o: &Observation, indicators: &[(Span, String)]) -> String {
    let mut cuts = vec![0, text.len()];
    for h in &o.assessment.hits {
        cuts.push(h.span.start.min(text.len()));
        cuts.push(h.span.end.min(text.len()));
    }
    for (sp, _) in indicators {
        cuts.push(sp.start.min(text.len()));
        cuts.push(sp.end.min(text.len()));
    }
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::new();
    for w in cuts.windows(2) {
        let Some(seg) = text.get(w[0]..w[1]) else { continue };
        let hits: Vec<&vigil::Hit> = o
            .assessment
            .hits
            .iter()
            .filter(|h| h.span.start <= w[0] && w[1] <= h.span.end)
            .collect();
        let inds: Vec<&str> = indicators
            .iter()
            .filter(|(sp, _)| sp.start <= w[0] && w[1] <= sp.end)
            .map(|(_, title)| title.as_str())
            .collect();
        let mut inner = esc(seg);
        if !inds.is_empty() {
            inner = format!(
                "<mark class=\"ind\" title=\"{}\">{inner}</mark>",
                esc_attr(&inds.join("; "))
            );
        }
        if hits.is_empty() {
            out.push_str(&inner);
        } else {
            let title: Vec<String> = hits
                .iter()
                .map(|h| format!("{} ({}, +{})", h.rule, h.category, fmt_num(h.weight)))
                .collect();
            let _ = write!(
                out,
                "<mark class=\"ev cat-{}\" title=\"{}\">{inner}</mark>",
                esc(&hits[0].category),
                esc(&title.join("; ")),
            );
        }
    }
    out
}

/// A kind of indicator in words (`invite link`).
fn kind_words(k: IndicatorKind) -> String {
    match k {
        IndicatorKind::Email => "e-mail".to_string(),
        k => k.as_str().replace('_', " "),
    }
}

/// The indicators of a case: those its escalations list, each sighting once (a key's later
/// escalation lists it again with a higher count: the highest is kept), in the order of the
/// conversation's messages.
fn case_indicators<'e>(
    case: &Case<'_>,
    escalations: &[(&Message, &'e Escalation)],
) -> Vec<(&'e EscalatedIndicator, u32)> {
    let mut rows: Vec<(&'e EscalatedIndicator, u32)> = Vec::new();
    for (_, e) in escalations {
        for i in &e.indicators {
            let same = rows.iter_mut().find(|(r, _)| {
                r.kind == i.kind
                    && r.value == i.value
                    && r.detail == i.detail
                    && r.message_id == i.message_id
                    && r.span == i.span
            });
            match same {
                Some((_, count)) => *count = (*count).max(i.count),
                None => rows.push((i, i.count)),
            }
        }
    }
    let position = |id: &str| case.steps.iter().position(|(m, _)| m.message_id == id);
    rows.sort_by_key(|(i, _)| (position(&i.message_id), i.span.start));
    rows
}

/// The indicator an escalation lists, as the core's extractor would give it (to compare with
/// [`Indicator::same_as`]).
fn as_indicator(i: &EscalatedIndicator) -> Indicator {
    let mut ind = Indicator::new(i.kind, i.value.clone(), i.span);
    if let Some(d) = &i.detail {
        ind = ind.with_detail(d.clone());
    }
    ind
}

/// Where each message of a case shows one of the case's indicators: the first sightings the
/// escalations name, and every other occurrence the core's extractor finds of the same
/// indicators. Keyed by message position; each span with its tooltip.
fn indicator_spans(
    case: &Case<'_>,
    rows: &[(&EscalatedIndicator, u32)],
    extractor: &Extractor,
) -> Vec<Vec<(Span, String)>> {
    let listed: Vec<Indicator> = rows.iter().map(|(i, _)| as_indicator(i)).collect();
    let title = |i: &Indicator| match &i.detail {
        Some(d) => format!("{} indicator ({d}): {}", kind_words(i.kind), i.value),
        None => format!("{} indicator: {}", kind_words(i.kind), i.value),
    };
    case.steps
        .iter()
        .map(|(m, _)| {
            let mut spans: Vec<(Span, String)> = Vec::new();
            for (row, ind) in rows.iter().zip(&listed) {
                if row.0.message_id == m.message_id {
                    spans.push((row.0.span, title(ind)));
                }
            }
            if !listed.is_empty() {
                for found in extractor.find(&m.text) {
                    if let Some(ind) = listed.iter().find(|l| l.same_as(&found)) {
                        if !spans.iter().any(|(sp, _)| *sp == found.span) {
                            spans.push((found.span, title(ind)));
                        }
                    }
                }
            }
            spans.retain(|(sp, _)| sp.start < sp.end && sp.end <= m.text.len());
            spans
        })
        .collect()
}

/// The "Indicators" table of a case: kind, value (with a copy button), detail, checksum, first
/// message, count; and a button copying the whole table as tab-separated text.
fn indicators_table(
    case: &Case<'_>,
    rows: &[(&EscalatedIndicator, u32)],
    escalations: &[(&Message, &Escalation)],
) -> String {
    // The report field the policy routes each indicator to (`report_hints.indicators`).
    let field = |i: &EscalatedIndicator| {
        escalations
            .iter()
            .flat_map(|(_, e)| &e.report_hints.indicators)
            .find(|h| h.kind == i.kind && h.value == i.value)
            .map(|h| h.field.as_str())
    };
    let mut s = String::new();
    let mut tsv = String::from("kind\tvalue\tdetail\tchecksum\tfirst_message_id\tcount\treport_field\n");
    for (i, count) in rows {
        let checked = match i.checked {
            Some(true) => "valid",
            Some(false) => "invalid",
            None => "",
        };
        let _ = writeln!(
            tsv,
            "{}\t{}\t{}\t{checked}\t{}\t{count}\t{}",
            i.kind.as_str(),
            i.value,
            i.detail.as_deref().unwrap_or(""),
            i.message_id,
            field(i).unwrap_or("")
        );
    }
    let _ = write!(
        s,
        "<h3>Indicators</h3><p class=\"note\">Contact and payment details the conversation names, for \
         the people who trace accounts and money. A checksum says whether a value is well-formed, not \
         who owns it. <button type=\"button\" class=\"copy\" data-copy=\"{}\" data-label=\"Copy table\">Copy \
         table</button></p><table class=\"grid indicators\"><thead><tr><th>Kind</th><th>Value</th>\
         <th>Detail</th><th>Checksum</th><th>First message</th><th>Count</th><th>Report field</th></tr>\
         </thead><tbody>",
        esc_attr(&tsv)
    );
    for (i, count) in rows {
        let checksum = match i.checked {
            Some(true) => "<span class=\"ck ok\" title=\"the checksum holds\">✓</span>",
            Some(false) => {
                "<span class=\"ck bad\" title=\"the checksum fails: mistyped or altered\">✗</span>"
            }
            None => "<span class=\"ck\" title=\"the format has no checksum\">—</span>",
        };
        let _ = write!(
            s,
            "<tr data-kind=\"{kind}\"><td>{}</td><td><code class=\"iv\">{}</code> <button type=\"button\" \
             class=\"copy\" data-copy=\"{}\" data-label=\"Copy\" title=\"Copy the value\">Copy</button></td>\
             <td>{}</td><td>{checksum}</td><td><a href=\"#{}\">{}</a></td><td>{count}</td><td>{}</td></tr>",
            esc(&kind_words(i.kind)),
            esc(&i.value),
            esc_attr(&i.value),
            i.detail.as_deref().map_or_else(|| "—".to_string(), esc),
            anchor(&format!("{}/{}", case.id, i.message_id)),
            esc(&i.message_id),
            field(i).map_or_else(|| "—".to_string(), |f| format!("<code>{}</code>", esc(f))),
            kind = i.kind.as_str(),
        );
    }
    s.push_str("</tbody></table>");
    s
}

const PALETTE: [&str; 6] = ["#1f6feb", "#d1242f", "#8250df", "#1a7f37", "#bc4c00", "#0a7a8a"];

/// The risk-over-time chart: one line per key, thresholds dashed, escalations as dots.
fn chart(case: &Case<'_>, t: &Thresholds) -> String {
    let (w, h) = (760.0_f64, 240.0_f64);
    let (left, right, top, bottom) = (48.0, 16.0, 14.0, 34.0);
    let n = case.steps.len().max(1);
    let max_risk = case.steps.iter().map(|(_, o)| o.risk).fold(0.0, f64::max);
    let ymax = (max_risk.max(t.urgent) * 1.12).max(1.0);
    let x = |i: usize| {
        if n <= 1 {
            left + (w - left - right) / 2.0
        } else {
            left + (w - left - right) * i as f64 / (n - 1) as f64
        }
    };
    let y = |r: f64| top + (h - top - bottom) * (1.0 - r / ymax);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-label=\"Risk over time for conversation {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(&case.id)
    );
    let _ = write!(
        s,
        "<rect x=\"{left}\" y=\"{top}\" width=\"{}\" height=\"{}\" class=\"plot\"/>",
        w - left - right,
        h - top - bottom
    );
    for (name, v) in [("watch", t.watch), ("review", t.review), ("urgent", t.urgent)] {
        let yy = y(v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" class=\"th {name}\"/>\
             <text x=\"{}\" y=\"{:.1}\" class=\"thl {name}\" text-anchor=\"end\">{name} {}</text>",
            w - right,
            w - right - 4.0,
            yy - 4.0,
            fmt_num(v)
        );
    }
    for tick in 0..=4 {
        let v = ymax * f64::from(tick) / 4.0;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"end\">{}</text>",
            left - 6.0,
            y(v) + 4.0,
            v.round()
        );
    }
    // One series per key (sender → recipient); a key's risk holds between its messages.
    let mut keys: Vec<(String, Option<String>)> = Vec::new();
    for (m, o) in &case.steps {
        let k = (m.sender.id.clone(), o.recipient.clone());
        if !keys.contains(&k) {
            keys.push(k);
        }
    }
    let mut legend = Vec::new();
    let mut series_count = 0;
    for k in &keys {
        let pts: Vec<(usize, f64)> = case
            .steps
            .iter()
            .enumerate()
            .filter(|(_, (m, o))| m.sender.id == k.0 && o.recipient == k.1)
            .map(|(i, (_, o))| (i, o.risk))
            .collect();
        if pts.iter().all(|(_, r)| *r <= 0.0) {
            continue;
        }
        let color = PALETTE[series_count % PALETTE.len()];
        series_count += 1;
        let mut path = String::new();
        for (j, (i, r)) in pts.iter().enumerate() {
            if j > 0 {
                // Hold the previous value until this message, then step.
                let _ = write!(path, " L{:.1},{:.1}", x(*i), y(pts[j - 1].1));
            }
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if j == 0 { "M" } else { " L" },
                x(*i),
                y(*r)
            );
        }
        let _ = write!(
            s,
            "<path d=\"{path}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" class=\"series\"/>"
        );
        let label = match &k.1 {
            Some(r) => format!("{} → {}", k.0, r),
            None => k.0.clone(),
        };
        legend.push((color, label));
    }
    for (i, (m, o)) in case.steps.iter().enumerate() {
        if let Some(e) = &o.escalation {
            let _ = write!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"5.5\" class=\"dot {}\"><title>{}: escalated to {} \
                 (risk {})</title></circle>",
                x(i),
                y(o.risk),
                e.level.as_str(),
                esc(&m.message_id),
                e.level.as_str(),
                fmt_num(o.risk)
            );
        }
    }
    if let (Some((first, _)), Some((last, _))) = (case.steps.first(), case.steps.last()) {
        let _ = write!(
            s,
            "<text x=\"{left}\" y=\"{}\" class=\"tick\">{} · {}</text>\
             <text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"end\">{} · {}</text>",
            h - 12.0,
            esc(&first.message_id),
            esc(&first.timestamp.to_rfc3339()),
            w - right,
            h - 12.0,
            esc(&last.message_id),
            esc(&last.timestamp.to_rfc3339())
        );
    }
    s.push_str("</svg>");
    if !legend.is_empty() {
        s.push_str("<p class=\"legend\">");
        for (c, l) in legend {
            let _ = write!(s, "<span><i style=\"background:{c}\"></i>{}</span>", esc(&l));
        }
        s.push_str("<span><i class=\"dotkey\"></i>escalation</span></p>");
    }
    s
}

fn participants(case: &Case<'_>, adult_age: u32) -> String {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (m, _) in &case.steps {
        let mut desc = m.sender.band(adult_age).to_string();
        if let Some(d) = m.sender.account_age_days {
            desc.push_str(&format!(", account {d} days old"));
        }
        seen.entry(m.sender.id.clone()).or_insert(desc);
        if let Some(r) = &m.recipient {
            seen.entry(r.id.clone())
                .or_insert_with(|| r.band(adult_age).to_string());
        }
    }
    seen.iter()
        .map(|(id, d)| format!("<b>{}</b> ({})", esc(id), esc(d)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A metadata word as the case file shows it: its kind, and the platform's word when it is not
/// the kind's name (`public (lobby)`).
fn said(word: &str, kind: impl Fn(&str) -> &'static str) -> String {
    let k = kind(word);
    if word.is_empty() || word == k {
        k.to_string()
    } else {
        format!("{k} ({word})")
    }
}

/// The sender cases a conversation's escalations belong to (`<dt>Sender case</dt>…`), each a
/// link to its section when the report has one; nothing when the policy keeps no sender cases.
fn case_refs(escalations: &[(&Message, &Escalation)], sender_cases: &[&str]) -> String {
    let mut refs: Vec<&str> = Vec::new();
    for (_, e) in escalations {
        if let Some(c) = e.case.as_deref() {
            if !refs.contains(&c) {
                refs.push(c);
            }
        }
    }
    if refs.is_empty() {
        return String::new();
    }
    let items: Vec<String> = refs
        .iter()
        .map(|c| {
            if sender_cases.contains(c) {
                format!(
                    "<a class=\"case-ref\" href=\"#{}\"><code>{}</code></a>",
                    sender_anchor(c),
                    esc(c)
                )
            } else {
                format!("<code>{}</code>", esc(c))
            }
        })
        .collect();
    format!("<dt>Sender case</dt><dd>{}</dd>", items.join(", "))
}

/// A sender case's section: the sender's arithmetic, the recommended action, the sender
/// escalations, and each conversation that counts (listed by the case's last sender escalation)
/// with its risk chart.
fn sender_html(c: &SenderCase<'_>, cases: &[Case<'_>], sections: &[Case<'_>], t: &Thresholds) -> String {
    let mut s = String::new();
    let Some(last) = c.last() else { return s };
    let sender = &last.participants.sender;
    let minors = last.conversations.iter().filter(|x| x.minor).count();
    let _ = write!(
        s,
        "<section class=\"sender\" id=\"{}\" data-case=\"{}\"><h2>Sender {} {}</h2>\
         <dl class=\"facts\"><dt>Case</dt><dd><code>{}</code></dd><dt>Sender</dt><dd><b>{}</b> ({})</dd>\
         <dt>Conversations</dt><dd>{} ({} with a minor)</dd><dt>Sender points</dt><dd>{}</dd>\
         <dt>Sender escalations</dt><dd>{}</dd></dl>",
        sender_anchor(&c.id),
        esc_attr(&c.id),
        esc(&sender.id),
        level_badge(Some(last.level)),
        esc(&c.id),
        esc(&sender.id),
        esc(&sender.age_band.to_string()),
        last.conversations.len(),
        minors,
        fmt_num(last.risk),
        c.escalations.len()
    );
    s.push_str("<h3>Why</h3><ul class=\"reasons\">");
    for r in &last.reasons {
        let _ = write!(s, "<li>{}</li>", esc(r));
    }
    s.push_str("</ul>");
    if let Some(a) = &last.recommended_action {
        let _ = write!(
            s,
            "<p class=\"action\"><b>Recommended for the sender at {}:</b> {}</p>",
            last.level.as_str(),
            esc(a)
        );
    }
    // A conversation's own section, when the report has one.
    let link = |conv: &str, text: &str| {
        if sections.iter().any(|x| x.id == conv) {
            format!("<a href=\"#{}\">{}</a>", anchor(conv), esc(text))
        } else {
            esc(text)
        }
    };
    let message_link = |conv: &str, msg: &str| {
        if sections.iter().any(|x| x.id == conv) {
            format!(
                "<a href=\"#{}\">{}</a>",
                anchor(&format!("{conv}/{msg}")),
                esc(msg)
            )
        } else {
            esc(msg)
        }
    };
    s.push_str(
        "<h3>Sender escalations</h3><table class=\"grid\"><thead><tr><th>#</th><th>Conversation</th>\
         <th>Message</th><th>Time</th><th>Level</th><th>Points</th><th>Conversations</th></tr></thead><tbody>",
    );
    for (m, e) in &c.escalations {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
            e.sequence,
            link(&m.conversation_id, &m.conversation_id),
            message_link(&m.conversation_id, &m.message_id),
            esc(&e.raised_at.to_rfc3339()),
            level_badge(e.previous_level),
            level_badge(Some(e.level)),
            fmt_num(e.risk),
            e.conversations.len()
        );
    }
    s.push_str("</tbody></table>");
    s.push_str(
        "<h3>Conversations</h3><table class=\"grid convs\"><thead><tr><th>Conversation</th><th>Recipient</th>\
         <th>Level</th><th>Points</th><th>First message</th><th>Last message</th><th>Risky messages</th>\
         <th>Categories</th></tr></thead><tbody>",
    );
    for x in &last.conversations {
        let _ = write!(
            s,
            "<tr data-conversation=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} · {}</td>\
             <td>{} · {}</td><td>{}</td><td>{}</td></tr>",
            esc_attr(&x.conversation_id),
            link(&x.conversation_id, &x.conversation_id),
            x.recipient.as_deref().map_or_else(
                || "—".to_string(),
                |r| format!("{}{}", esc(r), if x.minor { " (minor)" } else { "" })
            ),
            level_badge(x.level),
            fmt_num(x.points),
            message_link(&x.conversation_id, &x.first_message_id),
            esc(&x.first_seen.to_rfc3339()),
            message_link(&x.conversation_id, &x.last_message_id),
            esc(&x.last_seen.to_rfc3339()),
            x.messages,
            esc(&x.categories.join(", "))
        );
    }
    s.push_str("</tbody></table><h3>Risk over time, per conversation</h3>");
    for x in &last.conversations {
        let Some(case) = cases.iter().find(|k| k.id == x.conversation_id) else {
            continue;
        };
        let _ = write!(
            s,
            "<div class=\"sender-conv\" data-conversation=\"{}\"><h4>{} {} · {} points</h4>",
            esc_attr(&x.conversation_id),
            link(&x.conversation_id, &format!("Conversation {}", x.conversation_id)),
            level_badge(x.level),
            fmt_num(x.points)
        );
        s.push_str(&chart(case, t));
        s.push_str("</div>");
    }
    s.push_str("</section>");
    s
}

fn case_html(
    engine: &Engine,
    case: &Case<'_>,
    t: &Thresholds,
    extractor: &Extractor,
    sender_cases: &[&str],
) -> String {
    let metadata = engine.policy().metadata();
    let mut s = String::new();
    let escalations: Vec<(&Message, &Escalation)> = case
        .steps
        .iter()
        .filter_map(|(m, o)| o.escalation.as_ref().map(|e| (*m, e)))
        .collect();
    let top = escalations
        .iter()
        .rev()
        .max_by_key(|(_, e)| e.level)
        .map(|(_, e)| *e);
    let _ = write!(
        s,
        "<section class=\"case\" id=\"{}\"><h2>Conversation {} {}</h2>",
        anchor(&case.id),
        esc(&case.id),
        level_badge(case.max_level)
    );
    let first = case.steps.first().map(|(m, _)| m);
    let last = case.steps.last().map(|(m, _)| m);
    let max_risk = case.steps.iter().map(|(_, o)| o.risk).fold(0.0, f64::max);
    // The conversation's language as estimated at its last message.
    let language = case
        .steps
        .last()
        .and_then(|(_, o)| o.language.as_ref())
        .filter(|l| !l.conversation.is_empty())
        .map(|l| {
            l.conversation
                .iter()
                .map(|s| format!("{} {:.0}%", s.language.code(), f64::from(s.share) * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|| "not estimated".into());
    let _ = write!(
        s,
        "<dl class=\"facts\"><dt>Participants</dt><dd>{}</dd><dt>Channel</dt><dd>{} · {}</dd>\
         <dt>Messages</dt><dd>{} from {} to {}</dd><dt>Language</dt><dd>{}</dd><dt>Highest risk</dt><dd>{}</dd>\
         <dt>Escalations</dt><dd>{}</dd>{}</dl>",
        participants(case, engine.policy().metadata().adult_age),
        esc(&first.map_or(String::new(), |m| said(&m.channel, |w| metadata.channel(w).kind.as_str()))),
        esc(&first.map_or(String::new(), |m| said(&m.relationship, |w| metadata.relationship(w).kind.as_str()))),
        case.steps.len(),
        esc(&first.map_or(String::new(), |m| m.timestamp.to_rfc3339())),
        esc(&last.map_or(String::new(), |m| m.timestamp.to_rfc3339())),
        esc(&language),
        fmt_num(max_risk),
        escalations.len(),
        case_refs(&escalations, sender_cases)
    );
    if let Some(e) = top {
        s.push_str("<h3>Why</h3><ul class=\"reasons\">");
        for r in &e.reasons {
            let _ = write!(s, "<li>{}</li>", esc(r));
        }
        s.push_str("</ul>");
        if let Some(a) = &e.recommended_action {
            let _ = write!(
                s,
                "<p class=\"action\"><b>Recommended at {}:</b> {}</p>",
                e.level.as_str(),
                esc(a)
            );
        }
        if !e.report_hints.incident_types.is_empty() || !e.report_hints.annotations.is_empty() {
            let _ = write!(
                s,
                "<p class=\"hints\"><b>Report hints</b> (for a human to confirm): {} {}</p>",
                esc(&e.report_hints.incident_types.join("; ")),
                e.report_hints
                    .annotations
                    .iter()
                    .map(|a| format!("<code>{}</code>", esc(a)))
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
    }
    s.push_str("<h3>Risk over time</h3>");
    s.push_str(&chart(case, t));
    if let Some(e) = top {
        if !e.timeline.is_empty() {
            s.push_str(
                "<h3>Grooming stages</h3><table class=\"grid\"><thead><tr><th>Stage</th><th>First message</th>\
                 <th>First seen</th><th>Last seen</th></tr></thead><tbody>",
            );
            for st in &e.timeline {
                let _ = write!(
                    s,
                    "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                    esc(&st.stage),
                    anchor(&format!("{}/{}", case.id, st.first_message_id)),
                    esc(&st.first_message_id),
                    esc(&st.first_seen.to_rfc3339()),
                    esc(&st.last_seen.to_rfc3339())
                );
            }
            s.push_str("</tbody></table>");
        }
    }
    let indicators = case_indicators(case, &escalations);
    if !indicators.is_empty() {
        s.push_str(&indicators_table(case, &indicators, &escalations));
    }
    let marks = indicator_spans(case, &indicators, extractor);
    if !escalations.is_empty() {
        s.push_str(
            "<h3>Escalations</h3><table class=\"grid\"><thead><tr><th>#</th><th>Message</th><th>Time</th>\
             <th>Level</th><th>Risk</th><th>Categories</th></tr></thead><tbody>",
        );
        for (m, e) in &escalations {
            let cats: Vec<String> = e
                .categories
                .iter()
                .map(|c| format!("{} ({})", c.id, fmt_num(c.score)))
                .collect();
            let _ = write!(
                s,
                "<tr><td>{}</td><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
                e.sequence,
                anchor(&format!("{}/{}", case.id, m.message_id)),
                esc(&m.message_id),
                esc(&e.raised_at.to_rfc3339()),
                level_badge(e.previous_level),
                level_badge(Some(e.level)),
                fmt_num(e.risk),
                esc(&cats.join(", "))
            );
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("<h3>Messages</h3><ol class=\"messages\">");
    for (n, (m, o)) in case.steps.iter().enumerate() {
        let hit = !o.assessment.hits.is_empty();
        let risky = o.assessment.score > 0.0 || o.assessment.forced_level.is_some();
        let to = o
            .recipient
            .as_deref()
            .map(|r| format!(" → {}", esc(r)))
            .unwrap_or_default();
        let _ = write!(
            s,
            "<li class=\"msg{}\" id=\"{}\"><div class=\"meta\"><b>{}</b> · {} · {}{} · score {} · risk {} {}</div>\
             <div class=\"text\" tabindex=\"0\" title=\"Click to show or hide the text\">{}</div>",
            if risky {
                " risky"
            } else if hit {
                " info"
            } else {
                ""
            },
            anchor(&format!("{}/{}", case.id, m.message_id)),
            esc(&m.message_id),
            esc(&m.timestamp.to_rfc3339()),
            esc(&m.sender.id),
            to,
            fmt_num(o.assessment.score),
            fmt_num(o.risk),
            level_badge(o.level),
            marked_text(&m.text, o, marks.get(n).map_or(&[][..], Vec::as_slice))
        );
        if hit {
            s.push_str("<ul class=\"hits\">");
            for h in &o.assessment.hits {
                let forced = engine
                    .policy()
                    .view()
                    .rule(&h.rule)
                    .and_then(|r| r.level())
                    .map(|l| format!(" · forces {l}"))
                    .unwrap_or_default();
                let _ = write!(
                    s,
                    "<li><span class=\"chip cat-{}\">{}</span> {} <span class=\"w\">+{}{}</span></li>",
                    esc(&h.category),
                    esc(&h.category),
                    esc(&h.rule),
                    fmt_num(h.weight),
                    forced
                );
            }
            if !o.assessment.modifiers.is_empty() {
                let mods: Vec<String> = o
                    .assessment
                    .modifiers
                    .iter()
                    .map(|m| format!("{} ×{}", m.id, fmt_num(m.factor)))
                    .collect();
                let _ = write!(s, "<li class=\"mods\">modifiers: {}</li>", esc(&mods.join(", ")));
            }
            s.push_str("</ul>");
        }
        if let Some(e) = &o.escalation {
            let _ = write!(
                s,
                "<div class=\"esc {}\">▲ Escalated to <b>{}</b> (risk {}): {}</div>",
                e.level.as_str(),
                e.level.as_str(),
                fmt_num(e.risk),
                esc(&e.reasons.join(" · "))
            );
        }
        s.push_str("</li>");
    }
    s.push_str("</ol></section>");
    s
}

const CSS: &str = r#"
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--panel:#f6f8fa;--watch:#1f6feb;--review:#bf8700;--urgent:#d1242f}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:24px 32px;max-width:1040px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;padding-top:16px;border-top:2px solid var(--line)}
h3{font-size:15px;margin:20px 0 6px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.sub{color:var(--muted);margin:0 0 12px}
.controls{display:flex;gap:16px;align-items:center;flex-wrap:wrap;background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.controls label{font-weight:600;cursor:pointer}
.note{color:var(--muted);font-size:13px}
nav ul{list-style:none;padding:0;display:flex;gap:8px;flex-wrap:wrap}
nav a{display:inline-block;padding:4px 10px;border:1px solid var(--line);border-radius:16px;text-decoration:none;color:var(--fg)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:700;text-transform:uppercase;color:#fff;background:#8c959f;vertical-align:middle}
.badge.watch{background:var(--watch)}.badge.review{background:var(--review)}.badge.urgent{background:var(--urgent)}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
h4{font-size:14px;margin:16px 0 4px}
section.sender h2{border-top-color:var(--urgent)}
.case-ref code{background:var(--panel);padding:0 4px;border-radius:4px}
.reasons li{margin:2px 0}.action{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:8px 12px}
.hints code{background:var(--panel);padding:0 4px;border-radius:4px}
table.grid{border-collapse:collapse;font-size:14px}table.grid th,table.grid td{border:1px solid var(--line);padding:4px 8px;text-align:left}
table.grid th{background:var(--panel)}table.grid td{white-space:nowrap}table.grid td:last-child{white-space:normal}
svg.chart{max-width:100%;height:auto;display:block}
svg .plot{fill:#fbfcfd;stroke:var(--line)}svg .tick{font-size:11px;fill:var(--muted)}
svg .th{stroke-dasharray:5 4;stroke-width:1.2}svg .th.watch{stroke:var(--watch)}svg .th.review{stroke:var(--review)}svg .th.urgent{stroke:var(--urgent)}
svg .thl{font-size:11px;font-weight:600}svg .thl.watch{fill:var(--watch)}svg .thl.review{fill:var(--review)}svg .thl.urgent{fill:var(--urgent)}
svg .dot{stroke:#fff;stroke-width:1.5}svg .dot.watch{fill:var(--watch)}svg .dot.review{fill:var(--review)}svg .dot.urgent{fill:var(--urgent)}
.legend{font-size:13px;color:var(--muted);display:flex;gap:14px;flex-wrap:wrap;margin:4px 0 0}
.legend i{display:inline-block;width:14px;height:4px;margin-right:6px;vertical-align:middle;border-radius:2px}
.legend i.dotkey{width:10px;height:10px;border-radius:50%;background:var(--urgent)}
ol.messages{list-style:none;padding:0;margin:0}
.msg{border:1px solid var(--line);border-radius:8px;padding:8px 12px;margin:8px 0;background:var(--bg)}
.msg.risky{border-left:5px solid var(--urgent)}.msg.info{border-left:5px solid #8c959f}
.meta{font-size:13px;color:var(--muted)}.meta .badge{font-size:10px}
.text{white-space:pre-wrap;word-break:break-word;margin:4px 0;padding:4px 6px;border-radius:4px;transition:filter .15s}
mark.ev{background:#ffd8b5;outline:2px solid #e16f24;border-radius:3px;padding:0 1px;color:inherit}
mark.ind{background:#cfe8ff;outline:2px solid #1f6feb;border-radius:3px;padding:0 1px;color:inherit}
mark.ev mark.ind{background:#b9dcff}
table.indicators code.iv{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--panel);padding:1px 4px;border-radius:4px;user-select:all;word-break:break-all;white-space:normal}
table.indicators td:nth-child(2){white-space:normal}
.ck{font-weight:700;color:var(--muted)}.ck.ok{color:#1a7f37}.ck.bad{color:var(--urgent)}
button.copy{font:12px system-ui,sans-serif;padding:1px 8px;border:1px solid var(--line);border-radius:6px;background:var(--bg);cursor:pointer}
button.copy:hover{background:var(--panel)}button.copy.copied{border-color:#1a7f37;color:#1a7f37}
.inv{font-size:10px;background:#eee;color:#666;border:1px dashed #999;border-radius:3px;padding:0 2px;margin:0 1px}
body.blurred .text:not(.revealed){filter:blur(7px);cursor:pointer;user-select:none}
.hits{list-style:none;padding:0;margin:2px 0;font-size:13px}
.chip{display:inline-block;font-size:12px;padding:0 6px;border-radius:8px;background:var(--panel);border:1px solid var(--line)}
.w{color:var(--muted)}.mods{color:var(--muted)}
.esc{margin-top:6px;padding:6px 10px;border-radius:6px;font-size:14px;color:#fff;background:#8c959f}
.esc.watch{background:var(--watch)}.esc.review{background:var(--review)}.esc.urgent{background:var(--urgent)}
footer{margin-top:40px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:8px}
@media print{body.blurred .text:not(.revealed){filter:none}.controls{display:none}button.copy{display:none}}
"#;

const SCRIPT: &str = r#"
(function(){
  var body=document.body, sw=document.getElementById('show-text');
  function set(on){ if(on){body.classList.remove('blurred');}else{body.classList.add('blurred');} sw.checked=on; }
  if(location.hash==='#reveal'){ set(true); } else { set(!body.classList.contains('blurred')); }
  sw.addEventListener('change',function(){ set(sw.checked); });
  function toggle(el){ el.classList.toggle('revealed'); }
  Array.prototype.forEach.call(document.querySelectorAll('.text'),function(el){
    el.addEventListener('click',function(){ toggle(el); });
    el.addEventListener('keydown',function(e){ if(e.key==='Enter'||e.key===' '){ e.preventDefault(); toggle(el); } });
  });
  // Copy buttons: the clipboard API where the page may use it, else a selected hidden text area
  // and the copy command (a file opened from disk); nothing leaves the page.
  function copied(btn,ok){
    btn.textContent=ok?'Copied':'Press Ctrl+C';
    btn.classList.toggle('copied',ok);
    setTimeout(function(){ btn.textContent=btn.getAttribute('data-label'); btn.classList.remove('copied'); },1500);
  }
  function fallback(text,btn){
    var ta=document.createElement('textarea');
    ta.value=text; ta.setAttribute('readonly',''); ta.style.position='fixed'; ta.style.top='0'; ta.style.opacity='0';
    body.appendChild(ta); ta.select();
    var ok=false; try{ ok=document.execCommand('copy'); }catch(e){}
    body.removeChild(ta); copied(btn,ok);
  }
  var buttons=document.querySelectorAll('button.copy');
  Array.prototype.forEach.call(buttons,function(btn){
    btn.addEventListener('click',function(){
      var text=btn.getAttribute('data-copy');
      if(navigator.clipboard&&window.isSecureContext){
        navigator.clipboard.writeText(text).then(function(){ copied(btn,true); },function(){ fallback(text,btn); });
      }else{ fallback(text,btn); }
    });
  });
  body.setAttribute('data-copy-buttons',String(buttons.length));
  body.setAttribute('data-ready','1');
})();
"#;

/// What a case file shows: conversation sections (the first `sections` of `cases`; the others
/// are replayed only for the sender cases' charts) and sender cases.
struct Report<'r, 'a> {
    cases: &'r [Case<'a>],
    sections: usize,
    senders: &'r [SenderCase<'a>],
}

fn render(engine: &Engine, r: Report<'_, '_>, title: &str, source: &str, blur: bool) -> String {
    let p = engine.policy();
    let t = Thresholds::of(engine);
    let sections = &r.cases[..r.sections.min(r.cases.len())];
    let mut s = String::new();
    let _ = write!(
        s,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"generator\" content=\"vigil {}\"><title>{}</title><style>{CSS}</style></head>\n\
         <body class=\"{}\">",
        env!("CARGO_PKG_VERSION"),
        esc(title),
        if blur { "blurred" } else { "" }
    );
    let sender_note = match r.senders.len() {
        0 => String::new(),
        1 => " and 1 sender case".to_string(),
        n => format!(" and {n} sender cases"),
    };
    let _ = write!(
        s,
        "<header><h1>{}</h1><p class=\"sub\">{} conversation{}{sender_note} from <b>{}</b> · policy <b>{}</b> {} \
         <code>{}</code></p>",
        esc(title),
        sections.len(),
        if sections.len() == 1 { "" } else { "s" },
        esc(source),
        esc(p.id()),
        esc(p.version()),
        esc(p.hash())
    );
    let _ = write!(
        s,
        "<div class=\"controls\"><label><input type=\"checkbox\" id=\"show-text\"{}> Show message text</label>\
         <span class=\"note\">Message text is blurred for your wellbeing: click a message to reveal it, or \
         turn on the switch. Orange highlights show the evidence the policy matched; blue ones, contact and payment indicators.</span></div></header>",
        if blur { "" } else { " checked" }
    );
    if sections.len() + r.senders.len() > 1 {
        s.push_str("<nav><ul>");
        for c in r.senders {
            let _ = write!(
                s,
                "<li><a href=\"#{}\">sender {} {}</a></li>",
                sender_anchor(&c.id),
                esc(c
                    .last()
                    .map_or(c.id.as_str(), |e| e.participants.sender.id.as_str())),
                level_badge(c.max_level())
            );
        }
        for c in sections {
            let _ = write!(
                s,
                "<li><a href=\"#{}\">{} {}</a></li>",
                anchor(&c.id),
                esc(&c.id),
                level_badge(c.max_level)
            );
        }
        s.push_str("</ul></nav>");
    }
    if sections.is_empty() && r.senders.is_empty() {
        s.push_str("<p>No conversation reached the selected level.</p>");
    }
    let in_report: Vec<&str> = r.senders.iter().map(|c| c.id.as_str()).collect();
    for c in r.senders {
        s.push_str(&sender_html(c, r.cases, sections, &t));
    }
    let extractor = Extractor::new();
    for c in sections {
        s.push_str(&case_html(engine, c, &t, &extractor, &in_report));
    }
    let _ = write!(
        s,
        "<footer>Vigil flags potential risk for a human to review; it decides nothing. Scores come from \
         the policy's rules, weights and thresholds (watch {}, review {}, urgent {}). Generated by vigil {}.\
         </footer><script>{SCRIPT}</script></body></html>",
        fmt_num(t.watch),
        fmt_num(t.review),
        fmt_num(t.urgent),
        env!("CARGO_PKG_VERSION")
    );
    s.push('\n');
    s
}
