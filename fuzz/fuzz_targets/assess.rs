//! `assess` and `observe` on arbitrary text and metadata (timestamps over the whole i64 range,
//! ages, channels, ids), under the shipped packs and a small policy with a tiny tracker; plus
//! message JSON parsing. Checks: no panic, spans on character boundaries of the original text,
//! finite non-negative scores and risk, escalations serialize.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use vigil::{Message, Participant, Timestamp, Tracker};
use vigil_fuzz::{band, channel, check_observation, check_span, relationship, shipped, small};

#[derive(Arbitrary, Debug)]
struct Meta {
    conversation: u8,
    message: u16,
    sender: u8,
    sender_band: u8,
    sender_age: Option<u32>,
    account_age_days: Option<u32>,
    recipient: Option<(u8, u8, Option<u32>)>,
    channel: u8,
    relationship: u8,
    /// Small steps from the previous message's time (minutes), or an absolute time.
    time: Result<i16, i64>,
}

#[derive(Arbitrary, Debug)]
struct Input {
    shipped: bool,
    messages: Vec<(Meta, String)>,
    json: String,
}

// Compile the engines before the first input, so libFuzzer's per-input timeout measures
// inputs, not start-up (the shipped packs take seconds to compile under ASan).
fuzz_target!(init: {
        shipped();
        small();
    }, |input: Input| {
    let engine = if input.shipped { shipped() } else { small() };
    let mut tracker = Tracker::new(engine.clone());
    let mut now: i64 = 0;
    for (i, (meta, text)) in input.messages.iter().take(64).enumerate() {
        now = match meta.time {
            Ok(step) => now.saturating_add(i64::from(step) * 60_000),
            Err(abs) => abs,
        };
        let mut sender = Participant::new(format!("u{}", meta.sender % 8), band(meta.sender_band));
        sender.age = meta.sender_age;
        sender.account_age_days = meta.account_age_days;
        let mut msg = Message::new(
            format!("c{}", meta.conversation % 4),
            // Unique ids, so evidence can be traced to its message's text.
            format!("m{i}-{}", meta.message),
            Timestamp::from_millis(now),
            sender,
            text.as_str(),
        )
        .with_channel(channel(meta.channel))
        .with_relationship(relationship(meta.relationship));
        if let Some((id, b, age)) = meta.recipient {
            let mut r = Participant::new(format!("u{}", id % 8), band(b));
            r.age = age;
            msg = msg.with_recipient(r);
        }
        let a = engine.assess(&msg);
        for h in &a.hits {
            check_span(&msg.text, h.span, "assess hit");
        }
        assert!(a.score.is_finite() && a.score >= 0.0);
        let obs = tracker.observe(&msg);
        check_observation(engine, &msg, &obs);
    }
    let stats = tracker.stats();
    assert!(stats.keys as usize <= tracker.capacity());
    // Message parsing from JSON never panics.
    let _ = Message::from_json(&input.json);
    for m in vigil::jsonl::parse(&input.json).flatten() {
        let obs = tracker.observe(&m);
        check_observation(engine, &m, &obs);
    }
});
