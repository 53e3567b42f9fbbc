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
}

/// Resolves callers to principals.
#[async_trait]
pub trait PrincipalResolver: Send + Sync {
    /// The caller acting in one organization, with its permissions. Fails
    /// with 401 without valid credentials, 403 when no organization is
    /// selected or the caller is not a member of it.
    async fn principal(&self, credentials: &CallerCredentials) -> Result<Principal, DomainError>;
}
