//! Indicators: contact and payment details in a message — phone numbers, e-mail addresses,
//! messaging handles and invite links, payment handles, crypto wallet addresses and gift-card
//! codes — typed, normalized, with their byte spans, for an escalation to list.
//!
//! Grooming moves a child to a channel the platform cannot see (a handle, a number, an invite
//! link); commercial exploitation moves money (a cashtag, a wallet, a gift card). An
//! [`Extractor`], built once (its patterns compile in [`Extractor::new`]; it is `Send + Sync`),
//! finds them in a message's text with [`Extractor::find`]; an [`IndicatorSet`] keeps the first
//! sighting of each across a conversation, bounded in size.
//!
//! ```
//! use vigil::indicators::{Extractor, IndicatorKind, IndicatorSet};
//!
//! let extractor = Extractor::new();
//! let text = "add me on snap: coolkid_22 or text me +44 7700 900123";
//! let found = extractor.find(text);
//! assert_eq!(found.len(), 2);
//!
//! assert_eq!(found[0].kind, IndicatorKind::Handle);
//! assert_eq!(found[0].value, "coolkid_22");
//! assert_eq!(found[0].detail.as_deref(), Some("snapchat"));
//! assert_eq!(&text[found[0].span.start..found[0].span.end], "coolkid_22");
//!
//! assert_eq!(found[1].kind, IndicatorKind::Phone);
//! assert_eq!(found[1].value, "+447700900123");
//!
//! let wallet = extractor.find("btc 1BoatSLRHtKNngkdXEeobR76b53LETtpyT");
//! assert_eq!(wallet[0].detail.as_deref(), Some("bitcoin"));
//! assert_eq!(wallet[0].checked, Some(true)); // Base58Check holds
//!
//! // Across a conversation: the first sighting of each, with a count.
//! let mut set = IndicatorSet::new();
//! set.extend("m-1", found);
//! set.extend("m-7", extractor.find("my snap is coolkid_22"));
//! assert_eq!(set.len(), 2);
//! assert_eq!(set.iter().next().map(|s| (s.message_id.as_str(), s.count)), Some(("m-1", 2)));
//! ```
//!
//! # What each kind finds
//!
//! Precision comes before recall: an indicator is evidence a moderator reads, and a price, a date
//! or an ordinary word reported as one wastes their time. Every rule below leans that way; the
//! known limits say what that costs.
//!
//! * **[`Phone`](IndicatorKind::Phone)** — digits with at most one separator (space, no-break
//!   space, `-`, `.`) between them and optional parentheses.
//!   * International (`+…`, or `00…` followed by 8–15 digits): 7–15 digits; a `(0)` trunk group
//!     is dropped. Value `+` and the digits (`+447700900123`).
//!   * National: 7–15 digits. With separators, 10 or more digits stand alone; 7–9 need a phone
//!     word within 40 bytes before or 24 after (`number`, `num`, `phone`, `cell`, `mobile`, `mob`,
//!     `tel`, `ph`, `text`, `txt`, `call`, `ring`, `whatsapp`, `signal`, `sms`, `digits`,
//!     `contact`, `hmu`, `dial`). Without separators they always need one. Value: the digits.
//!   * Never a phone: a run touching letters, `$ € £ ¥ # @ / _` or a decimal point (`$50`,
//!     `10am`, `#12345678`), followed by `:` or `%` (`12:30`), a date (`12.05.2024`,
//!     `2024-01-15`), a list of years (`2019 2024`), groups of one digit after the first
//!     (`1.5 2.5`, IP addresses, ISBNs), short groups not starting with `0` (`10 20 30 40 50`),
//!     mixed `.` and other separators, and, without a phone word, thousands-style grouping
//!     (`1 000 000 000`).
//! * **[`Email`](IndicatorKind::Email)** — `local@domain.tld` (ASCII, a top-level domain of 2–24
//!   letters). Also written out: `name at gmail dot com`, `name (at) example [dot] com`,
//!   `name@gmail dot com`; `detail` is then `"obfuscated"`. With a bare ` at `, the domain must be
//!   a common mail provider (gmail, yahoo, hotmail, outlook, icloud, proton, …) and the name not
//!   an ordinary word (`look at gmail dot com` is nothing); only one-label domains with a common
//!   top-level domain are read in the written-out form. Value: lower-case `local@domain.tld`.
//! * **[`Handle`](IndicatorKind::Handle)** — an app named before a username: `snap: coolkid_22`,
//!   `add me on insta coolkid`, `my discord is name#1234`, `tg @someone`. Apps: Snapchat (`snap`,
//!   `sc`), Instagram (`insta`, `ig`), Discord (`dc`), Telegram (`tele`, `tg`), Kik, WhatsApp
//!   (`wa`), TikTok (`tt`), Roblox (`rblx`); `detail` is the app's name. A name in letters only
//!   needs a marker (`:`, `-`, `=`, `@`, `username`, `id`, …) or a lead-in (`my`, `add`,
//!   `follow`, `hmu`, `dm`, …) before the app (`snap is fun` is nothing); a two-letter
//!   abbreviation (`ig`, `sc`, …) always needs one. Ordinary words (unless written with `@`),
//!   times and ordinals are never names. Names follow each app's characters and lengths (`-` for
//!   Snapchat and Venmo only, no `.` for Telegram and Roblox, …). Also a bare `@name` (2–30 letters,
//!   digits, `_`, `.`, with a letter; not part of an e-mail or URL; not `@everyone`, `@home`,
//!   `@5pm`), with no `detail`. Value: the lower-case name without `@` (`name#1234` keeps its
//!   tag). The span covers the name (and its `@`), not the app's name.
//! * **[`InviteLink`](IndicatorKind::InviteLink)** — `discord.gg/…` (and `discord.com/invite/…`),
//!   `t.me/…` (`telegram.me`), `chat.whatsapp.com/…`, `wa.me/…`, `snapchat.com/add/…`,
//!   `instagram.com/…`, `tiktok.com/@…`, `kik.me/…`, `roblox.com/users/…`, with or without
//!   `https://` and `www.`. Value: the canonical host and path (`discord.gg/AbC123`,
//!   `t.me/somename`; no query string): invite codes keep their case, usernames are
//!   lower-cased.
//! * **[`PaymentHandle`](IndicatorKind::PaymentHandle)** — `detail` is the service:
//!   * `cashapp`: a cashtag `$name` (a letter first, 2–20 characters; never `$50`, `$5.99`, `$5k`;
//!     not a currency or common ticker such as `$USD`, `$BTC`), `cash.app/$name`, `cash app: name`.
//!     Value `$name`, lower-case.
//!   * `paypal`: `paypal.me/name` (`paypal.com/paypalme/…`). Value `paypal.me/name`, lower-case.
//!   * `venmo`: `venmo @name`, `venmo: name`, `venmo.com/name` (`/u/name`). Value `@name`.
//!   * `iban`: an IBAN-shaped string — a known IBAN country code, 2 check digits and an
//!     upper-case BBAN, 15–34 characters in all, compact or in groups of four (`IBAN DE89 3704 0044
//!     0532 0130 00`), mostly digits unless the checksum holds. `checked` is the mod-97 result
//!     (lengths per country are not checked). Value: upper-case without spaces.
//! * **[`Wallet`](IndicatorKind::Wallet)** — `detail` is the chain guessed from the format:
//!   * `bitcoin`: legacy `1…` (P2PKH) and `3…` (P2SH), Base58Check (version 0 or 5); SegWit
//!     `bc1…`, Bech32 (version 0) or Bech32m (versions 1–16).
//!   * `litecoin`: `L…`, `M…` (Base58Check, version 48 or 50); `ltc1…` (Bech32/Bech32m).
//!   * `dogecoin`: `D…` (Base58Check, version 30), only when the checksum holds.
//!   * `tron`: `T…`, 34 characters (Base58Check, version 65).
//!   * `ethereum`: `0x` and 40 hex digits (any EVM chain uses this format). `checked` is EIP-55:
//!     `Some(true)` when the address equals its checksummed form, `Some(false)` when it is
//!     mixed-case and does not, `None` when it is in one case and does not (no checksum
//!     written).
//!   * `monero`: `4…` or `8…`, 95 characters (106 for an integrated address); `checked` is the
//!     Keccak-256 checksum of Monero's block Base58.
//!
//!   A Base58 or Bech32 string whose checksum fails is still reported (`checked: Some(false)`, a
//!   mistyped or altered address) when it has the shape of its chain: a Bitcoin-like length with
//!   digits and both cases, or a standard SegWit length (42 or 62 characters). Value: the address
//!   as written (Bech32 lower-cased, its canonical form).
//! * **[`GiftCard`](IndicatorKind::GiftCard)** — a code within 64 bytes after or 32 before a gift
//!   word: `gift card`, `giftcard`, `gift code`, `gift`, `redeem`, or a brand (`steam`, `amazon`,
//!   `google play`, `play store`, `itunes`, `apple`, `app store`, `roblox`, `robux`, `psn`,
//!   `playstation`, `xbox`, `nintendo`, `eshop`, `razer`, `vanilla`, `visa`); `detail` is the brand
//!   (`steam`, `amazon`, `google_play`, `apple`, `roblox`, `playstation`, `xbox`, `nintendo`,
//!   `razer`, `visa`) when one is named. Codes: 10–25 letters and digits in groups of 3–7 joined
//!   by `-`, or by spaces (upper-case), or one upper-case run; with at least 2 digits and letters
//!   in one case — or 16 or 19 digits (a card number; `checked` is Luhn). After the weaker words
//!   `code`, `card`, `pin` only grouped codes count. Value: upper-case letters and digits without
//!   separators.
//!
//! # Overlaps, order and bounds
//!
//! Where two candidates overlap, one wins in this order: links, e-mails, wallets, IBANs, app
//! handles, cashtags, phones, gift cards, bare `@` handles (so `venmo @some-one` is one payment
//! handle, and a code inside an IBAN is no gift card). [`Extractor::find`] returns indicators in
//! text order, every occurrence (deduplication is [`IndicatorSet`]'s), at most
//! [`Extractor::MAX_PER_MESSAGE`]. Spans are byte ranges of the text given, on character
//! boundaries.
//!
//! # Known limits
//!
//! * ASCII forms only: full-width digits, homoglyphs and leetspeak are not folded (the engine's
//!   normalizer sees those; these are the details as written). IBANs must be upper-case.
//! * Phones: numbers written as words (`seven seven zero…`), split across messages, or in runs of
//!   unseparated digits without a phone word are missed; order numbers formatted like phones
//!   (`123-456-7890`) are found.
//! * Handles: an app named after the name (`coolkid on snap`) and letters-only names without a
//!   marker or lead-in are missed; an ordinary word missing from the stop list after a marker can
//!   be taken for a name. A bare `@name` may be an in-platform mention.
//! * Wallets: other chains (Solana, Cardano, XRP, …) are not detected: their formats are too
//!   close to ordinary tokens without a checksum in reach.
//! * Gift cards: promo and referral codes near the same words look the same.
//!
//! None of these is a verdict: an indicator says what the text contains, not who owns it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Span;

mod checks;
mod scan;
#[cfg(test)]
mod tests;

/// The kind of an [`Indicator`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IndicatorKind {
    /// A phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A username on a messaging or social app (`detail`: the app, when named).
    Handle,
    /// An invite or profile link of a messaging or social app (`detail`: the app).
    InviteLink,
    /// A payment handle: cashtag, PayPal.Me, Venmo, or an IBAN (`detail`: the service).
    PaymentHandle,
    /// A crypto wallet address (`detail`: the chain).
    Wallet,
    /// A gift-card code (`detail`: the brand, when named).
    GiftCard,
}

impl IndicatorKind {
    /// Every kind, in declaration order.
    pub const ALL: [IndicatorKind; 7] = [
        IndicatorKind::Phone,
        IndicatorKind::Email,
        IndicatorKind::Handle,
        IndicatorKind::InviteLink,
        IndicatorKind::PaymentHandle,
        IndicatorKind::Wallet,
        IndicatorKind::GiftCard,
    ];

    /// The snake_case name (as serialized): `phone`, `email`, `handle`, `invite_link`,
    /// `payment_handle`, `wallet`, `gift_card`.
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Phone => "phone",
            IndicatorKind::Email => "email",
            IndicatorKind::Handle => "handle",
            IndicatorKind::InviteLink => "invite_link",
            IndicatorKind::PaymentHandle => "payment_handle",
            IndicatorKind::Wallet => "wallet",
            IndicatorKind::GiftCard => "gift_card",
        }
    }
}

impl fmt::Display for IndicatorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One contact or payment detail found in a message (see the [module docs](self) for each kind's
/// rules and normalization).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Indicator {
    /// What it is.
    pub kind: IndicatorKind,
    /// Normalized: `+` and digits or digits for phones, lower-case e-mails and handles, the
    /// canonical link, the service's form of a payment handle, an IBAN without spaces, a wallet
    /// address as written (Bech32 lower-case), a gift code upper-case without separators.
    pub value: String,
    /// Where it is: a byte range of the text given to [`Extractor::find`], on character
    /// boundaries.
    pub span: Span,
    /// The app of a handle or link, the service of a payment handle (`cashapp`, `paypal`,
    /// `venmo`, `iban`), the chain of a wallet, the brand of a gift card, `obfuscated` for an
    /// e-mail written with words; `None` when there is nothing to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The checksum result where the format has one (IBAN mod-97, Base58Check, Bech32/Bech32m,
    /// EIP-55, Monero, Luhn for card numbers); `None` where it has none or none was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<bool>,
}

impl Indicator {
    /// An indicator with no detail and no checksum result.
    pub fn new(kind: IndicatorKind, value: impl Into<String>, span: Span) -> Indicator {
        Indicator {
            kind,
            value: value.into(),
            span,
            detail: None,
            checked: None,
        }
    }

    /// With a detail (app, service, chain or brand).
    pub fn with_detail(mut self, detail: impl Into<String>) -> Indicator {
        self.detail = Some(detail.into());
        self
    }

    /// With a checksum result.
    pub fn with_checked(mut self, checked: bool) -> Indicator {
        self.checked = Some(checked);
        self
    }

    /// Whether `self` and `other` are the same detail for [`IndicatorSet`]: the same kind and
    /// value — and, for handles, the same app (`coolkid` on Snapchat is not `coolkid` on
    /// Instagram).
    pub fn same_as(&self, other: &Indicator) -> bool {
        self.kind == other.kind
            && self.value == other.value
            && (self.kind != IndicatorKind::Handle || self.detail == other.detail)
    }
}

/// Finds [`Indicator`]s in text. Build it once ([`Extractor::new`] compiles its patterns) and
/// share it: it is immutable, `Send + Sync` and cheap to call.
#[derive(Debug, Clone)]
pub struct Extractor {
    re: scan::Patterns,
}

impl Extractor {
    /// The most indicators [`Extractor::find`] returns for one text (the first ones, in text
    /// order, after overlaps are resolved).
    pub const MAX_PER_MESSAGE: usize = 64;

    /// Compiles the patterns (a few milliseconds: do it once, then share the extractor).
    pub fn new() -> Extractor {
        Extractor {
            re: scan::Patterns::new(),
        }
    }

    /// The indicators in `text`, in text order. Never panics; allocates only for what it finds
    /// (and for the text's candidates).
    pub fn find(&self, text: &str) -> Vec<Indicator> {
        scan::find(&self.re, text)
    }
}

impl Default for Extractor {
    fn default() -> Extractor {
        Extractor::new()
    }
}

/// A sighting kept by an [`IndicatorSet`]: the first occurrence of an indicator in a
/// conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Sighting {
    /// The message it was first seen in.
    pub message_id: String,
    /// The indicator as first seen (its span is in that message).
    pub indicator: Indicator,
    /// How many times it has been seen (saturating).
    pub count: u32,
}

/// The indicators of a conversation, deduplicated: the first sighting of each (by
/// [`Indicator::same_as`]) with its message id and a count, in the order first seen, at most
/// `cap` of them; later new ones are counted in [`IndicatorSet::dropped`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorSet {
    items: Vec<Sighting>,
    cap: usize,
    dropped: u64,
}

impl IndicatorSet {
    /// The cap of [`IndicatorSet::new`].
    pub const DEFAULT_CAP: usize = 64;

    /// An empty set keeping at most [`IndicatorSet::DEFAULT_CAP`] indicators.
    pub fn new() -> IndicatorSet {
        IndicatorSet::with_cap(IndicatorSet::DEFAULT_CAP)
    }

    /// An empty set keeping at most `cap` indicators.
    pub fn with_cap(cap: usize) -> IndicatorSet {
        IndicatorSet {
            items: Vec::new(),
            cap,
            dropped: 0,
        }
    }

    /// Adds a sighting of `indicator` in message `message_id`. Returns true when it is new and
    /// kept; a repeat only counts, and a new one beyond the cap is dropped (and counted).
    pub fn insert(&mut self, message_id: &str, indicator: Indicator) -> bool {
        match insert_sighting(&mut self.items, self.cap, message_id, indicator) {
            Some(new) => new,
            None => {
                self.dropped = self.dropped.saturating_add(1);
                false
            }
        }
    }

    /// Adds the sightings of one message (such as [`Extractor::find`]'s result).
    pub fn extend(&mut self, message_id: &str, indicators: impl IntoIterator<Item = Indicator>) {
        for i in indicators {
            self.insert(message_id, i);
        }
    }

    /// The sighting of the same indicator as `indicator` ([`Indicator::same_as`]), if kept.
    pub fn get(&self, indicator: &Indicator) -> Option<&Sighting> {
        self.items.iter().find(|s| s.indicator.same_as(indicator))
    }

    /// The sightings, in the order first seen.
    pub fn iter(&self) -> std::slice::Iter<'_, Sighting> {
        self.items.iter()
    }

    /// The sightings, in the order first seen.
    pub fn as_slice(&self) -> &[Sighting] {
        &self.items
    }

    /// The sightings, in the order first seen.
    pub fn into_vec(self) -> Vec<Sighting> {
        self.items
    }

    /// How many are kept.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The most it keeps.
    pub fn cap(&self) -> usize {
        self.cap
    }

    /// Sightings of new indicators not kept because the set was full (a repeat of one counts
    /// again: the set does not remember what it dropped).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

/// Adds a sighting to `items` (first sightings, at most `cap`): `Some(true)` when new and kept,
/// `Some(false)` when a repeat (counted), `None` when new beyond the cap (dropped). What
/// [`IndicatorSet::insert`] and a tracker's conversation keys do.
pub(crate) fn insert_sighting(
    items: &mut Vec<Sighting>,
    cap: usize,
    message_id: &str,
    indicator: Indicator,
) -> Option<bool> {
    if let Some(s) = items.iter_mut().find(|s| s.indicator.same_as(&indicator)) {
        s.count = s.count.saturating_add(1);
        return Some(false);
    }
    if items.len() >= cap {
        return None;
    }
    items.push(Sighting {
        message_id: message_id.to_owned(),
        indicator,
        count: 1,
    });
    Some(true)
}

impl Default for IndicatorSet {
    fn default() -> IndicatorSet {
        IndicatorSet::new()
    }
}

impl<'a> IntoIterator for &'a IndicatorSet {
    type Item = &'a Sighting;
    type IntoIter = std::slice::Iter<'a, Sighting>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Compile-time check that the extractor can be shared across threads.
const _: fn() = || {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Extractor>();
    assert_send_sync::<IndicatorSet>();
};
