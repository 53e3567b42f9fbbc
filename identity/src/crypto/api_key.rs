//! API key secrets as Better Auth's api-key plugin makes and stores them:
//! a prefix and 64 random letters, stored only as SHA-256, base64url
//! without padding, so a key read from the database cannot be used and
//! keys Better Auth created verify here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

/// The prefix Gremlin's keys carry, so a bearer credential is told apart
/// from session tokens and JWTs at a glance (and by secret scanners).
pub const PREFIX: &str = "grm_";

/// Random letters after the prefix (Better Auth's default length).
const RANDOM_LETTERS: usize = 64;

/// Characters of the key shown in listings (Better Auth's default).
const START_LENGTH: usize = 6;

/// A new secret: [`PREFIX`] and 64 random ASCII letters (about 365 bits).
pub fn generate() -> String {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut rng = rand::rng();
    let random: String = (0..RANDOM_LETTERS).map(|_| char::from(LETTERS[rng.random_range(0..LETTERS.len())])).collect();
    format!("{PREFIX}{random}")
}

/// What is stored of `secret`: SHA-256, base64url without padding.
pub fn hash(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

/// The first characters of `secret`, shown to tell keys apart.
pub fn start(secret: &str) -> String {
    secret.chars().take(START_LENGTH).collect()
}

/// Whether `credential` looks like one of Gremlin's keys (prefix, then
/// only letters), before any lookup.
pub fn looks_like_key(credential: &str) -> bool {
    credential
        .strip_prefix(PREFIX)
        .is_some_and(|rest| rest.len() == RANDOM_LETTERS && rest.bytes().all(|b| b.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_random_letters_and_stored_hashed() {
        let key = generate();
        assert!(looks_like_key(&key), "{key}");
        assert_ne!(key, generate());
        assert_eq!(start(&key), &key[..6]);
        // Better Auth's hasher: SHA-256, base64url, no padding.
        assert_eq!(hash("abc"), "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        assert!(!looks_like_key("grm_short"));
        assert!(!looks_like_key(&key.replace("grm_", "xyz_")));
        assert!(!looks_like_key(&format!("{}1", &key[..key.len() - 1])));
    }
}
