//! The leave API's bodies and answers, and their conversions.

use gremlin_kernel::Nullable;
use poem_openapi::Object;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

use crate::model::days::weekday_name;
use crate::model::{Accrual, DayPart, EntryKind, Holiday, LeavePolicy, Status, Unit};
use crate::ports::{Allocation, Calendar, LeaveType, LedgerLine, Profile, Request};
use crate::service::{TeamCalendar, TypeBalance};

/// A leave type's policy, as sent and answered (a field without a value
/// is left out).
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeavePolicy", skip_serializing_if_is_none)]
pub struct PolicyDto {
    /// Its name (1-100 characters), unique in the organization without case.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// What amounts are counted in: days (the default; hours later).
    pub unit: Option<Unit>,
    /// Paid leave is limited by the balance and needs an allocation;
    /// unpaid leave is neither (default true).
    #[oai(default = "yes")]
    pub paid: bool,
    /// Requests may take the balance below zero.
    #[oai(default)]
    pub allow_negative: bool,
    /// Weekends and holidays inside a request count as leave.
    #[oai(default)]
    pub counts_days_off: bool,
    /// Most days in a row (0.5-366, in halves), adjacent requests of the
    /// type counted together; null for no limit.
    pub max_consecutive_days: Option<Decimal>,
    /// Days of notice a request needs before its first day (0-366).
    #[oai(default, validator(maximum(value = "366")))]
    pub min_notice_days: u32,
    /// Days after a member's start before they may take it (0-3660).
    #[oai(default, validator(maximum(value = "3660")))]
    pub applicable_after_days: u32,
    /// Most unused days the yearly roll-over carries (0-366, in halves);
    /// null or 0 carries none.
    pub carry_forward_cap: Option<Decimal>,
    /// Days after the new period starts that carried days lapse (1-366);
    /// null keeps them for the period.
    #[oai(validator(minimum(value = "1"), maximum(value = "366")))]
    pub carry_forward_expiry_days: Option<u32>,
    /// Requests wait for a decision; without it they are approved at once
    /// (default true).
    #[oai(default = "yes")]
    pub requires_approval: bool,
    /// Days earned month by month instead of one grant per period.
    pub accrual: Option<AccrualDto>,
}

fn yes() -> bool {
    true
}

/// Monthly accrual.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveAccrual")]
pub struct AccrualDto {
    /// Days earned over a whole year (0.5-366).
    pub yearly_days: Decimal,
    /// What the running total is rounded to: 0.25, 0.5 or 1.
    pub rounding: Decimal,
}

impl From<PolicyDto> for LeavePolicy {
    fn from(p: PolicyDto) -> Self {
        LeavePolicy {
            name: p.name,
            unit: p.unit.unwrap_or_default(),
            paid: p.paid,
            allow_negative: p.allow_negative,
            counts_days_off: p.counts_days_off,
            max_consecutive_days: p.max_consecutive_days,
            min_notice_days: p.min_notice_days,
            applicable_after_days: p.applicable_after_days,
            carry_forward_cap: p.carry_forward_cap,
            carry_forward_expiry_days: p.carry_forward_expiry_days,
            requires_approval: p.requires_approval,
            accrual: p.accrual.map(|a| Accrual { yearly_days: a.yearly_days, rounding: a.rounding }),
        }
    }
}

impl From<&LeavePolicy> for PolicyDto {
    fn from(p: &LeavePolicy) -> Self {
        PolicyDto {
            name: p.name.clone(),
            unit: Some(p.unit),
            paid: p.paid,
            allow_negative: p.allow_negative,
            counts_days_off: p.counts_days_off,
            max_consecutive_days: p.max_consecutive_days,
            min_notice_days: p.min_notice_days,
            applicable_after_days: p.applicable_after_days,
            carry_forward_cap: p.carry_forward_cap,
            carry_forward_expiry_days: p.carry_forward_expiry_days,
            requires_approval: p.requires_approval,
            accrual: p.accrual.map(|a| AccrualDto { yearly_days: a.yearly_days, rounding: a.rounding }),
        }
    }
}

/// A leave type.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveType")]
pub struct LeaveTypeDto {
    /// Its id (UUIDv7).
    pub id: uuid::Uuid,
    /// Its policy.
    #[oai(flatten)]
    pub policy: PolicyDto,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: OffsetDateTime,
    /// Starts at 1, grows with every change (the ETag).
    pub version: i64,
}

impl From<&LeaveType> for LeaveTypeDto {
    fn from(t: &LeaveType) -> Self {
        Self {
            id: t.id,
            policy: PolicyDto::from(&t.policy),
            updated_by: t.updated_by.to_string(),
            updated_at: t.updated_at,
            version: t.version,
        }
    }
}

/// The leave types of the organization, by name.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveTypeList")]
pub struct LeaveTypeList {
    /// Every type.
    pub items: Vec<LeaveTypeDto>,
}

/// A member's leave profile.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveProfile")]
pub struct ProfileDto {
    /// The member.
    pub user_id: String,
    /// Who decides their requests besides members with `leave:manage`.
    pub approver_id: Nullable<String>,
    /// Their working days (`monday` … `sunday`).
    pub working_week: Vec<String>,
    /// Their first day of employment.
    pub started_on: Nullable<Date>,
    /// Their holiday calendar; null: the organization's default.
    pub calendar_id: Nullable<uuid::Uuid>,
    /// When it closed (they left): no new requests.
    pub closed_at: Nullable<OffsetDateTime>,
    /// 0 until first changed (the ETag).
    pub version: i64,
}

impl From<&Profile> for ProfileDto {
    fn from(p: &Profile) -> Self {
        Self {
            user_id: p.user_id.to_string(),
            approver_id: p.approver_id.as_ref().map(ToString::to_string).into(),
            working_week: p.week.days().into_iter().map(|d| weekday_name(d).to_owned()).collect(),
            started_on: p.started_on.into(),
            calendar_id: p.calendar_id.into(),
            closed_at: p.closed_at.into(),
            version: p.version,
        }
    }
}

/// A member's profile as set by a manager (every field replaced).
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveProfileBody")]
pub struct ProfileBody {
    /// Who decides their requests; null: only members with `leave:manage`.
    pub approver_id: Option<String>,
    /// Their working days (`monday` … `sunday`, at least one); default
    /// Monday to Friday.
    pub working_week: Option<Vec<String>>,
    /// Their first day of employment.
    pub started_on: Option<Date>,
    /// Their holiday calendar; null: the organization's default.
    pub calendar_id: Option<uuid::Uuid>,
}

/// Days granted to a member for a period.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveAllocation")]
pub struct AllocationDto {
    /// Its id.
    pub id: uuid::Uuid,
    /// The member.
    pub user_id: String,
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// First day of the period.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// Days granted.
    pub days: Decimal,
    /// Why.
    pub note: Nullable<String>,
    /// Who granted them.
    pub created_by: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// Who withdrew it; null while it stands.
    pub withdrawn_by: Nullable<String>,
    /// When it was withdrawn; null while it stands. A withdrawn allocation
    /// grants nothing: a `withdrawal` ledger entry took its days back.
    pub withdrawn_at: Nullable<OffsetDateTime>,
}

impl From<&Allocation> for AllocationDto {
    fn from(a: &Allocation) -> Self {
        Self {
            id: a.id,
            user_id: a.user_id.to_string(),
            leave_type_id: a.leave_type_id,
            from: a.from,
            to: a.to,
            days: a.days,
            note: a.note.clone().into(),
            created_by: a.created_by.to_string(),
            created_at: a.created_at,
            withdrawn_by: a.withdrawn.as_ref().map(|(by, _)| by.to_string()).into(),
            withdrawn_at: a.withdrawn.as_ref().map(|(_, at)| *at).into(),
        }
    }
}

/// Why an allocation is withdrawn.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveWithdrawalBody")]
pub struct WithdrawalBody {
    /// Why (1-500 characters), kept on the withdrawal entry.
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
}

/// A member's allocations, newest period first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveAllocationList")]
pub struct AllocationList {
    /// Every allocation.
    pub items: Vec<AllocationDto>,
}

/// A new allocation.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveAllocationBody")]
pub struct AllocationBody {
    /// The member.
    pub user_id: String,
    /// A paid leave type.
    pub leave_type_id: uuid::Uuid,
    /// First day of the period.
    pub from: Date,
    /// Last day (at most 366 days of period).
    pub to: Date,
    /// Days granted (0-366, in halves).
    pub days: Decimal,
    /// Why (kept on the ledger).
    #[oai(validator(max_length = 500))]
    pub note: Option<String>,
}

/// A leave request.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveRequest")]
pub struct RequestDto {
    /// Its id.
    pub id: uuid::Uuid,
    /// The member on leave.
    pub user_id: String,
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The half of `from` it starts in (`afternoon`: `from` counts half).
    pub starts: DayPart,
    /// The half of `to` it ends in (`morning`: `to` counts half).
    pub ends: DayPart,
    /// Days it takes: working halves of the member, 0.5 each.
    pub days: Decimal,
    /// Why.
    pub reason: Nullable<String>,
    /// Where it is.
    pub status: Status,
    /// Who decided or cancelled it.
    pub decided_by: Nullable<String>,
    /// When.
    pub decided_at: Nullable<OffsetDateTime>,
    /// The decider's note.
    pub decision_note: Nullable<String>,
    /// Who asked.
    pub created_by: String,
    /// When.
    pub created_at: OffsetDateTime,
    /// Last change.
    pub updated_at: OffsetDateTime,
    /// Starts at 1, grows with every change (the ETag).
    pub version: i64,
}

impl From<&Request> for RequestDto {
    fn from(r: &Request) -> Self {
        Self {
            id: r.id,
            user_id: r.user_id.to_string(),
            leave_type_id: r.leave_type_id,
            from: r.span.from,
            to: r.span.to,
            starts: r.span.starts,
            ends: r.span.ends,
            days: r.days,
            reason: r.reason.clone().into(),
            status: r.status,
            decided_by: r.decided_by.as_ref().map(ToString::to_string).into(),
            decided_at: r.decided_at.into(),
            decision_note: r.decision_note.clone().into(),
            created_by: r.created_by.to_string(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of leave requests.
    #[oai(rename = "LeaveRequestPage")]
    pub struct RequestPage of RequestDto from Request;
    /// Requests, newest first.
    items
}

/// Asking for leave.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveRequestBody")]
pub struct RequestBody {
    /// For whom (needs `leave:manage`); absent: the caller.
    pub user_id: Option<String>,
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// First day.
    pub from: Date,
    /// Last day (at most 366 days after `from`).
    pub to: Date,
    /// The half of `from` it starts in (default `morning`: all of it).
    pub starts: Option<DayPart>,
    /// The half of `to` it ends in (default `afternoon`: all of it).
    pub ends: Option<DayPart>,
    /// Why (at most 1000 characters).
    #[oai(validator(max_length = 1000))]
    pub reason: Option<String>,
}

/// A decision's note.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveDecisionBody")]
pub struct DecisionBody {
    /// Why (at most 1000 characters), shown to the member.
    #[oai(validator(max_length = 1000))]
    pub note: Option<String>,
}

/// A balance of one type as of a day.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveBalance")]
pub struct BalanceDto {
    /// The type.
    pub leave_type_id: uuid::Uuid,
    /// Its name.
    pub leave_type_name: String,
    /// Whether it is paid (unpaid leave has no balance to keep).
    pub paid: bool,
    /// Granted so far: allocations, accruals, carried days, corrections.
    pub granted: Decimal,
    /// Approved leave on or before the day.
    pub taken: Decimal,
    /// Approved leave after the day.
    pub booked: Decimal,
    /// Days lapsed by the day.
    pub expired: Decimal,
    /// Requests waiting for a decision.
    pub pending: Decimal,
    /// What may still be asked for: granted − taken − booked − expired − pending.
    pub available: Decimal,
    /// Carried days not used yet that lapse within 30 days.
    pub expiring_soon: Decimal,
}

impl From<&TypeBalance> for BalanceDto {
    fn from(t: &TypeBalance) -> Self {
        let b = &t.balance;
        Self {
            leave_type_id: t.leave_type.id,
            leave_type_name: t.leave_type.policy.name.clone(),
            paid: t.leave_type.policy.paid,
            granted: b.granted.normalize(),
            taken: b.taken.normalize(),
            booked: b.booked.normalize(),
            expired: b.expired.normalize(),
            pending: b.pending.normalize(),
            available: b.available.normalize(),
            expiring_soon: b.expiring_soon.normalize(),
        }
    }
}

/// A member's balances as of a day, one per leave type.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveBalances")]
pub struct BalancesDto {
    /// The member.
    pub user_id: String,
    /// The day.
    pub as_of: Date,
    /// One per type, by name.
    pub items: Vec<BalanceDto>,
}

/// One ledger entry.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveLedgerEntry")]
pub struct LedgerEntryDto {
    /// Its id.
    pub id: uuid::Uuid,
    /// The type.
    pub leave_type_id: uuid::Uuid,
    /// What it records.
    pub kind: EntryKind,
    /// Days, signed: grants positive, leave taken and lapses negative.
    pub days: Decimal,
    /// The day it takes effect.
    pub on: Date,
    /// Carried days: when they lapse.
    pub expires_on: Nullable<Date>,
    /// The request it records.
    pub request_id: Nullable<uuid::Uuid>,
    /// The allocation it records.
    pub allocation_id: Nullable<uuid::Uuid>,
    /// Why.
    pub note: Nullable<String>,
    /// Who wrote it.
    pub created_by: String,
    /// When.
    pub created_at: OffsetDateTime,
}

impl From<&LedgerLine> for LedgerEntryDto {
    fn from(l: &LedgerLine) -> Self {
        Self {
            id: l.entry.id,
            leave_type_id: l.leave_type_id,
            kind: l.entry.kind,
            days: l.entry.days.normalize(),
            on: l.entry.on,
            expires_on: l.entry.expires_on.into(),
            request_id: l.request_id.into(),
            allocation_id: l.allocation_id.into(),
            note: l.note.clone().into(),
            created_by: l.created_by.to_string(),
            created_at: l.created_at,
        }
    }
}

/// A member's ledger, oldest effective first.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveLedger")]
pub struct LedgerDto {
    /// Every entry.
    pub items: Vec<LedgerEntryDto>,
}

/// One holiday.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveHoliday", skip_serializing_if_is_none)]
pub struct HolidayDto {
    /// The day.
    pub date: Date,
    /// What it is (1-100 characters).
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Only this half is off; absent or null: the whole day.
    pub half: Option<DayPart>,
}

impl From<HolidayDto> for Holiday {
    fn from(h: HolidayDto) -> Self {
        Holiday { date: h.date, name: h.name, half: h.half }
    }
}

impl From<&Holiday> for HolidayDto {
    fn from(h: &Holiday) -> Self {
        Self { date: h.date, name: h.name.clone(), half: h.half }
    }
}

/// A holiday calendar.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveCalendar")]
pub struct CalendarDto {
    /// Its id.
    pub id: uuid::Uuid,
    /// Its name.
    pub name: String,
    /// Members without a calendar of their own follow it.
    pub is_default: bool,
    /// Its holidays, by date (in lists: none).
    pub holidays: Vec<HolidayDto>,
    /// Who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: OffsetDateTime,
    /// Starts at 1, grows with every change (the ETag).
    pub version: i64,
}

impl From<&Calendar> for CalendarDto {
    fn from(c: &Calendar) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            is_default: c.is_default,
            holidays: c.holidays.iter().map(HolidayDto::from).collect(),
            updated_by: c.updated_by.to_string(),
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}

/// The organization's holiday calendars, by name (without holidays).
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveCalendarList")]
pub struct CalendarList {
    /// Every calendar.
    pub items: Vec<CalendarDto>,
}

/// A calendar as sent: every field replaced.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveCalendarBody")]
pub struct CalendarBody {
    /// Its name (1-100 characters), unique in the organization without case.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Members without a calendar of their own follow it; making one the
    /// default takes over from the previous one.
    #[oai(default)]
    pub is_default: bool,
    /// Its holidays, one per date (at most 500).
    #[oai(default, validator(max_items = 500))]
    pub holidays: Vec<HolidayDto>,
}

/// An iCalendar feed to import a year from.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveImportBody")]
pub struct ImportBody {
    /// The year whose holidays the feed replaces (1900-2999).
    #[oai(validator(minimum(value = "1900"), maximum(value = "2999")))]
    pub year: i32,
    /// The feed (RFC 5545 text, as public-holiday calendars publish it;
    /// at most 50 000 characters): each event's date (or dates) and
    /// summary become holidays.
    #[oai(validator(max_length = 50000))]
    pub ics: String,
}

/// Who is away, and the holidays, from one day to another.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveTeamCalendar")]
pub struct TeamCalendarDto {
    /// First day shown.
    pub from: Date,
    /// Last day shown.
    pub to: Date,
    /// Pending and approved requests overlapping the days, by first day
    /// (reasons and notes left out).
    pub requests: Vec<RequestDto>,
    /// Whether more requests overlap than the 2 000 shown.
    pub truncated: bool,
    /// The organization's default holidays in the days.
    pub holidays: Vec<HolidayDto>,
}

impl TeamCalendarDto {
    /// `team` from `from` to `to`.
    pub fn new(from: Date, to: Date, team: &TeamCalendar) -> Self {
        Self {
            from,
            to,
            requests: team.requests.iter().map(RequestDto::from).collect(),
            truncated: team.truncated,
            holidays: team.holidays.iter().map(HolidayDto::from).collect(),
        }
    }
}

/// A correction to a member's ledger.
#[derive(Debug, Clone, Object)]
#[oai(rename = "LeaveCorrectionBody")]
pub struct CorrectionBody {
    /// The leave type.
    pub leave_type_id: uuid::Uuid,
    /// Days, either sign, in quarters, not zero.
    pub days: Decimal,
    /// The day it takes effect.
    pub on: Date,
    /// Why (1-500 characters), kept on the entry.
    #[oai(validator(max_length = 500))]
    pub note: String,
}
