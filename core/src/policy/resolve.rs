//! Building a [`Policy`]: parsing layers, merging them in order, validating the whole, and the
//! resolved settings. Private: [`Policy`] and [`PolicyBuilder`] are re-exported at the crate root,
//! the settings from [`crate::policy`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::duration::parse_duration;
use super::model::{
    Category, Ceiling, ExcerptMode, Intervention, InterventionAction, Layer, Meta, Modifier, Notice, Rule,
    Stage,
};
use super::view::PolicyView;

use crate::error::{Location, PolicyError, PolicyErrorKind};
use crate::indicators::IndicatorKind;
use crate::message::{Channel, Message, PlatformMetadata, PlatformWord, Relationship};
use crate::normalize::NormalizeOptions;

/// Fallbacks for limits a policy may leave unset. Scoring constants (half-life, levels, weights)
/// have no fallback: a policy must set them.
pub mod defaults {
    /// Longest text assessed, in bytes.
    pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
    /// Hard ceiling on `max_message_bytes`.
    pub const MAX_MESSAGE_BYTES_CEILING: usize = 16 * 1024 * 1024;
    /// Compiled size limit of one regex pattern.
    pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
    /// Most evidence items per tracked conversation key.
    pub const MAX_EVIDENCE: u32 = 16;
    /// Most distinct indicators kept per tracked conversation key.
    pub const MAX_INDICATORS: u32 = 32;
    /// Most conversations remembered per sender case.
    pub const MAX_CASE_CONVERSATIONS: u32 = 32;
    /// Evidence items kept per conversation of a sender case.
    pub const CASE_EVIDENCE: u32 = 3;
    /// Characters of context around a match with `excerpt = "context"`.
    pub const CONTEXT_CHARS: u32 = 40;
    /// Most conversation keys a tracker holds.
    pub const TRACKER_CAPACITY: usize = 100_000;
    /// Idle time-to-live of a tracked key, in milliseconds (30 days).
    pub const IDLE_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
    /// The age from which a participant is an adult, where no layer sets `metadata.adult_age`.
    pub const ADULT_AGE: u32 = 18;
}

/// Resolved scoring constants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Scoring {
    /// Half-life of conversation risk, in milliseconds.
    pub half_life_ms: i64,
    /// Thresholds for watch, review and urgent.
    pub levels: [f64; 3],
    /// The multi-stage bonus, if any.
    pub stage_bonus: Option<StageBonus>,
    /// Longest text assessed, in bytes.
    pub max_message_bytes: usize,
    /// Compiled size limit of each regex.
    pub regex_size_limit: usize,
}

/// Resolved multi-stage bonus: `points × (stages − from + 1)` once `stages ≥ from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StageBonus {
    /// Distinct stages from which the bonus applies.
    pub from: u32,
    /// Points per stage from `from` on.
    pub points: f64,
    /// How long a stage counts after its last signal, in milliseconds.
    pub window_ms: i64,
}

/// Resolved evidence settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// Whether and how much text escalations quote.
    pub excerpt: ExcerptMode,
    /// Characters of context with `excerpt = "context"`.
    pub context_chars: u32,
    /// Most evidence items per tracked key.
    pub max_items: u32,
}

/// Resolved indicator settings (the `[indicators]` tables of the layers, merged): whether a
/// tracker extracts contact and payment details ([`crate::indicators`]) from messages, which
/// kinds it keeps, how many per conversation key, and where a hotline report takes each kind.
/// Off unless a layer enables it (the shipped core pack does).
///
/// ```
/// use vigil::indicators::IndicatorKind;
///
/// let policy = vigil::Policy::shipped().unwrap();
/// let ind = policy.indicators();
/// assert!(ind.enabled);
/// assert!(ind.keeps(IndicatorKind::Wallet));
/// assert!(ind.report_field(IndicatorKind::Phone).is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Indicators {
    /// Whether trackers extract indicators and escalations list them.
    pub enabled: bool,
    /// Most distinct indicators kept per conversation key (the first ones seen).
    pub max_items: u32,
    /// The kinds kept, in [`IndicatorKind::ALL`] order.
    pub kinds: Vec<IndicatorKind>,
    /// Where a hotline report takes each kind (a report field, as policy data), by kind.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub report: BTreeMap<IndicatorKind, String>,
}

impl Default for Indicators {
    fn default() -> Indicators {
        Indicators {
            enabled: false,
            max_items: defaults::MAX_INDICATORS,
            kinds: IndicatorKind::ALL.to_vec(),
            report: BTreeMap::new(),
        }
    }
}

impl Indicators {
    /// Whether indicators of `kind` are kept (always false when disabled).
    pub fn keeps(&self, kind: IndicatorKind) -> bool {
        self.enabled && self.kinds.contains(&kind)
    }

    /// The report field the policy names for `kind`, if any.
    pub fn report_field(&self, kind: IndicatorKind) -> Option<&str> {
        self.report.get(&kind).map(String::as_str)
    }

    /// Whether these are the settings of a policy that never mentioned indicators: such a policy
    /// serializes (and hashes) as before indicators existed.
    fn is_unset(&self) -> bool {
        *self == Indicators::default()
    }
}

/// Resolved sender cases (the `[senders]` tables of the layers, merged): whether a tracker keeps
/// what each sender does across conversations and raises sender escalations
/// (`scope: "sender"`), and the arithmetic of a sender's level.
///
/// A sender's **points** are the sum, over the conversations in which their messages carried
/// risk within the window, of the points for the highest level each reached
/// ([`points`](Senders::points): `contact` for none, then `watch`, `review`, `urgent`); a
/// conversation counts when its recipient is a minor (declared, or a participant who disclosed
/// being a child) or when it reached a level. The sender's **level** is what those points reach
/// by [`levels`](Senders::levels), once the sender reached at least
/// [`min_minors`](Senders::min_minors) distinct minors — one conversation alone is its own case.
///
/// ```
/// let policy = vigil::Policy::shipped().unwrap();
/// let s = policy.senders();
/// assert!(s.enabled);
/// assert!(s.min_minors >= 2);
/// assert!(s.levels[0] < s.levels[1] && s.levels[1] < s.levels[2]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Senders {
    /// Whether trackers keep sender cases.
    pub enabled: bool,
    /// How long a conversation counts after its last risky message, in milliseconds.
    pub window_ms: i64,
    /// Distinct minors reached before a sender's case can reach a level.
    pub min_minors: u32,
    /// Most conversations remembered per sender.
    pub max_conversations: u32,
    /// Evidence items kept per conversation of a case.
    pub evidence_per_conversation: u32,
    /// Points of a conversation by the highest level it reached: none (`contact`), `watch`,
    /// `review`, `urgent`.
    pub points: [f64; 4],
    /// Thresholds on a sender's points for `watch`, `review`, `urgent`.
    pub levels: [f64; 3],
    /// Recommended action per sender level.
    pub actions: [Option<String>; 3],
    /// Factors on a conversation's points by relationship (1 where not listed).
    pub relationship: BTreeMap<crate::message::Relationship, f64>,
}

impl Default for Senders {
    fn default() -> Senders {
        Senders {
            enabled: false,
            window_ms: 0,
            min_minors: 0,
            max_conversations: defaults::MAX_CASE_CONVERSATIONS,
            evidence_per_conversation: defaults::CASE_EVIDENCE,
            points: [0.0; 4],
            levels: [0.0; 3],
            actions: [None, None, None],
            relationship: BTreeMap::new(),
        }
    }
}

impl Senders {
    /// The points of a conversation that reached `level` (`None`: risky contact only).
    pub fn points_for(&self, level: Option<crate::Level>) -> f64 {
        match level {
            None => self.points[0],
            Some(l) => self.points[l.index() + 1],
        }
    }

    /// The factor on the points of a conversation with `relationship`.
    pub fn factor(&self, relationship: crate::message::Relationship) -> f64 {
        self.relationship.get(&relationship).copied().unwrap_or(1.0)
    }

    /// The level `points` reach by the sender thresholds.
    pub fn level_for(&self, points: f64) -> Option<crate::Level> {
        crate::Level::ALL
            .into_iter()
            .rev()
            .find(|l| points >= self.levels[l.index()])
    }

    /// The recommended action for a sender at `level`.
    pub fn action(&self, level: crate::Level) -> Option<&str> {
        self.actions[level.index()].as_deref()
    }

    /// Whether these are the settings of a policy that never mentioned senders: such a policy
    /// serializes (and hashes) as before sender cases existed.
    fn is_unset(&self) -> bool {
        *self == Senders::default()
    }
}

/// Resolved language scoping (the `[language]` tables of the layers, merged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LanguagePolicy {
    /// Whether language packs are scoped by language.
    pub scoping: bool,
    /// For a language, the languages whose packs apply where it is plausible (a language not
    /// listed maps to itself).
    pub packs: std::collections::BTreeMap<String, Vec<String>>,
    /// Identification thresholds.
    pub options: crate::lang::LanguageOptions,
}

impl Default for LanguagePolicy {
    fn default() -> LanguagePolicy {
        LanguagePolicy {
            scoping: true,
            packs: std::collections::BTreeMap::new(),
            options: crate::lang::LanguageOptions::default(),
        }
    }
}

/// Resolved platform metadata (the `[metadata]` tables of the layers, merged): the adult age, and
/// the platform's words for channels and relationships with the kind each means.
///
/// Words are compared without case, with `-`, `_` and spaces alike (`Direct Message`,
/// `direct-message` and `direct_message` are one word); a kind's own name means that kind; a
/// word no layer lists means `unknown` (see [`MetadataPolicy::channel`]).
///
/// ```
/// use vigil::{Channel, Policy, Relationship};
///
/// let policy = Policy::shipped().unwrap();
/// let m = policy.metadata();
/// assert_eq!(m.channel("Lobby").kind, Channel::Public);
/// assert_eq!(m.channel("direct").kind, Channel::Direct);
/// assert!(!m.channel("hologram").mapped);
/// assert_eq!(m.relationship("friend").kind, Relationship::Contact);
/// assert_eq!(m.adult_age, 18);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetadataPolicy {
    /// The age from which a participant with a known `age` is an adult.
    pub adult_age: u32,
    /// Channel words (folded: lower case, `_` for `-` and spaces) and the kind each means.
    pub channel_words: BTreeMap<String, Channel>,
    /// Relationship words (folded) and the kind each means.
    pub relationship_words: BTreeMap<String, Relationship>,
}

impl Default for MetadataPolicy {
    fn default() -> MetadataPolicy {
        MetadataPolicy {
            adult_age: defaults::ADULT_AGE,
            channel_words: BTreeMap::new(),
            relationship_words: BTreeMap::new(),
        }
    }
}

/// A platform's word and the kind a policy maps it to ([`MetadataPolicy::channel`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KindOf<K> {
    /// The kind the word means (`unknown` for a word no layer maps, or no word).
    pub kind: K,
    /// The word is a kind's name or listed by a layer. `false` for a word Vigil does not know
    /// (scored as `unknown`, reported by `vigil scan`) and for no word at all.
    pub mapped: bool,
}

impl MetadataPolicy {
    /// The kind of channel a platform's word means.
    pub fn channel(&self, word: &str) -> KindOf<Channel> {
        kind_of(word, Channel::from_name, &self.channel_words, Channel::Unknown)
    }

    /// The kind of relationship a platform's word means.
    pub fn relationship(&self, word: &str) -> KindOf<Relationship> {
        kind_of(
            word,
            Relationship::from_name,
            &self.relationship_words,
            Relationship::Unknown,
        )
    }
}

impl MetadataPolicy {
    /// The words of `msg` that are not kinds' names, with what each is scored as; `None` when
    /// there are none (the message wrote kinds, or nothing).
    pub(crate) fn platform_words(&self, msg: &Message) -> Option<PlatformMetadata> {
        let word = |w: &str, kind: &'static str, mapped: bool| {
            (!w.is_empty() && w != kind).then(|| PlatformWord {
                word: w.to_string(),
                kind: kind.to_string(),
                mapped,
            })
        };
        let c = self.channel(&msg.channel);
        let r = self.relationship(&msg.relationship);
        let out = PlatformMetadata {
            channel: word(&msg.channel, c.kind.as_str(), c.mapped),
            relationship: word(&msg.relationship, r.kind.as_str(), r.mapped),
        };
        (out.channel.is_some() || out.relationship.is_some()).then_some(out)
    }
}

fn kind_of<K: Copy>(
    word: &str,
    named: impl Fn(&str) -> Option<K>,
    words: &BTreeMap<String, K>,
    unknown: K,
) -> KindOf<K> {
    let folded = fold_word(word);
    if folded.is_empty() {
        return KindOf {
            kind: unknown,
            mapped: false,
        };
    }
    match named(&folded).or_else(|| words.get(folded.as_ref()).copied()) {
        Some(kind) => KindOf { kind, mapped: true },
        None => KindOf {
            kind: unknown,
            mapped: false,
        },
    }
}

/// A metadata word as policies compare it: trimmed, ASCII lower case, `-` and spaces as `_`.
/// Borrows when the word is already folded (the hot path: platforms send the same words).
pub(crate) fn fold_word(word: &str) -> std::borrow::Cow<'_, str> {
    let word = word.trim();
    if word
        .bytes()
        .all(|b| !b.is_ascii_uppercase() && b != b'-' && b != b' ')
    {
        return std::borrow::Cow::Borrowed(word);
    }
    std::borrow::Cow::Owned(
        word.chars()
            .map(|c| match c {
                '-' | ' ' => '_',
                c => c.to_ascii_lowercase(),
            })
            .collect(),
    )
}

/// `folded` (a policy's word, folded) is `word` (a message's, as written) once folded; without
/// allocating.
pub(crate) fn word_is(folded: &str, word: &str) -> bool {
    let word = word.trim();
    folded.len() == word.len()
        && folded.bytes().zip(word.bytes()).all(|(f, w)| {
            let w = match w {
                b'-' | b' ' => b'_',
                w => w.to_ascii_lowercase(),
            };
            f == w
        })
}

/// Resolved tracker bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TrackerConfig {
    /// Most keys held at once.
    pub capacity: usize,
    /// Idle time-to-live in milliseconds.
    pub idle_ttl_ms: i64,
}

/// One loaded source text, kept to locate compile errors.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    pub(crate) name: String,
    pub(crate) text: Arc<str>,
}

/// A merged, validated policy. Compile it into an [`Engine`](crate::Engine).
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    id: String,
    version: String,
    layers: Vec<Meta>,
    normalize: NormalizeOptions,
    scoring: Scoring,
    evidence: Evidence,
    #[serde(skip_serializing_if = "Indicators::is_unset")]
    indicators: Indicators,
    actions: [Option<String>; 3],
    #[serde(skip_serializing_if = "Senders::is_unset")]
    senders: Senders,
    tracker: TrackerConfig,
    language: LanguagePolicy,
    metadata: MetadataPolicy,
    stages: Vec<Stage>,
    categories: Vec<Category>,
    rules: Vec<Rule>,
    modifiers: Vec<Modifier>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ceilings: Vec<Ceiling>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    interventions: Vec<Intervention>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notices: Vec<Notice>,
    #[serde(skip)]
    hash: String,
    #[serde(skip)]
    sources: Vec<Source>,
    /// Source index of each rule (parallel to `rules`).
    #[serde(skip)]
    rule_sources: Vec<usize>,
}

impl Policy {
    /// Starts a layered policy.
    pub fn builder() -> PolicyBuilder {
        PolicyBuilder::default()
    }

    /// The shipped packs, merged.
    ///
    /// ```
    /// let p = vigil::Policy::shipped().unwrap();
    /// assert!(p.view().rules().len() > 0);
    /// ```
    pub fn shipped() -> Result<Policy, PolicyError> {
        Policy::builder().add_shipped()?.build()
    }

    /// Layer ids joined with `+`.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Layer versions joined with `+`.
    pub fn version(&self) -> &str {
        &self.version
    }
    /// `sha256:` and the hex digest of the resolved policy's canonical JSON.
    pub fn hash(&self) -> &str {
        &self.hash
    }
    /// Read-only views of the policy's layers, stages, categories, rules, modifiers and ceilings.
    pub fn view(&self) -> PolicyView<'_> {
        PolicyView::new(self)
    }

    /// The layers' identities, in load order.
    pub(crate) fn layers(&self) -> &[Meta] {
        &self.layers
    }
    /// Normalization switches.
    pub fn normalize_options(&self) -> NormalizeOptions {
        self.normalize
    }
    /// Scoring constants.
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }
    /// Evidence settings.
    pub fn evidence(&self) -> &Evidence {
        &self.evidence
    }
    /// Indicator settings.
    pub fn indicators(&self) -> &Indicators {
        &self.indicators
    }
    /// Sender case settings.
    pub fn senders(&self) -> &Senders {
        &self.senders
    }
    /// Tracker bounds.
    pub fn tracker(&self) -> &TrackerConfig {
        &self.tracker
    }
    /// Language scoping.
    pub fn language(&self) -> &LanguagePolicy {
        &self.language
    }

    /// The platform's metadata vocabulary and the adult age.
    pub fn metadata(&self) -> &MetadataPolicy {
        &self.metadata
    }
    /// Recommended action for a level, if the policy gives one.
    pub fn action(&self, level: crate::Level) -> Option<&str> {
        self.actions[level.index()].as_deref()
    }
    /// Stages, in definition order.
    pub(crate) fn stages(&self) -> &[Stage] {
        &self.stages
    }
    /// Categories, in definition order.
    pub(crate) fn categories(&self) -> &[Category] {
        &self.categories
    }
    /// Rules (disabled ones included, with `enabled = false`).
    pub(crate) fn rules(&self) -> &[Rule] {
        &self.rules
    }
    /// Modifiers (disabled ones included).
    pub(crate) fn modifiers(&self) -> &[Modifier] {
        &self.modifiers
    }
    /// Level ceilings (disabled ones included).
    pub(crate) fn ceilings(&self) -> &[Ceiling] {
        &self.ceilings
    }
    /// Interventions (disabled ones included).
    pub(crate) fn interventions(&self) -> &[Intervention] {
        &self.interventions
    }
    /// Notices, with every layer's texts merged.
    pub(crate) fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// The resolved policy as pretty JSON (what the hash covers). Infallible: a policy holds no
    /// map and nothing whose serialization can fail (see `core/src/json.rs`).
    pub fn to_json(&self) -> String {
        crate::json::pretty(self)
    }

    /// The index of the layer that defined a rule (0 for the first layer).
    pub(crate) fn rule_layer(&self, rule: usize) -> usize {
        self.rule_sources.get(rule).copied().unwrap_or(0)
    }

    /// The location of a stage, category or modifier (`kind`) with id `id` in the layer that
    /// defines it, pointing at `field`.
    pub(crate) fn item_location(&self, kind: &str, id: &str, field: &str) -> Location {
        let item = Some(format!("{kind} `{id}`"));
        for src in &self.sources {
            let (line, column) = locate(&src.text, id, field, None);
            if line.is_some() {
                return Location {
                    source: src.name.clone(),
                    line,
                    column,
                    item,
                    field: Some(field.into()),
                };
            }
        }
        Location {
            source: "(policy)".into(),
            item,
            field: Some(field.into()),
            ..Location::default()
        }
    }

    /// The location of a rule's field (and optionally a value in it) in its source text.
    pub(crate) fn rule_location(&self, rule: usize, field: &str, needle: Option<&str>) -> Location {
        let id = self.rules.get(rule).map(|r| r.id.as_str()).unwrap_or("");
        let src = self.rule_sources.get(rule).and_then(|&i| self.sources.get(i));
        let (name, text) = match src {
            Some(s) => (s.name.clone(), Some(&*s.text)),
            None => (String::from("(policy)"), None),
        };
        let (line, column) = text.map(|t| locate(t, id, field, needle)).unwrap_or((None, None));
        Location {
            source: name,
            line,
            column,
            item: Some(format!("rule `{id}`")),
            field: Some(field.into()),
        }
    }
}

/// A resolved policy as its canonical JSON spells it ([`Policy`]'s serialization), to read it
/// back: compiled bundles store it ([`crate::bundle`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Resolved {
    id: String,
    version: String,
    layers: Vec<Meta>,
    normalize: NormalizeOptions,
    scoring: Scoring,
    evidence: Evidence,
    #[serde(default)]
    indicators: Indicators,
    actions: [Option<String>; 3],
    #[serde(default)]
    senders: Senders,
    tracker: TrackerConfig,
    language: LanguagePolicy,
    metadata: MetadataPolicy,
    stages: Vec<Stage>,
    categories: Vec<Category>,
    rules: Vec<Rule>,
    modifiers: Vec<Modifier>,
    #[serde(default)]
    ceilings: Vec<Ceiling>,
    #[serde(default)]
    interventions: Vec<Intervention>,
    #[serde(default)]
    notices: Vec<Notice>,
}

impl Policy {
    /// The policy whose canonical JSON ([`crate::json::compact`] of a built policy) is `json`,
    /// with the layer of each rule (`rule_layers`, parallel to the rules) and `hash` as its hash.
    /// With `check_hash`, checks that the SHA-256 of `json` is `hash`, so the policy read back is
    /// the one hashed; source texts are not kept (errors about the policy then point at
    /// `(policy)`).
    pub(crate) fn from_canonical(
        json: &str,
        hash: &str,
        rule_layers: Vec<usize>,
        check_hash: bool,
    ) -> Result<Policy, String> {
        if check_hash {
            let digest = Sha256::digest(json.as_bytes());
            let found = format!(
                "sha256:{}",
                digest.iter().map(|b| format!("{b:02x}")).collect::<String>()
            );
            if found != hash {
                return Err(format!("the policy's hash is {found}, not {hash}"));
            }
        }
        let r: Resolved = serde_json::from_str(json).map_err(|e| format!("policy: {e}"))?;
        if rule_layers.len() != r.rules.len() || rule_layers.iter().any(|&l| l >= r.layers.len().max(1)) {
            return Err("policy: the rules' layers do not fit the policy".into());
        }
        Ok(Policy {
            id: r.id,
            version: r.version,
            layers: r.layers,
            normalize: r.normalize,
            scoring: r.scoring,
            evidence: r.evidence,
            indicators: r.indicators,
            actions: r.actions,
            senders: r.senders,
            tracker: r.tracker,
            language: r.language,
            metadata: r.metadata,
            stages: r.stages,
            categories: r.categories,
            rules: r.rules,
            modifiers: r.modifiers,
            ceilings: r.ceilings,
            interventions: r.interventions,
            notices: r.notices,
            hash: hash.to_string(),
            sources: Vec::new(),
            rule_sources: rule_layers,
        })
    }

    /// The layer of each rule (parallel to the rules), for [`Policy::from_canonical`].
    pub(crate) fn rule_layers(&self) -> &[usize] {
        &self.rule_sources
    }
}

/// Builds a [`Policy`] from layers. Each `add_*` parses at once and fails with the source's
/// line and column; [`build`](PolicyBuilder::build) merges and validates.
#[derive(Debug, Default, Clone)]
pub struct PolicyBuilder {
    layers: Vec<(Source, Layer)>,
}

impl PolicyBuilder {
    /// Adds a TOML layer; `name` (a path or pack name) appears in errors.
    pub fn add_toml(mut self, name: &str, text: &str) -> Result<Self, PolicyError> {
        let layer: Layer = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => line_col(text, span.start),
                None => (None, None),
            };
            let msg = e.message().trim().to_string();
            PolicyError::new(
                Location {
                    source: name.into(),
                    line,
                    column,
                    item: None,
                    field: None,
                },
                PolicyErrorKind::Syntax(msg),
            )
        })?;
        self.layers.push((
            Source {
                name: name.into(),
                text: text.into(),
            },
            layer,
        ));
        Ok(self)
    }

    /// Adds a JSON layer (same structure as TOML).
    pub fn add_json(mut self, name: &str, text: &str) -> Result<Self, PolicyError> {
        let layer: Layer = serde_json::from_str(text).map_err(|e| {
            let line = u32::try_from(e.line()).ok().filter(|&l| l > 0);
            let column = u32::try_from(e.column()).ok().filter(|&c| c > 0);
            let msg = e.to_string();
            let msg = msg
                .rfind(" at line ")
                .map(|i| msg[..i].to_string())
                .unwrap_or(msg);
            PolicyError::new(
                Location {
                    source: name.into(),
                    line,
                    column,
                    item: None,
                    field: None,
                },
                PolicyErrorKind::Syntax(msg),
            )
        })?;
        self.layers.push((
            Source {
                name: name.into(),
                text: text.into(),
            },
            layer,
        ));
        Ok(self)
    }

    /// Adds a layer in TOML or JSON: JSON when `name` ends in `.json` or the text starts with `{`.
    pub fn add_source(self, name: &str, text: &str) -> Result<Self, PolicyError> {
        if name.ends_with(".json") || text.trim_start().starts_with('{') {
            self.add_json(name, text)
        } else {
            self.add_toml(name, text)
        }
    }

    /// Adds one shipped pack by name (see [`crate::packs`]).
    pub fn add_pack(self, name: &str) -> Result<Self, PolicyError> {
        match crate::packs::get(name) {
            Some(text) => self.add_toml(&format!("policies/{name}.toml"), text),
            None => Err(PolicyError::new(
                Location {
                    source: name.into(),
                    ..Location::default()
                },
                PolicyErrorKind::UnknownPack(name.into()),
            )),
        }
    }

    /// Adds every shipped pack, in order.
    pub fn add_shipped(mut self) -> Result<Self, PolicyError> {
        for (name, _) in crate::packs::PACKS {
            self = self.add_pack(name)?;
        }
        Ok(self)
    }

    /// Merges the layers in order and validates the whole.
    pub fn build(self) -> Result<Policy, PolicyError> {
        Merger::default().run(self.layers)
    }
}

#[derive(Default)]
struct Merger {
    ids: Vec<String>,
    versions: Vec<String>,
    metas: Vec<Meta>,
    normalize: NormalizeOptions,
    half_life: Option<(String, usize)>,
    levels: [Option<f64>; 3],
    stage_from: Option<u32>,
    stage_points: Option<f64>,
    stage_window: Option<(String, usize)>,
    max_message_bytes: Option<u64>,
    regex_size_limit: Option<u64>,
    excerpt: Option<ExcerptMode>,
    context_chars: Option<u32>,
    max_items: Option<u32>,
    indicators_enabled: Option<bool>,
    indicators_max: Option<u32>,
    indicators_kinds: Option<Vec<IndicatorKind>>,
    indicators_report: BTreeMap<IndicatorKind, String>,
    actions: [Option<String>; 3],
    /// The `[senders]` tables merged, and the last layer that had one (to locate errors).
    senders: crate::policy::model::SenderSettings,
    senders_source: Option<usize>,
    capacity: Option<u64>,
    idle_ttl: Option<(String, usize)>,
    stages: Vec<(Stage, usize)>,
    categories: Vec<(Category, usize)>,
    rules: Vec<(Rule, usize)>,
    modifiers: Vec<(Modifier, usize)>,
    ceilings: Vec<(Ceiling, usize)>,
    interventions: Vec<(Intervention, usize)>,
    notices: Vec<(Notice, usize)>,
    language: LanguagePolicy,
    /// The last layer with a `[language]` table, to locate its errors.
    language_source: Option<usize>,
    metadata: MetadataPolicy,
    sources: Vec<Source>,
    /// Position of each stage, category, rule, modifier and ceiling id (kind 0 to 4) in its list, so that
    /// duplicate checks and overrides take constant time: a policy of 100,000 rules loads in
    /// linear time, not quadratic.
    positions: HashMap<(u8, String), usize>,
}

fn loc(src: &Source, item: String, field: Option<&str>, needle: Option<&str>) -> Location {
    let key = item.split('`').nth(1).unwrap_or("");
    let (line, column) = locate(&src.text, key, field.unwrap_or(""), needle);
    Location {
        source: src.name.clone(),
        line,
        column,
        item: Some(item),
        field: field.map(str::to_string),
    }
}

impl Merger {
    fn run(mut self, layers: Vec<(Source, Layer)>) -> Result<Policy, PolicyError> {
        if layers.is_empty() {
            return Err(PolicyError::new(
                Location {
                    source: "(policy)".into(),
                    ..Location::default()
                },
                PolicyErrorKind::Invalid("no policy layers were given".into()),
            ));
        }
        for (i, (src, layer)) in layers.into_iter().enumerate() {
            self.sources.push(src);
            self.layer(i, layer)?;
        }
        self.finish()
    }

    fn err(
        &self,
        si: usize,
        item: String,
        field: Option<&str>,
        needle: Option<&str>,
        kind: PolicyErrorKind,
    ) -> PolicyError {
        PolicyError::new(loc(&self.sources[si], item, field, needle), kind)
    }

    fn layer(&mut self, si: usize, layer: Layer) -> Result<(), PolicyError> {
        let meta = layer.policy.clone().unwrap_or_else(|| Meta {
            id: self.sources[si]
                .name
                .rsplit('/')
                .next()
                .unwrap_or("layer")
                .trim_end_matches(".toml")
                .into(),
            ..Meta::default()
        });
        self.ids.push(meta.id.clone());
        if !meta.version.is_empty() {
            self.versions.push(meta.version.clone());
        }
        self.metas.push(meta);
        if let Some(n) = &layer.normalize {
            n.apply(&mut self.normalize);
        }
        if let Some(s) = &layer.scoring {
            if let Some(h) = &s.half_life {
                self.half_life = Some((h.clone(), si));
            }
            if let Some(l) = &s.levels {
                for (dst, v) in self.levels.iter_mut().zip([l.watch, l.review, l.urgent]) {
                    if v.is_some() {
                        *dst = v;
                    }
                }
            }
            if let Some(b) = &s.stage_bonus {
                self.stage_from = b.from.or(self.stage_from);
                self.stage_points = b.points.or(self.stage_points);
                if let Some(w) = &b.window {
                    self.stage_window = Some((w.clone(), si));
                }
            }
            self.max_message_bytes = s.max_message_bytes.or(self.max_message_bytes);
            self.regex_size_limit = s.regex_size_limit.or(self.regex_size_limit);
        }
        if let Some(e) = &layer.evidence {
            self.excerpt = e.excerpt.or(self.excerpt);
            self.context_chars = e.context_chars.or(self.context_chars);
            self.max_items = e.max_items.or(self.max_items);
        }
        if let Some(i) = &layer.indicators {
            self.indicators_enabled = i.enabled.or(self.indicators_enabled);
            self.indicators_max = i.max_items.or(self.indicators_max);
            if i.kinds.is_some() {
                self.indicators_kinds.clone_from(&i.kinds);
            }
            for (k, v) in &i.report {
                self.indicators_report.insert(*k, v.clone());
            }
        }
        if let Some(a) = &layer.actions {
            for (dst, v) in self.actions.iter_mut().zip([&a.watch, &a.review, &a.urgent]) {
                if v.is_some() {
                    dst.clone_from(v);
                }
            }
        }
        if let Some(s) = &layer.senders {
            self.senders_layer(s);
            self.senders_source = Some(si);
        }
        if let Some(l) = &layer.language {
            l.apply(&mut self.language);
            self.language_source = Some(si);
        }
        if let Some(m) = &layer.metadata {
            self.metadata_layer(si, m)?;
        }
        if let Some(t) = &layer.tracker {
            self.capacity = t.capacity.or(self.capacity);
            if let Some(ttl) = &t.idle_ttl {
                self.idle_ttl = Some((ttl.clone(), si));
            }
        }
        self.add_items(si, 0, "stage", layer.stages, |s| &s.id, |m| &mut m.stages)?;
        self.add_items(
            si,
            1,
            "category",
            layer.categories,
            |c| &c.id,
            |m| &mut m.categories,
        )?;
        self.add_items(si, 2, "rule", layer.rules, |r| &r.id, |m| &mut m.rules)?;
        self.add_items(
            si,
            3,
            "modifier",
            layer.modifiers,
            |r| &r.id,
            |m| &mut m.modifiers,
        )?;
        self.add_items(si, 4, "ceiling", layer.ceilings, |c| &c.id, |m| &mut m.ceilings)?;
        self.add_items(
            si,
            5,
            "intervention",
            layer.interventions,
            |c| &c.id,
            |m| &mut m.interventions,
        )?;
        for n in layer.notices {
            match self.notices.iter_mut().find(|(x, _)| x.id == n.id) {
                // A later layer's notice replaces texts language by language.
                Some((x, at)) => {
                    x.text.extend(n.text);
                    if n.fallback.is_some() {
                        x.fallback = n.fallback;
                    }
                    *at = si;
                }
                None => self.notices.push((n, si)),
            }
        }
        for (n, o) in layer.overrides.into_iter().enumerate() {
            self.apply_override(si, n, o)?;
        }
        Ok(())
    }

    /// Checks interventions (references, what each action needs) and notices.
    fn check_interventions(
        &self,
        cat_ids: &HashSet<&str>,
        stage_ids: &HashSet<&str>,
    ) -> Result<(), PolicyError> {
        let invalid = |si: usize, item: &str, field: &str, why: String| {
            self.err(
                si,
                item.to_owned(),
                Some(field),
                None,
                PolicyErrorKind::Invalid(why),
            )
        };
        for (n, si) in &self.notices {
            let item = format!("notice `{}`", n.id);
            check_id(self, *si, "notice", &n.id)?;
            if n.text.is_empty()
                || n.text
                    .iter()
                    .any(|(l, t)| l.trim().is_empty() || t.trim().is_empty())
            {
                return Err(invalid(
                    *si,
                    &item,
                    "text",
                    "a notice needs a non-empty text for each language it lists".into(),
                ));
            }
            if let Some(f) = &n.fallback {
                if !n.text.contains_key(f) {
                    return Err(invalid(
                        *si,
                        &item,
                        "fallback",
                        format!("the fallback language `{f}` has no text"),
                    ));
                }
            }
        }
        for (c, si) in &self.interventions {
            let item = format!("intervention `{}`", c.id);
            check_id(self, *si, "intervention", &c.id)?;
            let unknown = |field: &str, kind: &'static str, id: &String| {
                self.err(
                    *si,
                    item.clone(),
                    Some(field),
                    Some(id),
                    PolicyErrorKind::UnknownReference { kind, id: id.clone() },
                )
            };
            if let Some(id) = c.categories.iter().find(|id| !cat_ids.contains(id.as_str())) {
                return Err(unknown("categories", "category", id));
            }
            if let Some(id) = c.stages.iter().find(|id| !stage_ids.contains(id.as_str())) {
                return Err(unknown("stages", "stage", id));
            }
            match (&c.notice, c.action.is_nudge()) {
                (Some(id), true) => {
                    if !self.notices.iter().any(|(n, _)| &n.id == id) {
                        return Err(unknown("notice", "notice", id));
                    }
                }
                (None, true) => {
                    return Err(invalid(
                        *si,
                        &item,
                        "notice",
                        format!("a `{}` intervention names the notice it shows", c.action.as_str()),
                    ))
                }
                (Some(_), false) => {
                    return Err(invalid(
                        *si,
                        &item,
                        "notice",
                        format!("a `{}` intervention shows no notice", c.action.as_str()),
                    ))
                }
                (None, false) => {}
            }
            if c.action == InterventionAction::Mask {
                if c.indicators.is_empty() {
                    return Err(invalid(
                        *si,
                        &item,
                        "indicators",
                        "a `mask` intervention lists the indicator kinds it masks".into(),
                    ));
                }
                if c.replacement.as_deref().is_none_or(str::is_empty) {
                    return Err(invalid(
                        *si,
                        &item,
                        "replacement",
                        "a `mask` intervention gives the text written in place of each detail".into(),
                    ));
                }
            } else if c.replacement.is_some() {
                return Err(invalid(
                    *si,
                    &item,
                    "replacement",
                    "only a `mask` intervention has a replacement".into(),
                ));
            }
            if let Some(d) = &c.once_per {
                if !c.action.is_nudge() {
                    return Err(invalid(
                        *si,
                        &item,
                        "once_per",
                        format!(
                            "a `{}` applies to every matching message: `once_per` is for nudges",
                            c.action.as_str()
                        ),
                    ));
                }
                self.duration(&(d.clone(), *si), &item, "once_per")?;
            }
        }
        Ok(())
    }

    /// Appends a layer's items of one kind (`kind` is its index in `positions`) to their list,
    /// each id new to the policy.
    fn add_items<T>(
        &mut self,
        si: usize,
        kind: u8,
        name: &'static str,
        items: Vec<T>,
        id: fn(&T) -> &String,
        list: fn(&mut Merger) -> &mut Vec<(T, usize)>,
    ) -> Result<(), PolicyError> {
        for item in items {
            let key = (kind, id(&item).clone());
            if self.positions.contains_key(&key) {
                return Err(self.err(
                    si,
                    format!("{name} `{}`", key.1),
                    Some("id"),
                    None,
                    dup(name, &key.1),
                ));
            }
            let at = list(self).len();
            self.positions.insert(key, at);
            list(self).push((item, si));
        }
        Ok(())
    }

    /// Merges a layer's `[metadata]` table: its adult age, and its words over earlier layers'.
    fn metadata_layer(&mut self, si: usize, m: &super::model::MetadataSettings) -> Result<(), PolicyError> {
        if let Some(age) = m.adult_age {
            if !(1..=150).contains(&age) {
                return Err(self.err(
                    si,
                    "metadata".into(),
                    Some("adult_age"),
                    None,
                    PolicyErrorKind::Invalid(format!(
                        "`metadata.adult_age` = {age} is out of range (1 to 150)"
                    )),
                ));
            }
            self.metadata.adult_age = age;
        }
        let channel = self.words(si, "channel", &m.channel, Channel::from_name)?;
        self.metadata.channel_words.extend(channel);
        let relationship = self.words(si, "relationship", &m.relationship, Relationship::from_name)?;
        self.metadata.relationship_words.extend(relationship);
        Ok(())
    }

    /// A layer's words of one field, folded, each with its kind: a word must not be empty,
    /// another kind's name, or listed under two kinds of the layer.
    fn words<K: Copy + PartialEq + Ord + Serialize>(
        &self,
        si: usize,
        field: &'static str,
        table: &BTreeMap<K, Vec<String>>,
        named: impl Fn(&str) -> Option<K>,
    ) -> Result<Vec<(String, K)>, PolicyError> {
        let mut out: BTreeMap<String, K> = BTreeMap::new();
        for (&kind, words) in table {
            for word in words {
                let folded = fold_word(word).into_owned();
                let bad = |why: String| {
                    Err(self.err(
                        si,
                        "metadata".into(),
                        Some(field),
                        Some(word),
                        PolicyErrorKind::Invalid(format!("`metadata.{field}` word {word:?}: {why}")),
                    ))
                };
                if folded.is_empty() {
                    return bad("a word must not be empty".into());
                }
                if let Some(named) = named(&folded) {
                    if named != kind {
                        return bad(format!(
                            "it is the name of the kind `{folded}` and cannot mean another"
                        ));
                    }
                }
                if let Some(&other) = out.get(&folded) {
                    if other != kind {
                        return bad("it is listed under two kinds".into());
                    }
                }
                out.insert(folded, kind);
            }
        }
        Ok(out.into_iter().collect())
    }

    fn apply_override(&mut self, si: usize, n: usize, o: super::model::Override) -> Result<(), PolicyError> {
        let targets = [
            o.rule.is_some(),
            o.category.is_some(),
            o.modifier.is_some(),
            o.ceiling.is_some(),
            o.intervention.is_some(),
        ];
        let item = format!(
            "override #{} `{}`",
            n + 1,
            o.rule
                .as_deref()
                .or(o.category.as_deref())
                .or(o.modifier.as_deref())
                .or(o.ceiling.as_deref())
                .or(o.intervention.as_deref())
                .unwrap_or("")
        );
        let invalid = |me: &Self, field: &str, msg: String| {
            me.err(si, item.clone(), Some(field), None, PolicyErrorKind::Invalid(msg))
        };
        if targets.iter().filter(|t| **t).count() != 1 {
            return Err(invalid(
                self,
                "rule",
                "an override names exactly one of `rule`, `category`, `modifier`, `ceiling`, `intervention`"
                    .into(),
            ));
        }
        let not_for = |me: &Self, field: &str, what: &str| {
            invalid(me, field, format!("`{field}` does not apply to a {what}"))
        };
        if let Some(id) = &o.rule {
            let at = self.positions.get(&(2, id.clone())).copied();
            let Some((r, _)) = at.and_then(|i| self.rules.get_mut(i)) else {
                return Err(self.err(
                    si,
                    item.clone(),
                    Some("rule"),
                    Some(id),
                    PolicyErrorKind::UnknownReference {
                        kind: "rule",
                        id: id.clone(),
                    },
                ));
            };
            if let Some(e) = o.enabled {
                r.enabled = e;
            }
            if let Some(w) = o.weight {
                r.weight = w;
            }
            if o.level.is_some() {
                r.level = o.level;
            }
            r.any.extend(o.add_any.iter().cloned());
            r.patterns.extend(o.add_patterns.iter().cloned());
            r.unless.extend(o.add_unless.iter().cloned());
            if o.multiply.is_some() {
                return Err(not_for(self, "multiply", "rule"));
            }
            if o.message_cap.is_some() || o.conversation_cap.is_some() {
                return Err(not_for(self, "message_cap", "rule"));
            }
        } else if let Some(id) = &o.category {
            let at = self.positions.get(&(1, id.clone())).copied();
            let Some((c, _)) = at.and_then(|i| self.categories.get_mut(i)) else {
                return Err(self.err(
                    si,
                    item.clone(),
                    Some("category"),
                    Some(id),
                    PolicyErrorKind::UnknownReference {
                        kind: "category",
                        id: id.clone(),
                    },
                ));
            };
            if o.message_cap.is_some() {
                c.message_cap = o.message_cap;
            }
            if o.conversation_cap.is_some() {
                c.conversation_cap = o.conversation_cap;
            }
            if o.enabled.is_some()
                || o.weight.is_some()
                || o.multiply.is_some()
                || o.level.is_some()
                || !o.add_any.is_empty()
                || !o.add_patterns.is_empty()
                || !o.add_unless.is_empty()
            {
                return Err(invalid(
                    self,
                    "category",
                    "a category override may only change `message_cap` and `conversation_cap`".into(),
                ));
            }
        } else if let Some(id) = &o.modifier {
            let at = self.positions.get(&(3, id.clone())).copied();
            let Some((m, _)) = at.and_then(|i| self.modifiers.get_mut(i)) else {
                return Err(self.err(
                    si,
                    item.clone(),
                    Some("modifier"),
                    Some(id),
                    PolicyErrorKind::UnknownReference {
                        kind: "modifier",
                        id: id.clone(),
                    },
                ));
            };
            if let Some(e) = o.enabled {
                m.enabled = e;
            }
            if let Some(x) = o.multiply {
                m.multiply = x;
            }
            if o.weight.is_some()
                || o.level.is_some()
                || !o.add_any.is_empty()
                || !o.add_patterns.is_empty()
                || !o.add_unless.is_empty()
                || o.message_cap.is_some()
                || o.conversation_cap.is_some()
            {
                return Err(invalid(
                    self,
                    "modifier",
                    "a modifier override may only change `enabled` and `multiply`".into(),
                ));
            }
        } else if let Some(id) = &o.ceiling {
            let at = self.positions.get(&(4, id.clone())).copied();
            let Some((c, _)) = at.and_then(|i| self.ceilings.get_mut(i)) else {
                return Err(self.err(
                    si,
                    item.clone(),
                    Some("ceiling"),
                    Some(id),
                    PolicyErrorKind::UnknownReference {
                        kind: "ceiling",
                        id: id.clone(),
                    },
                ));
            };
            if let Some(e) = o.enabled {
                c.enabled = e;
            }
            if let Some(l) = o.level {
                c.level = l;
            }
            if o.weight.is_some()
                || o.multiply.is_some()
                || !o.add_any.is_empty()
                || !o.add_patterns.is_empty()
                || !o.add_unless.is_empty()
                || o.message_cap.is_some()
                || o.conversation_cap.is_some()
            {
                return Err(invalid(
                    self,
                    "ceiling",
                    "a ceiling override may only change `enabled` and `level`".into(),
                ));
            }
        } else if let Some(id) = &o.intervention {
            let at = self.positions.get(&(5, id.clone())).copied();
            let Some((c, _)) = at.and_then(|i| self.interventions.get_mut(i)) else {
                return Err(self.err(
                    si,
                    item.clone(),
                    Some("intervention"),
                    Some(id),
                    PolicyErrorKind::UnknownReference {
                        kind: "intervention",
                        id: id.clone(),
                    },
                ));
            };
            if let Some(e) = o.enabled {
                c.enabled = e;
            }
            if o.weight.is_some()
                || o.multiply.is_some()
                || o.level.is_some()
                || !o.add_any.is_empty()
                || !o.add_patterns.is_empty()
                || !o.add_unless.is_empty()
                || o.message_cap.is_some()
                || o.conversation_cap.is_some()
            {
                return Err(invalid(
                    self,
                    "intervention",
                    "an intervention override may only change `enabled` (redefine it under a new id to change more)".into(),
                ));
            }
        }
        Ok(())
    }

    /// A combination rule's `combine`: no text of its own, two or more non-empty groups of
    /// rule or category ids that exist and are not combinations, 1 to 8 messages.
    fn check_combine(
        &self,
        si: usize,
        item: &str,
        c: &super::model::Combine,
        has_text: bool,
        cat_ids: &HashSet<&str>,
    ) -> Result<(), PolicyError> {
        let invalid = |field: &str, needle: Option<&str>, why: &str| {
            self.err(
                si,
                item.to_string(),
                Some(field),
                needle,
                PolicyErrorKind::Invalid(why.into()),
            )
        };
        if has_text {
            return Err(invalid(
                "combine",
                None,
                "a rule with `combine` takes no `any`, `near`, `patterns` or `unless`: its parts match the text",
            ));
        }
        if c.parts.len() < 2 || c.parts.iter().any(Vec::is_empty) {
            return Err(invalid(
                "combine",
                None,
                "`combine.parts` needs at least two non-empty groups",
            ));
        }
        range(
            self,
            si,
            item,
            "combine.messages",
            f64::from(c.messages),
            1.0,
            8.0,
        )?;
        for id in c.parts.iter().flatten() {
            match self.rules.iter().find(|(r, _)| r.id == *id) {
                Some((r, _)) if r.combine.is_some() => {
                    return Err(invalid(
                        "combine",
                        Some(id),
                        &format!("part `{id}` is a combination rule; parts are rules that match text, or categories"),
                    ));
                }
                Some(_) => {}
                None if cat_ids.contains(id.as_str()) => {}
                None => {
                    return Err(self.err(
                        si,
                        item.to_string(),
                        Some("combine"),
                        Some(id),
                        PolicyErrorKind::UnknownReference {
                            kind: "rule or category",
                            id: id.clone(),
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    fn duration(&self, value: &(String, usize), item: &str, field: &str) -> Result<i64, PolicyError> {
        let ms = parse_duration(&value.0).ok_or_else(|| {
            self.err(
                value.1,
                item.into(),
                Some(field),
                Some(&value.0),
                PolicyErrorKind::InvalidDuration(value.0.clone()),
            )
        })?;
        range(
            self,
            value.1,
            item,
            field,
            ms as f64,
            1000.0,
            3650.0 * 86_400_000.0,
        )?;
        Ok(ms)
    }

    /// Merges one layer's `[senders]` table: each field it sets replaces the earlier value.
    fn senders_layer(&mut self, s: &crate::policy::model::SenderSettings) {
        let m = &mut self.senders;
        m.enabled = s.enabled.or(m.enabled);
        if s.window.is_some() {
            m.window.clone_from(&s.window);
        }
        m.min_minors = s.min_minors.or(m.min_minors);
        m.max_conversations = s.max_conversations.or(m.max_conversations);
        m.evidence_per_conversation = s.evidence_per_conversation.or(m.evidence_per_conversation);
        if let Some(p) = &s.points {
            let mp = m.points.get_or_insert_with(Default::default);
            mp.contact = p.contact.or(mp.contact);
            mp.watch = p.watch.or(mp.watch);
            mp.review = p.review.or(mp.review);
            mp.urgent = p.urgent.or(mp.urgent);
        }
        if let Some(l) = &s.levels {
            let ml = m.levels.get_or_insert_with(Default::default);
            ml.watch = l.watch.or(ml.watch);
            ml.review = l.review.or(ml.review);
            ml.urgent = l.urgent.or(ml.urgent);
        }
        for (k, v) in &s.relationship {
            m.relationship.insert(*k, *v);
        }
        if let Some(a) = &s.actions {
            let ma = m.actions.get_or_insert_with(Default::default);
            for (dst, v) in [
                (&mut ma.watch, &a.watch),
                (&mut ma.review, &a.review),
                (&mut ma.urgent, &a.urgent),
            ] {
                if v.is_some() {
                    dst.clone_from(v);
                }
            }
        }
    }

    /// The resolved `[senders]` settings: defaults when no layer wrote the table; with
    /// `enabled = true`, the window, `min_minors`, every point and every level must be set.
    fn resolve_senders(&self) -> Result<Senders, PolicyError> {
        let Some(si) = self.senders_source else {
            return Ok(Senders::default());
        };
        let s = &self.senders;
        let item = "senders";
        let missing = |field: &str| {
            self.err(
                si,
                item.into(),
                None,
                None,
                PolicyErrorKind::Invalid(format!(
                    "`senders.enabled` is true but no layer sets `senders.{field}`"
                )),
            )
        };
        let mut out = Senders {
            enabled: s.enabled.unwrap_or(false),
            max_conversations: s.max_conversations.unwrap_or(defaults::MAX_CASE_CONVERSATIONS),
            evidence_per_conversation: s.evidence_per_conversation.unwrap_or(defaults::CASE_EVIDENCE),
            ..Senders::default()
        };
        range(
            self,
            si,
            item,
            "max_conversations",
            f64::from(out.max_conversations),
            1.0,
            1000.0,
        )?;
        range(
            self,
            si,
            item,
            "evidence_per_conversation",
            f64::from(out.evidence_per_conversation),
            0.0,
            100.0,
        )?;
        if let Some(a) = &s.actions {
            out.actions = [a.watch.clone(), a.review.clone(), a.urgent.clone()];
        }
        for (k, v) in &s.relationship {
            range(
                self,
                si,
                item,
                &format!("relationship.{}", k.as_str()),
                *v,
                0.0,
                100.0,
            )?;
            out.relationship.insert(*k, *v);
        }
        if let Some(w) = &s.window {
            out.window_ms = self.duration(&(w.clone(), si), item, "window")?;
        }
        if let Some(m) = s.min_minors {
            range(self, si, item, "min_minors", f64::from(m), 1.0, 1000.0)?;
            out.min_minors = m;
        }
        let p = s.points.unwrap_or_default();
        for (i, (v, name)) in [p.contact, p.watch, p.review, p.urgent]
            .into_iter()
            .zip(["contact", "watch", "review", "urgent"])
            .enumerate()
        {
            if let Some(v) = v {
                range(self, si, item, &format!("points.{name}"), v, 0.0, 100_000.0)?;
                out.points[i] = v;
            } else if out.enabled {
                return Err(missing(&format!("points.{name}")));
            }
        }
        let l = s.levels.unwrap_or_default();
        for (i, (v, name)) in [l.watch, l.review, l.urgent]
            .into_iter()
            .zip(["watch", "review", "urgent"])
            .enumerate()
        {
            if let Some(v) = v {
                range(
                    self,
                    si,
                    item,
                    &format!("levels.{name}"),
                    v,
                    f64::MIN_POSITIVE,
                    100_000.0,
                )?;
                out.levels[i] = v;
            } else if out.enabled {
                return Err(missing(&format!("levels.{name}")));
            }
        }
        if out.enabled {
            if s.window.is_none() {
                return Err(missing("window"));
            }
            if s.min_minors.is_none() {
                return Err(missing("min_minors"));
            }
            if !(out.levels[0] < out.levels[1] && out.levels[1] < out.levels[2]) {
                return Err(self.err(
                    si,
                    item.into(),
                    Some("levels"),
                    None,
                    PolicyErrorKind::Invalid(format!(
                        "sender levels must increase: watch {} < review {} < urgent {}",
                        out.levels[0], out.levels[1], out.levels[2]
                    )),
                ));
            }
        }
        Ok(out)
    }

    fn finish(self) -> Result<Policy, PolicyError> {
        let last = self.sources.len() - 1;
        let whole = |msg: &str| {
            PolicyError::new(
                Location {
                    source: self.sources[last].name.clone(),
                    ..Location::default()
                },
                PolicyErrorKind::Invalid(msg.into()),
            )
        };
        let half_life = self
            .half_life
            .as_ref()
            .ok_or_else(|| whole("no layer sets `scoring.half_life`"))?;
        let half_life_ms = self.duration(half_life, "scoring", "half_life")?;
        let mut levels = [0.0; 3];
        for (i, (v, name)) in self.levels.iter().zip(["watch", "review", "urgent"]).enumerate() {
            let v = v.ok_or_else(|| whole(&format!("no layer sets `scoring.levels.{name}`")))?;
            if !(v > 0.0 && v <= 100_000.0) {
                return Err(whole(&format!(
                    "`scoring.levels.{name}` = {v} is out of range (above 0, at most 100000)"
                )));
            }
            levels[i] = v;
        }
        if !(levels[0] < levels[1] && levels[1] < levels[2]) {
            return Err(whole(&format!(
                "levels must increase: watch {} < review {} < urgent {}",
                levels[0], levels[1], levels[2]
            )));
        }
        let stage_bonus = match (self.stage_from, self.stage_points, &self.stage_window) {
            (None, None, None) => None,
            (Some(from), Some(points), Some(w)) => {
                let window_ms = self.duration(w, "scoring.stage_bonus", "window")?;
                range(&self, w.1, "scoring.stage_bonus", "points", points, 0.0, 1000.0)?;
                range(
                    &self,
                    w.1,
                    "scoring.stage_bonus",
                    "from",
                    f64::from(from),
                    1.0,
                    64.0,
                )?;
                Some(StageBonus {
                    from,
                    points,
                    window_ms,
                })
            }
            _ => return Err(whole("`scoring.stage_bonus` needs `from`, `points` and `window`")),
        };
        let max_message_bytes = match self.max_message_bytes {
            None => defaults::MAX_MESSAGE_BYTES,
            Some(v) => usize::try_from(v)
                .ok()
                .filter(|&v| (16..=defaults::MAX_MESSAGE_BYTES_CEILING).contains(&v))
                .ok_or_else(|| {
                    whole(&format!(
                        "`scoring.max_message_bytes` = {v} is out of range (16 to {})",
                        defaults::MAX_MESSAGE_BYTES_CEILING
                    ))
                })?,
        };
        let regex_size_limit = match self.regex_size_limit {
            None => defaults::REGEX_SIZE_LIMIT,
            Some(v) => usize::try_from(v)
                .ok()
                .filter(|&v| (1024..=(64 << 20)).contains(&v))
                .ok_or_else(|| {
                    whole(&format!(
                        "`scoring.regex_size_limit` = {v} is out of range (1024 to {})",
                        64 << 20
                    ))
                })?,
        };
        let capacity = match self.capacity {
            None => defaults::TRACKER_CAPACITY,
            Some(v) => usize::try_from(v)
                .ok()
                .filter(|&v| v >= 1)
                .ok_or_else(|| whole(&format!("`tracker.capacity` = {v} must be at least 1")))?,
        };
        let idle_ttl_ms = match &self.idle_ttl {
            None => defaults::IDLE_TTL_MS,
            Some(t) => self.duration(t, "tracker", "idle_ttl")?,
        };
        if let Some(si) = self.language_source {
            if let Err(e) = self.language.options.validate() {
                let field = match &e {
                    crate::lang::LanguageError::OutOfRange { field, .. } => Some(*field),
                    _ => None,
                };
                return Err(self.err(
                    si,
                    "language".into(),
                    field,
                    None,
                    PolicyErrorKind::Invalid(e.to_string()),
                ));
            }
            let unknown = self
                .language
                .packs
                .iter()
                .flat_map(|(k, v)| std::iter::once(k).chain(v))
                .find(|c| crate::lang::Language::from_code(c).is_none());
            if let Some(code) = unknown {
                return Err(self.err(
                    si,
                    "language".into(),
                    Some("packs"),
                    Some(code),
                    PolicyErrorKind::Invalid(format!("`{code}` is not a language code Vigil identifies")),
                ));
            }
        }
        let max_items = self.max_items.unwrap_or(defaults::MAX_EVIDENCE);
        if max_items == 0 || max_items > 1000 {
            return Err(whole(&format!(
                "`evidence.max_items` = {max_items} is out of range (1 to 1000)"
            )));
        }
        let indicators = {
            let max_items = self.indicators_max.unwrap_or(defaults::MAX_INDICATORS);
            if max_items == 0 || max_items > 1000 {
                return Err(whole(&format!(
                    "`indicators.max_items` = {max_items} is out of range (1 to 1000)"
                )));
            }
            if let Some((k, _)) = self.indicators_report.iter().find(|(_, v)| v.trim().is_empty()) {
                return Err(whole(&format!("`indicators.report.{k}` is empty")));
            }
            let kinds = match &self.indicators_kinds {
                // In declaration order, each once.
                Some(listed) => IndicatorKind::ALL
                    .into_iter()
                    .filter(|k| listed.contains(k))
                    .collect(),
                None => IndicatorKind::ALL.to_vec(),
            };
            Indicators {
                enabled: self.indicators_enabled.unwrap_or(false),
                max_items,
                kinds,
                report: self.indicators_report.clone(),
            }
        };

        let senders = self.resolve_senders()?;

        // Items.
        let stage_ids: HashSet<&str> = self.stages.iter().map(|(s, _)| s.id.as_str()).collect();
        for (s, si) in &self.stages {
            check_id(&self, *si, "stage", &s.id)?;
        }
        for (c, si) in &self.categories {
            let item = format!("category `{}`", c.id);
            check_id(&self, *si, "category", &c.id)?;
            if !stage_ids.contains(c.stage.as_str()) {
                return Err(self.err(
                    *si,
                    item,
                    Some("stage"),
                    Some(&c.stage),
                    PolicyErrorKind::UnknownReference {
                        kind: "stage",
                        id: c.stage.clone(),
                    },
                ));
            }
            for (field, v) in [
                ("message_cap", c.message_cap),
                ("conversation_cap", c.conversation_cap),
            ] {
                if let Some(v) = v {
                    range(&self, *si, &item, field, v, 0.0, 100_000.0)?;
                }
            }
        }
        let cat_ids: HashSet<&str> = self.categories.iter().map(|(c, _)| c.id.as_str()).collect();
        if self.rules.is_empty() {
            return Err(whole(
                "the policy has no rules (an override file needs the packs it overrides loaded first)",
            ));
        }
        for (r, si) in &self.rules {
            let item = format!("rule `{}`", r.id);
            check_id(&self, *si, "rule", &r.id)?;
            if !cat_ids.contains(r.category.as_str()) {
                return Err(self.err(
                    *si,
                    item,
                    Some("category"),
                    Some(&r.category),
                    PolicyErrorKind::UnknownReference {
                        kind: "category",
                        id: r.category.clone(),
                    },
                ));
            }
            range(&self, *si, &item, "weight", r.weight, 0.0, 100.0)?;
            let text = !(r.any.is_empty() && r.near.is_empty() && r.patterns.is_empty());
            match &r.combine {
                None if !text => {
                    return Err(self.err(
                        *si,
                        item,
                        Some("any"),
                        None,
                        PolicyErrorKind::Invalid(
                            "a rule needs at least one of `any`, `near`, `patterns`, or `combine`".into(),
                        ),
                    ));
                }
                None => {}
                Some(c) => self.check_combine(*si, &item, c, text || !r.unless.is_empty(), &cat_ids)?,
            }
            for n in &r.near {
                range(&self, *si, &item, "near.within", f64::from(n.within), 1.0, 100.0)?;
                if n.terms.len() < 2 || n.terms.iter().any(Vec::is_empty) {
                    return Err(self.err(
                        *si,
                        item,
                        Some("near"),
                        None,
                        PolicyErrorKind::Invalid("`near.terms` needs at least two non-empty groups".into()),
                    ));
                }
            }
        }
        for (m, si) in &self.modifiers {
            let item = format!("modifier `{}`", m.id);
            check_id(&self, *si, "modifier", &m.id)?;
            if !(m.multiply > 0.0 && m.multiply <= 10.0) {
                return Err(self.err(
                    *si,
                    item,
                    Some("multiply"),
                    None,
                    PolicyErrorKind::OutOfRange {
                        value: m.multiply,
                        min: 0.0,
                        max: 10.0,
                    },
                ));
            }
            if let Some(f) = &m.fan_out {
                self.duration(&(f.window.clone(), *si), &item, "fan_out.window")?;
                range(&self, *si, &item, "fan_out.min", f64::from(f.min), 1.0, 10_000.0)?;
            }
        }
        for (c, si) in &self.ceilings {
            let item = format!("ceiling `{}`", c.id);
            check_id(&self, *si, "ceiling", &c.id)?;
            if let Some(id) = c.lifted_by.iter().find(|id| !cat_ids.contains(id.as_str())) {
                return Err(self.err(
                    *si,
                    item,
                    Some("lifted_by"),
                    Some(id),
                    PolicyErrorKind::UnknownReference {
                        kind: "category",
                        id: id.clone(),
                    },
                ));
            }
            if let Some(n) = c.lifted_after {
                range(&self, *si, &item, "lifted_after", f64::from(n), 2.0, 1000.0)?;
            }
        }
        self.check_interventions(&cat_ids, &stage_ids)?;

        let mut policy = Policy {
            id: self.ids.join("+"),
            version: self.versions.join("+"),
            layers: self.metas,
            normalize: self.normalize,
            scoring: Scoring {
                half_life_ms,
                levels,
                stage_bonus,
                max_message_bytes,
                regex_size_limit,
            },
            evidence: Evidence {
                excerpt: self.excerpt.unwrap_or(ExcerptMode::None),
                context_chars: self.context_chars.unwrap_or(defaults::CONTEXT_CHARS),
                max_items,
            },
            indicators,
            senders,
            actions: self.actions,
            tracker: TrackerConfig {
                capacity,
                idle_ttl_ms,
            },
            language: self.language,
            metadata: self.metadata,
            stages: self.stages.into_iter().map(|(s, _)| s).collect(),
            categories: self.categories.into_iter().map(|(c, _)| c).collect(),
            rule_sources: self.rules.iter().map(|(_, s)| *s).collect(),
            rules: folded(self.rules, |r| &mut r.when),
            modifiers: folded(self.modifiers, |m| &mut m.when),
            ceilings: folded(self.ceilings, |c| &mut c.when),
            interventions: folded(self.interventions, |c| &mut c.when),
            notices: self.notices.into_iter().map(|(n, _)| n).collect(),
            hash: String::new(),
            sources: self.sources,
        };
        // Infallible, as `to_json` (see `core/src/json.rs`).
        let canonical = crate::json::compact(&policy);
        let digest = Sha256::digest(&canonical);
        policy.hash = format!(
            "sha256:{}",
            digest.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        Ok(policy)
    }
}

/// The items, with the metadata words of each one's `when` folded ([`fold_when`]).
fn folded<T>(items: Vec<(T, usize)>, when: impl Fn(&mut T) -> &mut super::model::Condition) -> Vec<T> {
    items
        .into_iter()
        .map(|(mut item, _)| {
            fold_when(when(&mut item));
            item
        })
        .collect()
}

/// Folds the metadata words of a `when` as messages' words are compared ([`fold_word`]).
fn fold_when(c: &mut super::model::Condition) {
    for w in c.channel.iter_mut().chain(c.relationship.iter_mut()) {
        let folded = fold_word(w).into_owned();
        *w = folded;
    }
}

fn dup(kind: &'static str, id: &str) -> PolicyErrorKind {
    PolicyErrorKind::DuplicateId { kind, id: id.into() }
}

fn check_id(m: &Merger, si: usize, kind: &str, id: &str) -> Result<(), PolicyError> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(m.err(
            si,
            format!("{kind} `{id}`"),
            Some("id"),
            None,
            PolicyErrorKind::Invalid(
                "ids are 1 to 128 characters of ASCII letters, digits, `.`, `-` and `_`".into(),
            ),
        ))
    }
}

fn range(
    m: &Merger,
    si: usize,
    item: &str,
    field: &str,
    v: f64,
    min: f64,
    max: f64,
) -> Result<(), PolicyError> {
    if v.is_finite() && v >= min && v <= max {
        Ok(())
    } else {
        Err(m.err(
            si,
            item.into(),
            Some(field.rsplit('.').next().unwrap_or(field)),
            None,
            PolicyErrorKind::OutOfRange { value: v, min, max },
        ))
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (Option<u32>, Option<u32>) {
    let offset = offset.min(text.len());
    let mut start = offset;
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    let before = &text[..start];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    (u32::try_from(line).ok(), u32::try_from(col).ok())
}

/// Finds an item in source text: the quoted `id` on a line that declares an id, then `needle`
/// (quoted) or else `field` (as a key) after it. A best effort for both TOML and JSON.
pub(crate) fn locate(text: &str, id: &str, field: &str, needle: Option<&str>) -> (Option<u32>, Option<u32>) {
    if text.is_empty() || id.is_empty() {
        return (None, None);
    }
    let mut anchor = None;
    for q in ['"', '\''] {
        let quoted = format!("{q}{id}{q}");
        let mut from = 0;
        while let Some(i) = text[from..].find(&quoted) {
            let at = from + i;
            let line_start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let prefix = &text[line_start..at];
            if prefix.contains("id")
                || prefix.contains("rule")
                || prefix.contains("category")
                || prefix.contains("modifier")
            {
                anchor = Some(anchor.map_or(at, |a: usize| a.min(at)));
                break;
            }
            from = at + quoted.len();
        }
    }
    let Some(anchor) = anchor else { return (None, None) };
    let rest = &text[anchor..];
    // Stop at the next item so a field is not found in a later rule.
    let end = ["[[", "\n  {", "\n    {"]
        .iter()
        .filter_map(|m| rest[1..].find(m).map(|i| i + 1))
        .min()
        .unwrap_or(rest.len());
    let scope = &rest[..end];
    if let Some(n) = needle {
        for q in ['"', '\''] {
            if let Some(i) = scope.find(&format!("{q}{n}")) {
                return line_col(text, anchor + i);
            }
        }
    }
    if !field.is_empty() {
        let key = field.split('.').next().unwrap_or(field);
        for pat in [
            format!("\n{key} "),
            format!("\n{key}="),
            format!("\"{key}\""),
            format!(" {key} ="),
        ] {
            if let Some(i) = scope.find(&pat) {
                let skip = usize::from(pat.starts_with('\n'));
                return line_col(text, anchor + i + skip);
            }
        }
    }
    line_col(text, anchor)
}

/// Pairs category index lookups (used by the engine).
pub(crate) fn index_of<'a>(items: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    items.enumerate().map(|(i, s)| (s, i)).collect()
}
