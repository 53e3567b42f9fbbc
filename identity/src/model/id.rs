//! Better Auth's ids and tokens: 32 random characters of `[A-Za-z0-9]`.

use rand::Rng;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// A new id or session token (32 chars, ~190 bits of entropy, from the OS RNG).
pub fn generate() -> String {
    let mut rng = rand::rng();
    (0..32).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect()
}

/// Whether `text` looks like an id or token this module generates.
pub fn is_well_formed(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_32_alphanumerics_and_distinct() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| generate()).collect();
        assert_eq!(ids.len(), 1000);
        assert!(ids.iter().all(|id| is_well_formed(id)));
        assert!(!is_well_formed("short"));
        assert!(!is_well_formed(&"a.".repeat(16)));
    }
}
