//! The scanners behind [`Extractor::find`](super::Extractor::find): one compiled pattern per
//! shape, checked in code (boundaries, context words, checksums), then overlaps resolved.
//!
//! Every offset handed around here is a byte offset of the text on a character boundary: regex
//! matches are, and the hand-written parsers step over ASCII bytes only.

use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;

use super::{checks, Extractor, Indicator, IndicatorKind};
use crate::Span;

/// The most candidates one text yields before overlaps are resolved.
const MAX_CANDIDATES: usize = 256;

/// Overlap priorities (lower wins).
mod prio {
    pub(super) const LINK: u8 = 0;
    pub(super) const EMAIL: u8 = 1;
    pub(super) const EMAIL_WORDS: u8 = 2;
    pub(super) const WALLET: u8 = 3;
    pub(super) const IBAN: u8 = 4;
    pub(super) const APP: u8 = 5;
    pub(super) const CASHTAG: u8 = 6;
    pub(super) const PHONE: u8 = 7;
    pub(super) const GIFT: u8 = 8;
    pub(super) const AT: u8 = 9;
}

const PHONE: &str = r"(?:\(\+[0-9]{1,4}\)[ .\-\u{A0}]?|\+)?(?:\([0-9]{1,5}\)|[0-9])(?:[ .\-\u{A0}]?(?:\([0-9]{1,5}\)|[0-9]))*";
const EMAIL: &str = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}";
const EMAIL_WORDS: &str = concat!(
    r"([A-Za-z0-9][A-Za-z0-9._\-]{0,63})\s*",
    r"(\(\s*(?i:at)\s*\)|\[\s*(?i:at)\s*\]|\{\s*(?i:at)\s*\}|<\s*(?i:at)\s*>|\s(?i:at)\s|@)",
    r"\s*([A-Za-z0-9][A-Za-z0-9\-]{0,62})\s*",
    r"(\(\s*(?i:dot)\s*\)|\[\s*(?i:dot)\s*\]|\{\s*(?i:dot)\s*\}|<\s*(?i:dot)\s*>|\s(?i:dot)\s|\.)",
    r"\s*([A-Za-z]{2,10})"
);
const AT_HANDLE: &str = r"@[A-Za-z0-9_][A-Za-z0-9_.]{0,29}";
const APP: &str = concat!(
    r"(?i-u)\b(?:snapchat|snap|sc|instagram|insta|ig|discord|dc|telegram|tele|tg|kik|whatsapp|",
    r"whats ?app|wa|tiktok|tik ?tok|tt|roblox|rblx|venmo|cash ?app)\b"
);
const LINK: &str = concat!(
    r"(?i-u)(?:https?://)?(?:www\.|m\.)?(?:discord(?:app)?\.com/invite/|discord\.gg/|t\.me/|",
    r"telegram\.(?:me|dog)/|chat\.whatsapp\.com/(?:invite/)?|wa\.me/|snapchat\.com/add/|",
    r"instagram\.com/|instagr\.am/|tiktok\.com/@|kik\.me/|roblox\.com/users/|paypal\.me/|",
    r"paypal\.com/paypalme/|account\.venmo\.com/u/|venmo\.com/(?:u/)?|cash\.app/|cash\.me/)"
);
const CASHTAG: &str = r"\$[A-Za-z][A-Za-z0-9_]{1,19}";
const IBAN: &str = r"\b[A-Z]{2}[0-9]{2}(?:[ \u{A0}]?[A-Z0-9]{4}){2,7}(?:[ \u{A0}]?[A-Z0-9]{1,4})?\b";
const ETH: &str = r"\b0x[0-9a-fA-F]{40}\b";
const BASE58: &str = r"\b[13LMDT][1-9A-HJ-NP-Za-km-z]{25,34}\b";
const MONERO: &str = r"\b[48][1-9A-HJ-NP-Za-km-z]{94}(?:[1-9A-HJ-NP-Za-km-z]{11})?\b";
const BECH32: &str = r"(?i-u)\b(?:bc|ltc)1[02-9ac-hj-np-z]{6,87}\b";
const GIFT_DASHED: &str = r"[A-Za-z0-9]{3,7}(?:-[A-Za-z0-9]{3,7}){1,5}";
const GIFT_SPACED: &str = r"[A-Z0-9]{3,7}(?: [A-Z0-9]{3,7}){1,5}";
const GIFT_COMPACT: &str = r"[A-Z0-9]{10,25}";

/// Words that let a number without separators, or with fewer than 10 digits, be a phone.
const PHONE_WORDS: &[&str] = &[
    "number",
    "num",
    "phone",
    "telephone",
    "cell",
    "mobile",
    "mob",
    "tel",
    "text",
    "txt",
    "call",
    "ring",
    "whatsapp",
    "whats app",
    "signal",
    "sms",
    "digits",
    "contact",
    "hmu",
    "dial",
    "ph",
];

/// Words before an app's name that make a letters-only name after it a handle.
const LEAD_INS: &[&str] = &[
    "my",
    "add",
    "follow",
    "hmu",
    "dm",
    "message",
    "msg",
    "contact",
    "find",
    "hit me up",
];

/// Gift words: the word, the brand it names, and whether it is strong enough for any code shape.
const GIFT_WORDS: &[(&str, Option<&str>, bool)] = &[
    ("gift card", None, true),
    ("giftcard", None, true),
    ("gift code", None, true),
    ("gift", None, true),
    ("redeem", None, true),
    ("steam", Some("steam"), true),
    ("amazon", Some("amazon"), true),
    ("google play", Some("google_play"), true),
    ("play store", Some("google_play"), true),
    ("itunes", Some("apple"), true),
    ("apple", Some("apple"), true),
    ("app store", Some("apple"), true),
    ("roblox", Some("roblox"), true),
    ("robux", Some("roblox"), true),
    ("psn", Some("playstation"), true),
    ("playstation", Some("playstation"), true),
    ("xbox", Some("xbox"), true),
    ("nintendo", Some("nintendo"), true),
    ("eshop", Some("nintendo"), true),
    ("razer", Some("razer"), true),
    ("vanilla", Some("visa"), true),
    ("visa", Some("visa"), true),
    ("code", None, false),
    ("card", None, false),
    ("pin", None, false),
];

/// Groups trimmed off either end of a grouped gift code (`STEAM CODE ABCD 1234 EFGH`).
const GIFT_TRIM: &str = "
    gift card code codes pin steam amazon xbox psn roblox robux itunes apple google play store
    redeem visa the its here your this key
";

/// Ordinary words: never a handle's name, nor the name of a written-out e-mail.
const STOP: &str = "
    a about acc account add admin admins after again all also am an and any anymore anyone app are
    as at babe back bad banned be because been before better blocked boring both bro broken but by
    call calls can cant channel chat church code contact cool could dead deleted did discord dm dms
    do does done down dude either email else ever everyone find fine first follow followers for free
    friend friends from fun gc get girl go gone good got great group hacked had haha hahaha handle
    has have he her here hey hi him his hit home how i id idk if ig im in insta instagram instead is
    it its just k kik lagging later like link lmao lol look looking mail mall man me meet message
    messages mine mod mods more msg my name nah need never new nice night no noon not now num number
    of off ok okay old omg on one only or our out over park phone pic pics please pls plz private
    profile public reach real right roblox rn same school see send server she snap snapchat so
    someone soon stay still stories story streak streaks sure talk telegram text than thanks that
    the their them then there these they thing this tho those though thx tiktok to today tomorrow
    tonight too ty u up ur us user username venmo video want was we were what whatever whatsapp when
    where which who why will with work would ya yea yeah yes yesterday yet you your
";

/// Common mail providers: the only domains a bare ` at ` may introduce.
const MAIL_PROVIDERS: &str = "
    gmail googlemail yahoo ymail hotmail outlook live msn icloud aol proton protonmail gmx mail
    yandex zoho tutanota qq
";

/// Top-level domains read in written-out e-mails.
const TLDS: &str = "
    com net org edu gov io co me uk de fr es it nl pl ru ca au br in info biz us ch at be se no dk
    fi jp mx ie nz cz pt
";

/// Currencies and common tickers: `$USD` is no cashtag.
const NOT_CASHTAGS: &str = "
    usd cad aud nzd hkd sgd mxn eur gbp jpy btc eth ltc xmr usdt usdc doge sol bnb trx xrp ada spx
    spy qqq tsla aapl amzn goog nvda msft
";

/// Country codes of the IBAN registry.
const IBAN_COUNTRIES: &str = "
    AD AE AL AT AZ BA BE BG BH BI BR BY CH CR CY CZ DE DJ DK DO EE EG ES FI FK FO FR GB GE GI GL GR
    GT HR HU IE IL IQ IS IT JO KW KZ LB LC LI LT LU LV LY MC MD ME MK MN MR MT MU NI NL NO OM PK PL
    PS PT QA RO RS RU SA SC SD SE SI SK SM SO ST SV TL TN TR UA VA VG XK YE
";

/// The compiled patterns of an [`Extractor`].
#[derive(Debug, Clone)]
pub(super) struct Patterns {
    phone: Regex,
    email: Regex,
    email_words: Regex,
    at_handle: Regex,
    app: Regex,
    link: Regex,
    cashtag: Regex,
    iban: Regex,
    eth: Regex,
    base58: Regex,
    monero: Regex,
    bech32: Regex,
    gift_dashed: Regex,
    gift_spaced: Regex,
    gift_compact: Regex,
    phone_words: AhoCorasick,
    lead_ins: AhoCorasick,
    gift_words: AhoCorasick,
}

impl Patterns {
    pub(super) fn new() -> Patterns {
        // The patterns are constants; `patterns_compile` tests them.
        #[allow(clippy::expect_used)]
        Patterns::build().expect("the indicator patterns compile")
    }

    pub(super) fn build() -> Result<Patterns, String> {
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        let words = |w: &[&str]| {
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::LeftmostLongest)
                .build(w)
                .map_err(|e| e.to_string())
        };
        let gift: Vec<&str> = GIFT_WORDS.iter().map(|w| w.0).collect();
        Ok(Patterns {
            phone: re(PHONE)?,
            email: re(EMAIL)?,
            email_words: re(EMAIL_WORDS)?,
            at_handle: re(AT_HANDLE)?,
            app: re(APP)?,
            link: re(LINK)?,
            cashtag: re(CASHTAG)?,
            iban: re(IBAN)?,
            eth: re(ETH)?,
            base58: re(BASE58)?,
            monero: re(MONERO)?,
            bech32: re(BECH32)?,
            gift_dashed: re(GIFT_DASHED)?,
            gift_spaced: re(GIFT_SPACED)?,
            gift_compact: re(GIFT_COMPACT)?,
            phone_words: words(PHONE_WORDS)?,
            lead_ins: words(LEAD_INS)?,
            gift_words: words(&gift)?,
        })
    }
}

/// A candidate before overlaps are resolved.
struct Candidate {
    prio: u8,
    indicator: Indicator,
}

/// The candidates of one text.
struct Out<'t> {
    text: &'t str,
    candidates: Vec<Candidate>,
}

impl Out<'_> {
    fn full(&self) -> bool {
        self.candidates.len() >= MAX_CANDIDATES
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        prio: u8,
        kind: IndicatorKind,
        start: usize,
        end: usize,
        value: String,
        detail: Option<&str>,
        checked: Option<bool>,
    ) {
        if self.full() || start >= end || end > self.text.len() {
            return;
        }
        let indicator = Indicator {
            kind,
            value,
            span: Span { start, end },
            detail: detail.map(str::to_owned),
            checked,
        };
        self.candidates.push(Candidate { prio, indicator });
    }
}

/// What a text contains, to skip scanners that cannot match.
struct Stats {
    digits: usize,
    at: bool,
    dollar: bool,
    slash: bool,
    longest_alnum: usize,
}

impl Stats {
    fn of(text: &str) -> Stats {
        let mut s = Stats {
            digits: 0,
            at: false,
            dollar: false,
            slash: false,
            longest_alnum: 0,
        };
        let mut run = 0;
        for &c in text.as_bytes() {
            s.digits += usize::from(c.is_ascii_digit());
            s.at |= c == b'@';
            s.dollar |= c == b'$';
            s.slash |= c == b'/';
            run = if c.is_ascii_alphanumeric() { run + 1 } else { 0 };
            s.longest_alnum = s.longest_alnum.max(run);
        }
        s
    }
}

/// [`Extractor::find`].
pub(super) fn find(p: &Patterns, text: &str) -> Vec<Indicator> {
    let stats = Stats::of(text);
    let mut out = Out {
        text,
        candidates: Vec::new(),
    };
    if stats.slash {
        p.links(&mut out);
    }
    if stats.at {
        p.emails(&mut out);
    }
    if has_written_out_email_words(text) {
        p.written_out_emails(&mut out);
    }
    if stats.longest_alnum >= 14 {
        p.wallets(&mut out, stats.longest_alnum);
    }
    if stats.digits >= 8 {
        p.ibans(&mut out);
    }
    p.app_handles(&mut out);
    if stats.dollar {
        p.cashtags(&mut out);
    }
    if stats.digits >= 7 {
        p.phones(&mut out);
    }
    if stats.digits >= 2 {
        p.gift_cards(&mut out);
    }
    if stats.at {
        p.at_handles(&mut out);
    }
    resolve(out.candidates)
}

/// Keeps the candidates that overlap no stronger (or earlier, equally strong) one, in text order.
fn resolve(mut candidates: Vec<Candidate>) -> Vec<Indicator> {
    candidates.sort_by_key(|c| (c.prio, c.indicator.span.start, usize::MAX - c.indicator.span.end));
    let mut kept: Vec<Indicator> = Vec::with_capacity(candidates.len());
    for c in candidates {
        let s = c.indicator.span;
        if !kept.iter().any(|k| k.span.start < s.end && s.start < k.span.end) {
            kept.push(c.indicator);
        }
    }
    kept.sort_by_key(|i| i.span.start);
    kept.truncate(Extractor::MAX_PER_MESSAGE);
    kept
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text.get(..i)?.chars().next_back()
}

fn next_char(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Whether `b[s..e]` is a whole word (a plural `s` may follow).
fn whole_word(b: &[u8], s: usize, e: usize) -> bool {
    let before = s == 0 || b.get(s - 1).is_some_and(|c| !c.is_ascii_alphanumeric());
    let e = if b.get(e) == Some(&b's') { e + 1 } else { e };
    before && b.get(e).is_none_or(|c| !c.is_ascii_alphanumeric())
}

/// Whole-word matches of `words` within `text[from..to]`: (start, end, pattern index).
fn word_hits<'a>(
    words: &'a AhoCorasick,
    text: &'a str,
    from: usize,
    to: usize,
) -> impl Iterator<Item = (usize, usize, usize)> + 'a {
    let from = floor_boundary(text, from);
    let to = ceil_boundary(text, to).max(from);
    let b = text.as_bytes();
    words
        .find_iter(&text[from..to])
        .map(move |m| (from + m.start(), from + m.end(), m.pattern().as_usize()))
        .filter(move |&(s, e, _)| whole_word(b, s, e))
}

/// Whether `word` is one of the whitespace-separated words of `list` (ASCII case ignored).
fn in_list(list: &str, word: &str) -> bool {
    list.split_ascii_whitespace()
        .any(|w| w.eq_ignore_ascii_case(word))
}

fn has_written_out_email_words(text: &str) -> bool {
    let b = text.as_bytes();
    let has = |w: &[u8]| b.windows(w.len()).any(|x| x.eq_ignore_ascii_case(w));
    has(b"dot")
        || b.windows(3)
            .any(|x| matches!(x[0], b'(' | b'[' | b'{' | b'<') && x[1..].eq_ignore_ascii_case(b"at"))
        || (has(b" at ") && b.contains(&b'.'))
}

/// A name that is a number with a short unit: `2nd`, `5pm`, `10k`, `13yo`.
fn numeric_word(name: &str) -> bool {
    let rest = name.trim_start_matches(|c: char| c.is_ascii_digit());
    rest.len() < name.len() && rest.len() <= 3 && rest.bytes().all(|c| c.is_ascii_alphabetic())
}

// ---------------------------------------------------------------------------------------------
// Links.

/// How a link's path becomes its value.
#[derive(Clone, Copy)]
enum PathRule {
    /// An invite code: one segment, case kept.
    Code,
    /// A username: one segment, lower-cased.
    Name,
    /// `t.me/+code`, `t.me/joinchat/code` (case kept) or `t.me/name`.
    Telegram,
    /// `instagram.com/name`, or `instagram.com/p/code` (and reel, tv, stories).
    Instagram,
    /// Digits only (`wa.me/…`, `roblox.com/users/…`).
    Digits,
    /// `cash.app/$name`: value `$name`.
    Cashtag,
    /// `venmo.com/name`: value `@name`.
    Venmo,
    /// `paypal.me/name`: value `paypal.me/name`.
    PayPal,
}

/// A link prefix (lower-case, without scheme and `www.`): kind, detail, canonical prefix, rule.
const LINKS: &[(&str, IndicatorKind, &str, &str, PathRule)] = &[
    (
        "discord.gg/",
        IndicatorKind::InviteLink,
        "discord",
        "discord.gg/",
        PathRule::Code,
    ),
    (
        "discord.com/invite/",
        IndicatorKind::InviteLink,
        "discord",
        "discord.gg/",
        PathRule::Code,
    ),
    (
        "discordapp.com/invite/",
        IndicatorKind::InviteLink,
        "discord",
        "discord.gg/",
        PathRule::Code,
    ),
    (
        "t.me/",
        IndicatorKind::InviteLink,
        "telegram",
        "t.me/",
        PathRule::Telegram,
    ),
    (
        "telegram.me/",
        IndicatorKind::InviteLink,
        "telegram",
        "t.me/",
        PathRule::Telegram,
    ),
    (
        "telegram.dog/",
        IndicatorKind::InviteLink,
        "telegram",
        "t.me/",
        PathRule::Telegram,
    ),
    (
        "chat.whatsapp.com/",
        IndicatorKind::InviteLink,
        "whatsapp",
        "chat.whatsapp.com/",
        PathRule::Code,
    ),
    (
        "chat.whatsapp.com/invite/",
        IndicatorKind::InviteLink,
        "whatsapp",
        "chat.whatsapp.com/",
        PathRule::Code,
    ),
    (
        "wa.me/",
        IndicatorKind::InviteLink,
        "whatsapp",
        "wa.me/",
        PathRule::Digits,
    ),
    (
        "snapchat.com/add/",
        IndicatorKind::InviteLink,
        "snapchat",
        "snapchat.com/add/",
        PathRule::Name,
    ),
    (
        "instagram.com/",
        IndicatorKind::InviteLink,
        "instagram",
        "instagram.com/",
        PathRule::Instagram,
    ),
    (
        "instagr.am/",
        IndicatorKind::InviteLink,
        "instagram",
        "instagram.com/",
        PathRule::Instagram,
    ),
    (
        "tiktok.com/@",
        IndicatorKind::InviteLink,
        "tiktok",
        "tiktok.com/@",
        PathRule::Name,
    ),
    (
        "kik.me/",
        IndicatorKind::InviteLink,
        "kik",
        "kik.me/",
        PathRule::Name,
    ),
    (
        "roblox.com/users/",
        IndicatorKind::InviteLink,
        "roblox",
        "roblox.com/users/",
        PathRule::Digits,
    ),
    (
        "paypal.me/",
        IndicatorKind::PaymentHandle,
        "paypal",
        "",
        PathRule::PayPal,
    ),
    (
        "paypal.com/paypalme/",
        IndicatorKind::PaymentHandle,
        "paypal",
        "",
        PathRule::PayPal,
    ),
    (
        "account.venmo.com/u/",
        IndicatorKind::PaymentHandle,
        "venmo",
        "",
        PathRule::Venmo,
    ),
    (
        "venmo.com/",
        IndicatorKind::PaymentHandle,
        "venmo",
        "",
        PathRule::Venmo,
    ),
    (
        "venmo.com/u/",
        IndicatorKind::PaymentHandle,
        "venmo",
        "",
        PathRule::Venmo,
    ),
    (
        "cash.app/",
        IndicatorKind::PaymentHandle,
        "cashapp",
        "",
        PathRule::Cashtag,
    ),
    (
        "cash.me/",
        IndicatorKind::PaymentHandle,
        "cashapp",
        "",
        PathRule::Cashtag,
    ),
];

/// Instagram paths that are pages of the site, not profiles.
const INSTAGRAM_PAGES: &str = "
    explore accounts about legal direct developer web
";

/// The end of the path segment starting at `i` (letters, digits, `_ - . + $`), without a trailing
/// `.` (end of sentence).
fn segment_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'-' | b'.' | b'+' | b'$')) {
        j += 1;
    }
    while j > i && b[j - 1] == b'.' {
        j -= 1;
    }
    j
}

fn name_chars(s: &str, extra: &[u8]) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || extra.contains(&c))
}

impl Patterns {
    fn links(&self, out: &mut Out<'_>) {
        let text = out.text;
        let b = text.as_bytes();
        for m in self.link.find_iter(text) {
            if out.full() {
                return;
            }
            let matched = m.as_str().to_ascii_lowercase();
            let mut host = matched.as_str();
            let mut schemed = false;
            for scheme in ["https://", "http://"] {
                if let Some(rest) = host.strip_prefix(scheme) {
                    host = rest;
                    schemed = true;
                }
            }
            for www in ["www.", "m."] {
                if let Some(rest) = host.strip_prefix(www) {
                    host = rest;
                }
            }
            if let Some(c) = prev_char(text, m.start()) {
                if c.is_alphanumeric() || (!schemed && matches!(c, '.' | '-' | '_' | '@' | '/')) {
                    continue;
                }
            }
            let Some(&(_, kind, detail, canon, rule)) = LINKS.iter().find(|l| l.0 == host) else {
                continue;
            };
            let s1 = m.end();
            let e1 = segment_end(b, s1);
            let seg = &text[s1..e1];
            let mut end = e1;
            let value = match rule {
                PathRule::Code if name_chars(seg, b"-") => format!("{canon}{seg}"),
                PathRule::Name if name_chars(seg, b".-") => format!("{canon}{}", seg.to_ascii_lowercase()),
                PathRule::Telegram => {
                    if let Some(code) = seg.strip_prefix('+').filter(|c| name_chars(c, b"-")) {
                        format!("{canon}+{code}")
                    } else if seg.eq_ignore_ascii_case("joinchat") && b.get(e1) == Some(&b'/') {
                        let e2 = segment_end(b, e1 + 1);
                        let code = &text[e1 + 1..e2];
                        if !name_chars(code, b"-") {
                            continue;
                        }
                        end = e2;
                        format!("{canon}joinchat/{code}")
                    } else if name_chars(seg, b"") {
                        format!("{canon}{}", seg.to_ascii_lowercase())
                    } else {
                        continue;
                    }
                }
                PathRule::Instagram => {
                    let lower = seg.to_ascii_lowercase();
                    if matches!(lower.as_str(), "p" | "reel" | "reels" | "tv" | "stories") {
                        if b.get(e1) != Some(&b'/') {
                            continue;
                        }
                        let e2 = segment_end(b, e1 + 1);
                        let code = &text[e1 + 1..e2];
                        if !name_chars(code, b"-.") {
                            continue;
                        }
                        end = e2;
                        format!("{canon}{lower}/{code}")
                    } else if name_chars(seg, b".") && !in_list(INSTAGRAM_PAGES, seg) {
                        format!("{canon}{lower}")
                    } else {
                        continue;
                    }
                }
                PathRule::Digits => {
                    let digits = seg.strip_prefix('+').unwrap_or(seg);
                    if digits.len() < 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                        continue;
                    }
                    format!("{canon}{digits}")
                }
                PathRule::Cashtag => match seg.strip_prefix('$') {
                    Some(name) if name_chars(name, b"") && name.len() <= 20 => {
                        format!("${}", name.to_ascii_lowercase())
                    }
                    _ => continue,
                },
                PathRule::Venmo => {
                    let name = seg.strip_prefix('@').unwrap_or(seg);
                    if !name_chars(name, b"-") || in_list("u about legal signup login", name) {
                        continue;
                    }
                    format!("@{}", name.to_ascii_lowercase())
                }
                PathRule::PayPal if name_chars(seg, b"") => format!("paypal.me/{}", seg.to_ascii_lowercase()),
                _ => continue,
            };
            out.push(prio::LINK, kind, m.start(), end, value, Some(detail), None);
        }
    }

    // -----------------------------------------------------------------------------------------
    // E-mails.

    fn emails(&self, out: &mut Out<'_>) {
        let text = out.text;
        for m in self.email.find_iter(text) {
            if out.full() {
                return;
            }
            let s = m.as_str();
            let Some(at) = s.find('@') else { continue };
            let lead = s.bytes().take_while(|c| !c.is_ascii_alphanumeric()).count();
            let local = s.get(lead..at).unwrap_or("");
            if local.is_empty() || local.len() > 64 || local.ends_with('.') || local.contains("..") {
                continue;
            }
            let start = m.start() + lead;
            if prev_char(text, start).is_some_and(char::is_alphanumeric) {
                continue;
            }
            if next_char(text, m.end()).is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '@')) {
                continue;
            }
            let value = text[start..m.end()].to_ascii_lowercase();
            out.push(
                prio::EMAIL,
                IndicatorKind::Email,
                start,
                m.end(),
                value,
                None,
                None,
            );
        }
    }

    fn written_out_emails(&self, out: &mut Out<'_>) {
        let text = out.text;
        let mut pos = 0;
        while let Some(c) = self.email_words.captures_at(text, pos) {
            if out.full() {
                return;
            }
            let (Some(local), Some(at), Some(domain), Some(dot), Some(tld)) =
                (c.get(1), c.get(2), c.get(3), c.get(4), c.get(5))
            else {
                return;
            };
            // A rejected match may hide one starting inside it (`me at cool.kid at gmail dot
            // com`): search again from its `at`, which lies after `pos`.
            pos = at.start();
            let at_symbol = at.as_str() == "@";
            if at_symbol && dot.as_str() == "." {
                continue; // a plain address: `emails` has it
            }
            let bare_at = at.as_str().trim().eq_ignore_ascii_case("at");
            let (l, d, t) = (local.as_str(), domain.as_str(), tld.as_str());
            if !in_list(TLDS, t)
                || in_list(STOP, l)
                || l.ends_with(['.', '-'])
                || (bare_at && !in_list(MAIL_PROVIDERS, d))
                || prev_char(text, local.start()).is_some_and(char::is_alphanumeric)
                || next_char(text, tld.end()).is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            pos = tld.end();
            let value = format!("{l}@{d}.{t}").to_ascii_lowercase();
            out.push(
                prio::EMAIL_WORDS,
                IndicatorKind::Email,
                local.start(),
                tld.end(),
                value,
                Some("obfuscated"),
                None,
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // Handles.

    fn at_handles(&self, out: &mut Out<'_>) {
        let text = out.text;
        for m in self.at_handle.find_iter(text) {
            if out.full() {
                return;
            }
            if prev_char(text, m.start()).is_some_and(|c| c.is_alphanumeric() || "_.@/-+=".contains(c)) {
                continue;
            }
            if next_char(text, m.end()).is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '@')) {
                continue; // a longer name, or `@a@b`
            }
            let name = m.as_str()[1..].trim_end_matches('.');
            if name.len() < 2
                || !name.bytes().any(|c| c.is_ascii_alphabetic())
                || numeric_word(name)
                || in_list(STOP, name)
            {
                continue;
            }
            let end = m.start() + 1 + name.len();
            out.push(
                prio::AT,
                IndicatorKind::Handle,
                m.start(),
                end,
                name.to_ascii_lowercase(),
                None,
                None,
            );
        }
    }

    fn app_handles(&self, out: &mut Out<'_>) {
        let text = out.text;
        for m in self.app.find_iter(text) {
            if out.full() {
                return;
            }
            let word: String = m
                .as_str()
                .bytes()
                .filter(|c| *c != b' ')
                .map(|c| char::from(c.to_ascii_lowercase()))
                .collect();
            let Some(app) = App::of(&word) else { continue };
            if let Some((start, end, name)) = self.app_name(text, &app, m.start(), m.end()) {
                let value = match app.canon {
                    "venmo" => format!("@{name}"),
                    "cashapp" => format!("${name}"),
                    _ => name,
                };
                let kind = if app.payment {
                    IndicatorKind::PaymentHandle
                } else {
                    IndicatorKind::Handle
                };
                out.push(prio::APP, kind, start, end, value, Some(app.canon), None);
            }
        }
    }

    /// The username after an app's name at `text[app_start..app_end]`: its span and lower-case
    /// value.
    fn app_name(
        &self,
        text: &str,
        app: &App,
        app_start: usize,
        app_end: usize,
    ) -> Option<(usize, usize, String)> {
        let b = text.as_bytes();
        let mut i = app_end;
        let (mut strong, mut weak) = (false, false);
        for _ in 0..4 {
            while b.get(i).is_some_and(|&c| c == b' ' || c == b'\t') {
                i += 1;
            }
            let c = *b.get(i)?;
            if matches!(c, b':' | b'-' | b'=' | b'>' | b'~' | b'|') {
                while b
                    .get(i)
                    .is_some_and(|&c| matches!(c, b':' | b'-' | b'=' | b'>' | b'~' | b'|'))
                {
                    i += 1;
                }
                strong = true;
                continue;
            }
            let ws = i;
            while b.get(i).is_some_and(|&c| c.is_ascii_alphabetic() || c == b'\'') {
                i += 1;
            }
            // A word followed by name characters is the name itself (`coolkid_22`).
            if b.get(i)
                .is_some_and(|&c| c.is_ascii_digit() || matches!(c, b'_' | b'.' | b'#'))
            {
                i = ws;
                break;
            }
            match text[ws..i].to_ascii_lowercase().as_str() {
                "is" | "its" | "it's" => weak = true,
                "username" | "user" | "name" | "handle" | "id" | "tag" | "acc" | "account" | "addy" => {
                    strong = true
                }
                "me" | "at" | "on" => {}
                _ => {
                    i = ws;
                    break;
                }
            }
        }
        let at = matches!(b.get(i), Some(b'@')) || (app.canon == "cashapp" && b.get(i) == Some(&b'$'));
        let span_start = i;
        if at {
            i += 1;
        }
        let name_start = i;
        while b.get(i).is_some_and(|&c| {
            c.is_ascii_alphanumeric() || c == b'_' || (c == b'.' && app.dot) || (c == b'-' && app.dash)
        }) {
            i += 1;
        }
        let mut end = i;
        while end > name_start && matches!(b[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let name = &text[name_start..end];
        if end == i && app.canon == "discord" && b.get(i) == Some(&b'#') {
            let tag = b.get(i + 1..i + 5).unwrap_or_default();
            if tag.len() == 4
                && tag.iter().all(u8::is_ascii_digit)
                && !b.get(i + 5).is_some_and(u8::is_ascii_alphanumeric)
            {
                end = i + 5;
            }
        }
        let tagged = end > i;
        // Not a name: continues in other letters, or is the start of a URL or e-mail.
        if next_char(text, end).is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '@')) {
            return None;
        }
        let first = *name.as_bytes().first()?;
        if !(first.is_ascii_alphanumeric() || first == b'_')
            || !(app.min..=app.max).contains(&name.len())
            || !name.bytes().any(|c| c.is_ascii_alphabetic())
            || numeric_word(name)
            || (!at && !tagged && in_list(STOP, name))
        {
            return None;
        }
        let symbols = tagged || name.bytes().any(|c| !c.is_ascii_alphabetic());
        let lead_in = || {
            word_hits(&self.lead_ins, text, app_start.saturating_sub(24), app_start).any(|h| h.1 <= app_start)
        };
        let accept = if app.abbr {
            strong || at || (weak && symbols) || lead_in()
        } else {
            strong || at || symbols || lead_in()
        };
        accept.then(|| (span_start, end, text[name_start..end].to_ascii_lowercase()))
    }

    // -----------------------------------------------------------------------------------------
    // Payment handles.

    fn cashtags(&self, out: &mut Out<'_>) {
        let text = out.text;
        for m in self.cashtag.find_iter(text) {
            if out.full() {
                return;
            }
            if prev_char(text, m.start()).is_some_and(|c| c.is_alphanumeric() || matches!(c, '$' | '/' | '_'))
            {
                continue;
            }
            if next_char(text, m.end()).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let name = &m.as_str()[1..];
            if in_list(NOT_CASHTAGS, name) {
                continue;
            }
            let value = format!("${}", name.to_ascii_lowercase());
            out.push(
                prio::CASHTAG,
                IndicatorKind::PaymentHandle,
                m.start(),
                m.end(),
                value,
                Some("cashapp"),
                None,
            );
        }
    }

    fn ibans(&self, out: &mut Out<'_>) {
        let text = out.text;
        for m in self.iban.find_iter(text) {
            if out.full() {
                return;
            }
            if !in_list(IBAN_COUNTRIES, &m.as_str()[..2]) {
                continue;
            }
            let mut end = m.end();
            loop {
                let s = &text[m.start()..end];
                let compact: String = s.chars().filter(char::is_ascii_alphanumeric).collect();
                let valid = checks::iban_mod97(compact.as_bytes());
                if (15..=34).contains(&compact.len()) {
                    let bban = &compact.as_bytes()[4..];
                    let digits = bban.iter().filter(|c| c.is_ascii_digit()).count();
                    if valid || digits * 2 >= bban.len() {
                        out.push(
                            prio::IBAN,
                            IndicatorKind::PaymentHandle,
                            m.start(),
                            end,
                            compact,
                            Some("iban"),
                            Some(valid),
                        );
                        break;
                    }
                }
                // A trailing word in capitals taken for a group (`… 0130 00 SEND`): drop it.
                match s.rfind([' ', '\u{a0}']) {
                    Some(sp) if !valid && s[sp..].trim_start().bytes().all(|c| c.is_ascii_uppercase()) => {
                        end = m.start() + sp;
                    }
                    _ => break,
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Wallets.

    fn wallets(&self, out: &mut Out<'_>, longest_alnum: usize) {
        let text = out.text;
        if longest_alnum >= 42 {
            for m in self.eth.find_iter(text) {
                let checked = checks::eip55(&m.as_str()[2..]);
                let value = m.as_str().to_owned();
                out.push(
                    prio::WALLET,
                    IndicatorKind::Wallet,
                    m.start(),
                    m.end(),
                    value,
                    Some("ethereum"),
                    checked,
                );
            }
        }
        if longest_alnum >= 26 {
            for m in self.base58.find_iter(text) {
                let s = m.as_str();
                let b = s.as_bytes();
                let (chain, valid) = match checks::base58check25(b) {
                    Some(c) if c.valid => match c.version {
                        0 | 5 => ("bitcoin", true),
                        48 | 50 => ("litecoin", true),
                        30 => ("dogecoin", true),
                        65 => ("tron", true),
                        _ => continue,
                    },
                    _ => {
                        let shaped = b.iter().any(u8::is_ascii_digit)
                            && b.iter().any(u8::is_ascii_uppercase)
                            && b.iter().any(u8::is_ascii_lowercase);
                        match b[0] {
                            b'1' | b'3' if shaped => ("bitcoin", false),
                            b'L' | b'M' if shaped && b.len() == 34 => ("litecoin", false),
                            b'T' if shaped && b.len() == 34 => ("tron", false),
                            _ => continue,
                        }
                    }
                };
                out.push(
                    prio::WALLET,
                    IndicatorKind::Wallet,
                    m.start(),
                    m.end(),
                    s.to_owned(),
                    Some(chain),
                    Some(valid),
                );
            }
        }
        if longest_alnum >= 95 {
            for m in self.monero.find_iter(text) {
                let valid = checks::monero(m.as_str().as_bytes());
                let value = m.as_str().to_owned();
                out.push(
                    prio::WALLET,
                    IndicatorKind::Wallet,
                    m.start(),
                    m.end(),
                    value,
                    Some("monero"),
                    Some(valid),
                );
            }
        }
        for m in self.bech32.find_iter(text) {
            let value = m.as_str().to_ascii_lowercase();
            let (hrp, chain) = if value.starts_with("bc1") {
                ("bc", "bitcoin")
            } else {
                ("ltc", "litecoin")
            };
            let valid = checks::segwit(m.as_str(), hrp);
            let standard = [40, 60].iter().any(|n| value.len() == hrp.len() + n);
            if valid || standard {
                out.push(
                    prio::WALLET,
                    IndicatorKind::Wallet,
                    m.start(),
                    m.end(),
                    value,
                    Some(chain),
                    Some(valid),
                );
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Phones.

    fn phones(&self, out: &mut Out<'_>) {
        let text = out.text;
        for m in self.phone.find_iter(text) {
            if out.full() {
                return;
            }
            let (start, end) = (m.start(), m.end());
            if let Some(c) = prev_char(text, start) {
                if c.is_alphanumeric() || "$€£¥₹#@/_.,+-=*%&\\~^".contains(c) {
                    continue;
                }
                // `12:30…` is a time; `number:0770…` is not.
                if c == ':' && prev_char(text, start - 1).is_some_and(|d| d.is_ascii_digit()) {
                    continue;
                }
            }
            if let Some(c) = next_char(text, end) {
                if c.is_alphanumeric() || "%:€$£¥₹/_@°".contains(c) {
                    continue;
                }
                if matches!(c, '.' | ',') && next_char(text, end + 1).is_some_and(|d| d.is_ascii_digit()) {
                    continue;
                }
            }
            let Some(shape) = PhoneShape::parse(m.as_str()) else {
                continue;
            };
            let context = || {
                word_hits(&self.phone_words, text, start.saturating_sub(40), end + 24)
                    .next()
                    .is_some()
            };
            if let Some(value) = shape.value(context) {
                out.push(prio::PHONE, IndicatorKind::Phone, start, end, value, None, None);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Gift cards.

    fn gift_cards(&self, out: &mut Out<'_>) {
        let text = out.text;
        let hits: Vec<(usize, usize, usize)> = word_hits(&self.gift_words, text, 0, text.len())
            .take(64)
            .collect();
        if hits.is_empty() {
            return;
        }
        for re in [&self.gift_dashed, &self.gift_spaced, &self.gift_compact] {
            for m in re.find_iter(text) {
                if out.full() {
                    return;
                }
                gift_card(out, &hits, m.start(), m.end());
            }
        }
    }
}

/// An app that handles are named after: its canonical name and the rules of its usernames.
struct App {
    canon: &'static str,
    payment: bool,
    /// A two-letter abbreviation (or `tele`): ambiguous, needs a marker or a lead-in.
    abbr: bool,
    dash: bool,
    dot: bool,
    min: usize,
    max: usize,
}

impl App {
    fn of(word: &str) -> Option<App> {
        let app = |canon, abbr, dash, dot, min, max| App {
            canon,
            payment: false,
            abbr,
            dash,
            dot,
            min,
            max,
        };
        Some(match word {
            "snapchat" | "snap" => app("snapchat", false, true, true, 3, 15),
            "sc" => app("snapchat", true, true, true, 3, 15),
            "instagram" | "insta" => app("instagram", false, false, true, 2, 30),
            "ig" => app("instagram", true, false, true, 2, 30),
            "discord" => app("discord", false, false, true, 2, 32),
            "dc" => app("discord", true, false, true, 2, 32),
            "telegram" => app("telegram", false, false, false, 5, 32),
            "tele" | "tg" => app("telegram", true, false, false, 5, 32),
            "kik" => app("kik", false, false, true, 2, 20),
            "whatsapp" => app("whatsapp", false, false, true, 3, 35),
            "wa" => app("whatsapp", true, false, true, 3, 35),
            "tiktok" => app("tiktok", false, false, true, 2, 24),
            "tt" => app("tiktok", true, false, true, 2, 24),
            "roblox" | "rblx" => app("roblox", false, false, false, 3, 20),
            "venmo" => App {
                payment: true,
                ..app("venmo", false, true, false, 5, 30)
            },
            "cashapp" => App {
                payment: true,
                ..app("cashapp", false, false, false, 2, 20)
            },
            _ => return None,
        })
    }
}

/// The digit groups of a phone-shaped match.
struct PhoneShape<'s> {
    s: &'s str,
    international: bool,
    /// (start in `s`, digit count, in parentheses, separator before it: ` `, `-`, `.` or 0).
    groups: [(usize, usize, bool, u8); 16],
    count: usize,
}

impl<'s> PhoneShape<'s> {
    fn parse(s: &'s str) -> Option<PhoneShape<'s>> {
        let mut shape = PhoneShape {
            s,
            international: s.starts_with('+') || s.starts_with("(+"),
            groups: [(0, 0, false, 0); 16],
            count: 0,
        };
        let (mut start, mut len, mut paren, mut sep) = (0, 0, false, 0u8);
        for (i, c) in s.bytes().enumerate() {
            match c {
                b'0'..=b'9' => {
                    if len == 0 {
                        start = i;
                    }
                    len += 1;
                    continue;
                }
                b'(' | b')' | b' ' | b'.' | b'-' | 0xA0 | 0xC2 | b'+' => {}
                _ => return None,
            }
            if len > 0 {
                *shape.groups.get_mut(shape.count)? = (start, len, paren && c == b')', sep);
                shape.count += 1;
                len = 0;
                sep = 0;
            }
            match c {
                b'(' => paren = true,
                b')' => paren = false,
                b' ' | 0xA0 => sep = b' ',
                b'.' | b'-' => sep = c,
                _ => {}
            }
        }
        if len > 0 {
            *shape.groups.get_mut(shape.count)? = (start, len, false, sep);
            shape.count += 1;
        }
        (shape.count > 0).then_some(shape)
    }

    fn groups(&self) -> &[(usize, usize, bool, u8)] {
        &self.groups[..self.count]
    }

    fn digits(&self, skip: impl Fn(usize) -> bool) -> String {
        let mut d = String::with_capacity(16);
        for (i, &(start, len, _, _)) in self.groups().iter().enumerate() {
            if !skip(i) {
                d.push_str(&self.s[start..start + len]);
            }
        }
        d
    }

    /// The normalized number, or `None` when the shape is not a phone's (see the module docs).
    fn value(&self, context: impl Fn() -> bool) -> Option<String> {
        let g = self.groups();
        let lens: Vec<usize> = g.iter().map(|x| x.1).collect();
        let n: usize = lens.iter().sum();
        if self.international {
            // A `(0)` trunk prefix after the country code is not dialled from abroad.
            let trunk = |i: usize| i > 0 && g[i].2 && g[i].1 == 1 && &self.s[g[i].0..g[i].0 + 1] == "0";
            let digits = self.digits(trunk);
            return (7..=15).contains(&digits.len()).then(|| format!("+{digits}"));
        }
        let digits = self.digits(|_| false);
        if digits.starts_with("00") && (8..=15).contains(&(n - 2)) {
            return Some(format!("+{}", &digits[2..]));
        }
        if !(7..=15).contains(&n) {
            return None;
        }
        let seps: Vec<u8> = g.iter().skip(1).map(|x| x.3).collect();
        if seps.contains(&b'.') && seps.iter().any(|&c| c == b' ' || c == b'-') {
            return None;
        }
        // Dates: d.m.y, y-m-d (not followed by more groups with the same separator).
        if g.len() >= 3 && seps[0] != 0 && seps[0] == seps[1] && (g.len() == 3 || seps[2] != seps[0]) {
            let (a, b, c) = (lens[0], lens[1], lens[2]);
            if (a <= 2 && b <= 2 && (c == 2 || c == 4)) || (a == 4 && b <= 2 && c <= 2) {
                return None;
            }
        }
        if lens[1..].contains(&1) || (lens[0] == 1 && g.len() < 3) {
            return None;
        }
        if g.len() >= 2 && lens.iter().all(|&l| l <= 2) && !digits.starts_with('0') {
            return None;
        }
        let year = |x: &(usize, usize, bool, u8)| x.1 == 4 && matches!(&self.s[x.0..x.0 + 2], "19" | "20");
        if g.len() >= 2 && g.iter().all(year) {
            return None;
        }
        let thousands = g.len() >= 3
            && lens[0] <= 3
            && lens[1..].iter().all(|&l| l == 3)
            && seps.iter().all(|&c| c == seps[0] && (c == b' ' || c == b'.'));
        let needs_context = g.len() == 1 || n < 10 || thousands;
        (!needs_context || context()).then_some(digits)
    }
}

/// Checks a gift-code-shaped match at `start..end` against the gift words around it.
fn gift_card(out: &mut Out<'_>, hits: &[(usize, usize, usize)], start: usize, end: usize) {
    let text = out.text;
    let b = text.as_bytes();
    if prev_char(text, start).is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_')) {
        return;
    }
    if let Some(c) = next_char(text, end) {
        if c.is_alphanumeric()
            || c == '_'
            || (c == '-' && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric))
        {
            return;
        }
    }
    // Groups, less gift words at either end.
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut g = start;
    for (i, c) in text[start..end].bytes().enumerate() {
        if c == b' ' || c == b'-' {
            groups.push((g, start + i));
            g = start + i + 1;
        }
    }
    groups.push((g, end));
    while groups
        .first()
        .is_some_and(|&(s, e)| in_list(GIFT_TRIM, &text[s..e]))
    {
        groups.remove(0);
    }
    while groups
        .last()
        .is_some_and(|&(s, e)| in_list(GIFT_TRIM, &text[s..e]))
    {
        groups.pop();
    }
    let (Some(&(start, _)), Some(&(_, end))) = (groups.first(), groups.last()) else {
        return;
    };
    let grouped = groups.len() >= 2;
    let code = &b[start..end];
    let n = code.iter().filter(|c| c.is_ascii_alphanumeric()).count();
    let digits = code.iter().filter(|c| c.is_ascii_digit()).count();
    let upper = code.iter().filter(|c| c.is_ascii_uppercase()).count();
    let lower = code.iter().filter(|c| c.is_ascii_lowercase()).count();
    if !(10..=25).contains(&n) {
        return;
    }
    let card_number = upper + lower == 0;
    if card_number {
        if n != 16 && n != 19 {
            return;
        }
    } else if digits < 2 || (upper > 0 && lower > 0) || (!grouped && (lower > 0 || upper < 2)) {
        return;
    }
    // Context: a gift word up to 64 bytes before the code, or 32 after it.
    let mut strong = false;
    let mut weak = false;
    let mut brand: Option<(&str, usize)> = None;
    for &(s, e, pattern) in hits {
        let distance = if e <= start {
            start - e
        } else if s >= end {
            s - end
        } else {
            continue;
        };
        if (e <= start && distance > 64) || (s >= end && distance > 32) {
            continue;
        }
        let Some(&(_, word_brand, is_strong)) = GIFT_WORDS.get(pattern) else {
            continue;
        };
        strong |= is_strong;
        weak = true;
        if let Some(wb) = word_brand {
            if brand.is_none_or(|(_, d)| distance < d) {
                brand = Some((wb, distance));
            }
        }
    }
    if !(strong || (grouped && weak)) {
        return;
    }
    let value: String = text[start..end]
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let checked = card_number.then(|| checks::luhn(value.as_bytes()));
    out.push(
        prio::GIFT,
        IndicatorKind::GiftCard,
        start,
        end,
        value,
        brand.map(|b| b.0),
        checked,
    );
}
