//! Compiled policy bundles: a policy compiled ahead of time into one file that an engine loads
//! without parsing TOML or normalizing terms.
//!
//! A bundle holds the resolved policy (its canonical JSON, the text its hash covers), every term
//! already normalized in both views with what it stands for, and every pattern with its ASCII
//! rewrite. Loading one ([`Engine::from_bundle`]) reads those back and builds only what cannot be
//! stored: the term automaton and the ASCII filtering regex set (each pattern's own regex and
//! the set for non-ASCII text are built on first need, as with [`Engine::new`]).
//!
//! # Layout
//! 8 magic bytes `VIGILBDL`, a little-endian `u16` format version ([`FORMAT_VERSION`]), the
//! version of the Vigil library that wrote it (one length byte, then UTF-8), the policy's hash
//! ([`Policy::hash`], one length byte, then UTF-8), a `u64` payload length, a CRC-32 of the
//! payload, then the payload ([postcard](https://docs.rs/postcard) encoding). A bundle is
//! refused unless it was written by this very library version: the normalizer's tables and the
//! matchers' layout are compiled into it, so a bundle of another version could match
//! differently. The CRC-32 catches a damaged or cut file; loading does not hash the stored policy
//! text again (SHA-256 of the shipped packs' 1.3 MB of JSON is a third of the load time on a CPU
//! without SHA instructions): [`verify`] does, for a pipeline that checks bundles before shipping
//! them. Neither is a signature: sign bundles you download.
//!
//! ```
//! use vigil::bundle::BundleErrorKind;
//! use vigil::{Engine, Policy};
//!
//! let policy = Policy::builder().add_pack("core").unwrap().build().unwrap();
//! let bytes = policy.to_bundle().unwrap();
//! let engine = Engine::from_bundle(&bytes).unwrap();
//! assert_eq!(engine.policy().hash(), policy.hash());
//! // A bundle for another policy than the caller expects is refused.
//! let err = Engine::from_bundle_for(&bytes, "sha256:00").unwrap_err();
//! assert!(matches!(err.kind(), BundleErrorKind::OtherPolicy { .. }));
//! // So is a damaged one.
//! let mut bad = bytes.clone();
//! let last = bad.len() - 1;
//! bad[last] ^= 1;
//! assert_eq!(Engine::from_bundle(&bad).unwrap_err().kind(), &BundleErrorKind::ChecksumMismatch);
//! ```

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::error::PolicyError;
use crate::matcher::{Matcher, MatcherData};
use crate::policy::Policy;

/// Magic bytes at the start of every bundle.
pub const MAGIC: &[u8; 8] = b"VIGILBDL";
/// The bundle format version this library writes and reads.
pub const FORMAT_VERSION: u16 = 1;
/// The Vigil library version bundles are written and read by (a bundle must match it).
pub const VIGIL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Why a bundle was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundleErrorKind {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a Vigil bundle (bad magic bytes)")]
    NotABundle,
    /// The bundle is of a format version this library does not read.
    #[error("bundle format version {found} is not supported (this library reads version {supported})")]
    UnsupportedFormat {
        /// The version in the bundle.
        found: u16,
        /// The version this library reads and writes.
        supported: u16,
    },
    /// The bundle was written by another version of Vigil: compile the policy again.
    #[error("bundle was built by Vigil {found}, not {this} (compile the policy again)")]
    OtherVigilVersion {
        /// The version that wrote it.
        found: String,
        /// This library's version.
        this: String,
    },
    /// The bundle is of another policy than the caller expects.
    #[error("bundle is of policy {found}, not {expected}")]
    OtherPolicy {
        /// The policy hash in the bundle.
        found: String,
        /// The hash the caller expects.
        expected: String,
    },
    /// The bundle is shorter than its header says.
    #[error("bundle is truncated: expected {expected} bytes, found {found}")]
    Truncated {
        /// Bytes the header announces (or needs).
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The payload's checksum does not match: the bytes were changed or damaged.
    #[error("bundle is corrupted: checksum mismatch")]
    ChecksumMismatch,
    /// The bundle is well-formed outside but its content is not valid.
    #[error("bundle is corrupt: {0}")]
    Corrupt(String),
}

/// A bundle that could not be loaded: what is wrong ([`kind`](BundleError::kind)) and the byte
/// offset where it was found ([`offset`](BundleError::offset)).
///
/// ```
/// let err = vigil::Engine::from_bundle(b"VIGILBDL\x09\x00").unwrap_err();
/// assert_eq!(err.offset(), 8);
/// assert_eq!(
///     err.to_string(),
///     "bundle byte 8: bundle format version 9 is not supported (this library reads version 1)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bundle byte {offset}: {kind}")]
pub struct BundleError {
    offset: u64,
    kind: BundleErrorKind,
}

impl BundleError {
    fn new(offset: usize, kind: BundleErrorKind) -> BundleError {
        BundleError {
            offset: offset as u64,
            kind,
        }
    }

    /// What is wrong.
    pub fn kind(&self) -> &BundleErrorKind {
        &self.kind
    }

    /// The byte offset in the bundle where the problem was found (the start of the field or
    /// section at fault).
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

/// What the header of a bundle says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BundleHeader {
    /// The format version.
    pub format: u16,
    /// The Vigil version that wrote it.
    pub vigil_version: String,
    /// The policy's hash ([`Policy::hash`]).
    pub policy_hash: String,
    /// The payload's length in bytes.
    pub payload_len: u64,
}

/// The payload: what loading needs besides the header.
#[derive(Serialize, Deserialize)]
struct Payload {
    /// The policy's canonical JSON.
    policy: String,
    /// The layer of each rule.
    rule_layers: Vec<u32>,
    matcher: MatcherData,
}

/// Bytes of the fixed part of the header before the version string.
const FIXED: usize = 10;

impl Policy {
    /// Compiles the policy into a bundle that [`Engine::from_bundle`] loads (see
    /// [`crate::bundle`]). Fails as [`Engine::new`] would on a term or pattern that does not
    /// compile.
    pub fn to_bundle(&self) -> Result<Vec<u8>, PolicyError> {
        let matcher = Matcher::prepare(self)?;
        let payload = Payload {
            policy: crate::json::compact(self),
            rule_layers: self
                .rule_layers()
                .iter()
                .map(|&l| u32::try_from(l).unwrap_or(u32::MAX))
                .collect(),
            matcher,
        };
        // Postcard encodes these types without fail (no maps with non-string keys, no
        // unsupported serde features); an error would be a bug, so it makes an empty payload
        // that every load refuses rather than a panic.
        let bytes = postcard::to_allocvec(&payload).unwrap_or_default();
        Ok(encode(VIGIL_VERSION, self.hash(), &bytes))
    }
}

/// A whole bundle around a payload.
fn encode(version: &str, hash: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FIXED + 2 + version.len() + hash.len() + 12 + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    for s in [version, hash] {
        let b = s.as_bytes();
        let n = b.len().min(255);
        out.push(n as u8);
        out.extend_from_slice(&b[..n]);
    }
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// A cursor over the header.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], BundleError> {
        let end = self.at.saturating_add(n);
        match self.bytes.get(self.at..end) {
            Some(s) => {
                self.at = end;
                Ok(s)
            }
            None => Err(BundleError::new(
                self.at,
                BundleErrorKind::Truncated {
                    expected: end as u64,
                    found: self.bytes.len() as u64,
                },
            )),
        }
    }

    fn string(&mut self, what: &str) -> Result<String, BundleError> {
        let at = self.at;
        let n = usize::from(self.take(1)?[0]);
        let s = self.take(n)?;
        std::str::from_utf8(s)
            .map(str::to_string)
            .map_err(|_| BundleError::new(at, BundleErrorKind::Corrupt(format!("{what} is not UTF-8"))))
    }
}

/// Reads and checks a bundle's header; returns it with the payload's offset. Checks the magic
/// bytes, the format version and the Vigil version, in that order.
fn header(bytes: &[u8]) -> Result<(BundleHeader, usize), BundleError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(BundleError::new(0, BundleErrorKind::NotABundle));
    }
    let mut r = Reader {
        bytes,
        at: MAGIC.len(),
    };
    let format = r.take(2)?;
    let format = u16::from_le_bytes([format[0], format[1]]);
    if format != FORMAT_VERSION {
        return Err(BundleError::new(
            MAGIC.len(),
            BundleErrorKind::UnsupportedFormat {
                found: format,
                supported: FORMAT_VERSION,
            },
        ));
    }
    let at = r.at;
    let vigil_version = r.string("the Vigil version")?;
    if vigil_version != VIGIL_VERSION {
        return Err(BundleError::new(
            at,
            BundleErrorKind::OtherVigilVersion {
                found: vigil_version,
                this: VIGIL_VERSION.to_string(),
            },
        ));
    }
    let policy_hash = r.string("the policy hash")?;
    let len = r.take(8)?;
    let mut l = [0u8; 8];
    l.copy_from_slice(len);
    let payload_len = u64::from_le_bytes(l);
    Ok((
        BundleHeader {
            format,
            vigil_version,
            policy_hash,
            payload_len,
        },
        r.at,
    ))
}

/// Reads a bundle's header without loading it: the format, the Vigil version that wrote it and
/// the policy's hash. Fails on what [`Engine::from_bundle`] would refuse before the payload (bad
/// magic bytes, another format or Vigil version, a truncated header).
///
/// ```
/// let policy = vigil::Policy::builder().add_pack("core").unwrap().build().unwrap();
/// let h = vigil::bundle::header_of(&policy.to_bundle().unwrap()).unwrap();
/// assert_eq!(h.policy_hash, policy.hash());
/// assert_eq!(h.vigil_version, vigil::bundle::VIGIL_VERSION);
/// ```
pub fn header_of(bytes: &[u8]) -> Result<BundleHeader, BundleError> {
    header(bytes).map(|(h, _)| h)
}

impl Engine {
    /// Loads an engine from a bundle ([`Policy::to_bundle`]; `vigil policy compile`). Refuses,
    /// with a typed error and the offset where it found the problem, anything that is not an
    /// intact bundle of this Vigil version; never panics, whatever the bytes.
    pub fn from_bundle(bytes: &[u8]) -> Result<Engine, BundleError> {
        load(bytes, None, false)
    }

    /// Like [`from_bundle`](Engine::from_bundle), and refuses a bundle of another policy than
    /// the one whose [`hash`](Policy::hash) is `policy_hash`
    /// ([`BundleErrorKind::OtherPolicy`]).
    pub fn from_bundle_for(bytes: &[u8], policy_hash: &str) -> Result<Engine, BundleError> {
        load(bytes, Some(policy_hash), false)
    }
}

/// Checks a bundle as [`Engine::from_bundle`] does and, beyond it, that the policy text it holds
/// hashes to the hash in its header ([`BundleErrorKind::Corrupt`] otherwise): what `vigil policy
/// compile` wrote, unchanged. Returns its header.
///
/// ```
/// let policy = vigil::Policy::builder().add_pack("core").unwrap().build().unwrap();
/// let header = vigil::bundle::verify(&policy.to_bundle().unwrap()).unwrap();
/// assert_eq!(header.policy_hash, policy.hash());
/// ```
pub fn verify(bytes: &[u8]) -> Result<BundleHeader, BundleError> {
    load(bytes, None, true)?;
    header_of(bytes)
}

fn load(bytes: &[u8], expected: Option<&str>, check_hash: bool) -> Result<Engine, BundleError> {
    let (h, start) = header(bytes)?;
    if let Some(expected) = expected {
        if h.policy_hash != expected {
            let at = start - 8 - h.policy_hash.len() - 1;
            return Err(BundleError::new(
                at,
                BundleErrorKind::OtherPolicy {
                    found: h.policy_hash,
                    expected: expected.to_string(),
                },
            ));
        }
    }
    let mut r = Reader { bytes, at: start };
    let crc = r.take(4)?;
    let crc = u32::from_le_bytes([crc[0], crc[1], crc[2], crc[3]]);
    let payload_at = r.at;
    let rest = bytes.len() - payload_at;
    if (rest as u64) < h.payload_len {
        return Err(BundleError::new(
            payload_at,
            BundleErrorKind::Truncated {
                expected: (payload_at as u64).saturating_add(h.payload_len),
                found: bytes.len() as u64,
            },
        ));
    }
    if (rest as u64) > h.payload_len {
        return Err(BundleError::new(
            bytes.len(),
            BundleErrorKind::Corrupt(format!("{} bytes after the payload", rest as u64 - h.payload_len)),
        ));
    }
    let payload = &bytes[payload_at..];
    if crc32fast::hash(payload) != crc {
        return Err(BundleError::new(payload_at, BundleErrorKind::ChecksumMismatch));
    }
    let corrupt = |m: String| BundleError::new(payload_at, BundleErrorKind::Corrupt(m));
    let p: Payload = postcard::from_bytes(payload).map_err(|e| corrupt(format!("payload: {e}")))?;
    let layers = p.rule_layers.into_iter().map(|l| l as usize).collect();
    let policy = Policy::from_canonical(&p.policy, &h.policy_hash, layers, check_hash).map_err(corrupt)?;
    p.matcher.check(policy.rules().len()).map_err(corrupt)?;
    let matcher = Matcher::assemble(&policy, p.matcher).map_err(|e| corrupt(e.to_string()))?;
    Ok(Engine::with_matcher(policy, matcher))
}
