//! Every escalation the engine writes conforms to `core/schema/escalation.schema.json`: the
//! documents of the golden vectors and of the labelled corpus, checked by a small validator of
//! the keywords that schema uses (so that the schema and the code cannot drift apart silently).

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use vigil::{Engine, Tracker};

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
