//! Format version 5: format 4's payload, then the intervention id table and one entry per
//! conversation key with the key's recent nudges (for the interventions' rate limits, see
//! [`crate::intervene`]).
//!
//! FROZEN once released, like formats 1 to 4 (see the parent module):
//! `core/tests/fixtures/snapshots/v5-*.bin` hold its bytes. Postcard writes the fields in
//! declaration order: first the whole of a format-4 payload ([`v4::Payload`], unchanged), then
//! `interventions` (the ids that nudges' intervention indices refer to), then `keys`, one
//! [`KeyExtra`] per key of the base payload, in the order of its keys (`docs/snapshots.md`
//! lists every byte). Category indices refer to the snapshot's category table; `u16::MAX` is
//! "no category".

use serde::{Deserialize, Serialize};

use super::v4;
use crate::error::SnapshotError;
use crate::snapshot::Image;

/// This format's number in the header.
pub(super) const VERSION: u16 = 5;

/// The payload.
#[derive(Serialize, Deserialize)]
struct Payload {
    /// Everything format 4 holds, in its layout.
    base: v4::Payload,
    /// Intervention ids: a nudge's intervention index refers to entry `i`.
    interventions: Vec<Box<str>>,
    /// For each key of the base payload, in order: what format 4 does not hold of it.
    keys: Vec<KeyExtra>,
}

/// What a key holds beyond format 4.
#[derive(Serialize, Deserialize)]
struct KeyExtra {
    /// (intervention index, category index or `u16::MAX`, message time in ms) of the key's last
    /// nudges.
    nudged: Vec<(u16, u16, i64)>,
}

/// The payload of an image.
pub(super) fn encode(mut image: Image) -> Vec<u8> {
    let keys = image
        .keys
        .iter_mut()
        .map(|(_, st)| KeyExtra {
            nudged: std::mem::take(&mut st.nudged),
        })
        .collect();
    let interventions = std::mem::take(&mut image.ids.interventions)
        .into_iter()
        .map(String::into_boxed_str)
        .collect();
    let payload = Payload {
        base: v4::Payload::from(image),
        interventions,
        keys,
    };
    // As in format 1: postcard fails only on types it cannot represent, which these are not.
    postcard::to_allocvec(&payload).unwrap_or_default()
}

/// The image of a payload.
pub(super) fn decode(payload: &[u8]) -> Result<Image, SnapshotError> {
    let payload: Payload = postcard::from_bytes(payload).map_err(|e| SnapshotError::Decode(e.to_string()))?;
    let Payload {
        base,
        interventions,
        keys,
    } = payload;
    let mut image = base.into_image()?;
    if keys.len() != image.keys.len() {
        return Err(SnapshotError::Decode(format!(
            "invalid value: {} key entries for {} keys",
            keys.len(),
            image.keys.len()
        )));
    }
    let (n_interventions, n_categories) = (interventions.len(), image.ids.categories.len());
    for ((_, st), extra) in image.keys.iter_mut().zip(keys) {
        if let Some((i, c, _)) = extra.nudged.iter().find(|(i, c, _)| {
            usize::from(*i) >= n_interventions || (*c != u16::MAX && usize::from(*c) >= n_categories)
        }) {
            return Err(SnapshotError::Decode(format!(
                "invalid value: nudge of intervention {i}, category {c} is out of the id tables"
            )));
        }
        st.nudged = extra.nudged;
    }
    image.ids.interventions = interventions.into_iter().map(String::from).collect();
    Ok(image)
}
