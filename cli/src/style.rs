//! Terminal styles. Output goes through `anstream`, which drops the escape codes when the stream
//! is not a terminal, when `NO_COLOR` is set or with `--color never`.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Effects, Style};
use vigil::Level;

pub const BOLD: Style = Style::new().effects(Effects::BOLD);
pub const DIM: Style = Style::new().effects(Effects::DIMMED);
pub const GOOD: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Green)));
pub const WARN: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)))
    .effects(Effects::BOLD);
pub const BAD: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Red)))
    .effects(Effects::BOLD);
pub const HEAD: Style = Style::new()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)))
    .effects(Effects::BOLD);

/// Highlight colours for evidence spans, one per hit (cycled).
const MARKS: [AnsiColor; 5] = [
    AnsiColor::Red,
    AnsiColor::Magenta,
    AnsiColor::Yellow,
    AnsiColor::Blue,
    AnsiColor::Green,
];

/// The highlight style of the `i`-th hit.
pub fn mark(i: usize) -> Style {
    Style::new()
        .bg_color(Some(anstyle::Color::Ansi(MARKS[i % MARKS.len()])))
        .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Black)))
        .effects(Effects::BOLD)
}

/// The style of a level.
pub fn level(l: Option<Level>) -> Style {
    match l {
        None => DIM,
        Some(Level::Watch) => Style::new()
            .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Blue)))
            .effects(Effects::BOLD),
        Some(Level::Review) => WARN,
        Some(Level::Urgent) => BAD,
    }
}

/// A level's name (`-` for none).
pub fn level_name(l: Option<Level>) -> &'static str {
    l.map_or("-", Level::as_str)
}

/// Text in a style.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// Characters that do not show in a terminal (controls, zero-width and bidi characters), as a
/// visible `⟨U+XXXX⟩`.
fn invisible(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xE0000..=0xE007F)
}

/// A text with invisible characters shown as `⟨U+XXXX⟩` (dimmed).
pub fn visible(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if invisible(c) {
            s.push_str(&paint(DIM, format!("⟨U+{:04X}⟩", c as u32)));
        } else if c == '\n' {
            s.push_str(&paint(DIM, "⏎"));
        } else {
            s.push(c);
        }
    }
    s
}

/// A text with byte spans highlighted (the first span covering a byte wins); invisible
/// characters made visible.
pub fn highlight(text: &str, spans: &[(usize, usize, Style)]) -> String {
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for (s, e, _) in spans {
        cuts.push((*s).min(text.len()));
        cuts.push((*e).min(text.len()));
    }
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let Some(seg) = text.get(a..b) else { continue };
        match spans.iter().find(|(s, e, _)| *s <= a && b <= *e) {
            Some((_, _, st)) => out.push_str(&paint(*st, visible(seg))),
            None => out.push_str(&visible(seg)),
        }
    }
    out
}

/// Pads a string that may contain escape codes to a display width.
pub fn pad(s: &str, width: usize) -> String {
    let len = strip_len(s);
    if len >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - len))
    }
}

/// Pads on the left (for numbers).
pub fn rpad(s: &str, width: usize) -> String {
    let len = strip_len(s);
    if len >= width {
        s.to_string()
    } else {
        format!("{}{s}", " ".repeat(width - len))
    }
}

/// Characters of a string, escape codes not counted.
pub fn strip_len(s: &str) -> usize {
    let mut n = 0;
    let mut esc = false;
    for c in s.chars() {
        if esc {
            if c.is_ascii_alphabetic() {
                esc = false;
            }
        } else if c == '\u{1b}' {
            esc = true;
        } else {
            n += 1;
        }
    }
    n
}

/// A simple table: a header row and rows, columns padded; numbers (right-aligned columns) by
/// index.
pub fn table(header: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let cols = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(cols) {
            widths[i] = widths[i].max(strip_len(c));
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if right.contains(&i) {
                    rpad(c, widths[i])
                } else {
                    pad(c, widths[i])
                }
            })
            .collect();
        format!("  {}", parts.join("  ")).trim_end().to_string()
    };
    out.push_str(&paint(BOLD, line(header.iter().map(|h| h.to_string()).collect())));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r.clone()));
        out.push('\n');
    }
    out
}

/// A share as a percentage (`-` when undefined).
pub fn pct(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{:.1}%", v * 100.0))
}

/// Whether standard error is a terminal (for progress bars).
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}
