//! Criterion: `Engine::assess` (normalize, match, score) with the shipped packs, on every message
//! mix, by message length, and by number of terms.
//!
//! `cargo bench -p vigil --bench assess` (not run in CI). Throughput in messages and bytes.

#[path = "support/mixes.rs"]
mod mixes;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vigil::{Engine, Message, Policy, Scratch};

fn pass(engine: &Engine, msgs: &[Message], scratch: &mut Scratch) -> usize {
    let mut hits = 0;
    for m in msgs {
        hits += engine.assess_with(black_box(m), scratch).hits.len();
    }
    hits
}

fn throughput(msgs: &[Message]) -> Throughput {
    Throughput::ElementsAndBytes {
        elements: msgs.len() as u64,
        bytes: msgs.iter().map(|m| m.text.len() as u64).sum(),
    }
}

fn assess(c: &mut Criterion) {
    let corpus = mixes::corpus();
    let engine = Engine::default();
    let mut scratch = Scratch::new();

    let mut g = c.benchmark_group("assess");
    for mix in mixes::all(&corpus) {
        g.throughput(throughput(&mix.messages));
        g.bench_function(mix.name, |b| {
            b.iter(|| pass(&engine, &mix.messages, &mut scratch))
        });
    }
    g.throughput(throughput(&corpus));
    g.bench_function("corpus, fresh buffers", |b| {
        b.iter(|| {
            corpus
                .iter()
                .map(|m| engine.assess(black_box(m)).hits.len())
                .sum::<usize>()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("assess/length");
    for len in [20usize, 64, 256, 1024, 4096, 16384] {
        let msgs = mixes::of_length(&corpus, len);
        g.throughput(throughput(&msgs));
        g.bench_with_input(BenchmarkId::from_parameter(len), &msgs, |b, msgs| {
            b.iter(|| pass(&engine, msgs, &mut scratch))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("assess/terms");
    let generated = mixes::generated_terms(50_000, 42);
    g.throughput(throughput(&corpus));
    for n in [1_000usize, 10_000, 50_000] {
        let policy = Policy::builder()
            .add_shipped()
            .and_then(|b| b.add_toml("generated.toml", &mixes::terms_layer(&generated[..n])))
            .and_then(|b| b.build())
            .expect("the generated layer builds");
        let engine = Engine::new(policy).expect("the generated layer compiles");
        g.bench_with_input(BenchmarkId::from_parameter(n), &corpus, |b, msgs| {
            b.iter(|| pass(&engine, msgs, &mut scratch))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = assess
}
criterion_main!(benches);
