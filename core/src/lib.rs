//! # Vigil
//!
//! Vigil spots potential **grooming of children** in chat conversations and escalates it, with
//! evidence, to human moderators. It is a library: a platform feeds it messages with their
//! metadata and receives explainable scores and, when a conversation crosses a level, an
//! [`Escalation`] a moderator can act on.
//!
//! The flow of one message:
//!
//! ```text
//! Message ─► Normalizer ─► Matcher ─► hits ─► scoring ─► Tracker ─► Observation (+ Escalation)
//! ```
//!
//! * A [`Policy`] (data: TOML or JSON layers) is compiled once into an [`Engine`] — immutable,
//!   `Send + Sync`, shareable behind an `Arc`. [`Engine::assess`] is stateless.
//! * A [`Tracker`] holds conversation state: decayed risk per conversation key, grooming stages,
//!   levels, and escalations — in bounded memory, with snapshots.
//! * Every score traces to rules, byte spans of the original text and metadata modifiers; every
//!   weight, threshold and decay constant comes from the policy.
//!
//! No I/O of its own (it opens no file or socket: [`jsonl::Reader`] reads what the caller hands
//! it), no network, no global state, no panics on any input.
//!
//! ```
//! use std::sync::Arc;
//! use vigil::{Engine, Level, Tracker};
//!
//! let engine = Arc::new(Engine::default()); // the shipped packs
//! let mut tracker = Tracker::new(engine);
//! let doc = include_str!("../../examples/sample-conversation.jsonl");
//! let mut top = None;
//! for msg in vigil::message::parse_jsonl(doc) {
//!     let obs = tracker.observe(&msg.unwrap());
//!     if let Some(e) = obs.escalation {
//!         top = top.max(Some(e.level));
//!     }
//! }
//! assert!(top >= Some(Level::Review));
//! ```

#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

pub mod engine;
pub mod error;
pub mod escalation;
pub mod eval;
pub mod explain;
mod ids;
mod json;
pub mod jsonl;
pub mod lang;
mod level;
pub mod lint;
mod matcher;
pub mod message;
pub mod normalize;
pub mod packs;
pub mod policy;
pub mod shared;
pub mod snapshot;
#[cfg(test)]
mod testutil;
pub mod tracker;

pub use engine::{AppliedModifier, Assessment, CategoryScore, Engine, ExampleFailure, Hit, HitKind, Span};
pub use error::{
    Error, Location, MessageError, PolicyError, PolicyErrorKind, ReadError, SnapshotError, TimestampError,
    TimestampErrorKind,
};
pub use escalation::Escalation;
pub use level::Level;
pub use matcher::Scratch;
pub use message::{AgeBand, Channel, Message, Participant, Relationship, Timestamp};
pub use policy::{Policy, PolicyBuilder};
pub use shared::SharedTracker;
pub use tracker::{KeyTrace, Observation, Tracker, TrackerStats};

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_is_send_and_sync() {
        assert_send_sync::<Engine>();
        assert_send_sync::<Policy>();
        assert_send_sync::<Tracker>();
    }
}
