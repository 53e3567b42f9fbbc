//! Service JWTs: HS256 with the shared secret, so every Gremlin service (and
//! anything else holding `GREMLIN_AUTH_SECRET`) verifies them without a
//! network call. Claims are Better Auth's (the user object flattened, `sub`,
//! `iat`, `exp`, `iss`, `aud`) plus `sid` (session id), `org` (active
//! organization) and `org_role` (role in it).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The claims Gremlin reads back; the user fields ride along untyped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// The session the token was minted from (absent in Better Auth's tokens).
    #[serde(default)]
    pub sid: String,
    /// The active organization, if any.
    #[serde(default)]
    pub org: Option<String>,
    /// The caller's role in `org`.
    #[serde(default)]
    pub org_role: Option<String>,
    /// Issued at (seconds since the epoch).
    pub iat: i64,
    /// Expires at (seconds since the epoch).
    pub exp: i64,
    /// Issuer: the public origin.
    pub iss: String,
    /// Audience: the public origin.
    pub aud: String,
    /// Everything else (the flattened user object).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Signs `claims` with HS256; fails only on serialisation errors.
pub fn sign_hs256(secret: &str, claims: &Claims) -> anyhow::Result<String> {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))
        .map_err(|e| anyhow::anyhow!("signing JWT: {e}"))
}

/// Signs `claims` with the stored Ed25519 key `kid`; fails when the key
/// does not decrypt with `secret`.
pub fn sign_eddsa(secret: &str, kid: &str, stored_private: &str, claims: &Claims) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    header.typ = None;
    let key = super::keys::encoding_key(secret, stored_private)?;
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| anyhow::anyhow!("signing JWT: {e}"))
}

/// Verifies an EdDSA token against the public JWK that signed it, with the
/// same checks as [`verify_hs256`].
pub fn verify_eddsa(stored_public: &str, token: &str, issuer: &str, audience: &str) -> anyhow::Result<Claims> {
    let key = super::keys::decoding_key(stored_public)?;
    Ok(jsonwebtoken::decode::<Claims>(token, &key, &validation(Algorithm::EdDSA, issuer, audience))
        .map(|d| d.claims)?)
}

fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = 30;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
    validation
}

/// Verifies a token with an already resolved key and algorithm (keys from
/// a remote JWKS), with the same checks as [`verify_hs256`].
pub fn verify_with(
    key: &DecodingKey,
    algorithm: Algorithm,
    token: &str,
    issuer: &str,
    audience: &str,
) -> Result<Claims, jsonwebtoken::errors::Error> {
    jsonwebtoken::decode::<Claims>(token, key, &validation(algorithm, issuer, audience)).map(|d| d.claims)
}

/// The algorithm and key id a token claims, read without verifying it.
pub fn peek(token: &str) -> Option<(Algorithm, Option<String>)> {
    jsonwebtoken::decode_header(token).ok().map(|h| (h.alg, h.kid))
}

/// The `iss` claim of a token, read without verifying anything: only to
/// choose which issuer's expectations the verification then enforces.
pub fn peek_issuer(token: &str) -> Option<String> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, payload).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims.get("iss")?.as_str().map(str::to_owned)
}

/// Verifies signature, algorithm (HS256 only), `exp`/`nbf` with 30 s
/// leeway, `iss` and `aud`; fails with the reason.
pub fn verify_hs256(
    secret: &str,
    token: &str,
    issuer: &str,
    audience: &str,
) -> Result<Claims, jsonwebtoken::errors::Error> {
    jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(secret.as_bytes()),
        &validation(Algorithm::HS256, issuer, audience),
    )
    .map(|d| d.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_in: i64) -> Claims {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let mut extra = serde_json::Map::new();
        extra.insert("email".into(), "a@b.co".into());
        Claims {
            sub: "u1".into(),
            sid: "s1".into(),
            org: Some("o1".into()),
            org_role: Some("owner".into()),
            iat: now,
            exp: now + exp_in,
            iss: "http://127.0.0.1:8080".into(),
            aud: "http://127.0.0.1:8080".into(),
            extra,
        }
    }

    #[test]
    fn round_trip_keeps_every_claim() {
        let c = claims(900);
        let token = sign_hs256("s3cret", &c).unwrap();
        assert_eq!(verify_hs256("s3cret", &token, &c.iss, &c.aud).unwrap(), c);
    }

    #[test]
    fn wrong_secret_issuer_audience_or_expiry_is_rejected() {
        let c = claims(900);
        let token = sign_hs256("s3cret", &c).unwrap();
        assert!(verify_hs256("other", &token, &c.iss, &c.aud).is_err());
        assert!(verify_hs256("s3cret", &token, "https://evil", &c.aud).is_err());
        assert!(verify_hs256("s3cret", &token, &c.iss, "https://evil").is_err());
        let expired = sign_hs256("s3cret", &claims(-120)).unwrap();
        assert!(verify_hs256("s3cret", &expired, &c.iss, &c.aud).is_err());
    }

    #[test]
    fn other_algorithms_are_refused() {
        let c = claims(900);
        let none_alg = format!(
            "{}.{}.",
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, br#"{"alg":"none"}"#),
            base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, serde_json::to_vec(&c).unwrap())
        );
        assert!(verify_hs256("s3cret", &none_alg, &c.iss, &c.aud).is_err());
    }
}
