//! Bundle loading (`Engine::from_bundle`): arbitrary bytes, arbitrary payloads behind a valid
//! header and checksum, and a real bundle with bytes changed (then re-checksummed) or cut.
//! Checks: loading never panics; a refusal has a printable error; an accepted bundle gives an
//! engine whose observations are sound.
//!
//! The first input byte picks the mode, so raw bundles make good seeds (`fuzz/seeds/bundle`):
//! 0 — the rest as it is; 1 — the rest as a payload behind a valid header and checksum;
//! 2 — the small policy's bundle with (position: u16, xor: u8) changes from the rest,
//! re-checksummed, cut at the position of the last two bytes if there is an odd triple left.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use vigil::bundle::{FORMAT_VERSION, MAGIC, VIGIL_VERSION};
use vigil::{AgeBand, Engine, Tracker};
use vigil_fuzz::{check_observation, dm, small};

const MINOR: AgeBand = AgeBand::Minor;
const ADULT: AgeBand = AgeBand::Adult;

/// The small policy's bundle and where its payload starts.
fn base() -> &'static (Vec<u8>, usize) {
    static B: OnceLock<(Vec<u8>, usize)> = OnceLock::new();
    B.get_or_init(|| {
        let bytes = small().policy().to_bundle().expect("the fuzz policy compiles");
        let v = usize::from(bytes[10]);
        let h = usize::from(bytes[11 + v]);
        (bytes, 12 + v + h + 8 + 4)
    })
}

/// A whole bundle of this version around a payload, with the small policy's hash.
fn wrap(payload: &[u8]) -> Vec<u8> {
    let hash = small().policy().hash();
    let mut out = Vec::with_capacity(64 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    for s in [VIGIL_VERSION, hash] {
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    }
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// CRC-32 (IEEE), as the bundle header uses; written out so the target needs no extra crate.
fn crc32(data: &[u8]) -> u32 {
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

// Compile the small policy and its bundle before the first input.
fuzz_target!(init: {
        base();
    }, |data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = match mode % 3 {
        0 => rest.to_vec(),
        1 => wrap(rest),
        _ => {
            let (bundle, at) = base();
            let mut payload = bundle[*at..].to_vec();
            let mut chunks = rest.chunks_exact(3);
            for c in chunks.by_ref().take(16) {
                if !payload.is_empty() {
                    let i = usize::from(u16::from_le_bytes([c[0], c[1]])) % payload.len();
                    payload[i] ^= c[2];
                }
            }
            let mut b = wrap(&payload);
            if let [x, y] = chunks.remainder() {
                b.truncate(usize::from(u16::from_le_bytes([*x, *y])) % (b.len() + 1));
            }
            b
        }
    };
    match Engine::from_bundle(&bytes) {
        Err(e) => {
            let _ = e.to_string();
            assert!(e.offset() <= bytes.len() as u64, "offset past the end: {e}");
        }
        Ok(engine) => {
            let engine = Arc::new(engine);
            let mut t = Tracker::new(engine.clone());
            let msgs = [
                dm("c1", "n1", 1, ("g", ADULT), ("k1", MINOR), "our secret, erase messages"),
                dm("c1", "n2", 2, ("g", ADULT), ("k1", MINOR), "or i will share, im 12"),
                dm("c2", "n3", 3, ("k2", MINOR), ("g", ADULT), "héllo ĉhat 你好 hotel 12"),
            ];
            for m in &msgs {
                let _ = engine.assess(m);
                let obs = t.observe(m);
                check_observation(&engine, m, &obs);
            }
        }
    }
});
