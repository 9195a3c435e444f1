//! Language identification: which language a message is in, and a running estimate of the
//! languages of a conversation (issue 13: packs scoped by language).
//!
//! * A [`LanguageDetector`] is built once from the language codes a policy's packs declare
//!   (`[policy] languages = ["en"]`). [`LanguageDetector::detect`] returns a [`Guess`] — the most
//!   likely of those languages and a confidence — or `None` when the text says too little (`ok`,
//!   `lol`, `?`, emoji) or is in a script none of them uses.
//! * A [`LanguageEstimate`] (24 bytes, `Copy`) accumulates the guesses of one conversation key,
//!   weighted by their confidence, with an exponential memory so that a conversation that switches
//!   language is followed within a few messages.
//! * [`LanguageEstimate::scope`] says which packs apply to a message: every pack while the
//!   evidence is thin or spread out, or the message's own guess is unreliable and new to the
//!   conversation ([`LanguageScope::All`], recall first); else the languages plausible for the
//!   conversation plus the one guessed for the message. The language-neutral core applies
//!   whatever the scope.
//!
//! Every threshold is a field of [`LanguageOptions`] (a `[language]` table of a policy).
//! Detection uses the [`whatlang`] crate restricted to the policy's languages; measured cost,
//! accuracy and size are in `docs/language-id.md`.
//!
//! ```
//! use vigil::lang::{Language, LanguageDetector, LanguageEstimate, LanguageOptions, LanguageScope};
//!
//! let opts = LanguageOptions::default();
//! let detector = LanguageDetector::new(["en", "de", "fr", "pl"], opts.clone()).unwrap();
//! let mut estimate = LanguageEstimate::default();
//!
//! // Too little to say: the estimate has no evidence, every pack applies.
//! assert!(detector.detect("lol").is_none());
//! assert_eq!(estimate.scope(None, &opts), LanguageScope::All);
//!
//! for text in ["hej, co dzisiaj robisz po szkole?", "gram z kolegami w piłkę na boisku"] {
//!     let guess = detector.detect(text);
//!     if let Some(g) = &guess {
//!         estimate.update(g, &opts);
//!     }
//!     let scope = estimate.scope(guess.as_ref(), &opts);
//!     println!("{text}: {guess:?} → {scope:?}");
//! }
//! let pl = Language::from_code("pl").unwrap();
//! let en = Language::from_code("en").unwrap();
//! assert_eq!(estimate.plausible(pl, &opts), Some(true));
//! assert_eq!(estimate.plausible(en, &opts), Some(false));
//! assert_eq!(estimate.top().map(|(l, _)| l.code()), Some("pl"));
//! ```

use std::fmt;
use std::num::NonZeroU8;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;
use whatlang::Lang;

/// The languages [`whatlang`] knows, in the order of its `Lang` discriminants (checked by a
/// test): ISO 639-1 code, whatlang language, English name.
const TABLE: [(&str, Lang, &str); 70] = [
    ("eo", Lang::Epo, "Esperanto"),
    ("en", Lang::Eng, "English"),
    ("ru", Lang::Rus, "Russian"),
    ("zh", Lang::Cmn, "Chinese (Mandarin)"),
    ("es", Lang::Spa, "Spanish"),
    ("pt", Lang::Por, "Portuguese"),
    ("it", Lang::Ita, "Italian"),
    ("bn", Lang::Ben, "Bengali"),
    ("fr", Lang::Fra, "French"),
    ("de", Lang::Deu, "German"),
    ("uk", Lang::Ukr, "Ukrainian"),
    ("ka", Lang::Kat, "Georgian"),
    ("ar", Lang::Ara, "Arabic"),
    ("hi", Lang::Hin, "Hindi"),
    ("ja", Lang::Jpn, "Japanese"),
    ("he", Lang::Heb, "Hebrew"),
    ("yi", Lang::Yid, "Yiddish"),
    ("pl", Lang::Pol, "Polish"),
    ("am", Lang::Amh, "Amharic"),
    ("jv", Lang::Jav, "Javanese"),
    ("ko", Lang::Kor, "Korean"),
    ("nb", Lang::Nob, "Norwegian Bokmål"),
    ("da", Lang::Dan, "Danish"),
    ("sv", Lang::Swe, "Swedish"),
    ("fi", Lang::Fin, "Finnish"),
    ("tr", Lang::Tur, "Turkish"),
    ("nl", Lang::Nld, "Dutch"),
    ("hu", Lang::Hun, "Hungarian"),
    ("cs", Lang::Ces, "Czech"),
    ("el", Lang::Ell, "Greek"),
    ("bg", Lang::Bul, "Bulgarian"),
    ("be", Lang::Bel, "Belarusian"),
    ("mr", Lang::Mar, "Marathi"),
    ("kn", Lang::Kan, "Kannada"),
    ("ro", Lang::Ron, "Romanian"),
    ("sl", Lang::Slv, "Slovenian"),
    ("hr", Lang::Hrv, "Croatian"),
    ("sr", Lang::Srp, "Serbian"),
    ("mk", Lang::Mkd, "Macedonian"),
    ("lt", Lang::Lit, "Lithuanian"),
    ("lv", Lang::Lav, "Latvian"),
    ("et", Lang::Est, "Estonian"),
    ("ta", Lang::Tam, "Tamil"),
    ("vi", Lang::Vie, "Vietnamese"),
    ("ur", Lang::Urd, "Urdu"),
    ("th", Lang::Tha, "Thai"),
    ("gu", Lang::Guj, "Gujarati"),
    ("uz", Lang::Uzb, "Uzbek"),
    ("pa", Lang::Pan, "Punjabi"),
    ("az", Lang::Aze, "Azerbaijani"),
    ("id", Lang::Ind, "Indonesian"),
    ("te", Lang::Tel, "Telugu"),
    ("fa", Lang::Pes, "Persian"),
    ("ml", Lang::Mal, "Malayalam"),
    ("or", Lang::Ori, "Oriya"),
    ("my", Lang::Mya, "Burmese"),
    ("ne", Lang::Nep, "Nepali"),
    ("si", Lang::Sin, "Sinhala"),
    ("km", Lang::Khm, "Khmer"),
    ("tk", Lang::Tuk, "Turkmen"),
    ("ak", Lang::Aka, "Akan"),
    ("zu", Lang::Zul, "Zulu"),
    ("sn", Lang::Sna, "Shona"),
    ("af", Lang::Afr, "Afrikaans"),
    ("la", Lang::Lat, "Latin"),
    ("sk", Lang::Slk, "Slovak"),
    ("ca", Lang::Cat, "Catalan"),
    ("tl", Lang::Tgl, "Tagalog"),
    ("hy", Lang::Hye, "Armenian"),
    ("cy", Lang::Cym, "Welsh"),
];

/// Errors of this module: an unknown language code, options out of range, an invalid stored
/// estimate.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum LanguageError {
    /// The code is not the ISO 639-1 code of a language the detector knows.
    #[error("unknown language code `{0}`")]
    UnknownCode(String),
    /// A field of [`LanguageOptions`] is outside its range.
    #[error("language option `{field}` is {value}, expected {expected}")]
    OutOfRange {
        /// The field, such as `message_weight`.
        field: &'static str,
        /// The value given.
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// A deserialized [`LanguageEstimate`] breaks its invariants (a weight that is negative or not
    /// finite, a language twice, a weight without a language).
    #[error("invalid language estimate: {0}")]
    Estimate(&'static str),
}

/// A language, named by its ISO 639-1 code (`"en"`, `"de"`, …) as policies name it in
/// `[policy] languages`. One byte; serialized as its code.
///
/// ```
/// use vigil::lang::Language;
///
/// let de = Language::from_code("de").unwrap();
/// assert_eq!(de.code(), "de");
/// assert_eq!(de.name(), "German");
/// assert_eq!("DE".parse::<Language>(), Ok(de));
/// assert!(Language::from_code("xx").is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Language(NonZeroU8); // index into TABLE, plus one

impl Language {
    fn from_index(i: usize) -> Option<Self> {
        if i < TABLE.len() {
            u8::try_from(i + 1).ok().and_then(NonZeroU8::new).map(Language)
        } else {
            None
        }
    }

    fn index(self) -> usize {
        usize::from(self.0.get()) - 1
    }

    fn entry(self) -> &'static (&'static str, Lang, &'static str) {
        // The index is in range by construction; fall back to the first entry rather than panic.
        TABLE.get(self.index()).unwrap_or(&TABLE[0])
    }

    fn from_whatlang(lang: Lang) -> Option<Self> {
        let i = lang as usize;
        match TABLE.get(i) {
            Some((_, l, _)) if *l == lang => Self::from_index(i),
            _ => TABLE
                .iter()
                .position(|(_, l, _)| *l == lang)
                .and_then(Self::from_index),
        }
    }

    /// The language with this ISO 639-1 code (ASCII case-insensitive), if the detector knows it.
    pub fn from_code(code: &str) -> Option<Self> {
        TABLE
            .iter()
            .position(|(c, _, _)| c.eq_ignore_ascii_case(code))
            .and_then(Self::from_index)
    }

    /// The ISO 639-1 code, lower case.
    pub fn code(self) -> &'static str {
        self.entry().0
    }

    /// The English name.
    pub fn name(self) -> &'static str {
        self.entry().2
    }

    /// Every language the detector knows (70), in a fixed order.
    pub fn all() -> impl Iterator<Item = Language> {
        (0..TABLE.len()).filter_map(Self::from_index)
    }
}

impl fmt::Debug for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = LanguageError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s).ok_or_else(|| LanguageError::UnknownCode(s.to_owned()))
    }
}

impl Serialize for Language {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Language::from_code(&code)
            .ok_or_else(|| serde::de::Error::custom(LanguageError::UnknownCode(code.into())))
    }
}

/// A set of [`Language`]s: a bit set, `Copy`, no allocation.
///
/// ```
/// use vigil::lang::{Language, LanguageSet};
///
/// let set: LanguageSet = ["en", "nl", "zz"].iter().filter_map(|c| Language::from_code(c)).collect();
/// assert_eq!(set.len(), 2);
/// assert!(set.contains(Language::from_code("nl").unwrap()));
/// assert_eq!(set.iter().map(|l| l.code()).collect::<Vec<_>>(), ["en", "nl"]);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LanguageSet(u128);

impl LanguageSet {
    /// The empty set.
    pub const fn new() -> Self {
        LanguageSet(0)
    }

    /// Adds a language; returns whether it was new.
    pub fn insert(&mut self, lang: Language) -> bool {
        let bit = 1u128 << lang.index();
        let new = self.0 & bit == 0;
        self.0 |= bit;
        new
    }

    /// Whether the set holds the language.
    pub fn contains(&self, lang: Language) -> bool {
        self.0 & (1u128 << lang.index()) != 0
    }

    /// How many languages the set holds.
    pub fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The languages in either set.
    pub fn union(self, other: LanguageSet) -> LanguageSet {
        LanguageSet(self.0 | other.0)
    }

    /// Whether the sets share a language.
    pub fn intersects(&self, other: LanguageSet) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether every language of `other` is in this set.
    pub fn is_superset(&self, other: LanguageSet) -> bool {
        other.0 & !self.0 == 0
    }

    /// The languages, in the order of [`Language::all`].
    pub fn iter(&self) -> impl Iterator<Item = Language> + '_ {
        Language::all().filter(|l| self.contains(*l))
    }
}

impl FromIterator<Language> for LanguageSet {
    fn from_iter<I: IntoIterator<Item = Language>>(iter: I) -> Self {
        let mut set = LanguageSet::new();
        for l in iter {
            set.insert(l);
        }
        set
    }
}

impl fmt::Debug for LanguageSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Thresholds of language identification and of the per-conversation estimate: a `[language]`
/// table of a policy. Every field has a default (measured on the corpus, `docs/language-id.md`)
/// and unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LanguageOptions {
    /// A text with fewer letters (alphabetic characters) than this in its analysed part says too
    /// little: no guess. Default 8: below it the detector is right on fewer than half the corpus
    /// messages.
    pub min_letters: u32,
    /// Only the first `max_bytes` bytes of a text are analysed (cut at a character boundary), which
    /// bounds the cost of a long message. Default 256.
    pub max_bytes: u32,
    /// A guess with at least this confidence is marked reliable ([`Guess::reliable`]). Default
    /// 0.5: 99% of such guesses were right on the corpus.
    pub reliable_confidence: f32,
    /// How much of the estimate's memory one fully confident message replaces, in (0, 1]; a guess
    /// of confidence `c` replaces `message_weight × c`. Default 0.3: after a switch of language,
    /// the new language is plausible after one confident message, and the old one stops being
    /// plausible after about seven (with the default `plausible_share`).
    pub message_weight: f32,
    /// Evidence (the decayed sum of guess confidences, in fully-confident-message units, below
    /// `1 / message_weight`) a conversation needs before its estimate narrows the packs; less than
    /// `1 / message_weight`, else it is never reached. Default 1.0: one fully confident message,
    /// or several less confident ones.
    pub min_evidence: f32,
    /// A language holding at least this share of a conversation's evidence is plausible for it.
    /// If the languages the estimate keeps hold less than `1 - plausible_share` of the evidence,
    /// the estimate is too spread out and every pack applies. Default 0.1: after a switch, the
    /// old language stays plausible for about seven messages.
    pub plausible_share: f32,
    /// A tracker identifies the messages of a conversation while its evidence is below this
    /// (it is still learning the conversation's languages); afterwards only a message where a
    /// pack outside the conversation's languages matched is identified, which keeps the cost of
    /// identification (about ten times that of matching) off most messages. At least
    /// `min_evidence`, below `1 / message_weight`. Default 2.0: a few messages of ordinary chat.
    pub learn_until: f32,
}

impl Default for LanguageOptions {
    fn default() -> Self {
        LanguageOptions {
            min_letters: 8,
            max_bytes: 256,
            reliable_confidence: 0.5,
            message_weight: 0.3,
            min_evidence: 1.0,
            plausible_share: 0.1,
            learn_until: 2.0,
        }
    }
}

impl LanguageOptions {
    /// Checks every field's range.
    ///
    /// ```
    /// use vigil::lang::LanguageOptions;
    ///
    /// assert!(LanguageOptions::default().validate().is_ok());
    /// let bad = LanguageOptions { message_weight: 0.0, ..Default::default() };
    /// assert!(bad.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), LanguageError> {
        fn check(field: &'static str, v: f32, ok: bool, expected: &'static str) -> Result<(), LanguageError> {
            if v.is_finite() && ok {
                Ok(())
            } else {
                Err(LanguageError::OutOfRange {
                    field,
                    value: f64::from(v),
                    expected,
                })
            }
        }
        if self.max_bytes == 0 {
            return Err(LanguageError::OutOfRange {
                field: "max_bytes",
                value: 0.0,
                expected: "at least 1",
            });
        }
        let v = self.reliable_confidence;
        check(
            "reliable_confidence",
            v,
            (0.0..=1.0).contains(&v),
            "between 0 and 1",
        )?;
        let v = self.message_weight;
        check(
            "message_weight",
            v,
            v > 0.0 && v <= 1.0,
            "greater than 0, at most 1",
        )?;
        let v = self.min_evidence;
        check(
            "min_evidence",
            v,
            v >= 0.0 && v * self.message_weight < 1.0,
            "at least 0 and less than 1 / message_weight",
        )?;
        let v = self.learn_until;
        check(
            "learn_until",
            v,
            v >= self.min_evidence && v * self.message_weight < 1.0,
            "at least min_evidence and less than 1 / message_weight",
        )?;
        let v = self.plausible_share;
        check(
            "plausible_share",
            v,
            v > 0.0 && v <= 1.0,
            "greater than 0, at most 1",
        )?;
        Ok(())
    }
}

/// The language guessed for one text.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Guess {
    language: Language,
    confidence: f32,
    reliable: bool,
}

impl Guess {
    /// A guess (for tests and replays); the confidence is clamped to [0, 1] (not a number → 0).
    pub fn new(language: Language, confidence: f32, reliable: bool) -> Self {
        Guess {
            language,
            confidence: clamp01(confidence),
            reliable,
        }
    }

    /// The most likely of the detector's languages.
    pub fn language(&self) -> Language {
        self.language
    }

    /// How far ahead of the runner-up the language is, in [0, 1] (whatlang's confidence: 1 when
    /// clearly ahead for the text's length, near 0 for a near tie).
    pub fn confidence(&self) -> f32 {
        self.confidence
    }

    /// Whether the confidence reached [`LanguageOptions::reliable_confidence`].
    pub fn reliable(&self) -> bool {
        self.reliable
    }
}

fn clamp01(x: f32) -> f32 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, 1.0)
    }
}

/// Identifies the language of a text among a fixed set of languages (a policy's).
///
/// Built once (cheap: no models to load); `Send + Sync`. Restricting detection to the policy's
/// languages makes it both faster and more accurate on short chat lines than detecting among all
/// 70 (`docs/language-id.md`). A text in another language is guessed as the nearest of the set,
/// usually with a low confidence.
///
/// With fewer than two known languages there is nothing to tell apart: [`detect`](Self::detect)
/// returns `None` at no cost, so every pack applies.
///
/// ```
/// use vigil::lang::{LanguageDetector, LanguageOptions};
///
/// let d = LanguageDetector::new(["en", "de", "nl", "tlh"], LanguageOptions::default()).unwrap();
/// assert_eq!(d.languages().len(), 3); // "tlh" is unknown and ignored
/// let g = d.detect("wie spät ist es bei dir gerade?").unwrap();
/// assert_eq!(g.language().code(), "de");
/// assert!(d.detect("ok 👍").is_none());
/// ```
#[derive(Debug, Clone)]
pub struct LanguageDetector {
    detector: Option<whatlang::Detector>,
    languages: LanguageSet,
    options: LanguageOptions,
}

impl LanguageDetector {
    /// A detector for the languages with these ISO 639-1 codes; codes it does not know are
    /// ignored (see [`languages`](Self::languages)). Fails only if the options are out of range.
    pub fn new<I, S>(codes: I, options: LanguageOptions) -> Result<Self, LanguageError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        options.validate()?;
        let languages: LanguageSet = codes
            .into_iter()
            .filter_map(|c| Language::from_code(c.as_ref()))
            .collect();
        let detector = (languages.len() >= 2)
            .then(|| whatlang::Detector::with_allowlist(languages.iter().map(|l| l.entry().1).collect()));
        Ok(LanguageDetector {
            detector,
            languages,
            options,
        })
    }

    /// The languages the detector chooses among (the known ones among those it was built with).
    pub fn languages(&self) -> LanguageSet {
        self.languages
    }

    /// The options it was built with.
    pub fn options(&self) -> &LanguageOptions {
        &self.options
    }

    /// The most likely language of `text` among the detector's, or `None` when the text says too
    /// little (fewer than [`LanguageOptions::min_letters`] letters in its first
    /// [`LanguageOptions::max_bytes`] bytes), is in a script none of the languages uses, or the
    /// detector has fewer than two languages.
    ///
    /// Never panics. Costs about 13 µs for a chat line on the reference machine, bounded by
    /// `max_bytes`; whatlang allocates a few small buffers per call (a lower-cased copy of the
    /// analysed part, a trigram map, a score list), this function nothing more.
    pub fn detect(&self, text: &str) -> Option<Guess> {
        let detector = self.detector.as_ref()?;
        let text = prefix(text, self.options.max_bytes as usize);
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        if letters < self.options.min_letters as usize {
            return None;
        }
        let info = detector.detect(text)?;
        // whatlang answers a script used by one language only (Greek, Hangul, …) with that
        // language whatever the allowlist: not one of ours, so no guess.
        let language = Language::from_whatlang(info.lang()).filter(|l| self.languages.contains(*l))?;
        let confidence = clamp01(info.confidence() as f32);
        Some(Guess {
            language,
            confidence,
            reliable: confidence >= self.options.reliable_confidence,
        })
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1; // stops at 0 at the latest, a boundary
    }
    &text[..end]
}

/// How many languages an estimate keeps. Evidence for a fifth language replaces the weakest kept
/// one, whose weight still counts in the total (so the others' shares do not grow from it).
const SLOTS: usize = 4;

/// Which packs apply to a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageScope {
    /// Every pack: the language is unknown or uncertain.
    All,
    /// The packs of these languages (and the language-neutral core, which always applies).
    Only(LanguageSet),
}

impl LanguageScope {
    /// Whether the pack of `lang` applies.
    pub fn includes(&self, lang: Language) -> bool {
        match self {
            LanguageScope::All => true,
            LanguageScope::Only(set) => set.contains(lang),
        }
    }
}

/// A running estimate of the languages of one conversation key: confidence-weighted guesses with
/// an exponential memory. `Copy`, 24 bytes, serializable (languages by code), no allocation.
///
/// Each [`update`](Self::update) with a guess of confidence `c` multiplies every weight and the
/// total evidence by `1 - message_weight × c`, then adds `c` to the guessed language and to the
/// evidence. A language's share is its weight over the evidence.
///
/// ```
/// use vigil::lang::{Guess, Language, LanguageEstimate, LanguageOptions};
///
/// let opts = LanguageOptions::default();
/// let (en, fr) = (Language::from_code("en").unwrap(), Language::from_code("fr").unwrap());
/// let mut e = LanguageEstimate::default();
/// assert_eq!(e.plausible(en, &opts), None); // no evidence yet
/// e.update(&Guess::new(en, 1.0, true), &opts);
/// assert_eq!(e.plausible(en, &opts), Some(true));
/// assert_eq!(e.plausible(fr, &opts), Some(false));
/// e.update(&Guess::new(fr, 1.0, true), &opts); // the conversation switches
/// assert_eq!(e.plausible(fr, &opts), Some(true));
/// assert_eq!(e.plausible(en, &opts), Some(true)); // for a few more messages
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EstimateRepr", into = "EstimateRepr")]
pub struct LanguageEstimate {
    langs: [Option<Language>; SLOTS],
    weights: [f32; SLOTS],
    evidence: f32,
}

/// The serialized form of a [`LanguageEstimate`]: the kept languages with their weights, and the
/// total evidence.
#[derive(Serialize, Deserialize)]
struct EstimateRepr {
    langs: Vec<(Language, f32)>,
    evidence: f32,
}

impl From<LanguageEstimate> for EstimateRepr {
    fn from(e: LanguageEstimate) -> Self {
        EstimateRepr {
            langs: e.kept().collect(),
            evidence: e.evidence,
        }
    }
}

impl TryFrom<EstimateRepr> for LanguageEstimate {
    type Error = LanguageError;

    fn try_from(r: EstimateRepr) -> Result<Self, Self::Error> {
        let ok = |w: f32| w.is_finite() && w >= 0.0;
        if !ok(r.evidence) {
            return Err(LanguageError::Estimate("evidence is negative or not finite"));
        }
        if r.langs.len() > SLOTS {
            return Err(LanguageError::Estimate("more languages than an estimate keeps"));
        }
        let mut e = LanguageEstimate {
            evidence: r.evidence,
            ..Default::default()
        };
        for (i, (lang, w)) in r.langs.into_iter().enumerate() {
            if !ok(w) {
                return Err(LanguageError::Estimate("a weight is negative or not finite"));
            }
            if e.langs.contains(&Some(lang)) {
                return Err(LanguageError::Estimate("a language is listed twice"));
            }
            e.langs[i] = Some(lang);
            e.weights[i] = w;
        }
        Ok(e)
    }
}

impl LanguageEstimate {
    /// Adds the evidence of one message's guess (see the type's documentation). A guess of
    /// confidence 0 changes nothing.
    pub fn update(&mut self, guess: &Guess, options: &LanguageOptions) {
        let c = clamp01(guess.confidence);
        if c == 0.0 {
            return;
        }
        let keep = 1.0 - clamp01(options.message_weight) * c;
        for w in &mut self.weights {
            *w *= keep;
        }
        self.evidence = self.evidence * keep + c;
        let slot = match self.langs.iter().position(|l| *l == Some(guess.language)) {
            Some(i) => i,
            None => {
                // An empty slot, else the weakest kept language.
                let i = match self.langs.iter().position(Option::is_none) {
                    Some(i) => i,
                    None => (0..SLOTS).fold(0, |m, i| if self.weights[i] < self.weights[m] { i } else { m }),
                };
                self.langs[i] = Some(guess.language);
                self.weights[i] = 0.0;
                i
            }
        };
        self.weights[slot] += c;
    }

    /// The evidence accumulated so far: the decayed sum of guess confidences, in
    /// fully-confident-message units (at most `1 / message_weight`).
    pub fn evidence(&self) -> f32 {
        self.evidence
    }

    /// The kept languages with their shares of the evidence, strongest first (for display).
    pub fn shares(&self) -> impl Iterator<Item = (Language, f32)> {
        let mut kept: [Option<(Language, f32)>; SLOTS] = [None; SLOTS];
        for (slot, (l, w)) in kept.iter_mut().zip(self.kept()) {
            *slot = Some((l, self.share_of(w)));
        }
        kept.sort_by(|a, b| {
            let (a, b) = (a.map_or(-1.0, |x| x.1), b.map_or(-1.0, |x| x.1));
            b.total_cmp(&a)
        });
        kept.into_iter().flatten()
    }

    /// The strongest language and its share of the evidence, or `None` before any evidence (for
    /// display: it says nothing of whether the evidence suffices).
    pub fn top(&self) -> Option<(Language, f32)> {
        self.shares().next()
    }

    /// The languages plausible for the conversation — each holding at least
    /// [`LanguageOptions::plausible_share`] of the evidence — or `None` when the evidence is
    /// below [`LanguageOptions::min_evidence`] or too spread out (then every pack applies).
    pub fn plausible_set(&self, options: &LanguageOptions) -> Option<LanguageSet> {
        if !(self.evidence > 0.0 && self.evidence >= options.min_evidence) {
            return None;
        }
        let kept: f32 = self.kept().map(|(_, w)| self.share_of(w)).sum();
        if kept < 1.0 - options.plausible_share {
            return None;
        }
        let set: LanguageSet = self
            .kept()
            .filter(|(_, w)| self.share_of(*w) >= options.plausible_share)
            .map(|(l, _)| l)
            .collect();
        (!set.is_empty()).then_some(set)
    }

    /// Whether `lang` is plausible for the conversation; `None` when the estimate cannot tell
    /// yet (see [`plausible_set`](Self::plausible_set)): the caller then applies every pack.
    pub fn plausible(&self, lang: Language, options: &LanguageOptions) -> Option<bool> {
        self.plausible_set(options).map(|s| s.contains(lang))
    }

    /// Which packs apply to a message: [`LanguageScope::All`] while the estimate cannot tell
    /// ([`plausible_set`](Self::plausible_set) is `None`); else the languages plausible for the
    /// conversation plus the message's own language if it was guessed reliably. A message
    /// without a guess (too short), or whose guess is unreliable, takes the conversation's
    /// languages: a short line of chat is often guessed wrong, and a conversation that switches
    /// language shows it in a reliable guess within a message or two. Call after
    /// [`update`](Self::update) with the same guess.
    pub fn scope(&self, guess: Option<&Guess>, options: &LanguageOptions) -> LanguageScope {
        match self.plausible_set(options) {
            None => LanguageScope::All,
            Some(mut set) => {
                if let Some(g) = guess.filter(|g| g.reliable) {
                    set.insert(g.language);
                }
                LanguageScope::Only(set)
            }
        }
    }

    /// The kept languages with their raw weights, and the evidence (for snapshots).
    pub(crate) fn parts(&self) -> (Vec<(Language, f32)>, f32) {
        (self.kept().collect(), self.evidence)
    }

    /// An estimate from [`parts`](Self::parts); refuses values an estimate never holds.
    pub(crate) fn from_parts(langs: Vec<(Language, f32)>, evidence: f32) -> Result<Self, LanguageError> {
        LanguageEstimate::try_from(EstimateRepr { langs, evidence })
    }

    fn kept(&self) -> impl Iterator<Item = (Language, f32)> + '_ {
        self.langs
            .iter()
            .zip(self.weights)
            .filter_map(|(l, w)| l.map(|l| (l, w)))
    }

    fn share_of(&self, w: f32) -> f32 {
        if self.evidence > 0.0 {
            clamp01(w / self.evidence)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const EIGHT: [&str; 8] = ["en", "de", "fr", "es", "it", "nl", "pl", "pt"];

    fn lang(code: &str) -> Language {
        Language::from_code(code).unwrap()
    }

    fn detector() -> LanguageDetector {
        LanguageDetector::new(EIGHT, LanguageOptions::default()).unwrap()
    }

    #[test]
    fn table_follows_whatlang() {
        assert_eq!(Lang::all().len(), TABLE.len());
        for (i, (code, l, _)) in TABLE.iter().enumerate() {
            assert_eq!(*l as usize, i, "{code}");
            assert_eq!(Language::from_whatlang(*l).map(Language::code), Some(*code));
            assert!(
                code.len() == 2 && code.bytes().all(|b| b.is_ascii_lowercase()),
                "{code}"
            );
            assert_eq!(TABLE.iter().filter(|(c, _, _)| c == code).count(), 1, "{code}");
        }
        for l in Lang::all() {
            assert!(Language::from_whatlang(*l).is_some(), "{l:?}");
        }
        assert_eq!(Language::all().count(), 70);
        assert!(TABLE.len() <= 128, "LanguageSet is a u128");
    }

    #[test]
    fn codes() {
        assert_eq!(lang("pt").name(), "Portuguese");
        assert_eq!(Language::from_code("PL"), Some(lang("pl")));
        assert_eq!(Language::from_code(""), None);
        assert_eq!(Language::from_code("eng"), None);
        assert_eq!(
            "xx".parse::<Language>(),
            Err(LanguageError::UnknownCode("xx".into()))
        );
        assert_eq!(format!("{} {:?}", lang("nl"), lang("nl")), "nl nl");
        let json = serde_json::to_string(&lang("fr")).unwrap();
        assert_eq!(json, "\"fr\"");
        assert_eq!(serde_json::from_str::<Language>(&json).unwrap(), lang("fr"));
        assert!(serde_json::from_str::<Language>("\"xx\"").is_err());
    }

    #[test]
    fn sets() {
        let mut s = LanguageSet::new();
        assert!(s.is_empty());
        assert!(s.insert(lang("cy")));
        assert!(!s.insert(lang("cy")));
        assert!(s.insert(lang("eo")));
        assert_eq!(s.len(), 2);
        assert_eq!(format!("{s:?}"), "{eo, cy}");
        assert!(s.contains(lang("cy")) && !s.contains(lang("en")));
        let all: LanguageSet = Language::all().collect();
        assert_eq!(all.len(), 70);
        assert_eq!(all.iter().count(), 70);
    }

    /// Ordinary chat lines: per language, one of 40 to 60 bytes and two shorter ones.
    const SENTENCES: [(&str, [&str; 3]); 8] = [
        (
            "en",
            [
                "we are going to the beach with my family this weekend",
                "do you want to play minecraft tonight",
                "what are you doing after school?",
            ],
        ),
        (
            "de",
            [
                "meine mutter sagt wir können später in den park",
                "hast du heute nach der schule noch zeit?",
                "wie war dein tag heute",
            ],
        ),
        (
            "fr",
            [
                "ma mère dit qu'on peut aller au parc plus tard",
                "tu fais quoi ce soir après les devoirs ?",
                "c'était trop bien hier",
            ],
        ),
        (
            "es",
            [
                "mi hermano y yo vamos a jugar al fútbol mañana",
                "qué haces hoy después del colegio?",
                "mi madre dice que podemos ir",
            ],
        ),
        (
            "it",
            [
                "mia mamma dice che possiamo andare al parco più tardi",
                "cosa fai oggi dopo la scuola?",
                "ci vediamo domani allora",
            ],
        ),
        (
            "nl",
            [
                "mijn moeder zegt dat we straks naar het park mogen",
                "wat ga je vandaag doen na school?",
                "ik heb geen zin in huiswerk",
            ],
        ),
        (
            "pl",
            [
                "mama mówi że możemy później iść do parku",
                "co robisz dzisiaj po szkole?",
                "jutro gramy w piłkę",
            ],
        ),
        (
            "pt",
            [
                "minha mãe disse que podemos ir ao parque mais tarde",
                "o que você vai fazer hoje depois da escola?",
                "amanhã a gente joga de novo",
            ],
        ),
    ];

    #[test]
    fn each_language_is_detected() {
        let d = detector();
        for (code, [long, short @ ..]) in SENTENCES {
            // A line of 40 to 60 bytes: right and reliable.
            let g = d.detect(long).unwrap_or_else(|| panic!("no guess for {long:?}"));
            assert_eq!(g.language().code(), code, "{long:?}: {g:?}");
            assert!(g.reliable(), "{long:?}: {g:?}");
            // Shorter lines may be guessed wrong (docs/language-id.md), but then not reliably.
            for text in short {
                let g = d.detect(text).unwrap_or_else(|| panic!("no guess for {text:?}"));
                assert!((0.0..=1.0).contains(&g.confidence()));
                assert_eq!(g.reliable(), g.confidence() >= 0.5);
                assert!(g.language().code() == code || !g.reliable(), "{text:?}: {g:?}");
            }
        }
    }

    #[test]
    fn short_texts_say_nothing() {
        let d = detector();
        for text in [
            "",
            "ok",
            "lol",
            "?",
            "😀😂👍",
            "ok lol",
            "11",
            "haha ok",
            "👍 ok!!",
            "   \n\t",
            "1234567890",
        ] {
            assert_eq!(d.detect(text), None, "{text:?}");
        }
    }

    #[test]
    fn other_scripts_give_no_guess_outside_the_set() {
        let d = detector();
        for text in [
            "Καλημέρα, τι κάνεις σήμερα;",
            "привет, как у тебя дела сегодня?",
            "今日は学校で何をしましたか",
            "안녕하세요 오늘 뭐 했어요",
            "مرحبا كيف حالك اليوم يا صديقي",
            "שלום מה שלומך היום חבר",
        ] {
            if let Some(g) = d.detect(text) {
                assert!(d.languages().contains(g.language()), "{text:?}: {g:?}");
            }
        }
        assert_eq!(d.detect("Καλημέρα, τι κάνεις σήμερα;"), None);
    }

    #[test]
    fn fewer_than_two_languages_never_guess() {
        for codes in [&[][..], &["en"][..], &["en", "xx"][..]] {
            let d = LanguageDetector::new(codes, LanguageOptions::default()).unwrap();
            assert_eq!(d.detect("hey what are you doing after school today?"), None);
        }
    }

    #[test]
    fn options_cut_and_bound() {
        let strict = LanguageOptions {
            min_letters: 100,
            ..Default::default()
        };
        let d = LanguageDetector::new(EIGHT, strict).unwrap();
        assert_eq!(d.detect(SENTENCES[0].1[0]), None);
        // Only the first bytes count: German first, English after the cut.
        let opts = LanguageOptions {
            max_bytes: 48,
            ..Default::default()
        };
        let d = LanguageDetector::new(EIGHT, opts).unwrap();
        let text = format!(
            "{} {}",
            SENTENCES[1].1[0],
            "what are you doing after school today? ".repeat(50)
        );
        assert_eq!(d.detect(&text).map(|g| g.language().code()), Some("de"));
        assert_eq!(prefix("añb", 2), "a");
        assert_eq!(prefix("añb", 3), "añ");
        assert_eq!(prefix("😀", 3), "");
        assert_eq!(prefix("abc", 10), "abc");
    }

    #[test]
    fn options_from_a_table() {
        let o: LanguageOptions = toml::from_str("min_letters = 5\nplausible_share = 0.1").unwrap();
        assert_eq!(o.min_letters, 5);
        assert_eq!(o.plausible_share, 0.1);
        assert_eq!(o.message_weight, LanguageOptions::default().message_weight);
        assert!(toml::from_str::<LanguageOptions>("min_leters = 5").is_err());
        for bad in [
            "message_weight = 0.0",
            "message_weight = 1.5",
            "plausible_share = 0.0",
            "reliable_confidence = -0.1",
            "min_evidence = -1.0",
            "max_bytes = 0",
            "min_evidence = nan",
            "min_evidence = 4.0",
        ] {
            let o: LanguageOptions = toml::from_str(bad).unwrap();
            assert!(o.validate().is_err(), "{bad}");
            assert!(LanguageDetector::new(EIGHT, o).is_err(), "{bad}");
        }
        let e = LanguageOptions {
            message_weight: 2.0,
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "language option `message_weight` is 2, expected greater than 0, at most 1"
        );
    }

    #[test]
    fn estimate_needs_evidence() {
        let opts = LanguageOptions::default();
        let mut e = LanguageEstimate::default();
        assert_eq!(e.plausible(lang("en"), &opts), None);
        assert_eq!(e.top(), None);
        assert_eq!(e.scope(None, &opts), LanguageScope::All);
        // Weak guesses add up before the estimate narrows anything.
        e.update(&Guess::new(lang("en"), 0.4, false), &opts);
        assert_eq!(e.plausible(lang("en"), &opts), None);
        assert_eq!(e.top().map(|(l, _)| l), Some(lang("en")));
        e.update(&Guess::new(lang("en"), 0.0, false), &opts); // says nothing
        assert_eq!(e.evidence(), 0.4);
        e.update(&Guess::new(lang("en"), 0.4, false), &opts);
        e.update(&Guess::new(lang("en"), 0.4, false), &opts);
        assert_eq!(e.plausible(lang("en"), &opts), Some(true));
        assert_eq!(e.plausible(lang("de"), &opts), Some(false));
        let only = |codes: &[&str]| LanguageScope::Only(codes.iter().map(|c| lang(c)).collect());
        assert_eq!(e.scope(None, &opts), only(&["en"]));
        // A message reliably guessed in another language: that language applies too.
        let g = Guess::new(lang("de"), 0.6, true);
        e.update(&g, &opts);
        assert_eq!(e.scope(Some(&g), &opts), only(&["en", "de"]));
        assert!(e.scope(Some(&g), &opts).includes(lang("de")));
        assert!(!e.scope(Some(&g), &opts).includes(lang("fr")));
        // Unreliably in another language: a short line guessed wrong, the conversation's
        // languages decide.
        let g = Guess::new(lang("fr"), 0.05, false);
        e.update(&g, &opts);
        assert!(!e.scope(Some(&g), &opts).includes(lang("fr")));
        // Unreliably but in a plausible language, or no guess: the conversation's languages.
        let g = Guess::new(lang("en"), 0.05, false);
        assert_eq!(e.scope(Some(&g), &opts), e.scope(None, &opts));
        assert_ne!(e.scope(None, &opts), LanguageScope::All);
    }

    #[test]
    fn estimate_follows_a_switch() {
        let opts = LanguageOptions::default();
        let d = detector();
        let mut e = LanguageEstimate::default();
        let en = [
            "hey what are you doing after school today?",
            "my mom says we can go to the park later",
            "do you want to play minecraft with me tonight",
            "i have to finish my homework first though",
            "that new level was really hard yesterday",
        ];
        let de = [
            "hast du heute nach der schule noch zeit?",
            "meine mutter sagt wir können später in den park",
            "willst du heute abend mit mir minecraft spielen",
            "ich muss aber zuerst meine hausaufgaben machen",
            "das neue level war gestern echt schwer",
            "morgen haben wir zum glück keinen unterricht",
            "wir sehen uns dann später auf dem server",
            "meine schwester will auch mitspielen, ist das okay",
            "gestern haben wir bis zehn uhr gezockt",
            "ich gehe jetzt essen, bis gleich",
        ];
        for t in en {
            e.update(&d.detect(t).unwrap(), &opts);
        }
        assert_eq!(e.plausible_set(&opts), Some([lang("en")].into_iter().collect()));
        let mut de_plausible_after = None;
        let mut en_dropped_after = None;
        for (i, t) in de.iter().enumerate() {
            e.update(&d.detect(t).unwrap(), &opts);
            if de_plausible_after.is_none() && e.plausible(lang("de"), &opts) == Some(true) {
                de_plausible_after = Some(i + 1);
            }
            if en_dropped_after.is_none() && e.plausible(lang("en"), &opts) == Some(false) {
                en_dropped_after = Some(i + 1);
            }
        }
        assert_eq!(de_plausible_after, Some(1));
        assert!(matches!(en_dropped_after, Some(5..=10)), "{en_dropped_after:?}");
        assert_eq!(e.top().map(|(l, _)| l), Some(lang("de")));
    }

    #[test]
    fn spread_out_evidence_falls_back_to_every_pack() {
        let opts = LanguageOptions::default();
        let mut e = LanguageEstimate::default();
        for _ in 0..3 {
            for code in EIGHT {
                e.update(&Guess::new(lang(code), 1.0, true), &opts);
            }
        }
        assert!(e.evidence() >= opts.min_evidence);
        assert_eq!(e.plausible_set(&opts), None);
        assert_eq!(e.scope(None, &opts), LanguageScope::All);
        assert_eq!(e.shares().count(), SLOTS);
        // The four kept are the most recent ones, newest strongest.
        assert_eq!(e.top().map(|(l, _)| l), Some(lang("pt")));
        // A mixed conversation of two languages keeps both plausible.
        let mut e = LanguageEstimate::default();
        for i in 0..20 {
            e.update(
                &Guess::new(lang(if i % 2 == 0 { "nl" } else { "en" }), 0.8, true),
                &opts,
            );
        }
        let set = e.plausible_set(&opts).unwrap();
        assert_eq!(set, [lang("nl"), lang("en")].into_iter().collect());
    }

    #[test]
    fn estimate_is_compact_and_round_trips() {
        assert_eq!(std::mem::size_of::<LanguageEstimate>(), 24);
        let opts = LanguageOptions::default();
        let mut e = LanguageEstimate::default();
        for (code, c) in [("it", 1.0), ("pt", 0.3), ("it", 0.9)] {
            e.update(&Guess::new(lang(code), c, c >= 0.5), &opts);
        }
        let json = serde_json::to_string(&e).unwrap();
        assert!(json.contains("\"it\""), "{json}");
        assert_eq!(serde_json::from_str::<LanguageEstimate>(&json).unwrap(), e);
        let bytes = postcard::to_allocvec(&e).unwrap();
        assert!(bytes.len() <= 20, "{}", bytes.len());
        assert_eq!(postcard::from_bytes::<LanguageEstimate>(&bytes).unwrap(), e);
        let empty = postcard::to_allocvec(&LanguageEstimate::default()).unwrap();
        assert_eq!(
            postcard::from_bytes::<LanguageEstimate>(&empty).unwrap(),
            LanguageEstimate::default()
        );
        for bad in [
            r#"{"langs":[["en",-1.0]],"evidence":1.0}"#,
            r#"{"langs":[["en",0.5],["en",0.5]],"evidence":1.0}"#,
            r#"{"langs":[["xx",0.5]],"evidence":1.0}"#,
            r#"{"langs":[],"evidence":-2.0}"#,
            r#"{"langs":[["en",0.1],["de",0.1],["fr",0.1],["es",0.1],["it",0.1]],"evidence":1.0}"#,
        ] {
            assert!(serde_json::from_str::<LanguageEstimate>(bad).is_err(), "{bad}");
        }
    }

    /// (sender, text) of each message of a conversation.
    type Lines = Vec<(String, String)>;

    /// The corpus conversations (`tests/corpus/*.jsonl`, labelled by file name): (language,
    /// [(sender, text)]), in file order.
    fn corpus() -> Vec<(&'static str, Lines)> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus");
        let mut out: Vec<(&'static str, String, Lines)> = Vec::new();
        for code in EIGHT {
            let doc = std::fs::read_to_string(format!("{dir}/{code}.jsonl")).unwrap();
            for m in crate::jsonl::parse(&doc) {
                let m = m.unwrap();
                match out.last_mut() {
                    Some((_, id, msgs)) if *id == m.conversation_id => msgs.push((m.sender.id, m.text)),
                    _ => out.push((code, m.conversation_id, vec![(m.sender.id, m.text)])),
                }
            }
        }
        out.into_iter().map(|(l, _, m)| (l, m)).collect()
    }

    #[derive(Default)]
    struct Tally {
        messages: usize,
        guessed: usize,
        right: usize,
        reliable: usize,
        reliable_right: usize,
        in_scope: usize,
        all: usize,
        packs: usize,
    }

    impl Tally {
        fn pct(a: usize, b: usize) -> f64 {
            100.0 * a as f64 / b.max(1) as f64
        }
        fn recall(&self) -> f64 {
            self.in_scope as f64 / self.messages.max(1) as f64
        }
        fn row(&self, name: &str) -> String {
            format!(
                "| {name} | {} | {:.1}% | {:.1}% | {:.1}% ({:.1}%) | {:.2}% | {:.1}% | {:.2} |",
                self.messages,
                Self::pct(self.guessed, self.messages),
                Self::pct(self.right, self.guessed),
                Self::pct(self.reliable, self.messages),
                Self::pct(self.reliable_right, self.reliable),
                100.0 * self.recall(),
                Self::pct(self.all, self.messages),
                self.packs as f64 / self.messages.max(1) as f64,
            )
        }
    }

    /// Feeds messages of one key through the detector and estimate, tallying against `truth`.
    fn feed<'a>(
        d: &LanguageDetector,
        opts: &LanguageOptions,
        e: &mut LanguageEstimate,
        msgs: impl Iterator<Item = &'a str>,
        truth: Language,
        t: &mut Tally,
    ) {
        for text in msgs {
            let g = d.detect(text);
            if let Some(g) = &g {
                e.update(g, opts);
            }
            let scope = e.scope(g.as_ref(), opts);
            t.messages += 1;
            if let Some(g) = &g {
                t.guessed += 1;
                t.right += usize::from(g.language() == truth);
                t.reliable += usize::from(g.reliable());
                t.reliable_right += usize::from(g.reliable() && g.language() == truth);
            }
            t.in_scope += usize::from(scope.includes(truth));
            match scope {
                LanguageScope::All => {
                    t.all += 1;
                    t.packs += d.languages().len();
                }
                LanguageScope::Only(s) => t.packs += s.len(),
            }
        }
    }

    /// Per language, per conversation key, and across a switch of language: the figures of
    /// `docs/language-id.md` (print them with `--ignored --nocapture corpus_figures`).
    fn corpus_figures(opts: &LanguageOptions) -> (Vec<String>, Tally, Tally, Tally) {
        let d = LanguageDetector::new(EIGHT, opts.clone()).unwrap();
        let convs = corpus();
        let mut rows = Vec::new();
        let mut total = Tally::default();
        let mut per_sender = Tally::default();
        for code in EIGHT {
            let mut t = Tally::default();
            for (_, msgs) in convs.iter().filter(|(l, _)| *l == code) {
                let mut e = LanguageEstimate::default();
                feed(
                    &d,
                    opts,
                    &mut e,
                    msgs.iter().map(|m| m.1.as_str()),
                    lang(code),
                    &mut t,
                );
                let mut senders: Vec<&str> = msgs.iter().map(|m| m.0.as_str()).collect();
                senders.sort_unstable();
                senders.dedup();
                for s in senders {
                    let mut e = LanguageEstimate::default();
                    let own = msgs.iter().filter(|m| m.0 == s).map(|m| m.1.as_str());
                    feed(&d, opts, &mut e, own, lang(code), &mut per_sender);
                }
            }
            rows.push(t.row(code));
            for (a, b) in [
                (&mut total.messages, t.messages),
                (&mut total.guessed, t.guessed),
                (&mut total.right, t.right),
                (&mut total.reliable, t.reliable),
                (&mut total.reliable_right, t.reliable_right),
                (&mut total.in_scope, t.in_scope),
                (&mut total.all, t.all),
                (&mut total.packs, t.packs),
            ] {
                *a += b;
            }
        }
        // A switch: each conversation followed, on the same key, by the one at the same position
        // in the next language; tallied on the first five messages after the switch.
        let mut switch = Tally::default();
        for (i, code) in EIGHT.iter().enumerate() {
            let next = EIGHT[(i + 1) % EIGHT.len()];
            let a: Vec<_> = convs.iter().filter(|(l, _)| l == code).collect();
            let b: Vec<_> = convs.iter().filter(|(l, _)| *l == next).collect();
            for (x, y) in a.iter().zip(&b) {
                let mut e = LanguageEstimate::default();
                feed(
                    &d,
                    opts,
                    &mut e,
                    x.1.iter().map(|m| m.1.as_str()),
                    lang(code),
                    &mut Tally::default(),
                );
                feed(
                    &d,
                    opts,
                    &mut e,
                    y.1.iter().take(5).map(|m| m.1.as_str()),
                    lang(next),
                    &mut switch,
                );
            }
        }
        (rows, total, per_sender, switch)
    }

    const HEADER: &str = "| messages | n | guessed | right (of guessed) | reliable (right) | true language in scope | all packs | packs in scope |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

    #[test]
    #[ignore]
    fn print_corpus_figures() {
        let opts = LanguageOptions::default();
        let (rows, total, per_sender, switch) = corpus_figures(&opts);
        println!("{HEADER}");
        for r in rows {
            println!("{r}");
        }
        println!("{}", total.row("**all, per conversation**"));
        println!("{}", per_sender.row("all, per sender"));
        println!("{}", switch.row("5 messages after a switch"));
    }

    /// Recall and packs in scope for a few settings around the defaults (`docs/language-id.md`).
    #[test]
    #[ignore]
    fn print_option_sweep() {
        println!("| message_weight | plausible_share | min_evidence | min_letters | recall, conversation | packs | recall, sender | packs | recall, after a switch | packs |");
        println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (message_weight, plausible_share, min_evidence, min_letters) in [
            (0.3, 0.1, 1.0, 8),
            (0.3, 0.2, 1.0, 8),
            (0.3, 0.1, 0.5, 8),
            (0.3, 0.1, 2.0, 8),
            (0.2, 0.1, 1.0, 8),
            (0.5, 0.1, 1.0, 8),
            (0.3, 0.1, 1.0, 5),
            (0.3, 0.1, 1.0, 12),
        ] {
            let o = LanguageOptions {
                message_weight,
                plausible_share,
                min_evidence,
                min_letters,
                ..Default::default()
            };
            let (_, t, p, s) = corpus_figures(&o);
            let packs = |t: &Tally| t.packs as f64 / t.messages as f64;
            println!(
                "| {message_weight} | {plausible_share} | {min_evidence} | {min_letters} | {:.2}% | {:.2} | {:.2}% | {:.2} | {:.2}% | {:.2} |",
                100.0 * t.recall(),
                packs(&t),
                100.0 * p.recall(),
                packs(&p),
                100.0 * s.recall(),
                packs(&s)
            );
        }
    }

    #[test]
    fn corpus_recall_floors() {
        let (_, total, per_sender, switch) = corpus_figures(&LanguageOptions::default());
        // Recall first: the true language's pack applies to nearly every message.
        assert!(total.recall() >= 0.98, "{}", total.row("all"));
        assert!(per_sender.recall() >= 0.98, "{}", per_sender.row("per sender"));
        // After a switch, the new language's pack applies once a message of it is guessed
        // reliably (an unreliable guess keeps the conversation's languages: on real English chat,
        // "I haven't met her in real life." is guessed Dutch at 20% confidence): 90.6% of the
        // first five messages after a switch, against 93.7% when an unreliable guess adds its
        // language too (docs/language-id.md).
        assert!(switch.recall() >= 0.90, "{}", switch.row("switch"));
        // And the scope narrows: fewer than half of the eight packs on average.
        assert!(total.packs < total.messages * 4, "{}", total.row("all"));
    }

    #[test]
    fn detector_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<LanguageDetector>();
        check::<LanguageEstimate>();
    }

    fn any_text() -> impl Strategy<Value = String> {
        let ch = prop_oneof![
            4 => proptest::char::range(' ', '~'),
            2 => proptest::char::range('\u{00C0}', '\u{024F}'),
            1 => proptest::char::range('\u{0370}', '\u{03FF}'),
            1 => proptest::char::range('\u{0400}', '\u{04FF}'),
            1 => proptest::char::range('\u{0590}', '\u{06FF}'),
            1 => proptest::char::range('\u{0900}', '\u{097F}'),
            1 => proptest::char::range('\u{3040}', '\u{30FF}'),
            1 => proptest::char::range('\u{4E00}', '\u{4FFF}'),
            1 => proptest::char::range('\u{AC00}', '\u{ACFF}'),
            1 => proptest::char::range('\u{0300}', '\u{036F}'),
            1 => proptest::char::range('\u{1F600}', '\u{1F64F}'),
            1 => any::<char>(),
        ];
        proptest::collection::vec(ch, 0..400).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #[test]
        fn detect_never_panics(text in any_text(), repeat in 1usize..4) {
            let d = detector();
            let text = text.repeat(repeat);
            if let Some(g) = d.detect(&text) {
                prop_assert!(d.languages().contains(g.language()));
                prop_assert!((0.0..=1.0).contains(&g.confidence()));
            }
        }

        #[test]
        fn estimate_stays_consistent(
            guesses in proptest::collection::vec((0usize..8, any::<f32>()), 0..60),
            weight in 0.01f32..=1.0,
        ) {
            let opts = LanguageOptions { message_weight: weight, ..Default::default() };
            let mut e = LanguageEstimate::default();
            for (i, c) in guesses {
                e.update(&Guess::new(lang(EIGHT[i]), c, false), &opts);
                prop_assert!(e.evidence().is_finite() && e.evidence() >= 0.0);
                prop_assert!(e.evidence() <= 1.0 / weight + 1e-3);
                let total: f32 = e.shares().map(|(_, s)| s).sum();
                prop_assert!(total <= 1.0 + 1e-4, "{total}");
                if let Some(set) = e.plausible_set(&opts) {
                    prop_assert!(!set.is_empty() && set.len() <= SLOTS);
                }
                let bytes = postcard::to_allocvec(&e).unwrap();
                prop_assert_eq!(postcard::from_bytes::<LanguageEstimate>(&bytes).unwrap(), e);
            }
        }

        #[test]
        fn stored_estimates_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(e) = postcard::from_bytes::<LanguageEstimate>(&bytes) {
                let opts = LanguageOptions::default();
                let _ = e.scope(None, &opts);
                let _ = e.top();
            }
        }
    }
}
