//! Who is calling and what they may do, as resolved at a domain's boundary.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::{OrganizationId, UserId};

/// A permission such as `orders:read`: `<domain>:<action>`, lower-case.
/// Domains declare theirs as constants ([`Permission::declare`]) and
/// register them with their roles, so a misspelt name does not compile.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Permission(Cow<'static, str>);

/// Whether `text` is `domain:action`, both parts non-empty and made of
/// `a-z`, `0-9`, `_` or `-` (usable in constant evaluation).
const fn is_well_formed(text: &str) -> bool {
    let bytes = text.as_bytes();
    let (mut i, mut colons, mut part_len) = (0, 0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b':' if part_len > 0 => {
                colons += 1;
                part_len = 0;
            }
            b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => part_len += 1,
            _ => return false,
        }
        i += 1;
    }
    colons == 1 && part_len > 0
}

impl Permission {
    /// A permission written in code. Checked when the constant is
    /// evaluated: a malformed name fails the build.
    pub const fn declare(text: &'static str) -> Self {
        assert!(is_well_formed(text), "a permission is `domain:action` in a-z, 0-9, `_` and `-`");
        Self(Cow::Borrowed(text))
    }

    /// Parses `domain:action`; fails unless both parts are non-empty and
    /// made of `a-z`, `0-9`, `_` or `-`.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        if is_well_formed(text) {
            return Ok(Self(Cow::Owned(text.to_owned())));
        }
        Err(DomainError::invalid("permission", format!("`{text}` is not of the form domain:action")))
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
        p.0.into_owned()
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
        for bad in ["orders", ":read", "orders:", "Orders:read", "orders:re ad", "a:b:c", "", ":"] {
            assert!(Permission::parse(bad).is_err(), "{bad}");
        }
        const DECLARED: Permission = Permission::declare("orders:read");
        assert_eq!(DECLARED, Permission::parse("orders:read").unwrap());
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
