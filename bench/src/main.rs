//! `vigil-bench`: Vigil side by side with its peers, in one process, on the same messages, on the
//! same machine, with interleaved runs. Prints Markdown tables (the ones in `docs/benchmarks.md`).
//!
//! ```text
//! vigil-bench [run] [--quick] [--rounds N] [--ms N] [--only SECTION,...]
//!     sections: machine, contenders, mixes, terms, length, memory, compile
//! vigil-bench profile CONTENDER [MIX] [PASSES]   one contender alone, for callgrind or perf
//! vigil-bench gen-log FILE [MESSAGES] [CONVERSATIONS]   a JSON Lines log for `vigil scan`
//! vigil-bench digest [--full] [LAYER.toml...]   a fingerprint of Vigil's behaviour on every mix
//! ```
//!
//! Build it in release mode (`scripts/bench` does): `cargo run --release -p vigil-bench`.

mod alloc;
#[path = "../../core/benches/support/mixes.rs"]
mod mixes;

use std::hint::black_box;
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, MatchKind};
use vigil::normalize::{Mode, NormalizeOptions, Normalized, Normalizer};
use vigil::{Engine, Message, Policy, Scratch, Tracker};

use crate::mixes::Mix;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

/// Conversations in the tracker population that `observe` runs against (about two keys each).
const POPULATION: usize = 50_000;

/// The normalization steps, as named in a policy's `[normalize]` table.
const STEPS: &[&str] = &[
    "nfkc",
    "case_fold",
    "strip_diacritics",
    "confusables",
    "leetspeak",
    "strip_invisible",
    "join_spaced_letters",
    "collapse_repeats",
];

struct Opts {
    quick: bool,
    rounds: usize,
    min_time: Duration,
    only: Option<Vec<String>>,
}

impl Opts {
    fn wants(&self, section: &str) -> bool {
        self.only.as_ref().is_none_or(|o| o.iter().any(|s| s == section))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("profile") => profile(&args[1..]),
        Some("gen-log") => gen_log(&args[1..]),
        Some("digest") => digest(&args[1..]),
        Some("latency") => latency(&args[1..]),
        Some("observe-file") => observe_file(&args[1..]),
        Some("run") => parse_opts(&args[1..]).and_then(|o| run(&o)),
        Some("-h" | "--help" | "help") => {
            println!("{}", USAGE);
            Ok(())
        }
        _ => parse_opts(&args).and_then(|o| run(&o)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vigil-bench: {e}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "usage:
  vigil-bench [run] [--quick] [--rounds N] [--ms N] [--only SECTION,...]
      sections: machine, contenders, mixes, terms, length, memory, compile
  vigil-bench profile CONTENDER [MIX] [PASSES]
      contenders: assess, observe, observe-no-indicators, observe-no-combinations, observe-no-senders,
      indicators, normalize-terms, normalize-patterns,
      aho-corasick, rustrict, rustrict-terms, compile; mixes: corpus (default), ascii, non-ascii,
      evasive, scripts, long, realchat (tests/realchat/chitchat-sample.jsonl)
  vigil-bench latency [MIX] [PASSES]
      per-message `observe` wall time, p50/p99/p99.9, with the shipped interventions and without
  vigil-bench observe-file PASSES FILE.jsonl...
      native `observe` on exactly these messages, a fresh tracker per pass, best pass (the native side of
      bench/python_batch.py): messages/s of `observe` on parsed messages and of
      `from_json` + `observe`, and of `observe_json_lines` (the batch call the bindings use)
  vigil-bench gen-log FILE [MESSAGES] [CONVERSATIONS]
  vigil-bench digest [--full] [LAYER.toml...]";

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        quick: false,
        rounds: 7,
        min_time: Duration::from_millis(150),
        only: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--quick" => {
                o.quick = true;
                o.rounds = 3;
                o.min_time = Duration::from_millis(40);
            }
            "--rounds" => o.rounds = value("--rounds")?.parse().map_err(|e| format!("--rounds: {e}"))?,
            "--ms" => {
                o.min_time = Duration::from_millis(value("--ms")?.parse().map_err(|e| format!("--ms: {e}"))?)
            }
            "--only" => o.only = Some(value("--only")?.split(',').map(str::to_string).collect()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    o.rounds = o.rounds.max(1);
    Ok(o)
}

// ---------------------------------------------------------------------------------------------
// Contenders
// ---------------------------------------------------------------------------------------------

/// One pass over a mix; returns a checksum so the work cannot be optimized away.
type Pass = Box<dyn FnMut(&[Message]) -> u64>;

struct Contender {
    name: String,
    pass: Pass,
}

fn contender(name: impl Into<String>, pass: impl FnMut(&[Message]) -> u64 + 'static) -> Contender {
    Contender {
        name: name.into(),
        pass: Box::new(pass),
    }
}

fn shipped_engine() -> Arc<Engine> {
    Arc::new(Engine::default())
}

/// A layer that turns the shipped interventions off.
const NO_INTERVENTIONS: &str = "
[[override]]
intervention = \"nudge-moving-apps\"
enabled = false
[[override]]
intervention = \"nudge-secrecy\"
enabled = false
[[override]]
intervention = \"nudge-meeting\"
enabled = false
[[override]]
intervention = \"nudge-pictures\"
enabled = false
[[override]]
intervention = \"mask-contact-details\"
enabled = false
[[override]]
intervention = \"hold-coercion\"
enabled = false
[[override]]
intervention = \"hold-picture-request\"
enabled = false
";

/// Per-message `observe` latency (wall time of each call, in the message path: what an app
/// waits before delivering), with the shipped interventions and with them off, on a tracker
/// filled like `observe_pass`'s. Prints p50, p99, p99.9 and the maximum in microseconds, and how
/// many messages got an intervention.
fn latency(args: &[String]) -> Result<(), String> {
    let mix_name = args.first().map(String::as_str).unwrap_or("corpus");
    let passes: u32 = args
        .get(1)
        .map_or(Ok(20), |p| p.parse())
        .map_err(|e| format!("passes: {e}"))?;
    let corpus = mixes::corpus();
    let mix = match mix_name {
        "realchat" => realchat()?,
        _ => mixes::by_name(&corpus, mix_name).ok_or(format!("no mix {mix_name:?}"))?,
    };
    println!("| policy | messages timed | with an intervention | p50 µs | p99 µs | p99.9 µs | max µs |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (name, engine) in [
        ("shipped (interventions on)", shipped_engine()),
        (
            "shipped, interventions off",
            Arc::new(engine_with(NO_INTERVENTIONS)?),
        ),
    ] {
        let (mut tracker, mut msgs) = primed(engine, &mix.messages, &corpus);
        let mut times: Vec<u64> = Vec::with_capacity(msgs.len() * passes as usize);
        let mut decided = 0u64;
        for _ in 0..passes {
            mixes::shift(&mut msgs, 86_400_000);
            for m in &msgs {
                let t = Instant::now();
                let o = tracker.observe(black_box(m));
                times.push(t.elapsed().as_nanos() as u64);
                decided += u64::from(o.intervention.is_some());
                black_box(o);
            }
        }
        times.sort_unstable();
        let q = |p: f64| times[((times.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0;
        println!(
            "| {name} | {} | {decided} | {:.1} | {:.1} | {:.1} | {:.1} |",
            times.len(),
            q(0.5),
            q(0.99),
            q(0.999),
            q(1.0)
        );
    }
    Ok(())
}

fn engine_with(layer: &str) -> Result<Engine, String> {
    let policy = Policy::builder()
        .add_shipped()
        .and_then(|b| b.add_toml("bench.toml", layer))
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    Engine::new(policy).map_err(|e| e.to_string())
}

fn assess_pass(engine: Arc<Engine>) -> impl FnMut(&[Message]) -> u64 {
    let mut scratch = Scratch::new();
    move |msgs| {
        let mut sum = 0u64;
        for m in msgs {
            let a = engine.assess_with(black_box(m), &mut scratch);
            sum = sum.wrapping_add(a.hits.len() as u64 + a.score.to_bits());
        }
        sum
    }
}

/// `observe` against a populated tracker: the mix's messages move one day later on every pass,
/// so keys see time pass as in a live stream (decay, dormancy, new episodes).
/// A tracker holding the corpus population (about 87,000 keys), and `mix` moved to just after
/// it: what `observe` passes run on.
fn primed(engine: Arc<Engine>, mix: &[Message], corpus: &[Message]) -> (Tracker, Vec<Message>) {
    let mut tracker = Tracker::new(engine);
    let population = mixes::population(corpus, POPULATION, 0);
    for m in &population {
        black_box(tracker.observe(m));
    }
    let mut msgs = mix.to_vec();
    let base = mixes::latest(&population) + 1000;
    let first = msgs.iter().map(|m| m.timestamp.as_millis()).min().unwrap_or(0);
    mixes::shift(&mut msgs, base - first);
    (tracker, msgs)
}

fn observe_pass(engine: Arc<Engine>, mix: &[Message], corpus: &[Message]) -> impl FnMut(&[Message]) -> u64 {
    let (mut tracker, mut msgs) = primed(engine, mix, corpus);
    move |_| {
        mixes::shift(&mut msgs, 86_400_000);
        let mut sum = 0u64;
        for m in &msgs {
            let o = tracker.observe(black_box(m));
            sum = sum.wrapping_add(o.escalation.is_some() as u64 + o.risk.to_bits());
        }
        sum
    }
}

/// The indicator extractor alone on each message's text: what `observe` adds per message when the
/// policy enables `[indicators]` (plus keeping what it finds in the key).
fn indicators_pass() -> impl FnMut(&[Message]) -> u64 {
    let extractor = vigil::indicators::Extractor::new();
    move |msgs| {
        let mut sum = 0u64;
        for m in msgs {
            sum = sum.wrapping_add(extractor.find(black_box(&m.text)).len() as u64);
        }
        sum
    }
}

fn normalize_pass(mode: Mode) -> impl FnMut(&[Message]) -> u64 {
    let n = Normalizer::default();
    let mut out = Normalized::new();
    move |msgs| {
        let mut sum = 0u64;
        for m in msgs {
            n.normalize_into(black_box(&m.text), mode, &mut out);
            sum = sum.wrapping_add(out.len() as u64);
        }
        sum
    }
}

/// The literal terms of a policy's enabled rules (`any`, `near`, `unless`) as written, without
/// wildcards, lowercased, deduplicated.
fn literal_terms(policy: &Policy) -> Vec<String> {
    let mut set = std::collections::BTreeSet::new();
    for r in policy.view().rules().filter(|r| r.enabled()) {
        let written = r.terms().iter().chain(r.exceptions()).map(String::as_str);
        for t in written.chain(r.near_terms()) {
            let t = t.trim().trim_matches('*').to_lowercase();
            if !t.is_empty() {
                set.insert(t);
            }
        }
    }
    set.into_iter().collect()
}

fn ac_of(terms: &[String]) -> AhoCorasick {
    match AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(terms)
    {
        Ok(ac) => ac,
        Err(e) => panic!("aho-corasick: {e}"),
    }
}

/// The floor: the same literal terms in one automaton over the raw text, every overlapping match
/// reported, no normalization, no rules, no scoring.
fn ac_pass(ac: AhoCorasick) -> impl FnMut(&[Message]) -> u64 {
    move |msgs| {
        let mut sum = 0u64;
        for m in msgs {
            sum = sum.wrapping_add(ac.find_overlapping_iter(black_box(m.text.as_str())).count() as u64);
        }
        sum
    }
}

fn rustrict_pass(trie: Option<&'static rustrict::Trie>) -> impl FnMut(&[Message]) -> u64 {
    move |msgs| {
        let mut sum = 0u64;
        for m in msgs {
            let mut c = rustrict::Censor::from_str(black_box(m.text.as_str()));
            if let Some(t) = trie {
                c.with_trie(t);
            }
            sum = sum.wrapping_add(c.analyze().is(rustrict::Type::INAPPROPRIATE) as u64);
        }
        sum
    }
}

/// A rustrict trie holding Vigil's literal terms (as "moderate sexual": inappropriate).
fn rustrict_trie(terms: &[String]) -> &'static rustrict::Trie {
    let mut trie = rustrict::Trie::new();
    for t in terms {
        trie.set(t, rustrict::Type::SEXUAL & rustrict::Type::MODERATE);
    }
    Box::leak(Box::new(trie))
}

fn contenders_for(mix: &Mix, corpus: &[Message], full: bool) -> Vec<Contender> {
    let engine = shipped_engine();
    let terms = literal_terms(engine.policy());
    let mut v = vec![
        contender("Vigil `assess` (shipped packs)", assess_pass(engine.clone())),
        contender(
            format!("Vigil `observe` ({} tracked keys)", POPULATION * 2),
            observe_pass(engine.clone(), &mix.messages, corpus),
        ),
        contender(
            format!("bare aho-corasick, {} raw terms, raw text", terms.len()),
            ac_pass(ac_of(&terms)),
        ),
        contender("rustrict `analyze` (its own word list)", rustrict_pass(None)),
    ];
    if !full {
        return v;
    }
    v.push(contender(
        format!("rustrict `analyze` with Vigil's {} terms", terms.len()),
        rustrict_pass(Some(rustrict_trie(&terms))),
    ));
    v.push(contender(
        "Vigil `assess`, fresh buffers per message",
        move |msgs: &[Message]| {
            let mut sum = 0u64;
            for m in msgs {
                sum = sum.wrapping_add(engine.assess(black_box(m)).hits.len() as u64);
            }
            sum
        },
    ));
    v.push(contender(
        "Vigil normalizer only: terms view",
        normalize_pass(Mode::Terms),
    ));
    v.push(contender(
        "Vigil normalizer only: patterns view",
        normalize_pass(Mode::Patterns),
    ));
    for step in STEPS {
        match engine_with(&format!("[normalize]\n{step} = false\n")) {
            Ok(e) => v.push(contender(
                format!("Vigil `assess`, `{step}` off"),
                assess_pass(Arc::new(e)),
            )),
            Err(e) => eprintln!("vigil-bench: skipping `{step}` off: {e}"),
        }
    }
    let all_off: String = STEPS.iter().map(|s| format!("{s} = false\n")).collect();
    match engine_with(&format!("[normalize]\n{all_off}")) {
        Ok(e) => v.push(contender(
            "Vigil `assess`, every step off",
            assess_pass(Arc::new(e)),
        )),
        Err(e) => eprintln!("vigil-bench: skipping every step off: {e}"),
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/// Seconds per pass of each contender: the median over interleaved rounds, and the spread
/// ((max − min) / median).
struct Timing {
    median: f64,
    spread: f64,
}

/// Runs every contender for `rounds` rounds, interleaved (each round visits all of them, starting
/// one further along each time), each visit taking passes until `min_time` has passed.
fn race(contenders: &mut [Contender], msgs: &[Message], o: &Opts) -> Vec<Timing> {
    let n = contenders.len();
    let mut samples: Vec<Vec<f64>> = vec![Vec::with_capacity(o.rounds); n];
    let mut check = 0u64;
    for c in contenders.iter_mut() {
        check = check.wrapping_add((c.pass)(msgs)); // warm-up
    }
    for round in 0..o.rounds {
        for k in 0..n {
            let i = (round + k) % n;
            let c = &mut contenders[i];
            let start = Instant::now();
            let mut passes = 0u32;
            loop {
                check = check.wrapping_add((c.pass)(msgs));
                passes += 1;
                let e = start.elapsed();
                if e >= o.min_time {
                    samples[i].push(e.as_secs_f64() / f64::from(passes));
                    break;
                }
            }
        }
    }
    black_box(check);
    samples
        .into_iter()
        .map(|mut s| {
            s.sort_by(f64::total_cmp);
            let median = s[s.len() / 2];
            let spread = (s[s.len() - 1] - s[0]) / median;
            Timing { median, spread }
        })
        .collect()
}

fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn bytes_of(msgs: &[Message]) -> u64 {
    msgs.iter().map(|m| m.text.len() as u64).sum()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

// ---------------------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------------------

fn run(o: &Opts) -> Result<(), String> {
    let corpus = mixes::corpus();
    let mixes = mixes::all(&corpus);
    println!("# vigil-bench\n");
    println!(
        "{} rounds, at least {} ms per contender per round, interleaved; medians. 1-minute load at start: {}.\n",
        o.rounds,
        o.min_time.as_millis(),
        load()
    );
    if o.wants("machine") {
        machine(&mixes);
    }
    if o.wants("contenders") {
        contenders_section(&mixes, &corpus, o);
    }
    if o.wants("mixes") {
        mixes_section(&mixes, &corpus, o);
    }
    if o.wants("terms") {
        terms_section(&corpus, o)?;
    }
    if o.wants("length") {
        length_section(&corpus, o);
    }
    if o.wants("memory") {
        memory_section(&corpus)?;
    }
    if o.wants("compile") {
        compile_section(o)?;
    }
    println!("1-minute load at end: {}.", load());
    Ok(())
}

fn machine(mixes: &[Mix]) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let engine = Engine::default();
    let terms = literal_terms(engine.policy());
    println!("## Machine and packs\n");
    println!("- CPU: {cpu}, {cores} cores; single thread throughout");
    println!(
        "- packs: {} (policy `{}` version `{}`): {} rules, {} distinct literal terms, {} patterns",
        vigil::packs::names().collect::<Vec<_>>().join(", "),
        engine.policy().id(),
        engine.policy().version(),
        engine.rule_count(),
        terms.len(),
        engine
            .policy()
            .view()
            .rules()
            .map(|r| r.patterns().len())
            .sum::<usize>(),
    );
    println!("- mixes:\n");
    println!("| mix | messages | mean bytes | ASCII | what |");
    println!("| --- | ---: | ---: | ---: | --- |");
    for m in mixes {
        println!(
            "| {} | {} | {:.0} | {:.0}% | {} |",
            m.name,
            m.messages.len(),
            m.mean_len(),
            m.ascii_share() * 100.0,
            m.about
        );
    }
    println!();
}

fn print_table(title: &str, msgs: &[Message], names: &[String], t: &[Timing], base: usize) {
    let n = msgs.len() as f64;
    let mb = bytes_of(msgs) as f64 / 1e6;
    println!("{title}\n");
    println!("| contender | messages/s | MB/s | ns/message | × Vigil `assess` | spread |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (name, x) in names.iter().zip(t) {
        println!(
            "| {} | {} | {:.1} | {:.0} | {:.2} | {:.0}% |",
            name,
            thousands(n / x.median),
            mb / x.median,
            x.median * 1e9 / n,
            t[base].median / x.median,
            x.spread * 100.0
        );
    }
    println!();
}

fn contenders_section(mixes: &[Mix], corpus: &[Message], o: &Opts) {
    let mix = &mixes[0];
    let mut cs = contenders_for(mix, corpus, true);
    let t = race(&mut cs, &mix.messages, o);
    let names: Vec<String> = cs.iter().map(|c| c.name.clone()).collect();
    print_table(
        &format!(
            "## Side by side on the `{}` mix ({} messages, {} bytes)\n\n`× Vigil assess` is the contender's \
             speed over Vigil's: above 1 is faster than Vigil.",
            mix.name,
            mix.messages.len(),
            mix.bytes()
        ),
        &mix.messages,
        &names,
        &t,
        0,
    );
}

fn mixes_section(mixes: &[Mix], corpus: &[Message], o: &Opts) {
    println!("## Every mix\n");
    println!(
        "| mix | Vigil `assess` msgs/s | MB/s | Vigil `observe` msgs/s | aho-corasick msgs/s | rustrict msgs/s | \
         aho-corasick ÷ Vigil | Vigil ÷ rustrict |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for mix in mixes {
        let mut cs = contenders_for(mix, corpus, false);
        let t = race(&mut cs, &mix.messages, o);
        let n = mix.messages.len() as f64;
        println!(
            "| {} | {} | {:.1} | {} | {} | {} | {:.2} | {:.1} |",
            mix.name,
            thousands(n / t[0].median),
            mix.bytes() as f64 / 1e6 / t[0].median,
            thousands(n / t[1].median),
            thousands(n / t[2].median),
            thousands(n / t[3].median),
            t[0].median / t[2].median,
            t[3].median / t[0].median,
        );
    }
    println!();
}

fn terms_section(corpus: &[Message], o: &Opts) -> Result<(), String> {
    let sizes: &[usize] = if o.quick {
        &[1_000, 50_000]
    } else {
        &[1_000, 10_000, 50_000]
    };
    let generated = mixes::generated_terms(sizes.iter().copied().max().unwrap_or(0), 42);
    let base = shipped_engine();
    let shipped_terms = literal_terms(base.policy());
    let mut cs = vec![contender("shipped packs only", assess_pass(base))];
    let mut ac = vec![contender("shipped", ac_pass(ac_of(&shipped_terms)))];
    for &n in sizes {
        let started = Instant::now();
        let engine = engine_with(&mixes::terms_layer(&generated[..n]))?;
        eprintln!(
            "vigil-bench: compiled shipped + {n} terms in {:.0?}",
            started.elapsed()
        );
        cs.push(contender(format!("+{n}"), assess_pass(Arc::new(engine))));
        let mut all = shipped_terms.clone();
        all.extend_from_slice(&generated[..n]);
        ac.push(contender(format!("+{n}"), ac_pass(ac_of(&all))));
    }
    let t = race(&mut cs, corpus, o);
    let ta = race(&mut ac, corpus, o);
    println!(
        "## Cost and number of terms\n\n`assess` on the `corpus` mix with generated terms (made-up words, 10 \
         per rule) added to the shipped packs; the bare aho-corasick scan with the same terms beside it.\n"
    );
    println!("| terms added | Vigil ns/message | × cost of +1k | aho-corasick ns/message | × cost of +1k |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let n = corpus.len() as f64;
    for (i, c) in cs.iter().enumerate() {
        println!(
            "| {} | {:.0} | {:.2} | {:.0} | {:.2} |",
            c.name,
            t[i].median * 1e9 / n,
            t[i].median / t[1].median,
            ta[i].median * 1e9 / n,
            ta[i].median / ta[1].median
        );
    }
    println!();
    Ok(())
}

fn length_section(corpus: &[Message], o: &Opts) {
    println!(
        "## Cost and message length\n\n`assess` on corpus text cut to a length (about 1 MiB of text per \
         pass); the bare aho-corasick scan beside it.\n"
    );
    println!("| bytes | Vigil messages/s | Vigil MB/s | Vigil ns/message | aho-corasick MB/s | aho-corasick ÷ Vigil |");
    println!("| ---: | ---: | ---: | ---: | ---: | ---: |");
    let engine = shipped_engine();
    let terms = literal_terms(engine.policy());
    for len in [20usize, 64, 256, 1024, 4096, 16384] {
        let msgs = mixes::of_length(corpus, len);
        let mut cs = vec![
            contender("vigil", assess_pass(engine.clone())),
            contender("ac", ac_pass(ac_of(&terms))),
        ];
        let t = race(&mut cs, &msgs, o);
        let n = msgs.len() as f64;
        let mb = bytes_of(&msgs) as f64 / 1e6;
        println!(
            "| {} | {} | {:.1} | {:.0} | {:.1} | {:.2} |",
            len,
            thousands(n / t[0].median),
            mb / t[0].median,
            t[0].median * 1e9 / n,
            mb / t[1].median,
            t[0].median / t[1].median
        );
    }
    println!();
}

/// Live heap bytes a tracker holds after observing `msgs`, and its number of keys. A first run
/// warms the engine's own caches (the regex engines' lazy DFAs grow on first use), which are
/// not the tracker's.
fn tracker_bytes(engine: &Arc<Engine>, msgs: &[Message]) -> (isize, usize) {
    let mut warm = Tracker::new(engine.clone());
    for m in msgs {
        drop(black_box(warm.observe(m)));
    }
    drop(warm);
    let before = alloc::live();
    let mut tracker = Tracker::new(engine.clone());
    for m in msgs {
        drop(black_box(tracker.observe(m)));
    }
    let bytes = alloc::live() - before;
    let keys = tracker.len();
    drop(tracker);
    (bytes, keys)
}

fn memory_section(corpus: &[Message]) -> Result<(), String> {
    println!("## Memory\n");
    let before = alloc::reset_peak();
    let policy = Policy::shipped().map_err(|e| e.to_string())?;
    let after_policy = alloc::live();
    let engine = Arc::new(Engine::new(policy).map_err(|e| e.to_string())?);
    let after_engine = alloc::live();
    let peak = alloc::peak();
    println!(
        "- engine with the shipped packs: {:.2} MB live ({:.2} MB of it the policy data it keeps; \
         {:.2} MB peak while compiling)",
        (after_engine - before) as f64 / 1e6,
        (after_policy - before) as f64 / 1e6,
        (peak - before) as f64 / 1e6
    );
    let n = POPULATION;
    let population = mixes::population(corpus, n, 0);
    let (bytes, keys) = tracker_bytes(&engine, &population);
    // Benign only: the same shape, texts without any hit.
    let benign: Vec<Message> = population
        .iter()
        .map(|m| Message {
            text: "ok see you later".into(),
            ..m.clone()
        })
        .collect();
    let (bb, bk) = tracker_bytes(&engine, &benign);
    // Risky only: texts that hit a rule.
    let risky_texts: Vec<&Message> = corpus
        .iter()
        .filter(|m| !engine.assess(m).hits.is_empty())
        .collect();
    let risky: Vec<Message> = population
        .iter()
        .enumerate()
        .map(|(i, m)| Message {
            text: risky_texts[i % risky_texts.len().max(1)].text.clone(),
            ..m.clone()
        })
        .collect();
    let (rb, rk) = tracker_bytes(&engine, &risky);
    println!(
        "- tracker state ({n} direct conversations, {} messages; requested heap bytes, allocator overhead not \
         included):\n",
        population.len()
    );
    println!("| population | keys | bytes per key | bytes per conversation |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, b, k) in [
        ("corpus texts (realistic mix)", bytes, keys),
        ("benign texts only", bb, bk),
        ("risky texts only (every message hits a rule)", rb, rk),
    ] {
        println!(
            "| {} | {} | {:.0} | {:.0} |",
            name,
            k,
            b as f64 / k.max(1) as f64,
            b as f64 / n as f64
        );
    }
    println!();
    Ok(())
}

fn compile_section(o: &Opts) -> Result<(), String> {
    let runs = if o.quick { 3 } else { 11 };
    let mut parse = Vec::new();
    let mut compile = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let p = Policy::shipped().map_err(|e| e.to_string())?;
        parse.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(Engine::new(p).map_err(|e| e.to_string())?);
        compile.push(t.elapsed().as_secs_f64());
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2] * 1e3
    };
    let (p, c) = (med(&mut parse), med(&mut compile));
    println!("## Compiling the shipped packs\n");
    println!("| step | ms (median of {runs}) |");
    println!("| --- | ---: |");
    println!("| `Policy::shipped()`: parse, merge, validate, hash | {p:.2} |");
    println!("| `Engine::new`: normalize terms, automaton, regexes | {c:.2} |");
    println!("| together (`Engine::default()`) | {:.2} |", p + c);
    println!();
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// observe-file: the native side of bench/python_batch.py
// ---------------------------------------------------------------------------------------------

/// Times native `observe` on the messages of JSONL files, in file order, a fresh tracker per pass:
/// on parsed messages (`observe`), with the JSON read (`from_json` + `observe`), and through the
/// batch call (`observe_json_lines`). Prints the messages/s of the best pass of each.
fn observe_file(args: &[String]) -> Result<(), String> {
    let passes: usize = args
        .first()
        .ok_or(USAGE)?
        .parse()
        .map_err(|e| format!("passes: {e}"))?;
    let mut lines: Vec<String> = Vec::new();
    for path in &args[1..] {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        lines.extend(text.lines().filter(|l| !l.trim().is_empty()).map(str::to_string));
    }
    let messages: Vec<Message> = lines
        .iter()
        .map(|l| Message::from_json(l).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let engine = shipped_engine();
    // The best pass: on a shared machine, the one least disturbed by other work.
    let best = |f: &mut dyn FnMut() -> u64| -> f64 {
        let rates: Vec<f64> = (0..passes.max(1))
            .map(|_| {
                let t = Instant::now();
                black_box(f());
                messages.len() as f64 / t.elapsed().as_secs_f64()
            })
            .collect();
        rates.into_iter().fold(0.0, f64::max)
    };
    let observe = best(&mut || {
        let mut t = Tracker::new(engine.clone());
        messages
            .iter()
            .map(|m| t.observe(black_box(m)).escalations().count() as u64)
            .sum()
    });
    let with_json = best(&mut || {
        let mut t = Tracker::new(engine.clone());
        lines
            .iter()
            .filter_map(|l| Message::from_json(l).ok())
            .map(|m| t.observe(&m).escalations().count() as u64)
            .sum()
    });
    let batch = best(&mut || {
        let mut t = Tracker::new(engine.clone());
        t.observe_json_lines(&lines, &vigil::BatchOptions::default())
            .escalations
            .len() as u64
    });
    println!(
        "messages: {} (median of {passes} passes, a fresh tracker each)",
        messages.len()
    );
    println!("native observe (parsed messages): {observe:.0} msgs/s");
    println!("native from_json + observe: {with_json:.0} msgs/s");
    println!("native observe_json_lines (batch): {batch:.0} msgs/s");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// profile, gen-log, digest
// ---------------------------------------------------------------------------------------------

/// Runs one contender alone: for `valgrind --tool=callgrind --toggle-collect='*profile_passes*'`.
fn profile(args: &[String]) -> Result<(), String> {
    let which = args.first().map(String::as_str).unwrap_or("assess");
    let mix_name = args.get(1).map(String::as_str).unwrap_or("corpus");
    let passes: u32 = args
        .get(2)
        .map_or(Ok(10), |p| p.parse())
        .map_err(|e| format!("passes: {e}"))?;
    let corpus = mixes::corpus();
    let mix = match mix_name {
        "realchat" => realchat()?,
        _ => mixes::by_name(&corpus, mix_name).ok_or(format!("no mix {mix_name:?}"))?,
    };
    let engine = shipped_engine();
    let terms = literal_terms(engine.policy());
    let mut pass: Pass = match which {
        "assess" => Box::new(assess_pass(engine)),
        "observe" => Box::new(observe_pass(engine, &mix.messages, &corpus)),
        // The shipped packs with `[indicators]` off: the cost of indicators is the difference.
        "observe-no-indicators" => Box::new(observe_pass(
            Arc::new(engine_with("[indicators]\nenabled = false")?),
            &mix.messages,
            &corpus,
        )),
        // The shipped packs with their combination rules off: what combinations cost.
        "observe-no-combinations" => {
            let layer: String = ["de", "en", "es", "fr", "it", "nl", "pl", "pt"]
                .iter()
                .map(|l| {
                    format!(
                        "[[override]]\nrule = \"{l}.transactional.pay-for-content-split\"\nenabled = false\n"
                    )
                })
                .collect();
            Box::new(observe_pass(
                Arc::new(engine_with(&layer)?),
                &mix.messages,
                &corpus,
            ))
        }
        // The shipped packs with their interventions off: the cost of deciding is the difference.
        "observe-no-interventions" => Box::new(observe_pass(
            Arc::new(engine_with(NO_INTERVENTIONS)?),
            &mix.messages,
            &corpus,
        )),
        // The shipped packs with `[senders]` off: the cost of sender cases is the difference.
        "observe-no-senders" => Box::new(observe_pass(
            Arc::new(engine_with("[senders]\nenabled = false")?),
            &mix.messages,
            &corpus,
        )),
        "indicators" => Box::new(indicators_pass()),
        "normalize-terms" => Box::new(normalize_pass(Mode::Terms)),
        "normalize-patterns" => Box::new(normalize_pass(Mode::Patterns)),
        "aho-corasick" => Box::new(ac_pass(ac_of(&terms))),
        "rustrict" => Box::new(rustrict_pass(None)),
        "rustrict-terms" => Box::new(rustrict_pass(Some(rustrict_trie(&terms)))),
        "compile" => Box::new(|_: &[Message]| match Policy::shipped().and_then(Engine::new) {
            Ok(e) => e.rule_count() as u64,
            Err(_) => 0,
        }),
        other => return Err(format!("unknown contender {other:?}\n{USAGE}")),
    };
    let start = Instant::now();
    let sum = profile_passes(&mut pass, &mix.messages, passes);
    let e = start.elapsed().as_secs_f64();
    let n = mix.messages.len() as f64 * f64::from(passes);
    eprintln!(
        "{which} on {mix_name}: {passes} passes, {} messages/s, {:.0} ns/message (checksum {sum})",
        thousands(n / e),
        e * 1e9 / n
    );
    Ok(())
}

/// The real chat sample (`tests/realchat/chitchat-sample.jsonl`: five benign English
/// conversations between strangers) as a mix, for `profile` only.
fn realchat() -> Result<mixes::Mix, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/realchat/chitchat-sample.jsonl"
    );
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let messages = vigil::jsonl::parse(&text)
        .collect::<Result<Vec<Message>, _>>()
        .map_err(|e| format!("{path}: {e}"))?;
    Ok(mixes::Mix {
        name: "realchat",
        about: "the real chat sample",
        messages,
    })
}

#[inline(never)]
fn profile_passes(pass: &mut Pass, msgs: &[Message], passes: u32) -> u64 {
    let mut sum = 0u64;
    for _ in 0..passes {
        sum = sum.wrapping_add(pass(msgs));
    }
    sum
}

/// Writes a JSON Lines log of `messages` messages over `conversations` direct conversations
/// (corpus texts and metadata, ids remapped, time rising), for `vigil scan`'s peak memory.
fn gen_log(args: &[String]) -> Result<(), String> {
    let path = args.first().ok_or(format!("gen-log needs a FILE\n{USAGE}"))?;
    let messages: usize = args
        .get(1)
        .map_or(Ok(1_000_000), |v| v.parse())
        .map_err(|e| format!("{e}"))?;
    let conversations: usize = args
        .get(2)
        .map_or(Ok(100_000), |v| v.parse())
        .map_err(|e| format!("{e}"))?;
    let corpus = mixes::corpus();
    let file = std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?;
    let mut out = std::io::BufWriter::new(file);
    let mut rng = mixes::Rng::new(5);
    let t0 = 1_790_000_000_000i64;
    for i in 0..messages {
        let src = &corpus[i % corpus.len()];
        let c = rng.below(conversations.max(1));
        let from_a = rng.below(2) == 0;
        let mut m = src.clone();
        m.conversation_id = format!("conv-{c}");
        m.message_id = format!("m-{i}");
        m.timestamp = vigil::Timestamp::from_millis(t0 + i as i64 * 250);
        let (s, r) = if from_a { ("a", "b") } else { ("b", "a") };
        m.sender.id = format!("u-{c}-{s}");
        let mut rcpt = src.recipient.clone().unwrap_or_else(|| src.sender.clone());
        rcpt.id = format!("u-{c}-{r}");
        m.recipient = Some(rcpt);
        m.channel = vigil::Channel::Direct.into();
        let line = serde_json::to_string(&m).map_err(|e| e.to_string())?;
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    eprintln!("wrote {messages} messages over {conversations} conversations to {path}");
    Ok(())
}

/// FNV-1a, for fingerprints.
fn fnv(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// A fingerprint of Vigil's behaviour on every mix: the normalized views and their offset maps
/// under ten option sets, and the exact observations of a tracker. Run it before and after a
/// change to the hot path; the lines must be equal.
fn digest(args: &[String]) -> Result<(), String> {
    let full = args.iter().any(|a| a == "--full");
    let layers: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let policy = if layers.is_empty() {
        Policy::shipped().map_err(|e| e.to_string())?
    } else {
        let mut b = Policy::builder();
        for l in layers {
            let text = std::fs::read_to_string(l).map_err(|e| format!("{l}: {e}"))?;
            b = b.add_toml(l, &text).map_err(|e| e.to_string())?;
        }
        b.build().map_err(|e| e.to_string())?
    };
    let engine = Arc::new(Engine::new(policy).map_err(|e| e.to_string())?);
    let corpus = mixes::corpus();
    let mut sets: Vec<(String, Vec<Message>)> = mixes::all(&corpus)
        .into_iter()
        .map(|m| (m.name.to_string(), m.messages))
        .collect();
    for len in [20, 256, 4096] {
        sets.push((format!("length-{len}"), mixes::of_length(&corpus, len)));
    }
    let mut options = vec![("default".to_string(), NormalizeOptions::default())];
    for (i, step) in STEPS.iter().enumerate() {
        let mut bits = [true; 8];
        bits[i] = false;
        options.push((format!("{step}-off"), from_bits(bits)));
    }
    options.push(("all-off".into(), from_bits([false; 8])));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for (name, msgs) in &sets {
        for (oname, opts) in &options {
            let n = Normalizer::new(*opts);
            for mode in [Mode::Terms, Mode::Patterns] {
                let mut h = 0xcbf2_9ce4_8422_2325u64;
                let mut norm = Normalized::new();
                for m in msgs {
                    n.normalize_into(&m.text, mode, &mut norm);
                    let s = norm.as_str();
                    let mut line = format!("{s:?}");
                    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                    for w in bounds.windows(2) {
                        if let Some(r) = norm.original_span(w[0]..w[1]) {
                            line.push_str(&format!(" {}-{}", r.start, r.end));
                        }
                    }
                    h = fnv(h, line.as_bytes());
                    if full {
                        let _ = writeln!(out, "normalize {name} {oname} {mode:?} {line}");
                    }
                }
                let _ = writeln!(out, "normalize {name} {oname} {mode:?} {h:016x}");
            }
        }
        let mut tracker = Tracker::new(engine.clone());
        let mut scratch = Scratch::new();
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for m in msgs {
            let a = serde_json::to_string(&engine.assess_with(m, &mut scratch)).unwrap_or_default();
            let o = tracker.observe(m).to_json();
            h = fnv(fnv(h, a.as_bytes()), o.as_bytes());
            if full {
                let _ = writeln!(out, "assess {name} {a}\nobserve {name} {o}");
            }
        }
        let _ = writeln!(out, "observe {name} {h:016x} {:?}", tracker.stats());
    }
    Ok(())
}

fn from_bits(b: [bool; 8]) -> NormalizeOptions {
    NormalizeOptions {
        nfkc: b[0],
        case_fold: b[1],
        strip_diacritics: b[2],
        confusables: b[3],
        leetspeak: b[4],
        strip_invisible: b[5],
        join_spaced_letters: b[6],
        collapse_repeats: b[7],
    }
}
