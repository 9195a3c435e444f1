//! Batch observation (`Tracker::observe_batch`, `observe_columns`, `observe_json_lines`) gives
//! exactly what observing the messages one by one gives: on the golden vectors (against the
//! expected files), on the labelled corpus and on the sender corpus (with case contacts), from
//! records, JSON lines, a `json` column and one column per field; bad buffers are typed errors
//! naming the column and the row; malformed rows are reported and skipped.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use vigil::{
    batch_action_code, batch_level_code, BatchError, BatchOptions, BatchOutput, Engine, Int64Column, Message,
    MessageColumns, MessageField, Policy, Tracker, Utf8Buffers, Utf8Column,
};

#[derive(Deserialize)]
struct Vector {
    name: String,
    policy: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn vectors_dir() -> PathBuf {
    root().join("tests/vectors")
}

fn policy(layers: &[String]) -> Policy {
    let mut b = Policy::builder();
    for l in layers {
        b = if l == "shipped" {
            b.add_shipped().unwrap()
        } else {
            let text = fs::read_to_string(vectors_dir().join(l)).unwrap();
            b.add_source(l, &text).unwrap()
        };
    }
    b.build().unwrap()
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Owned Arrow-layout buffers of one column per message field, built from messages.
struct FieldBuffers {
    utf8: Vec<(MessageField, Utf8Buffers)>,
    int64: Vec<(MessageField, Vec<u8>, Option<Vec<u8>>)>,
    rows: usize,
}

fn int64_buffers(values: &[Option<i64>]) -> (Vec<u8>, Option<Vec<u8>>) {
    let mut data = Vec::new();
    let mut bits = vec![0u8; values.len().div_ceil(8)];
    for (i, v) in values.iter().enumerate() {
        data.extend_from_slice(&v.unwrap_or(0).to_le_bytes());
        if v.is_some() {
            bits[i / 8] |= 1 << (i % 8);
        }
    }
    let validity = values.iter().any(Option::is_none).then_some(bits);
    (data, validity)
}

impl FieldBuffers {
    fn of(messages: &[Message]) -> FieldBuffers {
        use MessageField as F;
        let text = |f: &dyn Fn(&Message) -> Option<String>| -> Utf8Buffers {
            let values: Vec<Option<String>> = messages.iter().map(f).collect();
            Utf8Buffers::from_values(values.iter().map(|v| v.as_deref()))
        };
        let word = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let utf8 = vec![
            (F::ConversationId, text(&|m| Some(m.conversation_id.clone()))),
            (F::MessageId, text(&|m| Some(m.message_id.clone()))),
            (F::SenderId, text(&|m| Some(m.sender.id.clone()))),
            (
                F::SenderAgeBand,
                text(&|m| Some(m.sender.age_band.as_str().to_string())),
            ),
            (F::SenderLanguage, text(&|m| m.sender.language.clone())),
            (
                F::RecipientId,
                text(&|m| m.recipient.as_ref().map(|r| r.id.clone())),
            ),
            (
                F::RecipientAgeBand,
                text(&|m| m.recipient.as_ref().map(|r| r.age_band.as_str().to_string())),
            ),
            (
                F::RecipientLanguage,
                text(&|m| m.recipient.as_ref().and_then(|r| r.language.clone())),
            ),
            (F::Channel, text(&|m| word(&m.channel))),
            (F::Relationship, text(&|m| word(&m.relationship))),
            (F::Text, text(&|m| Some(m.text.clone()))),
        ];
        let int = |f: &dyn Fn(&Message) -> Option<i64>| {
            let values: Vec<Option<i64>> = messages.iter().map(f).collect();
            int64_buffers(&values)
        };
        let mut int64 = Vec::new();
        for (field, (data, validity)) in [
            (F::TimestampMs, int(&|m| Some(m.timestamp.as_millis()))),
            (F::SenderAge, int(&|m| m.sender.age.map(i64::from))),
            (
                F::SenderAccountAgeDays,
                int(&|m| m.sender.account_age_days.map(i64::from)),
            ),
            (
                F::RecipientAge,
                int(&|m| m.recipient.as_ref().and_then(|r| r.age).map(i64::from)),
            ),
            (
                F::RecipientAccountAgeDays,
                int(&|m| {
                    m.recipient
                        .as_ref()
                        .and_then(|r| r.account_age_days)
                        .map(i64::from)
                }),
            ),
        ] {
            int64.push((field, data, validity));
        }
        FieldBuffers {
            utf8,
            int64,
            rows: messages.len(),
        }
    }

    fn columns(&self) -> MessageColumns<'_> {
        let mut c = MessageColumns::new(self.rows);
        for (f, b) in &self.utf8 {
            c = c.with_utf8(*f, b.column()).unwrap();
        }
        for (f, data, validity) in &self.int64 {
            c = c
                .with_int64(*f, Int64Column::new(data, validity.as_deref(), 0, self.rows))
                .unwrap();
        }
        c
    }
}

/// The batch output one-by-one observation gives, built by hand.
fn expected_output(tracker: &mut Tracker, messages: &[Message], options: &BatchOptions) -> BatchOutput {
    let mut levels = Vec::new();
    let mut risks = Vec::new();
    let mut counts = Vec::new();
    let mut actions = Vec::new();
    let mut observations = Vec::new();
    let mut interventions = Vec::new();
    let mut contacts = Vec::new();
    let mut conversations = 0u64;
    let mut current: Option<String> = None;
    for (row, m) in messages.iter().enumerate() {
        if current.as_deref() != Some(m.conversation_id.as_str()) {
            if options.forget_between_conversations {
                tracker.clear();
            }
            conversations += 1;
            current = Some(m.conversation_id.clone());
        }
        let o = tracker.observe(m);
        levels.push(batch_level_code(o.level));
        risks.push(o.risk);
        counts.push(o.escalations().count() as u8);
        actions.push(batch_action_code(o.intervention.as_ref().map(|i| i.action)));
        observations.push(o.to_json());
        if let Some(i) = &o.intervention {
            // The observation's `intervention` member, as the core wrote it.
            let v: serde_json::Value = serde_json::from_str(&o.to_json()).unwrap();
            interventions.push((row, v["intervention"].to_string()));
            assert!(!i.id.is_empty());
        }
        if let Some(c) = &o.case_contact {
            contacts.push((row, c.to_json()));
        }
    }
    let mut out = BatchOutput::default();
    out.messages = messages.len() as u64;
    out.conversations = conversations;
    out.case_contacts = contacts;
    if !options.escalations_only {
        out.levels = levels;
        out.risks = risks;
        out.escalation_counts = counts;
        out.actions = actions;
        out.interventions = interventions;
        if options.observation_json {
            out.observations = observations;
        }
    }
    // Escalations are compared apart (`escalations_of`).
    out
}

fn escalations_of(tracker: &mut Tracker, messages: &[Message], forget: bool) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for (row, m) in messages.iter().enumerate() {
        if forget && current.as_deref() != Some(m.conversation_id.as_str()) {
            tracker.clear();
            current = Some(m.conversation_id.clone());
        }
        out.extend(tracker.observe(m).escalations().map(|e| (row, e.to_json())));
    }
    out
}

/// Checks a batch output against one-by-one observation on a fresh tracker.
fn assert_same(
    name: &str,
    got: &BatchOutput,
    fresh: impl Fn() -> Tracker,
    messages: &[Message],
    options: &BatchOptions,
) {
    let want = expected_output(&mut fresh(), messages, options);
    assert_eq!(got.messages, want.messages, "{name}: messages");
    assert_eq!(got.malformed, 0, "{name}: malformed {:?}", got.errors.first());
    assert_eq!(got.conversations, want.conversations, "{name}: conversations");
    assert_eq!(got.levels, want.levels, "{name}: levels");
    assert_eq!(
        got.escalation_counts, want.escalation_counts,
        "{name}: escalation counts"
    );
    assert_eq!(got.actions, want.actions, "{name}: actions");
    assert_eq!(got.risks.len(), want.risks.len(), "{name}: risks");
    for (row, (g, w)) in got.risks.iter().zip(&want.risks).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{name}: risk of row {row}");
    }
    assert_eq!(got.observations, want.observations, "{name}: observations");
    // As JSON values (the expected side went through `serde_json::Value`).
    let interventions: Vec<(usize, String)> = got
        .interventions
        .iter()
        .map(|(r, j)| {
            (
                *r,
                serde_json::from_str::<serde_json::Value>(j).unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(interventions, want.interventions, "{name}: interventions");
    assert_eq!(got.case_contacts, want.case_contacts, "{name}: case contacts");
    let escalations: Vec<(usize, String)> = got.escalations.iter().map(|e| (e.row, e.json.clone())).collect();
    assert_eq!(
        escalations,
        escalations_of(&mut fresh(), messages, options.forget_between_conversations),
        "{name}: escalations"
    );
    for e in &got.escalations {
        let doc: serde_json::Value = serde_json::from_str(&e.json).unwrap();
        assert_eq!(doc["level"], e.level.as_str(), "{name}: level of row {}", e.row);
    }
}

/// Every way of batching `lines`, each against one-by-one observation.
fn check_all_ways(name: &str, fresh: &dyn Fn() -> Tracker, lines: &[String], forget: bool) -> usize {
    let messages: Vec<Message> = lines.iter().map(|l| Message::from_json(l).unwrap()).collect();
    // Records.
    let single: Vec<String> = {
        let mut t = fresh();
        messages.iter().map(|m| t.observe(m).to_json()).collect()
    };
    let batch: Vec<String> = fresh()
        .observe_batch(&messages)
        .iter()
        .map(|o| o.to_json())
        .collect();
    assert_eq!(batch, single, "{name}: observe_batch");
    let esc: Vec<(usize, String)> = fresh()
        .observe_batch_escalations(&messages)
        .into_iter()
        .map(|(i, e)| (i, e.to_json()))
        .collect();
    assert_eq!(
        esc,
        escalations_of(&mut fresh(), &messages, false),
        "{name}: observe_batch_escalations"
    );

    let json_buffers = Utf8Buffers::from_values(lines.iter().map(|l| Some(l.as_str())));
    let fields = FieldBuffers::of(&messages);
    for options in [
        BatchOptions::default().observation_json(true),
        BatchOptions::default(),
        BatchOptions::default().escalations_only(true),
    ] {
        let options = options.forget_between_conversations(forget);
        let out = fresh().observe_json_lines(lines, &options);
        assert_same(
            &format!("{name} (lines, {options:?})"),
            &out,
            fresh,
            &messages,
            &options,
        );
        let columns = MessageColumns::new(lines.len())
            .with_utf8(MessageField::Json, json_buffers.column())
            .unwrap();
        let out = fresh().observe_columns(&columns, &options);
        assert_same(
            &format!("{name} (json column, {options:?})"),
            &out,
            fresh,
            &messages,
            &options,
        );
        let out = fresh().observe_columns(&fields.columns(), &options);
        assert_same(
            &format!("{name} (field columns, {options:?})"),
            &out,
            fresh,
            &messages,
            &options,
        );
    }
    messages.len()
}

#[test]
fn batches_equal_one_by_one_on_the_golden_vectors() {
    let index: Vec<Vector> =
        serde_json::from_str(&fs::read_to_string(vectors_dir().join("index.json")).unwrap()).unwrap();
    let mut total = 0;
    for v in &index {
        let engine = Arc::new(Engine::new(policy(&v.policy)).unwrap());
        let input =
            lines(&fs::read_to_string(vectors_dir().join(format!("{}.input.jsonl", v.name))).unwrap());
        let expected =
            lines(&fs::read_to_string(vectors_dir().join(format!("{}.expected.jsonl", v.name))).unwrap());
        let fresh = || Tracker::new(engine.clone());
        total += check_all_ways(&v.name, &fresh, &input, false);
        // And against the expected file itself (as JSON values: the file's own formatting).
        let out = fresh().observe_json_lines(&input, &BatchOptions::default().observation_json(true));
        assert_eq!(out.observations.len(), expected.len(), "{}", v.name);
        for (row, (g, e)) in out.observations.iter().zip(&expected).enumerate() {
            let g: serde_json::Value = serde_json::from_str(g).unwrap();
            let e: serde_json::Value = serde_json::from_str(e).unwrap();
            assert_eq!(g, e, "{}: row {row}", v.name);
        }
    }
    assert!(total > 50, "{total} vector messages");
}

fn corpus_lines(dir: &str) -> Vec<(String, Vec<String>)> {
    let mut files: Vec<PathBuf> = fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().to_string();
            n.ends_with(".jsonl") && !n.ends_with(".labels.jsonl")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{dir}");
    files
        .into_iter()
        .map(|p| (p.display().to_string(), lines(&fs::read_to_string(&p).unwrap())))
        .collect()
}

#[test]
fn batches_equal_one_by_one_on_the_corpus() {
    let engine = Arc::new(Engine::default());
    let fresh = || Tracker::new(engine.clone());
    let mut total = 0;
    // Each file once, half of them forgetting between conversations (as a backtest does).
    for (i, (name, lines)) in corpus_lines("tests/corpus").into_iter().enumerate() {
        total += check_all_ways(&name, &fresh, &lines, i % 2 == 1);
    }
    assert!(total > 1500, "{total} corpus messages");
}

#[test]
fn batches_carry_case_contacts_on_the_sender_corpus() {
    let engine = Arc::new(Engine::default());
    let fresh = || Tracker::new(engine.clone()).with_case_contacts();
    let mut contacts = 0;
    for (name, lines) in corpus_lines("tests/corpus/senders") {
        check_all_ways(&name, &fresh, &lines, true);
        let out = fresh().observe_json_lines(
            &lines,
            &BatchOptions::default().forget_between_conversations(true),
        );
        contacts += out.case_contacts.len();
    }
    assert!(contacts > 0, "the sender corpus records case contacts");
}

#[test]
fn the_state_carries_over_between_batches_without_forgetting() {
    let engine = Arc::new(Engine::default());
    let (_, lines) = corpus_lines("tests/corpus").remove(0);
    let messages: Vec<Message> = lines.iter().map(|l| Message::from_json(l).unwrap()).collect();
    let mut one = Tracker::new(engine.clone());
    let single: Vec<f64> = messages.iter().map(|m| one.observe(m).risk).collect();
    let mut batched = Tracker::new(engine);
    let mut risks = Vec::new();
    for chunk in lines.chunks(7) {
        risks.extend(batched.observe_json_lines(chunk, &BatchOptions::default()).risks);
    }
    assert_eq!(risks, single);
    assert_eq!(batched.stats(), one.stats());
}

#[test]
fn malformed_rows_are_reported_and_skipped() {
    let engine = Arc::new(Engine::default());
    let doc = fs::read_to_string(root().join("examples/sample-conversation.jsonl")).unwrap();
    let good = lines(&doc);
    let mut mixed: Vec<String> = Vec::new();
    let mut bad_rows = Vec::new();
    for (i, l) in good.iter().enumerate() {
        mixed.push(l.clone());
        if i == 1 {
            bad_rows.push(mixed.len());
            mixed.push("{not json".into());
            bad_rows.push(mixed.len());
            mixed.push(l.replace("\"message_id\"", "\"message_idx\""));
            bad_rows.push(mixed.len());
            mixed.push(
                r#"{"conversation_id":"","message_id":"m","timestamp":0,"sender":{"id":"a"},"text":"x"}"#
                    .into(),
            );
        }
    }
    let out = Tracker::new(engine.clone()).observe_json_lines(&mixed, &BatchOptions::default());
    let rows: Vec<usize> = out.errors.iter().map(|(r, _)| *r).collect();
    assert_eq!(rows, bad_rows);
    assert!(
        out.errors[0].1.to_string().contains("invalid JSON"),
        "{}",
        out.errors[0].1
    );
    assert!(
        out.errors[1].1.to_string().contains("message_id"),
        "{}",
        out.errors[1].1
    );
    assert!(
        out.errors[2].1.to_string().contains("conversation_id"),
        "{}",
        out.errors[2].1
    );
    assert_eq!(out.malformed, 3);
    assert_eq!(out.messages as usize, good.len());
    assert_eq!(out.levels.len(), mixed.len());
    for &r in &bad_rows {
        assert!(out.risks[r].is_nan());
        assert_eq!(
            (out.levels[r], out.escalation_counts[r], out.actions[r]),
            (0, 0, 0)
        );
    }
    // The valid rows: exactly the good lines observed alone.
    let alone = Tracker::new(engine.clone()).observe_json_lines(&good, &BatchOptions::default());
    let kept: Vec<f64> = (0..mixed.len())
        .filter(|r| !bad_rows.contains(r))
        .map(|r| out.risks[r])
        .collect();
    assert_eq!(kept, alone.risks);
    assert_eq!(out.escalations.len(), alone.escalations.len());

    // Field columns: a null required value and an empty id are row errors.
    let messages: Vec<Message> = good.iter().map(|l| Message::from_json(l).unwrap()).collect();
    let mut fields = FieldBuffers::of(&messages);
    for (f, b) in &mut fields.utf8 {
        if *f == MessageField::Text {
            let mut values: Vec<Option<String>> = messages.iter().map(|m| Some(m.text.clone())).collect();
            values[0] = None;
            *b = Utf8Buffers::from_values(values.iter().map(|v| v.as_deref()));
        }
        if *f == MessageField::SenderId {
            let mut values: Vec<Option<String>> =
                messages.iter().map(|m| Some(m.sender.id.clone())).collect();
            values[2] = Some(String::new());
            *b = Utf8Buffers::from_values(values.iter().map(|v| v.as_deref()));
        }
    }
    let out = Tracker::new(engine).observe_columns(&fields.columns(), &BatchOptions::default());
    let errors: Vec<(usize, String)> = out.errors.iter().map(|(r, e)| (*r, e.to_string())).collect();
    assert_eq!(
        errors,
        vec![
            (0, "field `text`: null".to_string()),
            (2, "field `sender.id`: must not be empty".to_string())
        ]
    );
    assert_eq!(out.messages as usize, messages.len() - 2);
}

#[test]
fn bad_buffers_are_typed_errors_naming_column_and_row() {
    let values = ["a", "bc", "déf"];
    let good = Utf8Buffers::from_values(values.iter().map(|v| Some(*v)));
    let cols = || MessageColumns::new(3);
    let err = |r: Result<MessageColumns<'_>, BatchError>| r.map(|_| ()).unwrap_err();

    // Offsets past the data, in row 2.
    let mut offsets = good.offsets.clone();
    offsets[12..16].copy_from_slice(&100i32.to_le_bytes());
    let e = err(cols().with_utf8(
        MessageField::Text,
        Utf8Column::new(&offsets, &good.data, None, 0, 3),
    ));
    assert!(
        matches!(&e, BatchError::Buffer { column, row: Some(2), .. } if column == "text"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "column `text`, row 2: offsets 3..100 past the data (7 bytes)"
    );

    // Decreasing offsets, in row 1.
    let mut offsets = good.offsets.clone();
    offsets[8..12].copy_from_slice(&0i32.to_le_bytes());
    let e = err(cols().with_utf8(
        MessageField::MessageId,
        Utf8Column::new(&offsets, &good.data, None, 0, 3),
    ));
    assert!(e.to_string().starts_with("column `message_id`, row 1: "), "{e}");

    // Not UTF-8: a value cut inside `é` (row 2 is bytes 3..4 of "déf").
    let mut offsets = good.offsets.clone();
    offsets[12..16].copy_from_slice(&5i32.to_le_bytes());
    let e = err(cols().with_utf8(
        MessageField::Text,
        Utf8Column::new(&offsets, &good.data[..5], None, 0, 3),
    ));
    assert!(
        e.to_string().starts_with("column `text`, row 2: not UTF-8"),
        "{e}"
    );

    // Offsets buffer too short, a slice past its end, a short bitmap.
    let e = err(cols().with_utf8(
        MessageField::Text,
        Utf8Column::new(&good.offsets[..8], &good.data, None, 0, 3),
    ));
    assert!(
        e.to_string()
            .starts_with("column `text`: the offsets buffer has 8 bytes"),
        "{e}"
    );
    let e = err(cols().with_utf8(
        MessageField::Text,
        Utf8Column::new(&good.offsets, &good.data, None, 1, 3),
    ));
    assert!(
        e.to_string().starts_with("column `text`: the offsets buffer"),
        "{e}"
    );
    let e = err(MessageColumns::new(9).with_utf8(
        MessageField::Text,
        Utf8Column::new(&[0; 40], &[], Some(&[0xff]), 0, 9),
    ));
    assert!(
        e.to_string()
            .starts_with("column `text`: the validity bitmap has 1 bytes"),
        "{e}"
    );

    // Another length than the batch; the wrong type.
    let e = err(MessageColumns::new(4).with_utf8(MessageField::Text, good.column()));
    assert_eq!(e.to_string(), "column `text`: 3 values, the batch has 4 rows");
    let e = err(cols().with_utf8(MessageField::TimestampMs, good.column()));
    assert!(e.to_string().contains("int64"), "{e}");
    let e = err(cols().with_int64(MessageField::Text, Int64Column::new(&[0; 24], None, 0, 3)));
    assert!(e.to_string().contains("utf8"), "{e}");
    let e = err(cols().with_int64(MessageField::TimestampMs, Int64Column::new(&[0; 23], None, 0, 3)));
    assert_eq!(
        e.to_string(),
        "column `timestamp_ms`: the values buffer has 23 bytes, 24 are needed for 3 values at offset 0"
    );

    // A sliced array reads from its offset; nulls by the bitmap.
    let sliced = Utf8Column::new(&good.offsets, &good.data, Some(&[0b101]), 1, 2);
    assert!(cols().with_utf8(MessageField::Text, sliced).is_err()); // 2 values, 3 rows
    assert!(MessageColumns::new(2)
        .with_utf8(MessageField::Text, sliced)
        .is_ok());

    // A missing required column, or `json` with a field column: every row is an error.
    let engine = Arc::new(Engine::default());
    let only_text = cols().with_utf8(MessageField::Text, good.column()).unwrap();
    let out = Tracker::new(engine.clone()).observe_columns(&only_text, &BatchOptions::default());
    assert_eq!(out.malformed, 3);
    assert!(
        out.errors[0]
            .1
            .to_string()
            .contains("`conversation_id` is required"),
        "{}",
        out.errors[0].1
    );
    let mixed = only_text.with_utf8(MessageField::Json, good.column()).unwrap();
    let out = Tracker::new(engine).observe_columns(&mixed, &BatchOptions::default());
    assert!(
        out.errors[0]
            .1
            .to_string()
            .contains("`text` cannot be given with `json`"),
        "{}",
        out.errors[0].1
    );
}

#[test]
fn a_conversation_column_next_to_json_groups_rows() {
    let engine = Arc::new(Engine::default());
    let (_, lines) = corpus_lines("tests/corpus").remove(0);
    let messages: Vec<Message> = lines.iter().map(|l| Message::from_json(l).unwrap()).collect();
    let json = Utf8Buffers::from_values(lines.iter().map(|l| Some(l.as_str())));
    // Group by a key of our own: every row its own group (forgets before each message).
    let keys: Vec<String> = (0..lines.len()).map(|i| format!("k{i}")).collect();
    let keys = Utf8Buffers::from_values(keys.iter().map(|k| Some(k.as_str())));
    let columns = MessageColumns::new(lines.len())
        .with_utf8(MessageField::Json, json.column())
        .unwrap()
        .with_utf8(MessageField::ConversationId, keys.column())
        .unwrap();
    let out = Tracker::new(engine.clone()).observe_columns(
        &columns,
        &BatchOptions::default().forget_between_conversations(true),
    );
    assert_eq!(out.conversations as usize, lines.len());
    let alone: Vec<f64> = messages
        .iter()
        .map(|m| Tracker::new(engine.clone()).observe(m).risk)
        .collect();
    assert_eq!(out.risks, alone);
}
