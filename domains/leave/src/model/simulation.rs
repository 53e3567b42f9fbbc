//! A property test over whole histories: any sequence of allocations,
//! requests, approvals and cancellations, run through the model's rules as
//! the service runs them, keeps the balance equal to the ledger summed and,
//! for a type that forbids it, never below zero; and every request's days
//! equal a day-by-day count over the calendar.

use proptest::prelude::*;
use rust_decimal::Decimal;
use time::macros::date;
use time::{Date, Duration};
use uuid::Uuid;

use super::days::{DayPart, Holiday, Holidays, Schedule, Span, WorkingWeek};
use super::leave_type::{LeavePolicy, Unit};
use super::ledger::{Entry, EntryKind, balance};
use super::request::{self, Context, Neighbour, Status};

const START: Date = date!(2027 - 01 - 01);
const END: Date = date!(2027 - 12 - 31);
const TODAY: Date = date!(2026 - 12 - 01);

#[derive(Debug, Clone)]
enum Step {
    Allocate(i64),
    Ask { start: i64, len: i64, starts: DayPart, ends: DayPart },
    Approve(usize),
    Cancel(usize),
}

fn step() -> impl Strategy<Value = Step> {
    let part = || prop::sample::select(vec![DayPart::Morning, DayPart::Afternoon]);
    prop_oneof![
        (1i64..10).prop_map(Step::Allocate),
        (0i64..360, 0i64..6, part(), part()).prop_map(|(start, len, starts, ends)| Step::Ask {
            start,
            len,
            starts,
            ends
        }),
        (0usize..20).prop_map(Step::Approve),
        (0usize..20).prop_map(Step::Cancel),
    ]
}

fn schedule() -> Schedule {
    let holidays = [
        Holiday { date: date!(2027 - 05 - 03), name: "May Day".into(), half: None },
        Holiday { date: date!(2027 - 12 - 24), name: "Eve".into(), half: Some(DayPart::Afternoon) },
    ];
    Schedule { week: WorkingWeek::MONDAY_TO_FRIDAY, holidays: Holidays::of(&holidays) }
}

/// The reference count: each day from first to last, 0.5 per covered half
/// that is a working half (a weekday, not a holiday half).
fn reference_days(span: &Span) -> Decimal {
    let mut total = Decimal::ZERO;
    let mut day = span.from;
    while day <= span.to {
        let weekday = day.weekday().number_days_from_monday() < 5;
        let full_holiday = day == date!(2027 - 05 - 03);
        let morning = (day > span.from || span.starts == DayPart::Morning) && weekday && !full_holiday;
        let afternoon = (day < span.to || span.ends == DayPart::Afternoon)
            && weekday
            && !full_holiday
            && day != date!(2027 - 12 - 24);
        total += Decimal::new(5, 1) * Decimal::from(u8::from(morning) + u8::from(afternoon));
        day += Duration::days(1);
    }
    total
}

struct Asked {
    span: Span,
    days: Decimal,
    status: Status,
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn any_history_keeps_the_balance_the_ledger_and_never_below_zero(
        steps in prop::collection::vec(step(), 1..40),
        allow_negative in any::<bool>(),
    ) {
        let policy = LeavePolicy {
            name: "Annual".into(),
            unit: Unit::Days,
            paid: true,
            allow_negative,
            counts_days_off: false,
            max_consecutive_days: None,
            min_notice_days: 0,
            applicable_after_days: 0,
            carry_forward_cap: None,
            carry_forward_expiry_days: None,
            requires_approval: true,
            accrual: None,
        };
        let schedule = schedule();
        let mut entries: Vec<Entry> = Vec::new();
        let mut asked: Vec<Asked> = Vec::new();
        let entry = |kind, days, on| Entry { id: Uuid::new_v4(), kind, days, on, expires_on: None, closes: None };
        for step in steps {
            let pending: Decimal = asked.iter().filter(|a| a.status == Status::Pending).map(|a| a.days).sum();
            match step {
                Step::Allocate(days) => entries.push(entry(EntryKind::Allocation, Decimal::from(days), START)),
                Step::Ask { start, len, starts, ends } => {
                    let from = START + Duration::days(start);
                    let Ok(span) = Span::new(from, (from + Duration::days(len)).min(END), starts, ends) else { continue };
                    let others: Vec<Neighbour> = asked
                        .iter()
                        .map(|a| Neighbour { span: a.span, days: a.days, same_type: true, status: a.status })
                        .collect();
                    let cx = Context {
                        policy: &policy,
                        schedule: &schedule,
                        closed: false,
                        started_on: None,
                        periods: &[(START, END)],
                        others: &others,
                        balance: balance(&entries, pending, span.from),
                        today: TODAY,
                    };
                    if let Ok(days) = request::check(&span, &cx) {
                        prop_assert_eq!(days, reference_days(&span));
                        asked.push(Asked { span, days, status: Status::Pending });
                    }
                }
                Step::Approve(i) => {
                    let Some(a) = asked.get_mut(i) else { continue };
                    if a.status != Status::Pending {
                        continue;
                    }
                    let b = balance(&entries, pending - a.days, a.span.from);
                    if !allow_negative && a.days > b.available {
                        continue;
                    }
                    a.status = Status::Approved;
                    entries.push(entry(EntryKind::Taken, -a.days, a.span.from));
                }
                Step::Cancel(i) => {
                    let Some(a) = asked.get_mut(i) else { continue };
                    if a.status == Status::Approved {
                        entries.push(entry(EntryKind::Cancellation, a.days, a.span.from));
                    }
                    if a.status.is_open() {
                        a.status = Status::Cancelled;
                    }
                }
            }
            let pending: Decimal = asked.iter().filter(|a| a.status == Status::Pending).map(|a| a.days).sum();
            for day in [START, date!(2027 - 06 - 30), END] {
                let b = balance(&entries, pending, day);
                let granted: Decimal = entries.iter().filter(|e| e.kind == EntryKind::Allocation).map(|e| e.days).sum();
                let taken: Decimal = entries.iter().filter(|e| e.kind.takes()).map(|e| -e.days).sum();
                // The balance is the ledger summed: every grant is in effect
                // from the period's start, every request inside the period.
                prop_assert_eq!(b.available, granted - taken - pending);
                prop_assert_eq!(b.taken + b.booked, taken);
                if !allow_negative {
                    prop_assert!(b.available >= Decimal::ZERO, "{} below zero on {}", b.available, day);
                }
            }
        }
    }
}
