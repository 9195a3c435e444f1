//! # vigil-ffi
//!
//! Vigil for Kotlin (Android and the JVM), Swift (iOS) and Python, through
//! [uniffi](https://mozilla.github.io/uniffi-rs/). This crate is a thin layer: it converts types
//! and calls the `vigil` core crate; it decides nothing of its own, so every binding gives the
//! same results as the core (proven by replaying `tests/vectors/` from each language).
//!
//! What it exposes:
//!
//! * [`PolicyBuilder`] and [`Policy`]: the shipped packs and overrides from strings or files;
//! * [`Engine`]: a compiled policy, `assess` and the packs' example tests;
//! * [`Tracker`]: `observe` (records or JSON lines), batches of messages in one call
//!   ([`batch`]: records, JSON lines, or Arrow-layout column buffers), snapshots and restore;
//! * the records and enums of messages, assessments, observations and escalations
//!   ([`types`]), with the escalation also as its JSON document; messages carry the platform's
//!   own channel and relationship words, which the policy maps to kinds ([`Channel`],
//!   [`Relationship`]), and observations and escalations keep the words ([`PlatformMetadata`]);
//! * functions: [`parse_message`] (the core's lenient JSON reader: integer ids, ages as digits,
//!   epoch timestamps), [`parse_timestamp`], [`format_timestamp`] and the shipped packs;
//! * report drafts: [`draft_cybertipline`] and [`draft_case_export`] turn a reviewed escalation
//!   document into a CyberTipline-shaped draft or a neutral case export (`vigil::draft`);
//! * [`VigilError`]: one exception type whose message is the core's.
//!
//! ```
//! use vigil_ffi::{AgeBand, Engine, Message, Participant, Tracker};
//! use std::sync::Arc;
//!
//! let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
//! let obs = tracker.observe(Message {
//!     conversation_id: "c-1".into(), message_id: "m-1".into(), timestamp_ms: 0,
//!     sender: Participant { id: "u-9".into(), age_band: AgeBand::Adult, age: None, account_age_days: None },
//!     recipient: Some(Participant { id: "u-4".into(), age_band: AgeBand::Minor, age: None, account_age_days: None }),
//!     channel: "dm".into(), relationship: "stranger".into(), // the platform's words, or kinds' names
//!     text: "how old are you? dont tell your parents about us".into(),
//! }).unwrap();
//! assert!(obs.risk > 0.0);
//! assert!(obs.json.starts_with('{'));
//! assert_eq!(obs.platform.unwrap().channel.unwrap().kind, "direct"); // "dm" is scored as direct
//! ```

#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used)]

pub mod batch;
pub mod draft;
pub mod error;
pub mod objects;
pub mod types;

pub use batch::{
    BatchEscalation, BatchOptions, BatchResult, BatchRowDocument, BatchRowError, Int64ColumnBuffers,
    Utf8ColumnBuffers,
};
pub use draft::{draft_case_export, draft_cybertipline, DraftOptions, ReportDraft};
pub use error::VigilError;
pub use objects::{Engine, Policy, PolicyBuilder, Tracker};
pub use types::*;

uniffi::setup_scaffolding!();

/// The version of this library (the workspace version, shared with the core).
#[uniffi::export]
pub fn vigil_version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The names of the shipped policy packs, in load order.
#[uniffi::export]
pub fn shipped_pack_names() -> Vec<String> {
    vigil::packs::names().map(str::to_string).collect()
}

/// The TOML text of a shipped pack, or nothing for an unknown name.
#[uniffi::export]
pub fn shipped_pack_source(name: String) -> Option<String> {
    vigil::packs::get(&name).map(str::to_string)
}

/// Parses one message from JSON (one line of a JSON Lines file) with the core's lenient reader,
/// the one `observe_json` and `vigil scan` use, so a platform's own export reads as it is: ids
/// may be integers; `age` and `account_age_days` numbers or digits in a string (an age that is
/// not a number is ignored); an `age_band` word other than `minor`, `adult`, `unknown` (any case)
/// is `unknown`; `channel` and `relationship` are kept as written; the timestamp is RFC 3339
/// text (a space may stand for the `T`) or epoch seconds, milliseconds, microseconds or
/// nanoseconds, as a number or digits ([`parse_timestamp`]). Unknown fields are ignored. A
/// missing or unreadable required field (ids, timestamp, text) raises `Message` naming it.
#[uniffi::export]
pub fn parse_message(json: String) -> Result<Message, VigilError> {
    Ok(vigil::Message::from_json(&json)?.into())
}

/// A message as one line of JSON, as the core writes it (the input format of `vigil scan`).
#[uniffi::export]
pub fn message_to_json(message: Message) -> String {
    vigil::Message::from(message).to_json()
}

/// Milliseconds since the Unix epoch of a timestamp as platforms write it, read as message
/// timestamps are (the core's `Timestamp::parse`): RFC 3339 text such as `2026-11-01T18:04:05Z`
/// or `2026-11-01 19:04:05+01:00` (a space may stand for the `T`), or digits of epoch seconds,
/// milliseconds, microseconds or nanoseconds told apart by magnitude (`1793556245`,
/// `1793556245000`; a fraction allowed: `1793556245.25`). Anything else raises `Timestamp`.
#[uniffi::export]
pub fn parse_timestamp(text: String) -> Result<i64, VigilError> {
    Ok(vigil::Timestamp::parse(&text)?.as_millis())
}

/// RFC 3339 text (UTC) of milliseconds since the Unix epoch, as escalations write it.
#[uniffi::export]
pub fn format_timestamp(timestamp_ms: i64) -> String {
    vigil::Timestamp::from_millis(timestamp_ms).to_rfc3339()
}

/// The JSON Schema of the escalation document (`vigil.escalation/1`).
#[uniffi::export]
pub fn escalation_schema() -> String {
    vigil::Escalation::SCHEMA.to_string()
}
