//! The objects: a policy builder, a compiled policy, an engine and a tracker. Each is
//! thread-safe (`Send + Sync`): the engine is immutable and shared, the builder and the tracker
//! hold their state behind a lock. Every method is one call into the core.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::batch::{BatchEscalation, BatchOptions, BatchResult, Int64ColumnBuffers, Utf8ColumnBuffers};
use crate::error::VigilError;
use crate::types::{
    Assessment, ChannelKind, ExampleFailure, Level, Message, NormalizedText, Observation, RelationshipKind,
    TrackerStats,
};

/// Locks a mutex; a lock poisoned by a panic elsewhere is still used (the core never leaves its
/// state half-updated on the paths called here), so no panic crosses the FFI.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Parses a record into a core message and checks it as the core's JSON reader does
/// (ids must not be empty).
fn core_message(message: Message) -> Result<vigil::Message, VigilError> {
    let m: vigil::Message = message.into();
    m.validate()?;
    Ok(m)
}

/// Checks every record of a batch (as `core_message`); the error names the record's index.
fn core_messages(messages: Vec<Message>) -> Result<Vec<vigil::Message>, VigilError> {
    messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            core_message(m).map_err(|e| VigilError::Batch {
                message: format!("message {i}: {e}"),
            })
        })
        .collect()
}

/// Builds a policy from layers, in order: shipped packs, then overrides from strings or files.
/// Each `add_*` parses at once and fails with the source's line and column, leaving the builder
/// as it was; `build` merges and validates. Calls chain: `PolicyBuilder().addShipped().addToml(…)`.
#[derive(Debug, Default, uniffi::Object)]
pub struct PolicyBuilder {
    inner: Mutex<vigil::PolicyBuilder>,
}

impl PolicyBuilder {
    fn update(
        self: Arc<Self>,
        f: impl FnOnce(vigil::PolicyBuilder) -> Result<vigil::PolicyBuilder, vigil::PolicyError>,
    ) -> Result<Arc<Self>, VigilError> {
        {
            let mut guard = lock(&self.inner);
            let next = f(guard.clone())?;
            *guard = next;
        }
        Ok(self)
    }
}

#[uniffi::export]
impl PolicyBuilder {
    /// An empty builder.
    #[uniffi::constructor]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every shipped pack, in order (the language-neutral core first).
    pub fn add_shipped(self: Arc<Self>) -> Result<Arc<Self>, VigilError> {
        self.update(|b| b.add_shipped())
    }

    /// Adds one shipped pack by name (see `shippedPackNames()`).
    pub fn add_pack(self: Arc<Self>, name: String) -> Result<Arc<Self>, VigilError> {
        self.update(|b| b.add_pack(&name))
    }

    /// Adds a TOML layer; `name` (a file name) appears in error messages.
    pub fn add_toml(self: Arc<Self>, name: String, text: String) -> Result<Arc<Self>, VigilError> {
        self.update(|b| b.add_toml(&name, &text))
    }

    /// Adds a JSON layer (same structure as TOML).
    pub fn add_json(self: Arc<Self>, name: String, text: String) -> Result<Arc<Self>, VigilError> {
        self.update(|b| b.add_json(&name, &text))
    }

    /// Adds a TOML or JSON layer: JSON when `name` ends in `.json` or the text starts with `{`.
    pub fn add_source(self: Arc<Self>, name: String, text: String) -> Result<Arc<Self>, VigilError> {
        self.update(|b| b.add_source(&name, &text))
    }

    /// Reads a TOML or JSON layer from a file (UTF-8); the path appears in error messages.
    pub fn add_file(self: Arc<Self>, path: String) -> Result<Arc<Self>, VigilError> {
        let text = std::fs::read_to_string(&path).map_err(|e| VigilError::Io {
            path: path.clone(),
            message: e.to_string(),
        })?;
        self.update(|b| b.add_source(&path, &text))
    }

    /// Merges the layers and validates the whole. The builder can be used again afterwards.
    pub fn build(&self) -> Result<Arc<Policy>, VigilError> {
        let builder = lock(&self.inner).clone();
        Ok(Arc::new(Policy {
            inner: builder.build()?,
        }))
    }
}

/// A merged, validated policy. Compile it into an [`Engine`].
#[derive(Debug, uniffi::Object)]
pub struct Policy {
    inner: vigil::Policy,
}

#[uniffi::export]
impl Policy {
    /// The shipped packs, merged.
    #[uniffi::constructor]
    pub fn shipped() -> Result<Self, VigilError> {
        Ok(Policy {
            inner: vigil::Policy::shipped()?,
        })
    }

    /// Layer ids joined with `+`.
    pub fn id(&self) -> String {
        self.inner.id().to_string()
    }

    /// Layer versions joined with `+`.
    pub fn version(&self) -> String {
        self.inner.version().to_string()
    }

    /// `sha256:` and the hex digest of the resolved policy.
    pub fn hash(&self) -> String {
        self.inner.hash().to_string()
    }

    /// The resolved policy as pretty JSON (what the hash covers).
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }
}

/// A compiled policy: immutable and thread-safe; share one across threads and trackers.
/// `assess` is stateless; a [`Tracker`] turns assessments into conversation risk and escalations.
#[derive(Debug, uniffi::Object)]
pub struct Engine {
    pub(crate) inner: Arc<vigil::Engine>,
}

#[uniffi::export]
impl Engine {
    /// Compiles a policy; errors name the source, line, rule and field of the offending term or
    /// pattern.
    #[uniffi::constructor]
    pub fn new(policy: Arc<Policy>) -> Result<Self, VigilError> {
        Ok(Engine {
            inner: Arc::new(vigil::Engine::new(policy.inner.clone())?),
        })
    }

    /// The engine of the shipped packs (embedded in the library; no files needed).
    #[uniffi::constructor]
    pub fn shipped() -> Result<Self, VigilError> {
        Ok(Engine {
            inner: Arc::new(vigil::Engine::new(vigil::Policy::shipped()?)?),
        })
    }

    /// Loads an engine from a compiled bundle (`vigil policy compile`): no parsing, no
    /// normalizing at start. Raises `VigilError.Bundle` for anything that is not an intact
    /// bundle written by this Vigil version.
    #[uniffi::constructor]
    pub fn from_bundle(bytes: Vec<u8>) -> Result<Self, VigilError> {
        Ok(Engine {
            inner: Arc::new(vigil::Engine::from_bundle(&bytes)?),
        })
    }

    /// Like `fromBundle`, and refuses a bundle of another policy than the one whose hash is
    /// `policyHash`.
    #[uniffi::constructor]
    pub fn from_bundle_for(bytes: Vec<u8>, policy_hash: String) -> Result<Self, VigilError> {
        Ok(Engine {
            inner: Arc::new(vigil::Engine::from_bundle_for(&bytes, &policy_hash)?),
        })
    }

    /// This engine's policy compiled into a bundle that `fromBundle` loads.
    pub fn to_bundle(&self) -> Result<Vec<u8>, VigilError> {
        Ok(self.inner.policy().to_bundle()?)
    }

    /// Assesses one message from its text and metadata alone (no conversation state).
    pub fn assess(&self, message: Message) -> Result<Assessment, VigilError> {
        Ok((&self.inner.assess(&core_message(message)?)).into())
    }

    /// Assesses one message given as JSON (one line of a JSON Lines file); returns the
    /// assessment as JSON, as the core serializes it.
    pub fn assess_json(&self, message_json: String) -> Result<String, VigilError> {
        let m = vigil::Message::from_json(&message_json)?;
        Ok(self.inner.assess(&m).to_json())
    }

    /// Runs every enabled rule's examples and returns the ones that fail (none for a sound
    /// policy): the pack's own tests.
    pub fn check_examples(&self) -> Vec<ExampleFailure> {
        self.inner.check_examples().into_iter().map(Into::into).collect()
    }

    /// The level a risk reaches by the policy's thresholds.
    pub fn level_for(&self, risk: f64) -> Option<Level> {
        self.inner.level_for(risk).map(Into::into)
    }

    /// The normalized views of a text (what the matchers see), for explanations.
    pub fn normalized(&self, text: String) -> NormalizedText {
        let views = self.inner.normalized(&text);
        NormalizedText {
            terms: views.terms,
            patterns: views.patterns,
        }
    }

    /// The kind of channel a platform's word means under this policy's `[metadata.channel]`
    /// table (`"lobby"` → `Public`), and whether the policy maps it; words compare without case,
    /// with `-`, `_` and spaces alike. A word no layer maps is `Unknown`, not mapped.
    pub fn channel_kind(&self, word: String) -> ChannelKind {
        self.inner.policy().metadata().channel(&word).into()
    }

    /// The kind of relationship a platform's word means under this policy's
    /// `[metadata.relationship]` table (`"friend"` → `Contact`), and whether the policy maps it.
    pub fn relationship_kind(&self, word: String) -> RelationshipKind {
        self.inner.policy().metadata().relationship(&word).into()
    }

    /// The age from which a participant with a known `age` (and no age band) is an adult: the
    /// policy's `metadata.adult_age` (18 in the shipped packs).
    pub fn adult_age(&self) -> u32 {
        self.inner.policy().metadata().adult_age
    }

    /// Number of rules (enabled or not).
    pub fn rule_count(&self) -> u64 {
        u64::try_from(self.inner.rule_count()).unwrap_or(u64::MAX)
    }

    /// The policy this engine was compiled from.
    pub fn policy(&self) -> Arc<Policy> {
        Arc::new(Policy {
            inner: self.inner.policy().clone(),
        })
    }
}

/// What `Tracker.observeJsonStaged` returns for one message.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StagedObservation {
    /// Every escalation document the message raised (as `observeJsonEscalations`).
    pub escalations: Vec<String>,
    /// The case contact of a risky message, as one line of JSON (only from a tracker made
    /// `withCaseContacts`, with the policy's `[senders]`).
    pub case_contact: Option<String>,
}

/// Conversation state for one engine: decayed risk per conversation key, grooming stages,
/// levels and escalations, in bounded memory. Thread-safe (calls are serialized by a lock); a
/// phone holds one per signed-in user, a server one per shard.
#[derive(Debug, uniffi::Object)]
pub struct Tracker {
    inner: Mutex<vigil::Tracker>,
}

#[uniffi::export]
impl Tracker {
    /// An empty tracker with the policy's capacity and idle time-to-live.
    #[uniffi::constructor]
    pub fn new(engine: Arc<Engine>) -> Self {
        Tracker {
            inner: Mutex::new(vigil::Tracker::new(engine.inner.clone())),
        }
    }

    /// An empty tracker holding at most `capacity` conversation keys (at least 1).
    #[uniffi::constructor]
    pub fn with_capacity(engine: Arc<Engine>, capacity: u64) -> Self {
        let capacity = usize::try_from(capacity).unwrap_or(usize::MAX);
        Tracker {
            inner: Mutex::new(vigil::Tracker::new(engine.inner.clone()).with_capacity(capacity)),
        }
    }

    /// Observes one message: assesses it under what the conversation knows, updates the key's
    /// risk, stages and level, and returns an escalation when the level rose or a new category
    /// joined. Fails only on an invalid message (an empty id).
    pub fn observe(&self, message: Message) -> Result<Observation, VigilError> {
        let m = core_message(message)?;
        Ok((&lock(&self.inner).observe(&m)).into())
    }

    /// Observes messages in order, in one call: the observations `observe` gives one by one.
    /// Every record is checked first; an invalid one (an empty id) raises `Batch` naming its
    /// index, and nothing is observed.
    pub fn observe_batch(&self, messages: Vec<Message>) -> Result<Vec<Observation>, VigilError> {
        let messages = core_messages(messages)?;
        let mut tracker = lock(&self.inner);
        Ok(messages.iter().map(|m| (&tracker.observe(m)).into()).collect())
    }

    /// Observes messages in order, in one call, and returns only the escalations they raised,
    /// each with the index of its message (what `vigil scan` prints, in its order). Invalid
    /// records as `observeBatch`.
    pub fn observe_batch_escalations(
        &self,
        messages: Vec<Message>,
    ) -> Result<Vec<BatchEscalation>, VigilError> {
        let messages = core_messages(messages)?;
        let raised = lock(&self.inner).observe_batch_escalations(&messages);
        Ok(raised
            .into_iter()
            .map(|(row, e)| BatchEscalation {
                row: u64::try_from(row).unwrap_or(u64::MAX),
                scope: e.scope.into(),
                level: e.level.into(),
                json: e.to_json(),
            })
            .collect())
    }

    /// Observes JSON lines in order, in one call, each read as `observeJson` reads it (the
    /// core's lenient reader, as `vigil scan`): per-row results as bytes, the documents by row,
    /// and the lines that do not hold a valid message in `errors` (the others are observed).
    pub fn observe_json_batch(&self, lines: Vec<String>, options: BatchOptions) -> BatchResult {
        lock(&self.inner)
            .observe_json_lines(&lines, &options.into())
            .into()
    }

    /// Observes a batch of `rows` messages given as Arrow-layout column buffers (see
    /// `Utf8ColumnBuffers`, `Int64ColumnBuffers`): one `json` column of JSON lines (with an
    /// optional `conversation_id` column grouping rows), or a column per message field
    /// (`conversation_id`, `message_id`, `timestamp_ms`, `sender_id` and `text` required). Bad
    /// buffers or an unknown column raise `Batch` naming the column and row, before anything is
    /// observed; a row without a valid message is reported in `errors`.
    pub fn observe_columns(
        &self,
        rows: u64,
        utf8: Vec<Utf8ColumnBuffers>,
        int64: Vec<Int64ColumnBuffers>,
        options: BatchOptions,
    ) -> Result<BatchResult, VigilError> {
        crate::batch::observe_columns(&mut lock(&self.inner), rows, &utf8, &int64, options)
    }

    /// Observes one message given as JSON (one line of a JSON Lines file); returns the
    /// observation as JSON, as the core serializes it.
    pub fn observe_json(&self, message_json: String) -> Result<String, VigilError> {
        let m = vigil::Message::from_json(&message_json)?;
        Ok(lock(&self.inner).observe(&m).to_json())
    }

    /// Observes one message given as JSON, like `observe_json`, and returns only its escalation:
    /// the `vigil.escalation/1` document as one line of JSON (the text `observe_json` carries as
    /// `escalation`), or nothing when the message raised none. For batch jobs that keep the
    /// escalations alone (the Spark backtest): the observation is not serialized at all.
    pub fn observe_json_escalation(&self, message_json: String) -> Result<Option<String>, VigilError> {
        let m = vigil::Message::from_json(&message_json)?;
        Ok(lock(&self.inner).observe(&m).escalation.map(|e| e.to_json()))
    }

    /// Observes one message given as JSON and returns every escalation it raised as documents
    /// (one line of JSON each): the conversation key's, then the recipient's view's (scope
    /// `recipient`: a minor addressed in a public channel), then the sender's case's (scope
    /// `sender`). Empty when it raised none. What `vigil scan` prints for the message, in the
    /// same order.
    pub fn observe_json_escalations(&self, message_json: String) -> Result<Vec<String>, VigilError> {
        let m = vigil::Message::from_json(&message_json)?;
        let o = lock(&self.inner).observe(&m);
        Ok(o.escalations().map(vigil::Escalation::to_json).collect())
    }

    /// An empty tracker whose observations carry the case contact of each risky message (see
    /// `observeJsonStaged`): the first stage of a job that scores conversations apart and builds
    /// sender cases in a second stage keyed by sender (`observeContactJson`).
    #[uniffi::constructor]
    pub fn with_case_contacts(engine: Arc<Engine>) -> Self {
        Tracker {
            inner: Mutex::new(vigil::Tracker::new(engine.inner.clone()).with_case_contacts()),
        }
    }

    /// Observes one message given as JSON and returns its escalation documents (as
    /// `observeJsonEscalations`) and, from a tracker made `withCaseContacts`, the case contact of
    /// a risky message as one line of JSON, for the second stage (`observeContactJson`).
    pub fn observe_json_staged(&self, message_json: String) -> Result<StagedObservation, VigilError> {
        let m = vigil::Message::from_json(&message_json)?;
        let o = lock(&self.inner).observe(&m);
        Ok(StagedObservation {
            escalations: o.escalations().map(vigil::Escalation::to_json).collect(),
            case_contact: o.case_contact.as_ref().map(vigil::CaseContact::to_json),
        })
    }

    /// Records a case contact (one line of JSON from `observeJsonStaged`) in its sender's case
    /// and returns the sender escalation it raised, as one line of JSON, if any. Feed each
    /// sender's contacts in time order: the result is what one tracker observing all of the
    /// sender's conversations raised.
    pub fn observe_contact_json(&self, contact_json: String) -> Result<Option<String>, VigilError> {
        let contact: vigil::CaseContact =
            serde_json::from_str(&contact_json).map_err(|e| VigilError::Contact {
                message: e.to_string(),
            })?;
        Ok(lock(&self.inner).observe_contact(&contact).map(|e| e.to_json()))
    }

    /// The whole state as bytes, to persist and restore later (or in another process).
    pub fn snapshot(&self) -> Vec<u8> {
        lock(&self.inner).snapshot()
    }

    /// Replaces this tracker's state with a snapshot's. On error the tracker is left as it was.
    pub fn restore(&self, snapshot: Vec<u8>) -> Result<(), VigilError> {
        Ok(lock(&self.inner).restore(&snapshot)?)
    }

    /// The state of one conversation as bytes in the snapshot format (fan-out not included).
    pub fn snapshot_conversation(&self, conversation_id: String) -> Vec<u8> {
        lock(&self.inner).snapshot_conversation(&conversation_id)
    }

    /// Adds one conversation's state (from `snapshotConversation`), replacing what this tracker
    /// held for it. On error nothing changes.
    pub fn restore_conversation(&self, snapshot: Vec<u8>) -> Result<(), VigilError> {
        Ok(lock(&self.inner).restore_conversation(&snapshot)?)
    }

    /// Counters.
    pub fn stats(&self) -> TrackerStats {
        lock(&self.inner).stats().into()
    }

    /// Number of conversation keys held.
    pub fn len(&self) -> u64 {
        u64::try_from(lock(&self.inner).len()).unwrap_or(u64::MAX)
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        lock(&self.inner).is_empty()
    }

    /// The most keys held at once.
    pub fn capacity(&self) -> u64 {
        u64::try_from(lock(&self.inner).capacity()).unwrap_or(u64::MAX)
    }

    /// Evicts keys idle for longer than the policy's time-to-live (also done on every message).
    pub fn evict_idle(&self) {
        lock(&self.inner).evict_idle();
    }

    /// Forgets everything (counters included).
    pub fn clear(&self) {
        lock(&self.inner).clear();
    }
}
