//! E-mail verification tokens, as Better Auth makes them: an HS256 JWT
//! signed with the shared secret, holding the (lower-cased) address and,
//! for an address change, the new one (`updateTo`). Links either server
//! mails verify on the other.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// What a verification token carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailClaims {
    /// The address it verifies (lower-cased).
    pub email: String,
    /// The address it changes `email` to, for an address change.
    #[serde(rename = "updateTo", default, skip_serializing_if = "Option::is_none")]
    pub update_to: Option<String>,
    /// Issued (seconds since the epoch).
    pub iat: i64,
    /// Expires (seconds since the epoch).
    pub exp: i64,
}

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Its time is up.
    Expired,
    /// Not ours, altered, or not a token at all.
    Invalid,
}

/// A token for `claims`, signed with `secret`.
pub fn sign(secret: &str, claims: &EmailClaims) -> anyhow::Result<String> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
        .map_err(|e| anyhow::anyhow!("signing an e-mail verification token: {e}"))
}

/// The claims of `token` when `secret` signed it and it has not expired at
/// `now` (seconds since the epoch; no leeway).
pub fn verify(secret: &str, token: &str, now: i64) -> Result<EmailClaims, TokenRefusal> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    let data = jsonwebtoken::decode::<EmailClaims>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation)
        .map_err(|_| TokenRefusal::Invalid)?;
    if data.claims.exp <= now {
        return Err(TokenRefusal::Expired);
    }
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-test-secret-of-at-least-32-bytes!!";

    fn claims(exp: i64) -> EmailClaims {
        EmailClaims { email: "ada@example.com".into(), update_to: None, iat: 100, exp }
    }

    #[test]
    fn a_token_verifies_until_it_expires() {
        let token = sign(SECRET, &claims(200)).unwrap();
        assert_eq!(verify(SECRET, &token, 199), Ok(claims(200)));
        assert_eq!(verify(SECRET, &token, 200), Err(TokenRefusal::Expired));
    }

    #[test]
    fn another_secret_or_an_altered_token_is_invalid() {
        let token = sign(SECRET, &claims(200)).unwrap();
        assert_eq!(verify("another-secret-of-at-least-32-bytes!", &token, 150), Err(TokenRefusal::Invalid));
        let mut altered = token.clone();
        altered.insert(10, 'x');
        assert_eq!(verify(SECRET, &altered, 150), Err(TokenRefusal::Invalid));
        assert_eq!(verify(SECRET, "not a token", 150), Err(TokenRefusal::Invalid));
    }

    #[test]
    fn an_address_change_names_the_new_address_as_better_auth_does() {
        let mut c = claims(200);
        c.update_to = Some("new@example.com".into());
        let token = sign(SECRET, &c).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        use base64::Engine;
        let json = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap();
        assert!(String::from_utf8(json).unwrap().contains("\"updateTo\":\"new@example.com\""));
    }
}
