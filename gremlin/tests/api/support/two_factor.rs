//! Two-factor fixtures shared by the identity and console tests: the secret
//! inside an `otpauth://` URI, the current time, and a user with
//! two-factor turned on.

use gremlin_identity::model::two_factor::totp_now;
use serde_json::json;

use super::{PASSWORD, TestApp, json};

/// Now, in Unix seconds (the clock TOTP codes follow).
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// RFC 4648 base32 (no padding) back to text: the secret inside a URI.
fn base32_decode(text: &str) -> String {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut buffer, mut bits, mut out) = (0u32, 0u32, Vec::new());
    for c in text.chars() {
        buffer = (buffer << 5) | ALPHABET.find(c).expect("a base32 letter") as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    String::from_utf8(out).unwrap()
}

/// The secret an `otpauth://` URI carries.
pub fn secret_of(uri: &str) -> String {
    let encoded = uri.split("secret=").nth(1).unwrap().split('&').next().unwrap();
    base32_decode(encoded)
}

/// Sets two-factor up for the user behind `bearer` (an Authorization
/// value) and turns it on with a first code; the secret and backup codes.
pub async fn turn_on(t: &TestApp, bearer: &str) -> (String, Vec<String>) {
    let client = t.client();
    let enable = client.post("/api/auth/two-factor/enable").header("authorization", bearer);
    let setup = json(enable.body_json(&json!({"password": PASSWORD})).send().await).await;
    let secret = secret_of(setup["totpURI"].as_str().unwrap());
    let codes = setup["backupCodes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    let verify = client.post("/api/auth/two-factor/verify-totp").header("authorization", bearer);
    let resp = verify.body_json(&json!({"code": totp_now(&secret, now())})).send().await;
    resp.assert_status_is_ok();
    assert_eq!(json(resp).await["user"]["twoFactorEnabled"], true);
    (secret, codes)
}
