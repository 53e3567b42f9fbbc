//! `MemberDirectory`: whether a user belongs to an organization. A domain
//! asks it before storing a member's id as more than the caller — a CRM
//! record's owner, a leave approver — so the id names someone who can act
//! in the organization. The caller verifier answers from its membership
//! cache (kept current by identity's events); a domain never reads
//! identity's tables.

use async_trait::async_trait;

use crate::error::DomainError;
use crate::ids::{OrganizationId, UserId};

/// Organization membership, as a domain may ask about it.
#[async_trait]
pub trait MemberDirectory: Send + Sync {
    /// Whether `user` is a member of `organization` and may act in it now
    /// (a banned user may not).
    async fn is_member(&self, organization: &OrganizationId, user: &UserId) -> Result<bool, DomainError>;
}
