/*!
Text normalization that undoes the usual evasions of chat text, with an exact map back to
the original.

People who do not want a message to be caught rarely write a phrase plainly: they write
`D0N'7 T E L L`, `ѕnар` with Cyrillic letters, `ｓｎａｐ` in fullwidth forms, `s.n.a.p`,
`s\u{200B}n\u{200B}a\u{200B}p` with zero-width spaces or `pleeeease`. A [`Normalizer`] maps all of
these to one canonical form so that a plain list of terms and patterns can match them, and
records, for every byte of its output, which bytes of the original text produced it, so a
match in the normalized text can be reported (and highlighted) in the original message with
[`Normalized::original_span`].

There are two views of a text, chosen by [`Mode`]:

* [`Mode::Terms`] produces a *skeleton*: lowercase words separated by single ASCII spaces, with
  every evasion undone, including leetspeak, letters spelled out one by one and repeated letters.
  Literal terms of a policy are put through the same normalizer, so both sides agree.
* [`Mode::Patterns`] keeps the text as it is (whitespace, punctuation and digits included) and
  only undoes the character-level evasions, for matching regular expressions.

# Example

```
use vigil::normalize::{Mode, NormalizeOptions, Normalizer};

let normalizer = Normalizer::new(NormalizeOptions::default());
let text = "pls D0N'7 T E L L ur mum";
let norm = normalizer.normalize(text, Mode::Terms);
// A skeleton: leetspeak undone, spaced letters joined, "l" folded to "i", runs collapsed.
assert_eq!(norm.as_str(), "pis dont tei ur mum");
// The same skeleton is what a policy term becomes.
let term = normalizer.normalize("don't tell", Mode::Terms);
let at = norm.as_str().find(term.as_str()).unwrap();
let span = norm.original_span(at..at + term.as_str().len()).unwrap();
assert_eq!(&text[span], "D0N'7 T E L L");
```

# Steps

The original text is processed segment by segment, where a segment is a base character plus
the combining marks that follow it. Within a segment, in this order:

1. invisible characters are dropped ([`NormalizeOptions::strip_invisible`]),
2. the segment is put in Unicode NFKC ([`NormalizeOptions::nfkc`]),
3. lookalike characters from other scripts are mapped to Latin letters
   ([`NormalizeOptions::confusables`]),
4. full Unicode case folding is applied ([`NormalizeOptions::case_fold`]),
5. diacritics are removed ([`NormalizeOptions::strip_diacritics`]); letters uncovered by this are
   looked up in the lookalike table once more, so that `ё` ends up as a Latin `e`.

In [`Mode::Terms`], the resulting characters are then cut into words, and leetspeak, spaced
letters and repeated letters are handled per word (see [`NormalizeOptions`]). Every output
character maps to the original bytes of the segment(s) it came from.

Pure ASCII input takes a fast path that skips the Unicode machinery and produces exactly the
same output.
*/

mod confusables;
mod evasion;
mod latin;
mod tables;

use core::ops::Range;

use caseless::Caseless;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

use self::confusables::confusable;
pub use self::evasion::Evasion;
use self::tables::{is_ascii_invisible, is_invisible, is_strippable_mark, is_symbol_other};

/// Which normalization steps run.
///
/// Every step is on by default. The options are deserialized from the `[normalize]` table of a
/// policy; fields that are missing keep their default (`true`) and unknown fields are an error.
///
/// Switching a step off only removes that step: every other step behaves the same.
///
/// # Example
///
/// ```
/// use vigil::normalize::{Mode, NormalizeOptions, Normalizer};
///
/// let options = NormalizeOptions { leetspeak: false, ..NormalizeOptions::default() };
/// let normalizer = Normalizer::new(options);
/// assert_eq!(normalizer.normalize("sn4p", Mode::Terms).as_str(), "sn4p");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NormalizeOptions {
    /// Apply Unicode NFKC to each segment: fullwidth forms, mathematical alphanumerics, circled
    /// and squared letters, ligatures, superscripts and the like become plain characters
    /// (`ｓｎａｐ` and `𝐬𝐧𝐚𝐩` become `snap`).
    pub nfkc: bool,
    /// Apply full Unicode case folding (`SNAP` becomes `snap`, `Straße` becomes `strasse`).
    pub case_fold: bool,
    /// Remove diacritics: decompose canonically and drop the combining marks that are optional
    /// diacritics (`café` becomes `cafe`, "Zalgo" marks disappear). Marks that are an essential
    /// part of a script's letters (Devanagari or Thai vowel signs, Japanese voicing marks) are
    /// kept.
    pub strip_diacritics: bool,
    /// Map lookalike characters of other scripts (Cyrillic, Greek, Armenian, Cherokee, Lisu, IPA
    /// and small capital letters, letters with strokes) to the Latin letters they imitate, using
    /// [UTS #39](https://www.unicode.org/reports/tr39/) as a reference (`ѕnар` in Cyrillic becomes
    /// `snap`). The mapping is case aware.
    pub confusables: bool,
    /// [`Mode::Terms`] only: undo leetspeak in words that contain at least one letter. Digits map
    /// to letters (`0`→`o`, `1`→`i`, `3`→`e`, `4`→`a`, `5`→`s`, `6`→`g`, `7`→`t`, `8`→`b`,
    /// `9`→`g`), `@`→`a` and `$`→`s` next to a letter or digit (or next to another `@` or `$`
    /// that is: `p@$$` becomes `pass`), `!`→`i` and `|`→`i` when directly followed by a letter
    /// or digit (`hello!` stays `hello`, `!nsta` becomes `insta`). Elsewhere these symbols
    /// separate words. Because `1`, `l`, `i`, `|` and `!` are then interchangeable, the letter
    /// `l` itself is folded to `i` as well, in every word: `tell` and `te11` both become `tei`
    /// (after collapsing repeats). Words without a letter keep their digits (`13` stays `13`).
    /// Words of scripts without case (CJK, Thai, ...) are left alone.
    pub leetspeak: bool,
    /// Drop invisible characters: zero-width spaces and joiners, bidi controls, the soft hyphen,
    /// the combining grapheme joiner, variation selectors, tag characters, emoji skin-tone
    /// modifiers, Hangul fillers and control characters other than whitespace. When off, these
    /// characters are kept; in [`Mode::Terms`] they then separate words.
    pub strip_invisible: bool,
    /// [`Mode::Terms`] only: join a run of three or more single-character words whose separators
    /// are only spaces, dots, dashes, underscores or asterisks, at most three characters each
    /// (`s n a p`, `s.n.a.p` and `s-n-a-p` become `snap`).
    pub join_spaced_letters: bool,
    /// [`Mode::Terms`] only: collapse runs of the same letter to one letter (`pleeease` becomes
    /// `please`, and `tell` becomes `tel`). Digits are kept. Scripts without case (CJK, Thai, ...)
    /// are left alone.
    pub collapse_repeats: bool,
}

impl Default for NormalizeOptions {
    /// Every step on.
    fn default() -> NormalizeOptions {
        NormalizeOptions {
            nfkc: true,
            case_fold: true,
            strip_diacritics: true,
            confusables: true,
            leetspeak: true,
            strip_invisible: true,
            join_spaced_letters: true,
            collapse_repeats: true,
        }
    }
}

/// Which view of a text to produce.
///
/// # Example
///
/// ```
/// use vigil::normalize::{Mode, Normalizer};
///
/// let normalizer = Normalizer::default();
/// let text = "Ｍail me: Bob@Example.com!";
/// assert_eq!(normalizer.normalize(text, Mode::Patterns).as_str(), "mail me: bob@example.com!");
/// assert_eq!(normalizer.normalize(text, Mode::Terms).as_str(), "mai me bobaexampie com");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// For literal terms: a skeleton of words separated by single ASCII spaces, with no leading
    /// or trailing space, and every enabled step applied.
    ///
    /// Words are runs of alphanumeric characters of any script (combining marks that survive
    /// stay with their word). Apostrophes between word characters are removed (`don't` becomes
    /// `dont`). Emoji and other symbols (General Category `So`) become one-character words of
    /// their own. Everything else separates words.
    Terms,
    /// For regular expressions: whitespace, punctuation and digits are kept. Only the
    /// character-level steps apply ([`NormalizeOptions::nfkc`], [`NormalizeOptions::case_fold`],
    /// [`NormalizeOptions::strip_diacritics`], [`NormalizeOptions::confusables`] and
    /// [`NormalizeOptions::strip_invisible`]); leetspeak, joining and collapsing never do.
    Patterns,
}

/// The normalized views of one text, as strings (see [`Normalizer::views`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TextViews {
    /// The plain view ([`Normalizer::plain`], terms mode): the words as written, with the
    /// character-level steps only. A skeleton match counts where the text reads as the term here.
    pub plain: String,
    /// The skeleton literal terms (`any`, `near`, `unless`) are matched on ([`Mode::Terms`]).
    pub terms: String,
    /// The lightly normalized text regex patterns run on ([`Mode::Patterns`]).
    pub patterns: String,
}

/// Normalizes texts according to a set of [`NormalizeOptions`].
///
/// A normalizer is cheap to create and to copy, and can be shared between threads. To avoid
/// allocating for every message, keep a [`Normalized`] around and pass it to
/// [`Normalizer::normalize_into`].
///
/// # Example
///
/// ```
/// use vigil::normalize::{Mode, Normalized, Normalizer};
///
/// let normalizer = Normalizer::default();
/// let mut out = Normalized::new();
/// for (text, want) in [("ѕnар", "snap"), ("ｓｎａｐ", "snap"), ("s.n.a.p", "snap")] {
///     normalizer.normalize_into(text, Mode::Terms, &mut out);
///     assert_eq!(out.as_str(), want);
/// }
/// ```
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    opts: NormalizeOptions,
}

impl Normalizer {
    /// Creates a normalizer that runs the steps enabled in `options`.
    pub fn new(options: NormalizeOptions) -> Normalizer {
        Normalizer { opts: options }
    }

    /// Returns the options this normalizer was created with.
    pub fn options(&self) -> NormalizeOptions {
        self.opts
    }

    /// Normalizes `text` into a freshly allocated [`Normalized`].
    ///
    /// This is a convenience for [`Normalizer::normalize_into`], which should be preferred on hot
    /// paths.
    ///
    /// # Example
    ///
    /// ```
    /// use vigil::normalize::{Mode, Normalizer};
    ///
    /// let normalizer = Normalizer::default();
    /// assert_eq!(normalizer.normalize("Pleeease, café?", Mode::Terms).as_str(), "piease cafe");
    /// assert_eq!(normalizer.normalize("Pleeease, café?", Mode::Patterns).as_str(), "pleeease, cafe?");
    /// ```
    pub fn normalize(&self, text: &str, mode: Mode) -> Normalized {
        let mut out = Normalized::new();
        self.normalize_into(text, mode, &mut out);
        out
    }

    /// The three views of `text` the rules are checked on, as strings: what
    /// [`Engine::normalized`](crate::Engine::normalized) shows.
    ///
    /// ```
    /// use vigil::normalize::Normalizer;
    ///
    /// let v = Normalizer::default().views("D0n'7 TELL");
    /// assert_eq!((v.plain.as_str(), v.terms.as_str(), v.patterns.as_str()), ("d0n7 tell", "dont tei", "d0n'7 tell"));
    /// ```
    pub fn views(&self, text: &str) -> TextViews {
        TextViews {
            plain: self.plain().normalize(text, Mode::Terms).as_str().to_string(),
            terms: self.normalize(text, Mode::Terms).as_str().to_string(),
            patterns: self.normalize(text, Mode::Patterns).as_str().to_string(),
        }
    }

    /// Normalizes `text` into `out`, replacing its previous contents.
    ///
    /// All of `out`'s buffers are reused, so once they have grown to the size of the texts being
    /// normalized, this does not allocate.
    ///
    /// This never panics, whatever the input. Offsets into texts longer than `u32::MAX` bytes
    /// saturate at `u32::MAX`.
    ///
    /// # Example
    ///
    /// ```
    /// use vigil::normalize::{Mode, Normalized, Normalizer};
    ///
    /// let normalizer = Normalizer::default();
    /// let mut out = Normalized::new();
    /// normalizer.normalize_into("add me on S N A P", Mode::Terms, &mut out);
    /// assert_eq!(out.as_str(), "ad me on snap");
    /// ```
    pub fn normalize_into(&self, text: &str, mode: Mode, out: &mut Normalized) {
        self.normalize_impl(text, mode, out, true);
    }

    /// Both views of `text` at once: the same as [`Normalizer::normalize_into`] with
    /// [`Mode::Terms`] into `terms` and with [`Mode::Patterns`] into `patterns`, running the
    /// character-level steps only once for text that is not ASCII.
    pub(crate) fn normalize_views(&self, text: &str, terms: &mut Normalized, patterns: &mut Normalized) {
        if text.is_ascii() {
            self.normalize_into(text, Mode::Terms, terms);
            self.normalize_into(text, Mode::Patterns, patterns);
            return;
        }
        terms.clear();
        patterns.clear();
        let Normalized {
            text: ttext,
            starts,
            ends,
            items,
            tchars,
            toks,
        } = terms;
        self.pipeline(text, items, true);
        let mut sink = Sink {
            text: &mut patterns.text,
            starts: &mut patterns.starts,
            ends: &mut patterns.ends,
        };
        for it in items.iter() {
            sink.push(it.ch, it.start, it.end);
        }
        let mut sink = Sink {
            text: ttext,
            starts,
            ends,
        };
        self.terms(items, tchars, toks, &mut sink);
    }

    /// The implementation of [`Normalizer::normalize_into`]. With `allow_fast` false, ASCII goes
    /// through the full Unicode machinery (used by tests to check the fast paths).
    fn normalize_impl(&self, text: &str, mode: Mode, out: &mut Normalized, allow_fast: bool) {
        out.clear();
        let Normalized {
            text: otext,
            starts,
            ends,
            items,
            tchars,
            toks,
        } = out;
        let mut sink = Sink {
            text: otext,
            starts,
            ends,
        };
        if allow_fast && text.is_ascii() {
            if mode == Mode::Patterns {
                // Nothing but (optional) lowercasing and dropping control characters.
                let bytes = text.as_bytes();
                if !(self.opts.strip_invisible && any_ascii_invisible(bytes)) {
                    sink.text.push_str(text);
                    if self.opts.case_fold {
                        sink.text.make_ascii_lowercase();
                    }
                    match u32::try_from(bytes.len()) {
                        Ok(n) => {
                            sink.starts.extend(0..n);
                            sink.ends.extend(1..=n);
                        }
                        Err(_) => {
                            sink.starts.extend((0..bytes.len()).map(off));
                            sink.ends.extend((1..=bytes.len()).map(off));
                        }
                    }
                    return;
                }
                sink.text.reserve(text.len());
                for (i, &b) in text.as_bytes().iter().enumerate() {
                    if self.opts.strip_invisible && is_ascii_invisible(b) {
                        continue;
                    }
                    let c = if self.opts.case_fold {
                        b.to_ascii_lowercase()
                    } else {
                        b
                    };
                    sink.push(char::from(c), off(i), off(i + 1));
                }
                return;
            }
            let bytes = text.as_bytes();
            if u32::try_from(bytes.len()).is_ok()
                && !(self.opts.strip_invisible && any_ascii_invisible(bytes))
            {
                // Every byte is a character of its own at its own offset: no pipeline needed.
                self.terms_ascii(bytes, toks, &mut sink);
                return;
            }
            items.reserve(text.len());
            for (i, &b) in bytes.iter().enumerate() {
                self.push_ascii(b, i, items);
            }
        } else {
            self.pipeline(text, items, allow_fast);
        }
        match mode {
            Mode::Patterns => {
                for it in items.iter() {
                    sink.push(it.ch, it.start, it.end);
                }
            }
            Mode::Terms => self.terms(items, tchars, toks, &mut sink),
        }
    }

    /// Pushes an ASCII character that is a segment of its own (not followed by a combining
    /// mark), which is all the pipeline needs to do for it.
    #[inline]
    fn push_ascii(&self, b: u8, i: usize, items: &mut Vec<Item>) {
        if self.opts.strip_invisible && is_ascii_invisible(b) {
            return;
        }
        let ch = if self.opts.case_fold {
            b.to_ascii_lowercase()
        } else {
            b
        };
        items.push(Item {
            ch: char::from(ch),
            start: off(i),
            end: off(i + 1),
        });
    }

    /// Splits `text` into segments and runs each through the character-level steps, appending
    /// the results to `items`.
    fn pipeline(&self, text: &str, items: &mut Vec<Item>, allow_fast: bool) {
        let strip = self.opts.strip_invisible;
        let fold = self.opts.case_fold;
        let bytes = text.as_bytes();
        // The current segment, as a byte range of `text`.
        let mut seg: Option<(usize, usize)> = None;
        items.reserve(text.len());
        let mut i = 0;
        while i < bytes.len() {
            if allow_fast && seg.is_none() {
                // A run of ASCII characters, each followed by an ASCII character that is kept
                // (so starts a segment of its own): no combining mark can attach to them, and
                // all the pipeline does is what `push_ascii` does. The rest of the loop below
                // would do the same, one character at a time.
                while let (Some(&b), Some(&n)) = (bytes.get(i), bytes.get(i + 1)) {
                    if !(b.is_ascii() && n.is_ascii())
                        || (strip && (is_ascii_invisible(b) || is_ascii_invisible(n)))
                    {
                        break;
                    }
                    let ch = if fold { b.to_ascii_lowercase() } else { b };
                    let start = off(i);
                    items.push(Item {
                        ch: char::from(ch),
                        start,
                        // `off(i + 1)`.
                        end: start.saturating_add(1),
                    });
                    i += 1;
                }
            }
            let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            let start = i;
            let end = i + c.len_utf8();
            i = end;
            let inv = if c.is_ascii() {
                is_ascii_invisible(c as u8)
            } else {
                is_invisible(c)
            };
            if inv && strip {
                // Dropped; it neither ends nor extends the current segment.
                continue;
            }
            // No combining mark lies below U+0300.
            if !inv && c >= '\u{300}' && is_combining_mark(c) {
                if let Some((_, e)) = seg.as_mut() {
                    *e = end;
                    continue;
                }
            }
            if let Some((s, e)) = seg.take() {
                self.segment(text, s, e, items, allow_fast);
            }
            let next_starts_segment = bytes
                .get(end)
                .is_none_or(|&b| b.is_ascii() && !(strip && is_ascii_invisible(b)));
            if allow_fast && c.is_ascii() && next_starts_segment {
                // No combining mark can attach to this character: skip the Unicode machinery.
                self.push_ascii(c as u8, start, items);
                continue;
            }
            seg = Some((start, end));
        }
        if let Some((s, e)) = seg {
            self.segment(text, s, e, items, allow_fast);
        }
    }

    /// Runs the character-level steps over the segment `text[s..e]`.
    fn segment(&self, text: &str, s: usize, e: usize, items: &mut Vec<Item>, allow_fast: bool) {
        let Some(seg) = text.get(s..e) else { return };
        let (s, e) = (off(s), off(e));
        let strip = self.opts.strip_invisible;
        let conf = self.opts.confusables;
        let mut it = seg.chars();
        if let (Some(c), None) = (it.next(), it.next()) {
            if allow_fast {
                if c.is_ascii() {
                    // What the steps below do to an ASCII character.
                    if !(strip && is_ascii_invisible(c as u8)) {
                        let ch = if self.opts.case_fold {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        };
                        items.push(Item { ch, start: s, end: e });
                    }
                    return;
                }
                if let Some(out) = self.latin_shortcut(c) {
                    // The result of the steps below, looked up.
                    for &ch in out {
                        items.push(Item { ch, start: s, end: e });
                    }
                    return;
                }
            }
            // One character: the common case. Same steps as below, without the iterators, when
            // NFKC leaves the character as it is.
            if !(strip && is_invisible(c)) {
                let mut c = c;
                if conf && !c.is_ascii() {
                    let m = confusable(c);
                    if m != c && m.is_ascii() {
                        c = m;
                    }
                }
                if !self.opts.nfkc || c.is_ascii() || is_nfkc_quick(core::iter::once(c)) == IsNormalized::Yes
                {
                    self.fold_step(c, s, e, items);
                    return;
                }
            }
        }
        // A lookalike that NFKC would turn into another letter (`ϲ` U+03F2 into `ς`) is mapped
        // to its Latin letter first.
        let chars = seg
            .chars()
            .filter(move |&c| !(strip && is_invisible(c)))
            .map(move |c| {
                if conf && !c.is_ascii() {
                    let m = confusable(c);
                    if m != c && m.is_ascii() {
                        return m;
                    }
                }
                c
            });
        if self.opts.nfkc {
            for c in chars.nfkc() {
                self.fold_step(c, s, e, items);
            }
        } else {
            for c in chars {
                self.fold_step(c, s, e, items);
            }
        }
    }

    /// What the character-level steps make of `c` when it is a segment of its own, if `c` is
    /// in the table of Latin-1 and Latin Extended characters ([`latin::LATIN`]) and the steps
    /// that table was made for are on (`nfkc`, `case_fold`, `strip_diacritics` and
    /// `confusables`; the table leaves out the invisible characters, so `strip_invisible` does
    /// not matter).
    #[inline]
    fn latin_shortcut(&self, c: char) -> Option<&'static [char]> {
        let o = &self.opts;
        if !(o.nfkc && o.case_fold && o.strip_diacritics && o.confusables) {
            return None;
        }
        latin::lookup(c)
    }

    /// Confusables (first pass) and case folding.
    fn fold_step(&self, c: char, s: u32, e: u32, items: &mut Vec<Item>) {
        let c = if self.opts.confusables { confusable(c) } else { c };
        if !self.opts.case_fold {
            self.strip_step(c, s, e, items);
        } else if c.is_ascii() {
            self.strip_step(c.to_ascii_lowercase(), s, e, items);
        } else {
            for f in core::iter::once(c).default_case_fold() {
                self.strip_step(f, s, e, items);
            }
        }
    }

    /// Diacritic stripping.
    fn strip_step(&self, c: char, s: u32, e: u32, items: &mut Vec<Item>) {
        if !self.opts.strip_diacritics || c.is_ascii() {
            self.emit(c, s, e, items);
            return;
        }
        let mut has_mark = false;
        decompose_canonical(c, |d| has_mark |= is_strippable_mark(d));
        if !has_mark {
            // Keep the composed form: this preserves e.g. Hangul syllables and kana with voicing
            // marks, which canonically decompose too.
            self.emit(c, s, e, items);
            return;
        }
        decompose_canonical(c, |d| {
            if !is_strippable_mark(d) {
                self.emit(d, s, e, items);
            }
        });
    }

    /// Confusables (second pass, for letters uncovered by stripping or produced by case
    /// folding), then the final push.
    #[inline]
    fn emit(&self, c: char, s: u32, e: u32, items: &mut Vec<Item>) {
        let mut ch = c;
        if self.opts.confusables && !ch.is_ascii() {
            ch = confusable(ch);
            if self.opts.case_fold {
                ch = ch.to_ascii_lowercase();
            }
        }
        items.push(Item { ch, start: s, end: e });
    }

    /// Classifies a character of the pipeline's output for [`Mode::Terms`].
    #[inline]
    fn class(&self, c: char) -> Class {
        if c.is_ascii() {
            return match c {
                'a'..='z' | 'A'..='Z' | '0'..='9' => Class::Word,
                '\'' | '`' => Class::Apostrophe,
                '@' | '$' | '!' | '|' if self.opts.leetspeak => Class::Leet,
                ' ' | '.' | '-' | '_' | '*' | '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' => Class::Joiner,
                _ => Class::Separator,
            };
        }
        if is_invisible(c) {
            // Only reached when invisible characters are kept.
            return Class::Separator;
        }
        if matches!(c, '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}') {
            return Class::Apostrophe;
        }
        if c.is_alphanumeric() || is_combining_mark(c) {
            return Class::Word;
        }
        if is_symbol_other(c) {
            return Class::Symbol;
        }
        if c.is_whitespace()
            || matches!(
                c,
                '\u{00B7}' | '\u{2022}' | '\u{2027}' | '\u{2010}'
                    ..='\u{2015}' | '\u{2212}' | '\u{2219}' | '\u{22C5}' | '\u{30FB}' | '\u{FF65}'
            )
        {
            return Class::Joiner;
        }
        Class::Separator
    }

    /// The word-level steps of [`Mode::Terms`]: tokenize, join spaced letters, undo leetspeak,
    /// collapse repeats, and write the words separated by single spaces.
    fn terms(&self, items: &[Item], tchars: &mut Vec<Item>, toks: &mut Vec<Tok>, sink: &mut Sink<'_>) {
        let item = Classified {
            items,
            classes: &ASCII_CLASSES[usize::from(self.opts.leetspeak)],
            normalizer: self,
        };
        tchars.reserve(items.len());
        self.tokenize(&item, &mut Collect(tchars), toks);
        if self.opts.join_spaced_letters {
            join_spaced(toks, |lo| {
                tchars
                    .get(lo as usize)
                    .is_some_and(|c| c.ch.is_ascii_digit() || is_cased_script_letter(c.ch))
            });
        }
        sink.text.reserve(items.len() + 8);
        sink.starts.reserve(items.len() + 8);
        sink.ends.reserve(items.len() + 8);
        let leet = self.opts.leetspeak;
        let collapse = self.opts.collapse_repeats;
        let mut words = WordWriter::default();
        for tok in toks.iter() {
            let chars = tchars.get(tok.lo as usize..tok.hi as usize).unwrap_or(&[]);
            words.break_word();
            if tok.kind == TokKind::Symbol {
                for t in chars {
                    words.push(sink, t.ch, t.start, t.end);
                }
                continue;
            }
            let has_letter = leet && chars.iter().any(|t| is_cased_script_letter(t.ch));
            let mut prev: Option<char> = None;
            for t in chars {
                let mut c = t.ch;
                if leet {
                    if matches!(c, '@' | '$' | '!' | '|') {
                        if !has_letter {
                            // A symbol in a word without letters is a separator after all.
                            words.break_word();
                            prev = None;
                            continue;
                        }
                        c = leet_char(c);
                    } else if has_letter && c.is_ascii_digit() {
                        c = leet_char(c);
                    }
                    c = match c {
                        'l' => 'i',
                        'L' => 'I',
                        _ => c,
                    };
                }
                if collapse && prev == Some(c) && is_cased_script_letter(c) {
                    sink.extend_last(t.end);
                    continue;
                }
                words.push(sink, c, t.start, t.end);
                prev = Some(c);
            }
        }
    }

    /// [`Normalizer::terms`] for an ASCII text that needs no pipeline (no invisible character
    /// to drop, shorter than `u32::MAX` bytes): every byte is a character of its own, at its own
    /// offset. Tokens are byte ranges of the text; a token's characters are the bytes in its
    /// range of class word or leet (that leaves out the apostrophes inside a word and the gaps
    /// of joined letters). The output is exactly that of the general path.
    fn terms_ascii(&self, bytes: &[u8], toks: &mut Vec<Tok>, sink: &mut Sink<'_>) {
        let classes = &ASCII_CLASSES[usize::from(self.opts.leetspeak)];
        let class = |b: u8| classes[usize::from(b & 0x7F)];
        let fold = self.opts.case_fold;
        let fold = |b: u8| if fold { b.to_ascii_lowercase() } else { b };
        let item = |i: usize| {
            let b = *bytes.get(i)?;
            let item = Item {
                ch: char::from(fold(b)),
                start: i as u32,
                end: i as u32 + 1,
            };
            Some((item, class(b)))
        };
        self.tokenize(&item, &mut Positions, toks);
        if self.opts.join_spaced_letters {
            join_spaced(toks, |lo| {
                bytes.get(lo as usize).is_some_and(u8::is_ascii_alphanumeric)
            });
        }
        sink.text.reserve(bytes.len() + 8);
        sink.starts.reserve(bytes.len() + 8);
        sink.ends.reserve(bytes.len() + 8);
        let leet = self.opts.leetspeak;
        let collapse = self.opts.collapse_repeats;
        for tok in toks.iter() {
            let chars = bytes.get(tok.lo as usize..tok.hi as usize).unwrap_or(&[]);
            let mut pending_space = true;
            let has_letter = leet && chars.iter().any(u8::is_ascii_alphabetic);
            let mut prev: Option<u8> = None;
            for (k, &b) in chars.iter().enumerate() {
                if !matches!(class(b), Class::Word | Class::Leet) {
                    continue;
                }
                let i = tok.lo + k as u32;
                let mut c = fold(b);
                if leet {
                    if matches!(c, b'@' | b'$' | b'!' | b'|') {
                        if !has_letter {
                            // A symbol in a word without letters is a separator after all.
                            pending_space = true;
                            prev = None;
                            continue;
                        }
                        c = leet_byte(c);
                    } else if has_letter && c.is_ascii_digit() {
                        c = leet_byte(c);
                    }
                    c = match c {
                        b'l' => b'i',
                        b'L' => b'I',
                        _ => c,
                    };
                }
                if collapse && prev == Some(c) && c.is_ascii_alphabetic() {
                    if let Some(e) = sink.ends.last_mut() {
                        *e = (*e).max(i + 1);
                    }
                    continue;
                }
                if pending_space {
                    if let (Some(&ps), Some(&pe)) = (sink.starts.last(), sink.ends.last()) {
                        // As `WordWriter::push`.
                        let (s, e) = if pe < i {
                            (pe, i)
                        } else {
                            (ps.min(i), pe.max(i + 1))
                        };
                        sink.text.push(' ');
                        sink.starts.push(s);
                        sink.ends.push(e);
                    }
                    pending_space = false;
                }
                sink.text.push(char::from(c));
                sink.starts.push(i);
                sink.ends.push(i + 1);
                prev = Some(c);
            }
        }
    }

    /// Cuts the pipeline's output into word and symbol tokens (see [`Mode::Terms`]). `src.item(i)`
    /// is the `i`th character with its class, `None` past the end; `chars` keeps the characters
    /// of the tokens.
    #[inline]
    fn tokenize(&self, src: &impl ItemSource, chars: &mut impl TokChars, toks: &mut Vec<Tok>) {
        let item = |i: usize| src.item(i);
        let class_at = |i: usize| src.item(i).map(|(_, c)| c);
        let mut open = false;
        // Separators since the last token, and whether all of them allow joining.
        let mut gap_len = 0usize;
        let mut gap_joinable = true;
        let mut i = 0;
        while let Some((it, class)) = src.item(i) {
            match class {
                Class::Word => {
                    if !open {
                        start_token(toks, chars.lo(i), &mut gap_len, &mut gap_joinable);
                        open = true;
                    }
                    chars.push(toks, i, it);
                    i += 1;
                }
                Class::Apostrophe => {
                    let next_is_word = class_at(i + 1) == Some(Class::Word);
                    if !(open && next_is_word) {
                        open = false;
                        gap_len += 1;
                        gap_joinable = false;
                    }
                    i += 1;
                }
                Class::Leet => {
                    // A maximal run of leet symbols.
                    let mut j = i + 1;
                    while class_at(j) == Some(Class::Leet) {
                        j += 1;
                    }
                    let is_as = |k: usize| item(k).is_some_and(|(it, _)| matches!(it.ch, '@' | '$'));
                    let len = j - i;
                    // The symbols that belong to a word: `@` and `$` directly after a word (a
                    // prefix of the run), and, if a word follows, the last symbol of the run
                    // together with the `@` and `$` directly before it (a suffix).
                    let prefix = if open {
                        (i..j).take_while(|&k| is_as(k)).count()
                    } else {
                        0
                    };
                    let suffix_start = if class_at(j) == Some(Class::Word) {
                        let before_last = len.saturating_sub(1);
                        before_last - (i..i + before_last).rev().take_while(|&k| is_as(k)).count()
                    } else {
                        len
                    };
                    for k in 0..len {
                        if k < prefix || k >= suffix_start {
                            if !open {
                                start_token(toks, chars.lo(i + k), &mut gap_len, &mut gap_joinable);
                                open = true;
                            }
                            if let Some((sym, _)) = item(i + k) {
                                chars.push(toks, i + k, sym);
                            }
                        } else {
                            open = false;
                            gap_len += 1;
                            gap_joinable = false;
                        }
                    }
                    i = j;
                }
                Class::Symbol => {
                    start_token(toks, chars.lo(i), &mut gap_len, &mut gap_joinable);
                    if let Some(last) = toks.last_mut() {
                        last.kind = TokKind::Symbol;
                    }
                    chars.push(toks, i, it);
                    open = false;
                    i += 1;
                }
                Class::Joiner => {
                    open = false;
                    gap_len += 1;
                    i += 1;
                }
                Class::Separator => {
                    open = false;
                    gap_len += 1;
                    gap_joinable = false;
                    i += 1;
                }
            }
        }
    }
}

/// The [`Mode::Terms`] class of every ASCII character, with leetspeak off (`[0]`) and on (`[1]`):
/// the same as [`Normalizer::class`].
static ASCII_CLASSES: [[Class; 128]; 2] = [ascii_classes(false), ascii_classes(true)];

const fn ascii_classes(leet: bool) -> [Class; 128] {
    let mut t = [Class::Separator; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => Class::Word,
            b'\'' | b'`' => Class::Apostrophe,
            b'@' | b'$' | b'!' | b'|' if leet => Class::Leet,
            b' ' | b'.' | b'-' | b'_' | b'*' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => Class::Joiner,
            _ => Class::Separator,
        };
        b += 1;
    }
    t
}

/// Joins runs of three or more single-letter word tokens separated by joinable gaps.
/// `single_char(lo)` tells whether the character at `lo` (a token of one character) is a digit
/// or a letter of a script with case.
fn join_spaced(toks: &mut Vec<Tok>, single_char: impl Fn(u32) -> bool) {
    let single =
        |t: &Tok| -> bool { t.kind == TokKind::Word && t.hi.wrapping_sub(t.lo) == 1 && single_char(t.lo) };
    let mut w = 0;
    let mut r = 0;
    while r < toks.len() {
        let mut merged = None;
        if toks.get(r).is_some_and(single) {
            let mut e = r + 1;
            while toks.get(e).is_some_and(|t| single(t) && t.gap_ok) {
                e += 1;
            }
            if e - r >= 3 {
                if let (Some(first), Some(last)) = (toks.get(r), toks.get(e - 1)) {
                    merged = Some((
                        Tok {
                            hi: last.hi,
                            ..*first
                        },
                        e,
                    ));
                }
            }
        }
        let (tok, next) = match merged {
            Some(m) => m,
            None => match toks.get(r) {
                Some(t) => (*t, r + 1),
                None => break,
            },
        };
        if let Some(slot) = toks.get_mut(w) {
            *slot = tok;
        }
        w += 1;
        r = next;
    }
    toks.truncate(w);
}

/// Opens a new word token at `lo`, recording whether the gap before it allows joining.
fn start_token(toks: &mut Vec<Tok>, lo: usize, gap_len: &mut usize, gap_joinable: &mut bool) {
    let lo = off(lo);
    toks.push(Tok {
        lo,
        hi: lo,
        kind: TokKind::Word,
        gap_ok: *gap_joinable && (1..=3).contains(gap_len),
    });
    *gap_len = 0;
    *gap_joinable = true;
}

/// The characters [`Normalizer::tokenize`] reads.
trait ItemSource {
    /// The `i`th character with its class, `None` past the end.
    fn item(&self, i: usize) -> Option<(Item, Class)>;
}

impl<F: Fn(usize) -> Option<(Item, Class)>> ItemSource for F {
    #[inline(always)]
    fn item(&self, i: usize) -> Option<(Item, Class)> {
        self(i)
    }
}

/// The pipeline's output, classified as [`Normalizer::class`] does (ASCII by table).
struct Classified<'a> {
    items: &'a [Item],
    classes: &'a [Class; 128],
    normalizer: &'a Normalizer,
}

impl ItemSource for Classified<'_> {
    #[inline(always)]
    fn item(&self, i: usize) -> Option<(Item, Class)> {
        let it = *self.items.get(i)?;
        let class = match u8::try_from(it.ch) {
            Ok(b) if b.is_ascii() => self.classes[usize::from(b & 0x7F)],
            _ => self.normalizer.class(it.ch),
        };
        Some((it, class))
    }
}

/// Where the characters of [`Mode::Terms`] tokens are kept while tokenizing.
trait TokChars {
    /// The `lo` of a token whose first character is the `i`th.
    fn lo(&self, i: usize) -> usize;
    /// Appends the `i`th character, `it`, to the last (open) token.
    fn push(&mut self, toks: &mut [Tok], i: usize, it: Item);
}

/// Tokens are ranges of a list of their characters.
struct Collect<'a>(&'a mut Vec<Item>);

impl TokChars for Collect<'_> {
    #[inline]
    fn lo(&self, _: usize) -> usize {
        self.0.len()
    }

    #[inline]
    fn push(&mut self, toks: &mut [Tok], _: usize, it: Item) {
        self.0.push(it);
        if let Some(last) = toks.last_mut() {
            last.hi = off(self.0.len());
        }
    }
}

/// Tokens are ranges of the characters' own positions (ASCII without a pipeline).
struct Positions;

impl TokChars for Positions {
    #[inline]
    fn lo(&self, i: usize) -> usize {
        i
    }

    #[inline]
    fn push(&mut self, toks: &mut [Tok], i: usize, _: Item) {
        if let Some(last) = toks.last_mut() {
            last.hi = off(i + 1);
        }
    }
}

/// [`leet_char`] on a byte.
#[inline]
fn leet_byte(b: u8) -> u8 {
    match b {
        b'0' => b'o',
        b'1' | b'!' | b'|' => b'i',
        b'3' => b'e',
        b'4' | b'@' => b'a',
        b'5' | b'$' => b's',
        b'6' | b'9' => b'g',
        b'7' => b't',
        b'8' => b'b',
        _ => b,
    }
}

/// The letter a leetspeak digit or symbol stands for.
fn leet_char(c: char) -> char {
    match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '6' | '9' => 'g',
        '7' => 't',
        '8' => 'b',
        _ => c,
    }
}

/// Letters of the scripts with case (Latin, Greek, Cyrillic, Armenian and their extensions),
/// which leetspeak, joining and collapsing apply to. Words made of other scripts (CJK, Thai,
/// Arabic, ...) are left as they are.
fn is_cased_script_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    c.is_alphabetic()
        && (c < '\u{0590}'
            || ('\u{1D00}'..='\u{1FFF}').contains(&c)
            || ('\u{2C60}'..='\u{2C7F}').contains(&c)
            || ('\u{A720}'..='\u{A7FF}').contains(&c)
            || ('\u{AB30}'..='\u{AB6F}').contains(&c)
            || ('\u{FF21}'..='\u{FF3A}').contains(&c)
            || ('\u{FF41}'..='\u{FF5A}').contains(&c))
}

/// Whether an ASCII control character that is invisible is among `bytes` (without stopping
/// early, so that the loop vectorizes).
fn any_ascii_invisible(bytes: &[u8]) -> bool {
    bytes.iter().fold(false, |acc, &b| acc | is_ascii_invisible(b))
}

/// Converts an offset to `u32`, saturating.
fn off(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// One character produced by the character-level steps, with the original byte range of the
/// segment it came from.
#[derive(Debug, Clone, Copy)]
struct Item {
    ch: char,
    start: u32,
    end: u32,
}

/// How [`Mode::Terms`] treats a character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Alphanumeric (any script) or a combining mark.
    Word,
    /// Removed between word characters, a separator elsewhere.
    Apostrophe,
    /// `@ $ ! |` with leetspeak on: part of a word next to one, a separator elsewhere.
    Leet,
    /// An emoji or other symbol: a word of its own.
    Symbol,
    /// A separator that spaced letters may be joined across.
    Joiner,
    /// Any other separator.
    Separator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Word,
    Symbol,
}

/// A token of [`Mode::Terms`]: the range `lo..hi` of `Normalized::tchars`.
#[derive(Debug, Clone, Copy)]
struct Tok {
    lo: u32,
    hi: u32,
    kind: TokKind,
    /// Whether the separators before this token allow joining it to the previous one.
    gap_ok: bool,
}

/// The output text and its offset map, borrowed from a [`Normalized`].
struct Sink<'a> {
    text: &'a mut String,
    starts: &'a mut Vec<u32>,
    ends: &'a mut Vec<u32>,
}

impl Sink<'_> {
    #[inline(always)]
    fn push(&mut self, c: char, start: u32, end: u32) {
        self.text.push(c);
        if c.is_ascii() {
            self.starts.push(start);
            self.ends.push(end);
            return;
        }
        for _ in 0..c.len_utf8() {
            self.starts.push(start);
            self.ends.push(end);
        }
    }

    /// Extends the original range of the last output character to `end` (it absorbed a
    /// collapsed repeat).
    fn extend_last(&mut self, end: u32) {
        let n = self.text.chars().next_back().map_or(0, char::len_utf8);
        let len = self.ends.len();
        for e in self.ends.get_mut(len.saturating_sub(n)..).unwrap_or(&mut []) {
            *e = (*e).max(end);
        }
    }

    /// The original range of the last output character.
    fn last_range(&self) -> Option<(u32, u32)> {
        Some((*self.starts.last()?, *self.ends.last()?))
    }
}

/// Writes words separated by single spaces, mapping each space to the original text between
/// the words around it.
#[derive(Default)]
struct WordWriter {
    /// A space is due before the next character (if anything was written before).
    pending_space: bool,
}

impl WordWriter {
    /// Ends the current word.
    fn break_word(&mut self) {
        self.pending_space = true;
    }

    #[inline(always)]
    fn push(&mut self, sink: &mut Sink<'_>, c: char, start: u32, end: u32) {
        if self.pending_space {
            if let Some((ps, pe)) = sink.last_range() {
                // The space stands for whatever lay between the words, or, if the words
                // touch (or came from one segment), for the characters on both sides.
                let (s, e) = if pe < start {
                    (pe, start)
                } else {
                    (ps.min(start), pe.max(end))
                };
                sink.push(' ', s, e);
            }
            self.pending_space = false;
        }
        sink.push(c, start, end);
    }
}

/// A normalized text, with a map from its bytes back to the original text.
///
/// Create one with [`Normalized::new`] and reuse it with [`Normalizer::normalize_into`] to avoid
/// allocating for every text, or get a fresh one from [`Normalizer::normalize`].
///
/// # Example
///
/// ```
/// use vigil::normalize::{Mode, Normalizer};
///
/// let text = "café ＳＮＡＰ";
/// let norm = Normalizer::default().normalize(text, Mode::Patterns);
/// assert_eq!(norm.as_str(), "cafe snap");
/// let span = norm.original_span(5..9).unwrap();
/// assert_eq!(&text[span], "ＳＮＡＰ");
/// ```
#[derive(Clone, Default)]
pub struct Normalized {
    /// The normalized text.
    text: String,
    /// For every byte of `text`, the start of the original bytes it came from.
    starts: Vec<u32>,
    /// For every byte of `text`, the end of the original bytes it came from.
    ends: Vec<u32>,
    /// Scratch: the output of the character-level steps.
    items: Vec<Item>,
    /// Scratch: the characters of the tokens of [`Mode::Terms`].
    tchars: Vec<Item>,
    /// Scratch: the tokens of [`Mode::Terms`].
    toks: Vec<Tok>,
}

impl core::fmt::Debug for Normalized {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Normalized")
            .field("text", &self.text)
            .finish_non_exhaustive()
    }
}

impl Normalized {
    /// Creates an empty normalized text, to be filled by [`Normalizer::normalize_into`].
    pub fn new() -> Normalized {
        Normalized::default()
    }

    /// Returns the normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Returns the length of the normalized text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Returns true if the normalized text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Maps a byte range of the normalized text to the byte range of the original text that it
    /// came from.
    ///
    /// The range must be non-empty, within the normalized text and on its character
    /// boundaries; otherwise `None` is returned. The result is non-empty, lies on character
    /// boundaries of the original text and covers every original character that produced any of
    /// the normalized characters in `range`, including what lay between them (for a joined word
    /// like `t e l l`, the spaces too).
    ///
    /// Offsets past `u32::MAX` bytes of the original text cannot be represented and saturate, so
    /// for such texts (which the engine never passes in) a span may come out empty.
    ///
    /// # Example
    ///
    /// ```
    /// use vigil::normalize::{Mode, Normalizer};
    ///
    /// let text = "call me, s-n-a-p me";
    /// let norm = Normalizer::default().normalize(text, Mode::Terms);
    /// assert_eq!(norm.as_str(), "cai me snap me");
    /// let span = norm.original_span(7..11).unwrap();
    /// assert_eq!(&text[span], "s-n-a-p");
    /// assert_eq!(norm.original_span(7..7), None);
    /// assert_eq!(norm.original_span(7..100), None);
    /// ```
    pub fn original_span(&self, range: Range<usize>) -> Option<Range<usize>> {
        if range.start >= range.end
            || !self.text.is_char_boundary(range.start)
            || !self.text.is_char_boundary(range.end)
        {
            return None;
        }
        let start = self.starts.get(range.clone())?.iter().copied().min()?;
        let end = self.ends.get(range)?.iter().copied().max()?;
        Some(start as usize..end as usize)
    }

    /// Empties the text and the map, keeping the allocations.
    fn clear(&mut self) {
        self.text.clear();
        self.starts.clear();
        self.ends.clear();
        self.items.clear();
        self.tchars.clear();
        self.toks.clear();
    }
}

#[cfg(test)]
mod tests;
