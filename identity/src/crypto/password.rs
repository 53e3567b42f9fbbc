//! Password hashes. New hashes are argon2id with the argon2 crate's defaults,
//! which are OWASP's recommendation (19 MiB, 2 passes, 1 lane), stored as PHC
//! strings (`$argon2id$v=19$…`). Better Auth's scrypt hashes
//! (`<32 hex salt>:<128 hex key>`, N=16384 r=16 p=1, salt = the hex text's
//! bytes) still verify, and are flagged for upgrade.
//!
//! These functions are CPU-heavy and synchronous: call them from
//! `spawn_blocking`, never on the async runtime.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use subtle::ConstantTimeEq;

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Matches; `upgrade` when the hash should be replaced by argon2id.
    Valid {
        /// The stored hash is Better Auth's scrypt.
        upgrade: bool,
    },
    /// Does not match, or the stored hash is not understood.
    Invalid,
}

/// Normalises a password as typed (NFKC), for verification.
pub fn normalize_input(raw: &str) -> String {
    crate::model::password::normalize(raw)
}

/// Hashes an already normalised password as argon2id; fails only if the
/// hasher rejects its own parameters.
pub fn hash(normalized: &str) -> anyhow::Result<String> {
    let salt: [u8; 16] = rand::random();
    Argon2::default()
        .hash_password_with_salt(normalized.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
}

/// Checks a normalised password against a stored hash of either kind.
pub fn verify(normalized: &str, stored: &str) -> Verification {
    if stored.starts_with("$argon2") {
        return match Argon2::default().verify_password(normalized.as_bytes(), stored) {
            Ok(()) => Verification::Valid { upgrade: false },
            Err(_) => Verification::Invalid,
        };
    }
    match verify_better_auth_scrypt(normalized, stored) {
        true => Verification::Valid { upgrade: true },
        false => Verification::Invalid,
    }
}

/// Spends the same work as a real verification, so an unknown e-mail takes
/// as long as a wrong password.
pub fn verify_dummy(normalized: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("gremlin-timing-equaliser").unwrap_or_default());
    let _ = verify(normalized, dummy);
}

fn verify_better_auth_scrypt(normalized: &str, stored: &str) -> bool {
    let Some((salt, key_hex)) = stored.split_once(':') else { return false };
    let Ok(expected) = hex::decode(key_hex) else { return false };
    if salt.len() != 32 || expected.len() != 64 {
        return false;
    }
    let Ok(params) = scrypt::Params::new(14, 16, 1, 64) else { return false };
    let mut derived = [0u8; 64];
    if scrypt::scrypt(normalized.as_bytes(), salt.as_bytes(), &params, &mut derived).is_err() {
        return false;
    }
    bool::from(derived.ct_eq(&expected[..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Produced by Better Auth's algorithm (Python: hashlib.scrypt with the
    /// same parameters) for "correct-horse-battery-1".
    const BETTER_AUTH_HASH: &str = "0123456789abcdef0123456789abcdef:1aa18957c48fe38a427b8b64bf42cd170b5f91d9312cf2b096d335a03b90f5fb5ff5c57e452d0a004673e16be171652a6e0507869da1a5935513c259a1ccd18f";

    #[test]
    fn argon2id_round_trip() {
        let stored = hash("correct-horse-battery-1").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert_eq!(verify("correct-horse-battery-1", &stored), Verification::Valid { upgrade: false });
        assert_eq!(verify("wrong-horse-battery-1", &stored), Verification::Invalid);
        assert_ne!(hash("correct-horse-battery-1").unwrap(), stored, "salted");
    }

    #[test]
    fn better_auth_scrypt_hashes_verify_and_ask_for_upgrade() {
        assert_eq!(verify("correct-horse-battery-1", BETTER_AUTH_HASH), Verification::Valid { upgrade: true });
        assert_eq!(verify("correct-horse-battery-2", BETTER_AUTH_HASH), Verification::Invalid);
    }

    #[test]
    fn garbage_hashes_never_verify() {
        for stored in ["", "plain", "zz:zz", "$argon2id$broken", &BETTER_AUTH_HASH[..40]] {
            assert_eq!(verify("anything-at-all", stored), Verification::Invalid, "{stored}");
        }
        verify_dummy("anything-at-all");
    }
}
