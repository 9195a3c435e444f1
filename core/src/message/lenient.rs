//! Reading message fields leniently: platforms write ids as numbers, ages as strings, timestamps
//! as epoch seconds, and vocabulary words Vigil has never seen. Each reader here accepts every
//! reasonable spelling of its field and keeps the message; only what cannot mean anything (an
//! object where an id belongs, a timestamp that is neither a number nor a date) is an error.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use super::{AgeBand, Timestamp};

/// One JSON scalar, as read: every field here starts from one.
pub(super) enum Scalar {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
    /// An object or an array: never a value of these fields.
    Compound,
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a boolean or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Scalar, E> {
        Ok(Scalar::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(i128::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar::Int(i128::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(Scalar::Compound)
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
    d.deserialize_any(ScalarVisitor)
}

/// An id: a string, or an integer written as a number (`"conversation_id": 1234`).
pub(super) fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match scalar(d)? {
        Scalar::Text(s) => Ok(s),
        Scalar::Int(n) => Ok(n.to_string()),
        _ => Err(de::Error::custom("expected a string or an integer")),
    }
}

/// An open vocabulary word (`channel`, `relationship`): any string, kept as written; a number or
/// boolean as its JSON text; null or absent as empty (not given).
pub(super) fn word<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Null => String::new(),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Int(n) => n.to_string(),
        Scalar::Float(x) => x.to_string(),
        Scalar::Text(s) => s,
        Scalar::Compound => return Err(de::Error::custom("expected a word (a string)")),
    })
}

/// An age band: `minor`, `adult` or `unknown` in any case; any other word, or null, is
/// `unknown` (the participant's `age`, if given, then decides).
pub(super) fn age_band<'de, D: Deserializer<'de>>(d: D) -> Result<AgeBand, D::Error> {
    Ok(match scalar(d)? {
        Scalar::Text(s) => AgeBand::from_name(&s).unwrap_or(AgeBand::Unknown),
        _ => AgeBand::Unknown,
    })
}

/// A count of years or days: a non-negative number (a fraction is cut: 13.9 years is 13) or the
/// same as text (`"13"`), up to `max`; anything else (`"thirteen"`, `-1`, `"13-15"`) is not
/// known, and the message is kept without it.
pub(super) fn count(s: Scalar, max: u32) -> Option<u32> {
    let x = match s {
        Scalar::Int(n) => return u32::try_from(n).ok().filter(|&n| n <= max),
        Scalar::Float(x) => x,
        Scalar::Text(t) => t.trim().parse::<f64>().ok()?,
        Scalar::Null | Scalar::Bool(_) | Scalar::Compound => return None,
    };
    // `x` is finite here only if the comparisons hold (NaN fails both).
    if x >= 0.0 && x < f64::from(max) + 1.0 {
        // Truncation is the point: whole years (or days) completed.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(x as u32)
    } else {
        None
    }
}

/// Most years an `age` may say (a larger number is not an age).
pub(super) const MAX_AGE: u32 = 150;

/// `age`, leniently (see [`count`]).
pub(super) fn age<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(count(scalar(d)?, MAX_AGE))
}

/// `account_age_days`, leniently (see [`count`]).
pub(super) fn days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(count(scalar(d)?, u32::MAX))
}

/// A timestamp: RFC 3339 text, or epoch seconds, milliseconds, microseconds or nanoseconds as a
/// number or as digits in a string (see [`Timestamp::parse`]).
pub(super) fn timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
    match scalar(d)? {
        Scalar::Int(n) => Timestamp::from_epoch(n).map_err(de::Error::custom),
        Scalar::Float(x) => Timestamp::from_epoch_f64(x).map_err(de::Error::custom),
        Scalar::Text(t) => Timestamp::parse(&t).map_err(de::Error::custom),
        Scalar::Null | Scalar::Bool(_) | Scalar::Compound => Err(de::Error::custom(
            "expected RFC 3339 text or a number of epoch seconds or milliseconds",
        )),
    }
}
