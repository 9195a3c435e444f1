//! Every escalation the engine writes conforms to `core/schema/escalation.schema.json`: the
//! documents of the golden vectors and of the labelled corpus, checked by a small validator of
//! the keywords that schema uses (so that the schema and the code cannot drift apart silently).
//! The report drafts' JSON forms are checked the same way against
//! `core/schema/cybertipline-draft.schema.json` and `core/schema/case-export.schema.json`.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use vigil::draft::{CaseExport, CyberTiplineDraft, Decision, Drafter, Medium, Review};
use vigil::{Engine, Escalation, EscalationScope, Level, Tracker};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Checks `v` against `schema` (resolving `#/$defs/...` in `top`); returns the first violation.
fn check(top: &Value, schema: &Value, v: &Value, path: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{path}: {why}"));
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.trim_start_matches("#/$defs/");
        let target = top["$defs"]
            .get(name)
            .ok_or(format!("{path}: unknown $ref {r}"))?;
        return check(top, target, v, path);
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let ok = options.iter().filter(|o| check(top, o, v, path).is_ok()).count();
        return if ok == 1 {
            Ok(())
        } else {
            fail(format!("{ok} of oneOf match {v}"))
        };
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values.contains(v) {
            return fail(format!("{v} not in {values:?}"));
        }
    }
    if let Some(c) = schema.get("const") {
        if c != v {
            return fail(format!("{v} is not {c}"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let is = |t: &str| match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        };
        if !types.iter().any(|t| is(t)) {
            return fail(format!("{v} is not {types:?}"));
        }
    }
    if let (Some(min), Some(s)) = (schema.get("minLength").and_then(Value::as_u64), v.as_str()) {
        if (s.chars().count() as u64) < min {
            return fail(format!("{s:?} is shorter than {min}"));
        }
    }
    if let (Some(max), Some(s)) = (schema.get("maxLength").and_then(Value::as_u64), v.as_str()) {
        if (s.chars().count() as u64) > max {
            return fail(format!("{s:?} is longer than {max}"));
        }
    }
    if let (Some(min), Some(x)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if x < min {
            return fail(format!("{x} < {min}"));
        }
    }
    if let (Some(max), Some(x)) = (schema.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if x > max {
            return fail(format!("{x} > {max}"));
        }
    }
    if let Some(o) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = r.as_str().unwrap_or_default();
            if !o.contains_key(name) {
                return fail(format!("missing required `{name}`"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, x) in o {
            match props.and_then(|p| p.get(k)) {
                Some(s) => check(top, s, x, &format!("{path}.{k}"))?,
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    return fail(format!("`{k}` is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(a)) = (schema.get("items"), v.as_array()) {
        for (i, x) in a.iter().enumerate() {
            check(top, items, x, &format!("{path}[{i}]"))?;
        }
    }
    Ok(())
}

#[test]
fn every_escalation_of_the_vectors_and_the_corpus_fits_the_schema() {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(root().join("core/schema/escalation.schema.json")).unwrap())
            .unwrap();
    let mut inputs: Vec<PathBuf> = Vec::new();
    for dir in ["tests/vectors", "tests/corpus"] {
        for e in fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            if name.ends_with(".jsonl") && !name.contains("expected") && !name.contains("labels") {
                inputs.push(p);
            }
        }
    }
    inputs.sort();
    let engine = Arc::new(Engine::default());
    let mut checked = 0;
    for p in &inputs {
        let mut tracker = Tracker::new(Arc::clone(&engine));
        let text = fs::read_to_string(p).unwrap();
        for m in vigil::jsonl::parse(&text).flatten() {
            let o = tracker.observe(&m);
            for e in o.escalations() {
                let doc: Value = serde_json::from_str(&e.to_json()).unwrap();
                if let Err(why) = check(&schema, &schema, &doc, "$") {
                    panic!("{}: message {}: {why}", p.display(), m.message_id);
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} escalations checked");
}

#[test]
fn the_validator_refuses_what_the_schema_does_not_allow() {
    let schema: Value =
        serde_json::from_str(&fs::read_to_string(root().join("core/schema/escalation.schema.json")).unwrap())
            .unwrap();
    let mut tracker = Tracker::new(Arc::new(Engine::default()));
    let text = fs::read_to_string(root().join("examples/sample-conversation.jsonl")).unwrap();
    let doc = vigil::jsonl::parse(&text)
        .flatten()
        .find_map(|m| tracker.observe(&m).escalation)
        .map(|e| serde_json::from_str::<Value>(&e.to_json()).unwrap())
        .expect("the sample escalates");
    assert_eq!(check(&schema, &schema, &doc, "$"), Ok(()));
    let mut extra = doc.clone();
    extra["unexpected"] = Value::Bool(true);
    assert!(check(&schema, &schema, &extra, "$").is_err());
    let mut bad_level = doc.clone();
    bad_level["level"] = Value::String("panic".into());
    assert!(check(&schema, &schema, &bad_level, "$").is_err());
    let mut missing = doc;
    missing.as_object_mut().unwrap().remove("evidence");
    assert!(check(&schema, &schema, &missing, "$").is_err());
}

/// Every escalation the messages of `input` (a path from the repository's root) raise with the
/// shipped packs.
fn escalations(input: &str) -> Vec<Escalation> {
    let mut tracker = Tracker::new(Arc::new(Engine::default()));
    let text = fs::read_to_string(root().join(input)).unwrap();
    let mut out = Vec::new();
    for m in vigil::jsonl::parse(&text).flatten() {
        out.extend(tracker.observe(&m).escalations().cloned());
    }
    out
}

/// A schema of `core/schema/`, read as the crate exposes it, with its `$id` and the `const` of
/// its `schema` property checked against the documents' schema id.
fn draft_schema(text: &str, id: &str) -> Value {
    let schema: Value = serde_json::from_str(text).expect("the schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["$id"], id);
    assert_eq!(schema["properties"]["schema"]["const"], id);
    schema
}

/// The three cases of the report-draft tests: a conversation (`sample-1`), a sextortion case in
/// a game chat (`sx-1`, with a declared age), and the sender case with ten children that reached
/// `urgent`; each with its drafter.
fn draft_cases() -> Vec<(&'static str, Drafter, Escalation)> {
    let confirmed = || Drafter::new(Review::new("mod-7", Decision::Confirmed)).platform("ExampleChat");
    let last_conversation = |input: &str, conversation: &str| {
        escalations(input)
            .into_iter()
            .rev()
            .find(|e| e.scope == EscalationScope::Conversation && e.conversation_id == conversation)
            .unwrap_or_else(|| panic!("{input}: no escalation of {conversation}"))
    };
    let senders = escalations("tests/vectors/senders.input.jsonl");
    let case = senders
        .iter()
        .find(|e| e.scope == EscalationScope::Sender && e.level == Level::Urgent)
        .and_then(|e| e.case.clone())
        .expect("a sender case reaches urgent");
    let sender = senders
        .iter()
        .rev()
        .find(|e| e.scope == EscalationScope::Sender && e.case.as_deref() == Some(case.as_str()))
        .cloned()
        .unwrap();
    vec![
        (
            "sample-1",
            confirmed(),
            last_conversation("tests/vectors/sample.input.jsonl", "sample-1"),
        ),
        (
            "sx-1",
            confirmed()
                .medium(Medium::OnlineGaming)
                .declared_age("u-3141", 13),
            last_conversation("tests/drafts/sextortion.jsonl", "sx-1"),
        ),
        (
            "sender case",
            confirmed().incident_type("Online Enticement of Children for Sexual Acts"),
            sender,
        ),
    ]
}

#[test]
fn report_drafts_and_case_exports_fit_their_schemas() {
    let tipline = draft_schema(CyberTiplineDraft::SCHEMA, CyberTiplineDraft::SCHEMA_ID);
    let export = draft_schema(CaseExport::SCHEMA, CaseExport::SCHEMA_ID);
    // The constants are the committed files.
    for (text, file) in [
        (CyberTiplineDraft::SCHEMA, "cybertipline-draft.schema.json"),
        (CaseExport::SCHEMA, "case-export.schema.json"),
    ] {
        assert_eq!(
            text,
            fs::read_to_string(root().join("core/schema").join(file)).unwrap()
        );
    }
    let mut gaming = false;
    let mut sender = false;
    for (name, drafter, e) in draft_cases() {
        assert!(e.level >= Level::Review, "{name}: {}", e.level);
        let d = drafter.cybertipline(&e).unwrap();
        let doc: Value = serde_json::from_str(&d.to_json()).unwrap();
        if let Err(why) = check(&tipline, &tipline, &doc, "$") {
            panic!("{name}: CyberTipline draft: {why}\n{}", d.to_json());
        }
        let x = drafter.case_export(&e).unwrap();
        let doc: Value = serde_json::from_str(&x.to_json()).unwrap();
        if let Err(why) = check(&export, &export, &doc, "$") {
            panic!("{name}: case export: {why}\n{}", x.to_json());
        }
        gaming |= d.report.internet_details[0].online_gaming_incident.is_some();
        sender |= x.case.scope == "sender" && x.children.len() > 1;
    }
    assert!(gaming && sender, "the cases cover a game chat and a sender case");
}

#[test]
fn the_draft_schemas_refuse_unknown_and_missing_fields() {
    let tipline = draft_schema(CyberTiplineDraft::SCHEMA, CyberTiplineDraft::SCHEMA_ID);
    let export = draft_schema(CaseExport::SCHEMA, CaseExport::SCHEMA_ID);
    let (_, drafter, e) = draft_cases().swap_remove(1);
    let docs = [
        (
            &tipline,
            serde_json::from_str::<Value>(&drafter.cybertipline(&e).unwrap().to_json()).unwrap(),
            "report",
        ),
        (
            &export,
            serde_json::from_str::<Value>(&drafter.case_export(&e).unwrap().to_json()).unwrap(),
            "evidence_included",
        ),
    ];
    for (schema, doc, required) in docs.clone() {
        assert_eq!(check(schema, schema, &doc, "$"), Ok(()));
        let mut extra = doc.clone();
        extra["unexpected"] = Value::Bool(true);
        assert!(check(schema, schema, &extra, "$").is_err());
        let mut missing = doc.clone();
        missing.as_object_mut().unwrap().remove(required);
        assert!(check(schema, schema, &missing, "$").is_err());
        let mut other = doc;
        other["schema"] = Value::String("vigil.escalation/1".into());
        assert!(check(schema, schema, &other, "$").is_err());
    }
    // Deeper: an `internetDetails` with two incidents, a summary without its incident type, an
    // exported evidence item naming its conversation (the enclosing one names it).
    let [(_, tipline_doc, _), (_, export_doc, _)] = docs;
    let mut both = tipline_doc.clone();
    both["report"]["internetDetails"][0]["chatImIncident"] = serde_json::json!({});
    assert!(check(&tipline, &tipline, &both, "$").is_err());
    let mut untyped = tipline_doc;
    untyped["report"]["incidentSummary"]
        .as_object_mut()
        .unwrap()
        .remove("incidentType");
    assert!(check(&tipline, &tipline, &untyped, "$").is_err());
    let mut named = export_doc;
    named["conversations"][0]["evidence"][0]["conversation_id"] = Value::String("sx-1".into());
    assert!(check(&export, &export, &named, "$").is_err());
}
