//! Checksums of the formats that carry one: IBAN mod-97, Base58Check (Bitcoin, Litecoin,
//! Dogecoin, Tron), Bech32/Bech32m (SegWit), EIP-55 (Ethereum), Monero's Keccak checksum, and
//! Luhn. Keccak-256 is implemented here (about forty lines) rather than pulled in as a
//! dependency. Every function takes any bytes and never panics.

use sha2::{Digest, Sha256};

/// The Base58 alphabet (Bitcoin's, also Monero's).
const BASE58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

fn base58_digit(c: u8) -> Option<u8> {
    BASE58
        .iter()
        .position(|&a| a == c)
        .and_then(|i| u8::try_from(i).ok())
}

/// IBAN mod-97 (ISO 13616): the country code and check digits moved to the end, letters as
/// 10–35, the number modulo 97 is 1. `compact` is upper-case ASCII without spaces.
pub(super) fn iban_mod97(compact: &[u8]) -> bool {
    if compact.len() < 5 {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut r: u32 = 0;
    for &c in tail.iter().chain(head) {
        r = match c {
            b'0'..=b'9' => (r * 10 + u32::from(c - b'0')) % 97,
            b'A'..=b'Z' => (r * 100 + u32::from(c - b'A') + 10) % 97,
            _ => return false,
        };
    }
    r == 1
}

/// Luhn (ISO/IEC 7812) over ASCII digits.
pub(super) fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, &c) in digits.iter().rev().enumerate() {
        if !c.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// A 25-byte Base58Check payload: its version byte and whether its checksum holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Base58Check {
    pub(super) version: u8,
    pub(super) valid: bool,
}

/// Decodes `s` as Base58 into exactly 25 bytes (version, 20-byte hash, 4-byte checksum) and
/// checks the double-SHA-256 checksum. `None` when `s` is not Base58 or not 25 bytes long.
pub(super) fn base58check25(s: &[u8]) -> Option<Base58Check> {
    let mut out = [0u8; 25];
    for &c in s {
        let mut carry = u32::from(base58_digit(c)?);
        for b in out.iter_mut().rev() {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return None; // more than 25 bytes
        }
    }
    let zeros = s.iter().take_while(|&&c| c == b'1').count();
    let significant = out.len() - out.iter().take_while(|&&b| b == 0).count();
    if zeros + significant != out.len() {
        return None;
    }
    let first = Sha256::digest(&out[..21]);
    let second = Sha256::digest(first);
    Some(Base58Check {
        version: out[0],
        valid: second[..4] == out[21..],
    })
}

/// Monero's Base58 (8-byte blocks as 11 characters, a shorter last block) and its checksum: the
/// first 4 bytes of Keccak-256 of the rest. True for a standard (`4…`, 95 characters), subaddress
/// (`8…`, 95) or integrated (`4…`, 106) mainnet address whose checksum holds.
pub(super) fn monero(s: &[u8]) -> bool {
    // Characters per block for 0..=8 bytes.
    const ENCODED: [usize; 9] = [0, 2, 3, 5, 6, 7, 9, 10, 11];
    let mut out = [0u8; 80];
    let mut len = 0usize;
    for chunk in s.chunks(11) {
        let Some(bytes) = ENCODED.iter().position(|&n| n == chunk.len()) else {
            return false;
        };
        let mut num: u64 = 0;
        for &c in chunk {
            let Some(d) = base58_digit(c) else { return false };
            let Some(n) = num.checked_mul(58).and_then(|n| n.checked_add(u64::from(d))) else {
                return false;
            };
            num = n;
        }
        if bytes < 8 && num >> (8 * bytes) != 0 {
            return false;
        }
        let Some(dst) = out.get_mut(len..len + bytes) else {
            return false;
        };
        dst.copy_from_slice(&num.to_be_bytes()[8 - bytes..]);
        len += bytes;
    }
    let data = &out[..len];
    let shape = matches!((data.first(), len), (Some(0x12 | 0x2a), 69) | (Some(0x13), 77));
    shape && keccak256(&data[..len - 4])[..4] == data[len - 4..]
}

const BECH32_CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";

fn bech32_polymod(values: impl Iterator<Item = u8>) -> u32 {
    const GEN: [u32; 5] = [0x3b6a_57b2, 0x2650_8e6d, 0x1ea1_19fa, 0x3d42_33dd, 0x2a14_62b3];
    let mut chk: u32 = 1;
    for v in values {
        let top = chk >> 25;
        chk = ((chk & 0x1ff_ffff) << 5) ^ u32::from(v);
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                chk ^= g;
            }
        }
    }
    chk
}

/// A SegWit address (BIP-173 Bech32 for witness version 0, BIP-350 Bech32m for 1–16): true when
/// it is not mixed-case, its human-readable part is `hrp`, its checksum holds with the constant
/// of its version, and its program is 2–40 bytes (20 or 32 for version 0).
pub(super) fn segwit(addr: &str, hrp: &str) -> bool {
    let b = addr.as_bytes();
    let upper = b.iter().any(u8::is_ascii_uppercase);
    let lower = b.iter().any(u8::is_ascii_lowercase);
    if (upper && lower) || b.len() > 90 {
        return false;
    }
    let Some(sep) = b.iter().rposition(|&c| c == b'1') else {
        return false;
    };
    let (h, rest) = b.split_at(sep);
    if !h.eq_ignore_ascii_case(hrp.as_bytes()) {
        return false;
    }
    let mut data = [0u8; 90];
    let mut n = 0usize;
    for &c in &rest[1..] {
        let c = c.to_ascii_lowercase();
        let Some(v) = BECH32_CHARSET.iter().position(|&a| a == c) else {
            return false;
        };
        let Some(slot) = data.get_mut(n) else { return false };
        *slot = v as u8;
        n += 1;
    }
    if n < 7 {
        return false;
    }
    let data = &data[..n];
    let version = data[0];
    let bits = (n - 7) * 5;
    let program = bits / 8;
    if version > 16 || !(2..=40).contains(&program) || bits % 8 > 4 {
        return false;
    }
    if version == 0 && program != 20 && program != 32 {
        return false;
    }
    let hrp = hrp.as_bytes();
    let expanded = hrp.iter().map(|c| c.to_ascii_lowercase() >> 5).chain([0]);
    let expanded = expanded.chain(hrp.iter().map(|c| c.to_ascii_lowercase() & 31));
    let constant = if version == 0 { 1 } else { 0x2bc8_30a3 };
    bech32_polymod(expanded.chain(data.iter().copied())) == constant
}

/// EIP-55 for the 40 hex digits of an Ethereum address, as written: `Some(true)` when they equal
/// their checksummed form; `Some(false)` when they are mixed-case and do not; `None` when they
/// carry no checksum (one case only, or no letters) and differ from it.
pub(super) fn eip55(hex40: &str) -> Option<bool> {
    let b = hex40.as_bytes();
    if b.len() != 40 || !b.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut lower = [0u8; 40];
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    let hash = keccak256(&lower);
    let (mut any_upper, mut any_lower, mut matches) = (false, false, true);
    for (i, &c) in b.iter().enumerate() {
        if !c.is_ascii_alphabetic() {
            continue;
        }
        let nibble = if i % 2 == 0 {
            hash[i / 2] >> 4
        } else {
            hash[i / 2] & 0x0f
        };
        let upper = c.is_ascii_uppercase();
        any_upper |= upper;
        any_lower |= !upper;
        matches &= upper == (nibble >= 8);
    }
    match (any_upper, any_lower) {
        (false, false) => None,
        (true, true) => Some(matches),
        _ => matches.then_some(true),
    }
}

/// Keccak-256 (the original Keccak padding, as Ethereum and Monero use it; not SHA3-256).
pub(super) fn keccak256(data: &[u8]) -> [u8; 32] {
    sponge(data, 0x01)
}

/// SHA3-256: the same permutation with the FIPS 202 padding, to test [`keccak_f`] against
/// published SHA3 vectors.
#[cfg(test)]
pub(super) fn sha3_256(data: &[u8]) -> [u8; 32] {
    sponge(data, 0x06)
}

/// A 256-bit-output sponge over Keccak-f[1600] (rate 136 bytes) with the given domain padding.
fn sponge(data: &[u8], pad: u8) -> [u8; 32] {
    const RATE: usize = 136;
    let mut state = [0u64; 25];
    let mut blocks = data.chunks_exact(RATE);
    for block in &mut blocks {
        absorb(&mut state, block);
        keccak_f(&mut state);
    }
    let rest = blocks.remainder();
    let mut last = [0u8; RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= pad;
    last[RATE - 1] ^= 0x80;
    absorb(&mut state, &last);
    keccak_f(&mut state);
    let mut out = [0u8; 32];
    for (chunk, lane) in out.chunks_exact_mut(8).zip(state) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    out
}

fn absorb(state: &mut [u64; 25], block: &[u8]) {
    for (lane, b) in state.iter_mut().zip(block.chunks_exact(8)) {
        *lane ^= u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    }
}

/// The Keccak-f[1600] permutation, 24 rounds.
fn keccak_f(a: &mut [u64; 25]) {
    const RC: [u64; 24] = [
        0x0000_0000_0000_0001,
        0x0000_0000_0000_8082,
        0x8000_0000_0000_808a,
        0x8000_0000_8000_8000,
        0x0000_0000_0000_808b,
        0x0000_0000_8000_0001,
        0x8000_0000_8000_8081,
        0x8000_0000_0000_8009,
        0x0000_0000_0000_008a,
        0x0000_0000_0000_0088,
        0x0000_0000_8000_8009,
        0x0000_0000_8000_000a,
        0x0000_0000_8000_808b,
        0x8000_0000_0000_008b,
        0x8000_0000_0000_8089,
        0x8000_0000_0000_8003,
        0x8000_0000_0000_8002,
        0x8000_0000_0000_0080,
        0x0000_0000_0000_800a,
        0x8000_0000_8000_000a,
        0x8000_0000_8000_8081,
        0x8000_0000_0000_8080,
        0x0000_0000_8000_0001,
        0x8000_0000_8000_8008,
    ];
    // Rotation offsets and lane order of the combined rho and pi steps.
    const ROTATE: [u32; 24] = [
        1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
    ];
    const PI: [usize; 24] = [
        10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
    ];
    for rc in RC {
        // Theta.
        let mut c = [0u64; 5];
        for (x, cx) in c.iter_mut().enumerate() {
            *cx = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[5 * y + x] ^= d;
            }
        }
        // Rho and pi.
        let mut carried = a[1];
        for (&to, &by) in PI.iter().zip(&ROTATE) {
            let next = a[to];
            a[to] = carried.rotate_left(by);
            carried = next;
        }
        // Chi.
        for y in 0..5 {
            let row = [a[5 * y], a[5 * y + 1], a[5 * y + 2], a[5 * y + 3], a[5 * y + 4]];
            for x in 0..5 {
                a[5 * y + x] = row[x] ^ (!row[(x + 1) % 5] & row[(x + 2) % 5]);
            }
        }
        // Iota.
        a[0] ^= rc;
    }
}
