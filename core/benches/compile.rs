//! Criterion: building the shipped policy (parse, merge, validate, hash) and compiling it into an
//! engine (normalize terms, automaton, regexes).
//!
//! `cargo bench -p vigil --bench compile` (not run in CI).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use vigil::{Engine, Policy};

fn compile(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.bench_function("policy (Policy::shipped)", |b| {
        b.iter(|| Policy::shipped().expect("the shipped packs build"))
    });
    let policy = Policy::shipped().expect("the shipped packs build");
    g.bench_function("engine (Engine::new)", |b| {
        b.iter(|| Engine::new(black_box(policy.clone())).expect("the shipped packs compile"))
    });
    g.bench_function("both (Engine::default)", |b| b.iter(Engine::default));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = compile
}
criterion_main!(benches);
