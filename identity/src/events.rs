//! The events identity publishes (through the outbox), each declared once
//! with the type of its `data` ([`CONTRACTS`]). Consumers in other domains
//! key on `type`; `data` carries what they need without a lookup.

use gremlin_kernel::{EventContract, EventContracts, EventEnvelope, OrganizationId};
use poem_openapi::Object;

use crate::DOMAIN;
use crate::model::{Member, Organization, User};

/// `data` of `identity.user.created`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserCreated {
    /// The new user.
    pub user_id: String,
    /// E-mail (lower-case).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Platform role(s), comma-joined, when set.
    pub role: Option<String>,
}

/// `data` of `identity.organization.created`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct OrganizationCreated {
    /// The organization.
    pub organization_id: String,
    /// Its name.
    pub name: String,
    /// Its slug.
    pub slug: String,
    /// The user who created it, its first owner.
    pub owner_user_id: String,
}

/// `data` of `identity.organization.deleted`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct OrganizationDeleted {
    /// The organization.
    pub organization_id: String,
    /// Its slug.
    pub slug: String,
    /// Who deleted it.
    pub deleted_by: String,
}

/// `data` of the `identity.member.*` events.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberChanged {
    /// The membership.
    pub member_id: String,
    /// Its organization.
    pub organization_id: String,
    /// Its user.
    pub user_id: String,
    /// Its role(s) now (absent from `identity.member.removed`).
    pub role: Option<String>,
    /// The role(s) before (`identity.member.role_changed`).
    pub previous_role: Option<String>,
    /// Who removed it (`identity.member.removed`; the member when they left).
    pub removed_by: Option<String>,
}

/// `data` of `identity.user.banned`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserBanned {
    /// The user.
    pub user_id: String,
    /// Why.
    pub reason: Option<String>,
    /// When the ban ends, Unix seconds; absent: never.
    pub expires: Option<i64>,
    /// The administrator who banned them.
    pub banned_by: String,
}

/// `data` of `identity.user.unbanned`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct UserUnbanned {
    /// The user.
    pub user_id: String,
    /// The administrator who lifted the ban.
    pub unbanned_by: String,
}

/// `data` of `identity.user.role_changed`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct UserRoleChanged {
    /// The user.
    pub user_id: String,
    /// The platform role(s) now, comma-joined.
    pub role: String,
    /// The administrator who changed it.
    pub changed_by: String,
}

/// `data` of `identity.organization.role_changed`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct RoleChanged {
    /// The organization.
    pub organization_id: String,
    /// The role's id.
    pub role_id: String,
    /// Its name now (for a rename: the new name).
    pub role: String,
    /// `created`, `updated` or `deleted`.
    pub change: String,
    /// Who changed it.
    pub changed_by: String,
}

/// `data` of `identity.user.deleted`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct UserDeleted {
    /// The user, who no longer exists.
    pub user_id: String,
    /// Who deleted them: the user themself, or an administrator.
    pub deleted_by: String,
    /// The organizations they belonged to (each also gets an
    /// `identity.member.removed`).
    pub organization_ids: Vec<String>,
}

/// `data` of `identity.session.revoked`.
#[derive(Debug, Clone, PartialEq, Object)]
pub struct SessionsRevoked {
    /// Whose sessions.
    pub user_id: String,
    /// The sessions that ended (JWTs name them in `sid`).
    pub session_ids: Vec<String>,
}

/// `identity.user.created`.
pub const USER_CREATED: EventContract =
    EventContract::of::<UserCreated>("identity.user.created", "A user signed up or was created by an administrator.");
/// `identity.organization.created`.
pub const ORGANIZATION_CREATED: EventContract =
    EventContract::of::<OrganizationCreated>("identity.organization.created", "An organization was created.");
/// `identity.organization.deleted`.
pub const ORGANIZATION_DELETED: EventContract = EventContract::of::<OrganizationDeleted>(
    "identity.organization.deleted",
    "An organization was deleted: every membership in it ends.",
);
/// `identity.organization.role_changed`.
pub const ROLE_CHANGED: EventContract = EventContract::of::<RoleChanged>(
    "identity.organization.role_changed",
    "One of an organization's own roles was created, changed or deleted: permission caches must drop the organization's roles.",
);
/// `identity.member.added`.
pub const MEMBER_ADDED: EventContract =
    EventContract::of::<MemberChanged>("identity.member.added", "A user joined an organization.");
/// `identity.member.role_changed`.
pub const MEMBER_ROLE_CHANGED: EventContract = EventContract::of::<MemberChanged>(
    "identity.member.role_changed",
    "A member's role changed: permission caches must drop the member.",
);
/// `identity.member.removed`.
pub const MEMBER_REMOVED: EventContract = EventContract::of::<MemberChanged>(
    "identity.member.removed",
    "A member was removed or left: access to the organization ends at once.",
);
/// `identity.user.banned`.
pub const USER_BANNED: EventContract = EventContract::of::<UserBanned>(
    "identity.user.banned",
    "A user was banned: every session ended; services drop the user.",
);
/// `identity.user.unbanned`.
pub const USER_UNBANNED: EventContract =
    EventContract::of::<UserUnbanned>("identity.user.unbanned", "A user's ban was lifted.");
/// `identity.user.role_changed`.
pub const USER_ROLE_CHANGED: EventContract =
    EventContract::of::<UserRoleChanged>("identity.user.role_changed", "A user's platform role changed.");
/// `identity.user.deleted`.
pub const USER_DELETED: EventContract = EventContract::of::<UserDeleted>(
    "identity.user.deleted",
    "A user was deleted (by themself or an administrator), with their sessions, accounts and memberships.",
);
/// `identity.session.revoked`.
pub const SESSIONS_REVOKED: EventContract = EventContract::of::<SessionsRevoked>(
    "identity.session.revoked",
    "Sessions ended before their expiry (sign-out, revocation): JWTs minted from them stop working at once.",
);

/// Every event identity publishes. It consumes none; every process's
/// verifier reads them all to keep its access cache true.
pub const CONTRACTS: EventContracts = EventContracts {
    publishes: &[
        USER_CREATED,
        ORGANIZATION_CREATED,
        ORGANIZATION_DELETED,
        ROLE_CHANGED,
        MEMBER_ADDED,
        MEMBER_ROLE_CHANGED,
        MEMBER_REMOVED,
        USER_BANNED,
        USER_UNBANNED,
        USER_ROLE_CHANGED,
        USER_DELETED,
        SESSIONS_REVOKED,
    ],
    consumes: &[],
};

fn org(id: &str) -> Option<OrganizationId> {
    Some(OrganizationId::new(id))
}

/// `identity.user.created`: a user signed up or was created by an admin.
pub fn user_created(user: &User) -> EventEnvelope {
    let data = UserCreated {
        user_id: user.id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: user.role.clone(),
    };
    USER_CREATED.envelope(DOMAIN, None, user.id.clone(), &data)
}

/// `identity.organization.created`.
pub fn organization_created(o: &Organization, owner: &Member) -> EventEnvelope {
    let data = OrganizationCreated {
        organization_id: o.id.clone(),
        name: o.name.clone(),
        slug: o.slug.clone(),
        owner_user_id: owner.user_id.clone(),
    };
    ORGANIZATION_CREATED.envelope(DOMAIN, org(&o.id), o.id.clone(), &data)
}

/// `identity.organization.deleted`: every membership in it ends.
pub fn organization_deleted(o: &Organization, by_user_id: &str) -> EventEnvelope {
    let data =
        OrganizationDeleted { organization_id: o.id.clone(), slug: o.slug.clone(), deleted_by: by_user_id.to_owned() };
    ORGANIZATION_DELETED.envelope(DOMAIN, org(&o.id), o.id.clone(), &data)
}

/// `identity.organization.role_changed`: `change` is `created`,
/// `updated` or `deleted`.
pub fn role_changed(role: &crate::model::CustomRole, change: &str, by_user_id: &str) -> EventEnvelope {
    let data = RoleChanged {
        organization_id: role.organization_id.clone(),
        role_id: role.id.clone(),
        role: role.name.clone(),
        change: change.to_owned(),
        changed_by: by_user_id.to_owned(),
    };
    ROLE_CHANGED.envelope(DOMAIN, org(&role.organization_id), role.id.clone(), &data)
}

fn member_event(contract: &EventContract, member: &Member, data: MemberChanged) -> EventEnvelope {
    contract.envelope(DOMAIN, org(&member.organization_id), member.id.clone(), &data)
}

fn member_data(member: &Member) -> MemberChanged {
    MemberChanged {
        member_id: member.id.clone(),
        organization_id: member.organization_id.clone(),
        user_id: member.user_id.clone(),
        role: Some(member.role.clone()),
        previous_role: None,
        removed_by: None,
    }
}

/// `identity.member.added`.
pub fn member_added(member: &Member) -> EventEnvelope {
    member_event(&MEMBER_ADDED, member, member_data(member))
}

/// `identity.member.role_changed`: permission caches must drop the member.
pub fn member_role_changed(member: &Member, previous_role: &str) -> EventEnvelope {
    let data = MemberChanged { previous_role: Some(previous_role.to_owned()), ..member_data(member) };
    member_event(&MEMBER_ROLE_CHANGED, member, data)
}

/// `identity.member.removed` (removed, or left): access ends at once.
pub fn member_removed(member: &Member, by_user_id: &str) -> EventEnvelope {
    let data = MemberChanged { role: None, removed_by: Some(by_user_id.to_owned()), ..member_data(member) };
    member_event(&MEMBER_REMOVED, member, data)
}

/// `identity.user.banned`: every session ended; services drop the user.
pub fn user_banned(user: &User, by_user_id: &str) -> EventEnvelope {
    let data = UserBanned {
        user_id: user.id.clone(),
        reason: user.ban_reason.clone(),
        expires: user.ban_expires.map(|t| t.unix_timestamp()),
        banned_by: by_user_id.to_owned(),
    };
    USER_BANNED.envelope(DOMAIN, None, user.id.clone(), &data)
}

/// `identity.user.unbanned`.
pub fn user_unbanned(user_id: &str, by_user_id: &str) -> EventEnvelope {
    let data = UserUnbanned { user_id: user_id.to_owned(), unbanned_by: by_user_id.to_owned() };
    USER_UNBANNED.envelope(DOMAIN, None, user_id.to_owned(), &data)
}

/// `identity.user.role_changed`: the platform role changed.
pub fn user_role_changed(user_id: &str, role: &str, by_user_id: &str) -> EventEnvelope {
    let data =
        UserRoleChanged { user_id: user_id.to_owned(), role: role.to_owned(), changed_by: by_user_id.to_owned() };
    USER_ROLE_CHANGED.envelope(DOMAIN, None, user_id.to_owned(), &data)
}

/// `identity.user.deleted`: the account, its sessions and its memberships
/// in `organization_ids` are gone.
pub fn user_deleted(user_id: &str, by_user_id: &str, organization_ids: Vec<String>) -> EventEnvelope {
    let data = UserDeleted { user_id: user_id.to_owned(), deleted_by: by_user_id.to_owned(), organization_ids };
    USER_DELETED.envelope(DOMAIN, None, user_id.to_owned(), &data)
}

/// `identity.session.revoked`: sessions ended before their expiry (sign-out,
/// revocation by the user or an administrator). Services drop what they
/// cached about them, so a service JWT minted from one (its `sid`) stops
/// working at once instead of at its `exp`.
pub fn sessions_revoked(user_id: &str, session_ids: &[String]) -> EventEnvelope {
    let data = SessionsRevoked { user_id: user_id.to_owned(), session_ids: session_ids.to_vec() };
    SESSIONS_REVOKED.envelope(DOMAIN, None, user_id.to_owned(), &data)
}
