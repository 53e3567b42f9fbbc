//! Writing an iCalendar feed (RFC 5545) of leave: one all-day event per
//! request, its half days named in the summary (calendar apps show whole
//! days), lines folded at 75 octets, text escaped.

use time::Date;

use super::days::DayPart;
use super::request::Status;

/// One request as a feed shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// A stable id (the request's), so apps update rather than duplicate.
    pub uid: String,
    /// What the event says (`On leave: Annual leave`).
    pub summary: String,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The half of `from` it starts in.
    pub starts: DayPart,
    /// The half of `to` it ends in.
    pub ends: DayPart,
    /// Pending requests are tentative.
    pub status: Status,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `line` folded at 75 octets (continuations start with a space), ended
/// with CRLF; never splits a character.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn ical_date(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The feed named `name` holding `events`, stamped `stamp` (UTC,
/// `YYYYMMDDTHHMMSSZ`).
pub fn calendar(name: &str, events: &[FeedEvent], stamp: &str) -> String {
    let mut out = String::new();
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Gremlin//Leave//EN", "CALSCALE:GREGORIAN"] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for e in events {
        let mut summary = e.summary.clone();
        if e.starts == DayPart::Afternoon {
            summary.push_str(&format!(" (from the afternoon of {})", e.from));
        }
        if e.ends == DayPart::Morning {
            summary.push_str(&format!(" (until noon on {})", e.to));
        }
        let end = e.to.next_day().unwrap_or(e.to);
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", escape(&e.uid)), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", ical_date(e.from)), &mut out);
        fold(&format!("DTEND;VALUE=DATE:{}", ical_date(end)), &mut out);
        fold(&format!("SUMMARY:{}", escape(&summary)), &mut out);
        let status = if e.status == Status::Approved { "CONFIRMED" } else { "TENTATIVE" };
        fold(&format!("STATUS:{status}"), &mut out);
        fold("TRANSP:OPAQUE", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::model::ical;

    #[test]
    fn a_feed_reads_back_through_the_importer() {
        let events = [FeedEvent {
            uid: "r-1@gremlin".into(),
            summary: "On leave: Annual leave, long; very long ".repeat(4),
            from: date!(2027 - 03 - 01),
            to: date!(2027 - 03 - 03),
            starts: DayPart::Afternoon,
            ends: DayPart::Afternoon,
            status: Status::Approved,
        }];
        let text = calendar("Ada's leave", &events, "20261130T120000Z");
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        let read = ical::holidays(&text, 2027).unwrap();
        assert_eq!(
            read.iter().map(|h| h.date).collect::<Vec<_>>(),
            [date!(2027 - 03 - 01), date!(2027 - 03 - 02), date!(2027 - 03 - 03)]
        );
        assert!(read[0].name.starts_with("On leave: Annual leave, long; very long"));
    }
}
