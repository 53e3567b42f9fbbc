//! Holidays from an iCalendar file (RFC 5545), as public-holiday feeds
//! publish them: each `VEVENT`'s `DTSTART` (a date, or a date-time whose
//! date is taken), its `DTEND` (exclusive; absent means one day) and its
//! `SUMMARY` as the name. Folded lines are unfolded and text unescaped.
//! Only the dates of the asked year are kept; anything else in the file
//! (time zones, alarms, other components) is skipped.

use time::Date;

use super::days::{Holiday, shift};

/// Most holidays one import keeps.
pub const MAX_HOLIDAYS: usize = 400;
/// Longest holiday name kept, in characters (longer ones are cut).
pub const MAX_NAME_LEN: usize = 100;

/// Why a file is not a calendar this import understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcalError(pub String);

/// The holidays of `year` in `text`, by date (one per date, the first
/// event's name), at most [`MAX_HOLIDAYS`].
pub fn holidays(text: &str, year: i32) -> Result<Vec<Holiday>, IcalError> {
    let lines = unfold(text);
    if !lines.iter().any(|l| l.eq_ignore_ascii_case("BEGIN:VCALENDAR")) {
        return Err(IcalError("not an iCalendar file: no BEGIN:VCALENDAR".into()));
    }
    let mut found: Vec<Holiday> = Vec::new();
    let mut event: Option<(Option<Date>, Option<Date>, String)> = None;
    for line in &lines {
        let (key, value) = line.split_once(':').unwrap_or((line.as_str(), ""));
        let name = key.split(';').next().unwrap_or_default().to_ascii_uppercase();
        match (name.as_str(), value) {
            ("BEGIN", v) if v.eq_ignore_ascii_case("VEVENT") => event = Some((None, None, String::new())),
            ("END", v) if v.eq_ignore_ascii_case("VEVENT") => {
                let Some((Some(start), end, summary)) = event.take() else {
                    return Err(IcalError("an event without a DTSTART date".into()));
                };
                let end = end.filter(|e| *e > start).unwrap_or(shift(start, 1));
                let mut day = start;
                while day < end && (end - start).whole_days() <= 366 {
                    if day.year() == year && !found.iter().any(|h| h.date == day) {
                        let name = if summary.is_empty() { "Holiday".to_owned() } else { summary.clone() };
                        found.push(Holiday { date: day, name, half: None });
                        if found.len() > MAX_HOLIDAYS {
                            return Err(IcalError(format!("more than {MAX_HOLIDAYS} holidays in {year}")));
                        }
                    }
                    match day.next_day() {
                        Some(next) => day = next,
                        None => break,
                    }
                }
            }
            ("DTSTART", v) => {
                if let Some(e) = event.as_mut() {
                    e.0 = Some(date(v).ok_or_else(|| IcalError(format!("DTSTART `{v}` is not a date")))?);
                }
            }
            ("DTEND", v) => {
                if let Some(e) = event.as_mut() {
                    e.1 = Some(date(v).ok_or_else(|| IcalError(format!("DTEND `{v}` is not a date")))?);
                }
            }
            ("SUMMARY", v) => {
                if let Some(e) = event.as_mut() {
                    e.2 = unescape(v).chars().filter(|c| !c.is_control()).take(MAX_NAME_LEN).collect();
                    e.2 = e.2.trim().to_owned();
                }
            }
            _ => {}
        }
    }
    found.sort_by_key(|h| h.date);
    Ok(found)
}

/// Lines with continuation lines (starting with a space or tab) joined.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match (raw.strip_prefix([' ', '\t']), lines.last_mut()) {
            (Some(rest), Some(last)) => last.push_str(rest),
            _ => lines.push(raw.to_owned()),
        }
    }
    lines
}

/// `20260101` or `20260101T090000Z`: its date.
fn date(value: &str) -> Option<Date> {
    let digits = value.get(..8)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = digits[..4].parse().ok()?;
    let month: u8 = digits[4..6].parse().ok()?;
    let day: u8 = digits[6..8].parse().ok()?;
    Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push(' '),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    const FEED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//Holidays//EN\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260101\r\nDTEND;VALUE=DATE:20260102\r\nSUMMARY:New Year's Day\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\nSUMMARY:Christmas\\, and\r\n  the days after\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nDTSTART:20270101T000000Z\r\nSUMMARY:Next year\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn a_feed_gives_the_years_dates() {
        let found = holidays(FEED, 2026).unwrap();
        let dates: Vec<Date> = found.iter().map(|h| h.date).collect();
        assert_eq!(dates, [date!(2026 - 01 - 01), date!(2026 - 12 - 24), date!(2026 - 12 - 25), date!(2026 - 12 - 26)]);
        assert_eq!(found[1].name, "Christmas, and the days after");
        assert_eq!(holidays(FEED, 2027).unwrap()[0].name, "Next year");
    }

    #[test]
    fn what_is_not_a_calendar_is_refused() {
        assert!(holidays("hello", 2026).is_err());
        let bad = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:2026-01-01\nEND:VEVENT\nEND:VCALENDAR";
        assert_eq!(holidays(bad, 2026).unwrap_err(), IcalError("DTSTART `2026-01-01` is not a date".into()));
    }
}
