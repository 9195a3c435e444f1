//! Sender cases: what one sender does across conversations, for the sender's own level.
//!
//! A conversation key sees one sender and one recipient; an account that sends the same mild
//! lines to ten children raises ten mild conversations. A tracker whose policy enables
//! `[senders]` therefore also keeps, per sender, the conversations in which the sender's
//! messages carried risk to a minor (or reached a level) within the policy's window — their
//! highest level, categories, stages and first evidence — and raises a **sender escalation**
//! (`scope: "sender"`) when the sender's points cross the sender levels (see
//! [`Senders`](crate::policy::Senders) for the arithmetic). Nothing is kept or allocated for a
//! sender whose messages carry no risk, nor when the policy does not enable sender cases.

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::escalation::{EvidenceItem, TimelineEntry};
use crate::level::Level;
use crate::message::{AgeBand, Message, Relationship, Timestamp};
use crate::policy::Senders;

use super::{fnv1a, Evidence, KeyState, StageSeen};

/// What a tracker keeps of one sender's conversations (boxed in [`super::SenderState`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct SenderCase {
    /// The sender's conversations with risk, least recently active first.
    pub(crate) convs: Vec<CaseConversation>,
    /// The level of the case's last escalation (`None`: none yet, or dormant since).
    pub(crate) escalated: Option<Level>,
    /// Escalations of the case so far.
    pub(crate) sequence: u32,
}

/// One conversation key of a sender case.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct CaseConversation {
    pub(crate) conversation: Box<str>,
    /// The key's recipient (`None` in group and public channels, unless addressed).
    pub(crate) recipient: Option<Box<str>>,
    /// The recipient is a minor (declared, or disclosed being a child).
    pub(crate) minor: bool,
    /// The relationship of the sender's last risky message in it.
    pub(crate) relationship: Relationship,
    /// The highest level the key reached while in the case.
    pub(crate) level: Option<Level>,
    /// The key's risk after the sender's last risky message.
    pub(crate) risk: f64,
    /// The key's category points then, `(category index, points)`.
    pub(crate) cats: Vec<(u16, f64)>,
    /// The key's stages.
    pub(crate) stages: Vec<StageSeen>,
    /// The first risky message of the conversation in the case.
    pub(crate) first_ts: i64,
    pub(crate) first_message: Box<str>,
    /// The last one.
    pub(crate) last_ts: i64,
    pub(crate) last_message: Box<str>,
    /// Risky messages of the sender in it (saturating).
    pub(crate) messages: u32,
    /// The key's first evidence items (of rules with weight), at most the policy's
    /// `evidence_per_conversation`.
    pub(crate) evidence: Vec<Evidence>,
    /// The conversation was listed in the case's last escalation.
    pub(crate) reported: bool,
}

/// One risky message of a sender, after its key was updated: what the case records (borrowed
/// from the key, or from a [`CaseContact`]).
pub(crate) struct Contact<'a> {
    pub(crate) conversation: &'a str,
    pub(crate) recipient: Option<&'a str>,
    pub(crate) minor: bool,
    pub(crate) relationship: Relationship,
    pub(crate) level: Option<Level>,
    pub(crate) risk: f64,
    pub(crate) cats: &'a [(u16, f64)],
    pub(crate) stages: &'a [StageSeen],
    pub(crate) evidence: &'a [Evidence],
    pub(crate) message_id: &'a str,
    pub(crate) ts: i64,
}

impl<'a> Contact<'a> {
    /// The contact of a key's state after a risky message.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn of_key(
        conversation: &'a str,
        recipient: Option<&'a str>,
        (minor, relationship): (bool, Relationship),
        level: Option<Level>,
        risk: f64,
        key: &'a KeyState,
        message_id: &'a str,
        ts: i64,
    ) -> Contact<'a> {
        Contact {
            conversation,
            recipient,
            minor,
            relationship,
            level,
            risk,
            cats: &key.cats,
            stages: &key.stages,
            evidence: &key.evidence,
            message_id,
            ts,
        }
    }
}

/// One risky message of a sender, as their case records it — made by a tracker that observed
/// the message ([`Tracker::with_case_contacts`](crate::Tracker::with_case_contacts)), and fed to
/// another tracker's sender cases with
/// [`Tracker::observe_contact`](crate::Tracker::observe_contact).
///
/// This is how a job that scores conversations apart (a Spark backtest partitioned by
/// conversation) still builds sender cases: the first stage emits each risky message's contact,
/// the second replays each sender's contacts in time order. Items are named by id, so a contact
/// survives JSON and other processes; the message travels without its text (evidence items carry
/// what the policy lets them quote).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CaseContact {
    /// The message, without its text.
    pub message: Message,
    /// The sender's age band as scored, and whether they disclosed being a child.
    pub sender_band: AgeBand,
    /// The sender disclosed being a child in the conversation.
    pub sender_probable_minor: bool,
    /// The recipient's age band as scored.
    pub recipient_band: AgeBand,
    /// The recipient disclosed being a child in the conversation.
    pub recipient_probable_minor: bool,
    /// The conversation key's recipient (absent in group channels; a public channel's addressed
    /// recipient).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// The recipient counts as a minor.
    pub minor: bool,
    /// The key's level after the message.
    pub level: Option<Level>,
    /// The key's risk after the message.
    pub risk: f64,
    /// The key's time after the message (the message's, or the key's last if later), in
    /// milliseconds since the Unix epoch.
    pub ts: i64,
    /// The key's category points, by category id.
    pub categories: Vec<(String, f64)>,
    /// The key's stages.
    pub stages: Vec<TimelineEntry>,
    /// The key's first evidence items (at most the policy's `evidence_per_conversation`).
    pub evidence: Vec<EvidenceItem>,
}

impl CaseContact {
    /// The contact as one line of JSON.
    pub fn to_json(&self) -> String {
        crate::json::compact(self)
    }

    /// A contact of a key, in ids.
    pub(crate) fn new(
        engine: &Engine,
        msg: &Message,
        c: &Contact<'_>,
        bands: [(AgeBand, bool); 2],
    ) -> CaseContact {
        let policy = engine.policy();
        let max = policy.senders().evidence_per_conversation as usize;
        CaseContact {
            message: Message {
                text: String::new(),
                ..msg.clone()
            },
            sender_band: bands[0].0,
            sender_probable_minor: bands[0].1,
            recipient_band: bands[1].0,
            recipient_probable_minor: bands[1].1,
            recipient: c.recipient.map(str::to_string),
            minor: c.minor,
            level: c.level,
            risk: c.risk,
            ts: c.ts,
            categories: c
                .cats
                .iter()
                .filter_map(|(i, p)| Some((policy.categories().get(usize::from(*i))?.id.clone(), *p)))
                .collect(),
            stages: c
                .stages
                .iter()
                .filter_map(|s| {
                    Some(TimelineEntry {
                        stage: engine.stages.get(usize::from(s.stage))?.to_string(),
                        first_message_id: s.first_message.to_string(),
                        first_seen: Timestamp::from_millis(s.first_ts),
                        last_seen: Timestamp::from_millis(s.last_ts),
                        conversation_id: None,
                    })
                })
                .collect(),
            evidence: c
                .evidence
                .iter()
                .filter(|e| {
                    policy
                        .rules()
                        .get(e.rule as usize)
                        .is_some_and(|r| r.weight > 0.0)
                })
                .take(max)
                .filter_map(|e| e.item(engine, None))
                .collect(),
        }
    }

    /// The contact in `engine`'s indices (ids the policy lacks are dropped), and the bands.
    pub(crate) fn resolve(&self, engine: &Engine) -> Resolved {
        let ids = engine
            .snapshot_ids
            .get_or_init(|| crate::ids::IdIndex::new(engine.policy()));
        let mut cats: Vec<(u16, f64)> = self
            .categories
            .iter()
            .filter(|(_, p)| p.is_finite() && *p >= 0.0)
            .filter_map(|(id, p)| Some((u16::try_from(*ids.categories.get(id.as_str())?).ok()?, *p)))
            .collect();
        cats.sort_by_key(|c| c.0);
        Resolved {
            cats,
            stages: self
                .stages
                .iter()
                .filter_map(|t| {
                    Some(StageSeen {
                        stage: u16::try_from(*ids.stages.get(t.stage.as_str())?).ok()?,
                        first_message: t.first_message_id.as_str().into(),
                        first_ts: t.first_seen.as_millis(),
                        last_ts: t.last_seen.as_millis(),
                    })
                })
                .collect(),
            evidence: self
                .evidence
                .iter()
                .filter(|e| e.span.start < e.span.end)
                .filter_map(|e| {
                    Some(Evidence {
                        message_id: e.message_id.as_str().into(),
                        sender: None,
                        ts: e.timestamp.as_millis(),
                        rule: u32::try_from(*ids.rules.get(e.rule.as_str())?).ok()?,
                        start: e.span.start as u64,
                        end: e.span.end as u64,
                        excerpt: e.excerpt.as_deref().map(Into::into),
                    })
                })
                .collect(),
            bands: [
                (self.sender_band, self.sender_probable_minor),
                (self.recipient_band, self.recipient_probable_minor),
            ],
        }
    }

    /// The borrowed contact of a resolved one.
    pub(crate) fn contact<'a>(&'a self, engine: &Engine, r: &'a Resolved) -> Contact<'a> {
        Contact {
            conversation: &self.message.conversation_id,
            recipient: self.recipient.as_deref(),
            minor: self.minor,
            relationship: engine
                .policy()
                .metadata()
                .relationship(&self.message.relationship)
                .kind,
            level: self.level,
            risk: if self.risk.is_finite() {
                self.risk.max(0.0)
            } else {
                0.0
            },
            cats: &r.cats,
            stages: &r.stages,
            evidence: &r.evidence,
            message_id: &self.message.message_id,
            ts: self.ts,
        }
    }
}

/// A [`CaseContact`]'s items in an engine's indices.
pub(crate) struct Resolved {
    cats: Vec<(u16, f64)>,
    stages: Vec<StageSeen>,
    evidence: Vec<Evidence>,
    pub(crate) bands: [(AgeBand, bool); 2],
}

/// A sender's arithmetic at one moment: the counted conversations and what they add up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tally {
    /// Points: the sum of each counted conversation's points.
    pub(crate) points: f64,
    /// Distinct minors among the counted conversations' recipients.
    pub(crate) minors: u32,
    /// Counted conversations by (level slot: none, watch, review, urgent; relationship factor),
    /// highest level first.
    pub(crate) groups: Vec<(usize, f64, u32)>,
    /// The level the points reach (`None` below `watch` or with fewer minors than the policy's
    /// `min_minors`).
    pub(crate) level: Option<Level>,
}

/// A sender's stable case reference: the same for every escalation of the sender, in every
/// process and binding (a hash, so the id is not repeated in it).
pub(crate) fn case_id(sender: &str) -> String {
    format!("sender-{:016x}", fnv1a(sender.as_bytes()))
}

impl CaseConversation {
    /// Whether the conversation counts in its sender's points: its recipient is a minor, or it
    /// reached a level.
    pub(crate) fn counts(&self) -> bool {
        self.minor || self.level.is_some()
    }
}

/// The level index of a conversation for [`Tally::by_level`] and [`Senders::points`].
fn slot(level: Option<Level>) -> usize {
    level.map_or(0, |l| l.index() + 1)
}

impl SenderCase {
    /// Forgets conversations whose last risky message is older than the window before `now`.
    pub(crate) fn expire(&mut self, s: &Senders, now: i64) {
        let from = now.saturating_sub(s.window_ms);
        self.convs.retain(|c| c.last_ts >= from);
    }

    /// The newest risky message of the case (`i64::MIN` when empty).
    pub(crate) fn last_ts(&self) -> i64 {
        self.convs.iter().map(|c| c.last_ts).max().unwrap_or(i64::MIN)
    }

    /// Records one risky message of the sender (expire first). A contact that is neither to a
    /// minor nor at a level, in a conversation the case does not hold, is not kept.
    pub(crate) fn note(&mut self, engine: &Engine, c: &Contact<'_>) {
        let s = engine.policy().senders();
        let pos = self
            .convs
            .iter()
            .position(|x| &*x.conversation == c.conversation && x.recipient.as_deref() == c.recipient);
        let entry = match pos {
            Some(i) => {
                // Most recently active last.
                let e = self.convs.remove(i);
                self.convs.push(e);
                let Some(e) = self.convs.last_mut() else {
                    return;
                };
                e
            }
            None => {
                if !(c.minor || c.level.is_some()) {
                    return;
                }
                if self.convs.len() >= s.max_conversations as usize {
                    self.convs.remove(0);
                }
                self.convs.push(CaseConversation {
                    conversation: c.conversation.into(),
                    recipient: c.recipient.map(Into::into),
                    first_ts: c.ts,
                    first_message: c.message_id.into(),
                    ..CaseConversation::default()
                });
                let Some(e) = self.convs.last_mut() else {
                    return;
                };
                e
            }
        };
        entry.minor |= c.minor;
        entry.relationship = c.relationship;
        entry.level = entry.level.max(c.level);
        entry.risk = c.risk;
        entry.cats.clear();
        entry.cats.extend_from_slice(c.cats);
        if c.ts >= entry.last_ts || entry.messages == 0 {
            entry.last_ts = c.ts;
            entry.last_message = c.message_id.into();
        }
        entry.messages = entry.messages.saturating_add(1);
        for st in c.stages {
            match entry.stages.iter_mut().find(|x| x.stage == st.stage) {
                Some(x) => x.last_ts = x.last_ts.max(st.last_ts),
                None => entry.stages.push(st.clone()),
            }
        }
        let max = s.evidence_per_conversation as usize;
        if entry.evidence.len() < max {
            let weighted = |e: &&Evidence| {
                engine
                    .policy()
                    .rules()
                    .get(e.rule as usize)
                    .is_some_and(|r| r.weight > 0.0)
            };
            for e in c.evidence.iter().filter(weighted) {
                if entry.evidence.len() >= max {
                    break;
                }
                let held = entry
                    .evidence
                    .iter()
                    .any(|x| x.message_id == e.message_id && x.rule == e.rule && x.start == e.start);
                if !held {
                    entry.evidence.push(e.clone());
                }
            }
        }
    }

    /// The case's arithmetic under the policy.
    pub(crate) fn tally(&self, s: &Senders) -> Tally {
        let mut t = Tally::default();
        let mut minors: Vec<&str> = Vec::new();
        for c in self.convs.iter().filter(|c| c.counts()) {
            let factor = s.factor(c.relationship);
            t.points += s.points_for(c.level) * factor;
            let key = (slot(c.level), factor);
            match t.groups.iter_mut().find(|g| (g.0, g.1) == key) {
                Some(g) => g.2 += 1,
                None => t.groups.push((key.0, key.1, 1)),
            }
            if c.minor {
                let who = c.recipient.as_deref().unwrap_or(&c.conversation);
                if !minors.contains(&who) {
                    minors.push(who);
                }
            }
        }
        t.minors = minors.len() as u32;
        t.groups.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
        t.level = if t.minors >= s.min_minors {
            s.level_for(t.points)
        } else {
            None
        };
        t
    }

    /// Whether the case escalates now: its level rose, or — at `urgent` — another minor's
    /// conversation joined it since the last escalation (each further child an urgent account
    /// reaches is news; below `urgent` the points will raise the level soon enough). Marks the
    /// listed conversations and returns the previous level.
    pub(crate) fn escalate(&mut self, tally: &Tally) -> Option<Option<Level>> {
        let Some(level) = tally.level else {
            // Dormant: a later episode escalates anew.
            self.escalated = None;
            for c in &mut self.convs {
                c.reported = false;
            }
            return None;
        };
        let rose = self.escalated.is_none_or(|e| level > e);
        let joined = level == Level::Urgent
            && self.escalated == Some(Level::Urgent)
            && self.convs.iter().any(|c| c.minor && !c.reported);
        if !(rose || joined) {
            return None;
        }
        let previous = self.escalated;
        self.escalated = Some(level.max(previous.unwrap_or(level)));
        self.sequence = self.sequence.saturating_add(1);
        for c in &mut self.convs {
            c.reported = c.counts();
        }
        Some(previous)
    }
}

/// A plain-words account of a tally: "4 conversations with 4 minors: 3 at review (25 points
/// each), 1 at watch (10) = 85 points".
pub(crate) fn arithmetic(s: &Senders, t: &Tally) -> String {
    let names = [
        "with risky messages below watch",
        "at watch",
        "at review",
        "at urgent",
    ];
    let parts: Vec<String> = t
        .groups
        .iter()
        .map(|&(slot, factor, n)| {
            let p = s.points[slot];
            let each = if factor == 1.0 {
                format!("{} point{} each", fmt_points(p), if p == 1.0 { "" } else { "s" })
            } else {
                format!(
                    "{} × {} for the relationship = {} points each",
                    fmt_points(p),
                    fmt_points(factor),
                    fmt_points(p * factor)
                )
            };
            format!("{n} {} ({each})", names[slot])
        })
        .collect();
    let convs: u32 = t.groups.iter().map(|g| g.2).sum();
    format!(
        "{convs} conversation{} with {} minor{}: {} = {} points",
        if convs == 1 { "" } else { "s" },
        t.minors,
        if t.minors == 1 { "" } else { "s" },
        parts.join(", "),
        fmt_points(t.points)
    )
}

fn fmt_points(p: f64) -> String {
    let r = (p * 1000.0).round() / 1000.0;
    if r.fract() == 0.0 && r.abs() < 1e15 {
        format!("{}", r as i64)
    } else {
        format!("{r}")
    }
}
