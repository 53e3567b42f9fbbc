//! Password hashes. New hashes are argon2id with the argon2 crate's defaults,
//! which are OWASP's recommendation (19 MiB, 2 passes, 1 lane), stored as PHC
//! strings (`$argon2id$v=19$…`). Better Auth's scrypt hashes
//! (`<32 hex salt>:<128 hex key>`, N=16384 r=16 p=1, salt = the hex text's
//! bytes) still verify, and are flagged for upgrade.
//!
//! These functions are CPU-heavy and synchronous: they run on the
//! [`super::hashing`] workers, never on the async runtime. Each takes the
//! caller's [`HashMemory`], so a worker reuses one block of memory for every
//! hash instead of allocating 19 MiB each time.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;

/// The largest argon2 memory cost accepted in a stored hash, in KiB
/// (256 MiB); a stored hash asking for more is treated as not matching, so
/// one bad row cannot make a worker allocate without bound.
pub const MAX_MEMORY_KIB: u32 = 256 * 1024;

/// Memory a hashing worker keeps between hashes: argon2's blocks (1 KiB
/// each), grown to the largest cost seen up to the default's and shrunk
/// back after anything larger.
#[derive(Default)]
pub struct HashMemory {
    blocks: Vec<Block>,
}

impl HashMemory {
    /// Gives the blocks back to the allocator (an idle worker's 19 MiB);
    /// the next hash allocates them again. Returns whether any were held.
    pub fn release(&mut self) -> bool {
        let held = !self.blocks.is_empty();
        self.blocks = Vec::new();
        held
    }

    /// Whether blocks are held.
    pub fn is_held(&self) -> bool {
        !self.blocks.is_empty()
    }

    /// Runs `f` over `count` zeroed-or-reused blocks; memory beyond the
    /// default cost is released afterwards.
    fn with_blocks<T>(&mut self, count: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
        if self.blocks.len() < count {
            self.blocks.resize(count, Block::default());
        }
        let out = f(&mut self.blocks[..count]);
        let keep = Params::DEFAULT.block_count();
        if self.blocks.len() > keep {
            self.blocks.truncate(keep);
            self.blocks.shrink_to_fit();
        }
        out
    }
}

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

/// Hashes an already normalised password as argon2id with the default
/// parameters; fails only if the hasher rejects its own parameters.
pub fn hash(normalized: &str, memory: &mut HashMemory) -> anyhow::Result<String> {
    let salt: [u8; 16] = rand::random();
    let params = Params::DEFAULT;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory
        .with_blocks(params.block_count(), |blocks| {
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()).hash_password_into_with_memory(
                normalized.as_bytes(),
                &salt,
                &mut out,
                blocks,
            )
        })
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("encoding hash parameters: {e}"))?,
        salt: Some(Salt::new(&salt).map_err(|e| anyhow::anyhow!("encoding salt: {e}"))?),
        hash: Some(Output::new(&out).map_err(|e| anyhow::anyhow!("encoding hash: {e}"))?),
    };
    Ok(phc.to_string())
}

/// Checks a normalised password against a stored hash of either kind.
pub fn verify(normalized: &str, stored: &str, memory: &mut HashMemory) -> Verification {
    if stored.starts_with("$argon2") {
        return match verify_argon2(normalized, stored, memory) {
            true => Verification::Valid { upgrade: false },
            false => Verification::Invalid,
        };
    }
    match verify_better_auth_scrypt(normalized, stored) {
        true => Verification::Valid { upgrade: true },
        false => Verification::Invalid,
    }
}

/// Spends the same work as a real verification, so an unknown e-mail takes
/// as long as a wrong password.
pub fn verify_dummy(normalized: &str, memory: &mut HashMemory) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("gremlin-timing-equaliser", &mut HashMemory::default()).unwrap_or_default());
    let _ = verify(normalized, dummy, memory);
}

/// Recomputes an argon2 PHC hash with its own parameters in `memory` and
/// compares in constant time; anything unparsable or too costly is false.
fn verify_argon2(normalized: &str, stored: &str, memory: &mut HashMemory) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else { return false };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    if params.m_cost() > MAX_MEMORY_KIB {
        tracing::warn!(m_cost_kib = params.m_cost(), "stored argon2 hash asks for more memory than allowed");
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    let count = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    let computed = memory.with_blocks(count, |blocks| {
        hasher.hash_password_into_with_memory(normalized.as_bytes(), salt, &mut out, blocks)
    });
    computed.is_ok() && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
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

    use argon2::{PasswordHasher, PasswordVerifier};

    #[test]
    fn argon2id_round_trip() {
        let memory = &mut HashMemory::default();
        let stored = hash("correct-horse-battery-1", memory).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert_eq!(verify("correct-horse-battery-1", &stored, memory), Verification::Valid { upgrade: false });
        assert_eq!(verify("wrong-horse-battery-1", &stored, memory), Verification::Invalid);
        assert_ne!(hash("correct-horse-battery-1", memory).unwrap(), stored, "salted");
    }

    #[test]
    fn hashes_match_the_argon2_crate_both_ways() {
        let memory = &mut HashMemory::default();
        let ours = hash("correct-horse-battery-1", memory).unwrap();
        assert!(Argon2::default().verify_password(b"correct-horse-battery-1", ours.as_str()).is_ok());
        // A hash with other parameters (argon2i, 8 MiB, 3 passes) verifies
        // with its own parameters, and the memory shrinks back afterwards.
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2i, Version::V0x13, params)
            .hash_password_with_salt(b"correct-horse-battery-1", b"saltsaltsaltsalt")
            .unwrap()
            .to_string();
        assert_eq!(verify("correct-horse-battery-1", &theirs, memory), Verification::Valid { upgrade: false });
        assert_eq!(verify("correct-horse-battery-2", &theirs, memory), Verification::Invalid);
        assert!(memory.blocks.len() <= Params::DEFAULT.block_count());
    }

    #[test]
    fn hashes_asking_for_too_much_memory_never_verify() {
        let stored =
            "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(verify("anything-at-all", stored, &mut HashMemory::default()), Verification::Invalid);
    }

    #[test]
    fn better_auth_scrypt_hashes_verify_and_ask_for_upgrade() {
        let memory = &mut HashMemory::default();
        assert_eq!(verify("correct-horse-battery-1", BETTER_AUTH_HASH, memory), Verification::Valid { upgrade: true });
        assert_eq!(verify("correct-horse-battery-2", BETTER_AUTH_HASH, memory), Verification::Invalid);
    }

    #[test]
    fn garbage_hashes_never_verify() {
        let memory = &mut HashMemory::default();
        for stored in ["", "plain", "zz:zz", "$argon2id$broken", &BETTER_AUTH_HASH[..40]] {
            assert_eq!(verify("anything-at-all", stored, memory), Verification::Invalid, "{stored}");
        }
        verify_dummy("anything-at-all", memory);
    }
}
