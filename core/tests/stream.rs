//! Live-stream context: in a public channel a message may name its recipient — the streamer or
//! host it is addressed to. Rules then see that person's age band, and what several viewers send
//! to a minor streamer adds up in the streamer's own view (`scope: "recipient"`), besides each
//! viewer's key. Synthetic, non-graphic texts.

use std::sync::Arc;

use vigil::{Engine, EscalationScope, Level, Message, SharedTracker, Tracker};

fn to_streamer(viewer: usize, minute: u32, streamer_band: &str, channel: &str, text: &str) -> Message {
    Message::from_json(&format!(
        r#"{{"conversation_id":"stream-1","message_id":"m-{minute:02}","timestamp":"2026-05-01T18:{minute:02}:00Z","sender":{{"id":"viewer-{viewer}","age_band":"adult"}},"recipient":{{"id":"streamer","age_band":"{streamer_band}"}},"channel":"{channel}","relationship":"stranger","text":"{text}"}}"#
    ))
    .unwrap_or_else(|e| panic!("{e}"))
}

const LINES: [&str; 5] = [
    "how old are you",
    "add me on snap",
    "send me a pic",
    "how old r u",
    "add me on snap pls",
];

fn run(band: &str, channel: &str) -> Vec<vigil::Observation> {
    let mut t = Tracker::new(Arc::new(Engine::default()));
    LINES
        .iter()
        .enumerate()
        .map(|(i, text)| t.observe(&to_streamer(i, i as u32, band, channel, text)))
        .collect()
}

#[test]
fn several_viewers_add_up_in_a_minor_streamers_view() {
    let obs = run("minor", "public");
    // Each viewer sent one line: no viewer's own key reaches review.
    for o in &obs {
        assert!(o.level < Some(Level::Review), "{}: {:?}", o.sender, o.level);
    }
    let raised: Vec<&vigil::Escalation> = obs
        .iter()
        .filter_map(|o| o.recipient_escalation.as_ref())
        .collect();
    let top = raised.last().expect("the streamer's view escalates");
    assert_eq!(top.scope, EscalationScope::Recipient);
    assert!(top.level >= Level::Review, "{:?}", top.level);
    let recipient = top.participants.recipient.as_ref().expect("names the streamer");
    assert_eq!(recipient.id, "streamer");
    let mut senders: Vec<&str> = top.evidence.iter().filter_map(|e| e.sender.as_deref()).collect();
    senders.sort_unstable();
    senders.dedup();
    assert!(senders.len() >= 3, "evidence from several viewers: {senders:?}");
    assert!(top.evidence.iter().all(|e| e.sender.is_some()));
    assert!(top.reasons.iter().any(|r| r.contains("public channel")));
    // Each viewer's own escalation, where there is one, is of the conversation scope.
    assert!(obs
        .iter()
        .filter_map(|o| o.escalation.as_ref())
        .all(|e| e.scope == EscalationScope::Conversation && e.evidence.iter().all(|x| x.sender.is_none())));
    // The JSON document says so.
    let json = serde_json::to_value(top).unwrap();
    assert_eq!(json["scope"], "recipient");
}

#[test]
fn adults_groups_and_unaddressed_messages_have_no_recipient_view() {
    for (band, channel) in [("adult", "public"), ("minor", "group"), ("minor", "direct")] {
        let obs = run(band, channel);
        assert!(
            obs.iter().all(|o| o.recipient_escalation.is_none()),
            "{band} in {channel}"
        );
    }
    // Without a recipient, a public message is the sender's alone.
    let mut t = Tracker::new(Arc::new(Engine::default()));
    for (i, text) in LINES.iter().enumerate() {
        let mut m = to_streamer(i, i as u32, "minor", "public", text);
        m.recipient = None;
        assert!(t.observe(&m).recipient_escalation.is_none());
    }
}

#[test]
fn the_sharded_tracker_gives_the_same_recipient_view() {
    let engine = Arc::new(Engine::default());
    let mut single = Tracker::new(Arc::clone(&engine));
    let shared = SharedTracker::new(engine);
    for (i, text) in LINES.iter().cycle().take(12).enumerate() {
        let m = to_streamer(i % 7, i as u32, "minor", "public", text);
        assert_eq!(single.observe(&m).to_json(), shared.observe(&m).to_json());
    }
}
