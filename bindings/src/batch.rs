//! Batch observation: many messages in one call (`Tracker.observeBatch`,
//! `observeBatchEscalations`, `observeJsonBatch`, `observeColumns`), with exactly the results of
//! observing them one by one. The core does the work (`vigil::Tracker::observe_columns`); this
//! module converts records and byte buffers.
//!
//! Per-row results cross as bytes, one value per row, so a binding reads them without a call per
//! row: `levels` (u8: 0 none, 1 watch, 2 review, 3 urgent), `risks` (little-endian f64; NaN for a
//! row without a valid message), `escalation_counts` (u8), `actions` (u8: 0 none,
//! 1 nudge_recipient, 2 nudge_sender, 3 mask, 4 hold). Documents (escalations, interventions,
//! case contacts) and row errors are sparse lists by row.

use crate::error::VigilError;
use crate::types::{EscalationScope, Level};

/// How a batch is observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, uniffi::Record)]
pub struct BatchOptions {
    /// Keep only the escalations (and case contacts and row errors): the per-row columns, the
    /// interventions and the observations are left empty.
    #[uniffi(default = false)]
    pub escalations_only: bool,
    /// The rows are sorted by conversation: forget everything (as `clear`) whenever the
    /// conversation id changes from the row before, so each conversation is scored on its own
    /// (a backtest over a log sorted by conversation).
    #[uniffi(default = false)]
    pub forget_between_conversations: bool,
    /// Also return each row's whole observation as one line of JSON (`BatchResult.observations`).
    #[uniffi(default = false)]
    pub observation_json: bool,
}

impl From<BatchOptions> for vigil::BatchOptions {
    fn from(o: BatchOptions) -> vigil::BatchOptions {
        vigil::BatchOptions::default()
            .escalations_only(o.escalations_only)
            .forget_between_conversations(o.forget_between_conversations)
            .observation_json(o.observation_json)
    }
}

/// A utf8 column of a message batch in the Arrow layout: `len + 1` little-endian i32 `offsets`
/// (from `offset` on), the UTF-8 `data`, and an optional validity bitmap (LSB first; a clear bit
/// is null). `name` is the column's: `json` (whole messages as JSON lines), or a message field —
/// `conversation_id`, `message_id`, `sender_id`, `sender_age_band`, `sender_language`,
/// `recipient_id`, `recipient_age_band`, `recipient_language`, `channel`, `relationship`, `text`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Utf8ColumnBuffers {
    /// The column's name.
    pub name: String,
    /// Little-endian i32 offsets.
    pub offsets: Vec<u8>,
    /// The values' UTF-8 bytes.
    pub data: Vec<u8>,
    /// The validity bitmap, when a value may be null.
    #[uniffi(default)]
    pub validity: Option<Vec<u8>>,
    /// The array's offset into its buffers (a sliced array).
    #[uniffi(default = 0)]
    pub offset: u64,
    /// Number of values (the batch's rows).
    pub len: u64,
}

/// An int64 column of a message batch in the Arrow layout: little-endian i64 `values` and an
/// optional validity bitmap. `name`: `timestamp_ms`, `sender_age`, `sender_account_age_days`,
/// `recipient_age`, `recipient_account_age_days`.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Int64ColumnBuffers {
    /// The column's name.
    pub name: String,
    /// Little-endian i64 values.
    pub values: Vec<u8>,
    /// The validity bitmap, when a value may be null.
    #[uniffi(default)]
    pub validity: Option<Vec<u8>>,
    /// The array's offset into its buffers.
    #[uniffi(default = 0)]
    pub offset: u64,
    /// Number of values (the batch's rows).
    pub len: u64,
}

/// One escalation a batch raised.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchEscalation {
    /// The row (0-based) of the message that raised it.
    pub row: u64,
    /// Its scope.
    pub scope: EscalationScope,
    /// Its level.
    pub level: Level,
    /// The `vigil.escalation/1` document as one line of JSON.
    pub json: String,
}

/// A document of one row (an intervention, a case contact), as one line of JSON.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchRowDocument {
    /// The row (0-based).
    pub row: u64,
    /// The document.
    pub json: String,
}

/// A row that did not hold a valid message (it was not observed).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct BatchRowError {
    /// The row (0-based).
    pub row: u64,
    /// The core's message, naming the field.
    pub message: String,
}

/// What observing a batch produced (see the module docs for the byte columns).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct BatchResult {
    /// The key's level after each row (u8 codes).
    pub levels: Vec<u8>,
    /// The key's risk after each row (little-endian f64).
    pub risks: Vec<u8>,
    /// How many escalations each row raised (u8).
    pub escalation_counts: Vec<u8>,
    /// The intervention each row called for (u8 codes).
    pub actions: Vec<u8>,
    /// Each row's observation as one line of JSON, with `observation_json` (empty text for a row
    /// without a valid message).
    pub observations: Vec<String>,
    /// Every escalation, in row order and, within a row, conversation key, recipient's view,
    /// sender's case: what `vigil scan` prints.
    pub escalations: Vec<BatchEscalation>,
    /// The rows that called for an intervention.
    pub interventions: Vec<BatchRowDocument>,
    /// The rows that recorded a case contact (a tracker made `withCaseContacts`).
    pub case_contacts: Vec<BatchRowDocument>,
    /// The rows without a valid message.
    pub errors: Vec<BatchRowError>,
    /// Rows observed.
    pub messages: u64,
    /// Runs of rows with one conversation id (conversations, when sorted by conversation).
    pub conversations: u64,
    /// Rows without a valid message.
    pub malformed: u64,
}

fn row(r: usize) -> u64 {
    u64::try_from(r).unwrap_or(u64::MAX)
}

fn index(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

impl From<vigil::BatchOutput> for BatchResult {
    fn from(o: vigil::BatchOutput) -> BatchResult {
        let doc = |(r, json): (usize, String)| BatchRowDocument { row: row(r), json };
        BatchResult {
            levels: o.levels,
            risks: o.risks.iter().flat_map(|r| r.to_le_bytes()).collect(),
            escalation_counts: o.escalation_counts,
            actions: o.actions,
            observations: o.observations,
            escalations: o
                .escalations
                .into_iter()
                .map(|e| BatchEscalation {
                    row: row(e.row),
                    scope: e.scope.into(),
                    level: e.level.into(),
                    json: e.json,
                })
                .collect(),
            interventions: o.interventions.into_iter().map(doc).collect(),
            case_contacts: o.case_contacts.into_iter().map(doc).collect(),
            errors: o
                .errors
                .into_iter()
                .map(|(r, e)| BatchRowError {
                    row: row(r),
                    message: e.to_string(),
                })
                .collect(),
            messages: o.messages,
            conversations: o.conversations,
            malformed: o.malformed,
        }
    }
}

fn field(name: &str) -> Result<vigil::MessageField, VigilError> {
    vigil::MessageField::from_name(name).ok_or_else(|| VigilError::Batch {
        message: format!("column `{name}`: not a message column"),
    })
}

/// Observes Arrow-layout columns on a tracker (the core's `observe_columns`).
pub(crate) fn observe_columns(
    tracker: &mut vigil::Tracker,
    rows: u64,
    utf8: &[Utf8ColumnBuffers],
    int64: &[Int64ColumnBuffers],
    options: BatchOptions,
) -> Result<BatchResult, VigilError> {
    let mut columns = vigil::MessageColumns::new(index(rows));
    for c in utf8 {
        let col = vigil::Utf8Column::new(
            &c.offsets,
            &c.data,
            c.validity.as_deref(),
            index(c.offset),
            index(c.len),
        );
        columns = columns.with_utf8(field(&c.name)?, col)?;
    }
    for c in int64 {
        let col = vigil::Int64Column::new(&c.values, c.validity.as_deref(), index(c.offset), index(c.len));
        columns = columns.with_int64(field(&c.name)?, col)?;
    }
    Ok(tracker.observe_columns(&columns, &options.into()).into())
}
