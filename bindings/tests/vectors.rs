//! The golden vectors replayed through the FFI layer, as the Kotlin, Swift and Python tests do:
//! messages are built as FFI records from the input JSON, observed through the FFI `Tracker`, and
//! both the core's JSON (`Observation::json`) and every field of the returned records are checked
//! against `tests/vectors/NAME.expected.jsonl` (compared as parsed JSON).

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Value};
use vigil_ffi::*;

/// `tests/vectors/`, or `$VIGIL_VECTORS`.
fn dir() -> PathBuf {
    match std::env::var_os("VIGIL_VECTORS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors"),
    }
}

fn engine(layers: &[Value]) -> Arc<Engine> {
    let mut b = Arc::new(PolicyBuilder::new());
    for l in layers {
        let l = l.as_str().unwrap();
        b = if l == "shipped" {
            b.add_shipped().unwrap()
        } else {
            b.add_source(l.to_string(), fs::read_to_string(dir().join(l)).unwrap())
                .unwrap()
        };
    }
    Arc::new(Engine::new(b.build().unwrap()).unwrap())
}

fn band(v: &Value) -> AgeBand {
    match v.as_str() {
        Some("minor") => AgeBand::Minor,
        Some("adult") => AgeBand::Adult,
        _ => AgeBand::Unknown,
    }
}

fn participant(v: &Value) -> Participant {
    Participant {
        id: v["id"].as_str().unwrap().to_string(),
        age_band: band(&v["age_band"]),
        age: v["age"].as_u64().map(|a| a as u32),
        account_age_days: v["account_age_days"].as_u64().map(|a| a as u32),
    }
}

/// Builds the record from the input line by hand (not through the core's JSON reader).
fn message(v: &Value) -> Message {
    let ts = &v["timestamp"];
    Message {
        conversation_id: v["conversation_id"].as_str().unwrap().to_string(),
        message_id: v["message_id"].as_str().unwrap().to_string(),
        timestamp_ms: match ts.as_i64() {
            Some(ms) => ms,
            None => parse_timestamp(ts.as_str().unwrap().to_string()).unwrap(),
        },
        sender: participant(&v["sender"]),
        recipient: v.get("recipient").filter(|r| !r.is_null()).map(participant),
        channel: match v["channel"].as_str() {
            Some("direct") => Channel::Direct,
            Some("group") => Channel::Group,
            Some("public") => Channel::Public,
            _ => Channel::Unknown,
        },
        relationship: match v["relationship"].as_str() {
            Some("stranger") => Relationship::Stranger,
            Some("contact") => Relationship::Contact,
            Some("family") => Relationship::Family,
            _ => Relationship::Unknown,
        },
        text: v["text"].as_str().unwrap().to_string(),
    }
}

fn name<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}").to_lowercase()
}

fn ts(ms: i64) -> Value {
    json!(format_timestamp(ms))
}

fn span(s: &Span) -> Value {
    json!({"start": s.start, "end": s.end})
}

/// The record, in the shape of the core's JSON, to compare field by field.
fn observation_value(o: &Observation) -> Value {
    let a = &o.assessment;
    let mut assessment = json!({
        "score": a.score, "base_score": a.base_score,
        "hits": a.hits.iter().map(|h| {
            let mut hit = json!({"rule": h.rule, "category": h.category, "kind": name(h.kind),
                "weight": h.weight, "span": span(&h.span)});
            if let Some(e) = &h.evasion {
                hit["evasion"] = json!(e);
            }
            hit
        }).collect::<Vec<_>>(),
        "categories": a.categories.iter().map(|c| json!({"category": c.category, "stage": c.stage, "score": c.score}))
            .collect::<Vec<_>>(),
        "modifiers": a.modifiers.iter().map(|m| json!({"id": m.id, "factor": m.factor})).collect::<Vec<_>>(),
        "discloses_minor": a.discloses_minor, "truncated": a.truncated,
    });
    if let Some(l) = a.forced_level {
        assessment["forced_level"] = json!(name(l));
    }
    let mut v = json!({
        "conversation_id": o.conversation_id, "message_id": o.message_id, "timestamp": ts(o.timestamp_ms),
        "sender": o.sender, "recipient": o.recipient, "assessment": assessment, "risk": o.risk,
        "level": o.level.map(name), "stages": o.stages, "out_of_order": o.out_of_order,
        "escalation": o.escalation.as_ref().map(escalation_value),
    });
    if let Some(c) = &o.capped_by {
        v["capped_by"] = json!(c);
    }
    if let Some(l) = &o.language {
        let mut lang = json!({"conversation": l.conversation.iter().map(share).collect::<Vec<_>>()});
        if let Some(m) = &l.message {
            lang["message"] = share(m);
        }
        if let Some(p) = &l.packs {
            lang["packs"] = json!(p);
        }
        if !l.out_of_scope.is_empty() {
            lang["out_of_scope"] = json!(l.out_of_scope);
        }
        v["language"] = lang;
    }
    v
}

fn share(s: &LanguageShare) -> Value {
    json!({"language": s.language, "share": s.share})
}

fn participant_ref(p: &ParticipantRef) -> Value {
    json!({"id": p.id, "age_band": name(p.age_band), "probable_minor": p.probable_minor})
}

fn escalation_value(e: &Escalation) -> Value {
    let mut v = json!({
        "schema": e.schema, "conversation_id": e.conversation_id, "sequence": e.sequence, "level": name(e.level),
        "previous_level": e.previous_level.map(name), "message_id": e.message_id, "raised_at": ts(e.raised_at_ms),
        "participants": {"sender": participant_ref(&e.participants.sender),
            "recipient": e.participants.recipient.as_ref().map(participant_ref)},
        "channel": name(e.channel), "relationship": name(e.relationship), "risk": e.risk,
        "categories": e.categories.iter().map(|c| json!({"id": c.id, "stage": c.stage, "score": c.score,
            "summary": c.summary})).collect::<Vec<_>>(),
        "reasons": e.reasons,
        "evidence": e.evidence.iter().map(|v| {
            let mut item = json!({"message_id": v.message_id, "timestamp": ts(v.timestamp_ms), "rule": v.rule,
                "category": v.category, "span": span(&v.span)});
            if let Some(x) = &v.excerpt {
                item["excerpt"] = json!(x);
            }
            item
        }).collect::<Vec<_>>(),
        "timeline": e.timeline.iter().map(|t| json!({"stage": t.stage, "first_message_id": t.first_message_id,
            "first_seen": ts(t.first_seen_ms), "last_seen": ts(t.last_seen_ms)})).collect::<Vec<_>>(),
        "modifiers": e.modifiers,
        "policy": {"id": e.policy.id, "version": e.policy.version, "hash": e.policy.hash},
        "recommended_action": e.recommended_action,
        "report_hints": {"incident_types": e.report_hints.incident_types, "annotations": e.report_hints.annotations},
    });
    if !e.language.is_empty() {
        v["language"] = json!(e.language.iter().map(share).collect::<Vec<_>>());
    }
    v
}

/// Equal as JSON, numbers within the core's 3-decimal rounding.
fn same(path: &str, got: &Value, want: &Value) -> Result<(), String> {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            if (g - w).abs() <= 5e-4 + 1e-9 {
                Ok(())
            } else {
                Err(format!("{path}: {g} != {w}"))
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            if g.len() != w.len() {
                return Err(format!("{path}: {} items != {}", g.len(), w.len()));
            }
            g.iter()
                .zip(w)
                .enumerate()
                .try_for_each(|(i, (g, w))| same(&format!("{path}[{i}]"), g, w))
        }
        (Value::Object(g), Value::Object(w)) => {
            let mut gk: Vec<_> = g.keys().collect();
            let mut wk: Vec<_> = w.keys().collect();
            gk.sort();
            wk.sort();
            if gk != wk {
                return Err(format!("{path}: keys {gk:?} != {wk:?}"));
            }
            w.iter()
                .try_for_each(|(k, w)| same(&format!("{path}.{k}"), &g[k], w))
        }
        _ if got == want => Ok(()),
        _ => Err(format!("{path}: {got} != {want}")),
    }
}

#[test]
fn golden_vectors_through_the_ffi_records() {
    let index: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(dir().join("index.json")).unwrap()).unwrap();
    assert!(!index.is_empty());
    let mut checked = 0;
    for v in index {
        let vname = v["name"].as_str().unwrap();
        let engine = engine(v["policy"].as_array().unwrap());
        let tracker = Tracker::new(engine.clone());
        let by_json = Tracker::new(engine);
        let input = fs::read_to_string(dir().join(format!("{vname}.input.jsonl"))).unwrap();
        let expected = fs::read_to_string(dir().join(format!("{vname}.expected.jsonl"))).unwrap();
        let inputs: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
        let expected: Vec<Value> = expected
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(inputs.len(), expected.len(), "{vname}: number of observations");
        for (i, (line, want)) in inputs.iter().zip(&expected).enumerate() {
            let obs = tracker
                .observe(message(&serde_json::from_str(line).unwrap()))
                .unwrap();
            let core: Value = serde_json::from_str(&obs.json).unwrap();
            assert_eq!(&core, want, "{vname}: observation {} (core JSON)", i + 1);
            if let Err(e) = same("observation", &observation_value(&obs), want) {
                panic!("{vname}: observation {} (records): {e}", i + 1);
            }
            if let Some(esc) = &obs.escalation {
                let doc: Value = serde_json::from_str(&esc.json).unwrap();
                assert_eq!(
                    &doc,
                    &want["escalation"],
                    "{vname}: observation {} (escalation JSON)",
                    i + 1
                );
            }
            let line_json: Value =
                serde_json::from_str(&by_json.observe_json(line.to_string()).unwrap()).unwrap();
            assert_eq!(&line_json, want, "{vname}: observation {} (observe_json)", i + 1);
            checked += 1;
        }
    }
    assert!(checked > 0);
}
