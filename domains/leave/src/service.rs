//! Leave use cases: authorize the caller, run the model's rule on the
//! member's snapshot in the store's transaction, and record the ledger
//! line and events with the change. The organization always comes from the
//! principal, never from input.
//!
//! Who sees what: a member sees their own requests, balances and ledger;
//! the member named as someone's approver also sees (and decides) theirs;
//! `leave:manage` sees and does everything.

mod feeds;
mod jobs;
mod removals;

pub use jobs::JobRun;

use std::sync::Arc;

use gremlin_kernel::inbox::HandledEvent;
use gremlin_kernel::{DomainError, EventEnvelope, MemberDirectory, OrganizationId, Principal, UserId};
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::events::{self, for_status, request_event};
use crate::model::request::{self, Actor, Context, Denied, Neighbour};
use crate::model::{
    Entry, EntryKind, Holiday, Holidays, LeavePolicy, Schedule, Span, Status, WorkingWeek, balance, ical, ledger,
};
use crate::permissions;
use crate::ports::{Allocation, Calendar, LeaveType, LedgerLine, Profile, Request};
use crate::store::{Change, RequestFilter, Snapshot, SqlLeave, now};

/// Most days one allocation grants.
pub const MAX_ALLOCATION_DAYS: i64 = 366;

/// Leave's use cases.
#[derive(Clone)]
pub struct LeaveService {
    store: SqlLeave,
    members: Arc<dyn MemberDirectory>,
}

/// A new request as asked.
#[derive(Debug, Clone)]
pub struct Ask {
    /// For whom: `None` is the caller; someone else needs `leave:manage`.
    pub user_id: Option<UserId>,
    /// The type.
    pub leave_type_id: Uuid,
    /// Dates and halves.
    pub span: Span,
    /// Why.
    pub reason: Option<String>,
}

/// Changes to a member's profile.
#[derive(Debug, Clone)]
pub struct ProfileChange {
    /// Who decides their requests; `None` for nobody but managers.
    pub approver_id: Option<UserId>,
    /// Their working week.
    pub week: WorkingWeek,
    /// Their first day of employment.
    pub started_on: Option<Date>,
    /// Their holiday calendar; `None`: the organization's default.
    pub calendar_id: Option<Uuid>,
}

/// A calendar as sent: its name, whether it is the default, its holidays.
#[derive(Debug, Clone)]
pub struct CalendarInput {
    /// 1-100 characters.
    pub name: String,
    /// Members without a calendar of their own follow it.
    pub is_default: bool,
    /// At most 400 a year, one per date.
    pub holidays: Vec<Holiday>,
}

/// What the team calendar shows from one day to another.
#[derive(Debug, Clone)]
pub struct TeamCalendar {
    /// Pending and approved requests overlapping the days (at most 2 000).
    pub requests: Vec<Request>,
    /// Whether more requests overlap than were returned.
    pub truncated: bool,
    /// The organization's default holidays in the days.
    pub holidays: Vec<Holiday>,
}

/// Most holidays a calendar holds.
pub const MAX_HOLIDAYS: usize = 500;
/// Most requests the team calendar returns.
pub const MAX_TEAM_REQUESTS: u32 = 2000;

/// A free text (a reason, a note): trimmed, empty is none, at most `max`
/// characters, line breaks and tabs allowed but no other control
/// characters.
fn free_text(value: Option<String>, field: &str, max: usize) -> Result<Option<String>, DomainError> {
    let Some(text) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) else { return Ok(None) };
    if text.chars().count() > max {
        return Err(DomainError::invalid(field, format!("at most {max} characters")));
    }
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(DomainError::invalid(field, "no control characters but line breaks and tabs"));
    }
    Ok(Some(text))
}

fn checked_name(name: &str, field: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "1 to 100 characters, no control characters"));
    }
    Ok(name.to_owned())
}

fn checked_holidays(mut holidays: Vec<Holiday>) -> Result<Vec<Holiday>, DomainError> {
    if holidays.len() > MAX_HOLIDAYS {
        return Err(DomainError::invalid("holidays", format!("at most {MAX_HOLIDAYS}")));
    }
    holidays.sort_by_key(|h| h.date);
    for (i, h) in holidays.iter_mut().enumerate() {
        plausible(h.date, &format!("holidays[{i}].date"))?;
        h.name = checked_name(&h.name, &format!("holidays[{i}].name"))?;
    }
    if let Some(pair) = holidays.windows(2).find(|w| w[0].date == w[1].date) {
        return Err(DomainError::invalid(
            "holidays",
            format!("{} is listed twice; one holiday per date", pair[0].date),
        ));
    }
    Ok(holidays)
}

/// A balance of one type.
#[derive(Debug, Clone)]
pub struct TypeBalance {
    /// The type.
    pub leave_type: LeaveType,
    /// The balance.
    pub balance: ledger::Balance,
}

/// Dates leave deals in: years 1900 to 2999.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// `date` when it is in [`YEARS`], else a 422 on `field`.
pub fn plausible(date: Date, field: &str) -> Result<Date, DomainError> {
    if YEARS.contains(&date.year()) {
        Ok(date)
    } else {
        Err(DomainError::invalid(field, "a date in the years 1900 to 2999"))
    }
}

/// `e` for an id given in a body or query (`field`): what it names not
/// existing is a 422 on that field, not a 404 of the operation.
fn named_in(field: &'static str) -> impl Fn(DomainError) -> DomainError {
    move |e| match e {
        DomainError::NotFound { entity } => {
            DomainError::invalid(field, format!("no {entity} with this id in this organization"))
        }
        other => other,
    }
}

fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

fn denied(d: Denied) -> DomainError {
    match d {
        Denied::Forbidden(detail) => DomainError::Forbidden { detail },
        Denied::Conflict(detail) => DomainError::Conflict { detail },
    }
}

fn refused(r: request::Refusal) -> DomainError {
    DomainError::Rule { rule: r.rule.as_str().to_owned(), detail: r.detail }
}

impl LeaveService {
    /// The use cases over `store`, checking members with `members`.
    pub fn new(store: SqlLeave, members: Arc<dyn MemberDirectory>) -> Self {
        Self { store, members }
    }

    async fn require_member(&self, p: &Principal, user: &UserId, field: &str) -> Result<(), DomainError> {
        if self.members.is_member(&p.organization_id, user).await? {
            Ok(())
        } else {
            Err(DomainError::invalid(field, format!("`{user}` is not a member of this organization")))
        }
    }

    /// Whether the caller may see `user`'s profile, balances, allocations
    /// and ledger: themselves, or a manager (`leave:manage`), also once
    /// the member has left.
    async fn may_see(&self, p: &Principal, user: &UserId) -> Result<(), DomainError> {
        self.may_see_as(p, user, false).await
    }

    /// Whether the caller may see `user`'s requests: themselves, their
    /// approver (`leave:approve`), or a manager.
    async fn may_see_requests(&self, p: &Principal, user: &UserId) -> Result<(), DomainError> {
        self.may_see_as(p, user, true).await
    }

    async fn may_see_as(&self, p: &Principal, user: &UserId, approver_too: bool) -> Result<(), DomainError> {
        p.require(&permissions::READ)?;
        if &p.user_id == user {
            return Ok(());
        }
        // Only this organization's members have leave here, and to a
        // manager those who left (their profile was closed then, and their
        // history stays); anyone else does not exist.
        if !self.members.is_member(&p.organization_id, user).await? {
            let left = self.store.profile(&p.organization_id, user).await?.closed_at.is_some();
            return if left && p.has(&permissions::MANAGE) { Ok(()) } else { Err(DomainError::not_found("member")) };
        }
        if p.has(&permissions::MANAGE) {
            return Ok(());
        }
        if approver_too && p.has(&permissions::APPROVE) {
            let profile = self.store.profile(&p.organization_id, user).await?;
            if profile.approver_id.as_ref() == Some(&p.user_id) {
                return Ok(());
            }
        }
        let who =
            if approver_too { "the member, their approver or leave:manage" } else { "the member or leave:manage" };
        Err(DomainError::Forbidden { detail: format!("only {who} sees this") })
    }

    // ---- types ----

    /// Creates a leave type (`leave:manage`).
    pub async fn create_type(&self, p: &Principal, policy: LeavePolicy) -> Result<LeaveType, DomainError> {
        p.require(&permissions::MANAGE)?;
        let policy = policy.checked().map_err(|errors| DomainError::Invalid { errors })?;
        let t = LeaveType { id: Uuid::now_v7(), policy, updated_by: p.user_id.clone(), updated_at: now(), version: 1 };
        let event = events::type_event(&events::TYPE_CREATED, &p.organization_id, t.id, &t.policy.name, 1);
        self.store.insert_type(&p.organization_id, &t, &[event]).await?;
        Ok(t)
    }

    /// Replaces a type's policy at `read_version` (`leave:manage`). Days
    /// already taken or granted stay as they are.
    pub async fn update_type(
        &self,
        p: &Principal,
        id: Uuid,
        read_version: i64,
        policy: LeavePolicy,
    ) -> Result<LeaveType, DomainError> {
        p.require(&permissions::MANAGE)?;
        let policy = policy.checked().map_err(|errors| DomainError::Invalid { errors })?;
        let t = LeaveType { id, policy, updated_by: p.user_id.clone(), updated_at: now(), version: read_version + 1 };
        let event = events::type_event(&events::TYPE_UPDATED, &p.organization_id, id, &t.policy.name, t.version);
        self.store.update_type(&p.organization_id, &t, read_version, &[event]).await?;
        Ok(t)
    }

    /// One type (`leave:read`).
    pub async fn get_type(&self, p: &Principal, id: Uuid) -> Result<LeaveType, DomainError> {
        p.require(&permissions::READ)?;
        self.store.get_type(&p.organization_id, id).await?.ok_or_else(|| DomainError::not_found("leave type"))
    }

    /// Every type (`leave:read`).
    pub async fn list_types(&self, p: &Principal) -> Result<Vec<LeaveType>, DomainError> {
        p.require(&permissions::READ)?;
        self.store.list_types(&p.organization_id).await
    }

    // ---- profiles ----

    /// A member's profile (themselves, their approver, or a manager).
    pub async fn profile(&self, p: &Principal, user: &UserId) -> Result<Profile, DomainError> {
        self.may_see(p, user).await?;
        self.store.profile(&p.organization_id, user).await
    }

    /// Changes a member's profile at `read_version` (`leave:manage`); the
    /// approver must be another member.
    pub async fn put_profile(
        &self,
        p: &Principal,
        user: &UserId,
        read_version: i64,
        change: ProfileChange,
    ) -> Result<Profile, DomainError> {
        p.require(&permissions::MANAGE)?;
        change.started_on.map(|d| plausible(d, "started_on")).transpose()?;
        self.require_member(p, user, "user_id").await?;
        if let Some(approver) = &change.approver_id {
            if approver == user {
                return Err(DomainError::invalid("approver_id", "nobody approves their own leave"));
            }
            self.require_member(p, approver, "approver_id").await?;
        }
        if let Some(calendar) = change.calendar_id {
            self.get_calendar(p, calendar, None).await.map_err(|_| {
                DomainError::invalid("calendar_id", "no holiday calendar with this id in this organization")
            })?;
        }
        let profile = Profile {
            approver_id: change.approver_id,
            week: change.week,
            started_on: change.started_on,
            calendar_id: change.calendar_id,
            ..Profile::new(user.clone())
        };
        self.store.put_profile(&p.organization_id, &profile, read_version, &p.user_id).await
    }

    // ---- calendars ----

    /// Creates a holiday calendar (`leave:manage`).
    pub async fn create_calendar(&self, p: &Principal, input: CalendarInput) -> Result<Calendar, DomainError> {
        p.require(&permissions::MANAGE)?;
        let c = Calendar {
            id: Uuid::now_v7(),
            name: checked_name(&input.name, "name")?,
            is_default: input.is_default,
            holidays: checked_holidays(input.holidays)?,
            updated_by: p.user_id.clone(),
            updated_at: now(),
            version: 1,
        };
        self.store.insert_calendar(&p.organization_id, &c).await?;
        Ok(c)
    }

    /// Replaces a calendar and all its holidays at `read_version`
    /// (`leave:manage`). Requests already made keep their days.
    pub async fn replace_calendar(
        &self,
        p: &Principal,
        id: Uuid,
        read_version: i64,
        input: CalendarInput,
    ) -> Result<Calendar, DomainError> {
        p.require(&permissions::MANAGE)?;
        let c = Calendar {
            id,
            name: checked_name(&input.name, "name")?,
            is_default: input.is_default,
            holidays: checked_holidays(input.holidays)?,
            updated_by: p.user_id.clone(),
            updated_at: now(),
            version: read_version + 1,
        };
        self.store.update_calendar(&p.organization_id, &c, read_version, None).await?;
        self.get_calendar(p, id, None).await
    }

    /// Replaces the holidays of `year` in a calendar with those of an
    /// iCalendar feed, at `read_version` (`leave:manage`).
    pub async fn import_holidays(
        &self,
        p: &Principal,
        id: Uuid,
        read_version: i64,
        year: i32,
        ics: &str,
    ) -> Result<Calendar, DomainError> {
        p.require(&permissions::MANAGE)?;
        let first = Date::from_calendar_date(year, time::Month::January, 1)
            .ok()
            .filter(|d| YEARS.contains(&d.year()))
            .ok_or_else(|| DomainError::invalid("year", "1900 to 2999"))?;
        let last = Date::from_calendar_date(year, time::Month::December, 31).unwrap_or(first);
        let holidays = ical::holidays(ics, year).map_err(|e| DomainError::invalid("ics", e.0))?;
        let current = self.get_calendar(p, id, None).await?;
        let c = Calendar {
            holidays: checked_holidays(holidays)?,
            updated_by: p.user_id.clone(),
            updated_at: now(),
            version: read_version + 1,
            ..current
        };
        self.store.update_calendar(&p.organization_id, &c, read_version, Some((first, last))).await?;
        self.get_calendar(p, id, None).await
    }

    /// One calendar with its holidays of `year` (all when `None`)
    /// (`leave:read`).
    pub async fn get_calendar(&self, p: &Principal, id: Uuid, year: Option<i32>) -> Result<Calendar, DomainError> {
        p.require(&permissions::READ)?;
        let dates = year.map(|y| {
            let from = Date::from_calendar_date(y, time::Month::January, 1).unwrap_or(Date::MIN);
            let to = Date::from_calendar_date(y, time::Month::December, 31).unwrap_or(Date::MAX);
            (from, to)
        });
        self.store
            .calendar(&p.organization_id, id, dates)
            .await?
            .ok_or_else(|| DomainError::not_found("holiday calendar"))
    }

    /// Every calendar, without holidays (`leave:read`).
    pub async fn calendars(&self, p: &Principal) -> Result<Vec<Calendar>, DomainError> {
        p.require(&permissions::READ)?;
        self.store.calendars(&p.organization_id).await
    }

    /// Who is away from `from` to `to` (at most 366 days): the pending and
    /// approved requests of every member, or of the members `approver`
    /// approves, and the default holidays (`leave:read`; reasons and notes
    /// are not shown here).
    pub async fn team(
        &self,
        p: &Principal,
        from: Date,
        to: Date,
        approver: Option<UserId>,
    ) -> Result<TeamCalendar, DomainError> {
        p.require(&permissions::READ)?;
        let (from, to) = (plausible(from, "from")?, plausible(to, "to")?);
        if to < from || (to - from).whole_days() > 366 {
            return Err(DomainError::invalid("to", "on or after `from`, at most 366 days later"));
        }
        let filter = RequestFilter {
            overlapping_from: Some(from),
            overlapping_to: Some(to),
            open_only: true,
            approver_id: approver,
            ..RequestFilter::default()
        };
        let mut requests = self.store.requests(&p.organization_id, &filter, MAX_TEAM_REQUESTS).await?;
        let truncated = requests.len() > MAX_TEAM_REQUESTS as usize;
        requests.truncate(MAX_TEAM_REQUESTS as usize);
        requests.sort_by_key(|r| (r.span.from, r.id));
        for r in &mut requests {
            r.reason = None;
            r.decision_note = None;
        }
        let holidays = self.store.holidays(&p.organization_id, None, (from, to)).await?;
        Ok(TeamCalendar { requests, truncated, holidays })
    }

    // ---- corrections ----

    /// Adds a correction to a member's ledger (`leave:manage`): `days`
    /// (either sign, in quarters, not zero) from `on`, with a reason.
    /// Entries are never changed; a correction is how a mistake is undone.
    pub async fn correct(
        &self,
        p: &Principal,
        user: UserId,
        leave_type_id: Uuid,
        days: Decimal,
        on: Date,
        note: String,
    ) -> Result<LedgerLine, DomainError> {
        p.require(&permissions::MANAGE)?;
        let on = plausible(on, "on")?;
        let quarter = Decimal::new(25, 2);
        if days.is_zero() || days.abs() > Decimal::from(MAX_ALLOCATION_DAYS) || !(days / quarter).fract().is_zero() {
            return Err(DomainError::invalid("days", "-366 to 366 but not 0, in quarters"));
        }
        let note = free_text(Some(note), "note", 500)?
            .ok_or_else(|| DomainError::invalid("note", "why, in 1 to 500 characters"))?;
        self.require_member(p, &user, "user_id").await?;
        self.get_type(p, leave_type_id).await.map_err(named_in("leave_type_id"))?;
        let line = LedgerLine {
            entry: Entry { id: Uuid::now_v7(), kind: EntryKind::Correction, days, on, expires_on: None, closes: None },
            user_id: user,
            leave_type_id,
            request_id: None,
            allocation_id: None,
            note: Some(note),
            created_by: p.user_id.clone(),
            created_at: now(),
        };
        self.store.insert_line(&p.organization_id, &line).await?;
        Ok(line)
    }

    // ---- allocations ----

    /// Grants `days` of a paid type to a member for a period
    /// (`leave:manage`), with its ledger entry. Periods of one member and
    /// type never overlap.
    pub async fn allocate(
        &self,
        p: &Principal,
        user: UserId,
        leave_type_id: Uuid,
        period: (Date, Date),
        days: Decimal,
        note: Option<String>,
    ) -> Result<Allocation, DomainError> {
        p.require(&permissions::MANAGE)?;
        let (from, to) = (plausible(period.0, "from")?, plausible(period.1, "to")?);
        if to < from || (to - from).whole_days() >= MAX_ALLOCATION_DAYS {
            return Err(DomainError::invalid("to", "on or after `from`, at most 366 days of period"));
        }
        let half = Decimal::new(5, 1);
        if days < Decimal::ZERO || days > Decimal::from(MAX_ALLOCATION_DAYS) || !(days / half).fract().is_zero() {
            return Err(DomainError::invalid("days", "0 to 366, in halves"));
        }
        self.require_member(p, &user, "user_id").await?;
        let leave_type = self.get_type(p, leave_type_id).await.map_err(named_in("leave_type_id"))?;
        if !leave_type.policy.paid {
            return Err(DomainError::invalid("leave_type_id", "unpaid leave needs no allocation"));
        }
        let existing = self.store.allocations(&p.organization_id, &user, Some(leave_type_id)).await?;
        if let Some(clash) = existing.iter().find(|a| a.withdrawn.is_none() && a.from <= to && from <= a.to) {
            return Err(DomainError::Conflict {
                detail: format!(
                    "{} already has {} from {} to {}; periods of one type do not overlap",
                    user, leave_type.policy.name, clash.from, clash.to
                ),
            });
        }
        let at = now();
        let allocation = Allocation {
            id: Uuid::now_v7(),
            user_id: user.clone(),
            leave_type_id,
            from,
            to,
            days,
            note: free_text(note, "note", 500)?,
            created_by: p.user_id.clone(),
            created_at: at,
            withdrawn: None,
        };
        let line = LedgerLine {
            entry: Entry {
                id: Uuid::now_v7(),
                kind: EntryKind::Allocation,
                days,
                on: from,
                expires_on: None,
                closes: None,
            },
            user_id: user,
            leave_type_id,
            request_id: None,
            allocation_id: Some(allocation.id),
            note: allocation.note.clone(),
            created_by: p.user_id.clone(),
            created_at: at,
        };
        let event = events::allocation_event(&p.organization_id, &allocation);
        self.store.insert_allocation(&p.organization_id, &allocation, &line, &[event]).await?;
        Ok(allocation)
    }

    /// A member's allocations.
    pub async fn allocations(
        &self,
        p: &Principal,
        user: &UserId,
        leave_type: Option<Uuid>,
    ) -> Result<Vec<Allocation>, DomainError> {
        self.may_see(p, user).await?;
        self.store.allocations(&p.organization_id, user, leave_type).await
    }

    // ---- requests ----

    /// Asks for leave: for oneself (`leave:request`) or, with
    /// `leave:manage`, for another member. The request passes every rule
    /// (the problem names the one it breaks) and waits for a decision, or
    /// is approved at once when its type needs none.
    pub async fn ask(&self, p: &Principal, ask: Ask) -> Result<Request, DomainError> {
        p.require(&permissions::REQUEST)?;
        plausible(ask.span.from, "from")?;
        plausible(ask.span.to, "to")?;
        let user = match ask.user_id {
            Some(user) if user != p.user_id => {
                p.require(&permissions::MANAGE)?;
                self.require_member(p, &user, "user_id").await?;
                user
            }
            _ => p.user_id.clone(),
        };
        let reason = free_text(ask.reason, "reason", 1000)?;
        let o = p.organization_id.clone();
        let actor = p.user_id.clone();
        let dates = (ask.span.from, ask.span.to);
        let change = self
            .store
            .create_request(&o, &user, ask.leave_type_id, dates, |s| {
                let schedule = Schedule { week: s.profile.week, holidays: Holidays::of(&s.holidays) };
                let neighbours = neighbours(s, ask.leave_type_id, None);
                let today = today();
                let cx = Context {
                    policy: &s.leave_type.policy,
                    schedule: &schedule,
                    closed: s.profile.closed_at.is_some(),
                    started_on: s.profile.started_on,
                    periods: &s.periods,
                    others: &neighbours,
                    balance: balance(&s.entries, s.pending, ask.span.from),
                    today,
                };
                let days = request::check(&ask.span, &cx).map_err(refused)?;
                let at = now();
                let auto = !s.leave_type.policy.requires_approval;
                let status = if auto { Status::Approved } else { Status::Pending };
                let request = Request {
                    id: Uuid::now_v7(),
                    user_id: user.clone(),
                    leave_type_id: ask.leave_type_id,
                    span: ask.span,
                    days,
                    reason,
                    status,
                    decided_by: None,
                    decided_at: auto.then_some(at),
                    decision_note: None,
                    created_by: actor.clone(),
                    created_at: at,
                    updated_at: at,
                    version: 1,
                };
                let line = auto.then(|| taken(&request, &actor, at));
                let events = vec![request_event(for_status(status), &o, &request)];
                Ok(Change { request, read_version: None, line, events })
            })
            .await
            .map_err(named_in("leave_type_id"))?;
        Ok(change.request)
    }

    /// Approves or rejects a pending request at `read_version`: its
    /// member's approver or a manager, never the member. Approving checks
    /// the balance again (a correction may have lowered it).
    pub async fn decide(
        &self,
        p: &Principal,
        id: Uuid,
        read_version: i64,
        approve: bool,
        note: Option<String>,
    ) -> Result<Request, DomainError> {
        p.require(&permissions::READ)?;
        let o = p.organization_id.clone();
        let caller = p.user_id.clone();
        let manages = p.has(&permissions::MANAGE);
        let approves = p.has(&permissions::APPROVE);
        let note = free_text(note, "note", 1000)?;
        let change = self
            .store
            .change_request(&o, id, |r, s| {
                let actor = Actor {
                    is_employee: r.user_id == caller,
                    is_approver: approves && s.profile.approver_id.as_ref() == Some(&caller),
                    manages,
                };
                if !actor.is_employee && !actor.is_approver && !manages {
                    // Someone who may not see it is told it does not exist.
                    return Err(DomainError::not_found("leave request"));
                }
                stale(r, read_version)?;
                let status = request::decide(r.status, actor, approve).map_err(denied)?;
                let policy = &s.leave_type.policy;
                if approve && policy.paid && !policy.allow_negative {
                    let b = balance(&s.entries, s.pending - r.days, r.span.from);
                    if r.days > b.available {
                        return Err(refused(request::Refusal {
                            rule: request::Rule::InsufficientBalance,
                            detail: format!(
                                "{} days asked, {} available of {}",
                                r.days,
                                b.available.max(Decimal::ZERO),
                                policy.name
                            ),
                        }));
                    }
                }
                let at = now();
                let request = Request {
                    status,
                    decided_by: Some(caller.clone()),
                    decided_at: Some(at),
                    decision_note: note,
                    updated_at: at,
                    version: r.version + 1,
                    ..r.clone()
                };
                let line = approve.then(|| taken(&request, &caller, at));
                let events = vec![request_event(for_status(status), &o, &request)];
                Ok(Change { request, read_version: Some(r.version), line, events })
            })
            .await?;
        Ok(change.request)
    }

    /// Cancels a pending or approved request at `read_version`: its member
    /// or a manager; approved leave that has started, a manager only.
    /// Approved days come back through a cancellation entry.
    pub async fn cancel(&self, p: &Principal, id: Uuid, read_version: i64) -> Result<Request, DomainError> {
        p.require(&permissions::READ)?;
        let o = p.organization_id.clone();
        let caller = p.user_id.clone();
        let manages = p.has(&permissions::MANAGE);
        let requests = p.has(&permissions::REQUEST);
        let change = self
            .store
            .change_request(&o, id, |r, s| {
                let is_approver = s.profile.approver_id.as_ref() == Some(&caller);
                if r.user_id != caller && !manages && !is_approver {
                    // Someone who may not see it is told it does not exist.
                    return Err(DomainError::not_found("leave request"));
                }
                stale(r, read_version)?;
                let actor = Actor { is_employee: r.user_id == caller && requests, is_approver, manages };
                request::cancel(r.status, r.span.from, today(), actor).map_err(denied)?;
                Ok(cancellation(&o, r, &caller, None))
            })
            .await?;
        Ok(change.request)
    }

    /// One request: its member, their approver, or a manager.
    pub async fn request(&self, p: &Principal, id: Uuid) -> Result<Request, DomainError> {
        p.require(&permissions::READ)?;
        let request =
            self.store.request(&p.organization_id, id).await?.ok_or_else(|| DomainError::not_found("leave request"))?;
        // Someone who may not see it is told it does not exist.
        self.may_see_requests(p, &request.user_id).await.map_err(|_| DomainError::not_found("leave request"))?;
        Ok(request)
    }

    /// Requests the caller may see, filtered: without `user_id` and
    /// `approver_id`, their own unless they manage.
    pub async fn requests(
        &self,
        p: &Principal,
        mut filter: RequestFilter,
        limit: u32,
    ) -> Result<Vec<Request>, DomainError> {
        p.require(&permissions::READ)?;
        let manages = p.has(&permissions::MANAGE);
        match (&filter.user_id, &filter.approver_id) {
            (Some(user), _) => self.may_see_requests(p, user).await.map_err(named_in("user_id"))?,
            (None, Some(approver)) if manages || (approver == &p.user_id && p.has(&permissions::APPROVE)) => {}
            (None, Some(_)) => {
                return Err(DomainError::Forbidden {
                    detail: "only leave:manage lists another approver's queue".into(),
                });
            }
            (None, None) if manages => {}
            (None, None) => filter.user_id = Some(p.user_id.clone()),
        }
        self.store.requests(&p.organization_id, &filter, limit.clamp(1, 200)).await
    }

    // ---- balances ----

    /// A member's balance of every type as of `day`.
    pub async fn balances(&self, p: &Principal, user: &UserId, day: Date) -> Result<Vec<TypeBalance>, DomainError> {
        plausible(day, "as_of")?;
        self.may_see(p, user).await?;
        let inputs = self.store.balance_inputs(&p.organization_id, user).await?;
        Ok(inputs
            .into_iter()
            .map(|(leave_type, entries, pending)| TypeBalance { balance: balance(&entries, pending, day), leave_type })
            .collect())
    }

    /// A member's ledger (of one type), oldest first.
    pub async fn ledger(
        &self,
        p: &Principal,
        user: &UserId,
        leave_type: Option<Uuid>,
    ) -> Result<Vec<LedgerLine>, DomainError> {
        self.may_see(p, user).await?;
        self.store.ledger(&p.organization_id, user, leave_type).await
    }

    // ---- events ----

    /// `identity.member.removed`: closes the member's profile and cancels
    /// their open requests that start after today, once per event.
    pub async fn member_left(&self, event: &EventEnvelope) -> anyhow::Result<()> {
        let data: events::MemberRemovedData = match events::MEMBER_REMOVED.read(event) {
            Ok(data) => data,
            Err(e) => {
                // Redelivering a misshapen event cannot help: skip it, loudly.
                tracing::warn!(event_id = %event.id, error = %e, "skipping an identity.member.removed event");
                return Ok(());
            }
        };
        let o = OrganizationId::new(data.organization_id);
        let user = UserId::new(data.user_id);
        let handled = HandledEvent::new(events::MEMBERS_CONSUMER, event.id);
        let system = UserId::new("system:identity.member.removed");
        self.store
            .close_profile(&o, &user, today(), &handled, |r| cancellation(&o, r, &system, Some("the member left")))
            .await
            .map_err(|e| anyhow::anyhow!("closing the leave profile of {user}: {e}"))?;
        Ok(())
    }
}

/// The member's other requests as the rules see them.
fn neighbours(s: &Snapshot, leave_type: Uuid, except: Option<Uuid>) -> Vec<Neighbour> {
    s.neighbours
        .iter()
        .filter(|n| Some(n.id) != except)
        .map(|n| Neighbour { span: n.span, days: n.days, same_type: n.leave_type_id == leave_type, status: n.status })
        .collect()
}

fn stale(r: &Request, read_version: i64) -> Result<(), DomainError> {
    if r.version != read_version {
        return Err(DomainError::PreconditionFailed {
            detail: format!("the leave request changed; its current version is {}", r.version),
        });
    }
    Ok(())
}

/// The ledger line of approved `request`: its days taken from its first day.
fn taken(request: &Request, by: &UserId, at: OffsetDateTime) -> LedgerLine {
    LedgerLine {
        entry: Entry {
            id: Uuid::now_v7(),
            kind: EntryKind::Taken,
            days: -request.days,
            on: request.span.from,
            expires_on: None,
            closes: None,
        },
        user_id: request.user_id.clone(),
        leave_type_id: request.leave_type_id,
        request_id: Some(request.id),
        allocation_id: None,
        note: None,
        created_by: by.clone(),
        created_at: at,
    }
}

/// `r` cancelled by `by`: approved days come back.
fn cancellation(o: &OrganizationId, r: &Request, by: &UserId, note: Option<&str>) -> Change {
    let at = now();
    let request = Request {
        status: Status::Cancelled,
        decided_by: Some(by.clone()),
        decided_at: Some(at),
        decision_note: note.map(str::to_owned).or_else(|| r.decision_note.clone()),
        updated_at: at,
        version: r.version + 1,
        ..r.clone()
    };
    let line = (r.status == Status::Approved).then(|| LedgerLine {
        entry: Entry {
            id: Uuid::now_v7(),
            kind: EntryKind::Cancellation,
            days: r.days,
            on: r.span.from,
            expires_on: None,
            closes: None,
        },
        note: note.map(str::to_owned),
        ..taken(&request, by, at)
    });
    let events = vec![request_event(&events::CANCELLED, o, &request)];
    Change { request, read_version: Some(r.version), line, events }
}
