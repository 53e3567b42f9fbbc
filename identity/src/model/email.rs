//! E-mail addresses as Better Auth stores them: lower-cased, not trimmed.

use crate::error::AuthError;

/// A syntactically valid, lower-cased e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses and lower-cases; fails with `VALIDATION_ERROR` ("Invalid email
    /// address") for anything that is not `local@domain.tld` without spaces.
    pub fn parse(raw: &str) -> Result<Self, AuthError> {
        let invalid = || AuthError::validation("email", "Invalid email address");
        if raw.len() > 254 || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = raw.rsplit_once('@').ok_or_else(invalid)?;
        let labels_ok = domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty() || local.len() > 64 || local.contains('@') || !domain.contains('.') || !labels_ok {
            return Err(invalid());
        }
        Ok(Self(raw.to_lowercase()))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn valid_addresses_are_lower_cased() {
        assert_eq!(EmailAddress::parse("Alice@Example.COM").unwrap().as_str(), "alice@example.com");
        assert!(EmailAddress::parse("a.b+tag@sub.example.co").is_ok());
    }

    #[test]
    fn invalid_addresses_are_refused() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            " a@b.c ",
            "a b@c.d",
            "a@b@c.d",
            "a@-b.c",
            "a@b..c",
        ] {
            let err = EmailAddress::parse(bad).unwrap_err();
            assert_eq!(err.code(), ErrorCode::ValidationError, "{bad}");
        }
        assert!(EmailAddress::parse(&format!("{}@x.io", "a".repeat(65))).is_err());
    }
}
