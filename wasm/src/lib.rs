//! # vigil-wasm
//!
//! Vigil for JavaScript: the grooming-detection engine compiled to WebAssembly, with
//! [wasm-bindgen] glue for browsers (ES module) and Node. The shipped policy packs are embedded.
//!
//! ```js
//! import init, { Engine, Tracker } from "vigil-wasm";   // browsers: await init() first
//! const tracker = new Tracker(new Engine());            // the shipped packs
//! const obs = tracker.observe({ conversation_id: "c-1", message_id: "m-1",
//!   timestamp: "2026-11-01T18:04:05Z", sender: { id: "u-9", age_band: "adult" },
//!   recipient: { id: "u-4", age_band: "minor" }, channel: "direct", text: "how old are you?" });
//! if (obs.escalation) queue.push(obs.escalation);       // a vigil.escalation/1 document
//! ```
//!
//! This crate is a thin binding: it converts values and calls the `vigil` core. Records cross the
//! boundary as the core's own JSON (so JS sees exactly what `Observation::to_json()` gives, and
//! the golden vectors hold for JS too), and errors become JS `Error`s carrying the core's
//! messages. A panic hook turns a bug into an `Error` instead of a trap.
//!
//! [wasm-bindgen]: https://crates.io/crates/wasm-bindgen

#![deny(missing_docs)]
#![warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod api;
pub mod error;
pub mod input;

pub use api::{
    draft_case_export, draft_cybertipline, escalation_schema, parse_jsonl, parse_message, shipped_packs,
    version, Engine, Tracker,
};
pub use error::BindingError;
