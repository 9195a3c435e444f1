//! Finding the policy's terms in the terms view, word by word.
//!
//! A term counts only where it starts and ends on word boundaries (a space or the ends of the
//! view), so most terms need no byte automaton: [`TermIndex`] looks each run of whole words of
//! the view up in a hash map of the terms and of their word prefixes (`tell`, `tell your` for
//! `tell your parents`), extending a run only while it is a prefix of some term. A message of
//! eight words costs about eight lookups instead of a byte-by-byte walk of an automaton of
//! 18,745 terms whose matches inside words are then thrown away.
//!
//! The few terms that may start or end inside a word — a `*` wildcard at that end, or a first or
//! last character of a script written without spaces (Thai, CJK, …) — stay in a small
//! Aho-Corasick automaton, and their matches go through the same checks as before.
//!
//! [`TermIndex::find`] reports the matches in the order a single automaton over every term
//! reported them (by end, then longest first), so everything downstream (the first hit per
//! rule, `near` windows, vetoes) sees exactly what it saw before.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, BuildError, MatchKind};
use rustc_hash::FxBuildHasher;

/// No term ends here (the entry is a word prefix of longer terms only).
const NONE: u32 = u32::MAX;

/// One key of the word map: the term it completes (if any) and whether longer terms start
/// with it and a space.
#[derive(Debug, Clone, Copy)]
struct Entry {
    term: u32,
    prefix: bool,
}

/// The terms of a policy (normalized, terms view), indexed for matching.
#[derive(Debug)]
pub(crate) struct TermIndex {
    /// Terms matched on word boundaries only, and their word prefixes.
    words: HashMap<Box<str>, Entry, FxBuildHasher>,
    /// The terms that can match inside a word, in an automaton of their own.
    inner: Option<AhoCorasick>,
    /// For each pattern of `inner`, its term.
    inner_terms: Vec<u32>,
}

impl TermIndex {
    /// Indexes `terms` (distinct, non-empty); `in_word(i)` says whether term `i` may start or end
    /// inside a word.
    pub(crate) fn build(terms: &[String], in_word: impl Fn(usize) -> bool) -> Result<TermIndex, BuildError> {
        let mut words: HashMap<Box<str>, Entry, FxBuildHasher> = HashMap::default();
        let mut inner_strings: Vec<&str> = Vec::new();
        let mut inner_terms = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let id = u32::try_from(i).unwrap_or(NONE);
            // A term with a space at either end, or an id that does not fit, cannot be looked up
            // by words: the automaton finds it as it always did.
            if in_word(i) || term.starts_with(' ') || term.ends_with(' ') || id == NONE {
                inner_strings.push(term);
                inner_terms.push(id);
                continue;
            }
            words
                .entry(term.as_str().into())
                .and_modify(|e| e.term = id)
                .or_insert(Entry {
                    term: id,
                    prefix: false,
                });
            for (at, _) in term.match_indices(' ') {
                words
                    .entry(term[..at].into())
                    .and_modify(|e| e.prefix = true)
                    .or_insert(Entry {
                        term: NONE,
                        prefix: true,
                    });
            }
        }
        let inner = if inner_strings.is_empty() {
            None
        } else {
            // Few terms (the shipped packs: 32 wildcards): a DFA is small and the fastest scan.
            let kind = (inner_strings.len() <= 1000).then_some(AhoCorasickKind::DFA);
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .kind(kind)
                    .build(&inner_strings)?,
            )
        };
        Ok(TermIndex {
            words,
            inner,
            inner_terms,
        })
    }

    /// Every match of a term in `norm` (the terms view) as `(end, start, term)`, into `out`
    /// (cleared first): those of word-bounded terms on word boundaries only, those of the terms
    /// that can match inside words wherever they occur. Sorted by end, then start: the order an
    /// overlapping Aho-Corasick search over every term reports them in.
    pub(crate) fn find(&self, norm: &str, out: &mut Vec<(usize, usize, u32)>) {
        out.clear();
        let bytes = norm.as_bytes();
        let len = bytes.len();
        let mut s = 0;
        while s < len {
            // `s` starts a word (the view's start, or just after a space).
            if bytes[s] != b' ' {
                let mut e = next_space(bytes, s);
                while let Some(entry) = self.words.get(&norm[s..e]) {
                    if entry.term != NONE {
                        out.push((e, s, entry.term));
                    }
                    if !entry.prefix || e >= len {
                        break;
                    }
                    e = next_space(bytes, e + 1);
                }
            }
            s = next_space(bytes, s) + 1;
        }
        if let Some(ac) = &self.inner {
            for m in ac.find_overlapping_iter(norm) {
                if let Some(&term) = self.inner_terms.get(m.pattern().as_usize()) {
                    out.push((m.end(), m.start(), term));
                }
            }
        }
        // One term per (start, end), so the order is total.
        if out.len() > 1 {
            out.sort_unstable_by_key(|&(e, s, _)| (e, s));
        }
    }
}

/// The index of the first space at or after `from`, or the length of `bytes`.
fn next_space(bytes: &[u8], from: usize) -> usize {
    bytes
        .get(from..)
        .and_then(|rest| rest.iter().position(|&b| b == b' '))
        .map_or(bytes.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The matches a single automaton over every term reports, filtered to word boundaries for
    /// the terms `in_word` does not name: what `TermIndex::find` must equal.
    fn automaton(terms: &[String], in_word: &dyn Fn(usize) -> bool, norm: &str) -> Vec<(usize, usize, u32)> {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(terms)
            .unwrap();
        let b = norm.as_bytes();
        ac.find_overlapping_iter(norm)
            .filter(|m| {
                let i = m.pattern().as_usize();
                in_word(i)
                    || ((m.start() == 0 || b[m.start() - 1] == b' ')
                        && (m.end() == b.len() || b[m.end()] == b' '))
            })
            .map(|m| (m.end(), m.start(), m.pattern().as_u32()))
            .collect()
    }

    #[test]
    fn finds_what_one_automaton_over_every_term_found() {
        let terms: Vec<String> = [
            "tell your parents",
            "tell",
            "your parents",
            "parents",
            "you",
            "send",
            "send a pic",
            "a pic",
            "pic",
            "ab",
            "ba",
            "a",
            "add me on",
            "me",
            "on snap",
            "snap",
            "x y z",
            "y",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // "ab" and "ba" as wildcards (`*ab*`, `ba*`): they match inside words.
        let in_word = |i: usize| i == 9 || i == 10;
        let index = TermIndex::build(&terms, in_word).unwrap();
        let texts = [
            "",
            "dont tell your parents ok",
            "tell your parents",
            "tell your",
            "tell you parents",
            "you send a pic",
            "send a picture pic",
            "abab baba a b a",
            "add me on snap",
            "x y x y z y",
            "  double  spaces  a  ",
            "your parentsparents",
            "a",
            " a",
            "a ",
        ];
        let mut out = Vec::new();
        for text in texts {
            index.find(text, &mut out);
            assert_eq!(out, automaton(&terms, &in_word, text), "{text:?}");
        }
    }

    #[test]
    fn a_term_that_is_also_a_prefix_is_found_both_ways() {
        let terms: Vec<String> = ["send", "send pics", "send pics now"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let index = TermIndex::build(&terms, |_| false).unwrap();
        let mut out = Vec::new();
        index.find("pls send pics now", &mut out);
        assert_eq!(out, vec![(8, 4, 0), (13, 4, 1), (17, 4, 2)]);
        index.find("pls send pic", &mut out);
        assert_eq!(out, vec![(8, 4, 0)]);
    }
}
