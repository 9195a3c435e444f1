//! Explanations: why a message scored what it scored, and how a conversation reached its level.
//!
//! Everything a policy author needs to understand a decision, as data (every type here is
//! `Serialize`, so the command line, the bindings and the WASM playground show the same thing):
//!
//! * [`explain_message`]: one message on its own — the normalized views of its text, each rule
//!   hit with the original and the normalized span and the term or pattern that matched, the
//!   rules that matched the text but were not counted (a `when` condition or an `unless`
//!   phrase), the per-category sum and cap, every modifier (applied or not, and why) and the
//!   arithmetic of the score;
//! * [`explain_conversation`]: a conversation replayed message by message through a real
//!   [`Tracker`], with each step's decay since the key's previous message, category points before
//!   and after, the stage bonus, the risk, the level and any escalation — and, when a step
//!   raises a sender escalation, the sender's arithmetic ([`SenderArithmetic`]).
//!
//! ```
//! use vigil::{AgeBand, Engine, Message, Participant, Relationship, Timestamp};
//!
//! let engine = Engine::default();
//! let msg = Message::new("c-1", "m-1", Timestamp::from_millis(0),
//!         Participant::new("u-9", AgeBand::Adult), "d0n'7 t e l l ur mom we talk")
//!     .with_recipient(Participant::new("u-4", AgeBand::Minor))
//!     .with_relationship(Relationship::Stranger);
//! let x = vigil::explain::explain_message(&engine, &msg);
//! let hit = &x.hits[0];
//! assert_eq!(hit.matched, "d0n'7 t e l l ur mom");      // what the user typed
//! assert_eq!(hit.normalized.as_deref(), Some("dont tei ur mom")); // what the rule saw
//! // The arithmetic adds up: capped category sums, times the modifiers.
//! let base: f64 = x.categories.iter().map(|c| c.capped).sum();
//! assert!((base * x.factor - x.score).abs() < 1e-6);
//! assert!(x.formula.ends_with(&vigil::explain::fmt_num(x.score)));
//! ```

mod probe;

pub(crate) use probe::TermForm;

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::engine::{round, round3, Assessment, DropReason, Engine, Span};
use crate::escalation::PolicyRef;
use crate::level::Level;
use crate::matcher::HitKind;
use crate::message::{AgeBand, Channel, Message, Relationship, Timestamp};
use crate::normalize::{Evasion, Mode};
use crate::policy::model::{Condition, Disclosure};
use crate::tracker::{Key, Tracker};

pub(crate) fn round3_opt<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) if v.is_finite() => s.serialize_some(&round(*v)),
        _ => s.serialize_none(),
    }
}

/// Formats a number for the arithmetic: at most three decimals, no trailing zeros.
///
/// ```
/// use vigil::explain::fmt_num;
/// assert_eq!(fmt_num(3.0), "3");
/// assert_eq!(fmt_num(3.12), "3.12");
/// assert_eq!(fmt_num(1.0 / 3.0), "0.333");
/// ```
pub fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return if v > 0.0 { "∞".into() } else { v.to_string() };
    }
    let s = format!("{:.3}", round(v));
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// The metadata a message was scored under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MessageContext {
    /// The sender's age band as scored (the platform's, or `minor` when the conversation knows the
    /// sender disclosed being a child).
    pub sender: AgeBand,
    /// The recipient's age band as scored (`unknown` without recipient and in group channels).
    pub recipient: AgeBand,
    /// The relationship.
    pub relationship: Relationship,
    /// The channel.
    pub channel: Channel,
    /// The platform's own words, when they are not kinds' names, and what they were scored as.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<crate::message::PlatformMetadata>,
    /// The message's relationship word as written (`when` lists may name it).
    #[serde(skip)]
    relationship_word: String,
    /// The message's channel word as written.
    #[serde(skip)]
    channel_word: String,
    /// The sender's account age, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_age_days: Option<u32>,
    /// The sender's band is `minor` because they disclosed it earlier in the conversation.
    pub sender_inferred_minor: bool,
    /// The recipient's band is `minor` because they disclosed it earlier in the conversation.
    pub recipient_inferred_minor: bool,
}

impl MessageContext {
    fn of(engine: &Engine, msg: &Message) -> MessageContext {
        let known = crate::engine::Context::of(engine.policy(), msg);
        MessageContext {
            sender: known.sender,
            recipient: if known.channel.is_shared() {
                AgeBand::Unknown
            } else {
                known.recipient
            },
            relationship: known.relationship,
            channel: known.channel,
            platform: engine.policy().metadata().platform_words(msg),
            relationship_word: msg.relationship.clone(),
            channel_word: msg.channel.clone(),
            account_age_days: msg.sender.account_age_days,
            sender_inferred_minor: false,
            recipient_inferred_minor: false,
        }
    }

    /// The conditions of `c` this context does not meet, in plain words (empty: all met).
    fn unmet(&self, c: &Condition) -> Vec<String> {
        let mut out = Vec::new();
        let list = |v: &[&str]| v.join(" or ");
        if !c.sender.is_empty() && !c.sender.contains(&self.sender) {
            let want: Vec<&str> = c.sender.iter().map(|b| b.as_str()).collect();
            out.push(format!("sender is {} (needs {})", self.sender, list(&want)));
        }
        if !c.recipient.is_empty() && !c.recipient.contains(&self.recipient) {
            let want: Vec<&str> = c.recipient.iter().map(|b| b.as_str()).collect();
            out.push(format!("recipient is {} (needs {})", self.recipient, list(&want)));
        }
        let said = |kind: &str, word: &str| {
            if word.is_empty() || word == kind {
                kind.to_string()
            } else {
                format!("{kind} (\"{word}\")")
            }
        };
        let (rel, rel_word) = (self.relationship.as_str(), self.relationship_word.as_str());
        if !crate::engine::names(&c.relationship, rel, rel_word) {
            let want: Vec<&str> = c.relationship.iter().map(String::as_str).collect();
            out.push(format!(
                "relationship is {} (needs {})",
                said(rel, rel_word),
                list(&want)
            ));
        }
        let (chan, chan_word) = (self.channel.as_str(), self.channel_word.as_str());
        if !crate::engine::names(&c.channel, chan, chan_word) {
            let want: Vec<&str> = c.channel.iter().map(String::as_str).collect();
            out.push(format!(
                "channel is {} (needs {})",
                said(chan, chan_word),
                list(&want)
            ));
        }
        if let Some(d) = c.account_age_days_below {
            match self.account_age_days {
                Some(a) if a < d => {}
                Some(a) => out.push(format!("account is {a} days old (needs under {d})")),
                None => out.push(format!("account age is unknown (needs under {d} days)")),
            }
        }
        out
    }
}

/// The two normalized views of a text the rules run on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NormalizedViews {
    /// The skeleton literal terms (`any`, `near`, `unless`) are matched on.
    pub terms: String,
    /// The lightly normalized text regex `patterns` run on.
    pub patterns: String,
}

/// Which view of a text a match was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchView {
    /// The plain words (case, diacritics and character-level lookalikes undone): the term as
    /// written.
    Plain,
    /// Only the lossy skeleton (leetspeak, spaced or stretched letters undone), which counts
    /// where the original text shows such an evasion.
    Skeleton,
    /// The lightly normalized text regex patterns run on.
    Patterns,
}

impl MatchView {
    /// The view of a hit.
    pub fn of(kind: HitKind, evasion: Option<Evasion>) -> MatchView {
        match (kind, evasion) {
            (HitKind::Pattern, _) => MatchView::Patterns,
            (_, Some(e)) if e.is_word_level() => MatchView::Skeleton,
            _ => MatchView::Plain,
        }
    }
}

/// One rule that fired and counted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct HitExplanation {
    /// Rule id.
    pub rule: String,
    /// Category id.
    pub category: String,
    /// How it matched.
    pub kind: HitKind,
    /// The rule's weight.
    #[serde(serialize_with = "round3")]
    pub weight: f64,
    /// The rule's description, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Byte span of the original text.
    pub span: Span,
    /// The original text of the span: what the user typed.
    pub matched: String,
    /// Byte span in the normalized view the rule ran on (`terms` for terms and `near`,
    /// `patterns` for patterns), when it could be traced.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized_span: Option<Span>,
    /// The normalized text of that span: what the rule saw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<String>,
    /// The term(s) or pattern that matched, as written in the policy; for a combination, the
    /// ids of the rules whose hits it combined (in this message or the key's earlier ones).
    pub by: Vec<String>,
    /// The view of the text the match was found in.
    pub view: MatchView,
    /// The evasion the original text shows where it matched: for a match of the
    /// [`MatchView::Skeleton`] it is what allowed the match to count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evasion: Option<Evasion>,
    /// The level the rule forces, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forces_level: Option<Level>,
    /// The rule says the sender disclosed being a child.
    pub discloses_minor: bool,
}

/// Why a rule that matched the text did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotCountedReason {
    /// The rule's `when` conditions do not hold for this message's metadata.
    When {
        /// Each unmet condition in plain words.
        unmet: Vec<String>,
    },
    /// A heavier rule of the same category matched overlapping words (the same words count once
    /// per category).
    Overlap {
        /// The rule that counted those words.
        by: String,
    },
    /// The rule's pack is for a language not plausible for this message or its conversation
    /// (language scoping).
    Language {
        /// The languages of the rule's pack (ISO 639-1 codes).
        pack: Vec<String>,
    },
    /// An `unless` phrase of the rule occurs in the message.
    Unless {
        /// The exception phrase as written in the policy.
        phrase: String,
        /// Where it occurs in the original text.
        span: Option<Span>,
    },
}

/// A rule that matched the text but did not count.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NotCounted {
    /// Rule id.
    pub rule: String,
    /// Category id.
    pub category: String,
    /// What it would have matched in the original text, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
    /// The original text of that span.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched: Option<String>,
    /// Why it did not count.
    pub reason: NotCountedReason,
}

/// A rule's weight in a category sum.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct RuleWeight {
    /// Rule id.
    pub rule: String,
    /// Its weight.
    #[serde(serialize_with = "round3")]
    pub weight: f64,
}

/// One category's share of a message score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CategoryArithmetic {
    /// Category id.
    pub category: String,
    /// Its stage.
    pub stage: String,
    /// The rules that fired in it.
    pub rules: Vec<RuleWeight>,
    /// The sum of their weights.
    #[serde(serialize_with = "round3")]
    pub sum: f64,
    /// The category's `message_cap`, if any.
    #[serde(serialize_with = "round3_opt")]
    pub message_cap: Option<f64>,
    /// `min(sum, message_cap)`.
    #[serde(serialize_with = "round3")]
    pub capped: f64,
    /// The product of the applied modifiers.
    #[serde(serialize_with = "round3")]
    pub factor: f64,
    /// `capped × factor`: the points the message adds to the category.
    #[serde(serialize_with = "round3")]
    pub score: f64,
}

/// A modifier of the policy and whether it applied to the message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ModifierCheck {
    /// Modifier id.
    pub id: String,
    /// Its description, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its factor.
    #[serde(serialize_with = "round3")]
    pub factor: f64,
    /// Whether it applied.
    pub applied: bool,
    /// Why not, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Points a category holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CategoryPoints {
    /// Category id.
    pub category: String,
    /// Points.
    #[serde(serialize_with = "round3")]
    pub points: f64,
}

/// What the message alone would do to a fresh conversation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Alone {
    /// Points per category after the `conversation_cap`.
    pub categories: Vec<CategoryPoints>,
    /// Stage bonus from the stages of this one message.
    #[serde(serialize_with = "round3")]
    pub stage_bonus: f64,
    /// The risk.
    #[serde(serialize_with = "round3")]
    pub risk: f64,
    /// The level by the thresholds, or a forced level if higher.
    pub level: Option<Level>,
}

/// Everything about one message's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct MessageExplanation {
    /// The conversation.
    pub conversation_id: String,
    /// The message.
    pub message_id: String,
    /// The original text.
    pub text: String,
    /// The text was longer than the policy's `max_message_bytes` and was assessed up to it.
    pub truncated: bool,
    /// The metadata it was scored under.
    pub context: MessageContext,
    /// The normalized views.
    pub normalized: NormalizedViews,
    /// Rules that fired and counted, in policy order.
    pub hits: Vec<HitExplanation>,
    /// Rules that matched the text but did not count.
    pub not_counted: Vec<NotCounted>,
    /// Per-category arithmetic, in policy order.
    pub categories: Vec<CategoryArithmetic>,
    /// Every enabled modifier, applied or not (only evaluated when some rule fired).
    pub modifiers: Vec<ModifierCheck>,
    /// Sum of the capped category sums.
    #[serde(serialize_with = "round3")]
    pub base_score: f64,
    /// Product of the applied modifiers.
    #[serde(serialize_with = "round3")]
    pub factor: f64,
    /// The message score: `base_score × factor`.
    #[serde(serialize_with = "round3")]
    pub score: f64,
    /// The score's arithmetic in one line, such as `(min(12 + 15, 20) + 20) × 2 = 80`.
    pub formula: String,
    /// The highest level a fired rule forces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced_level: Option<Level>,
    /// A fired rule says the sender disclosed being a child.
    pub discloses_minor: bool,
    /// What this message alone would do to a fresh conversation.
    pub alone: Alone,
}

/// Explains one message on its own (no conversation state: no decay, no fan-out, no inferred
/// ages), exactly as [`Engine::assess`] scores it.
///
/// A message on its own has no conversation whose languages would scope the packs: every pack
/// applies, as in [`Engine::assess`].
pub fn explain_message(engine: &Engine, msg: &Message) -> MessageExplanation {
    let assessment = engine.assess(msg);
    build(engine, msg, MessageContext::of(engine, msg), &assessment, false)
}

/// Builds the explanation of an assessment made under `ctx`.
fn build(
    engine: &Engine,
    msg: &Message,
    ctx: MessageContext,
    a: &Assessment,
    in_conversation: bool,
) -> MessageExplanation {
    let policy = engine.policy();
    let (text, truncated) = probe::truncate(&msg.text, policy.scoring().max_message_bytes);
    let n = engine.normalizer();
    let terms = n.normalize(text, Mode::Terms);
    let patterns = n.normalize(text, Mode::Patterns);
    let slice = |s: Span| text.get(s.start..s.end).unwrap_or("").to_string();

    // Everything below is read off what the engine recorded while it scored the message: the
    // term or pattern behind each hit and where it matched in the normalized view, the rules that
    // matched but did not count and why.
    let normalized = |kind: HitKind, norm: &std::ops::Range<usize>| {
        let view = if kind == HitKind::Pattern {
            &patterns
        } else {
            &terms
        };
        view.as_str().get(norm.clone()).map(str::to_string)
    };
    let sources = |kind: HitKind, by: &crate::matcher::By| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for &i in by.items.iter() {
            if let Some(t) = engine.source_text(kind, i) {
                if !out.iter().any(|o| o == t) {
                    out.push(t.to_string());
                }
            }
        }
        out
    };
    let hits: Vec<HitExplanation> = a
        .hits
        .iter()
        .map(|h| {
            let rule = policy.rules().get(h.rule_index as usize);
            HitExplanation {
                rule: h.rule.to_string(),
                category: h.category.to_string(),
                kind: h.kind,
                weight: h.weight,
                description: rule.and_then(|r| r.description.clone()),
                span: h.span,
                matched: slice(h.span),
                normalized: (h.kind != HitKind::Combination)
                    .then(|| normalized(h.kind, &h.by.norm))
                    .flatten(),
                normalized_span: (h.kind != HitKind::Combination).then(|| to_span(&h.by.norm)),
                by: sources(h.kind, &h.by),
                view: MatchView::of(h.kind, h.evasion),
                evasion: h.evasion,
                forces_level: rule.and_then(|r| r.level),
                discloses_minor: rule.is_some_and(|r| r.discloses == Some(Disclosure::Minor)),
            }
        })
        .collect();

    let mut not_counted = Vec::new();
    for d in &a.not_counted {
        let Some(rule) = policy.rules().get(d.hit.rule as usize) else {
            continue;
        };
        let span = to_span(&d.hit.span);
        let reason = match &d.why {
            DropReason::When => NotCountedReason::When {
                unmet: ctx.unmet(&rule.when),
            },
            DropReason::Overlap(by) => NotCountedReason::Overlap {
                by: policy
                    .rules()
                    .get(*by as usize)
                    .map_or(String::new(), |r| r.id.clone()),
            },
            DropReason::Language => NotCountedReason::Language {
                pack: policy
                    .layers()
                    .get(policy.rule_layer(d.hit.rule as usize))
                    .map(|m| m.languages.clone())
                    .unwrap_or_default(),
            },
            DropReason::Unless(veto) => NotCountedReason::Unless {
                phrase: veto
                    .as_ref()
                    .and_then(|v| engine.source_text(HitKind::Term, v.info))
                    .unwrap_or("")
                    .to_string(),
                span: veto
                    .as_ref()
                    .and_then(|v| terms.original_span(v.norm.clone()))
                    .map(|r| to_span(&r)),
            },
        };
        not_counted.push(NotCounted {
            rule: rule.id.clone(),
            category: rule.category.clone(),
            span: Some(span),
            matched: Some(slice(span)),
            reason,
        });
    }

    // The arithmetic.
    let factor = if a.hits.is_empty() { 1.0 } else { a.factor };
    let mut categories = Vec::new();
    for cs in &a.categories {
        let cat = engine.categories.get(usize::from(cs.index));
        let rules: Vec<RuleWeight> = a
            .hits
            .iter()
            .filter(|h| h.category == cs.category)
            .map(|h| RuleWeight {
                rule: h.rule.to_string(),
                weight: h.weight,
            })
            .collect();
        let (sum, capped) = (cs.sum, cs.capped);
        let cap = cat.map(|c| c.message_cap).filter(|c| c.is_finite());
        categories.push(CategoryArithmetic {
            category: cs.category.to_string(),
            stage: cs.stage.to_string(),
            rules,
            sum,
            message_cap: cap,
            capped,
            factor,
            score: cs.score,
        });
    }
    let modifiers = modifier_checks(engine, &ctx, a, in_conversation);
    let formula = formula(&categories, a);

    // Alone: what a fresh conversation key makes of this message (the tracker's arithmetic).
    let t = crate::tracker::trace_alone(engine, msg, a);
    let alone = Alone {
        categories: t
            .after
            .iter()
            .filter_map(|&(ci, points)| {
                Some(CategoryPoints {
                    category: engine.categories.get(usize::from(ci))?.id.to_string(),
                    points,
                })
            })
            .collect(),
        stage_bonus: t.stage_bonus,
        risk: t.risk,
        level: t.level,
    };

    MessageExplanation {
        conversation_id: msg.conversation_id.clone(),
        message_id: msg.message_id.clone(),
        text: msg.text.clone(),
        truncated,
        context: ctx,
        normalized: NormalizedViews {
            terms: terms.as_str().to_string(),
            patterns: patterns.as_str().to_string(),
        },
        hits,
        not_counted,
        categories,
        modifiers,
        base_score: a.base_score,
        factor,
        score: a.score,
        formula,
        forced_level: a.forced_level,
        discloses_minor: a.discloses_minor,
        alone,
    }
}

fn formula(categories: &[CategoryArithmetic], a: &Assessment) -> String {
    if categories.is_empty() {
        return "0".into();
    }
    let parts: Vec<String> = categories
        .iter()
        .map(|c| {
            let sum = c
                .rules
                .iter()
                .map(|r| fmt_num(r.weight))
                .collect::<Vec<_>>()
                .join(" + ");
            match c.message_cap {
                Some(cap) if c.sum > cap => format!("min({sum}, {})", fmt_num(cap)),
                _ => sum,
            }
        })
        .collect();
    let sum = parts.join(" + ");
    let compound = parts.len() > 1 || (!sum.starts_with("min(") && sum.contains(" + "));
    let mut s = if compound && !a.modifiers.is_empty() {
        format!("({sum})")
    } else {
        sum
    };
    for m in &a.modifiers {
        s.push_str(&format!(" × {}", fmt_num(m.factor)));
    }
    let result = fmt_num(a.score);
    if s != result {
        s.push_str(&format!(" = {result}"));
    }
    s
}

fn modifier_checks(
    engine: &Engine,
    ctx: &MessageContext,
    a: &Assessment,
    in_conversation: bool,
) -> Vec<ModifierCheck> {
    engine
        .policy()
        .modifiers()
        .iter()
        .enumerate()
        .filter(|(_, m)| m.enabled)
        .map(|(i, m)| {
            let applied = a.modifiers.iter().any(|am| usize::from(am.index) == i);
            let reason = if applied {
                None
            } else if a.hits.is_empty() {
                Some("no rule fired".to_string())
            } else {
                let unmet = ctx.unmet(&m.when);
                if !unmet.is_empty() {
                    Some(unmet.join("; "))
                } else if let Some(f) = &m.fan_out {
                    Some(if in_conversation {
                        format!(
                            "the sender wrote risky messages to fewer than {} distinct minors within {}",
                            f.min, f.window
                        )
                    } else {
                        "fan-out is only known over conversations (explain a conversation instead)"
                            .to_string()
                    })
                } else {
                    Some("conditions not met".to_string())
                }
            };
            ModifierCheck {
                id: m.id.clone(),
                description: m.description.clone(),
                factor: m.multiply,
                applied,
                reason,
            }
        })
        .collect()
}

fn to_span(r: &std::ops::Range<usize>) -> Span {
    Span {
        start: r.start,
        end: r.end,
    }
}

/// The policy thresholds, by name.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Thresholds {
    /// Risk at which a conversation is worth watching.
    #[serde(serialize_with = "round3")]
    pub watch: f64,
    /// Risk at which a moderator should review it.
    #[serde(serialize_with = "round3")]
    pub review: f64,
    /// Risk at which it is urgent.
    #[serde(serialize_with = "round3")]
    pub urgent: f64,
}

impl Thresholds {
    /// The thresholds of an engine's policy.
    pub fn of(engine: &Engine) -> Thresholds {
        let l = engine.policy().scoring().levels;
        Thresholds {
            watch: l[0],
            review: l[1],
            urgent: l[2],
        }
    }

    /// The threshold of a level.
    pub fn get(&self, level: Level) -> f64 {
        match level {
            Level::Watch => self.watch,
            Level::Review => self.review,
            Level::Urgent => self.urgent,
        }
    }
}

/// One category of a conversation key across one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CategoryStep {
    /// Category id.
    pub category: String,
    /// Its stage.
    pub stage: String,
    /// Points held after the key's previous message.
    #[serde(serialize_with = "round3")]
    pub before: f64,
    /// Those points decayed to this message's time (dropped under 0.001).
    #[serde(serialize_with = "round3")]
    pub decayed: f64,
    /// Points this message adds (its category score).
    #[serde(serialize_with = "round3")]
    pub added: f64,
    /// The category's `conversation_cap`, if any.
    #[serde(serialize_with = "round3_opt")]
    pub conversation_cap: Option<f64>,
    /// Points held after this message: `min(decayed + added, conversation_cap)`.
    #[serde(serialize_with = "round3")]
    pub after: f64,
}

/// An escalation raised at a step, in short.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct EscalationSummary {
    /// 1 for the key's first escalation, then 2, 3, …
    pub sequence: u32,
    /// The level.
    pub level: Level,
    /// The previous escalation's level.
    pub previous_level: Option<Level>,
    /// Reasons in plain words.
    pub reasons: Vec<String>,
    /// Categories holding points, strongest first.
    pub categories: Vec<String>,
}

/// The arithmetic of a sender escalation raised at a step (`scope: "sender"`): each
/// conversation of the sender's case, the points its highest level earns under the policy's
/// [`Senders`](crate::policy::Senders), times the factor of its relationship; the total; and
/// the sender levels it is measured against. The conversations and their points are the
/// escalation's own.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SenderArithmetic {
    /// The sender's case reference.
    pub case: Option<String>,
    /// The sender.
    pub sender: String,
    /// 1 for the case's first escalation, then 2, 3, …
    pub sequence: u32,
    /// The sender level.
    pub level: Level,
    /// The level of the case's previous escalation.
    pub previous_level: Option<Level>,
    /// The conversations that count, as the escalation lists them.
    pub conversations: Vec<SenderConversationPoints>,
    /// The sender's points: the conversations' points added up.
    #[serde(serialize_with = "round3")]
    pub points: f64,
    /// Distinct minors among the conversations' recipients.
    pub minors: u32,
    /// Distinct minors needed before the case has a level.
    pub min_minors: u32,
    /// The policy's sender levels (thresholds on the sender's points).
    pub levels: Thresholds,
    /// How long a conversation counts after its last risky message, in milliseconds.
    pub window_ms: i64,
    /// The escalation's reasons in plain words.
    pub reasons: Vec<String>,
    /// What the policy recommends for the sender at this level.
    pub recommended_action: Option<String>,
}

/// One conversation of a sender's case, in the sender's arithmetic.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SenderConversationPoints {
    /// The conversation.
    pub conversation_id: String,
    /// Its recipient (absent in group and public channels).
    pub recipient: Option<String>,
    /// The recipient counts as a minor.
    pub minor: bool,
    /// The highest level the conversation reached (`None`: risky messages below `watch`).
    pub level: Option<Level>,
    /// The points the policy gives that level.
    #[serde(serialize_with = "round3")]
    pub level_points: f64,
    /// The relationship of the sender's last risky message in it.
    pub relationship: Relationship,
    /// The policy's factor for that relationship (1 where not listed).
    #[serde(serialize_with = "round3")]
    pub factor: f64,
    /// The conversation's points in the escalation: `level_points × factor`.
    #[serde(serialize_with = "round3")]
    pub points: f64,
}

impl SenderArithmetic {
    /// The arithmetic of sender escalation `e` under `engine`'s policy; `relationship` gives the
    /// relationship a conversation key (conversation, recipient) counts with.
    fn of(
        engine: &Engine,
        e: &crate::Escalation,
        relationship: impl Fn(&str, Option<&str>) -> Relationship,
    ) -> SenderArithmetic {
        let s = engine.policy().senders();
        let mut minors: Vec<&str> = Vec::new();
        let conversations = e
            .conversations
            .iter()
            .map(|c| {
                if c.minor {
                    let who = c.recipient.as_deref().unwrap_or(&c.conversation_id);
                    if !minors.contains(&who) {
                        minors.push(who);
                    }
                }
                let rel = relationship(&c.conversation_id, c.recipient.as_deref());
                SenderConversationPoints {
                    conversation_id: c.conversation_id.clone(),
                    recipient: c.recipient.clone(),
                    minor: c.minor,
                    level: c.level,
                    level_points: s.points_for(c.level),
                    relationship: rel,
                    factor: s.factor(rel),
                    points: c.points,
                }
            })
            .collect();
        SenderArithmetic {
            case: e.case.clone(),
            sender: e.participants.sender.id.clone(),
            sequence: e.sequence,
            level: e.level,
            previous_level: e.previous_level,
            conversations,
            points: e.risk,
            minors: minors.len() as u32,
            min_minors: s.min_minors,
            levels: Thresholds {
                watch: s.levels[0],
                review: s.levels[1],
                urgent: s.levels[2],
            },
            window_ms: s.window_ms,
            reasons: e.reasons.clone(),
            recommended_action: e.recommended_action.clone(),
        }
    }
}

/// A level a rule forces on a conversation key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Forced {
    /// The level.
    pub level: Level,
    /// The rule that forced it.
    pub rule: String,
}

/// One message of a conversation, replayed through a tracker.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// 1-based position in the conversation (all senders).
    pub index: usize,
    /// The message.
    pub message_id: String,
    /// Its timestamp.
    pub timestamp: Timestamp,
    /// The sender.
    pub sender: String,
    /// The recipient of the key (`None` in group channels).
    pub recipient: Option<String>,
    /// 1-based position among the messages of this key (sender → recipient).
    pub key_message: u32,
    /// Time since the key's previous message, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<i64>,
    /// The decay factor applied to the key's points: `2^(−elapsed / half_life)`.
    #[serde(serialize_with = "round_decay")]
    pub decay: f64,
    /// The message's own explanation, under what the conversation knows (inferred ages,
    /// fan-out).
    pub message: MessageExplanation,
    /// The key's categories before and after.
    pub categories: Vec<CategoryStep>,
    /// Stages active for the key after the message.
    pub stages: Vec<String>,
    /// The multi-stage bonus after the message.
    #[serde(serialize_with = "round3")]
    pub stage_bonus: f64,
    /// The key's risk after its previous message.
    #[serde(serialize_with = "round3")]
    pub risk_before: f64,
    /// The key's risk after this message: the categories' points plus the stage bonus.
    #[serde(serialize_with = "round3")]
    pub risk: f64,
    /// The level the risk reaches by the thresholds.
    pub threshold_level: Option<Level>,
    /// A level forced by a rule in this key's history.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced: Option<Forced>,
    /// The key's level after the message.
    pub level: Option<Level>,
    /// The language of the message and its conversation, and the packs that applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<crate::engine::LanguageReport>,
    /// The policy's ceiling that held the level below what risk and forced levels reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped_by: Option<String>,
    /// The escalation raised by this message, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<EscalationSummary>,
    /// The sender escalation this message raised, if any: the sender's arithmetic across their
    /// conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_escalation: Option<SenderArithmetic>,
    /// What the policy's interventions decided for the message in the message path, if
    /// anything (the observation's, as it was decided).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<crate::intervene::Intervention>,
    /// The message was older than the key's previous one.
    pub out_of_order: bool,
}

fn round_decay<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((v * 1_000_000.0).round() / 1_000_000.0)
}

/// A conversation replayed message by message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ConversationExplanation {
    /// The conversation.
    pub conversation_id: String,
    /// The policy.
    pub policy: PolicyRef,
    /// The level thresholds.
    pub thresholds: Thresholds,
    /// The half-life of risk, in milliseconds.
    pub half_life_ms: i64,
    /// One step per message of the conversation.
    pub steps: Vec<Step>,
    /// The highest level any key reached.
    pub max_level: Option<Level>,
}

/// Replays `messages` through a fresh [`Tracker`] and explains each message of the conversation
/// `conversation_id` step by step. Messages of other conversations are replayed too (a sender's
/// fan-out to other minors counts) but not explained.
///
/// ```
/// use std::sync::Arc;
/// let engine = Arc::new(vigil::Engine::default());
/// let doc = include_str!("../../../examples/sample-conversation.jsonl");
/// let msgs: Vec<vigil::Message> =
///     vigil::jsonl::parse(doc).collect::<Result<_, _>>().unwrap();
/// let x = vigil::explain::explain_conversation(&engine, &msgs, "sample-1");
/// assert_eq!(x.steps.len(), msgs.len());
/// assert_eq!(x.max_level, Some(vigil::Level::Urgent));
/// // Each step's risk is its categories' points plus the stage bonus.
/// for s in &x.steps {
///     let sum: f64 = s.categories.iter().map(|c| c.after).sum();
///     assert!((sum + s.stage_bonus - s.risk).abs() < 1e-6);
/// }
/// ```
pub fn explain_conversation(
    engine: &Arc<Engine>,
    messages: &[Message],
    conversation_id: &str,
) -> ConversationExplanation {
    // Case contacts name the relationship each risky message counts with in its sender's case.
    let mut tracker = Tracker::new(Arc::clone(engine)).with_case_contacts();
    let policy = engine.policy();
    let half_life = policy.scoring().half_life_ms;
    // (sender, conversation, key recipient) → the relationship of the sender's last risky
    // message there, as the sender case records it.
    type Relationships = HashMap<(String, String, Option<String>), Relationship>;
    let mut relationships: Relationships = HashMap::new();
    let note = |relationships: &mut Relationships, obs: &crate::Observation| {
        if let Some(c) = &obs.case_contact {
            let rel = policy.metadata().relationship(&c.message.relationship).kind;
            relationships.insert(
                (
                    c.message.sender.id.clone(),
                    c.message.conversation_id.clone(),
                    c.recipient.clone(),
                ),
                rel,
            );
        }
    };
    let mut steps = Vec::new();
    let mut forced_by: HashMap<Key, Forced> = HashMap::new();
    let mut max_level = None;
    for msg in messages {
        if msg.conversation_id != conversation_id {
            note(&mut relationships, &tracker.observe(msg));
            continue;
        }
        let group = policy.metadata().channel(&msg.channel).kind.is_shared();
        let key = Key {
            conversation: msg.conversation_id.as_str().into(),
            sender: msg.sender.id.as_str().into(),
            recipient: if group {
                None
            } else {
                msg.recipient.as_ref().map(|r| r.id.as_str().into())
            },
        };
        let (obs, trace) = tracker.observe_traced(msg);
        note(&mut relationships, &obs);
        // Everything below is read off the trace: the tracker's own record of what it did.
        let mut ctx = MessageContext::of(engine, msg);
        if trace.sender_inferred_minor {
            ctx.sender = AgeBand::Minor;
            ctx.sender_inferred_minor = true;
        }
        if trace.recipient_inferred_minor {
            ctx.recipient = AgeBand::Minor;
            ctx.recipient_inferred_minor = true;
        }
        let explanation = build(engine, msg, ctx, &obs.assessment, true);
        let points = |list: &[(u16, f64)], ci: u16| list.iter().find(|c| c.0 == ci).map_or(0.0, |c| c.1);
        let mut idx: Vec<u16> = trace
            .after
            .iter()
            .chain(&trace.before)
            .map(|c| c.0)
            .chain(obs.assessment.categories.iter().map(|c| c.index))
            .collect();
        idx.sort_unstable();
        idx.dedup();
        let categories = idx
            .into_iter()
            .filter_map(|ci| {
                let cat = engine.categories.get(usize::from(ci))?;
                Some(CategoryStep {
                    category: cat.id.to_string(),
                    stage: engine
                        .stages
                        .get(usize::from(cat.stage))
                        .map_or(String::new(), |s| s.to_string()),
                    before: points(&trace.before, ci),
                    decayed: points(&trace.decayed, ci),
                    added: obs
                        .assessment
                        .categories
                        .iter()
                        .find(|c| c.index == ci)
                        .map_or(0.0, |c| c.score.max(0.0)),
                    conversation_cap: Some(cat.conversation_cap).filter(|c| c.is_finite()),
                    after: points(&trace.after, ci),
                })
            })
            .collect();
        let elapsed = trace.elapsed_ms;
        let decay = trace.decay;
        let stage_bonus = trace.stage_bonus;
        if let Some(f) = obs.assessment.forced_level {
            if forced_by.get(&key).is_none_or(|x| f > x.level) {
                let rule = obs
                    .assessment
                    .hits
                    .iter()
                    .filter_map(|h| Some((engine.rules.get(h.rule_index as usize)?.level?, h)))
                    .max_by_key(|(l, _)| *l)
                    .map_or(String::new(), |(_, h)| h.rule.to_string());
                forced_by.insert(key.clone(), Forced { level: f, rule });
            }
        }
        let risk_before = trace.risk_before;
        max_level = max_level.max(obs.level);
        steps.push(Step {
            index: steps.len() + 1,
            message_id: msg.message_id.clone(),
            timestamp: msg.timestamp,
            sender: msg.sender.id.clone(),
            recipient: obs.recipient.clone(),
            key_message: trace.key_messages,
            elapsed_ms: elapsed,
            decay,
            message: explanation,
            categories,
            stages: obs.stages.iter().map(|s| s.to_string()).collect(),
            stage_bonus,
            risk_before,
            risk: obs.risk,
            threshold_level: trace.threshold_level,
            forced: trace.forced.and(forced_by.get(&key).cloned()),
            level: obs.level,
            capped_by: obs.capped_by.as_deref().map(str::to_string),
            language: obs.language.clone(),
            escalation: obs.escalation.as_ref().map(|e| EscalationSummary {
                sequence: e.sequence,
                level: e.level,
                previous_level: e.previous_level,
                reasons: e.reasons.clone(),
                categories: e.categories.iter().map(|c| c.id.clone()).collect(),
            }),
            intervention: obs.intervention.clone(),
            sender_escalation: obs.sender_escalation.as_ref().map(|e| {
                SenderArithmetic::of(engine, e, |conv, recipient| {
                    relationships
                        .get(&(
                            e.participants.sender.id.clone(),
                            conv.to_string(),
                            recipient.map(str::to_string),
                        ))
                        .copied()
                        .unwrap_or_default()
                })
            }),
            out_of_order: obs.out_of_order,
        });
    }
    ConversationExplanation {
        conversation_id: conversation_id.to_string(),
        policy: PolicyRef {
            id: policy.id().into(),
            version: policy.version().into(),
            hash: policy.hash().into(),
        },
        thresholds: Thresholds::of(engine),
        half_life_ms: half_life,
        steps,
        max_level,
    }
}

#[cfg(test)]
mod tests;
