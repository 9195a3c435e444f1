//! Committed snapshots of every format version (`tests/fixtures/snapshots/`, see its README)
//! restore in this build, and the restored tracker carries on like the tracker that wrote them.
//!
//! For each format version `N` up to [`FORMAT_VERSION`] there are two fixtures, written once by
//! the build that introduced the version and never rewritten:
//!
//! * `vN-tracker.bin`: [`Tracker::snapshot`] of a tracker on the shipped packs that observed
//!   `messages.jsonl`;
//! * `vN-conversation.bin`: [`Tracker::snapshot_conversation`] of conversation `sample-1` of
//!   that tracker.
//!
//! Each restores into a tracker on the shipped packs, which then observes `continue.jsonl` (only
//! the `sample-1` messages for a conversation snapshot). When this build replays
//! `messages.jsonl` into exactly the state a fixture holds (same packs, same detection, same
//! encoding), the restored tracker must observe exactly what the replayed one does, and its own
//! snapshot must be the fixture's bytes. In every build its observations must match
//! `vN-*.continue.jsonl`, recorded from the restored tracker; when the packs or the detection
//! change on purpose, re-record them with `VIGIL_BLESS=1 cargo test -p vigil --test
//! snapshot_fixtures` (as for the golden vectors). Blessing writes the fixtures of the current
//! format version only when they are missing: a committed `.bin` is never rewritten.
//!
//! That the encoding of an existing version stays byte-for-byte the same, whatever the packs, is
//! checked by the unit tests of `snapshot` (decoding a fixture and encoding it again).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use vigil::snapshot::FORMAT_VERSION;
use vigil::{Engine, Message, Tracker};

/// The conversation of the `vN-conversation.bin` fixtures.
const CONVERSATION: &str = "sample-1";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/snapshots")
}

fn engine() -> Arc<Engine> {
    static E: OnceLock<Arc<Engine>> = OnceLock::new();
    E.get_or_init(|| Arc::new(Engine::default())).clone()
}

fn bless() -> bool {
    std::env::var_os("VIGIL_BLESS").is_some()
}

fn messages(file: &str) -> Vec<Message> {
    let text = fs::read_to_string(dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    vigil::jsonl::parse(&text)
        .map(|m| m.unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

/// A tracker on the shipped packs that observed `messages.jsonl`: the writer of the fixtures,
/// as this build replays it.
fn writer() -> Tracker {
    let mut t = Tracker::new(engine());
    for m in messages("messages.jsonl") {
        t.observe(&m);
    }
    t
}

/// The observations of `continue.jsonl` (of one conversation, or all), as JSON lines, followed by
/// the tracker's counters and size.
fn carry_on(t: &mut Tracker, only: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = messages("continue.jsonl")
        .iter()
        .filter(|m| only.is_none_or(|c| m.conversation_id == c))
        .map(|m| t.observe(m).to_json())
        .collect();
    out.push(format!(
        "{{\"len\":{},\"stats\":{}}}",
        t.len(),
        serde_json::to_string(&t.stats()).unwrap()
    ));
    out
}

/// Compares with (or, blessing, writes) the recorded continuation of a fixture.
fn check_recorded(name: &str, got: &[String]) {
    let path = dir().join(format!("{name}.continue.jsonl"));
    if bless() {
        let text: String = got.iter().map(|l| format!("{l}\n")).collect();
        fs::write(&path, text).unwrap();
        return;
    }
    let want = fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with VIGIL_BLESS=1", path.display()));
    let want: Vec<&str> = want.lines().collect();
    assert_eq!(got.len(), want.len(), "{name}: number of lines");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "{name}: line {} of the continuation differs", i + 1);
    }
}

/// Reads a fixture; blessing, first writes a missing one of the current version.
fn fixture(version: u16, kind: &str, write: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    let path = dir().join(format!("v{version}-{kind}.bin"));
    if bless() && version == FORMAT_VERSION && !path.exists() {
        fs::write(&path, write()).unwrap();
    }
    fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}. Every format version needs committed fixtures (write them with VIGIL_BLESS=1)",
            path.display()
        )
    })
}

#[test]
fn tracker_fixtures_of_every_version_restore_and_carry_on() {
    let live = writer().snapshot();
    for version in 1..=FORMAT_VERSION {
        let name = format!("v{version}-tracker");
        let bytes = fixture(version, "tracker", || live.clone());
        assert_eq!(
            u16::from_le_bytes([bytes[8], bytes[9]]),
            version,
            "{name}: version field"
        );
        let mut restored = Tracker::new(engine());
        restored
            .restore(&bytes)
            .unwrap_or_else(|e| panic!("{name} does not restore: {e}"));
        assert!(!restored.is_empty(), "{name}: restored nothing");
        if bytes == live {
            // This build writes exactly this fixture: it must also read it back exactly, and
            // carry on exactly like the tracker that wrote it.
            assert_eq!(
                restored.snapshot(),
                bytes,
                "{name}: restored state snapshots differently"
            );
            let mut w = writer();
            assert_eq!(
                carry_on(&mut restored, None),
                carry_on(&mut w, None),
                "{name}: the restored tracker carries on differently from the writer"
            );
            restored = Tracker::new(engine());
            restored.restore(&bytes).unwrap();
        }
        check_recorded(&name, &carry_on(&mut restored, None));
    }
}

#[test]
fn conversation_fixtures_of_every_version_restore_and_carry_on() {
    let live = writer().snapshot_conversation(CONVERSATION);
    for version in 1..=FORMAT_VERSION {
        let name = format!("v{version}-conversation");
        let bytes = fixture(version, "conversation", || live.clone());
        assert_eq!(
            u16::from_le_bytes([bytes[8], bytes[9]]),
            version,
            "{name}: version field"
        );
        let mut restored = Tracker::new(engine());
        restored
            .restore_conversation(&bytes)
            .unwrap_or_else(|e| panic!("{name} does not restore: {e}"));
        assert!(!restored.is_empty(), "{name}: restored nothing");
        // A conversation snapshot restores as a whole snapshot too (same format).
        let mut whole = Tracker::new(engine());
        whole
            .restore(&bytes)
            .unwrap_or_else(|e| panic!("{name} does not restore: {e}"));
        assert_eq!(whole.len(), restored.len(), "{name}");
        if bytes == live {
            assert_eq!(
                restored.snapshot_conversation(CONVERSATION),
                bytes,
                "{name}: restored state snapshots differently"
            );
            // The writer's own observations of the conversation's further messages.
            let mut w = writer();
            let mut mine = carry_on(&mut restored, Some(CONVERSATION));
            let mut theirs = carry_on(&mut w, Some(CONVERSATION));
            // Counters and size cover the writer's other conversations too.
            mine.pop();
            theirs.pop();
            assert_eq!(
                mine, theirs,
                "{name}: the restored conversation carries on differently from the writer"
            );
            restored = Tracker::new(engine());
            restored.restore_conversation(&bytes).unwrap();
        }
        check_recorded(&name, &carry_on(&mut restored, Some(CONVERSATION)));
    }
}
