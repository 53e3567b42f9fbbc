//! Better Auth's signed cookie value: `token + "." + base64(HMAC-SHA256(secret, token))`
//! with standard, padded base64 (always 44 characters ending in `=`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

fn signature(secret: &str, token: &str) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail; an empty
    // signature would never verify anyway.
    let Ok(mut mac) = HmacSha256::new_from_slice(secret.as_bytes()) else { return Vec::new() };
    mac.update(token.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Signs a session token for the cookie / `set-auth-token` header.
pub fn sign(secret: &str, token: &str) -> String {
    format!("{token}.{}", STANDARD.encode(signature(secret, token)))
}

/// Verifies a signed value and returns the token; `None` for a malformed
/// value or a wrong signature (compared in constant time).
pub fn verify(secret: &str, signed: &str) -> Option<String> {
    let (token, sig) = signed.rsplit_once('.')?;
    if sig.len() != 44 || !sig.ends_with('=') {
        return None;
    }
    let given = STANDARD.decode(sig).ok()?;
    let expected = signature(secret, token);
    bool::from(given.ct_eq(&expected)).then(|| token.to_owned())
}

/// Decodes `%XX` escapes: a signed value copied from a cookie keeps them.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded =
            (bytes[i] == b'%').then(|| text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())).flatten();
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("a%2Fb%2Bc%3D"), "a/b+c=");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode("bad%zz%"), "bad%zz%");
    }

    use super::*;

    #[test]
    fn matches_better_auths_recorded_cookie() {
        // `printf %s TOKEN | openssl dgst -sha256 -hmac SECRET -binary | base64`
        let signed = sign("secret", "f0OwshvsbpFxgowDcoHVi6s6wOTjk6MJ");
        assert_eq!(signed, "f0OwshvsbpFxgowDcoHVi6s6wOTjk6MJ.xcfnmIzBOSkiVhcRUFV0SIJGUOqGBj4ESn7fT/QJT4Q=");
        let (token, sig) = signed.rsplit_once('.').unwrap();
        assert_eq!(token, "f0OwshvsbpFxgowDcoHVi6s6wOTjk6MJ");
        assert_eq!(sig.len(), 44);
        assert!(sig.ends_with('='));
        assert_eq!(verify("secret", &signed).as_deref(), Some(token));
    }

    #[test]
    fn wrong_secret_or_tampering_is_rejected() {
        let signed = sign("secret", "abcdefghijklmnopqrstuvwxyzABCDEF");
        assert_eq!(verify("other", &signed), None);
        assert_eq!(verify("secret", &signed.replacen('a', "b", 1)), None);
        assert_eq!(verify("secret", "no-dot"), None);
        assert_eq!(verify("secret", "token.short="), None);
    }
}
