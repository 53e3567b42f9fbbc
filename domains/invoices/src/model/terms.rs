//! Payment terms: when an invoice falls due.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

/// Longest payment term accepted, in days.
pub const MAX_NET_DAYS: u16 = 365;

/// "Net N": due N days after the issue date (0: due on receipt).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentTerms {
    /// Days from the issue date to the due date, 0 to [`MAX_NET_DAYS`].
    pub net_days: u16,
}

impl Default for PaymentTerms {
    /// Net 30, the most common term.
    fn default() -> Self {
        Self { net_days: 30 }
    }
}

impl PaymentTerms {
    /// Terms of `net_days`, or `None` beyond [`MAX_NET_DAYS`].
    pub fn net(net_days: u16) -> Option<Self> {
        (net_days <= MAX_NET_DAYS).then_some(Self { net_days })
    }

    /// The due date of an invoice issued on `issued`.
    pub fn due_date(self, issued: Date) -> Date {
        issued.saturating_add(Duration::days(i64::from(self.net_days)))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn due_dates_count_calendar_days_across_months_and_years() {
        assert_eq!(PaymentTerms::net(30).unwrap().due_date(date!(2026 - 12 - 15)), date!(2027 - 01 - 14));
        assert_eq!(PaymentTerms::net(0).unwrap().due_date(date!(2026 - 02 - 28)), date!(2026 - 02 - 28));
        assert_eq!(PaymentTerms::default().net_days, 30);
        assert_eq!(PaymentTerms::net(366), None);
    }
}
