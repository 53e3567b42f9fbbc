//! Rows to leave's types and back: days as 1/100 integers, dates as
//! `YYYY-MM-DD` text, times as microseconds, the policy as JSON text.

use anyhow::Context;
use gremlin_kernel::sql::from_micros;
use gremlin_kernel::{DomainError, UserId};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{QueryResult, TryGetable, Value};
use time::Date;
use uuid::Uuid;

use crate::model::Holiday;
use crate::model::{DayPart, Entry, EntryKind, LeavePolicy, Span, Status, WorkingWeek};
use crate::ports::{Allocation, Calendar, Feed, FeedScope, LeaveType, LedgerLine, Profile, Request};

/// `days` in 1/100 day (days are in steps of 0.25 or 0.5).
pub fn days_e2(days: Decimal) -> i64 {
    (days * Decimal::ONE_HUNDRED).round().to_i64().unwrap_or(0)
}

/// 1/100 days as days.
pub fn days_of(e2: i64) -> Decimal {
    Decimal::new(e2, 2).normalize()
}

pub(super) fn policy_json(policy: &LeavePolicy) -> Result<Value, DomainError> {
    serde_json::to_string(policy).map(Value::from).context("writing a leave policy").map_err(DomainError::Backend)
}

fn get<T: TryGetable>(row: &QueryResult, column: &str) -> anyhow::Result<T> {
    row.try_get("", column).with_context(|| format!("reading column `{column}`"))
}

fn uuid(row: &QueryResult, column: &str) -> anyhow::Result<Uuid> {
    let text: String = get(row, column)?;
    Uuid::parse_str(&text).with_context(|| format!("stored id `{text}`"))
}

fn opt_uuid(row: &QueryResult, column: &str) -> anyhow::Result<Option<Uuid>> {
    let text: Option<String> = get(row, column)?;
    text.map(|t| Uuid::parse_str(&t).with_context(|| format!("stored id `{t}`"))).transpose()
}

fn parse_date(text: &str) -> anyhow::Result<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).with_context(|| format!("stored date `{text}`"))
}

pub(super) fn date(row: &QueryResult, column: &str) -> anyhow::Result<Date> {
    parse_date(&get::<String>(row, column)?)
}

fn opt_date(row: &QueryResult, column: &str) -> anyhow::Result<Option<Date>> {
    get::<Option<String>>(row, column)?.map(|t| parse_date(&t)).transpose()
}

fn user(row: &QueryResult, column: &str) -> anyhow::Result<UserId> {
    Ok(UserId::new(get::<String>(row, column)?))
}

fn opt_user(row: &QueryResult, column: &str) -> anyhow::Result<Option<UserId>> {
    Ok(get::<Option<String>>(row, column)?.map(UserId::new))
}

pub(super) fn read_type(row: &QueryResult) -> anyhow::Result<LeaveType> {
    let policy: String = get(row, "policy")?;
    Ok(LeaveType {
        id: uuid(row, "id")?,
        policy: serde_json::from_str(&policy).context("stored leave policy")?,
        updated_by: user(row, "updated_by")?,
        updated_at: from_micros(get(row, "updated_at_us")?)?,
        version: get(row, "version")?,
    })
}

pub(super) fn read_profile(row: &QueryResult) -> anyhow::Result<Profile> {
    let week: String = get(row, "working_week")?;
    Ok(Profile {
        user_id: user(row, "user_id")?,
        approver_id: opt_user(row, "approver_id")?,
        week: WorkingWeek::parse(&week).with_context(|| format!("stored working week `{week}`"))?,
        started_on: opt_date(row, "started_on")?,
        calendar_id: opt_uuid(row, "calendar_id")?,
        closed_at: get::<Option<i64>>(row, "closed_at_us")?.map(from_micros).transpose()?,
        version: get(row, "version")?,
    })
}

/// A calendar row, without its holidays.
pub(super) fn read_calendar(row: &QueryResult) -> anyhow::Result<Calendar> {
    Ok(Calendar {
        id: uuid(row, "id")?,
        name: get(row, "name")?,
        is_default: get::<i64>(row, "is_default")? == 1,
        holidays: Vec::new(),
        updated_by: user(row, "updated_by")?,
        updated_at: from_micros(get(row, "updated_at_us")?)?,
        version: get(row, "version")?,
    })
}

pub(super) fn read_holiday(row: &QueryResult) -> anyhow::Result<Holiday> {
    let half: Option<String> = get(row, "half")?;
    Ok(Holiday {
        date: date(row, "on_date")?,
        name: get(row, "name")?,
        half: half.map(|h| DayPart::parse(&h).with_context(|| format!("stored half `{h}`"))).transpose()?,
    })
}

pub(super) fn read_feed(row: &QueryResult) -> anyhow::Result<Feed> {
    let scope: String = get(row, "scope")?;
    Ok(Feed {
        id: uuid(row, "id")?,
        organization_id: gremlin_kernel::OrganizationId::new(get::<String>(row, "organization_id")?),
        owner_id: user(row, "owner_id")?,
        scope: FeedScope::parse(&scope).with_context(|| format!("stored feed scope `{scope}`"))?,
        created_at: from_micros(get(row, "created_at_us")?)?,
        revoked_at: get::<Option<i64>>(row, "revoked_at_us")?.map(from_micros).transpose()?,
    })
}

pub(super) fn read_allocation(row: &QueryResult) -> anyhow::Result<Allocation> {
    Ok(Allocation {
        id: uuid(row, "id")?,
        user_id: user(row, "user_id")?,
        leave_type_id: uuid(row, "leave_type_id")?,
        from: date(row, "period_from")?,
        to: date(row, "period_to")?,
        days: days_of(get(row, "days_e2")?),
        note: get(row, "note")?,
        created_by: user(row, "created_by")?,
        created_at: from_micros(get(row, "created_at_us")?)?,
        withdrawn: match (opt_user(row, "withdrawn_by")?, get::<Option<i64>>(row, "withdrawn_at_us")?) {
            (Some(by), Some(at)) => Some((by, from_micros(at)?)),
            _ => None,
        },
    })
}

pub(super) fn read_request(row: &QueryResult) -> anyhow::Result<Request> {
    let part = |column: &str| -> anyhow::Result<DayPart> {
        let t: String = get(row, column)?;
        DayPart::parse(&t).with_context(|| format!("stored day part `{t}`"))
    };
    let status: String = get(row, "status")?;
    let span = Span::new(date(row, "from_on")?, date(row, "to_on")?, part("starts")?, part("ends")?)
        .map_err(|e| anyhow::anyhow!("stored span: {e:?}"))?;
    Ok(Request {
        id: uuid(row, "id")?,
        user_id: user(row, "user_id")?,
        leave_type_id: uuid(row, "leave_type_id")?,
        span,
        days: days_of(get(row, "days_e2")?),
        reason: get(row, "reason")?,
        status: Status::parse(&status).with_context(|| format!("stored status `{status}`"))?,
        decided_by: opt_user(row, "decided_by")?,
        decided_at: get::<Option<i64>>(row, "decided_at_us")?.map(from_micros).transpose()?,
        decision_note: get(row, "decision_note")?,
        created_by: user(row, "created_by")?,
        created_at: from_micros(get(row, "created_at_us")?)?,
        updated_at: from_micros(get(row, "updated_at_us")?)?,
        version: get(row, "version")?,
    })
}

pub(super) fn read_entry(row: &QueryResult) -> anyhow::Result<Entry> {
    read_entry_as(row, "")
}

/// An entry whose columns carry `prefix` (`l_id`, `l_kind`, …), as a join
/// names them.
pub(super) fn read_entry_as(row: &QueryResult, prefix: &str) -> anyhow::Result<Entry> {
    let column = |name: &str| format!("{prefix}{name}");
    let kind: String = get(row, &column("kind"))?;
    Ok(Entry {
        id: uuid(row, &column("id"))?,
        kind: EntryKind::parse(&kind).with_context(|| format!("stored entry kind `{kind}`"))?,
        days: days_of(get(row, &column("days_e2"))?),
        on: date(row, &column("on_date"))?,
        expires_on: opt_date(row, &column("expires_on"))?,
        closes: opt_uuid(row, &column("closes"))?,
    })
}

pub(super) fn read_line(row: &QueryResult) -> anyhow::Result<LedgerLine> {
    Ok(LedgerLine {
        entry: read_entry(row)?,
        user_id: user(row, "user_id")?,
        leave_type_id: uuid(row, "leave_type_id")?,
        request_id: opt_uuid(row, "request_id")?,
        allocation_id: opt_uuid(row, "allocation_id")?,
        note: get(row, "note")?,
        created_by: user(row, "created_by")?,
        created_at: from_micros(get(row, "created_at_us")?)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_in_hundredths() {
        for d in [Decimal::new(5, 1), Decimal::new(125, 2), Decimal::from(20), Decimal::from(-3)] {
            assert_eq!(days_of(days_e2(d)), d.normalize());
        }
    }
}
