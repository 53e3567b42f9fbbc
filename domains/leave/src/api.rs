//! The leave HTTP API under `/api/leave` (DESIGN.md §6): problem+json
//! errors (a broken rule is a 422 of type `urn:gremlin:problem:rule`
//! naming it), `Idempotency-Key` on every POST, `ETag` on reads and
//! `If-Match` on every change. `me` stands for the caller wherever a
//! member's id goes in a path.

mod calendars;
mod dto;
mod feeds;
mod jobs;
mod members;
mod requests;
mod types;

pub use calendars::CalendarsApi;
pub use feeds::FeedsApi;
pub use jobs::JobsApi;
pub use members::MembersApi;
pub use requests::RequestsApi;
pub use types::TypesApi;

use gremlin_kernel::http::{Caller, Idempotency, Resource};
use gremlin_kernel::{DomainError, UserId};
use uuid::Uuid;

use crate::ports::{Allocation, Calendar, LeaveType, Request};
use crate::service::LeaveService;

/// Every leave API, as one: what the domain registers and routes.
pub type Apis = (TypesApi, MembersApi, RequestsApi, CalendarsApi, JobsApi, FeedsApi);

/// The leave APIs over `service`, keeping `Idempotency-Key` records in
/// `idempotency`.
pub fn apis(service: LeaveService, idempotency: Idempotency) -> Apis {
    (
        TypesApi { service: service.clone(), idempotency: idempotency.clone() },
        MembersApi { service: service.clone(), idempotency: idempotency.clone() },
        RequestsApi { service: service.clone(), idempotency: idempotency.clone() },
        CalendarsApi { service: service.clone(), idempotency: idempotency.clone() },
        JobsApi { service: service.clone(), idempotency: idempotency.clone() },
        FeedsApi { service, idempotency },
    )
}

/// The member a path names: `me` is the caller.
pub(crate) fn member(caller: &Caller, id: &str) -> UserId {
    if id == "me" { caller.user_id.clone() } else { UserId::new(id) }
}

/// The id a path names; a malformed one is simply not found.
pub(crate) fn parse_id(id: &str, kind: &str) -> Result<Uuid, DomainError> {
    Uuid::parse_str(id).map_err(|_| DomainError::not_found(kind))
}

impl Resource for LeaveType {
    const KIND: &'static str = "leave type";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}

impl Resource for Allocation {
    const KIND: &'static str = "leave allocation";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}

impl Resource for Request {
    const KIND: &'static str = "leave request";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}

impl Resource for Calendar {
    const KIND: &'static str = "holiday calendar";

    fn resource_id(&self) -> String {
        self.id.to_string()
    }
}

impl Resource for crate::ports::LedgerLine {
    const KIND: &'static str = "ledger entry";

    fn resource_id(&self) -> String {
        self.entry.id.to_string()
    }
}
