//! Static character tables used by the normalizer.
//!
//! Everything here is a pure function of a `char`: no allocation, no panics.

/// Returns true for characters that render as nothing (or nearly nothing) and are
/// commonly inserted to break up words: zero-width spaces and joiners, bidi controls,
/// the soft hyphen, the combining grapheme joiner, variation selectors, tag characters,
/// emoji skin-tone modifiers, Hangul fillers and C0/C1 control characters.
///
/// The whitespace controls (tab, line feed, vertical tab, form feed, carriage return
/// and next line) are *not* invisible: they separate words and are kept as whitespace.
pub(super) fn is_invisible(c: char) -> bool {
    if c.is_ascii() {
        return is_ascii_invisible(c as u8);
    }
    // Latin-1 letters and the rest below U+034F: only the C1 controls and the soft hyphen.
    if c < '\u{34F}' {
        return matches!(c, '\u{80}'..='\u{84}' | '\u{86}'..='\u{9F}' | '\u{AD}');
    }
    matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{E}'..='\u{1F}'
            | '\u{7F}'..='\u{84}'
            | '\u{86}'..='\u{9F}'
            | '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{1F3FB}'..='\u{1F3FF}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// The ASCII subset of [`is_invisible`], on a byte.
#[inline]
pub(super) fn is_ascii_invisible(b: u8) -> bool {
    (b < 0x20 && !(0x09..=0x0D).contains(&b)) || b == 0x7F
}

/// Returns true for combining marks that are optional diacritics and are removed by
/// diacritic stripping: the generic combining diacritical mark blocks (used by Latin,
/// Greek and Cyrillic, and by "Zalgo" text), Cyrillic titlo marks, Hebrew points and
/// Arabic harakat.
///
/// Marks that are an essential part of a script's letters (Devanagari or Thai vowel
/// signs, the Japanese voicing marks, ...) are not listed and are kept. The combining
/// grapheme joiner (U+034F) is not listed either: it is an invisible character.
pub(super) fn is_strippable_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{034E}'
            | '\u{0350}'..='\u{036F}'
            | '\u{0483}'..='\u{0489}'
            | '\u{0591}'..='\u{05BD}'
            | '\u{05BF}'
            | '\u{05C1}'
            | '\u{05C2}'
            | '\u{05C4}'
            | '\u{05C5}'
            | '\u{05C7}'
            | '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'
            | '\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

/// Returns true for characters of General Category `So` (Symbol, other), which
/// includes most emoji, plus every still unassigned code point of the emoji blocks
/// (U+1F000..=U+1FAFF) so that emoji newer than the table are treated alike.
pub(super) fn is_symbol_other(c: char) -> bool {
    if c.is_ascii() {
        return false;
    }
    SYMBOL_OTHER
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                core::cmp::Ordering::Less
            } else if lo > c {
                core::cmp::Ordering::Greater
            } else {
                core::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Sorted, non-overlapping inclusive ranges of General Category `So` (Unicode 14.0),
/// with the unassigned code points of U+1F000..=U+1FAFF added.
#[rustfmt::skip]
pub(super) static SYMBOL_OTHER: &[(char, char)] = &[
    ('\u{00A6}', '\u{00A6}'),
    ('\u{00A9}', '\u{00A9}'),
    ('\u{00AE}', '\u{00AE}'),
    ('\u{00B0}', '\u{00B0}'),
    ('\u{0482}', '\u{0482}'),
    ('\u{058D}', '\u{058E}'),
    ('\u{060E}', '\u{060F}'),
    ('\u{06DE}', '\u{06DE}'),
    ('\u{06E9}', '\u{06E9}'),
    ('\u{06FD}', '\u{06FE}'),
    ('\u{07F6}', '\u{07F6}'),
    ('\u{09FA}', '\u{09FA}'),
    ('\u{0B70}', '\u{0B70}'),
    ('\u{0BF3}', '\u{0BF8}'),
    ('\u{0BFA}', '\u{0BFA}'),
    ('\u{0C7F}', '\u{0C7F}'),
    ('\u{0D4F}', '\u{0D4F}'),
    ('\u{0D79}', '\u{0D79}'),
    ('\u{0F01}', '\u{0F03}'),
    ('\u{0F13}', '\u{0F13}'),
    ('\u{0F15}', '\u{0F17}'),
    ('\u{0F1A}', '\u{0F1F}'),
    ('\u{0F34}', '\u{0F34}'),
    ('\u{0F36}', '\u{0F36}'),
    ('\u{0F38}', '\u{0F38}'),
    ('\u{0FBE}', '\u{0FC5}'),
    ('\u{0FC7}', '\u{0FCC}'),
    ('\u{0FCE}', '\u{0FCF}'),
    ('\u{0FD5}', '\u{0FD8}'),
    ('\u{109E}', '\u{109F}'),
    ('\u{1390}', '\u{1399}'),
    ('\u{166D}', '\u{166D}'),
    ('\u{1940}', '\u{1940}'),
    ('\u{19DE}', '\u{19FF}'),
    ('\u{1B61}', '\u{1B6A}'),
    ('\u{1B74}', '\u{1B7C}'),
    ('\u{2100}', '\u{2101}'),
    ('\u{2103}', '\u{2106}'),
    ('\u{2108}', '\u{2109}'),
    ('\u{2114}', '\u{2114}'),
    ('\u{2116}', '\u{2117}'),
    ('\u{211E}', '\u{2123}'),
    ('\u{2125}', '\u{2125}'),
    ('\u{2127}', '\u{2127}'),
    ('\u{2129}', '\u{2129}'),
    ('\u{212E}', '\u{212E}'),
    ('\u{213A}', '\u{213B}'),
    ('\u{214A}', '\u{214A}'),
    ('\u{214C}', '\u{214D}'),
    ('\u{214F}', '\u{214F}'),
    ('\u{218A}', '\u{218B}'),
    ('\u{2195}', '\u{2199}'),
    ('\u{219C}', '\u{219F}'),
    ('\u{21A1}', '\u{21A2}'),
    ('\u{21A4}', '\u{21A5}'),
    ('\u{21A7}', '\u{21AD}'),
    ('\u{21AF}', '\u{21CD}'),
    ('\u{21D0}', '\u{21D1}'),
    ('\u{21D3}', '\u{21D3}'),
    ('\u{21D5}', '\u{21F3}'),
    ('\u{2300}', '\u{2307}'),
    ('\u{230C}', '\u{231F}'),
    ('\u{2322}', '\u{2328}'),
    ('\u{232B}', '\u{237B}'),
    ('\u{237D}', '\u{239A}'),
    ('\u{23B4}', '\u{23DB}'),
    ('\u{23E2}', '\u{2426}'),
    ('\u{2440}', '\u{244A}'),
    ('\u{249C}', '\u{24E9}'),
    ('\u{2500}', '\u{25B6}'),
    ('\u{25B8}', '\u{25C0}'),
    ('\u{25C2}', '\u{25F7}'),
    ('\u{2600}', '\u{266E}'),
    ('\u{2670}', '\u{2767}'),
    ('\u{2794}', '\u{27BF}'),
    ('\u{2800}', '\u{28FF}'),
    ('\u{2B00}', '\u{2B2F}'),
    ('\u{2B45}', '\u{2B46}'),
    ('\u{2B4D}', '\u{2B73}'),
    ('\u{2B76}', '\u{2B95}'),
    ('\u{2B97}', '\u{2BFF}'),
    ('\u{2CE5}', '\u{2CEA}'),
    ('\u{2E50}', '\u{2E51}'),
    ('\u{2E80}', '\u{2E99}'),
    ('\u{2E9B}', '\u{2EF3}'),
    ('\u{2F00}', '\u{2FD5}'),
    ('\u{2FF0}', '\u{2FFB}'),
    ('\u{3004}', '\u{3004}'),
    ('\u{3012}', '\u{3013}'),
    ('\u{3020}', '\u{3020}'),
    ('\u{3036}', '\u{3037}'),
    ('\u{303E}', '\u{303F}'),
    ('\u{3190}', '\u{3191}'),
    ('\u{3196}', '\u{319F}'),
    ('\u{31C0}', '\u{31E3}'),
    ('\u{3200}', '\u{321E}'),
    ('\u{322A}', '\u{3247}'),
    ('\u{3250}', '\u{3250}'),
    ('\u{3260}', '\u{327F}'),
    ('\u{328A}', '\u{32B0}'),
    ('\u{32C0}', '\u{33FF}'),
    ('\u{4DC0}', '\u{4DFF}'),
    ('\u{A490}', '\u{A4C6}'),
    ('\u{A828}', '\u{A82B}'),
    ('\u{A836}', '\u{A837}'),
    ('\u{A839}', '\u{A839}'),
    ('\u{AA77}', '\u{AA79}'),
    ('\u{FD40}', '\u{FD4F}'),
    ('\u{FDCF}', '\u{FDCF}'),
    ('\u{FDFD}', '\u{FDFF}'),
    ('\u{FFE4}', '\u{FFE4}'),
    ('\u{FFE8}', '\u{FFE8}'),
    ('\u{FFED}', '\u{FFEE}'),
    ('\u{FFFC}', '\u{FFFD}'),
    ('\u{10137}', '\u{1013F}'),
    ('\u{10179}', '\u{10189}'),
    ('\u{1018C}', '\u{1018E}'),
    ('\u{10190}', '\u{1019C}'),
    ('\u{101A0}', '\u{101A0}'),
    ('\u{101D0}', '\u{101FC}'),
    ('\u{10877}', '\u{10878}'),
    ('\u{10AC8}', '\u{10AC8}'),
    ('\u{1173F}', '\u{1173F}'),
    ('\u{11FD5}', '\u{11FDC}'),
    ('\u{11FE1}', '\u{11FF1}'),
    ('\u{16B3C}', '\u{16B3F}'),
    ('\u{16B45}', '\u{16B45}'),
    ('\u{1BC9C}', '\u{1BC9C}'),
    ('\u{1CF50}', '\u{1CFC3}'),
    ('\u{1D000}', '\u{1D0F5}'),
    ('\u{1D100}', '\u{1D126}'),
    ('\u{1D129}', '\u{1D164}'),
    ('\u{1D16A}', '\u{1D16C}'),
    ('\u{1D183}', '\u{1D184}'),
    ('\u{1D18C}', '\u{1D1A9}'),
    ('\u{1D1AE}', '\u{1D1EA}'),
    ('\u{1D200}', '\u{1D241}'),
    ('\u{1D245}', '\u{1D245}'),
    ('\u{1D300}', '\u{1D356}'),
    ('\u{1D800}', '\u{1D9FF}'),
    ('\u{1DA37}', '\u{1DA3A}'),
    ('\u{1DA6D}', '\u{1DA74}'),
    ('\u{1DA76}', '\u{1DA83}'),
    ('\u{1DA85}', '\u{1DA86}'),
    ('\u{1E14F}', '\u{1E14F}'),
    ('\u{1ECAC}', '\u{1ECAC}'),
    ('\u{1ED2E}', '\u{1ED2E}'),
    ('\u{1F000}', '\u{1F0FF}'),
    ('\u{1F10D}', '\u{1F3FA}'),
    ('\u{1F400}', '\u{1FB92}'),
    ('\u{1FB94}', '\u{1FBCA}'),
];
