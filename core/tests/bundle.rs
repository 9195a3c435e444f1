//! Compiled policy bundles: an engine loaded from a bundle observes exactly as one compiled from
//! the policy (golden vectors, labelled corpus), and every damaged, foreign or mismatched bundle
//! is refused with its typed error, never a panic.

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;
use vigil::bundle::{BundleErrorKind, FORMAT_VERSION, MAGIC, VIGIL_VERSION};
use vigil::{Engine, Policy, Tracker};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[derive(Deserialize)]
struct Vector {
    name: String,
    policy: Vec<String>,
}

fn policy(layers: &[String]) -> Policy {
    let mut b = Policy::builder();
    for l in layers {
        b = if l == "shipped" {
            b.add_shipped().unwrap()
        } else {
            let text = fs::read_to_string(root().join("tests/vectors").join(l)).unwrap();
            b.add_source(l, &text).unwrap()
        };
    }
    b.build().unwrap()
}

/// Observes every message of `input` with a tracker of each engine; the observations must be
/// identical. Returns how many messages were compared.
fn same_observations(a: &Arc<Engine>, b: &Arc<Engine>, input: &str, what: &str) -> usize {
    let mut ta = Tracker::new(a.clone());
    let mut tb = Tracker::new(b.clone());
    let mut n = 0;
    for (i, m) in vigil::jsonl::parse(input).enumerate() {
        let m = m.unwrap_or_else(|e| panic!("{what}: message {}: {e}", i + 1));
        let (oa, ob) = (ta.observe(&m), tb.observe(&m));
        assert_eq!(
            serde_json::to_value(&oa).unwrap(),
            serde_json::to_value(&ob).unwrap(),
            "{what}: observation {} differs",
            i + 1
        );
        assert_eq!(a.assess(&m), b.assess(&m), "{what}: assessment {} differs", i + 1);
        n += 1;
    }
    assert_eq!(ta.snapshot(), tb.snapshot(), "{what}: tracker state differs");
    n
}

fn shipped() -> &'static (Arc<Engine>, Vec<u8>) {
    static S: std::sync::OnceLock<(Arc<Engine>, Vec<u8>)> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let p = Policy::shipped().unwrap();
        let bytes = p.to_bundle().unwrap();
        (Arc::new(Engine::new(p).unwrap()), bytes)
    })
}

#[test]
fn a_bundle_observes_like_its_policy_on_every_vector() {
    let index: Vec<Vector> =
        serde_json::from_str(&fs::read_to_string(root().join("tests/vectors/index.json")).unwrap()).unwrap();
    let mut compared = 0;
    for v in &index {
        let (toml, bundled) = if v.policy == ["shipped"] {
            let (e, bytes) = shipped();
            (e.clone(), Arc::new(Engine::from_bundle(bytes).unwrap()))
        } else {
            let p = policy(&v.policy);
            let bytes = p.to_bundle().unwrap();
            (
                Arc::new(Engine::new(p).unwrap()),
                Arc::new(Engine::from_bundle(&bytes).unwrap()),
            )
        };
        assert_eq!(bundled.policy().hash(), toml.policy().hash(), "{}", v.name);
        assert_eq!(bundled.policy().to_json(), toml.policy().to_json(), "{}", v.name);
        let input = fs::read_to_string(root().join(format!("tests/vectors/{}.input.jsonl", v.name))).unwrap();
        compared += same_observations(&toml, &bundled, &input, &v.name);
    }
    assert!(compared > 50, "only {compared} vector messages compared");
}

#[test]
fn a_bundle_observes_like_its_policy_on_the_labelled_corpus() {
    let (toml, bytes) = shipped();
    let bundled = Arc::new(Engine::from_bundle(bytes).unwrap());
    let mut files: Vec<PathBuf> = fs::read_dir(root().join("tests/corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.ends_with(".jsonl") && !name.ends_with(".labels.jsonl")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 5);
    let mut compared = 0;
    for f in &files {
        let input = fs::read_to_string(f).unwrap();
        compared += same_observations(toml, &bundled, &input, &f.display().to_string());
    }
    assert!(compared > 500, "only {compared} corpus messages compared");
}

/// A small policy's bundle, for the refusals (loading the shipped packs' is slow in debug).
fn small() -> (Policy, Vec<u8>) {
    let p = policy(&["lifecycle.toml".to_string()]);
    let b = p.to_bundle().unwrap();
    (p, b)
}

/// Where the payload starts, and its length (from the documented layout).
fn payload_at(b: &[u8]) -> usize {
    let v = usize::from(b[10]);
    let h = usize::from(b[11 + v]);
    12 + v + h + 8 + 4
}

fn rechecksum(b: &mut [u8]) {
    let at = payload_at(b);
    let crc = crc32fast::hash(&b[at..]);
    b[at - 4..at].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn the_layout_is_as_documented() {
    let (p, b) = small();
    assert_eq!(&b[..8], MAGIC);
    assert_eq!(u16::from_le_bytes([b[8], b[9]]), FORMAT_VERSION);
    let v = usize::from(b[10]);
    assert_eq!(&b[11..11 + v], VIGIL_VERSION.as_bytes());
    let h = usize::from(b[11 + v]);
    assert_eq!(&b[12 + v..12 + v + h], p.hash().as_bytes());
    let mut len = [0u8; 8];
    len.copy_from_slice(&b[12 + v + h..20 + v + h]);
    assert_eq!(u64::from_le_bytes(len) as usize, b.len() - payload_at(&b));
    let h = vigil::bundle::header_of(&b).unwrap();
    assert_eq!(
        (h.format, h.vigil_version.as_str()),
        (FORMAT_VERSION, VIGIL_VERSION)
    );
}

#[test]
fn a_bundle_is_refused_for_another_policy_hash() {
    let (p, b) = small();
    assert_eq!(
        Engine::from_bundle_for(&b, p.hash()).unwrap().policy().hash(),
        p.hash()
    );
    let other = policy(&["shipped".to_string()]);
    let err = Engine::from_bundle_for(&b, other.hash()).unwrap_err();
    assert_eq!(
        err.kind(),
        &BundleErrorKind::OtherPolicy {
            found: p.hash().to_string(),
            expected: other.hash().to_string(),
        }
    );
    assert_eq!(
        err.offset() as usize,
        11 + usize::from(b[10]),
        "points at the hash field"
    );
    assert!(err.to_string().contains(p.hash()), "{err}");
}

#[test]
fn a_bundle_of_another_version_is_refused() {
    let (_, b) = small();
    // Another Vigil version: rewrite the version field.
    let v = usize::from(b[10]);
    let mut other = b[..10].to_vec();
    other.push(5);
    other.extend_from_slice(b"0.0.0");
    other.extend_from_slice(&b[11 + v..]);
    let err = Engine::from_bundle(&other).unwrap_err();
    assert_eq!(
        err.kind(),
        &BundleErrorKind::OtherVigilVersion {
            found: "0.0.0".into(),
            this: VIGIL_VERSION.into(),
        }
    );
    assert_eq!(err.offset(), 10);
    // Another format version.
    let mut f = b.clone();
    f[8..10].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let err = Engine::from_bundle(&f).unwrap_err();
    assert_eq!(
        err.kind(),
        &BundleErrorKind::UnsupportedFormat {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION,
        }
    );
}

#[test]
fn garbage_and_empty_input_are_not_bundles() {
    for bytes in [
        &b""[..],
        b"VIGIL",
        b"VIGILSNP\x05\x00",
        b"[rule]\nid = 1",
        &[0xff; 64],
    ] {
        let err = Engine::from_bundle(bytes).unwrap_err();
        assert_eq!(err.kind(), &BundleErrorKind::NotABundle, "{bytes:?}");
        assert_eq!(err.offset(), 0);
    }
}

#[test]
fn every_flipped_payload_byte_fails_the_checksum() {
    let (_, b) = small();
    let at = payload_at(&b);
    let step = ((b.len() - at) / 97).max(1);
    let mut n = 0;
    for i in (at..b.len()).step_by(step) {
        let mut bad = b.clone();
        bad[i] ^= 0x20;
        let err = Engine::from_bundle(&bad).unwrap_err();
        assert_eq!(err.kind(), &BundleErrorKind::ChecksumMismatch, "byte {i}");
        assert_eq!(err.offset() as usize, at);
        n += 1;
    }
    assert!(n > 50);
}

#[test]
fn every_cut_is_refused() {
    let (_, b) = small();
    let at = payload_at(&b);
    let mut cuts: Vec<usize> = (0..at + 4).collect();
    cuts.extend((at..b.len()).step_by(((b.len() - at) / 50).max(1)));
    for cut in cuts {
        let err = Engine::from_bundle(&b[..cut]).unwrap_err();
        match err.kind() {
            BundleErrorKind::Truncated { found, expected } => {
                assert_eq!(*found as usize, cut);
                assert!(*expected as usize > cut);
            }
            BundleErrorKind::NotABundle => assert!(cut < 8),
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    let mut longer = b.clone();
    longer.push(0);
    assert!(matches!(
        Engine::from_bundle(&longer).unwrap_err().kind(),
        BundleErrorKind::Corrupt(_)
    ));
}

#[test]
fn a_rechecksummed_change_is_refused_or_loads_soundly() {
    let (_, b) = small();
    let at = payload_at(&b);
    let msg = vigil::jsonl::parse(
        r#"{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{"id":"a","age_band":"adult"},"recipient":{"id":"k","age_band":"minor"},"text":"keep it our secret, send a pic"}"#,
    )
    .next()
    .unwrap()
    .unwrap();
    let mut refused = 0;
    let step = ((b.len() - at) / 300).max(1);
    for i in (at..b.len()).step_by(step) {
        for x in [1u8, 0x80] {
            let mut bad = b.clone();
            bad[i] ^= x;
            rechecksum(&mut bad);
            match Engine::from_bundle(&bad) {
                Err(e) => {
                    assert!(matches!(e.kind(), BundleErrorKind::Corrupt(_)), "byte {i}: {e}");
                    refused += 1;
                }
                // A change the checks cannot see (say, a letter of a term): it must still
                // work without panicking.
                Ok(engine) => {
                    let _ = engine.assess(&msg);
                    let _ = Tracker::new(Arc::new(engine)).observe(&msg);
                }
            }
        }
    }
    assert!(refused > 0);
    // The policy text is covered by its hash: `verify` refuses a change there even re-checksummed
    // (loading trusts the checksum).
    let text = String::from_utf8_lossy(&b[at..]).to_string();
    let i = text
        .find("\"rules\"")
        .expect("the policy's JSON is in the payload");
    let mut bad = b.clone();
    bad[at + i + 1] = b'R';
    rechecksum(&mut bad);
    let err = vigil::bundle::verify(&bad).unwrap_err();
    assert!(err.to_string().contains("hash"), "{err}");
    assert!(vigil::bundle::verify(&b).is_ok());
}
