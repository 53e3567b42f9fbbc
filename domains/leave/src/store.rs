//! Leave in SQL, on SQLite and PostgreSQL alike: raw statements through
//! the kernel's `$n` helpers, rows read field by field in `rows`.
//!
//! Every change to a member's requests or ledger runs in one transaction
//! that first writes their profile row (creating the default one if
//! needed): on PostgreSQL that row lock queues a member's changes, on
//! SQLite the write takes the database's lock before anything is read —
//! so two requests never both pass the balance check on the same days.

mod removals;
mod rows;

use std::collections::HashMap;

use anyhow::Context;
use gremlin_kernel::sql::{execute, micros, query_all};
use gremlin_kernel::{DomainError, EventEnvelope, OrganizationId, UserId, outbox};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, QueryResult, TransactionTrait, Value};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

pub use removals::WithdrawalSnapshot;
use removals::{held, hold_calendar, hold_type};
pub use rows::{days_e2, days_of};
use rows::{
    read_allocation, read_calendar, read_entry, read_entry_as, read_feed, read_holiday, read_profile, read_request,
    read_type,
};

use crate::model::days::shift;
use crate::model::{Entry, Holiday, Status};
use crate::ports::{Allocation, Calendar, Feed, LeaveType, LedgerLine, Profile, Request};

/// How far either side of a request its neighbours are read (for
/// overlaps and runs of adjacent requests).
const NEIGHBOURHOOD_DAYS: i64 = 400;

/// Everything the rules need about one member and one leave type, read in
/// the changing transaction after the member's profile is locked.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The member's profile (the default one if none was stored).
    pub profile: Profile,
    /// The type.
    pub leave_type: LeaveType,
    /// The periods of the member's allocations of the type.
    pub periods: Vec<(Date, Date)>,
    /// The member's open requests (any type) near the dates.
    pub neighbours: Vec<Request>,
    /// The member's ledger of the type.
    pub entries: Vec<Entry>,
    /// Days of the member's pending requests of the type.
    pub pending: Decimal,
    /// The holidays of the member's calendar near the dates.
    pub holidays: Vec<Holiday>,
}

/// What a change writes: the request (new, or at the version it was read
/// at), a ledger line, the events.
#[derive(Debug, Clone)]
pub struct Change {
    /// The request after the change.
    pub request: Request,
    /// The version it was read at; `None` for a new request.
    pub read_version: Option<i64>,
    /// The ledger line it writes, if any.
    pub line: Option<LedgerLine>,
    /// The events it publishes.
    pub events: Vec<EventEnvelope>,
}

/// Leave's SQL store.
#[derive(Clone)]
pub struct SqlLeave {
    db: DatabaseConnection,
}

fn backend_error(e: impl Into<anyhow::Error>) -> DomainError {
    DomainError::Backend(e.into())
}

async fn query(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>, DomainError> {
    query_all(conn, sql, values)
        .await
        .with_context(|| format!("running `{}`", sql.split_whitespace().take(4).collect::<Vec<_>>().join(" ")))
        .map_err(DomainError::Backend)
}

fn org(o: &OrganizationId) -> Value {
    o.as_str().to_owned().into()
}

fn text(t: impl ToString) -> Value {
    t.to_string().into()
}

fn opt_text<T: ToString>(t: Option<T>) -> Value {
    t.map(|t| t.to_string()).into()
}

impl SqlLeave {
    /// The store on `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn begin(&self) -> Result<DatabaseTransaction, DomainError> {
        self.db.begin().await.context("starting a leave transaction").map_err(DomainError::Backend)
    }

    // ---- leave types ----

    /// Stores a new type; a type of the same name (without case) is a 409.
    pub async fn insert_type(
        &self,
        o: &OrganizationId,
        t: &LeaveType,
        events: &[EventEnvelope],
    ) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        let sql = "INSERT INTO leave_types (id, organization_id, name, name_key, policy, created_by, created_at_us, \
                   updated_by, updated_at_us, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7, 1) \
                   ON CONFLICT (organization_id, name_key) DO NOTHING";
        let values = vec![
            text(t.id),
            org(o),
            text(&t.policy.name),
            text(t.policy.name.to_lowercase()),
            rows::policy_json(&t.policy)?,
            text(&t.updated_by),
            micros(t.updated_at).into(),
        ];
        let inserted = execute(&txn, sql, values).await.map_err(backend_error)?;
        if inserted == 0 {
            return Err(DomainError::Conflict {
                detail: format!("a leave type named `{}` exists; choose another name", t.policy.name),
            });
        }
        record(&txn, events).await?;
        txn.commit().await.map_err(backend_error)
    }

    /// Replaces a type's policy at `read_version`.
    pub async fn update_type(
        &self,
        o: &OrganizationId,
        t: &LeaveType,
        read_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        let sql = "UPDATE leave_types SET name = $3, name_key = $4, policy = $5, updated_by = $6, updated_at_us = $7, \
                   version = $8 WHERE organization_id = $1 AND id = $2 AND version = $9 \
                   AND NOT EXISTS (SELECT 1 FROM leave_types o WHERE o.organization_id = $1 AND o.name_key = $4 AND o.id <> $2)";
        let values = vec![
            org(o),
            text(t.id),
            text(&t.policy.name),
            text(t.policy.name.to_lowercase()),
            rows::policy_json(&t.policy)?,
            text(&t.updated_by),
            micros(t.updated_at).into(),
            t.version.into(),
            read_version.into(),
        ];
        if execute(&txn, sql, values).await.map_err(backend_error)? == 0 {
            let current = self.get_type_in(&txn, o, t.id).await?;
            return Err(match current {
                None => DomainError::not_found("leave type"),
                Some(c) if c.version != read_version => DomainError::PreconditionFailed {
                    detail: format!("the leave type changed; its current version is {}", c.version),
                },
                Some(_) => DomainError::Conflict {
                    detail: format!("a leave type named `{}` exists; choose another name", t.policy.name),
                },
            });
        }
        record(&txn, events).await?;
        txn.commit().await.map_err(backend_error)
    }

    async fn get_type_in(
        &self,
        conn: &impl ConnectionTrait,
        o: &OrganizationId,
        id: Uuid,
    ) -> Result<Option<LeaveType>, DomainError> {
        let rows =
            query(conn, "SELECT * FROM leave_types WHERE organization_id = $1 AND id = $2", vec![org(o), text(id)])
                .await?;
        rows.first().map(read_type).transpose().map_err(DomainError::Backend)
    }

    /// One type of the organization.
    pub async fn get_type(&self, o: &OrganizationId, id: Uuid) -> Result<Option<LeaveType>, DomainError> {
        self.get_type_in(&self.db, o, id).await
    }

    /// Every type of the organization, by name.
    pub async fn list_types(&self, o: &OrganizationId) -> Result<Vec<LeaveType>, DomainError> {
        let rows =
            query(&self.db, "SELECT * FROM leave_types WHERE organization_id = $1 ORDER BY name_key", vec![org(o)])
                .await?;
        rows.iter().map(read_type).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    // ---- profiles ----

    /// A member's profile; the default one when none is stored.
    pub async fn profile(&self, o: &OrganizationId, user: &UserId) -> Result<Profile, DomainError> {
        profile_in(&self.db, o, user).await
    }

    /// Stores `profile` at `read_version` (0: the default, never stored).
    pub async fn put_profile(
        &self,
        o: &OrganizationId,
        profile: &Profile,
        read_version: i64,
        by: &UserId,
    ) -> Result<Profile, DomainError> {
        let txn = self.begin().await?;
        lock_profile(&txn, o, &profile.user_id).await?;
        if let Some(calendar) = profile.calendar_id {
            hold_calendar(&txn, o, calendar).await?;
        }
        let current = profile_in(&txn, o, &profile.user_id).await?;
        if current.version != read_version {
            return Err(DomainError::PreconditionFailed {
                detail: format!("the profile changed; its current version is {}", current.version),
            });
        }
        let sql = "UPDATE leave_profiles SET approver_id = $3, working_week = $4, started_on = $5, updated_by = $6, \
                   updated_at_us = $7, calendar_id = $8, version = version + 1 WHERE organization_id = $1 AND user_id = $2";
        let values = vec![
            org(o),
            text(&profile.user_id),
            opt_text(profile.approver_id.as_ref()),
            text(profile.week.as_text()),
            opt_text(profile.started_on),
            text(by),
            gremlin_kernel::sql::now_micros().into(),
            opt_text(profile.calendar_id),
        ];
        execute(&txn, sql, values).await.map_err(backend_error)?;
        let stored = profile_in(&txn, o, &profile.user_id).await?;
        txn.commit().await.map_err(backend_error)?;
        Ok(stored)
    }

    // ---- allocations ----

    /// Stores an allocation with its ledger line and events.
    pub async fn insert_allocation(
        &self,
        o: &OrganizationId,
        a: &Allocation,
        line: &LedgerLine,
        events: &[EventEnvelope],
    ) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        lock_profile(&txn, o, &a.user_id).await?;
        hold_type(&txn, o, a.leave_type_id).await?;
        let sql = "INSERT INTO leave_allocations (id, organization_id, user_id, leave_type_id, period_from, period_to, \
                   days_e2, note, created_by, created_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
        let values = vec![
            text(a.id),
            org(o),
            text(&a.user_id),
            text(a.leave_type_id),
            text(a.from),
            text(a.to),
            days_e2(a.days).into(),
            a.note.clone().into(),
            text(&a.created_by),
            micros(a.created_at).into(),
        ];
        execute(&txn, sql, values).await.map_err(backend_error)?;
        insert_line(&txn, o, line, None).await?;
        record(&txn, events).await?;
        txn.commit().await.map_err(backend_error)
    }

    /// A member's allocations (of one type), newest period first.
    pub async fn allocations(
        &self,
        o: &OrganizationId,
        user: &UserId,
        leave_type: Option<Uuid>,
    ) -> Result<Vec<Allocation>, DomainError> {
        let sql = "SELECT * FROM leave_allocations WHERE organization_id = $1 AND user_id = $2 \
                   AND ($3 IS NULL OR leave_type_id = $3) ORDER BY period_from DESC, id";
        let rows = query(&self.db, sql, vec![org(o), text(user), opt_text(leave_type)]).await?;
        rows.iter().map(read_allocation).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    // ---- requests ----

    /// One request of the organization.
    pub async fn request(&self, o: &OrganizationId, id: Uuid) -> Result<Option<Request>, DomainError> {
        request_in(&self.db, o, id).await
    }

    /// Requests of the organization, newest first, filtered; at most
    /// `limit` + 1 (the caller pages).
    pub async fn requests(
        &self,
        o: &OrganizationId,
        filter: &RequestFilter,
        limit: u32,
    ) -> Result<Vec<Request>, DomainError> {
        let mut sql = "SELECT r.* FROM leave_requests r WHERE r.organization_id = $1".to_owned();
        let mut values = vec![org(o)];
        let mut bind = |sql: &mut String, clause: &str, value: Value| {
            values.push(value);
            sql.push_str(&clause.replace("$?", &format!("${}", values.len())));
        };
        if let Some(user) = &filter.user_id {
            bind(&mut sql, " AND r.user_id = $?", text(user));
        }
        if let Some(status) = filter.status {
            bind(&mut sql, " AND r.status = $?", text(status.as_str()));
        }
        if filter.open_only {
            sql.push_str(" AND r.status IN ('pending', 'approved')");
        }
        if let Some(approver) = &filter.approver_id {
            bind(
                &mut sql,
                " AND EXISTS (SELECT 1 FROM leave_profiles p WHERE p.organization_id = r.organization_id \
                 AND p.user_id = r.user_id AND p.approver_id = $?)",
                text(approver),
            );
        }
        if let Some(to) = filter.overlapping_to {
            bind(&mut sql, " AND r.from_on <= $?", text(to));
        }
        if let Some(from) = filter.overlapping_from {
            bind(&mut sql, " AND r.to_on >= $?", text(from));
        }
        if let Some((at, id)) = &filter.before {
            values.push((*at).into());
            let at_n = values.len();
            values.push(text(id));
            sql.push_str(&format!(
                " AND (r.created_at_us < ${at_n} OR (r.created_at_us = ${at_n} AND r.id < ${}))",
                values.len()
            ));
        }
        sql.push_str(&format!(" ORDER BY r.created_at_us DESC, r.id DESC LIMIT {}", limit + 1));
        let rows = query(&self.db, &sql, values).await?;
        rows.iter().map(read_request).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    /// Creates a request: locks the member's profile, reads their
    /// snapshot of `leave_type` around `dates`, and writes what `decide`
    /// makes of it — all in one transaction.
    pub async fn create_request(
        &self,
        o: &OrganizationId,
        user: &UserId,
        leave_type: Uuid,
        dates: (Date, Date),
        decide: impl FnOnce(&Snapshot) -> Result<Change, DomainError>,
    ) -> Result<Change, DomainError> {
        let txn = self.begin().await?;
        lock_profile(&txn, o, user).await?;
        let snapshot = snapshot(&txn, o, user, leave_type, dates).await?;
        let change = decide(&snapshot)?;
        write_change(&txn, o, &change).await?;
        txn.commit().await.map_err(backend_error)?;
        Ok(change)
    }

    /// Changes request `id`: locks its member's profile, reads the request
    /// and the member's snapshot, and writes what `decide` makes of them —
    /// the request at the version read, or 412.
    pub async fn change_request(
        &self,
        o: &OrganizationId,
        id: Uuid,
        decide: impl FnOnce(&Request, &Snapshot) -> Result<Change, DomainError>,
    ) -> Result<Change, DomainError> {
        let Some(first) = self.request(o, id).await? else { return Err(DomainError::not_found("leave request")) };
        let txn = self.begin().await?;
        lock_profile(&txn, o, &first.user_id).await?;
        let Some(request) = request_in(&txn, o, id).await? else { return Err(DomainError::not_found("leave request")) };
        let dates = (request.span.from, request.span.to);
        let snapshot = snapshot(&txn, o, &request.user_id, request.leave_type_id, dates).await?;
        let change = decide(&request, &snapshot)?;
        write_change(&txn, o, &change).await?;
        txn.commit().await.map_err(backend_error)?;
        Ok(change)
    }

    /// Closes a member's profile and applies `cancel` to each of their open
    /// requests starting after `today`, once per `job_key` (an event id).
    /// Returns false when the key was used before.
    pub async fn close_profile(
        &self,
        o: &OrganizationId,
        user: &UserId,
        today: Date,
        handled: &gremlin_kernel::inbox::HandledEvent,
        cancel: impl Fn(&Request) -> Change,
    ) -> Result<bool, DomainError> {
        let txn = self.begin().await?;
        if !gremlin_kernel::inbox::claim(&txn, handled).await.map_err(backend_error)? {
            txn.rollback().await.map_err(backend_error)?;
            return Ok(false);
        }
        lock_profile(&txn, o, user).await?;
        let sql = "UPDATE leave_profiles SET closed_at_us = COALESCE(closed_at_us, $3), version = version + 1 \
                   WHERE organization_id = $1 AND user_id = $2";
        execute(&txn, sql, vec![org(o), text(user), gremlin_kernel::sql::now_micros().into()])
            .await
            .map_err(backend_error)?;
        let sql = "SELECT * FROM leave_requests WHERE organization_id = $1 AND user_id = $2 \
                   AND status IN ('pending', 'approved') AND from_on > $3";
        let open = query(&txn, sql, vec![org(o), text(user), text(today)]).await?;
        for row in &open {
            let request = read_request(row).map_err(DomainError::Backend)?;
            write_change(&txn, o, &cancel(&request)).await?;
        }
        txn.commit().await.map_err(backend_error)?;
        Ok(true)
    }

    // ---- calendars ----

    /// Stores a new calendar with its holidays; a default one takes over
    /// from the previous default. A name already used is a 409.
    pub async fn insert_calendar(&self, o: &OrganizationId, c: &Calendar) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        if c.is_default {
            clear_default(&txn, o).await?;
        }
        let sql = "INSERT INTO leave_calendars (id, organization_id, name, name_key, is_default, updated_by, \
                   updated_at_us, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1) \
                   ON CONFLICT (organization_id, name_key) DO NOTHING";
        let values = vec![
            text(c.id),
            org(o),
            text(&c.name),
            text(c.name.to_lowercase()),
            i64::from(c.is_default).into(),
            text(&c.updated_by),
            micros(c.updated_at).into(),
        ];
        if execute(&txn, sql, values).await.map_err(backend_error)? == 0 {
            return Err(DomainError::Conflict {
                detail: format!("a calendar named `{}` exists; choose another name", c.name),
            });
        }
        insert_holidays(&txn, o, c.id, &c.holidays).await?;
        txn.commit().await.map_err(backend_error)
    }

    /// Replaces a calendar's name, default flag and the holidays of the
    /// dates `replacing` covers (all of them when `None`) at `read_version`.
    pub async fn update_calendar(
        &self,
        o: &OrganizationId,
        c: &Calendar,
        read_version: i64,
        replacing: Option<(Date, Date)>,
    ) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        let lock = "UPDATE leave_calendars SET version = version WHERE organization_id = $1 AND id = $2";
        execute(&txn, lock, vec![org(o), text(c.id)]).await.map_err(backend_error)?;
        let Some(current) = calendar_row(&txn, o, c.id).await? else {
            return Err(DomainError::not_found("holiday calendar"));
        };
        if current.version != read_version {
            return Err(DomainError::PreconditionFailed {
                detail: format!("the calendar changed; its current version is {}", current.version),
            });
        }
        if c.is_default && !current.is_default {
            clear_default(&txn, o).await?;
        }
        let sql = "UPDATE leave_calendars SET name = $3, name_key = $4, is_default = $5, updated_by = $6, \
                   updated_at_us = $7, version = version + 1 WHERE organization_id = $1 AND id = $2 \
                   AND NOT EXISTS (SELECT 1 FROM leave_calendars c WHERE c.organization_id = $1 AND c.name_key = $4 \
                   AND c.id <> $2)";
        let values = vec![
            org(o),
            text(c.id),
            text(&c.name),
            text(c.name.to_lowercase()),
            i64::from(c.is_default).into(),
            text(&c.updated_by),
            micros(c.updated_at).into(),
        ];
        if execute(&txn, sql, values).await.map_err(backend_error)? == 0 {
            return Err(DomainError::Conflict {
                detail: format!("a calendar named `{}` exists; choose another name", c.name),
            });
        }
        let (from, to) = replacing.unwrap_or((Date::MIN, Date::MAX));
        let sql = "DELETE FROM leave_holidays WHERE organization_id = $1 AND calendar_id = $2 \
                   AND on_date >= $3 AND on_date <= $4";
        execute(&txn, sql, vec![org(o), text(c.id), text(from), text(to)]).await.map_err(backend_error)?;
        let kept: Vec<Holiday> = c.holidays.iter().filter(|h| h.date >= from && h.date <= to).cloned().collect();
        insert_holidays(&txn, o, c.id, &kept).await?;
        txn.commit().await.map_err(backend_error)
    }

    /// One calendar with its holidays (from `dates.0` to `dates.1` when given).
    pub async fn calendar(
        &self,
        o: &OrganizationId,
        id: Uuid,
        dates: Option<(Date, Date)>,
    ) -> Result<Option<Calendar>, DomainError> {
        let Some(mut c) = calendar_row(&self.db, o, id).await? else { return Ok(None) };
        c.holidays = holidays_of(&self.db, o, id, dates.unwrap_or((Date::MIN, Date::MAX))).await?;
        Ok(Some(c))
    }

    /// Every calendar of the organization, by name, without holidays.
    pub async fn calendars(&self, o: &OrganizationId) -> Result<Vec<Calendar>, DomainError> {
        let sql = "SELECT * FROM leave_calendars WHERE organization_id = $1 ORDER BY name_key";
        let rows = query(&self.db, sql, vec![org(o)]).await?;
        rows.iter().map(read_calendar).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    /// The holidays from `dates.0` to `dates.1` of `calendar`, or of the
    /// organization's default calendar when `None`.
    pub async fn holidays(
        &self,
        o: &OrganizationId,
        calendar: Option<Uuid>,
        dates: (Date, Date),
    ) -> Result<Vec<Holiday>, DomainError> {
        holidays_in(&self.db, o, calendar, dates).await
    }

    // ---- feeds ----

    /// Stores a feed with the SHA-256 (hex) of its token.
    pub async fn insert_feed(&self, feed: &Feed, token_hash: &str) -> Result<(), DomainError> {
        let sql = "INSERT INTO leave_feeds (id, organization_id, owner_id, scope, token_hash, created_at_us, \
                   revoked_at_us) VALUES ($1, $2, $3, $4, $5, $6, NULL)";
        let values = vec![
            text(feed.id),
            org(&feed.organization_id),
            text(&feed.owner_id),
            text(feed.scope.as_str()),
            text(token_hash),
            micros(feed.created_at).into(),
        ];
        execute(&self.db, sql, values).await.map_err(backend_error)?;
        Ok(())
    }

    /// A member's feeds, newest first.
    pub async fn feeds(&self, o: &OrganizationId, owner: &UserId) -> Result<Vec<Feed>, DomainError> {
        let sql = "SELECT * FROM leave_feeds WHERE organization_id = $1 AND owner_id = $2 ORDER BY created_at_us DESC";
        let rows = query(&self.db, sql, vec![org(o), text(owner)]).await?;
        rows.iter().map(read_feed).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    /// One feed of the organization.
    pub async fn feed(&self, o: &OrganizationId, id: Uuid) -> Result<Option<Feed>, DomainError> {
        let sql = "SELECT * FROM leave_feeds WHERE organization_id = $1 AND id = $2";
        let rows = query(&self.db, sql, vec![org(o), text(id)]).await?;
        rows.first().map(read_feed).transpose().map_err(DomainError::Backend)
    }

    /// The live feed whose token hashes to `token_hash`.
    pub async fn feed_by_token(&self, token_hash: &str) -> Result<Option<Feed>, DomainError> {
        let sql = "SELECT * FROM leave_feeds WHERE token_hash = $1 AND revoked_at_us IS NULL";
        let rows = query(&self.db, sql, vec![text(token_hash)]).await?;
        rows.first().map(read_feed).transpose().map_err(DomainError::Backend)
    }

    /// Revokes a feed (once; revoking again changes nothing).
    pub async fn revoke_feed(&self, o: &OrganizationId, id: Uuid) -> Result<(), DomainError> {
        let sql = "UPDATE leave_feeds SET revoked_at_us = COALESCE(revoked_at_us, $3) \
                   WHERE organization_id = $1 AND id = $2";
        execute(&self.db, sql, vec![org(o), text(id), gremlin_kernel::sql::now_micros().into()])
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    // ---- jobs ----

    /// Every allocation of the organization whose period overlaps `from`
    /// to `to`, but those withdrawn.
    pub async fn allocations_overlapping(
        &self,
        o: &OrganizationId,
        (from, to): (Date, Date),
    ) -> Result<Vec<Allocation>, DomainError> {
        let sql = "SELECT * FROM leave_allocations WHERE organization_id = $1 AND period_from <= $3 \
                   AND period_to >= $2 AND withdrawn_at_us IS NULL ORDER BY user_id, leave_type_id, period_from";
        let rows = query(&self.db, sql, vec![org(o), text(from), text(to)]).await?;
        rows.iter().map(read_allocation).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    /// Every stored profile of the organization.
    pub async fn profiles(&self, o: &OrganizationId) -> Result<Vec<Profile>, DomainError> {
        let rows = query(&self.db, "SELECT * FROM leave_profiles WHERE organization_id = $1", vec![org(o)]).await?;
        rows.iter().map(read_profile).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    /// Carry-forward entries of the organization lapsing on or before `day`.
    pub async fn carries_due(&self, o: &OrganizationId, day: Date) -> Result<Vec<LedgerLine>, DomainError> {
        let sql = "SELECT * FROM leave_ledger WHERE organization_id = $1 AND kind = 'carry_forward' \
                   AND expires_on IS NOT NULL AND expires_on <= $2 ORDER BY on_date, id";
        let rows = query(&self.db, sql, vec![org(o), text(day)]).await?;
        rows.iter().map(rows::read_line).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
    }

    /// Writes a job's ledger line once per `job_key` (in the member's
    /// lock); false when the key was written before.
    pub async fn insert_job_line(
        &self,
        o: &OrganizationId,
        line: &LedgerLine,
        job_key: &str,
        events: &[EventEnvelope],
    ) -> Result<bool, DomainError> {
        let txn = self.begin().await?;
        lock_profile(&txn, o, &line.user_id).await?;
        let written = insert_line(&txn, o, line, Some(job_key)).await?;
        if written {
            record(&txn, events).await?;
        }
        txn.commit().await.map_err(backend_error)?;
        Ok(written)
    }

    // ---- ledger ----

    /// Writes a correction (or any manual entry) to a member's ledger.
    pub async fn insert_line(&self, o: &OrganizationId, line: &LedgerLine) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        lock_profile(&txn, o, &line.user_id).await?;
        hold_type(&txn, o, line.leave_type_id).await?;
        insert_line(&txn, o, line, None).await?;
        txn.commit().await.map_err(backend_error)
    }

    /// A member's ledger lines (of one type), oldest effective first.
    pub async fn ledger(
        &self,
        o: &OrganizationId,
        user: &UserId,
        leave_type: Option<Uuid>,
    ) -> Result<Vec<LedgerLine>, DomainError> {
        ledger_in(&self.db, o, user, leave_type).await
    }

    /// The ledgers of every member of the organization for `leave_types`,
    /// each oldest effective first: what a job reads once for all the
    /// allocations it goes through.
    pub async fn ledgers(
        &self,
        o: &OrganizationId,
        leave_types: &[Uuid],
    ) -> Result<HashMap<(UserId, Uuid), Vec<Entry>>, DomainError> {
        let mut out: HashMap<(UserId, Uuid), Vec<Entry>> = HashMap::new();
        if leave_types.is_empty() {
            return Ok(out);
        }
        let placeholders: Vec<String> = (0..leave_types.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "SELECT * FROM leave_ledger WHERE organization_id = $1 AND leave_type_id IN ({}) \
             ORDER BY user_id, leave_type_id, on_date, created_at_us, id",
            placeholders.join(", ")
        );
        let mut values = vec![org(o)];
        values.extend(leave_types.iter().map(text));
        for row in query(&self.db, &sql, values).await? {
            let line = rows::read_line(&row).map_err(DomainError::Backend)?;
            out.entry((line.user_id, line.leave_type_id)).or_default().push(line.entry);
        }
        Ok(out)
    }

    /// Every type of the organization (by name) with a member's ledger of
    /// it (oldest effective first) and the days of their pending requests
    /// of it — one statement, for the balances.
    pub async fn balance_inputs(
        &self,
        o: &OrganizationId,
        user: &UserId,
    ) -> Result<Vec<(LeaveType, Vec<Entry>, Decimal)>, DomainError> {
        let sql = "SELECT t.id, t.policy, t.updated_by, t.updated_at_us, t.version, \
                   CAST(COALESCE(p.days, 0) AS BIGINT) AS pending_e2, l.id AS l_id, l.kind AS l_kind, \
                   l.days_e2 AS l_days_e2, l.on_date AS l_on_date, l.expires_on AS l_expires_on, l.closes AS l_closes \
                   FROM leave_types t \
                   LEFT JOIN (SELECT leave_type_id, SUM(days_e2) AS days FROM leave_requests \
                   WHERE organization_id = $1 AND user_id = $2 AND status = 'pending' GROUP BY leave_type_id) p \
                   ON p.leave_type_id = t.id \
                   LEFT JOIN leave_ledger l ON l.organization_id = $1 AND l.user_id = $2 AND l.leave_type_id = t.id \
                   WHERE t.organization_id = $1 ORDER BY t.name_key, t.id, l.on_date, l.created_at_us, l.id";
        let rows = query(&self.db, sql, vec![org(o), text(user)]).await?;
        let mut out: Vec<(LeaveType, Vec<Entry>, Decimal)> = Vec::new();
        let read = |row: &QueryResult, out: &mut Vec<(LeaveType, Vec<Entry>, Decimal)>| -> anyhow::Result<()> {
            let id: String = row.try_get("", "id")?;
            if out.last().is_none_or(|(t, _, _)| t.id.to_string() != id) {
                let pending: i64 = row.try_get("", "pending_e2")?;
                out.push((read_type(row)?, Vec::new(), days_of(pending)));
            }
            if row.try_get::<Option<String>>("", "l_id")?.is_some()
                && let Some((_, entries, _)) = out.last_mut()
            {
                entries.push(read_entry_as(row, "l_")?);
            }
            Ok(())
        };
        for row in &rows {
            read(row, &mut out).map_err(DomainError::Backend)?;
        }
        Ok(out)
    }
}

/// What a request list is filtered by.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only this member's.
    pub user_id: Option<UserId>,
    /// Only with this status.
    pub status: Option<Status>,
    /// Only of members this member approves.
    pub approver_id: Option<UserId>,
    /// Only those ending on or after this day.
    pub overlapping_from: Option<Date>,
    /// Only those starting on or before this day.
    pub overlapping_to: Option<Date>,
    /// Only those created before this (µs, id): the page cursor.
    pub before: Option<(i64, Uuid)>,
    /// Only pending and approved ones.
    pub open_only: bool,
}

/// Writes the member's profile row (the default one, at version 0 like an
/// unstored one, if none is stored), taking its lock for the rest of the
/// transaction.
async fn lock_profile(txn: &DatabaseTransaction, o: &OrganizationId, user: &UserId) -> Result<(), DomainError> {
    let sql = "INSERT INTO leave_profiles (organization_id, user_id, approver_id, working_week, started_on, \
               closed_at_us, updated_by, updated_at_us, version) VALUES ($1, $2, NULL, $3, NULL, NULL, $2, $4, 0) \
               ON CONFLICT (organization_id, user_id) DO UPDATE SET version = leave_profiles.version";
    let values = vec![
        org(o),
        text(user),
        text(crate::model::WorkingWeek::default().as_text()),
        gremlin_kernel::sql::now_micros().into(),
    ];
    execute(txn, sql, values).await.map_err(backend_error)?;
    Ok(())
}

async fn profile_in(conn: &impl ConnectionTrait, o: &OrganizationId, user: &UserId) -> Result<Profile, DomainError> {
    let sql = "SELECT * FROM leave_profiles WHERE organization_id = $1 AND user_id = $2";
    let rows = query(conn, sql, vec![org(o), text(user)]).await?;
    match rows.first() {
        Some(row) => read_profile(row).map_err(DomainError::Backend),
        None => Ok(Profile::new(user.clone())),
    }
}

async fn request_in(conn: &impl ConnectionTrait, o: &OrganizationId, id: Uuid) -> Result<Option<Request>, DomainError> {
    let sql = "SELECT * FROM leave_requests WHERE organization_id = $1 AND id = $2";
    let rows = query(conn, sql, vec![org(o), text(id)]).await?;
    rows.first().map(read_request).transpose().map_err(DomainError::Backend)
}

/// A member's ledger lines (of one type), oldest effective first.
async fn ledger_in(
    conn: &impl ConnectionTrait,
    o: &OrganizationId,
    user: &UserId,
    leave_type: Option<Uuid>,
) -> Result<Vec<LedgerLine>, DomainError> {
    let sql = "SELECT * FROM leave_ledger WHERE organization_id = $1 AND user_id = $2 \
               AND ($3 IS NULL OR leave_type_id = $3) ORDER BY on_date, created_at_us, id";
    let rows = query(conn, sql, vec![org(o), text(user), opt_text(leave_type)]).await?;
    rows.iter().map(rows::read_line).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
}

/// Days of a member's pending requests of one type.
async fn pending_in(
    conn: &impl ConnectionTrait,
    o: &OrganizationId,
    user: &UserId,
    leave_type: Uuid,
) -> Result<Decimal, DomainError> {
    let sql = "SELECT CAST(COALESCE(SUM(days_e2), 0) AS BIGINT) AS days FROM leave_requests WHERE organization_id = $1 \
               AND user_id = $2 AND leave_type_id = $3 AND status = 'pending'";
    let rows = query(conn, sql, vec![org(o), text(user), text(leave_type)]).await?;
    let days = rows.first().map(|r| r.try_get::<i64>("", "days")).transpose().context("reading pending days");
    Ok(days.map_err(DomainError::Backend)?.map_or(Decimal::ZERO, days_of))
}

async fn snapshot(
    txn: &DatabaseTransaction,
    o: &OrganizationId,
    user: &UserId,
    leave_type: Uuid,
    dates: (Date, Date),
) -> Result<Snapshot, DomainError> {
    let profile = profile_in(txn, o, user).await?;
    let sql = format!("SELECT * FROM leave_types WHERE organization_id = $1 AND id = $2{}", held(txn));
    let rows = query(txn, &sql, vec![org(o), text(leave_type)]).await?;
    let Some(leave_type_row) = rows.first() else { return Err(DomainError::not_found("leave type")) };
    let leave_type = read_type(leave_type_row).map_err(DomainError::Backend)?;
    let sql = "SELECT period_from, period_to FROM leave_allocations WHERE organization_id = $1 AND user_id = $2 \
               AND leave_type_id = $3 AND withdrawn_at_us IS NULL";
    let periods = query(txn, sql, vec![org(o), text(user), text(leave_type.id)])
        .await?
        .iter()
        .map(|r| Ok((rows::date(r, "period_from")?, rows::date(r, "period_to")?)))
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(DomainError::Backend)?;
    let (before, after) = (shift(dates.0, -NEIGHBOURHOOD_DAYS), shift(dates.1, NEIGHBOURHOOD_DAYS));
    let sql = "SELECT * FROM leave_requests WHERE organization_id = $1 AND user_id = $2 \
               AND status IN ('pending', 'approved') AND to_on >= $3 AND from_on <= $4";
    let neighbours = query(txn, sql, vec![org(o), text(user), text(before), text(after)])
        .await?
        .iter()
        .map(read_request)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(DomainError::Backend)?;
    let sql = "SELECT * FROM leave_ledger WHERE organization_id = $1 AND user_id = $2 AND leave_type_id = $3";
    let entries = query(txn, sql, vec![org(o), text(user), text(leave_type.id)])
        .await?
        .iter()
        .map(read_entry)
        .collect::<anyhow::Result<Vec<_>>>()
        .map_err(DomainError::Backend)?;
    let pending = pending_in(txn, o, user, leave_type.id).await?;
    let holidays = holidays_in(txn, o, profile.calendar_id, (before, after)).await?;
    Ok(Snapshot { profile, leave_type, periods, neighbours, entries, pending, holidays })
}

async fn write_change(txn: &DatabaseTransaction, o: &OrganizationId, change: &Change) -> Result<(), DomainError> {
    let r = &change.request;
    match change.read_version {
        None => {
            let sql = "INSERT INTO leave_requests (id, organization_id, user_id, leave_type_id, from_on, to_on, starts, \
                       ends, days_e2, reason, status, decided_by, decided_at_us, decision_note, created_by, \
                       created_at_us, updated_by, updated_at_us, version) \
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $15, $17, $18)";
            let values = vec![
                text(r.id),
                org(o),
                text(&r.user_id),
                text(r.leave_type_id),
                text(r.span.from),
                text(r.span.to),
                text(r.span.starts.as_str()),
                text(r.span.ends.as_str()),
                days_e2(r.days).into(),
                r.reason.clone().into(),
                text(r.status.as_str()),
                opt_text(r.decided_by.as_ref()),
                r.decided_at.map(micros).into(),
                r.decision_note.clone().into(),
                text(&r.created_by),
                micros(r.created_at).into(),
                micros(r.updated_at).into(),
                r.version.into(),
            ];
            execute(txn, sql, values).await.map_err(backend_error)?;
        }
        Some(read) => {
            let sql = "UPDATE leave_requests SET status = $3, decided_by = $4, decided_at_us = $5, decision_note = $6, \
                       updated_by = $4, updated_at_us = $7, version = $8 \
                       WHERE organization_id = $1 AND id = $2 AND version = $9";
            let values = vec![
                org(o),
                text(r.id),
                text(r.status.as_str()),
                opt_text(r.decided_by.as_ref()),
                r.decided_at.map(micros).into(),
                r.decision_note.clone().into(),
                micros(r.updated_at).into(),
                r.version.into(),
                read.into(),
            ];
            if execute(txn, sql, values).await.map_err(backend_error)? == 0 {
                return Err(DomainError::PreconditionFailed {
                    detail: format!("the leave request changed since version {read}; read it again"),
                });
            }
        }
    }
    if let Some(line) = &change.line {
        insert_line(txn, o, line, None).await?;
    }
    record(txn, &change.events).await
}

async fn insert_line(
    txn: &DatabaseTransaction,
    o: &OrganizationId,
    line: &LedgerLine,
    job_key: Option<&str>,
) -> Result<bool, DomainError> {
    let e = &line.entry;
    let sql = "INSERT INTO leave_ledger (id, organization_id, user_id, leave_type_id, kind, days_e2, on_date, \
               expires_on, closes, request_id, allocation_id, job_key, note, created_by, created_at_us) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
               ON CONFLICT (organization_id, job_key) DO NOTHING";
    let values = vec![
        text(e.id),
        org(o),
        text(&line.user_id),
        text(line.leave_type_id),
        text(e.kind.as_str()),
        days_e2(e.days).into(),
        text(e.on),
        opt_text(e.expires_on),
        opt_text(e.closes),
        opt_text(line.request_id),
        opt_text(line.allocation_id),
        job_key.map(str::to_owned).into(),
        line.note.clone().into(),
        text(&line.created_by),
        micros(line.created_at).into(),
    ];
    Ok(execute(txn, sql, values).await.map_err(backend_error)? == 1)
}

async fn record(txn: &DatabaseTransaction, events: &[EventEnvelope]) -> Result<(), DomainError> {
    for event in events {
        outbox::record(txn, event).await.context("recording a leave event").map_err(DomainError::Backend)?;
    }
    Ok(())
}

async fn clear_default(txn: &DatabaseTransaction, o: &OrganizationId) -> Result<(), DomainError> {
    let sql = "UPDATE leave_calendars SET is_default = 0, version = version + 1 \
               WHERE organization_id = $1 AND is_default = 1";
    execute(txn, sql, vec![org(o)]).await.map_err(backend_error)?;
    Ok(())
}

async fn insert_holidays(
    txn: &DatabaseTransaction,
    o: &OrganizationId,
    calendar: Uuid,
    holidays: &[Holiday],
) -> Result<(), DomainError> {
    for h in holidays {
        let sql = "INSERT INTO leave_holidays (calendar_id, organization_id, on_date, name, half) \
                   VALUES ($1, $2, $3, $4, $5)";
        let values = vec![text(calendar), org(o), text(h.date), text(&h.name), opt_text(h.half.map(|p| p.as_str()))];
        execute(txn, sql, values).await.map_err(backend_error)?;
    }
    Ok(())
}

async fn calendar_row(
    conn: &impl ConnectionTrait,
    o: &OrganizationId,
    id: Uuid,
) -> Result<Option<Calendar>, DomainError> {
    let sql = "SELECT * FROM leave_calendars WHERE organization_id = $1 AND id = $2";
    let rows = query(conn, sql, vec![org(o), text(id)]).await?;
    rows.first().map(read_calendar).transpose().map_err(DomainError::Backend)
}

async fn holidays_of(
    conn: &impl ConnectionTrait,
    o: &OrganizationId,
    calendar: Uuid,
    (from, to): (Date, Date),
) -> Result<Vec<Holiday>, DomainError> {
    let sql = "SELECT * FROM leave_holidays WHERE organization_id = $1 AND calendar_id = $2 \
               AND on_date >= $3 AND on_date <= $4 ORDER BY on_date";
    let rows = query(conn, sql, vec![org(o), text(calendar), text(from), text(to)]).await?;
    rows.iter().map(read_holiday).collect::<anyhow::Result<_>>().map_err(DomainError::Backend)
}

/// The holidays of `calendar`, or of the organization's default one.
async fn holidays_in(
    conn: &impl ConnectionTrait,
    o: &OrganizationId,
    calendar: Option<Uuid>,
    dates: (Date, Date),
) -> Result<Vec<Holiday>, DomainError> {
    let id = match calendar {
        Some(id) => Some(id),
        None => {
            let sql = "SELECT id FROM leave_calendars WHERE organization_id = $1 AND is_default = 1";
            let rows = query(conn, sql, vec![org(o)]).await?;
            rows.first()
                .map(|r| -> anyhow::Result<Uuid> { Ok(Uuid::parse_str(&r.try_get::<String>("", "id")?)?) })
                .transpose()
                .map_err(DomainError::Backend)?
        }
    };
    match id {
        Some(id) => holidays_of(conn, o, id, dates).await,
        None => Ok(Vec::new()),
    }
}

/// Now, at the stored precision (microseconds), in UTC.
pub fn now() -> OffsetDateTime {
    gremlin_kernel::sql::at_storage_precision(OffsetDateTime::now_utc())
}
