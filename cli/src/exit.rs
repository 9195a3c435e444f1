//! How the command ends: exit codes (as documented in `--help` and docs/cli.md) and the errors not
//! worth reporting.

use std::io;
use std::process::ExitCode;

/// Success.
pub const OK: u8 = 0;
/// Input problems (malformed lines skipped), failed examples, warnings with
/// `--deny-warnings`, unmet eval gates.
pub const PROBLEMS: u8 = 1;
/// Usage, policy or fatal input errors.
pub const ERROR: u8 = 2;
/// `scan --fail-on LEVEL`: an escalation at or above LEVEL.
pub const FOUND: u8 = 3;

/// The exit-code section of `--help`.
pub const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  input problems (malformed lines reported and skipped), failed policy examples,
     lint warnings with --deny-warnings, eval gates (--min-recall, --max-benign-rate) not met
  2  usage, policy or fatal input errors (unreadable file, malformed line with --strict)
  3  scan --fail-on LEVEL: an escalation at or above LEVEL was found";

/// Exit code from a number.
pub fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}

/// Whether an error is a closed pipe (`vigil scan … | head`): not worth reporting.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
