//! Language scoping: the rules of a language pack apply where one of its languages is plausible
//! for the message or its conversation; the language-neutral core always applies; while the
//! language is unknown or uncertain, every pack applies (recall first).
//!
//! Identification costs about ten times as much as matching a chat line, so it runs only where it
//! can change something: while a conversation's estimate is still learning
//! ([`LanguageOptions::learn_until`]), and on a message where a pack outside the conversation's
//! plausible languages matched.

use serde::Serialize;

use crate::lang::{
    Guess, Language, LanguageDetector, LanguageEstimate, LanguageOptions, LanguageScope, LanguageSet,
};
use crate::matcher::RawHit;
use crate::policy::Policy;

/// A policy's language scoping, compiled.
#[derive(Debug)]
pub(crate) struct Scoping {
    detector: LanguageDetector,
    options: LanguageOptions,
    /// Per rule: the languages of its pack (empty: language-neutral, always applies).
    rule_langs: Vec<LanguageSet>,
    /// Languages whose plausibility applies other packs than their own (the policy's `packs`).
    packs: Vec<(Language, LanguageSet)>,
}

/// What scoping did for one message.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// The message's language, when it was identified.
    pub(crate) guess: Option<Guess>,
    /// The pack languages that applied (`None`: every pack, or nothing to decide).
    pub(crate) packs: Option<LanguageSet>,
    /// Hits of rules whose pack's language was not plausible.
    pub(crate) dropped: Vec<RawHit>,
}

impl Scoping {
    /// The scoping of a policy, or `None` when it is off or cannot narrow anything (fewer than
    /// two identifiable languages, or no language pack).
    pub(crate) fn compile(policy: &Policy) -> Option<Scoping> {
        let lp = policy.language();
        if !lp.scoping {
            return None;
        }
        let layer_langs: Vec<LanguageSet> = policy
            .layers()
            .iter()
            .map(|m| {
                m.languages
                    .iter()
                    .filter_map(|c| Language::from_code(c))
                    .collect()
            })
            .collect();
        let all = layer_langs.iter().fold(LanguageSet::new(), |a, s| a.union(*s));
        let detector = LanguageDetector::new(all.iter().map(Language::code), lp.options.clone()).ok()?;
        if detector.languages().len() < 2 {
            return None;
        }
        let rule_langs = (0..policy.rules().len())
            .map(|r| layer_langs.get(policy.rule_layer(r)).copied().unwrap_or_default())
            .collect();
        let packs = lp
            .packs
            .iter()
            .filter_map(|(k, v)| {
                let from = Language::from_code(k)?;
                Some((from, v.iter().filter_map(|c| Language::from_code(c)).collect()))
            })
            .collect();
        Some(Scoping {
            detector,
            options: lp.options.clone(),
            rule_langs,
            packs,
        })
    }

    /// The languages of `rule`'s pack (empty: a language-neutral rule).
    pub(crate) fn rule_languages(&self, rule: u32) -> LanguageSet {
        self.rule_langs.get(rule as usize).copied().unwrap_or_default()
    }

    /// The pack languages that apply where the languages of `set` are plausible.
    fn packs_for(&self, set: LanguageSet) -> LanguageSet {
        set.iter().fold(LanguageSet::new(), |acc, l| {
            let mapped = self
                .packs
                .iter()
                .find(|(from, _)| *from == l)
                .map_or_else(|| std::iter::once(l).collect(), |(_, to)| *to);
            acc.union(mapped)
        })
    }

    /// Whether `rule` applies under `scope`.
    fn applies(&self, rule: u32, scope: &LanguageScope) -> bool {
        let langs = self.rule_langs.get(rule as usize).copied().unwrap_or_default();
        match scope {
            _ if langs.is_empty() => true,
            LanguageScope::All => true,
            LanguageScope::Only(set) => self.packs_for(*set).intersects(langs),
        }
    }

    /// Scopes the raw `hits` of `text` by the conversation's `estimate`, which it updates with
    /// the message's language when it identifies it; hits of rules whose pack does not apply
    /// are removed (and listed in the outcome).
    pub(crate) fn scope_hits(
        &self,
        text: &str,
        estimate: &mut LanguageEstimate,
        hits: &mut Vec<RawHit>,
    ) -> Outcome {
        let o = &self.options;
        let learning = estimate.evidence() < o.learn_until;
        let scoped = hits.iter().fold(LanguageSet::new(), |acc, h| {
            acc.union(self.rule_langs.get(h.rule as usize).copied().unwrap_or_default())
        });
        if scoped.is_empty() && !learning {
            return Outcome::default();
        }
        // Every matched pack is one the conversation already speaks: nothing to identify.
        let covered = estimate
            .plausible_set(o)
            .is_some_and(|set| self.packs_for(set).is_superset(scoped));
        let guess = if learning || !covered {
            self.detector.detect(text)
        } else {
            None
        };
        if let Some(g) = &guess {
            estimate.update(g, o);
        }
        if scoped.is_empty() {
            return Outcome {
                guess,
                ..Outcome::default()
            };
        }
        let scope = estimate.scope(guess.as_ref(), o);
        let mut dropped = Vec::new();
        hits.retain(|h| {
            let keep = self.applies(h.rule, &scope);
            if !keep {
                dropped.push(h.clone());
            }
            keep
        });
        Outcome {
            guess,
            packs: match scope {
                LanguageScope::Only(set) => Some(self.packs_for(set)),
                LanguageScope::All => None,
            },
            dropped,
        }
    }
}

/// The language of a message and its conversation, as an observation reports it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LanguageReport {
    /// The message's language, when it was identified (a tracker identifies a message only while
    /// it learns the conversation's languages, or when a pack outside them matched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<LanguageShare>,
    /// The conversation's estimate: its languages with their shares of the evidence, strongest
    /// first (empty before any evidence).
    pub conversation: Vec<LanguageShare>,
    /// The languages whose packs applied to the message; `None` when every pack did (the
    /// language unknown or uncertain) or no language pack matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packs: Option<Vec<Language>>,
    /// Rules whose text matched but whose pack's language is not plausible here, in policy order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub out_of_scope: Vec<std::sync::Arc<str>>,
}

/// A language with a share (of a conversation's evidence) or a confidence (of a message's guess),
/// in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[non_exhaustive]
pub struct LanguageShare {
    /// The language.
    pub language: Language,
    /// Its share or confidence, rounded to three decimals.
    #[serde(serialize_with = "crate::engine::round3_f32")]
    pub share: f32,
}

impl LanguageReport {
    pub(crate) fn new(
        outcome: &Outcome,
        estimate: &LanguageEstimate,
        rule_ids: impl Fn(u32) -> Option<std::sync::Arc<str>>,
    ) -> LanguageReport {
        LanguageReport {
            message: outcome.guess.map(|g| LanguageShare {
                language: g.language(),
                share: g.confidence(),
            }),
            conversation: estimate
                .shares()
                .map(|(language, share)| LanguageShare { language, share })
                .collect(),
            packs: outcome.packs.map(|set| set.iter().collect()),
            out_of_scope: outcome.dropped.iter().filter_map(|h| rule_ids(h.rule)).collect(),
        }
    }
}
