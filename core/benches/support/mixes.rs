//! Message mixes for Vigil's benchmarks, shared by the criterion benches (`core/benches/`) and the
//! side-by-side harness (`bench/`, which includes this file by path).
//!
//! Every mix is drawn from the labelled corpus (`tests/corpus/*.jsonl`, synthetic conversations in
//! eight languages) and is deterministic: the same messages on every run and every machine.
//!
//! * `corpus` — the corpus as it is (short chat lines; about two thirds ASCII).
//! * `ascii`, `non-ascii` — its ASCII-only and its other messages.
//! * `evasive` — every corpus message with one to three words disguised by one evasion (leetspeak,
//!   spaced or dotted letters, Cyrillic lookalikes, zero-width characters, fullwidth forms,
//!   stretched letters, stacked diacritics, upper case with punctuation).
//! * `scripts` — benign chat lines in non-Latin scripts (Cyrillic, Greek, Arabic, Hebrew,
//!   Devanagari, Thai, CJK, Hangul, emoji), with corpus metadata.
//! * `long` — corpus texts joined into messages of 1 to 4 KiB.
//!
//! Fixtures stay at safety-lexicon level: the texts are the corpus's, or benign.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::PathBuf;

use vigil::{Message, Timestamp};

/// The repository root (`VIGIL_ROOT`, or the parent of the crate being built).
pub fn repo_root() -> PathBuf {
    match std::env::var_os("VIGIL_ROOT") {
        Some(r) => PathBuf::from(r),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
    }
}

/// Every message of the labelled corpus, file by file in name order.
pub fn corpus() -> Vec<Message> {
    let dir = repo_root().join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.ends_with(".jsonl") && !name.ends_with(".labels.jsonl")
        })
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("reading {}: {e}", f.display()));
        for m in vigil::jsonl::parse(&text) {
            out.push(m.unwrap_or_else(|e| panic!("{}: {e}", f.display())));
        }
    }
    assert!(!out.is_empty(), "no corpus messages in {}", dir.display());
    out
}

/// A named set of messages.
#[derive(Clone)]
pub struct Mix {
    /// Short name (`corpus`, `evasive`, ...).
    pub name: &'static str,
    /// One line on what it is.
    pub about: &'static str,
    /// The messages.
    pub messages: Vec<Message>,
}

impl Mix {
    /// Total text bytes.
    pub fn bytes(&self) -> u64 {
        self.messages.iter().map(|m| m.text.len() as u64).sum()
    }

    /// Share of messages whose text is pure ASCII.
    pub fn ascii_share(&self) -> f64 {
        let n = self.messages.iter().filter(|m| m.text.is_ascii()).count();
        n as f64 / self.messages.len().max(1) as f64
    }

    /// Mean text length in bytes.
    pub fn mean_len(&self) -> f64 {
        self.bytes() as f64 / self.messages.len().max(1) as f64
    }
}

/// A small deterministic generator (xorshift64*).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// Every mix, in the order the reports list them.
pub fn all(corpus: &[Message]) -> Vec<Mix> {
    vec![
        Mix {
            name: "corpus",
            about: "the labelled corpus as is (8 languages)",
            messages: corpus.to_vec(),
        },
        Mix {
            name: "ascii",
            about: "corpus messages that are pure ASCII",
            messages: corpus.iter().filter(|m| m.text.is_ascii()).cloned().collect(),
        },
        Mix {
            name: "non-ascii",
            about: "corpus messages with other characters (accents, emoji)",
            messages: corpus.iter().filter(|m| !m.text.is_ascii()).cloned().collect(),
        },
        evasive(corpus),
        scripts(corpus),
        long(corpus),
    ]
}

/// The named mix.
pub fn by_name(corpus: &[Message], name: &str) -> Option<Mix> {
    all(corpus).into_iter().find(|m| m.name == name)
}

/// The evasions the `evasive` mix applies.
pub const EVASIONS: &[&str] = &[
    "leetspeak",
    "spaced",
    "dotted",
    "cyrillic",
    "zero-width",
    "fullwidth",
    "stretched",
    "diacritics",
    "shouting",
];

/// Disguises `word` with evasion number `kind` (an index into [`EVASIONS`]).
pub fn evade_word(word: &str, kind: usize) -> String {
    let mut out = String::with_capacity(word.len() * 3);
    match kind % EVASIONS.len() {
        0 => out.extend(word.chars().map(|c| match c {
            'a' => '4',
            'e' => '3',
            'o' => '0',
            't' => '7',
            's' => '5',
            'i' => '1',
            c => c,
        })),
        1 | 2 => {
            let sep = if kind % EVASIONS.len() == 1 { ' ' } else { '.' };
            for (i, c) in word.chars().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                out.push(c);
            }
        }
        3 => out.extend(word.chars().map(|c| match c {
            'a' => 'а',
            'e' => 'е',
            'o' => 'о',
            'p' => 'р',
            'c' => 'с',
            'x' => 'х',
            'y' => 'у',
            'i' => 'і',
            c => c,
        })),
        4 => {
            for (i, c) in word.chars().enumerate() {
                if i > 0 {
                    out.push('\u{200B}');
                }
                out.push(c);
            }
        }
        5 => out.extend(word.chars().map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            c => c,
        })),
        6 => {
            for c in word.chars() {
                out.push(c);
                if "aeiouy".contains(c) {
                    out.push(c);
                    out.push(c);
                }
            }
        }
        7 => {
            for c in word.chars() {
                out.push(c);
                if c.is_alphabetic() {
                    out.push('\u{0301}');
                    out.push('\u{0308}');
                }
            }
        }
        _ => {
            out.extend(word.chars().flat_map(char::to_uppercase));
            out.push_str("!!");
        }
    }
    out
}

/// Disguises a run of one to three words of `text`.
pub fn evade(text: &str, rng: &mut Rng) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let kind = rng.below(EVASIONS.len());
    let run = 1 + rng.below(3);
    let from = rng.below(words.len().saturating_sub(run - 1).max(1));
    let mut out = String::with_capacity(text.len() * 3);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if (from..from + run).contains(&i) {
            out.push_str(&evade_word(w, kind));
        } else {
            out.push_str(w);
        }
    }
    out
}

/// The `evasive` mix.
pub fn evasive(corpus: &[Message]) -> Mix {
    let mut rng = Rng::new(7);
    Mix {
        name: "evasive",
        about: "corpus messages with 1-3 words disguised (leetspeak, spacing, lookalikes, ...)",
        messages: corpus
            .iter()
            .map(|m| Message {
                text: evade(&m.text, &mut rng),
                ..m.clone()
            })
            .collect(),
    }
}

/// Benign chat lines in scripts other than Latin.
pub const SCRIPT_LINES: &[&str] = &[
    "привет, как дела? во что играешь сегодня?",
    "дякую за гру, завтра продовжимо після школи",
    "καλημέρα, ποιο παιχνίδι παίζεις σήμερα;",
    "مرحبا، هل تريد أن نلعب معا بعد المدرسة؟",
    "שלום, מה שלומך? בוא נשחק אחר כך",
    "नमस्ते, आज कौन सा खेल खेलोगे? होमवर्क के बाद मिलते हैं",
    "สวัสดี วันนี้เล่นเกมอะไรดี ทำการบ้านเสร็จหรือยัง",
    "こんにちは、今日は何のゲームをする？宿題が終わったら遊ぼう",
    "你好，今天玩什么游戏？做完作业再玩吧",
    "안녕, 오늘 무슨 게임 할래? 숙제 끝나고 하자",
    "gg 😂😂 nice one 👍🏽 see u tmrw 🎮",
    "ok 好的 see you 明天 👋 спасибо",
    "Ура! Мы выиграли турнир 🏆 завтра тренировка в 5",
    "今日のボス戦むずかしかったね 😅 また明日",
];

/// The `scripts` mix.
pub fn scripts(corpus: &[Message]) -> Mix {
    Mix {
        name: "scripts",
        about: "benign lines in Cyrillic, Greek, Arabic, Hebrew, Devanagari, Thai, CJK, Hangul, emoji",
        messages: corpus
            .iter()
            .enumerate()
            .map(|(i, m)| Message {
                text: SCRIPT_LINES[i % SCRIPT_LINES.len()].to_string(),
                ..m.clone()
            })
            .collect(),
    }
}

/// The `long` mix: corpus texts joined into messages of 1 to 4 KiB.
pub fn long(corpus: &[Message]) -> Mix {
    let mut rng = Rng::new(11);
    let mut messages = Vec::new();
    let mut texts = corpus.iter().map(|m| m.text.as_str()).cycle();
    for m in corpus.iter().step_by(16) {
        let target = 1024 + rng.below(3 * 1024);
        let mut text = String::with_capacity(target + 256);
        while text.len() < target {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(texts.next().unwrap_or("hello"));
        }
        messages.push(Message { text, ..m.clone() });
    }
    Mix {
        name: "long",
        about: "corpus texts joined into messages of 1-4 KiB",
        messages,
    }
}

/// Messages whose texts are exactly `len` bytes (or a few less, to end on a character boundary),
/// cut from the corpus texts joined together; enough of them for about 1 MiB of text (at least
/// 64 and at most 4096 messages).
pub fn of_length(corpus: &[Message], len: usize) -> Vec<Message> {
    let count = ((1 << 20) / len.max(1)).clamp(64, 4096);
    let mut joined = String::new();
    for m in corpus {
        joined.push_str(&m.text);
        joined.push(' ');
    }
    let mut out = Vec::with_capacity(count);
    let mut at = 0;
    for m in corpus.iter().cycle().take(count) {
        if at + len > joined.len() {
            at = 0;
        }
        let mut start = at;
        while !joined.is_char_boundary(start) {
            start += 1;
        }
        let mut end = (start + len).min(joined.len());
        while !joined.is_char_boundary(end) {
            end -= 1;
        }
        out.push(Message {
            text: joined[start..end].to_string(),
            ..m.clone()
        });
        at = end;
    }
    out
}

/// `n` distinct generated terms of one to three made-up words (consonant-vowel syllables), for
/// measuring how cost grows with the number of terms.
pub fn generated_terms(n: usize, seed: u64) -> Vec<String> {
    const C: &[u8] = b"bdfgkmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut rng = Rng::new(seed);
    let mut seen = std::collections::HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let words = 1 + rng.below(3);
        let mut term = String::new();
        for w in 0..words {
            if w > 0 {
                term.push(' ');
            }
            for _ in 0..2 + rng.below(3) {
                term.push(char::from(C[rng.below(C.len())]));
                term.push(char::from(V[rng.below(V.len())]));
            }
        }
        if seen.insert(term.clone()) {
            out.push(term);
        }
    }
    out
}

/// A policy layer (TOML) that adds `terms` as rules of 10 terms each in the `secrecy` category.
pub fn terms_layer(terms: &[String]) -> String {
    let mut s = String::from("[policy]\nid = \"generated\"\nversion = \"1\"\n\n");
    for (i, chunk) in terms.chunks(10).enumerate() {
        let _ = writeln!(
            s,
            "[[rule]]\nid = \"gen.{i}\"\ncategory = \"secrecy\"\nweight = 1"
        );
        s.push_str("any = [");
        for (j, t) in chunk.iter().enumerate() {
            if j > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "\"{t}\"");
        }
        s.push_str("]\n\n");
    }
    s
}

/// A tracker population: `conversations` direct conversations of two participants, each with
/// 1 to 4 corpus messages in both directions (so about two keys per conversation, some of them
/// risky with evidence), timestamps rising from `start_ms`.
pub fn population(corpus: &[Message], conversations: usize, start_ms: i64) -> Vec<Message> {
    let mut rng = Rng::new(3);
    let mut out = Vec::with_capacity(conversations * 3);
    let mut texts = corpus.iter().cycle();
    let mut ts = start_ms;
    for c in 0..conversations {
        let conv = format!("pop-{c}");
        let a = format!("pop-{c}-a");
        let b = format!("pop-{c}-b");
        for k in 0..1 + rng.below(4) {
            let Some(src) = texts.next() else { break };
            let (s, r) = if k % 2 == 0 { (&a, &b) } else { (&b, &a) };
            let mut m = src.clone();
            m.conversation_id = conv.clone();
            m.message_id = format!("m-{k}");
            m.timestamp = Timestamp::from_millis(ts);
            m.sender.id = s.clone();
            let mut rcpt = src.recipient.clone().unwrap_or_else(|| src.sender.clone());
            rcpt.id = r.clone();
            m.recipient = Some(rcpt);
            m.channel = vigil::Channel::Direct.into();
            ts += 1000;
            out.push(m);
        }
    }
    out
}

/// Moves every timestamp of `messages` by `ms`.
pub fn shift(messages: &mut [Message], ms: i64) {
    for m in messages {
        m.timestamp = Timestamp::from_millis(m.timestamp.as_millis().saturating_add(ms));
    }
}

/// The latest timestamp of `messages`.
pub fn latest(messages: &[Message]) -> i64 {
    messages
        .iter()
        .map(|m| m.timestamp.as_millis())
        .max()
        .unwrap_or(0)
}
