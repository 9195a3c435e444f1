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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::Value;

    use crate::{Engine, Policy, Tracker};

    fn object(json: &str) -> serde_json::Map<String, Value> {
        match serde_json::from_str(json) {
            Ok(Value::Object(m)) if !m.is_empty() => m,
            other => panic!("not a JSON object: {other:?} from {json:?}"),
        }
    }

    #[test]
    fn every_document_serializes_to_a_json_object() {
        let policy = Policy::shipped().unwrap();
        let resolved = object(&policy.to_json());
        assert!(resolved.contains_key("rules"));
        let engine = Arc::new(Engine::new(policy).unwrap());
        let mut tracker = Tracker::new(engine.clone());
        let doc = include_str!("../../examples/sample-conversation.jsonl");
        let mut escalations = 0;
        for m in crate::jsonl::parse(doc) {
            let m = m.unwrap();
            assert_eq!(crate::Message::from_json(&m.to_json()).unwrap(), m);
            object(&engine.assess(&m).to_json());
            let obs = tracker.observe(&m);
            let whole = object(&obs.to_json());
            if let Some(e) = &obs.escalation {
                escalations += 1;
                assert_eq!(whole["escalation"], Value::Object(object(&e.to_json())));
            }
        }
        assert!(escalations > 0);
    }

    #[test]
    fn the_policy_hash_covers_the_compact_json() {
        use sha2::{Digest, Sha256};
        let policy = Policy::shipped().unwrap();
        let digest = Sha256::digest(super::compact(&policy));
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(policy.hash(), format!("sha256:{hex}"));
        // The pretty form is the same document.
        assert_eq!(
            serde_json::from_str::<Value>(&policy.to_json()).unwrap(),
            serde_json::from_str::<Value>(&super::compact(&policy)).unwrap()
        );
    }
}
