//! Tests of indicator extraction. Every text is synthetic: the addresses are published examples
//! and test vectors (BIPs, EIP-55, the IBAN registry's examples, the Monero general fund's
//! published address) or were generated for these tests.

use std::sync::OnceLock;

use proptest::prelude::*;

use super::scan::Patterns;
use super::*;

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(Extractor::new)
}

fn find(text: &str) -> Vec<Indicator> {
    let found = extractor().find(text);
    for i in &found {
        assert!(
            text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end),
            "{i:?}"
        );
        assert!(i.span.start < i.span.end && i.span.end <= text.len(), "{i:?}");
    }
    found
}

/// The only indicator of `text`, which must be of `kind` and cover `covers`.
fn one(text: &str, kind: IndicatorKind, covers: &str) -> Indicator {
    let found = find(text);
    assert_eq!(found.len(), 1, "{text:?}: {found:#?}");
    let i = found.into_iter().next().unwrap();
    assert_eq!(i.kind, kind, "{text:?}: {i:?}");
    assert_eq!(&text[i.span.start..i.span.end], covers, "{text:?}: {i:?}");
    i
}

fn none(text: &str) {
    let found = find(text);
    assert!(found.is_empty(), "{text:?}: {found:#?}");
}

fn none_of(kind: IndicatorKind, text: &str) {
    let found = find(text);
    assert!(found.iter().all(|i| i.kind != kind), "{text:?}: {found:#?}");
}

#[test]
fn patterns_compile() {
    assert!(Patterns::build().is_ok());
}

#[test]
fn kinds_have_snake_case_names() {
    for kind in IndicatorKind::ALL {
        let json = serde_json::to_string(&kind).unwrap();
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
        assert_eq!(serde_json::from_str::<IndicatorKind>(&json).unwrap(), kind);
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(IndicatorKind::InviteLink.as_str(), "invite_link");
    assert_eq!(IndicatorKind::PaymentHandle.as_str(), "payment_handle");
    assert_eq!(IndicatorKind::GiftCard.as_str(), "gift_card");
}

#[test]
fn indicator_serializes_without_empty_options() {
    let i = Indicator::new(IndicatorKind::Phone, "+447700900123", Span { start: 3, end: 18 });
    let json = serde_json::to_string(&i).unwrap();
    assert_eq!(
        json,
        r#"{"kind":"phone","value":"+447700900123","span":{"start":3,"end":18}}"#
    );
    let w = Indicator::new(IndicatorKind::Wallet, "x", Span { start: 0, end: 1 })
        .with_detail("bitcoin")
        .with_checked(false);
    let json = serde_json::to_string(&w).unwrap();
    assert!(json.ends_with(r#""detail":"bitcoin","checked":false}"#), "{json}");
    assert_eq!(serde_json::from_str::<Indicator>(&json).unwrap(), w);
}

// ---------------------------------------------------------------------------------------------
// Phones.

#[test]
fn phones_international() {
    let i = one(
        "my number is +44 7700 900123",
        IndicatorKind::Phone,
        "+44 7700 900123",
    );
    assert_eq!(i.value, "+447700900123");
    assert_eq!((i.detail, i.checked), (None, None));
    assert_eq!(
        one("+1-555-010-0199 anytime", IndicatorKind::Phone, "+1-555-010-0199").value,
        "+15550100199"
    );
    assert_eq!(
        one(
            "ring +44 (0) 7700 900123",
            IndicatorKind::Phone,
            "+44 (0) 7700 900123"
        )
        .value,
        "+447700900123"
    );
    assert_eq!(
        one("(+44) 7700 900123", IndicatorKind::Phone, "(+44) 7700 900123").value,
        "+447700900123"
    );
    assert_eq!(
        one("0044 7700 900123", IndicatorKind::Phone, "0044 7700 900123").value,
        "+447700900123"
    );
    let nbsp = "+44\u{a0}7700\u{a0}900123";
    assert_eq!(one(nbsp, IndicatorKind::Phone, nbsp).value, "+447700900123");
    assert_eq!(
        one("number:+447700900123", IndicatorKind::Phone, "+447700900123").value,
        "+447700900123"
    );
}

#[test]
fn phones_national() {
    assert_eq!(
        one(
            "call me at (555) 123-4567",
            IndicatorKind::Phone,
            "(555) 123-4567"
        )
        .value,
        "5551234567"
    );
    assert_eq!(
        one("555.123.4567", IndicatorKind::Phone, "555.123.4567").value,
        "5551234567"
    );
    assert_eq!(
        one("07700 900123", IndicatorKind::Phone, "07700 900123").value,
        "07700900123"
    );
    assert_eq!(
        one("06 12 34 56 78", IndicatorKind::Phone, "06 12 34 56 78").value,
        "0612345678"
    );
    assert_eq!(
        one("1 800 555 0199", IndicatorKind::Phone, "1 800 555 0199").value,
        "18005550199"
    );
    // Unseparated or short: only with a phone word.
    assert_eq!(
        one("text me 5551234567", IndicatorKind::Phone, "5551234567").value,
        "5551234567"
    );
    assert_eq!(
        one("5551234567 is my cell", IndicatorKind::Phone, "5551234567").value,
        "5551234567"
    );
    assert_eq!(
        one("my number is 555-0123", IndicatorKind::Phone, "555-0123").value,
        "5550123"
    );
    assert_eq!(
        one("whatsapp 612 345 678", IndicatorKind::Phone, "612 345 678").value,
        "612345678"
    );
}

#[test]
fn phones_not_dates_times_prices_ages() {
    for text in [
        "im 13",
        "it was 2024",
        "see you at 12:30",
        "at 12:30 or 13:45 tomorrow",
        "it costs $50",
        "only $5.99!",
        "$1,000,000",
        "born 12.05.2010",
        "on 2024-01-15",
        "12/05/2024",
        "12-05-2024 19:30",
        "from 2019 to 2024",
        "2019 2020 2021 2022",
        "10 20 30 40 50",
        "1.5 2.5 3.5 4.5 5.5",
        "ping 192.168.100.200",
        "ISBN 978-3-16-148410-0",
        "5551234567",
        "we have 1 000 000 000 fans",
        "order #5551234567",
        "at 10am",
        "1920x1080",
        "pi is 3.14159265358",
        "score 555-0123",
        "12.30-13.45 and 14.00",
        "won 3-2 and 4-1 and 2-2 and 5-0",
        "it's 45% of 1234567",
        "version 2.0.1.12345",
        "12:3045678901",
    ] {
        none_of(IndicatorKind::Phone, text);
    }
}

// ---------------------------------------------------------------------------------------------
// E-mails.

#[test]
fn emails_plain() {
    let i = one(
        "mail me: Some.One@Example.COM.",
        IndicatorKind::Email,
        "Some.One@Example.COM",
    );
    assert_eq!(i.value, "some.one@example.com");
    assert_eq!(i.detail, None);
    assert_eq!(
        one(
            "x_y+z@mail.example.co.uk",
            IndicatorKind::Email,
            "x_y+z@mail.example.co.uk"
        )
        .value,
        "x_y+z@mail.example.co.uk"
    );
    assert_eq!(
        one(
            "(coolkid22@example.org)",
            IndicatorKind::Email,
            "coolkid22@example.org"
        )
        .value,
        "coolkid22@example.org"
    );
}

#[test]
fn emails_written_out() {
    let i = one(
        "coolkid22 at gmail dot com",
        IndicatorKind::Email,
        "coolkid22 at gmail dot com",
    );
    assert_eq!(
        (i.value.as_str(), i.detail.as_deref()),
        ("coolkid22@gmail.com", Some("obfuscated"))
    );
    let i = one(
        "reach me: coolkid (at) example [dot] org",
        IndicatorKind::Email,
        "coolkid (at) example [dot] org",
    );
    assert_eq!(i.value, "coolkid@example.org");
    assert_eq!(
        one(
            "CoolKid@Gmail dot com",
            IndicatorKind::Email,
            "CoolKid@Gmail dot com"
        )
        .value,
        "coolkid@gmail.com"
    );
    assert_eq!(
        one(
            "coolkid at hotmail.com",
            IndicatorKind::Email,
            "coolkid at hotmail.com"
        )
        .value,
        "coolkid@hotmail.com"
    );
    assert_eq!(
        one(
            "email me at cool.kid at gmail dot com",
            IndicatorKind::Email,
            "cool.kid at gmail dot com"
        )
        .value,
        "cool.kid@gmail.com"
    );
}

#[test]
fn emails_not_at_in_sentences() {
    for text in [
        "look at gmail dot com",
        "meet me at school dot com",
        "see you at the park. ok?",
        "i'm at home. dot dot dot",
        "coolkid at gmail dot community",
        "a@b",
        "email@domain",
        "look at me (dot) com",
        "x at example dot com",
    ] {
        none_of(IndicatorKind::Email, text);
    }
}

// ---------------------------------------------------------------------------------------------
// Handles.

#[test]
fn handles_after_an_app() {
    let i = one("add me on snap: coolkid_22", IndicatorKind::Handle, "coolkid_22");
    assert_eq!(
        (i.value.as_str(), i.detail.as_deref()),
        ("coolkid_22", Some("snapchat"))
    );
    let cases = [
        ("my insta is cool.kid", "cool.kid", "cool.kid", "instagram"),
        ("discord: Name#1234", "Name#1234", "name#1234", "discord"),
        ("tg @someone_x", "@someone_x", "someone_x", "telegram"),
        ("add me on snapchat coolkid", "coolkid", "coolkid", "snapchat"),
        ("kik - coolkid99", "coolkid99", "coolkid99", "kik"),
        ("whatsapp: coolkid", "coolkid", "coolkid", "whatsapp"),
        ("tiktok @CoolKid", "@CoolKid", "coolkid", "tiktok"),
        (
            "roblox username xXgamer2010Xx",
            "xXgamer2010Xx",
            "xxgamer2010xx",
            "roblox",
        ),
        ("ig: coolkid", "coolkid", "coolkid", "instagram"),
        ("hmu on sc coolkid", "coolkid", "coolkid", "snapchat"),
        (
            "Snap Chat?? no. Snapchat - cool-kid.",
            "cool-kid",
            "cool-kid",
            "snapchat",
        ),
        ("my discord is some.one", "some.one", "some.one", "discord"),
        ("telegram user name: kidcool", "kidcool", "kidcool", "telegram"),
        ("whats app: cool.kid", "cool.kid", "cool.kid", "whatsapp"),
    ];
    for (text, covers, value, app) in cases {
        let i = one(text, IndicatorKind::Handle, covers);
        assert_eq!(
            (i.value.as_str(), i.detail.as_deref()),
            (value, Some(app)),
            "{text}"
        );
    }
}

#[test]
fn handles_not_ordinary_words() {
    for text in [
        "oh snap that's cool",
        "snap is fun",
        "ig that's fine",
        "ig thats fine",
        "i'm on snap later",
        "discord is lagging",
        "insta is down",
        "oh snap 2nd place",
        "snap 2 me",
        "tt later",
        "add me on snap lol",
        "my snap is private",
        "wa 2day",
        "sc coolkid",
        "the discord server",
        "roblox gift card",
        "telegram: abc",
    ] {
        none_of(IndicatorKind::Handle, text);
    }
    // WhatsApp by number: a phone, not a handle.
    assert_eq!(
        one(
            "whatsapp +44 7700 900123",
            IndicatorKind::Phone,
            "+44 7700 900123"
        )
        .value,
        "+447700900123"
    );
}

#[test]
fn bare_at_handles() {
    let i = one("follow @coolkid_22!", IndicatorKind::Handle, "@coolkid_22");
    assert_eq!((i.value.as_str(), i.detail), ("coolkid_22", None));
    assert_eq!(
        one("dm @Cool.Kid.", IndicatorKind::Handle, "@Cool.Kid").value,
        "cool.kid"
    );
    for text in [
        "@everyone hi",
        "i'm @home",
        "meet @5pm",
        "meet @ the park",
        "@here",
        "@@@",
        "@1234",
        "me@@x",
        "a@b.c",
        "@x",
    ] {
        none_of(IndicatorKind::Handle, text);
    }
    // Part of an e-mail or a link: that, not a handle.
    one(
        "mail coolkid@example.com",
        IndicatorKind::Email,
        "coolkid@example.com",
    );
    one(
        "tiktok.com/@coolkid",
        IndicatorKind::InviteLink,
        "tiktok.com/@coolkid",
    );
}

// ---------------------------------------------------------------------------------------------
// Invite links.

#[test]
fn invite_links() {
    let cases = [
        (
            "join discord.gg/abc123.",
            "discord.gg/abc123",
            "discord.gg/abc123",
            "discord",
        ),
        (
            "https://discord.com/invite/AbC123",
            "https://discord.com/invite/AbC123",
            "discord.gg/AbC123",
            "discord",
        ),
        ("t.me/SomeName", "t.me/SomeName", "t.me/somename", "telegram"),
        (
            "https://t.me/+AbCdEf12",
            "https://t.me/+AbCdEf12",
            "t.me/+AbCdEf12",
            "telegram",
        ),
        (
            "telegram.me/joinchat/AbC-12",
            "telegram.me/joinchat/AbC-12",
            "t.me/joinchat/AbC-12",
            "telegram",
        ),
        (
            "chat.whatsapp.com/AbCdEf123",
            "chat.whatsapp.com/AbCdEf123",
            "chat.whatsapp.com/AbCdEf123",
            "whatsapp",
        ),
        (
            "wa.me/447700900123",
            "wa.me/447700900123",
            "wa.me/447700900123",
            "whatsapp",
        ),
        (
            "snapchat.com/add/CoolKid",
            "snapchat.com/add/CoolKid",
            "snapchat.com/add/coolkid",
            "snapchat",
        ),
        (
            "www.instagram.com/cool.kid/",
            "www.instagram.com/cool.kid",
            "instagram.com/cool.kid",
            "instagram",
        ),
        (
            "instagram.com/p/AbC1_x",
            "instagram.com/p/AbC1_x",
            "instagram.com/p/AbC1_x",
            "instagram",
        ),
        (
            "tiktok.com/@CoolKid",
            "tiktok.com/@CoolKid",
            "tiktok.com/@coolkid",
            "tiktok",
        ),
        ("kik.me/coolkid", "kik.me/coolkid", "kik.me/coolkid", "kik"),
        (
            "roblox.com/users/123456/profile",
            "roblox.com/users/123456",
            "roblox.com/users/123456",
            "roblox",
        ),
    ];
    for (text, covers, value, app) in cases {
        let i = one(text, IndicatorKind::InviteLink, covers);
        assert_eq!(
            (i.value.as_str(), i.detail.as_deref()),
            (value, Some(app)),
            "{text}"
        );
    }
    for text in [
        "instagram.com/explore",
        "look at.me/x",
        "discord.gg",
        "the t.me/ link",
        "notdiscord.gg/abc",
        "wa.me/abc",
    ] {
        none(text);
    }
}

// ---------------------------------------------------------------------------------------------
// Payment handles.

#[test]
fn payment_handles() {
    let cases = [
        ("send it to $cashtag", "$cashtag", "$cashtag", "cashapp"),
        ("$Some_One1 pls", "$Some_One1", "$some_one1", "cashapp"),
        ("cash.app/$SomeOne", "cash.app/$SomeOne", "$someone", "cashapp"),
        ("cashapp: coolkid", "coolkid", "$coolkid", "cashapp"),
        ("cash app $someone", "$someone", "$someone", "cashapp"),
        (
            "paypal.me/SomeOne",
            "paypal.me/SomeOne",
            "paypal.me/someone",
            "paypal",
        ),
        (
            "https://www.paypal.com/paypalme/someone",
            "https://www.paypal.com/paypalme/someone",
            "paypal.me/someone",
            "paypal",
        ),
        ("venmo @some-one", "@some-one", "@some-one", "venmo"),
        (
            "venmo.com/u/Some-One",
            "venmo.com/u/Some-One",
            "@some-one",
            "venmo",
        ),
    ];
    for (text, covers, value, service) in cases {
        let i = one(text, IndicatorKind::PaymentHandle, covers);
        assert_eq!(
            (i.value.as_str(), i.detail.as_deref(), i.checked),
            (value, Some(service), None),
            "{text}"
        );
    }
    for text in [
        "it's $50",
        "$5.99",
        "$5k",
        "$USD",
        "priced in $BTC",
        "US$abc",
        "$a",
        "a$bc",
        "costs $ 20",
    ] {
        none(text);
    }
}

#[test]
fn ibans() {
    let i = one(
        "IBAN DE89 3704 0044 0532 0130 00",
        IndicatorKind::PaymentHandle,
        "DE89 3704 0044 0532 0130 00",
    );
    assert_eq!(
        (i.value.as_str(), i.detail.as_deref(), i.checked),
        ("DE89370400440532013000", Some("iban"), Some(true))
    );
    let valid = [
        ("GB82WEST12345698765432", "GB82WEST12345698765432"),
        ("GB82 WEST 1234 5698 7654 32", "GB82WEST12345698765432"),
        ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
    ];
    for (text, value) in valid {
        let i = one(text, IndicatorKind::PaymentHandle, text);
        assert_eq!((i.value.as_str(), i.checked), (value, Some(true)), "{text}");
    }
    // One character changed: still IBAN-shaped, checksum fails.
    let i = one(
        "DE89 3704 0044 0532 0130 01",
        IndicatorKind::PaymentHandle,
        "DE89 3704 0044 0532 0130 01",
    );
    assert_eq!(i.checked, Some(false));
    let i = one(
        "GB82WEST12345698765433",
        IndicatorKind::PaymentHandle,
        "GB82WEST12345698765433",
    );
    assert_eq!(i.checked, Some(false));
    // A word in capitals after it is not a group of it.
    one(
        "DE89 3704 0044 0532 0130 00 SEND",
        IndicatorKind::PaymentHandle,
        "DE89 3704 0044 0532 0130 00",
    );
    one(
        "pay DE89 3704 0044 0532 0130 00 SEND IT",
        IndicatorKind::PaymentHandle,
        "DE89 3704 0044 0532 0130 00",
    );
    // Not an IBAN country, too short, lower-case, mostly letters with a failing checksum.
    none("XX89 3704 0044 0532 0130 00");
    none("DE89 3704 0044");
    none("de89 3704 0044 0532 0130 00");
    none("GB12 ABCD EFGH IJKL MNOP");
}

// ---------------------------------------------------------------------------------------------
// Wallets.

fn wallet(text: &str) -> (String, Option<String>, Option<bool>) {
    let i = one(text, IndicatorKind::Wallet, text);
    (i.value, i.detail, i.checked)
}

fn chain_checked(text: &str) -> (String, Option<bool>) {
    let (_, chain, checked) = wallet(text);
    (chain.unwrap_or_default(), checked)
}

#[test]
fn bitcoin() {
    let i = one(
        "btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        IndicatorKind::Wallet,
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    );
    assert_eq!(
        (i.value.as_str(), i.detail.as_deref(), i.checked),
        ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", Some("bitcoin"), Some(true))
    );
    assert_eq!(
        chain_checked("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        ("bitcoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("16L5yRNPTuciSgXGHqYwn9N6NeoKqopAu"),
        ("bitcoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        ("bitcoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("31nM1WuowNDzocNxPPW9NQWJEtwWpjfcLj"),
        ("bitcoin".into(), Some(true))
    );
    // One character changed.
    assert_eq!(
        chain_checked("1BoatSLRHtKNngkdXEeobR76b53LETtpyU"),
        ("bitcoin".into(), Some(false))
    );
    assert_eq!(
        chain_checked("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz"),
        ("bitcoin".into(), Some(false))
    );
    // SegWit: Bech32 (v0) and Bech32m (v1).
    assert_eq!(
        chain_checked("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        ("bitcoin".into(), Some(true))
    );
    assert_eq!(
        wallet("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").0,
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    );
    assert_eq!(
        chain_checked("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4").1,
        Some(true)
    );
    assert_eq!(
        chain_checked("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
        ("bitcoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("bc1pqqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0sg5tmnz"),
        ("bitcoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp"),
        ("bitcoin".into(), Some(false))
    );
    assert_eq!(
        chain_checked("bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
        ("bitcoin".into(), Some(false))
    );
    // Not addresses: too short, no digits, a word.
    none("bc1qwerty");
    none("TxyzabcdefghijkmnopqrstuvwxyzABCDE");
    none("1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

#[test]
fn other_base58_chains() {
    // Generated for these tests: version byte and 20 bytes 01..14, Base58Check.
    assert_eq!(
        chain_checked("LKKHMBjCU89fyFNgSRprDoD8Jb25N8uWvd"),
        ("litecoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("M7zVKQKmtV5Rc7erVGVVC3khZbXxsS5HEX"),
        ("litecoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("ltc1qqypqxpq9qcrsszg2pvxq6rs0zqg3yyc5dyg36p"),
        ("litecoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("D5ERdEN1gsouFSs7zsq7VYJxyWP6dP28H1"),
        ("dogecoin".into(), Some(true))
    );
    assert_eq!(
        chain_checked("TA4Y62o6YC2Zsck9rZVGTvqW1AQ7X9zTnj"),
        ("tron".into(), Some(true))
    );
    assert_eq!(
        chain_checked("TA4Y62o6YC2Zsck9rZVGTvqW1AQ7X9zTnk"),
        ("tron".into(), Some(false))
    );
    assert_eq!(
        chain_checked("LKKHMBjCU89fyFNgSRprDoD8Jb25N8uWve"),
        ("litecoin".into(), Some(false))
    );
    // A Dogecoin-shaped string with a failing checksum is too close to a word to report.
    none("D5ERdEN1gsouFSs7zsq7VYJxyWP6dP28H2");
}

#[test]
fn ethereum_eip55() {
    // EIP-55's own examples: mixed case, and one whose checksummed form is all capitals.
    for a in [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    ] {
        assert_eq!(
            wallet(a),
            (a.to_owned(), Some("ethereum".into()), Some(true)),
            "{a}"
        );
    }
    // One letter's case changed: the checksum fails.
    assert_eq!(
        chain_checked("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD").1,
        Some(false)
    );
    // One case only, not the checksummed form: no checksum written.
    assert_eq!(
        chain_checked("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed").1,
        None
    );
    assert_eq!(
        chain_checked("0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED").1,
        None
    );
    assert_eq!(
        chain_checked("0x1234567890123456789012345678901234567890").1,
        None
    );
    none("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe");
    none("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd");
}

#[test]
fn monero() {
    let fund =
        "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A";
    assert_eq!(chain_checked(fund), ("monero".into(), Some(true)));
    let changed = fund.replace("P3A", "P3B");
    assert_eq!(chain_checked(&changed), ("monero".into(), Some(false)));
}

// ---------------------------------------------------------------------------------------------
// Gift cards.

#[test]
fn gift_cards() {
    let cases = [
        (
            "here is the steam code X7KD9-PLMQ2-W3RZ8",
            "X7KD9-PLMQ2-W3RZ8",
            "X7KD9PLMQ2W3RZ8",
            Some("steam"),
        ),
        (
            "amazon gift card: AB12-CDEFGH-3456",
            "AB12-CDEFGH-3456",
            "AB12CDEFGH3456",
            Some("amazon"),
        ),
        (
            "google play code ABCD 1234 EFGH 5678 IJKL",
            "ABCD 1234 EFGH 5678 IJKL",
            "ABCD1234EFGH5678IJKL",
            Some("google_play"),
        ),
        (
            "STEAM CODE ABCD 1234 EFGH",
            "ABCD 1234 EFGH",
            "ABCD1234EFGH",
            Some("steam"),
        ),
        ("redeem this: XK4P9QR72MZL", "XK4P9QR72MZL", "XK4P9QR72MZL", None),
        ("code: ab12-cd34-ef56", "ab12-cd34-ef56", "AB12CD34EF56", None),
        (
            "X7KD9-PLMQ2-W3RZ8 is the psn one",
            "X7KD9-PLMQ2-W3RZ8",
            "X7KD9PLMQ2W3RZ8",
            Some("playstation"),
        ),
    ];
    for (text, covers, value, brand) in cases {
        let i = one(text, IndicatorKind::GiftCard, covers);
        assert_eq!(
            (i.value.as_str(), i.detail.as_deref(), i.checked),
            (value, brand, None),
            "{text}"
        );
    }
    // Card numbers: Luhn.
    let i = one(
        "vanilla visa gift card 4111 1111 1111 1111",
        IndicatorKind::GiftCard,
        "4111 1111 1111 1111",
    );
    assert_eq!((i.detail.as_deref(), i.checked), (Some("visa"), Some(true)));
    let i = one(
        "vanilla gift card 4111 1111 1111 1112",
        IndicatorKind::GiftCard,
        "4111 1111 1111 1112",
    );
    assert_eq!(i.checked, Some(false));
}

#[test]
fn gift_cards_not_words_dates_or_promo_codes() {
    for text in [
        "my code is ABCDEFGHIJ",
        "promo code XK4P9QR72MZL",
        "gift card ideas for a 13 year old",
        "the code 2024-01-15",
        "steam sale ends 2024-05-01",
        "psn name CoolKid2010Gamer",
        "xbox gift card 5551234567",
        "code 123e4567-e89b-12d3-a456-426614174000",
        "X7KD9-PLMQ2-W3RZ8",
        "steam ABC-DEF-GHI-JKL",
        "gift Ab12-Cd34-Ef56",
        "amazon: 1234-5678-9012",
    ] {
        none_of(IndicatorKind::GiftCard, text);
    }
}

// ---------------------------------------------------------------------------------------------
// Overlaps, spans, bounds.

#[test]
fn overlaps_keep_the_stronger() {
    one("venmo @some-one", IndicatorKind::PaymentHandle, "@some-one");
    one(
        "wa.me/447700900123",
        IndicatorKind::InviteLink,
        "wa.me/447700900123",
    );
    one(
        "IBAN DE89 3704 0044 0532 0130 00",
        IndicatorKind::PaymentHandle,
        "DE89 3704 0044 0532 0130 00",
    );
    one(
        "steam code DE89 3704 0044 0532 0130 00",
        IndicatorKind::PaymentHandle,
        "DE89 3704 0044 0532 0130 00",
    );
    one("snap: @coolkid_22", IndicatorKind::Handle, "@coolkid_22");
    one("cashapp $someone", IndicatorKind::PaymentHandle, "$someone");
    one(
        "roblox: 1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
        IndicatorKind::Wallet,
        "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
    );
}

#[test]
fn spans_are_bytes_of_the_original_text() {
    let text = "héllo 👋 ünïcödé — add me on snap: coolkid_22 ✨ or +44 7700 900123 ou coolkid@exämple.com";
    let found = find(text);
    let got: Vec<(IndicatorKind, &str)> = found
        .iter()
        .map(|i| (i.kind, &text[i.span.start..i.span.end]))
        .collect();
    assert_eq!(
        got,
        [
            (IndicatorKind::Handle, "coolkid_22"),
            (IndicatorKind::Phone, "+44 7700 900123")
        ]
    );
    let text = "ça va? 📱 $cashtag · paypal.me/someone · 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    let got: Vec<&str> = find(text)
        .iter()
        .map(|i| &text[i.span.start..i.span.end])
        .collect();
    assert_eq!(
        got,
        [
            "$cashtag",
            "paypal.me/someone",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
        ]
    );
}

#[test]
fn several_kinds_in_text_order() {
    let text = "join discord.gg/abc123 then snap: coolkid_22, send $cashtag or btc \
                1BoatSLRHtKNngkdXEeobR76b53LETtpyT, my number is +44 7700 900123";
    let kinds: Vec<IndicatorKind> = find(text).iter().map(|i| i.kind).collect();
    assert_eq!(
        kinds,
        [
            IndicatorKind::InviteLink,
            IndicatorKind::Handle,
            IndicatorKind::PaymentHandle,
            IndicatorKind::Wallet,
            IndicatorKind::Phone
        ]
    );
}

#[test]
fn ordinary_chat_has_none() {
    for text in [
        "",
        "hey how was school today?",
        "lol ok see you at 5:30, bring $20 for pizza",
        "I'm 13 and in year 8, my birthday is 12/05/2012",
        "that game was 10/10, scored 3-2 in the 90th minute",
        "@ the mall rn",
        "the discord server is down again",
        "we watched Snap Judgment on tv",
        "it's 2024, not 1999!!!",
        "call me when you get home",
        "🎉🎉🎉 #1 fan",
    ] {
        none(text);
    }
}

#[test]
fn results_are_bounded() {
    let text: String = (0..200).map(|i| format!("@user_{i} ")).collect();
    let found = find(&text);
    assert_eq!(found.len(), Extractor::MAX_PER_MESSAGE);
    assert!(found.windows(2).all(|w| w[0].span.end <= w[1].span.start));
}

// ---------------------------------------------------------------------------------------------
// Dedup across a conversation.

fn handle(value: &str, app: Option<&str>) -> Indicator {
    let i = Indicator::new(
        IndicatorKind::Handle,
        value,
        Span {
            start: 0,
            end: value.len(),
        },
    );
    match app {
        Some(a) => i.with_detail(a),
        None => i,
    }
}

#[test]
fn set_keeps_first_sightings() {
    let e = extractor();
    let mut set = IndicatorSet::new();
    assert!(set.is_empty());
    set.extend("m-1", e.find("text me +44 7700 900123"));
    set.extend("m-2", e.find("hello"));
    set.extend(
        "m-3",
        e.find("again: +44 (0)7700 900-123, or coolkid at gmail dot com"),
    );
    set.extend("m-4", e.find("coolkid@gmail.com"));
    let got: Vec<(&str, &str, u32)> = set
        .iter()
        .map(|s| (s.message_id.as_str(), s.indicator.value.as_str(), s.count))
        .collect();
    assert_eq!(
        got,
        [("m-1", "+447700900123", 2), ("m-3", "coolkid@gmail.com", 2)]
    );
    // The first sighting's span and detail.
    let first = &set.as_slice()[1].indicator;
    assert_eq!(first.detail.as_deref(), Some("obfuscated"));
    assert_eq!(
        set.get(&Indicator::new(
            IndicatorKind::Email,
            "coolkid@gmail.com",
            Span { start: 0, end: 1 }
        )),
        Some(&set.as_slice()[1])
    );
    assert_eq!(set.dropped(), 0);
}

#[test]
fn set_tells_apps_apart_for_handles() {
    let mut set = IndicatorSet::default();
    assert!(set.insert("m-1", handle("coolkid", Some("snapchat"))));
    assert!(set.insert("m-2", handle("coolkid", Some("instagram"))));
    assert!(set.insert("m-3", handle("coolkid", None)));
    assert!(!set.insert("m-4", handle("coolkid", Some("snapchat"))));
    assert_eq!(set.len(), 3);
    // Other kinds: the value alone.
    let phone = |v: &str| Indicator::new(IndicatorKind::Phone, v, Span { start: 0, end: 1 });
    assert!(set.insert("m-5", phone("+447700900123")));
    assert!(!set.insert("m-6", phone("+447700900123").with_detail("x")));
    // Same value, another kind: another indicator.
    assert!(set.insert(
        "m-7",
        Indicator::new(IndicatorKind::Email, "coolkid", Span { start: 0, end: 1 })
    ));
}

#[test]
fn set_is_bounded() {
    let mut set = IndicatorSet::with_cap(2);
    assert!(set.insert("m-1", handle("a1", None)));
    assert!(set.insert("m-2", handle("a2", None)));
    assert!(!set.insert("m-3", handle("a3", None)));
    assert!(!set.insert("m-4", handle("a1", None)));
    assert!(!set.insert("m-5", handle("a3", None)));
    assert_eq!((set.len(), set.cap(), set.dropped()), (2, 2, 2));
    assert_eq!(set.iter().map(|s| s.count).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(IndicatorSet::new().cap(), IndicatorSet::DEFAULT_CAP);
    let json = serde_json::to_string(&set).unwrap();
    assert_eq!(serde_json::from_str::<IndicatorSet>(&json).unwrap(), set);
    let ids: Vec<String> = (&set).into_iter().map(|s| s.message_id.clone()).collect();
    assert_eq!(ids, ["m-1", "m-2"]);
    assert_eq!(set.into_vec().len(), 2);
}

// ---------------------------------------------------------------------------------------------
// Checksums.

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn keccak_and_sha3_vectors() {
    use super::checks::{keccak256, sha3_256};
    assert_eq!(
        hex(&keccak256(b"")),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    assert_eq!(
        hex(&keccak256(b"abc")),
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    );
    assert_eq!(
        hex(&sha3_256(b"")),
        "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"
    );
    assert_eq!(
        hex(&sha3_256(b"abc")),
        "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
    );
    // Around the 136-byte block boundary (values from Python's hashlib.sha3_256).
    assert_eq!(
        hex(&sha3_256(&[b'a'; 135])),
        "8094bb53c44cfb1e67b7c30447f9a1c33696d2463ecc1d9c92538913392843c9"
    );
    assert_eq!(
        hex(&sha3_256(&[b'a'; 136])),
        "3fc5559f14db8e453a0a3091edbd2bc25e11528d81c66fa570a4efdcc2695ee1"
    );
    assert_eq!(
        hex(&sha3_256(&[b'a'; 200])),
        "cce34485baf2bf2aca99b94833892a4f52896d3d153f7b840cc4f9fe695f1387"
    );
}

#[test]
fn checksum_functions_take_any_bytes() {
    use super::checks::{base58check25, eip55, iban_mod97, luhn, monero, segwit};
    assert!(iban_mod97(b"DE89370400440532013000"));
    assert!(!iban_mod97(b"DE89370400440532013001"));
    assert!(!iban_mod97(b"DE8"));
    assert!(!iban_mod97(b"de89370400440532013000"));
    assert!(luhn(b"4111111111111111"));
    assert!(luhn(b"79927398713"));
    assert!(!luhn(b"79927398710"));
    assert!(!luhn(b""));
    assert!(!luhn(b"12a4"));
    assert_eq!(base58check25(b"0OIl"), None);
    assert_eq!(base58check25(b""), None);
    assert_eq!(base58check25(&[b'z'; 60]), None);
    let c = base58check25(b"1BoatSLRHtKNngkdXEeobR76b53LETtpyT").unwrap();
    assert_eq!((c.version, c.valid), (0, true));
    assert!(!monero(b""));
    assert!(!monero(&[b'z'; 95]));
    assert!(!monero(&[b'1'; 200]));
    assert!(!segwit("", "bc"));
    assert!(!segwit("bc1", "bc"));
    assert!(!segwit("ltc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc"));
    assert!(segwit("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "bc"));
    assert_eq!(eip55(""), None);
    assert_eq!(eip55("zz"), None);
}

// ---------------------------------------------------------------------------------------------
// Properties.

/// Texts built from pieces of indicators, digits, separators and multi-byte characters.
fn chat_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::char::range(' ', '~').prop_map(String::from),
        2 => proptest::char::range('0', '9').prop_map(String::from),
        1 => any::<char>().prop_map(String::from),
        1 => prop::sample::select(vec![
            "+", "(", ")", "-", ".", " ", "\u{a0}", "@", "$", "#", ":", "/", "é", "👋", "\u{301}",
            "snap: ", "ig ", "discord ", "add me on ", "venmo ", "cash app ", "my number is ",
            "discord.gg/", "t.me/", "t.me/joinchat/", "instagram.com/p/", "wa.me/", "cash.app/$",
            "paypal.me/", " at ", " dot ", "(at)", "[dot]", "gmail", "0x", "bc1q", "ltc1", "1Boat", "DE89 ",
            "3704 ", "4", "steam code ", "gift card ", "XXXX-", "AB12-", "0000 ", "#1234",
        ]).prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn find_never_panics_and_spans_are_valid(text in chat_text()) {
        let found = extractor().find(&text);
        prop_assert!(found.len() <= Extractor::MAX_PER_MESSAGE);
        let mut last_end = 0;
        for i in &found {
            prop_assert!(i.span.start < i.span.end && i.span.end <= text.len(), "{i:?}");
            prop_assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end), "{i:?}");
            prop_assert!(i.span.start >= last_end, "overlap or disorder: {found:?}");
            prop_assert!(!i.value.is_empty());
            last_end = i.span.end;
        }
    }

    #[test]
    fn find_never_panics_on_any_string(text in any::<String>()) {
        for i in extractor().find(&text) {
            prop_assert!(text.is_char_boundary(i.span.start) && text.is_char_boundary(i.span.end));
        }
    }
}
