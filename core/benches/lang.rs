//! Criterion: language identification (`vigil::lang`) on the corpus messages, by message length
//! and by number of candidate languages, and the per-conversation estimate.
//!
//! `cargo bench -p vigil --bench lang` (not run in CI). Figures in `docs/language-id.md`.

#[path = "support/mixes.rs"]
mod mixes;

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vigil::lang::{Guess, LanguageDetector, LanguageEstimate, LanguageOptions};
use vigil::Message;

const EIGHT: [&str; 8] = ["en", "de", "fr", "es", "it", "nl", "pl", "pt"];

fn throughput(msgs: &[Message]) -> Throughput {
    Throughput::ElementsAndBytes {
        elements: msgs.len() as u64,
        bytes: msgs.iter().map(|m| m.text.len() as u64).sum(),
    }
}

fn detect_all(d: &LanguageDetector, msgs: &[Message]) -> usize {
    msgs.iter()
        .filter(|m| d.detect(black_box(&m.text)).is_some())
        .count()
}

fn lang(c: &mut Criterion) {
    let corpus = mixes::corpus();
    let opts = LanguageOptions::default();
    let eight = LanguageDetector::new(EIGHT, opts.clone()).expect("default options are valid");

    let mut g = c.benchmark_group("lang/detect");
    g.throughput(throughput(&corpus));
    g.bench_function("corpus, 8 languages", |b| b.iter(|| detect_all(&eight, &corpus)));
    for n in [2usize, 4] {
        let d = LanguageDetector::new(&EIGHT[..n], opts.clone()).expect("valid");
        g.bench_function(format!("corpus, {n} languages"), |b| {
            b.iter(|| detect_all(&d, &corpus))
        });
    }
    let no_cut = LanguageOptions {
        min_letters: 0,
        ..opts.clone()
    };
    let d = LanguageDetector::new(EIGHT, no_cut).expect("valid");
    g.bench_function("corpus, 8 languages, no letter cut", |b| {
        b.iter(|| detect_all(&d, &corpus))
    });
    g.finish();

    let mut g = c.benchmark_group("lang/detect/length");
    for len in [20usize, 64, 256, 1024, 4096] {
        let msgs = mixes::of_length(&corpus, len);
        g.throughput(throughput(&msgs));
        g.bench_with_input(BenchmarkId::from_parameter(len), &msgs, |b, msgs| {
            b.iter(|| detect_all(&eight, msgs))
        });
    }
    g.finish();

    let guesses: Vec<Option<Guess>> = corpus.iter().map(|m| eight.detect(&m.text)).collect();
    let mut g = c.benchmark_group("lang/estimate");
    g.throughput(Throughput::Elements(guesses.len() as u64));
    g.bench_function("update + scope, corpus guesses", |b| {
        b.iter(|| {
            let mut e = LanguageEstimate::default();
            let mut narrowed = 0usize;
            for guess in &guesses {
                if let Some(guess) = guess {
                    e.update(guess, &opts);
                }
                if e.scope(guess.as_ref(), &opts) != vigil::lang::LanguageScope::All {
                    narrowed += 1;
                }
            }
            black_box(narrowed)
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = lang
}
criterion_main!(benches);
