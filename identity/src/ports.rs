//! What identity's use cases need from storage. The SQL adapter in `store`
//! implements it; tests run the service against real databases through it.

use std::collections::BTreeMap;

use async_trait::async_trait;
use gremlin_kernel::EventEnvelope;
use time::OffsetDateTime;

use crate::model::admin::UserQuery;
use crate::model::{ApiKey, CustomRole, Member, Organization, Session, User};

/// Why storage refused an operation.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The e-mail belongs to another user.
    #[error("e-mail already registered")]
    EmailTaken,
    /// The slug belongs to another organization.
    #[error("slug already taken")]
    SlugTaken,
    /// The row changed under us (for example an invitation answered twice).
    #[error("concurrent change")]
    Conflict,
    /// The change would leave the organization without an owner (checked in
    /// the writing transaction, so two concurrent demotions cannot both pass).
    #[error("the organization would have no owner left")]
    LastOwner,
    /// The organization already has a role with this name.
    #[error("role name already taken")]
    RoleTaken,
    /// Members still hold the role.
    #[error("the role is assigned to members")]
    RoleInUse,
    /// The organization has as many roles as it may.
    #[error("too many roles")]
    TooManyRoles,
    /// Anything else, with its cause.
    #[error(transparent)]
    Backend(#[from] anyhow::Error),
}

/// A `jwks` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningKeyRecord {
    /// The key id (`kid`).
    pub id: String,
    /// Public JWK JSON.
    pub public_key: String,
    /// Encrypted private JWK (JSON-quoted hex).
    pub private_key: String,
    /// When created.
    pub created_at: OffsetDateTime,
}

/// A session found by its token, with what a request needs beside it.
#[derive(Debug, Clone)]
pub struct FoundSession {
    /// The session.
    pub session: Session,
    /// Its user.
    pub user: User,
    /// The user's role(s) in the session's active organization.
    pub active_role: Option<String>,
}

/// A user's two-factor secrets as stored: both [`crate::crypto::keys::seal`]ed
/// under the auth secret, as Better Auth stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactorRecord {
    /// The TOTP secret.
    pub secret: String,
    /// The unused backup codes, a JSON array.
    pub backup_codes: String,
}

/// Two-factor secrets, and the `verification` rows of sign-ins waiting for
/// a second factor and of trusted devices.
#[async_trait]
pub trait TwoFactorStore: Send + Sync {
    /// The user, `None` when gone.
    async fn user(&self, user_id: &str) -> Result<Option<User>, StoreError>;

    /// The user's secrets, `None` before `save_two_factor`.
    async fn two_factor(&self, user_id: &str) -> Result<Option<TwoFactorRecord>, StoreError>;

    /// Replaces the user's secrets (one row per user).
    async fn save_two_factor(&self, user_id: &str, record: &TwoFactorRecord) -> Result<(), StoreError>;

    /// Replaces the backup codes if they are still `old`; `false` when
    /// they changed meanwhile (a code spent twice at once is spent once).
    async fn replace_backup_codes(&self, user_id: &str, old: &str, new: &str) -> Result<bool, StoreError>;

    /// Turns the second factor on; or off, deleting the secrets and the
    /// user's trusted devices in one transaction.
    async fn set_two_factor_enabled(&self, user_id: &str, enabled: bool, now: OffsetDateTime)
    -> Result<(), StoreError>;

    /// Sets the `verification` row under `identifier` to `new` if its value
    /// is still `old`; `false` when it changed or is gone, so two requests
    /// cannot both spend the same attempt.
    async fn replace_verification(&self, identifier: &str, old: &str, new: &str) -> Result<bool, StoreError>;

    /// Deletes the `verification` row under `identifier`; `false` when it
    /// was already gone, so only one request can spend it.
    async fn delete_verification(&self, identifier: &str) -> Result<bool, StoreError>;
}

/// Users, credentials and sessions.
#[async_trait]
pub trait IdentityStore: TwoFactorStore + Send + Sync {
    /// Creates the user, its credential account (with `password_hash`), its
    /// first session when given, and records `event`, all in one
    /// transaction. Fails with `EmailTaken` when the e-mail exists.
    async fn create_user(
        &self,
        user: &User,
        password_hash: &str,
        session: Option<&Session>,
        event: &EventEnvelope,
    ) -> Result<(), StoreError>;

    /// The user with this (lower-cased) e-mail and its credential hash.
    async fn find_user_by_email(&self, email: &str) -> Result<Option<(User, Option<String>)>, StoreError>;

    /// The user's credential hash.
    async fn password_hash(&self, user_id: &str) -> Result<Option<String>, StoreError>;

    /// Replaces the user's credential hash.
    async fn set_password_hash(&self, user_id: &str, hash: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Lifts an expired ban.
    async fn clear_ban(&self, user_id: &str, now: OffsetDateTime) -> Result<(), StoreError>;

    /// Stores a new session.
    async fn create_session(&self, session: &Session) -> Result<(), StoreError>;

    /// The session with this raw token, its user, and the user's role in
    /// the session's active organization (`None` without one, or when no
    /// longer a member), in one query.
    async fn find_session(&self, token: &str) -> Result<Option<FoundSession>, StoreError>;

    /// Slides a session's expiry.
    async fn refresh_session(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// Deletes the session with this token, if it belongs to `user_id`
    /// (any user when `None`), and records `identity.session.revoked` in the
    /// same transaction; the ids deleted (none or one).
    async fn delete_session(&self, token: &str, user_id: Option<&str>) -> Result<Vec<String>, StoreError>;

    /// Deletes all of a user's sessions except the one with `keep_token`,
    /// recording `identity.session.revoked` in the same transaction; the ids
    /// deleted.
    async fn delete_user_sessions(&self, user_id: &str, keep_token: Option<&str>) -> Result<Vec<String>, StoreError>;

    /// The user's unexpired sessions, newest first.
    async fn list_sessions(&self, user_id: &str, now: OffsetDateTime) -> Result<Vec<Session>, StoreError>;

    /// Stores `value` under `identifier` (Better Auth's `verification`
    /// row) until `expires_at`, deleting rows expired by `now`.
    async fn insert_verification(
        &self,
        identifier: &str,
        value: &str,
        expires_at: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;

    /// The value stored under `identifier`, unless it expired by `now`.
    async fn verification(&self, identifier: &str, now: OffsetDateTime) -> Result<Option<String>, StoreError>;

    /// Resets a password with the row under `identifier` (its value is the
    /// user id), in one transaction: the row is deleted, so the token works
    /// once; the user's credential hash becomes `hash` (a credential
    /// account is created if they had none); with `revoke_sessions` every
    /// session of theirs is deleted and `identity.session.revoked`
    /// recorded. `None` when no row is there unexpired at `now`; otherwise
    /// the user id and the sessions ended.
    async fn reset_password(
        &self,
        identifier: &str,
        hash: &str,
        now: OffsetDateTime,
        revoke_sessions: bool,
    ) -> Result<Option<(String, Vec<String>)>, StoreError>;

    /// Sets the user's (lower-cased) e-mail and whether it is verified;
    /// fails with `EmailTaken`. The user as stored after, `None` when gone.
    async fn set_email(
        &self,
        user_id: &str,
        email: &str,
        verified: bool,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError>;

    /// Marks the user with this (lower-cased) e-mail verified; the user as
    /// stored after, `None` when there is no such user.
    async fn mark_email_verified(&self, email: &str, now: OffsetDateTime) -> Result<Option<User>, StoreError>;

    /// Deletes a user with their sessions, accounts, memberships and
    /// tokens in one transaction, recording `identity.session.revoked`, one
    /// `identity.member.removed` per organization and
    /// `identity.user.deleted`. `None` when there is no such user, or the
    /// deletion's token is spent or not theirs; `LastOwner` when
    /// `keep_owners` and an organization would be left without an owner.
    async fn delete_user(&self, deletion: &UserDeletion<'_>) -> Result<Option<DeletedUser>, StoreError>;

    /// The newest JWT signing key.
    async fn latest_signing_key(&self) -> Result<Option<SigningKeyRecord>, StoreError>;

    /// Stores a new signing key.
    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> Result<(), StoreError>;

    /// Every signing key, newest first (their public halves are published).
    async fn signing_keys(&self) -> Result<Vec<SigningKeyRecord>, StoreError>;

    /// The user's role(s) in the organization, if a member.
    async fn member_role(&self, organization_id: &str, user_id: &str) -> Result<Option<String>, StoreError>;

    /// Changes name and/or image (`Some(None)` clears the image); returns the
    /// updated user.
    async fn update_profile(
        &self,
        user_id: &str,
        name: Option<&str>,
        image: Option<Option<&str>>,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError>;
}

/// A user deletion to carry out.
#[derive(Debug, Clone, Copy)]
pub struct UserDeletion<'a> {
    /// Who goes.
    pub user_id: &'a str,
    /// Who deletes them: themself, or an administrator.
    pub deleted_by: &'a str,
    /// Refuse to leave any organization without an owner (a user deleting
    /// themself; an administrator may).
    pub keep_owners: bool,
    /// A mailed confirmation (`verification` identifier whose value is the
    /// user id) spent in the same transaction, so the link works once.
    pub token: Option<&'a str>,
}

/// What a user deletion ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeletedUser {
    /// Their sessions (JWTs name them in `sid`).
    pub sessions: Vec<String>,
    /// The organizations they belonged to.
    pub organizations: Vec<String>,
}

/// An organization named by id or by slug.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgRef<'a> {
    /// By id.
    Id(&'a str),
    /// By slug.
    Slug(&'a str),
}

/// A pending or answered invitation, as listed with an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRecord {
    /// Id.
    pub id: String,
    /// Organization.
    pub organization_id: String,
    /// Invitee e-mail.
    pub email: String,
    /// Role(s) offered.
    pub role: Option<String>,
    /// Status.
    pub status: String,
    /// Expiry.
    pub expires_at: OffsetDateTime,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Who invited.
    pub inviter_id: String,
}

/// Organizations and memberships.
#[async_trait]
pub trait OrganizationStore: Send + Sync {
    /// Creates the organization with its owner, optionally makes it the
    /// session's active organization, and records `events` — one
    /// transaction. Fails with `SlugTaken`.
    async fn create_organization(
        &self,
        org: &Organization,
        owner: &Member,
        activate_on_session: Option<&str>,
        events: &[EventEnvelope],
    ) -> Result<(), StoreError>;

    /// Whether an organization has this slug.
    async fn slug_taken(&self, slug: &str) -> Result<bool, StoreError>;

    /// The organization, by id or slug.
    async fn find_organization(&self, org: OrgRef<'_>) -> Result<Option<Organization>, StoreError>;

    /// Organizations the user belongs to, oldest first (one query).
    async fn organizations_of(&self, user_id: &str) -> Result<Vec<Organization>, StoreError>;

    /// The user's membership in the organization.
    async fn membership(&self, organization_id: &str, user_id: &str) -> Result<Option<Member>, StoreError>;

    /// Sets (or clears) the session's active organization.
    async fn set_active_organization(&self, session_id: &str, organization_id: Option<&str>) -> Result<(), StoreError>;

    /// Saves name, slug, logo and metadata. Fails with `SlugTaken`.
    async fn update_organization(&self, org: &Organization) -> Result<(), StoreError>;

    /// Deletes the organization (members and invitations cascade), clears
    /// it from sessions, records `event` — one transaction.
    async fn delete_organization(&self, organization_id: &str, event: &EventEnvelope) -> Result<(), StoreError>;

    /// A page of members with their users, oldest first, and the total.
    async fn list_members(
        &self,
        organization_id: &str,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<(Member, User)>, u64), StoreError>;

    /// A member of the organization by member id or by the user's e-mail.
    async fn find_member(&self, organization_id: &str, member_id_or_email: &str) -> Result<Option<Member>, StoreError>;

    /// How many members hold the owner role.
    async fn count_owners(&self, organization_id: &str) -> Result<u64, StoreError>;

    /// Stores `member`'s new role(s) and records `event` — one transaction,
    /// refused with `LastOwner` if it would leave the organization with no
    /// owner.
    async fn update_member_role(&self, member: &Member, event: &EventEnvelope) -> Result<(), StoreError>;

    /// Removes the member, clears the organization from that user's
    /// sessions, records `event` — one transaction, refused with
    /// `LastOwner` if it would leave the organization with no owner.
    async fn remove_member(&self, member: &Member, event: &EventEnvelope) -> Result<(), StoreError>;

    /// The organization's own roles, by name.
    async fn custom_roles(&self, organization_id: &str) -> Result<Vec<CustomRole>, StoreError>;

    /// Stores a new role and records `event` — one transaction, refused
    /// with `RoleTaken` or `TooManyRoles`.
    async fn create_custom_role(&self, role: &CustomRole, event: &EventEnvelope) -> Result<(), StoreError>;

    /// Saves `role` (found as `previous_name`) and records `event` — one
    /// transaction. A new name is given to every member (recording
    /// `identity.member.role_changed`) and pending invitation holding the
    /// old one; refused with `RoleTaken`. The members renamed.
    async fn update_custom_role(
        &self,
        previous_name: &str,
        role: &CustomRole,
        event: &EventEnvelope,
    ) -> Result<Vec<Member>, StoreError>;

    /// Deletes the role and records `event` — one transaction, refused with
    /// `RoleInUse` while a member holds it, `Conflict` when already gone.
    async fn delete_custom_role(&self, role: &CustomRole, event: &EventEnvelope) -> Result<(), StoreError>;

    /// Stores a new API key whose secret hashes to `hash`.
    async fn insert_api_key(&self, key: &ApiKey, hash: &str) -> Result<(), StoreError>;

    /// The organization's API keys, newest first.
    async fn api_keys(&self, organization_id: &str) -> Result<Vec<ApiKey>, StoreError>;

    /// One API key of the organization.
    async fn find_api_key(&self, organization_id: &str, id: &str) -> Result<Option<ApiKey>, StoreError>;

    /// Saves an API key's name, state, expiry, permissions and rate limit.
    async fn update_api_key(&self, key: &ApiKey) -> Result<(), StoreError>;

    /// Deletes an API key of the organization; whether it was there.
    async fn delete_api_key(&self, organization_id: &str, id: &str) -> Result<bool, StoreError>;

    /// The organization's invitations, newest first.
    async fn list_invitations(&self, organization_id: &str) -> Result<Vec<InvitationRecord>, StoreError>;

    /// A user's e-mail, by id.
    async fn user_email(&self, user_id: &str) -> Result<Option<String>, StoreError>;

    /// Pending invitations addressed to `email` (lower-cased), newest
    /// first, each with its organization's name.
    async fn invitations_to(&self, email: &str) -> Result<Vec<(InvitationRecord, String)>, StoreError>;

    /// Stores a new invitation.
    async fn create_invitation(&self, invitation: &InvitationRecord) -> Result<(), StoreError>;

    /// The invitation with this id.
    async fn find_invitation(&self, id: &str) -> Result<Option<InvitationRecord>, StoreError>;

    /// The newest invitation of `email` to the organization.
    async fn latest_invitation(
        &self,
        organization_id: &str,
        email: &str,
    ) -> Result<Option<InvitationRecord>, StoreError>;

    /// Extends an invitation's expiry (resend).
    async fn extend_invitation(&self, id: &str, expires_at: OffsetDateTime) -> Result<(), StoreError>;

    /// Sets an invitation's status.
    async fn set_invitation_status(&self, id: &str, status: &str) -> Result<(), StoreError>;

    /// Accepts: marks the invitation accepted, adds `member`, makes the
    /// organization the session's active one, records `event` — one
    /// transaction. Fails with `Conflict` when the invitation was answered
    /// meanwhile.
    async fn accept_invitation(
        &self,
        invitation_id: &str,
        member: &Member,
        session_id: &str,
        event: &EventEnvelope,
    ) -> Result<(), StoreError>;
}

/// Sends identity's e-mails. The log adapter (default) writes them to the
/// log; an SMTP adapter is chosen by setting.
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one invitation; failures are logged by the caller, never fatal.
    async fn send_invitation(&self, mail: &InvitationMail) -> anyhow::Result<()>;

    /// Sends one mail about an account (a link to verify an address or to
    /// reset a password); failures are logged by the caller.
    async fn send_account_mail(&self, mail: &AccountMail) -> anyhow::Result<()>;
}

/// Which account mail, each with its template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountMailKind {
    /// "Verify your e-mail address": template `verify_email`.
    VerifyEmail,
    /// "Reset your password": template `reset_password`.
    ResetPassword,
    /// "Confirm your new address", sent to the new one: template `change_email`.
    ChangeEmail,
    /// "Your address is being changed", sent to the old one: template
    /// `change_email_notice`.
    ChangeEmailNotice,
    /// "Confirm deleting your account": template `delete_account`.
    DeleteAccount,
}

impl AccountMailKind {
    /// The template's name.
    pub fn template(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::ResetPassword => "reset_password",
            Self::ChangeEmail => "change_email",
            Self::ChangeEmailNotice => "change_email_notice",
            Self::DeleteAccount => "delete_account",
        }
    }
}

/// What an account mail says: a greeting and one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountMail {
    /// Which mail.
    pub kind: AccountMailKind,
    /// The recipient's address.
    pub to: String,
    /// Their name, for the greeting.
    pub name: String,
    /// The link (absolute URL) the mail carries; it holds a secret token.
    /// Empty for the change notice, which carries none.
    pub url: String,
    /// Minutes until the link stops working.
    pub expires_minutes: u64,
    /// For an address change: the new address.
    pub new_email: Option<String>,
}

/// What an invitation e-mail says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationMail {
    /// Invitee.
    pub to: String,
    /// Who invited.
    pub inviter_email: String,
    /// The organization's name.
    pub organization_name: String,
    /// The invitation id, for accept-invitation.
    pub invitation_id: String,
    /// Role(s) offered.
    pub role: String,
}

/// What the verifier reads about a session token (read-only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionIdentity {
    /// The user.
    pub user_id: String,
    /// The session id.
    pub session_id: String,
    /// The session's active organization.
    pub active_organization_id: Option<String>,
    /// When the session ends.
    pub expires_at: OffsetDateTime,
}

/// A user's standing in an organization, as the verifier caches it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Membership {
    /// Role(s), comma-joined.
    pub role: String,
    /// Whether the user is banned.
    pub banned: bool,
    /// When the ban ends (unix seconds); none means forever.
    pub ban_expires: Option<i64>,
}

/// Read-only access to identity's tables for services that verify callers
/// (a split business service holds no write access to them).
#[async_trait]
pub trait MembershipReader: Send + Sync {
    /// The session with this raw token, if it exists.
    async fn session_identity(&self, token: &str) -> Result<Option<SessionIdentity>, StoreError>;

    /// The session with this id (a JWT's `sid`), if it still exists.
    async fn session_by_id(&self, session_id: &str) -> Result<Option<SessionIdentity>, StoreError>;

    /// The public JWK JSON of the signing key `kid`.
    async fn signing_key(&self, kid: &str) -> Result<Option<String>, StoreError>;

    /// The user's membership in the organization with the user's ban state
    /// (one query).
    async fn membership_of(&self, organization_id: &str, user_id: &str) -> Result<Option<Membership>, StoreError>;

    /// The domain permissions (`orders:read`) each of the organization's
    /// own roles grants, by role name.
    async fn custom_role_grants(&self, organization_id: &str) -> Result<BTreeMap<String, Vec<String>>, StoreError>;

    /// The API key whose secret hashes to `hash`.
    async fn api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError>;

    /// Records an API key's use at `now` (the one write the verifier makes,
    /// at most once a minute per key).
    async fn record_api_key_use(&self, id: &str, now: OffsetDateTime) -> Result<(), StoreError>;
}

/// Tells the verifier's cache that a membership changed, so the change
/// takes effect at once in this process (other processes learn it from
/// identity events).
#[async_trait]
pub trait AccessInvalidation: Send + Sync {
    /// The user's standing in the organization changed (`None`: in every
    /// organization, as after a ban).
    async fn membership_changed(&self, organization_id: Option<&str>, user_id: &str);

    /// The organization is gone: every cached membership in it is stale.
    async fn organization_deleted(&self, organization_id: &str);

    /// These sessions ended early (sign-out, revocation): JWTs minted from
    /// them must stop working now.
    async fn sessions_revoked(&self, session_ids: &[String]);

    /// The organization's role overrides (`role_permissions` document)
    /// changed: permissions must be granted from the new ones now.
    async fn roles_changed(&self, organization_id: &str);
}

/// The domain permissions (`orders:read`, …) roles hold in an
/// organization: the registered defaults, replaced by the organization's
/// overrides. The verifier answers it; `has-permission` asks.
#[async_trait]
pub trait DomainGrants: Send + Sync {
    /// What `roles` (comma-joined) hold in `organization_id`.
    async fn granted(
        &self,
        organization_id: &str,
        roles: &str,
    ) -> Result<std::collections::BTreeSet<String>, StoreError>;

    /// Every domain permission a role can hold (`orders:read`): what an
    /// organization's own roles may name.
    fn registered(&self) -> std::collections::BTreeSet<String>;
}

/// Grants nothing: for processes without a verifier.
pub struct NoGrants;

#[async_trait]
impl DomainGrants for NoGrants {
    async fn granted(&self, _: &str, _: &str) -> Result<std::collections::BTreeSet<String>, StoreError> {
        Ok(std::collections::BTreeSet::new())
    }

    fn registered(&self) -> std::collections::BTreeSet<String> {
        std::collections::BTreeSet::new()
    }
}

/// Invalidation that does nothing: for processes without a verifier.
pub struct NoInvalidation;

#[async_trait]
impl AccessInvalidation for NoInvalidation {
    async fn membership_changed(&self, _: Option<&str>, _: &str) {}
    async fn organization_deleted(&self, _: &str) {}
    async fn sessions_revoked(&self, _: &[String]) {}
    async fn roles_changed(&self, _: &str) {}
}

/// Changes an administrator may make to a user; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    /// New name.
    pub name: Option<String>,
    /// New (lower-cased, validated) e-mail.
    pub email: Option<String>,
    /// New image; `Some(None)` clears it.
    pub image: Option<Option<String>>,
    /// Mark the e-mail verified or not.
    pub email_verified: Option<bool>,
}

/// Platform administration over users.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// A page of users matching the query, and the total matching.
    async fn list_users(&self, query: &UserQuery) -> Result<(Vec<User>, u64), StoreError>;

    /// The user, by id.
    async fn find_user(&self, user_id: &str) -> Result<Option<User>, StoreError>;

    /// Applies profile changes; fails with `EmailTaken`.
    async fn update_user(
        &self,
        user_id: &str,
        changes: &UserChanges,
        now: OffsetDateTime,
    ) -> Result<Option<User>, StoreError>;

    /// Stores the platform role(s) and records `event` — one transaction.
    async fn set_role(
        &self,
        user_id: &str,
        role: &str,
        now: OffsetDateTime,
        event: &EventEnvelope,
    ) -> Result<Option<User>, StoreError>;

    /// Bans (or, with `banned = false`, unbans) the user; a ban deletes all
    /// the user's sessions. Records `event` — one transaction.
    async fn set_ban(
        &self,
        user_id: &str,
        banned: bool,
        reason: Option<&str>,
        expires: Option<OffsetDateTime>,
        now: OffsetDateTime,
        event: &EventEnvelope,
    ) -> Result<Option<User>, StoreError>;
}
