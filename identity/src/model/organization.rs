//! Organizations, members and roles, by Better Auth's default rules:
//! creators are owners; owners may do everything, admins everything but
//! deleting the organization, members nothing administrative; an admin may
//! not change or remove an owner; the last owner cannot leave, be removed
//! or be demoted (Gremlin's addition: Better Auth can orphan an organization).

use time::OffsetDateTime;

use crate::error::{AuthError, ErrorCode};

/// Longest organization name.
pub const MAX_NAME_LEN: usize = 200;
/// Longest slug.
pub const MAX_SLUG_LEN: usize = 64;
/// Largest metadata object, serialised, in bytes.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;

/// An organization (tenant).
#[derive(Debug, Clone, PartialEq)]
pub struct Organization {
    /// 32-char id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Unique URL-safe handle.
    pub slug: String,
    /// Logo URL.
    pub logo: Option<String>,
    /// When created.
    pub created_at: OffsetDateTime,
    /// Free-form JSON object.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A user's membership in an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// 32-char id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The user.
    pub user_id: String,
    /// Role(s), comma-joined as stored.
    pub role: String,
    /// When joined.
    pub created_at: OffsetDateTime,
}

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

    fn parse_one(name: &str) -> Option<Self> {
        match name.trim() {
            "owner" => Some(Self::Owner),
            "admin" => Some(Self::Admin),
            "member" => Some(Self::Member),
            _ => None,
        }
    }
}

/// A set of roles as stored in `member.role` (`"admin,member"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles(Vec<OrgRole>);

impl Roles {
    /// Parses role names given by a client; fails for unknown or no roles.
    pub fn parse(names: &[String]) -> Result<Self, AuthError> {
        let mut roles = Vec::new();
        for name in names.iter().flat_map(|n| n.split(',')) {
            let role = OrgRole::parse_one(name).ok_or_else(|| {
                AuthError::validation("role", format!("`{}` is not a role; use owner, admin or member", name.trim()))
            })?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        if roles.is_empty() {
            return Err(AuthError::validation("role", "at least one role is required"));
        }
        roles.sort();
        Ok(Self(roles))
    }

    /// Reads a stored value; unknown names (custom roles) grant nothing.
    pub fn from_stored(stored: &str) -> Self {
        let mut roles: Vec<OrgRole> = stored.split(',').filter_map(OrgRole::parse_one).collect();
        roles.sort();
        roles.dedup();
        Self(roles)
    }

    /// The value to store.
    pub fn to_stored(&self) -> String {
        self.0.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
    }

    /// Whether `role` is among these.
    pub fn contains(&self, role: OrgRole) -> bool {
        self.0.contains(&role)
    }

    /// Whether these roles allow `action`.
    pub fn allows(&self, action: OrgAction) -> bool {
        self.0.iter().any(|role| match role {
            OrgRole::Owner => true,
            OrgRole::Admin => action != OrgAction::DeleteOrganization,
            OrgRole::Member => false,
        })
    }
}

/// Administrative actions inside an organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgAction {
    /// Change name, slug, logo, metadata.
    UpdateOrganization,
    /// Delete it.
    DeleteOrganization,
    /// Change a member's role.
    UpdateMember,
    /// Remove a member.
    RemoveMember,
    /// Invite someone.
    CreateInvitation,
    /// Cancel an invitation.
    CancelInvitation,
}

impl OrgAction {
    /// The 403 Better Auth answers when the action is not allowed.
    pub fn forbidden(self) -> AuthError {
        let code = match self {
            Self::UpdateOrganization => ErrorCode::YouAreNotAllowedToUpdateThisOrganization,
            Self::DeleteOrganization => ErrorCode::YouAreNotAllowedToDeleteThisOrganization,
            Self::UpdateMember => ErrorCode::YouAreNotAllowedToUpdateThisMember,
            Self::RemoveMember => ErrorCode::YouAreNotAllowedToDeleteThisMember,
            Self::CreateInvitation => ErrorCode::YouAreNotAllowedToInviteUsersToThisOrganization,
            Self::CancelInvitation => ErrorCode::YouAreNotAllowedToCancelThisInvitation,
        };
        AuthError::Forbidden { code }
    }
}

/// Checks a slug: 1-64 of `a-z`, `0-9`, `-`, not starting or ending with `-`.
pub fn check_slug(slug: &str) -> Result<(), AuthError> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG_LEN
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        return Ok(());
    }
    Err(AuthError::validation(
        "slug",
        "use 1-64 lower-case letters, digits and dashes, not starting or ending with a dash",
    ))
}

/// Checks a name: not blank, at most 200 characters.
pub fn check_name(name: &str) -> Result<(), AuthError> {
    if name.trim().is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(AuthError::validation("name", format!("use 1-{MAX_NAME_LEN} characters")));
    }
    Ok(())
}

/// Checks metadata: at most 8 KiB of JSON.
pub fn check_metadata(metadata: &serde_json::Map<String, serde_json::Value>) -> Result<(), AuthError> {
    let size = serde_json::to_vec(metadata).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_METADATA_BYTES {
        return Err(AuthError::validation("metadata", format!("at most {MAX_METADATA_BYTES} bytes of JSON")));
    }
    Ok(())
}

/// Whether `actor` (with `actor_roles`) may change or remove `target`,
/// which has `target_roles`: only owners touch owners.
pub fn may_manage(actor_roles: &Roles, target_roles: &Roles, action: OrgAction) -> Result<(), AuthError> {
    if !actor_roles.allows(action) || (target_roles.contains(OrgRole::Owner) && !actor_roles.contains(OrgRole::Owner)) {
        return Err(action.forbidden());
    }
    Ok(())
}

/// Refuses a change that would leave the organization without an owner:
/// `owners` is the current owner count, `target_is_owner` whether the member
/// losing ownership (by removal, leaving or demotion) is one.
pub fn keeps_an_owner(owners: u64, target_is_owner: bool) -> Result<(), AuthError> {
    if target_is_owner && owners <= 1 {
        return Err(AuthError::LastOwner);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(s: &str) -> Roles {
        Roles::from_stored(s)
    }

    #[test]
    fn slugs_are_lower_case_digits_and_dashes() {
        for good in ["acme", "acme-2", "a", "0-9"] {
            assert!(check_slug(good).is_ok(), "{good}");
        }
        for bad in ["", "Acme", "acme corp", "-acme", "acme-", "acmé", "a_b", &"a".repeat(65)] {
            assert!(check_slug(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_parse_join_and_refuse_unknown_names() {
        assert_eq!(Roles::parse(&["member".into(), "admin".into()]).unwrap().to_stored(), "admin,member");
        assert_eq!(Roles::parse(&["admin,member".into()]).unwrap().to_stored(), "admin,member");
        assert!(Roles::parse(&["superuser".into()]).is_err());
        assert!(Roles::parse(&[]).is_err());
        assert_eq!(roles("owner,custom").to_stored(), "owner");
    }

    #[test]
    fn default_permissions_follow_better_auth() {
        use OrgAction::*;
        let all =
            [UpdateOrganization, DeleteOrganization, UpdateMember, RemoveMember, CreateInvitation, CancelInvitation];
        assert!(all.iter().all(|a| roles("owner").allows(*a)));
        assert!(all.iter().filter(|a| **a != DeleteOrganization).all(|a| roles("admin").allows(*a)));
        assert!(!roles("admin").allows(DeleteOrganization));
        assert!(all.iter().all(|a| !roles("member").allows(*a)));
        assert!(roles("member,admin").allows(UpdateMember), "roles combine");
    }

    #[test]
    fn only_owners_manage_owners() {
        let err = may_manage(&roles("admin"), &roles("owner"), OrgAction::UpdateMember).unwrap_err();
        assert_eq!(err.code(), ErrorCode::YouAreNotAllowedToUpdateThisMember);
        assert!(may_manage(&roles("owner"), &roles("owner"), OrgAction::UpdateMember).is_ok());
        assert!(may_manage(&roles("admin"), &roles("member"), OrgAction::RemoveMember).is_ok());
        assert!(may_manage(&roles("member"), &roles("member"), OrgAction::RemoveMember).is_err());
    }

    #[test]
    fn the_last_owner_stays() {
        assert_eq!(keeps_an_owner(1, true).unwrap_err().code(), ErrorCode::YouCannotLeaveTheOrganizationAsTheOnlyOwner);
        assert!(keeps_an_owner(2, true).is_ok());
        assert!(keeps_an_owner(1, false).is_ok());
    }

    #[test]
    fn metadata_is_bounded() {
        let mut small = serde_json::Map::new();
        small.insert("plan".into(), "pro".into());
        assert!(check_metadata(&small).is_ok());
        let mut big = serde_json::Map::new();
        big.insert("blob".into(), "x".repeat(MAX_METADATA_BYTES).into());
        assert!(check_metadata(&big).is_err());
    }
}
