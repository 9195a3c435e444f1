//! Unit and property tests for the normalizer. All fixtures are synthetic.

use super::confusables::CONFUSABLES;
use super::*;

use proptest::prelude::*;

fn terms(text: &str) -> String {
    Normalizer::default()
        .normalize(text, Mode::Terms)
        .as_str()
        .to_string()
}

fn patterns(text: &str) -> String {
    Normalizer::default()
        .normalize(text, Mode::Patterns)
        .as_str()
        .to_string()
}

fn with(opts: NormalizeOptions, text: &str, mode: Mode) -> String {
    Normalizer::new(opts).normalize(text, mode).as_str().to_string()
}

/// Normalizes through the full Unicode machinery, without any ASCII shortcut.
fn slow(opts: NormalizeOptions, text: &str, mode: Mode) -> Normalized {
    let mut out = Normalized::new();
    Normalizer::new(opts).normalize_impl(text, mode, &mut out, false);
    out
}

/// The original text that `needle` (which must occur in the normalized text) came from.
fn origin<'t>(text: &'t str, mode: Mode, needle: &str) -> &'t str {
    let norm = Normalizer::default().normalize(text, mode);
    let at = norm
        .as_str()
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {norm:?}"));
    let span = norm.original_span(at..at + needle.len()).unwrap();
    &text[span]
}

fn all_off() -> NormalizeOptions {
    NormalizeOptions {
        nfkc: false,
        case_fold: false,
        strip_diacritics: false,
        confusables: false,
        leetspeak: false,
        strip_invisible: false,
        join_spaced_letters: false,
        collapse_repeats: false,
    }
}

fn options_from(bits: [bool; 8]) -> NormalizeOptions {
    NormalizeOptions {
        nfkc: bits[0],
        case_fold: bits[1],
        strip_diacritics: bits[2],
        confusables: bits[3],
        leetspeak: bits[4],
        strip_invisible: bits[5],
        join_spaced_letters: bits[6],
        collapse_repeats: bits[7],
    }
}

#[test]
fn evasions_normalize_equal() {
    let pairs = [
        ("D0N'7 T E L L", "dont tell"),
        ("d0n't tell", "dont tell"),
        ("don’t tell", "dont tell"),
        ("ѕnар", "snap"),
        ("ＳＮＡＰ", "snap"),
        ("ｓｎａｐ", "snap"),
        ("𝐬𝐧𝐚𝐩", "snap"),
        ("ⓢⓝⓐⓟ", "snap"),
        ("🆂🅽🅰🅿", "snap"),
        ("ꜱɴᴀᴘ", "snap"),
        ("s\u{200B}n\u{200B}a\u{200B}p", "snap"),
        ("s\u{AD}n\u{2060}a\u{FEFF}p", "snap"),
        ("s\u{301}\u{316}n\u{334}a\u{35C}p\u{300}", "snap"),
        ("s.n.a.p", "snap"),
        ("s n a p", "snap"),
        ("s-n-a-p", "snap"),
        ("s_n_a_p", "snap"),
        ("s*n*a*p", "snap"),
        ("s . n . a . p", "snap"),
        ("S N 4 P", "snap"),
        ("$nap", "snap"),
        ("5N4P", "snap"),
        ("pleeeease", "please"),
        ("p l e e a s e", "please"),
        ("pl3eease", "please"),
        ("PLEASE!!!", "please"),
        ("Straße", "strasse"),
        ("café", "cafe"),
        ("cafe\u{301}", "cafe"),
        ("\u{13DA}\u{13AC}\u{13A0}", "\u{ABAA}\u{AB7C}\u{AB70}"), // Cherokee cases agree
        ("ΑΒΕ", "abe"),
        ("ѕеnd а рiс", "send a pic"),
        ("s e n d a p i c", "sendapic"),
    ];
    for (evasion, plain) in pairs {
        assert_eq!(terms(evasion), terms(plain), "{evasion:?} vs {plain:?}");
    }
}

#[test]
fn terms_skeletons() {
    let cases = [
        ("dont tell", "dont tei"),
        ("D0N'7 T E L L", "dont tei"),
        ("snap", "snap"),
        ("please", "piease"),
        ("hello!", "heio"),
        ("hello", "heio"),
        ("i'm 13", "im 13"),
        ("I'M 13!!", "im 13"),
        ("  add   me\n\ton  snap  ", "ad me on snap"),
        ("send 📸 now", "send 📸 now"),
        ("📸📸", "📸 📸"),
        ("wow📸", "wow 📸"),
        ("👍🏽 ok", "👍 ok"),
        ("❤\u{FE0F}", "❤"),
        ("'quoted'", "quoted"),
        ("rock'n'roll", "rocknroi"),
        ("it''s", "it s"),
        ("p@$$", "pas"),
        ("$100", "100"),
        ("1@2", "1 2"),
        ("!nsta", "insta"),
        ("a|b", "aib"),
        ("!!!wow", "iwow"),
        ("wow!!!so", "wow iso"),
        ("$$$money", "smoney"),
        ("p@$$!", "pas"),
        ("sn@pch@t", "snapchat"),
        ("x!@y", "x ay"),
        ("@ $ ! |", ""),
        ("x | y", "x y"),
        ("1000", "1000"),
        ("Hello, World.", "heio worid"),
        ("", ""),
        ("...", ""),
        ("a b", "a b"),
        ("i am a b c", "i am abc"),
        ("s    n    a    p", "s n a p"),
        ("s, n, a, p", "s n a p"),
        ("d 0 n 7", "dont"),
        ("5 5 5 1 2 3 4", "5551234"),
        ("1/2", "1 2"),
        ("½", "1 2"),
        ("ﬁre", "fire"),
        ("ё", "e"),
        ("ÅNGSTRÖM", "angstrom"),
    ];
    for (text, want) in cases {
        assert_eq!(terms(text), want, "{text:?}");
    }
}

#[test]
fn other_scripts_are_kept() {
    for text in [
        "你好 世界",
        "哈哈哈",
        "がっこう",
        "ガッコウ",
        "안녕하세요",
        "สวัสดี",
        "नमस्ते",
        "مرحبا",
        "שלום",
    ] {
        assert_eq!(terms(text), text, "{text:?}");
        assert_eq!(patterns(text), text, "{text:?}");
    }
    // Spaced CJK is not joined, and CJK with a digit is not leetspeak.
    assert_eq!(terms("你 好 吗"), "你 好 吗");
    assert_eq!(terms("第1"), "第1");
    assert_eq!(terms("你好，世界！"), "你好 世界");
}

#[test]
fn patterns_mode() {
    let cases = [
        ("user@mail.com", "user@mail.com"),
        ("+44 7700 900123", "+44 7700 900123"),
        ("Hello, World!\n", "hello, world!\n"),
        ("ＡＢＣ　１２３", "abc 123"),
        ("ѕnар", "snap"),
        ("s\u{200B}nap", "snap"),
        ("café", "cafe"),
        ("Straße", "strasse"),
        ("pleeease d0n't", "pleeease d0n't"),
        ("s n a p", "s n a p"),
        ("bell\u{7}", "bell"),
        ("tab\there", "tab\there"),
    ];
    for (text, want) in cases {
        assert_eq!(patterns(text), want, "{text:?}");
    }
}

/// Inputs that exercise every step, with their all-on skeletons.
const PROBES: &[(&str, &str)] = &[
    ("ｓｎａｐ", "snap"),
    ("SNAP", "snap"),
    ("café", "cafe"),
    ("ѕnар", "snap"),
    ("sn4p", "snap"),
    ("s\u{200B}n\u{200B}a\u{200B}p", "snap"),
    ("s n a p", "snap"),
    ("pleeease", "piease"),
    ("ok", "ok"),
];

#[test]
fn each_option_changes_only_its_step() {
    /// An option's name, how to switch it off, and the probes whose output then changes.
    type Switch = (
        &'static str,
        fn(&mut NormalizeOptions),
        &'static [(&'static str, &'static str)],
    );
    let switches: &[Switch] = &[
        ("nfkc", |o| o.nfkc = false, &[("ｓｎａｐ", "ｓｎａｐ")]),
        ("case_fold", |o| o.case_fold = false, &[("SNAP", "SNAP")]),
        (
            "strip_diacritics",
            |o| o.strip_diacritics = false,
            &[("café", "café")],
        ),
        ("confusables", |o| o.confusables = false, &[("ѕnар", "ѕnар")]),
        (
            "leetspeak",
            |o| o.leetspeak = false,
            &[("sn4p", "sn4p"), ("pleeease", "please")],
        ),
        (
            "strip_invisible",
            |o| o.strip_invisible = false,
            &[("s\u{200B}n\u{200B}a\u{200B}p", "s n a p")],
        ),
        (
            "join_spaced_letters",
            |o| o.join_spaced_letters = false,
            &[("s n a p", "s n a p")],
        ),
        (
            "collapse_repeats",
            |o| o.collapse_repeats = false,
            &[("pleeease", "pieeease")],
        ),
    ];
    for (name, switch_off, changed) in switches {
        let mut opts = NormalizeOptions::default();
        switch_off(&mut opts);
        for (text, all_on) in PROBES {
            let want = changed
                .iter()
                .find(|(t, _)| t == text)
                .map_or(*all_on, |(_, w)| *w);
            assert_eq!(with(opts, text, Mode::Terms), want, "{name} off, {text:?}");
        }
    }
    // Without leetspeak, "l" is not folded to "i" and "tell" collapses to "tel".
    let opts = NormalizeOptions {
        leetspeak: false,
        ..NormalizeOptions::default()
    };
    assert_eq!(with(opts, "tell", Mode::Terms), "tel");
    assert_eq!(with(opts, "pleeease", Mode::Terms), "please");
}

#[test]
fn options_off_in_patterns_mode() {
    let off = |f: fn(&mut NormalizeOptions)| {
        let mut o = NormalizeOptions::default();
        f(&mut o);
        o
    };
    assert_eq!(
        with(off(|o| o.nfkc = false), "ｓｎａｐ", Mode::Patterns),
        "ｓｎａｐ"
    );
    assert_eq!(with(off(|o| o.case_fold = false), "SnAp", Mode::Patterns), "SnAp");
    assert_eq!(
        with(off(|o| o.strip_diacritics = false), "café", Mode::Patterns),
        "café"
    );
    assert_eq!(
        with(off(|o| o.confusables = false), "ѕnар", Mode::Patterns),
        "ѕnар"
    );
    assert_eq!(
        with(off(|o| o.strip_invisible = false), "s\u{200B}nap", Mode::Patterns),
        "s\u{200B}nap"
    );
    // Terms-only options never apply to patterns.
    assert_eq!(
        with(NormalizeOptions::default(), "s n 4 p pleeease", Mode::Patterns),
        "s n 4 p pleeease"
    );
    // Everything off: patterns mode is the identity.
    for text in ["ＳＮＡＰ café ѕnар s\u{200B}n", "a\u{7}b", "x\u{301}\u{FE0F}"] {
        assert_eq!(with(all_off(), text, Mode::Patterns), text);
    }
}

#[test]
fn case_aware_confusables_without_folding() {
    let opts = NormalizeOptions {
        case_fold: false,
        ..NormalizeOptions::default()
    };
    assert_eq!(with(opts, "СНАР", Mode::Patterns), "CHAP");
    assert_eq!(with(opts, "снар", Mode::Patterns), "chap");
    assert_eq!(with(opts, "Ѕnaр", Mode::Patterns), "Snap");
}

#[test]
fn confusable_table_is_sorted_and_maps_to_ascii_letters() {
    for pair in CONFUSABLES.windows(2) {
        assert!(pair[0].0 < pair[1].0, "not sorted at {:?}", pair);
    }
    for &(from, to) in CONFUSABLES {
        assert!(!from.is_ascii(), "{from:?}");
        assert!(to.is_ascii_alphabetic(), "{from:?} -> {to:?}");
        assert_eq!(confusables::confusable(from), to);
    }
    assert_eq!(confusables::confusable('a'), 'a');
    assert_eq!(confusables::confusable('ж'), 'ж');
}

#[test]
fn symbol_table_is_sorted() {
    for pair in tables::SYMBOL_OTHER.windows(2) {
        assert!(pair[0].1 < pair[1].0, "{pair:?}");
    }
    assert!(tables::is_symbol_other('📸'));
    assert!(tables::is_symbol_other('©'));
    assert!(!tables::is_symbol_other('a'));
    assert!(!tables::is_symbol_other('é'));
}

#[test]
fn spans_of_evasions() {
    let text = "pls d0n'7 t e l l ur mum";
    assert_eq!(terms(text), "pis dont tei ur mum");
    assert_eq!(origin(text, Mode::Terms, "dont tei"), "d0n'7 t e l l");
    assert_eq!(origin(text, Mode::Terms, "tei"), "t e l l");
    assert_eq!(origin(text, Mode::Terms, "dont"), "d0n'7");
    assert_eq!(origin(text, Mode::Terms, "mum"), "mum");

    // A combining mark belongs to its base character's segment.
    let text = "cafe\u{301} ok";
    let norm = Normalizer::default().normalize(text, Mode::Terms);
    assert_eq!(norm.as_str(), "cafe ok");
    assert_eq!(norm.original_span(3..4), Some(3..6));
    assert_eq!(norm.original_span(0..4), Some(0..6));

    // Collapsed letters map to the whole run.
    assert_eq!(origin("say pleeeease now", Mode::Terms, "piease"), "pleeeease");
    assert_eq!(origin("say pleeeease now", Mode::Terms, "e"), "eeee");
    // Fullwidth, confusables, invisible characters.
    assert_eq!(origin("add me on ｓｎａｐ", Mode::Terms, "snap"), "ｓｎａｐ");
    assert_eq!(origin("add me on ѕnар!", Mode::Patterns, "snap"), "ѕnар");
    assert_eq!(
        origin("x s\u{200B}n\u{200B}a\u{200B}p x", Mode::Terms, "snap"),
        "s\u{200B}n\u{200B}a\u{200B}p"
    );
    // "ß" becomes two characters that both map to it.
    assert_eq!(origin("Straße", Mode::Patterns, "ss"), "ß");
    assert_eq!(origin("Straße", Mode::Patterns, "s"), "S");
    // The space between two words maps to what lay between them.
    assert_eq!(origin("a,  b", Mode::Terms, " "), ",  ");
    assert_eq!(origin("📸📸", Mode::Terms, " "), "📸📸");
}

#[test]
fn original_span_rejects_bad_ranges() {
    let norm = Normalizer::default().normalize("añb ｘ", Mode::Patterns);
    assert_eq!(norm.as_str(), "anb x");
    assert_eq!(norm.original_span(0..0), None);
    assert_eq!(norm.original_span(Range { start: 2, end: 1 }), None);
    assert_eq!(norm.original_span(0..6), None);
    assert_eq!(norm.original_span(9..12), None);
    assert_eq!(norm.original_span(usize::MAX - 1..usize::MAX), None);
    assert_eq!(norm.original_span(4..5), Some(5..8));
    let norm = Normalizer::default().normalize("ж", Mode::Patterns);
    assert_eq!(norm.original_span(0..1), None);
    assert_eq!(norm.original_span(0..2), Some(0..2));
    assert_eq!(Normalized::new().original_span(0..1), None);
}

#[test]
fn fast_path_matches_slow_path() {
    for bits in 0u32..256 {
        let opts = options_from(core::array::from_fn(|i| bits & (1 << i) != 0));
        for text in [
            "D0N'7 T E L L!",
            "user@mail.com",
            "a\u{7}b\u{0}c\td\r\ne",
            "  s.n-a_p  ",
            "1@2 p@$$ !x |y",
        ] {
            for mode in [Mode::Terms, Mode::Patterns] {
                let fast = Normalizer::new(opts).normalize(text, mode);
                let slow = slow(opts, text, mode);
                assert_eq!(fast.as_str(), slow.as_str(), "{opts:?} {text:?}");
                assert_eq!(fast.starts, slow.starts);
                assert_eq!(fast.ends, slow.ends);
            }
        }
    }
}

#[test]
fn buffers_are_reused() {
    let normalizer = Normalizer::default();
    let mut out = Normalized::new();
    let text = "pls d0n'7 t e l l ur mum 📸 ѕnар café";
    for mode in [Mode::Terms, Mode::Patterns] {
        normalizer.normalize_into(text, mode, &mut out);
    }
    let caps = |o: &Normalized| {
        [
            o.text.capacity(),
            o.starts.capacity(),
            o.ends.capacity(),
            o.items.capacity(),
            o.tchars.capacity(),
        ]
    };
    let before = caps(&out);
    let ptr = out.text.as_ptr();
    for _ in 0..3 {
        for mode in [Mode::Terms, Mode::Patterns] {
            normalizer.normalize_into(text, mode, &mut out);
        }
    }
    assert_eq!(caps(&out), before);
    assert_eq!(out.text.as_ptr(), ptr);
    assert_eq!(out.as_str(), patterns(text));
}

#[test]
fn large_and_degenerate_inputs() {
    let normalizer = Normalizer::default();
    let big = "d0n'7 t e l l 📸 ѕnар ".repeat(20_000);
    let norm = normalizer.normalize(&big, Mode::Terms);
    assert!(norm.as_str().starts_with("dont tei 📸 snap dont"));
    assert_eq!(norm.original_span(0..norm.len()), Some(0..big.len() - 1));
    // Thousands of combining marks on one base character.
    let zalgo = format!("a{}b", "\u{301}\u{FE0F}\u{200D}".repeat(5_000));
    assert_eq!(normalizer.normalize(&zalgo, Mode::Terms).as_str(), "ab");
    // Marks without a base, lone invisible characters, lone separators.
    for text in [
        "\u{301}",
        "\u{301}a",
        "\u{200B}",
        "\u{FE0F}\u{301}",
        "'",
        "@",
        "!",
        "$$$",
        "''a''",
    ] {
        for opts in [NormalizeOptions::default(), all_off()] {
            for mode in [Mode::Terms, Mode::Patterns] {
                let norm = Normalizer::new(opts).normalize(text, mode);
                if mode == Mode::Terms {
                    assert!(
                        !norm.as_str().starts_with(' ') && !norm.as_str().ends_with(' '),
                        "{text:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn options_deserialize_with_defaults() {
    use serde::de::value::{Error, MapDeserializer};
    use serde::Deserialize;

    let fields = vec![("leetspeak", false), ("collapse_repeats", false)];
    let opts = NormalizeOptions::deserialize(MapDeserializer::<_, Error>::new(fields.into_iter())).unwrap();
    assert_eq!(
        opts,
        NormalizeOptions {
            leetspeak: false,
            collapse_repeats: false,
            ..NormalizeOptions::default()
        }
    );
    let empty: Vec<(&str, bool)> = vec![];
    let opts = NormalizeOptions::deserialize(MapDeserializer::<_, Error>::new(empty.into_iter())).unwrap();
    assert_eq!(opts, NormalizeOptions::default());
    let unknown = vec![("leet", false)];
    assert!(NormalizeOptions::deserialize(MapDeserializer::<_, Error>::new(unknown.into_iter())).is_err());
    assert_eq!(Normalizer::new(opts).options(), NormalizeOptions::default());
}

/// Characters that exercise every step.
fn interesting_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range(' ', '~'),
        2 => prop::sample::select(vec![' ', '.', '-', '_', '*', '\'', '’', '@', '$', '!', '|', '\n', '\t']),
        2 => proptest::char::range('\u{0400}', '\u{04FF}'),
        2 => proptest::char::range('\u{0300}', '\u{036F}'),
        1 => prop::sample::select(vec![
            '\u{200B}', '\u{200C}', '\u{200D}', '\u{FEFF}', '\u{AD}', '\u{34F}', '\u{FE0F}', '\u{E0041}',
            '\u{1F3FD}', '\u{7}', '\u{0}',
        ]),
        1 => prop::sample::select(vec!['📸', '👍', '❤', '🅰', '🇬', '©', '½', 'ﬁ', 'ß', 'İ', 'ŉ', 'ǅ', 'ΐ', '\u{1F82}']),
        1 => proptest::char::range('\u{FF01}', '\u{FF5E}'),
        1 => proptest::char::range('\u{4E00}', '\u{4E40}'),
        1 => proptest::char::range('\u{AC00}', '\u{AC40}'),
        1 => proptest::char::range('\u{0E00}', '\u{0E5F}'),
        1 => proptest::char::range('\u{1D400}', '\u{1D4FF}'),
        1 => any::<char>(),
    ]
}

fn interesting_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(interesting_char(), 0..max).prop_map(String::from_iter)
}

/// Checks `original_span` on every char-aligned, non-empty range of the output.
fn check_spans(text: &str, norm: &Normalized) -> Result<(), TestCaseError> {
    let out = norm.as_str();
    let bounds: Vec<usize> = out.char_indices().map(|(i, _)| i).chain([out.len()]).collect();
    for (ai, &a) in bounds.iter().enumerate() {
        for &b in &bounds[ai + 1..] {
            let span = norm.original_span(a..b);
            prop_assert!(span.is_some(), "no span for {a}..{b} of {out:?}");
            let span = span.unwrap();
            prop_assert!(span.start < span.end, "empty span {span:?} for {a}..{b}");
            prop_assert!(span.end <= text.len());
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            // Wider ranges map to wider spans.
            if let Some(inner) = norm.original_span(a..bounds[ai + 1]) {
                prop_assert!(span.start <= inner.start && inner.end <= span.end);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_and_spans_are_valid(text in interesting_string(24), bits in any::<[bool; 8]>()) {
        let normalizer = Normalizer::new(options_from(bits));
        for mode in [Mode::Terms, Mode::Patterns] {
            let norm = normalizer.normalize(&text, mode);
            check_spans(&text, &norm)?;
            prop_assert_eq!(norm.starts.len(), norm.len());
            prop_assert_eq!(norm.ends.len(), norm.len());
            if mode == Mode::Terms {
                let out = norm.as_str();
                prop_assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "), "{:?}", out);
            }
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>(), bits in any::<[bool; 8]>()) {
        let normalizer = Normalizer::new(options_from(bits));
        for mode in [Mode::Terms, Mode::Patterns] {
            let norm = normalizer.normalize(&text, mode);
            check_spans(&text, &norm)?;
        }
    }

    #[test]
    fn ascii_fast_path_equals_slow_path(text in "[ -~\\t\\n\\x00-\\x1f\\x7f]{0,40}", bits in any::<[bool; 8]>()) {
        let opts = options_from(bits);
        for mode in [Mode::Terms, Mode::Patterns] {
            let fast = Normalizer::new(opts).normalize(&text, mode);
            let slow = slow(opts, &text, mode);
            prop_assert_eq!(fast.as_str(), slow.as_str());
            prop_assert_eq!(&fast.starts, &slow.starts);
            prop_assert_eq!(&fast.ends, &slow.ends);
        }
    }

    #[test]
    fn ascii_shortcuts_equal_slow_path_on_mixed_text(text in interesting_string(32), bits in any::<[bool; 8]>()) {
        let opts = options_from(bits);
        for mode in [Mode::Terms, Mode::Patterns] {
            let fast = Normalizer::new(opts).normalize(&text, mode);
            let slow = slow(opts, &text, mode);
            prop_assert_eq!(fast.as_str(), slow.as_str());
            prop_assert_eq!(&fast.starts, &slow.starts);
            prop_assert_eq!(&fast.ends, &slow.ends);
        }
    }

    #[test]
    fn terms_of_plain_ascii_words_are_lowercase_words(words in prop::collection::vec("[a-zA-Z]{2,8}", 0..8)) {
        let text = words.join(" ");
        let out = terms(&text);
        prop_assert_eq!(out.split(' ').filter(|w| !w.is_empty()).count(), words.len());
        prop_assert!(out.bytes().all(|b| b == b' ' || b.is_ascii_lowercase()));
    }
}

#[test]
fn latin_table_equals_the_steps() {
    // Every character the table could cover and a margin around it, under every set of
    // options: the shortcut gives exactly what the steps give, offsets included.
    for bits in 0u32..256 {
        let flags: [bool; 8] = core::array::from_fn(|k| bits & (1 << k) != 0);
        let norm = Normalizer::new(options_from(flags));
        for cp in 0x80u32..0x300 {
            let Some(c) = char::from_u32(cp) else { continue };
            let text = format!("a{c}");
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            norm.segment(&text, 1, text.len(), &mut fast, true);
            norm.segment(&text, 1, text.len(), &mut slow, false);
            let fast: Vec<_> = fast.iter().map(|it| (it.ch, it.start, it.end)).collect();
            let slow: Vec<_> = slow.iter().map(|it| (it.ch, it.start, it.end)).collect();
            assert_eq!(fast, slow, "U+{cp:04X} under {:?}", norm.options());
        }
    }
    assert_eq!(super::latin::LATIN.len(), 0x250 - 0xA0);
    assert_eq!(Normalizer::default().latin_shortcut('\u{E9}'), Some(&['e'][..]));
    assert_eq!(
        Normalizer::default().latin_shortcut('\u{DF}'),
        Some(&['s', 's'][..])
    );
    assert_eq!(Normalizer::default().latin_shortcut('\u{AD}'), None);
    assert_eq!(Normalizer::new(all_off()).latin_shortcut('\u{E9}'), None);
}
