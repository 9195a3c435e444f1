//! Messages: the text and metadata Vigil assesses.
//!
//! A [`Message`] is one chat message as a platform sees it: who sent it, to whom (absent in group
//! channels), on what kind of channel, between what kind of relationship, when, and its text.
//! Messages usually arrive as JSON Lines; [`Message::from_json`] parses one line and
//! [`crate::jsonl::parse`] a whole document, both with typed errors naming the field and the line.
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

    /// The band an age in years falls in (`< 18` is a minor).
    pub fn from_age(age: u32) -> AgeBand {
        if age < 18 {
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

/// The relationship between sender and recipient, as the platform knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
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
}

/// The kind of channel a message was sent on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
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
}

/// A point in time, in milliseconds since the Unix epoch (UTC).
///
/// Parsed from RFC 3339 text (`2026-11-01T18:04:05Z`, offsets allowed) or given as milliseconds.
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

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Millis(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Millis(ms) => Ok(Timestamp(ms)),
            Raw::Text(t) => Timestamp::parse_rfc3339(&t).map_err(serde::de::Error::custom),
        }
    }
}

/// One participant of a conversation: an opaque id and what the platform knows of their age.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Participant {
    /// The platform's opaque id for the account.
    pub id: String,
    /// The age band; `unknown` when absent.
    #[serde(default)]
    pub age_band: AgeBand,
    /// Age in years, when the platform knows it. Used for the band when `age_band` is unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
    /// Days since the account was created, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_age_days: Option<u32>,
}

impl Participant {
    /// A participant with an id and an age band.
    pub fn new(id: impl Into<String>, age_band: AgeBand) -> Participant {
        Participant {
            id: id.into(),
            age_band,
            age: None,
            account_age_days: None,
        }
    }

    /// The band to use: `age_band`, or the band of `age` when the band is unknown.
    pub fn effective_band(&self) -> AgeBand {
        match (self.age_band, self.age) {
            (AgeBand::Unknown, Some(age)) => AgeBand::from_age(age),
            (band, _) => band,
        }
    }
}

/// One chat message with its metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The conversation (thread, DM channel, group) the message belongs to.
    pub conversation_id: String,
    /// The message's id, unique within the conversation; evidence refers to it.
    pub message_id: String,
    /// When the message was sent. Decay is computed from these timestamps.
    pub timestamp: Timestamp,
    /// Who sent it.
    pub sender: Participant,
    /// To whom, in direct channels; `None` in group and public channels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<Participant>,
    /// The kind of channel.
    #[serde(default)]
    pub channel: Channel,
    /// The relationship from sender to recipient.
    #[serde(default)]
    pub relationship: Relationship,
    /// The text as the user typed it. Evidence spans are byte offsets into it.
    pub text: String,
}

impl Message {
    /// A direct message with unknown channel metadata; set the other fields as needed.
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
            channel: Channel::Unknown,
            relationship: Relationship::Unknown,
            text: text.into(),
        }
    }

    /// Sets the recipient.
    pub fn with_recipient(mut self, recipient: Participant) -> Message {
        self.recipient = Some(recipient);
        self
    }

    /// Sets the channel.
    pub fn with_channel(mut self, channel: Channel) -> Message {
        self.channel = channel;
        self
    }

    /// Sets the relationship.
    pub fn with_relationship(mut self, relationship: Relationship) -> Message {
        self.relationship = relationship;
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

    #[test]
    fn unknown_age_band_is_an_error_naming_the_value() {
        let e = Message::from_json(
            r#"{"conversation_id":"c","message_id":"m","timestamp":0,"sender":{"id":"a","age_band":"teen"},"text":""}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("teen"), "{e}");
    }

    #[test]
    fn unknown_fields_are_ignored_and_age_gives_band() {
        let m = Message::from_json(
            r#"{"conversation_id":"c","message_id":"m","timestamp":0,"extra":1,"sender":{"id":"a","age":12},"text":"x"}"#,
        )
        .unwrap();
        assert_eq!(m.sender.effective_band(), AgeBand::Minor);
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
