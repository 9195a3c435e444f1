//! The shipped policy packs, embedded in the library so that [`Engine::default`](crate::Engine)
//! works with no files. The sources live in the repository's `policies/` folder.

/// Every shipped pack as (name, TOML text), in load order: the language-neutral core first.
pub const PACKS: &[(&str, &str)] = &[
    ("core", include_str!("../../policies/core.toml")),
    ("en", include_str!("../../policies/en.toml")),
    ("de", include_str!("../../policies/de.toml")),
    ("fr", include_str!("../../policies/fr.toml")),
    ("es", include_str!("../../policies/es.toml")),
    ("it", include_str!("../../policies/it.toml")),
    ("nl", include_str!("../../policies/nl.toml")),
    ("pl", include_str!("../../policies/pl.toml")),
    ("pt", include_str!("../../policies/pt.toml")),
];

/// The TOML text of a shipped pack.
///
/// ```
/// assert!(vigil::packs::get("core").is_some());
/// assert!(vigil::packs::get("klingon").is_none());
/// ```
pub fn get(name: &str) -> Option<&'static str> {
    PACKS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The names of the shipped packs.
pub fn names() -> impl Iterator<Item = &'static str> {
    PACKS.iter().map(|(n, _)| *n)
}
