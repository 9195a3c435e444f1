//! Sender-level evaluation (issue 15): whether a grooming sender's own escalation (`scope:
//! "sender"`, one account's conversations with minors added up) reached the threshold, and how
//! many benign senders' did.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{round4, strip_position, Label, LabelError, LabelKind, Latency};
use crate::engine::round3;
use crate::escalation::Escalation;
use crate::level::Level;

/// The ground truth of a sender: one line of a labels file naming `sender_id` instead of
/// `conversation_id`.
///
/// ```json
/// {"sender_id": "u-91", "label": "grooming", "language": "en"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderLabel {
    /// The sender (the `sender.id` of their messages).
    pub sender_id: String,
    /// Grooming (the sender's escalation should reach the threshold) or benign (it should not).
    pub label: LabelKind,
    /// The sender's language (BCP 47), for per-language metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl SenderLabel {
    /// A grooming sender.
    pub fn grooming(sender_id: impl Into<String>) -> SenderLabel {
        SenderLabel {
            sender_id: sender_id.into(),
            label: LabelKind::Grooming,
            language: None,
        }
    }

    /// A benign sender.
    pub fn benign(sender_id: impl Into<String>) -> SenderLabel {
        SenderLabel {
            label: LabelKind::Benign,
            ..SenderLabel::grooming(sender_id)
        }
    }

    /// Sets the language.
    pub fn with_language(mut self, language: impl Into<String>) -> SenderLabel {
        self.language = Some(language.into());
        self
    }
}

/// One line of a labels file: a conversation's label, or a sender's.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnyLabel {
    /// A conversation's label (`conversation_id`).
    Conversation(Label),
    /// A sender's label (`sender_id`).
    Sender(SenderLabel),
}

impl AnyLabel {
    /// Parses one line: a line with `sender_id` and no `conversation_id` is a sender's label,
    /// any other a conversation's (unknown fields are ignored).
    pub fn from_json(json: &str) -> Result<AnyLabel, LabelError> {
        let invalid = |reason: String| LabelError::Invalid { line: None, reason };
        let value: serde_json::Value = serde_json::from_str(json).map_err(|e| invalid(strip_position(&e)))?;
        let is_sender = value.get("sender_id").is_some() && value.get("conversation_id").is_none();
        if !is_sender {
            return Label::from_json(json).map(AnyLabel::Conversation);
        }
        let label: SenderLabel = serde_json::from_value(value).map_err(|e| invalid(strip_position(&e)))?;
        if label.sender_id.is_empty() {
            return Err(invalid("`sender_id` must not be empty".into()));
        }
        Ok(AnyLabel::Sender(label))
    }
}

/// Parses a labels document whose lines are conversation labels or sender labels (read like
/// [`parse_labels`](super::parse_labels)), each error with its line.
///
/// ```
/// use vigil::eval::{parse_any_labels, AnyLabel};
///
/// let doc = "{\"sender_id\": \"u-1\", \"label\": \"grooming\"}\n{\"conversation_id\": \"c-1\", \"label\": \"benign\"}\n";
/// let items: Vec<AnyLabel> = parse_any_labels(doc).collect::<Result<_, _>>().unwrap();
/// assert!(matches!(&items[0], AnyLabel::Sender(s) if s.sender_id == "u-1"));
/// assert!(matches!(&items[1], AnyLabel::Conversation(c) if c.conversation_id == "c-1"));
/// ```
pub fn parse_any_labels(doc: &str) -> impl Iterator<Item = Result<AnyLabel, LabelError>> + '_ {
    crate::jsonl::lines(doc).map(|(number, text)| {
        AnyLabel::from_json(&text).map_err(|e| match e {
            LabelError::Invalid { reason, .. } => LabelError::Invalid {
                line: Some(number),
                reason,
            },
            other => other,
        })
    })
}

/// Sender-level metrics over a set of labelled senders.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SenderMetrics {
    /// Grooming senders.
    pub grooming: u64,
    /// Of those, how many had a sender escalation at or above the threshold.
    pub detected: u64,
    /// `detected / grooming` (none without grooming senders): **sender-level recall**.
    #[serde(serialize_with = "round4")]
    pub recall: Option<f64>,
    /// Detected grooming senders none of whose own conversations reached the threshold: found
    /// only because their conversations were added up.
    pub detected_only_as_sender: u64,
    /// Grooming senders with at least one conversation of their own at the threshold (what
    /// conversation escalations alone find).
    pub conversation_detected: u64,
    /// For the detected grooming senders: how many conversations their case held when it
    /// reached the threshold (median, 90th percentile, largest — in conversations, not messages).
    pub conversations_at_detection: Latency,
    /// Benign senders.
    pub benign: u64,
    /// Of those, how many had a sender escalation at or above the threshold.
    pub benign_escalated: u64,
    /// `benign_escalated / benign` (none without benign senders): the **benign sender escalation
    /// rate**.
    #[serde(serialize_with = "round4")]
    pub benign_escalation_rate: Option<f64>,
    /// Senders per label and highest sender level (`none` when no sender escalation).
    pub levels: BTreeMap<LabelKind, BTreeMap<String, u64>>,
}

/// A labelled sender the policy got wrong, or (benign-only) any sender raised to the threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SenderMiss {
    /// The sender.
    pub sender_id: String,
    /// Its label.
    pub label: LabelKind,
    /// Its language.
    pub language: String,
    /// The highest level of the sender's escalations.
    pub level: Option<Level>,
    /// The sender's points at that level.
    #[serde(serialize_with = "round3")]
    pub points: f64,
    /// Conversations the sender wrote in.
    pub conversations: u64,
    /// Conversations in the sender's case at its highest escalation.
    pub case_conversations: u64,
    /// The highest level of the sender's own conversation keys.
    pub conversation_level: Option<Level>,
    /// Rules in the evidence of the sender's escalations, most frequent first.
    pub rules: Vec<String>,
    /// For a benign sender: the conversation and message at which the sender reached the
    /// threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalated_at: Option<String>,
}

/// Sender cases in an evaluation: every sender's escalations, and the metrics of labelled
/// senders (with [`Evaluation::with_sender_labels`](super::Evaluation::with_sender_labels); in a
/// benign-only evaluation every sender is a benign sender).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SenderReport {
    /// Distinct senders of the messages.
    pub senders: u64,
    /// Senders with a sender escalation (any level).
    pub with_escalation: u64,
    /// Senders whose sender escalation reached the threshold (labelled or not).
    pub at_threshold: u64,
    /// Senders whose sender escalation reached `urgent`.
    pub urgent: u64,
    /// Sender escalations raised.
    pub escalations: u64,
    /// Labelled senders found in the messages (every sender in a benign-only evaluation).
    pub labelled: u64,
    /// Labelled senders with no message (not counted).
    pub missing: Vec<String>,
    /// Over the labelled senders.
    pub overall: SenderMetrics,
    /// Per language of the sender labels.
    pub by_language: BTreeMap<String, SenderMetrics>,
    /// Grooming senders not detected and benign senders escalated, in input order.
    pub misses: Vec<SenderMiss>,
}

/// What an evaluation keeps of one sender.
#[derive(Debug, Default)]
pub(super) struct SenderSeen {
    conversations: HashSet<String>,
    key_level: Option<Level>,
    level: Option<Level>,
    points: f64,
    case_conversations: u64,
    /// (conversation/message, case conversations) when the sender reached the threshold.
    reached_at: Option<(String, u64)>,
    escalations: u32,
    rules: HashMap<String, u32>,
}

/// The sender side of an [`Evaluation`](super::Evaluation).
#[derive(Debug, Default)]
pub(super) struct SenderEval {
    labels: HashMap<String, SenderLabel>,
    label_order: Vec<String>,
    seen: HashMap<String, SenderSeen>,
    order: Vec<String>,
}

impl SenderEval {
    pub(super) fn add_labels(
        &mut self,
        labels: impl IntoIterator<Item = SenderLabel>,
    ) -> Result<(), LabelError> {
        for l in labels {
            if self.labels.contains_key(&l.sender_id) {
                return Err(LabelError::DuplicateSender(l.sender_id));
            }
            self.label_order.push(l.sender_id.clone());
            self.labels.insert(l.sender_id.clone(), l);
        }
        Ok(())
    }

    /// Records one observation of `sender`'s message.
    pub(super) fn observe(
        &mut self,
        sender: &str,
        conversation: &str,
        key_level: Option<Level>,
        escalation: Option<&Escalation>,
        threshold: Level,
    ) {
        let s = match self.seen.get_mut(sender) {
            Some(s) => s,
            None => {
                self.order.push(sender.to_string());
                self.seen.entry(sender.to_string()).or_default()
            }
        };
        if !s.conversations.contains(conversation) {
            s.conversations.insert(conversation.to_string());
        }
        s.key_level = s.key_level.max(key_level);
        let Some(e) = escalation else { return };
        s.escalations = s.escalations.saturating_add(1);
        if Some(e.level) >= s.level {
            s.level = Some(e.level);
            s.points = e.risk;
            s.case_conversations = e.conversations.len() as u64;
        }
        if s.reached_at.is_none() && e.level >= threshold {
            s.reached_at = Some((
                format!("{}/{}", e.conversation_id, e.message_id),
                e.conversations.len() as u64,
            ));
        }
        for ev in &e.evidence {
            *s.rules.entry(ev.rule.clone()).or_default() += 1;
        }
    }

    pub(super) fn finish(self, threshold: Level, benign_only: bool) -> SenderReport {
        let mut r = SenderReport {
            senders: self.seen.len() as u64,
            missing: self
                .label_order
                .iter()
                .filter(|id| !self.seen.contains_key(*id))
                .cloned()
                .collect(),
            ..SenderReport::default()
        };
        let mut overall = Acc::default();
        let mut by_language: BTreeMap<String, Acc> = BTreeMap::new();
        for id in &self.order {
            let Some(s) = self.seen.get(id) else { continue };
            r.with_escalation += u64::from(s.level.is_some());
            r.at_threshold += u64::from(s.level >= Some(threshold));
            r.urgent += u64::from(s.level >= Some(Level::Urgent));
            r.escalations += u64::from(s.escalations);
            let benign_label;
            let label = match self.labels.get(id) {
                Some(l) => l,
                None if benign_only => {
                    benign_label = SenderLabel::benign(id.clone());
                    &benign_label
                }
                None => continue,
            };
            r.labelled += 1;
            let language = label.language.clone().unwrap_or_else(|| "unknown".into());
            let reached = s.level >= Some(threshold);
            for acc in [&mut overall, by_language.entry(language.clone()).or_default()] {
                acc.add(label.label, s, reached, threshold);
            }
            let wrong = match label.label {
                LabelKind::Grooming => !reached,
                LabelKind::Benign => reached,
            };
            if wrong {
                let mut rules: Vec<(&String, &u32)> = s.rules.iter().collect();
                rules.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                r.misses.push(SenderMiss {
                    sender_id: id.clone(),
                    label: label.label,
                    language,
                    level: s.level,
                    points: s.points,
                    conversations: s.conversations.len() as u64,
                    case_conversations: s.case_conversations,
                    conversation_level: s.key_level,
                    rules: rules.into_iter().map(|(r, _)| r.clone()).collect(),
                    escalated_at: match label.label {
                        LabelKind::Benign => s.reached_at.as_ref().map(|(at, _)| at.clone()),
                        LabelKind::Grooming => None,
                    },
                });
            }
        }
        r.overall = overall.metrics();
        r.by_language = by_language.into_iter().map(|(k, v)| (k, v.metrics())).collect();
        r
    }
}

#[derive(Default)]
struct Acc {
    m: SenderMetrics,
    at_detection: Vec<u32>,
}

impl Acc {
    fn add(&mut self, label: LabelKind, s: &SenderSeen, reached: bool, threshold: Level) {
        let by_conversation = s.key_level >= Some(threshold);
        match label {
            LabelKind::Grooming => {
                self.m.grooming += 1;
                self.m.detected += u64::from(reached);
                self.m.conversation_detected += u64::from(by_conversation);
                self.m.detected_only_as_sender += u64::from(reached && !by_conversation);
                if let (true, Some((_, n))) = (reached, &s.reached_at) {
                    self.at_detection.push(u32::try_from(*n).unwrap_or(u32::MAX));
                }
            }
            LabelKind::Benign => {
                self.m.benign += 1;
                self.m.benign_escalated += u64::from(reached);
            }
        }
        let name = s.level.map_or("none", Level::as_str).to_string();
        *self.m.levels.entry(label).or_default().entry(name).or_default() += 1;
    }

    fn metrics(self) -> SenderMetrics {
        let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
        SenderMetrics {
            recall: ratio(self.m.detected, self.m.grooming),
            benign_escalation_rate: ratio(self.m.benign_escalated, self.m.benign),
            conversations_at_detection: Latency::of(self.at_detection),
            ..self.m
        }
    }
}
