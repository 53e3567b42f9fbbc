//! What leave management keeps, as the store reads and writes it: leave
//! types, employees' profiles, allocations, requests and ledger lines.

use gremlin_kernel::UserId;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::model::{Entry, Holiday, LeavePolicy, Span, Status, WorkingWeek};

/// A leave type of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaveType {
    /// Its id (UUIDv7).
    pub id: Uuid,
    /// Its policy.
    pub policy: LeavePolicy,
    /// Who changed it last, and when.
    pub updated_by: UserId,
    /// When.
    pub updated_at: OffsetDateTime,
    /// Starts at 1 and grows with every change (the ETag).
    pub version: i64,
}

/// A member's leave profile. A member without a stored one has the
/// default: no approver, Monday to Friday, start unknown, open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The member.
    pub user_id: UserId,
    /// Who decides their requests (besides members with `leave:manage`).
    pub approver_id: Option<UserId>,
    /// Their working week.
    pub week: WorkingWeek,
    /// Their first day of employment.
    pub started_on: Option<Date>,
    /// Their holiday calendar; `None`: the organization's default.
    pub calendar_id: Option<Uuid>,
    /// When it was closed (they left the organization): no new requests.
    pub closed_at: Option<OffsetDateTime>,
    /// 0 until first stored, then grows with every change.
    pub version: i64,
}

impl Profile {
    /// The default profile of `user_id`, not stored yet.
    pub fn new(user_id: UserId) -> Self {
        Self {
            user_id,
            approver_id: None,
            week: WorkingWeek::default(),
            started_on: None,
            calendar_id: None,
            closed_at: None,
            version: 0,
        }
    }
}

/// Days granted to a member of one type for a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Its id.
    pub id: Uuid,
    /// The member.
    pub user_id: UserId,
    /// The type.
    pub leave_type_id: Uuid,
    /// First day of the period.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Days granted.
    pub days: Decimal,
    /// Why, for the ledger.
    pub note: Option<String>,
    /// Who granted them.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
    /// Who withdrew it and when; a withdrawn allocation grants nothing.
    pub withdrawn: Option<(UserId, OffsetDateTime)>,
}

impl Allocation {
    /// Its version, as its ETag names it: 1 standing, 2 once withdrawn
    /// (the only change an allocation ever sees).
    pub fn version(&self) -> i64 {
        if self.withdrawn.is_some() { 2 } else { 1 }
    }
}

/// A leave request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Its id.
    pub id: Uuid,
    /// The member on leave.
    pub user_id: UserId,
    /// The type.
    pub leave_type_id: Uuid,
    /// Its dates and half days.
    pub span: Span,
    /// The days it takes (computed when asked).
    pub days: Decimal,
    /// Why, in the employee's words.
    pub reason: Option<String>,
    /// Where it is.
    pub status: Status,
    /// Who decided or cancelled it.
    pub decided_by: Option<UserId>,
    /// When.
    pub decided_at: Option<OffsetDateTime>,
    /// The approver's note.
    pub decision_note: Option<String>,
    /// Who asked (the member, or a manager for them).
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Starts at 1 and grows with every change (the ETag).
    pub version: i64,
}

/// A ledger entry with whose and what it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    /// The entry.
    pub entry: Entry,
    /// The member.
    pub user_id: UserId,
    /// The type.
    pub leave_type_id: Uuid,
    /// The request it records, if any.
    pub request_id: Option<Uuid>,
    /// The allocation it records, if any.
    pub allocation_id: Option<Uuid>,
    /// Why.
    pub note: Option<String>,
    /// Who wrote it.
    pub created_by: UserId,
    /// When.
    pub created_at: OffsetDateTime,
}

/// A holiday calendar of an organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Its id.
    pub id: Uuid,
    /// Its name (`Germany — Berlin`), unique in the organization without case.
    pub name: String,
    /// Whether members without a calendar of their own follow it (one per
    /// organization at most).
    pub is_default: bool,
    /// Its holidays, by date (one per date).
    pub holidays: Vec<Holiday>,
    /// Who changed it last.
    pub updated_by: UserId,
    /// When.
    pub updated_at: OffsetDateTime,
    /// Starts at 1 and grows with every change (the ETag).
    pub version: i64,
}

/// What a calendar feed shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, poem_openapi::Enum)]
#[oai(rename = "LeaveFeedScope", rename_all = "snake_case")]
pub enum FeedScope {
    /// Its owner's own leave.
    Member,
    /// Everyone's in the organization (the team calendar).
    Organization,
}

impl FeedScope {
    /// As stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Organization => "organization",
        }
    }

    /// A stored scope.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Member, Self::Organization].into_iter().find(|s| s.as_str() == text)
    }
}

/// A calendar feed: a token calendar apps put in the URL, owned by a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    /// Its id.
    pub id: Uuid,
    /// Its organization.
    pub organization_id: gremlin_kernel::OrganizationId,
    /// The member who made it; it stops working when they leave.
    pub owner_id: UserId,
    /// What it shows.
    pub scope: FeedScope,
    /// When it was made.
    pub created_at: OffsetDateTime,
    /// When it was revoked; a revoked feed answers 404.
    pub revoked_at: Option<OffsetDateTime>,
}
