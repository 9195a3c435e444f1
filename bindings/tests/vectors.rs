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

/// A participant record built by hand, when the JSON is in the canonical shape: a string id,
/// `age_band` a band's name, ages whole numbers. `None` otherwise.
fn participant(v: &Value) -> Option<Participant> {
    let whole = |k: &str| match &v[k] {
        Value::Null => Some(None),
        n => n.as_u64().and_then(|n| u32::try_from(n).ok()).map(Some),
    };
    Some(Participant {
        id: v["id"].as_str()?.to_string(),
        age_band: match &v["age_band"] {
            Value::Null => AgeBand::Unknown,
            Value::String(b) if b == "minor" => AgeBand::Minor,
            Value::String(b) if b == "adult" => AgeBand::Adult,
            Value::String(b) if b == "unknown" => AgeBand::Unknown,
            _ => return None,
        },
        age: whole("age")?,
        account_age_days: whole("account_age_days")?,
    })
}

/// Builds the record from an input line by hand (not through the core's JSON reader) when the
/// line is in the canonical shape: string ids, a text timestamp (read by `parse_timestamp`),
/// bands by name, whole ages. The channel and relationship words pass as written, whatever they
/// are. `None` for a line in a platform's own shape (integer ids, epoch numbers, ages as
/// digits, band words Vigil does not know): those lines are read by `parse_message`.
fn message(v: &Value) -> Option<Message> {
    let word = |k: &str| match &v[k] {
        Value::Null => Some(String::new()),
        w => w.as_str().map(str::to_string),
    };
    Some(Message {
        conversation_id: v["conversation_id"].as_str()?.to_string(),
        message_id: v["message_id"].as_str()?.to_string(),
        timestamp_ms: parse_timestamp(v["timestamp"].as_str()?.to_string()).unwrap(),
        sender: participant(&v["sender"])?,
        recipient: match v.get("recipient") {
            None | Some(Value::Null) => None,
            Some(r) => Some(participant(r)?),
        },
        channel: word("channel")?,
        relationship: word("relationship")?,
        text: v["text"].as_str()?.to_string(),
    })
}

fn name<T: std::fmt::Debug>(v: T) -> String {
    format!("{v:?}").to_lowercase()
}

/// An enum's name in snake_case, as the core's JSON writes it (`InviteLink` → `invite_link`).
fn snake<T: std::fmt::Debug>(v: T) -> String {
    let mut out = String::new();
    for (i, c) in format!("{v:?}").chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
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
    if let Some(i) = &o.intervention {
        v["intervention"] = intervention_value(i);
    }
    if let Some(e) = &o.recipient_escalation {
        v["recipient_escalation"] = escalation_value(e);
    }
    if let Some(e) = &o.sender_escalation {
        v["sender_escalation"] = escalation_value(e);
    }
    if let Some(c) = &o.case_contact {
        v["case_contact"] = serde_json::from_str(c).unwrap();
    }
    if let Some(c) = &o.capped_by {
        v["capped_by"] = json!(c);
    }
    if let Some(p) = &o.platform {
        v["platform"] = platform(p);
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

fn intervention_value(i: &Intervention) -> Value {
    let mut v = json!({"action": snake(i.action), "id": i.id, "categories": i.categories,
        "spans": i.spans.iter().map(span).collect::<Vec<_>>()});
    if let Some(r) = &i.reason {
        v["reason"] = json!(r);
    }
    if let Some(n) = &i.notice {
        v["notice"] = json!({"id": n.id, "language": n.language, "text": n.text});
    }
    if let Some(t) = &i.masked_text {
        v["masked_text"] = json!(t);
    }
    v
}

fn platform(p: &PlatformMetadata) -> Value {
    let word = |w: &PlatformWord| json!({"word": w.word, "kind": w.kind, "mapped": w.mapped});
    let mut v = json!({});
    if let Some(c) = &p.channel {
        v["channel"] = word(c);
    }
    if let Some(r) = &p.relationship {
        v["relationship"] = word(r);
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
            if let Some(s) = &v.sender {
                item["sender"] = json!(s);
            }
            if let Some(c) = &v.conversation_id {
                item["conversation_id"] = json!(c);
            }
            item
        }).collect::<Vec<_>>(),
        "timeline": e.timeline.iter().map(|t| {
            let mut entry = json!({"stage": t.stage, "first_message_id": t.first_message_id,
                "first_seen": ts(t.first_seen_ms), "last_seen": ts(t.last_seen_ms)});
            if let Some(c) = &t.conversation_id {
                entry["conversation_id"] = json!(c);
            }
            entry
        }).collect::<Vec<_>>(),
        "modifiers": e.modifiers,
        "policy": {"id": e.policy.id, "version": e.policy.version, "hash": e.policy.hash},
        "recommended_action": e.recommended_action,
        "report_hints": {"incident_types": e.report_hints.incident_types, "annotations": e.report_hints.annotations},
    });
    if !e.report_hints.indicators.is_empty() {
        v["report_hints"]["indicators"] = json!(e
            .report_hints
            .indicators
            .iter()
            .map(|h| json!({"field": h.field, "kind": snake(h.kind), "value": h.value}))
            .collect::<Vec<_>>());
    }
    if !e.language.is_empty() {
        v["language"] = json!(e.language.iter().map(share).collect::<Vec<_>>());
    }
    if let Some(p) = &e.platform {
        v["platform"] = platform(p);
    }
    if !e.indicators.is_empty() {
        v["indicators"] = json!(e.indicators.iter().map(indicator).collect::<Vec<_>>());
    }
    if e.scope != EscalationScope::Conversation {
        v["scope"] = json!(name(e.scope));
    }
    if let Some(c) = &e.case {
        v["case"] = json!(c);
    }
    if !e.conversations.is_empty() {
        v["conversations"] = json!(e.conversations.iter().map(case_conversation).collect::<Vec<_>>());
    }
    v
}

fn case_conversation(c: &CaseConversation) -> Value {
    let mut v = json!({"conversation_id": c.conversation_id, "minor": c.minor, "level": c.level.map(name),
        "points": c.points, "risk": c.risk, "categories": c.categories, "first_message_id": c.first_message_id,
        "first_seen": ts(c.first_seen_ms), "last_message_id": c.last_message_id, "last_seen": ts(c.last_seen_ms),
        "messages": c.messages});
    if let Some(r) = &c.recipient {
        v["recipient"] = json!(r);
    }
    v
}

fn indicator(i: &EscalatedIndicator) -> Value {
    let mut v = json!({"kind": snake(i.kind), "value": i.value, "message_id": i.message_id,
        "span": span(&i.span), "count": i.count});
    if let Some(d) = &i.detail {
        v["detail"] = json!(d);
    }
    if let Some(c) = i.checked {
        v["checked"] = json!(c);
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

/// How many lines went through each way of making records.
#[derive(Default)]
struct Paths {
    by_hand: usize,
    parsed: usize,
}

/// Replays one vector through the records (built by hand, or read by `parse_message` when the
/// line is in a platform's own shape) and through `observe_json`; checks every observation.
fn replay(vname: &str, layers: &[Value], paths: &mut Paths) {
    let engine = engine(layers);
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
        let n = i + 1;
        let parsed = parse_message(line.to_string()).unwrap();
        let record = match message(&serde_json::from_str(line).unwrap()) {
            Some(by_hand) => {
                // The core's reader and the hand-built record agree on canonical lines.
                assert_eq!(parsed, by_hand, "{vname}: message {n} (parse_message)");
                paths.by_hand += 1;
                by_hand
            }
            None => {
                paths.parsed += 1;
                parsed
            }
        };
        let obs = tracker.observe(record).unwrap();
        let core: Value = serde_json::from_str(&obs.json).unwrap();
        assert_eq!(&core, want, "{vname}: observation {n} (core JSON)");
        if let Err(e) = same("observation", &observation_value(&obs), want) {
            panic!("{vname}: observation {n} (records): {e}");
        }
        if let Some(esc) = &obs.escalation {
            let doc: Value = serde_json::from_str(&esc.json).unwrap();
            assert_eq!(
                &doc, &want["escalation"],
                "{vname}: observation {n} (escalation JSON)"
            );
            assert_eq!(
                esc.platform, obs.platform,
                "{vname}: observation {n} (escalation platform)"
            );
        }
        for (member, esc) in [
            ("recipient_escalation", &obs.recipient_escalation),
            ("sender_escalation", &obs.sender_escalation),
        ] {
            if let Some(esc) = esc {
                let doc: Value = serde_json::from_str(&esc.json).unwrap();
                assert_eq!(&doc, &want[member], "{vname}: observation {n} ({member} JSON)");
            }
        }
        let line_json: Value =
            serde_json::from_str(&by_json.observe_json(line.to_string()).unwrap()).unwrap();
        assert_eq!(&line_json, want, "{vname}: observation {n} (observe_json)");
    }
}

#[test]
fn golden_vectors_through_the_ffi_records() {
    let index: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(dir().join("index.json")).unwrap()).unwrap();
    assert!(!index.is_empty());
    let mut paths = Paths::default();
    for v in &index {
        replay(
            v["name"].as_str().unwrap(),
            v["policy"].as_array().unwrap(),
            &mut paths,
        );
    }
    assert!(paths.by_hand > 0, "no line built by hand");
    if index.iter().any(|v| v["name"] == "platform") {
        assert!(paths.parsed > 0, "no line in a platform's own shape");
    }
}

/// The platform vector's observations carry the platform's words: every word kept, mapped ones
/// with their kind, the unmapped `hologram` and `nemesis` as `unknown`, not mapped.
#[test]
fn the_platform_vector_keeps_every_word() {
    let input = fs::read_to_string(dir().join("platform.input.jsonl")).unwrap();
    let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
    let mut unmapped = 0;
    for line in input.lines().filter(|l| !l.trim().is_empty()) {
        let m = parse_message(line.to_string()).unwrap();
        let (channel, relationship) = (m.channel.clone(), m.relationship.clone());
        let obs = tracker.observe(m).unwrap();
        let p = obs.platform.expect("every platform line writes its own words");
        let (c, r) = (p.channel.unwrap(), p.relationship.unwrap());
        assert_eq!(
            (c.word.as_str(), r.word.as_str()),
            (channel.as_str(), relationship.as_str())
        );
        if channel == "hologram" {
            unmapped += 1;
            assert!(!c.mapped && !r.mapped, "{line}");
            assert_eq!((c.kind.as_str(), r.kind.as_str()), ("unknown", "unknown"));
        } else {
            assert!(c.mapped && r.mapped, "{line}");
        }
    }
    assert!(unmapped > 0, "the vector has unmapped words");
}

/// The senders vector in two stages, as a batch job runs it: a tracker made `with_case_contacts`
/// observes every message (through `observe_json_staged`, and through the records on a second
/// one: the same contacts), then a fresh tracker fed the contacts in order raises exactly the
/// sender escalations of the vector, where one tracker saw everything.
#[test]
fn the_senders_vector_in_two_stages() {
    let engine = engine(&[json!("shipped")]);
    let input = fs::read_to_string(dir().join("senders.input.jsonl")).unwrap();
    let expected = fs::read_to_string(dir().join("senders.expected.jsonl")).unwrap();
    let want: Vec<Value> = expected
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter_map(|o| match &o["sender_escalation"] {
            Value::Null => None,
            e => Some(e.clone()),
        })
        .collect();
    assert!(want.len() > 1, "the vector raises sender escalations");
    let staged = Tracker::with_case_contacts(engine.clone());
    let records = Tracker::with_case_contacts(engine.clone());
    let mut contacts = Vec::new();
    for (i, line) in input.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let s = staged.observe_json_staged(line.to_string()).unwrap();
        let o = records.observe(parse_message(line.to_string()).unwrap()).unwrap();
        let documents: Vec<Value> = o
            .escalation
            .iter()
            .chain(&o.recipient_escalation)
            .chain(&o.sender_escalation)
            .map(|e| serde_json::from_str(&e.json).unwrap())
            .collect();
        let staged_documents: Vec<Value> = s
            .escalations
            .iter()
            .map(|e| serde_json::from_str(e).unwrap())
            .collect();
        assert_eq!(staged_documents, documents, "message {}: escalations", i + 1);
        assert_eq!(s.case_contact, o.case_contact, "message {}: contact", i + 1);
        contacts.extend(s.case_contact);
    }
    assert!(!contacts.is_empty());
    let second = Tracker::new(engine);
    let got: Vec<Value> = contacts
        .into_iter()
        .filter_map(|c| second.observe_contact_json(c).unwrap())
        .map(|e| serde_json::from_str(&e).unwrap())
        .collect();
    assert_eq!(got, want);
    assert!(matches!(
        second.observe_contact_json("{}".to_string()),
        Err(VigilError::Contact { .. })
    ));
}

/// The message path, as an app uses the interventions vector before delivering a message: line 8
/// is delivered masked (`masked_text` instead of the text), line 9 is held for review, and the
/// nudges show their notice in the child's language (English, then German).
#[test]
fn the_interventions_vector_in_the_message_path() {
    let engine = engine(&[json!("shipped"), json!("interventions.toml")]);
    let tracker = Tracker::new(engine);
    let input = fs::read_to_string(dir().join("interventions.input.jsonl")).unwrap();
    let observations: Vec<Observation> = input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| tracker.observe(parse_message(l.to_string()).unwrap()).unwrap())
        .collect();
    // What the app delivers: the text, the masked text, or nothing yet (held).
    let deliver = |o: &Observation, text: &str| match &o.intervention {
        None => Some(text.to_string()),
        Some(i) => match i.action {
            InterventionAction::Mask => i.masked_text.clone(),
            InterventionAction::Hold => None,
            InterventionAction::NudgeRecipient | InterventionAction::NudgeSender => Some(text.to_string()),
        },
    };
    let masked = observations[7].intervention.as_ref().expect("line 8 is masked");
    assert_eq!(masked.action, InterventionAction::Mask);
    assert_eq!(masked.masked_text.as_deref(), Some("my snap is ••• or text •••"));
    assert_eq!(masked.spans.len(), 2);
    assert_eq!(
        deliver(&observations[7], "unused").as_deref(),
        Some("my snap is ••• or text •••")
    );
    let held = observations[8].intervention.as_ref().expect("line 9 is held");
    assert_eq!(held.action, InterventionAction::Hold);
    assert_eq!(held.id, "hold-coercion");
    assert!(held.masked_text.is_none() && held.notice.is_none());
    assert_eq!(deliver(&observations[8], "unused"), None);
    let nudge_languages: Vec<&str> = observations
        .iter()
        .filter_map(|o| o.intervention.as_ref())
        .filter(|i| i.action == InterventionAction::NudgeRecipient)
        .map(|i| {
            i.notice
                .as_ref()
                .expect("a nudge shows a notice")
                .language
                .as_str()
        })
        .collect();
    assert!(
        nudge_languages.contains(&"en") && nudge_languages.contains(&"de"),
        "{nudge_languages:?}"
    );
    let last = observations.last().unwrap();
    assert!(last.intervention.is_none(), "adults: delivered as they are");
}

/// Arrow-layout buffers of a utf8 column of these values (no nulls).
fn utf8_column(name: &str, values: &[&str]) -> Utf8ColumnBuffers {
    let mut offsets = 0i32.to_le_bytes().to_vec();
    let mut data = Vec::new();
    for v in values {
        data.extend_from_slice(v.as_bytes());
        offsets.extend_from_slice(&i32::try_from(data.len()).unwrap().to_le_bytes());
    }
    Utf8ColumnBuffers {
        name: name.into(),
        offsets,
        data,
        validity: None,
        offset: 0,
        len: values.len() as u64,
    }
}

/// Every vector replayed both ways: message by message (`observe`, `observeJson`) and in one
/// call (`observeBatch`, `observeBatchEscalations`, `observeJsonBatch`, `observeColumns` with a
/// `json` column); the same observations, escalations and per-row columns.
#[test]
fn golden_vectors_in_one_batch_call() {
    let index: Vec<Value> =
        serde_json::from_str(&fs::read_to_string(dir().join("index.json")).unwrap()).unwrap();
    let mut rows = 0;
    for v in &index {
        let vname = v["name"].as_str().unwrap();
        let engine = engine(v["policy"].as_array().unwrap());
        let input = fs::read_to_string(dir().join(format!("{vname}.input.jsonl"))).unwrap();
        let lines: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
        let records: Vec<Message> = lines
            .iter()
            .map(|l| parse_message(l.to_string()).unwrap())
            .collect();
        let one = Tracker::new(engine.clone());
        let single: Vec<Observation> = records.iter().map(|m| one.observe(m.clone()).unwrap()).collect();
        let by_json = Tracker::new(engine.clone());
        let single_json: Vec<String> = lines
            .iter()
            .map(|l| by_json.observe_json(l.to_string()).unwrap())
            .collect();

        let batch = Tracker::new(engine.clone())
            .observe_batch(records.clone())
            .unwrap();
        assert_eq!(batch, single, "{vname}: observeBatch");
        let raised: Vec<(u64, String)> = single
            .iter()
            .enumerate()
            .flat_map(|(i, o)| {
                [&o.escalation, &o.recipient_escalation, &o.sender_escalation]
                    .into_iter()
                    .flatten()
                    .map(move |e| (i as u64, e.json.clone()))
            })
            .collect();
        let escalations: Vec<(u64, String)> = Tracker::new(engine.clone())
            .observe_batch_escalations(records.clone())
            .unwrap()
            .into_iter()
            .map(|e| (e.row, e.json))
            .collect();
        assert_eq!(escalations, raised, "{vname}: observeBatchEscalations");

        let options = BatchOptions {
            observation_json: true,
            ..BatchOptions::default()
        };
        let owned: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        let from_lines = Tracker::new(engine.clone()).observe_json_batch(owned, options);
        let from_columns = Tracker::new(engine.clone())
            .observe_columns(
                lines.len() as u64,
                vec![utf8_column("json", &lines)],
                vec![],
                options,
            )
            .unwrap();
        for (how, out) in [
            ("observeJsonBatch", &from_lines),
            ("observeColumns", &from_columns),
        ] {
            assert_eq!(out.observations, single_json, "{vname}: {how} observations");
            assert_eq!(out.messages as usize, lines.len(), "{vname}: {how}");
            assert!(out.errors.is_empty(), "{vname}: {how}: {:?}", out.errors);
            let got: Vec<(u64, String)> = out.escalations.iter().map(|e| (e.row, e.json.clone())).collect();
            assert_eq!(got, raised, "{vname}: {how} escalations");
            for (i, o) in single.iter().enumerate() {
                let risk = f64::from_le_bytes(out.risks[i * 8..i * 8 + 8].try_into().unwrap());
                assert_eq!(risk.to_bits(), o.risk.to_bits(), "{vname}: {how} risk {i}");
                let level = o.level.map_or(0, |l| l as u8 + 1);
                assert_eq!(out.levels[i], level, "{vname}: {how} level {i}");
                let count = [&o.escalation, &o.recipient_escalation, &o.sender_escalation]
                    .into_iter()
                    .flatten()
                    .count();
                assert_eq!(
                    out.escalation_counts[i] as usize, count,
                    "{vname}: {how} escalations {i}"
                );
                let action = o.intervention.as_ref().map_or(0, |i| i.action as u8 + 1);
                assert_eq!(out.actions[i], action, "{vname}: {how} action {i}");
            }
        }
        rows += lines.len();
    }
    assert!(rows > 50);
}

/// Bad buffers and records raise `Batch` naming the column and row (or the record's index).
#[test]
fn bad_batches_raise_batch_errors() {
    let tracker = Tracker::new(Arc::new(Engine::shipped().unwrap()));
    let mut col = utf8_column("json", &["{}", "{}"]);
    col.offsets[8..12].copy_from_slice(&99i32.to_le_bytes());
    let e = tracker
        .observe_columns(2, vec![col], vec![], BatchOptions::default())
        .unwrap_err();
    assert!(matches!(e, VigilError::Batch { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "column `json`, row 1: offsets 2..99 past the data (4 bytes)"
    );
    let e = tracker
        .observe_columns(
            1,
            vec![utf8_column("body", &["x"])],
            vec![],
            BatchOptions::default(),
        )
        .unwrap_err();
    assert_eq!(e.to_string(), "column `body`: not a message column");
    let m = parse_message(
        r#"{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{"id":"a"},"text":"hi"}"#.into(),
    )
    .unwrap();
    let mut bad = m.clone();
    bad.message_id.clear();
    let e = tracker.observe_batch(vec![m, bad]).unwrap_err();
    assert_eq!(e.to_string(), "message 1: field `message_id`: must not be empty");
    assert_eq!(tracker.stats().observed, 0, "nothing observed");
    let out = tracker.observe_json_batch(vec!["{".into()], BatchOptions::default());
    assert_eq!((out.malformed, out.errors[0].row), (1, 0));
}
