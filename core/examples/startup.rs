//! Engine start-up from the TOML packs and from a compiled bundle, and the first messages after
//! it: `cargo run --release -p vigil --example startup [RUNS]` (default 15 runs; medians in ms).
//!
//! "first message ready" is start-up plus the assessment of one ASCII and one non-ASCII message:
//! what is built on first need (each pattern's regex the messages need, the set for non-ASCII
//! text) counts there.

use std::time::Instant;

use vigil::{AgeBand, Engine, Message, Participant, Policy, Timestamp};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let x = f();
        v.push(t.elapsed().as_secs_f64() * 1e3);
        drop(x);
    }
    median(v)
}

fn message(text: &str) -> Message {
    Message::new(
        "c-1",
        "m-1",
        Timestamp::from_millis(0),
        Participant::new("u-9", AgeBand::Adult),
        text,
    )
    .with_recipient(Participant::new("u-4", AgeBand::Minor))
}

/// Assesses the two probe messages; returns the number of hits (so nothing is optimized away).
fn first_messages(e: &Engine) -> usize {
    let ascii = message("hey whats up, dont tell ur parents, im 13 btw");
    let other = message("ne le dis pas à tes parents, c'est notre secret ❤️");
    e.assess(&ascii).hits.len() + e.assess(&other).hits.len()
}

fn main() {
    let runs = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(15);
    let policy = Policy::shipped().expect("the shipped packs build");
    let bundle = policy.to_bundle().expect("the shipped packs compile");
    println!("bundle size                          {:>8} bytes", bundle.len());
    let row = |what: &str, ms: f64| println!("{what:<36} {ms:8.2} ms");
    row(
        "policy (Policy::shipped)",
        time(runs, || Policy::shipped().expect("builds")),
    );
    row(
        "engine (Engine::new)",
        time(runs, || Engine::new(policy.clone()).expect("compiles")),
    );
    row(
        "TOML: engine ready (Engine::default)",
        time(runs, Engine::default),
    );
    row(
        "TOML: first message ready",
        time(runs, || first_messages(&Engine::default())),
    );
    row(
        "bundle: engine ready (from_bundle)",
        time(runs, || Engine::from_bundle(&bundle).expect("loads")),
    );
    row(
        "bundle: first message ready",
        time(runs, || {
            first_messages(&Engine::from_bundle(&bundle).expect("loads"))
        }),
    );
    row(
        "Policy::to_bundle",
        time(3, || policy.to_bundle().expect("compiles")),
    );
}
