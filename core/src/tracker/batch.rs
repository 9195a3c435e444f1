//! Batch observation: many messages in one call, from records, from JSON lines or from columns
//! in the Arrow memory layout — with exactly the results of observing them one by one.
//!
//! A binding that crosses a foreign-function interface once per message pays for the crossing
//! (and for a JSON document) every time; these calls cross once per batch. They add no logic of
//! their own: each row is one [`Tracker::observe`], in row order, on the same tracker.
//!
//! * [`Tracker::observe_batch`]: records in, [`Observation`]s out (a loop of `observe`);
//!   [`Tracker::observe_batch_escalations`]: only the escalations, in the order `vigil scan`
//!   prints them ([`Observation::escalations`]).
//! * [`Tracker::observe_columns`]: [`MessageColumns`] in — Arrow-layout buffers borrowed as byte
//!   slices (no Arrow crate needed), either one column per message field or one column of JSON
//!   lines read by the lenient reader of [`Message::from_json`] (the one `vigil scan` uses) — and
//!   a [`BatchOutput`] out: per-row columns (level, risk, escalation count, intervention action)
//!   as plain vectors, the documents (escalations, interventions, case contacts) as sparse lists
//!   by row, and the rows that did not hold a message, each with its error.
//! * [`Tracker::observe_json_lines`]: the same from a slice of JSON lines.
//!
//! Bad buffers (offsets out of range or not increasing, a value that is not UTF-8, a column of
//! another length than the batch) are a [`BatchError`] naming the column and the row, found
//! before any row is observed (the tracker is left as it was). A row that does not hold a valid
//! message (a JSON line that does not parse, an empty id, a null required field) is reported in
//! [`BatchOutput::errors`] and the batch goes on.

use std::fmt;

use thiserror::Error;

use super::{Observation, Tracker};
use crate::error::MessageError;
use crate::escalation::{Escalation, EscalationScope};
use crate::level::Level;
use crate::message::{AgeBand, Message, Participant, Timestamp};

/// A problem with the buffers of a batch: the batch is refused before any row is observed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum BatchError {
    /// A column's buffers are not a valid Arrow array of its type.
    #[error("column `{column}`{}: {reason}", RowSuffix(*row))]
    Buffer {
        /// The column's name ([`MessageField::name`]).
        column: String,
        /// The row (0-based, within the batch), when the problem is one value's.
        row: Option<u64>,
        /// What is wrong.
        reason: String,
    },
    /// A column is required and missing, or given together with one it excludes.
    #[error("columns: {reason}")]
    Columns {
        /// What is wrong.
        reason: String,
    },
}

struct RowSuffix(Option<u64>);

impl fmt::Display for RowSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(r) => write!(f, ", row {r}"),
            None => Ok(()),
        }
    }
}

fn buffer_error(field: MessageField, row: Option<usize>, reason: impl Into<String>) -> BatchError {
    BatchError::Buffer {
        column: field.name().to_string(),
        row: row.map(|r| u64::try_from(r).unwrap_or(u64::MAX)),
        reason: reason.into(),
    }
}

/// A column of the message batch ([`MessageColumns`]), by the name it has in a record batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageField {
    /// `json` (utf8): the whole message as one line of JSON, read by [`Message::from_json`].
    /// Excludes every other column but `conversation_id`, which then only groups rows
    /// ([`BatchOptions::forget_between_conversations`]).
    Json,
    /// `conversation_id` (utf8, required).
    ConversationId,
    /// `message_id` (utf8, required).
    MessageId,
    /// `timestamp_ms` (int64, required): milliseconds since the Unix epoch.
    TimestampMs,
    /// `sender_id` (utf8, required).
    SenderId,
    /// `sender_age_band` (utf8): `minor`, `adult`, `unknown` in any case; another word or null is
    /// unknown (as in JSON).
    SenderAgeBand,
    /// `sender_age` (int64): years; a negative or larger-than-150 value or null is not known.
    SenderAge,
    /// `sender_account_age_days` (int64).
    SenderAccountAgeDays,
    /// `sender_language` (utf8).
    SenderLanguage,
    /// `recipient_id` (utf8): null or absent, no recipient (group and public channels).
    RecipientId,
    /// `recipient_age_band` (utf8).
    RecipientAgeBand,
    /// `recipient_age` (int64).
    RecipientAge,
    /// `recipient_account_age_days` (int64).
    RecipientAccountAgeDays,
    /// `recipient_language` (utf8).
    RecipientLanguage,
    /// `channel` (utf8): the platform's word; null is not given.
    Channel,
    /// `relationship` (utf8): the platform's word; null is not given.
    Relationship,
    /// `text` (utf8, required).
    Text,
}

impl MessageField {
    /// Every column, in order.
    pub const ALL: [MessageField; 17] = [
        MessageField::Json,
        MessageField::ConversationId,
        MessageField::MessageId,
        MessageField::TimestampMs,
        MessageField::SenderId,
        MessageField::SenderAgeBand,
        MessageField::SenderAge,
        MessageField::SenderAccountAgeDays,
        MessageField::SenderLanguage,
        MessageField::RecipientId,
        MessageField::RecipientAgeBand,
        MessageField::RecipientAge,
        MessageField::RecipientAccountAgeDays,
        MessageField::RecipientLanguage,
        MessageField::Channel,
        MessageField::Relationship,
        MessageField::Text,
    ];

    /// The column's name (`sender_age_band`).
    pub fn name(self) -> &'static str {
        match self {
            MessageField::Json => "json",
            MessageField::ConversationId => "conversation_id",
            MessageField::MessageId => "message_id",
            MessageField::TimestampMs => "timestamp_ms",
            MessageField::SenderId => "sender_id",
            MessageField::SenderAgeBand => "sender_age_band",
            MessageField::SenderAge => "sender_age",
            MessageField::SenderAccountAgeDays => "sender_account_age_days",
            MessageField::SenderLanguage => "sender_language",
            MessageField::RecipientId => "recipient_id",
            MessageField::RecipientAgeBand => "recipient_age_band",
            MessageField::RecipientAge => "recipient_age",
            MessageField::RecipientAccountAgeDays => "recipient_account_age_days",
            MessageField::RecipientLanguage => "recipient_language",
            MessageField::Channel => "channel",
            MessageField::Relationship => "relationship",
            MessageField::Text => "text",
        }
    }

    /// The column named exactly `name`, if one is.
    ///
    /// ```
    /// use vigil::MessageField;
    /// assert_eq!(MessageField::from_name("sender_age"), Some(MessageField::SenderAge));
    /// assert_eq!(MessageField::from_name("age"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<MessageField> {
        MessageField::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the column holds integers (int64); the others hold text (utf8).
    pub fn is_int64(self) -> bool {
        matches!(
            self,
            MessageField::TimestampMs
                | MessageField::SenderAge
                | MessageField::SenderAccountAgeDays
                | MessageField::RecipientAge
                | MessageField::RecipientAccountAgeDays
        )
    }

    fn index(self) -> usize {
        MessageField::ALL.iter().position(|&f| f == self).unwrap_or(0)
    }
}

/// Whether bit `i` of an Arrow validity bitmap is set (LSB first); no bitmap: every value valid.
fn valid(bitmap: Option<&[u8]>, i: usize) -> bool {
    bitmap.is_none_or(|b| b.get(i / 8).is_some_and(|byte| byte & (1 << (i % 8)) != 0))
}

fn check_bitmap(field: MessageField, bitmap: Option<&[u8]>, end: usize) -> Result<(), BatchError> {
    match bitmap {
        Some(b) if b.len() * 8 < end => Err(buffer_error(
            field,
            None,
            format!(
                "the validity bitmap has {} bytes, {} are needed",
                b.len(),
                end.div_ceil(8)
            ),
        )),
        _ => Ok(()),
    }
}

/// A utf8 column in the Arrow layout, borrowed: `offsets` (`len + 1` little-endian `i32`s from
/// `offset` on), `data` (the UTF-8 bytes) and an optional validity bitmap (LSB first; a clear
/// bit is null). `offset` is the array's offset into its buffers (a sliced array), `len` its
/// number of values. Checked when added to [`MessageColumns`].
#[derive(Debug, Clone, Copy)]
pub struct Utf8Column<'a> {
    offsets: &'a [u8],
    data: &'a [u8],
    validity: Option<&'a [u8]>,
    offset: usize,
    len: usize,
}

impl<'a> Utf8Column<'a> {
    /// A column from its Arrow buffers (see the type's docs).
    pub fn new(
        offsets: &'a [u8],
        data: &'a [u8],
        validity: Option<&'a [u8]>,
        offset: usize,
        len: usize,
    ) -> Self {
        Utf8Column {
            offsets,
            data,
            validity,
            offset,
            len,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn offset_at(&self, i: usize) -> Option<i32> {
        let at = i.checked_mul(4)?;
        let b = self.offsets.get(at..at.checked_add(4)?)?;
        Some(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// The value of row `row`: `Ok(None)` when null.
    fn get(&self, field: MessageField, row: usize) -> Result<Option<&'a str>, BatchError> {
        let i = self.offset + row;
        if !valid(self.validity, i) {
            return Ok(None);
        }
        let bad = |reason: String| buffer_error(field, Some(row), reason);
        let (start, end) = match (self.offset_at(i), self.offset_at(i + 1)) {
            (Some(s), Some(e)) => (s, e),
            _ => return Err(bad("offset out of the offsets buffer".into())),
        };
        let (start, end) = match (usize::try_from(start), usize::try_from(end)) {
            (Ok(s), Ok(e)) if s <= e => (s, e),
            _ => return Err(bad(format!("offsets {start}..{end} are negative or decreasing"))),
        };
        let bytes = self.data.get(start..end).ok_or_else(|| {
            bad(format!(
                "offsets {start}..{end} past the data ({} bytes)",
                self.data.len()
            ))
        })?;
        std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| bad(format!("not UTF-8: {e}")))
    }

    fn check(&self, field: MessageField) -> Result<(), BatchError> {
        let end = self
            .offset
            .checked_add(self.len)
            .ok_or_else(|| buffer_error(field, None, "offset and length overflow"))?;
        check_bitmap(field, self.validity, end)?;
        if self.offsets.len() / 4 < end + 1 {
            return Err(buffer_error(
                field,
                None,
                format!(
                    "the offsets buffer has {} bytes, {} are needed for {} values at offset {}",
                    self.offsets.len(),
                    (end + 1) * 4,
                    self.len,
                    self.offset
                ),
            ));
        }
        for row in 0..self.len {
            self.get(field, row)?;
        }
        Ok(())
    }
}

/// An int64 column in the Arrow layout, borrowed: `values` (little-endian `i64`s) and an
/// optional validity bitmap; `offset` and `len` as in [`Utf8Column`].
#[derive(Debug, Clone, Copy)]
pub struct Int64Column<'a> {
    values: &'a [u8],
    validity: Option<&'a [u8]>,
    offset: usize,
    len: usize,
}

impl<'a> Int64Column<'a> {
    /// A column from its Arrow buffers (see the type's docs).
    pub fn new(values: &'a [u8], validity: Option<&'a [u8]>, offset: usize, len: usize) -> Self {
        Int64Column {
            values,
            validity,
            offset,
            len,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn get(&self, row: usize) -> Option<i64> {
        let i = self.offset + row;
        if !valid(self.validity, i) {
            return None;
        }
        let b = self.values.get(i * 8..i * 8 + 8)?;
        let mut v = [0u8; 8];
        v.copy_from_slice(b);
        Some(i64::from_le_bytes(v))
    }

    fn check(&self, field: MessageField) -> Result<(), BatchError> {
        let end = self
            .offset
            .checked_add(self.len)
            .ok_or_else(|| buffer_error(field, None, "offset and length overflow"))?;
        check_bitmap(field, self.validity, end)?;
        if self.values.len() / 8 < end {
            return Err(buffer_error(
                field,
                None,
                format!(
                    "the values buffer has {} bytes, {} are needed for {} values at offset {}",
                    self.values.len(),
                    end * 8,
                    self.len,
                    self.offset
                ),
            ));
        }
        Ok(())
    }
}

/// An owned utf8 column in the Arrow layout (offsets, data, validity), built from values: for
/// callers that hold strings rather than Arrow buffers, and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utf8Buffers {
    /// `len + 1` little-endian `i32` offsets.
    pub offsets: Vec<u8>,
    /// The values' bytes, one after the other.
    pub data: Vec<u8>,
    /// The validity bitmap (LSB first), when a value is null.
    pub validity: Option<Vec<u8>>,
    /// Number of values.
    pub len: usize,
}

impl Utf8Buffers {
    /// The buffers of these values (`None`: null). Values past 2 GiB of data in all are cut off
    /// (an Arrow utf8 column cannot address them): use several batches.
    pub fn from_values<'s>(values: impl IntoIterator<Item = Option<&'s str>>) -> Utf8Buffers {
        let mut b = Utf8Buffers {
            offsets: 0i32.to_le_bytes().to_vec(),
            ..Utf8Buffers::default()
        };
        let mut bits: Vec<u8> = Vec::new();
        let mut any_null = false;
        for v in values {
            let s = v.unwrap_or("");
            let Ok(end) = i32::try_from(b.data.len() + s.len()) else {
                break;
            };
            if b.len % 8 == 0 {
                bits.push(0);
            }
            if v.is_some() {
                if let Some(last) = bits.last_mut() {
                    *last |= 1 << (b.len % 8);
                }
            } else {
                any_null = true;
            }
            b.data.extend_from_slice(s.as_bytes());
            b.offsets.extend_from_slice(&end.to_le_bytes());
            b.len += 1;
        }
        b.validity = any_null.then_some(bits);
        b
    }

    /// The column, borrowed.
    pub fn column(&self) -> Utf8Column<'_> {
        Utf8Column::new(&self.offsets, &self.data, self.validity.as_deref(), 0, self.len)
    }
}

#[derive(Debug, Clone, Copy)]
enum Column<'a> {
    Utf8(Utf8Column<'a>),
    Int64(Int64Column<'a>),
}

/// The messages of a batch as columns: one per message field ([`MessageField`]), or one
/// `json` column of JSON lines (and optionally `conversation_id` to group rows). Every column
/// has the batch's number of rows. The buffers are borrowed, never copied.
///
/// Observe them with [`Tracker::observe_columns`]: exactly what observing the rows one by one
/// gives. Bad buffers are a [`BatchError`] naming the column and the row when the column is
/// added; a row without a valid message is reported in [`BatchOutput::errors`].
///
/// ```
/// use std::sync::Arc;
/// use vigil::{BatchOptions, Engine, MessageColumns, MessageField, Tracker, Utf8Buffers};
///
/// let doc = include_str!("../../../examples/sample-conversation.jsonl");
/// let lines: Vec<&str> = doc.lines().filter(|l| !l.trim().is_empty()).collect();
/// let engine = Arc::new(Engine::default());
///
/// // One by one…
/// let mut one = Tracker::new(engine.clone());
/// let single: Vec<_> = lines.iter().map(|l| one.observe(&vigil::Message::from_json(l).unwrap())).collect();
///
/// // …and as one Arrow utf8 column of JSON lines (i32 offsets and data, as Arrow lays it out).
/// let buffers = Utf8Buffers::from_values(lines.iter().map(|l| Some(*l)));
/// let columns = MessageColumns::new(lines.len()).with_utf8(MessageField::Json, buffers.column()).unwrap();
/// let mut batch = Tracker::new(engine);
/// let out = batch.observe_columns(&columns, &BatchOptions::default());
///
/// assert_eq!(out.messages as usize, lines.len());
/// for (row, obs) in single.iter().enumerate() {
///     assert_eq!(out.risks[row], obs.risk);
///     assert_eq!(out.levels[row], vigil::batch_level_code(obs.level));
/// }
/// let raised: Vec<String> = single.iter().flat_map(|o| o.escalations().map(|e| e.to_json())).collect();
/// let batched: Vec<String> = out.escalations.iter().map(|e| e.json.clone()).collect();
/// assert_eq!(raised, batched);
/// assert!(!raised.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct MessageColumns<'a> {
    rows: usize,
    columns: [Option<Column<'a>>; 17],
}

impl<'a> MessageColumns<'a> {
    /// No columns yet, for `rows` rows.
    pub fn new(rows: usize) -> Self {
        MessageColumns {
            rows,
            columns: [None; 17],
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    fn add(mut self, field: MessageField, len: usize, column: Column<'a>) -> Result<Self, BatchError> {
        if len != self.rows {
            return Err(buffer_error(
                field,
                None,
                format!("{len} values, the batch has {} rows", self.rows),
            ));
        }
        self.columns[field.index()] = Some(column);
        Ok(self)
    }

    /// Adds a utf8 column. Fails, naming the column (and the row), when `field` is an int64
    /// column or the buffers are not a valid utf8 array of the batch's length.
    pub fn with_utf8(self, field: MessageField, column: Utf8Column<'a>) -> Result<Self, BatchError> {
        if field.is_int64() {
            return Err(buffer_error(field, None, "an int64 column, given as utf8"));
        }
        column.check(field)?;
        self.add(field, column.len, Column::Utf8(column))
    }

    /// Adds an int64 column. Fails, naming the column, when `field` is a utf8 column or the
    /// buffers are not a valid int64 array of the batch's length.
    pub fn with_int64(self, field: MessageField, column: Int64Column<'a>) -> Result<Self, BatchError> {
        if !field.is_int64() {
            return Err(buffer_error(field, None, "a utf8 column, given as int64"));
        }
        column.check(field)?;
        self.add(field, column.len, Column::Int64(column))
    }

    fn utf8(&self, field: MessageField) -> Option<&Utf8Column<'a>> {
        match &self.columns[field.index()] {
            Some(Column::Utf8(c)) => Some(c),
            _ => None,
        }
    }

    fn int64(&self, field: MessageField) -> Option<&Int64Column<'a>> {
        match &self.columns[field.index()] {
            Some(Column::Int64(c)) => Some(c),
            _ => None,
        }
    }

    /// Checks the set of columns: `json` alone (with `conversation_id` at most), or the
    /// required fields.
    fn check_set(&self) -> Result<(), BatchError> {
        let given: Vec<MessageField> = MessageField::ALL
            .into_iter()
            .filter(|f| self.columns[f.index()].is_some())
            .collect();
        if given.contains(&MessageField::Json) {
            if let Some(f) = given
                .iter()
                .find(|f| !matches!(f, MessageField::Json | MessageField::ConversationId))
            {
                return Err(BatchError::Columns {
                    reason: format!("`{}` cannot be given with `json`", f.name()),
                });
            }
            return Ok(());
        }
        let required = [
            MessageField::ConversationId,
            MessageField::MessageId,
            MessageField::TimestampMs,
            MessageField::SenderId,
            MessageField::Text,
        ];
        match required.iter().find(|f| !given.contains(f)) {
            Some(f) if self.rows > 0 => Err(BatchError::Columns {
                reason: format!("`{}` is required (or one `json` column)", f.name()),
            }),
            _ => Ok(()),
        }
    }
}

/// How a batch is observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct BatchOptions {
    /// Keep only the escalations (and case contacts and errors): the per-row columns, the
    /// interventions and the observations are left empty.
    pub escalations_only: bool,
    /// The rows are sorted by conversation: forget everything (the tracker is cleared, counters
    /// included) whenever the conversation id changes from the row before, so each conversation
    /// is scored on its own and memory stays bounded — what a backtest over a log sorted by
    /// conversation does. Without it, the tracker keeps its state across the whole batch (and
    /// across batches), as a stream does.
    pub forget_between_conversations: bool,
    /// Also write each row's whole observation as one line of JSON
    /// ([`BatchOutput::observations`]; the golden-vector format). Ignored with
    /// `escalations_only`.
    pub observation_json: bool,
}

impl BatchOptions {
    /// Sets [`escalations_only`](BatchOptions::escalations_only).
    pub fn escalations_only(mut self, on: bool) -> Self {
        self.escalations_only = on;
        self
    }

    /// Sets [`forget_between_conversations`](BatchOptions::forget_between_conversations).
    pub fn forget_between_conversations(mut self, on: bool) -> Self {
        self.forget_between_conversations = on;
        self
    }

    /// Sets [`observation_json`](BatchOptions::observation_json).
    pub fn observation_json(mut self, on: bool) -> Self {
        self.observation_json = on;
        self
    }
}

/// One escalation a batch raised.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchEscalation {
    /// The row of the message that raised it.
    pub row: usize,
    /// Its scope.
    pub scope: EscalationScope,
    /// Its level.
    pub level: Level,
    /// The `vigil.escalation/1` document as one line of JSON ([`Escalation::to_json`]).
    pub json: String,
}

/// What observing a batch produced. Per-row columns have one value per row (empty with
/// [`BatchOptions::escalations_only`]); the lists are sparse, by row, in row order.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct BatchOutput {
    /// The key's level after each row: [`batch_level_code`] (0 none, 1 watch, 2 review,
    /// 3 urgent); 0 for a row without a valid message.
    pub levels: Vec<u8>,
    /// The key's risk after each row; NaN for a row without a valid message.
    pub risks: Vec<f64>,
    /// How many escalations each row raised (0 to 3: [`Observation::escalations`]).
    pub escalation_counts: Vec<u8>,
    /// The intervention each row called for: [`batch_action_code`] (0 none, 1 nudge_recipient,
    /// 2 nudge_sender, 3 mask, 4 hold).
    pub actions: Vec<u8>,
    /// Each row's whole observation as one line of JSON, with
    /// [`BatchOptions::observation_json`] (empty text for a row without a valid message);
    /// otherwise empty.
    pub observations: Vec<String>,
    /// Every escalation raised, in row order and, within a row, in the order of
    /// [`Observation::escalations`] — what `vigil scan` prints.
    pub escalations: Vec<BatchEscalation>,
    /// The rows that called for an intervention, with it as one line of JSON (the observation's
    /// `intervention` member).
    pub interventions: Vec<(usize, String)>,
    /// The rows that recorded a case contact (a tracker made
    /// [`with_case_contacts`](Tracker::with_case_contacts)), with it as one line of JSON.
    pub case_contacts: Vec<(usize, String)>,
    /// The rows that did not hold a valid message, with the reason; they were not observed.
    pub errors: Vec<(usize, MessageError)>,
    /// Rows observed (valid messages).
    pub messages: u64,
    /// Runs of rows with one conversation id (the number of conversations, when the rows are
    /// sorted by conversation): rows without a valid message are not counted, except that a
    /// `conversation_id` column given with `json` groups every row by its non-null value.
    pub conversations: u64,
    /// Rows without a valid message (`errors.len()`).
    pub malformed: u64,
}

/// The code of a level in [`BatchOutput::levels`]: 0 for none, 1 watch, 2 review, 3 urgent.
pub fn batch_level_code(level: Option<Level>) -> u8 {
    match level {
        None => 0,
        Some(Level::Watch) => 1,
        Some(Level::Review) => 2,
        Some(Level::Urgent) => 3,
    }
}

/// The code of an intervention in [`BatchOutput::actions`]: 0 for none, 1 nudge_recipient,
/// 2 nudge_sender, 3 mask, 4 hold.
pub fn batch_action_code(action: Option<crate::policy::InterventionAction>) -> u8 {
    use crate::policy::InterventionAction as A;
    match action {
        None => 0,
        Some(A::NudgeRecipient) => 1,
        Some(A::NudgeSender) => 2,
        Some(A::Mask) => 3,
        Some(A::Hold) => 4,
    }
}

fn missing(field: MessageField) -> MessageError {
    MessageError::Invalid {
        line: None,
        field: field.name().to_string(),
        reason: "null".to_string(),
    }
}

/// Copies `value` into `into`, reusing its allocation.
fn set(into: &mut String, value: &str) {
    into.clear();
    into.push_str(value);
}

/// Where a batch's rows come from.
enum Rows<'c, 'a, S> {
    Columns(&'c MessageColumns<'a>),
    Lines(&'c [S]),
}

impl<S: AsRef<str>> Rows<'_, '_, S> {
    fn len(&self) -> usize {
        match self {
            Rows::Columns(c) => c.rows,
            Rows::Lines(l) => l.len(),
        }
    }

    /// The grouping key of a row given apart from the message (a `conversation_id` column next
    /// to `json`): `Some(key)` when such a column exists.
    fn group(&self, row: usize) -> Option<Option<&str>> {
        match self {
            Rows::Columns(c) if c.utf8(MessageField::Json).is_some() => c
                .utf8(MessageField::ConversationId)
                .map(|col| col.get(MessageField::ConversationId, row).ok().flatten()),
            _ => None,
        }
    }

    /// Reads row `row` into `msg` (reusing its strings). The buffers were checked: a buffer
    /// error here cannot happen, and is reported as the row's error should it ever.
    fn read(&self, row: usize, msg: &mut Message) -> Result<(), MessageError> {
        match self {
            Rows::Lines(lines) => {
                let line = lines.get(row).map_or("", AsRef::as_ref);
                *msg = Message::from_json(line)?;
                Ok(())
            }
            Rows::Columns(c) => {
                let as_message = |e: BatchError| MessageError::Invalid {
                    line: None,
                    field: "buffers".into(),
                    reason: e.to_string(),
                };
                let text = |f: MessageField| -> Result<Option<&str>, MessageError> {
                    match c.utf8(f) {
                        Some(col) => col.get(f, row).map_err(as_message),
                        None => Ok(None),
                    }
                };
                let int = |f: MessageField| c.int64(f).and_then(|col| col.get(row));
                if c.utf8(MessageField::Json).is_some() {
                    let line = text(MessageField::Json)?.ok_or_else(|| missing(MessageField::Json))?;
                    *msg = Message::from_json(line)?;
                    return Ok(());
                }
                let required = |f: MessageField| text(f)?.ok_or_else(|| missing(f));
                set(&mut msg.conversation_id, required(MessageField::ConversationId)?);
                set(&mut msg.message_id, required(MessageField::MessageId)?);
                msg.timestamp = Timestamp::from_millis(
                    int(MessageField::TimestampMs).ok_or_else(|| missing(MessageField::TimestampMs))?,
                );
                set(&mut msg.text, required(MessageField::Text)?);
                let band = |f: MessageField| -> Result<AgeBand, MessageError> {
                    Ok(text(f)?.and_then(AgeBand::from_name).unwrap_or(AgeBand::Unknown))
                };
                let participant =
                    |p: &mut Participant, id: &str, fields: [MessageField; 4]| -> Result<(), MessageError> {
                        set(&mut p.id, id);
                        p.age_band = band(fields[0])?;
                        p.age = int(fields[1]).and_then(crate::message::age_from_int);
                        p.account_age_days = int(fields[2]).and_then(crate::message::days_from_int);
                        p.language = text(fields[3])?.map(str::to_string);
                        Ok(())
                    };
                let sender_id = required(MessageField::SenderId)?;
                participant(
                    &mut msg.sender,
                    sender_id,
                    [
                        MessageField::SenderAgeBand,
                        MessageField::SenderAge,
                        MessageField::SenderAccountAgeDays,
                        MessageField::SenderLanguage,
                    ],
                )?;
                match text(MessageField::RecipientId)? {
                    Some(id) => {
                        let r = msg.recipient.get_or_insert_with(Participant::default);
                        participant(
                            r,
                            id,
                            [
                                MessageField::RecipientAgeBand,
                                MessageField::RecipientAge,
                                MessageField::RecipientAccountAgeDays,
                                MessageField::RecipientLanguage,
                            ],
                        )?;
                    }
                    None => msg.recipient = None,
                }
                set(&mut msg.channel, text(MessageField::Channel)?.unwrap_or(""));
                set(
                    &mut msg.relationship,
                    text(MessageField::Relationship)?.unwrap_or(""),
                );
                msg.validate()
            }
        }
    }
}

impl Tracker {
    /// Observes messages in order: exactly `messages.iter().map(|m| self.observe(m))`, the
    /// same observations. Never panics.
    pub fn observe_batch(&mut self, messages: &[Message]) -> Vec<Observation> {
        messages.iter().map(|m| self.observe(m)).collect()
    }

    /// Observes messages in order and keeps only the escalations: each with the index of the
    /// message that raised it, in the order of [`Observation::escalations`] within a message
    /// (what `vigil scan` prints).
    pub fn observe_batch_escalations(&mut self, messages: &[Message]) -> Vec<(usize, Escalation)> {
        let mut out = Vec::new();
        for (i, m) in messages.iter().enumerate() {
            let o = self.observe(m);
            out.extend(
                [o.escalation, o.recipient_escalation, o.sender_escalation]
                    .into_iter()
                    .flatten()
                    .map(|e| (i, e)),
            );
        }
        out
    }

    /// Observes the rows of `columns` in order (see [`MessageColumns`]): each valid row is
    /// one [`observe`](Tracker::observe); a row without a valid message is reported in
    /// [`BatchOutput::errors`] and skipped. Buffers were checked when the columns were added; a
    /// missing required column leaves every row in `errors`.
    pub fn observe_columns(&mut self, columns: &MessageColumns<'_>, options: &BatchOptions) -> BatchOutput {
        if let Err(e) = columns.check_set() {
            let mut out = BatchOutput::default();
            self.note_set_error(columns.rows, &e, options, &mut out);
            return out;
        }
        self.observe_rows(&Rows::<&str>::Columns(columns), options)
    }

    /// Observes JSON lines in order, each read by [`Message::from_json`] (the lenient reader
    /// `vigil scan` uses): as [`observe_columns`](Tracker::observe_columns) with one `json`
    /// column.
    pub fn observe_json_lines<S: AsRef<str>>(&mut self, lines: &[S], options: &BatchOptions) -> BatchOutput {
        self.observe_rows(&Rows::Lines(lines), options)
    }

    fn note_set_error(&self, rows: usize, e: &BatchError, options: &BatchOptions, out: &mut BatchOutput) {
        for row in 0..rows {
            out.errors.push((
                row,
                MessageError::Invalid {
                    line: None,
                    field: "columns".into(),
                    reason: e.to_string(),
                },
            ));
            push_empty_row(options, out);
        }
        out.malformed = u64::try_from(rows).unwrap_or(u64::MAX);
    }

    fn observe_rows<S: AsRef<str>>(&mut self, rows: &Rows<'_, '_, S>, options: &BatchOptions) -> BatchOutput {
        let n = rows.len();
        let per_row = !options.escalations_only;
        let mut out = BatchOutput::default();
        if per_row {
            out.levels.reserve(n);
            out.risks.reserve(n);
            out.escalation_counts.reserve(n);
            out.actions.reserve(n);
        }
        let mut msg = Message::new("", "", Timestamp::from_millis(0), Participant::default(), "");
        // The conversation of the row before (`None` before the first).
        let mut current: Option<Option<String>> = None;
        for row in 0..n {
            let read = rows.read(row, &mut msg);
            let group: Option<Option<&str>> = match rows.group(row) {
                Some(g) => Some(g),
                None => read.is_ok().then_some(Some(msg.conversation_id.as_str())),
            };
            if let Some(key) = group {
                if current.as_ref().map(Option::as_deref) != Some(key) {
                    if options.forget_between_conversations {
                        self.clear();
                    }
                    if key.is_some() {
                        out.conversations += 1;
                    }
                    current = Some(key.map(str::to_string));
                }
            }
            if let Err(e) = read {
                out.errors.push((row, e));
                out.malformed += 1;
                push_empty_row(options, &mut out);
                continue;
            }
            out.messages += 1;
            let o = self.observe(&msg);
            for e in o.escalations() {
                out.escalations.push(BatchEscalation {
                    row,
                    scope: e.scope,
                    level: e.level,
                    json: e.to_json(),
                });
            }
            if let Some(c) = &o.case_contact {
                out.case_contacts.push((row, c.to_json()));
            }
            if per_row {
                out.levels.push(batch_level_code(o.level));
                out.risks.push(o.risk);
                out.escalation_counts
                    .push(u8::try_from(o.escalations().count()).unwrap_or(u8::MAX));
                out.actions
                    .push(batch_action_code(o.intervention.as_ref().map(|i| i.action)));
                if let Some(i) = &o.intervention {
                    out.interventions.push((row, crate::json::compact(i)));
                }
                if options.observation_json {
                    out.observations.push(o.to_json());
                }
            }
        }
        out
    }
}

fn push_empty_row(options: &BatchOptions, out: &mut BatchOutput) {
    if options.escalations_only {
        return;
    }
    out.levels.push(0);
    out.risks.push(f64::NAN);
    out.escalation_counts.push(0);
    out.actions.push(0);
    if options.observation_json {
        out.observations.push(String::new());
    }
}
