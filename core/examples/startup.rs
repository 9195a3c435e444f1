//! Engine start-up, phase by phase: `cargo run --release -p vigil --example startup`.
//!
//! Prints the median of several runs of each phase in milliseconds.

use std::time::Instant;

use vigil::{Engine, Policy};

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

fn main() {
    let runs = 15;
    let policy = Policy::shipped().expect("the shipped packs build");
    println!(
        "policy (Policy::shipped)      {:8.2} ms",
        time(runs, || Policy::shipped().expect("builds"))
    );
    println!(
        "engine (Engine::new)          {:8.2} ms",
        time(runs, || Engine::new(policy.clone()).expect("compiles"))
    );
    println!(
        "both (Engine::default)        {:8.2} ms",
        time(runs, Engine::default)
    );
}
