//! Organization use cases: create, list, activate, read, update, delete,
//! leave, and member management, by Better Auth's default roles
//! (`model::organization`). Every write and its event share a transaction.

use std::sync::Arc;

use time::OffsetDateTime;

use super::Authenticated;
use crate::audit::{LogKind, LogRecord, SessionLog};
use crate::error::AuthError;
use crate::events;
use crate::model::access;
use crate::model::organization::{self, keeps_an_owner, may_manage};
use crate::model::{CustomRole, Member, OrgAction, OrgRole, Organization, Roles, User, id, profile};
use crate::ports::{AccessInvalidation, DomainGrants, InvitationRecord, NoGrants, OrgRef, OrganizationStore};

/// Input of organization creation.
#[derive(Debug, Clone)]
pub struct CreateOrganization {
    /// Display name.
    pub name: String,
    /// Unique handle.
    pub slug: String,
    /// Logo URL.
    pub logo: Option<String>,
    /// Free-form JSON object.
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Leave the session's active organization as it is.
    pub keep_current_active: bool,
}

/// Changes to an organization; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct UpdateOrganization {
    /// New name.
    pub name: Option<String>,
    /// New slug.
    pub slug: Option<String>,
    /// New logo; `Some(None)` removes it.
    pub logo: Option<Option<String>>,
    /// New metadata (replaces the object).
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
}

/// An organization with its members and invitations.
#[derive(Debug, Clone)]
pub struct FullOrganization {
    /// The organization.
    pub organization: Organization,
    /// Members with their users, oldest first.
    pub members: Vec<(Member, User)>,
    /// Invitations, newest first.
    pub invitations: Vec<InvitationRecord>,
}

/// Organization use cases.
#[derive(Clone)]
pub struct OrganizationService {
    pub(super) store: Arc<dyn OrganizationStore>,
    pub(super) access: Arc<dyn AccessInvalidation>,
    pub(super) log: Option<SessionLog>,
    pub(super) grants: Arc<dyn DomainGrants>,
}

impl OrganizationService {
    /// A service over `store`; membership changes are announced to `access`
    /// (the verifier's cache) right after they commit.
    pub fn new(store: Arc<dyn OrganizationStore>, access: Arc<dyn AccessInvalidation>) -> Self {
        Self { store, access, log: None, grants: Arc::new(NoGrants) }
    }

    /// Answers `has-permission` for domain resources (`orders: ["read"]`)
    /// from `grants` (the verifier); without it they are never held.
    pub fn with_grants(mut self, grants: Arc<dyn DomainGrants>) -> Self {
        self.grants = grants;
        self
    }

    /// The caller's membership in the session's active organization (400
    /// `NO_ACTIVE_ORGANIZATION` without one, `MEMBER_NOT_FOUND` when not a
    /// member).
    pub async fn active_member(&self, auth: &Authenticated) -> Result<Member, AuthError> {
        match self.resolve(auth, None, None).await {
            Ok((_, member)) => Ok(member),
            Err(AuthError::NotAMember) => Err(AuthError::MemberNotFound),
            Err(e) => Err(e),
        }
    }

    /// The role(s) of `user_id` (default: the caller) in the organization
    /// named or active; the caller must be a member (403), the user too
    /// (400 `MEMBER_NOT_FOUND`).
    pub async fn member_role(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        user_id: Option<&str>,
    ) -> Result<String, AuthError> {
        let (org, mine) = self.resolve(auth, organization_id, None).await?;
        match user_id.filter(|u| *u != auth.user.id) {
            None => Ok(mine.role),
            Some(other) => {
                let member = self.store.membership(&org.id, other).await?.ok_or(AuthError::MemberNotFound)?;
                Ok(member.role)
            }
        }
    }

    /// Whether the caller's roles in the organization named or active allow
    /// every requested action: the organization plugin's resources by
    /// Better Auth's statements, domain resources by the permissions the
    /// organization grants them.
    pub async fn has_permission(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        requested: &access::Requested,
    ) -> Result<bool, AuthError> {
        let (org, member) = self.resolve(auth, organization_id, None).await?;
        let granted = self.grants.granted(&org.id, &member.role).await?;
        let (roles, custom) = self.roles_of(&member).await?;
        Ok(access::organization_allows(&roles, requested, &granted, &custom))
    }

    /// A member's roles and, when they hold any of the organization's own
    /// roles, those roles' definitions (otherwise nothing is read).
    pub async fn roles_of(&self, member: &Member) -> Result<(Roles, Vec<CustomRole>), AuthError> {
        let roles = Roles::from_stored(&member.role);
        if !roles.any_custom() {
            return Ok((roles, Vec::new()));
        }
        let custom = self.store.custom_roles(&member.organization_id).await?;
        Ok((roles, custom))
    }

    /// Fails with 400 when `roles` name a role the organization does not have.
    pub async fn check_assignable(&self, organization_id: &str, roles: &Roles) -> Result<(), AuthError> {
        if !roles.any_custom() {
            return Ok(());
        }
        let known = self.store.custom_roles(organization_id).await?;
        match roles.unknown_custom(&known).first() {
            None => Ok(()),
            Some(name) => Err(AuthError::validation(
                "role",
                format!("`{name}` is not a role; use owner, admin, member or one of the organization's"),
            )),
        }
    }

    /// Fails with `action`'s 403 unless the member's roles allow it.
    async fn require(&self, member: &Member, action: OrgAction) -> Result<(), AuthError> {
        let (roles, custom) = self.roles_of(member).await?;
        if roles.allows(action, &custom) { Ok(()) } else { Err(action.forbidden()) }
    }

    /// Records member role changes in the session log.
    pub fn with_log(mut self, log: SessionLog) -> Self {
        self.log = Some(log);
        self
    }

    /// Creates an organization owned by the caller and, unless asked not
    /// to, makes it the session's active one. Fails on invalid input (400)
    /// or a taken slug (400 `ORGANIZATION_ALREADY_EXISTS`).
    pub async fn create(
        &self,
        auth: &Authenticated,
        input: CreateOrganization,
    ) -> Result<(Organization, Member), AuthError> {
        organization::check_name(&input.name)?;
        organization::check_slug(&input.slug)?;
        if let Some(logo) = &input.logo {
            profile::check_image(logo)?;
        }
        if let Some(metadata) = &input.metadata {
            organization::check_metadata(metadata)?;
        }
        let now = OffsetDateTime::now_utc();
        let org = Organization {
            id: id::generate(),
            name: input.name,
            slug: input.slug,
            logo: input.logo,
            created_at: now,
            metadata: input.metadata,
        };
        let owner = Member {
            id: id::generate(),
            organization_id: org.id.clone(),
            user_id: auth.user.id.clone(),
            role: OrgRole::Owner.as_str().into(),
            created_at: now,
        };
        let activate = (!input.keep_current_active).then_some(auth.session.id.as_str());
        let events = [events::organization_created(&org, &owner), events::member_added(&owner)];
        self.store.create_organization(&org, &owner, activate, &events).await?;
        Ok((org, owner))
    }

    /// The caller's organizations.
    pub async fn list(&self, auth: &Authenticated) -> Result<Vec<Organization>, AuthError> {
        Ok(self.store.organizations_of(&auth.user.id).await?)
    }

    /// Fails with 400 `SLUG_IS_TAKEN` when the slug is in use, or 400 when malformed.
    pub async fn check_slug(&self, slug: &str) -> Result<(), AuthError> {
        organization::check_slug(slug)?;
        if self.store.slug_taken(slug).await? {
            return Err(AuthError::SlugIsTaken);
        }
        Ok(())
    }

    /// The organization named (by id, else slug, else the session's active
    /// one) and the caller's membership in it. Fails with 400 when none is
    /// named or it does not exist, 403 when the caller is not a member.
    pub async fn resolve(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        slug: Option<&str>,
    ) -> Result<(Organization, Member), AuthError> {
        let reference = match (organization_id, slug, auth.session.active_organization_id.as_deref()) {
            (Some(id), _, _) => OrgRef::Id(id),
            (None, Some(slug), _) => OrgRef::Slug(slug),
            (None, None, Some(active)) => OrgRef::Id(active),
            (None, None, None) => return Err(AuthError::NoActiveOrganization),
        };
        let org = self.store.find_organization(reference).await?.ok_or(AuthError::OrganizationNotFound)?;
        let member = self.store.membership(&org.id, &auth.user.id).await?.ok_or(AuthError::NotAMember)?;
        Ok((org, member))
    }

    /// Makes the organization the session's active one (`None` clears it).
    pub async fn set_active(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        slug: Option<&str>,
    ) -> Result<Option<Organization>, AuthError> {
        if organization_id.is_none() && slug.is_none() {
            self.store.set_active_organization(&auth.session.id, None).await?;
            return Ok(None);
        }
        let (org, _) = self.resolve(auth, organization_id, slug).await?;
        self.store.set_active_organization(&auth.session.id, Some(&org.id)).await?;
        Ok(Some(org))
    }

    /// The organization with members (at most `members_limit`) and invitations.
    pub async fn full(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        slug: Option<&str>,
        members_limit: u64,
    ) -> Result<FullOrganization, AuthError> {
        let (organization, _) = self.resolve(auth, organization_id, slug).await?;
        let (members, _) = self.store.list_members(&organization.id, members_limit, 0).await?;
        let invitations = self.store.list_invitations(&organization.id).await?;
        Ok(FullOrganization { organization, members, invitations })
    }

    /// Changes name, slug, logo or metadata (owners and admins).
    pub async fn update(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        changes: UpdateOrganization,
    ) -> Result<Organization, AuthError> {
        let (mut org, member) = self.resolve(auth, organization_id, None).await?;
        self.require(&member, OrgAction::UpdateOrganization).await?;
        if let Some(name) = changes.name {
            organization::check_name(&name)?;
            org.name = name;
        }
        if let Some(slug) = changes.slug {
            organization::check_slug(&slug)?;
            org.slug = slug;
        }
        if let Some(logo) = changes.logo {
            if let Some(url) = &logo {
                profile::check_image(url)?;
            }
            org.logo = logo;
        }
        if let Some(metadata) = changes.metadata {
            organization::check_metadata(&metadata)?;
            org.metadata = Some(metadata);
        }
        self.store.update_organization(&org).await?;
        Ok(org)
    }

    /// Deletes the organization (owners only); returns its id.
    pub async fn delete(&self, auth: &Authenticated, organization_id: &str) -> Result<String, AuthError> {
        let (org, member) = self.resolve(auth, Some(organization_id), None).await?;
        self.require(&member, OrgAction::DeleteOrganization).await?;
        self.store.delete_organization(&org.id, &events::organization_deleted(&org, &auth.user.id)).await?;
        self.access.organization_deleted(&org.id).await;
        Ok(org.id)
    }

    /// The caller leaves the organization; the last owner cannot.
    pub async fn leave(&self, auth: &Authenticated, organization_id: &str) -> Result<Member, AuthError> {
        let (org, member) = self.resolve(auth, Some(organization_id), None).await?;
        let is_owner = Roles::from_stored(&member.role).contains(OrgRole::Owner);
        keeps_an_owner(self.store.count_owners(&org.id).await?, is_owner)?;
        self.store.remove_member(&member, &events::member_removed(&member, &auth.user.id)).await?;
        self.access.membership_changed(Some(&org.id), &member.user_id).await;
        Ok(member)
    }

    /// A page of members with their users and the total (members only).
    pub async fn list_members(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<(Member, User)>, u64), AuthError> {
        let (org, _) = self.resolve(auth, organization_id, None).await?;
        Ok(self.store.list_members(&org.id, limit, offset).await?)
    }

    /// Changes a member's role(s): owners and admins, only owners touch
    /// owners, the last owner cannot be demoted.
    pub async fn update_member_role(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        member_id: &str,
        roles: &[String],
    ) -> Result<Member, AuthError> {
        let new_roles = Roles::parse(roles)?;
        let (org, actor) = self.resolve(auth, organization_id, None).await?;
        let target = self.store.find_member(&org.id, member_id).await?.ok_or(AuthError::MemberNotFound)?;
        let target_roles = Roles::from_stored(&target.role);
        let (actor_roles, custom) = self.roles_of(&actor).await?;
        may_manage(&actor_roles, &target_roles, OrgAction::UpdateMember, &custom)?;
        self.check_assignable(&org.id, &new_roles).await?;
        if new_roles.contains(OrgRole::Owner) && !actor_roles.contains(OrgRole::Owner) {
            return Err(OrgAction::UpdateMember.forbidden());
        }
        let loses_ownership = target_roles.contains(OrgRole::Owner) && !new_roles.contains(OrgRole::Owner);
        keeps_an_owner(self.store.count_owners(&org.id).await?, loses_ownership)?;
        let previous = target.role.clone();
        let updated = Member { role: new_roles.to_stored(), ..target };
        self.store.update_member_role(&updated, &events::member_role_changed(&updated, &previous)).await?;
        self.access.membership_changed(Some(&org.id), &updated.user_id).await;
        if let Some(log) = &self.log {
            let record = LogRecord {
                user_id: Some(updated.user_id.clone()),
                organization_id: Some(org.id.clone()),
                reason: Some(format!("organization role: {previous} -> {}", updated.role)),
                actor_id: Some(auth.user.id.clone()),
                impersonator_id: auth.session.impersonated_by.clone(),
                ..LogRecord::default()
            };
            log.record(LogKind::RoleChange, record).await;
        }
        Ok(updated)
    }

    /// Removes a member (by member id or e-mail): owners and admins, only
    /// owners remove owners, never the last owner.
    pub async fn remove_member(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        member_id_or_email: &str,
    ) -> Result<Member, AuthError> {
        let (org, actor) = self.resolve(auth, organization_id, None).await?;
        let target = self.store.find_member(&org.id, member_id_or_email).await?.ok_or(AuthError::MemberNotFound)?;
        let target_roles = Roles::from_stored(&target.role);
        let (actor_roles, custom) = self.roles_of(&actor).await?;
        may_manage(&actor_roles, &target_roles, OrgAction::RemoveMember, &custom)?;
        keeps_an_owner(self.store.count_owners(&org.id).await?, target_roles.contains(OrgRole::Owner))?;
        self.store.remove_member(&target, &events::member_removed(&target, &auth.user.id)).await?;
        self.access.membership_changed(Some(&org.id), &target.user_id).await;
        Ok(target)
    }
}
