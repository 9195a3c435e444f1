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

use std::hash::BuildHasher;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, BuildError, MatchKind};
use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// No term ends here (the entry is a word prefix of longer terms only).
const NONE: u32 = u32::MAX;

/// One key of the word map (a term or a word prefix of one, as a range of `TermIndex::keys`):
/// the term it completes (if any) and whether longer terms start with it and a space.
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    len: u32,
    term: u32,
    prefix: bool,
}

/// The word map: every key's text in one string, so building it allocates little (it is most of
/// an engine's start-up from a bundle).
#[derive(Debug, Default)]
struct Words {
    keys: String,
    table: HashTable<Entry>,
}

impl Words {
    fn key(&self, e: &Entry) -> &str {
        self.keys
            .get(e.start as usize..(e.start + e.len) as usize)
            .unwrap_or("")
    }

    fn get(&self, key: &str) -> Option<&Entry> {
        let hash = FxBuildHasher.hash_one(key);
        self.table.find(hash, |e| self.key(e) == key)
    }

    /// Adds `key` (if new) and updates its entry. Keys past 4 GiB in all are not added.
    fn upsert(&mut self, key: &str, update: impl Fn(&mut Entry)) {
        let hash = FxBuildHasher.hash_one(key);
        let keys = &self.keys;
        let found = self.table.find_mut(hash, |e| {
            keys.get(e.start as usize..(e.start + e.len) as usize) == Some(key)
        });
        if let Some(e) = found {
            update(e);
            return;
        }
        let (Ok(start), Ok(len)) = (u32::try_from(self.keys.len()), u32::try_from(key.len())) else {
            return;
        };
        if start.checked_add(len).is_none() {
            return;
        }
        self.keys.push_str(key);
        let mut e = Entry {
            start,
            len,
            term: NONE,
            prefix: false,
        };
        update(&mut e);
        let keys = &self.keys;
        self.table.insert_unique(hash, e, |e| {
            FxBuildHasher.hash_one(
                keys.get(e.start as usize..(e.start + e.len) as usize)
                    .unwrap_or(""),
            )
        });
    }
}

/// Where a term's matches may start and end: on word boundaries or also inside words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    /// A match may start inside a word (`*` at the start, or a first character of a script
    /// written without spaces).
    pub(crate) start_inside: bool,
    /// A match may end inside a word.
    pub(crate) end_inside: bool,
}

/// The terms of a policy (normalized, terms view), indexed for matching.
#[derive(Debug)]
pub(crate) struct TermIndex {
    /// Terms matched on word boundaries only, and their word prefixes.
    words: Words,
    /// Terms that start on a word boundary and may end inside a word (`stem*`), by first byte.
    starts: Vec<Vec<u32>>,
    /// Terms that end on a word boundary and may start inside a word (`*suffix`), by last byte.
    ends: Vec<Vec<u32>>,
    /// The terms that can match anywhere, in an automaton of their own.
    anywhere: Option<AhoCorasick>,
    /// For each pattern of `anywhere`, its term and bounds.
    anywhere_terms: Vec<(u32, Bounds)>,
    /// The terms, for the checks of `starts` and `ends`.
    terms: Vec<Box<str>>,
}

impl TermIndex {
    /// Indexes `terms` (distinct, non-empty); `bounds(i)` says where term `i` may match.
    pub(crate) fn build(terms: &[String], bounds: impl Fn(usize) -> Bounds) -> Result<TermIndex, BuildError> {
        let mut words = Words::default();
        let mut starts = vec![Vec::new(); 256];
        let mut ends = vec![Vec::new(); 256];
        let mut anywhere_strings: Vec<&str> = Vec::new();
        let mut anywhere_terms = Vec::new();
        for (i, term) in terms.iter().enumerate() {
            let id = u32::try_from(i).unwrap_or(NONE);
            let b = bounds(i);
            let (first, last) = match (term.as_bytes().first(), term.as_bytes().last()) {
                (Some(&f), Some(&l)) if f != b' ' && l != b' ' && id != NONE => (f, l),
                // A term with a space at either end (or an id that does not fit) is searched
                // for everywhere, as the one automaton of every term did.
                _ => {
                    anywhere_strings.push(term);
                    anywhere_terms.push((id, b));
                    continue;
                }
            };
            match (b.start_inside, b.end_inside) {
                (false, false) => {
                    words.upsert(term, |e| e.term = id);
                    for (at, _) in term.match_indices(' ') {
                        words.upsert(&term[..at], |e| e.prefix = true);
                    }
                }
                (false, true) => starts[usize::from(first)].push(id),
                (true, false) => ends[usize::from(last)].push(id),
                (true, true) => {
                    anywhere_strings.push(term);
                    anywhere_terms.push((id, b));
                }
            }
        }
        let anywhere = if anywhere_strings.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&anywhere_strings)?,
            )
        };
        Ok(TermIndex {
            words,
            starts,
            ends,
            anywhere,
            anywhere_terms,
            terms: terms.iter().map(|t| t.as_str().into()).collect(),
        })
    }

    /// Every match of a term in `norm` (the terms view) that its bounds allow, as `(end, start,
    /// term)`, into `out` (cleared first): a word-bounded term's on word boundaries, a `stem*`
    /// term's from a word start, a `*suffix` term's up to a word end, the others' wherever they
    /// occur. Sorted by end, then start: the order an overlapping Aho-Corasick search over every
    /// term reports them in.
    pub(crate) fn find(&self, norm: &str, out: &mut Vec<(usize, usize, u32)>) {
        out.clear();
        let bytes = norm.as_bytes();
        let len = bytes.len();
        let mut s = 0;
        while s < len {
            // `s` starts a word (the view's start, or just after a space).
            let word_end = next_space(bytes, s);
            if bytes[s] != b' ' {
                let mut e = word_end;
                while let Some(entry) = self.words.get(&norm[s..e]) {
                    if entry.term != NONE {
                        out.push((e, s, entry.term));
                    }
                    if !entry.prefix || e >= len {
                        break;
                    }
                    e = next_space(bytes, e + 1);
                }
                for &t in self
                    .starts
                    .get(usize::from(bytes[s]))
                    .map_or(&[][..], Vec::as_slice)
                {
                    if let Some(term) = self.terms.get(t as usize) {
                        if bytes[s..].starts_with(term.as_bytes()) {
                            out.push((s + term.len(), s, t));
                        }
                    }
                }
                let last = bytes[word_end - 1];
                for &t in self.ends.get(usize::from(last)).map_or(&[][..], Vec::as_slice) {
                    if let Some(term) = self.terms.get(t as usize) {
                        if bytes[..word_end].ends_with(term.as_bytes()) {
                            out.push((word_end, word_end - term.len(), t));
                        }
                    }
                }
            }
            s = word_end + 1;
        }
        if let Some(ac) = &self.anywhere {
            for m in ac.find_overlapping_iter(norm) {
                let Some(&(term, b)) = self.anywhere_terms.get(m.pattern().as_usize()) else {
                    continue;
                };
                let (s, e) = (m.start(), m.end());
                if (b.start_inside || s == 0 || bytes[s - 1] == b' ')
                    && (b.end_inside || e == len || bytes[e] == b' ')
                {
                    out.push((e, s, term));
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

    /// The matches a single automaton over every term reports, filtered by each term's bounds:
    /// what `TermIndex::find` must equal.
    fn automaton(terms: &[String], bounds: &dyn Fn(usize) -> Bounds, norm: &str) -> Vec<(usize, usize, u32)> {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(terms)
            .unwrap();
        let b = norm.as_bytes();
        ac.find_overlapping_iter(norm)
            .filter(|m| {
                let bd = bounds(m.pattern().as_usize());
                (bd.start_inside || m.start() == 0 || b[m.start() - 1] == b' ')
                    && (bd.end_inside || m.end() == b.len() || b[m.end()] == b' ')
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
            "add m",
            "e on",
            "nap",
            " a",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // `*ab*` anywhere; `ba*` and `add m*` from a word start; `*nap` and `*e on` up to a word
        // end; " a" (a space at its start) anywhere it occurs, on boundaries.
        let bounds = |i: usize| Bounds {
            start_inside: matches!(i, 9 | 19 | 20),
            end_inside: matches!(i, 9 | 10 | 18),
        };
        let index = TermIndex::build(&terms, bounds).unwrap();
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
            "add me onsnap snapsnap",
            "addmeon some one on",
            "x y x y z y",
            "  double  spaces  a  ",
            "your parentsparents",
            "a",
            " a",
            "a ",
            "b a ba",
        ];
        let mut out = Vec::new();
        for text in texts {
            index.find(text, &mut out);
            assert_eq!(out, automaton(&terms, &bounds, text), "{text:?}");
        }
    }

    #[test]
    fn a_term_that_is_also_a_prefix_is_found_both_ways() {
        let terms: Vec<String> = ["send", "send pics", "send pics now"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let bounded = |_| Bounds {
            start_inside: false,
            end_inside: false,
        };
        let index = TermIndex::build(&terms, bounded).unwrap();
        let mut out = Vec::new();
        index.find("pls send pics now", &mut out);
        assert_eq!(out, vec![(8, 4, 0), (13, 4, 1), (17, 4, 2)]);
        index.find("pls send pic", &mut out);
        assert_eq!(out, vec![(8, 4, 0)]);
    }
}
