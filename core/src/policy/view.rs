//! Read-only views of a policy's layers and items ([`Policy::view`]): what the `vigil policy`
//! command, the playground and other tools show, without the types of the policy file format
//! (which stay inside the crate; [`Policy::to_json`] gives the whole resolved policy as data).

use super::model::{Category, Ceiling, Meta, Modifier, Rule, Stage};
use super::resolve::Policy;
use crate::level::Level;

/// Read-only views of a policy's layers and items, each list in definition order (see
/// [`Policy::view`]).
///
/// ```
/// let policy = vigil::Policy::shipped().unwrap();
/// let view = policy.view();
/// let enabled = view.rules().filter(|r| r.enabled()).count();
/// assert!(enabled > 0 && enabled <= view.rules().len());
/// let rule = view.rules().next().unwrap();
/// assert_eq!(view.rule(rule.id()).map(|r| r.category()), Some(rule.category()));
/// assert!(view.categories().any(|c| c.id() == rule.category()));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PolicyView<'a> {
    policy: &'a Policy,
}

impl<'a> PolicyView<'a> {
    pub(crate) fn new(policy: &'a Policy) -> PolicyView<'a> {
        PolicyView { policy }
    }

    /// The layers, in load order.
    pub fn layers(self) -> impl ExactSizeIterator<Item = LayerInfo<'a>> + 'a {
        self.policy.layers().iter().map(|meta| LayerInfo { meta })
    }

    /// The grooming stages.
    pub fn stages(self) -> impl ExactSizeIterator<Item = StageInfo<'a>> + 'a {
        self.policy.stages().iter().map(|stage| StageInfo { stage })
    }

    /// The categories.
    pub fn categories(self) -> impl ExactSizeIterator<Item = CategoryInfo<'a>> + 'a {
        self.policy
            .categories()
            .iter()
            .map(|category| CategoryInfo { category })
    }

    /// The rules, disabled ones included.
    pub fn rules(self) -> impl ExactSizeIterator<Item = RuleInfo<'a>> + 'a {
        let policy = self.policy;
        policy.rules().iter().enumerate().map(move |(i, rule)| RuleInfo {
            rule,
            layer: policy.layers().get(policy.rule_layer(i)),
        })
    }

    /// The rule with this id, if the policy has one.
    pub fn rule(self, id: &str) -> Option<RuleInfo<'a>> {
        self.rules().find(|r| r.id() == id)
    }

    /// The metadata modifiers, disabled ones included.
    pub fn modifiers(self) -> impl ExactSizeIterator<Item = ModifierInfo<'a>> + 'a {
        self.policy
            .modifiers()
            .iter()
            .map(|modifier| ModifierInfo { modifier })
    }

    /// The level ceilings, disabled ones included.
    pub fn ceilings(self) -> impl ExactSizeIterator<Item = CeilingInfo<'a>> + 'a {
        self.policy
            .ceilings()
            .iter()
            .map(|ceiling| CeilingInfo { ceiling })
    }
}

/// One layer of a policy (a shipped pack or a platform's file), by its `[policy]` table.
#[derive(Debug, Clone, Copy)]
pub struct LayerInfo<'a> {
    meta: &'a Meta,
}

impl<'a> LayerInfo<'a> {
    /// Short id, such as `grooming-core`.
    pub fn id(self) -> &'a str {
        &self.meta.id
    }
    /// The layer's version (empty when it gives none).
    pub fn version(self) -> &'a str {
        &self.meta.version
    }
    /// The languages its terms cover (ISO 639-1 codes); empty for a language-neutral layer.
    pub fn languages(self) -> &'a [String] {
        &self.meta.languages
    }
    /// What the layer is for.
    pub fn description(self) -> Option<&'a str> {
        self.meta.description.as_deref()
    }
}

/// A grooming stage.
#[derive(Debug, Clone, Copy)]
pub struct StageInfo<'a> {
    stage: &'a Stage,
}

impl<'a> StageInfo<'a> {
    /// Short id, such as `isolation`.
    pub fn id(self) -> &'a str {
        &self.stage.id
    }
    /// Plain-words description for moderators.
    pub fn summary(self) -> &'a str {
        &self.stage.summary
    }
}

/// A category of risky behaviour.
#[derive(Debug, Clone, Copy)]
pub struct CategoryInfo<'a> {
    category: &'a Category,
}

impl<'a> CategoryInfo<'a> {
    /// Short id, such as `secrecy`.
    pub fn id(self) -> &'a str {
        &self.category.id
    }
    /// The id of the grooming stage it evidences.
    pub fn stage(self) -> &'a str {
        &self.category.stage
    }
    /// Plain-words reason shown to moderators.
    pub fn summary(self) -> &'a str {
        &self.category.summary
    }
    /// Most points it adds from one message, if capped.
    pub fn message_cap(self) -> Option<f64> {
        self.category.message_cap
    }
    /// Most points it holds in a conversation's risk, if capped.
    pub fn conversation_cap(self) -> Option<f64> {
        self.category.conversation_cap
    }
    /// The incident type a hotline report of a confirmed case might carry.
    pub fn incident_type(self) -> Option<&'a str> {
        self.category.report.as_ref()?.incident_type.as_deref()
    }
    /// Report annotations for confirmed cases.
    pub fn annotations(self) -> &'a [String] {
        self.category.report.as_ref().map_or(&[], |r| &r.annotations)
    }
}

/// A detection rule, with the layer that defined it.
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo<'a> {
    rule: &'a Rule,
    layer: Option<&'a Meta>,
}

impl<'a> RuleInfo<'a> {
    /// Unique id, conventionally `category.name`.
    pub fn id(self) -> &'a str {
        &self.rule.id
    }
    /// The id of the category it evidences.
    pub fn category(self) -> &'a str {
        &self.rule.category
    }
    /// Points one hit adds to the message score.
    pub fn weight(self) -> f64 {
        self.rule.weight
    }
    /// Plain-words description.
    pub fn description(self) -> Option<&'a str> {
        self.rule.description.as_deref()
    }
    /// `false` when the policy disables it.
    pub fn enabled(self) -> bool {
        self.rule.enabled
    }
    /// The level a conversation reaches at once when it fires, if it forces one.
    pub fn level(self) -> Option<Level> {
        self.rule.level
    }
    /// Whether a hit says the sender disclosed being a child.
    pub fn discloses_minor(self) -> bool {
        self.rule.discloses.is_some()
    }
    /// The layer that defined it (later layers may have changed it through overrides).
    pub fn layer(self) -> Option<LayerInfo<'a>> {
        self.layer.map(|meta| LayerInfo { meta })
    }
    /// The languages of its layer: with language scoping, the rule applies where one of them is
    /// plausible. Empty for a language-neutral layer (the rule always applies).
    pub fn languages(self) -> &'a [String] {
        self.layer.map_or(&[], |m| &m.languages)
    }
    /// Its literal terms (`any`), as written.
    pub fn terms(self) -> &'a [String] {
        &self.rule.any
    }
    /// The terms of its proximity groups (`near`), as written.
    pub fn near_terms(self) -> impl Iterator<Item = &'a str> + 'a {
        self.rule
            .near
            .iter()
            .flat_map(|n| n.terms.iter().flatten())
            .map(String::as_str)
    }
    /// Its exception phrases (`unless`), as written.
    pub fn exceptions(self) -> &'a [String] {
        &self.rule.unless
    }
    /// Its regex patterns, as written.
    pub fn patterns(self) -> &'a [String] {
        &self.rule.patterns
    }
    /// The example texts it must match.
    pub fn hit_examples(self) -> &'a [String] {
        &self.rule.examples.hit
    }
    /// The example texts it must not match.
    pub fn miss_examples(self) -> &'a [String] {
        &self.rule.examples.miss
    }
}

/// A metadata modifier.
#[derive(Debug, Clone, Copy)]
pub struct ModifierInfo<'a> {
    modifier: &'a Modifier,
}

impl<'a> ModifierInfo<'a> {
    /// Unique id.
    pub fn id(self) -> &'a str {
        &self.modifier.id
    }
    /// Plain-words description.
    pub fn description(self) -> Option<&'a str> {
        self.modifier.description.as_deref()
    }
    /// The factor it applies to a message's score.
    pub fn factor(self) -> f64 {
        self.modifier.multiply
    }
    /// `false` when the policy disables it.
    pub fn enabled(self) -> bool {
        self.modifier.enabled
    }
    /// For a fan-out modifier: the distinct minors a sender must have reached.
    pub fn fan_out_min(self) -> Option<u32> {
        self.modifier.fan_out.as_ref().map(|f| f.min)
    }
    /// For a fan-out modifier: the time window, as written (such as `24h`).
    pub fn fan_out_window(self) -> Option<&'a str> {
        self.modifier.fan_out.as_ref().map(|f| f.window.as_str())
    }
}

/// A level ceiling.
#[derive(Debug, Clone, Copy)]
pub struct CeilingInfo<'a> {
    ceiling: &'a Ceiling,
}

impl<'a> CeilingInfo<'a> {
    /// Unique id.
    pub fn id(self) -> &'a str {
        &self.ceiling.id
    }
    /// The reason a moderator reads when it held a level down.
    pub fn description(self) -> Option<&'a str> {
        self.ceiling.description.as_deref()
    }
    /// The highest level reached while it holds.
    pub fn level(self) -> Level {
        self.ceiling.level
    }
    /// Categories whose presence lifts it.
    pub fn lifted_by(self) -> &'a [String] {
        &self.ceiling.lifted_by
    }
    /// The number of distinct risky messages after which it lifts, if set.
    pub fn lifted_after(self) -> Option<u32> {
        self.ceiling.lifted_after
    }
    /// `false` when the policy disables it.
    pub fn enabled(self) -> bool {
        self.ceiling.enabled
    }
}
