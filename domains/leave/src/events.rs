//! The events leave management publishes, recorded through the outbox with
//! the change, and the one it consumes: a member leaving the organization.

use gremlin_kernel::{EventContract, EventContracts, EventEnvelope, OrganizationId};
use poem_openapi::Object;
use rust_decimal::Decimal;
use time::Date;

use crate::NAME;
use crate::model::{DayPart, Status};
use crate::ports::{Allocation, LedgerLine, Request};

/// `data` of `leave.requested`, `leave.approved`, `leave.rejected` and `leave.cancelled`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "LeaveRequestEventData", skip_serializing_if_is_none)]
pub struct RequestEventData {
    /// The request.
    pub request_id: uuid::Uuid,
    /// The member on leave.
    pub user_id: String,
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The half of `from` it starts in.
    pub starts: DayPart,
    /// The half of `to` it ends in.
    pub ends: DayPart,
    /// Days it takes.
    pub days: Decimal,
    /// Its status after the change.
    pub status: Status,
    /// Who decided or cancelled it.
    pub decided_by: Option<String>,
    /// Its version after the change.
    pub version: i64,
}

/// `data` of `leave.allocated` and `leave.allocation_withdrawn`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "LeaveAllocationEventData")]
pub struct AllocationEventData {
    /// The allocation.
    pub allocation_id: uuid::Uuid,
    /// The member.
    pub user_id: String,
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// First day of the period.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Days granted (withdrawn: what it had granted, accruals included).
    pub days: Decimal,
}

/// `data` of `leave.balance_expired`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "LeaveExpiryEventData")]
pub struct ExpiryEventData {
    /// The ledger entry recording it.
    pub entry_id: uuid::Uuid,
    /// The member.
    pub user_id: String,
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// Days that lapsed (positive).
    pub days: Decimal,
    /// The day they lapsed.
    pub on: Date,
}

/// `data` of `leave.type.created`, `leave.type.updated` and `leave.type.deleted`.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(rename = "LeaveTypeEventData")]
pub struct TypeEventData {
    /// The type.
    pub leave_type_id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Its version after the change.
    pub version: i64,
}

/// `leave.requested`: waiting for a decision.
pub const SUBMITTED: EventContract =
    EventContract::of::<RequestEventData>("leave.requested", "A member asked for leave; it awaits a decision.");
/// `leave.approved`: its days are taken.
pub const APPROVED: EventContract = EventContract::of::<RequestEventData>(
    "leave.approved",
    "A leave request was approved (or needed no approval); its days are taken in the ledger.",
);
/// `leave.rejected`.
pub const REJECTED: EventContract =
    EventContract::of::<RequestEventData>("leave.rejected", "A leave request was rejected.");
/// `leave.cancelled`: withdrawn; approved days came back.
pub const CANCELLED: EventContract = EventContract::of::<RequestEventData>(
    "leave.cancelled",
    "A pending or approved leave request was cancelled; approved days went back to the balance.",
);
/// `leave.allocated`.
pub const GRANTED: EventContract =
    EventContract::of::<AllocationEventData>("leave.allocated", "Days of a leave type were granted for a period.");
/// `leave.allocation_withdrawn`: an allocation was taken back.
pub const WITHDRAWN: EventContract = EventContract::of::<AllocationEventData>(
    "leave.allocation_withdrawn",
    "An allocation was withdrawn; `days` is what it had granted (with its accruals), taken back in the ledger.",
);
/// `leave.balance_expired`: days lapsed (a period's unused rest, or
/// carried days past their date).
pub const BALANCE_EXPIRED: EventContract = EventContract::of::<ExpiryEventData>(
    "leave.balance_expired",
    "Unused days of a member's leave type lapsed: a closed period's rest, or carried days past their date.",
);
/// `leave.type.created`.
pub const TYPE_CREATED: EventContract =
    EventContract::of::<TypeEventData>("leave.type.created", "A leave type was created.");
/// `leave.type.updated`.
pub const TYPE_UPDATED: EventContract =
    EventContract::of::<TypeEventData>("leave.type.updated", "A leave type's policy was changed.");
/// `leave.type.deleted`: nothing named it.
pub const TYPE_DELETED: EventContract =
    EventContract::of::<TypeEventData>("leave.type.deleted", "An unused leave type was deleted.");

/// The durable subscription closing the profiles of members who left.
pub const MEMBERS_CONSUMER: &str = "leave-members-leaving";

/// `identity.member.*` data, as leave reads it.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveMemberRemovedData")]
pub struct MemberRemovedData {
    /// The organization.
    pub organization_id: String,
    /// The member's user.
    pub user_id: String,
}

/// `identity.member.removed` (producer: identity): the member's profile
/// closes and their future open requests are cancelled.
pub const MEMBER_REMOVED: EventContract = EventContract::of::<MemberRemovedData>(
    "identity.member.removed",
    "A member left or was removed from an organization.",
);

/// Every event leave publishes and consumes.
pub const CONTRACTS: EventContracts = EventContracts {
    publishes: &[
        SUBMITTED,
        APPROVED,
        REJECTED,
        CANCELLED,
        GRANTED,
        WITHDRAWN,
        BALANCE_EXPIRED,
        TYPE_CREATED,
        TYPE_UPDATED,
        TYPE_DELETED,
    ],
    consumes: &[(MEMBERS_CONSUMER, &[MEMBER_REMOVED])],
};

/// The request event `contract` for `request` in `organization`.
pub fn request_event(contract: &EventContract, organization: &OrganizationId, request: &Request) -> EventEnvelope {
    let data = RequestEventData {
        request_id: request.id,
        user_id: request.user_id.to_string(),
        leave_type_id: request.leave_type_id,
        from: request.span.from,
        to: request.span.to,
        starts: request.span.starts,
        ends: request.span.ends,
        days: request.days,
        status: request.status,
        decided_by: request.decided_by.as_ref().map(ToString::to_string),
        version: request.version,
    };
    contract.envelope(NAME, Some(organization.clone()), format!("leave_request/{}", request.id), &data)
}

/// The event of `status`, the one a request reaching it publishes.
pub fn for_status(status: Status) -> &'static EventContract {
    match status {
        Status::Pending => &SUBMITTED,
        Status::Approved => &APPROVED,
        Status::Rejected => &REJECTED,
        Status::Cancelled => &CANCELLED,
    }
}

/// `leave.allocated` for `allocation`.
pub fn allocation_event(organization: &OrganizationId, allocation: &Allocation) -> EventEnvelope {
    allocation_change(&GRANTED, organization, allocation, allocation.days)
}

/// `leave.allocation_withdrawn` for `allocation`, which had granted `days`.
pub fn withdrawal_event(organization: &OrganizationId, allocation: &Allocation, days: Decimal) -> EventEnvelope {
    allocation_change(&WITHDRAWN, organization, allocation, days)
}

fn allocation_change(
    contract: &EventContract,
    organization: &OrganizationId,
    allocation: &Allocation,
    days: Decimal,
) -> EventEnvelope {
    let data = AllocationEventData {
        allocation_id: allocation.id,
        user_id: allocation.user_id.to_string(),
        leave_type_id: allocation.leave_type_id,
        from: allocation.from,
        to: allocation.to,
        days,
    };
    contract.envelope(NAME, Some(organization.clone()), format!("leave_allocation/{}", allocation.id), &data)
}

/// A type event.
pub fn type_event(
    contract: &EventContract,
    organization: &OrganizationId,
    id: uuid::Uuid,
    name: &str,
    version: i64,
) -> EventEnvelope {
    let data = TypeEventData { leave_type_id: id, name: name.to_owned(), version };
    contract.envelope(NAME, Some(organization.clone()), format!("leave_type/{id}"), &data)
}

/// `leave.balance_expired` for the expiry entry `line` (its days negative).
pub fn expiry_event(organization: &OrganizationId, line: &LedgerLine) -> EventEnvelope {
    let data = ExpiryEventData {
        entry_id: line.entry.id,
        user_id: line.user_id.to_string(),
        leave_type_id: line.leave_type_id,
        days: -line.entry.days,
        on: line.entry.on,
    };
    BALANCE_EXPIRED.envelope(NAME, Some(organization.clone()), format!("leave_entry/{}", line.entry.id), &data)
}
