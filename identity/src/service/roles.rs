//! An organization's own roles (Better Auth's dynamic access control):
//! create, list, read, update and delete, each guarded by the `ac`
//! statement (`create`, `read`, `update`, `delete`). Whoever grants a role
//! must hold every permission it grants, so no one can mint a role above
//! their own. A change takes effect at once: the verifier's cached role
//! overrides are dropped here and, elsewhere, on
//! `identity.organization.role_changed`.

use time::OffsetDateTime;

use super::Authenticated;
use super::organizations::OrganizationService;
use crate::error::{AuthError, ErrorCode};
use crate::events;
use crate::model::custom_role::{self, Statements};
use crate::model::{CustomRole, Member, OrgRole, Roles, access, id};
use crate::ports::StoreError;

/// A role named by the client: by name or by id.
#[derive(Debug, Clone, Copy)]
pub enum RoleRef<'a> {
    /// By name (as stored, lower-case).
    Name(&'a str),
    /// By id.
    Id(&'a str),
}

impl<'a> RoleRef<'a> {
    /// The reference Better Auth's bodies carry: the name wins over the id;
    /// neither is 400 `ROLE_NOT_FOUND`.
    pub fn from_parts(name: Option<&'a str>, id: Option<&'a str>) -> Result<Self, AuthError> {
        match (name.filter(|n| !n.is_empty()), id.filter(|i| !i.is_empty())) {
            (Some(name), _) => Ok(Self::Name(name)),
            (None, Some(id)) => Ok(Self::Id(id)),
            (None, None) => Err(not_found()),
        }
    }
}

/// Changes to a role; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct RoleChanges {
    /// A new name.
    pub name: Option<String>,
    /// A new set of permissions (replaces the old).
    pub permission: Option<Statements>,
}

/// The `ac` action a role operation needs, and Better Auth's 403 without it.
#[derive(Debug, Clone, Copy)]
enum RoleAction {
    Create,
    List,
    Read,
    Update,
    Delete,
}

impl RoleAction {
    fn statement(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::List | Self::Read => "read",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }

    fn forbidden(self) -> AuthError {
        let (code, message) = match self {
            Self::Create => (ErrorCode::YouAreNotAllowedToCreateARole, "You are not allowed to create a role"),
            Self::List => (ErrorCode::YouAreNotAllowedToListARole, "You are not allowed to list a role"),
            Self::Read => (ErrorCode::YouAreNotAllowedToReadARole, "You are not allowed to read a role"),
            Self::Update => (ErrorCode::YouAreNotAllowedToUpdateARole, "You are not allowed to update a role"),
            Self::Delete => (ErrorCode::YouAreNotAllowedToDeleteARole, "You are not allowed to delete a role"),
        };
        AuthError::rule(code, message, 403)
    }
}

fn not_found() -> AuthError {
    AuthError::rule(ErrorCode::RoleNotFound, "Role not found", 400)
}

impl OrganizationService {
    /// The organization named or active, the caller's membership, and the
    /// organization's roles, once the caller may do `action` with roles.
    async fn role_context(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        action: RoleAction,
    ) -> Result<(Member, Roles, Vec<CustomRole>), AuthError> {
        let (org, member) = self.resolve(auth, organization_id, None).await?;
        let custom = self.store.custom_roles(&org.id).await?;
        let roles = Roles::from_stored(&member.role);
        if !access::plugin_allows(&roles, "ac", action.statement(), &custom) {
            return Err(action.forbidden());
        }
        Ok((member, roles, custom))
    }

    /// Fails with `action`'s 403 unless the member holds every permission
    /// `permission` names, and with 400 `INVALID_RESOURCE` when it names
    /// one no role can hold.
    async fn check_grantable(
        &self,
        member: &Member,
        roles: &Roles,
        custom: &[CustomRole],
        permission: &Statements,
        action: RoleAction,
    ) -> Result<(), AuthError> {
        custom_role::check_statements(permission, &self.grants.registered())?;
        let granted = self.grants.granted(&member.organization_id, &member.role).await?;
        let holds_all = custom_role::each_action(permission).all(|(resource, action)| {
            let one = [(resource, vec![action])].into();
            access::organization_allows(roles, &one, &granted, custom)
        });
        if holds_all { Ok(()) } else { Err(action.forbidden()) }
    }

    fn find<'a>(custom: &'a [CustomRole], role: RoleRef<'_>) -> Result<&'a CustomRole, AuthError> {
        custom
            .iter()
            .find(|c| match role {
                RoleRef::Name(name) => c.name == name.trim().to_lowercase(),
                RoleRef::Id(id) => c.id == id,
            })
            .ok_or_else(not_found)
    }

    /// Creates a role (`ac:create`) named `name` allowing `permission`.
    /// A taken or built-in name is 400 `ROLE_NAME_IS_ALREADY_TAKEN`; a
    /// permission the caller lacks 403; more than 100 roles 400
    /// `TOO_MANY_ROLES`.
    pub async fn create_role(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        name: &str,
        permission: Statements,
    ) -> Result<CustomRole, AuthError> {
        let name = custom_role::normalize_name(name)?;
        let (member, roles, custom) = self.role_context(auth, organization_id, RoleAction::Create).await?;
        self.check_grantable(&member, &roles, &custom, &permission, RoleAction::Create).await?;
        if custom.iter().any(|c| c.name == name) {
            return Err(custom_role::taken());
        }
        let role = CustomRole {
            id: id::generate(),
            organization_id: member.organization_id.clone(),
            name,
            permission,
            created_at: OffsetDateTime::now_utc(),
            updated_at: None,
        };
        self.store.create_custom_role(&role, &events::role_changed(&role, "created", &auth.user.id)).await?;
        self.access.roles_changed(&role.organization_id).await;
        Ok(role)
    }

    /// The organization's roles (`ac:read`), by name.
    pub async fn list_roles(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
    ) -> Result<Vec<CustomRole>, AuthError> {
        Ok(self.role_context(auth, organization_id, RoleAction::List).await?.2)
    }

    /// One role (`ac:read`); 400 `ROLE_NOT_FOUND`.
    pub async fn get_role(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        role: RoleRef<'_>,
    ) -> Result<CustomRole, AuthError> {
        let (_, _, custom) = self.role_context(auth, organization_id, RoleAction::Read).await?;
        Self::find(&custom, role).cloned()
    }

    /// Renames a role or replaces its permissions (`ac:update`); members
    /// and pending invitations holding it keep it under its new name.
    pub async fn update_role(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        role: RoleRef<'_>,
        changes: RoleChanges,
    ) -> Result<CustomRole, AuthError> {
        let (member, roles, custom) = self.role_context(auth, organization_id, RoleAction::Update).await?;
        let previous = Self::find(&custom, role)?.clone();
        let mut updated = CustomRole { updated_at: Some(OffsetDateTime::now_utc()), ..previous.clone() };
        if let Some(permission) = changes.permission {
            self.check_grantable(&member, &roles, &custom, &permission, RoleAction::Update).await?;
            updated.permission = permission;
        }
        if let Some(name) = changes.name {
            updated.name = custom_role::normalize_name(&name)?;
            if updated.name != previous.name && custom.iter().any(|c| c.name == updated.name) {
                return Err(custom_role::taken());
            }
        }
        let event = events::role_changed(&updated, "updated", &auth.user.id);
        let renamed = self.store.update_custom_role(&previous.name, &updated, &event).await?;
        self.access.roles_changed(&updated.organization_id).await;
        for member in renamed {
            self.access.membership_changed(Some(&member.organization_id), &member.user_id).await;
        }
        Ok(updated)
    }

    /// Deletes a role (`ac:delete`) no member holds (400
    /// `ROLE_IS_ASSIGNED_TO_MEMBERS` otherwise); a built-in is 400
    /// `CANNOT_DELETE_A_PRE_DEFINED_ROLE`.
    pub async fn delete_role(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        role: RoleRef<'_>,
    ) -> Result<(), AuthError> {
        if let RoleRef::Name(name) = role
            && OrgRole::parse_one(name).is_some_and(|r| r.as_str() == name)
        {
            let message = "Cannot delete a pre-defined role";
            return Err(AuthError::rule(ErrorCode::CannotDeleteAPreDefinedRole, message, 400));
        }
        let (_, _, custom) = self.role_context(auth, organization_id, RoleAction::Delete).await?;
        let found = Self::find(&custom, role)?;
        let event = events::role_changed(found, "deleted", &auth.user.id);
        match self.store.delete_custom_role(found, &event).await {
            Ok(()) => {}
            Err(StoreError::Conflict) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        }
        self.access.roles_changed(&found.organization_id).await;
        Ok(())
    }
}
