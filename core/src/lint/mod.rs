//! Policy lints: things that load and compile but are probably not what the author meant.
//!
//! [`lint`] checks a merged [`Policy`] (packs and overrides together) for:
//!
//! * [`LintKind::DuplicateTerm`] — two terms that normalize to the same skeleton, in one rule or
//!   in two enabled rules of the same category (they add up twice, or one is dead weight);
//! * [`LintKind::UnmatchableTerm`] — a term that can never make its rule fire: one of the rule's
//!   own `unless` phrases occurs inside it, or it normalizes differently inside a sentence than on
//!   its own;
//! * [`LintKind::InnerWildcard`] — a `*` inside a term, where it is not a wildcard;
//! * [`LintKind::UnmatchablePattern`] — a regex with characters the normalized text never
//!   contains (uppercase letters when case folding is on, accents, lookalike letters, invisible
//!   characters), or one that matches the empty string (empty matches are ignored);
//! * [`LintKind::ShadowedRule`] — a rule that can only fire together with another rule of the
//!   same category with at least its weight: it never adds a signal of its own;
//! * [`LintKind::InertRule`] — an enabled rule that never changes a score or a level;
//! * [`LintKind::UnusedCategory`] and [`LintKind::UnusedStage`] — a category no enabled rule
//!   uses, a stage no category evidences;
//! * [`LintKind::UnknownWord`] — a `when` list that names a channel or relationship word that is
//!   neither a kind nor a word of the policy's `[metadata]` tables (a typo, or a platform word
//!   the policy forgot to map).
//!
//! [`lint_vocabulary`] checks a policy against a platform's own vocabulary ([`Vocabulary`]: the
//! channel and relationship words its messages use) for [`LintKind::UnmappedWord`] — a word the
//! policy does not map, which would be scored as `unknown`.
//!
//! ```
//! let policy = vigil::Policy::builder()
//!     .add_shipped().unwrap()
//!     .add_toml("acme.toml", r#"
//!         [[override]]
//!         rule = "en.secrecy.dont-tell"
//!         add_any = ["DON'T  TELL your parents"]
//!     "#).unwrap()
//!     .build().unwrap();
//! let warnings = vigil::lint::lint(&policy);
//! let w = warnings.iter().find(|w| w.kind == vigil::lint::LintKind::DuplicateTerm).unwrap();
//! assert_eq!(w.rule.as_deref(), Some("en.secrecy.dont-tell"));
//! assert!(w.to_string().contains("warning[duplicate-term]"), "{w}");
//! ```

use std::collections::HashMap;
use std::fmt;

use regex::RegexBuilder;
use serde::Serialize;

use crate::explain::TermForm;
use crate::normalize::{Mode, Normalizer};
use crate::policy::model::{Condition, Rule};
use crate::policy::Policy;

/// What a lint found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LintKind {
    /// Two terms normalize to the same skeleton (in one rule, or in two rules of one category).
    DuplicateTerm,
    /// A term can never make its rule fire.
    UnmatchableTerm,
    /// A `*` inside a term: only a leading or trailing `*` is a wildcard.
    InnerWildcard,
    /// A regex pattern (or part of it) can never match the normalized text.
    UnmatchablePattern,
    /// A rule only ever fires together with another rule of its category of at least its weight.
    ShadowedRule,
    /// An enabled rule that never changes a score or a level.
    InertRule,
    /// A category no enabled rule uses.
    UnusedCategory,
    /// A stage no category evidences.
    UnusedStage,
    /// A `when` names a channel or relationship word that is neither a kind nor mapped.
    UnknownWord,
    /// A word of the platform's vocabulary that no policy layer maps.
    UnmappedWord,
}

impl LintKind {
    /// The kind's name, as printed (`duplicate-term`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LintKind::DuplicateTerm => "duplicate-term",
            LintKind::UnmatchableTerm => "unmatchable-term",
            LintKind::InnerWildcard => "inner-wildcard",
            LintKind::UnmatchablePattern => "unmatchable-pattern",
            LintKind::ShadowedRule => "shadowed-rule",
            LintKind::InertRule => "inert-rule",
            LintKind::UnusedCategory => "unused-category",
            LintKind::UnusedStage => "unused-stage",
            LintKind::UnknownWord => "unknown-word",
            LintKind::UnmappedWord => "unmapped-word",
        }
    }
}

impl fmt::Display for LintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a warning points: the policy source, and the line and column when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LintLocation {
    /// The source the item was loaded from (a file path or `policies/NAME.toml`).
    pub source: String,
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl fmt::Display for LintLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        Ok(())
    }
}

/// One lint warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct LintWarning {
    /// What was found.
    pub kind: LintKind,
    /// The rule concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The term or pattern concerned, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// The category or stage concerned, for the `unused-*` kinds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// What is wrong, in plain words.
    pub message: String,
    /// Where.
    pub location: LintLocation,
}

impl fmt::Display for LintWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: warning[{}]: {}", self.location, self.kind, self.message)
    }
}

struct Linter<'a> {
    policy: &'a Policy,
    normalizer: Normalizer,
    out: Vec<LintWarning>,
}

impl Linter<'_> {
    fn rule_warning(&mut self, kind: LintKind, ri: usize, field: &str, term: Option<&str>, message: String) {
        let loc = self.policy.rule_location(ri, field, term);
        self.out.push(LintWarning {
            kind,
            rule: self.policy.rules().get(ri).map(|r| r.id.clone()),
            term: term.map(str::to_string),
            item: None,
            message,
            location: LintLocation {
                source: loc.source,
                line: loc.line,
                column: loc.column,
            },
        });
    }

    fn item_warning(&mut self, kind: LintKind, what: &str, id: &str, message: String) {
        let loc = self.policy.item_location(what, id, "id");
        self.out.push(LintWarning {
            kind,
            rule: None,
            term: None,
            item: Some(format!("{what} `{id}`")),
            message,
            location: LintLocation {
                source: loc.source,
                line: loc.line,
                column: loc.column,
            },
        });
    }

    fn form(&self, term: &str) -> TermForm {
        TermForm::of(&self.normalizer, term)
    }

    /// Whether two terms with one skeleton match different texts: both are written plainly (no
    /// word-level evasion in their own spelling) and read differently in the plain view, so the
    /// matcher tells them apart (`tell` and `tel`; but `qu1et` only repeats `quiet`).
    fn distinct(&self, a: &str, b: &str) -> bool {
        let plain = self.normalizer.plain();
        let (a, b) = (TermForm::core(a), TermForm::core(b));
        self.normalizer.word_evasion(a).is_none()
            && self.normalizer.word_evasion(b).is_none()
            && plain.normalize(a, Mode::Terms).as_str() != plain.normalize(b, Mode::Terms).as_str()
    }
}

/// Lints a policy. The warnings come in policy order (rules, then categories, then stages, then
/// metadata words of `when` lists).
pub fn lint(policy: &Policy) -> Vec<LintWarning> {
    let mut l = Linter {
        policy,
        normalizer: Normalizer::new(policy.normalize_options()),
        out: Vec::new(),
    };
    let rules = policy.rules();
    // Terms of each enabled rule, by category, for cross-rule duplicates: (form) -> (rule, term).
    let mut by_category: HashMap<(usize, &str, TermForm), (usize, &str)> = HashMap::new();
    for (ri, rule) in rules.iter().enumerate() {
        if !rule.enabled {
            continue;
        }
        lint_terms(&mut l, ri, rule, &mut by_category);
        lint_patterns(&mut l, ri, rule);
        lint_inert(&mut l, ri, rule);
    }
    lint_shadowed(&mut l);
    for c in policy.categories() {
        if !rules.iter().any(|r| r.enabled && r.category == c.id) {
            l.item_warning(
                LintKind::UnusedCategory,
                "category",
                &c.id,
                format!("category `{}` has no enabled rule: it can never be raised", c.id),
            );
        }
    }
    for s in policy.stages() {
        if !policy.categories().iter().any(|c| c.stage == s.id) {
            l.item_warning(
                LintKind::UnusedStage,
                "stage",
                &s.id,
                format!("stage `{}` is evidenced by no category", s.id),
            );
        }
    }
    lint_when_words(&mut l);
    l.out
}

/// The `when` lists of rules, modifiers and ceilings: each channel or relationship word must be
/// a kind or a word of the policy's `[metadata]` tables.
fn lint_when_words(l: &mut Linter<'_>) {
    let policy = l.policy;
    let meta = policy.metadata();
    let whens = policy
        .rules()
        .iter()
        .map(|r| ("rule", r.id.as_str(), &r.when))
        .chain(
            policy
                .modifiers()
                .iter()
                .map(|m| ("modifier", m.id.as_str(), &m.when)),
        )
        .chain(
            policy
                .ceilings()
                .iter()
                .map(|c| ("ceiling", c.id.as_str(), &c.when)),
        );
    for (what, id, when) in whens {
        for (field, words) in [("channel", &when.channel), ("relationship", &when.relationship)] {
            for w in words.iter() {
                let known = if field == "channel" {
                    meta.channel(w).mapped
                } else {
                    meta.relationship(w).mapped
                };
                if !known {
                    let loc = policy.item_location(what, id, "when");
                    l.out.push(LintWarning {
                        kind: LintKind::UnknownWord,
                        rule: (what == "rule").then(|| id.to_string()),
                        term: Some(w.clone()),
                        item: (what != "rule").then(|| format!("{what} `{id}`")),
                        message: format!(
                            "{what} `{id}` names the {field} `{w}`, which is neither a kind nor a word of \
                             [metadata.{field}]: it holds only for messages that write exactly `{w}` (map it, \
                             or check the spelling)"
                        ),
                        location: LintLocation {
                            source: loc.source,
                            line: loc.line,
                            column: loc.column,
                        },
                    });
                }
            }
        }
    }
}

/// A platform's own metadata words: the channel and relationship values its messages use, as
/// listed for [`lint_vocabulary`] (`vigil policy check --vocabulary FILE`, TOML or JSON).
///
/// ```toml
/// channel = ["game", "lobby", "whisper"]
/// relationship = ["friend", "follower"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Vocabulary {
    /// Channel words.
    #[serde(default)]
    pub channel: Vec<String>,
    /// Relationship words.
    #[serde(default)]
    pub relationship: Vec<String>,
}

impl Vocabulary {
    /// A vocabulary of the given words.
    pub fn new(channel: Vec<String>, relationship: Vec<String>) -> Vocabulary {
        Vocabulary {
            channel,
            relationship,
        }
    }
}

/// Checks a platform's vocabulary against a policy: every word the policy does not map (scored
/// as `unknown`) is an [`LintKind::UnmappedWord`] warning located in `source`, the vocabulary's
/// name.
///
/// ```
/// use vigil::lint::{lint_vocabulary, LintKind, Vocabulary};
/// let policy = vigil::Policy::shipped().unwrap();
/// let vocab = Vocabulary::new(vec!["lobby".into(), "arena".into()], vec!["friend".into()]);
/// let w = lint_vocabulary(&policy, &vocab, "platform.toml");
/// assert_eq!(w.len(), 1);
/// assert_eq!((w[0].kind, w[0].term.as_deref()), (LintKind::UnmappedWord, Some("arena")));
/// ```
pub fn lint_vocabulary(policy: &Policy, vocabulary: &Vocabulary, source: &str) -> Vec<LintWarning> {
    let meta = policy.metadata();
    let mut out = Vec::new();
    for (field, words) in [
        ("channel", &vocabulary.channel),
        ("relationship", &vocabulary.relationship),
    ] {
        for w in words {
            let mapped = if field == "channel" {
                meta.channel(w).mapped
            } else {
                meta.relationship(w).mapped
            };
            if !mapped && !w.trim().is_empty() {
                out.push(LintWarning {
                    kind: LintKind::UnmappedWord,
                    rule: None,
                    term: Some(w.clone()),
                    item: None,
                    message: format!(
                        "the platform's {field} `{w}` is not mapped by the policy: its messages are scored as \
                         `unknown` (list it under [metadata.{field}] in a layer)"
                    ),
                    location: LintLocation {
                        source: source.to_string(),
                        line: None,
                        column: None,
                    },
                });
            }
        }
    }
    out
}

fn lint_terms<'p>(
    l: &mut Linter<'_>,
    ri: usize,
    rule: &'p Rule,
    by_category: &mut HashMap<(usize, &'p str, TermForm), (usize, &'p str)>,
) {
    // Duplicates across rules are checked within one layer: packs of different languages may
    // share words (loanwords, app names) and must not have to drop them for each other.
    let layer = l.policy.rule_layer(ri);
    let unless: Vec<(TermForm, &str)> = rule.unless.iter().map(|u| (l.form(u), u.as_str())).collect();
    let mut seen: HashMap<TermForm, &str> = HashMap::new();
    let mut check = |l: &mut Linter<'_>, term: &'p str, field: &str, group: Option<usize>| {
        let form = l.form(term);
        if form.skeleton.is_empty() {
            return;
        }
        let core = TermForm::core(term);
        if core.contains('*') {
            l.rule_warning(
                LintKind::InnerWildcard,
                ri,
                field,
                Some(term),
                format!(
                    "term {term:?} of rule `{}` has a `*` inside: only a leading or trailing `*` is a \
                     wildcard; inside a term it separates words",
                    rule.id
                ),
            );
        }
        // The same skeleton twice in the rule (per near group for `near`).
        let key = TermForm {
            skeleton: match group {
                Some(g) => format!("{g}\u{0}{}", form.skeleton),
                None => form.skeleton.clone(),
            },
            ..form.clone()
        };
        if let Some(first) = seen.get(&key).filter(|first| !l.distinct(first, term)) {
            l.rule_warning(
                LintKind::DuplicateTerm,
                ri,
                field,
                Some(term),
                format!(
                    "term {term:?} of rule `{}` normalizes to {:?}, like {first:?} in the same rule",
                    rule.id,
                    form.display()
                ),
            );
        } else {
            seen.insert(key, term);
        }
        // Cancelled by the rule's own `unless`.
        if let Some((_, phrase)) = unless.iter().find(|(u, _)| form.implies(u)) {
            l.rule_warning(
                LintKind::UnmatchableTerm,
                ri,
                field,
                Some(term),
                format!(
                    "term {term:?} of rule `{}` can never fire: the rule's own `unless` phrase {phrase:?} \
                     occurs in every text it matches",
                    rule.id
                ),
            );
        }
        // Normalized differently inside a sentence than on its own.
        let in_sentence = l.normalizer.normalize(&format!("zq {core} zq"), Mode::Terms);
        let plain = TermForm {
            open_start: false,
            open_end: false,
            ..form.clone()
        };
        if plain.find_in(in_sentence.as_str()).is_empty() {
            l.rule_warning(
                LintKind::UnmatchableTerm,
                ri,
                field,
                Some(term),
                format!(
                    "term {term:?} of rule `{}` normalizes to {:?} on its own but to {:?} inside a \
                     sentence, so it never matches",
                    rule.id,
                    form.skeleton,
                    in_sentence
                        .as_str()
                        .trim_start_matches("zq ")
                        .trim_end_matches(" zq")
                ),
            );
        }
        if field == "any" {
            match by_category.get(&(layer, rule.category.as_str(), form.clone())) {
                Some(&(other, other_term)) if other != ri && !l.distinct(other_term, term) => {
                    let other_id = l
                        .policy
                        .rules()
                        .get(other)
                        .map_or("", |r| r.id.as_str())
                        .to_string();
                    l.rule_warning(
                        LintKind::DuplicateTerm,
                        ri,
                        field,
                        Some(term),
                        format!(
                            "term {term:?} of rule `{}` normalizes to {:?}, like {other_term:?} of rule \
                             `{other_id}` in the same category `{}`: a message with it counts for both",
                            rule.id,
                            form.display(),
                            rule.category
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    by_category.insert((layer, rule.category.as_str(), form), (ri, term));
                }
            }
        }
    };
    for t in &rule.any {
        check(l, t, "any", None);
    }
    let mut g = 0;
    for near in &rule.near {
        for group in &near.terms {
            for t in group {
                check(l, t, "near", Some(g));
            }
            g += 1;
        }
    }
}

/// Characters of a regex's literal text (outside escapes, classes and group flags or names) that
/// normalization changes. Patterns in verbose mode (`(?x)`) are not checked.
fn altered_literals(normalizer: &Normalizer, pattern: &str) -> Vec<(char, String)> {
    let mut out: Vec<(char, String)> = Vec::new();
    let mut case_insensitive = false;
    let mut chars = pattern.chars().peekable();
    let mut class_depth = 0u32;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                // An escape: skip it (and a braced argument such as \p{Lu} or \x{200B}).
                if let Some(e) = chars.next() {
                    if matches!(e, 'p' | 'P' | 'x' | 'u' | 'U') && chars.peek() == Some(&'{') {
                        for d in chars.by_ref() {
                            if d == '}' {
                                break;
                            }
                        }
                    } else if matches!(e, 'p' | 'P') {
                        chars.next();
                    }
                }
            }
            '[' => class_depth += 1,
            ']' if class_depth > 0 => class_depth -= 1,
            _ if class_depth > 0 => {}
            '(' if chars.peek() == Some(&'?') => {
                // Flags or a group name: `(?i)`, `(?i:`, `(?:`, `(?P<name>`, `(?<name>`.
                let mut flags = String::new();
                for d in chars.by_ref() {
                    if matches!(d, ':' | ')' | '>') {
                        break;
                    }
                    flags.push(d);
                }
                if !flags.contains('<') {
                    let on = flags.split('-').next().unwrap_or("");
                    if on.contains('x') {
                        return Vec::new();
                    }
                    case_insensitive |= on.contains('i');
                }
            }
            _ => {
                let n = normalizer.normalize(&c.to_string(), Mode::Patterns);
                let n = n.as_str();
                let same = n == c.to_string()
                    || (case_insensitive && n == c.to_lowercase().to_string())
                    || (c.is_ascii() && !c.is_ascii_alphanumeric());
                if !same && !out.iter().any(|(x, _)| *x == c) {
                    out.push((c, n.to_string()));
                }
            }
        }
    }
    out
}

fn lint_patterns(l: &mut Linter<'_>, ri: usize, rule: &Rule) {
    let limit = l.policy.scoring().regex_size_limit;
    for p in &rule.patterns {
        let altered = altered_literals(&l.normalizer, p);
        if !altered.is_empty() {
            let list = altered
                .iter()
                .map(|(c, n)| {
                    if n.is_empty() {
                        format!("{c:?} (removed)")
                    } else {
                        format!("{c:?} (becomes {n:?})")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            l.rule_warning(
                LintKind::UnmatchablePattern,
                ri,
                "patterns",
                Some(p),
                format!(
                    "pattern `{p}` of rule `{}` contains characters the normalized text never has: {list}; \
                     write them as normalization leaves them",
                    rule.id
                ),
            );
        }
        if let Ok(re) = RegexBuilder::new(p)
            .size_limit(limit)
            .dfa_size_limit(limit)
            .build()
        {
            let empty = ["", " ", "a", "1", "zq zq"]
                .iter()
                .any(|probe| re.find(probe).is_some_and(|m| m.start() == m.end()));
            if empty {
                l.rule_warning(
                    LintKind::UnmatchablePattern,
                    ri,
                    "patterns",
                    Some(p),
                    format!(
                        "pattern `{p}` of rule `{}` can match the empty string; empty matches are ignored, \
                         so it misses texts it seems to match",
                        rule.id
                    ),
                );
            }
        }
    }
}

fn lint_inert(l: &mut Linter<'_>, ri: usize, rule: &Rule) {
    let cap = l
        .policy
        .categories()
        .iter()
        .find(|c| c.id == rule.category)
        .and_then(|c| c.message_cap)
        .unwrap_or(f64::INFINITY);
    // A cue that scores nothing alone may be the part of an enabled combination.
    let part = l.policy.rules().iter().any(|r| {
        r.enabled
            && r.combine.as_ref().is_some_and(|c| {
                c.parts
                    .iter()
                    .flatten()
                    .any(|p| *p == rule.id || *p == rule.category)
            })
    });
    if rule.weight.min(cap) <= 0.0 && rule.level.is_none() && rule.discloses.is_none() && !part {
        let why = if rule.weight <= 0.0 {
            "its weight is 0".to_string()
        } else {
            format!("its category `{}` has a message_cap of 0", rule.category)
        };
        l.rule_warning(
            LintKind::InertRule,
            ri,
            "weight",
            None,
            format!(
                "rule `{}` never changes a score or a level: {why}, it has neither `level` nor `discloses`, and no combination names it",
                rule.id
            ),
        );
    }
}

/// `a` holds whenever `b` holds: every field of `a` is empty or a superset of `b`'s.
fn condition_covers(a: &Condition, b: &Condition) -> bool {
    fn covers<T: PartialEq>(a: &[T], b: &[T]) -> bool {
        a.is_empty() || (!b.is_empty() && b.iter().all(|x| a.contains(x)))
    }
    covers(&a.sender, &b.sender)
        && covers(&a.recipient, &b.recipient)
        && covers(&a.relationship, &b.relationship)
        && covers(&a.channel, &b.channel)
        && match (a.account_age_days_below, b.account_age_days_below) {
            (None, _) => true,
            (Some(x), Some(y)) => x >= y,
            (Some(_), None) => false,
        }
}

fn lint_shadowed(l: &mut Linter<'_>) {
    let rules = l.policy.rules();
    let forms: Vec<Vec<TermForm>> = rules
        .iter()
        .map(|r| r.any.iter().map(|t| l.form(t)).collect())
        .collect();
    let unless: Vec<Vec<TermForm>> = rules
        .iter()
        .map(|r| r.unless.iter().map(|t| l.form(t)).collect())
        .collect();
    // Whether rule `a` fires (and weighs at least as much) whenever rule `b` fires.
    let shadows = |ai: usize, bi: usize| -> bool {
        let (a, b) = (&rules[ai], &rules[bi]);
        ai != bi
            && a.enabled
            && b.enabled
            && !b.any.is_empty()
            && b.near.is_empty()
            && b.patterns.is_empty()
            && a.category == b.category
            && a.weight >= b.weight
            && a.level >= b.level
            && (b.discloses.is_none() || a.discloses == b.discloses)
            && condition_covers(&a.when, &b.when)
            // Every exception of `a` is an exception of `b` too.
            && unless[ai].iter().all(|u| unless[bi].contains(u))
            // Every term of `b` contains a term of `a`.
            && forms[bi].iter().all(|t| forms[ai].iter().any(|s| t.implies(s)))
    };
    let mut found = Vec::new();
    for bi in 0..rules.len() {
        // Mutual shadows are reported once, on the later rule.
        if let Some(ai) = (0..rules.len()).find(|&ai| shadows(ai, bi) && !(ai > bi && shadows(bi, ai))) {
            found.push((bi, rules[ai].id.clone()));
        }
    }
    for (bi, a) in found {
        let b = &rules[bi];
        l.rule_warning(
            LintKind::ShadowedRule,
            bi,
            "any",
            None,
            format!(
                "rule `{}` is shadowed by rule `{a}`: each of its terms contains a term of `{a}` (same \
                 category `{}`, weight {} ≥ {}), so it never fires alone and only adds its weight on \
                 top; merge it into `{a}` or remove it",
                b.id,
                b.category,
                crate::explain::fmt_num(rules.iter().find(|r| r.id == a).map_or(0.0, |r| r.weight)),
                crate::explain::fmt_num(b.weight)
            ),
        );
    }
}

#[cfg(test)]
mod tests;
