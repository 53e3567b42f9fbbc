//! Organization endpoints under `/api/auth/organization`, as Better Auth's
//! organization plugin serves them.

use gremlin_kernel::http::SessionAuth;
use poem::Request;
use poem::web::cookie::CookieJar;
use poem_openapi::param::Query;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use super::context;
use super::dto::{Status, Timestamp};
use super::organization_dto::*;
use super::problem::AuthProblemResponse;
use crate::service::IdentityService;
use crate::service::invitations::InvitationService;
use crate::service::organizations::{CreateOrganization, OrganizationService, UpdateOrganization};
use gremlin_kernel::Nullable;

type Result<T> = std::result::Result<T, AuthProblemResponse>;

/// Default and largest page of members.
const DEFAULT_MEMBERS: u64 = 100;

#[derive(Tags)]
pub(super) enum OrganizationTag {
    /// Organizations (tenants) and their members (Better Auth compatible).
    Organizations,
}

/// set-active answer: the organization or null, with the re-issued token.
#[derive(Debug, ApiResponse)]
pub enum SetActiveResponse {
    /// The active organization, or null when unset.
    #[oai(status = 200)]
    Ok(Json<Nullable<OrganizationDto>>, #[oai(header = "set-auth-token")] String),
}

/// The organization API.
pub struct OrganizationApi {
    identity: IdentityService,
    organizations: OrganizationService,
    invitations: InvitationService,
}

impl OrganizationApi {
    /// The API over the identity (authentication), organization and
    /// invitation services.
    pub fn new(identity: IdentityService, organizations: OrganizationService, invitations: InvitationService) -> Self {
        Self { identity, organizations, invitations }
    }
}

#[OpenApi(prefix_path = "/api/auth/organization", tag = "OrganizationTag::Organizations")]
impl OrganizationApi {
    /// Create an organization.
    ///
    /// Create an organization owned by the caller; it becomes the session's
    /// active organization unless `keepCurrentActiveOrganization`.
    #[oai(path = "/create", method = "post", operation_id = "identity.organization_create")]
    async fn create(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<CreateOrganizationBody>,
    ) -> Result<Json<CreatedOrganizationDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let body = body.0;
        let input = CreateOrganization {
            name: body.name,
            slug: body.slug,
            logo: body.logo,
            metadata: body.metadata.map(|m| m.into_iter().collect()),
            keep_current_active: body.keep_current_active_organization.unwrap_or(false),
        };
        let (org, owner) = self.organizations.create(&auth, input).await?;
        Ok(Json(CreatedOrganizationDto {
            name: org.name.clone(),
            slug: org.slug.clone(),
            logo: org.logo.clone().into(),
            created_at: Timestamp(org.created_at),
            metadata: org.metadata.clone().map(|m| m.into_iter().collect::<JsonObject>()).into(),
            id: org.id.clone(),
            members: vec![MemberDto::from(&owner)],
        }))
    }

    /// List my organizations.
    ///
    /// The caller's organizations.
    #[oai(path = "/list", method = "get", operation_id = "identity.organization_list")]
    async fn list(&self, _session: SessionAuth, req: &Request) -> Result<Json<Vec<OrganizationDto>>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let orgs = self.organizations.list(&auth).await?;
        Ok(Json(orgs.iter().map(OrganizationDto::from).collect()))
    }

    /// Check a slug is free.
    ///
    /// Check that a slug is free: 200 `{status:true}`, else 400 `SLUG_IS_TAKEN`.
    #[oai(path = "/check-slug", method = "post", operation_id = "identity.organization_check_slug")]
    async fn check_slug(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<CheckSlugBody>,
    ) -> Result<Json<Status>> {
        context::authenticate(&self.identity, req, true).await?;
        self.organizations.check_slug(&body.slug).await?;
        Ok(Json(Status { status: true }))
    }

    /// Set the active organization.
    ///
    /// Make an organization the session's active one (both fields null unsets it).
    #[oai(path = "/set-active", method = "post", operation_id = "identity.organization_set_active")]
    async fn set_active(
        &self,
        _session: SessionAuth,
        req: &Request,
        jar: &CookieJar,
        body: Json<SetActiveBody>,
    ) -> Result<SetActiveResponse> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let org = self
            .organizations
            .set_active(&auth, body.organization_id.as_deref(), body.organization_slug.as_deref())
            .await?;
        let remembered = true;
        let signed = context::set_session_cookie(jar, self.identity.settings(), &auth.session, remembered);
        Ok(SetActiveResponse::Ok(Json(org.as_ref().map(OrganizationDto::from).into()), signed))
    }

    /// Get an organization in full.
    ///
    /// An organization with its members and invitations (members only).
    #[oai(path = "/get-full-organization", method = "get", operation_id = "identity.organization_get_full")]
    async fn get_full(
        &self,
        _session: SessionAuth,
        req: &Request,
        #[oai(name = "organizationId")] organization_id: Query<Option<String>>,
        #[oai(name = "organizationSlug")] organization_slug: Query<Option<String>>,
        #[oai(name = "membersLimit", validator(minimum(value = "1"), maximum(value = "1000")))] members_limit: Query<
            Option<u64>,
        >,
    ) -> Result<Json<FullOrganizationDto>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let limit = members_limit.0.unwrap_or(DEFAULT_MEMBERS);
        let full =
            self.organizations.full(&auth, organization_id.0.as_deref(), organization_slug.0.as_deref(), limit).await?;
        let org = &full.organization;
        Ok(Json(FullOrganizationDto {
            name: org.name.clone(),
            slug: org.slug.clone(),
            logo: org.logo.clone().into(),
            created_at: Timestamp(org.created_at),
            metadata: OrganizationDto::from(org).metadata,
            id: org.id.clone(),
            invitations: full.invitations.iter().map(InvitationDto::from).collect(),
            members: full.members.iter().map(MemberWithUserDto::from).collect(),
        }))
    }

    /// Update an organization.
    ///
    /// Change name, slug, logo or metadata (owners and admins).
    #[oai(path = "/update", method = "post", operation_id = "identity.organization_update")]
    async fn update(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UpdateOrganizationBody>,
    ) -> Result<Json<OrganizationDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let data = body.0.data;
        let logo = super::dto::change(data.logo);
        let changes = UpdateOrganization {
            name: data.name,
            slug: data.slug,
            logo,
            metadata: data.metadata.map(|m| m.into_iter().collect()),
        };
        let org = self.organizations.update(&auth, body.0.organization_id.as_deref(), changes).await?;
        Ok(Json(OrganizationDto::from(&org)))
    }

    /// Delete an organization.
    ///
    /// Delete an organization (owners only); answers its id.
    #[oai(path = "/delete", method = "post", operation_id = "identity.organization_delete")]
    async fn delete(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<OrganizationIdBody>,
    ) -> Result<Json<String>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        Ok(Json(self.organizations.delete(&auth, &body.organization_id).await?))
    }

    /// Leave an organization.
    ///
    /// Leave an organization; the last owner cannot.
    #[oai(path = "/leave", method = "post", operation_id = "identity.organization_leave")]
    async fn leave(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<OrganizationIdBody>,
    ) -> Result<Json<MemberDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let member = self.organizations.leave(&auth, &body.organization_id).await?;
        Ok(Json(MemberDto::from(&member)))
    }

    /// List members.
    ///
    /// A page of members with their users, and the total (members only).
    #[oai(path = "/list-members", method = "get", operation_id = "identity.organization_list_members")]
    async fn list_members(
        &self,
        _session: SessionAuth,
        req: &Request,
        #[oai(name = "organizationId")] organization_id: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<u64>>,
        #[oai(validator(maximum(value = "1000000")))] offset: Query<Option<u64>>,
    ) -> Result<Json<MembersPage>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let (members, total) = self
            .organizations
            .list_members(
                &auth,
                organization_id.0.as_deref(),
                limit.0.unwrap_or(DEFAULT_MEMBERS),
                offset.0.unwrap_or(0),
            )
            .await?;
        Ok(Json(MembersPage { members: members.iter().map(MemberWithUserDto::from).collect(), total }))
    }

    /// Get my membership.
    ///
    /// The caller's membership, with their user, in the session's active
    /// organization (400 `NO_ACTIVE_ORGANIZATION`, `MEMBER_NOT_FOUND`).
    #[oai(path = "/get-active-member", method = "get", operation_id = "identity.organization_get_active_member")]
    async fn get_active_member(&self, _session: SessionAuth, req: &Request) -> Result<Json<MemberWithUserDto>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let member = self.organizations.active_member(&auth).await?;
        Ok(Json(MemberWithUserDto::from(&(member, auth.user))))
    }

    /// Get a member's role.
    ///
    /// The role(s) of the caller, or of `userId`, in the organization named
    /// or active (members only).
    #[oai(
        path = "/get-active-member-role",
        method = "get",
        operation_id = "identity.organization_get_active_member_role"
    )]
    async fn get_active_member_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        #[oai(name = "userId")] user_id: Query<Option<String>>,
        #[oai(name = "organizationId")] organization_id: Query<Option<String>>,
    ) -> Result<Json<ActiveMemberRoleDto>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let role = self.organizations.member_role(&auth, organization_id.0.as_deref(), user_id.0.as_deref()).await?;
        Ok(Json(ActiveMemberRoleDto { role }))
    }

    /// Check my permissions.
    ///
    /// Whether the caller's roles in the organization named or active
    /// allow every requested action: the organization plugin's resources
    /// (`organization`, `member`, `invitation`, `team`, `ac`) by Better
    /// Auth's default roles, and Gremlin's domain resources (`orders:
    /// ["read"]`) by the permissions the organization grants the roles.
    #[oai(path = "/has-permission", method = "post", operation_id = "identity.organization_has_permission")]
    async fn has_permission(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<HasPermissionBody>,
    ) -> Result<Json<HasPermissionResult>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let allowed =
            self.organizations.has_permission(&auth, body.organization_id.as_deref(), &body.0.permissions).await?;
        Ok(Json(HasPermissionResult { error: Nullable(None), success: allowed }))
    }

    /// List my invitations.
    ///
    /// Pending invitations addressed to the caller's e-mail, with their
    /// organizations' names, once the address is verified (403
    /// `EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION` before).
    #[oai(
        path = "/list-user-invitations",
        method = "get",
        operation_id = "identity.organization_list_user_invitations"
    )]
    async fn list_user_invitations(
        &self,
        _session: SessionAuth,
        req: &Request,
    ) -> Result<Json<Vec<UserInvitationDto>>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let invitations = self.invitations.to_me(&auth).await?;
        Ok(Json(invitations.iter().map(UserInvitationDto::from).collect()))
    }

    /// Change a member's role.
    ///
    /// Change a member's role(s) (owners and admins; only owners touch owners).
    #[oai(path = "/update-member-role", method = "post", operation_id = "identity.organization_update_member_role")]
    async fn update_member_role(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<UpdateMemberRoleBody>,
    ) -> Result<Json<MemberDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let member = self
            .organizations
            .update_member_role(&auth, body.organization_id.as_deref(), &body.member_id, &body.role.names())
            .await?;
        Ok(Json(MemberDto::from(&member)))
    }

    /// Remove a member.
    ///
    /// Remove a member by id or e-mail (owners and admins; never the last owner).
    #[oai(path = "/remove-member", method = "post", operation_id = "identity.organization_remove_member")]
    async fn remove_member(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<RemoveMemberBody>,
    ) -> Result<Json<MemberEnvelope>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let member =
            self.organizations.remove_member(&auth, body.organization_id.as_deref(), &body.member_id_or_email).await?;
        Ok(Json(MemberEnvelope { member: MemberDto::from(&member) }))
    }

    /// Invite a member.
    ///
    /// Invite someone by e-mail (owners and admins; only owners invite owners).
    /// The invitation lasts 48 hours; `resend` extends an open one.
    #[oai(path = "/invite-member", method = "post", operation_id = "identity.organization_invite_member")]
    async fn invite_member(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<InviteMemberBody>,
    ) -> Result<Json<InvitationDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let invitation = self
            .invitations
            .invite(
                &auth,
                body.organization_id.as_deref(),
                &body.email,
                &body.role.names(),
                body.resend.unwrap_or(false),
            )
            .await?;
        Ok(Json(InvitationDto::from(&invitation)))
    }

    /// List invitations.
    ///
    /// The organization's invitations (members only).
    #[oai(path = "/list-invitations", method = "get", operation_id = "identity.organization_list_invitations")]
    async fn list_invitations(
        &self,
        _session: SessionAuth,
        req: &Request,
        #[oai(name = "organizationId")] organization_id: Query<Option<String>>,
    ) -> Result<Json<Vec<InvitationDto>>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let invitations = self.invitations.list(&auth, organization_id.0.as_deref()).await?;
        Ok(Json(invitations.iter().map(InvitationDto::from).collect()))
    }

    /// Get an invitation.
    ///
    /// A pending invitation addressed to the caller.
    #[oai(path = "/get-invitation", method = "get", operation_id = "identity.organization_get_invitation")]
    async fn get_invitation(
        &self,
        _session: SessionAuth,
        req: &Request,
        id: Query<String>,
    ) -> Result<Json<InvitationDetailsDto>> {
        let auth = context::authenticate(&self.identity, req, false).await?;
        let details = self.invitations.get(&auth, &id.0).await?;
        let i = InvitationDto::from(&details.invitation);
        Ok(Json(InvitationDetailsDto {
            organization_id: i.organization_id,
            email: i.email,
            role: i.role,
            status: i.status,
            expires_at: i.expires_at,
            created_at: i.created_at,
            inviter_id: i.inviter_id,
            id: i.id,
            organization_name: details.organization.name,
            organization_slug: details.organization.slug,
            inviter_email: details.inviter_email,
        }))
    }

    /// Accept an invitation.
    ///
    /// Accept an invitation addressed to the caller: join, and make the
    /// organization active.
    #[oai(path = "/accept-invitation", method = "post", operation_id = "identity.organization_accept_invitation")]
    async fn accept_invitation(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<InvitationIdBody>,
    ) -> Result<Json<InvitationAnswer>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let (invitation, member) = self.invitations.accept(&auth, &body.invitation_id).await?;
        Ok(Json(InvitationAnswer {
            invitation: InvitationDto::from(&invitation),
            member: Some(MemberDto::from(&member)).into(),
        }))
    }

    /// Reject an invitation.
    ///
    /// Decline an invitation addressed to the caller.
    #[oai(path = "/reject-invitation", method = "post", operation_id = "identity.organization_reject_invitation")]
    async fn reject_invitation(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<InvitationIdBody>,
    ) -> Result<Json<InvitationAnswer>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let invitation = self.invitations.reject(&auth, &body.invitation_id).await?;
        Ok(Json(InvitationAnswer { invitation: InvitationDto::from(&invitation), member: Nullable(None) }))
    }

    /// Cancel an invitation.
    ///
    /// Withdraw a pending invitation (owners and admins).
    #[oai(path = "/cancel-invitation", method = "post", operation_id = "identity.organization_cancel_invitation")]
    async fn cancel_invitation(
        &self,
        _session: SessionAuth,
        req: &Request,
        body: Json<InvitationIdBody>,
    ) -> Result<Json<InvitationDto>> {
        let auth = context::authenticate(&self.identity, req, true).await?;
        let invitation = self.invitations.cancel(&auth, &body.invitation_id).await?;
        Ok(Json(InvitationDto::from(&invitation)))
    }
}
