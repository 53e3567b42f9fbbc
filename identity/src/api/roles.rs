//! An organization's own roles under `/api/auth/organization`, as Better
//! Auth's organization plugin serves them with dynamic access control:
//! `create-role`, `list-roles`, `get-role`, `update-role`, `delete-role`.
//! Members are given these roles through `update-member-role` and
//! `invite-member`, like the built-in ones.

use gremlin_kernel::Nullable;
use gremlin_kernel::http::SessionAuth;
use poem::Request;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::context;
use super::dto::{Success, Timestamp};
use super::organizations::OrganizationTag;
use super::problem::AuthProblemResponse;
use crate::model::CustomRole;
use crate::model::custom_role::Statements;
use crate::service::IdentityService;
use crate::service::organizations::OrganizationService;
use crate::service::roles::{RoleChanges, RoleRef};

type Result<T> = std::result::Result<T, AuthProblemResponse>;

/// One of an organization's own roles.
#[derive(Debug, Clone, Object)]
#[oai(rename = "OrganizationRole", rename_all = "camelCase")]
pub struct OrganizationRoleDto {
    /// Id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The role's name (lower-case), as members hold it.
    pub role: String,
    /// What it allows.
    pub permission: Statements,
    /// Created.
    pub created_at: Timestamp,
    /// Last changed; null until then.
    pub updated_at: Nullable<Timestamp>,
}

impl From<&CustomRole> for OrganizationRoleDto {
    fn from(r: &CustomRole) -> Self {
        Self {
            id: r.id.clone(),
            organization_id: r.organization_id.clone(),
            role: r.name.clone(),
            permission: r.permission.clone(),
            created_at: Timestamp(r.created_at),
            updated_at: Nullable(r.updated_at.map(Timestamp)),
        }
    }
}

/// `POST /organization/create-role` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct CreateRoleBody {
    /// The organization (default: the session's active one).
    pub organization_id: Option<String>,
    /// The name: 1–64 of `a-z`, `0-9`, `_`, `-` (lower-cased), not a built-in's.
    pub role: String,
    /// What it allows; the caller must hold every permission named.
    pub permission: Statements,
}

/// `POST /organization/create-role` answer.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct CreatedRole {
    /// Always true.
    pub success: bool,
    /// The role.
    pub role_data: OrganizationRoleDto,
    /// What it allows (as `roleData.permission`).
    pub statements: Statements,
}

/// Names a role: by name or by id (the name wins when both are sent).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct RoleTargetBody {
    /// The organization (default: the session's active one).
    pub organization_id: Option<String>,
    /// The role's name.
    pub role_name: Option<String>,
    /// The role's id.
    pub role_id: Option<String>,
}

/// The changes of `update-role`; absent fields stay.
#[derive(Debug, Object)]
#[oai(rename = "RoleChanges", rename_all = "camelCase")]
pub struct RoleChangesBody {
    /// New permissions (replacing the old); the caller must hold them all.
    pub permission: Option<Statements>,
    /// A new name; members and pending invitations keep the role under it.
    pub role_name: Option<String>,
}

/// `POST /organization/update-role` body.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UpdateRoleBody {
    /// The organization (default: the session's active one).
    pub organization_id: Option<String>,
    /// The role's name.
    pub role_name: Option<String>,
    /// The role's id.
    pub role_id: Option<String>,
    /// What changes.
    pub data: RoleChangesBody,
}

/// `POST /organization/update-role` answer.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct UpdatedRole {
    /// Always true.
    pub success: bool,
    /// The role as it is now.
    pub role_data: OrganizationRoleDto,
}

/// The organization roles API, mounted at `/api/auth/organization`.
pub struct RoleApi {
    identity: IdentityService,
    organizations: OrganizationService,
}

impl RoleApi {
    /// The API over the identity (authentication) and organization services.
    pub fn new(identity: IdentityService, organizations: OrganizationService) -> Self {
        Self { identity, organizations }
    }
}

#[OpenApi(prefix_path = "/api/auth/organization", tag = "OrganizationTag::Organizations")]
impl RoleApi {
    /// Create a role.
    ///
    /// Creates one of the organization's own roles (needs `ac: ["create"]`:
    /// owners and admins by default). A name taken, or a built-in's, is 400
    /// `ROLE_NAME_IS_ALREADY_TAKEN`; an unknown resource or action 400
    /// `INVALID_RESOURCE`; a permission the caller does not hold 403; more
    /// than 100 roles 400 `TOO_MANY_ROLES`.
    #[oai(path = "/create-role", method = "post", operation_id = "identity.organization_create_role")]
    async fn create_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<CreateRoleBody>,
    ) -> Result<Json<CreatedRole>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let role =
            self.organizations.create_role(&auth, body.organization_id.as_deref(), &body.role, body.permission).await?;
        Ok(Json(CreatedRole { success: true, statements: role.permission.clone(), role_data: (&role).into() }))
    }

    /// List roles.
    ///
    /// The organization's own roles, by name (needs `ac: ["read"]`, which
    /// every built-in role holds).
    #[oai(path = "/list-roles", method = "get", operation_id = "identity.organization_list_roles")]
    async fn list_roles(
        &self,
        _session: SessionAuth,
        req: &Request,
        /// The organization (default: the session's active one).
        #[oai(name = "organizationId")]
        organization_id: Query<Option<String>>,
    ) -> Result<Json<Vec<OrganizationRoleDto>>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let roles = self.organizations.list_roles(&auth, organization_id.0.as_deref()).await?;
        Ok(Json(roles.iter().map(OrganizationRoleDto::from).collect()))
    }

    /// Get a role.
    ///
    /// One of the organization's own roles, by `roleName` or `roleId`
    /// (needs `ac: ["read"]`); 400 `ROLE_NOT_FOUND`.
    #[oai(path = "/get-role", method = "get", operation_id = "identity.organization_get_role")]
    async fn get_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        /// The organization (default: the session's active one).
        #[oai(name = "organizationId")]
        organization_id: Query<Option<String>>,
        /// The role's name.
        #[oai(name = "roleName")]
        role_name: Query<Option<String>>,
        /// The role's id.
        #[oai(name = "roleId")]
        role_id: Query<Option<String>>,
    ) -> Result<Json<OrganizationRoleDto>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let target = RoleRef::from_parts(role_name.0.as_deref(), role_id.0.as_deref())?;
        let role = self.organizations.get_role(&auth, organization_id.0.as_deref(), target).await?;
        Ok(Json((&role).into()))
    }

    /// Update a role.
    ///
    /// Renames a role or replaces its permissions (needs `ac: ["update"]`);
    /// members and pending invitations holding it keep it under a new name.
    #[oai(path = "/update-role", method = "post", operation_id = "identity.organization_update_role")]
    async fn update_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UpdateRoleBody>,
    ) -> Result<Json<UpdatedRole>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let target = RoleRef::from_parts(body.role_name.as_deref(), body.role_id.as_deref())?;
        let changes = RoleChanges { name: body.data.role_name, permission: body.data.permission };
        let role = self.organizations.update_role(&auth, body.organization_id.as_deref(), target, changes).await?;
        Ok(Json(UpdatedRole { success: true, role_data: (&role).into() }))
    }

    /// Delete a role.
    ///
    /// Deletes one of the organization's own roles (needs `ac:
    /// ["delete"]`) that no member holds: 400 `ROLE_IS_ASSIGNED_TO_MEMBERS`
    /// otherwise, `CANNOT_DELETE_A_PRE_DEFINED_ROLE` for a built-in.
    #[oai(path = "/delete-role", method = "post", operation_id = "identity.organization_delete_role")]
    async fn delete_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<RoleTargetBody>,
    ) -> Result<Json<Success>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let target = RoleRef::from_parts(body.role_name.as_deref(), body.role_id.as_deref())?;
        self.organizations.delete_role(&auth, body.organization_id.as_deref(), target).await?;
        Ok(Json(Success { success: true }))
    }
}
