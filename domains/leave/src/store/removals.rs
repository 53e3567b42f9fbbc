//! What can be taken away: an unused leave type, an unused holiday
//! calendar, and an allocation (withdrawn, never deleted: its row and
//! ledger stay, a withdrawal entry takes back what it granted).
//!
//! Whatever names a type or a calendar while it is being deleted holds it
//! `FOR SHARE` on PostgreSQL ([`held`]), so a delete and a new request,
//! allocation or profile never both commit; SQLite runs one writer at a
//! time anyway.

use gremlin_kernel::sql::{execute, micros};
use gremlin_kernel::{DomainError, EventEnvelope, OrganizationId};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseTransaction};
use uuid::Uuid;

use super::rows::read_allocation;
use super::{
    SqlLeave, backend_error, calendar_row, insert_line, ledger_in, lock_profile, org, pending_in, query, record, text,
};
use crate::ports::{Allocation, LeaveType, LedgerLine};

/// ` FOR SHARE` on PostgreSQL: a row read with it cannot be deleted until
/// the reading transaction ends.
pub(super) fn held(conn: &impl ConnectionTrait) -> &'static str {
    match conn.get_database_backend() {
        DatabaseBackend::Postgres => " FOR SHARE",
        _ => "",
    }
}

/// Holds leave type `id` for the rest of `txn`; a 404 when it is gone.
pub(super) async fn hold_type(txn: &DatabaseTransaction, o: &OrganizationId, id: Uuid) -> Result<(), DomainError> {
    let sql = format!("SELECT id FROM leave_types WHERE organization_id = $1 AND id = $2{}", held(txn));
    match query(txn, &sql, vec![org(o), text(id)]).await?.first() {
        Some(_) => Ok(()),
        None => Err(DomainError::not_found("leave type")),
    }
}

/// Holds calendar `id` for the rest of `txn`; a 404 when it is gone.
pub(super) async fn hold_calendar(txn: &DatabaseTransaction, o: &OrganizationId, id: Uuid) -> Result<(), DomainError> {
    let sql = format!("SELECT id FROM leave_calendars WHERE organization_id = $1 AND id = $2{}", held(txn));
    match query(txn, &sql, vec![org(o), text(id)]).await?.first() {
        Some(_) => Ok(()),
        None => Err(DomainError::not_found("holiday calendar")),
    }
}

/// What a withdrawal reads in its transaction, for the rules to decide on.
#[derive(Debug, Clone)]
pub struct WithdrawalSnapshot {
    /// The allocation, not withdrawn yet.
    pub allocation: Allocation,
    /// Its type.
    pub leave_type: LeaveType,
    /// The member's ledger of the type.
    pub lines: Vec<LedgerLine>,
    /// Days of the member's pending requests of the type.
    pub pending: Decimal,
}

impl SqlLeave {
    /// Deletes leave type `id` at `read_version` when nothing names it: no
    /// allocation, request or ledger entry (otherwise the rule
    /// `leave_type_in_use`).
    pub async fn delete_type(
        &self,
        o: &OrganizationId,
        id: Uuid,
        read_version: i64,
        events: &[EventEnvelope],
    ) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        let sql = "DELETE FROM leave_types WHERE organization_id = $1 AND id = $2 AND version = $3 \
                   AND NOT EXISTS (SELECT 1 FROM leave_allocations a WHERE a.organization_id = $1 AND a.leave_type_id = $2) \
                   AND NOT EXISTS (SELECT 1 FROM leave_requests r WHERE r.organization_id = $1 AND r.leave_type_id = $2) \
                   AND NOT EXISTS (SELECT 1 FROM leave_ledger l WHERE l.organization_id = $1 AND l.leave_type_id = $2)";
        if execute(&txn, sql, vec![org(o), text(id), read_version.into()]).await.map_err(backend_error)? == 1 {
            record(&txn, events).await?;
            return txn.commit().await.map_err(backend_error);
        }
        Err(match self.get_type_in(&txn, o, id).await? {
            None => DomainError::not_found("leave type"),
            Some(t) if t.version != read_version => DomainError::PreconditionFailed {
                detail: format!("the leave type changed; its current version is {}", t.version),
            },
            Some(t) => DomainError::Rule {
                rule: "leave_type_in_use".into(),
                detail: format!(
                    "{} has allocations, requests or ledger entries; they keep it (change its policy instead)",
                    t.policy.name
                ),
            },
        })
    }

    /// Deletes holiday calendar `id` and its holidays at `read_version`,
    /// unless it is the default (rule `default_calendar`) or a member's
    /// profile names it (rule `calendar_in_use`).
    pub async fn delete_calendar(&self, o: &OrganizationId, id: Uuid, read_version: i64) -> Result<(), DomainError> {
        let txn = self.begin().await?;
        let sql = "DELETE FROM leave_calendars WHERE organization_id = $1 AND id = $2 AND version = $3 \
                   AND is_default = 0 AND NOT EXISTS (SELECT 1 FROM leave_profiles p \
                   WHERE p.organization_id = $1 AND p.calendar_id = $2)";
        if execute(&txn, sql, vec![org(o), text(id), read_version.into()]).await.map_err(backend_error)? == 1 {
            let sql = "DELETE FROM leave_holidays WHERE organization_id = $1 AND calendar_id = $2";
            execute(&txn, sql, vec![org(o), text(id)]).await.map_err(backend_error)?;
            return txn.commit().await.map_err(backend_error);
        }
        Err(match calendar_row(&txn, o, id).await? {
            None => DomainError::not_found("holiday calendar"),
            Some(c) if c.version != read_version => DomainError::PreconditionFailed {
                detail: format!("the calendar changed; its current version is {}", c.version),
            },
            Some(c) if c.is_default => DomainError::Rule {
                rule: "default_calendar".into(),
                detail: format!("{} is the default calendar; make another one the default first", c.name),
            },
            Some(c) => DomainError::Rule {
                rule: "calendar_in_use".into(),
                detail: format!("members' profiles name {}; give them another calendar first", c.name),
            },
        })
    }

    /// One allocation of the organization.
    pub async fn allocation(&self, o: &OrganizationId, id: Uuid) -> Result<Option<Allocation>, DomainError> {
        allocation_in(&self.db, o, id).await
    }

    /// Withdraws allocation `id`: locks its member's profile, reads what
    /// [`WithdrawalSnapshot`] holds, and writes the ledger line and events
    /// `decide` makes of it with the allocation marked withdrawn — all in
    /// one transaction. A withdrawn allocation is a 409, another version
    /// than `read_version` a 412.
    pub async fn withdraw_allocation(
        &self,
        o: &OrganizationId,
        id: Uuid,
        read_version: i64,
        decide: impl FnOnce(&WithdrawalSnapshot) -> Result<(LedgerLine, Vec<EventEnvelope>), DomainError>,
    ) -> Result<Allocation, DomainError> {
        let Some(first) = self.allocation(o, id).await? else {
            return Err(DomainError::not_found("leave allocation"));
        };
        let txn = self.begin().await?;
        lock_profile(&txn, o, &first.user_id).await?;
        let Some(allocation) = allocation_in(&txn, o, id).await? else {
            return Err(DomainError::not_found("leave allocation"));
        };
        if let Some((by, at)) = &allocation.withdrawn {
            return Err(DomainError::Conflict { detail: format!("{by} withdrew this allocation at {at}") });
        }
        if allocation.version() != read_version {
            return Err(DomainError::PreconditionFailed {
                detail: format!("the allocation's current version is {}", allocation.version()),
            });
        }
        let Some(leave_type) = self.get_type_in(&txn, o, allocation.leave_type_id).await? else {
            return Err(DomainError::not_found("leave type"));
        };
        let (user, kind) = (&allocation.user_id, allocation.leave_type_id);
        let lines = ledger_in(&txn, o, user, Some(kind)).await?;
        let pending = pending_in(&txn, o, user, kind).await?;
        let snapshot = WithdrawalSnapshot { allocation, leave_type, lines, pending };
        let (line, events) = decide(&snapshot)?;
        let sql = "UPDATE leave_allocations SET withdrawn_at_us = $3, withdrawn_by = $4 \
                   WHERE organization_id = $1 AND id = $2 AND withdrawn_at_us IS NULL";
        let values = vec![org(o), text(id), micros(line.created_at).into(), text(&line.created_by)];
        execute(&txn, sql, values).await.map_err(backend_error)?;
        insert_line(&txn, o, &line, None).await?;
        record(&txn, &events).await?;
        let withdrawn = allocation_in(&txn, o, id).await?;
        txn.commit().await.map_err(backend_error)?;
        withdrawn.ok_or_else(|| DomainError::not_found("leave allocation"))
    }
}

async fn allocation_in(
    conn: &impl ConnectionTrait,
    o: &OrganizationId,
    id: Uuid,
) -> Result<Option<Allocation>, DomainError> {
    let sql = "SELECT * FROM leave_allocations WHERE organization_id = $1 AND id = $2";
    let rows = query(conn, sql, vec![org(o), text(id)]).await?;
    rows.first().map(read_allocation).transpose().map_err(DomainError::Backend)
}
