//! The document of a sender escalation (`scope: "sender"`): one sender's conversations with
//! their levels, points and first evidence, the arithmetic in plain words, a timeline across
//! conversations and the policy's recommended action for the account.

use super::{
    participants, CaseConversationItem, EscalatedCategory, Escalation, EscalationScope, EvidenceItem,
    PolicyRef, ReportHints, TimelineEntry, SCHEMA_ID,
};
use crate::engine::Engine;
use crate::level::Level;
use crate::message::{AgeBand, Message, Timestamp};
use crate::tracker::senders::{arithmetic, case_id, SenderCase, Tally};

/// What a tracker hands over to build a sender escalation.
pub(crate) struct SenderFacts<'a> {
    /// The raising message's time.
    pub(crate) now: i64,
    pub(crate) level: Level,
    pub(crate) previous: Option<Level>,
    pub(crate) tally: &'a Tally,
    pub(crate) case: &'a SenderCase,
    /// (age band as scored, probable minor) of the raising message's sender and recipient.
    pub(crate) bands: [(AgeBand, bool); 2],
}

impl Escalation {
    /// The sender escalation raised by `msg`.
    pub(crate) fn build_sender(engine: &Engine, msg: &Message, f: &SenderFacts<'_>) -> Escalation {
        let policy = engine.policy();
        let senders = policy.senders();
        let counted: Vec<_> = f.case.convs.iter().filter(|c| c.counts()).collect();

        // Categories: each category's points summed over the counted conversations.
        let mut sums: Vec<(u16, f64)> = Vec::new();
        for c in &counted {
            for &(i, p) in &c.cats {
                match sums.iter_mut().find(|s| s.0 == i) {
                    Some(s) => s.1 += p,
                    None => sums.push((i, p)),
                }
            }
        }
        sums.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let categories: Vec<EscalatedCategory> = sums
            .iter()
            .filter_map(|(i, s)| {
                let c = policy.categories().get(usize::from(*i))?;
                Some(EscalatedCategory {
                    id: c.id.clone(),
                    stage: c.stage.clone(),
                    score: *s,
                    summary: c.summary.clone(),
                })
            })
            .collect();

        let window = crate::policy::duration::format_duration(senders.window_ms);
        let mut reasons = vec![
            format!(
                "One sender, several minors: {} reached {} minor{} within {window}",
                msg.sender.id,
                f.tally.minors,
                if f.tally.minors == 1 { "" } else { "s" }
            ),
            format!("Sender points: {}", arithmetic(senders, f.tally)),
            format!(
                "Sender level {} (the policy's sender levels: watch {}, review {}, urgent {} points)",
                f.level, senders.levels[0], senders.levels[1], senders.levels[2]
            ),
        ];
        reasons.extend(categories.iter().map(|c| c.summary.clone()));

        let (known, participants) = participants(engine, msg, f.bands);

        let mut evidence: Vec<EvidenceItem> = counted
            .iter()
            .flat_map(|c| c.evidence.iter().map(move |e| (c, e)))
            .filter_map(|(c, e)| e.item(engine, Some(&c.conversation)))
            .collect();
        evidence.sort_by_key(|e| e.timestamp);

        // Timeline: each stage's first appearance in any conversation, and its latest signal.
        let mut timeline: Vec<TimelineEntry> = Vec::new();
        let mut firsts: Vec<(u16, i64, i64)> = Vec::new();
        for c in &counted {
            for s in &c.stages {
                let Some(name) = engine.stages.get(usize::from(s.stage)) else {
                    continue;
                };
                match firsts.iter().position(|x| x.0 == s.stage) {
                    Some(i) => {
                        let t = &mut timeline[i];
                        let last = firsts[i].2.max(s.last_ts);
                        if s.first_ts < firsts[i].1 {
                            t.first_message_id = s.first_message.to_string();
                            t.first_seen = Timestamp::from_millis(s.first_ts);
                            t.conversation_id = Some(c.conversation.to_string());
                            firsts[i].1 = s.first_ts;
                        }
                        firsts[i].2 = last;
                        t.last_seen = Timestamp::from_millis(last);
                    }
                    None => {
                        firsts.push((s.stage, s.first_ts, s.last_ts));
                        timeline.push(TimelineEntry {
                            stage: name.to_string(),
                            first_message_id: s.first_message.to_string(),
                            first_seen: Timestamp::from_millis(s.first_ts),
                            last_seen: Timestamp::from_millis(s.last_ts),
                            conversation_id: Some(c.conversation.to_string()),
                        });
                    }
                }
            }
        }
        timeline.sort_by_key(|t| t.first_seen);

        let mut report_hints = ReportHints::default();
        report_hints.add_categories(policy, sums.iter().map(|(i, _)| *i));
        if f.bands[0].0 == AgeBand::Minor && f.tally.minors > 0 {
            report_hints.annotations.push("minorToMinorInteraction".into());
        }

        let mut conversations: Vec<CaseConversationItem> = counted
            .iter()
            .map(|c| {
                let mut cats: Vec<&(u16, f64)> = c.cats.iter().collect();
                cats.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                CaseConversationItem {
                    conversation_id: c.conversation.to_string(),
                    recipient: c.recipient.as_deref().map(str::to_string),
                    minor: c.minor,
                    level: c.level,
                    points: senders.points_for(c.level) * senders.factor(c.relationship),
                    risk: c.risk,
                    categories: cats
                        .iter()
                        .filter_map(|(i, _)| policy.categories().get(usize::from(*i)).map(|x| x.id.clone()))
                        .collect(),
                    first_message_id: c.first_message.to_string(),
                    first_seen: Timestamp::from_millis(c.first_ts),
                    last_message_id: c.last_message.to_string(),
                    last_seen: Timestamp::from_millis(c.last_ts),
                    messages: c.messages,
                }
            })
            .collect();
        conversations.sort_by(|a, b| {
            a.first_seen
                .cmp(&b.first_seen)
                .then_with(|| a.conversation_id.cmp(&b.conversation_id))
        });

        Escalation {
            schema: SCHEMA_ID.into(),
            conversation_id: msg.conversation_id.clone(),
            scope: EscalationScope::Sender,
            case: Some(case_id(&msg.sender.id)),
            sequence: f.case.sequence,
            level: f.level,
            previous_level: f.previous,
            message_id: msg.message_id.clone(),
            raised_at: Timestamp::from_millis(f.now),
            participants,
            channel: known.channel,
            relationship: known.relationship,
            platform: policy.metadata().platform_words(msg),
            risk: f.tally.points,
            categories,
            reasons,
            evidence,
            timeline,
            modifiers: Vec::new(),
            policy: PolicyRef::from(policy),
            recommended_action: senders
                .action(f.level)
                .or_else(|| policy.action(f.level))
                .map(str::to_string),
            report_hints,
            language: Vec::new(),
            indicators: Vec::new(),
            conversations,
        }
    }
}
