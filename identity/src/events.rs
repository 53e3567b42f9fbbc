//! The events identity publishes (through the outbox). Consumers in other
//! domains key on `type`; `data` carries what they need without a lookup.

use gremlin_kernel::EventEnvelope;

use crate::DOMAIN;
use crate::model::User;

/// `identity.user.created`: a user signed up or was created by an admin.
pub fn user_created(user: &User) -> EventEnvelope {
    EventEnvelope::new(
        "identity.user.created",
        DOMAIN,
        None,
        user.id.clone(),
        serde_json::json!({ "user_id": user.id, "email": user.email, "name": user.name, "role": user.role }),
    )
}

use crate::model::{Member, Organization};
use gremlin_kernel::OrganizationId;

fn org_event(event_type: &str, organization_id: &str, subject: &str, data: serde_json::Value) -> EventEnvelope {
    EventEnvelope::new(event_type, DOMAIN, Some(OrganizationId::new(organization_id)), subject.to_owned(), data)
}

/// `identity.organization.created`.
pub fn organization_created(org: &Organization, owner: &Member) -> EventEnvelope {
    org_event(
        "identity.organization.created",
        &org.id,
        &org.id,
        serde_json::json!({ "organization_id": org.id, "name": org.name, "slug": org.slug, "owner_user_id": owner.user_id }),
    )
}

/// `identity.organization.deleted`: every membership in it ends.
pub fn organization_deleted(org: &Organization, by_user_id: &str) -> EventEnvelope {
    org_event(
        "identity.organization.deleted",
        &org.id,
        &org.id,
        serde_json::json!({ "organization_id": org.id, "slug": org.slug, "deleted_by": by_user_id }),
    )
}

/// `identity.member.added`.
pub fn member_added(member: &Member) -> EventEnvelope {
    org_event(
        "identity.member.added",
        &member.organization_id,
        &member.id,
        serde_json::json!({ "member_id": member.id, "organization_id": member.organization_id, "user_id": member.user_id, "role": member.role }),
    )
}

/// `identity.member.role_changed`: permission caches must drop the member.
pub fn member_role_changed(member: &Member, previous_role: &str) -> EventEnvelope {
    org_event(
        "identity.member.role_changed",
        &member.organization_id,
        &member.id,
        serde_json::json!({ "member_id": member.id, "organization_id": member.organization_id, "user_id": member.user_id, "role": member.role, "previous_role": previous_role }),
    )
}

/// `identity.member.removed` (removed, or left): access ends at once.
pub fn member_removed(member: &Member, by_user_id: &str) -> EventEnvelope {
    org_event(
        "identity.member.removed",
        &member.organization_id,
        &member.id,
        serde_json::json!({ "member_id": member.id, "organization_id": member.organization_id, "user_id": member.user_id, "removed_by": by_user_id }),
    )
}

/// `identity.user.banned`: every session ended; services drop the user.
pub fn user_banned(user: &User, by_user_id: &str) -> EventEnvelope {
    EventEnvelope::new(
        "identity.user.banned",
        DOMAIN,
        None,
        user.id.clone(),
        serde_json::json!({ "user_id": user.id, "reason": user.ban_reason, "expires": user.ban_expires.map(|t| t.unix_timestamp()), "banned_by": by_user_id }),
    )
}

/// `identity.user.unbanned`.
pub fn user_unbanned(user_id: &str, by_user_id: &str) -> EventEnvelope {
    EventEnvelope::new(
        "identity.user.unbanned",
        DOMAIN,
        None,
        user_id.to_owned(),
        serde_json::json!({ "user_id": user_id, "unbanned_by": by_user_id }),
    )
}

/// `identity.user.role_changed`: the platform role changed.
pub fn user_role_changed(user_id: &str, role: &str, by_user_id: &str) -> EventEnvelope {
    EventEnvelope::new(
        "identity.user.role_changed",
        DOMAIN,
        None,
        user_id.to_owned(),
        serde_json::json!({ "user_id": user_id, "role": role, "changed_by": by_user_id }),
    )
}

/// `identity.user.removed`: the account and its memberships are gone.
pub fn user_removed(user_id: &str, by_user_id: &str) -> EventEnvelope {
    EventEnvelope::new(
        "identity.user.removed",
        DOMAIN,
        None,
        user_id.to_owned(),
        serde_json::json!({ "user_id": user_id, "removed_by": by_user_id }),
    )
}

/// `identity.session.revoked`: sessions ended before their expiry (sign-out,
/// revocation by the user or an administrator). Services drop what they
/// cached about them, so a service JWT minted from one (its `sid`) stops
/// working at once instead of at its `exp`.
pub fn sessions_revoked(user_id: &str, session_ids: &[String]) -> EventEnvelope {
    EventEnvelope::new(
        "identity.session.revoked",
        DOMAIN,
        None,
        user_id.to_owned(),
        serde_json::json!({ "user_id": user_id, "session_ids": session_ids }),
    )
}
