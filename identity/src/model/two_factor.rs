//! Two-factor authentication's pure rules, as Better Auth's `two-factor`
//! plugin applies them: TOTP codes (RFC 6238: HMAC-SHA1 over the secret's
//! UTF-8 bytes, 6 digits, 30-second steps, one step of clock drift either
//! way), the `otpauth://` URI an authenticator app scans, backup codes, and
//! the pending sign-in challenge with its cap on wrong codes.

use std::time::Duration;

use hmac::{Hmac, Mac};
use rand::Rng;
use sha1::Sha1;
use subtle::ConstantTimeEq;

/// Digits in a TOTP code.
pub const DIGITS: u32 = 6;
/// Seconds one TOTP code is current.
pub const PERIOD_SECS: i64 = 30;
/// Steps of clock drift accepted before and after the current one.
pub const DRIFT_STEPS: i64 = 1;
/// Backup codes issued at a time.
pub const BACKUP_CODES: usize = 10;
/// Letters and digits in one backup code (shown as two halves, `abcde-12345`).
pub const BACKUP_CODE_LEN: usize = 10;
/// Wrong codes a pending sign-in survives; the next attempt ends it, and
/// the user signs in with their password again.
pub const MAX_ATTEMPTS: u32 = 5;
/// How long a sign-in waits for its second factor (Better Auth: 10 minutes).
pub const CHALLENGE_TTL: Duration = Duration::from_secs(10 * 60);
/// How long a trusted device skips the second factor (Better Auth: 30 days).
pub const TRUSTED_DEVICE_TTL: Duration = Duration::from_secs(30 * 24 * 3600);
/// Identifier prefix of a pending sign-in's `verification` row.
pub const CHALLENGE_PREFIX: &str = "2fa-";
/// Identifier prefix of a trusted device's `verification` row.
pub const TRUSTED_DEVICE_PREFIX: &str = "trust-device-";

const ALPHANUMERIC: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The code for time step `step` (Unix seconds / 30) of `secret`.
pub fn totp_at(secret: &str, step: i64) -> String {
    // HMAC takes keys of any length; this cannot fail.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([digest[offset], digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    let code = (word & 0x7fff_ffff) % 10u32.pow(DIGITS);
    format!("{code:0width$}", width = DIGITS as usize)
}

/// The code current at `unix_secs`.
pub fn totp_now(secret: &str, unix_secs: i64) -> String {
    totp_at(secret, unix_secs.div_euclid(PERIOD_SECS))
}

/// Whether `code` is the code of `secret` at `unix_secs`, give or take
/// [`DRIFT_STEPS`]; spaces are ignored, comparison is constant-time.
pub fn verify_totp(secret: &str, code: &str, unix_secs: i64) -> bool {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let step = unix_secs.div_euclid(PERIOD_SECS);
    (-DRIFT_STEPS..=DRIFT_STEPS)
        .fold(false, |found, drift| found | bool::from(totp_at(secret, step + drift).as_bytes().ct_eq(code.as_bytes())))
}

/// RFC 4648 base32, upper case, no padding: how `otpauth://` URIs carry
/// the secret.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `otpauth://totp/…` URI for `secret`, labelled `issuer:account`
/// (the form Google Authenticator and Better Auth use).
pub fn totp_uri(secret: &str, issuer: &str, account: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={}&issuer={issuer}&digits={DIGITS}&period={PERIOD_SECS}",
        percent_encode(account),
        base32(secret.as_bytes())
    )
}

/// A fresh set of backup codes, `abcde-12345` style, each usable once.
pub fn new_backup_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..BACKUP_CODES)
        .map(|_| {
            let raw: String = (0..BACKUP_CODE_LEN)
                .map(|_| char::from(ALPHANUMERIC[rng.random_range(0..ALPHANUMERIC.len())]))
                .collect();
            format!("{}-{}", &raw[..BACKUP_CODE_LEN / 2], &raw[BACKUP_CODE_LEN / 2..])
        })
        .collect()
}

/// The codes left once `code` is used, or `None` when it is not one of
/// `codes` (surrounding spaces ignored, compared in constant time).
pub fn spend_backup_code(codes: &[String], code: &str) -> Option<Vec<String>> {
    let code = code.trim().as_bytes();
    let position = codes.iter().position(|c| bool::from(c.as_bytes().ct_eq(code)))?;
    let mut left = codes.to_vec();
    left.remove(position);
    Some(left)
}

/// A sign-in waiting for its second factor, as its `verification` row's
/// value holds it: `<user id>:<wrong attempts>:<remember me 1|0>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// Who is signing in.
    pub user_id: String,
    /// Wrong codes given so far (0 to [`MAX_ATTEMPTS`]).
    pub attempts: u32,
    /// Whether the session will last the long lifetime.
    pub remember_me: bool,
}

impl Challenge {
    /// The value stored.
    pub fn encode(&self) -> String {
        format!("{}:{}:{}", self.user_id, self.attempts, u8::from(self.remember_me))
    }

    /// Reads a stored value; a bare user id (Better Auth's form) is a
    /// remembered challenge with no attempts yet.
    pub fn parse(value: &str) -> Option<Self> {
        let mut parts = value.split(':');
        let user_id = parts.next().filter(|id| !id.is_empty())?.to_owned();
        let attempts = parts.next().map_or(Some(0), |a| a.parse().ok())?;
        let remember_me = parts.next().is_none_or(|r| r != "0");
        parts.next().is_none().then_some(Self { user_id, attempts, remember_me })
    }

    /// The challenge after one more attempt; `None` once the cap is spent.
    pub fn attempted(&self) -> Option<Self> {
        (self.attempts < MAX_ATTEMPTS).then(|| Self { attempts: self.attempts + 1, ..self.clone() })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed; its 8-digit codes end in these 6.
    const RFC_SEED: &str = "12345678901234567890";

    #[test]
    fn codes_match_rfc_6238() {
        for (time, code) in
            [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924"), (2_000_000_000, "279037")]
        {
            assert_eq!(totp_now(RFC_SEED, time), code, "at {time}");
        }
    }

    #[test]
    fn a_code_is_good_for_one_step_either_side() {
        let now = 1_700_000_015;
        let code = totp_now(RFC_SEED, now);
        assert!(verify_totp(RFC_SEED, &code, now));
        assert!(verify_totp(RFC_SEED, &code, now + 30));
        assert!(verify_totp(RFC_SEED, &code, now - 30));
        assert!(!verify_totp(RFC_SEED, &code, now + 60));
        assert!(!verify_totp("another secret", &code, now));
        assert!(verify_totp(RFC_SEED, &format!("{} {}", &code[..3], &code[3..]), now));
    }

    #[test]
    fn malformed_codes_never_verify() {
        for code in ["", "12345", "1234567", "abcdef", "12345x", "１２３４５６"] {
            assert!(!verify_totp(RFC_SEED, code, 59), "{code}");
        }
    }

    #[test]
    fn base32_follows_rfc_4648() {
        for (input, expected) in [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foobar", "MZXW6YTBOI")] {
            assert_eq!(base32(input.as_bytes()), expected);
        }
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = totp_uri("abc", "Gremlin Inc", "ann@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Gremlin%20Inc:ann%40example.com?secret=MFRGG&issuer=Gremlin%20Inc&digits=6&period=30"
        );
    }

    #[test]
    fn backup_codes_are_fresh_and_spent_once() {
        let codes = new_backup_codes();
        assert_eq!(codes.len(), BACKUP_CODES);
        assert!(codes.iter().all(|c| c.len() == BACKUP_CODE_LEN + 1 && c.as_bytes()[5] == b'-'));
        assert_ne!(codes, new_backup_codes());
        let left = spend_backup_code(&codes, &format!(" {} ", codes[3])).expect("a listed code");
        assert_eq!(left.len(), BACKUP_CODES - 1);
        assert!(!left.contains(&codes[3]));
        assert_eq!(spend_backup_code(&left, &codes[3]), None);
        assert_eq!(spend_backup_code(&codes, "aaaaa-bbbbb"), None);
    }

    #[test]
    fn challenges_cap_attempts() {
        let mut challenge = Challenge { user_id: "u1".into(), attempts: 0, remember_me: false };
        for _ in 0..MAX_ATTEMPTS {
            challenge = challenge.attempted().expect("attempts left");
        }
        assert_eq!(challenge.attempts, MAX_ATTEMPTS);
        assert_eq!(challenge.attempted(), None);
    }

    #[test]
    fn challenges_read_better_auths_bare_user_id() {
        assert_eq!(Challenge::parse("u1"), Some(Challenge { user_id: "u1".into(), attempts: 0, remember_me: true }));
        for bad in ["", ":1:1", "u1:x:1", "u1:1:1:1"] {
            assert_eq!(Challenge::parse(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn challenges_round_trip(user_id in "[a-zA-Z0-9]{1,32}", attempts in 0..=MAX_ATTEMPTS, remember_me: bool) {
            let challenge = Challenge { user_id, attempts, remember_me };
            prop_assert_eq!(Challenge::parse(&challenge.encode()), Some(challenge));
        }

        #[test]
        fn every_code_has_six_digits(secret in "[a-zA-Z0-9]{32}", step in 0i64..100_000_000) {
            let code = totp_at(&secret, step);
            prop_assert_eq!(code.len(), 6);
            prop_assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }

        #[test]
        fn a_current_code_verifies(secret in "[a-zA-Z0-9]{32}", now in 0i64..4_000_000_000) {
            prop_assert!(verify_totp(&secret, &totp_now(&secret, now), now));
        }
    }
}
