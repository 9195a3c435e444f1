//! The normalizer's offset map: for any text and any options, every character of the normalized
//! text maps back to a non-empty range of the original on its character boundaries, and so does
//! every word and the whole text. Reusing a buffer gives the same result as a fresh one.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil::normalize::{Mode, NormalizeOptions, Normalized, Normalizer};

fn options(flags: u8) -> NormalizeOptions {
    // 0 = every step on (the default), so the seeds start from what production runs.
    let on = |bit: u8| flags & (1 << bit) == 0;
    NormalizeOptions {
        nfkc: on(0),
        case_fold: on(1),
        strip_diacritics: on(2),
        confusables: on(3),
        leetspeak: on(4),
        strip_invisible: on(5),
        join_spaced_letters: on(6),
        collapse_repeats: on(7),
    }
}

fn check(text: &str, n: &Normalized, mode: Mode) {
    let out = n.as_str();
    let span_ok = |r: std::ops::Range<usize>, what: &str| {
        let s = n
            .original_span(r.clone())
            .unwrap_or_else(|| panic!("{what} {r:?} of {out:?} has no original span"));
        assert!(
            s.start < s.end && s.end <= text.len(),
            "{what} {r:?} -> {s:?} (text {} bytes)",
            text.len()
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{what} {r:?} -> {s:?} not on character boundaries of {text:?}"
        );
    };
    for (i, c) in out.char_indices() {
        span_ok(i..i + c.len_utf8(), "char");
        // Ranges that are not on character boundaries are refused, never mapped.
        for k in 1..c.len_utf8() {
            assert_eq!(n.original_span(i..i + k), None);
        }
    }
    if !out.is_empty() {
        span_ok(0..out.len(), "whole text");
    }
    assert_eq!(n.original_span(0..0), None);
    assert_eq!(n.original_span(0..out.len() + 1), None);
    if mode == Mode::Terms && !out.is_empty() {
        assert!(
            !out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "),
            "{out:?}"
        );
        let mut at = 0;
        for w in out.split(' ') {
            span_ok(at..at + w.len(), "word");
            at += w.len() + 1;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let normalizer = Normalizer::new(options(flags));
    let text = String::from_utf8_lossy(rest);
    let mut reused = Normalized::new();
    for mode in [Mode::Terms, Mode::Patterns] {
        let fresh = normalizer.normalize(&text, mode);
        check(&text, &fresh, mode);
        // Fill the reused buffer with something else first.
        normalizer.normalize_into("Ｓ N 4 p  \u{200B}é", mode, &mut reused);
        normalizer.normalize_into(&text, mode, &mut reused);
        assert_eq!(reused.as_str(), fresh.as_str());
        for (i, c) in fresh.as_str().char_indices() {
            let r = i..i + c.len_utf8();
            assert_eq!(reused.original_span(r.clone()), fresh.original_span(r));
        }
    }
});
