//! Taking away what a manager set up: an unused leave type or calendar is
//! deleted, an allocation is withdrawn (its grant taken back by a ledger
//! entry, its row kept for the record).

use gremlin_kernel::{DomainError, Principal};
use uuid::Uuid;

use super::{LeaveService, free_text};
use crate::model::ledger::{WithdrawalRefusal, withdrawal};
use crate::model::{Entry, EntryKind};
use crate::ports::{Allocation, LedgerLine};
use crate::store::now;
use crate::{events, permissions};

impl LeaveService {
    /// Deletes a leave type at `read_version` (`leave:manage`) when no
    /// allocation, request or ledger entry names it (rule
    /// `leave_type_in_use`).
    pub async fn delete_type(&self, p: &Principal, id: Uuid, read_version: i64) -> Result<(), DomainError> {
        p.require(&permissions::MANAGE)?;
        let t = self.get_type(p, id).await?;
        let event = events::type_event(&events::TYPE_DELETED, &p.organization_id, id, &t.policy.name, read_version);
        self.store.delete_type(&p.organization_id, id, read_version, &[event]).await
    }

    /// Deletes a holiday calendar and its holidays at `read_version`
    /// (`leave:manage`), unless it is the default (rule
    /// `default_calendar`) or a profile names it (rule `calendar_in_use`).
    pub async fn delete_calendar(&self, p: &Principal, id: Uuid, read_version: i64) -> Result<(), DomainError> {
        p.require(&permissions::MANAGE)?;
        self.store.delete_calendar(&p.organization_id, id, read_version).await
    }

    /// One allocation (the member or `leave:manage`).
    pub async fn allocation(&self, p: &Principal, id: Uuid) -> Result<Allocation, DomainError> {
        p.require(&permissions::READ)?;
        let not_found = || DomainError::not_found("leave allocation");
        let a = self.store.allocation(&p.organization_id, id).await?.ok_or_else(not_found)?;
        // Someone who may not see it is told it does not exist.
        self.may_see(p, &a.user_id).await.map_err(|_| not_found())?;
        Ok(a)
    }

    /// Withdraws an allocation (`leave:manage`): a withdrawal entry takes
    /// back what it granted, accruals included, and it stops counting for
    /// periods and jobs. Refused once its period was rolled over (rule
    /// `allocation_rolled_over`) or while leave taken, booked or pending
    /// needs its days (rule `allocation_in_use`) unless the type allows a
    /// negative balance.
    pub async fn withdraw(
        &self,
        p: &Principal,
        id: Uuid,
        read_version: i64,
        note: Option<String>,
    ) -> Result<Allocation, DomainError> {
        p.require(&permissions::MANAGE)?;
        let note = free_text(note, "note", 500)?.or_else(|| Some("allocation withdrawn".into()));
        let o = p.organization_id.clone();
        let by = p.user_id.clone();
        self.store
            .withdraw_allocation(&o, id, read_version, |s| {
                let a = &s.allocation;
                let entries: Vec<Entry> = s.lines.iter().map(|l| l.entry.clone()).collect();
                let of_it: Vec<Entry> =
                    s.lines.iter().filter(|l| l.allocation_id == Some(a.id)).map(|l| l.entry.clone()).collect();
                let policy = &s.leave_type.policy;
                let days = withdrawal(&of_it, &entries, s.pending, policy.allow_negative).map_err(|r| match r {
                    WithdrawalRefusal::RolledOver => DomainError::Rule {
                        rule: "allocation_rolled_over".into(),
                        detail: format!("the period ending {} was rolled over; correct the ledger instead", a.to),
                    },
                    WithdrawalRefusal::InUse { short } => DomainError::Rule {
                        rule: "allocation_in_use".into(),
                        detail: format!(
                            "leave taken, booked or pending of {} would exceed the balance by {short} days; \
                             cancel it first or correct the ledger",
                            policy.name
                        ),
                    },
                })?;
                let line = LedgerLine {
                    entry: Entry {
                        id: Uuid::now_v7(),
                        kind: EntryKind::Withdrawal,
                        days,
                        on: a.from,
                        expires_on: None,
                        closes: None,
                    },
                    user_id: a.user_id.clone(),
                    leave_type_id: a.leave_type_id,
                    request_id: None,
                    allocation_id: Some(a.id),
                    note: note.clone(),
                    created_by: by.clone(),
                    created_at: now(),
                };
                Ok((line, vec![events::withdrawal_event(&o, a, -days)]))
            })
            .await
    }
}
