//! The JavaScript API: thin wrappers that convert values and call the core.
//!
//! Values cross the boundary as JSON: objects from JS are `JSON.stringify`-ed and read by the
//! core's own parsers (so errors carry the core's messages), and records go back through
//! `JSON.parse` of the core's serde output (so JS sees exactly what `Observation::to_json()`
//! gives). Every error becomes a JS `Error` (see [`BindingError`]).

use std::sync::Arc;

use serde::Serialize;
use vigil::draft::Drafter;
use wasm_bindgen::prelude::*;

use crate::error::BindingError;
use crate::input;

#[wasm_bindgen(typescript_custom_section)]
const RECORDS: &str = include_str!("records.d.ts");

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = JSON, js_name = stringify, catch)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = Object, js_name = assign)]
    fn object_assign(target: &JsValue, source: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = Uint8Array)]
    type JsUint8Array;
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = from, catch)]
    fn uint8_array_copy(bytes: &JsValue) -> Result<Vec<u8>, JsValue>;
}

/// A JS `Error` with the error's message and its details as fields.
fn js_error(e: &BindingError) -> JsValue {
    let err: JsValue = JsError::new(&e.to_string()).into();
    if let Ok(details) = json_parse(&e.details().to_string()) {
        object_assign(&err, &details);
    }
    err
}

impl From<BindingError> for JsValue {
    fn from(e: BindingError) -> JsValue {
        js_error(&e)
    }
}

/// A record as a plain JS object, via the core's serde output.
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| BindingError::Internal(format!("could not encode the result as JSON: {e}")))?;
    json_parse(&text)
        .map_err(|_| BindingError::Internal("JSON.parse rejected the core's output".into()).into())
}

/// `JSON.stringify(value)`, or an argument error naming what was expected.
fn json_text_of(value: &JsValue, what: &str) -> Result<String, BindingError> {
    match json_stringify(value) {
        Ok(s) => s
            .as_string()
            .ok_or_else(|| BindingError::Argument(format!("expected {what}, got {}", js_type(value)))),
        Err(_) => Err(BindingError::Argument(format!(
            "expected {what}: JSON.stringify cannot encode this value"
        ))),
    }
}

/// The JSON text of a JS value: a string is taken as JSON text already, anything else goes
/// through `JSON.stringify`.
fn json_text(value: &JsValue, what: &str) -> Result<String, BindingError> {
    match value.as_string() {
        Some(s) => Ok(s),
        None => json_text_of(value, what),
    }
}

/// A string argument.
///
/// String and byte arguments are taken as `JsValue` and copied into Wasm memory here, inside the
/// call, rather than by the generated glue before it: after a panic the glue swaps in a fresh
/// instance at the start of the next call, and a copy made before that swap would land in the
/// old instance's memory.
fn string_arg(value: &JsValue, what: &str) -> Result<String, BindingError> {
    value
        .as_string()
        .ok_or_else(|| BindingError::Argument(format!("expected {what} (a string), got {}", js_type(value))))
}

/// A byte argument (a `Uint8Array`, such as a Node `Buffer`); see [`string_arg`].
fn bytes_arg(value: &JsValue, what: &str) -> Result<Vec<u8>, BindingError> {
    if !value.is_instance_of::<JsUint8Array>() {
        return Err(BindingError::Argument(format!(
            "expected {what} (a Uint8Array), got {}",
            js_type(value)
        )));
    }
    uint8_array_copy(value).map_err(|_| BindingError::Argument(format!("{what}: could not read the bytes")))
}

fn js_type(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.as_string().is_some() {
        "a string"
    } else if value.as_f64().is_some() {
        "a number"
    } else if value.as_bool().is_some() {
        "a boolean"
    } else if value.is_function() {
        "a function"
    } else if value.is_symbol() {
        "a symbol"
    } else {
        "an object"
    }
}

fn message(value: &JsValue) -> Result<vigil::Message, BindingError> {
    let text = json_text(value, "a message object or its JSON text")?;
    Ok(vigil::Message::from_json(&text)?)
}

fn messages(value: &JsValue) -> Result<Vec<vigil::Message>, BindingError> {
    match value.as_string() {
        Some(doc) => input::parse_jsonl(&doc),
        None => input::parse_array(&json_text(
            value,
            "an array of messages or a JSON Lines document",
        )?),
    }
}

/// Installs the panic hook. Runs when the module is instantiated (and re-instantiated).
///
/// A panic is a bug, and on `wasm32` it would abort: the caller would get an opaque
/// `RuntimeError: unreachable` and the instance would be left in an unknown state. Instead the
/// hook throws a `VigilError` (kind `internal`) carrying the panic message, and schedules a
/// fresh instance for the next call: objects made before it then throw "stale object" errors,
/// and new ones work.
#[wasm_bindgen(start, skip_typescript)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let err = js_error(&BindingError::Internal(info.to_string()));
        wasm_bindgen::handler::schedule_reinit();
        // Thrown from inside the hook, the error unwinds through the Wasm frames to the caller
        // before the runtime can abort.
        wasm_bindgen::throw_val(err);
    }));
}

/// A compiled policy: immutable, reusable, shared by any number of trackers.
///
/// `new Engine()` runs the shipped packs; `new Engine(layers)` merges the given layers in order
/// (for example `["shipped", {name: "acme.toml", text}]`).
#[wasm_bindgen]
pub struct Engine {
    inner: Arc<vigil::Engine>,
}

#[wasm_bindgen]
impl Engine {
    /// Compiles a policy from layers (the shipped packs when left out). Throws a `VigilError`
    /// (kind `policy`) naming the source, line, column, item and field of a bad layer.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "PolicyLayer[]")] layers: Option<JsValue>,
    ) -> Result<Engine, JsValue> {
        // `JSON.stringify(["shipped", {name, text}])` is exactly what `parse_layers` reads.
        let json = match layers {
            Some(l) if !l.is_undefined() && !l.is_null() => {
                Some(json_text_of(&l, "an array of policy layers")?)
            }
            _ => None,
        };
        let specs = input::parse_layers(json.as_deref())?;
        let policy = input::build_policy(&specs)?;
        let inner = vigil::Engine::new(policy).map_err(BindingError::from)?;
        Ok(Engine {
            inner: Arc::new(inner),
        })
    }

    /// Loads an engine from a compiled bundle (`vigil policy compile`): no parsing, no
    /// normalizing at start. With `policyHash`, refuses a bundle of another policy. Throws a
    /// `VigilError` (kind `bundle`, with the byte `offset`) for anything that is not an intact
    /// bundle written by this Vigil version.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(js_name = policyHash)] policy_hash: Option<String>,
    ) -> Result<Engine, JsValue> {
        let bytes = bytes_arg(&bytes, "a bundle")?;
        let inner = match policy_hash {
            Some(h) => vigil::Engine::from_bundle_for(&bytes, &h),
            None => vigil::Engine::from_bundle(&bytes),
        }
        .map_err(BindingError::from)?;
        Ok(Engine {
            inner: Arc::new(inner),
        })
    }

    /// This engine's policy compiled into a bundle that `Engine.fromBundle` loads.
    #[wasm_bindgen(js_name = toBundle)]
    pub fn to_bundle(&self) -> Result<Vec<u8>, JsValue> {
        self.inner
            .policy()
            .to_bundle()
            .map_err(|e| BindingError::from(e).into())
    }

    /// Assesses one message from its text and metadata alone (no conversation state).
    #[wasm_bindgen(unchecked_return_type = "Assessment")]
    pub fn assess(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MessageInput | string")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        to_js(&self.inner.assess(&self::message(&message)?))
    }

    /// Runs every enabled rule's examples; returns the ones that fail (empty when all pass).
    #[wasm_bindgen(js_name = checkExamples, unchecked_return_type = "ExampleFailure[]")]
    pub fn check_examples(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.check_examples())
    }

    /// The normalized views of a text, as the matchers see it.
    #[wasm_bindgen(unchecked_return_type = "NormalizedText")]
    pub fn normalized(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, JsValue> {
        let views = self.inner.normalized(&string_arg(&text, "the text")?);
        to_js(&serde_json::json!({ "terms": views.terms, "patterns": views.patterns }))
    }

    /// The resolved policy: every layer merged, as the core serializes it.
    #[wasm_bindgen(unchecked_return_type = "ResolvedPolicy")]
    pub fn policy(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.policy())
    }

    /// Layer ids joined with `+`.
    #[wasm_bindgen(getter, js_name = policyId)]
    pub fn policy_id(&self) -> String {
        self.inner.policy().id().to_string()
    }

    /// Layer versions joined with `+`.
    #[wasm_bindgen(getter, js_name = policyVersion)]
    pub fn policy_version(&self) -> String {
        self.inner.policy().version().to_string()
    }

    /// Content hash of the resolved policy (`sha256:…`), as escalations cite it.
    #[wasm_bindgen(getter, js_name = policyHash)]
    pub fn policy_hash(&self) -> String {
        self.inner.policy().hash().to_string()
    }

    /// Number of rules (enabled or not).
    #[wasm_bindgen(getter, js_name = ruleCount)]
    pub fn rule_count(&self) -> usize {
        self.inner.rule_count()
    }

    /// The level a conversation risk reaches under this policy's thresholds.
    #[wasm_bindgen(js_name = levelFor, unchecked_return_type = "Level | undefined")]
    pub fn level_for(&self, risk: f64) -> JsValue {
        match self.inner.level_for(risk) {
            Some(l) => JsValue::from_str(l.as_str()),
            None => JsValue::UNDEFINED,
        }
    }
}

/// Conversation state for one engine: decayed risk per conversation key, stages, levels and
/// escalations, in bounded memory. Feed it every message of the conversations it follows, in
/// order.
#[wasm_bindgen]
pub struct Tracker {
    inner: vigil::Tracker,
}

#[wasm_bindgen]
impl Tracker {
    /// An empty tracker for an engine (which may be freed afterwards: the tracker keeps what it
    /// needs). `capacity` overrides the policy's most-keys-held bound.
    #[wasm_bindgen(constructor)]
    pub fn new(engine: &Engine, capacity: Option<u32>) -> Tracker {
        let t = vigil::Tracker::new(Arc::clone(&engine.inner));
        let inner = match capacity {
            Some(c) => t.with_capacity(c as usize),
            None => t,
        };
        Tracker { inner }
    }

    /// An empty tracker whose observations carry the case contact of each risky message
    /// (`case_contact`, with the policy's `[senders]`): the first stage of a job that scores
    /// conversations apart and builds sender cases in a second stage keyed by sender
    /// ([`observe_contact`](Tracker::observe_contact)). `capacity` as in the constructor.
    #[wasm_bindgen(js_name = withCaseContacts)]
    pub fn with_case_contacts(engine: &Engine, capacity: Option<u32>) -> Tracker {
        let mut t = Tracker::new(engine, capacity);
        t.inner = t.inner.with_case_contacts();
        t
    }

    /// Records a case contact (an observation's `case_contact`, as an object or its JSON text)
    /// in its sender's case and returns the sender escalation it raised, or `undefined`. Feed
    /// each sender's contacts in time order: the result is what one tracker observing all of the
    /// sender's conversations raised.
    #[wasm_bindgen(js_name = observeContact, unchecked_return_type = "Escalation | undefined")]
    pub fn observe_contact(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CaseContact | string")] contact: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = json_text(
            &contact,
            "a case contact (an observation's case_contact) or its JSON text",
        )?;
        let contact: vigil::CaseContact = serde_json::from_str(&text)
            .map_err(|e| BindingError::Argument(format!("invalid case contact: {e}")))?;
        match self.inner.observe_contact(&contact) {
            Some(e) => to_js(&e),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Observes one message; the observation carries an escalation when the level rose or a new
    /// category joined.
    #[wasm_bindgen(unchecked_return_type = "Observation")]
    pub fn observe(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "MessageInput | string")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let m = self::message(&message)?;
        to_js(&self.inner.observe(&m))
    }

    /// Observes messages in order: an array of messages, or a JSON Lines document (one message a
    /// line; blank lines skipped). Every message is read first, so a bad one (named by its line
    /// or position) throws before any is observed.
    #[wasm_bindgen(js_name = observeAll, unchecked_return_type = "Observation[]")]
    pub fn observe_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "(MessageInput | string)[] | string")] messages: JsValue,
    ) -> Result<JsValue, JsValue> {
        let ms = self::messages(&messages)?;
        to_js(&observe_batch(&mut self.inner, &ms))
    }

    /// Observes a batch of messages in one call, in order, with exactly the results of observing
    /// them one by one: an array of messages (objects, or strings of their JSON text) or a JSON
    /// Lines document. Returns one observation per message, or with `{escalationsOnly: true}`
    /// only the escalations raised (conversation, recipient and sender escalations, message by
    /// message, as `vigil scan` prints them). Every message is read first, so a bad one (named by
    /// its line or position) throws before any is observed.
    #[wasm_bindgen(js_name = observeBatch, skip_typescript)]
    pub fn observe_batch(&mut self, messages: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let options = if options.is_undefined() || options.is_null() {
            None
        } else {
            Some(json_text_of(
                &options,
                "batch options {escalationsOnly?: boolean}",
            )?)
        };
        let options = input::parse_batch_options(options.as_deref())?;
        let ms = self::messages(&messages)?;
        if options.escalations_only {
            let raised: Vec<vigil::Escalation> = self
                .inner
                .observe_batch_escalations(&ms)
                .into_iter()
                .map(|(_, e)| e)
                .collect();
            to_js(&raised)
        } else {
            to_js(&observe_batch(&mut self.inner, &ms))
        }
    }

    /// The whole state as bytes, to restore later (in this or another tracker).
    pub fn snapshot(&self) -> Vec<u8> {
        self.inner.snapshot()
    }

    /// One conversation's state as bytes.
    #[wasm_bindgen(js_name = snapshotConversation)]
    pub fn snapshot_conversation(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] conversation_id: JsValue,
    ) -> Result<Vec<u8>, JsValue> {
        Ok(self
            .inner
            .snapshot_conversation(&string_arg(&conversation_id, "a conversation id")?))
    }

    /// Replaces this tracker's state with a snapshot's. On error (kind `snapshot`) nothing changes.
    pub fn restore(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        let bytes = bytes_arg(&bytes, "a snapshot")?;
        self.inner
            .restore(&bytes)
            .map_err(|e| BindingError::from(e).into())
    }

    /// Adds one conversation's state from `snapshotConversation`. On error nothing changes.
    #[wasm_bindgen(js_name = restoreConversation)]
    pub fn restore_conversation(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<(), JsValue> {
        let bytes = bytes_arg(&bytes, "a conversation snapshot")?;
        self.inner
            .restore_conversation(&bytes)
            .map_err(|e| BindingError::from(e).into())
    }

    /// Counters of work and evictions.
    #[wasm_bindgen(unchecked_return_type = "TrackerStats")]
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.stats())
    }

    /// Number of conversation keys held.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }

    /// The most keys held at once.
    #[wasm_bindgen(getter)]
    pub fn capacity(&self) -> usize {
        self.inner.capacity()
    }

    /// Evicts keys idle longer than the policy's time-to-live (by message timestamps).
    #[wasm_bindgen(js_name = evictIdle)]
    pub fn evict_idle(&mut self) {
        self.inner.evict_idle();
    }

    /// Forgets everything, counters included.
    pub fn clear(&mut self) {
        self.inner.clear();
    }
}

/// Observes messages in order with the core: the one place the batch calls (`observeAll`,
/// `observeBatch`) reach the tracker.
///
/// A batch through the core's `Tracker::observe_batch` (the same results as observing the
/// messages one by one, by its contract).
fn observe_batch(tracker: &mut vigil::Tracker, messages: &[vigil::Message]) -> Vec<vigil::Observation> {
    tracker.observe_batch(messages)
}

/// Reads one message as the core does (defaults filled in, timestamp in UTC); throws a
/// `VigilError` (kind `message`) naming a missing or invalid field.
#[wasm_bindgen(js_name = parseMessage, unchecked_return_type = "Message")]
pub fn parse_message(
    #[wasm_bindgen(unchecked_param_type = "MessageInput | string")] message: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&self::message(&message)?)
}

/// Reads a JSON Lines document of messages; throws on the first bad line, naming it.
#[wasm_bindgen(js_name = parseJsonl, unchecked_return_type = "Message[]")]
pub fn parse_jsonl(
    #[wasm_bindgen(unchecked_param_type = "string")] doc: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&input::parse_jsonl(&string_arg(&doc, "a JSON Lines document")?)?)
}

/// The escalation and the drafter of a draft call.
fn draft_inputs(
    escalation: &JsValue,
    options: &JsValue,
) -> Result<(vigil::Escalation, Drafter), BindingError> {
    let e = input::parse_escalation(&json_text(
        escalation,
        "an escalation (a vigil.escalation/1 document) or its JSON text",
    )?)?;
    let d = input::parse_draft_options(&json_text_of(
        options,
        "draft options {reviewedBy, decision, ...}",
    )?)?;
    Ok((e, d))
}

/// A CyberTipline-shaped report draft of a reviewed escalation: `{xml, json}`, the XML the
/// Reporting API takes and the JSON of the same structure (`vigil.draft.cybertipline/1`). Fields
/// only the platform knows hold `TO_BE_COMPLETED`. Nothing is sent anywhere.
///
/// Throws a `VigilError` of kind `draft` (with `reason`) when the core refuses: below `review`,
/// no reviewer, not `confirmed`, a recipient's view, no valid incident type; of kind `argument`
/// when the escalation or the options are not valid.
#[wasm_bindgen(js_name = draftCybertipline, unchecked_return_type = "ReportDraft")]
pub fn draft_cybertipline(
    #[wasm_bindgen(unchecked_param_type = "Escalation | string")] escalation: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DraftOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let (e, drafter) = draft_inputs(&escalation, &options)?;
    let draft = drafter.cybertipline(&e).map_err(BindingError::from)?;
    to_js(&serde_json::json!({ "xml": draft.to_xml(), "json": draft.to_json() }))
}

/// A neutral case export of a reviewed escalation (`vigil.case-export/1` JSON text): the same
/// facts without US-specific codes, for hotlines and police elsewhere. Throws as
/// `draftCybertipline` does (no incident type is needed).
#[wasm_bindgen(js_name = draftCaseExport)]
pub fn draft_case_export(
    #[wasm_bindgen(unchecked_param_type = "Escalation | string")] escalation: JsValue,
    #[wasm_bindgen(unchecked_param_type = "DraftOptions")] options: JsValue,
) -> Result<String, JsValue> {
    let (e, drafter) = draft_inputs(&escalation, &options)?;
    Ok(drafter.case_export(&e).map_err(BindingError::from)?.to_json())
}

/// The shipped policy packs, in load order, with their TOML text.
#[wasm_bindgen(js_name = shippedPacks, unchecked_return_type = "ShippedPack[]")]
pub fn shipped_packs() -> Result<JsValue, JsValue> {
    // Through the core's functions, not the `vigil::packs::PACKS` constant: a `const` is copied
    // into every crate that names it, and naming it here put a second copy of all the packs' TOML
    // text (835 KB) into the .wasm (see wasm/SIZE.md).
    let packs: Vec<serde_json::Value> = vigil::packs::names()
        .filter_map(|name| vigil::packs::get(name).map(|text| (name, text)))
        .map(|(name, text)| serde_json::json!({ "name": name, "text": text }))
        .collect();
    to_js(&packs)
}

/// The JSON Schema of `vigil.escalation/1` documents.
#[wasm_bindgen(js_name = escalationSchema, unchecked_return_type = "Record<string, unknown>")]
pub fn escalation_schema() -> Result<JsValue, JsValue> {
    json_parse(vigil::Escalation::SCHEMA)
}

/// The version of this package (and of the Vigil core it embeds).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Panics on purpose, so tests can check that the panic hook turns a bug into a JS `Error`.
#[doc(hidden)]
#[wasm_bindgen(js_name = __panicForTests, skip_typescript)]
pub fn panic_for_tests(message: JsValue) {
    let message = message.as_string().unwrap_or_default();
    #[allow(clippy::panic)]
    {
        panic!("{message}");
    }
}
