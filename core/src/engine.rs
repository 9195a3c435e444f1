//! The compiled engine and stateless message assessment.
//!
//! ```
//! use vigil::{AgeBand, Engine, Message, Participant, Timestamp};
//!
//! let engine = Engine::new(vigil::Policy::shipped().unwrap()).unwrap();
//! let msg = Message::new("c-1", "m-1", Timestamp::from_millis(0),
//!         Participant::new("u-9", AgeBand::Adult), "d0n'7 t e l l ur parents about us")
//!     .with_recipient(Participant::new("u-4", AgeBand::Minor));
//! let a = engine.assess(&msg);
//! assert!(a.score > 0.0);
//! let hit = &a.hits[0];
//! assert_eq!(&msg.text[hit.span.start..hit.span.end], "d0n'7 t e l l ur parents");
//! ```

use std::sync::{Arc, OnceLock};

use serde::{Serialize, Serializer};

use crate::error::PolicyError;
use crate::level::Level;
pub use crate::matcher::HitKind;
use crate::matcher::{By, Matcher, RawHit, Scratch};
use crate::message::{AgeBand, Channel, Message, Relationship};
use crate::normalize::{Evasion, Normalizer, TextViews};
use crate::policy::model::{Condition, Disclosure};
use crate::policy::Policy;
pub use scoping::{LanguageReport, LanguageShare};

/// A byte range of a message's ORIGINAL text, on character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// One rule that fired on a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Hit {
    /// Rule id.
    pub rule: Arc<str>,
    /// Category id.
    pub category: Arc<str>,
    /// How it matched.
    pub kind: HitKind,
    /// The rule's weight.
    #[serde(serialize_with = "round3")]
    pub weight: f64,
    /// What it matched, in the original text (the first match of the rule).
    pub span: Span,
    /// How the original text was evaded where it matched, if it was: a match that only the
    /// lossy terms view finds counts only where the text shows a word-level evasion
    /// ([`Evasion::is_word_level`]); a plain match may still show a character-level one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evasion: Option<Evasion>,
    #[serde(skip)]
    pub(crate) rule_index: u32,
    /// What produced it (for explanations).
    #[serde(skip)]
    pub(crate) by: By,
}

/// A category's contribution to one message's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CategoryScore {
    /// Category id.
    pub category: Arc<str>,
    /// The stage it evidences.
    pub stage: Arc<str>,
    /// Points, after the category's message cap and the modifiers.
    #[serde(serialize_with = "round3")]
    pub score: f64,
    #[serde(skip)]
    pub(crate) index: u16,
    /// The sum of the counted rules' weights, before the message cap (for explanations).
    #[serde(skip)]
    pub(crate) sum: f64,
    /// The sum after the message cap, before the modifiers (for explanations).
    #[serde(skip)]
    pub(crate) capped: f64,
}

/// A modifier that applied to a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AppliedModifier {
    /// Modifier id.
    pub id: Arc<str>,
    /// The factor it applied.
    #[serde(serialize_with = "round3")]
    pub factor: f64,
    #[serde(skip)]
    pub(crate) index: u16,
}

/// The assessment of one message: which rules fired, where, and the score they make.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct Assessment {
    /// Message score: the sum of category scores (after caps and modifiers).
    #[serde(serialize_with = "round3")]
    pub score: f64,
    /// The score before modifiers.
    #[serde(serialize_with = "round3")]
    pub base_score: f64,
    /// Rules that fired, in policy order.
    pub hits: Vec<Hit>,
    /// Category contributions, in policy order.
    pub categories: Vec<CategoryScore>,
    /// Modifiers applied (only when some rule fired).
    pub modifiers: Vec<AppliedModifier>,
    /// The highest level a fired rule forces, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced_level: Option<Level>,
    /// A fired rule says the sender disclosed being a child.
    pub discloses_minor: bool,
    /// The text was longer than the policy's `max_message_bytes` and was assessed up to it.
    pub truncated: bool,
    /// Rules whose text matched but that did not count, and why (for explanations).
    #[serde(skip)]
    pub(crate) not_counted: Vec<Dropped>,
    /// The product of the modifiers applied (for explanations; 1 without hits).
    #[serde(skip)]
    pub(crate) factor: f64,
}

/// A rule whose text matched but that did not count.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Dropped {
    pub(crate) hit: RawHit,
    pub(crate) why: DropReason,
}

/// Why a matched rule did not count.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DropReason {
    /// Its `when` conditions do not hold.
    When,
    /// A heavier rule of its category counted the same words (that rule's index).
    Overlap(u32),
    /// An `unless` phrase cancelled it (the phrase's term info, and where it matched).
    Unless(Option<crate::matcher::Veto>),
    /// Its pack's language is not plausible here.
    Language,
}

impl Assessment {
    /// The assessment as one line of JSON (as observations carry it). Infallible: an assessment
    /// holds no map and nothing whose serialization can fail (see `core/src/json.rs`).
    pub fn to_json(&self) -> String {
        crate::json::compact(self)
    }
}

pub(crate) fn round3<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round(*v))
}

pub(crate) fn round3_f32<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round(f64::from(*v)))
}

pub(crate) fn round(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// The metadata a score is computed under (message metadata, plus what a tracker knows).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) sender: AgeBand,
    pub(crate) recipient: AgeBand,
    pub(crate) relationship: Relationship,
    pub(crate) channel: Channel,
    /// The platform's words, as the message wrote them (`when` may name them).
    pub(crate) relationship_word: &'a str,
    pub(crate) channel_word: &'a str,
    pub(crate) account_age_days: Option<u32>,
    /// (window in ms, distinct minor recipients of risky messages) for fan-out modifiers.
    pub(crate) fan_out: Option<&'a [(i64, u32)]>,
    /// The key's earlier messages, for combination rules (a tracker's).
    pub(crate) earlier: Option<Earlier<'a>>,
}

impl<'a> Context<'a> {
    /// The message's metadata under the policy: ages banded by its adult age, the platform's
    /// words mapped to kinds.
    pub(crate) fn of(policy: &Policy, msg: &'a Message) -> Context<'a> {
        let meta = policy.metadata();
        let adult = meta.adult_age;
        let channel = meta.channel(&msg.channel).kind;
        Context {
            sender: msg.sender.band(adult),
            recipient: msg.recipient.as_ref().map_or(AgeBand::Unknown, |r| r.band(adult)),
            relationship: meta.relationship(&msg.relationship).kind,
            channel,
            relationship_word: &msg.relationship,
            channel_word: &msg.channel,
            account_age_days: msg.sender.account_age_days,
            fan_out: None,
            earlier: None,
        }
    }

    pub(crate) fn satisfies(&self, c: &Condition) -> bool {
        (c.sender.is_empty() || c.sender.contains(&self.sender))
            && (c.recipient.is_empty() || c.recipient.contains(&self.recipient))
            && names(
                &c.relationship,
                self.relationship.as_str(),
                self.relationship_word,
            )
            && names(&c.channel, self.channel.as_str(), self.channel_word)
            && c.account_age_days_below
                .is_none_or(|d| self.account_age_days.is_some_and(|a| a < d))
    }
}

/// A `when` list of metadata words (folded) holds for a message of kind `kind` that wrote `word`:
/// the list is empty, names the kind, or names the word.
pub(crate) fn names(list: &[String], kind: &str, word: &str) -> bool {
    list.is_empty()
        || list
            .iter()
            .any(|w| w == kind || (!word.is_empty() && crate::policy::word_is(w, word)))
}

#[derive(Debug)]
pub(crate) struct CompiledRule {
    pub(crate) id: Arc<str>,
    pub(crate) category: u16,
    pub(crate) weight: f64,
    pub(crate) when: Condition,
    pub(crate) level: Option<Level>,
    pub(crate) discloses_minor: bool,
}

/// A part of a combination rule: a rule, or any rule of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Rule(u32),
    Category(u16),
}

/// An enabled combination rule (`combine`), compiled.
#[derive(Debug)]
pub(crate) struct CompiledCombine {
    /// The combination rule's index.
    pub(crate) rule: u32,
    pub(crate) groups: Vec<Vec<Part>>,
    /// Consecutive messages of a key the parts may spread over.
    pub(crate) messages: u32,
    /// For a combination of a language pack, each rule's standing: 0 — another pack's, never a
    /// part; 1 — language-neutral, a part; 2 — the combination's own pack, a part. At least one
    /// part must be of its own pack, so a pack's combination fires on its language's words
    /// (which language scoping already kept or dropped), never on another pack's alone. `None`
    /// for a language-neutral combination: any rule may be a part.
    pub(crate) scope: Option<Box<[u8]>>,
}

/// A counted hit of a combination's part in an earlier message of a conversation key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartSeen {
    /// The key's message number it was in (1 for the key's first message).
    pub(crate) message_no: u32,
    /// The rule that hit.
    pub(crate) rule: u32,
    /// The message's id (for explanations and evidence).
    pub(crate) message_id: Box<str>,
    /// The message's time (milliseconds), for evidence.
    pub(crate) ts: i64,
    /// The hit's byte span in that message's text, for evidence.
    pub(crate) start: u64,
    pub(crate) end: u64,
}

/// What a tracker knows of a key's earlier messages for combination rules.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Earlier<'a> {
    /// This message's number in the key.
    pub(crate) message_no: u32,
    /// Parts seen in the key's recent messages.
    pub(crate) parts: &'a [PartSeen],
}

#[derive(Debug)]
pub(crate) struct CompiledCategory {
    pub(crate) id: Arc<str>,
    pub(crate) stage: u16,
    pub(crate) message_cap: f64,
    pub(crate) conversation_cap: f64,
}

#[derive(Debug)]
pub(crate) struct CompiledModifier {
    pub(crate) id: Arc<str>,
    pub(crate) when: Condition,
    pub(crate) fan_out: Option<(u32, i64)>,
    pub(crate) factor: f64,
    pub(crate) enabled: bool,
}

#[derive(Debug)]
pub(crate) struct CompiledCeiling {
    pub(crate) id: Arc<str>,
    pub(crate) description: Option<Arc<str>>,
    pub(crate) when: Condition,
    pub(crate) level: Level,
    pub(crate) lifted_by: Vec<u16>,
    pub(crate) lifted_after: Option<u32>,
    pub(crate) enabled: bool,
}

/// A compiled policy: immutable, `Send + Sync`, cheap to share behind an `Arc`.
///
/// [`assess`](Engine::assess) is stateless; a [`Tracker`](crate::Tracker) turns assessments into
/// conversation risk and escalations.
#[derive(Debug)]
pub struct Engine {
    policy: Policy,
    matcher: Matcher,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) categories: Vec<CompiledCategory>,
    pub(crate) stages: Vec<Arc<str>>,
    pub(crate) modifiers: Vec<CompiledModifier>,
    pub(crate) ceilings: Vec<CompiledCeiling>,
    /// Interventions in the message path (`None`: the policy enables none).
    pub(crate) interventions: Option<Box<crate::intervene::Interventions>>,
    /// Language scoping (`None`: off, or nothing to narrow).
    pub(crate) scoping: Option<scoping::Scoping>,
    pub(crate) fan_out_windows: Vec<i64>,
    /// Enabled combination rules, in policy order.
    pub(crate) combos: Vec<CompiledCombine>,
    /// For each rule, whether it is a part of an enabled combination (its hits are remembered
    /// by the key).
    pub(crate) is_part: Vec<bool>,
    /// The most messages a combination spreads over (0 without combinations).
    pub(crate) combo_depth: u32,
    /// Indicator extraction (`None`: the policy does not enable it).
    pub(crate) indicators: Option<crate::tracker::indicators::IndicatorWatch>,
    /// Policy ids to indices, for restoring snapshots; built by the first restore.
    pub(crate) snapshot_ids: OnceLock<crate::ids::IdIndex>,
}

/// A pack example that did not behave as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExampleFailure {
    /// Rule id.
    pub rule: String,
    /// The example text.
    pub text: String,
    /// `true` for a `hit` example that did not match, `false` for a `miss` that did.
    pub expected_hit: bool,
    /// Where the rule is defined.
    pub location: String,
}

impl Engine {
    /// Compiles a policy: normalizes every term, builds the automaton and the regexes. Errors name
    /// the source, line, rule and field of the offending term or pattern.
    pub fn new(policy: Policy) -> Result<Engine, PolicyError> {
        let matcher = Matcher::compile(&policy)?;
        Ok(Engine::with_matcher(policy, matcher))
    }

    /// The engine of a policy whose matchers are built (from the policy, or from a bundle).
    pub(crate) fn with_matcher(policy: Policy, matcher: Matcher) -> Engine {
        let stage_index = crate::policy::index_of(policy.stages().iter().map(|s| s.id.as_str()));
        let stages: Vec<Arc<str>> = policy.stages().iter().map(|s| Arc::from(s.id.as_str())).collect();
        let categories: Vec<CompiledCategory> = policy
            .categories()
            .iter()
            .map(|c| CompiledCategory {
                id: Arc::from(c.id.as_str()),
                stage: stage_index.get(c.stage.as_str()).copied().unwrap_or(0) as u16,
                message_cap: c.message_cap.unwrap_or(f64::INFINITY),
                conversation_cap: c.conversation_cap.unwrap_or(f64::INFINITY),
            })
            .collect();
        let cat_index = crate::policy::index_of(policy.categories().iter().map(|c| c.id.as_str()));
        let rules: Vec<CompiledRule> = policy
            .rules()
            .iter()
            .map(|r| CompiledRule {
                id: Arc::from(r.id.as_str()),
                category: cat_index.get(r.category.as_str()).copied().unwrap_or(0) as u16,
                weight: r.weight,
                when: r.when.clone(),
                level: r.level,
                discloses_minor: r.discloses == Some(Disclosure::Minor),
            })
            .collect();
        let mut fan_out_windows = Vec::new();
        let modifiers = policy
            .modifiers()
            .iter()
            .map(|m| {
                let fan_out = m.fan_out.as_ref().map(|f| {
                    let w = crate::policy::parse_duration(&f.window).unwrap_or(0);
                    if m.enabled && !fan_out_windows.contains(&w) {
                        fan_out_windows.push(w);
                    }
                    (f.min, w)
                });
                CompiledModifier {
                    id: Arc::from(m.id.as_str()),
                    when: m.when.clone(),
                    fan_out,
                    factor: m.multiply,
                    enabled: m.enabled,
                }
            })
            .collect();
        let ceilings = policy
            .ceilings()
            .iter()
            .map(|c| CompiledCeiling {
                id: Arc::from(c.id.as_str()),
                description: c.description.as_deref().map(Arc::from),
                when: c.when.clone(),
                level: c.level,
                lifted_by: c
                    .lifted_by
                    .iter()
                    .filter_map(|id| cat_index.get(id.as_str()).map(|&i| i as u16))
                    .collect(),
                lifted_after: c.lifted_after,
                enabled: c.enabled,
            })
            .collect();
        let (combos, is_part) = compile_combos(&policy, &rules);
        let combo_depth = combos.iter().map(|c| c.messages).max().unwrap_or(0);
        let scoping = scoping::Scoping::compile(&policy);
        // One extractor (its patterns compiled once) for the indicators and the masks.
        let extractor = std::cell::OnceCell::new();
        let shared = || Arc::clone(extractor.get_or_init(|| Arc::new(crate::indicators::Extractor::new())));
        let indicators = crate::tracker::indicators::IndicatorWatch::new(&policy, &shared);
        let interventions = crate::intervene::Interventions::compile(&policy, &shared).map(Box::new);
        Engine {
            policy,
            scoping,
            matcher,
            rules,
            categories,
            stages,
            modifiers,
            ceilings,
            interventions,
            fan_out_windows,
            combos,
            is_part,
            combo_depth,
            indicators,
            snapshot_ids: OnceLock::new(),
        }
    }

    /// The policy this engine was compiled from.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The text normalizer this engine uses.
    pub fn normalizer(&self) -> &Normalizer {
        self.matcher.normalizer()
    }

    /// The normalized views of a text (plain, terms and patterns), as this engine's normalizer
    /// makes them. For explanations.
    pub fn normalized(&self, text: &str) -> TextViews {
        self.normalizer().views(text)
    }

    /// Assesses one message from its text and metadata alone (no conversation state, so no
    /// fan-out and no inferred ages). Allocates its buffers; see
    /// [`assess_with`](Engine::assess_with) to reuse them.
    pub fn assess(&self, msg: &Message) -> Assessment {
        self.assess_with(msg, &mut Scratch::new())
    }

    /// Like [`assess`](Engine::assess), reusing `scratch`'s buffers.
    pub fn assess_with(&self, msg: &Message, scratch: &mut Scratch) -> Assessment {
        let truncated = self.find(&msg.text, scratch);
        let mut a = self.score(&scratch.hits, &Context::of(&self.policy, msg), truncated);
        self.note_cancelled(&mut a, scratch);
        a
    }

    /// Adds the hits `unless` phrases cancelled to an assessment's rules that did not count.
    pub(crate) fn note_cancelled(&self, a: &mut Assessment, scratch: &Scratch) {
        for h in &scratch.cancelled {
            let veto = scratch.vetoes.iter().find(|v| v.rule == h.rule).cloned();
            a.not_counted.push(Dropped {
                hit: h.clone(),
                why: DropReason::Unless(veto),
            });
        }
    }

    /// The term or pattern behind item `i` of a hit of `kind`, as written in the policy.
    pub(crate) fn source_text(&self, kind: HitKind, i: u32) -> Option<&str> {
        self.matcher.source_text(&self.policy, kind, i)
    }

    /// Runs the matchers on `text` (truncated to the policy's maximum); returns whether it was
    /// truncated. Hits land in `scratch.hits`.
    pub(crate) fn find(&self, text: &str, scratch: &mut Scratch) -> bool {
        let max = self.policy.scoring().max_message_bytes;
        let (text, truncated) = if text.len() > max {
            let mut end = max;
            while end > 0 && !text.is_char_boundary(end) {
                end -= 1;
            }
            (&text[..end], true)
        } else {
            (text, false)
        };
        self.matcher.find(text, scratch);
        truncated
    }

    /// Turns raw hits into an assessment under a context.
    pub(crate) fn score(&self, raw: &[RawHit], ctx: &Context<'_>, truncated: bool) -> Assessment {
        let mut a = Assessment {
            truncated,
            ..Assessment::default()
        };
        // Heaviest rules first, so that when rules of one category matched overlapping words —
        // typically the same word in the packs of two languages — the words count once, for the
        // heaviest rule. Hits are listed in policy order at the end.
        let mut order: Vec<&RawHit> = raw.iter().collect();
        order.sort_by(|x, y| {
            let w = |h: &RawHit| self.rules.get(h.rule as usize).map_or(0.0, |r| r.weight);
            w(y).total_cmp(&w(x)).then(x.rule.cmp(&y.rule))
        });
        for h in order {
            let Some(rule) = self.rules.get(h.rule as usize) else {
                continue;
            };
            if !ctx.satisfies(&rule.when) {
                a.not_counted.push(Dropped {
                    hit: h.clone(),
                    why: DropReason::When,
                });
                continue;
            }
            // Weight-0 cues (combination parts) add no points to count twice: each pack's cue
            // counts, so that each pack's combination sees its own.
            let overlapping = (rule.level.is_none() && !rule.discloses_minor && rule.weight > 0.0)
                .then(|| {
                    a.hits.iter().find(|o| {
                        self.rules[o.rule_index as usize].category == rule.category
                            && o.span.start < h.span.end
                            && h.span.start < o.span.end
                    })
                })
                .flatten();
            if let Some(o) = overlapping {
                a.not_counted.push(Dropped {
                    hit: h.clone(),
                    why: DropReason::Overlap(o.rule_index),
                });
                continue;
            }
            self.count(&mut a, h.clone());
        }
        if !self.combos.is_empty() {
            self.combine(&mut a, ctx);
        }
        if a.hits.is_empty() {
            return a;
        }
        a.hits.sort_by_key(|h| h.rule_index);
        a.categories.sort_by_key(|c| c.index);
        for c in &mut a.categories {
            c.sum = c.score;
            c.score = c.score.min(self.categories[usize::from(c.index)].message_cap);
            c.capped = c.score;
            a.base_score += c.score;
        }
        let mut factor = 1.0;
        for (i, m) in self.modifiers.iter().enumerate() {
            if !m.enabled || !ctx.satisfies(&m.when) {
                continue;
            }
            if let Some((min, window)) = m.fan_out {
                let count = ctx
                    .fan_out
                    .and_then(|f| f.iter().find(|(w, _)| *w == window))
                    .map_or(0, |(_, c)| *c);
                if count < min {
                    continue;
                }
            }
            factor *= m.factor;
            a.modifiers.push(AppliedModifier {
                id: m.id.clone(),
                factor: m.factor,
                index: i as u16,
            });
        }
        a.factor = factor;
        for c in &mut a.categories {
            c.score *= factor;
            a.score += c.score;
        }
        a
    }

    /// Adds the hits of the combination rules whose parts counted: in this message, or in the
    /// key's earlier messages within the combination's reach (`ctx.earlier`). At least one part
    /// must be in this message; the hit's span is the first such part's.
    fn combine(&self, a: &mut Assessment, ctx: &Context<'_>) {
        for c in &self.combos {
            let rule = &self.rules[c.rule as usize];
            let of = |r: u32| (r, self.rules.get(r as usize).map_or(u16::MAX, |x| x.category));
            let standing = |r: u32| {
                c.scope
                    .as_ref()
                    .map_or(1, |s| s.get(r as usize).copied().unwrap_or(0))
            };
            let fits = |g: &[Part], r: u32| {
                let (r, cat) = of(r);
                standing(r) > 0 && g.iter().any(|p| *p == Part::Rule(r) || *p == Part::Category(cat))
            };
            let mut span: Option<Span> = None;
            let mut items: Vec<u32> = Vec::new();
            let mut all = true;
            for g in &c.groups {
                if let Some(h) = a
                    .hits
                    .iter()
                    .filter(|h| h.kind != HitKind::Combination && fits(g, h.rule_index))
                    .min_by_key(|h| h.span.start)
                {
                    if span.is_none_or(|s| h.span.start < s.start) {
                        span = Some(h.span);
                    }
                    items.push(h.rule_index);
                    continue;
                }
                let earlier = ctx.earlier.and_then(|e| {
                    e.parts
                        .iter()
                        .rev()
                        .find(|p| p.message_no.saturating_add(c.messages) > e.message_no && fits(g, p.rule))
                });
                match earlier {
                    Some(p) => items.push(p.rule),
                    None => {
                        all = false;
                        break;
                    }
                }
            }
            let own = c.scope.is_none() || items.iter().any(|&r| standing(r) == 2);
            let Some(span) = span.filter(|_| all && own) else {
                continue;
            };
            let raw = RawHit {
                rule: c.rule,
                kind: HitKind::Combination,
                span: span.start..span.end,
                evasion: None,
                by: By {
                    items: items.into_boxed_slice(),
                    norm: 0..0,
                },
            };
            if !ctx.satisfies(&rule.when) {
                a.not_counted.push(Dropped {
                    hit: raw,
                    why: DropReason::When,
                });
                continue;
            }
            self.count(a, raw);
        }
    }

    /// Counts a raw hit whose rule's conditions hold: adds it to the hits, its weight to its
    /// category, and what its rule forces or discloses.
    fn count(&self, a: &mut Assessment, h: RawHit) {
        let Some(rule) = self.rules.get(h.rule as usize) else {
            return;
        };
        let cat = &self.categories[usize::from(rule.category)];
        a.hits.push(Hit {
            rule: rule.id.clone(),
            category: cat.id.clone(),
            kind: h.kind,
            weight: rule.weight,
            span: Span {
                start: h.span.start,
                end: h.span.end,
            },
            evasion: h.evasion,
            rule_index: h.rule,
            by: h.by,
        });
        a.discloses_minor |= rule.discloses_minor;
        a.forced_level = a.forced_level.max(rule.level);
        match a.categories.iter_mut().find(|c| c.index == rule.category) {
            Some(c) => c.score += rule.weight,
            None => a.categories.push(CategoryScore {
                category: cat.id.clone(),
                stage: self.stages[usize::from(cat.stage)].clone(),
                score: rule.weight,
                index: rule.category,
                sum: 0.0,
                capped: 0.0,
            }),
        }
    }

    /// Runs every enabled rule's `examples` (text side only) and returns the ones that fail.
    ///
    /// ```
    /// let engine = vigil::Engine::default();
    /// assert_eq!(engine.check_examples(), vec![]);
    /// ```
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        let mut scratch = Scratch::new();
        let mut failures = Vec::new();
        for (ri, rule) in self.policy.rules().iter().enumerate() {
            if !rule.enabled {
                continue;
            }
            for (texts, expected_hit) in [(&rule.examples.hit, true), (&rule.examples.miss, false)] {
                for text in texts {
                    self.find(text, &mut scratch);
                    let hit = match self.combos.iter().find(|c| c.rule as usize == ri) {
                        // The text side of a combination: every part group matched the text.
                        Some(c) => c.groups.iter().all(|g| {
                            scratch.hits.iter().any(|h| {
                                let cat = self.rules.get(h.rule as usize).map(|r| r.category);
                                g.iter().any(|p| {
                                    *p == Part::Rule(h.rule) || cat.is_some_and(|c| *p == Part::Category(c))
                                })
                            })
                        }),
                        None => scratch.hits.iter().any(|h| h.rule as usize == ri),
                    };
                    if hit != expected_hit {
                        failures.push(ExampleFailure {
                            rule: rule.id.clone(),
                            text: text.clone(),
                            expected_hit,
                            location: self.policy.rule_location(ri, "examples", Some(text)).to_string(),
                        });
                    }
                }
            }
        }
        failures
    }

    /// The lowest-level ceiling that holds for a conversation key under `ctx` (its participants
    /// with probable minors counted as minors): `None` when none does. `cats` are the key's
    /// categories with points; `risky_messages` counts the key's distinct messages with risk
    /// signals (asked for only by a ceiling with `lifted_after`).
    pub(crate) fn ceiling(
        &self,
        ctx: &Context<'_>,
        cats: &[(u16, f64)],
        risky_messages: impl Fn() -> u32,
    ) -> Option<(u16, Level)> {
        let mut best: Option<(u16, Level)> = None;
        for (i, c) in self.ceilings.iter().enumerate() {
            if !c.enabled || best.is_some_and(|(_, l)| l <= c.level) || !ctx.satisfies(&c.when) {
                continue;
            }
            if cats.iter().any(|(ci, s)| *s > 0.0 && c.lifted_by.contains(ci)) {
                continue;
            }
            if c.lifted_after.is_some_and(|n| risky_messages() >= n) {
                continue;
            }
            best = Some((i as u16, c.level));
        }
        best
    }

    /// The level a risk reaches by the policy's thresholds.
    pub fn level_for(&self, risk: f64) -> Option<Level> {
        let t = self.policy.scoring().levels;
        Level::ALL.iter().rev().copied().find(|l| risk >= t[l.index()])
    }

    /// Number of rules (enabled or not).
    pub fn rule_count(&self) -> usize {
        self.matcher.rule_count()
    }
}

impl Default for Engine {
    /// The engine of the shipped packs (embedded in the library; no files needed).
    ///
    /// The packs are compiled into the library and checked by its tests, so this cannot fail on
    /// any input; it panics only if the library was built with broken packs.
    fn default() -> Engine {
        #[allow(clippy::expect_used)]
        Policy::shipped()
            .and_then(Engine::new)
            .expect("the shipped packs compile (checked by the test suite)")
    }
}

pub(crate) mod scoping;
#[cfg(test)]
mod tests;

/// The enabled combination rules of a policy, and which rules are parts of one.
fn compile_combos(policy: &Policy, rules: &[CompiledRule]) -> (Vec<CompiledCombine>, Vec<bool>) {
    let rule_index = crate::policy::index_of(policy.rules().iter().map(|r| r.id.as_str()));
    let cat_index = crate::policy::index_of(policy.categories().iter().map(|c| c.id.as_str()));
    let mut is_part = vec![false; rules.len()];
    let mut combos = Vec::new();
    for (ri, r) in policy.rules().iter().enumerate() {
        let Some(c) = r.combine.as_ref().filter(|_| r.enabled) else {
            continue;
        };
        let groups: Vec<Vec<Part>> = c
            .parts
            .iter()
            .map(|g| {
                g.iter()
                    .filter_map(|id| match rule_index.get(id.as_str()) {
                        Some(&i) => Some(Part::Rule(i as u32)),
                        None => cat_index.get(id.as_str()).map(|&i| Part::Category(i as u16)),
                    })
                    .collect()
            })
            .collect();
        for (i, rule) in rules.iter().enumerate() {
            if groups
                .iter()
                .flatten()
                .any(|p| *p == Part::Rule(i as u32) || *p == Part::Category(rule.category))
            {
                is_part[i] = true;
            }
        }
        let layers = policy.layers();
        let langs = |layer: usize| layers.get(layer).is_none_or(|m| m.languages.is_empty());
        let own = policy.rule_layer(ri);
        let scope = (!langs(own)).then(|| {
            (0..rules.len())
                .map(|r| {
                    let layer = policy.rule_layer(r);
                    if layer == own {
                        2
                    } else if langs(layer) {
                        1
                    } else {
                        0
                    }
                })
                .collect()
        });
        combos.push(CompiledCombine {
            rule: ri as u32,
            groups,
            messages: c.messages.max(1),
            scope,
        });
    }
    // A combination is never a part (the policy checks it; categories may hold combinations).
    for c in &combos {
        is_part[c.rule as usize] = false;
    }
    (combos, is_part)
}
