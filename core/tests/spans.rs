//! Property tests: every evidence span lies on character boundaries of the original text and
//! covers exactly the evasion that matched.

use std::sync::OnceLock;

use proptest::prelude::*;
use vigil::{AgeBand, Engine, Message, Participant, Policy, Timestamp};

const POLICY: &str = r#"
[policy]
id = "spans"
[scoring]
half_life = "1h"
levels = { watch = 1, review = 2, urgent = 3 }
[[stage]]
id = "s"
summary = "s"
[[category]]
id = "c"
stage = "s"
summary = "c"
[[rule]]
id = "r"
category = "c"
weight = 1
any = ["send me your picture"]
"#;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(
            Policy::builder()
                .add_toml("spans.toml", POLICY)
                .unwrap()
                .build()
                .unwrap(),
        )
        .unwrap()
    })
}

fn shipped() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default)
}

fn msg(text: &str) -> Message {
    Message::new(
        "c",
        "m",
        Timestamp::from_millis(0),
        Participant::new("a", AgeBand::Adult),
        text,
    )
}

/// One way to write a letter evasively.
fn evade_char(c: char, how: u8) -> String {
    let leet = match c {
        'e' => Some('3'),
        'o' => Some('0'),
        'i' => Some('1'),
        'a' => Some('4'),
        's' => Some('5'),
        't' => Some('7'),
        _ => None,
    };
    let homoglyph = match c {
        'e' => Some('е'),
        'o' => Some('о'),
        'p' => Some('р'),
        'c' => Some('с'),
        'a' => Some('а'),
        'y' => Some('у'),
        _ => None,
    };
    match how % 7 {
        0 => c.to_string(),
        1 => c.to_ascii_uppercase().to_string(),
        2 => leet.unwrap_or(c).to_string(),
        3 => homoglyph.unwrap_or(c).to_string(),
        4 => format!("{c}{c}{c}"),
        5 => char::from_u32(c as u32 - 'a' as u32 + 0xFF41)
            .unwrap_or(c)
            .to_string(), // fullwidth
        _ => format!("{c}\u{301}"), // combining accent
    }
}

fn evade(phrase: &str, hows: &[u8], zero_width: bool) -> String {
    let mut out = String::new();
    for (i, c) in phrase.chars().enumerate() {
        if c == ' ' {
            out.push(' ');
            continue;
        }
        if zero_width && i > 0 && !out.ends_with(' ') {
            out.push('\u{200b}');
        }
        out.push_str(&evade_char(c, hows[i % hows.len()]));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn span_covers_exactly_the_evasion(
        prefix in "[xqz ]{0,12}",
        suffix in "[xqz .!]{0,12}",
        hows in proptest::collection::vec(any::<u8>(), 1..8),
        zero_width in any::<bool>(),
    ) {
        let engine = engine();
        let evasion = evade("send me your picture", &hows, zero_width);
        let text = format!("{prefix} {evasion} {suffix}");
        let start = prefix.len() + 1;
        let end = start + evasion.len();
        let a = engine.assess(&msg(&text));
        prop_assert_eq!(a.hits.len(), 1, "{:?}", text);
        let span = a.hits[0].span;
        prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
        prop_assert_eq!((span.start, span.end), (start, end), "{:?} highlighted {:?}", text, &text[span.start..span.end]);
    }

    #[test]
    fn spans_always_lie_on_char_boundaries(text in "\\PC{0,80}") {
        let engine = shipped();
        for (i, mut t) in [text.clone(), format!("{text} dont tell ur parents {text}")].into_iter().enumerate() {
            if i == 1 { t.push_str(" send a pic"); }
            let a = engine.assess(&msg(&t));
            for h in &a.hits {
                prop_assert!(h.span.start < h.span.end && h.span.end <= t.len());
                prop_assert!(t.is_char_boundary(h.span.start) && t.is_char_boundary(h.span.end));
            }
        }
    }
}
