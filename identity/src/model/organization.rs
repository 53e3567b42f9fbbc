//! Organizations, members and roles, by Better Auth's default rules:
//! creators are owners; owners may do everything, admins everything but
//! deleting the organization, members nothing administrative; an admin may
//! not change or remove an owner; the last owner cannot leave, be removed
//! or be demoted (Gremlin's addition: Better Auth can orphan an organization).

use time::OffsetDateTime;

use super::custom_role::{self, CustomRole};
pub use super::statements::OrgRole;
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

/// A set of roles as stored in `member.role` (`"admin,member"`): built-in
/// ones and names of the organization's own roles ([`CustomRole`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roles {
    built_in: Vec<OrgRole>,
    custom: Vec<String>,
}

impl Roles {
    /// Parses role names given by a client; fails for malformed names or
    /// none. Names other than the built-ins must still be checked against
    /// the organization's roles ([`Roles::unknown_custom`]).
    pub fn parse(names: &[String]) -> Result<Self, AuthError> {
        let mut roles = Self { built_in: Vec::new(), custom: Vec::new() };
        for name in names.iter().flat_map(|n| n.split(',')) {
            match OrgRole::parse_one(name) {
                Some(role) => roles.built_in.push(role),
                None => roles.custom.push(custom_role::normalize_name(name).map_err(|_| {
                    AuthError::validation(
                        "role",
                        format!(
                            "`{}` is not a role; use owner, admin, member or one of the organization's",
                            name.trim()
                        ),
                    )
                })?),
            }
        }
        if roles.built_in.is_empty() && roles.custom.is_empty() {
            return Err(AuthError::validation("role", "at least one role is required"));
        }
        Ok(roles.sorted())
    }

    /// Reads a stored value, built-in and custom names alike.
    pub fn from_stored(stored: &str) -> Self {
        let mut roles = Self { built_in: Vec::new(), custom: Vec::new() };
        for name in stored.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match OrgRole::parse_one(name) {
                Some(role) => roles.built_in.push(role),
                None => roles.custom.push(name.to_owned()),
            }
        }
        roles.sorted()
    }

    fn sorted(mut self) -> Self {
        self.built_in.sort();
        self.built_in.dedup();
        self.custom.sort();
        self.custom.dedup();
        self
    }

    /// The value to store: built-in roles first, then custom ones.
    pub fn to_stored(&self) -> String {
        self.built_in
            .iter()
            .map(|r| r.as_str())
            .chain(self.custom.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether `role` is among these.
    pub fn contains(&self, role: OrgRole) -> bool {
        self.built_in.contains(&role)
    }

    /// Whether the custom role `name` is among these.
    pub fn has_custom(&self, name: &str) -> bool {
        self.custom.iter().any(|c| c == name)
    }

    /// Whether any custom role is among these (only then need the
    /// organization's roles be read).
    pub fn any_custom(&self) -> bool {
        !self.custom.is_empty()
    }

    /// The custom names that are none of `known` (the organization's roles).
    pub fn unknown_custom<'a>(&'a self, known: &[CustomRole]) -> Vec<&'a str> {
        self.custom.iter().filter(|c| !known.iter().any(|k| &k.name == *c)).map(String::as_str).collect()
    }

    /// Whether these roles allow `action`: the built-ins by Better Auth's
    /// defaults, custom ones by the statement the action needs.
    pub fn allows(&self, action: OrgAction, custom: &[CustomRole]) -> bool {
        let built_in = self.built_in.iter().any(|role| match role {
            OrgRole::Owner => true,
            OrgRole::Admin => action != OrgAction::DeleteOrganization,
            OrgRole::Member => false,
        });
        let (resource, verb) = action.statement();
        built_in || custom.iter().any(|c| self.has_custom(&c.name) && c.allows(resource, verb))
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
    /// The organization plugin's statement the action needs (resource, action).
    pub fn statement(self) -> (&'static str, &'static str) {
        match self {
            Self::UpdateOrganization => ("organization", "update"),
            Self::DeleteOrganization => ("organization", "delete"),
            Self::UpdateMember => ("member", "update"),
            Self::RemoveMember => ("member", "delete"),
            Self::CreateInvitation => ("invitation", "create"),
            Self::CancelInvitation => ("invitation", "cancel"),
        }
    }

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
pub fn may_manage(
    actor_roles: &Roles,
    target_roles: &Roles,
    action: OrgAction,
    custom: &[CustomRole],
) -> Result<(), AuthError> {
    if !actor_roles.allows(action, custom)
        || (target_roles.contains(OrgRole::Owner) && !actor_roles.contains(OrgRole::Owner))
    {
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
        // Other names are custom roles, checked against the organization's.
        let custom = Roles::parse(&["Cashier".into(), "member".into()]).unwrap();
        assert_eq!(custom.to_stored(), "member,cashier");
        assert!(custom.has_custom("cashier") && custom.any_custom());
        assert!(Roles::parse(&["super user".into()]).is_err());
        assert!(Roles::parse(&[]).is_err());
        // Stored values keep custom names; built-ins come first.
        assert_eq!(roles("custom, owner").to_stored(), "owner,custom");
    }

    #[test]
    fn a_custom_role_allows_the_actions_its_statements_name() {
        let cashier = CustomRole {
            id: "r1".into(),
            organization_id: "o1".into(),
            name: "cashier".into(),
            permission: [("member".to_owned(), vec!["update".to_owned()])].into(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: None,
        };
        let custom = [cashier];
        assert!(roles("cashier").allows(OrgAction::UpdateMember, &custom));
        assert!(!roles("cashier").allows(OrgAction::RemoveMember, &custom));
        assert!(!roles("member").allows(OrgAction::UpdateMember, &custom));
        // Only owners touch owners, whatever a custom role allows.
        assert!(may_manage(&roles("cashier"), &roles("owner"), OrgAction::UpdateMember, &custom).is_err());
        assert!(may_manage(&roles("cashier"), &roles("member"), OrgAction::UpdateMember, &custom).is_ok());
    }

    #[test]
    fn default_permissions_follow_better_auth() {
        use OrgAction::*;
        let all =
            [UpdateOrganization, DeleteOrganization, UpdateMember, RemoveMember, CreateInvitation, CancelInvitation];
        assert!(all.iter().all(|a| roles("owner").allows(*a, &[])));
        assert!(all.iter().filter(|a| **a != DeleteOrganization).all(|a| roles("admin").allows(*a, &[])));
        assert!(!roles("admin").allows(DeleteOrganization, &[]));
        assert!(all.iter().all(|a| !roles("member").allows(*a, &[])));
        assert!(roles("member,admin").allows(UpdateMember, &[]), "roles combine");
    }

    #[test]
    fn only_owners_manage_owners() {
        let err = may_manage(&roles("admin"), &roles("owner"), OrgAction::UpdateMember, &[]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::YouAreNotAllowedToUpdateThisMember);
        assert!(may_manage(&roles("owner"), &roles("owner"), OrgAction::UpdateMember, &[]).is_ok());
        assert!(may_manage(&roles("admin"), &roles("member"), OrgAction::RemoveMember, &[]).is_ok());
        assert!(may_manage(&roles("member"), &roles("member"), OrgAction::RemoveMember, &[]).is_err());
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
