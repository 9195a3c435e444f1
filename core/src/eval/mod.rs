//! Evaluation on labelled conversations: recall, benign escalation rate, detection latency, per
//! category and per language, and the misses to fix — plus [`diff()`](diff()) and [`Differ`],
//! what changes between two policy versions (a [`DiffReport`]: the policies field by field, and
//! the conversations whose level changes when the same messages are replayed through both).
//!
//! A labels file is JSON Lines, one conversation per line — or one sender, with `sender_id`
//! ([`parse_any_labels`] reads both):
//!
//! ```json
//! {"conversation_id": "c-17", "label": "grooming", "first_risky_message_id": "m-3", "language": "en"}
//! {"conversation_id": "c-18", "label": "benign"}
//! {"sender_id": "u-91", "label": "grooming", "language": "en"}
//! ```
//!
//! Definitions (the threshold is `review` unless set otherwise):
//!
//! * a conversation's level is the highest level any of its keys (sender → recipient) reached;
//! * **recall**: the share of grooming conversations whose level reached the threshold;
//! * **benign escalation rate**: the share of benign conversations whose level reached it;
//! * **detection latency**: the number of messages of the conversation (all senders) from
//!   `first_risky_message_id` through the first message at which the conversation reached the
//!   threshold — 1 when the first risky message itself raised it, 0 when it was reached before;
//!   median and 90th percentile (nearest rank) over the detected grooming conversations whose
//!   first risky message is known;
//! * **per category**: how many grooming and how many benign conversations had the category in an
//!   escalation (at any level);
//! * **per language**: the same metrics per `language` of the labels (`unknown` when absent);
//! * **benign false alarms** ([`BenignStats`]): over the benign conversations, how many reached the
//!   threshold and `urgent`, escalations per 10,000 benign messages, and the rules behind them;
//! * **sender-level recall** ([`SenderReport`], issue 15): the share of grooming senders (labels
//!   naming `sender_id`, see [`SenderLabel`]) whose sender escalation — their conversations with
//!   minors added up, `scope: "sender"` — reached the threshold; the **benign sender escalation
//!   rate**: the share of benign senders whose did. A benign-only evaluation counts every sender
//!   as a benign sender.
//!
//! A corpus of real, benign chat needs no labels: [`Evaluation::benign`] counts every conversation
//! as benign (see the second example).
//!
//! ```
//! use std::sync::Arc;
//! use vigil::eval::{Evaluation, Label};
//!
//! let engine = Arc::new(vigil::Engine::default());
//! let doc = concat!(include_str!("../../../examples/sample-conversation.jsonl"),
//!                   include_str!("../../../examples/benign-conversation.jsonl"));
//! let messages: Vec<vigil::Message> =
//!     vigil::jsonl::parse(doc).collect::<Result<_, _>>().unwrap();
//! let labels = vec![
//!     Label::grooming("sample-1").with_first_risky("m-03").with_language("en"),
//!     Label::benign("benign-1").with_language("en"),
//! ];
//! let report = Evaluation::run(&engine, &messages, labels).unwrap();
//! assert_eq!(report.overall.recall, Some(1.0));
//! assert_eq!(report.overall.benign_escalation_rate, Some(0.0));
//! assert!(report.misses.is_empty());
//! ```
//!
//! On benign chat only (no labels):
//!
//! ```
//! # use std::sync::Arc;
//! use vigil::eval::Evaluation;
//!
//! let engine = Arc::new(vigil::Engine::default());
//! let doc = include_str!("../../../examples/benign-conversation.jsonl");
//! let messages: Vec<vigil::Message> =
//!     vigil::jsonl::parse(doc).collect::<Result<_, _>>().unwrap();
//! let report = Evaluation::run_benign(&engine, &messages);
//! assert!(report.benign_only);
//! assert_eq!(report.benign.conversations, 1);
//! assert_eq!(report.benign.escalated, 0);
//! ```

mod diff;
mod senders;

pub use senders::{parse_any_labels, AnyLabel, SenderLabel, SenderMetrics, SenderMiss, SenderReport};

pub use diff::{
    diff, ConversationDiff, DiffReport, Differ, Direction, FieldChange, ItemChange, ItemChanges,
    PolicyChanges, RuleFiring, Side, WeightChange,
};

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};
use thiserror::Error;

use crate::engine::{round3, Engine};
use crate::escalation::PolicyRef;
use crate::level::Level;
use crate::message::Message;
use crate::tracker::Tracker;

/// The ground truth of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LabelKind {
    /// A grooming conversation: it should reach the threshold.
    Grooming,
    /// A benign conversation: it should not.
    Benign,
}

impl LabelKind {
    /// The label's name.
    pub fn as_str(self) -> &'static str {
        match self {
            LabelKind::Grooming => "grooming",
            LabelKind::Benign => "benign",
        }
    }
}

/// One line of a labels file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// The conversation.
    pub conversation_id: String,
    /// Grooming or benign.
    pub label: LabelKind,
    /// The first message a moderator would call risky, for detection latency.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_risky_message_id: Option<String>,
    /// The conversation's language (BCP 47), for per-language metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Label {
    /// A grooming label.
    pub fn grooming(conversation_id: impl Into<String>) -> Label {
        Label {
            conversation_id: conversation_id.into(),
            label: LabelKind::Grooming,
            first_risky_message_id: None,
            language: None,
        }
    }

    /// A benign label.
    pub fn benign(conversation_id: impl Into<String>) -> Label {
        Label {
            label: LabelKind::Benign,
            ..Label::grooming(conversation_id)
        }
    }

    /// Sets the first risky message.
    pub fn with_first_risky(mut self, message_id: impl Into<String>) -> Label {
        self.first_risky_message_id = Some(message_id.into());
        self
    }

    /// Sets the language.
    pub fn with_language(mut self, language: impl Into<String>) -> Label {
        self.language = Some(language.into());
        self
    }

    /// Parses one label from JSON (unknown fields are ignored).
    pub fn from_json(json: &str) -> Result<Label, LabelError> {
        let label: Label = serde_json::from_str(json).map_err(|e| LabelError::Invalid {
            line: None,
            reason: strip_position(&e),
        })?;
        if label.conversation_id.is_empty() {
            return Err(LabelError::Invalid {
                line: None,
                reason: "`conversation_id` must not be empty".into(),
            });
        }
        Ok(label)
    }
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// A labels file problem.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LabelError {
    /// A line is not a valid label.
    #[error("{}{reason}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Invalid {
        /// 1-based line, when read from a document.
        line: Option<u64>,
        /// What is wrong.
        reason: String,
    },
    /// Two labels for one conversation.
    #[error("conversation `{0}` is labelled twice")]
    Duplicate(String),
    /// Two labels for one sender.
    #[error("sender `{0}` is labelled twice")]
    DuplicateSender(String),
}

impl LabelError {
    /// The 1-based line, when known.
    pub fn line(&self) -> Option<u64> {
        match self {
            LabelError::Invalid { line, .. } => *line,
            LabelError::Duplicate(_) | LabelError::DuplicateSender(_) => None,
        }
    }
}

/// Parses a labels document (JSON Lines, read by the rules of [`crate::jsonl`]: a byte-order mark
/// at the start is dropped, `\r\n` ends a line, blank lines are skipped), each error with its line.
///
/// ```
/// let items: Vec<_> = vigil::eval::parse_labels(
///     "{\"conversation_id\": \"c-1\", \"label\": \"grooming\"}\n\n{\"label\": \"benign\"}\n").collect();
/// assert!(items[0].is_ok());
/// assert_eq!(items[1].as_ref().unwrap_err().line(), Some(3));
/// ```
pub fn parse_labels(doc: &str) -> impl Iterator<Item = Result<Label, LabelError>> + '_ {
    crate::jsonl::lines(doc).map(|(number, text)| {
        Label::from_json(&text).map_err(|e| match e {
            LabelError::Invalid { reason, .. } => LabelError::Invalid {
                line: Some(number),
                reason,
            },
            other => other,
        })
    })
}

fn round4<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) if v.is_finite() => s.serialize_some(&((v * 10_000.0).round() / 10_000.0)),
        _ => s.serialize_none(),
    }
}

/// Detection latency, in messages ([`SenderMetrics::conversations_at_detection`]: in
/// conversations).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Latency {
    /// Detected grooming conversations whose first risky message is known.
    pub measured: u64,
    /// Median.
    #[serde(serialize_with = "round4")]
    pub median: Option<f64>,
    /// 90th percentile (nearest rank).
    #[serde(serialize_with = "round4")]
    pub p90: Option<f64>,
    /// Largest.
    pub max: Option<u32>,
}

impl Latency {
    fn of(mut v: Vec<u32>) -> Latency {
        if v.is_empty() {
            return Latency::default();
        }
        v.sort_unstable();
        let n = v.len();
        let median = if n % 2 == 1 {
            f64::from(v[n / 2])
        } else {
            (f64::from(v[n / 2 - 1]) + f64::from(v[n / 2])) / 2.0
        };
        let rank = ((0.9 * n as f64).ceil() as usize).clamp(1, n);
        Latency {
            measured: n as u64,
            median: Some(median),
            p90: Some(f64::from(v[rank - 1])),
            max: v.last().copied(),
        }
    }
}

/// Metrics over a set of labelled conversations.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Metrics {
    /// Grooming conversations.
    pub grooming: u64,
    /// Of those, how many reached the threshold.
    pub detected: u64,
    /// `detected / grooming` (none without grooming conversations).
    #[serde(serialize_with = "round4")]
    pub recall: Option<f64>,
    /// Benign conversations.
    pub benign: u64,
    /// Of those, how many reached the threshold.
    pub benign_escalated: u64,
    /// `benign_escalated / benign` (none without benign conversations).
    #[serde(serialize_with = "round4")]
    pub benign_escalation_rate: Option<f64>,
    /// Detection latency of the detected grooming conversations.
    pub latency: Latency,
    /// Conversations per label and highest level (`none` when no level was reached).
    pub levels: BTreeMap<LabelKind, BTreeMap<String, u64>>,
}

/// One category across the labelled conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CategoryStats {
    /// Category id.
    pub category: String,
    /// Grooming conversations with the category in an escalation.
    pub grooming: u64,
    /// Benign conversations with the category in an escalation.
    pub benign: u64,
}

/// A conversation the policy got wrong.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Miss {
    /// The conversation.
    pub conversation_id: String,
    /// Its label.
    pub label: LabelKind,
    /// Its language.
    pub language: String,
    /// The highest level it reached.
    pub level: Option<Level>,
    /// Its highest risk.
    #[serde(serialize_with = "round3")]
    pub max_risk: f64,
    /// Messages in it.
    pub messages: u32,
    /// Categories in its escalations.
    pub categories: Vec<String>,
    /// Rules that fired in it, most frequent first.
    pub rules: Vec<String>,
    /// For a benign conversation: the message at which it reached the threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<String>,
}

/// The result of an evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// The policy evaluated.
    pub policy: PolicyRef,
    /// The level that counts as detected.
    pub threshold: Level,
    /// Messages read.
    pub messages: u64,
    /// Labelled conversations found in the messages.
    pub conversations: u64,
    /// Conversations in the messages without a label (not counted).
    pub unlabelled: u64,
    /// Labelled conversations with no message (not counted).
    pub missing: Vec<String>,
    /// Grooming conversations whose `first_risky_message_id` is not among their messages.
    pub unknown_first_risky: Vec<String>,
    /// Over every labelled conversation.
    pub overall: Metrics,
    /// Per language.
    pub by_language: BTreeMap<String, Metrics>,
    /// Per category, in policy order (categories that appeared in some escalation).
    pub by_category: Vec<CategoryStats>,
    /// What the policy raised on the benign conversations: the false alarms.
    pub benign: BenignStats,
    /// Every conversation was counted as benign ([`Evaluation::benign`]); there were no labels.
    pub benign_only: bool,
    /// Grooming conversations not detected and benign ones escalated, in input order.
    pub misses: Vec<Miss>,
    /// Sender cases: sender-level recall and benign sender escalation rate over the labelled
    /// senders ([`Evaluation::with_sender_labels`]), and every sender's escalations.
    pub senders: SenderReport,
}

fn round2<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) if v.is_finite() => s.serialize_some(&((v * 100.0).round() / 100.0)),
        _ => s.serialize_none(),
    }
}

/// What a policy raised on benign conversations — the false alarms a moderation queue would get,
/// and the rules a trust-and-safety team tunes first.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BenignStats {
    /// Benign conversations.
    pub conversations: u64,
    /// Their messages.
    pub messages: u64,
    /// Benign conversations whose level reached the threshold.
    pub escalated: u64,
    /// `escalated / conversations` (none without benign conversations).
    #[serde(serialize_with = "round4")]
    pub escalated_rate: Option<f64>,
    /// Benign conversations whose level reached `urgent`.
    pub urgent: u64,
    /// `urgent / conversations` (none without benign conversations).
    #[serde(serialize_with = "round4")]
    pub urgent_rate: Option<f64>,
    /// Escalations raised in benign conversations (every level: a level rose or a category
    /// joined).
    pub escalations: u64,
    /// Of those, escalations at or above the threshold.
    pub escalations_at_threshold: u64,
    /// `escalations` per 10,000 benign messages (none without benign messages).
    #[serde(serialize_with = "round2")]
    pub escalations_per_10k_messages: Option<f64>,
    /// `escalations_at_threshold` per 10,000 benign messages.
    #[serde(serialize_with = "round2")]
    pub escalations_at_threshold_per_10k_messages: Option<f64>,
    /// Every rule that fired on a benign message, the ones behind the most escalated
    /// conversations first (then most messages, then rule id).
    pub rules: Vec<BenignRule>,
    /// The interventions benign conversations would have seen in the message path (absent when
    /// the policy decided none): how often children would see a nudge, a masked message or a
    /// hold for nothing.
    #[serde(skip_serializing_if = "BenignInterventions::is_empty")]
    pub interventions: BenignInterventions,
}

/// Interventions on benign conversations, per action (`nudge_recipient`, `nudge_sender`,
/// `mask`, `hold`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct BenignInterventions {
    /// Benign conversations with at least one message under the action.
    pub conversations: BTreeMap<String, u64>,
    /// `conversations` over all benign conversations, rounded to four decimals.
    pub conversation_rate: BTreeMap<String, f64>,
    /// Benign messages under the action.
    pub messages: BTreeMap<String, u64>,
}

impl BenignInterventions {
    /// Whether no benign message saw an intervention.
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
}

/// One rule's false alarms on benign conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BenignRule {
    /// Rule id.
    pub rule: String,
    /// Its category.
    pub category: String,
    /// Benign conversations that reached the threshold with the rule in the evidence of an
    /// escalation at or above the threshold.
    pub escalated_conversations: u64,
    /// Benign conversations in which it fired.
    pub conversations: u64,
    /// Benign messages on which it fired.
    pub messages: u64,
}

#[derive(Debug, Default)]
struct Conv {
    messages: u32,
    level: Option<Level>,
    max_risk: f64,
    reached_at: Option<(u32, String)>,
    risky_at: Option<u32>,
    categories: BTreeSet<usize>,
    rules: HashMap<u32, u32>,
    escalations: u32,
    escalations_at_threshold: u32,
    evidence_rules: BTreeSet<String>,
    /// Messages with an intervention, per action.
    interventions: BTreeMap<&'static str, u32>,
}

/// A streaming evaluation: feed it messages in order, then [`finish`](Evaluation::finish).
///
/// [`Evaluation::run`] does both for messages in memory.
#[derive(Debug)]
pub struct Evaluation {
    tracker: Tracker,
    threshold: Level,
    labels: HashMap<String, Label>,
    label_order: Vec<String>,
    benign_only: bool,
    convs: HashMap<String, Conv>,
    order: Vec<String>,
    messages: u64,
    senders: senders::SenderEval,
}

impl Evaluation {
    /// An evaluation of `engine` against `labels`. Fails if a conversation is labelled twice.
    pub fn new(
        engine: Arc<Engine>,
        labels: impl IntoIterator<Item = Label>,
    ) -> Result<Evaluation, LabelError> {
        let mut map = HashMap::new();
        let mut label_order = Vec::new();
        for l in labels {
            if map.contains_key(&l.conversation_id) {
                return Err(LabelError::Duplicate(l.conversation_id));
            }
            label_order.push(l.conversation_id.clone());
            map.insert(l.conversation_id.clone(), l);
        }
        Ok(Evaluation {
            tracker: Tracker::new(engine),
            threshold: Level::Review,
            labels: map,
            label_order,
            benign_only: false,
            convs: HashMap::new(),
            order: Vec::new(),
            messages: 0,
            senders: senders::SenderEval::default(),
        })
    }

    /// An evaluation of `engine` on benign conversations only: every conversation observed counts
    /// as benign (language `unknown`), with no labels file — for measuring false alarms on real
    /// chat. Recall and latency stay empty; [`Report::benign`] holds the figures.
    pub fn benign(engine: Arc<Engine>) -> Evaluation {
        Evaluation {
            tracker: Tracker::new(engine),
            threshold: Level::Review,
            labels: HashMap::new(),
            label_order: Vec::new(),
            benign_only: true,
            convs: HashMap::new(),
            order: Vec::new(),
            messages: 0,
            senders: senders::SenderEval::default(),
        }
    }

    /// Adds sender labels: a grooming sender counts as detected when their sender escalation
    /// (`scope: "sender"`) reached the threshold, a benign sender as escalated when theirs did.
    /// Fails if a sender is labelled twice.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use vigil::eval::{Evaluation, SenderLabel};
    ///
    /// let engine = Arc::new(vigil::Engine::default());
    /// let mut ev = Evaluation::new(Arc::clone(&engine), [])
    ///     .unwrap()
    ///     .with_sender_labels([SenderLabel::grooming("u-new")])
    ///     .unwrap();
    /// for (k, text) in ["how old are you?", "add me on snap"].iter().cycle().take(6).enumerate() {
    ///     let json = format!(
    ///         r#"{{"conversation_id": "c-{kid}", "message_id": "m-{k}", "timestamp": "2026-11-20T17:{k:02}:00Z",
    ///            "sender": {{"id": "u-new", "age_band": "adult"}},
    ///            "recipient": {{"id": "kid-{kid}", "age_band": "minor"}},
    ///            "channel": "direct", "relationship": "stranger", "text": "{text}"}}"#,
    ///         kid = k / 2
    ///     );
    ///     ev.observe(&vigil::Message::from_json(&json).unwrap());
    /// }
    /// let report = ev.finish();
    /// assert_eq!(report.senders.overall.grooming, 1);
    /// assert_eq!(report.senders.overall.recall, Some(1.0));
    /// ```
    pub fn with_sender_labels(
        mut self,
        labels: impl IntoIterator<Item = SenderLabel>,
    ) -> Result<Evaluation, LabelError> {
        self.senders.add_labels(labels)?;
        Ok(self)
    }

    /// Sets the level that counts as detected (`review` by default).
    pub fn with_threshold(mut self, level: Level) -> Evaluation {
        self.threshold = level;
        self
    }

    /// Observes the next message.
    pub fn observe(&mut self, msg: &Message) {
        self.messages += 1;
        let obs = self.tracker.observe(msg);
        let engine = Arc::clone(self.tracker.engine());
        let conv = match self.convs.get_mut(&msg.conversation_id) {
            Some(c) => c,
            None => {
                self.order.push(msg.conversation_id.clone());
                self.convs.entry(msg.conversation_id.clone()).or_default()
            }
        };
        conv.messages = conv.messages.saturating_add(1);
        let label = self.labels.get(&msg.conversation_id);
        if conv.risky_at.is_none()
            && label.and_then(|l| l.first_risky_message_id.as_deref()) == Some(msg.message_id.as_str())
        {
            conv.risky_at = Some(conv.messages);
        }
        self.senders.observe(
            &msg.sender.id,
            &msg.conversation_id,
            obs.level,
            obs.sender_escalation.as_ref(),
            self.threshold,
        );
        conv.level = conv.level.max(obs.level);
        conv.max_risk = conv.max_risk.max(obs.risk);
        if conv.reached_at.is_none() && obs.level >= Some(self.threshold) {
            conv.reached_at = Some((conv.messages, msg.message_id.clone()));
        }
        for h in &obs.assessment.hits {
            *conv.rules.entry(h.rule_index).or_default() += 1;
        }
        if let Some(i) = &obs.intervention {
            *conv.interventions.entry(i.action.as_str()).or_default() += 1;
        }
        if let Some(e) = &obs.escalation {
            conv.escalations = conv.escalations.saturating_add(1);
            if e.level >= self.threshold {
                conv.escalations_at_threshold = conv.escalations_at_threshold.saturating_add(1);
                for ev in &e.evidence {
                    if !conv.evidence_rules.contains(&ev.rule) {
                        conv.evidence_rules.insert(ev.rule.clone());
                    }
                }
            }
            for c in &e.categories {
                if let Some(i) = engine.categories.iter().position(|x| *x.id == *c.id) {
                    conv.categories.insert(i);
                }
            }
        }
    }

    /// The report.
    pub fn finish(self) -> Report {
        let engine = Arc::clone(self.tracker.engine());
        let policy = engine.policy();
        let mut overall = Acc::default();
        let mut by_language: BTreeMap<String, Acc> = BTreeMap::new();
        let mut cat_counts: BTreeMap<usize, (u64, u64)> = BTreeMap::new();
        let mut misses = Vec::new();
        let mut unknown_first_risky = Vec::new();
        let mut unlabelled = 0;
        let mut conversations = 0;
        let mut benign = BenignAcc::default();
        for id in &self.order {
            let Some(conv) = self.convs.get(id) else { continue };
            let benign_label;
            let label = match self.labels.get(id) {
                Some(l) => l,
                None if self.benign_only => {
                    benign_label = Label::benign(id.clone());
                    &benign_label
                }
                None => {
                    unlabelled += 1;
                    continue;
                }
            };
            conversations += 1;
            let language = label.language.clone().unwrap_or_else(|| "unknown".into());
            let reached = conv.level >= Some(self.threshold);
            let latency = match (label.label, reached, conv.risky_at, &conv.reached_at) {
                (LabelKind::Grooming, true, Some(r), Some((at, _))) => {
                    Some(if *at >= r { at - r + 1 } else { 0 })
                }
                _ => None,
            };
            if label.label == LabelKind::Grooming
                && label.first_risky_message_id.is_some()
                && conv.risky_at.is_none()
            {
                unknown_first_risky.push(id.clone());
            }
            for acc in [&mut overall, by_language.entry(language.clone()).or_default()] {
                acc.add(label.label, reached, conv.level, latency);
            }
            if label.label == LabelKind::Benign {
                benign.add(conv, reached);
            }
            for &c in &conv.categories {
                let e = cat_counts.entry(c).or_default();
                match label.label {
                    LabelKind::Grooming => e.0 += 1,
                    LabelKind::Benign => e.1 += 1,
                }
            }
            let wrong = match label.label {
                LabelKind::Grooming => !reached,
                LabelKind::Benign => reached,
            };
            if wrong {
                let mut rules: Vec<(&u32, &u32)> = conv.rules.iter().collect();
                rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                misses.push(Miss {
                    conversation_id: id.clone(),
                    label: label.label,
                    language,
                    level: conv.level,
                    max_risk: conv.max_risk,
                    messages: conv.messages,
                    categories: conv
                        .categories
                        .iter()
                        .filter_map(|&c| policy.categories().get(c).map(|c| c.id.clone()))
                        .collect(),
                    rules: rules
                        .iter()
                        .filter_map(|(r, _)| policy.rules().get(**r as usize).map(|r| r.id.clone()))
                        .collect(),
                    escalated_at: if label.label == LabelKind::Benign {
                        conv.reached_at.as_ref().map(|(_, m)| m.clone())
                    } else {
                        None
                    },
                });
            }
        }
        Report {
            policy: PolicyRef {
                id: policy.id().into(),
                version: policy.version().into(),
                hash: policy.hash().into(),
            },
            threshold: self.threshold,
            messages: self.messages,
            conversations,
            unlabelled,
            missing: self
                .label_order
                .iter()
                .filter(|id| !self.convs.contains_key(*id))
                .cloned()
                .collect(),
            unknown_first_risky,
            overall: overall.metrics(),
            by_language: by_language.into_iter().map(|(k, v)| (k, v.metrics())).collect(),
            by_category: cat_counts
                .into_iter()
                .filter_map(|(c, (g, b))| {
                    Some(CategoryStats {
                        category: policy.categories().get(c)?.id.clone(),
                        grooming: g,
                        benign: b,
                    })
                })
                .collect(),
            benign: benign.stats(policy),
            benign_only: self.benign_only,
            misses,
            senders: self.senders.finish(self.threshold, self.benign_only),
        }
    }

    /// Evaluates messages in memory.
    pub fn run<'a>(
        engine: &Arc<Engine>,
        messages: impl IntoIterator<Item = &'a Message>,
        labels: impl IntoIterator<Item = Label>,
    ) -> Result<Report, LabelError> {
        let mut e = Evaluation::new(Arc::clone(engine), labels)?;
        for m in messages {
            e.observe(m);
        }
        Ok(e.finish())
    }

    /// Evaluates benign-only messages in memory (see [`Evaluation::benign`]).
    pub fn run_benign<'a>(engine: &Arc<Engine>, messages: impl IntoIterator<Item = &'a Message>) -> Report {
        let mut e = Evaluation::benign(Arc::clone(engine));
        for m in messages {
            e.observe(m);
        }
        e.finish()
    }
}

#[derive(Default)]
struct BenignAcc {
    s: BenignStats,
    /// Per rule index: (conversations, messages) it fired in.
    rules: BTreeMap<u32, (u64, u64)>,
    /// Per rule id: escalated conversations with the rule in their evidence.
    escalated: BTreeMap<String, u64>,
}

impl BenignAcc {
    fn add(&mut self, conv: &Conv, reached: bool) {
        self.s.conversations += 1;
        self.s.messages += u64::from(conv.messages);
        self.s.escalated += u64::from(reached);
        self.s.urgent += u64::from(conv.level >= Some(Level::Urgent));
        self.s.escalations += u64::from(conv.escalations);
        self.s.escalations_at_threshold += u64::from(conv.escalations_at_threshold);
        for (&action, &n) in &conv.interventions {
            *self
                .s
                .interventions
                .conversations
                .entry(action.to_owned())
                .or_default() += 1;
            *self
                .s
                .interventions
                .messages
                .entry(action.to_owned())
                .or_default() += u64::from(n);
        }
        for (&r, &n) in &conv.rules {
            let e = self.rules.entry(r).or_default();
            e.0 += 1;
            e.1 += u64::from(n);
        }
        if reached {
            for id in &conv.evidence_rules {
                *self.escalated.entry(id.clone()).or_default() += 1;
            }
        }
    }

    fn stats(mut self, policy: &crate::Policy) -> BenignStats {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        let total = self.s.conversations;
        self.s.interventions.conversation_rate = self
            .s
            .interventions
            .conversations
            .iter()
            .map(|(a, n)| {
                (
                    a.clone(),
                    ratio(*n, total).map_or(0.0, |r| (r * 10_000.0).round() / 10_000.0),
                )
            })
            .collect();
        let per_10k = |a: u64, b: u64| (b > 0).then(|| a as f64 * 10_000.0 / b as f64);
        let mut rules: Vec<BenignRule> = Vec::new();
        for (r, (conversations, messages)) in self.rules {
            let Some(rule) = policy.rules().get(r as usize) else {
                continue;
            };
            rules.push(BenignRule {
                escalated_conversations: self.escalated.remove(&rule.id).unwrap_or(0),
                rule: rule.id.clone(),
                category: rule.category.clone(),
                conversations,
                messages,
            });
        }
        // Evidence kept from a rule that never fired on a benign message cannot happen; listed
        // all the same rather than dropped.
        for (id, n) in self.escalated {
            let category = policy
                .rules()
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.category.clone())
                .unwrap_or_default();
            rules.push(BenignRule {
                rule: id,
                category,
                escalated_conversations: n,
                conversations: 0,
                messages: 0,
            });
        }
        rules.sort_by(|a, b| {
            b.escalated_conversations
                .cmp(&a.escalated_conversations)
                .then(b.messages.cmp(&a.messages))
                .then_with(|| a.rule.cmp(&b.rule))
        });
        let s = self.s;
        BenignStats {
            escalated_rate: ratio(s.escalated, s.conversations),
            urgent_rate: ratio(s.urgent, s.conversations),
            escalations_per_10k_messages: per_10k(s.escalations, s.messages),
            escalations_at_threshold_per_10k_messages: per_10k(s.escalations_at_threshold, s.messages),
            rules,
            ..s
        }
    }
}

#[derive(Default)]
struct Acc {
    m: Metrics,
    latencies: Vec<u32>,
}

impl Acc {
    fn add(&mut self, label: LabelKind, reached: bool, level: Option<Level>, latency: Option<u32>) {
        match label {
            LabelKind::Grooming => {
                self.m.grooming += 1;
                self.m.detected += u64::from(reached);
            }
            LabelKind::Benign => {
                self.m.benign += 1;
                self.m.benign_escalated += u64::from(reached);
            }
        }
        let name = level.map_or("none", Level::as_str).to_string();
        *self.m.levels.entry(label).or_default().entry(name).or_default() += 1;
        self.latencies.extend(latency);
    }

    fn metrics(self) -> Metrics {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        Metrics {
            recall: ratio(self.m.detected, self.m.grooming),
            benign_escalation_rate: ratio(self.m.benign_escalated, self.m.benign),
            latency: Latency::of(self.latencies),
            ..self.m
        }
    }
}

#[cfg(test)]
mod tests;
