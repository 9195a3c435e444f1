//! End-to-end tests of the `vigil` command: every command, run as a user would, with snapshots of
//! what they print (cli/tests/snapshots/). Snapshots use the small fixture policy in
//! cli/tests/fixtures/ (the shipped packs keep growing); the shipped packs and the examples are
//! checked with assertions that do not depend on exact scores.
//!
//! Update snapshots after an intended change with `INSTA_UPDATE=always cargo test -p vigil-cli`
//! and review the diff.

mod diff;
mod draft;
mod eval;
mod explain;
mod help;
mod inputs;
mod policy;
mod report;
mod scan;

use assert_cmd::Command;

/// The repository root: commands run there, so paths in outputs are stable and relative.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

pub fn vigil() -> Command {
    let mut c = Command::cargo_bin("vigil").unwrap();
    c.current_dir(root());
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

/// `--no-default-packs --policy cli/tests/fixtures/policy.toml`.
pub const FIXTURE: [&str; 3] = ["--no-default-packs", "--policy", "cli/tests/fixtures/policy.toml"];
pub const CHAT: &str = "cli/tests/fixtures/chat.jsonl";
/// The fixture policy with its indicators layer (`[indicators] enabled`, two report fields).
pub const WITH_INDICATORS: [&str; 5] = [
    "--no-default-packs",
    "--policy",
    "cli/tests/fixtures/policy.toml",
    "--policy",
    "cli/tests/fixtures/indicators.toml",
];
/// A conversation that names a handle (twice), a wallet, a cashtag and a phone number.
pub const INDICATORS_CHAT: &str = "cli/tests/fixtures/indicators.jsonl";
pub const LABELS: &str = "cli/tests/fixtures/labels.jsonl";

pub fn stdout(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

pub fn stderr(out: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(out.get_output().stderr.clone()).unwrap()
}

/// Replaces what may change without the behaviour changing: policy hashes and the version.
pub fn redact(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("sha256:") {
        out.push_str(&rest[..i + 7]);
        let after = &rest[i + 7..];
        let n = after.chars().take_while(|c| c.is_ascii_hexdigit()).count();
        out.push_str(if n == 64 { "[hash]" } else { &after[..n] });
        rest = &after[n..];
    }
    out.push_str(rest);
    out.replace(&format!("vigil {}", env!("CARGO_PKG_VERSION")), "vigil [version]")
}

/// Snapshot assertion with snapshots in cli/tests/snapshots/.
#[macro_export]
macro_rules! snap {
    ($name:expr, $value:expr) => {{
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path("../snapshots");
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!($name, $crate::redact(&$value)));
    }};
}
