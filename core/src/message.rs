//! Messages: the text and metadata Vigil assesses.
//!
//! A [`Message`] is one chat message as a platform sees it: who sent it, to whom (absent in group
//! channels), on what kind of channel, between what kind of relationship, when, and its text.
//! Messages usually arrive as JSON Lines; [`Message::from_json`] parses one line and
//! [`crate::jsonl::parse`] a whole document, both with typed errors naming the field and the line.
//!
//! Input is read leniently, so that no message is lost for a value Vigil merely does not know:
//! `channel` and `relationship` are the platform's own words (`"game"`, `"friend"`), which the
//! policy's `[metadata]` tables map to the kinds scoring knows ([`Channel`], [`Relationship`]);
//! ids may be integers; `age` and `account_age_days` may be numbers or digits in a string (an
//! age that is not a number is ignored, and an unknown `age_band` word is `unknown`); timestamps
//! may be RFC 3339 text or epoch seconds or milliseconds ([`Timestamp::parse`]). Unknown fields
//! are ignored. What cannot be read is still an error naming the field: no conversation id,
//! message id, sender id or text, or a timestamp that is neither a date nor a number.
//!
//! ```
//! use vigil::Message;
//!
//! let m = Message::from_json(r#"{"conversation_id": "c-1", "message_id": "m-1",
//!     "timestamp": "2026-11-01T18:04:05Z",
//!     "sender": {"id": "u-9", "age_band": "adult"},
//!     "recipient": {"id": "u-4", "age_band": "minor"},
//!     "channel": "direct", "text": "how old are you?"}"#).unwrap();
//! assert_eq!(m.sender.id, "u-9");
//! assert_eq!(m.timestamp.as_millis(), 1_793_556_245_000);
//! ```

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{MessageError, TimestampError, TimestampErrorKind};

mod lenient;

/// What the platform knows of a participant's age, from age assurance or declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// Under 18.
    Minor,
    /// 18 or older.
    Adult,
    /// Not known. The default.
    #[default]
    Unknown,
}

impl AgeBand {
    /// The band's name as written in policies and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Minor => "minor",
            AgeBand::Adult => "adult",
            AgeBand::Unknown => "unknown",
        }
    }

    /// The band named `name` (`minor`, `adult`, `unknown`, in any case, spaces around ignored).
    ///
    /// ```
    /// use vigil::AgeBand;
    /// assert_eq!(AgeBand::from_name(" Minor"), Some(AgeBand::Minor));
    /// assert_eq!(AgeBand::from_name("teen"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<AgeBand> {
        let name = name.trim();
        [AgeBand::Minor, AgeBand::Adult, AgeBand::Unknown]
            .into_iter()
            .find(|b| b.as_str().eq_ignore_ascii_case(name))
    }

    /// The band an age in years falls in, where adulthood starts at `adult_age` (the policy's
    /// `metadata.adult_age`: 18 in most countries).
    ///
    /// ```
    /// use vigil::AgeBand;
    /// assert_eq!(AgeBand::from_age(17, 18), AgeBand::Minor);
    /// assert_eq!(AgeBand::from_age(18, 18), AgeBand::Adult);
    /// ```
    pub fn from_age(age: u32, adult_age: u32) -> AgeBand {
        if age < adult_age {
            AgeBand::Minor
        } else {
            AgeBand::Adult
        }
    }
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of relationship between sender and recipient: what scoring knows. A message says the
/// platform's own word (`"friend"`, `"follower"`); the policy's `[metadata.relationship]` table
/// maps it to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// No prior connection on the platform.
    Stranger,
    /// Mutual friends, followers or contacts.
    Contact,
    /// A family link the platform verified (parental controls, family accounts).
    Family,
    /// Not known. The default.
    #[default]
    Unknown,
}

impl Relationship {
    /// The relationship's name as written in policies and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Stranger => "stranger",
            Relationship::Contact => "contact",
            Relationship::Family => "family",
            Relationship::Unknown => "unknown",
        }
    }

    /// Every kind, in order.
    pub const ALL: [Relationship; 4] = [
        Relationship::Stranger,
        Relationship::Contact,
        Relationship::Family,
        Relationship::Unknown,
    ];

    /// The kind named exactly `name` (`"contact"`), if one is.
    pub fn from_name(name: &str) -> Option<Relationship> {
        Relationship::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl From<Relationship> for String {
    fn from(k: Relationship) -> String {
        k.as_str().to_string()
    }
}

/// A kind of channel: what scoring knows. A message says the platform's own word (`"game"`,
/// `"dm"`); the policy's `[metadata.channel]` table maps it to one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A one-to-one conversation.
    Direct,
    /// A group chat: the message has no single recipient.
    Group,
    /// A public or broadcast space (game lobby, comments, stream chat).
    Public,
    /// Not known. The default.
    #[default]
    Unknown,
}

impl Channel {
    /// The channel's name as written in policies and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::Group => "group",
            Channel::Public => "public",
            Channel::Unknown => "unknown",
        }
    }

    /// Every kind, in order.
    pub const ALL: [Channel; 4] = [Channel::Direct, Channel::Group, Channel::Public, Channel::Unknown];

    /// The kind named exactly `name` (`"public"`), if one is.
    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Messages of this kind go to a space, not to one person: they form one key per sender.
    pub fn is_shared(self) -> bool {
        matches!(self, Channel::Group | Channel::Public)
    }
}

impl From<Channel> for String {
    fn from(k: Channel) -> String {
        k.as_str().to_string()
    }
}

/// The platform's own metadata words of a message, and the kinds the policy mapped them to: in
/// observations and escalations whenever a word is not simply a kind's name, so that what the
/// platform wrote is kept, and a word the policy does not know is seen (and counted by
/// `vigil scan`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlatformMetadata {
    /// The channel word, when it is not a kind's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<PlatformWord>,
    /// The relationship word, when it is not a kind's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<PlatformWord>,
}

/// One metadata word as the platform wrote it, and what it was scored as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlatformWord {
    /// The word as written (`"Lobby"`).
    pub word: String,
    /// The kind it was scored as (`"public"`; `"unknown"` when not mapped).
    pub kind: String,
    /// Whether a policy layer maps the word. `false`: scored as `unknown` — map it in the
    /// policy's `[metadata]` table.
    pub mapped: bool,
}

/// A point in time, in milliseconds since the Unix epoch (UTC).
///
/// Read from RFC 3339 text (`2026-11-01T18:04:05Z`, offsets allowed) or from a number of epoch
/// seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude
/// ([`Timestamp::from_epoch`]); built in Rust from milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// A timestamp from milliseconds since the Unix epoch.
    pub const fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// A timestamp from a number of epoch seconds, milliseconds, microseconds or nanoseconds, as
    /// platforms export them, told apart by magnitude: below 10¹¹ it counts seconds (up to the
    /// year 5138), below 10¹⁴ milliseconds, below 10¹⁷ microseconds, else nanoseconds. Every
    /// date from March 1973 on reads the same in each unit, so real chat is never ambiguous.
    ///
    /// ```
    /// use vigil::Timestamp;
    /// let t = Timestamp::from_epoch(1_793_556_245).unwrap();
    /// assert_eq!(t, Timestamp::from_epoch(1_793_556_245_000).unwrap());
    /// assert_eq!(t, Timestamp::from_epoch(1_793_556_245_000_000_000).unwrap());
    /// assert_eq!(t.to_rfc3339(), "2026-11-01T18:04:05Z");
    /// ```
    pub fn from_epoch(n: i128) -> Result<Timestamp, TimestampError> {
        let ms = match n.unsigned_abs() {
            a if a < EPOCH_MS_FROM => n.checked_mul(1000),
            a if a < EPOCH_US_FROM => Some(n),
            a if a < EPOCH_NS_FROM => Some(n / 1000),
            _ => Some(n / 1_000_000),
        };
        ms.and_then(|ms| i64::try_from(ms).ok())
            .map(Timestamp)
            .ok_or_else(|| TimestampError::new(&n.to_string(), TimestampErrorKind::OutOfRange))
    }

    /// [`Timestamp::from_epoch`] for a number with a fraction (`1793556245.25` seconds).
    pub fn from_epoch_f64(x: f64) -> Result<Timestamp, TimestampError> {
        let out = || TimestampError::new(&x.to_string(), TimestampErrorKind::OutOfRange);
        if !x.is_finite() {
            return Err(out());
        }
        let a = x.abs();
        #[allow(clippy::cast_precision_loss)]
        let ms = if a < EPOCH_MS_FROM as f64 {
            x * 1000.0
        } else if a < EPOCH_US_FROM as f64 {
            x
        } else if a < EPOCH_NS_FROM as f64 {
            x / 1000.0
        } else {
            x / 1_000_000.0
        };
        // In range of i64 milliseconds (±292 million years) or an error; rounding to whole
        // milliseconds is the point.
        if ms.abs() < 9.2e18 {
            #[allow(clippy::cast_possible_truncation)]
            Ok(Timestamp(ms.round() as i64))
        } else {
            Err(out())
        }
    }

    /// Reads a timestamp as platforms write it: RFC 3339 text (a space may stand for the `T`),
    /// or digits of epoch seconds, milliseconds, microseconds or nanoseconds
    /// ([`Timestamp::from_epoch`], a fraction allowed).
    ///
    /// ```
    /// use vigil::Timestamp;
    /// let t = Timestamp::parse("2026-11-01T18:04:05Z").unwrap();
    /// assert_eq!(Timestamp::parse("2026-11-01 18:04:05Z").unwrap(), t);
    /// assert_eq!(Timestamp::parse("1793556245").unwrap(), t);
    /// assert_eq!(Timestamp::parse(" 1793556245000 ").unwrap(), t);
    /// assert!(Timestamp::parse("yesterday").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Timestamp, TimestampError> {
        let t = text.trim();
        let numeric = !t.is_empty()
            && t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes()
                .enumerate()
                .all(|(i, b)| b.is_ascii_digit() || b == b'.' || (i == 0 && (b == b'-' || b == b'+')));
        if numeric {
            if let Ok(n) = t.parse::<i128>() {
                return Timestamp::from_epoch(n);
            }
            if let Ok(x) = t.parse::<f64>() {
                return Timestamp::from_epoch_f64(x);
            }
        }
        if t.len() > 10 && t.as_bytes()[10] == b' ' && t.is_char_boundary(10) && t.is_char_boundary(11) {
            let fixed = format!("{}T{}", &t[..10], &t[11..]);
            return Timestamp::parse_rfc3339(&fixed).map_err(|e| TimestampError::new(text, e.kind().clone()));
        }
        Timestamp::parse_rfc3339(t).map_err(|e| TimestampError::new(text, e.kind().clone()))
    }

    /// Parses RFC 3339 text such as `2026-11-01T18:04:05Z` or `2026-11-01T19:04:05.250+01:00`;
    /// a [`TimestampError`] carries the text and what is wrong with it.
    ///
    /// ```
    /// use vigil::Timestamp;
    /// assert_eq!(Timestamp::parse_rfc3339("1970-01-01T00:00:01Z").unwrap().as_millis(), 1000);
    /// assert!(Timestamp::parse_rfc3339("yesterday").is_err());
    /// ```
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimestampError> {
        let t = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map_err(|e| TimestampError::new(text, TimestampErrorKind::Syntax(e.to_string())))?;
        let ms = t.unix_timestamp_nanos() / 1_000_000;
        i64::try_from(ms)
            .map(Timestamp)
            .map_err(|_| TimestampError::new(text, TimestampErrorKind::OutOfRange))
    }

    /// Formats as RFC 3339 in UTC with millisecond precision when needed.
    pub fn to_rfc3339(self) -> String {
        let nanos = i128::from(self.0) * 1_000_000;
        match time::OffsetDateTime::from_unix_timestamp_nanos(nanos) {
            Ok(t) => t
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|_| self.0.to_string()),
            Err(_) => self.0.to_string(),
        }
    }
}

/// Epoch numbers from this magnitude on count milliseconds, not seconds.
const EPOCH_MS_FROM: u128 = 100_000_000_000;
/// From this magnitude on, microseconds.
const EPOCH_US_FROM: u128 = 100_000_000_000_000;
/// From this magnitude on, nanoseconds.
const EPOCH_NS_FROM: u128 = 100_000_000_000_000_000;

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        lenient::timestamp(d)
    }
}

/// An `age` given as an integer (a batch column), read as the JSON reader reads it: years from
/// 0 to 150, anything else not known.
pub(crate) fn age_from_int(n: i64) -> Option<u32> {
    lenient::count(lenient::Scalar::Int(i128::from(n)), lenient::MAX_AGE)
}

/// An `account_age_days` given as an integer, read as the JSON reader reads it.
pub(crate) fn days_from_int(n: i64) -> Option<u32> {
    lenient::count(lenient::Scalar::Int(i128::from(n)), u32::MAX)
}

/// One participant of a conversation: an opaque id and what the platform knows of their age.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Participant {
    /// The platform's opaque id for the account (an integer in JSON is read as its digits).
    #[serde(deserialize_with = "lenient::id")]
    pub id: String,
    /// The age band; `unknown` when absent or not one of the band names.
    #[serde(default, deserialize_with = "lenient::age_band")]
    pub age_band: AgeBand,
    /// Age in years, when the platform knows it (a number, or digits in a string). Used for the
    /// band, by the policy's `metadata.adult_age`, when `age_band` is unknown.
    #[serde(
        default,
        deserialize_with = "lenient::age",
        skip_serializing_if = "Option::is_none"
    )]
    pub age: Option<u32>,
    /// Days since the account was created, when known.
    #[serde(
        default,
        deserialize_with = "lenient::days",
        skip_serializing_if = "Option::is_none"
    )]
    pub account_age_days: Option<u32>,
    /// The participant's language as the platform knows it (an ISO 639-1 code such as `de`, or
    /// a tag such as `de-AT`), when it does: the language of the notices an intervention shows
    /// them (else the language their conversation is written in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

impl Participant {
    /// A participant with an id and an age band.
    pub fn new(id: impl Into<String>, age_band: AgeBand) -> Participant {
        Participant {
            id: id.into(),
            age_band,
            age: None,
            account_age_days: None,
            language: None,
        }
    }

    /// The band to use: `age_band`, or the band of `age` when the band is unknown, adulthood
    /// starting at `adult_age` (the policy's `metadata.adult_age`; an
    /// [`Engine`](crate::Engine) applies it for you).
    ///
    /// ```
    /// use vigil::{AgeBand, Participant};
    /// let mut p = Participant::new("u-1", AgeBand::Unknown);
    /// p.age = Some(17);
    /// assert_eq!(p.band(18), AgeBand::Minor);
    /// assert_eq!(p.band(16), AgeBand::Adult);
    /// ```
    pub fn band(&self, adult_age: u32) -> AgeBand {
        match (self.age_band, self.age) {
            (AgeBand::Unknown, Some(age)) => AgeBand::from_age(age, adult_age),
            (band, _) => band,
        }
    }
}

/// One chat message with its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The conversation (thread, DM channel, group) the message belongs to.
    #[serde(deserialize_with = "lenient::id")]
    pub conversation_id: String,
    /// The message's id, unique within the conversation; evidence refers to it.
    #[serde(deserialize_with = "lenient::id")]
    pub message_id: String,
    /// When the message was sent. Decay is computed from these timestamps.
    pub timestamp: Timestamp,
    /// Who sent it.
    pub sender: Participant,
    /// To whom, in direct channels; `None` in group and public channels. A direct message
    /// without one is scored on a key of its sender alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Participant>,
    /// The channel, in the platform's own word (`"dm"`, `"game"`, `"lobby"`) or a kind's name
    /// (`"direct"`); empty when not given. The policy maps it to a [`Channel`] kind.
    #[serde(
        default,
        deserialize_with = "lenient::word",
        skip_serializing_if = "String::is_empty"
    )]
    pub channel: String,
    /// The relationship from sender to recipient, in the platform's own word (`"friend"`,
    /// `"follower"`) or a kind's name (`"stranger"`); empty when not given. The policy maps it to
    /// a [`Relationship`] kind.
    #[serde(
        default,
        deserialize_with = "lenient::word",
        skip_serializing_if = "String::is_empty"
    )]
    pub relationship: String,
    /// The text as the user typed it. Evidence spans are byte offsets into it.
    pub text: String,
}

impl Message {
    /// A message without channel or relationship (both not given); set the other fields as
    /// needed.
    ///
    /// ```
    /// use vigil::{AgeBand, Message, Participant, Timestamp};
    /// let m = Message::new("c-1", "m-1", Timestamp::from_millis(0),
    ///     Participant::new("u-1", AgeBand::Adult), "hello");
    /// assert!(m.recipient.is_none());
    /// ```
    pub fn new(
        conversation_id: impl Into<String>,
        message_id: impl Into<String>,
        timestamp: Timestamp,
        sender: Participant,
        text: impl Into<String>,
    ) -> Message {
        Message {
            conversation_id: conversation_id.into(),
            message_id: message_id.into(),
            timestamp,
            sender,
            recipient: None,
            channel: String::new(),
            relationship: String::new(),
            text: text.into(),
        }
    }

    /// Sets the recipient.
    pub fn with_recipient(mut self, recipient: Participant) -> Message {
        self.recipient = Some(recipient);
        self
    }

    /// Sets the channel: a kind ([`Channel::Direct`]) or the platform's own word (`"game"`).
    ///
    /// ```
    /// use vigil::{AgeBand, Channel, Message, Participant, Timestamp};
    /// let m = Message::new("c-1", "m-1", Timestamp::from_millis(0),
    ///     Participant::new("u-1", AgeBand::Adult), "gg").with_channel("lobby");
    /// assert_eq!(m.channel, "lobby");
    /// assert_eq!(m.with_channel(Channel::Public).channel, "public");
    /// ```
    pub fn with_channel(mut self, channel: impl Into<String>) -> Message {
        self.channel = channel.into();
        self
    }

    /// Sets the relationship: a kind ([`Relationship::Stranger`]) or the platform's own word
    /// (`"friend"`).
    pub fn with_relationship(mut self, relationship: impl Into<String>) -> Message {
        self.relationship = relationship.into();
        self
    }

    /// Parses one message from JSON. Unknown fields are ignored; a missing or invalid required
    /// field is a [`MessageError`] naming it.
    pub fn from_json(json: &str) -> Result<Message, MessageError> {
        let mut de = serde_json::Deserializer::from_str(json);
        let m: Message = serde_path_to_error::deserialize(&mut de).map_err(MessageError::from_path_error)?;
        de.end().map_err(|e| MessageError::Syntax {
            line: None,
            column: u64::try_from(e.column()).unwrap_or(0),
            reason: "trailing characters after the message".into(),
        })?;
        m.validate()?;
        Ok(m)
    }

    /// The message as one line of JSON, as [`Message::from_json`] and `vigil scan` read it.
    /// Infallible: a message holds no map and nothing whose serialization can fail (see
    /// `core/src/json.rs`).
    ///
    /// ```
    /// use vigil::{AgeBand, Message, Participant, Timestamp};
    /// let m = Message::new("c-1", "m-1", Timestamp::from_millis(0),
    ///     Participant::new("u-1", AgeBand::Adult), "hello");
    /// assert_eq!(Message::from_json(&m.to_json()).unwrap(), m);
    /// ```
    pub fn to_json(&self) -> String {
        crate::json::compact(self)
    }

    /// Checks what serde cannot: ids are not empty.
    pub fn validate(&self) -> Result<(), MessageError> {
        let empty = |field: &'static str| MessageError::Invalid {
            line: None,
            field: field.to_string(),
            reason: "must not be empty".to_string(),
        };
        if self.conversation_id.is_empty() {
            return Err(empty("conversation_id"));
        }
        if self.message_id.is_empty() {
            return Err(empty("message_id"));
        }
        if self.sender.id.is_empty() {
            return Err(empty("sender.id"));
        }
        if let Some(r) = &self.recipient {
            if r.id.is_empty() {
                return Err(empty("recipient.id"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_field_is_named() {
        let e = Message::from_json(r#"{"conversation_id":"c","timestamp":0,"sender":{"id":"a"},"text":""}"#)
            .unwrap_err();
        assert!(e.to_string().contains("message_id"), "{e}");
    }

    #[test]
    fn invalid_timestamp_is_typed() {
        let e = Message::from_json(
            r#"{"conversation_id":"c","message_id":"m","timestamp":"not a date","sender":{"id":"a"},"text":""}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("timestamp"), "{e}");
    }

    fn parse(json: &str) -> Message {
        Message::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"))
    }

    #[test]
    fn an_unknown_age_band_word_is_unknown_and_the_message_is_kept() {
        let m = parse(
            r#"{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{"id":"a","age_band":"teen"},"text":""}"#,
        );
        assert_eq!(m.sender.age_band, AgeBand::Unknown);
        let m = parse(
            r#"{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{"id":"a","age_band":"MINOR"},"text":""}"#,
        );
        assert_eq!(m.sender.age_band, AgeBand::Minor);
    }

    #[test]
    fn unknown_fields_are_ignored_and_age_gives_band() {
        let m = parse(
            r#"{"conversation_id":"c","message_id":"m","timestamp":0,"extra":1,"sender":{"id":"a","age":12},"text":"x"}"#,
        );
        assert_eq!(m.sender.band(18), AgeBand::Minor);
        assert_eq!(m.sender.band(12), AgeBand::Adult);
    }

    #[test]
    fn ages_and_account_ages_are_read_leniently() {
        let age = |v: &str| {
            parse(&format!(
                r#"{{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{{"id":"a","age":{v},"account_age_days":{v}}},"text":""}}"#
            ))
            .sender
        };
        for (v, want) in [
            ("13", Some(13)),
            ("13.9", Some(13)),
            ("\"13\"", Some(13)),
            ("\" 15 \"", Some(15)),
            ("\"thirteen\"", None),
            ("\"13-15\"", None),
            ("-1", None),
            ("null", None),
            ("true", None),
            ("1000", None),
        ] {
            assert_eq!(age(v).age, want, "age {v}");
        }
        assert_eq!(age("1000").account_age_days, Some(1000));
    }

    #[test]
    fn ids_may_be_integers_and_words_are_kept_as_written() {
        let m = parse(
            r#"{"conversation_id":12345,"message_id":7,"timestamp":0,"sender":{"id":99},"recipient":{"id":"u-4"},"channel":"Lobby","relationship":"follower","text":"x"}"#,
        );
        assert_eq!(
            (m.conversation_id.as_str(), m.message_id.as_str()),
            ("12345", "7")
        );
        assert_eq!(m.sender.id, "99");
        assert_eq!(
            (m.channel.as_str(), m.relationship.as_str()),
            ("Lobby", "follower")
        );
        let m = parse(
            r#"{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{"id":"a"},"channel":null,"relationship":3,"recipient":null,"text":"x"}"#,
        );
        assert_eq!((m.channel.as_str(), m.relationship.as_str()), ("", "3"));
        assert!(m.recipient.is_none());
        // An object is not an id.
        let e = Message::from_json(
            r#"{"conversation_id":{"x":1},"message_id":"m","timestamp":0,"sender":{"id":"a"},"text":""}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "field `conversation_id`: expected a string or an integer"
        );
    }

    #[test]
    fn timestamps_in_every_unit_read_the_same() {
        let at = |v: &str| {
            parse(&format!(
                r#"{{"conversation_id":"c","message_id":"m","timestamp":{v},"sender":{{"id":"a"}},"text":""}}"#
            ))
            .timestamp
        };
        let t = Timestamp::parse_rfc3339("2026-11-01T18:04:05.250Z").unwrap();
        for v in [
            "\"2026-11-01T18:04:05.250Z\"",
            "\"2026-11-01 19:04:05.250+01:00\"",
            "1793556245.25",
            "\"1793556245.25\"",
            "1793556245250",
            "\"1793556245250\"",
            "1793556245250000",
            "1793556245250000000",
        ] {
            assert_eq!(at(v), t, "timestamp {v}");
        }
        assert_eq!(at("0"), Timestamp::from_millis(0));
        assert_eq!(at("-86400"), Timestamp::from_millis(-86_400_000));
        for bad in ["\"soon\"", "null", "true", "\"\"", "\"12:00\""] {
            let e = Message::from_json(&format!(
                r#"{{"conversation_id":"c","message_id":"m","timestamp":{bad},"sender":{{"id":"a"}},"text":""}}"#
            ))
            .unwrap_err();
            assert!(e.to_string().starts_with("field `timestamp`: "), "{bad}: {e}");
        }
    }

    #[test]
    fn empty_id_is_rejected() {
        let e = Message::from_json(
            r#"{"conversation_id":"","message_id":"m","timestamp":0,"sender":{"id":"a"},"text":""}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("conversation_id"));
    }

    #[test]
    fn timestamp_errors_are_typed_and_keep_their_text() {
        let e = Timestamp::parse_rfc3339("2026-13-01T00:00:00Z").unwrap_err();
        assert_eq!(e.text(), "2026-13-01T00:00:00Z");
        assert!(matches!(e.kind(), TimestampErrorKind::Syntax(_)));
        assert!(
            e.to_string()
                .starts_with("invalid RFC 3339 timestamp \"2026-13-01T00:00:00Z\": "),
            "{e}"
        );
        let out = TimestampError::new("x", TimestampErrorKind::OutOfRange);
        assert_eq!(out.to_string(), "timestamp \"x\" is out of range");
        // As a message field, the same words under the field's name.
        let m = Message::from_json(
            r#"{"conversation_id":"c","message_id":"m","timestamp":"soon","sender":{"id":"a"},"text":""}"#,
        )
        .unwrap_err();
        assert_eq!(
            m.to_string(),
            format!(
                "field `timestamp`: {}",
                Timestamp::parse_rfc3339("soon").unwrap_err()
            )
        );
        assert_eq!(crate::Error::from(e.clone()).to_string(), e.to_string());
    }

    #[test]
    fn timestamps_round_trip() {
        let t = Timestamp::parse_rfc3339("2026-11-01T19:04:05.250+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-01T18:04:05.25Z");
    }
}
