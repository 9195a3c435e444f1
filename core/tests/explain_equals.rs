//! Issue 16: explanations are rendered from what the engine and tracker recorded, so an
//! explanation tells exactly the story that produced the observation. Over the labelled corpus and
//! the golden vectors, message by message, the explained score, risk and level equal the observed
//! ones, and the message's own arithmetic adds up to its score.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use vigil::explain::explain_conversation;
use vigil::{Engine, Message, Tracker};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check(engine: &Arc<Engine>, messages: &[Message], what: &str) -> usize {
    // The observations of a plain replay.
    let mut tracker = Tracker::new(Arc::clone(engine));
    let mut observed = HashMap::new();
    for m in messages {
        let o = tracker.observe(m);
        observed.insert((m.conversation_id.clone(), m.message_id.clone()), o);
    }
    let mut ids: Vec<&str> = messages.iter().map(|m| m.conversation_id.as_str()).collect();
    ids.dedup();
    let mut seen = std::collections::HashSet::new();
    let mut steps = 0;
    for id in ids.into_iter().filter(|id| seen.insert(*id)) {
        let x = explain_conversation(engine, messages, id);
        for s in &x.steps {
            let o = &observed[&(id.to_string(), s.message_id.clone())];
            let at = format!("{what}: {id}/{}", s.message_id);
            assert!((s.message.score - o.assessment.score).abs() < 1e-9, "{at}: score");
            assert!((s.risk - o.risk).abs() < 1e-9, "{at}: risk");
            assert_eq!(s.level, o.level, "{at}: level");
            let rules: Vec<&str> = s.message.hits.iter().map(|h| h.rule.as_str()).collect();
            let want: Vec<&str> = o.assessment.hits.iter().map(|h| &*h.rule).collect();
            assert_eq!(rules, want, "{at}: hits");
            let base: f64 = s.message.categories.iter().map(|c| c.capped).sum();
            assert!(
                (base * s.message.factor - s.message.score).abs() < 1e-6,
                "{at}: arithmetic"
            );
            let after: f64 = s.categories.iter().map(|c| c.after).sum::<f64>() + s.stage_bonus;
            assert!((after - s.risk).abs() < 1e-6, "{at}: risk = points + bonus");
            steps += 1;
        }
    }
    steps
}

fn parse(path: &Path) -> Vec<Message> {
    let text = fs::read_to_string(path).unwrap();
    vigil::jsonl::parse(&text).map(|m| m.unwrap()).collect()
}

#[test]
fn explanations_equal_observations_over_the_corpus() {
    let engine = Arc::new(Engine::default());
    let mut steps = 0;
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().ends_with(".jsonl") && !p.to_string_lossy().ends_with(".labels.jsonl")
        })
        .collect();
    files.sort();
    for f in &files {
        // Each conversation on its own (a replay and its explanation see the same messages).
        let all = parse(f);
        let mut ids: Vec<&str> = all.iter().map(|m| m.conversation_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let one: Vec<Message> = all.iter().filter(|m| m.conversation_id == id).cloned().collect();
            steps += check(&engine, &one, &f.display().to_string());
        }
    }
    assert!(steps > 2000, "{steps}");
}

#[test]
fn explanations_equal_observations_over_the_shipped_vectors() {
    let engine = Arc::new(Engine::default());
    let mut steps = 0;
    for name in ["sample", "evasions"] {
        let path = root().join(format!("tests/vectors/{name}.input.jsonl"));
        steps += check(&engine, &parse(&path), name);
    }
    assert!(steps > 20, "{steps}");
}
