//! Policies: rules, categories, stages, modifiers and scoring constants, as data.
//!
//! A [`Policy`] is built from one or more *layers* (TOML or JSON text): usually the shipped packs,
//! then a platform's override file. Later layers add items, change settings key by key, and change
//! earlier items through `[[override]]` tables — without copying the packs.
//!
//! ```
//! use vigil::Policy;
//!
//! let policy = Policy::builder()
//!     .add_shipped()
//!     .unwrap()
//!     .add_toml("acme.toml", r#"
//!         [policy]
//!         id = "acme"
//!         version = "3"
//!         [scoring]
//!         levels = { review = 55 }
//!         [[override]]
//!         rule = "en.secrecy.dont-tell"
//!         add_any = ["keep it on the down low"]
//!     "#)
//!     .unwrap()
//!     .build()
//!     .unwrap();
//! assert_eq!(policy.scoring().levels[1], 55.0);
//! assert!(policy.id().ends_with("+acme"));
//! ```
//!
//! This module holds what a policy is made of beyond the [`Policy`] and
//! [`PolicyBuilder`](crate::PolicyBuilder) themselves (re-exported at the crate root): the
//! resolved settings ([`Scoring`], [`Evidence`], [`Indicators`], [`LanguagePolicy`], [`MetadataPolicy`],
//! [`TrackerConfig`]) and
//! their [`defaults`], and read-only views of its items ([`PolicyView`], from
//! [`Policy::view`]: [`RuleInfo`], [`CategoryInfo`], …).
//!
//! The policy *file format* (what a layer may contain, table by table) is documented in
//! `docs/policies.md`; its serde types stay inside the crate, so that the format and this API
//! can change independently. Layers are given as TOML or JSON text, and
//! [`Policy::to_json`](crate::Policy::to_json) gives the whole resolved policy as data.

pub(crate) mod duration;
pub(crate) mod model;
pub(crate) mod resolve;
#[cfg(test)]
mod tests;
mod view;

pub use duration::parse_duration;
pub use model::{ExcerptMode, InterventionAction};
pub use resolve::{
    defaults, Evidence, Indicators, KindOf, LanguagePolicy, MetadataPolicy, Scoring, Senders, StageBonus,
    TrackerConfig,
};
pub use view::{CategoryInfo, CeilingInfo, LayerInfo, ModifierInfo, PolicyView, RuleInfo, StageInfo};

pub(crate) use resolve::{index_of, word_is, Policy};
