//! Reading a request the way Better Auth does: the session token from
//! `Authorization: Bearer` (signed or raw) or the signed session cookie,
//! the CSRF origin rule for cookie-authenticated mutations, and the client
//! info recorded on sessions; and writing its cookies.

use std::time::Duration;

use poem::Request;
use poem::http::{Method, header};
use poem::web::cookie::{Cookie, CookieJar, SameSite};

use crate::crypto::signed_token;
use crate::error::AuthError;
use crate::model::{Session, id};
use crate::service::{Authenticated, ClientInfo, IdentityService};
use crate::settings::IdentitySettings;

/// How the caller presented its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A verified `Authorization: Bearer` value: the raw token.
    Bearer(String),
    /// A verified session cookie: the raw token.
    Cookie(String),
    /// Nothing usable.
    None,
}

impl Credential {
    /// The raw session token, if any.
    pub fn token(&self) -> Option<&str> {
        match self {
            Self::Bearer(t) | Self::Cookie(t) => Some(t),
            Self::None => None,
        }
    }
}

/// Reads the session credential. A bearer value replaces any cookie; an
/// invalid bearer (bad signature) leaves the caller unauthenticated.
pub fn credential(req: &Request, settings: &IdentitySettings) -> Credential {
    if let Some(value) = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let mut parts = value.splitn(2, ' ');
        if parts.next().is_some_and(|scheme| scheme.eq_ignore_ascii_case("bearer")) {
            let given = signed_token::percent_decode(parts.next().unwrap_or_default().trim());
            let token = if given.contains('.') { signed_token::verify(&settings.secret, &given) } else { Some(given) };
            return match token {
                Some(t) if id::is_well_formed(&t) => Credential::Bearer(t),
                _ => Credential::None,
            };
        }
    }
    match signed_cookie(req, settings, "session_token") {
        Some(token) => Credential::Cookie(token),
        None => Credential::None,
    }
}

/// Better Auth's CSRF rule: a mutation carrying a `Cookie` header must come
/// from a trusted `Origin` (or `Referer`). With `strict` (sign-in, sign-up)
/// any origin that is present must be trusted even without cookies.
pub fn check_origin(req: &Request, settings: &IdentitySettings, strict: bool) -> Result<(), AuthError> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let has_cookie = req.headers().contains_key(header::COOKIE);
    let uses_bearer = req.headers().contains_key(header::AUTHORIZATION);
    match gremlin_kernel::caller::request_origin(req) {
        Some(origin) if (has_cookie && !uses_bearer) || strict => {
            if settings.is_trusted_origin(&origin) {
                Ok(())
            } else {
                Err(AuthError::InvalidOrigin)
            }
        }
        None if has_cookie && !uses_bearer => Err(AuthError::MissingOrNullOrigin),
        _ => Ok(()),
    }
}

/// A callback URL must be relative or on a trusted origin.
pub fn check_callback(url: Option<&str>, settings: &IdentitySettings) -> Result<(), AuthError> {
    let Some(url) = url else { return Ok(()) };
    if url.starts_with('/') && !url.starts_with("//") {
        return Ok(());
    }
    let origin_end =
        url.find("://").map(|i| i + 3).and_then(|start| url[start..].find('/').map(|j| start + j)).unwrap_or(url.len());
    if settings.is_trusted_origin(&url[..origin_end]) {
        return Ok(());
    }
    Err(AuthError::validation("callbackURL", "Invalid callbackURL: use a relative path or a trusted origin"))
}

/// IP and user agent for new sessions.
pub fn client_info(req: &Request) -> ClientInfo {
    let resolved = req.data::<gremlin_kernel::client::ClientIp>().map(|c| c.0);
    ClientInfo {
        ip: resolved.or_else(|| req.remote_addr().as_socket_addr().map(|a| a.ip())).map(|ip| ip.to_string()),
        user_agent: req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned),
    }
}

fn base_cookie(settings: &IdentitySettings, name: &str, value: &str) -> Cookie {
    let mut cookie = Cookie::new_with_str(settings.cookie_name(name), value);
    cookie.set_path("/");
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_secure(settings.secure_cookies);
    cookie
}

/// Sets the signed session cookie (plus `dont_remember` when the session
/// is not remembered) and returns the signed value for `set-auth-token`.
pub fn set_session_cookie(
    jar: &CookieJar,
    settings: &IdentitySettings,
    session: &Session,
    remember_me: bool,
) -> String {
    let signed = signed_token::sign(&settings.secret, &session.token);
    let mut cookie = base_cookie(settings, "session_token", &signed);
    if remember_me {
        cookie.set_max_age(settings.session_ttl);
    } else {
        jar.add(base_cookie(settings, "dont_remember", &signed_token::sign(&settings.secret, "true")));
    }
    jar.add(cookie);
    signed
}

/// Keeps the admin's own session while impersonating (signed, HttpOnly).
pub fn set_admin_session_cookie(jar: &CookieJar, settings: &IdentitySettings, admin_token: &str) {
    jar.add(base_cookie(settings, "admin_session", &signed_token::sign(&settings.secret, admin_token)));
}

/// Removes the `admin_session` cookie.
pub fn clear_admin_session_cookie(jar: &CookieJar, settings: &IdentitySettings) {
    set_signed_cookie(jar, settings, "admin_session", "", Duration::ZERO);
}

/// A signed cookie's value (`session_token`, `two_factor`, `trust_device`,
/// `admin_session`), `None` when absent or its signature is wrong. The jar
/// has already percent-decoded it.
pub fn signed_cookie(req: &Request, settings: &IdentitySettings, name: &str) -> Option<String> {
    let cookie = req.cookie().get(&settings.cookie_name(name))?;
    signed_token::verify(&settings.secret, cookie.value_str())
}

/// Sets a signed cookie living `max_age`; `Duration::ZERO` removes it.
pub fn set_signed_cookie(jar: &CookieJar, settings: &IdentitySettings, name: &str, value: &str, max_age: Duration) {
    let signed = if max_age.is_zero() { String::new() } else { signed_token::sign(&settings.secret, value) };
    let mut cookie = base_cookie(settings, name, &signed);
    cookie.set_max_age(max_age);
    jar.add(cookie);
}

/// Clears the three Better Auth cookies.
pub fn clear_session_cookies(jar: &CookieJar, settings: &IdentitySettings) {
    for name in ["session_token", "session_data", "dont_remember"] {
        let mut cookie = base_cookie(settings, name, "");
        cookie.set_max_age(Duration::ZERO);
        jar.add(cookie);
    }
}

/// The caller's session, or 401. With `mutation`, the CSRF origin rule is
/// applied first. Sessions are not slid here (only get-session slides).
pub async fn authenticate(
    service: &IdentityService,
    req: &Request,
    mutation: bool,
) -> Result<Authenticated, AuthError> {
    if mutation {
        check_origin(req, service.settings(), false)?;
    }
    let credential = credential(req, service.settings());
    let Some(token) = credential.token() else { return Err(AuthError::Unauthorized) };
    service.authenticate(token, true).await?.ok_or(AuthError::Unauthorized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callbacks_must_be_relative_or_trusted() {
        let s = IdentitySettings::new("x".repeat(32), "http://127.0.0.1:8080");
        assert!(check_callback(Some("/welcome"), &s).is_ok());
        assert!(check_callback(Some("http://127.0.0.1:8080/next"), &s).is_ok());
        assert!(check_callback(Some("https://evil.example/next"), &s).is_err());
        assert!(check_callback(Some("//evil.example"), &s).is_err());
        assert!(check_callback(None, &s).is_ok());
    }
}
