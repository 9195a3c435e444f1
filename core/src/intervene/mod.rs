//! Interventions in the message path: what the app should do with a message *now* — nudge the
//! child, add friction for the sender, mask contact details, or hold the message for review —
//! decided by the policy's `[[intervention]]` rules from the same state and evidence as the
//! observation, on message time only (never the wall clock).
//!
//! A tracker decides with every [`Observation`](crate::Observation)
//! ([`intervention`](crate::Observation::intervention)); a policy without interventions costs
//! nothing (one branch per message). See `docs/policies.md` ("Interventions") for the format and
//! how to roll them out.

use std::sync::Arc;

use serde::Serialize;

use crate::engine::{Assessment, Context, LanguageReport, Span};
use crate::indicators::{Extractor, IndicatorKind};
use crate::level::Level;
use crate::message::Message;
use crate::policy::model::{Condition, InterventionAction};
use crate::policy::Policy;

/// What the app should do with one message, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Intervention {
    /// The action: `nudge_recipient`, `nudge_sender`, `mask` or `hold`.
    pub action: InterventionAction,
    /// The policy's intervention that decided.
    pub id: Arc<str>,
    /// Its plain-words reason (for moderators and logs; never shown to the sender).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Arc<str>>,
    /// The message's categories that triggered it (empty for one that lists no categories).
    pub categories: Vec<Arc<str>>,
    /// The evidence in the message: the spans of the triggering categories' hits, or for `mask`
    /// the masked details (byte offsets into the message's original text).
    pub spans: Vec<Span>,
    /// The notice a nudge shows, in the recipient's language.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<NoticeText>,
    /// For `mask`: the text to deliver, each masked detail replaced by the policy's replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub masked_text: Option<String>,
}

/// A notice in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct NoticeText {
    /// The policy's notice id.
    pub id: Arc<str>,
    /// The language of `text` (ISO 639-1).
    pub language: Arc<str>,
    /// The text to show.
    pub text: Arc<str>,
}

/// An intervention as the engine holds it (category indices are the policy's).
#[derive(Debug)]
struct Compiled {
    id: Arc<str>,
    action: InterventionAction,
    reason: Option<Arc<str>>,
    when: Condition,
    categories: Vec<u16>,
    min_level: Option<Level>,
    stages: Vec<Arc<str>>,
    indicators: Vec<IndicatorKind>,
    notice: Option<usize>,
    once_per: Option<i64>,
    replacement: Option<Arc<str>>,
}

#[derive(Debug)]
struct Notice {
    id: Arc<str>,
    fallback: Option<Arc<str>>,
    /// (language, text), in language order.
    texts: Vec<(Arc<str>, Arc<str>)>,
}

/// The policy's interventions, compiled: built into an engine only when the policy enables at
/// least one.
#[derive(Debug)]
pub(crate) struct Interventions {
    /// Enabled interventions, strongest action first, policy order among equals.
    list: Vec<(u16, Compiled)>,
    notices: Vec<Notice>,
    /// For `mask` (and `indicators` conditions): finds contact details in a message.
    extractor: Option<Arc<Extractor>>,
    max_bytes: usize,
}

/// No category: the rate-limit record of an intervention that lists none and fired on a message
/// without category points.
pub(crate) const NO_CATEGORY: u16 = u16::MAX;

/// What one key remembers of its nudges: (intervention index, category index, message time).
pub(crate) type Nudged = (u16, u16, i64);

impl Interventions {
    /// The compiled interventions of `policy`, or `None` when it enables none.
    pub(crate) fn compile(policy: &Policy, extractor: &dyn Fn() -> Arc<Extractor>) -> Option<Interventions> {
        let cat_index = |id: &str| {
            policy
                .categories()
                .iter()
                .position(|c| c.id == id)
                .map(|i| i as u16)
        };
        let notices: Vec<Notice> = policy
            .notices()
            .iter()
            .map(|n| Notice {
                id: Arc::from(n.id.as_str()),
                fallback: n.fallback.as_deref().map(Arc::from),
                texts: n
                    .text
                    .iter()
                    .map(|(l, t)| (Arc::from(l.as_str()), Arc::from(t.as_str())))
                    .collect(),
            })
            .collect();
        let mut list: Vec<(u16, Compiled)> = policy
            .interventions()
            .iter()
            .enumerate()
            .filter(|(_, c)| c.enabled)
            .map(|(i, c)| {
                (
                    i as u16,
                    Compiled {
                        id: Arc::from(c.id.as_str()),
                        action: c.action,
                        reason: c.description.as_deref().map(Arc::from),
                        when: c.when.clone(),
                        categories: c.categories.iter().filter_map(|id| cat_index(id)).collect(),
                        min_level: c.min_level,
                        stages: c.stages.iter().map(|s| Arc::from(s.as_str())).collect(),
                        indicators: c.indicators.clone(),
                        notice: c
                            .notice
                            .as_ref()
                            .and_then(|id| notices.iter().position(|n| *n.id == **id)),
                        once_per: c
                            .once_per
                            .as_deref()
                            .and_then(crate::policy::duration::parse_duration),
                        replacement: c.replacement.as_deref().map(Arc::from),
                    },
                )
            })
            .collect();
        if list.is_empty() {
            return None;
        }
        // Strongest first; a stable sort keeps the policy's order among equals.
        list.sort_by_key(|c| std::cmp::Reverse(c.1.action));
        let extractor = list.iter().any(|(_, c)| !c.indicators.is_empty()).then(extractor);
        Some(Interventions {
            list,
            notices,
            extractor,
            max_bytes: policy.scoring().max_message_bytes,
        })
    }

    /// The intervention for `msg`, if one applies: the strongest whose conditions hold and
    /// whose rate limit lets it through. A masked message also carries the notice of the first
    /// recipient nudge that applies (the child sees the masked text and the notice). Records the
    /// nudges shown in the key's `nudged`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn decide(
        &self,
        found: Option<Vec<crate::indicators::Indicator>>,
        msg: &Message,
        known: &Context<'_>,
        assessment: &Assessment,
        level: Option<Level>,
        stages: &[Arc<str>],
        language: Option<&LanguageReport>,
        scoping: Option<&crate::engine::scoping::Scoping>,
        now: i64,
        nudged: &mut Vec<Nudged>,
    ) -> Option<Intervention> {
        let facts = Facts {
            msg,
            known,
            assessment,
            level,
            stages,
        };
        // Contact details are looked for once, and only when an intervention asks for them (the
        // tracker's indicator extraction, when the policy keeps indicators, already did).
        let mut found = found;
        let mut winner: Option<(usize, Match<'_>)> = None;
        for (at, (index, c)) in self.list.iter().enumerate() {
            let Some(m) = self.matches(c, &facts, &mut found) else {
                continue;
            };
            if c.once_per.is_some() && !fresh(*index, c, &m, now, nudged) {
                continue;
            }
            winner = Some((at, m));
            break;
        }
        let (at, m) = winner?;
        let (index, c) = &self.list[at];
        record(*index, c, &m, now, nudged);
        // The language the sender wrote the triggering words in (their rules' pack), before
        // the conversation's estimate: short chat lines are often misidentified.
        let written_in = |m: &Match<'_>| -> Vec<&'static str> {
            let Some(scoping) = scoping else {
                return Vec::new();
            };
            let mut out: Vec<&'static str> = Vec::new();
            for h in assessment
                .hits
                .iter()
                .filter(|h| m.cats.iter().any(|(_, id)| **id == h.category))
            {
                let langs = scoping.rule_languages(h.rule_index);
                if langs.len() == 1 {
                    for l in langs.iter() {
                        if !out.contains(&l.code()) {
                            out.push(l.code());
                        }
                    }
                }
            }
            out
        };
        let mut notice = c
            .notice
            .and_then(|n| self.notice(n, declared(msg, c.action), &written_in(&m), language));
        if c.action == InterventionAction::Mask {
            // The child also learns why: the first recipient nudge that applies.
            for (index, n) in self.list[at + 1..]
                .iter()
                .filter(|(_, n)| n.action == InterventionAction::NudgeRecipient)
            {
                let Some(nm) = self.matches(n, &facts, &mut found) else {
                    continue;
                };
                if n.once_per.is_some() && !fresh(*index, n, &nm, now, nudged) {
                    continue;
                }
                record(*index, n, &nm, now, nudged);
                notice = n
                    .notice
                    .and_then(|x| self.notice(x, declared(msg, n.action), &written_in(&nm), language));
                break;
            }
        }
        let Match { cats, mut spans } = m;
        if c.action != InterventionAction::Mask {
            spans.clear();
            spans.extend(
                assessment
                    .hits
                    .iter()
                    .filter(|h| cats.iter().any(|(_, id)| **id == h.category))
                    .map(|h| h.span),
            );
        }
        let masked_text = (c.action == InterventionAction::Mask).then(|| {
            mask(
                &msg.text,
                &mut spans,
                c.replacement.as_deref().unwrap_or_default(),
            )
        });
        Some(Intervention {
            action: c.action,
            id: c.id.clone(),
            reason: c.reason.clone(),
            categories: cats.iter().map(|(_, id)| Arc::clone(id)).collect(),
            spans,
            notice,
            masked_text,
        })
    }

    /// Whether `c`'s conditions hold for the message: its triggering categories and, for
    /// indicator conditions, the spans of the details found.
    fn matches<'a>(
        &self,
        c: &Compiled,
        f: &Facts<'a>,
        found: &mut Option<Vec<crate::indicators::Indicator>>,
    ) -> Option<Match<'a>> {
        if !f.known.satisfies(&c.when)
            || c.min_level.is_some_and(|m| f.level < Some(m))
            || (!c.stages.is_empty() && !c.stages.iter().any(|s| f.stages.contains(s)))
        {
            return None;
        }
        let cats: Vec<(u16, &'a Arc<str>)> = f
            .assessment
            .categories
            .iter()
            .filter(|s| s.score > 0.0 && (c.categories.is_empty() || c.categories.contains(&s.index)))
            .map(|s| (s.index, &s.category))
            .collect();
        if !c.categories.is_empty() && cats.is_empty() {
            return None;
        }
        let mut spans: Vec<Span> = Vec::new();
        if !c.indicators.is_empty() {
            let list = found.get_or_insert_with(|| match &self.extractor {
                Some(x) => x.find(crate::tracker::indicators::truncated(&f.msg.text, self.max_bytes)),
                None => Vec::new(),
            });
            spans.extend(
                list.iter()
                    .filter(|i| c.indicators.contains(&i.kind))
                    .map(|i| i.span),
            );
            if spans.is_empty() {
                return None;
            }
        }
        Some(Match { cats, spans })
    }

    /// Notice `n` in the reader's language as the platform declared it (`declared`), else the
    /// language the triggering words were written in (`written_in`: their rules' packs), else
    /// the conversation's (as estimated, strongest first), else the message's, else the
    /// notice's fallback, else its first language.
    fn notice(
        &self,
        n: usize,
        declared: Option<String>,
        written_in: &[&str],
        language: Option<&LanguageReport>,
    ) -> Option<NoticeText> {
        let notice = self.notices.get(n)?;
        if let Some(code) = declared {
            if let Some((l, t)) = notice.texts.iter().find(|(l, _)| **l == *code) {
                return Some(NoticeText {
                    id: notice.id.clone(),
                    language: l.clone(),
                    text: t.clone(),
                });
            }
        }
        let estimated = language.into_iter().flat_map(|l| {
            l.conversation
                .iter()
                .map(|s| s.language.code())
                .chain(l.message.map(|m| m.language.code()))
        });
        let wanted = written_in.iter().copied().chain(estimated);
        let text = wanted
            .filter_map(|code| notice.texts.iter().find(|(l, _)| &**l == code))
            .chain(
                notice
                    .fallback
                    .iter()
                    .filter_map(|f| notice.texts.iter().find(|(l, _)| l == f)),
            )
            .chain(notice.texts.first())
            .next()?;
        Some(NoticeText {
            id: notice.id.clone(),
            language: text.0.clone(),
            text: text.1.clone(),
        })
    }
}

/// What an intervention is decided on.
struct Facts<'a> {
    msg: &'a Message,
    known: &'a Context<'a>,
    assessment: &'a Assessment,
    level: Option<Level>,
    stages: &'a [Arc<str>],
}

/// An intervention's conditions held: the triggering categories (index, id) and the spans of
/// the details an indicator condition found.
struct Match<'a> {
    cats: Vec<(u16, &'a Arc<str>)>,
    spans: Vec<Span>,
}

/// The language the platform declared for the reader of a notice — the recipient of a
/// recipient nudge, the sender of a sender nudge — as a lowercase primary subtag (`de-AT` → `de`).
fn declared(msg: &Message, action: InterventionAction) -> Option<String> {
    let reader = match action {
        InterventionAction::NudgeSender => Some(&msg.sender),
        _ => msg.recipient.as_ref(),
    }?;
    let tag = reader.language.as_deref()?.trim();
    let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
    (!primary.is_empty()).then_some(primary)
}

/// The rate-limit keys of a match: its categories, or "no category".
fn rate_keys(m: &Match<'_>) -> Vec<u16> {
    if m.cats.is_empty() {
        vec![NO_CATEGORY]
    } else {
        m.cats.iter().map(|(i, _)| *i).collect()
    }
}

/// Whether nudge `index` may be shown for one of the match's categories (none shown within
/// its `once_per` window before `now`).
fn fresh(index: u16, c: &Compiled, m: &Match<'_>, now: i64, nudged: &[Nudged]) -> bool {
    let Some(window) = c.once_per else {
        return true;
    };
    let since = now.saturating_sub(window);
    rate_keys(m).iter().any(|k| {
        !nudged
            .iter()
            .any(|(i, cat, t)| *i == index && cat == k && *t > since && *t <= now)
    })
}

/// Records a shown nudge for its rate limit.
fn record(index: u16, c: &Compiled, m: &Match<'_>, now: i64, nudged: &mut Vec<Nudged>) {
    if c.once_per.is_none() {
        return;
    }
    for k in rate_keys(m) {
        match nudged.iter_mut().find(|(i, cat, _)| *i == index && *cat == k) {
            Some(n) => n.2 = n.2.max(now),
            None => nudged.push((index, k, now)),
        }
    }
}

/// `text` with each span replaced by `replacement`; spans are sorted, overlaps merged.
fn mask(text: &str, spans: &mut Vec<Span>, replacement: &str) -> String {
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    *spans = merged;
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for s in spans.iter() {
        // Spans come from the extractor on this text: on character boundaries, in bounds.
        if let (Some(before), true) = (text.get(at..s.start), text.is_char_boundary(s.end)) {
            out.push_str(before);
            out.push_str(replacement);
            at = s.end;
        }
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests;
