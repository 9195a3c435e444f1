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
//! for msg in vigil::jsonl::parse(doc) {
//!     let obs = tracker.observe(&msg.unwrap());
//!     if let Some(e) = obs.escalation {
//!         top = top.max(Some(e.level));
//!     }
//! }
//! assert!(top >= Some(Level::Review));
//! ```
//!
//! # Keys and time
//!
//! A tracker keys risk by (conversation, sender → recipient) in direct channels and by
//! (conversation, sender) in group and public channels: risk is about what one participant does
//! to another. Decay and idle time-to-live run on message timestamps, not on the wall clock, so
//! replaying a log gives the same result as the live stream. A message older than the last one
//! seen for its key is scored as if it arrived at that last time (risk never decays backwards)
//! and flagged [`Observation::out_of_order`].
//!
//! # The public API: one path per item
//!
//! Every public item has exactly one path, by this rule:
//!
//! * **The crate root** holds what an embedder names to run Vigil: the policy and its builder,
//!   the engine, trackers ([`Tracker`], [`SharedTracker`]) and their batch calls
//!   ([`Tracker::observe_columns`] with [`MessageColumns`] and [`BatchOutput`]), messages and their metadata, the
//!   records they produce ([`Assessment`], [`Observation`], [`Escalation`] and their parts), the
//!   [`Level`], and the errors. Their modules are private; these types are re-exported here and
//!   nowhere else.
//! * **Public modules** are toolsets and reference data with a subject of their own, reached by
//!   their path and never re-exported at the root: [`policy`] (resolved settings and the file
//!   format), [`normalize`], [`lang`], [`explain`], [`eval`], [`lint`], [`snapshot`] (the
//!   format's constants), [`jsonl`] and [`packs`]. A root record may carry a module's type where
//!   that type is the module's subject (a [`lang::Language`], a [`normalize::Evasion`]).
//! * Records the library produces (assessments, observations, escalations and their parts,
//!   explanations, evaluation and lint reports, resolved settings) are `#[non_exhaustive]`, so
//!   fields can be added without a breaking change: read them, or build them through their
//!   constructors (such as `PolicyRef::from(&policy)`). Error enums are `#[non_exhaustive]` too.
//!
//! `core/public-api.txt` lists the whole public API, one line per public path; the test
//! `core/tests/public_api.rs` (run by `scripts/test`) checks it against the source and this rule,
//! so an API change shows up in review. After a deliberate change:
//! `VIGIL_BLESS=1 cargo test -p vigil --test public_api`.

#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

// The run loop: private modules, their types re-exported at the root (see "The public API").
mod engine;
mod error;
mod escalation;
mod ids;
mod json;
mod level;
mod matcher;
mod message;
mod sharded;
#[cfg(test)]
mod testutil;
mod tracker;

// Toolsets and reference data: public modules, reached by their path.
pub mod bundle;
pub mod draft;
pub mod eval;
pub mod explain;
pub mod indicators;
pub mod intervene;
pub mod jsonl;
pub mod lang;
pub mod lint;
pub mod normalize;
pub mod packs;
pub mod policy;
pub mod snapshot;

pub use engine::{
    AppliedModifier, Assessment, CategoryScore, Engine, ExampleFailure, Hit, HitKind, LanguageReport,
    LanguageShare, Span,
};
pub use error::{
    Error, Location, MessageError, PolicyError, PolicyErrorKind, ReadError, SnapshotError, TimestampError,
    TimestampErrorKind,
};
pub use escalation::{
    CaseConversationItem, EscalatedCategory, EscalatedIndicator, Escalation, EscalationScope, EvidenceItem,
    IndicatorHint, LanguageShareItem, ParticipantRef, Participants, PolicyRef, ReportHints, TimelineEntry,
};
pub use level::Level;
pub use matcher::Scratch;
pub use message::{
    AgeBand, Channel, Message, Participant, PlatformMetadata, PlatformWord, Relationship, Timestamp,
};
pub use policy::resolve::{Policy, PolicyBuilder};
pub use sharded::SharedTracker;
pub use tracker::batch::{
    batch_action_code, batch_level_code, BatchError, BatchEscalation, BatchOptions, BatchOutput, Int64Column,
    MessageColumns, MessageField, Utf8Buffers, Utf8Column,
};
pub use tracker::senders::CaseContact;
pub use tracker::{KeyLevel, KeyTrace, Observation, Tracker, TrackerStats};

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
