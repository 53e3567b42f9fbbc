//! Leave requests: the rules a new request must pass (Frappe HR's leave
//! application, the minimum) and who may decide or cancel one.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::days::{Schedule, Span, shift};
use super::leave_type::LeavePolicy;
use super::ledger::Balance;

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[oai(rename = "LeaveRequestStatus", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for the approver.
    Pending,
    /// Granted: its days are taken in the ledger.
    Approved,
    /// Refused.
    Rejected,
    /// Withdrawn; an approved one gave its days back.
    Cancelled,
}

impl Status {
    /// As stored.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
        }
    }

    /// A stored status.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Rejected, Self::Cancelled].into_iter().find(|s| s.as_str() == text)
    }

    /// Pending or approved: it holds its dates.
    pub const fn is_open(self) -> bool {
        matches!(self, Self::Pending | Self::Approved)
    }
}

/// A rule a request broke; the problem names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The employee's leave profile is closed (they left the organization).
    ProfileClosed,
    /// The request covers no working half day.
    ZeroDays,
    /// Asked too close to its first day.
    Notice,
    /// The employee started too recently for this type.
    NotYetEligible,
    /// No allocation period of the type holds every day of it.
    OutsideAllocation,
    /// Another open request of the employee covers one of its halves.
    Overlap,
    /// With adjacent requests of the type it runs longer than allowed.
    ConsecutiveLimit,
    /// It takes more than the balance holds.
    InsufficientBalance,
}

impl Rule {
    /// Its name in problems (`insufficient_balance`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ProfileClosed => "profile_closed",
            Self::ZeroDays => "zero_days",
            Self::Notice => "notice",
            Self::NotYetEligible => "not_yet_eligible",
            Self::OutsideAllocation => "outside_allocation",
            Self::Overlap => "overlap",
            Self::ConsecutiveLimit => "consecutive_limit",
            Self::InsufficientBalance => "insufficient_balance",
        }
    }
}

/// A broken rule and what broke it, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The rule.
    pub rule: Rule,
    /// What happened and what would pass.
    pub detail: String,
}

fn refuse(rule: Rule, detail: String) -> Refusal {
    Refusal { rule, detail }
}

/// Another request of the same employee, as the rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbour {
    /// Its span.
    pub span: Span,
    /// Its days.
    pub days: Decimal,
    /// Whether it is of the same leave type.
    pub same_type: bool,
    /// Its status.
    pub status: Status,
}

/// Everything a new request is checked against.
#[derive(Debug, Clone)]
pub struct Context<'a> {
    /// The type's policy.
    pub policy: &'a LeavePolicy,
    /// The employee's working week and holidays.
    pub schedule: &'a Schedule,
    /// Whether the employee's profile is closed.
    pub closed: bool,
    /// Their first day of employment, when known.
    pub started_on: Option<Date>,
    /// The periods (first and last day) of their allocations of the type.
    pub periods: &'a [(Date, Date)],
    /// Their other requests (any type, any status).
    pub others: &'a [Neighbour],
    /// Their balance of the type as of the request's first day, pending
    /// requests included.
    pub balance: Balance,
    /// Today, in the organization's reckoning.
    pub today: Date,
}

/// The days `span` takes when it passes every rule, else the first rule
/// it breaks, in this order: closed profile, zero days, notice,
/// eligibility, allocation period, overlap, consecutive limit, balance.
pub fn check(span: &Span, cx: &Context<'_>) -> Result<Decimal, Refusal> {
    let policy = cx.policy;
    if cx.closed {
        return Err(refuse(Rule::ProfileClosed, "the employee's leave profile is closed".into()));
    }
    let days = span.days(cx.schedule, policy.counts_days_off);
    if days.is_zero() {
        return Err(refuse(
            Rule::ZeroDays,
            format!("{} to {} holds no working day of the employee", span.from, span.to),
        ));
    }
    let earliest = shift(cx.today, i64::from(policy.min_notice_days));
    if span.from < earliest {
        return Err(refuse(
            Rule::Notice,
            format!("{} needs {} days' notice: start on {} or later", policy.name, policy.min_notice_days, earliest),
        ));
    }
    if let Some(started) = cx.started_on {
        let eligible = shift(started, i64::from(policy.applicable_after_days));
        if span.from < eligible {
            return Err(refuse(Rule::NotYetEligible, format!("{} can be taken from {eligible}", policy.name)));
        }
    }
    if policy.paid && !cx.periods.iter().any(|(from, to)| *from <= span.from && span.to <= *to) {
        return Err(refuse(
            Rule::OutsideAllocation,
            format!(
                "no allocation of {} holds {} to {}; ask for one or split the request",
                policy.name, span.from, span.to
            ),
        ));
    }
    let open = || cx.others.iter().filter(|o| o.status.is_open());
    if let Some(other) = open().find(|o| o.span.overlaps(span)) {
        return Err(refuse(
            Rule::Overlap,
            format!("another {} request covers {} to {}", other.status.as_str(), other.span.from, other.span.to),
        ));
    }
    if let Some(max) = policy.max_consecutive_days {
        let run = days + consecutive(span, open().filter(|o| o.same_type), cx.schedule);
        if run > max {
            return Err(refuse(
                Rule::ConsecutiveLimit,
                format!("with adjacent {} requests this makes {run} days in a row; at most {max}", policy.name),
            ));
        }
    }
    if policy.paid && !policy.allow_negative && days > cx.balance.available {
        return Err(refuse(
            Rule::InsufficientBalance,
            format!("{days} days asked, {} available of {}", cx.balance.available.max(Decimal::ZERO), policy.name),
        ));
    }
    Ok(days)
}

/// The days of the requests that run into `span` from either side, chain
/// by chain (no working half day between one and the next).
fn consecutive<'a>(span: &Span, same: impl Iterator<Item = &'a Neighbour>, schedule: &Schedule) -> Decimal {
    let mut neighbours: Vec<&Neighbour> = same.collect();
    neighbours.sort_by_key(|n| n.span.from);
    let mut total = Decimal::ZERO;
    let mut edge = *span;
    while let Some(i) = neighbours.iter().position(|n| n.span.runs_into(&edge, schedule)) {
        let before = neighbours.remove(i);
        total += before.days;
        edge = before.span;
    }
    let mut edge = *span;
    while let Some(i) = neighbours.iter().position(|n| edge.runs_into(&n.span, schedule)) {
        let after = neighbours.remove(i);
        total += after.days;
        edge = after.span;
    }
    total
}

/// Who acts on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The actor is the employee whose request it is.
    pub is_employee: bool,
    /// The actor is the employee's approver.
    pub is_approver: bool,
    /// The actor holds `leave:manage`.
    pub manages: bool,
}

/// Why an action on a request is not allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// The actor may not (403).
    Forbidden(String),
    /// Not from this status (409).
    Conflict(String),
}

/// The status a decision gives: only a pending request is decided, by
/// the employee's approver or a manager, never by the employee.
pub fn decide(status: Status, actor: Actor, approve: bool) -> Result<Status, Denied> {
    if actor.is_employee {
        return Err(Denied::Forbidden("nobody decides their own leave request".into()));
    }
    if !actor.is_approver && !actor.manages {
        return Err(Denied::Forbidden("only the employee's approver or a member with leave:manage decides".into()));
    }
    if status != Status::Pending {
        return Err(Denied::Conflict(format!("the request is {}; only a pending one is decided", status.as_str())));
    }
    Ok(if approve { Status::Approved } else { Status::Rejected })
}

/// Cancels a pending or approved request: its employee or a manager may;
/// approved leave that has already started needs a manager.
pub fn cancel(status: Status, first_day: Date, today: Date, actor: Actor) -> Result<Status, Denied> {
    if !actor.is_employee && !actor.manages {
        return Err(Denied::Forbidden("only the employee or a member with leave:manage cancels".into()));
    }
    if !status.is_open() {
        return Err(Denied::Conflict(format!("the request is already {}", status.as_str())));
    }
    if status == Status::Approved && first_day <= today && !actor.manages {
        return Err(Denied::Forbidden("cancelling approved leave that has started needs leave:manage".into()));
    }
    Ok(Status::Cancelled)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::model::days::{DayPart, Halves};
    use crate::model::leave_type::Unit;

    fn policy() -> LeavePolicy {
        LeavePolicy {
            name: "Annual leave".into(),
            unit: Unit::Days,
            paid: true,
            allow_negative: false,
            counts_days_off: false,
            max_consecutive_days: Some(Decimal::from(10)),
            min_notice_days: 3,
            applicable_after_days: 90,
            carry_forward_cap: None,
            carry_forward_expiry_days: None,
            requires_approval: true,
            accrual: None,
        }
    }

    const TODAY: Date = date!(2026 - 11 - 30);
    const PERIODS: &[(Date, Date)] = &[(date!(2026 - 01 - 01), date!(2026 - 12 - 31))];

    fn cx<'a>(policy: &'a LeavePolicy, schedule: &'a Schedule, others: &'a [Neighbour], available: i64) -> Context<'a> {
        Context {
            policy,
            schedule,
            closed: false,
            started_on: Some(date!(2026 - 01 - 05)),
            periods: PERIODS,
            others,
            balance: Balance { available: Decimal::from(available), ..Balance::default() },
            today: TODAY,
        }
    }

    fn rule(span: Span, cx: &Context<'_>) -> Option<Rule> {
        check(&span, cx).err().map(|r| r.rule)
    }

    fn whole(from: Date, to: Date) -> Span {
        Span::whole(from, to).unwrap()
    }

    #[test]
    fn a_request_that_passes_takes_its_working_days() {
        let (p, s) = (policy(), Schedule::default());
        // Thursday 10 to Tuesday 15 December: 4 working days.
        assert_eq!(check(&whole(date!(2026 - 12 - 10), date!(2026 - 12 - 15)), &cx(&p, &s, &[], 20)), Ok(4.into()));
    }

    #[test]
    fn each_rule_is_named() {
        let (p, s) = (policy(), Schedule::default());
        let c = cx(&p, &s, &[], 20);
        assert_eq!(rule(whole(date!(2026 - 12 - 12), date!(2026 - 12 - 13)), &c), Some(Rule::ZeroDays));
        assert_eq!(rule(whole(date!(2026 - 12 - 02), date!(2026 - 12 - 02)), &c), Some(Rule::Notice));
        assert_eq!(rule(whole(date!(2026 - 12 - 30), date!(2027 - 01 - 04)), &c), Some(Rule::OutsideAllocation));
        let mut young = cx(&p, &s, &[], 20);
        young.started_on = Some(date!(2026 - 11 - 01));
        assert_eq!(rule(whole(date!(2026 - 12 - 10), date!(2026 - 12 - 10)), &young), Some(Rule::NotYetEligible));
        let poor = cx(&p, &s, &[], 3);
        assert_eq!(rule(whole(date!(2026 - 12 - 07), date!(2026 - 12 - 10)), &poor), Some(Rule::InsufficientBalance));
        let mut closed = cx(&p, &s, &[], 20);
        closed.closed = true;
        assert_eq!(rule(whole(date!(2026 - 12 - 10), date!(2026 - 12 - 10)), &closed), Some(Rule::ProfileClosed));
    }

    #[test]
    fn unpaid_and_negative_types_skip_the_balance() {
        let s = Schedule::default();
        let span = whole(date!(2027 - 02 - 01), date!(2027 - 02 - 03));
        let unpaid = LeavePolicy { paid: false, ..policy() };
        assert_eq!(check(&span, &cx(&unpaid, &s, &[], 0)), Ok(3.into()));
        let negative = LeavePolicy { allow_negative: true, ..policy() };
        let in_period = whole(date!(2026 - 12 - 07), date!(2026 - 12 - 09));
        assert_eq!(check(&in_period, &cx(&negative, &s, &[], 0)), Ok(3.into()));
    }

    #[test]
    fn open_requests_block_their_halves_only() {
        let (p, s) = (policy(), Schedule::default());
        let d = date!(2026 - 12 - 10);
        let morning = Neighbour {
            span: Span::new(d, d, DayPart::Morning, DayPart::Morning).unwrap(),
            days: Decimal::new(5, 1),
            same_type: false,
            status: Status::Pending,
        };
        let afternoon = Span::new(d, d, DayPart::Afternoon, DayPart::Afternoon).unwrap();
        assert_eq!(afternoon.halves(d), Halves::only(DayPart::Afternoon));
        let others = [morning.clone()];
        assert!(check(&afternoon, &cx(&p, &s, &others, 20)).is_ok());
        assert_eq!(rule(whole(d, d), &cx(&p, &s, &others, 20)), Some(Rule::Overlap));
        let rejected = [Neighbour { status: Status::Rejected, ..morning }];
        assert!(check(&whole(d, d), &cx(&p, &s, &rejected, 20)).is_ok());
    }

    #[test]
    fn adjacent_requests_of_the_type_count_together() {
        let (p, s) = (policy(), Schedule::default());
        // Approved Mon 7 - Fri 11 December (5 days); asking Mon 14 - Fri 18 (5) makes 10: allowed.
        let week = Neighbour {
            span: whole(date!(2026 - 12 - 07), date!(2026 - 12 - 11)),
            days: 5.into(),
            same_type: true,
            status: Status::Approved,
        };
        let others = [week.clone()];
        assert!(check(&whole(date!(2026 - 12 - 14), date!(2026 - 12 - 18)), &cx(&p, &s, &others, 20)).is_ok());
        // One more day, on the Monday after: 11.
        let next_week = whole(date!(2026 - 12 - 14), date!(2026 - 12 - 21));
        assert_eq!(rule(next_week, &cx(&p, &s, &others, 20)), Some(Rule::ConsecutiveLimit));
        // Another type's leave does not join the run.
        let other_type = [Neighbour { same_type: false, ..week }];
        assert!(check(&next_week, &cx(&p, &s, &other_type, 20)).is_ok());
    }

    fn actor(is_employee: bool, is_approver: bool, manages: bool) -> Actor {
        Actor { is_employee, is_approver, manages }
    }

    #[test]
    fn the_approver_or_a_manager_decides_never_the_employee() {
        assert_eq!(decide(Status::Pending, actor(false, true, false), true), Ok(Status::Approved));
        assert_eq!(decide(Status::Pending, actor(false, false, true), false), Ok(Status::Rejected));
        assert!(matches!(decide(Status::Pending, actor(true, true, true), true), Err(Denied::Forbidden(_))));
        assert!(matches!(decide(Status::Pending, actor(false, false, false), true), Err(Denied::Forbidden(_))));
        assert!(matches!(decide(Status::Approved, actor(false, true, false), false), Err(Denied::Conflict(_))));
    }

    #[test]
    fn started_approved_leave_is_cancelled_by_a_manager_only() {
        let started = TODAY - time::Duration::days(1);
        let employee = actor(true, false, false);
        assert_eq!(cancel(Status::Pending, started, TODAY, employee), Ok(Status::Cancelled));
        assert_eq!(cancel(Status::Approved, TODAY + time::Duration::days(5), TODAY, employee), Ok(Status::Cancelled));
        assert!(matches!(cancel(Status::Approved, started, TODAY, employee), Err(Denied::Forbidden(_))));
        assert_eq!(cancel(Status::Approved, started, TODAY, actor(false, false, true)), Ok(Status::Cancelled));
        assert!(matches!(cancel(Status::Rejected, started, TODAY, employee), Err(Denied::Conflict(_))));
        assert!(matches!(
            cancel(Status::Pending, started, TODAY, actor(false, true, false)),
            Err(Denied::Forbidden(_))
        ));
    }
}
