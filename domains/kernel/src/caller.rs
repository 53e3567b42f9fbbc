//! Who is calling: the port every business domain uses at its HTTP
//! boundary to turn a request's credentials into a [`Principal`]. Identity
//! provides the implementation (its verifier); domains depend only on this
//! trait, never on identity.

use async_trait::async_trait;

use crate::error::DomainError;
use crate::principal::Principal;

/// What a request presented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerCredentials {
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The signed session cookie's value, as sent (percent-encoded or not).
    pub session_cookie: Option<String>,
    /// The `X-Organization-Id` header.
    pub organization: Option<String>,
    /// The `x-api-key` header (an organization API key; `Authorization:
    /// Bearer <key>` works too).
    pub api_key: Option<String>,
    /// The request's `Origin` (or the origin of its `Referer`); `None` when
    /// absent or `null`.
    pub origin: Option<String>,
    /// The method changes something (anything but GET, HEAD, OPTIONS): a
    /// cookie-authenticated request must then come from a trusted origin.
    pub changes_state: bool,
}

impl CallerCredentials {
    /// The credentials a business request presents: `Authorization`, the
    /// session cookie named `session_cookie` (as parsed by poem's cookie
    /// jar), `X-Organization-Id`, and what the CSRF rule needs (origin and
    /// method).
    pub fn from_request(req: &poem::Request, session_cookie: &str) -> Self {
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        Self {
            authorization: header("authorization"),
            session_cookie: req.cookie().get(session_cookie).map(|c| c.value_str().to_owned()),
            organization: header("x-organization-id"),
            api_key: header("x-api-key"),
            origin: request_origin(req),
            changes_state: !matches!(
                *req.method(),
                poem::http::Method::GET | poem::http::Method::HEAD | poem::http::Method::OPTIONS
            ),
        }
    }
}

/// `Origin`, or the scheme, host and port of `Referer` when there is no
/// `Origin`; `None` when neither is present or `Origin` is `null`.
pub fn request_origin(req: &poem::Request) -> Option<String> {
    let headers = req.headers();
    if let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) {
        return (origin != "null").then(|| origin.to_owned());
    }
    let referer = headers.get("referer").and_then(|v| v.to_str().ok())?;
    let after_scheme = referer.find("://")? + 3;
    let end = referer[after_scheme..].find('/').map_or(referer.len(), |i| after_scheme + i);
    Some(referer[..end].to_owned())
}

/// Whether `origin` is one of `trusted` (trailing slashes ignored on both
/// sides): Better Auth's CSRF rule for cookie-authenticated changes, shared
/// by identity's endpoints and every business domain.
pub fn origin_is_trusted<'a>(origin: &str, trusted: impl IntoIterator<Item = &'a str>) -> bool {
    let origin = origin.trim_end_matches('/');
    trusted.into_iter().any(|t| t.trim_end_matches('/') == origin)
}

/// Resolves callers to principals.
#[async_trait]
pub trait PrincipalResolver: Send + Sync {
    /// The caller acting in one organization, with its permissions. Fails
    /// with 401 without valid credentials, 403 when no organization is
    /// selected or the caller is not a member of it.
    async fn principal(&self, credentials: &CallerCredentials) -> Result<Principal, DomainError>;
}
