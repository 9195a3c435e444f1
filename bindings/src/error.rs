//! The one error type every fallible call raises: a Kotlin `VigilException`, a Swift `VigilError`,
//! a Python `VigilError`, each with one case per kind of problem. Its message is exactly the
//! core's (`Display`), such as `acme.toml:4:1: rule `x`, field `wieght`: unknown field …`.

use thiserror::Error;

/// Any error Vigil raises through the bindings. The message is the core's own text.
#[derive(Debug, Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum VigilError {
    /// A policy could not be loaded, merged or compiled; the message names the source, line,
    /// column, rule and field.
    #[error(transparent)]
    Policy(#[from] vigil::PolicyError),
    /// A message is not valid JSON, misses a required field or has an invalid value.
    #[error(transparent)]
    Message(#[from] vigil::MessageError),
    /// A snapshot could not be restored (not a snapshot, another format version, damaged).
    #[error(transparent)]
    Snapshot(#[from] vigil::SnapshotError),
    /// A timestamp is neither RFC 3339 text nor epoch digits, or is out of range.
    #[error(transparent)]
    Timestamp(#[from] vigil::TimestampError),
    /// A batch's buffers or records are not valid (a column's offsets, UTF-8 or length, an
    /// unknown column, an invalid message record); the message names the column and the row, or
    /// the record's index. Nothing was observed.
    #[error("{message}")]
    Batch {
        /// The core's message.
        message: String,
    },
    /// A compiled policy bundle could not be loaded (not a bundle, damaged or cut, written by
    /// another Vigil version, or of another policy than expected); the message names the byte.
    #[error(transparent)]
    Bundle(#[from] vigil::bundle::BundleError),
    /// A case contact (from `observeJsonStaged`) is not valid JSON or misses a field.
    #[error("invalid case contact: {message}")]
    Contact {
        /// The JSON parser's message.
        message: String,
    },
    /// A policy file could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// No report draft was made: the escalation document is not valid, the decision or medium is
    /// unknown, or the core refused (below `review`, no reviewer, not `confirmed`, a recipient's
    /// view, no valid incident type). The message is the core's.
    #[error("{message}")]
    Draft {
        /// The core's message.
        message: String,
    },
}

impl From<vigil::BatchError> for VigilError {
    fn from(e: vigil::BatchError) -> VigilError {
        VigilError::Batch {
            message: e.to_string(),
        }
    }
}

impl From<vigil::draft::DraftError> for VigilError {
    fn from(e: vigil::draft::DraftError) -> VigilError {
        VigilError::Draft {
            message: e.to_string(),
        }
    }
}
