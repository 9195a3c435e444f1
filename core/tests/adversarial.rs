//! Adversarial inputs: huge, invisible, stacked, confusable and repetitive messages; policies with
//! 100,000 terms or rules, slow or huge regexes, nesting and hostile values; extreme timestamps.
//!
//! Each test bounds its work by sizes and counts (never by wall-clock time) and checks that the
//! result is still right: no panic, hits found where they are, spans on character boundaries of
//! the original text, typed errors for what cannot be accepted. The times these inputs take are
//! measured by the ignored test `measure_worst_cases` (run it with
//! `cargo test --release -p vigil --test adversarial -- --ignored --nocapture`) and recorded in
//! `docs/reliability.md`.
//!
//! Texts are synthetic and stay at the level of the safety lexicon.

use std::sync::{Arc, OnceLock};

use vigil::normalize::{Mode, NormalizeOptions, Normalizer};
use vigil::{AgeBand, Assessment, Engine, Message, Participant, Policy, PolicyErrorKind, Timestamp, Tracker};

const BASE: &str = r#"
[policy]
id = "adv"
version = "1"
[scoring]
half_life = "1h"
levels = { watch = 10, review = 30, urgent = 60 }
[[stage]]
id = "isolation"
summary = "isolation"
[[category]]
id = "secrecy"
stage = "isolation"
summary = "Asks the child to keep the contact secret"
"#;

const RULES: &str = r#"
[[rule]]
id = "secrecy.dont-tell"
category = "secrecy"
weight = 12
any = ["don't tell your parents", "add me on snap", "send a pic"]
"#;

fn build(layers: &[&str]) -> Result<Engine, vigil::PolicyError> {
    let mut b = Policy::builder();
    for (i, l) in layers.iter().enumerate() {
        b = b.add_toml(&format!("layer{i}.toml"), l)?;
    }
    Engine::new(b.build()?)
}

fn small() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| build(&[BASE, RULES]).unwrap())
}

/// The small policy, assessing up to 2 MiB of a message.
fn small_big() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| build(&[BASE, RULES, "[scoring]\nmax_message_bytes = 2097152\n"]).unwrap())
}

fn shipped() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(Engine::default)
}

fn msg(text: impl Into<String>) -> Message {
    Message::new(
        "c",
        "m",
        Timestamp::from_millis(0),
        Participant::new("a", AgeBand::Adult),
        text,
    )
    .with_recipient(Participant::new("b", AgeBand::Minor))
}

/// Every hit's span is a non-empty range of `text` on character boundaries, within `limit`.
fn assert_spans(text: &str, a: &Assessment, limit: usize) {
    for h in &a.hits {
        let s = h.span;
        assert!(
            s.start < s.end && s.end <= text.len().min(limit),
            "{:?} {s:?}",
            h.rule
        );
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "{s:?}"
        );
    }
}

fn hit<'a>(text: &'a str, a: &Assessment, rule: &str) -> Option<&'a str> {
    a.hits
        .iter()
        .find(|h| &*h.rule == rule)
        .map(|h| &text[h.span.start..h.span.end])
}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

#[test]
fn a_one_megabyte_message_is_assessed_up_to_the_policy_limit() {
    let filler = "just chatting about the game tonight, ";
    let mut text = String::from("hey don't tell your parents. ");
    while text.len() < 1 << 20 {
        text.push_str(filler);
    }
    text.push_str("add me on snap");
    let e = small();
    let a = e.assess(&msg(text.clone()));
    assert!(a.truncated);
    let limit = e.policy().scoring().max_message_bytes;
    assert_spans(&text, &a, limit);
    assert_eq!(
        hit(&text, &a, "secrecy.dont-tell"),
        Some("don't tell your parents")
    );

    // The shipped packs too, and a tracker.
    let mut t = Tracker::new(Arc::new(Engine::default()));
    let obs = t.observe(&msg(text.clone()));
    assert!(obs.assessment.truncated);
    assert_spans(
        &text,
        &obs.assessment,
        shipped().policy().scoring().max_message_bytes,
    );
}

#[test]
fn a_one_megabyte_message_is_assessed_whole_when_the_policy_allows_it() {
    let mut text = "ok ".repeat((1 << 20) / 3);
    text.push_str("add me on snap");
    let a = small_big().assess(&msg(text.clone()));
    assert!(!a.truncated);
    assert_spans(&text, &a, usize::MAX);
    let h = a.hits.iter().find(|h| &*h.rule == "secrecy.dont-tell").unwrap();
    assert_eq!(h.span.end, text.len(), "the match at the very end is found");
    assert_eq!(&text[h.span.start..h.span.end], "add me on snap");
}

#[test]
fn truncation_never_cuts_a_character() {
    // Four-byte characters straddling the limit at every offset.
    let e = small();
    let limit = e.policy().scoring().max_message_bytes;
    for pad in 0..4 {
        let mut text = "x".repeat(limit - 8 + pad);
        text.push_str(&"😀".repeat(8));
        let a = e.assess(&msg(text.clone()));
        assert!(a.truncated);
        assert_spans(&text, &a, limit);
    }
}

#[test]
fn a_hundred_thousand_zero_width_characters() {
    // Between the letters of the phrase, and as a message of nothing else.
    let phrase = "add me on snap";
    let per_gap = 100_000 / (phrase.len() - 1);
    let mut text = String::from("hi ");
    let start = text.len();
    for (i, c) in phrase.chars().enumerate() {
        if i > 0 {
            for k in 0..per_gap {
                text.push(['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'][k % 5]);
            }
        }
        text.push(c);
    }
    let end = text.len();
    text.push_str(" ok");
    let a = small_big().assess(&msg(text.clone()));
    assert_spans(&text, &a, usize::MAX);
    let h = a
        .hits
        .iter()
        .find(|h| &*h.rule == "secrecy.dont-tell")
        .expect("found through 100k zero-width characters");
    assert_eq!((h.span.start, h.span.end), (start, end));

    let only = "\u{200B}".repeat(100_000);
    let a = small_big().assess(&msg(only.clone()));
    assert!(a.hits.is_empty());
    let n = Normalizer::default();
    assert_eq!(n.normalize(&only, Mode::Terms).as_str(), "");
    assert_eq!(n.normalize(&only, Mode::Patterns).as_str(), "");
}

#[test]
fn a_stack_of_combining_marks() {
    // 100,000 marks on one letter: a single segment for the normalizer. (U+0300 to U+0344 are
    // diacritics; U+0345 case-folds to a letter, iota, and is left out.)
    let marks: String = (0..100_000)
        .map(|i| char::from_u32(0x0300 + (i % 0x45)).unwrap())
        .collect();
    let text = format!("s{marks}end a pic please");
    let a = small_big().assess(&msg(text.clone()));
    assert_spans(&text, &a, usize::MAX);
    assert_eq!(
        hit(&text, &a, "secrecy.dont-tell"),
        Some(&text[..text.len() - " please".len()])
    );
    let n = Normalizer::default();
    assert_eq!(n.normalize(&text, Mode::Patterns).as_str(), "send a pic please");

    // Marks with no base letter, marks that are part of their script (kept), and mixed stacks.
    for text in [
        format!("{marks} add me on snap"),
        format!("क{} add me on snap", "\u{093F}\u{0941}".repeat(20_000)),
        format!("{} add me on snap", "e\u{0301}\u{20DD}\u{0489}".repeat(20_000)),
    ] {
        let a = small_big().assess(&msg(text.clone()));
        assert_spans(&text, &a, usize::MAX);
        assert_eq!(
            hit(&text, &a, "secrecy.dont-tell"),
            Some("add me on snap"),
            "{}",
            &text[..20]
        );
    }
}

/// Characters the normalizer maps, alone, to one ASCII letter other than themselves.
fn confusables() -> Vec<char> {
    let only = NormalizeOptions {
        nfkc: false,
        case_fold: true,
        strip_diacritics: false,
        confusables: true,
        leetspeak: false,
        strip_invisible: false,
        join_spaced_letters: false,
        collapse_repeats: false,
    };
    let n = Normalizer::new(only);
    (0x80..0x2_0000)
        .filter_map(char::from_u32)
        .filter(|c| {
            let s = n.normalize(&c.to_string(), Mode::Patterns);
            let s = s.as_str();
            s.len() == 1 && s.as_bytes()[0].is_ascii_lowercase()
        })
        .collect()
}

#[test]
fn every_confusable_in_one_line() {
    let all = confusables();
    assert!(all.len() > 300, "only {} confusables found", all.len());
    let line: String = all.iter().collect();
    let n = Normalizer::default();
    for mode in [Mode::Patterns, Mode::Terms] {
        let out = n.normalize(&line, mode);
        // Every output character maps back to whole characters of the line.
        for (i, c) in out.as_str().char_indices() {
            let s = out.original_span(i..i + c.len_utf8()).unwrap();
            assert!(s.start < s.end && line.is_char_boundary(s.start) && line.is_char_boundary(s.end));
        }
    }
    // In Patterns mode (no word-level steps) each confusable maps to exactly its own letter.
    let out = n.normalize(&line, Mode::Patterns);
    assert!(out.as_str().is_ascii(), "{}", out.as_str());
    assert_eq!(out.as_str().chars().count(), all.len());
    for (k, (i, c)) in line.char_indices().enumerate() {
        // Its own bytes (and those of a combining confusable that joined its segment).
        let s = out.original_span(k..k + 1).unwrap();
        assert!(
            s.start <= i && i + c.len_utf8() <= s.end && s.end - s.start <= 8,
            "{c} {s:?}"
        );
    }
    // Lunate sigma, which NFKC would make a Greek sigma, reads as `c` (a regression test).
    assert_eq!(n.normalize("ϲall mе", Mode::Terms).as_str(), "cai me");
    // And the whole line assesses with valid spans under the shipped packs.
    let a = shipped().assess(&msg(line.clone()));
    assert_spans(&line, &a, usize::MAX);

    // A phrase written only in lookalikes is found, with its span.
    let disguised = "аdd mе оn ѕnар"; // Cyrillic а е о ѕ а р
    let text = format!("hey {disguised}!");
    let a = small().assess(&msg(text.clone()));
    assert_eq!(hit(&text, &a, "secrecy.dont-tell"), Some(disguised));
}

#[test]
fn deeply_repetitive_text() {
    let e = small_big();
    let cases: Vec<(String, Option<&str>)> = vec![
        (
            "don't tell your parents ".repeat(40_000),
            Some("don't tell your parents"),
        ),
        ("a ".repeat(500_000), None),
        (format!("s{}nap", "n".repeat(1 << 20)), None),
        (format!("p{}ase", "le".repeat(500_000)), None),
        ("s n a p ".repeat(100_000), None),
        ("😀".repeat(250_000), None),
        ("add me on ".repeat(100_000) + "snap", Some("add me on snap")),
        ("!@$|".repeat(250_000), None),
        ("'".repeat(1 << 20), None),
    ];
    for (text, want) in cases {
        let a = e.assess(&msg(text.clone()));
        assert_spans(&text, &a, usize::MAX);
        assert_eq!(hit(&text, &a, "secrecy.dont-tell"), want, "{}", &text[..20]);
        assert!(a.hits.len() <= e.rule_count(), "at most one hit per rule");
    }
}

#[test]
fn every_scalar_value_in_one_message() {
    // All of Unicode's scalar values below U+30000 (about 780 KB): no panic, valid spans.
    let text: String = (0..0x3_0000).filter_map(char::from_u32).collect();
    let a = small_big().assess(&msg(text.clone()));
    assert_spans(&text, &a, usize::MAX);
    let n = Normalizer::default();
    for mode in [Mode::Terms, Mode::Patterns] {
        let out = n.normalize(&text, mode);
        let s = out.original_span(0..out.len()).unwrap();
        assert!(s.end <= text.len());
    }
}

#[test]
fn extreme_timestamps_keep_risk_finite() {
    let engine = Arc::new(build(&[BASE, RULES]).unwrap());
    let mut t = Tracker::new(engine);
    let times = [
        i64::MIN,
        0,
        i64::MAX,
        i64::MIN,
        -1,
        i64::MAX - 1,
        i64::MIN + 1,
        i64::MAX,
    ];
    for (i, &ts) in times.iter().enumerate() {
        let m = Message::new(
            "c",
            format!("m{i}"),
            Timestamp::from_millis(ts),
            Participant::new("a", AgeBand::Adult),
            "don't tell your parents",
        )
        .with_recipient(Participant::new("b", AgeBand::Minor));
        let obs = t.observe(&m);
        assert!(
            obs.risk.is_finite() && obs.risk >= 0.0,
            "risk {} at {ts}",
            obs.risk
        );
        assert!(!obs.to_json().is_empty());
        if let Some(e) = obs.escalation {
            assert!(e.to_json().contains("\"raised_at\""));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Policies
// ---------------------------------------------------------------------------------------------

/// `n` distinct words of letters that survive normalization unchanged (no `l`, no doubles).
fn words(n: usize) -> Vec<String> {
    const A: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    (0..n)
        .map(|mut i| {
            let mut w = String::from("q");
            for _ in 0..4 {
                let c = A[i % A.len()];
                i /= A.len();
                if w.as_bytes().last() == Some(&c) {
                    w.push('o');
                }
                w.push(char::from(c));
            }
            w.push('x');
            w
        })
        .collect()
}

fn quoted(terms: &[String]) -> String {
    let inner: Vec<String> = terms.iter().map(|t| format!("\"{t}\"")).collect();
    format!("[{}]", inner.join(", "))
}

#[test]
fn a_policy_with_100_000_terms() {
    let terms = words(100_000);
    let rule = format!(
        "[[rule]]\nid = \"big\"\ncategory = \"secrecy\"\nweight = 5\nany = {}\n",
        quoted(&terms)
    );
    let e = build(&[BASE, &rule]).unwrap();
    let text = format!("hello {} and {}", terms[0], terms[99_999]);
    let a = e.assess(&msg(text.clone()));
    assert_eq!(hit(&text, &a, "big"), Some(terms[0].as_str()));
    assert_eq!(a.hits.len(), 1, "one hit per rule");
}

#[test]
fn a_policy_with_20_000_rules() {
    // Many rules, one term each (CI size; 100,000 rules are measured in `measure_worst_cases`).
    let terms = words(20_000);
    let e = build(&[BASE, &many_rules(&terms)]).unwrap();
    let text = format!("{} {}", terms[7], terms[19_999]);
    let a = e.assess(&msg(text.clone()));
    assert_eq!(a.hits.len(), 2);
    assert_eq!(hit(&text, &a, "r19999"), Some(terms[19_999].as_str()));
}

fn many_rules(terms: &[String]) -> String {
    let mut s = String::with_capacity(terms.len() * 80);
    for (i, t) in terms.iter().enumerate() {
        s.push_str(&format!(
            "[[rule]]\nid = \"r{i}\"\ncategory = \"secrecy\"\nweight = 1\nany = [\"{t}\"]\n"
        ));
    }
    s
}

fn pattern_rule(pattern: &str) -> String {
    format!("[[rule]]\nid = \"re\"\ncategory = \"secrecy\"\nweight = 5\npatterns = ['''{pattern}''']\n")
}

#[test]
fn huge_regexes_are_refused_with_a_clear_error() {
    for pattern in [
        r"\w{5000}",
        r"((((a{100}){100}){100}){100})",
        r"[\p{L}\p{N}]{1000}\s+\w{1000}",
        r"(?:\b\w+\b\s*){500}",
    ] {
        let err = build(&[BASE, &pattern_rule(pattern)]).unwrap_err();
        match err.kind() {
            PolicyErrorKind::InvalidRegex { pattern: p, message } => {
                assert_eq!(p, pattern);
                assert!(message.contains("size limit"), "{message}");
            }
            k => panic!("{pattern}: {k:?}"),
        }
        assert_eq!(err.location().field.as_deref(), Some("patterns"));
        assert!(err.to_string().contains("rule `re`"), "{err}");
    }
    // The limit is the policy's: a tighter one refuses smaller patterns, with the same error.
    let tight = format!(
        "{}\n[scoring]\nregex_size_limit = 2048\n",
        pattern_rule(r"\w{20}")
    );
    let err = build(&[BASE, &tight]).unwrap_err();
    assert!(
        matches!(err.kind(), PolicyErrorKind::InvalidRegex { .. }),
        "{err}"
    );
    // Nesting too deep for the parser is refused as well.
    let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
    let err = build(&[BASE, &pattern_rule(&deep)]).unwrap_err();
    assert!(
        matches!(err.kind(), PolicyErrorKind::InvalidRegex { .. }),
        "{err}"
    );
}

#[test]
fn regexes_built_to_be_slow_stay_linear() {
    // Classic catastrophic-backtracking shapes: the regex crate has no backtracking blow-up, so
    // these run in time proportional to pattern × text. The test bounds the text (64 KiB).
    for pattern in [
        r"(a+)+$",
        r"(a|aa)+b",
        r"(\w+\s?)*$",
        r"(.*a){20}",
        r"^(([a-z])+.)+[A-Z]([a-z])+$",
    ] {
        let e = build(&[BASE, &pattern_rule(pattern)]).unwrap();
        for text in ["a".repeat(65_000), "a ".repeat(32_000) + "!", "ab".repeat(32_000)] {
            let a = e.assess(&msg(text.clone()));
            assert_spans(&text, &a, usize::MAX);
        }
    }
}

#[test]
fn wildcards_on_both_ends_in_one_long_word() {
    // A hostile policy term `*ab*` against a 64 KiB word of `abab…`: every occurrence matches.
    let rule = "[[rule]]\nid = \"w\"\ncategory = \"secrecy\"\nweight = 5\nany = [\"*ab*\", \"*ba*\"]\n";
    let e = build(&[BASE, rule]).unwrap();
    let text = "ab".repeat(32_000);
    let a = e.assess(&msg(text.clone()));
    assert_eq!(
        hit(&text, &a, "w"),
        Some(text.as_str()),
        "the whole word is highlighted"
    );
}

#[test]
fn deep_nesting_is_a_typed_error() {
    for text in [
        "[".repeat(100_000),
        "a = ".to_string() + &"[".repeat(100_000),
        "x = {".repeat(10_000),
    ] {
        let err = Policy::builder().add_toml("deep.toml", &text).unwrap_err();
        assert!(matches!(err.kind(), PolicyErrorKind::Syntax(_)), "{err}");
    }
    let err = Policy::builder()
        .add_json("deep.json", &"[".repeat(100_000))
        .unwrap_err();
    assert!(matches!(err.kind(), PolicyErrorKind::Syntax(_)), "{err}");
    let deep = format!("{{\"conversation_id\": {}", "[".repeat(100_000));
    assert!(Message::from_json(&deep).is_err());
}

#[test]
fn hostile_policy_values_are_refused() {
    let cases = [
        "[[rule]]\nid = \"x\"\ncategory = \"secrecy\"\nweight = nan\nany = [\"a b\"]\n",
        "[[rule]]\nid = \"x\"\ncategory = \"secrecy\"\nweight = inf\nany = [\"a b\"]\n",
        "[[rule]]\nid = \"x\"\ncategory = \"secrecy\"\nweight = -1\nany = [\"a b\"]\n",
        "[[modifier]]\nid = \"m\"\nmultiply = inf\n",
        "[[modifier]]\nid = \"m\"\nmultiply = 0\n",
        "[scoring]\nlevels = { watch = nan }\n",
        "[scoring]\nhalf_life = \"99999999999999999999d\"\n",
        "[scoring]\nhalf_life = \"0s\"\n",
        "[scoring]\nmax_message_bytes = 9223372036854775807\n",
        "[scoring]\nregex_size_limit = 9223372036854775807\n",
        "[tracker]\ncapacity = 0\n",
        "[evidence]\nmax_items = 4294967295\n",
        "[[rule]]\nid = \"x\"\ncategory = \"secrecy\"\nweight = 1\nnear = { terms = [[\"a\"], [\"b\"]], within = 4294967295 }\n",
        "[[rule]]\nid = \"x\"\ncategory = \"secrecy\"\nweight = 1\nany = [\"...\"]\n",
        "[[rule]]\nid = \"x\"\ncategory = \"secrecy\"\nweight = 1\nany = [\"*\"]\n",
        "[[rule]]\nid = \"\u{202E}x\"\ncategory = \"secrecy\"\nweight = 1\nany = [\"a b\"]\n",
        "[[category]]\nid = \"c2\"\nstage = \"isolation\"\nsummary = \"s\"\nmessage_cap = -5\n",
        "[[modifier]]\nid = \"f\"\nmultiply = 2\nfan_out = { min = 0, window = \"1h\" }\n",
    ];
    for extra in cases {
        let err = build(&[BASE, RULES, extra]);
        assert!(err.is_err(), "accepted: {extra}");
        assert!(!err.unwrap_err().to_string().is_empty());
    }
}

#[test]
fn near_with_more_groups_than_the_matcher_tracks_never_fires_and_never_panics() {
    // 65 groups: more than the proximity matcher's window holds.
    let groups: Vec<String> = words(65).iter().map(|w| format!("[\"{w}\"]")).collect();
    let rule = format!(
        "[[rule]]\nid = \"n\"\ncategory = \"secrecy\"\nweight = 1\nnear = {{ terms = [{}], within = 100 }}\n",
        groups.join(", ")
    );
    match build(&[BASE, &rule]) {
        Ok(e) => {
            let text = words(65).join(" ");
            let a = e.assess(&msg(text.clone()));
            assert_spans(&text, &a, usize::MAX);
        }
        Err(err) => assert!(matches!(err.kind(), PolicyErrorKind::Invalid(_)), "{err}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements (ignored: run once in release and record the figures in docs/reliability.md)
// ---------------------------------------------------------------------------------------------

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = std::time::Instant::now();
    let out = f();
    println!("{label:<60} {:>10.1} ms", t.elapsed().as_secs_f64() * 1000.0);
    out
}

#[test]
#[ignore = "measurement: run with --release --ignored --nocapture"]
fn measure_worst_cases() {
    let shipped = time("compile the shipped packs", Engine::default);
    let big = small_big();
    let mb = |s: &str| {
        let mut t = String::new();
        while t.len() < 1 << 20 {
            t.push_str(s);
        }
        t
    };
    let inputs: Vec<(&str, String)> = vec![
        ("1 MiB of chat text", mb("just chatting about the game tonight, ")),
        ("1 MiB of 'a '", mb("a ")),
        ("1 MiB of 's n a p '", mb("s n a p ")),
        ("1 MiB of leet '!@$|'", mb("!@$|")),
        ("1 MiB of one repeated letter", "n".repeat(1 << 20)),
        ("1 MiB of emoji", mb("😀")),
        ("1 MiB of Cyrillic lookalikes", mb("аdd mе оn ѕnар ")),
        ("1 MiB of CJK", mb("我们见面吧")),
        ("1 MiB of digits and emoji", mb("1234567890😀")),
        ("100,000 zero-width characters", "\u{200B}".repeat(100_000)),
        (
            "100,000 combining marks on one letter",
            format!(
                "a{}",
                (0..100_000)
                    .map(|i| char::from_u32(0x0300 + (i % 0x45)).unwrap())
                    .collect::<String>()
            ),
        ),
        (
            "every confusable in one line",
            confusables().into_iter().collect(),
        ),
        (
            "every scalar value below U+30000",
            (0..0x3_0000).filter_map(char::from_u32).collect(),
        ),
        (
            "1 MiB of 'don't tell your parents '",
            mb("don't tell your parents "),
        ),
    ];
    for (label, text) in &inputs {
        let m = msg(text.clone());
        time(&format!("assess (small policy, 2 MiB limit): {label}"), || {
            big.assess(&m)
        });
        time(&format!("assess (shipped, 64 KiB limit): {label}"), || {
            shipped.assess(&m)
        });
    }
    let terms = words(100_000);
    let rule = format!(
        "[[rule]]\nid = \"big\"\ncategory = \"secrecy\"\nweight = 5\nany = {}\n",
        quoted(&terms)
    );
    let e = time("compile a policy with 100,000 terms in one rule", || {
        build(&[BASE, &rule]).unwrap()
    });
    let m = msg(mb("qabcdx hello "));
    time("assess 1 MiB under it (64 KiB limit)", || e.assess(&m));
    let text = many_rules(&terms);
    let e = time("compile a policy with 100,000 rules", || {
        build(&[BASE, &text]).unwrap()
    });
    time("assess 1 MiB under it (64 KiB limit)", || e.assess(&m));
    for pattern in [r"(a+)+$", r"(\w+\s?)*$", r"(.*a){20}", r"\b\w{10}\b"] {
        let e = build(&[BASE, &pattern_rule(pattern)]).unwrap();
        for (label, text) in [
            ("64 KiB of 'a'", "a".repeat(65_000)),
            ("64 KiB of 'a '", "a ".repeat(32_000)),
        ] {
            let m = msg(text);
            time(&format!("regex {pattern} on {label}"), || e.assess(&m));
        }
    }
    let rule = "[[rule]]\nid = \"w\"\ncategory = \"secrecy\"\nweight = 5\nany = [\"*ab*\", \"*ba*\"]\n";
    let e = build(&[BASE, rule]).unwrap();
    let m = msg("ab".repeat(32_000));
    time("wildcards *ab* *ba* in one 64 KiB word", || e.assess(&m));
}
