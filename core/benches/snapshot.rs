//! Criterion: tracker snapshots of a realistic population, whole and per conversation, and
//! restoring them.
//!
//! `cargo bench -p vigil --bench snapshot` (not run in CI). Throughput in keys and bytes.

#[path = "support/mixes.rs"]
mod mixes;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vigil::{Engine, Tracker};

fn snapshot(c: &mut Criterion) {
    let corpus = mixes::corpus();
    let engine = Arc::new(Engine::default());
    let mut tracker = Tracker::new(engine.clone());
    for m in mixes::population(&corpus, 20_000, 0) {
        black_box(tracker.observe(&m));
    }
    let bytes = tracker.snapshot();
    let keys = tracker.len() as u64;

    let mut g = c.benchmark_group("snapshot");
    g.throughput(Throughput::ElementsAndBytes {
        elements: keys,
        bytes: bytes.len() as u64,
    });
    g.bench_function("encode", |b| b.iter(|| tracker.snapshot()));
    g.bench_function("restore", |b| {
        let mut t = Tracker::new(engine.clone());
        b.iter(|| t.restore(black_box(&bytes)).expect("the snapshot restores"))
    });
    let one = tracker.snapshot_conversation("pop-7");
    g.throughput(Throughput::ElementsAndBytes {
        elements: 1,
        bytes: one.len() as u64,
    });
    g.bench_function("restore one conversation", |b| {
        let mut t = Tracker::new(engine.clone());
        b.iter(|| {
            t.restore_conversation(black_box(&one))
                .expect("the snapshot restores")
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(Duration::from_secs(5));
    targets = snapshot
}
criterion_main!(benches);
