//! JSON text of the documents Vigil writes (observations, escalations, assessments, messages,
//! policies), which cannot fail to serialize.
//!
//! # Why serializing them cannot fail
//!
//! `serde_json` fails to serialize a value in three cases only (serde_json 1, `ser.rs`):
//!
//! 1. a `Serialize` implementation returns an error of its own (`ser::Error::custom`);
//! 2. a map has keys that are not strings, integers, booleans or characters;
//! 3. the writer fails.
//!
//! None can happen for the documents written here:
//!
//! 1. their types derive `Serialize`, or serialize with `serialize_str` ([`crate::Timestamp`],
//!    [`crate::lang::Language`]) or `serialize_f64` (the `round3` rounding; serde_json writes a
//!    non-finite number as `null`, not an error). No `Serialize` implementation in this crate
//!    returns an error;
//! 2. they hold no map at all: only structs, unit enums, strings, numbers, booleans, options,
//!    vectors and arrays of these;
//! 3. the writer is a `Vec<u8>` in memory, which never fails (and serde_json writes UTF-8 only).
//!
//! A field added to one of these documents must keep to the same (no map with keys of other
//! kinds, no `Serialize` that can fail); otherwise its `to_json` must return a `Result`. Should
//! that ever be missed, debug builds — every test, the golden vectors, the fuzzers — stop at the
//! assertion below, and release builds write an empty string (never a panic in a library).

use serde::Serialize;

/// Compact JSON of one of the documents the module docs list.
pub(crate) fn compact<T: Serialize + ?Sized>(value: &T) -> String {
    checked(serde_json::to_string(value))
}

/// Pretty JSON (two-space indents) of one of the documents the module docs list.
pub(crate) fn pretty<T: Serialize + ?Sized>(value: &T) -> String {
    checked(serde_json::to_string_pretty(value))
}

fn checked(json: Result<String, serde_json::Error>) -> String {
    match json {
        Ok(json) => json,
        Err(e) => {
            debug_assert!(false, "a Vigil document did not serialize: {e}");
            String::new()
        }
    }
}
