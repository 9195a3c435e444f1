//! Matching: all literal terms of all rules in one Aho-Corasick automaton, regex patterns in a
//! `RegexSet`, proximity (`near`) and exceptions (`unless`), mapped back to rules and to byte
//! spans of the original text.

use std::ops::Range;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

use crate::error::{PolicyError, PolicyErrorKind};
use crate::normalize::{Mode, Normalized, Normalizer};
use crate::policy::Policy;

/// What one automaton pattern stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TermInfo {
    pub(crate) rule: u32,
    pub(crate) role: Role,
    /// `*` at the start: no word boundary needed before.
    pub(crate) open_start: bool,
    /// `*` at the end: no word boundary needed after.
    pub(crate) open_end: bool,
}

/// The role of a term in its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
}

/// A rule's raw text match, before metadata conditions and scoring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawHit {
    pub(crate) rule: u32,
    pub(crate) kind: HitKind,
    /// Byte range in the original text.
    pub(crate) span: Range<usize>,
}

/// Compiled matchers of a policy.
#[derive(Debug)]
pub(crate) struct Matcher {
    normalizer: Normalizer,
    ac: Option<AhoCorasick>,
    /// For each automaton pattern, the range of its infos in `infos`.
    pattern_infos: Vec<Range<u32>>,
    infos: Vec<TermInfo>,
    set: Option<RegexSet>,
    regexes: Vec<(u32, Regex)>,
    /// `within` of each rule's near clauses (indexed by rule, then clause).
    near_within: Vec<Vec<u32>>,
    near_groups: Vec<Vec<u16>>,
    rule_count: usize,
}

/// Reusable buffers for matching one message at a time.
#[derive(Debug, Default)]
pub struct Scratch {
    pub(crate) terms: Normalized,
    pub(crate) patterns: Normalized,
    /// (rule, kind, normalized span) for literal matches.
    any: Vec<(u32, Range<usize>)>,
    near: Vec<(u32, u16, u16, usize, Range<usize>)>,
    unless: Vec<u32>,
    spaces: Vec<usize>,
    pub(crate) hits: Vec<RawHit>,
}

impl Scratch {
    /// Empty buffers; they grow to fit and are reused.
    pub fn new() -> Scratch {
        Scratch::default()
    }
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

impl Matcher {
    pub(crate) fn compile(policy: &Policy) -> Result<Matcher, PolicyError> {
        let normalizer = Normalizer::new(policy.normalize_options());
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
            let mut add = |term: &str, role: Role, field: &str| -> Result<(), PolicyError> {
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
                let info = TermInfo {
                    rule: r,
                    role,
                    open_start,
                    open_end,
                };
                let pi = *index.entry(s.to_string()).or_insert_with(|| {
                    strings.push(s.to_string());
                    per_pattern.push(Vec::new());
                    strings.len() - 1
                });
                per_pattern[pi].push(info);
                Ok(())
            };
            for term in &rule.any {
                add(term, Role::Any, "any")?;
            }
            for term in &rule.unless {
                add(term, Role::Unless, "unless")?;
            }
            for (ci, near) in rule.near.iter().enumerate() {
                let clause = u16::try_from(ci).unwrap_or(u16::MAX);
                for (gi, group) in near.terms.iter().enumerate() {
                    let g = u16::try_from(gi).unwrap_or(u16::MAX);
                    for term in group {
                        add(term, Role::Near { clause, group: g }, "near")?;
                    }
                }
                near_within[ri].push(near.within);
                near_groups[ri].push(u16::try_from(near.terms.len()).unwrap_or(u16::MAX));
            }
            for p in &rule.patterns {
                patterns.push((r, p.clone()));
            }
        }

        let ac = if strings.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&strings)
                    .map_err(|e| {
                        PolicyError::new(
                            crate::error::Location {
                                source: "(policy)".into(),
                                ..Default::default()
                            },
                            PolicyErrorKind::Invalid(format!("term automaton could not be built: {e}")),
                        )
                    })?,
            )
        };
        let mut infos = Vec::new();
        let mut pattern_infos = Vec::with_capacity(per_pattern.len());
        for list in per_pattern {
            let start = u32::try_from(infos.len()).unwrap_or(u32::MAX);
            infos.extend(list);
            pattern_infos.push(start..u32::try_from(infos.len()).unwrap_or(u32::MAX));
        }

        let limit = policy.scoring().regex_size_limit;
        let mut regexes = Vec::with_capacity(patterns.len());
        for (r, p) in &patterns {
            let re = RegexBuilder::new(p)
                .size_limit(limit)
                .dfa_size_limit(limit)
                .build()
                .map_err(|e| regex_error(policy, *r, p, &e))?;
            regexes.push((*r, re));
        }
        let set = if patterns.is_empty() {
            None
        } else {
            let total = limit.saturating_mul(patterns.len()).min(256 << 20);
            Some(
                RegexSetBuilder::new(patterns.iter().map(|(_, p)| p.as_str()))
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
            )
        };
        Ok(Matcher {
            normalizer,
            ac,
            pattern_infos,
            infos,
            set,
            regexes,
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
        if let Some(ac) = &self.ac {
            self.normalizer
                .normalize_into(text, Mode::Terms, &mut scratch.terms);
            let norm = scratch.terms.as_str();
            let bytes = norm.as_bytes();
            for m in ac.find_overlapping_iter(norm) {
                let (s, e) = (m.start(), m.end());
                let Some(range) = self.pattern_infos.get(m.pattern().as_usize()) else {
                    continue;
                };
                let first = norm[s..].chars().next().unwrap_or(' ');
                let last = norm[..e].chars().next_back().unwrap_or(' ');
                let left_ok = s == 0 || bytes[s - 1] == b' ' || unspaced(first);
                let right_ok = e == bytes.len() || bytes[e] == b' ' || unspaced(last);
                for info in &self.infos[range.start as usize..range.end as usize] {
                    if !(left_ok || info.open_start) || !(right_ok || info.open_end) {
                        continue;
                    }
                    // A wildcard match highlights the whole word it matched in.
                    let s = if info.open_start {
                        norm[..s].rfind(' ').map_or(0, |i| i + 1)
                    } else {
                        s
                    };
                    let e = if info.open_end {
                        norm[e..].find(' ').map_or(norm.len(), |i| e + i)
                    } else {
                        e
                    };
                    match info.role {
                        Role::Any => scratch.any.push((info.rule, s..e)),
                        Role::Unless => scratch.unless.push(info.rule),
                        Role::Near { clause, group } => {
                            scratch.near.push((info.rule, clause, group, s, s..e))
                        }
                    }
                }
            }
        }
        // Literal terms: first match per rule.
        scratch.any.sort_by_key(|(r, span)| (*r, span.start));
        let mut last_rule = u32::MAX;
        for i in 0..scratch.any.len() {
            let (r, ref span) = scratch.any[i];
            if r == last_rule {
                continue;
            }
            last_rule = r;
            if let Some(orig) = scratch.terms.original_span(span.clone()) {
                scratch.hits.push(RawHit {
                    rule: r,
                    kind: HitKind::Term,
                    span: orig,
                });
            }
        }
        // Proximity.
        if !scratch.near.is_empty() {
            self.find_near(scratch);
        }
        // Patterns.
        if let Some(set) = &self.set {
            self.normalizer
                .normalize_into(text, Mode::Patterns, &mut scratch.patterns);
            let norm = scratch.patterns.as_str();
            for i in set.matches(norm).iter() {
                let Some((r, re)) = self.regexes.get(i) else {
                    continue;
                };
                if scratch.hits.iter().any(|h| h.rule == *r) {
                    continue;
                }
                if let Some(m) = re.find(norm) {
                    if m.start() == m.end() {
                        continue;
                    }
                    if let Some(orig) = scratch.patterns.original_span(m.start()..m.end()) {
                        scratch.hits.push(RawHit {
                            rule: *r,
                            kind: HitKind::Pattern,
                            span: orig,
                        });
                    }
                }
            }
        }
        if !scratch.unless.is_empty() {
            let unless = &scratch.unless;
            scratch.hits.retain(|h| !unless.contains(&h.rule));
        }
        scratch.hits.sort_by_key(|h| h.rule);
        scratch.hits.dedup_by_key(|h| h.rule);
    }

    fn find_near(&self, scratch: &mut Scratch) {
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
        scratch.near.sort_by_key(|(r, c, _, w, _)| (*r, *c, *w));
        let near = &scratch.near;
        let mut i = 0;
        while i < near.len() {
            let (r, c) = (near[i].0, near[i].1);
            let mut j = i;
            while j < near.len() && near[j].0 == r && near[j].1 == c {
                j += 1;
            }
            let done = scratch.hits.iter().any(|h| h.rule == r);
            if !done {
                let groups = usize::from(self.near_groups[r as usize][c as usize]);
                let within = self.near_within[r as usize][c as usize] as usize;
                if let Some((a, b)) = min_window(&near[i..j], groups, within) {
                    let lo = near[i + a..=i + b].iter().map(|x| x.4.start).min().unwrap_or(0);
                    let hi = near[i + a..=i + b].iter().map(|x| x.4.end).max().unwrap_or(0);
                    if let Some(orig) = scratch.terms.original_span(lo..hi) {
                        scratch.hits.push(RawHit {
                            rule: r,
                            kind: HitKind::Near,
                            span: orig,
                        });
                    }
                }
            }
            i = j;
        }
    }

    pub(crate) fn rule_count(&self) -> usize {
        self.rule_count
    }
}

/// The first window (indices into `occ`, sorted by word) holding every group with a word distance
/// of at most `within`.
fn min_window(
    occ: &[(u32, u16, u16, usize, Range<usize>)],
    groups: usize,
    within: usize,
) -> Option<(usize, usize)> {
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
