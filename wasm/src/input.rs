//! Reading what JavaScript passes in, from JSON text (the JS side stringifies objects): policy
//! layers, messages, escalations and report-draft options. Pure Rust, so it is tested natively.

use serde_json::{Map, Value};
use vigil::draft::{Decision, Drafter, Medium, Review};
use vigil::{Escalation, Message, Policy};

use crate::error::BindingError;

/// The format of a policy layer given as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON when the name ends in `.json` or the text starts with `{`, else TOML.
    Auto,
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

/// One policy layer as JavaScript names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerSpec {
    /// `"shipped"`: every shipped pack, in order.
    Shipped,
    /// Any other string: one shipped pack by name.
    Pack(String),
    /// `{name, text, format?}`: a layer given as text.
    Source {
        /// The name errors cite.
        name: String,
        /// TOML or JSON text.
        text: String,
        /// How to read it.
        format: Format,
    },
}

const LAYER_SHAPE: &str =
    "expected \"shipped\", the name of a shipped pack, or {name: string, text: string, format?: \"toml\" | \"json\"}";

/// Reads the layers argument of `new Engine(layers)` from its JSON text; `None` (the argument was
/// left out) means the shipped packs.
pub fn parse_layers(json: Option<&str>) -> Result<Vec<LayerSpec>, BindingError> {
    let Some(json) = json else {
        return Ok(vec![LayerSpec::Shipped]);
    };
    let value: Value =
        serde_json::from_str(json).map_err(|e| BindingError::Argument(format!("policy layers: {e}")))?;
    let Value::Array(items) = value else {
        return Err(BindingError::Argument(format!(
            "policy layers must be an array, each item {LAYER_SHAPE}"
        )));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| layer(i + 1, item))
        .collect()
}

fn layer(n: usize, item: Value) -> Result<LayerSpec, BindingError> {
    let bad = |what: &str| BindingError::Argument(format!("policy layer {n}: {what}"));
    match item {
        Value::String(s) if s == "shipped" => Ok(LayerSpec::Shipped),
        Value::String(s) => Ok(LayerSpec::Pack(s)),
        Value::Object(mut m) => {
            let mut take = |key: &str| match m.remove(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(bad(&format!("`{key}` must be a string"))),
            };
            let name = take("name")?.ok_or_else(|| bad(&format!("missing `name`; {LAYER_SHAPE}")))?;
            let text = take("text")?.ok_or_else(|| bad(&format!("missing `text`; {LAYER_SHAPE}")))?;
            let format = match take("format")?.as_deref() {
                None => Format::Auto,
                Some("toml") => Format::Toml,
                Some("json") => Format::Json,
                Some(other) => {
                    return Err(bad(&format!(
                        "unknown format {other:?} (expected \"toml\" or \"json\")"
                    )))
                }
            };
            if let Some(key) = m.keys().next() {
                return Err(bad(&format!("unknown field `{key}`; {LAYER_SHAPE}")));
            }
            Ok(LayerSpec::Source { name, text, format })
        }
        _ => Err(bad(LAYER_SHAPE)),
    }
}

/// Merges layers into a policy with the core's builder.
pub fn build_policy(layers: &[LayerSpec]) -> Result<Policy, BindingError> {
    let mut b = Policy::builder();
    for l in layers {
        b = match l {
            LayerSpec::Shipped => b.add_shipped()?,
            LayerSpec::Pack(name) => b.add_pack(name)?,
            LayerSpec::Source { name, text, format } => match format {
                Format::Auto => b.add_source(name, text)?,
                Format::Toml => b.add_toml(name, text)?,
                Format::Json => b.add_json(name, text)?,
            },
        };
    }
    Ok(b.build()?)
}

/// Reads a JSON Lines document by the core's rules ([`vigil::jsonl`]: byte-order mark, `\r\n`,
/// blank lines), as `vigil scan` does; the first bad line fails the whole document, with its line
/// number.
pub fn parse_jsonl(doc: &str) -> Result<Vec<Message>, BindingError> {
    Ok(vigil::jsonl::parse(doc).collect::<Result<Vec<_>, _>>()?)
}

/// Reads a JSON array of messages: each item a message object or a string holding a message's
/// JSON text (a line of JSON Lines). The first bad one fails the whole array, with its position.
pub fn parse_array(json: &str) -> Result<Vec<Message>, BindingError> {
    let items: Vec<Value> = serde_json::from_str(json)
        .map_err(|e| BindingError::Argument(format!("expected an array of messages: {e}")))?;
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let read = match v {
                Value::String(text) => Message::from_json(text),
                _ => Message::from_json(&v.to_string()),
            };
            read.map_err(|source| BindingError::Item { index: i + 1, source })
        })
        .collect()
}

/// The options of `Tracker.observeBatch`, as JavaScript passes them (`{escalationsOnly?}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOptions {
    /// Return only the escalations raised (every one, in the order `vigil scan` prints them:
    /// conversation, recipient, sender for each message), not one observation per message.
    pub escalations_only: bool,
}

const BATCH_OPTIONS: &str = "expected {escalationsOnly?: boolean}";

/// Reads the options argument of `Tracker.observeBatch` from its JSON text; `None` (left out,
/// `undefined` or `null`) means the defaults. An unknown key or a non-boolean value is an
/// argument error.
pub fn parse_batch_options(json: Option<&str>) -> Result<BatchOptions, BindingError> {
    let bad = |what: String| BindingError::Argument(format!("batch options: {what}"));
    let Some(json) = json else {
        return Ok(BatchOptions::default());
    };
    let value: Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let mut m = match value {
        Value::Null => return Ok(BatchOptions::default()),
        Value::Object(m) => m,
        _ => return Err(bad(BATCH_OPTIONS.into())),
    };
    let escalations_only = match m.remove("escalationsOnly") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => b,
        Some(_) => return Err(bad("`escalationsOnly` must be a boolean".into())),
    };
    if let Some(key) = m.keys().next() {
        return Err(bad(format!("unknown field `{key}` ({BATCH_OPTIONS})")));
    }
    Ok(BatchOptions { escalations_only })
}

/// Reads an escalation document (`vigil.escalation/1`) from its JSON text.
pub fn parse_escalation(json: &str) -> Result<Escalation, BindingError> {
    serde_json::from_str(json)
        .map_err(|e| BindingError::Argument(format!("invalid escalation document: {e}")))
}

const DRAFT_OPTIONS: &str =
    "reviewedBy, decision, reviewedAtMs, note, platform, medium, incidentType, declaredAges";

/// Reads the options of `draftCybertipline` / `draftCaseExport` (a JS object, camelCase keys) into
/// the core's drafter. Shapes and words are checked here (an unknown key, decision or medium is
/// an argument error); whether a draft may be made is the core's decision. A missing or blank
/// `reviewedBy` is left to the core, which refuses it.
pub fn parse_draft_options(json: &str) -> Result<Drafter, BindingError> {
    let bad = |what: String| BindingError::Argument(format!("draft options: {what}"));
    let value: Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    let Value::Object(mut m) = value else {
        return Err(bad(format!("expected an object {{{DRAFT_OPTIONS}}}")));
    };
    let text = |m: &mut Map<String, Value>, key: &str| match m.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("`{key}` must be a string"))),
    };
    let reviewed_by = text(&mut m, "reviewedBy")?.unwrap_or_default();
    let decision: Decision = text(&mut m, "decision")?
        .ok_or_else(|| bad("missing `decision` (confirmed, dismissed or needs_more_information)".into()))?
        .parse()
        .map_err(bad)?;
    let mut review = Review::new(reviewed_by, decision);
    review.note = text(&mut m, "note")?;
    let platform = text(&mut m, "platform")?;
    let medium = text(&mut m, "medium")?;
    let incident_type = text(&mut m, "incidentType")?;
    review.reviewed_at = match m.remove("reviewedAtMs") {
        None | Some(Value::Null) => None,
        Some(v) => Some(vigil::Timestamp::from_millis(v.as_i64().ok_or_else(|| {
            bad("`reviewedAtMs` must be an integer (milliseconds since the Unix epoch)".into())
        })?)),
    };
    let ages = match m.remove("declaredAges") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(a)) => a,
        Some(_) => {
            return Err(bad(
                "`declaredAges` must be an object of participant ids and ages".into(),
            ))
        }
    };
    if let Some(key) = m.keys().next() {
        return Err(bad(format!("unknown field `{key}` (expected {DRAFT_OPTIONS})")));
    }
    let mut drafter = Drafter::new(review);
    if let Some(p) = platform {
        drafter = drafter.platform(p);
    }
    if let Some(medium) = medium {
        drafter = drafter.medium(medium.parse::<Medium>().map_err(bad)?);
    }
    if let Some(t) = incident_type {
        drafter = drafter.incident_type(t);
    }
    for (id, years) in ages {
        let years = years
            .as_u64()
            .and_then(|y| u32::try_from(y).ok())
            .ok_or_else(|| bad(format!("`declaredAges[{id:?}]` must be a whole number of years")))?;
        drafter = drafter.declared_age(id, years);
    }
    Ok(drafter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_layers_means_shipped() {
        assert_eq!(parse_layers(None).unwrap(), vec![LayerSpec::Shipped]);
    }

    #[test]
    fn layers_of_every_shape() {
        let l = parse_layers(Some(
            r#"["shipped", "en", {"name": "a.toml", "text": "x", "format": "toml"}]"#,
        ))
        .unwrap();
        assert_eq!(l[0], LayerSpec::Shipped);
        assert_eq!(l[1], LayerSpec::Pack("en".into()));
        assert!(matches!(
            &l[2],
            LayerSpec::Source {
                format: Format::Toml,
                ..
            }
        ));
    }

    #[test]
    fn bad_layers_say_what_is_expected() {
        for (json, needle) in [
            ("{}", "must be an array"),
            ("[1]", "policy layer 1: expected"),
            (r#"["shipped", {"name": "a"}]"#, "policy layer 2: missing `text`"),
            (r#"[{"name": "a", "text": "", "txt": ""}]"#, "unknown field `txt`"),
            (
                r#"[{"name": "a", "text": "", "format": "yaml"}]"#,
                "unknown format \"yaml\"",
            ),
        ] {
            let e = parse_layers(Some(json)).unwrap_err();
            assert!(e.to_string().contains(needle), "{json}: {e}");
            assert_eq!(e.kind(), "argument");
        }
    }

    #[test]
    fn policies_build_and_core_errors_pass_through() {
        assert!(build_policy(&[LayerSpec::Shipped]).is_ok());
        let e = build_policy(&[LayerSpec::Pack("klingon".into())]).unwrap_err();
        assert!(matches!(e, BindingError::Policy(_)));
        let e = build_policy(&[LayerSpec::Source {
            name: "a.toml".into(),
            text: "[[".into(),
            format: Format::Auto,
        }])
        .unwrap_err();
        assert!(e.to_string().starts_with("a.toml:1"), "{e}");
    }

    #[test]
    fn arrays_name_the_bad_message() {
        let ok = r#"{"conversation_id":"c","message_id":"1","timestamp":0,"sender":{"id":"a"},"text":"hi"}"#;
        assert_eq!(parse_array(&format!("[{ok},{ok}]")).unwrap().len(), 2);
        let e = parse_array(&format!("[{ok},{{}}]")).unwrap_err();
        assert!(e.to_string().starts_with("message 2: "), "{e}");
        let e = parse_jsonl(&format!("{ok}\n\nnope\n")).unwrap_err();
        assert!(e.to_string().starts_with("line 3: "), "{e}");
    }

    #[test]
    fn arrays_take_json_texts_as_items_too() {
        let ok = r#"{"conversation_id":"c","message_id":"1","timestamp":0,"sender":{"id":"a"},"text":"hi"}"#;
        let text = serde_json::to_string(ok).unwrap();
        let mixed = parse_array(&format!("[{ok},{text}]")).unwrap();
        assert_eq!(mixed.len(), 2);
        assert_eq!(mixed[0], mixed[1]);
        let e = parse_array(&format!("[{text},\"{{\"]")).unwrap_err();
        assert!(e.to_string().starts_with("message 2: "), "{e}");
        assert_eq!(e.kind(), "message");
    }

    #[test]
    fn batch_options_read_and_refuse_bad_shapes() {
        assert_eq!(parse_batch_options(None).unwrap(), BatchOptions::default());
        assert_eq!(
            parse_batch_options(Some("null")).unwrap(),
            BatchOptions::default()
        );
        assert_eq!(parse_batch_options(Some("{}")).unwrap(), BatchOptions::default());
        assert!(
            parse_batch_options(Some(r#"{"escalationsOnly":true}"#))
                .unwrap()
                .escalations_only
        );
        for (json, needle) in [
            ("[]", "expected {escalationsOnly?"),
            (r#"{"escalationsOnly":1}"#, "must be a boolean"),
            (r#"{"escalations_only":true}"#, "unknown field `escalations_only`"),
        ] {
            let e = parse_batch_options(Some(json)).unwrap_err();
            assert!(e.to_string().contains(needle), "{json}: {e}");
            assert_eq!(e.kind(), "argument");
        }
    }

    #[test]
    fn platform_exports_read_alike_from_arrays_and_jsonl() {
        // Integer ids, ages as digits, epoch seconds with a fraction and in nanoseconds, words.
        let a = r#"{"conversation_id":4004,"message_id":1,"timestamp":1774040400.5,"sender":{"id":9001,"age":"40"},"channel":"hologram","relationship":"friend","text":"hi"}"#;
        let b = r#"{"conversation_id":"c","message_id":"2","timestamp":1774040400500000000,"sender":{"id":"u","age_band":"teen"},"text":"x"}"#;
        let from_array = parse_array(&format!("[{a},{b}]")).unwrap();
        assert_eq!(from_array, parse_jsonl(&format!("{a}\n{b}\n")).unwrap());
        let m = &from_array[0];
        assert_eq!(
            (m.conversation_id.as_str(), m.sender.id.as_str()),
            ("4004", "9001")
        );
        assert_eq!(m.sender.age, Some(40));
        assert_eq!(
            (m.channel.as_str(), m.relationship.as_str()),
            ("hologram", "friend")
        );
        assert_eq!(m.timestamp, from_array[1].timestamp);
        assert_eq!(m.timestamp.to_rfc3339(), "2026-03-20T21:00:00.5Z");
        assert_eq!(from_array[1].sender.age_band, vigil::AgeBand::Unknown);
    }

    #[test]
    fn jsonl_with_a_byte_order_mark_and_crlf_parses() {
        let ok = r#"{"conversation_id":"c","message_id":"1","timestamp":0,"sender":{"id":"a"},"text":"hi"}"#;
        let ms = parse_jsonl(&format!("\u{feff}{ok}\r\n\r\n{ok}\r\n")).unwrap();
        assert_eq!(ms.len(), 2);
        assert_eq!(ms[1].text, "hi");
    }

    #[test]
    fn draft_options_read_every_field_and_refuse_bad_shapes() {
        assert!(parse_draft_options(
            r#"{"reviewedBy":"mod-7","decision":"Confirmed","reviewedAtMs":1790000000000,"note":"n",
                "platform":"ExampleChat","medium":"online_gaming","incidentType":null,"declaredAges":{"u-1":13}}"#
        )
        .is_ok());
        assert!(
            parse_draft_options(r#"{"decision":"confirmed"}"#).is_ok(),
            "the core refuses no reviewer"
        );
        for (json, needle) in [
            ("[]", "expected an object"),
            (r#"{"reviewedBy":"m"}"#, "missing `decision`"),
            (
                r#"{"reviewedBy":"m","decision":"maybe"}"#,
                "unknown decision \"maybe\"",
            ),
            (
                r#"{"reviewedBy":"m","decision":"confirmed","medium":"forum"}"#,
                "unknown medium \"forum\"",
            ),
            (
                r#"{"reviewedBy":7,"decision":"confirmed"}"#,
                "`reviewedBy` must be a string",
            ),
            (
                r#"{"reviewed_by":"m","decision":"confirmed"}"#,
                "unknown field `reviewed_by`",
            ),
            (
                r#"{"reviewedBy":"m","decision":"confirmed","reviewedAtMs":"x"}"#,
                "`reviewedAtMs` must be an integer",
            ),
            (
                r#"{"reviewedBy":"m","decision":"confirmed","declaredAges":{"u":-1}}"#,
                "whole number of years",
            ),
            (
                r#"{"reviewedBy":"m","decision":"confirmed","declaredAges":[13]}"#,
                "`declaredAges` must be an object",
            ),
        ] {
            let e = parse_draft_options(json).unwrap_err();
            assert!(e.to_string().contains(needle), "{json}: {e}");
            assert_eq!(e.kind(), "argument");
        }
    }

    #[test]
    fn an_escalation_that_is_not_one_is_an_argument_error() {
        let e = parse_escalation(r#"{"schema":"vigil.escalation/1"}"#).unwrap_err();
        assert!(e.to_string().starts_with("invalid escalation document: "), "{e}");
        assert_eq!(e.kind(), "argument");
    }
}
