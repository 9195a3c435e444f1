//! `vigil policy check|test|show|compile`: validate layers, lint them, run their examples, compile
//! them into a bundle.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use serde::Serialize;
use vigil::lint::LintWarning;
use vigil::{Engine, ExampleFailure};

use crate::exit;
use crate::input::PolicyArgs;
use crate::style::{paint, BAD, BOLD, DIM, GOOD, WARN};

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Load, merge and compile the layers, then lint them
    ///
    /// Errors are printed as `file:line:col: error: …` (exit 2); lint warnings as
    /// `file:line:col: warning[kind]: …` (exit 0, or 1 with --deny-warnings).
    ///
    /// Lints: duplicate-term (two terms normalize to the same thing), unmatchable-term (a term
    /// that can never fire), inner-wildcard, unmatchable-pattern (characters normalization
    /// removes, empty matches), shadowed-rule (never fires without a heavier rule of its
    /// category), inert-rule, unused-category, unused-stage, unknown-word (a `when` names a
    /// channel or relationship word that is neither a kind nor mapped), and with --vocabulary
    /// unmapped-word (a word of the platform's vocabulary no layer maps).
    #[command(after_help = "Examples:
  vigil policy check
  vigil policy check --policy acme-overrides.toml --deny-warnings
  vigil policy check --no-default-packs --policy my-pack.toml --json
  vigil policy check --policy acme.toml --vocabulary acme-vocabulary.toml")]
    Check(CheckArgs),
    /// Like `check`, then run every enabled rule's examples (`hit` must match, `miss` must not)
    #[command(after_help = "Examples:
  vigil policy test
  vigil policy test --policy acme-overrides.toml")]
    Test(CheckArgs),
    /// Print the merged policy as JSON (what the policy hash covers)
    #[command(after_help = "Examples:
  vigil policy show --policy acme-overrides.toml > resolved.json")]
    Show(ShowArgs),
    /// Compile the policy into a bundle file that loads without parsing or normalizing
    ///
    /// The bundle holds the resolved policy, its terms already normalized and its patterns
    /// rewritten; `--bundle FILE` on the other commands (and `Engine::from_bundle` in the SDKs)
    /// loads it. A bundle is tied to the Vigil version that wrote it: compile it again after
    /// upgrading.
    #[command(after_help = "Examples:
  vigil policy compile -o vigil.bundle
  vigil policy compile --policy acme-overrides.toml -o acme.bundle
  vigil scan --bundle acme.bundle chat.jsonl")]
    Compile(CompileArgs),
}

#[derive(Args, Debug)]
pub struct CompileArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Where to write the bundle
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: std::path::PathBuf,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
    /// Exit with code 1 when there are lint warnings
    #[arg(long)]
    pub deny_warnings: bool,
    /// Do not print lint warnings
    #[arg(long)]
    pub no_lint: bool,
    /// Print the result as JSON
    #[arg(long)]
    pub json: bool,
    /// The platform's own metadata words, to check that the policy maps each: a TOML or JSON
    /// file with `channel = [...]` and `relationship = [...]` (see docs/policies.md)
    #[arg(long, value_name = "FILE")]
    pub vocabulary: Option<std::path::PathBuf>,
}

/// Reads a vocabulary file: JSON when it ends in `.json` or starts with `{`, else TOML.
fn read_vocabulary(path: &std::path::Path) -> Result<vigil::lint::Vocabulary> {
    let name = path.display();
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {name}"))?;
    let json = path.extension().is_some_and(|e| e == "json") || text.trim_start().starts_with('{');
    if json {
        serde_json::from_str(&text).with_context(|| format!("{name}: not a vocabulary"))
    } else {
        toml::from_str(&text).with_context(|| format!("{name}: not a vocabulary"))
    }
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    #[command(flatten)]
    pub policy: PolicyArgs,
}

#[derive(Serialize)]
struct Summary<'a> {
    policy: vigil::PolicyRef,
    stages: usize,
    categories: usize,
    rules: usize,
    rules_enabled: usize,
    modifiers: usize,
    warnings: &'a [LintWarning],
    #[serde(skip_serializing_if = "Option::is_none")]
    examples: Option<Examples<'a>>,
}

#[derive(Serialize)]
struct Examples<'a> {
    passed: usize,
    failed: usize,
    failures: &'a [ExampleFailure],
}

pub fn run(cmd: PolicyCommand) -> Result<ExitCode> {
    let (args, run_examples) = match cmd {
        PolicyCommand::Check(a) => (a, false),
        PolicyCommand::Test(a) => (a, true),
        PolicyCommand::Show(a) => {
            let p = a.policy.load()?;
            let mut out = anstream::stdout().lock();
            writeln!(out, "{}", p.to_json())?;
            return Ok(exit::code(exit::OK));
        }
        PolicyCommand::Compile(a) => {
            let p = a.policy.load()?;
            let bytes = p
                .to_bundle()
                .map_err(|e| anyhow::anyhow!(crate::input::policy_error(&e)))?;
            std::fs::write(&a.output, &bytes)
                .with_context(|| format!("cannot write {}", a.output.display()))?;
            let mut err = anstream::stderr().lock();
            writeln!(
                err,
                "{} {} ({} bytes, policy {})",
                paint(GOOD, "wrote"),
                a.output.display(),
                bytes.len(),
                p.hash()
            )?;
            return Ok(exit::code(exit::OK));
        }
    };
    let engine: std::sync::Arc<Engine> = args.policy.engine()?;
    let p = engine.policy();
    let mut warnings = if args.no_lint {
        Vec::new()
    } else {
        vigil::lint::lint(p)
    };
    if let Some(path) = &args.vocabulary {
        let vocabulary = read_vocabulary(path)?;
        warnings.extend(vigil::lint::lint_vocabulary(
            p,
            &vocabulary,
            &path.display().to_string(),
        ));
    }
    let failures = if run_examples {
        engine.check_examples()
    } else {
        Vec::new()
    };
    let view = p.view();
    let total: usize = view
        .rules()
        .filter(|r| r.enabled())
        .map(|r| r.hit_examples().len() + r.miss_examples().len())
        .sum();
    let mut out = anstream::stdout().lock();
    if args.json {
        let s = Summary {
            policy: vigil::PolicyRef::from(p),
            stages: view.stages().len(),
            categories: view.categories().len(),
            rules: view.rules().len(),
            rules_enabled: view.rules().filter(|r| r.enabled()).count(),
            modifiers: view.modifiers().len(),
            warnings: &warnings,
            examples: run_examples.then_some(Examples {
                passed: total.saturating_sub(failures.len()),
                failed: failures.len(),
                failures: &failures,
            }),
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&s)?)?;
    } else {
        let mut err = anstream::stderr().lock();
        for w in &warnings {
            writeln!(
                err,
                "{}: {}: {}",
                w.location,
                paint(WARN, format!("warning[{}]", w.kind)),
                w.message
            )?;
        }
        writeln!(
            out,
            "policy {} {} ({}): {} stages, {} categories, {} rules ({} enabled), {} modifiers",
            paint(BOLD, p.id()),
            p.version(),
            paint(DIM, p.hash()),
            view.stages().len(),
            view.categories().len(),
            view.rules().len(),
            view.rules().filter(|r| r.enabled()).count(),
            view.modifiers().len()
        )?;
        if !args.no_lint {
            let w = if warnings.is_empty() {
                paint(GOOD, "no lint warnings")
            } else {
                paint(WARN, format!("{} lint warnings", warnings.len()))
            };
            writeln!(out, "lint: {w}")?;
        }
        if run_examples {
            for f in &failures {
                let what = if f.expected_hit {
                    "should match but did not"
                } else {
                    "should not match but did"
                };
                writeln!(
                    out,
                    "{} {}: {:?} {what}\n     at {}",
                    paint(BAD, "FAIL"),
                    f.rule,
                    f.text,
                    f.location
                )?;
            }
            writeln!(
                out,
                "examples: {} passed, {} failed",
                total.saturating_sub(failures.len()),
                failures.len()
            )?;
        }
    }
    let code = if !failures.is_empty() || (args.deny_warnings && !warnings.is_empty()) {
        exit::PROBLEMS
    } else {
        exit::OK
    };
    Ok(exit::code(code))
}
