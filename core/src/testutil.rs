//! A small, stable policy for unit tests (the shipped packs grow; these tests must not move).

use std::sync::Arc;

use crate::{AgeBand, Channel, Engine, Message, Participant, Policy, Relationship, Timestamp};

pub(crate) const POLICY: &str = r#"
[policy]
id = "test"
version = "1"

[scoring]
half_life = "1h"
levels = { watch = 10, review = 30, urgent = 60 }
stage_bonus = { from = 2, points = 5, window = "1d" }
max_message_bytes = 64

[evidence]
excerpt = "match"
max_items = 4

[actions]
review = "look at it"

[tracker]
capacity = 3
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
any = ["don't tell your parents", "our secret"]
unless = ["surprise party"]
examples = { hit = ["d0n'7 t e l l your parents"], miss = ["don't tell me the ending"] }

[[rule]]
id = "secrecy.delete"
category = "secrecy"
weight = 15
near = { terms = [["delete", "erase"], ["chat", "messages"]], within = 3 }

[[rule]]
id = "meeting.meet"
category = "meeting"
weight = 20
any = ["meet up", "pick you up", "snap*"]
when = { sender = ["adult", "unknown"] }

[[rule]]
id = "meeting.pattern"
category = "meeting"
weight = 5
patterns = ['''\bhotel\s+\d+''']

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
id = "family"
when = { relationship = ["family"] }
multiply = 0.5

[[modifier]]
id = "fan-out"
fan_out = { min = 2, window = "1h" }
multiply = 1.5
"#;

pub(crate) fn policy() -> Policy {
    Policy::builder()
        .add_toml("test.toml", POLICY)
        .and_then(|b| b.build())
        .unwrap()
}

pub(crate) fn engine() -> Arc<Engine> {
    Arc::new(Engine::new(policy()).unwrap())
}

/// Minutes since the epoch as a timestamp.
pub(crate) fn at(minutes: i64) -> Timestamp {
    Timestamp::from_millis(minutes * 60_000)
}

pub(crate) fn dm(
    conv: &str,
    id: &str,
    minutes: i64,
    from: (&str, AgeBand),
    to: (&str, AgeBand),
    text: &str,
) -> Message {
    Message::new(conv, id, at(minutes), Participant::new(from.0, from.1), text)
        .with_recipient(Participant::new(to.0, to.1))
        .with_channel(Channel::Direct)
        .with_relationship(Relationship::Stranger)
}
