//! The leave ledger: every allocation, accrual, carry-forward, approved
//! request, cancellation, expiry and correction is an entry, never changed
//! once written. A balance is computed from the entries as of a date; it is
//! never a stored counter that could drift from them.
//!
//! Signs: grants (allocation, accrual, carry-forward) are positive, taken
//! leave and expiries negative, a cancellation gives back what its request
//! took, a correction is either, and a withdrawal takes back what a
//! withdrawn allocation granted.
//!
//! Carried-forward days are used first and expire on their date: what is
//! left of them then goes by an expiry entry (written by the roll-over
//! job); until that entry exists the balance counts the expiry itself, so
//! the figure is the same before and after the job runs.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::Date;

use super::days::shift;
use uuid::Uuid;

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[oai(rename = "LeaveEntryKind", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// Days granted for a period.
    Allocation,
    /// Days earned for a month of a period (monthly accrual).
    Accrual,
    /// Unused days brought into a new period, up to the type's cap.
    CarryForward,
    /// An approved request (negative).
    Taken,
    /// A cancelled approved request (positive: what it took comes back).
    Cancellation,
    /// Days that lapsed: the unused rest of a period or of carried days (negative).
    Expiry,
    /// A manual adjustment, either sign.
    Correction,
    /// What a withdrawn allocation had granted, taken back (negative).
    Withdrawal,
}

impl EntryKind {
    /// As stored (`carry_forward`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allocation => "allocation",
            Self::Accrual => "accrual",
            Self::CarryForward => "carry_forward",
            Self::Taken => "taken",
            Self::Cancellation => "cancellation",
            Self::Expiry => "expiry",
            Self::Correction => "correction",
            Self::Withdrawal => "withdrawal",
        }
    }

    /// A stored kind.
    pub fn parse(text: &str) -> Option<Self> {
        use EntryKind::*;
        [Allocation, Accrual, CarryForward, Taken, Cancellation, Expiry, Correction, Withdrawal]
            .into_iter()
            .find(|k| k.as_str() == text)
    }

    /// Whether it grants days.
    pub const fn grants(self) -> bool {
        matches!(self, Self::Allocation | Self::Accrual | Self::CarryForward)
    }

    /// Whether it records leave taken or given back.
    pub const fn takes(self) -> bool {
        matches!(self, Self::Taken | Self::Cancellation)
    }
}

/// One ledger entry of one employee and leave type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Its id.
    pub id: Uuid,
    /// What it records.
    pub kind: EntryKind,
    /// Days, signed (see the module).
    pub days: Decimal,
    /// The day it takes effect: a grant's period start, a request's first
    /// day, an expiry's date.
    pub on: Date,
    /// Carry-forwards: the day their unused days lapse.
    pub expires_on: Option<Date>,
    /// Expiries of carried days: the carry-forward entry they close.
    pub closes: Option<Uuid>,
}

/// How many days before they lapse carried days count as expiring soon.
pub const EXPIRING_SOON_DAYS: i64 = 30;

/// A balance of one employee and leave type as of a day, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Balance {
    /// Granted so far: allocations, accruals and carry-forwards in effect,
    /// plus corrections, less withdrawals.
    pub granted: Decimal,
    /// Approved leave on or before the day, net of cancellations.
    pub taken: Decimal,
    /// Approved leave after the day, net of cancellations.
    pub booked: Decimal,
    /// Days lapsed by the day.
    pub expired: Decimal,
    /// Requests waiting for a decision.
    pub pending: Decimal,
    /// What may still be requested: granted − taken − booked − expired − pending.
    pub available: Decimal,
    /// Carried days not used yet that lapse within 30 days after the day.
    pub expiring_soon: Decimal,
}

/// The balance as of `day` from `entries` (one employee, one type) and
/// the days of pending requests.
pub fn balance(entries: &[Entry], pending: Decimal, day: Date) -> Balance {
    let mut b = Balance { pending, ..Balance::default() };
    for e in entries {
        match e.kind {
            k if k.grants() && e.on <= day => b.granted += e.days,
            EntryKind::Correction | EntryKind::Withdrawal if e.on <= day => b.granted += e.days,
            k if k.takes() && e.on <= day => b.taken -= e.days,
            k if k.takes() => b.booked -= e.days,
            EntryKind::Expiry if e.on <= day => b.expired -= e.days,
            _ => {}
        }
    }
    // Carried days whose date has passed lapse even before the roll-over
    // job writes their expiry entry.
    let soon = shift(day, EXPIRING_SOON_DAYS);
    for carry in entries.iter().filter(|e| e.kind == EntryKind::CarryForward && e.on <= day) {
        let Some(expires_on) = carry.expires_on else { continue };
        let written = entries.iter().any(|e| e.kind == EntryKind::Expiry && e.closes == Some(carry.id));
        if expires_on <= day && !written {
            b.expired += unused_carry(carry, entries);
        } else if expires_on > day && expires_on <= soon {
            b.expiring_soon += unused_carry(carry, entries);
        }
    }
    b.available = b.granted - b.taken - b.booked - b.expired - b.pending;
    b
}

/// Why an allocation cannot be withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WithdrawalRefusal {
    /// Its period was rolled over: its unused days lapsed or were carried.
    RolledOver,
    /// Leave taken, booked or pending would then exceed what is granted,
    /// by `short` days, and the type allows no negative balance.
    InUse {
        /// Days the balance would fall below zero.
        short: Decimal,
    },
}

/// The withdrawal of an allocation: a negative entry of everything it
/// granted (its own entry and its accruals, `of_allocation`), dated its
/// first day. `all` is the member's ledger of the type and `pending` the
/// days of their pending requests of it; the member's available balance,
/// counting everything booked however far ahead, must stay at zero or
/// above unless `allows_negative`.
pub fn withdrawal(
    of_allocation: &[Entry],
    all: &[Entry],
    pending: Decimal,
    allows_negative: bool,
) -> Result<Decimal, WithdrawalRefusal> {
    if of_allocation.iter().any(|e| matches!(e.kind, EntryKind::Expiry | EntryKind::CarryForward)) {
        return Err(WithdrawalRefusal::RolledOver);
    }
    let granted: Decimal = of_allocation
        .iter()
        .filter(|e| matches!(e.kind, EntryKind::Allocation | EntryKind::Accrual))
        .map(|e| e.days)
        .sum();
    let Some(last) = all.iter().map(|e| e.on).max() else { return Ok(-granted) };
    let after = balance(all, pending, last).available - granted;
    if after < Decimal::ZERO && !allows_negative {
        return Err(WithdrawalRefusal::InUse { short: -after });
    }
    Ok(-granted)
}

/// What is left of `carry`'s days at its expiry: they are used first, so
/// leave taken from its start to the day before it lapses uses them up.
pub fn unused_carry(carry: &Entry, entries: &[Entry]) -> Decimal {
    let Some(expires_on) = carry.expires_on else { return Decimal::ZERO };
    let used: Decimal =
        entries.iter().filter(|e| e.kind.takes() && e.on >= carry.on && e.on < expires_on).map(|e| -e.days).sum();
    (carry.days - used.max(Decimal::ZERO)).max(Decimal::ZERO)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::Duration;
    use time::macros::date;

    use super::*;

    fn entry(kind: EntryKind, days: i64, on: Date) -> Entry {
        Entry { id: Uuid::new_v4(), kind, days: Decimal::from(days), on, expires_on: None, closes: None }
    }

    #[test]
    fn a_balance_splits_taken_from_booked_at_its_day() {
        let entries = [
            entry(EntryKind::Allocation, 20, date!(2026 - 01 - 01)),
            entry(EntryKind::Taken, -3, date!(2026 - 02 - 10)),
            entry(EntryKind::Taken, -5, date!(2026 - 08 - 01)),
            entry(EntryKind::Cancellation, 5, date!(2026 - 08 - 01)),
            entry(EntryKind::Taken, -2, date!(2026 - 09 - 01)),
            entry(EntryKind::Correction, 1, date!(2026 - 03 - 01)),
        ];
        let b = balance(&entries, Decimal::from(4), date!(2026 - 06 - 30));
        assert_eq!((b.granted, b.taken, b.booked, b.pending), (21.into(), 3.into(), 2.into(), 4.into()));
        assert_eq!(b.available, Decimal::from(12));
        // Before the allocation nothing is granted, yet approved leave is owed.
        assert_eq!(balance(&entries, Decimal::ZERO, date!(2025 - 12 - 31)).available, Decimal::from(-5));
    }

    #[test]
    fn carried_days_are_used_first_and_lapse_on_their_date() {
        let mut carry = entry(EntryKind::CarryForward, 5, date!(2027 - 01 - 01));
        carry.expires_on = Some(date!(2027 - 03 - 31));
        let entries = vec![
            entry(EntryKind::Allocation, 20, date!(2027 - 01 - 01)),
            carry.clone(),
            entry(EntryKind::Taken, -2, date!(2027 - 02 - 01)),
        ];
        assert_eq!(unused_carry(&carry, &entries), Decimal::from(3));
        let march = balance(&entries, Decimal::ZERO, date!(2027 - 03 - 10));
        assert_eq!((march.available, march.expiring_soon), (Decimal::from(23), Decimal::from(3)));
        let april = balance(&entries, Decimal::ZERO, date!(2027 - 04 - 01));
        assert_eq!((april.expired, april.available), (Decimal::from(3), Decimal::from(20)));
        // Once the job writes the expiry, the figure is the same.
        let mut written = entries.clone();
        let mut expiry = entry(EntryKind::Expiry, -3, date!(2027 - 03 - 31));
        expiry.closes = Some(carry.id);
        written.push(expiry);
        assert_eq!(balance(&written, Decimal::ZERO, date!(2027 - 04 - 01)), april);
    }

    fn kind() -> impl Strategy<Value = EntryKind> {
        prop::sample::select(vec![
            EntryKind::Allocation,
            EntryKind::Accrual,
            EntryKind::Taken,
            EntryKind::Cancellation,
            EntryKind::Expiry,
            EntryKind::Correction,
            EntryKind::Withdrawal,
        ])
    }

    #[test]
    fn a_withdrawal_takes_back_what_the_allocation_and_its_accruals_granted() {
        let grant = entry(EntryKind::Allocation, 10, date!(2026 - 01 - 01));
        let accrued = entry(EntryKind::Accrual, 2, date!(2026 - 02 - 01));
        let other = entry(EntryKind::Allocation, 5, date!(2025 - 01 - 01));
        let all = [grant.clone(), accrued.clone(), other];
        assert_eq!(withdrawal(&[grant.clone(), accrued.clone()], &all, Decimal::ZERO, false), Ok(Decimal::from(-12)));
    }

    #[test]
    fn leave_booked_far_ahead_or_pending_keeps_an_allocation() {
        let grant = entry(EntryKind::Allocation, 10, date!(2026 - 01 - 01));
        let booked = entry(EntryKind::Taken, -4, date!(2026 - 12 - 20));
        let all = [grant.clone(), booked];
        assert_eq!(
            withdrawal(std::slice::from_ref(&grant), &all, Decimal::ZERO, false),
            Err(WithdrawalRefusal::InUse { short: Decimal::from(4) })
        );
        assert_eq!(
            withdrawal(std::slice::from_ref(&grant), std::slice::from_ref(&grant), Decimal::ONE, false),
            Err(WithdrawalRefusal::InUse { short: Decimal::ONE })
        );
        assert_eq!(withdrawal(std::slice::from_ref(&grant), &all, Decimal::ZERO, true), Ok(Decimal::from(-10)));
    }

    #[test]
    fn a_rolled_over_allocation_stays() {
        let grant = entry(EntryKind::Allocation, 10, date!(2026 - 01 - 01));
        let lapse = entry(EntryKind::Expiry, -10, date!(2027 - 01 - 01));
        let of_it = [grant, lapse];
        assert_eq!(withdrawal(&of_it, &of_it, Decimal::ZERO, true), Err(WithdrawalRefusal::RolledOver));
    }

    proptest! {
        /// Without carried days, available is exactly the sum of every
        /// entry in effect minus what is booked later and pending: the
        /// balance is the ledger summed, never anything else.
        #[test]
        fn available_is_the_ledger_summed(
            raw in prop::collection::vec((kind(), -40i64..40, 0i64..365), 0..30),
            pending in 0i64..10,
            day in 0i64..365,
        ) {
            let start = date!(2026 - 01 - 01);
            let entries: Vec<Entry> = raw
                .into_iter()
                .map(|(k, d, o)| entry(k, d, start + Duration::days(o)))
                .collect();
            let day = start + Duration::days(day);
            let b = balance(&entries, Decimal::from(pending), day);
            let in_effect: Decimal = entries.iter().filter(|e| e.on <= day).map(|e| e.days).sum();
            let later_taken: Decimal = entries.iter().filter(|e| e.on > day && e.kind.takes()).map(|e| e.days).sum();
            prop_assert_eq!(b.available, in_effect + later_taken - Decimal::from(pending));
        }
    }
}
