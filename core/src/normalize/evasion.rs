//! Telling an evaded word from a plain one.
//!
//! The terms view ([`Mode::Terms`]) is deliberately lossy: it folds `l` into `i`, collapses
//! repeated letters and joins spaced letters, so that `te11`, `teeell` and `t e l l` all read
//! `tei`. The price is that ordinary words meet other words' skeletons: `lift` and `lft` are both
//! `ift`, `pool` and `poil` both `poi`. The matcher therefore keeps a match of the terms view only
//! if the words agree in the *plain* view ([`Normalizer::plain`]: every character-level step, but
//! no leetspeak, no folding of `l`, no collapsing or joining), or if the original text shows one
//! of the word-level evasions the terms view undoes ([`Normalizer::word_evasion`]).

use super::tables::{is_ascii_invisible, is_invisible};
use super::{is_cased_script_letter, NormalizeOptions, Normalizer};
use crate::normalize::confusables::confusable;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized};

/// A way of writing a word so that a plain list of words misses it, as found in the original
/// text of a match.
///
/// The first four are *word-level*: only the lossy terms view undoes them, so a match that
/// needed the terms view counts only where the original text shows one of them. The others are
/// undone character by character in every view; they are reported to explain a match.
///
/// # Example
///
/// ```
/// use vigil::normalize::{Evasion, Normalizer};
///
/// let n = Normalizer::default();
/// assert_eq!(n.word_evasion("d0n'7 tell"), Some(Evasion::Leetspeak));
/// assert_eq!(n.word_evasion("t e l l"), Some(Evasion::Spaced));
/// assert_eq!(n.word_evasion("pleeease"), Some(Evasion::Stretched));
/// assert_eq!(n.word_evasion("weight lift"), None);
/// assert_eq!(n.char_evasion("ѕnар"), Some(Evasion::Lookalike));
/// assert_eq!(n.char_evasion("ｓｎａｐ"), Some(Evasion::Compatibility));
/// assert_eq!(n.char_evasion("café"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Evasion {
    /// Digits or symbols standing for letters inside a word (`d0n'7`, `$nap`, `!nsta`).
    Leetspeak,
    /// Letters spaced out or dotted apart (`s n a p`, `s.n.a.p`).
    Spaced,
    /// A letter stretched to three or more (`pleeease`); two is ordinary spelling (`pool`).
    Stretched,
    /// Letters of another script that look like Latin ones (Cyrillic `ѕnар`).
    Lookalike,
    /// Compatibility forms: fullwidth, mathematical, circled or superscript letters (`ｓｎａｐ`).
    Compatibility,
    /// Invisible characters inside the words (zero-width spaces and joiners, bidi controls).
    Invisible,
    /// Several combining marks stacked on one letter ("Zalgo" text).
    StackedMarks,
}

impl Evasion {
    /// Whether only the terms view undoes it (see the type's docs).
    pub fn is_word_level(self) -> bool {
        matches!(self, Evasion::Leetspeak | Evasion::Spaced | Evasion::Stretched)
    }

    /// The evasion in a few words, for explanations.
    pub fn describe(self) -> &'static str {
        match self {
            Evasion::Leetspeak => "digits or symbols stand for letters",
            Evasion::Spaced => "letters spaced out",
            Evasion::Stretched => "a letter stretched out",
            Evasion::Lookalike => "lookalike letters of another script",
            Evasion::Compatibility => "fullwidth or styled letters",
            Evasion::Invisible => "invisible characters inside the words",
            Evasion::StackedMarks => "stacked marks on letters",
        }
    }
}

/// Most characters between two spaced-out letters (as [`NormalizeOptions::join_spaced_letters`]).
const MAX_SPACING: usize = 3;

impl Normalizer {
    /// The normalizer of the *plain* view: the same character-level steps (NFKC, case folding,
    /// diacritics, lookalikes, invisible characters), cut into words as [`Mode::Terms`](super::Mode::Terms) does, but
    /// without the word-level steps that can turn one word into another (leetspeak and the
    /// folding of `l`, joining spaced letters, collapsing repeats).
    ///
    /// ```
    /// use vigil::normalize::{Mode, Normalizer};
    ///
    /// let plain = Normalizer::default().plain();
    /// assert_eq!(plain.normalize("Don't TELL, at a Pool!", Mode::Terms).as_str(), "dont tell at a pool");
    /// assert_eq!(plain.normalize("ѕnар", Mode::Terms).as_str(), "snap");
    /// ```
    pub fn plain(&self) -> Normalizer {
        Normalizer::new(NormalizeOptions {
            leetspeak: false,
            join_spaced_letters: false,
            collapse_repeats: false,
            ..self.opts
        })
    }

    /// The plain view ([`Normalizer::plain`], terms mode) of an ASCII `text` without control
    /// characters, written into `out` without the normalizer's machinery: lowercase words of
    /// letters and digits, apostrophes inside words removed, everything else one space. `false`
    /// (and `out` unspecified) for other texts, or when this normalizer does not fold case: use
    /// the normalizer then. The unit tests check it against the normalizer.
    pub(crate) fn plain_ascii_into(&self, text: &str, out: &mut String) -> bool {
        out.clear();
        if !self.opts.case_fold || !text.is_ascii() {
            return false;
        }
        let bytes = text.as_bytes();
        let word = |b: u8| b.is_ascii_alphanumeric();
        let mut space = false;
        for (i, &b) in bytes.iter().enumerate() {
            if word(b) {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push(char::from(b.to_ascii_lowercase()));
            } else if b.is_ascii_control() && !b.is_ascii_whitespace() {
                return false;
            } else {
                let joins = matches!(b, b'\'' | b'`')
                    && i > 0
                    && word(bytes[i - 1])
                    && bytes.get(i + 1).is_some_and(|&n| word(n));
                if !joins {
                    space = true;
                }
            }
        }
        true
    }

    /// The word-level evasion `text` shows, if any, among those this normalizer undoes:
    /// leetspeak inside a word, three or more letters spaced out, a letter repeated three times
    /// or more.
    pub fn word_evasion(&self, text: &str) -> Option<Evasion> {
        // The characters as the word-level steps see them: invisible ones dropped, fullwidth
        // forms read as ASCII.
        let strip = self.opts.strip_invisible;
        let chars = || {
            text.chars().filter_map(move |c| match c {
                _ if c.is_ascii() => (!(strip && is_ascii_invisible(c as u8))).then_some(c),
                _ if strip && is_invisible(c) => None,
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFF01 + 0x21),
                _ => Some(c),
            })
        };
        if self.opts.leetspeak && has_leetspeak(chars()) {
            return Some(Evasion::Leetspeak);
        }
        if self.opts.join_spaced_letters && has_spaced_letters(chars()) {
            return Some(Evasion::Spaced);
        }
        if self.opts.collapse_repeats && has_stretched_letter(chars()) {
            return Some(Evasion::Stretched);
        }
        None
    }

    /// The character-level evasion `text` shows, if any, among those this normalizer undoes:
    /// lookalike letters of another script, compatibility forms, invisible characters, stacked
    /// combining marks. ASCII text shows none (but for invisible control characters).
    pub fn char_evasion(&self, text: &str) -> Option<Evasion> {
        let o = &self.opts;
        if text.is_ascii() {
            let inv = o.strip_invisible && text.bytes().any(is_ascii_invisible);
            return inv.then_some(Evasion::Invisible);
        }
        let mut marks = 0;
        for c in text.chars() {
            if c.is_ascii() {
                marks = 0;
                if o.strip_invisible && is_ascii_invisible(c as u8) {
                    return Some(Evasion::Invisible);
                }
                continue;
            }
            if o.strip_invisible && is_invisible(c) {
                return Some(Evasion::Invisible);
            }
            if is_combining_mark(c) {
                marks += 1;
                if o.strip_diacritics && marks >= 3 {
                    return Some(Evasion::StackedMarks);
                }
                continue;
            }
            marks = 0;
            if o.nfkc && is_nfkc_quick(core::iter::once(c)) != IsNormalized::Yes && !is_latin(c) {
                return Some(Evasion::Compatibility);
            }
            if o.confusables && !is_latin(c) && confusable(c).is_ascii() {
                return Some(Evasion::Lookalike);
            }
        }
        None
    }
}

/// Letters of the Latin script (with their diacritics): never lookalikes of themselves.
fn is_latin(c: char) -> bool {
    matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{2C60}'..='\u{2C7F}' | '\u{A720}'..='\u{A7FF}')
}

/// Digits and symbols that leetspeak reads as letters.
fn is_leet_digit(c: char) -> bool {
    matches!(c, '0' | '1' | '3'..='9')
}

/// A word (a run of letters, digits and `@ $ ! |`) with a letter and a digit or symbol that
/// stands for one: `@`/`$` anywhere in it, `!`/`|` before another character of it.
fn has_leetspeak(text: impl Iterator<Item = char>) -> bool {
    let mut letter = false;
    let mut leet = false;
    let mut pending_bang = false;
    for c in text {
        if is_combining_mark(c) {
            continue;
        }
        let word = c.is_alphanumeric() || matches!(c, '@' | '$' | '!' | '|');
        if !word {
            if letter && leet {
                return true;
            }
            letter = false;
            leet = false;
            pending_bang = false;
            continue;
        }
        if pending_bang {
            leet = true;
            pending_bang = false;
        }
        match c {
            '@' | '$' => leet = true,
            '!' | '|' => pending_bang = true,
            c if is_leet_digit(c) => leet = true,
            c if is_cased_script_letter(c) => letter = true,
            _ => {}
        }
    }
    letter && leet
}

/// Three or more single letters (or digits) in a row with at most [`MAX_SPACING`] spaces, dots,
/// dashes, underscores or asterisks between each.
fn has_spaced_letters(text: impl Iterator<Item = char>) -> bool {
    // Single letters in the current run; length of the current word; separators since the last
    // word, and whether they all allow joining.
    let mut singles = 0;
    let mut word_len = 0;
    let mut gap = 0;
    let mut joinable = true;
    // A space after the text ends its last word.
    for c in text.chain(core::iter::once(' ')) {
        if c.is_alphanumeric() {
            word_len += 1;
            continue;
        }
        if word_len > 0 && is_combining_mark(c) {
            continue;
        }
        if word_len > 0 {
            if word_len == 1 {
                let joined = singles > 0 && joinable && (1..=MAX_SPACING).contains(&gap);
                singles = if joined { singles + 1 } else { 1 };
                if singles >= 3 {
                    return true;
                }
            } else {
                singles = 0;
            }
            word_len = 0;
            gap = 0;
            joinable = true;
        }
        gap += 1;
        joinable &= is_joiner(c);
    }
    false
}

/// Separators that spaced-out letters may stand apart by.
fn is_joiner(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*' | '\t' | '\u{00B7}' | '\u{2022}')
}

/// A letter written three or more times in a row (ignoring case).
fn has_stretched_letter(text: impl Iterator<Item = char>) -> bool {
    let mut prev = None;
    let mut run = 0;
    for c in text {
        if is_combining_mark(c) {
            continue;
        }
        if !is_cased_script_letter(c) {
            prev = None;
            run = 0;
            continue;
        }
        let lower = c.to_lowercase().next().unwrap_or(c);
        if prev == Some(lower) {
            run += 1;
            if run >= 3 {
                return true;
            }
        } else {
            prev = Some(lower);
            run = 1;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::Mode;

    #[test]
    fn word_level_evasions_are_found_where_the_text_shows_them() {
        let n = Normalizer::default();
        for (text, want) in [
            ("d0n'7", Some(Evasion::Leetspeak)),
            ("$nap", Some(Evasion::Leetspeak)),
            ("p@ss", Some(Evasion::Leetspeak)),
            ("!nsta", Some(Evasion::Leetspeak)),
            ("te||", Some(Evasion::Leetspeak)),
            ("hello!", None),
            ("13 years", None),
            ("y\u{200B}0\u{200B}ｕr", Some(Evasion::Leetspeak)),
            ("ｓ０ｎ", Some(Evasion::Leetspeak)),
            ("s n a p", Some(Evasion::Spaced)),
            ("s.n.a.p", Some(Evasion::Spaced)),
            ("s-n-a-p chat", Some(Evasion::Spaced)),
            ("a b", None),
            ("i am a cat", None),
            ("s / n / a / p", None),
            ("pleeease", Some(Evasion::Stretched)),
            ("SOoo", Some(Evasion::Stretched)),
            ("pool", None),
            ("cashapp", None),
            ("see", None),
            ("weight lift", None),
            ("in real life", None),
            ("at a pool", None),
        ] {
            assert_eq!(n.word_evasion(text), want, "{text:?}");
        }
    }

    #[test]
    fn an_option_that_is_off_is_no_evasion() {
        let n = Normalizer::new(NormalizeOptions {
            leetspeak: false,
            collapse_repeats: false,
            join_spaced_letters: false,
            ..NormalizeOptions::default()
        });
        for text in ["d0n'7", "s n a p", "pleeease"] {
            assert_eq!(n.word_evasion(text), None, "{text:?}");
        }
    }

    #[test]
    fn character_level_evasions_are_named() {
        let n = Normalizer::default();
        for (text, want) in [
            ("ѕnар", Some(Evasion::Lookalike)),
            ("ｓｎａｐ", Some(Evasion::Compatibility)),
            ("𝐬𝐧𝐚𝐩", Some(Evasion::Compatibility)),
            ("sn\u{200B}ap", Some(Evasion::Invisible)),
            ("s\u{301}\u{302}\u{303}nap", Some(Evasion::StackedMarks)),
            ("café", None),
            ("ładna zdjęcie", None),
            ("Straße", None),
            ("snap", None),
        ] {
            assert_eq!(n.char_evasion(text), want, "{text:?}");
        }
    }

    #[test]
    fn the_ascii_plain_view_is_the_normalizers() {
        let plain = Normalizer::default().plain();
        let mut out = String::new();
        for text in [
            "Don't TELL, at a Pool!",
            "  dont--tell  ",
            "rock'n'roll 'tis don''t it`s",
            "e-mail me@x.com $5 !now |pipe|",
            "a\tb\nc",
            "'",
            "",
            "x'",
        ] {
            assert!(plain.plain_ascii_into(text, &mut out), "{text:?}");
            assert_eq!(out, plain.normalize(text, Mode::Terms).as_str(), "{text:?}");
        }
        assert!(!plain.plain_ascii_into("café", &mut out));
        assert!(!plain.plain_ascii_into("a\u{7}b", &mut out));
    }

    #[test]
    fn the_plain_view_keeps_words_apart_that_the_terms_view_merges() {
        let n = Normalizer::default();
        let plain = n.plain();
        for (a, b) in [("lift", "lft"), ("pool", "poil"), ("tell", "tel"), ("see", "se")] {
            assert_eq!(
                n.normalize(a, Mode::Terms).as_str(),
                n.normalize(b, Mode::Terms).as_str(),
                "the terms view merges {a} and {b}"
            );
            assert_ne!(
                plain.normalize(a, Mode::Terms).as_str(),
                plain.normalize(b, Mode::Terms).as_str(),
                "the plain view keeps {a} and {b} apart"
            );
        }
        for text in ["DONT   tell", "dont-tell", "don\u{2019}t tell"] {
            assert_eq!(plain.normalize(text, Mode::Terms).as_str(), "dont tell");
        }
    }
}
