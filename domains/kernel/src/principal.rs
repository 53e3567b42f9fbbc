//! Who is calling and what they may do, as resolved at a domain's boundary.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{OrganizationId, UserId};

/// A permission such as `orders:read`: `<domain>:<action>`, lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Permission(String);

impl Permission {
    /// Parses `domain:action`; fails unless both parts are non-empty and
    /// made of `a-z`, `0-9`, `_` or `-`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let valid_part = |p: &str| {
            !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        };
        match text.split_once(':') {
            Some((domain, action)) if valid_part(domain) && valid_part(action) => Ok(Self(text.to_owned())),
            _ => Err(DomainError::invalid("permission", format!("`{text}` is not of the form domain:action"))),
        }
    }

    /// The permission's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Permission {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Permission> for String {
    fn from(p: Permission) -> Self {
        p.0
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The authenticated caller acting in one organization, with the permissions
/// its role grants there. Every use case takes one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user acting.
    pub user_id: UserId,
    /// The organization the request acts in (the tenant).
    pub organization_id: OrganizationId,
    /// The caller's role in that organization.
    pub role: String,
    /// What the role grants.
    pub permissions: BTreeSet<Permission>,
}

impl Principal {
    /// Whether the caller holds `permission`.
    pub fn has(&self, permission: &Permission) -> bool {
        self.permissions.contains(permission)
    }

    /// Fails with [`DomainError::Forbidden`] unless the caller holds `permission`.
    pub fn require(&self, permission: &Permission) -> Result<(), DomainError> {
        if self.has(permission) {
            return Ok(());
        }
        Err(DomainError::Forbidden { detail: format!("this action needs the `{permission}` permission") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_format_is_checked() {
        assert!(Permission::parse("orders:read").is_ok());
        assert!(Permission::parse("leave:approve-all").is_ok());
        for bad in ["orders", ":read", "orders:", "Orders:read", "orders:re ad", "a:b:c"] {
            assert!(Permission::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn require_reports_the_missing_permission() {
        let read = Permission::parse("orders:read").unwrap();
        let write = Permission::parse("orders:write").unwrap();
        let p = Principal {
            user_id: UserId::new("u1"),
            organization_id: OrganizationId::new("o1"),
            role: "member".into(),
            permissions: [read.clone()].into(),
        };
        assert!(p.require(&read).is_ok());
        let err = p.require(&write).unwrap_err();
        assert_eq!(err.status(), 403);
        assert!(err.to_string().contains("orders:write"));
    }
}
