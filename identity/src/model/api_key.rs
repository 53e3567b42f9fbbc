//! Organization API keys: what a key may do and whether it may act now.
//! A key belongs to one organization, holds a subset of the domain
//! permissions its creator held (`orders: ["read", "write"]`), may expire,
//! may be disabled, and has its own rate limit.

use std::collections::BTreeSet;
use std::time::Duration;

use time::OffsetDateTime;

use super::custom_role::{Statements, each_action};
use crate::error::AuthError;

/// Longest key name, in characters.
const MAX_NAME: usize = 64;

/// Shortest and longest lifetime a key may be given, in seconds (Better
/// Auth's defaults: one day to one year).
pub const EXPIRES_IN_SECS: std::ops::RangeInclusive<u64> = 86_400..=365 * 86_400;

/// A key's own rate limit unless set: requests per window.
pub const DEFAULT_RATE_LIMIT_MAX: u32 = 600;

/// A key's own rate-limit window unless set, in milliseconds (one minute).
pub const DEFAULT_RATE_LIMIT_WINDOW_MS: u32 = 60_000;

/// How often a key's last use is written (and logged), at most.
pub const USE_RECORDED_EVERY: Duration = Duration::from_secs(60);

/// One key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: Option<String>,
    /// The secret's first characters.
    pub start: Option<String>,
    /// The secret's prefix.
    pub prefix: Option<String>,
    /// The organization it acts in (`None` for a key Better Auth made for
    /// a user, which business domains refuse).
    pub organization_id: Option<String>,
    /// Who created it.
    pub created_by: String,
    /// The domain permissions it holds.
    pub permissions: Statements,
    /// Whether it works.
    pub enabled: bool,
    /// Whether its own rate limit applies.
    pub rate_limit_enabled: bool,
    /// The rate-limit window, milliseconds.
    pub rate_limit_window_ms: u32,
    /// Requests allowed per window.
    pub rate_limit_max: u32,
    /// When it stops working.
    pub expires_at: Option<OffsetDateTime>,
    /// When it was last used (written at most once a minute).
    pub last_request: Option<OffsetDateTime>,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Updated.
    pub updated_at: OffsetDateTime,
}

/// Why a key cannot act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Disabled by an administrator.
    Disabled,
    /// Past its expiry.
    Expired,
    /// Made for a user, not an organization.
    NoOrganization,
}

impl ApiKey {
    /// Whether the key may act at `now`.
    pub fn usable(&self, now: OffsetDateTime) -> Result<&str, Refusal> {
        if !self.enabled {
            return Err(Refusal::Disabled);
        }
        if self.expires_at.is_some_and(|at| at <= now) {
            return Err(Refusal::Expired);
        }
        self.organization_id.as_deref().ok_or(Refusal::NoOrganization)
    }

    /// The permissions it holds as the registry names them (`orders:read`).
    pub fn permission_names(&self) -> BTreeSet<String> {
        each_action(&self.permissions).map(|(resource, action)| format!("{resource}:{action}")).collect()
    }

    /// How the session log names it: `API key grm_ab… (<id>)`, never the secret.
    pub fn label(&self) -> String {
        format!("API key {}… ({})", self.start.as_deref().unwrap_or(""), self.id)
    }

    /// Whether its last use should be written at `now`.
    pub fn use_due(&self, now: OffsetDateTime) -> bool {
        self.last_request.is_none_or(|last| now - last >= USE_RECORDED_EVERY)
    }
}

/// A key name: 1–64 characters once trimmed.
pub fn check_name(name: &str) -> Result<String, AuthError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AuthError::validation("name", format!("1 to {MAX_NAME} characters")));
    }
    Ok(name.to_owned())
}

/// A lifetime in seconds within [`EXPIRES_IN_SECS`].
pub fn check_expires_in(secs: u64) -> Result<Duration, AuthError> {
    if !EXPIRES_IN_SECS.contains(&secs) {
        let (min, max) = (EXPIRES_IN_SECS.start(), EXPIRES_IN_SECS.end());
        return Err(AuthError::validation("expiresIn", format!("between {min} and {max} seconds")));
    }
    Ok(Duration::from_secs(secs))
}

/// A rate limit: 1 ms to one day per window, 1 to 1 000 000 requests.
pub fn check_rate_limit(window_ms: u32, max: u32) -> Result<(), AuthError> {
    if !(1..=86_400_000).contains(&window_ms) {
        return Err(AuthError::validation("rateLimitTimeWindow", "1 to 86 400 000 milliseconds"));
    }
    if !(1..=1_000_000).contains(&max) {
        return Err(AuthError::validation("rateLimitMax", "1 to 1 000 000 requests"));
    }
    Ok(())
}

/// Checks that `permissions` name only registered domain permissions
/// (`registered`) the creator holds (`held`): 400 `INVALID_RESOURCE` for
/// one that does not exist (or none at all), `Err(name)` of the first the
/// creator lacks.
pub fn check_permissions(
    permissions: &Statements,
    registered: &BTreeSet<String>,
    held: &BTreeSet<String>,
) -> Result<Result<(), String>, AuthError> {
    super::custom_role::check_statements(permissions, registered)?;
    for name in each_action(permissions).map(|(resource, action)| format!("{resource}:{action}")) {
        if !registered.contains(&name) {
            return Err(super::custom_role::invalid_resource());
        }
        if !held.contains(&name) {
            return Ok(Err(name));
        }
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn key() -> ApiKey {
        ApiKey {
            id: "k1".into(),
            name: Some("shop".into()),
            start: Some("grm_ab".into()),
            prefix: Some("grm_".into()),
            organization_id: Some("o1".into()),
            created_by: "u1".into(),
            permissions: [("orders".to_owned(), vec!["read".to_owned(), "write".to_owned()])].into(),
            enabled: true,
            rate_limit_enabled: true,
            rate_limit_window_ms: DEFAULT_RATE_LIMIT_WINDOW_MS,
            rate_limit_max: DEFAULT_RATE_LIMIT_MAX,
            expires_at: None,
            last_request: None,
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_key_acts_while_enabled_unexpired_and_in_an_organization() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(10);
        assert_eq!(key().usable(now), Ok("o1"));
        assert_eq!(ApiKey { enabled: false, ..key() }.usable(now), Err(Refusal::Disabled));
        assert_eq!(ApiKey { expires_at: Some(now), ..key() }.usable(now), Err(Refusal::Expired));
        assert_eq!(ApiKey { organization_id: None, ..key() }.usable(now), Err(Refusal::NoOrganization));
        assert_eq!(key().permission_names(), ["orders:read".to_owned(), "orders:write".to_owned()].into());
    }

    #[test]
    fn use_is_recorded_at_most_once_a_minute() {
        let now = OffsetDateTime::UNIX_EPOCH + time::Duration::days(10);
        assert!(key().use_due(now));
        assert!(!ApiKey { last_request: Some(now - time::Duration::seconds(59)), ..key() }.use_due(now));
        assert!(ApiKey { last_request: Some(now - time::Duration::seconds(60)), ..key() }.use_due(now));
    }

    #[test]
    fn inputs_are_bounded() {
        assert_eq!(check_name("  shop ").unwrap(), "shop");
        assert!(check_name(" ").is_err() && check_name(&"x".repeat(65)).is_err());
        assert!(check_expires_in(86_400).is_ok() && check_expires_in(86_399).is_err());
        assert!(check_expires_in(366 * 86_400).is_err());
        assert!(check_rate_limit(60_000, 10).is_ok());
        assert!(check_rate_limit(0, 10).is_err() && check_rate_limit(1000, 0).is_err());
    }

    #[test]
    fn a_key_holds_only_registered_permissions_its_creator_holds() {
        let registered: BTreeSet<String> = ["orders:read".into(), "orders:write".into(), "orders:manage".into()].into();
        let held: BTreeSet<String> = ["orders:read".into(), "orders:write".into()].into();
        let ask = |actions: &[&str]| -> Statements {
            [("orders".to_owned(), actions.iter().map(|a| (*a).to_owned()).collect())].into()
        };
        assert_eq!(check_permissions(&ask(&["read"]), &registered, &held).unwrap(), Ok(()));
        assert_eq!(check_permissions(&ask(&["manage"]), &registered, &held).unwrap(), Err("orders:manage".into()));
        let unknown = check_permissions(&ask(&["fly"]), &registered, &held).unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::InvalidResource);
        // The organization plugin's resources are not for keys.
        let plugin: Statements = [("member".to_owned(), vec!["create".to_owned()])].into();
        assert_eq!(check_permissions(&plugin, &registered, &held).unwrap_err().code(), ErrorCode::InvalidResource);
    }
}
