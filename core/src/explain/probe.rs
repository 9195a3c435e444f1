//! Finding one policy term in a normalized text, the way the matcher does: used to attribute a
//! hit to the term or pattern that produced it, to find `unless` phrases, and by the lints.
//!
//! The matcher keeps all terms in one automaton and does not remember which term matched; this
//! module re-finds a single term with the same rules (skeleton, whole words, `*` wildcards at
//! either end, whole-word highlighting of wildcard matches).

use std::ops::Range;

use crate::normalize::{Mode, Normalizer};

/// A policy term as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TermForm {
    /// The term's skeleton ([`Mode::Terms`]), without the wildcards.
    pub(crate) skeleton: String,
    /// `*` at the start.
    pub(crate) open_start: bool,
    /// `*` at the end.
    pub(crate) open_end: bool,
}

impl TermForm {
    /// The term as the matcher compiles it (same trimming and wildcard rules).
    pub(crate) fn of(normalizer: &Normalizer, term: &str) -> TermForm {
        let t = term.trim();
        let open_start = t.starts_with('*');
        let open_end = t.len() > 1 && t.ends_with('*');
        let core = t.trim_start_matches('*').trim_end_matches('*');
        TermForm {
            skeleton: normalizer.normalize(core, Mode::Terms).as_str().to_string(),
            open_start,
            open_end,
        }
    }

    /// The term's core (without wildcards) as written.
    pub(crate) fn core(term: &str) -> &str {
        term.trim().trim_start_matches('*').trim_end_matches('*')
    }

    /// The skeleton with its wildcards, for messages.
    pub(crate) fn display(&self) -> String {
        format!(
            "{}{}{}",
            if self.open_start { "*" } else { "" },
            self.skeleton,
            if self.open_end { "*" } else { "" }
        )
    }

    /// Every match in a [`Mode::Terms`] text, as byte ranges of that text (a wildcard match
    /// covers the whole word it is in, as the matcher highlights it).
    pub(crate) fn find_in(&self, norm: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let needle = self.skeleton.as_str();
        if needle.is_empty() {
            return out;
        }
        let bytes = norm.as_bytes();
        let mut from = 0;
        while let Some(i) = norm.get(from..).and_then(|rest| rest.find(needle)) {
            let (s, e) = (from + i, from + i + needle.len());
            let first = norm[s..].chars().next().unwrap_or(' ');
            let last = norm[..e].chars().next_back().unwrap_or(' ');
            let left_ok = s == 0 || bytes[s - 1] == b' ' || unspaced(first);
            let right_ok = e == bytes.len() || bytes[e] == b' ' || unspaced(last);
            if (left_ok || self.open_start) && (right_ok || self.open_end) {
                let s2 = if self.open_start {
                    norm[..s].rfind(' ').map_or(0, |i| i + 1)
                } else {
                    s
                };
                let e2 = if self.open_end {
                    norm[e..].find(' ').map_or(norm.len(), |i| e + i)
                } else {
                    e
                };
                out.push(s2..e2);
            }
            from = s + first.len_utf8();
        }
        out
    }

    /// Whether a text that contains this term (anywhere it matches) always contains `other`
    /// too: `other` occurs inside this term's skeleton at word boundaries, and not at an open
    /// (wildcard) end of this term where the text may continue the word.
    pub(crate) fn implies(&self, other: &TermForm) -> bool {
        if other.skeleton.is_empty() {
            return false;
        }
        other.find_raw(&self.skeleton).into_iter().any(|r| {
            let at_start = r.start == 0;
            let at_end = r.end == self.skeleton.len();
            // Where this term is open, the text may extend the word: `other` must be open too.
            (!at_start || !self.open_start || other.open_start)
                && (!at_end || !self.open_end || other.open_end)
        })
    }

    /// Matches without the wildcard extension (ranges of the needle itself).
    fn find_raw(&self, norm: &str) -> Vec<Range<usize>> {
        let needle = self.skeleton.as_str();
        let bytes = norm.as_bytes();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = norm.get(from..).and_then(|rest| rest.find(needle)) {
            let (s, e) = (from + i, from + i + needle.len());
            let first = norm[s..].chars().next().unwrap_or(' ');
            let last = norm[..e].chars().next_back().unwrap_or(' ');
            let left_ok = s == 0 || bytes[s - 1] == b' ' || unspaced(first);
            let right_ok = e == bytes.len() || bytes[e] == b' ' || unspaced(last);
            if (left_ok || self.open_start) && (right_ok || self.open_end) {
                out.push(s..e);
            }
            from = s + first.len_utf8();
        }
        out
    }
}

/// Scripts written without spaces between words: terms in them match inside words. Kept in
/// step with the matcher's own test of the same name.
pub(crate) fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF
        | 0x1000..=0x109F
        | 0x1780..=0x17FF
        | 0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// Truncates a text the way the engine does before matching.
pub(crate) fn truncate(text: &str, max: usize) -> (&str, bool) {
    if text.len() <= max {
        return (text, false);
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    (&text[..end], true)
}
