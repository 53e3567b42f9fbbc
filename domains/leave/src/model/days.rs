//! Counting leave days. A request covers half days: it starts in the
//! morning or the afternoon of its first day and ends at noon or in the
//! evening of its last. Each covered half counts 0.5 unless the leave type
//! skips non-working time and the half falls on a day off (outside the
//! employee's working week) or a holiday (a whole day, or one half of it).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use time::{Date, Duration, Weekday};

/// `date` moved by `days`, held at the calendar's ends instead of
/// overflowing.
pub fn shift(date: Date, days: i64) -> Date {
    date.checked_add(Duration::days(days)).unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

/// Longest request, in calendar days.
pub const MAX_SPAN_DAYS: i64 = 366;

/// Half of a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, poem_openapi::Enum)]
#[oai(rename = "LeaveDayPart", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DayPart {
    /// Until noon.
    Morning,
    /// From noon.
    Afternoon,
}

impl DayPart {
    /// As stored (`morning`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
        }
    }

    /// A stored part.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Morning, Self::Afternoon].into_iter().find(|p| p.as_str() == text)
    }
}

/// The halves of one day something covers: none, the morning, the
/// afternoon or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Halves {
    /// The morning is covered.
    pub morning: bool,
    /// The afternoon is covered.
    pub afternoon: bool,
}

impl Halves {
    /// The whole day.
    pub const FULL: Self = Self { morning: true, afternoon: true };
    /// Nothing.
    pub const NONE: Self = Self { morning: false, afternoon: false };

    /// Just `part`.
    pub const fn only(part: DayPart) -> Self {
        match part {
            DayPart::Morning => Self { morning: true, afternoon: false },
            DayPart::Afternoon => Self { morning: false, afternoon: true },
        }
    }

    /// Whether both cover a common half.
    pub const fn overlaps(self, other: Self) -> bool {
        (self.morning && other.morning) || (self.afternoon && other.afternoon)
    }

    /// The halves both cover.
    pub const fn and(self, other: Self) -> Self {
        Self { morning: self.morning && other.morning, afternoon: self.afternoon && other.afternoon }
    }

    /// The halves of `self` that `other` does not cover.
    pub const fn without(self, other: Self) -> Self {
        Self { morning: self.morning && !other.morning, afternoon: self.afternoon && !other.afternoon }
    }

    /// 0, 0.5 or 1.
    pub fn days(self) -> Decimal {
        Decimal::new(5 * (i64::from(self.morning) + i64::from(self.afternoon)), 1)
    }
}

/// The weekdays an employee works; Monday to Friday unless set otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingWeek(u8);

impl Default for WorkingWeek {
    fn default() -> Self {
        Self::MONDAY_TO_FRIDAY
    }
}

impl WorkingWeek {
    /// Monday to Friday.
    pub const MONDAY_TO_FRIDAY: Self = Self(0b001_1111);

    /// The week of `days` (repeats ignored); `None` when empty.
    pub fn of(days: &[Weekday]) -> Option<Self> {
        let bits = days.iter().fold(0u8, |bits, d| bits | 1 << d.number_days_from_monday());
        (bits != 0).then_some(Self(bits))
    }

    /// Whether `day` is a working day.
    pub const fn works(self, day: Weekday) -> bool {
        self.0 & (1 << day.number_days_from_monday()) != 0
    }

    /// As stored: the working days' lower-case English names, comma
    /// separated, Monday first (`monday,tuesday,wednesday,thursday,friday`).
    pub fn as_text(self) -> String {
        self.days().into_iter().map(weekday_name).collect::<Vec<_>>().join(",")
    }

    /// A stored week; `None` when a name is unknown or none is given.
    pub fn parse(text: &str) -> Option<Self> {
        let days: Option<Vec<Weekday>> = text.split(',').map(|d| parse_weekday(d.trim())).collect();
        Self::of(&days?)
    }

    /// The working days, Monday first.
    pub fn days(self) -> Vec<Weekday> {
        let mut day = Weekday::Monday;
        let mut days = Vec::new();
        for _ in 0..7 {
            if self.works(day) {
                days.push(day);
            }
            day = day.next();
        }
        days
    }
}

/// `day`'s lower-case English name (`monday`).
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

/// The weekday named `name` (lower-case English).
pub fn parse_weekday(name: &str) -> Option<Weekday> {
    let mut day = Weekday::Monday;
    for _ in 0..7 {
        if weekday_name(day) == name {
            return Some(day);
        }
        day = day.next();
    }
    None
}

/// One holiday of a calendar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The day.
    pub date: Date,
    /// What it is (`New Year's Day`).
    pub name: String,
    /// Only this half is off; `None` for the whole day.
    pub half: Option<DayPart>,
}

impl Holiday {
    /// The halves of its day that are off.
    pub const fn halves(&self) -> Halves {
        match self.half {
            Some(part) => Halves::only(part),
            None => Halves::FULL,
        }
    }
}

/// The holidays that apply to one employee, by day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holidays(BTreeMap<Date, Halves>);

impl Holidays {
    /// The holidays of a calendar (two on one day join).
    pub fn of<'a>(holidays: impl IntoIterator<Item = &'a Holiday>) -> Self {
        let mut days = BTreeMap::new();
        for h in holidays {
            let off: &mut Halves = days.entry(h.date).or_default();
            let halves = h.halves();
            *off = Halves { morning: off.morning || halves.morning, afternoon: off.afternoon || halves.afternoon };
        }
        Self(days)
    }

    /// The halves of `date` that are off.
    pub fn off(&self, date: Date) -> Halves {
        self.0.get(&date).copied().unwrap_or(Halves::NONE)
    }
}

/// When an employee is not working: their week and their holidays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schedule {
    /// Their working week.
    pub week: WorkingWeek,
    /// Their holidays.
    pub holidays: Holidays,
}

impl Schedule {
    /// The halves of `date` the employee works.
    pub fn working(&self, date: Date) -> Halves {
        if !self.week.works(date.weekday()) {
            return Halves::NONE;
        }
        Halves::FULL.without(self.holidays.off(date))
    }
}

/// The dates and halves a request covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The half of `from` it starts in (the afternoon: `from` counts half).
    pub starts: DayPart,
    /// The half of `to` it ends in (the morning: `to` counts half).
    pub ends: DayPart,
}

/// Why a span is not one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanError {
    /// `to` is before `from`, or on one day it ends before it starts.
    Backwards,
    /// Longer than [`MAX_SPAN_DAYS`].
    TooLong,
}

impl Span {
    /// From the morning of `from` to the evening of `to`, with the half
    /// days given.
    pub fn new(from: Date, to: Date, starts: DayPart, ends: DayPart) -> Result<Self, SpanError> {
        if to < from || (to == from && starts == DayPart::Afternoon && ends == DayPart::Morning) {
            return Err(SpanError::Backwards);
        }
        if (to - from).whole_days() >= MAX_SPAN_DAYS {
            return Err(SpanError::TooLong);
        }
        Ok(Self { from, to, starts, ends })
    }

    /// Whole days from `from` to `to`.
    pub fn whole(from: Date, to: Date) -> Result<Self, SpanError> {
        Self::new(from, to, DayPart::Morning, DayPart::Afternoon)
    }

    /// The halves of `date` it covers.
    pub fn halves(&self, date: Date) -> Halves {
        if date < self.from || date > self.to {
            return Halves::NONE;
        }
        Halves {
            morning: date > self.from || self.starts == DayPart::Morning,
            afternoon: date < self.to || self.ends == DayPart::Afternoon,
        }
    }

    /// Every date from `from` to `to`.
    pub fn dates(&self) -> impl Iterator<Item = Date> + '_ {
        let days = (self.to - self.from).whole_days();
        (0..=days).map(|d| self.from + Duration::days(d))
    }

    /// The days it takes: each covered half 0.5, skipping halves the
    /// employee does not work unless `counts_days_off`.
    pub fn days(&self, schedule: &Schedule, counts_days_off: bool) -> Decimal {
        self.dates()
            .map(|date| {
                let covered = self.halves(date);
                if counts_days_off { covered } else { covered.and(schedule.working(date)) }.days()
            })
            .sum()
    }

    /// Whether both cover a common half of some day.
    pub fn overlaps(&self, other: &Span) -> bool {
        let first = self.from.max(other.from);
        let last = self.to.min(other.to);
        if last < first {
            return false;
        }
        // Only a span's edge days can be partial: a shared day between the
        // first and last shared ones is whole in both.
        (last - first).whole_days() > 1 || [first, last].into_iter().any(|d| self.halves(d).overlaps(other.halves(d)))
    }

    /// Whether `later` continues this span with no working half between:
    /// this one runs to the evening, `later` starts in a morning, and every
    /// day between them is off for the employee.
    pub fn runs_into(&self, later: &Span, schedule: &Schedule) -> bool {
        if later.from <= self.to || self.ends != DayPart::Afternoon || later.starts != DayPart::Morning {
            return false;
        }
        let gap = (later.from - self.to).whole_days() - 1;
        gap <= MAX_SPAN_DAYS && (1..=gap).all(|d| schedule.working(shift(self.to, d)) == Halves::NONE)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use time::macros::date;

    use super::*;

    fn span(from: Date, to: Date, starts: DayPart, ends: DayPart) -> Span {
        Span::new(from, to, starts, ends).unwrap()
    }

    fn schedule() -> Schedule {
        let holidays = [
            Holiday { date: date!(2026 - 12 - 25), name: "Christmas Day".into(), half: None },
            Holiday { date: date!(2026 - 12 - 24), name: "Christmas Eve".into(), half: Some(DayPart::Afternoon) },
        ];
        Schedule { week: WorkingWeek::MONDAY_TO_FRIDAY, holidays: Holidays::of(&holidays) }
    }

    #[test]
    fn working_halves_are_counted() {
        let s = schedule();
        // Mon 21 Dec to Sun 3 Jan: 10 weekdays, Christmas off, Christmas Eve afternoon off.
        let holidays = Span::whole(date!(2026 - 12 - 21), date!(2027 - 01 - 03)).unwrap();
        assert_eq!(holidays.days(&s, false), Decimal::new(85, 1));
        assert_eq!(holidays.days(&s, true), Decimal::from(14));
        // Starting Monday afternoon, ending Wednesday at noon.
        let halves = span(date!(2026 - 11 - 30), date!(2026 - 12 - 02), DayPart::Afternoon, DayPart::Morning);
        assert_eq!(halves.days(&s, false), Decimal::from(2));
        // Christmas Eve morning only; its afternoon is a holiday anyway.
        let eve = span(date!(2026 - 12 - 24), date!(2026 - 12 - 24), DayPart::Morning, DayPart::Afternoon);
        assert_eq!(eve.days(&s, false), Decimal::new(5, 1));
        // A weekend alone takes nothing.
        assert_eq!(Span::whole(date!(2026 - 12 - 05), date!(2026 - 12 - 06)).unwrap().days(&s, false), Decimal::ZERO);
    }

    #[test]
    fn a_week_is_stored_as_day_names() {
        assert_eq!(WorkingWeek::default().as_text(), "monday,tuesday,wednesday,thursday,friday");
        let week = WorkingWeek::parse("sunday,monday").unwrap();
        assert!(week.works(Weekday::Sunday) && !week.works(Weekday::Friday));
        assert_eq!(WorkingWeek::parse(&week.as_text()), Some(week));
        assert_eq!(WorkingWeek::parse("funday"), None);
        assert_eq!(WorkingWeek::parse(""), None);
    }

    #[test]
    fn spans_run_forwards_and_within_a_year() {
        let d = date!(2026 - 03 - 02);
        assert_eq!(Span::new(d, d, DayPart::Afternoon, DayPart::Morning), Err(SpanError::Backwards));
        assert_eq!(Span::whole(d, d - Duration::days(1)), Err(SpanError::Backwards));
        assert_eq!(Span::whole(d, d + Duration::days(MAX_SPAN_DAYS)), Err(SpanError::TooLong));
        assert!(Span::whole(d, d + Duration::days(MAX_SPAN_DAYS - 1)).is_ok());
    }

    #[test]
    fn two_halves_of_one_day_do_not_overlap() {
        let d = date!(2026 - 03 - 02);
        let morning = span(d, d, DayPart::Morning, DayPart::Morning);
        let afternoon = span(d, d, DayPart::Afternoon, DayPart::Afternoon);
        assert!(!morning.overlaps(&afternoon));
        assert!(morning.overlaps(&Span::whole(d, d).unwrap()));
        let until_noon = span(d - Duration::days(2), d, DayPart::Morning, DayPart::Morning);
        assert!(!until_noon.overlaps(&afternoon) && until_noon.overlaps(&morning));
    }

    #[test]
    fn a_weekend_joins_a_friday_to_a_monday() {
        let s = schedule();
        let friday = Span::whole(date!(2026 - 03 - 06), date!(2026 - 03 - 06)).unwrap();
        let monday = Span::whole(date!(2026 - 03 - 09), date!(2026 - 03 - 09)).unwrap();
        let tuesday = Span::whole(date!(2026 - 03 - 10), date!(2026 - 03 - 10)).unwrap();
        assert!(friday.runs_into(&monday, &s) && monday.runs_into(&tuesday, &s));
        assert!(!friday.runs_into(&tuesday, &s) && !monday.runs_into(&friday, &s));
        let friday_morning = span(friday.from, friday.to, DayPart::Morning, DayPart::Morning);
        assert!(!friday_morning.runs_into(&monday, &s));
    }

    fn part() -> impl Strategy<Value = DayPart> {
        prop::sample::select(vec![DayPart::Morning, DayPart::Afternoon])
    }

    fn any_span() -> impl Strategy<Value = Span> {
        (0i64..40, 0i64..10, part(), part()).prop_filter_map("a span", |(start, len, starts, ends)| {
            let from = date!(2026 - 12 - 01) + Duration::days(start);
            Span::new(from, from + Duration::days(len), starts, ends).ok()
        })
    }

    proptest! {
        /// Overlap is a shared half on some date, looked at day by day.
        #[test]
        fn overlap_is_a_shared_half(a in any_span(), b in any_span()) {
            let by_day = a.dates().any(|d| a.halves(d).overlaps(b.halves(d)));
            prop_assert_eq!(a.overlaps(&b), by_day);
            prop_assert_eq!(a.overlaps(&b), b.overlaps(&a));
        }

        /// Counting every day off adds each covered half; skipping days
        /// off never counts more, and splitting a span at a night adds up.
        #[test]
        fn days_add_up(a in any_span(), cut in 0i64..10) {
            let s = schedule();
            let all: Decimal = a.dates().map(|d| a.halves(d).days()).sum();
            prop_assert_eq!(a.days(&s, true), all);
            prop_assert!(a.days(&s, false) <= all);
            let cut = a.from + Duration::days(cut);
            if cut < a.to {
                let first = Span::new(a.from, cut, a.starts, DayPart::Afternoon).unwrap();
                let rest = Span::new(cut + Duration::days(1), a.to, DayPart::Morning, a.ends).unwrap();
                prop_assert_eq!(first.days(&s, false) + rest.days(&s, false), a.days(&s, false));
            }
        }
    }
}
