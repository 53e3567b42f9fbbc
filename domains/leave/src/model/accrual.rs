//! Monthly accrual and the yearly roll-over, as pure arithmetic the jobs
//! turn into ledger entries.
//!
//! Accrual works on the running total: by the end of a month an employee
//! has earned `yearly ÷ 12 ×` (the months of the period they were employed,
//! a partly employed month pro-rated by its calendar days), rounded to the
//! type's step; a month's entry is that total less the previous month's.
//! Rounding never drifts, and a month re-run computes the same entry.

use rust_decimal::{Decimal, RoundingStrategy};
use time::Date;

use super::days::shift;
use super::leave_type::{Accrual, LeavePolicy};

/// The first day of `date`'s month.
pub fn month_start(date: Date) -> Date {
    date.replace_day(1).unwrap_or(date)
}

/// The last day of `date`'s month.
pub fn month_end(date: Date) -> Date {
    let days = date.month().length(date.year());
    date.replace_day(days).unwrap_or(date)
}

fn next_month(date: Date) -> Date {
    shift(month_end(date), 1)
}

/// `value` rounded to the nearest multiple of `step`, halves up.
pub fn round_to(value: Decimal, step: Decimal) -> Decimal {
    if step.is_zero() {
        return value;
    }
    ((value / step).round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero) * step).normalize()
}

/// Days earned from the period's start (or the employee's, if later)
/// through the end of `month`'s month, rounded.
pub fn earned_through(accrual: &Accrual, period: (Date, Date), started_on: Option<Date>, month: Date) -> Decimal {
    let from = started_on.map_or(period.0, |s| s.max(period.0));
    let until = period.1.min(month_end(month));
    if until < from {
        return Decimal::ZERO;
    }
    let mut months = Decimal::ZERO;
    let mut start = month_start(from);
    while start <= until {
        let end = month_end(start);
        let covered = (end.min(until) - start.max(from)).whole_days() + 1;
        let length = i64::from(start.month().length(start.year()));
        months += Decimal::from(covered) / Decimal::from(length);
        start = next_month(start);
    }
    round_to(accrual.yearly_days * months / Decimal::from(12), accrual.rounding)
}

/// The accrual entry for `month` (any day of it): what was earned through
/// it less what was earned through the month before.
pub fn earned_in(accrual: &Accrual, period: (Date, Date), started_on: Option<Date>, month: Date) -> Decimal {
    let before = shift(month_start(month), -1);
    earned_through(accrual, period, started_on, month) - earned_through(accrual, period, started_on, before)
}

/// What the roll-over does with a closed period's unused days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollover {
    /// Days brought into the next period (a carry-forward entry).
    pub carried: Decimal,
    /// Day the carried days lapse, if they do.
    pub carried_expire_on: Option<Date>,
    /// Days that lapse at the period's end (an expiry entry).
    pub lapsed: Decimal,
}

/// The roll-over of `unused` days at the end of a period into one starting
/// on `next_from`: up to the cap is carried (lapsing after the type's
/// expiry days), the rest lapses. A negative balance is left as it is: the
/// debt stays in the ledger and the next period starts under it.
pub fn rollover(policy: &LeavePolicy, unused: Decimal, next_from: Date) -> Rollover {
    if unused <= Decimal::ZERO {
        return Rollover { carried: Decimal::ZERO, carried_expire_on: None, lapsed: Decimal::ZERO };
    }
    let cap = if policy.carries_forward() { policy.carry_forward_cap.unwrap_or_default() } else { Decimal::ZERO };
    let carried = unused.min(cap);
    let carried_expire_on = (carried > Decimal::ZERO)
        .then(|| policy.carry_forward_expiry_days.map(|d| shift(next_from, i64::from(d))))
        .flatten();
    Rollover { carried, carried_expire_on, lapsed: unused - carried }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use time::{Duration, Month};

    use super::*;
    use crate::model::leave_type::Unit;

    fn accrual(yearly: i64, rounding: Decimal) -> Accrual {
        Accrual { yearly_days: Decimal::from(yearly), rounding }
    }

    const YEAR: (Date, Date) = (date!(2026 - 01 - 01), date!(2026 - 12 - 31));

    #[test]
    fn a_year_of_months_earns_the_yearly_days() {
        let a = accrual(24, Decimal::new(5, 1));
        assert_eq!(earned_in(&a, YEAR, None, date!(2026 - 01 - 15)), Decimal::from(2));
        let months: Decimal = (1..=12u8)
            .map(|m| earned_in(&a, YEAR, None, Date::from_calendar_date(2026, Month::try_from(m).unwrap(), 1).unwrap()))
            .sum();
        assert_eq!(months, Decimal::from(24));
        // Outside the period nothing accrues.
        assert_eq!(earned_in(&a, YEAR, None, date!(2027 - 01 - 01)), Decimal::ZERO);
    }

    #[test]
    fn a_start_mid_month_is_pro_rated_and_rounded() {
        // 20 days a year, starting 16 April (15 of 30 days): 20/12 × 0.5 = 0.83 → 1 (step 0.5).
        let a = accrual(20, Decimal::new(5, 1));
        let started = Some(date!(2026 - 04 - 16));
        assert_eq!(earned_in(&a, YEAR, started, date!(2026 - 03 - 01)), Decimal::ZERO);
        assert_eq!(earned_in(&a, YEAR, started, date!(2026 - 04 - 01)), Decimal::ONE);
        // Through May: 20/12 × 1.5 = 2.5.
        assert_eq!(earned_through(&a, YEAR, started, date!(2026 - 05 - 31)), Decimal::new(25, 1));
        assert_eq!(round_to(Decimal::new(1125, 3), Decimal::new(25, 2)), Decimal::new(125, 2));
    }

    #[test]
    fn the_rollover_carries_up_to_the_cap() {
        let policy = LeavePolicy {
            name: "Annual".into(),
            unit: Unit::Days,
            paid: true,
            allow_negative: false,
            counts_days_off: false,
            max_consecutive_days: None,
            min_notice_days: 0,
            applicable_after_days: 0,
            carry_forward_cap: Some(Decimal::from(5)),
            carry_forward_expiry_days: Some(90),
            requires_approval: true,
            accrual: None,
        };
        let next = date!(2027 - 01 - 01);
        let r = rollover(&policy, Decimal::from(8), next);
        assert_eq!((r.carried, r.lapsed, r.carried_expire_on), (5.into(), 3.into(), Some(date!(2027 - 04 - 01))));
        assert_eq!(rollover(&policy, Decimal::from(-2), next).lapsed, Decimal::ZERO);
        let none = LeavePolicy { carry_forward_cap: None, ..policy };
        assert_eq!(rollover(&none, Decimal::from(8), next).lapsed, Decimal::from(8));
    }

    proptest! {
        /// Month entries add up to the running total, and the whole year
        /// earns the yearly days rounded, wherever the employee started.
        #[test]
        fn months_add_up_to_the_total(yearly in 1i64..40, start in 0i64..365, step in 0usize..3) {
            let rounding = [Decimal::new(25, 2), Decimal::new(5, 1), Decimal::ONE][step];
            let a = accrual(yearly, rounding);
            let started = Some(YEAR.0 + Duration::days(start));
            let sum: Decimal = (1..=12u8)
                .map(|m| earned_in(&a, YEAR, started, Date::from_calendar_date(2026, Month::try_from(m).unwrap(), 1).unwrap()))
                .sum();
            prop_assert_eq!(sum, earned_through(&a, YEAR, started, YEAR.1));
            prop_assert!(sum <= Decimal::from(yearly));
            let exact = Decimal::from(yearly) * Decimal::from(365 - start) / Decimal::from(365);
            prop_assert!((sum - exact).abs() <= Decimal::ONE, "{sum} vs {exact}");
        }
    }
}
