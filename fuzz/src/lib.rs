//! Shared pieces of Vigil's fuzz targets: small policies, engines built once, and the invariants
//! every target checks (spans on character boundaries, finite non-negative risk, no panic).

use std::sync::{Arc, OnceLock};

use vigil::{
    AgeBand, Channel, Engine, Message, Observation, Participant, Policy, Relationship, Span, Timestamp,
};

/// A small, stable policy with every feature: terms, wildcards, near, patterns, unless, forced
/// levels, disclosure, modifiers, fan-out, stage bonus, excerpts with context, a tiny tracker.
pub const SMALL_POLICY: &str = r#"
[policy]
id = "fuzz"
version = "1"

[scoring]
half_life = "1h"
levels = { watch = 10, review = 30, urgent = 60 }
stage_bonus = { from = 2, points = 5, window = "1d" }
max_message_bytes = 512

[evidence]
excerpt = "context"
context_chars = 3
max_items = 4

[tracker]
capacity = 4
idle_ttl = "2h"

[[stage]]
id = "isolation"
summary = "isolating"

[[stage]]
id = "meeting"
summary = "meeting"

[[stage]]
id = "coercion"
summary = "threats"

[[stage]]
id = "context"
summary = "context"

[[category]]
id = "secrecy"
stage = "isolation"
summary = "Asks the child to keep the contact secret"
message_cap = 20
conversation_cap = 25
report = { incident_type = "Online Enticement of Children for Sexual Acts" }

[[category]]
id = "meeting"
stage = "meeting"
summary = "Arranges to meet"

[[category]]
id = "sextortion"
stage = "coercion"
summary = "Threatens the child"
report = { annotations = ["sextortion"] }

[[category]]
id = "age-disclosure"
stage = "context"
summary = "A participant says they are a child"

[[rule]]
id = "secrecy.dont-tell"
category = "secrecy"
weight = 12
any = ["don't tell your parents", "our secret", "*secret*"]
unless = ["surprise party"]

[[rule]]
id = "secrecy.delete"
category = "secrecy"
weight = 15
near = { terms = [["delete", "erase"], ["chat", "messages"]], within = 3 }

[[rule]]
id = "meeting.meet"
category = "meeting"
weight = 20
any = ["meet up", "pick you up", "snap*", "add me on snap"]
when = { sender = ["adult", "unknown"] }

[[rule]]
id = "meeting.pattern"
category = "meeting"
weight = 5
patterns = ['''\bhotel\s+\d+''', '''(?i)send (me )?a pic''']

[[rule]]
id = "sextortion.threat"
category = "sextortion"
weight = 1
any = ["or i will share"]
level = "urgent"

[[rule]]
id = "age.disclose"
category = "age-disclosure"
weight = 0
patterns = ['''\bi'?m (1[0-7]|[5-9])\b''']
discloses = "minor"

[[modifier]]
id = "adult-to-minor"
when = { sender = ["adult"], recipient = ["minor"] }
multiply = 2.0

[[modifier]]
id = "new-account"
when = { account_age_days_below = 7 }
multiply = 1.5

[[modifier]]
id = "family"
when = { relationship = ["family"] }
multiply = 0.5

[[modifier]]
id = "fan-out"
fan_out = { min = 2, window = "1h" }
multiply = 1.5
"#;

/// The small policy, compiled once.
pub fn small() -> &'static Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| {
        let p = Policy::builder()
            .add_toml("fuzz.toml", SMALL_POLICY)
            .and_then(|b| b.build());
        Arc::new(Engine::new(p.expect("the fuzz policy loads")).expect("the fuzz policy compiles"))
    })
}

/// The shipped packs, compiled once.
pub fn shipped() -> &'static Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| Arc::new(Engine::default()))
}

/// Panics unless `span` is a non-empty range of `text` on character boundaries.
pub fn check_span(text: &str, span: Span, what: &str) {
    assert!(
        span.start < span.end && span.end <= text.len(),
        "{what}: span {span:?} out of range for a text of {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{what}: span {span:?} not on character boundaries of {text:?}"
    );
}

/// Panics unless an observation of `msg` is sound: spans of its hits on character boundaries of
/// the text (within the assessed prefix), finite non-negative scores and risk, serializable.
pub fn check_observation(engine: &Engine, msg: &Message, obs: &Observation) {
    let max = engine.policy().scoring().max_message_bytes;
    for h in &obs.assessment.hits {
        check_span(&msg.text, h.span, "hit");
        assert!(h.span.end <= max, "hit past max_message_bytes");
    }
    let a = &obs.assessment;
    assert!(a.score.is_finite() && a.score >= 0.0, "score {}", a.score);
    assert!(
        a.base_score.is_finite() && a.base_score >= 0.0,
        "base score {}",
        a.base_score
    );
    assert!(obs.risk.is_finite() && obs.risk >= 0.0, "risk {}", obs.risk);
    if let Some(e) = &obs.escalation {
        assert!(e.risk.is_finite());
        for ev in &e.evidence {
            assert!(ev.span.start < ev.span.end, "evidence span {:?}", ev.span);
            if ev.message_id == msg.message_id {
                if let Some(x) = &ev.excerpt {
                    assert!(msg.text.contains(x.as_str()), "excerpt {x:?} not in the text");
                }
            }
        }
        let json = e.to_json();
        assert!(json.starts_with('{'));
    }
    let _ = obs.to_json();
}

/// An age band from a byte.
pub fn band(b: u8) -> AgeBand {
    match b % 3 {
        0 => AgeBand::Minor,
        1 => AgeBand::Adult,
        _ => AgeBand::Unknown,
    }
}

/// A channel from a byte.
pub fn channel(b: u8) -> Channel {
    match b % 4 {
        0 => Channel::Direct,
        1 => Channel::Group,
        2 => Channel::Public,
        _ => Channel::Unknown,
    }
}

/// A relationship from a byte.
pub fn relationship(b: u8) -> Relationship {
    match b % 4 {
        0 => Relationship::Stranger,
        1 => Relationship::Contact,
        2 => Relationship::Family,
        _ => Relationship::Unknown,
    }
}

/// A direct message between two participants (used by the snapshot target to build state).
pub fn dm(
    conv: &str,
    id: &str,
    minutes: i64,
    from: (&str, AgeBand),
    to: (&str, AgeBand),
    text: &str,
) -> Message {
    Message::new(
        conv,
        id,
        Timestamp::from_millis(minutes * 60_000),
        Participant::new(from.0, from.1),
        text,
    )
    .with_recipient(Participant::new(to.0, to.1))
    .with_channel(Channel::Direct)
    .with_relationship(Relationship::Stranger)
}
