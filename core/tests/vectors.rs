//! Golden vectors: conversations in, the exact observations out. The bindings (Kotlin, Swift,
//! Python, WASM) replay the same files, so every binding is proven to behave like the core.
//!
//! `tests/vectors/index.json` lists the vectors: a name and the policy layers (`"shipped"` for
//! the shipped packs, or file names in `tests/vectors/`). Each vector has `NAME.input.jsonl`
//! (messages) and `NAME.expected.jsonl` (one observation per message, as JSON).
//! Regenerate the expected files with `VIGIL_BLESS=1 cargo test -p vigil --test vectors`.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use vigil::{Engine, Policy, Tracker};

#[derive(Deserialize)]
struct Vector {
    name: String,
    policy: Vec<String>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn policy(layers: &[String]) -> Policy {
    let mut b = Policy::builder();
    for l in layers {
        b = if l == "shipped" {
            b.add_shipped().unwrap()
        } else {
            let text = fs::read_to_string(dir().join(l)).unwrap();
            b.add_source(l, &text).unwrap()
        };
    }
    b.build().unwrap()
}

#[test]
fn golden_vectors() {
    let index: Vec<Vector> =
        serde_json::from_str(&fs::read_to_string(dir().join("index.json")).unwrap()).unwrap();
    assert!(!index.is_empty());
    let bless = std::env::var_os("VIGIL_BLESS").is_some();
    for v in index {
        let engine = Arc::new(Engine::new(policy(&v.policy)).unwrap());
        let mut tracker = Tracker::new(engine);
        let input = fs::read_to_string(dir().join(format!("{}.input.jsonl", v.name))).unwrap();
        let mut got = Vec::new();
        for (i, m) in vigil::jsonl::parse(&input).enumerate() {
            let m = m.unwrap_or_else(|e| panic!("{}: message {}: {e}", v.name, i + 1));
            got.push(serde_json::to_value(tracker.observe(&m)).unwrap());
        }
        let expected_path = dir().join(format!("{}.expected.jsonl", v.name));
        if bless {
            let text: String = got
                .iter()
                .map(|o| format!("{}\n", serde_json::to_string(o).unwrap()))
                .collect();
            fs::write(&expected_path, text).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} missing: run with VIGIL_BLESS=1", expected_path.display()));
        let expected: Vec<serde_json::Value> = expected
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(got.len(), expected.len(), "{}: number of observations", v.name);
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(g, e, "{}: observation {} differs", v.name, i + 1);
        }
    }
}
