//! A policy's ids to their indices, one map per kind of item.
//!
//! State kept across policies (snapshots) refers to rules, categories, stages and modifiers by
//! id; an engine keeps one [`IdIndex`] of its policy (built on first use) to map those ids back
//! onto its own indices.

use std::collections::HashMap;

use crate::policy::Policy;

/// A policy's ids to their indices, one map per kind of item.
#[derive(Debug)]
pub(crate) struct IdIndex {
    /// Category ids.
    pub(crate) categories: HashMap<Box<str>, usize>,
    /// Stage ids.
    pub(crate) stages: HashMap<Box<str>, usize>,
    /// Rule ids.
    pub(crate) rules: HashMap<Box<str>, usize>,
    /// Modifier ids.
    pub(crate) modifiers: HashMap<Box<str>, usize>,
    /// Intervention ids.
    pub(crate) interventions: HashMap<Box<str>, usize>,
}

impl IdIndex {
    /// The index of a policy.
    pub(crate) fn new(policy: &Policy) -> IdIndex {
        fn index<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<Box<str>, usize> {
            ids.enumerate().map(|(i, id)| (Box::from(id), i)).collect()
        }
        IdIndex {
            categories: index(policy.categories().iter().map(|c| c.id.as_str())),
            stages: index(policy.stages().iter().map(|s| s.id.as_str())),
            rules: index(policy.rules().iter().map(|r| r.id.as_str())),
            modifiers: index(policy.modifiers().iter().map(|m| m.id.as_str())),
            interventions: index(policy.interventions().iter().map(|c| c.id.as_str())),
        }
    }
}
