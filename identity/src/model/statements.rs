//! The organization plugin's vocabulary: its built-in roles and, per
//! resource, the actions each may take (Better Auth's `defaultStatements`
//! and default roles). The rules that combine them with an organization's
//! own roles live in `access` and `organization`.

/// The built-in organization roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OrgRole {
    /// Created the organization, or was made owner.
    Owner,
    /// Administers members and settings.
    Admin,
    /// Uses the organization.
    Member,
}

impl OrgRole {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// The built-in role named `name` (trimmed), if it is one.
    pub fn parse_one(name: &str) -> Option<Self> {
        match name.trim() {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// The organization plugin's resources and what each role may do on them
/// (Better Auth's `defaultStatements` and default roles).
pub(super) fn organization_statement(role: OrgRole, resource: &str) -> Option<&'static [&'static str]> {
    const ALL_TEAM: &[&str] = &["create", "update", "delete"];
    const ALL_AC: &[&str] = &["create", "read", "update", "delete"];
    Some(match (resource, role) {
        ("organization", OrgRole::Owner) => &["update", "delete"],
        ("organization", OrgRole::Admin) => &["update"],
        ("member" | "team", OrgRole::Owner | OrgRole::Admin) => ALL_TEAM,
        ("invitation", OrgRole::Owner | OrgRole::Admin) => &["create", "cancel"],
        ("ac", OrgRole::Owner | OrgRole::Admin) => ALL_AC,
        ("ac", OrgRole::Member) => &["read"],
        ("organization" | "member" | "invitation" | "team", OrgRole::Member) => &[],
        _ => return None,
    })
}

/// Every action of an organization-plugin resource (`member` → create,
/// update, delete); `None` for any other resource.
pub fn plugin_actions(resource: &str) -> Option<&'static [&'static str]> {
    organization_statement(OrgRole::Owner, resource)
}
