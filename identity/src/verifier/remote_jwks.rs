//! Public keys fetched from a JWKS URL — a Better Auth server's
//! `/api/auth/jwks`, or any identity provider's — so tokens it signs
//! (EdDSA, RS256, ES256) verify here. Keys are cached; an unknown `kid`
//! triggers a refetch at most every few seconds (key rotation without a
//! restart, without letting forged `kid`s hammer the provider).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::RwLock;

/// Algorithms accepted from a JWKS.
pub const ALLOWED: &[Algorithm] = &[Algorithm::EdDSA, Algorithm::RS256, Algorithm::ES256];

/// Shortest time between two fetches.
const MIN_REFETCH: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Fetched {
    at: Option<Instant>,
    keys: HashMap<String, (Algorithm, DecodingKey)>,
}

/// A cached remote key set.
pub struct RemoteJwks {
    url: String,
    client: reqwest::Client,
    state: RwLock<Fetched>,
}

/// The algorithm a key is for: its `alg`, else what its type implies.
fn algorithm_of(jwk: &jsonwebtoken::jwk::Jwk) -> Option<Algorithm> {
    if let Some(alg) = jwk.common.key_algorithm {
        return alg.to_string().parse().ok();
    }
    match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(_) => Some(Algorithm::EdDSA),
        AlgorithmParameters::RSA(_) => Some(Algorithm::RS256),
        AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => Some(Algorithm::ES256),
        _ => None,
    }
}

/// Parses a JWKS document into usable keys by `kid`, skipping keys without
/// a `kid` or of algorithms not allowed.
pub fn parse(document: &str) -> anyhow::Result<HashMap<String, (Algorithm, DecodingKey)>> {
    let set: JwkSet = serde_json::from_str(document)?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let (Some(kid), Some(alg)) = (jwk.common.key_id.clone(), algorithm_of(jwk)) else { continue };
        if !ALLOWED.contains(&alg) {
            continue;
        }
        match DecodingKey::from_jwk(jwk) {
            Ok(key) => {
                keys.insert(kid, (alg, key));
            }
            Err(e) => tracing::warn!(kid, error = %e, "skipping an unusable key in the JWKS"),
        }
    }
    Ok(keys)
}

impl RemoteJwks {
    /// A key set at `url`; nothing is fetched until a token needs it.
    pub fn new(url: impl Into<String>) -> anyhow::Result<Self> {
        // Only ring is compiled in; installing it is a no-op when `main`
        // already did.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build()?;
        Ok(Self { url: url.into(), client, state: RwLock::new(Fetched::default()) })
    }

    /// The key `kid`, fetching the set when it is unknown and the last fetch
    /// is old enough. Fails when the set cannot be fetched or parsed.
    pub async fn key(&self, kid: &str) -> anyhow::Result<Option<(Algorithm, DecodingKey)>> {
        {
            let state = self.state.read().await;
            if let Some(found) = state.keys.get(kid) {
                return Ok(Some(found.clone()));
            }
            if state.at.is_some_and(|at| at.elapsed() < MIN_REFETCH) {
                return Ok(None);
            }
        }
        let mut state = self.state.write().await;
        if state.at.is_none_or(|at| at.elapsed() >= MIN_REFETCH) {
            state.at = Some(Instant::now());
            let document = self.client.get(&self.url).send().await?.error_for_status()?.text().await?;
            state.keys = parse(&document)?;
        }
        Ok(state.keys.get(kid).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_read_by_kid_and_algorithm() {
        let (public, _) = crate::crypto::keys::generate("s").unwrap();
        let mut jwk: serde_json::Value = serde_json::from_str(&public).unwrap();
        jwk["kid"] = "k1".into();
        let no_kid: serde_json::Value = serde_json::from_str(&public).unwrap();
        let doc =
            serde_json::json!({"keys": [jwk, no_kid, {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac", "alg": "HS256"}]});
        let keys = parse(&doc.to_string()).unwrap();
        assert_eq!(keys.len(), 1, "no kid and symmetric keys are skipped");
        assert_eq!(keys["k1"].0, Algorithm::EdDSA);
        assert!(parse("not json").is_err());
    }
}
