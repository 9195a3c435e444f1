//! Matching: all literal terms of all rules in one Aho-Corasick automaton, regex patterns in a
//! `RegexSet`, proximity (`near`) and exceptions (`unless`), mapped back to rules and to byte
//! spans of the original text.
//!
//! Regex compilation is the bulk of compiling a policy, so no regex is built by
//! [`Matcher::compile`]: the filtering set (an ASCII-only rewrite of the patterns that is exact on
//! ASCII text, see [`ascii_only`]) is built on the first ASCII text, each pattern's own regex
//! (needed only for the rare messages the set reports) and the relaxed set for non-ASCII text on
//! first need, each once, behind a [`OnceLock`]. Every pattern is still checked at compile time: it must parse, and its compiled
//! size must stay within the policy's `regex_size_limit`. The size check is an upper bound of
//! the compiled automaton computed from the parsed pattern ([`nfa_bound`]); only a pattern whose
//! bound exceeds the limit is compiled there and then to decide, so the same patterns are refused,
//! with the same error, as when every regex was compiled up front.

use std::ops::Range;
use std::sync::OnceLock;

mod words;

use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use regex_syntax::hir::{self, Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look};
use words::TermIndex;

use crate::error::{PolicyError, PolicyErrorKind};
use crate::normalize::{Evasion, Mode, Normalized, Normalizer};
use crate::policy::Policy;

/// What one automaton pattern stands for.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub(crate) struct TermInfo {
    pub(crate) rule: u32,
    pub(crate) role: Role,
    /// `*` at the start: no word boundary needed before.
    pub(crate) open_start: bool,
    /// `*` at the end: no word boundary needed after.
    pub(crate) open_end: bool,
    /// The term in the plain view: index into `Matcher::plains`.
    pub(crate) plain: u32,
    /// Its place in its list of the rule (`any`, `unless`, or its `near` group).
    pub(crate) pos: u32,
}

/// What lets a match of an automaton pattern start or end inside a word: its first (last)
/// character is of a script written without spaces, or one of its terms has a `*` there.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edges {
    first_unspaced: bool,
    last_unspaced: bool,
    any_open_start: bool,
    any_open_end: bool,
}

/// The role of a term in its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Role {
    Any,
    Near { clause: u16, group: u16 },
    Unless,
}

/// How a rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// One of the rule's literal terms.
    Term,
    /// Terms of every `near` group within the distance.
    Near,
    /// A regex pattern.
    Pattern,
    /// A combination of other rules' hits (`combine`), in this message and, with a tracker, the
    /// sender's previous messages of the conversation key.
    Combination,
}

/// A rule's raw text match, before metadata conditions and scoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawHit {
    pub(crate) rule: u32,
    pub(crate) kind: HitKind,
    /// Byte range in the original text.
    pub(crate) span: Range<usize>,
    /// The evasion the original text shows where it matched, if any. A match that needed the
    /// lossy terms view always has a word-level one.
    pub(crate) evasion: Option<Evasion>,
    /// What produced it, for explanations.
    pub(crate) by: By,
}

/// What produced a raw hit: the term(s) or pattern, and where in the normalized view they
/// matched (the terms view for terms and `near`, the patterns view for patterns).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct By {
    /// Indices into `Matcher::infos` (terms, `near` terms), or the pattern's index.
    pub(crate) items: Box<[u32]>,
    /// Byte range in the normalized view.
    pub(crate) norm: Range<usize>,
}

/// An `unless` phrase that vetoed a rule: its term info and where it matched (terms view).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Veto {
    pub(crate) rule: u32,
    pub(crate) info: u32,
    pub(crate) norm: Range<usize>,
}

/// Compiled matchers of a policy.
#[derive(Debug)]
pub(crate) struct Matcher {
    normalizer: Normalizer,
    /// The plain view's normalizer ([`Normalizer::plain`]): a match of the terms view counts
    /// where the original text reads as the term in this view, or shows a word-level evasion.
    plain: Normalizer,
    /// Every term in the plain view (see [`TermInfo::plain`]).
    plains: Vec<Box<str>>,
    /// Every distinct term (terms view), indexed by words; `None` without terms.
    terms: Option<TermIndex>,
    /// For each automaton pattern, the range of its infos in `infos`.
    pattern_infos: Vec<Range<u32>>,
    /// For each automaton pattern, what lets a match of it start or end inside a word.
    pattern_edges: Vec<Edges>,
    infos: Vec<TermInfo>,
    /// Filters ASCII text: reports exactly the patterns that match an ASCII text. Usually the
    /// patterns rewritten to ASCII (much cheaper to compile), built on the first ASCII text; the
    /// patterns as written, built with the policy, if that rewrite is not known to fit.
    set: Option<Filter>,
    /// The patterns with their Unicode word-boundary assertions removed, so it matches wherever
    /// they do (and sometimes more). Unlike the patterns as written it runs on a lazy DFA over
    /// non-ASCII text, where a Unicode `\b` sends a set's search to its slowest engine. Built on
    /// the first non-ASCII text; `None` inside if it could not be built (then every regex runs on
    /// its own on non-ASCII text).
    relaxed: OnceLock<Option<RegexSet>>,
    /// Size limit of the relaxed set.
    set_limit: usize,
    /// Every pattern of every enabled rule, in policy order (the sets' pattern indices).
    regexes: Vec<Pattern>,
    /// `within` of each rule's near clauses (indexed by rule, then clause).
    near_within: Vec<Vec<u32>>,
    near_groups: Vec<Vec<u16>>,
    /// For each rule, the number of `near` clauses of the rules before it: a clause's index
    /// among every rule's clauses is `near_base[rule] + clause`.
    near_base: Vec<u32>,
    /// Number of `near` clauses of every rule.
    near_clauses: usize,
    rule_count: usize,
}

/// The set that filters ASCII text (see `Matcher::set`).
#[derive(Debug)]
enum Filter {
    /// Built when the policy was compiled.
    Ready(RegexSet),
    /// The patterns rewritten for ASCII, their set built on the first ASCII text (about 12 ms for
    /// the shipped packs, the largest part of an engine's start-up from a bundle). `None` inside
    /// if it could not be built (the bounds say it can): then the set of the patterns as
    /// written, and failing that every regex on its own, as for the relaxed set.
    Lazy {
        ascii: Vec<String>,
        set: OnceLock<Option<RegexSet>>,
    },
}

impl Filter {
    /// The set, built now if it was not yet.
    fn get<'a>(&'a self, regexes: &[Pattern], limit: usize) -> Option<&'a RegexSet> {
        match self {
            Filter::Ready(set) => Some(set),
            Filter::Lazy { ascii, set } => set
                .get_or_init(|| {
                    let build = |patterns: &mut dyn Iterator<Item = &str>| {
                        RegexSetBuilder::new(patterns)
                            .size_limit(limit)
                            .dfa_size_limit(limit)
                            .build()
                            .ok()
                    };
                    build(&mut ascii.iter().map(String::as_str))
                        .or_else(|| build(&mut regexes.iter().map(|p| p.source.as_str())))
                })
                .as_ref(),
        }
    }
}

/// One regex pattern of a rule, its regex built on first use.
#[derive(Debug)]
struct Pattern {
    rule: u32,
    source: String,
    /// Size limit of its regex (the policy's).
    limit: usize,
    /// `None` inside if it could not be built (it was checked when the policy was compiled, so
    /// it always is: the pattern then never matches rather than panicking).
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn regex(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| build_regex(&self.source, self.limit).ok())
            .as_ref()
    }
}

fn build_regex(pattern: &str, limit: usize) -> Result<Regex, regex::Error> {
    RegexBuilder::new(pattern)
        .size_limit(limit)
        .dfa_size_limit(limit)
        .build()
}

/// Reusable buffers for matching one message at a time.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) terms: Normalized,
    pub(crate) patterns: Normalized,
    /// The plain view of the original text of one match (`plain_ascii` holds it as text, from
    /// the ASCII shortcut or copied from `plain`).
    plain: Normalized,
    plain_ascii: String,
    /// The evasion each `near` occurrence shows (parallel to `near` once it is checked).
    near_evasion: Vec<Option<Evasion>>,
    /// (rule, normalized span, the match) for literal matches.
    any: Vec<(u32, Range<usize>, Occ)>,
    near: Vec<NearOcc>,
    unless: Vec<u32>,
    /// The `unless` phrases that matched, for explanations.
    pub(crate) vetoes: Vec<Veto>,
    /// The hits those phrases cancelled.
    pub(crate) cancelled: Vec<RawHit>,
    spaces: Vec<usize>,
    /// Which patterns of a regex set matched.
    set_matches: Vec<bool>,
    /// The groups present of every `near` clause (by its index among all clauses), and the
    /// clauses set in it: all zero between messages.
    clause_masks: Vec<u64>,
    touched: Vec<usize>,
    /// The term matches of the terms view: (end, start, term).
    found: Vec<(usize, usize, u32)>,
    pub(crate) hits: Vec<RawHit>,
}

impl Scratch {
    /// Empty buffers; they grow to fit and are reused.
    pub fn new() -> Scratch {
        Scratch::default()
    }
}

/// One occurrence of a `near` term: rule, clause, group, word index, normalized span, evasion.
type NearOcc = (u32, u16, u16, usize, Range<usize>, Occ);

/// An automaton match of one term, to be checked against the original text.
#[derive(Debug, Clone)]
struct Occ {
    /// Index into `Matcher::infos`.
    info: u32,
    /// The match in the terms view (before a wildcard widens it to the word).
    matched: Range<usize>,
}

/// Scripts written without spaces between words: terms in them match inside words.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF   // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x3040..=0x30FF // Hiragana, Katakana
        | 0x3400..=0x4DBF // CJK Ext A
        | 0x4E00..=0x9FFF // CJK
        | 0xF900..=0xFAFF
        | 0x20000..=0x3FFFF)
}

/// What compiling a policy's matchers produces before any automaton or regex set is built:
/// every term normalized (both views) with what it stands for, and every pattern with its ASCII
/// rewrite and size bound. [`Matcher::compile`] makes it from a policy
/// ([`Matcher::prepare`]) and builds the matchers from it ([`Matcher::assemble`]); a compiled
/// bundle ([`crate::bundle`]) stores it, so loading one skips parsing and normalization.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct MatcherData {
    /// Every distinct term in the terms view (the automaton's patterns).
    pub(crate) strings: Vec<String>,
    /// For each of `strings`, the range of its infos in `infos`.
    pub(crate) pattern_infos: Vec<Range<u32>>,
    pub(crate) infos: Vec<TermInfo>,
    /// Every term in the plain view (see [`TermInfo::plain`]).
    pub(crate) plains: Vec<Box<str>>,
    /// Every pattern of every enabled rule, in policy order.
    pub(crate) patterns: Vec<PatternData>,
    /// Whether every pattern parsed, so that `PatternData::ascii` is set for all of them.
    pub(crate) all_parsed: bool,
    /// The sum of the patterns' size bounds.
    pub(crate) bound_sum: u64,
    pub(crate) near_within: Vec<Vec<u32>>,
    pub(crate) near_groups: Vec<Vec<u16>>,
}

impl MatcherData {
    /// Checks that data from elsewhere (a bundle) fits a policy of `rules` rules: every index in
    /// range, every list as long as the matching code expects. Returns what does not fit. Data
    /// [`Matcher::prepare`] made for the policy always fits.
    pub(crate) fn check(&self, rules: usize) -> Result<(), String> {
        if self.pattern_infos.len() != self.strings.len() {
            return Err("term table: one info range per term expected".into());
        }
        if self.strings.iter().any(String::is_empty) {
            return Err("term table: empty term".into());
        }
        let mut next = 0u32;
        for r in &self.pattern_infos {
            // Contiguous, in order, covering `infos`: what `prepare` makes.
            if r.start != next || r.end <= r.start {
                return Err("term table: info ranges out of order".into());
            }
            next = r.end;
        }
        if next as usize != self.infos.len() {
            return Err("term table: info ranges do not cover the infos".into());
        }
        if self.near_within.len() != rules || self.near_groups.len() != rules {
            return Err("near clauses: one list per rule expected".into());
        }
        for (w, g) in self.near_within.iter().zip(&self.near_groups) {
            if w.len() != g.len() || g.iter().any(|&n| n == 0 || n > 64) {
                return Err("near clauses: bad group counts".into());
            }
        }
        for info in &self.infos {
            let r = info.rule as usize;
            if r >= rules || info.plain as usize >= self.plains.len() {
                return Err("term info: rule or plain term out of range".into());
            }
            if let Role::Near { clause, group } = info.role {
                let groups = self.near_groups[r].get(usize::from(clause));
                if groups.is_none_or(|&n| group >= n) {
                    return Err("term info: near clause or group out of range".into());
                }
            }
        }
        if self.patterns.iter().any(|p| p.rule as usize >= rules) {
            return Err("patterns: rule out of range".into());
        }
        Ok(())
    }
}

/// One pattern as [`MatcherData`] holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub(crate) struct PatternData {
    pub(crate) rule: u32,
    pub(crate) source: String,
    /// Its ASCII rewrite ([`ascii_only`]); `None` if the parser refused it.
    pub(crate) ascii: Option<String>,
}

impl Matcher {
    /// Compiles a policy's matchers: [`prepare`](Matcher::prepare), then
    /// [`assemble`](Matcher::assemble).
    pub(crate) fn compile(policy: &Policy) -> Result<Matcher, PolicyError> {
        let data = Matcher::prepare(policy)?;
        Matcher::assemble(policy, data)
    }

    /// Normalizes every term of a policy and checks every pattern (it must parse, and its size
    /// stay within the policy's limit), with errors that name the rule and field.
    pub(crate) fn prepare(policy: &Policy) -> Result<MatcherData, PolicyError> {
        let normalizer = Normalizer::new(policy.normalize_options());
        let plain = normalizer.plain();
        let mut plains: Vec<Box<str>> = Vec::new();
        let mut plain_index: std::collections::HashMap<Box<str>, u32> = std::collections::HashMap::new();
        let mut strings: Vec<String> = Vec::new();
        let mut per_pattern: Vec<Vec<TermInfo>> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        let mut near_within = vec![Vec::new(); policy.rules().len()];
        let mut near_groups = vec![Vec::new(); policy.rules().len()];
        let mut patterns: Vec<(u32, String)> = Vec::new();

        for (ri, rule) in policy.rules().iter().enumerate() {
            if !rule.enabled {
                continue;
            }
            let r = u32::try_from(ri).map_err(|_| too_many(policy, ri))?;
            let mut add = |term: &str, role: Role, field: &str, pos: usize| -> Result<(), PolicyError> {
                let t = term.trim();
                let open_start = t.starts_with('*');
                let open_end = t.len() > 1 && t.ends_with('*');
                let core = t.trim_start_matches('*').trim_end_matches('*');
                let norm = normalizer.normalize(core, Mode::Terms);
                let s = norm.as_str();
                if s.is_empty() {
                    return Err(PolicyError::new(
                        policy.rule_location(ri, field, Some(term)),
                        PolicyErrorKind::EmptyTerm {
                            term: term.to_string(),
                        },
                    ));
                }
                let p: Box<str> = plain.normalize(core, Mode::Terms).as_str().into();
                let plain_id = match plain_index.get(&p) {
                    Some(&i) => i,
                    None => {
                        let i = u32::try_from(plains.len()).map_err(|_| too_many(policy, ri))?;
                        plains.push(p.clone());
                        plain_index.insert(p, i);
                        i
                    }
                };
                let info = TermInfo {
                    rule: r,
                    role,
                    open_start,
                    open_end,
                    plain: plain_id,
                    pos: u32::try_from(pos).unwrap_or(u32::MAX),
                };
                let pi = *index.entry(s.to_string()).or_insert_with(|| {
                    strings.push(s.to_string());
                    per_pattern.push(Vec::new());
                    strings.len() - 1
                });
                per_pattern[pi].push(info);
                Ok(())
            };
            for (pos, term) in rule.any.iter().enumerate() {
                add(term, Role::Any, "any", pos)?;
            }
            for (pos, term) in rule.unless.iter().enumerate() {
                add(term, Role::Unless, "unless", pos)?;
            }
            for (ci, near) in rule.near.iter().enumerate() {
                let clause = u16::try_from(ci).unwrap_or(u16::MAX);
                for (gi, group) in near.terms.iter().enumerate() {
                    let g = u16::try_from(gi).unwrap_or(u16::MAX);
                    for (pos, term) in group.iter().enumerate() {
                        add(term, Role::Near { clause, group: g }, "near", pos)?;
                    }
                }
                near_within[ri].push(near.within);
                near_groups[ri].push(u16::try_from(near.terms.len()).unwrap_or(u16::MAX));
            }
            for p in &rule.patterns {
                patterns.push((r, p.clone()));
            }
        }

        let mut infos = Vec::new();
        let mut pattern_infos = Vec::with_capacity(per_pattern.len());
        for list in per_pattern {
            let start = u32::try_from(infos.len()).unwrap_or(u32::MAX);
            infos.extend(list);
            pattern_infos.push(start..u32::try_from(infos.len()).unwrap_or(u32::MAX));
        }

        let limit = policy.scoring().regex_size_limit;
        let mut out = Vec::with_capacity(patterns.len());
        let mut all_parsed = true;
        let mut bound_sum = 0u64;
        for (r, p) in patterns {
            // The same syntax settings as `RegexBuilder`'s defaults.
            let ascii = match regex_syntax::ParserBuilder::new().build().parse(&p) {
                Ok(parsed) => {
                    let bound = nfa_bound(&parsed);
                    bound_sum = bound_sum.saturating_add(bound);
                    if bound > limit as u64 {
                        // Possibly too big: compile it to decide.
                        build_regex(&p, limit).map_err(|e| regex_error(policy, r, &p, &e))?;
                    }
                    Some(ascii_only(&parsed).to_string())
                }
                Err(_) => {
                    // Refused by the parser: the regex crate gives its own error (or, should it
                    // ever accept what the parser refuses, the regex).
                    build_regex(&p, limit).map_err(|e| regex_error(policy, r, &p, &e))?;
                    all_parsed = false;
                    None
                }
            };
            out.push(PatternData {
                rule: r,
                source: p,
                ascii,
            });
        }
        Ok(MatcherData {
            strings,
            pattern_infos,
            infos,
            plains,
            patterns: out,
            all_parsed,
            bound_sum,
            near_within,
            near_groups,
        })
    }

    /// Builds the matchers from prepared data: the term automaton and the ASCII filtering set
    /// (each pattern's own regex and the relaxed set are built on first need). The data must be
    /// [`prepare`](Matcher::prepare)'s for this policy, or pass [`MatcherData::check`] (then it
    /// may match differently, but never panics).
    pub(crate) fn assemble(policy: &Policy, data: MatcherData) -> Result<Matcher, PolicyError> {
        let MatcherData {
            strings,
            pattern_infos,
            infos,
            plains,
            patterns,
            all_parsed,
            bound_sum,
            near_within,
            near_groups,
        } = data;
        let normalizer = Normalizer::new(policy.normalize_options());
        let plain = normalizer.plain();
        let mut near_base = Vec::with_capacity(near_groups.len());
        let mut near_clauses = 0usize;
        for groups in &near_groups {
            near_base.push(u32::try_from(near_clauses).unwrap_or(u32::MAX));
            near_clauses += groups.len();
        }
        let pattern_edges: Vec<Edges> = pattern_infos
            .iter()
            .zip(&strings)
            .map(|(range, s)| {
                let list = infos.get(range.start as usize..range.end as usize).unwrap_or(&[]);
                Edges {
                    first_unspaced: s.chars().next().is_some_and(unspaced),
                    last_unspaced: s.chars().next_back().is_some_and(unspaced),
                    any_open_start: list.iter().any(|i| i.open_start),
                    any_open_end: list.iter().any(|i| i.open_end),
                }
            })
            .collect();
        let terms = if strings.is_empty() {
            None
        } else {
            let edges: &Vec<Edges> = &pattern_edges;
            let bounds = |i: usize| {
                edges.get(i).map_or(
                    words::Bounds {
                        start_inside: true,
                        end_inside: true,
                    },
                    |e| words::Bounds {
                        start_inside: e.first_unspaced || e.any_open_start,
                        end_inside: e.last_unspaced || e.any_open_end,
                    },
                )
            };
            Some(TermIndex::build(&strings, bounds).map_err(|e| {
                PolicyError::new(
                    crate::error::Location {
                        source: "(policy)".into(),
                        ..Default::default()
                    },
                    PolicyErrorKind::Invalid(format!("term automaton could not be built: {e}")),
                )
            })?)
        };
        let limit = policy.scoring().regex_size_limit;
        let total = limit.saturating_mul(patterns.len()).min(256 << 20);
        let mut ascii: Option<Vec<String>> = all_parsed.then(|| Vec::with_capacity(patterns.len()));
        let mut regexes = Vec::with_capacity(patterns.len());
        for p in patterns {
            if let (Some(list), Some(a)) = (ascii.as_mut(), p.ascii) {
                list.push(a);
            }
            regexes.push(Pattern {
                rule: p.rule,
                source: p.source,
                limit,
                regex: OnceLock::new(),
            });
        }
        if ascii.as_ref().is_some_and(|l| l.len() != regexes.len()) {
            ascii = None;
        }
        let set = if regexes.is_empty() {
            None
        } else {
            match ascii {
                // The bounds say the patterns as written compile as one set within `total`; then
                // so does their ASCII rewrite (smaller): it is built on the first ASCII text.
                Some(list) if bound_sum <= total as u64 => Some(Filter::Lazy {
                    ascii: list,
                    set: OnceLock::new(),
                }),
                // Otherwise the set of the patterns as written decides, now, as it did before the
                // rewrite existed (and refuses a policy whose patterns do not fit together).
                _ => Some(Filter::Ready(
                    RegexSetBuilder::new(regexes.iter().map(|p| p.source.as_str()))
                        .size_limit(total)
                        .dfa_size_limit(total)
                        .build()
                        .map_err(|e| {
                            PolicyError::new(
                                crate::error::Location {
                                    source: "(policy)".into(),
                                    ..Default::default()
                                },
                                PolicyErrorKind::InvalidRegex {
                                    pattern: "(all patterns together)".into(),
                                    message: e.to_string(),
                                },
                            )
                        })?,
                )),
            }
        };
        Ok(Matcher {
            normalizer,
            plain,
            plains,
            terms,
            pattern_infos,
            pattern_edges,
            infos,
            set,
            relaxed: OnceLock::new(),
            set_limit: total,
            regexes,
            near_base,
            near_clauses,
            near_within,
            near_groups,
            rule_count: policy.rules().len(),
        })
    }

    /// Normalizes `text` (terms view) into `out`: used by explanations.
    pub(crate) fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Finds the raw hits of every rule in `text` into `scratch.hits`, one per rule, sorted by
    /// rule index. Rules cancelled by an `unless` phrase are left out.
    pub(crate) fn find(&self, text: &str, scratch: &mut Scratch) {
        scratch.hits.clear();
        scratch.any.clear();
        scratch.near.clear();
        scratch.unless.clear();
        scratch.vetoes.clear();
        // The views the matchers need, the character-level steps run once for both.
        match (&self.terms, &self.set) {
            (Some(_), Some(_)) => {
                self.normalizer
                    .normalize_views(text, &mut scratch.terms, &mut scratch.patterns)
            }
            (Some(_), None) => self
                .normalizer
                .normalize_into(text, Mode::Terms, &mut scratch.terms),
            (None, Some(_)) => self
                .normalizer
                .normalize_into(text, Mode::Patterns, &mut scratch.patterns),
            (None, None) => {}
        }
        if let Some(index) = &self.terms {
            let norm = scratch.terms.as_str();
            let bytes = norm.as_bytes();
            let mut spaces_ready = false;
            index.find(norm, &mut scratch.found);
            for &(e, s, term) in &scratch.found {
                let Some(range) = self.pattern_infos.get(term as usize) else {
                    continue;
                };
                let Some(edges) = self.pattern_edges.get(term as usize) else {
                    continue;
                };
                // The match is the pattern's text: its first and last characters are the
                // pattern's.
                let left_ok = s == 0 || bytes[s - 1] == b' ' || edges.first_unspaced;
                if !(left_ok || edges.any_open_start) {
                    continue;
                }
                let right_ok = e == bytes.len() || bytes[e] == b' ' || edges.last_unspaced;
                if !(right_ok || edges.any_open_end) {
                    continue;
                }
                for (ii, info) in self.infos[range.start as usize..range.end as usize]
                    .iter()
                    .enumerate()
                {
                    if !(left_ok || info.open_start) || !(right_ok || info.open_end) {
                        continue;
                    }
                    if info.role == Role::Unless {
                        // An exception vetoes in the terms view as it is: erring towards fewer
                        // alarms.
                        scratch.unless.push(info.rule);
                        scratch.vetoes.push(Veto {
                            rule: info.rule,
                            info: range.start + ii as u32,
                            norm: s..e,
                        });
                        continue;
                    }
                    // Which term this is, to check the match against its plain words later, and
                    // only for the matches that would make a hit.
                    let at = Occ {
                        info: range.start + ii as u32,
                        matched: s..e,
                    };
                    // A wildcard match highlights the whole word it matched in. Word bounds come
                    // from the positions of the spaces, found once per text: scanning the word for
                    // every match made `*ab*` in one long word `abab…` quadratic.
                    if (info.open_start || info.open_end) && !spaces_ready {
                        scratch.spaces.clear();
                        scratch.spaces.extend(
                            bytes
                                .iter()
                                .enumerate()
                                .filter(|(_, b)| **b == b' ')
                                .map(|(i, _)| i),
                        );
                        spaces_ready = true;
                    }
                    let spaces = &scratch.spaces;
                    let s = if info.open_start {
                        let k = spaces.partition_point(|&p| p < s);
                        k.checked_sub(1).and_then(|k| spaces.get(k)).map_or(0, |i| i + 1)
                    } else {
                        s
                    };
                    let e = if info.open_end {
                        let k = spaces.partition_point(|&p| p < e);
                        spaces.get(k).copied().unwrap_or(norm.len())
                    } else {
                        e
                    };
                    match info.role {
                        Role::Any => scratch.any.push((info.rule, s..e, at)),
                        Role::Unless => {}
                        Role::Near { clause, group } => {
                            scratch.near.push((info.rule, clause, group, s, s..e, at))
                        }
                    }
                }
            }
        }
        // Literal terms: the first match per rule that the original text bears out.
        scratch.any.sort_by_key(|(r, span, _)| (*r, span.start));
        let mut last_rule = u32::MAX;
        for i in 0..scratch.any.len() {
            let (r, ref span, ref at) = scratch.any[i];
            if r == last_rule {
                continue;
            }
            let Some(evasion) = self.bears_out(
                text,
                at,
                &scratch.terms,
                &mut scratch.plain,
                &mut scratch.plain_ascii,
            ) else {
                continue;
            };
            last_rule = r;
            if let Some(orig) = scratch.terms.original_span(span.clone()) {
                scratch.hits.push(RawHit {
                    rule: r,
                    kind: HitKind::Term,
                    span: orig,
                    evasion,
                    by: By {
                        items: Box::new([at.info]),
                        norm: span.clone(),
                    },
                });
            }
        }
        // Proximity.
        if !scratch.near.is_empty() {
            self.keep_complete_clauses(scratch);
        }
        if !scratch.near.is_empty() {
            self.find_near(text, scratch);
        }
        // Patterns.
        if let Some(filter) = &self.set {
            let norm = scratch.patterns.as_str();
            // The sets only filter; every reported pattern is confirmed by its own regex, which
            // also gives the span. On ASCII text `set` runs on a lazy DFA and reports exactly the
            // patterns that match. On other text the patterns' Unicode `\b` would send a set of
            // them to its slowest engine (64 KiB of emoji: 330 ms with the shipped packs), so the
            // relaxed set, which reports at least those patterns, filters instead (built by the
            // first such text); without one every regex runs on its own (18 ms there).
            let gate = if norm.is_ascii() {
                filter.get(&self.regexes, self.set_limit)
            } else {
                self.relaxed
                    .get_or_init(|| {
                        relaxed_set(self.regexes.iter().map(|p| p.source.as_str()), self.set_limit)
                    })
                    .as_ref()
            };
            match gate {
                Some(gate) => {
                    if gate.is_match(norm) {
                        scratch.set_matches.clear();
                        scratch.set_matches.resize(gate.len(), false);
                        gate.matches_read_at(&mut scratch.set_matches, norm, 0);
                        for (i, _) in scratch.set_matches.iter().enumerate().filter(|(_, m)| **m) {
                            self.pattern_hit(i, norm, &scratch.patterns, &mut scratch.hits);
                        }
                    }
                }
                None => {
                    for i in 0..self.regexes.len() {
                        self.pattern_hit(i, norm, &scratch.patterns, &mut scratch.hits);
                    }
                }
            }
        }
        scratch.cancelled.clear();
        if !scratch.unless.is_empty() {
            // The hits an `unless` phrase cancels are kept aside for explanations.
            let (unless, cancelled) = (&scratch.unless, &mut scratch.cancelled);
            scratch.hits.retain(|h| {
                let keep = !unless.contains(&h.rule);
                if !keep {
                    cancelled.push(h.clone());
                }
                keep
            });
        }
        scratch.hits.sort_by_key(|h| h.rule);
        scratch.hits.dedup_by_key(|h| h.rule);
        // Name the character-level evasion of a match no word-level one was needed for.
        for h in scratch.hits.iter_mut().filter(|h| h.evasion.is_none()) {
            h.evasion = text
                .get(h.span.clone())
                .and_then(|t| self.normalizer.char_evasion(t));
        }
    }

    /// Runs pattern `i` on the patterns view `norm` and records its first non-empty match, unless
    /// its rule already has a hit.
    fn pattern_hit(&self, i: usize, norm: &str, view: &Normalized, hits: &mut Vec<RawHit>) {
        let Some(pattern) = self.regexes.get(i) else {
            return;
        };
        let r = &pattern.rule;
        if hits.iter().any(|h| h.rule == *r) {
            return;
        }
        let Some(re) = pattern.regex() else {
            return;
        };
        if let Some(m) = re.find(norm) {
            if m.start() == m.end() {
                return;
            }
            if let Some(orig) = view.original_span(m.start()..m.end()) {
                hits.push(RawHit {
                    rule: *r,
                    kind: HitKind::Pattern,
                    span: orig,
                    evasion: None,
                    by: By {
                        items: Box::new([u32::try_from(i).unwrap_or(u32::MAX)]),
                        norm: m.start()..m.end(),
                    },
                });
            }
        }
    }

    /// Whether the original text bears out a term's match in the terms view: `Some(None)` if it
    /// reads as the term in the plain view, `Some(Some(evasion))` if it shows a word-level
    /// evasion the terms view undid, `None` if neither (another word that shares the term's
    /// skeleton: `lift` for `lft`).
    fn bears_out(
        &self,
        text: &str,
        at: &Occ,
        terms: &Normalized,
        plain: &mut Normalized,
        plain_text: &mut String,
    ) -> Option<Option<Evasion>> {
        let info = self.infos.get(at.info as usize)?;
        let orig = terms.original_span(at.matched.clone())?;
        let raw = text.get(orig)?;
        let term = self.plains.get(info.plain as usize).map_or("", |p| &**p);
        // The common case first: the term typed as it is (a plain term's plain view is itself).
        let open = info.open_start || info.open_end;
        if !open && raw.eq_ignore_ascii_case(term) {
            return Some(None);
        }
        if !self.plain.plain_ascii_into(raw, plain_text) {
            self.plain.normalize_into(raw, Mode::Terms, plain);
            plain_text.clear();
            plain_text.push_str(plain.as_str());
        }
        let got = plain_text.as_str();
        // An open end lets the word go on in the text.
        let reads = match (info.open_start, info.open_end) {
            (false, false) => got == term,
            (false, true) => got.starts_with(term),
            (true, false) => got.ends_with(term),
            (true, true) => got.contains(term),
        };
        if reads {
            return Some(None);
        }
        self.normalizer.word_evasion(raw).map(Some)
    }

    /// Leaves in `scratch.near` only the occurrences of clauses that have a term of every group
    /// (groups past the 64th are not counted, as in [`Matcher::find_near`]): no other clause can
    /// fire, and frequent words (`you`, `send`) are in the groups of many clauses. Keeps the
    /// order of what it keeps.
    fn keep_complete_clauses(&self, scratch: &mut Scratch) {
        let Scratch {
            near,
            clause_masks,
            touched,
            ..
        } = scratch;
        if clause_masks.len() != self.near_clauses {
            clause_masks.clear();
            clause_masks.resize(self.near_clauses, 0);
        }
        let clause = |r: u32, c: u16| -> Option<(usize, usize)> {
            let base = *self.near_base.get(r as usize)? as usize;
            let groups = usize::from(*self.near_groups.get(r as usize)?.get(usize::from(c))?);
            Some((base + usize::from(c), groups))
        };
        touched.clear();
        for x in near.iter() {
            if let Some((id, groups)) = clause(x.0, x.1) {
                if usize::from(x.2) < groups.min(64) {
                    if clause_masks[id] == 0 {
                        touched.push(id);
                    }
                    clause_masks[id] |= 1 << x.2;
                }
            }
        }
        near.retain(|x| {
            clause(x.0, x.1).is_some_and(|(id, groups)| clause_masks[id].count_ones() as usize == groups)
        });
        for &id in touched.iter() {
            clause_masks[id] = 0;
        }
    }

    fn find_near(&self, text: &str, scratch: &mut Scratch) {
        // Word index of a byte offset = number of spaces before it.
        let norm = scratch.terms.as_str();
        scratch.spaces.clear();
        scratch.spaces.extend(
            norm.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b' ')
                .map(|(i, _)| i),
        );
        for item in scratch.near.iter_mut() {
            item.3 = scratch.spaces.partition_point(|&p| p < item.4.start);
        }
        scratch.near.sort_by_key(|(r, c, _, w, _, _)| (*r, *c, *w));
        // Check the occurrences of the clauses that have every group against the original text
        // (the others cannot fire), keeping the evasion each shows.
        scratch.near_evasion.clear();
        let mut i = 0;
        while i < scratch.near.len() {
            let (r, c) = (scratch.near[i].0, scratch.near[i].1);
            let j = i + scratch.near[i..]
                .iter()
                .take_while(|x| x.0 == r && x.1 == c)
                .count();
            let groups = self
                .near_groups
                .get(r as usize)
                .and_then(|g| g.get(c as usize))
                .map_or(0, |g| usize::from(*g));
            let present = scratch.near[i..j]
                .iter()
                .filter(|x| usize::from(x.2) < groups.min(64))
                .fold(0u64, |m, x| m | 1 << x.2);
            for k in i..j {
                let keep = if present.count_ones() as usize == groups {
                    self.bears_out(
                        text,
                        &scratch.near[k].5,
                        &scratch.terms,
                        &mut scratch.plain,
                        &mut scratch.plain_ascii,
                    )
                } else {
                    None
                };
                // A rejected occurrence is moved out of every window (group past the end).
                match keep {
                    Some(e) => scratch.near_evasion.push(e),
                    None => {
                        scratch.near[k].2 = u16::MAX;
                        scratch.near_evasion.push(None);
                    }
                }
            }
            i = j;
        }
        let near = &scratch.near;
        let mut i = 0;
        while i < near.len() {
            let (r, c) = (near[i].0, near[i].1);
            let groups = self
                .near_groups
                .get(r as usize)
                .and_then(|g| g.get(c as usize))
                .map_or(0, |g| usize::from(*g));
            let mut j = i;
            // The groups present (those below 64; `min_window` needs every group).
            let mut present = 0u64;
            while j < near.len() && near[j].0 == r && near[j].1 == c {
                if usize::from(near[j].2) < groups.min(64) {
                    present |= 1 << near[j].2;
                }
                j += 1;
            }
            let done = present.count_ones() as usize != groups || scratch.hits.iter().any(|h| h.rule == r);
            if !done {
                let within = self.near_within[r as usize][c as usize] as usize;
                if let Some((a, b)) = min_window(&near[i..j], groups, within) {
                    // The window's occurrences, without those the text did not bear out.
                    let kept = || (i + a..=i + b).filter(|&k| near[k].2 != u16::MAX);
                    let lo = kept().map(|k| near[k].4.start).min().unwrap_or(0);
                    let hi = kept().map(|k| near[k].4.end).max().unwrap_or(0);
                    let evasion = kept().find_map(|k| scratch.near_evasion.get(k).copied().flatten());
                    if let Some(orig) = scratch.terms.original_span(lo..hi) {
                        scratch.hits.push(RawHit {
                            rule: r,
                            kind: HitKind::Near,
                            span: orig,
                            evasion,
                            by: By {
                                items: kept().map(|k| near[k].5.info).collect(),
                                norm: lo..hi,
                            },
                        });
                    }
                }
            }
            i = j;
        }
    }

    /// The term or pattern behind item `i` of a raw hit of `kind`, as written in the policy.
    pub(crate) fn source_text<'p>(&self, policy: &'p Policy, kind: HitKind, i: u32) -> Option<&'p str> {
        if kind == HitKind::Combination {
            // A combination's items are its parts' rules.
            return policy.rules().get(i as usize).map(|r| r.id.as_str());
        }
        if kind == HitKind::Pattern {
            let p = self.regexes.get(i as usize)?;
            let rule = policy.rules().get(p.rule as usize)?;
            // The pattern's place among its rule's patterns: the set lists them in rule order.
            let first = self.regexes.iter().position(|q| q.rule == p.rule)?;
            return rule.patterns.get(i as usize - first).map(String::as_str);
        }
        let info = self.infos.get(i as usize)?;
        let rule = policy.rules().get(info.rule as usize)?;
        let pos = info.pos as usize;
        match info.role {
            Role::Any => rule.any.get(pos),
            Role::Unless => rule.unless.get(pos),
            Role::Near { clause, group } => rule
                .near
                .get(usize::from(clause))?
                .terms
                .get(usize::from(group))?
                .get(pos),
        }
        .map(String::as_str)
    }

    pub(crate) fn rule_count(&self) -> usize {
        self.rule_count
    }
}

/// The first window (indices into `occ`, sorted by word) holding every group with a word distance
/// of at most `within`.
fn min_window(occ: &[NearOcc], groups: usize, within: usize) -> Option<(usize, usize)> {
    if groups == 0 || groups > 64 {
        return None;
    }
    let mut counts = [0u32; 64];
    let mut have = 0;
    let mut lo = 0;
    for hi in 0..occ.len() {
        let g = usize::from(occ[hi].2);
        if g >= groups {
            continue;
        }
        if counts[g] == 0 {
            have += 1;
        }
        counts[g] += 1;
        while occ[hi].3 - occ[lo].3 > within {
            let gl = usize::from(occ[lo].2);
            if gl < groups {
                counts[gl] -= 1;
                if counts[gl] == 0 {
                    have -= 1;
                }
            }
            lo += 1;
        }
        if have == groups {
            return Some((lo, hi));
        }
    }
    None
}

/// A regex set of `patterns` with every Unicode word-boundary assertion (`\b`, `\B`, `\<`, `\>`
/// and the half boundaries) removed. Removing a zero-width assertion only adds matches, so the
/// set matches wherever the patterns do. `None` if a pattern does not parse or the set does not
/// build within `limit`.
fn relaxed_set<'a>(patterns: impl Iterator<Item = &'a str>, limit: usize) -> Option<RegexSet> {
    let mut relaxed = Vec::new();
    for p in patterns {
        // The same syntax settings as `RegexBuilder`'s defaults, which the regexes use.
        let hir = regex_syntax::ParserBuilder::new().build().parse(p).ok()?;
        relaxed.push(without_unicode_word_boundaries(&hir).to_string());
    }
    RegexSetBuilder::new(&relaxed)
        .size_limit(limit)
        .dfa_size_limit(limit)
        .build()
        .ok()
}

fn without_unicode_word_boundaries(h: &Hir) -> Hir {
    match h.kind() {
        HirKind::Look(
            Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode,
        ) => Hir::empty(),
        HirKind::Repetition(r) => Hir::repetition(hir::Repetition {
            sub: Box::new(without_unicode_word_boundaries(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(hir::Capture {
            sub: Box::new(without_unicode_word_boundaries(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(without_unicode_word_boundaries).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(without_unicode_word_boundaries).collect()),
        _ => h.clone(),
    }
}

/// Bytes per state of the regex engine's NFA builder (regex-automata's `builder::State`, an enum
/// of at most a `Vec` and a tag).
const NFA_STATE_BYTES: u64 = 32;

/// An upper bound, in bytes, of the memory the regex crate's NFA compiler reaches for a pattern
/// (`hir`) compiled alone, forward (with captures) or in reverse: the figure its `size_limit` is
/// checked against. The regex crate refuses a pattern for its size only when this compiler
/// exceeds the limit, so a pattern whose bound is within the limit compiles.
///
/// The bound follows the compiler node by node (regex-automata 0.4's `thompson::Compiler`):
/// literals one state a byte; classes one sparse state (ASCII), or at most one state and one
/// transition per byte range of their UTF-8 sequences; repetitions one copy of their operand per
/// allowed occurrence; alternations a union; plus a margin for captures, the unanchored prefix
/// and the match state. A unit test checks it against the regex crate.
fn nfa_bound(hir: &Hir) -> u64 {
    let (states, heap) = nfa_bound_parts(hir);
    states
        .saturating_add(16)
        .saturating_mul(NFA_STATE_BYTES)
        .saturating_add(heap)
        .saturating_add(64)
}

/// (states, heap bytes) of [`nfa_bound`].
fn nfa_bound_parts(hir: &Hir) -> (u64, u64) {
    let add = |a: (u64, u64), b: (u64, u64)| (a.0.saturating_add(b.0), a.1.saturating_add(b.1));
    let len = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => (1, 0),
        HirKind::Literal(l) => (len(l.0.len()).max(1), 0),
        HirKind::Class(Class::Bytes(c)) => (2, len(c.ranges().len()).saturating_mul(8)),
        HirKind::Class(Class::Unicode(c)) if c.is_ascii() => (2, len(c.ranges().len()).saturating_mul(8)),
        HirKind::Class(Class::Unicode(c)) => {
            let mut ranges = 0u64;
            for r in c.iter() {
                for seq in regex_syntax::utf8::Utf8Sequences::new(r.start(), r.end()) {
                    ranges = ranges.saturating_add(len(seq.len()));
                }
            }
            (ranges.saturating_add(2), ranges.saturating_mul(8))
        }
        HirKind::Capture(c) => add(nfa_bound_parts(&c.sub), (2, 0)),
        HirKind::Concat(v) => v.iter().fold((1, 0), |a, h| add(a, nfa_bound_parts(h))),
        HirKind::Alternation(v) => {
            let n = len(v.len());
            let generic = v
                .iter()
                .fold((3, n.saturating_mul(8)), |a, h| add(a, nfa_bound_parts(h)));
            // An alternation of literals compiles to a trie instead.
            let bytes = v
                .iter()
                .map(|h| match h.kind() {
                    HirKind::Literal(l) => len(l.0.len()),
                    _ => 0,
                })
                .fold(0u64, u64::saturating_add);
            let trie_states = bytes
                .saturating_mul(2)
                .saturating_add(n.saturating_mul(2))
                .saturating_add(4);
            let trie_heap = bytes
                .saturating_mul(16)
                .saturating_add(n.saturating_mul(8))
                .saturating_add(16);
            (generic.0.max(trie_states), generic.1.max(trie_heap))
        }
        HirKind::Repetition(r) => {
            let copies = u64::from(r.max.unwrap_or(r.min).max(r.min).max(1));
            let one = add(nfa_bound_parts(&r.sub), (1, 12));
            add(
                (one.0.saturating_mul(copies), one.1.saturating_mul(copies)),
                (4, 12),
            )
        }
    }
}

/// `hir` rewritten for ASCII text only: every Unicode class cut to its ASCII part and every
/// Unicode word-boundary assertion replaced by its ASCII form. On a text of ASCII characters only
/// it matches exactly where `hir` does (an ASCII character is in a class iff it is in its ASCII
/// part, and is a Unicode word character iff it is an ASCII one), and it compiles to a far
/// smaller automaton (one sparse state per class instead of a UTF-8 automaton).
fn ascii_only(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) if !c.is_ascii() => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(r) => Hir::repetition(hir::Repetition {
            sub: Box::new(ascii_only(&r.sub)),
            ..r.clone()
        }),
        HirKind::Capture(c) => Hir::capture(hir::Capture {
            sub: Box::new(ascii_only(&c.sub)),
            ..c.clone()
        }),
        HirKind::Concat(v) => Hir::concat(v.iter().map(ascii_only).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(ascii_only).collect()),
        _ => hir.clone(),
    }
}

fn too_many(policy: &Policy, ri: usize) -> PolicyError {
    PolicyError::new(
        policy.rule_location(ri, "id", None),
        PolicyErrorKind::Invalid("too many rules".into()),
    )
}

fn regex_error(policy: &Policy, rule: u32, pattern: &str, e: &regex::Error) -> PolicyError {
    PolicyError::new(
        policy.rule_location(rule as usize, "patterns", Some(pattern)),
        PolicyErrorKind::InvalidRegex {
            pattern: pattern.to_string(),
            message: e.to_string(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_patterns() -> Vec<String> {
        let policy = Policy::shipped().expect("the shipped packs build");
        policy
            .rules()
            .iter()
            .filter(|r| r.enabled)
            .flat_map(|r| r.patterns.iter().cloned())
            .collect()
    }

    fn parse(p: &str) -> Hir {
        regex_syntax::ParserBuilder::new()
            .build()
            .parse(p)
            .expect("the pattern parses")
    }

    #[test]
    fn the_size_bound_is_an_upper_bound_of_the_regex_crates_size() {
        let mut patterns = shipped_patterns();
        for p in [
            r"\w{50}",
            r"((a{10}){10}){3}",
            r"[\p{L}\p{N}]{10}\s+\w{10}",
            r"(?:\b\w+\b\s*){20}",
            r"(a+)+$",
            r"(a|aa)+b",
            r"(\w+\s?)*$",
            r"(.*a){20}",
            r"(?s).{0,100}",
            r"foo|bar|baz|quux|x",
            r"(?i)\p{Greek}+|\p{Han}{3}",
            r"(?:ab|cd|ef)*?",
            r"(?:a?)*",
            r"(?i)straße",
            r"\B\<x\>\b{start-half}",
            "",
            r"(?m)^$",
            r"[^a]",
        ] {
            patterns.push(p.to_string());
        }
        for p in &patterns {
            let bound = usize::try_from(nfa_bound(&parse(p))).unwrap_or(usize::MAX);
            assert!(
                RegexBuilder::new(p).size_limit(bound).build().is_ok(),
                "{p}: the bound {bound} is below the compiled size"
            );
        }
    }

    #[test]
    fn the_ascii_rewrite_matches_exactly_on_ascii_text() {
        let patterns = shipped_patterns();
        let ascii: Vec<String> = patterns
            .iter()
            .map(|p| ascii_only(&parse(p)).to_string())
            .collect();
        let limit = 256 << 20;
        let written = RegexSetBuilder::new(&patterns)
            .size_limit(limit)
            .build()
            .expect("builds");
        let rewritten = RegexSetBuilder::new(&ascii)
            .size_limit(limit)
            .build()
            .expect("builds");
        let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus");
        let mut texts = vec![
            "call me at +1 (555) 123-4567 or 0171 234 5678".to_string(),
            "my snap is @cool_kid12 and discord: kid#1234".to_string(),
            "_word_ boundaries_ x_y 9a a9 __".to_string(),
        ];
        // The corpus folder and its subfolders (tests/corpus/senders/), .jsonl files only.
        let mut files = Vec::new();
        let mut folders = vec![std::path::PathBuf::from(corpus)];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).expect("a corpus folder") {
                let path = entry.expect("an entry").path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "jsonl") {
                    files.push(path);
                }
            }
        }
        files.sort();
        assert!(!files.is_empty(), "corpus files under {corpus}");
        for path in files {
            let text = std::fs::read_to_string(&path).expect("a corpus file");
            for line in text.lines() {
                let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
                if let Some(t) = value.get("text").and_then(|t| t.as_str()) {
                    texts.push(t.to_lowercase());
                }
                texts.push(line.to_string());
            }
        }
        let mut checked = 0;
        for t in texts.iter().filter(|t| t.is_ascii()) {
            let a: Vec<usize> = written.matches(t).into_iter().collect();
            let b: Vec<usize> = rewritten.matches(t).into_iter().collect();
            assert_eq!(a, b, "{t}");
            checked += 1;
        }
        assert!(checked > 1000, "{checked}");
    }
}
