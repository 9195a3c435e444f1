//! The binding's error type: the core's errors (whose messages JS sees unchanged) plus the few
//! problems only a binding has, such as an argument of the wrong shape.

use serde_json::{json, Map, Value};
use thiserror::Error;
use vigil::draft::DraftError;
use vigil::{MessageError, PolicyError, SnapshotError};

/// Anything a call from JavaScript can fail with. In JS it becomes an `Error` whose `message` is
/// this error's `Display` (for core errors: the core's own message) and whose extra fields come
/// from [`BindingError::details`].
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum BindingError {
    /// A policy could not be loaded, merged or compiled.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A message could not be read.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// One message of an array could not be read (`index` is 1-based).
    #[error("message {index}: {source}")]
    Item {
        /// 1-based position in the array.
        index: usize,
        /// What is wrong with it.
        source: MessageError,
    },
    /// A snapshot could not be restored.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A compiled policy bundle could not be loaded.
    #[error(transparent)]
    Bundle(#[from] vigil::bundle::BundleError),
    /// The core refused to draft a report (below `review`, no reviewer, not `confirmed`, a
    /// recipient's view, no valid incident type).
    #[error(transparent)]
    Draft(#[from] DraftError),
    /// A JavaScript argument has the wrong shape (not a message object or string, an unknown
    /// policy layer, a value `JSON.stringify` cannot encode, ...).
    #[error("{0}")]
    Argument(String),
    /// A bug in Vigil, such as a panic or a record that did not encode.
    #[error("vigil internal error (a bug in Vigil; please report it): {0}")]
    Internal(String),
}

impl BindingError {
    /// The `kind` field of the JS error: `policy`, `message`, `snapshot`, `bundle`, `draft`,
    /// `argument` or `internal`.
    pub fn kind(&self) -> &'static str {
        match self {
            BindingError::Policy(_) => "policy",
            BindingError::Message(_) | BindingError::Item { .. } => "message",
            BindingError::Snapshot(_) => "snapshot",
            BindingError::Bundle(_) => "bundle",
            BindingError::Draft(_) => "draft",
            BindingError::Argument(_) => "argument",
            BindingError::Internal(_) => "internal",
        }
    }

    /// The fields set on the JS error object besides `message`: always `name` (`"VigilError"`) and
    /// `kind`; for policy errors `location` (`source`, `line`, `column`, `item`, `field`, `null`
    /// where unknown); for message errors `line` (in a JSON Lines document), `index` (in an array),
    /// `field` and `column` where known; for bundle errors `offset` (the byte where the problem
    /// was found); for draft refusals `reason` (see [`draft_reason`]) and,
    /// below `review`, the escalation's `level`.
    pub fn details(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!("VigilError"));
        m.insert("kind".into(), json!(self.kind()));
        match self {
            BindingError::Policy(e) => {
                let l = e.location();
                m.insert(
                    "location".into(),
                    json!({
                        "source": l.source,
                        "line": l.line,
                        "column": l.column,
                        "item": l.item,
                        "field": l.field,
                    }),
                );
            }
            BindingError::Message(e) => message_details(e, &mut m),
            BindingError::Item { index, source } => {
                m.insert("index".into(), json!(index));
                message_details(source, &mut m);
            }
            BindingError::Bundle(e) => {
                m.insert("offset".into(), json!(e.offset()));
            }
            BindingError::Draft(e) => {
                m.insert("reason".into(), json!(draft_reason(e)));
                if let DraftError::BelowReview { level } = e {
                    m.insert("level".into(), json!(level.as_str()));
                }
            }
            BindingError::Snapshot(_) | BindingError::Argument(_) | BindingError::Internal(_) => {}
        }
        Value::Object(m)
    }
}

/// Why the core refused a draft, as the `reason` field of the JS error: `below_review`,
/// `missing_reviewer`, `not_confirmed`, `recipient_view`, `no_incident_type`,
/// `unknown_incident_type`, `json`, or `refused` for a refusal this binding does not know yet.
pub fn draft_reason(e: &DraftError) -> &'static str {
    match e {
        DraftError::BelowReview { .. } => "below_review",
        DraftError::MissingReviewer => "missing_reviewer",
        DraftError::NotConfirmed { .. } => "not_confirmed",
        DraftError::RecipientView => "recipient_view",
        DraftError::NoIncidentType => "no_incident_type",
        DraftError::UnknownIncidentType(_) => "unknown_incident_type",
        DraftError::Json(_) => "json",
        _ => "refused",
    }
}

fn message_details(e: &MessageError, m: &mut Map<String, Value>) {
    if let Some(line) = e.line() {
        m.insert("line".into(), json!(line));
    }
    match e {
        MessageError::Syntax { column, .. } => {
            m.insert("column".into(), json!(column));
        }
        MessageError::Invalid { field, .. } => {
            m.insert("field".into(), json!(field));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_errors_keep_the_core_message_and_give_the_location() {
        let core = vigil::Policy::builder()
            .add_toml(
                "my.toml",
                "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nwieght = 3\n",
            )
            .unwrap_err();
        let e = BindingError::from(core.clone());
        assert_eq!(e.to_string(), core.to_string());
        let d = e.details();
        assert_eq!(d["kind"], "policy");
        assert_eq!(d["location"]["source"], "my.toml");
        assert_eq!(d["location"]["line"], 4);
    }

    #[test]
    fn message_errors_name_the_field_and_line() {
        let doc = "{\"conversation_id\":\"c\",\"timestamp\":0,\"sender\":{\"id\":\"a\"},\"text\":\"\"}\n";
        let core = vigil::jsonl::parse(doc).next().unwrap().unwrap_err();
        let e = BindingError::from(core.clone());
        assert_eq!(e.to_string(), core.to_string());
        let d = e.details();
        assert_eq!(d["kind"], "message");
        assert_eq!(d["line"], 1);
        assert_eq!(d["field"], "message_id");
    }

    #[test]
    fn draft_refusals_keep_the_core_message_and_give_the_reason() {
        let core = DraftError::BelowReview {
            level: vigil::Level::Watch,
        };
        let e = BindingError::from(core.clone());
        assert_eq!(e.to_string(), core.to_string());
        let d = e.details();
        assert_eq!(d["kind"], "draft");
        assert_eq!(d["reason"], "below_review");
        assert_eq!(d["level"], "watch");
        let d = BindingError::from(DraftError::MissingReviewer).details();
        assert_eq!(d["reason"], "missing_reviewer");
        assert!(d.get("level").is_none());
    }

    #[test]
    fn array_items_are_numbered() {
        let core = vigil::Message::from_json("{").unwrap_err();
        let e = BindingError::Item {
            index: 3,
            source: core.clone(),
        };
        assert_eq!(e.to_string(), format!("message 3: {core}"));
        assert_eq!(e.details()["index"], 3);
    }
}
