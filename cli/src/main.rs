//! `vigil`: the command line for trust-and-safety teams.
//!
//! A thin front end: argument parsing, I/O and rendering. Everything it computes (scores,
//! explanations, lints, metrics, policy diffs) comes from the `vigil` crate.

mod diff;
mod draft;
mod eval;
mod exit;
mod explain;
mod input;
mod policy;
mod report;
mod scan;
mod style;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use exit::EXIT_CODES;

/// Spot potential grooming of children in chat conversations, with evidence for moderators.
///
/// Messages are JSON Lines, one message per line: {"conversation_id", "message_id",
/// "timestamp", "sender": {"id", "age_band"}, "recipient": {...}, "channel", "relationship",
/// "text"}. Every command uses the shipped policy packs plus any --policy layers.
#[derive(Parser, Debug)]
#[command(name = "vigil", version, about, after_help = EXIT_CODES)]
struct Cli {
    /// When to use colours (`auto`: on a terminal, unless NO_COLOR is set)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,
    #[command(subcommand)]
    command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan messages and print escalations (or every observation) as JSON Lines or text
    ///
    /// Files, gzip-compressed files and directories are read in order by one tracker, so
    /// conversations carry on across files. A summary goes to standard error: messages,
    /// conversations, escalations by level and by category, malformed lines, time taken.
    /// Malformed lines are reported with their file and line number and skipped (exit 1), or
    /// fatal with --strict (exit 2).
    #[command(after_help = "Examples:
  vigil scan examples/sample-conversation.jsonl
  vigil scan export/*.jsonl.gz
  vigil scan export/ --format pretty
  vigil scan chat.jsonl --format pretty --min-level review
  cat chat.jsonl | vigil scan - --policy acme-overrides.toml
  vigil scan chat.jsonl --all > observations.jsonl
  vigil scan chat.jsonl --quiet --fail-on urgent || echo \"urgent case found\"
  vigil scan chat.jsonl --scope sender --format pretty

Exit codes: 0 ok · 1 malformed lines skipped · 2 usage, policy or fatal input error ·
3 an escalation at or above --fail-on")]
    Scan(scan::ScanArgs),
    /// Explain a decision: normalized text, rule hits with highlighted spans, the score's
    /// arithmetic, decay and levels
    ///
    /// With --text, explains one message on its own (metadata from the flags). With files or
    /// directories, replays the conversation through a tracker and explains every message: decay
    /// since the key's previous message, category points before and after, stage bonus, risk and
    /// level — and, where a message raises a sender escalation, the sender's arithmetic across
    /// their conversations.
    #[command(after_help = "Examples:
  vigil explain --text \"d0n'7 t e l l ur mom we talk\" --sender adult --recipient minor
  vigil explain --text \"add me on snap\" --relationship stranger --account-age-days 3 --json
  vigil explain examples/sample-conversation.jsonl
  vigil explain chat.jsonl --conversation c-17 --message m-8
  vigil explain day-1.jsonl.gz day-2.jsonl.gz --conversation c-17")]
    Explain(explain::ExplainArgs),
    /// Validate, lint and test policy layers
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
    /// Measure a policy on labelled conversations: recall, benign escalation rate, detection
    /// latency, per category and language
    ///
    /// Detected means the conversation's highest level (over all its sender → recipient keys)
    /// reached --threshold. Latency counts the messages from the label's first_risky_message_id
    /// through the message that reached it (1 = at once). With --benign there are no labels:
    /// every conversation is benign, and it reports the false alarms — conversations at the
    /// threshold and at urgent, escalations per 10,000 messages, the rules behind them.
    #[command(after_help = "Examples:
  vigil eval --messages corpus.jsonl --labels labels.jsonl
  vigil eval -m tests/corpus/??.jsonl -l tests/corpus/*.labels.jsonl
  vigil eval -m corpus.jsonl -l labels.jsonl --policy acme.toml --json > eval.json
  vigil eval -m corpus.jsonl -l labels.jsonl --min-recall 0.9 --max-benign-rate 0.02
  vigil eval --benign -m real-chat.jsonl --top-rules 30

Labels (JSON Lines):
  {\"conversation_id\": \"c-17\", \"label\": \"grooming\", \"first_risky_message_id\": \"m-3\", \"language\": \"en\"}
  {\"conversation_id\": \"c-18\", \"label\": \"benign\"}")]
    Eval(eval::EvalArgs),
    /// Compare two policy versions on the same messages: which conversations change level, and
    /// why
    ///
    /// Policy A is the shipped packs plus the --policy layers, policy B the shipped packs plus the
    /// --policy-b layers. Prints how the policies differ, then every conversation whose highest
    /// level changed with the rules, weights and modifiers that made the difference.
    #[command(after_help = "Examples:
  vigil diff --policy-b acme-v2.toml chat.jsonl
  vigil diff --policy acme-v1.toml --policy-b acme-v2.toml chat.jsonl --json
  vigil diff --policy-b acme-v2.toml tests/corpus/??.jsonl
  vigil diff --policy-b acme-v2.toml export/")]
    Diff(diff::DiffArgs),
    /// Write a self-contained HTML case file for moderators
    ///
    /// The conversation with highlighted evidence, reasons, levels, the stage timeline and a
    /// risk-over-time chart, in one file with no external resources. With sender cases, a section
    /// per sender: the arithmetic, the action, and a chart for each of their conversations. Message text is blurred
    /// until clicked (or the switch is turned on), for moderators' wellbeing.
    ///
    /// With --draft, writes instead a hotline report draft of one reviewed case (a conversation
    /// or a sender case at review or above, confirmed by a named reviewer): a CyberTipline-shaped
    /// report (XML, or JSON of the same structure) or a neutral case export. Fields only the
    /// platform knows hold TO_BE_COMPLETED. Nothing is ever sent.
    #[command(after_help = "Examples:
  vigil report examples/sample-conversation.jsonl -o case.html
  vigil report chat.jsonl --conversation c-17 -o c-17.html
  vigil report chat.jsonl --min-level review --no-blur -o review-queue.html
  vigil report export/ --conversation c-17 -o c-17.html
  vigil report chat.jsonl --draft cybertipline --conversation c-17 \\
      --reviewed-by mod-7 --decision confirmed --platform ExampleChat -o c-17.xml
  vigil report chat.jsonl --draft case-export --case sender-3f2a9c0d1e4b5a67 \\
      --reviewed-by mod-7 --decision confirmed -o case.json")]
    Report(report::ReportArgs),
    /// Print a shell completion script
    #[command(after_help = "Examples:
  vigil completions bash > ~/.local/share/bash-completion/completions/vigil
  vigil completions zsh > ~/.zfunc/_vigil
  vigil completions fish > ~/.config/fish/completions/vigil.fish
  vigil completions powershell >> $PROFILE")]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: Shell,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.color {
        ColorWhen::Auto => {}
        ColorWhen::Always => anstream::ColorChoice::Always.write_global(),
        ColorWhen::Never => anstream::ColorChoice::Never.write_global(),
    }
    let result = match cli.command {
        Command::Scan(a) => scan::run(a),
        Command::Explain(a) => explain::run(a),
        Command::Policy(c) => policy::run(c),
        Command::Eval(a) => eval::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Report(a) => report::run(a),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "vigil", &mut std::io::stdout());
            Ok(exit::code(exit::OK))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if exit::is_broken_pipe(&e) => exit::code(exit::OK),
        Err(e) => {
            eprintln!("vigil: {e:#}");
            exit::code(exit::ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
