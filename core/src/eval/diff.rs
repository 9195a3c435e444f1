//! What changes between two policy versions: the policies themselves, field by field, and the
//! conversations whose level changes when the same messages are replayed through both — with the
//! rules, weights and modifiers that made the difference.
//!
//! ```
//! use std::sync::Arc;
//! use vigil::{Engine, Policy};
//!
//! let a = Arc::new(Engine::default());
//! let b = Arc::new(Engine::new(Policy::builder().add_shipped().unwrap()
//!     .add_toml("lax.toml", "[scoring]\nlevels = { watch = 2000, review = 5000, urgent = 9000 }").unwrap()
//!     .build().unwrap()).unwrap());
//! let doc = include_str!("../../../examples/sample-conversation.jsonl");
//! let msgs: Vec<vigil::Message> =
//!     vigil::jsonl::parse(doc).collect::<Result<_, _>>().unwrap();
//! let d = vigil::eval::diff(&a, &b, &msgs);
//! assert_eq!(d.changed.len(), 1);
//! assert_eq!(d.changed[0].a.level, Some(vigil::Level::Urgent));
//! assert!(d.changed[0].b.level < d.changed[0].a.level);
//! assert!(d.policy_changes.settings.iter().any(|c| c.field == "scoring.levels"));
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::engine::{round3, Engine};
use crate::escalation::PolicyRef;
use crate::level::Level;
use crate::message::Message;
use crate::policy::Policy;
use crate::tracker::Tracker;

/// One side of a conversation's comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Side {
    /// Highest level of any key.
    pub level: Option<Level>,
    /// Highest risk of any key.
    #[serde(serialize_with = "round3")]
    pub max_risk: f64,
    /// Categories in its escalations, in policy order.
    pub categories: Vec<String>,
}

/// A rule that fired under one policy and not the other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RuleFiring {
    /// Rule id.
    pub rule: String,
    /// Its category.
    pub category: String,
    /// Messages it fired on.
    pub messages: u32,
    /// The first of them.
    pub first_message: String,
}

/// A rule that fired under both policies with different weights.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WeightChange {
    /// Rule id.
    pub rule: String,
    /// Weight under policy A.
    #[serde(serialize_with = "round3")]
    pub a: f64,
    /// Weight under policy B.
    #[serde(serialize_with = "round3")]
    pub b: f64,
}

/// Which way a conversation's level moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Higher under B.
    Up,
    /// Lower under B.
    Down,
    /// The same level (the categories changed).
    Same,
}

/// A conversation that differs between the two policies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ConversationDiff {
    /// The conversation.
    pub conversation_id: String,
    /// Under policy A.
    pub a: Side,
    /// Under policy B.
    pub b: Side,
    /// Which way the level moved.
    pub direction: Direction,
    /// Categories escalated under B only.
    pub categories_added: Vec<String>,
    /// Categories escalated under A only.
    pub categories_removed: Vec<String>,
    /// Rules that fired under A only.
    pub rules_only_a: Vec<RuleFiring>,
    /// Rules that fired under B only.
    pub rules_only_b: Vec<RuleFiring>,
    /// Rules that fired under both with different weights.
    pub reweighted: Vec<WeightChange>,
    /// Modifiers that applied under A only.
    pub modifiers_only_a: Vec<String>,
    /// Modifiers that applied under B only.
    pub modifiers_only_b: Vec<String>,
}

/// A field that differs between the policies (dotted path for settings, field name for items).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FieldChange {
    /// The field, such as `scoring.levels` or `weight`.
    pub field: String,
    /// Its value under A (`null` if absent).
    pub a: Value,
    /// Its value under B (`null` if absent).
    pub b: Value,
    /// For lists (of anything but numbers): the elements only B has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<Value>,
    /// For lists (of anything but numbers): the elements only A has.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Value>,
}

/// An item (rule, category, …) present in both policies with different fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ItemChange {
    /// The item's id.
    pub id: String,
    /// The fields that differ.
    pub fields: Vec<FieldChange>,
}

/// Changes to one kind of item.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ItemChanges {
    /// Ids only B has.
    pub added: Vec<String>,
    /// Ids only A has.
    pub removed: Vec<String>,
    /// Items in both that differ.
    pub changed: Vec<ItemChange>,
}

impl ItemChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// How policy B differs from policy A.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PolicyChanges {
    /// Settings (normalization, scoring, evidence, actions, tracker), by dotted path.
    pub settings: Vec<FieldChange>,
    /// Stages.
    pub stages: ItemChanges,
    /// Categories.
    pub categories: ItemChanges,
    /// Rules.
    pub rules: ItemChanges,
    /// Modifiers.
    pub modifiers: ItemChanges,
}

impl PolicyChanges {
    /// Compares two policies.
    pub fn between(a: &Policy, b: &Policy) -> PolicyChanges {
        let va = serde_json::to_value(a).unwrap_or(Value::Null);
        let vb = serde_json::to_value(b).unwrap_or(Value::Null);
        let mut settings = Vec::new();
        for key in ["normalize", "scoring", "evidence", "actions", "tracker"] {
            settings_diff(key, va.get(key), vb.get(key), &mut settings);
        }
        PolicyChanges {
            settings,
            stages: items_diff(va.get("stages"), vb.get("stages")),
            categories: items_diff(va.get("categories"), vb.get("categories")),
            rules: items_diff(va.get("rules"), vb.get("rules")),
            modifiers: items_diff(va.get("modifiers"), vb.get("modifiers")),
        }
    }

    /// Whether the policies are the same.
    pub fn is_empty(&self) -> bool {
        self.settings.is_empty()
            && self.stages.is_empty()
            && self.categories.is_empty()
            && self.rules.is_empty()
            && self.modifiers.is_empty()
    }
}

fn field_change(field: String, a: Option<&Value>, b: Option<&Value>) -> FieldChange {
    let a = a.cloned().unwrap_or(Value::Null);
    let b = b.cloned().unwrap_or(Value::Null);
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    let listy = |xs: &Vec<Value>| xs.iter().all(|v| !v.is_number());
    if let (Some(xa), Some(xb)) = (
        a.as_array().filter(|x| listy(x)),
        b.as_array().filter(|x| listy(x)),
    ) {
        added = xb.iter().filter(|v| !xa.contains(v)).cloned().collect();
        removed = xa.iter().filter(|v| !xb.contains(v)).cloned().collect();
    }
    FieldChange {
        field,
        a,
        b,
        added,
        removed,
    }
}

/// Objects are compared key by key down to non-object values (paths like `scoring.levels`).
fn settings_diff(path: &str, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<FieldChange>) {
    match (a, b) {
        (Some(Value::Object(oa)), Some(Value::Object(ob))) => {
            let keys: BTreeSet<&String> = oa.keys().chain(ob.keys()).collect();
            for k in keys {
                settings_diff(&format!("{path}.{k}"), oa.get(k), ob.get(k), out);
            }
        }
        (a, b) if a != b => out.push(field_change(path.to_string(), a, b)),
        _ => {}
    }
}

fn items_diff(a: Option<&Value>, b: Option<&Value>) -> ItemChanges {
    let list = |v: Option<&Value>| -> Vec<(String, serde_json::Map<String, Value>)> {
        v.and_then(Value::as_array)
            .map(|xs| {
                xs.iter()
                    .filter_map(|x| {
                        let o = x.as_object()?;
                        Some((o.get("id")?.as_str()?.to_string(), o.clone()))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (la, lb) = (list(a), list(b));
    let mut out = ItemChanges::default();
    for (id, oa) in &la {
        match lb.iter().find(|(x, _)| x == id) {
            None => out.removed.push(id.clone()),
            Some((_, ob)) => {
                let keys: BTreeSet<&String> = oa.keys().chain(ob.keys()).collect();
                let fields: Vec<FieldChange> = keys
                    .into_iter()
                    .filter(|k| oa.get(*k) != ob.get(*k))
                    .map(|k| field_change(k.clone(), oa.get(k), ob.get(k)))
                    .collect();
                if !fields.is_empty() {
                    out.changed.push(ItemChange {
                        id: id.clone(),
                        fields,
                    });
                }
            }
        }
    }
    out.added = lb
        .iter()
        .filter(|(id, _)| !la.iter().any(|(x, _)| x == id))
        .map(|(id, _)| id.clone())
        .collect();
    out
}

/// The comparison of two policies over the same messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct DiffReport {
    /// Policy A (before).
    pub a: PolicyRef,
    /// Policy B (after).
    pub b: PolicyRef,
    /// How the policies differ.
    pub policy_changes: PolicyChanges,
    /// Messages replayed.
    pub messages: u64,
    /// Conversations seen.
    pub conversations: u64,
    /// Conversations whose level changed, in input order.
    pub changed: Vec<ConversationDiff>,
    /// Conversations at the same level whose escalated categories changed, in input order.
    pub categories_changed: Vec<ConversationDiff>,
    /// Level transitions and how many conversations made them, such as `none → review`.
    pub transitions: BTreeMap<String, u64>,
}

#[derive(Debug, Default)]
struct Acc {
    level: Option<Level>,
    max_risk: f64,
    categories: BTreeSet<usize>,
    /// rule index → (messages, first message).
    rules: BTreeMap<u32, (u32, String)>,
    modifiers: BTreeSet<u16>,
}

impl Acc {
    fn observe(&mut self, engine: &Engine, obs: &crate::Observation) {
        self.level = self.level.max(obs.level);
        self.max_risk = self.max_risk.max(obs.risk);
        for h in &obs.assessment.hits {
            let e = self
                .rules
                .entry(h.rule_index)
                .or_insert_with(|| (0, obs.message_id.clone()));
            e.0 += 1;
        }
        for m in &obs.assessment.modifiers {
            self.modifiers.insert(m.index);
        }
        if let Some(e) = &obs.escalation {
            for c in &e.categories {
                if let Some(i) = engine.categories.iter().position(|x| *x.id == *c.id) {
                    self.categories.insert(i);
                }
            }
        }
    }

    fn side(&self, engine: &Engine) -> Side {
        Side {
            level: self.level,
            max_risk: self.max_risk,
            categories: self
                .categories
                .iter()
                .filter_map(|&c| engine.categories.get(c).map(|c| c.id.to_string()))
                .collect(),
        }
    }
}

/// A streaming comparison: feed it messages in order, then [`finish`](Differ::finish).
#[derive(Debug)]
pub struct Differ {
    a: Tracker,
    b: Tracker,
    convs: HashMap<String, (Acc, Acc)>,
    order: Vec<String>,
    messages: u64,
}

impl Differ {
    /// A comparison of policy A (`a`, before) with policy B (`b`, after).
    pub fn new(a: Arc<Engine>, b: Arc<Engine>) -> Differ {
        Differ {
            a: Tracker::new(a),
            b: Tracker::new(b),
            convs: HashMap::new(),
            order: Vec::new(),
            messages: 0,
        }
    }

    /// Replays the next message through both policies.
    pub fn observe(&mut self, msg: &Message) {
        self.messages += 1;
        let oa = self.a.observe(msg);
        let ob = self.b.observe(msg);
        if !self.convs.contains_key(&msg.conversation_id) {
            self.order.push(msg.conversation_id.clone());
        }
        let (acc_a, acc_b) = self.convs.entry(msg.conversation_id.clone()).or_default();
        acc_a.observe(self.a.engine(), &oa);
        acc_b.observe(self.b.engine(), &ob);
    }

    /// The report.
    pub fn finish(self) -> DiffReport {
        let (ea, eb) = (Arc::clone(self.a.engine()), Arc::clone(self.b.engine()));
        let (pa, pb) = (ea.policy(), eb.policy());
        let mut changed = Vec::new();
        let mut categories_changed = Vec::new();
        let mut transitions: BTreeMap<String, u64> = BTreeMap::new();
        for id in &self.order {
            let Some((a, b)) = self.convs.get(id) else {
                continue;
            };
            let (sa, sb) = (a.side(&ea), b.side(&eb));
            let direction = match sb.level.cmp(&sa.level) {
                std::cmp::Ordering::Greater => Direction::Up,
                std::cmp::Ordering::Less => Direction::Down,
                std::cmp::Ordering::Equal => Direction::Same,
            };
            if direction == Direction::Same && sa.categories == sb.categories {
                continue;
            }
            if direction != Direction::Same {
                let name = |l: Option<Level>| l.map_or("none", Level::as_str);
                *transitions
                    .entry(format!("{} → {}", name(sa.level), name(sb.level)))
                    .or_default() += 1;
            }
            let rule_id = |p: &Policy, r: u32| p.rules().get(r as usize).map(|r| r.id.clone());
            let ids_a: BTreeMap<String, (u32, &(u32, String))> = a
                .rules
                .iter()
                .filter_map(|(r, v)| Some((rule_id(pa, *r)?, (*r, v))))
                .collect();
            let ids_b: BTreeMap<String, (u32, &(u32, String))> = b
                .rules
                .iter()
                .filter_map(|(r, v)| Some((rule_id(pb, *r)?, (*r, v))))
                .collect();
            let only = |p: &Policy,
                        mine: &BTreeMap<String, (u32, &(u32, String))>,
                        other: &BTreeMap<String, (u32, &(u32, String))>| {
                let mut v: Vec<RuleFiring> = mine
                    .iter()
                    .filter(|(id, _)| !other.contains_key(*id))
                    .map(|(id, (r, (n, first)))| RuleFiring {
                        rule: id.clone(),
                        category: p
                            .rules()
                            .get(*r as usize)
                            .map_or(String::new(), |r| r.category.clone()),
                        messages: *n,
                        first_message: first.clone(),
                    })
                    .collect();
                v.sort_by(|x, y| y.messages.cmp(&x.messages).then(x.rule.cmp(&y.rule)));
                v
            };
            let reweighted = ids_a
                .iter()
                .filter_map(|(id, (ra, _))| {
                    let (rb, _) = ids_b.get(id)?;
                    let wa = pa.rules().get(*ra as usize)?.weight;
                    let wb = pb.rules().get(*rb as usize)?.weight;
                    (wa != wb).then(|| WeightChange {
                        rule: id.clone(),
                        a: wa,
                        b: wb,
                    })
                })
                .collect();
            let mods = |e: &Engine, s: &BTreeSet<u16>| -> BTreeSet<String> {
                s.iter()
                    .filter_map(|m| e.modifiers.get(usize::from(*m)).map(|m| m.id.to_string()))
                    .collect()
            };
            let (ma, mb) = (mods(&ea, &a.modifiers), mods(&eb, &b.modifiers));
            let d = ConversationDiff {
                conversation_id: id.clone(),
                categories_added: sb
                    .categories
                    .iter()
                    .filter(|c| !sa.categories.contains(c))
                    .cloned()
                    .collect(),
                categories_removed: sa
                    .categories
                    .iter()
                    .filter(|c| !sb.categories.contains(c))
                    .cloned()
                    .collect(),
                a: sa,
                b: sb,
                direction,
                rules_only_a: only(pa, &ids_a, &ids_b),
                rules_only_b: only(pb, &ids_b, &ids_a),
                reweighted,
                modifiers_only_a: ma.difference(&mb).cloned().collect(),
                modifiers_only_b: mb.difference(&ma).cloned().collect(),
            };
            if direction == Direction::Same {
                categories_changed.push(d);
            } else {
                changed.push(d);
            }
        }
        let pref = |p: &Policy| PolicyRef {
            id: p.id().into(),
            version: p.version().into(),
            hash: p.hash().into(),
        };
        DiffReport {
            a: pref(pa),
            b: pref(pb),
            policy_changes: PolicyChanges::between(pa, pb),
            messages: self.messages,
            conversations: self.order.len() as u64,
            changed,
            categories_changed,
            transitions,
        }
    }
}

/// Replays `messages` through policy A (`a`, before) and policy B (`b`, after) and reports what
/// changed.
pub fn diff<'a>(
    a: &Arc<Engine>,
    b: &Arc<Engine>,
    messages: impl IntoIterator<Item = &'a Message>,
) -> DiffReport {
    let mut d = Differ::new(Arc::clone(a), Arc::clone(b));
    for m in messages {
        d.observe(m);
    }
    d.finish()
}
