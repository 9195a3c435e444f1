//! Error types. Every error is typed and says where it comes from: the policy source with line,
//! column, item and field; the message field and JSON line; the snapshot's problem.

use std::fmt;

use thiserror::Error;

/// Where in a policy source a problem was found. Each part is present when known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// The name the source was loaded under (a file path or a pack name).
    pub source: String,
    /// 1-based line, where the format gives one.
    pub line: Option<u32>,
    /// 1-based column (in characters), where the format gives one.
    pub column: Option<u32>,
    /// The item, such as `rule secrecy.dont-tell` or `category secrecy`.
    pub item: Option<String>,
    /// The field within the item, such as `any` or `weight`.
    pub field: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        match (&self.item, &self.field) {
            (Some(item), Some(field)) => write!(f, ": {item}, field `{field}`"),
            (Some(item), None) => write!(f, ": {item}"),
            (None, Some(field)) => write!(f, ": field `{field}`"),
            (None, None) => Ok(()),
        }
    }
}

/// What is wrong with a policy.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not valid TOML or JSON, or does not fit the policy format (including unknown
    /// fields, which are rejected so that typos do not pass silently).
    #[error("{0}")]
    Syntax(String),
    /// Two items of the same kind share an id.
    #[error("duplicate {kind} id `{id}`")]
    DuplicateId {
        /// `rule`, `category`, `stage` or `modifier`.
        kind: &'static str,
        /// The repeated id.
        id: String,
    },
    /// A reference names an item that does not exist.
    #[error("unknown {kind} `{id}`")]
    UnknownReference {
        /// What kind of item was named.
        kind: &'static str,
        /// The name that was not found.
        id: String,
    },
    /// A term is empty, or nothing of it is left after normalization (only punctuation).
    #[error("term {term:?} is empty or only punctuation after normalization")]
    EmptyTerm {
        /// The term as written.
        term: String,
    },
    /// A pattern is not a valid regex, or exceeds the size limit.
    #[error("invalid pattern {pattern:?}: {message}")]
    InvalidRegex {
        /// The pattern as written.
        pattern: String,
        /// The regex crate's own message.
        message: String,
    },
    /// A number is outside its allowed range.
    #[error("{value} is out of range (allowed {min} to {max})")]
    OutOfRange {
        /// The value given.
        value: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A duration such as `72h` could not be read.
    #[error("invalid duration {0:?} (write a number and a unit: 90s, 30m, 72h, 14d)")]
    InvalidDuration(String),
    /// The layers compose into an invalid whole (no categories, levels not increasing, …).
    #[error("{0}")]
    Invalid(String),
    /// A shipped pack name was not found.
    #[error("no shipped pack named `{0}`")]
    UnknownPack(String),
}

/// A policy that could not be loaded, merged or compiled, with where the problem is.
///
/// ```
/// let err = vigil::Policy::builder()
///     .add_toml("my.toml", "[[rule]]\nid = \"x\"\ncategory = \"nope\"\nwieght = 3\n")
///     .unwrap_err();
/// assert!(err.to_string().starts_with("my.toml:4:1"), "{err}");
/// assert_eq!(err.location().line, Some(4));
/// assert!(matches!(err.kind(), vigil::PolicyErrorKind::Syntax(m) if m.contains("wieght")));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyError {
    inner: Box<(Location, PolicyErrorKind)>,
}

impl PolicyError {
    pub(crate) fn new(location: Location, kind: PolicyErrorKind) -> PolicyError {
        PolicyError {
            inner: Box::new((location, kind)),
        }
    }

    /// Where: source, line, column, item and field, as far as known.
    pub fn location(&self) -> &Location {
        &self.inner.0
    }

    /// What.
    pub fn kind(&self) -> &PolicyErrorKind {
        &self.inner.1
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.0, self.inner.1)
    }
}

impl std::error::Error for PolicyError {}

/// A message that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MessageError {
    /// The text is not JSON, or not a JSON object.
    #[error("{}invalid JSON at column {column}: {reason}", LinePrefix(*line))]
    Syntax {
        /// 1-based line in a JSON Lines document, when known.
        line: Option<u64>,
        /// 1-based column.
        column: u64,
        /// serde_json's message.
        reason: String,
    },
    /// A field is missing or has an invalid value.
    #[error("{}field `{field}`: {reason}", LinePrefix(*line))]
    Invalid {
        /// 1-based line in a JSON Lines document, when known.
        line: Option<u64>,
        /// The field's path, such as `sender.age_band`.
        field: String,
        /// What is wrong.
        reason: String,
    },
}

struct LinePrefix(Option<u64>);

impl fmt::Display for LinePrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(l) => write!(f, "line {l}: "),
            None => Ok(()),
        }
    }
}

impl MessageError {
    pub(crate) fn from_path_error(e: serde_path_to_error::Error<serde_json::Error>) -> MessageError {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || path == "." {
            if let Some(field) = missing_field(&inner.to_string()) {
                return MessageError::Invalid {
                    line: None,
                    field,
                    reason: "missing".into(),
                };
            }
            if inner.is_data() {
                return MessageError::Invalid {
                    line: None,
                    field: "(message)".into(),
                    reason: strip_position(&inner),
                };
            }
            return MessageError::Syntax {
                line: None,
                column: u64::try_from(inner.column()).unwrap_or(0),
                reason: strip_position(&inner),
            };
        }
        let reason = strip_position(&inner);
        let field = match missing_field(&reason) {
            Some(f) => format!("{path}.{f}"),
            None => path,
        };
        MessageError::Invalid {
            line: None,
            field,
            reason,
        }
    }

    /// The same error, at a line of a JSON Lines document.
    pub fn at_line(self, l: u64) -> MessageError {
        match self {
            MessageError::Syntax { column, reason, .. } => MessageError::Syntax {
                line: Some(l),
                column,
                reason,
            },
            MessageError::Invalid { field, reason, .. } => MessageError::Invalid {
                line: Some(l),
                field,
                reason,
            },
        }
    }

    /// The 1-based line, when the message came from a JSON Lines document.
    pub fn line(&self) -> Option<u64> {
        match self {
            MessageError::Syntax { line, .. } | MessageError::Invalid { line, .. } => *line,
        }
    }
}

fn missing_field(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_string)
}

fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// What is wrong with a timestamp's text.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TimestampErrorKind {
    /// The text is not RFC 3339 (the `time` crate's message says where).
    #[error("{0}")]
    Syntax(String),
    /// A valid RFC 3339 time whose milliseconds since the Unix epoch do not fit an `i64`. RFC 3339
    /// years (0000 to 9999) are all within range today; the conversion is checked rather than
    /// assumed.
    #[error("out of range")]
    OutOfRange,
}

/// RFC 3339 text that could not be read as a [`crate::Timestamp`]: the text and what is wrong.
///
/// ```
/// let err = vigil::Timestamp::parse_rfc3339("yesterday").unwrap_err();
/// assert_eq!(err.text(), "yesterday");
/// assert!(matches!(err.kind(), vigil::TimestampErrorKind::Syntax(_)));
/// assert!(err.to_string().starts_with("invalid RFC 3339 timestamp \"yesterday\": "), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError {
    inner: Box<(String, TimestampErrorKind)>,
}

impl TimestampError {
    pub(crate) fn new(text: &str, kind: TimestampErrorKind) -> TimestampError {
        TimestampError {
            inner: Box::new((text.to_string(), kind)),
        }
    }

    /// The text as given.
    pub fn text(&self) -> &str {
        &self.inner.0
    }

    /// What is wrong.
    pub fn kind(&self) -> &TimestampErrorKind {
        &self.inner.1
    }
}

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (text, kind) = &*self.inner;
        match kind {
            TimestampErrorKind::OutOfRange => write!(f, "timestamp {text:?} is out of range"),
            kind => write!(f, "invalid RFC 3339 timestamp {text:?}: {kind}"),
        }
    }
}

impl std::error::Error for TimestampError {}

/// A JSON Lines input that could not be read to the end (see [`crate::jsonl::Reader`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A line is not a valid message (not UTF-8, not JSON, a missing or invalid field); the error
    /// carries the line number. Reading goes on with the next line.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// The underlying reader failed (a disk or pipe error). Reading stops there. The reader's
    /// error is the [`source`](std::error::Error::source) (not repeated in the message).
    #[error("cannot read line {line}")]
    Io {
        /// The 1-based line that could not be read.
        line: u64,
        /// The reader's error.
        #[source]
        source: std::io::Error,
    },
}

/// A snapshot that could not be restored. The tracker it was offered to is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The bytes do not start with Vigil's snapshot header.
    #[error("not a Vigil snapshot (bad magic bytes)")]
    NotASnapshot,
    /// The snapshot was written in a format version this library does not read.
    #[error(
        "snapshot format version {found} is not supported (this library reads versions 1 to {supported})"
    )]
    UnsupportedVersion {
        /// The version in the snapshot.
        found: u16,
        /// The newest version this library reads (it reads every version from 1 up to it, and
        /// writes this one).
        supported: u16,
    },
    /// The snapshot is shorter than its header says.
    #[error("snapshot is truncated: expected {expected} bytes, found {found}")]
    Truncated {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The checksum does not match: the bytes were changed or damaged.
    #[error("snapshot is corrupted: checksum mismatch")]
    Corrupted,
    /// The payload could not be decoded.
    #[error("snapshot payload could not be decoded: {0}")]
    Decode(String),
}

/// Any error Vigil returns.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// A policy problem.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// A message problem.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// A snapshot problem.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A timestamp problem.
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
}
