//! A table of characters that look like basic Latin letters.
//!
//! The table is modelled on the skeletons of [UTS #39] (`confusables.txt`), narrowed to
//! what is useful for matching chat text: every entry maps one non-ASCII character to one
//! ASCII letter that it is commonly used in place of. It is *case aware*: an uppercase
//! lookalike maps to an uppercase letter and a lowercase one to a lowercase letter, so the
//! mapping is meaningful with case folding switched off too. Characters that NFKC already
//! turns into ASCII (fullwidth forms, mathematical alphanumerics, circled letters, ...)
//! are not listed.
//!
//! A few entries follow how evaders use a character rather than UTS #39 (for example
//! Cyrillic `в` -> `b`, Greek `η` -> `n`, Greek `μ` -> `u`).
//!
//! [UTS #39]: https://www.unicode.org/reports/tr39/

/// Maps `c` to the ASCII letter it looks like, or returns `c` unchanged.
///
/// ASCII characters are always returned unchanged.
pub(super) fn confusable(c: char) -> char {
    if c.is_ascii() {
        return c;
    }
    // Negative circled and negative squared Latin capital letters (🅐, 🅰): letter-styled
    // symbols without a compatibility decomposition.
    let cp = u32::from(c);
    for base in [0x1F150u32, 0x1F170] {
        if (base..base + 26).contains(&cp) {
            return char::from_u32(u32::from(b'A') + (cp - base)).unwrap_or(c);
        }
    }
    match CONFUSABLES.binary_search_by_key(&c, |&(from, _)| from) {
        Ok(i) => CONFUSABLES.get(i).map_or(c, |&(_, to)| to),
        Err(_) => c,
    }
}

/// `(lookalike, ASCII letter)`, sorted by the first element (checked by a unit test).
#[rustfmt::skip]
pub(super) static CONFUSABLES: &[(char, char)] = &[
    // Latin-1 Supplement and Latin Extended-A/B: letters with strokes and hooks, which
    // have no canonical decomposition and so survive diacritic stripping.
    ('\u{00D8}', 'O'), // Ø
    ('\u{00F8}', 'o'), // ø
    ('\u{0110}', 'D'), // Đ
    ('\u{0111}', 'd'), // đ
    ('\u{0126}', 'H'), // Ħ
    ('\u{0127}', 'h'), // ħ
    ('\u{0131}', 'i'), // ı dotless i
    ('\u{0138}', 'k'), // ĸ kra
    ('\u{0141}', 'L'), // Ł
    ('\u{0142}', 'l'), // ł
    ('\u{0166}', 'T'), // Ŧ
    ('\u{0167}', 't'), // ŧ
    ('\u{0180}', 'b'), // ƀ
    ('\u{0188}', 'c'), // ƈ
    ('\u{0189}', 'D'), // Ɖ
    ('\u{0192}', 'f'), // ƒ
    ('\u{0199}', 'k'), // ƙ
    ('\u{01A5}', 'p'), // ƥ
    ('\u{01AD}', 't'), // ƭ
    ('\u{01B4}', 'y'), // ƴ
    ('\u{01B5}', 'Z'), // Ƶ
    ('\u{01B6}', 'z'), // ƶ
    ('\u{01C0}', 'l'), // ǀ dental click
    ('\u{0237}', 'j'), // ȷ dotless j
    ('\u{023A}', 'A'), // Ⱥ
    ('\u{023B}', 'C'), // Ȼ
    ('\u{023C}', 'c'), // ȼ
    ('\u{0246}', 'E'), // Ɇ
    ('\u{0247}', 'e'), // ɇ
    ('\u{0248}', 'J'), // Ɉ
    ('\u{0249}', 'j'), // ɉ
    ('\u{024C}', 'R'), // Ɍ
    ('\u{024D}', 'r'), // ɍ
    ('\u{024E}', 'Y'), // Ɏ
    ('\u{024F}', 'y'), // ɏ
    // IPA extensions, including the small capitals used by "fancy text" generators.
    ('\u{0251}', 'a'), // ɑ
    ('\u{0253}', 'b'), // ɓ
    ('\u{0256}', 'd'), // ɖ
    ('\u{0257}', 'd'), // ɗ
    ('\u{025B}', 'e'), // ɛ
    ('\u{0261}', 'g'), // ɡ script g
    ('\u{0262}', 'g'), // ɢ small capital G
    ('\u{0263}', 'y'), // ɣ
    ('\u{0268}', 'i'), // ɨ
    ('\u{0269}', 'i'), // ɩ
    ('\u{026A}', 'i'), // ɪ small capital I
    ('\u{026D}', 'l'), // ɭ
    ('\u{0271}', 'm'), // ɱ
    ('\u{0272}', 'n'), // ɲ
    ('\u{0273}', 'n'), // ɳ
    ('\u{0274}', 'n'), // ɴ small capital N
    ('\u{0280}', 'r'), // ʀ small capital R
    ('\u{0282}', 's'), // ʂ
    ('\u{0289}', 'u'), // ʉ
    ('\u{028B}', 'v'), // ʋ
    ('\u{028F}', 'y'), // ʏ small capital Y
    ('\u{0290}', 'z'), // ʐ
    ('\u{0291}', 'z'), // ʑ
    ('\u{0299}', 'b'), // ʙ small capital B
    ('\u{029C}', 'h'), // ʜ small capital H
    ('\u{029F}', 'l'), // ʟ small capital L
    // Greek.
    ('\u{037F}', 'J'), // Ϳ
    ('\u{0391}', 'A'), // Α
    ('\u{0392}', 'B'), // Β
    ('\u{0395}', 'E'), // Ε
    ('\u{0396}', 'Z'), // Ζ
    ('\u{0397}', 'H'), // Η
    ('\u{0399}', 'I'), // Ι
    ('\u{039A}', 'K'), // Κ
    ('\u{039C}', 'M'), // Μ
    ('\u{039D}', 'N'), // Ν
    ('\u{039F}', 'O'), // Ο
    ('\u{03A1}', 'P'), // Ρ
    ('\u{03A4}', 'T'), // Τ
    ('\u{03A5}', 'Y'), // Υ
    ('\u{03A7}', 'X'), // Χ
    ('\u{03B1}', 'a'), // α
    ('\u{03B2}', 'b'), // β
    ('\u{03B3}', 'y'), // γ
    ('\u{03B5}', 'e'), // ε
    ('\u{03B7}', 'n'), // η
    ('\u{03B9}', 'i'), // ι
    ('\u{03BA}', 'k'), // κ
    ('\u{03BC}', 'u'), // μ
    ('\u{03BD}', 'v'), // ν
    ('\u{03BF}', 'o'), // ο
    ('\u{03C1}', 'p'), // ρ
    ('\u{03C4}', 't'), // τ
    ('\u{03C5}', 'u'), // υ
    ('\u{03C7}', 'x'), // χ
    ('\u{03C9}', 'w'), // ω
    ('\u{03DC}', 'F'), // Ϝ digamma
    ('\u{03F2}', 'c'), // ϲ lunate sigma (mapped before NFKC, which makes it ς)
    ('\u{03F3}', 'j'), // ϳ yot
    ('\u{03F9}', 'C'), // Ϲ capital lunate sigma (mapped before NFKC, which makes it Σ)
    // Cyrillic.
    ('\u{0405}', 'S'), // Ѕ
    ('\u{0406}', 'I'), // І
    ('\u{0408}', 'J'), // Ј
    ('\u{0410}', 'A'), // А
    ('\u{0412}', 'B'), // В
    ('\u{0415}', 'E'), // Е
    ('\u{041A}', 'K'), // К
    ('\u{041C}', 'M'), // М
    ('\u{041D}', 'H'), // Н
    ('\u{041E}', 'O'), // О
    ('\u{0420}', 'P'), // Р
    ('\u{0421}', 'C'), // С
    ('\u{0422}', 'T'), // Т
    ('\u{0423}', 'Y'), // У
    ('\u{0425}', 'X'), // Х
    ('\u{042C}', 'b'), // Ь
    ('\u{0430}', 'a'), // а
    ('\u{0432}', 'b'), // в
    ('\u{0433}', 'r'), // г
    ('\u{0435}', 'e'), // е
    ('\u{043A}', 'k'), // к
    ('\u{043C}', 'm'), // м
    ('\u{043D}', 'h'), // н
    ('\u{043E}', 'o'), // о
    ('\u{043F}', 'n'), // п
    ('\u{0440}', 'p'), // р
    ('\u{0441}', 'c'), // с
    ('\u{0442}', 't'), // т
    ('\u{0443}', 'y'), // у
    ('\u{0445}', 'x'), // х
    ('\u{044C}', 'b'), // ь
    ('\u{0455}', 's'), // ѕ
    ('\u{0456}', 'i'), // і
    ('\u{0458}', 'j'), // ј
    ('\u{0460}', 'W'), // Ѡ
    ('\u{0461}', 'w'), // ѡ
    ('\u{0474}', 'V'), // Ѵ
    ('\u{0475}', 'v'), // ѵ
    ('\u{04AE}', 'Y'), // Ү
    ('\u{04AF}', 'y'), // ү
    ('\u{04BA}', 'H'), // Һ
    ('\u{04BB}', 'h'), // һ
    ('\u{04C0}', 'l'), // Ӏ palochka
    ('\u{04CF}', 'l'), // ӏ small palochka
    ('\u{0500}', 'd'), // Ԁ Komi De (shaped like a lowercase d)
    ('\u{0501}', 'd'), // ԁ
    ('\u{050C}', 'G'), // Ԍ
    ('\u{050D}', 'g'), // ԍ
    ('\u{051A}', 'Q'), // Ԛ
    ('\u{051B}', 'q'), // ԛ
    ('\u{051C}', 'W'), // Ԝ
    ('\u{051D}', 'w'), // ԝ
    // Armenian.
    ('\u{054D}', 'U'), // Ս
    ('\u{0555}', 'O'), // Օ
    ('\u{0566}', 'q'), // զ
    ('\u{0570}', 'h'), // հ
    ('\u{0575}', 'j'), // յ
    ('\u{0578}', 'n'), // ո
    ('\u{057D}', 'u'), // ս
    ('\u{0581}', 'g'), // ց
    ('\u{0585}', 'o'), // օ
    // Cherokee (case folding maps the lowercase letters to these uppercase ones).
    ('\u{13A0}', 'D'), // Ꭰ
    ('\u{13A1}', 'R'), // Ꭱ
    ('\u{13A2}', 'T'), // Ꭲ
    ('\u{13A5}', 'i'), // Ꭵ
    ('\u{13A9}', 'Y'), // Ꭹ
    ('\u{13AA}', 'A'), // Ꭺ
    ('\u{13AB}', 'J'), // Ꭻ
    ('\u{13AC}', 'E'), // Ꭼ
    ('\u{13B3}', 'W'), // Ꮃ
    ('\u{13B7}', 'M'), // Ꮇ
    ('\u{13BB}', 'H'), // Ꮋ
    ('\u{13C0}', 'G'), // Ꮐ
    ('\u{13C2}', 'h'), // Ꮒ
    ('\u{13C3}', 'Z'), // Ꮓ
    ('\u{13CF}', 'b'), // Ꮟ
    ('\u{13D2}', 'R'), // Ꮢ
    ('\u{13D9}', 'V'), // Ꮩ
    ('\u{13DA}', 'S'), // Ꮪ
    ('\u{13DE}', 'L'), // Ꮮ
    ('\u{13DF}', 'C'), // Ꮯ
    ('\u{13E2}', 'P'), // Ꮲ
    ('\u{13E6}', 'K'), // Ꮶ
    ('\u{13F4}', 'B'), // Ᏼ
    // Latin small capitals (phonetic extensions).
    ('\u{1D00}', 'a'), // ᴀ
    ('\u{1D04}', 'c'), // ᴄ
    ('\u{1D05}', 'd'), // ᴅ
    ('\u{1D07}', 'e'), // ᴇ
    ('\u{1D0A}', 'j'), // ᴊ
    ('\u{1D0B}', 'k'), // ᴋ
    ('\u{1D0D}', 'm'), // ᴍ
    ('\u{1D0F}', 'o'), // ᴏ
    ('\u{1D18}', 'p'), // ᴘ
    ('\u{1D1B}', 't'), // ᴛ
    ('\u{1D1C}', 'u'), // ᴜ
    ('\u{1D20}', 'v'), // ᴠ
    ('\u{1D21}', 'w'), // ᴡ
    ('\u{1D22}', 'z'), // ᴢ
    // Lisu.
    ('\u{A4D0}', 'B'), // ꓐ
    ('\u{A4D1}', 'P'), // ꓑ
    ('\u{A4D2}', 'd'), // ꓒ
    ('\u{A4D3}', 'D'), // ꓓ
    ('\u{A4D4}', 'T'), // ꓔ
    ('\u{A4D6}', 'G'), // ꓖ
    ('\u{A4D7}', 'K'), // ꓗ
    ('\u{A4D9}', 'J'), // ꓙ
    ('\u{A4DA}', 'C'), // ꓚ
    ('\u{A4DC}', 'Z'), // ꓜ
    ('\u{A4DD}', 'F'), // ꓝ
    ('\u{A4DF}', 'M'), // ꓟ
    ('\u{A4E0}', 'N'), // ꓠ
    ('\u{A4E1}', 'L'), // ꓡ
    ('\u{A4E2}', 'S'), // ꓢ
    ('\u{A4E3}', 'R'), // ꓣ
    ('\u{A4E6}', 'V'), // ꓦ
    ('\u{A4E7}', 'H'), // ꓧ
    ('\u{A4EA}', 'W'), // ꓪ
    ('\u{A4EB}', 'X'), // ꓫ
    ('\u{A4EC}', 'Y'), // ꓬ
    ('\u{A4EE}', 'A'), // ꓮ
    ('\u{A4F0}', 'E'), // ꓰ
    ('\u{A4F2}', 'I'), // ꓲ
    ('\u{A4F3}', 'O'), // ꓳ
    ('\u{A4F4}', 'U'), // ꓴ
    // Latin Extended-D small capitals.
    ('\u{A730}', 'f'), // ꜰ
    ('\u{A731}', 's'), // ꜱ
    ('\u{A7AF}', 'q'), // ꞯ
];
