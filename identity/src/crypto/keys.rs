//! EdDSA (Ed25519) signing keys stored the way Better Auth's jwt plugin
//! stores them in `jwks`: the public key as a JWK (`{"crv","x","kty"}`), the
//! private JWK encrypted with XChaCha20-Poly1305 under SHA-256(secret), a
//! random 24-byte nonce prepended, hex-encoded and JSON-quoted. So keys
//! made by either side work for both.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::Aead;
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use ed25519_dalek::SigningKey;
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The algorithm and curve recorded for Gremlin's keys.
pub const ALG: &str = "EdDSA";
/// The curve.
pub const CRV: &str = "Ed25519";

/// PKCS#8 v1 prefix of an Ed25519 private key (RFC 8410), before the seed.
const PKCS8_ED25519_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/// A public JWK as stored in `jwks.publicKey`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicJwk {
    /// `Ed25519`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    /// `OKP`.
    pub kty: String,
}

#[derive(Serialize, Deserialize)]
struct PrivateJwk {
    crv: String,
    d: String,
    x: String,
    kty: String,
}

/// A new key pair: the public JWK JSON and the encrypted private JWK, as
/// the two `jwks` columns hold them. Fails only if encryption fails.
pub fn generate(secret: &str) -> anyhow::Result<(String, String)> {
    let seed: [u8; 32] = rand::random();
    let signing = SigningKey::from_bytes(&seed);
    let x = URL_SAFE_NO_PAD.encode(signing.verifying_key().to_bytes());
    let public = PublicJwk { crv: CRV.into(), x: x.clone(), kty: "OKP".into() };
    let private = PrivateJwk { crv: CRV.into(), d: URL_SAFE_NO_PAD.encode(seed), x, kty: "OKP".into() };
    Ok((serde_json::to_string(&public)?, encrypt(secret, &serde_json::to_string(&private)?)?))
}

fn cipher(secret: &str) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&Sha256::digest(secret.as_bytes()))
}

/// Better Auth's `symmetricEncrypt`: XChaCha20-Poly1305 under
/// SHA-256(secret), a random 24-byte nonce first, hex. Two-factor secrets
/// and backup codes are stored this way; [`decrypt`] opens it.
pub fn seal(secret: &str, plaintext: &str) -> anyhow::Result<String> {
    let nonce: [u8; 24] = rand::random();
    let sealed = cipher(secret)
        .encrypt(&XNonce::from(nonce), plaintext.as_bytes())
        .map_err(|_| anyhow::anyhow!("encrypting a stored secret"))?;
    let mut bytes = nonce.to_vec();
    bytes.extend(sealed);
    Ok(hex::encode(bytes))
}

/// Encrypts a private JWK as Better Auth does: [`seal`]ed, JSON-quoted.
pub fn encrypt(secret: &str, plaintext: &str) -> anyhow::Result<String> {
    Ok(serde_json::to_string(&seal(secret, plaintext)?)?)
}

/// Decrypts a [`seal`]ed value, JSON-quoted or not; fails for another
/// secret or a damaged value.
pub fn decrypt(secret: &str, stored: &str) -> anyhow::Result<String> {
    let hex_text: String = serde_json::from_str(stored).unwrap_or_else(|_| stored.to_owned());
    let bytes = hex::decode(hex_text.trim())?;
    anyhow::ensure!(bytes.len() > 24, "encrypted value too short");
    let (nonce, sealed) = bytes.split_at(24);
    let nonce: [u8; 24] = nonce.try_into()?;
    let plain = cipher(secret)
        .decrypt(&XNonce::from(nonce), sealed)
        .map_err(|_| anyhow::anyhow!("a stored secret does not decrypt with auth.secret"))?;
    Ok(String::from_utf8(plain)?)
}

/// The signing key from a stored (encrypted) private JWK.
pub fn encoding_key(secret: &str, stored_private: &str) -> anyhow::Result<EncodingKey> {
    let jwk: PrivateJwk = serde_json::from_str(&decrypt(secret, stored_private)?)?;
    let seed = URL_SAFE_NO_PAD.decode(jwk.d.trim_end_matches('='))?;
    anyhow::ensure!(seed.len() == 32, "Ed25519 private key must be 32 bytes");
    let mut der = PKCS8_ED25519_PREFIX.to_vec();
    der.extend(seed);
    Ok(EncodingKey::from_ed_der(&der))
}

/// The verification key from a stored public JWK.
pub fn decoding_key(stored_public: &str) -> anyhow::Result<DecodingKey> {
    let jwk: PublicJwk = serde_json::from_str(stored_public)?;
    Ok(DecodingKey::from_ed_components(&jwk.x)?)
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Algorithm, Header, Validation};

    use super::*;

    #[test]
    fn private_keys_round_trip_only_with_the_same_secret() {
        let stored = encrypt("secret-one", "{\"d\":\"x\"}").unwrap();
        assert!(stored.starts_with('"') && stored.ends_with('"'), "JSON-quoted like Better Auth");
        assert_eq!(decrypt("secret-one", &stored).unwrap(), "{\"d\":\"x\"}");
        assert!(decrypt("secret-two", &stored).is_err());
    }

    #[test]
    fn generated_keys_sign_tokens_their_public_half_verifies() {
        let (public, private) = generate("s3cret").unwrap();
        let jwk: PublicJwk = serde_json::from_str(&public).unwrap();
        assert_eq!((jwk.crv.as_str(), jwk.kty.as_str()), ("Ed25519", "OKP"));
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some("k1".into());
        let token = jsonwebtoken::encode(
            &header,
            &serde_json::json!({"sub": "u", "exp": 4_000_000_000u64}),
            &encoding_key("s3cret", &private).unwrap(),
        )
        .unwrap();
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<serde_json::Value>(&token, &decoding_key(&public).unwrap(), &validation).unwrap();
        let (other_public, _) = generate("s3cret").unwrap();
        assert!(
            jsonwebtoken::decode::<serde_json::Value>(&token, &decoding_key(&other_public).unwrap(), &validation)
                .is_err()
        );
    }
}
