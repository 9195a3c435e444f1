//! Snapshot restore: arbitrary bytes, arbitrary payloads behind a valid header and checksum, and
//! real snapshots with bytes changed (then re-checksummed) or cut. Checks: a rejected snapshot
//! leaves the tracker exactly as it was; an accepted one restores into a tracker that observes
//! further messages soundly, and its own snapshot restores to the same bytes.
#![no_main]

use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use vigil::snapshot::{FORMAT_VERSION, MAGIC};
use vigil::{AgeBand, Tracker};
use vigil_fuzz::{check_observation, dm, small};

#[derive(Arbitrary, Debug)]
enum Input {
    /// Bytes as they are.
    Raw(Vec<u8>),
    /// A payload behind a valid header and checksum.
    Payload(Vec<u8>),
    /// A real snapshot, with (position, xor) changes, re-checksummed, optionally cut.
    Mutated {
        changes: Vec<(u16, u8)>,
        cut: Option<u16>,
        conversation: bool,
    },
}

const MINOR: AgeBand = AgeBand::Minor;
const ADULT: AgeBand = AgeBand::Adult;
const UNKNOWN: AgeBand = AgeBand::Unknown;

/// A tracker with some state: escalated keys, stages, evidence, fan-out, a probable minor.
fn populated() -> Tracker {
    let mut t = Tracker::new(small().clone());
    let script = [
        (
            "c1",
            0,
            ("g", ADULT),
            ("k1", MINOR),
            "hey, don't tell your parents, our secret",
        ),
        ("c1", 1, ("k1", MINOR), ("g", ADULT), "ok"),
        (
            "c1",
            2,
            ("g", ADULT),
            ("k1", MINOR),
            "meet up at hotel 12? delete the chat",
        ),
        ("c2", 3, ("g", ADULT), ("k2", UNKNOWN), "add me on snap"),
        ("c2", 4, ("k2", UNKNOWN), ("g", ADULT), "im 13"),
        (
            "c2",
            5,
            ("g", ADULT),
            ("k2", UNKNOWN),
            "send me a pic or i will share it",
        ),
        ("c3", 6, ("x", UNKNOWN), ("y", UNKNOWN), "hello there"),
    ];
    for (i, (c, m, from, to, text)) in script.into_iter().enumerate() {
        t.observe(&dm(c, &format!("m{i}"), m, from, to, text));
    }
    t
}

fn base() -> &'static (Vec<u8>, Vec<u8>) {
    static B: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    B.get_or_init(|| {
        let t = populated();
        (t.snapshot(), t.snapshot_conversation("c2"))
    })
}

fn wrap(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(22 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast_hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// CRC-32 (IEEE), as the snapshot header uses; written out so the target needs no extra crate.
fn crc32fast_hash(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// Compile the engines before the first input, so libFuzzer's per-input timeout measures
// inputs, not start-up (the shipped packs take seconds to compile under ASan).
fuzz_target!(init: {
        base();
    }, |input: Input| {
    let (bytes, as_conversation) = match input {
        Input::Raw(b) => (b, false),
        Input::Payload(p) => (wrap(&p), false),
        Input::Mutated {
            changes,
            cut,
            conversation,
        } => {
            let (full, conv) = base();
            let src = if conversation { conv } else { full };
            let mut payload = src[22..].to_vec();
            for (at, x) in changes.iter().take(16) {
                if !payload.is_empty() {
                    let i = usize::from(*at) % payload.len();
                    payload[i] ^= *x;
                }
            }
            let mut b = wrap(&payload);
            if let Some(c) = cut {
                b.truncate(usize::from(c) % (b.len() + 1));
            }
            (b, conversation)
        }
    };
    let mut t = populated();
    let before = t.snapshot();
    let result = if as_conversation {
        t.restore_conversation(&bytes)
    } else {
        t.restore(&bytes)
    };
    match result {
        Err(e) => {
            let _ = e.to_string();
            assert_eq!(t.snapshot(), before, "a rejected snapshot changed the tracker");
        }
        Ok(()) => {
            // What was restored snapshots and restores to the same bytes.
            let s1 = t.snapshot();
            let mut t2 = Tracker::new(small().clone());
            t2.restore(&s1).expect("a tracker's own snapshot restores");
            assert_eq!(t2.snapshot(), s1, "snapshot of a restored snapshot differs");
            // And it keeps working.
            let msgs = [
                dm(
                    "c1",
                    "n1",
                    7,
                    ("g", ADULT),
                    ("k1", MINOR),
                    "our secret, erase messages",
                ),
                dm("c2", "n2", 8, ("g", ADULT), ("k2", UNKNOWN), "or i will share"),
                dm("c9", "n3", 9, ("k2", UNKNOWN), ("g", ADULT), "im 12"),
            ];
            for m in &msgs {
                let obs = t.observe(m);
                check_observation(small(), m, &obs);
            }
            assert!(t.len() <= t.capacity());
        }
    }
});
