//! `vigil`: the command line for trust-and-safety teams.

use std::fs;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand};
use vigil::{Engine, Level, Message, Policy, Tracker};

/// Spot potential grooming of children in chat conversations, with evidence for moderators.
#[derive(Parser)]
#[command(name = "vigil", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan messages (JSON Lines) and print escalations as JSON Lines.
    ///
    /// Examples:
    ///   vigil scan examples/sample-conversation.jsonl
    ///   cat chat.jsonl | vigil scan - --policy acme-overrides.toml
    ///   vigil scan chat.jsonl --all > observations.jsonl
    #[command(verbatim_doc_comment)]
    Scan(ScanArgs),
    /// Validate policy layers and run their examples.
    ///
    /// Examples:
    ///   vigil policy test
    ///   vigil policy test --policy acme-overrides.toml
    #[command(verbatim_doc_comment)]
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Load, merge and compile the layers; report the first error with its location.
    Check(PolicyArgs),
    /// Like `check`, then run every rule's examples.
    Test(PolicyArgs),
}

#[derive(Args, Clone)]
struct PolicyArgs {
    /// A policy layer (TOML or JSON) loaded after the shipped packs; repeat for more.
    #[arg(long = "policy", short = 'p', value_name = "FILE")]
    policies: Vec<PathBuf>,
    /// Do not load the shipped packs: the `--policy` files are the whole policy.
    #[arg(long)]
    no_default_packs: bool,
}

#[derive(Args)]
struct ScanArgs {
    /// Messages as JSON Lines; `-` for standard input.
    #[arg(default_value = "-")]
    input: String,
    #[command(flatten)]
    policy: PolicyArgs,
    /// Print every observation, not only escalations.
    #[arg(long)]
    all: bool,
    /// Stop at the first malformed line instead of reporting and skipping it.
    #[arg(long)]
    strict: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => scan(args),
        Command::Policy { command } => policy(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vigil: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn load_policy(args: &PolicyArgs) -> Result<Policy> {
    let mut builder = Policy::builder();
    if !args.no_default_packs {
        builder = builder.add_shipped()?;
    }
    for path in &args.policies {
        let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        builder = builder.add_source(&path.display().to_string(), &text)?;
    }
    Ok(builder.build()?)
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let started = Instant::now();
    let engine = Arc::new(Engine::new(load_policy(&args.policy)?)?);
    let mut tracker = Tracker::new(engine);
    let reader: Box<dyn BufRead> = if args.input == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = fs::File::open(&args.input).with_context(|| format!("cannot open {}", args.input))?;
        Box::new(io::BufReader::new(file))
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let (mut messages, mut bad, mut escalations) = (0u64, 0u64, [0u64; 3]);
    let mut conversations = std::collections::HashSet::new();
    for (i, line) in reader.lines().enumerate() {
        let n = i as u64 + 1;
        let line = line.with_context(|| format!("{}: cannot read line {n}", args.input))?;
        if line.trim().is_empty() {
            continue;
        }
        let msg = match Message::from_json(&line) {
            Ok(m) => m,
            Err(e) => {
                let e = e.at_line(n);
                if args.strict {
                    anyhow::bail!("{}: {e}", args.input);
                }
                eprintln!("vigil: {}: {e} (skipped)", args.input);
                bad += 1;
                continue;
            }
        };
        messages += 1;
        conversations.insert(msg.conversation_id.clone());
        let obs = tracker.observe(&msg);
        if let Some(e) = &obs.escalation {
            escalations[level_index(e.level)] += 1;
        }
        if args.all {
            serde_json::to_writer(&mut out, &obs)?;
            out.write_all(b"\n")?;
        } else if let Some(e) = &obs.escalation {
            serde_json::to_writer(&mut out, e)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    eprintln!(
        "vigil: {messages} messages, {} conversations, {} escalations (watch {}, review {}, urgent {}), {bad} malformed lines skipped, {:.2?}",
        conversations.len(),
        escalations.iter().sum::<u64>(),
        escalations[0],
        escalations[1],
        escalations[2],
        started.elapsed()
    );
    Ok(if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn level_index(l: Level) -> usize {
    match l {
        Level::Watch => 0,
        Level::Review => 1,
        Level::Urgent => 2,
    }
}

fn policy(cmd: PolicyCommand) -> Result<ExitCode> {
    let (args, run_examples) = match cmd {
        PolicyCommand::Check(a) => (a, false),
        PolicyCommand::Test(a) => (a, true),
    };
    let policy = load_policy(&args)?;
    let engine = Engine::new(policy)?;
    let p = engine.policy();
    println!(
        "policy {} {} ({}): {} stages, {} categories, {} rules, {} modifiers",
        p.id(),
        p.version(),
        p.hash(),
        p.stages().len(),
        p.categories().len(),
        p.rules().len(),
        p.modifiers().len()
    );
    if !run_examples {
        return Ok(ExitCode::SUCCESS);
    }
    let total: usize = p
        .rules()
        .iter()
        .filter(|r| r.enabled)
        .map(|r| r.examples.hit.len() + r.examples.miss.len())
        .sum();
    let failures = engine.check_examples();
    for f in &failures {
        let what = if f.expected_hit {
            "should match but did not"
        } else {
            "should not match but did"
        };
        println!("FAIL {}: {:?} {what}\n     at {}", f.rule, f.text, f.location);
    }
    println!(
        "examples: {} passed, {} failed",
        total - failures.len(),
        failures.len()
    );
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
