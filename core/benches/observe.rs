//! Criterion: `Tracker::observe` (assess under what the conversation knows, update decayed risk,
//! stages, levels, escalations) against a realistic tracker population.
//!
//! `cargo bench -p vigil --bench observe` (not run in CI). Throughput in messages and bytes.

#[path = "support/mixes.rs"]
mod mixes;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vigil::{Engine, Tracker};

/// Conversations in the population (about two keys each).
const POPULATION: usize = 50_000;

fn observe(c: &mut Criterion) {
    let corpus = mixes::corpus();
    let engine = Arc::new(Engine::default());
    let population = mixes::population(&corpus, POPULATION, 0);
    let mut g = c.benchmark_group("observe");
    for mix in mixes::all(&corpus) {
        let mut tracker = Tracker::new(engine.clone());
        for m in &population {
            black_box(tracker.observe(m));
        }
        let mut msgs = mix.messages.clone();
        let first = msgs.iter().map(|m| m.timestamp.as_millis()).min().unwrap_or(0);
        mixes::shift(&mut msgs, mixes::latest(&population) + 1000 - first);
        g.throughput(Throughput::ElementsAndBytes {
            elements: msgs.len() as u64,
            bytes: mix.bytes(),
        });
        g.bench_function(
            BenchmarkId::new(mix.name, format!("{} keys", tracker.len())),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        // A day later on every pass, as in a live stream.
                        mixes::shift(&mut msgs, 86_400_000);
                        let t = Instant::now();
                        for m in &msgs {
                            black_box(tracker.observe(black_box(m)));
                        }
                        total += t.elapsed();
                    }
                    total
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = observe
}
criterion_main!(benches);
