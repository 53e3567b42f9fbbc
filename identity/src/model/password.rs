//! Password policy: 8 to 128 characters after NFKC normalisation, as Better
//! Auth counts them.

use unicode_normalization::UnicodeNormalization;

use crate::error::AuthError;

/// Shortest password accepted.
pub const MIN_LEN: usize = 8;
/// Longest password accepted (also bounds hashing cost).
pub const MAX_LEN: usize = 128;

/// A password that satisfies the policy, normalised for hashing.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([redacted])")
    }
}

impl NewPassword {
    /// Checks the length; fails with `PASSWORD_TOO_SHORT` / `PASSWORD_TOO_LONG`.
    pub fn parse(raw: &str) -> Result<Self, AuthError> {
        let normalized = normalize(raw);
        match normalized.chars().count() {
            n if n < MIN_LEN => Err(AuthError::PasswordTooShort),
            n if n > MAX_LEN => Err(AuthError::PasswordTooLong),
            _ => Ok(Self(normalized)),
        }
    }

    /// The normalised password, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// NFKC, as Better Auth applies before hashing and verifying.
pub fn normalize(raw: &str) -> String {
    raw.nfkc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_limits_are_enforced() {
        assert!(matches!(NewPassword::parse("1234567"), Err(AuthError::PasswordTooShort)));
        assert!(NewPassword::parse("12345678").is_ok());
        assert!(NewPassword::parse(&"x".repeat(128)).is_ok());
        assert!(matches!(NewPassword::parse(&"x".repeat(129)), Err(AuthError::PasswordTooLong)));
    }

    #[test]
    fn passwords_are_nfkc_normalised_and_never_printed() {
        // U+FB01 LATIN SMALL LIGATURE FI becomes "fi".
        assert_eq!(NewPassword::parse("\u{FB01}ne-password").unwrap().expose(), "fine-password");
        assert_eq!(format!("{:?}", NewPassword::parse("secret-pass").unwrap()), "NewPassword([redacted])");
    }
}
