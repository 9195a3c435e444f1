//! Criterion: the normalizer alone, both views, on every message mix.
//!
//! `cargo bench -p vigil --bench normalize` (not run in CI). Throughput in messages and bytes.

#[path = "support/mixes.rs"]
mod mixes;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vigil::normalize::{Mode, Normalized, Normalizer};

fn normalize(c: &mut Criterion) {
    let corpus = mixes::corpus();
    let normalizer = Normalizer::default();
    for (mode, name) in [
        (Mode::Terms, "normalize/terms"),
        (Mode::Patterns, "normalize/patterns"),
    ] {
        let mut g = c.benchmark_group(name);
        for mix in mixes::all(&corpus) {
            g.throughput(Throughput::ElementsAndBytes {
                elements: mix.messages.len() as u64,
                bytes: mix.bytes(),
            });
            let mut out = Normalized::new();
            g.bench_function(mix.name, |b| {
                b.iter(|| {
                    for m in &mix.messages {
                        normalizer.normalize_into(black_box(&m.text), mode, &mut out);
                        black_box(out.len());
                    }
                })
            });
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3));
    targets = normalize
}
criterion_main!(benches);
