//! The bytes of a snapshot: the header, and the payload of each format version.
//!
//! Header (22 bytes, little-endian): magic `VIGILSNP`, format version (`u16`), payload length
//! (`u64`), CRC-32 (IEEE) of the payload (`u32`). The payload of each format version is defined
//! by that version's wire types (module `v1`, ...), which are separate from the tracker's
//! in-memory state and convert from and to an [`Image`]; `docs/snapshots.md` spells out the
//! bytes.
//!
//! # Adding a format version
//! The wire types of a released version never change: the fixture tests
//! (`core/tests/fixtures/snapshots/`) fail when the bytes of an existing version change. To
//! change what a snapshot holds:
//!
//! 1. add a module `vN` with the new wire types (copy the newest and change it) and their
//!    conversions from and to an [`Image`]; older versions' conversions fill what they lack with
//!    defaults;
//! 2. point `current` at it and set [`FORMAT_VERSION`] to `N`; add `vN` to [`reads`], [`decode`]
//!    and `encode_as` (test-only), keeping every older version there;
//! 3. write its fixtures with `VIGIL_BLESS=1 cargo test -p vigil --test snapshot_fixtures` and
//!    commit them;
//! 4. document its payload in `docs/snapshots.md`.

use super::{Image, FORMAT_VERSION, MAGIC};
use crate::error::SnapshotError;

mod v1;
mod v2;
mod v3;
mod v4;
mod v5;

/// The version this library writes.
use v5 as current;

const _: () = assert!(
    current::VERSION == FORMAT_VERSION,
    "FORMAT_VERSION is not the current wire version"
);

/// Header length: magic, version, payload length, CRC-32.
const HEADER: usize = 8 + 2 + 8 + 4;

/// Whether this library reads snapshots of format `version`.
fn reads(version: u16) -> bool {
    matches!(
        version,
        v1::VERSION | v2::VERSION | v3::VERSION | v4::VERSION | v5::VERSION
    )
}

/// An image as a snapshot of the current format version.
pub(super) fn encode(image: Image) -> Vec<u8> {
    frame(current::VERSION, &current::encode(image))
}

/// An image as a snapshot of format `version`, for every version this library reads (`None` for
/// others): what the fixture tests encode again.
#[cfg(test)]
pub(super) fn encode_as(version: u16, image: Image) -> Option<Vec<u8>> {
    let payload = match version {
        v1::VERSION => v1::encode(image),
        v2::VERSION => v2::encode(image),
        v3::VERSION => v3::encode(image),
        v4::VERSION => v4::encode(image),
        v5::VERSION => v5::encode(image),
        _ => return None,
    };
    Some(frame(version, &payload))
}

/// Decodes a snapshot of any format version this library reads: checks the header and the
/// checksum, then decodes the payload with that version's wire types.
pub(super) fn decode(bytes: &[u8]) -> Result<Image, SnapshotError> {
    let (version, payload) = unframe(bytes)?;
    match version {
        v1::VERSION => v1::decode(payload),
        v2::VERSION => v2::decode(payload),
        v3::VERSION => v3::decode(payload),
        v4::VERSION => v4::decode(payload),
        v5::VERSION => v5::decode(payload),
        found => Err(unsupported(found)),
    }
}

fn unsupported(found: u16) -> SnapshotError {
    SnapshotError::UnsupportedVersion {
        found,
        supported: FORMAT_VERSION,
    }
}

/// The header, then the payload.
fn frame(version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Checks magic, version, length and checksum, in that order; returns the version and payload.
fn unframe(bytes: &[u8]) -> Result<(u16, &[u8]), SnapshotError> {
    if bytes.len() < 8 || &bytes[..8] != MAGIC {
        return Err(SnapshotError::NotASnapshot);
    }
    if bytes.len() < HEADER {
        return Err(SnapshotError::Truncated {
            expected: HEADER as u64,
            found: bytes.len() as u64,
        });
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if !reads(version) {
        return Err(unsupported(version));
    }
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[10..18]);
    let len = u64::from_le_bytes(len);
    let found = (bytes.len() - HEADER) as u64;
    if found < len {
        return Err(SnapshotError::Truncated {
            // Saturating: the length field is untrusted (u64::MAX must not overflow).
            expected: (HEADER as u64).saturating_add(len),
            found: bytes.len() as u64,
        });
    }
    if found > len {
        return Err(SnapshotError::Corrupted);
    }
    let crc = u32::from_le_bytes([bytes[18], bytes[19], bytes[20], bytes[21]]);
    let payload = &bytes[HEADER..];
    if crc32fast::hash(payload) != crc {
        return Err(SnapshotError::Corrupted);
    }
    Ok((version, payload))
}
