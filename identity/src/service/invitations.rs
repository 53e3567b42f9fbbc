//! Invitation use cases: invite (owners and admins; only owners invite
//! owners), list, read, accept, reject, cancel. E-mails go through the
//! [`Mailer`] port after the invitation is stored; a failed send is logged
//! and the invitation stays valid (the inviter can resend).

use std::sync::Arc;

use time::OffsetDateTime;

use super::Authenticated;
use super::organizations::OrganizationService;
use crate::error::AuthError;
use crate::events;
use crate::model::invitation::{self, InvitationStatus};
use crate::model::{EmailAddress, Member, OrgAction, OrgRole, Organization, Roles, id};
use crate::ports::{AccessInvalidation, InvitationMail, InvitationRecord, Mailer, OrgRef, OrganizationStore};

/// An invitation with what its recipient needs to decide.
#[derive(Debug, Clone)]
pub struct InvitationDetails {
    /// The invitation.
    pub invitation: InvitationRecord,
    /// The organization.
    pub organization: Organization,
    /// Who invited.
    pub inviter_email: String,
}

/// Invitation use cases.
#[derive(Clone)]
pub struct InvitationService {
    store: Arc<dyn OrganizationStore>,
    organizations: OrganizationService,
    mailer: Arc<dyn Mailer>,
    access: Arc<dyn AccessInvalidation>,
}

impl InvitationService {
    /// A service over `store`, sending through `mailer`, announcing new
    /// memberships to `access`.
    pub fn new(
        store: Arc<dyn OrganizationStore>,
        mailer: Arc<dyn Mailer>,
        access: Arc<dyn AccessInvalidation>,
    ) -> Self {
        Self { organizations: OrganizationService::new(store.clone(), access.clone()), store, mailer, access }
    }

    /// Invites `email` with `roles`. Fails with 403 without the right, 400
    /// when already a member or already invited (unless `resend`, which
    /// extends the open invitation and sends it again).
    pub async fn invite(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
        email: &str,
        roles: &[String],
        resend: bool,
    ) -> Result<InvitationRecord, AuthError> {
        let email = EmailAddress::parse(email)?;
        let roles = Roles::parse(roles)?;
        let (org, actor) = self.organizations.resolve(auth, organization_id, None).await?;
        let (actor_roles, custom) = self.organizations.roles_of(&actor).await?;
        if !actor_roles.allows(OrgAction::CreateInvitation, &custom)
            || (roles.contains(OrgRole::Owner) && !actor_roles.contains(OrgRole::Owner))
        {
            return Err(OrgAction::CreateInvitation.forbidden());
        }
        self.organizations.check_assignable(&org.id, &roles).await?;
        if self.store.find_member(&org.id, email.as_str()).await?.is_some() {
            return Err(AuthError::AlreadyMember);
        }
        let now = OffsetDateTime::now_utc();
        let invitation = match self.store.latest_invitation(&org.id, email.as_str()).await? {
            Some(open) if invitation::is_open(&open.status, open.expires_at, now) => {
                if !resend {
                    return Err(AuthError::AlreadyInvited);
                }
                let expires_at = invitation::expires_at(now);
                self.store.extend_invitation(&open.id, expires_at).await?;
                InvitationRecord { expires_at, ..open }
            }
            _ => {
                let record = InvitationRecord {
                    id: id::generate(),
                    organization_id: org.id.clone(),
                    email: email.as_str().to_owned(),
                    role: Some(roles.to_stored()),
                    status: InvitationStatus::Pending.as_str().into(),
                    expires_at: invitation::expires_at(now),
                    created_at: now,
                    inviter_id: auth.user.id.clone(),
                };
                self.store.create_invitation(&record).await?;
                record
            }
        };
        let mail = InvitationMail {
            to: invitation.email.clone(),
            inviter_email: auth.user.email.clone(),
            organization_name: org.name.clone(),
            invitation_id: invitation.id.clone(),
            role: invitation.role.clone().unwrap_or_default(),
        };
        if let Err(e) = self.mailer.send_invitation(&mail).await {
            tracing::warn!(invitation_id = %invitation.id, error = format!("{e:#}"), "invitation e-mail not sent; it can be resent");
        }
        Ok(invitation)
    }

    /// The organization's invitations (members only).
    pub async fn list(
        &self,
        auth: &Authenticated,
        organization_id: Option<&str>,
    ) -> Result<Vec<InvitationRecord>, AuthError> {
        let (org, _) = self.organizations.resolve(auth, organization_id, None).await?;
        Ok(self.store.list_invitations(&org.id).await?)
    }

    /// Pending, unexpired invitations addressed to the caller, with their
    /// organizations' names. The address must be verified first (403
    /// `EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION`): otherwise anyone who
    /// signed up with someone else's address would see their invitations.
    pub async fn to_me(&self, auth: &Authenticated) -> Result<Vec<(InvitationRecord, String)>, AuthError> {
        if !auth.user.email_verified {
            return Err(AuthError::EmailVerificationRequired);
        }
        let now = OffsetDateTime::now_utc();
        let all = self.store.invitations_to(&auth.user.email.to_lowercase()).await?;
        Ok(all.into_iter().filter(|(i, _)| i.expires_at > now).collect())
    }

    async fn answerable(&self, auth: &Authenticated, invitation_id: &str) -> Result<InvitationRecord, AuthError> {
        let found = self.store.find_invitation(invitation_id).await?.ok_or(AuthError::InvitationNotFound)?;
        invitation::check_answerable(
            &found.status,
            found.expires_at,
            &found.email,
            &auth.user.email,
            OffsetDateTime::now_utc(),
        )?;
        Ok(found)
    }

    /// A pending invitation addressed to the caller, with its organization.
    pub async fn get(&self, auth: &Authenticated, invitation_id: &str) -> Result<InvitationDetails, AuthError> {
        let invitation = self.answerable(auth, invitation_id).await?;
        let organization = self
            .store
            .find_organization(OrgRef::Id(&invitation.organization_id))
            .await?
            .ok_or(AuthError::InvitationNotFound)?;
        let inviter_email = self.store.user_email(&invitation.inviter_id).await?.unwrap_or_default();
        Ok(InvitationDetails { invitation, organization, inviter_email })
    }

    /// Joins the organization with the invited role(s); it becomes active.
    pub async fn accept(
        &self,
        auth: &Authenticated,
        invitation_id: &str,
    ) -> Result<(InvitationRecord, Member), AuthError> {
        let invitation = self.answerable(auth, invitation_id).await?;
        if self.store.membership(&invitation.organization_id, &auth.user.id).await?.is_some() {
            return Err(AuthError::AlreadyMember);
        }
        let role = Roles::from_stored(invitation.role.as_deref().unwrap_or("member")).to_stored();
        let member = Member {
            id: id::generate(),
            organization_id: invitation.organization_id.clone(),
            user_id: auth.user.id.clone(),
            role: if role.is_empty() { OrgRole::Member.as_str().into() } else { role },
            created_at: OffsetDateTime::now_utc(),
        };
        self.store.accept_invitation(&invitation.id, &member, &auth.session.id, &events::member_added(&member)).await?;
        self.access.membership_changed(Some(&member.organization_id), &member.user_id).await;
        Ok((InvitationRecord { status: InvitationStatus::Accepted.as_str().into(), ..invitation }, member))
    }

    /// Declines an invitation addressed to the caller.
    pub async fn reject(&self, auth: &Authenticated, invitation_id: &str) -> Result<InvitationRecord, AuthError> {
        let invitation = self.answerable(auth, invitation_id).await?;
        self.store.set_invitation_status(&invitation.id, InvitationStatus::Rejected.as_str()).await?;
        Ok(InvitationRecord { status: InvitationStatus::Rejected.as_str().into(), ..invitation })
    }

    /// Withdraws a pending invitation (owners and admins of its organization).
    pub async fn cancel(&self, auth: &Authenticated, invitation_id: &str) -> Result<InvitationRecord, AuthError> {
        let invitation = self.store.find_invitation(invitation_id).await?.ok_or(AuthError::InvitationNotFound)?;
        let (_, actor) = self.organizations.resolve(auth, Some(&invitation.organization_id), None).await?;
        let (actor_roles, custom) = self.organizations.roles_of(&actor).await?;
        if !actor_roles.allows(OrgAction::CancelInvitation, &custom) {
            return Err(OrgAction::CancelInvitation.forbidden());
        }
        if InvitationStatus::from_stored(&invitation.status) != Some(InvitationStatus::Pending) {
            return Err(AuthError::InvitationNotFound);
        }
        self.store.set_invitation_status(&invitation.id, InvitationStatus::Canceled.as_str()).await?;
        Ok(InvitationRecord { status: InvitationStatus::Canceled.as_str().into(), ..invitation })
    }
}
