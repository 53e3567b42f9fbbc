//! The ledger's jobs, each safe to re-run for the same period: every entry
//! a job writes carries a key unique in the organization (`accrual:<allocation>:<month>`,
//! `rollover:lapse:<allocation>`, `rollover:carry:<allocation>`,
//! `carry-expiry:<entry>`), so a second run writes nothing the first did.
//!
//! A job reads the ledgers it needs once (one statement for the
//! organization), then keeps them current in memory with what it writes,
//! so a member's second allocation or carry sees the first one's entries.

use std::collections::HashMap;

use gremlin_kernel::{DomainError, Principal, UserId};
use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use super::{LeaveService, plausible};
use crate::model::accrual::{earned_in, month_end, month_start, rollover};
use crate::model::days::shift;
use crate::model::{Entry, EntryKind, balance, ledger::unused_carry};
use crate::ports::{Allocation, LedgerLine};
use crate::store::now;
use crate::{events, permissions};

/// What a job run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobRun {
    /// Entries written by this run.
    pub written: u32,
    /// Entries an earlier run had written already.
    pub already: u32,
}

fn line(a: &Allocation, kind: EntryKind, days: Decimal, on: Date, by: &UserId) -> LedgerLine {
    LedgerLine {
        entry: Entry { id: Uuid::now_v7(), kind, days, on, expires_on: None, closes: None },
        user_id: a.user_id.clone(),
        leave_type_id: a.leave_type_id,
        request_id: None,
        allocation_id: Some(a.id),
        note: None,
        created_by: by.clone(),
        created_at: now(),
    }
}

impl LeaveService {
    /// Writes `line` once per `key`, adding it to `ledger` (the member's
    /// entries of its type as the job sees them) when it was new.
    async fn write(
        &self,
        p: &Principal,
        run: &mut JobRun,
        line: &LedgerLine,
        key: String,
        ledger: Option<&mut Vec<Entry>>,
    ) -> Result<(), DomainError> {
        let events = match line.entry.kind {
            EntryKind::Expiry => vec![events::expiry_event(&p.organization_id, line)],
            _ => Vec::new(),
        };
        if self.store.insert_job_line(&p.organization_id, line, &key, &events).await? {
            run.written += 1;
            if let Some(ledger) = ledger {
                ledger.push(line.entry.clone());
            }
        } else {
            run.already += 1;
        }
        Ok(())
    }

    /// Monthly accrual for the month holding `month` (`leave:manage`): for
    /// every allocation of a type that accrues and whose period overlaps
    /// the month, the days earned in it (pro-rated from the member's start,
    /// on the rounded running total), dated the month's first day.
    pub async fn accrue(&self, p: &Principal, month: Date) -> Result<JobRun, DomainError> {
        p.require(&permissions::MANAGE)?;
        let month = plausible(month, "month")?;
        let (first, last) = (month_start(month), month_end(month));
        let o = &p.organization_id;
        let types: HashMap<Uuid, _> = self.store.list_types(o).await?.into_iter().map(|t| (t.id, t)).collect();
        let started: HashMap<UserId, Option<Date>> =
            self.store.profiles(o).await?.into_iter().map(|p| (p.user_id, p.started_on)).collect();
        let mut run = JobRun::default();
        for a in self.store.allocations_overlapping(o, (first, last)).await? {
            let Some(accrual) = types.get(&a.leave_type_id).and_then(|t| t.policy.accrual) else { continue };
            let start = started.get(&a.user_id).copied().flatten();
            let days = earned_in(&accrual, (a.from, a.to), start, month);
            if days.is_zero() {
                continue;
            }
            let entry = line(&a, EntryKind::Accrual, days, first.max(a.from), &p.user_id);
            self.write(p, &mut run, &entry, format!("accrual:{}:{}", a.id, &first.to_string()[..7]), None).await?;
        }
        Ok(run)
    }

    /// The yearly roll-over of every allocation whose period ends on
    /// `period_end` (`leave:manage`): what is left of it then (granted less
    /// taken and lapsed, leave booked later not counted) lapses the next
    /// day, and up to the type's cap comes back as carried days (used
    /// first, lapsing after the type's expiry days). A negative balance is
    /// left as it is.
    pub async fn roll_over(&self, p: &Principal, period_end: Date) -> Result<JobRun, DomainError> {
        p.require(&permissions::MANAGE)?;
        let period_end = plausible(period_end, "period_end")?;
        let o = &p.organization_id;
        let types: HashMap<Uuid, _> = self.store.list_types(o).await?.into_iter().map(|t| (t.id, t)).collect();
        let next = shift(period_end, 1);
        let ending: Vec<Allocation> = self
            .store
            .allocations_overlapping(o, (period_end, period_end))
            .await?
            .into_iter()
            .filter(|a| a.to == period_end && types.get(&a.leave_type_id).is_some_and(|t| t.policy.paid))
            .collect();
        let mut kinds: Vec<Uuid> = ending.iter().map(|a| a.leave_type_id).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut ledgers = self.store.ledgers(o, &kinds).await?;
        let mut run = JobRun::default();
        for a in &ending {
            let Some(t) = types.get(&a.leave_type_id) else { continue };
            let entries = ledgers.entry((a.user_id.clone(), a.leave_type_id)).or_default();
            let b = balance(entries, Decimal::ZERO, period_end);
            let unused = b.granted - b.taken - b.expired;
            let r = rollover(&t.policy, unused, next);
            if unused > Decimal::ZERO {
                let lapse = line(a, EntryKind::Expiry, -unused, next, &p.user_id);
                self.write(p, &mut run, &lapse, format!("rollover:lapse:{}", a.id), Some(entries)).await?;
            }
            if r.carried > Decimal::ZERO {
                let mut carry = line(a, EntryKind::CarryForward, r.carried, next, &p.user_id);
                carry.entry.expires_on = r.carried_expire_on;
                self.write(p, &mut run, &carry, format!("rollover:carry:{}", a.id), Some(entries)).await?;
            }
        }
        Ok(run)
    }

    /// Writes the expiry of every carry-forward lapsing on or before
    /// `as_of` (`leave:manage`): what is left of its days, dated its
    /// expiry. Balances already count the lapse; the entry records it.
    pub async fn expire_carried(&self, p: &Principal, as_of: Date) -> Result<JobRun, DomainError> {
        p.require(&permissions::MANAGE)?;
        let as_of = plausible(as_of, "as_of")?;
        let o = &p.organization_id;
        let due = self.store.carries_due(o, as_of).await?;
        let mut kinds: Vec<Uuid> = due.iter().map(|c| c.leave_type_id).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut ledgers = self.store.ledgers(o, &kinds).await?;
        let mut run = JobRun::default();
        for carry in due {
            let Some(expires_on) = carry.entry.expires_on else { continue };
            let entries = ledgers.entry((carry.user_id.clone(), carry.leave_type_id)).or_default();
            let unused = unused_carry(&carry.entry, entries);
            if unused.is_zero() {
                continue;
            }
            let expiry = LedgerLine {
                entry: Entry {
                    id: Uuid::now_v7(),
                    kind: EntryKind::Expiry,
                    days: -unused,
                    on: expires_on,
                    expires_on: None,
                    closes: Some(carry.entry.id),
                },
                note: Some("carried days lapsed".into()),
                created_by: p.user_id.clone(),
                created_at: now(),
                ..carry.clone()
            };
            self.write(p, &mut run, &expiry, format!("carry-expiry:{}", carry.entry.id), Some(entries)).await?;
        }
        Ok(run)
    }
}
