//! Policy parse and compile: arbitrary TOML/JSON layers (alone or over a small valid policy) and
//! structured rules with arbitrary terms, proximity groups, exceptions and regex patterns under
//! arbitrary normalization switches and regex size limits. Checks: loading and compiling never
//! panic (errors are typed); a compiled engine runs its examples and assesses a probe text with
//! spans on character boundaries.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};
use std::sync::OnceLock;
use vigil::{AgeBand, Engine, Message, Participant, Policy, PolicyBuilder, Timestamp, Tracker};
use vigil_fuzz::{check_observation, check_span, SMALL_POLICY};

#[derive(Arbitrary, Debug)]
struct FuzzRule {
    weight: u8,
    any: Vec<String>,
    unless: Vec<String>,
    near: Vec<(Vec<Vec<String>>, u8)>,
    patterns: Vec<String>,
}

#[derive(Arbitrary, Debug)]
struct Structured {
    rules: Vec<FuzzRule>,
    normalize: u8,
    regex_size_limit: Option<u32>,
    probe: String,
}

fn run(policy: Result<Policy, vigil::PolicyError>, probe: &str) {
    let policy = match policy {
        Ok(p) => p,
        Err(e) => {
            // Errors render with their location.
            let _ = e.to_string();
            return;
        }
    };
    let engine = match Engine::new(policy) {
        Ok(e) => std::sync::Arc::new(e),
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let _ = engine.check_examples();
    let msg = Message::new(
        "c",
        "m",
        Timestamp::from_millis(0),
        Participant::new("a", AgeBand::Adult),
        probe,
    )
    .with_recipient(Participant::new("b", AgeBand::Minor));
    let a = engine.assess(&msg);
    for h in &a.hits {
        check_span(probe, h.span, "hit");
    }
    let mut tracker = Tracker::new(engine.clone());
    let obs = tracker.observe(&msg);
    check_observation(&engine, &msg, &obs);
}

/// The small policy, parsed once (a builder is cheap to clone).
fn small_builder() -> Option<PolicyBuilder> {
    static B: OnceLock<Option<PolicyBuilder>> = OnceLock::new();
    B.get_or_init(|| Policy::builder().add_toml("fuzz.toml", SMALL_POLICY).ok())
        .clone()
}

// The first byte chooses: 0 a TOML layer alone, 1 a TOML layer over the small policy, 2 a JSON
// layer over it, 3 structured rules over it. In text modes the rest is the layer's text, then
// optionally a NUL byte and a probe text to assess (so policy files make good seeds).
// Compile the engines before the first input, so libFuzzer's per-input timeout measures
// inputs, not start-up (the shipped packs take seconds to compile under ASan).
fuzz_target!(init: {
        small_builder();
    }, |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 4 == 3 {
        let Ok(s) = Structured::arbitrary_take_rest(Unstructured::new(rest)) else {
            return;
        };
        structured(s);
        return;
    }
    let (text, probe) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b"hey don't tell your parents, add me on snap"[..]),
    };
    let (text, probe) = (String::from_utf8_lossy(text), String::from_utf8_lossy(probe));
    let b = if mode % 4 == 0 {
        Policy::builder()
    } else {
        match small_builder() {
            Some(b) => b,
            None => return,
        }
    };
    let b = if mode % 4 == 2 {
        b.add_json("layer.json", &text)
    } else {
        b.add_toml("layer.toml", &text)
    };
    run(b.and_then(|b| b.build()), &probe);
});

fn structured(s: Structured) {
    let Structured {
        rules,
        normalize,
        regex_size_limit,
        probe,
    } = s;
    let bit = |i: u8| normalize & (1 << i) == 0;
    let rules: Vec<Value> = rules
        .into_iter()
        .take(16)
        .enumerate()
        .map(|(i, r)| {
            let near: Vec<Value> = r
                .near
                .into_iter()
                .map(|(terms, within)| json!({ "terms": terms, "within": within }))
                .collect();
            json!({
                "id": format!("fuzz.r{i}"),
                "category": "secrecy",
                "weight": r.weight % 101,
                "any": r.any,
                "near": near,
                "patterns": r.patterns,
                "unless": r.unless,
                "examples": { "hit": [probe.clone()] },
            })
        })
        .collect();
    let mut scoring = serde_json::Map::new();
    if let Some(limit) = regex_size_limit {
        scoring.insert("regex_size_limit".into(), limit.into());
    }
    // The layer as JSON text: what the structured rules would be in a policy file.
    let layer = json!({
        "normalize": {
            "nfkc": bit(0),
            "case_fold": bit(1),
            "strip_diacritics": bit(2),
            "confusables": bit(3),
            "leetspeak": bit(4),
            "strip_invisible": bit(5),
            "join_spaced_letters": bit(6),
            "collapse_repeats": bit(7),
        },
        "scoring": scoring,
        "rule": rules,
    });
    let Some(b) = small_builder() else { return };
    run(
        b.add_json("rules.json", &layer.to_string())
            .and_then(|b| b.build()),
        &probe,
    );
}
