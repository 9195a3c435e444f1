//! The policy format: what one policy file (a *layer*) may contain.
//!
//! Every table rejects unknown fields, so a typo (`wieght`) is an error, not a silent default.
//! All fields of the settings tables are optional in a layer: a later layer overrides only what it
//! names. See `docs/policies.md` for the format field by field.

use serde::{Deserialize, Deserializer, Serialize};

use crate::message::{AgeBand, Channel, Relationship};
use crate::normalize::NormalizeOptions;

/// One policy source: a shipped pack or a platform's override file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    /// Identity of this layer.
    #[serde(default)]
    pub policy: Option<Meta>,
    /// Normalization steps (each `true` by default).
    #[serde(default)]
    pub normalize: Option<NormalizeSettings>,
    /// Scoring constants: decay, levels, bonuses, limits.
    #[serde(default)]
    pub scoring: Option<ScoringSettings>,
    /// What evidence an escalation carries.
    #[serde(default)]
    pub evidence: Option<EvidenceSettings>,
    /// Contact and payment details (indicators) kept per conversation key for escalations.
    #[serde(default)]
    pub indicators: Option<IndicatorSettings>,
    /// Recommended action per level.
    #[serde(default)]
    pub actions: Option<Actions>,
    /// Sender cases: what one sender does across conversations.
    #[serde(default)]
    pub senders: Option<SenderSettings>,
    /// Memory bounds of a tracker.
    #[serde(default)]
    pub tracker: Option<TrackerSettings>,
    /// Language identification and the scoping of packs by language.
    #[serde(default)]
    pub language: Option<LanguageSettings>,
    /// The platform's metadata vocabulary and the adult age.
    pub metadata: Option<MetadataSettings>,
    /// Grooming stages.
    #[serde(default, rename = "stage")]
    pub stages: Vec<Stage>,
    /// Categories of risky behaviour.
    #[serde(default, rename = "category")]
    pub categories: Vec<Category>,
    /// Detection rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
    /// Metadata modifiers.
    #[serde(default, rename = "modifier")]
    pub modifiers: Vec<Modifier>,
    /// Level ceilings.
    #[serde(default, rename = "ceiling")]
    pub ceilings: Vec<Ceiling>,
    /// Interventions in the message path: what the app does now (nudge, hold, mask).
    #[serde(default, rename = "intervention")]
    pub interventions: Vec<Intervention>,
    /// Notices shown by nudges, in each language.
    #[serde(default, rename = "notice")]
    pub notices: Vec<Notice>,
    /// Changes to items defined by earlier layers.
    #[serde(default, rename = "override")]
    pub overrides: Vec<Override>,
}

/// A layer's identity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short id, such as `grooming-core`.
    pub id: String,
    /// Version of this layer, such as `1.0.0`.
    #[serde(default)]
    pub version: String,
    /// Languages its terms cover (BCP 47 tags such as `en`, `de`).
    #[serde(default)]
    pub languages: Vec<String>,
    /// What the layer is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Normalization switches as written in a layer; unset fields keep the earlier value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct NormalizeSettings {
    pub nfkc: Option<bool>,
    pub case_fold: Option<bool>,
    pub strip_diacritics: Option<bool>,
    pub confusables: Option<bool>,
    pub leetspeak: Option<bool>,
    pub strip_invisible: Option<bool>,
    pub join_spaced_letters: Option<bool>,
    pub collapse_repeats: Option<bool>,
}

impl NormalizeSettings {
    pub(crate) fn apply(&self, o: &mut NormalizeOptions) {
        let set = |dst: &mut bool, v: Option<bool>| {
            if let Some(v) = v {
                *dst = v;
            }
        };
        set(&mut o.nfkc, self.nfkc);
        set(&mut o.case_fold, self.case_fold);
        set(&mut o.strip_diacritics, self.strip_diacritics);
        set(&mut o.confusables, self.confusables);
        set(&mut o.leetspeak, self.leetspeak);
        set(&mut o.strip_invisible, self.strip_invisible);
        set(&mut o.join_spaced_letters, self.join_spaced_letters);
        set(&mut o.collapse_repeats, self.collapse_repeats);
    }
}

/// Level thresholds on conversation risk, as written in a layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelThresholds {
    /// Risk at which a conversation is worth watching.
    pub watch: Option<f64>,
    /// Risk at which a moderator should review it.
    pub review: Option<f64>,
    /// Risk at which it is urgent.
    pub urgent: Option<f64>,
}

/// The bonus for several distinct grooming stages from one sender.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageBonusSettings {
    /// Number of distinct stages from which the bonus applies.
    pub from: Option<u32>,
    /// Points added for `from` stages, and again for each further stage.
    pub points: Option<f64>,
    /// How long a stage counts after its last signal, such as `14d`.
    pub window: Option<String>,
}

/// Scoring constants as written in a layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringSettings {
    /// Half-life of conversation risk, such as `72h`.
    pub half_life: Option<String>,
    /// Level thresholds.
    pub levels: Option<LevelThresholds>,
    /// Multi-stage bonus.
    pub stage_bonus: Option<StageBonusSettings>,
    /// Longest text assessed, in bytes; longer texts are assessed up to this and flagged truncated.
    pub max_message_bytes: Option<u64>,
    /// Compiled size limit of each regex pattern, in bytes.
    pub regex_size_limit: Option<u64>,
}

/// How much of a message an escalation may quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExcerptMode {
    /// No text: message ids and byte spans only.
    None,
    /// The matched characters only.
    Match,
    /// The match with some characters of context on each side.
    Context,
}

/// Evidence settings as written in a layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceSettings {
    /// Whether and how much text to quote.
    pub excerpt: Option<ExcerptMode>,
    /// Characters of context on each side, with `excerpt = "context"`.
    pub context_chars: Option<u32>,
    /// Most evidence items kept per tracked conversation.
    pub max_items: Option<u32>,
}

/// Indicator settings as written in a layer (`[indicators]`); unset fields keep the earlier
/// value, and `report` entries add to (or replace) the earlier layers' entries kind by kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorSettings {
    /// Extract indicators from messages and list them in escalations.
    pub enabled: Option<bool>,
    /// Most distinct indicators kept per conversation key.
    pub max_items: Option<u32>,
    /// The kinds to keep (all by default).
    pub kinds: Option<Vec<crate::indicators::IndicatorKind>>,
    /// Where a hotline report takes each kind: the report field, by kind.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub report: std::collections::BTreeMap<crate::indicators::IndicatorKind, String>,
}

/// Recommended action per level, as written in a layer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct Actions {
    pub watch: Option<String>,
    pub review: Option<String>,
    pub urgent: Option<String>,
}

/// Sender cases as written in a layer (`[senders]`); unset fields keep the earlier value.
///
/// A tracker keeps, per sender, the conversations in which the sender's messages carried risk to
/// a minor (or reached a level), and raises a sender escalation (`scope: "sender"`) when the
/// points of those conversations cross the sender levels and the sender reached at least
/// `min_minors` distinct minors. A conversation counts the points of the highest level it
/// reached within the window (`contact` when it reached none).
///
/// ```toml
/// [senders]
/// enabled = true
/// window = "7d"
/// min_minors = 2
/// points = { contact = 3, watch = 10, review = 25, urgent = 85 }
/// levels = { watch = 20, review = 50, urgent = 85 }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderSettings {
    /// Keep sender cases and raise sender escalations (off unless a layer enables it).
    pub enabled: Option<bool>,
    /// How long a conversation counts in its sender's case after its last risky message, such as
    /// `7d`.
    pub window: Option<String>,
    /// Distinct minors a sender must have reached before the case can reach a level.
    pub min_minors: Option<u32>,
    /// Most conversations remembered per sender (the least recently active are forgotten).
    pub max_conversations: Option<u32>,
    /// Evidence items kept per conversation of a case (its first ones).
    pub evidence_per_conversation: Option<u32>,
    /// Points a conversation adds to its sender's case, by the highest level it reached.
    pub points: Option<SenderPoints>,
    /// Thresholds on a sender's points.
    pub levels: Option<LevelThresholds>,
    /// Recommended action per sender level (for the account, not one chat).
    pub actions: Option<Actions>,
    /// A factor on a conversation's points by the relationship of the sender's messages in it
    /// (1 where not listed): a coach who asks a whole team their ages is not a stranger who
    /// asks ten children. Later layers replace a relationship's factor.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub relationship: std::collections::BTreeMap<Relationship, f64>,
}

/// Points of one conversation in its sender's case, as written in a layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderPoints {
    /// A conversation with risky messages to a minor that reached no level.
    pub contact: Option<f64>,
    /// A conversation that reached `watch`.
    pub watch: Option<f64>,
    /// A conversation that reached `review`.
    pub review: Option<f64>,
    /// A conversation that reached `urgent`.
    pub urgent: Option<f64>,
}

/// Tracker memory bounds as written in a layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerSettings {
    /// Most conversation keys held at once; the least recently used is evicted beyond it.
    pub capacity: Option<u64>,
    /// A key idle longer than this (by message timestamps), such as `30d`, is evicted.
    pub idle_ttl: Option<String>,
}

/// Language scoping as written in a layer; unset fields keep the earlier value.
///
/// A pack declares its languages in `[policy] languages`; a pack without languages (the core) is
/// language-neutral and always applies. With scoping on, the rules of a language pack apply to a
/// message only where one of its languages is plausible for the message or its conversation, and
/// to every message while the language is unknown or uncertain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageSettings {
    /// Scope language packs by the language of the message and the conversation (default `true`;
    /// it has an effect only with packs of two or more languages).
    pub scoping: Option<bool>,
    /// For a language (ISO 639-1 code), the languages whose packs apply where it is plausible:
    /// by default only its own. `pt = ["pt", "es"]` applies the Spanish pack to Portuguese
    /// conversations too. Later layers replace a language's list.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub packs: std::collections::BTreeMap<String, Vec<String>>,
    /// See [`LanguageOptions::min_letters`](crate::lang::LanguageOptions::min_letters).
    pub min_letters: Option<u32>,
    /// See [`LanguageOptions::max_bytes`](crate::lang::LanguageOptions::max_bytes).
    pub max_bytes: Option<u32>,
    /// See [`LanguageOptions::reliable_confidence`](crate::lang::LanguageOptions::reliable_confidence).
    pub reliable_confidence: Option<f32>,
    /// See [`LanguageOptions::message_weight`](crate::lang::LanguageOptions::message_weight).
    pub message_weight: Option<f32>,
    /// See [`LanguageOptions::min_evidence`](crate::lang::LanguageOptions::min_evidence).
    pub min_evidence: Option<f32>,
    /// See [`LanguageOptions::plausible_share`](crate::lang::LanguageOptions::plausible_share).
    pub plausible_share: Option<f32>,
    /// See [`LanguageOptions::learn_until`](crate::lang::LanguageOptions::learn_until).
    pub learn_until: Option<f32>,
}

impl LanguageSettings {
    pub(crate) fn apply(&self, to: &mut crate::policy::LanguagePolicy) {
        if let Some(v) = self.scoping {
            to.scoping = v;
        }
        for (k, v) in &self.packs {
            to.packs.insert(k.clone(), v.clone());
        }
        let o = &mut to.options;
        let set = |dst: &mut f32, v: Option<f32>| {
            if let Some(v) = v {
                *dst = v;
            }
        };
        if let Some(v) = self.min_letters {
            o.min_letters = v;
        }
        if let Some(v) = self.max_bytes {
            o.max_bytes = v;
        }
        set(&mut o.reliable_confidence, self.reliable_confidence);
        set(&mut o.message_weight, self.message_weight);
        set(&mut o.min_evidence, self.min_evidence);
        set(&mut o.plausible_share, self.plausible_share);
        set(&mut o.learn_until, self.learn_until);
    }
}

/// The platform's metadata as written in a layer: the adult age, and the platform's own words
/// for channels and relationships, listed under the kind each means. Later layers change the
/// adult age and add words (a word listed again under another kind moves there).
///
/// ```toml
/// [metadata]
/// adult_age = 18
/// [metadata.channel]
/// public = ["game", "lobby"]
/// [metadata.relationship]
/// contact = ["friend", "follower"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetadataSettings {
    /// The age from which a participant with a known `age` is an adult (18 by default).
    pub adult_age: Option<u32>,
    /// Channel words by the kind they mean.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub channel: std::collections::BTreeMap<Channel, Vec<String>>,
    /// Relationship words by the kind they mean.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub relationship: std::collections::BTreeMap<Relationship, Vec<String>>,
}

/// A grooming stage: categories evidence stages; several stages from one sender weigh most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// Short id, such as `isolation`.
    pub id: String,
    /// Plain-words description for moderators.
    pub summary: String,
}

/// A report hint: how a hotline's taxonomy might type a confirmed case of this category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportHint {
    /// Incident type, such as NCMEC's "Online Enticement of Children for Sexual Acts".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_type: Option<String>,
    /// Report annotations, such as `sextortion`.
    #[serde(default)]
    pub annotations: Vec<String>,
}

/// A category of risky behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Short id, such as `secrecy`.
    pub id: String,
    /// The grooming stage it evidences (a `stage` id).
    pub stage: String,
    /// Plain-words reason shown to moderators.
    pub summary: String,
    /// Most points this category adds from one message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_cap: Option<f64>,
    /// Most points this category holds in a conversation's risk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_cap: Option<f64>,
    /// Report hints for confirmed cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<ReportHint>,
}

/// Conditions on message metadata. Every listed field must match; an empty list matches anything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Sender age bands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sender: Vec<AgeBand>,
    /// Recipient age bands (a message without recipient has band `unknown`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recipient: Vec<AgeBand>,
    /// Relationships: kinds (`contact`) or platform words (`follower`, which then matches that
    /// word only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relationship: Vec<String>,
    /// Channels: kinds (`public`) or platform words (`lobby`, which then matches that word only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel: Vec<String>,
    /// Sender account younger than this many days (accounts of unknown age never match).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_age_days_below: Option<u32>,
}

/// A proximity condition: one term of each group within `within` words.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Near {
    /// Groups of alternative terms; one of each group must occur.
    pub terms: Vec<Vec<String>>,
    /// Largest distance in words between the first and the last term.
    pub within: u32,
}

/// A combination rule's parts: one counted hit of each group, within `messages` consecutive
/// messages of one conversation key (one sender, to one recipient or in one shared channel),
/// the latest of them included.
///
/// An offer split over two messages ("i can send you 50 bucks" … "for a video of you") is one
/// deal; each half alone is not. With `messages = 1` (the default) the parts must hit the same
/// message, which a stateless [`Engine::assess`](crate::Engine::assess) also sees.
///
/// ```toml
/// [[rule]]
/// id = "transactional.pay-for-content-split"
/// category = "transactional"
/// weight = 40
/// combine = { parts = [["gifts"], ["image-request"]], messages = 2 }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combine {
    /// Groups of alternatives, each a rule id or a category id (any rule of that category); one
    /// counted hit of each group must occur. Combination rules cannot be parts.
    pub parts: Vec<Vec<String>>,
    /// How many consecutive messages of the key the parts may spread over (1 to 8; 1: one
    /// message). The message the rule fires on holds at least one part.
    #[serde(default = "one")]
    pub messages: u32,
}

fn one() -> u32 {
    1
}

/// What a rule's hit says about the sender beyond its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    /// The sender discloses being a child ("i'm 13"): the conversation treats them as a probable
    /// minor when the platform's age band is unknown.
    Minor,
}

/// Example texts a rule must (`hit`) and must not (`miss`) match; they run as the pack's tests.
/// Examples test the text side of a rule (terms, near, patterns, unless), not its `when`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Texts the rule must match.
    #[serde(default)]
    pub hit: Vec<String>,
    /// Texts the rule must not match.
    #[serde(default)]
    pub miss: Vec<String>,
}

/// A detection rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, conventionally `category.name`.
    pub id: String,
    /// The category it evidences.
    pub category: String,
    /// Points one hit adds to the message score (0 to 100).
    pub weight: f64,
    /// Plain-words description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Literal terms; whole words, `*` at either end for a prefix/suffix wildcard.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub any: Vec<String>,
    /// Proximity conditions (a table or an array of tables).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub near: Vec<Near>,
    /// Regex patterns, run on the lightly normalized text (case-folded, punctuation kept).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    /// Exception phrases: when one occurs in the message, the rule does not fire.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// A combination of other rules' hits, instead of `any`, `near` and `patterns`: the rule
    /// fires where one hit of each part group counted, in this message or, with a tracker, in
    /// the sender's last few messages of the same conversation key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combine: Option<Combine>,
    /// Metadata conditions.
    #[serde(default, skip_serializing_if = "is_default")]
    pub when: Condition,
    /// A level the conversation reaches at once when the rule fires (e.g. a sextortion threat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::Level>,
    /// What a hit discloses about the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discloses: Option<Disclosure>,
    /// `false` disables the rule.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Self-tests.
    #[serde(default, skip_serializing_if = "is_default")]
    pub examples: Examples,
}

/// A metadata modifier: multiplies a message's score when its conditions hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Modifier {
    /// Unique id.
    pub id: String,
    /// Plain-words description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Metadata conditions.
    #[serde(default, skip_serializing_if = "is_default")]
    pub when: Condition,
    /// Fan-out condition: the sender sent risky messages to at least `min` distinct minors within
    /// `window`. Evaluated by a tracker (a stateless assessment never applies it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fan_out: Option<FanOut>,
    /// Factor applied to the message score (above 0, at most 10; below 1 dampens).
    pub multiply: f64,
    /// `false` disables the modifier.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A level ceiling: the highest level a conversation key reaches while the conversation's
/// participants meet `when`, unless something `lifted_by` or `lifted_after` names has happened.
///
/// Ceilings say whom Vigil is for: it detects the grooming of children, so a conversation with no
/// minor in sight (declared adults, or ages unknown) should not reach a moderator on ambiguous
/// words alone. `when` is checked against the participants as the conversation knows them: a
/// participant who disclosed being a child counts as a minor, whatever the platform declared.
/// When several ceilings hold, the lowest level applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ceiling {
    /// Unique id.
    pub id: String,
    /// Plain-words description: the reason a moderator reads when the ceiling held a level down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Metadata conditions (of the message, with probable minors counted as minors).
    #[serde(default, skip_serializing_if = "is_default")]
    pub when: Condition,
    /// The highest level reached while the ceiling holds.
    pub level: crate::Level,
    /// Categories whose presence in the conversation key lifts the ceiling (the unambiguous
    /// ones, such as sextortion).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifted_by: Vec<String>,
    /// The ceiling lifts once this many distinct messages of the key carried risk signals (at
    /// least 2): a single message, whatever its words, stays below the ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifted_after: Option<u32>,
    /// `false` disables the ceiling.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// What an intervention does to a message in the path, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InterventionAction {
    /// Show the recipient (the child) a short safety notice with a block/report affordance.
    NudgeRecipient,
    /// Show the sender friction before the message goes out ("messages to young people are
    /// reviewed for safety").
    NudgeSender,
    /// Deliver the message with its contact details (phone numbers, handles, invite links)
    /// masked, by the spans of the indicators found in it.
    Mask,
    /// Deliver the message only after a human reviewed it.
    Hold,
}

impl InterventionAction {
    /// The action's name as written in policies and observations.
    pub fn as_str(self) -> &'static str {
        match self {
            InterventionAction::NudgeRecipient => "nudge_recipient",
            InterventionAction::NudgeSender => "nudge_sender",
            InterventionAction::Mask => "mask",
            InterventionAction::Hold => "hold",
        }
    }

    /// Whether the action shows a notice (nudges do).
    pub fn is_nudge(self) -> bool {
        matches!(
            self,
            InterventionAction::NudgeRecipient | InterventionAction::NudgeSender
        )
    }
}

/// An intervention (`[[intervention]]`): when a message meets every listed condition, the app is
/// told to nudge, mask or hold it — decided from the conversation's state, as the message is
/// observed. When several interventions apply, the strongest action wins (hold, then mask, then
/// a nudge to the sender, then a nudge to the recipient), the first listed among equals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// Unique id.
    pub id: String,
    /// What it does.
    pub action: InterventionAction,
    /// Plain-words reason (shown to moderators and in explanations, never to the sender).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Metadata conditions of the message (probable minors counted as minors).
    #[serde(default, skip_serializing_if = "is_default")]
    pub when: Condition,
    /// The message carries points in one of these categories (empty: no condition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// The conversation key's level after the message is at least this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_level: Option<crate::Level>,
    /// The key has one of these stages active (empty: no condition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
    /// The message holds a contact or payment detail of one of these kinds (empty: no
    /// condition; required by `mask`, whose spans they are).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<crate::indicators::IndicatorKind>,
    /// The notice a nudge shows (required by nudges; the id of a `[[notice]]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
    /// Rate limit of a nudge: at most once per conversation key and category within this
    /// duration (such as `24h`); without it, every matching message is nudged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub once_per: Option<String>,
    /// What `mask` writes in place of each masked detail (required by `mask`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// `false` disables the intervention.
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// A notice (`[[notice]]`): the text a nudge shows, in each language. Platforms replace texts by
/// defining a notice with the same id in a later layer (its languages replace or add to the
/// earlier layer's).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// Unique id, named by interventions' `notice`.
    pub id: String,
    /// The language used when the recipient's language has no text (an ISO 639-1 code listed in
    /// `text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// ISO 639-1 code → text.
    #[serde(default)]
    pub text: std::collections::BTreeMap<String, String>,
}

/// A sender's fan-out condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FanOut {
    /// Distinct minor recipients, this message's included.
    pub min: u32,
    /// Time window, such as `24h`.
    pub window: String,
}

/// A change to an item of an earlier layer. Name exactly one of `rule`, `category`, `modifier`,
/// `ceiling`, `intervention`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    /// The rule to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The category to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The modifier to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modifier: Option<String>,
    /// The ceiling to change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ceiling: Option<String>,
    /// The intervention to change (only `enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<String>,
    /// Enable or disable (rules, modifiers and ceilings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// New weight (rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
    /// New factor (modifiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiply: Option<f64>,
    /// New forced level (rules), or new level (ceilings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::Level>,
    /// Terms to add (rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_any: Vec<String>,
    /// Patterns to add (rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_patterns: Vec<String>,
    /// Exception phrases to add (rules).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_unless: Vec<String>,
    /// New per-message cap (categories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_cap: Option<f64>,
    /// New per-conversation cap (categories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_cap: Option<f64>,
}

fn yes() -> bool {
    true
}

fn is_default<T: Default + PartialEq>(t: &T) -> bool {
    *t == T::default()
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Near>, D::Error> {
    use serde::de::{
        value::MapAccessDeserializer, value::SeqAccessDeserializer, MapAccess, SeqAccess, Visitor,
    };
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<Near>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a `near` table or an array of `near` tables")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<Near>, A::Error> {
            Near::deserialize(MapAccessDeserializer::new(map)).map(|n| vec![n])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<Near>, A::Error> {
            Vec::<Near>::deserialize(SeqAccessDeserializer::new(seq))
        }
    }
    d.deserialize_any(V)
}
