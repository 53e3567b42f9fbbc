//! Leave types: the policy each request, allocation and job follows —
//! Frappe HR's leave type, with Odoo's "requires approval".

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use gremlin_kernel::FieldError;

/// Longest type name, in characters.
pub const MAX_NAME_LEN: usize = 100;
/// Most days a type may grant, carry or allow in a row.
pub const MAX_DAYS: i64 = 366;

/// What a type's amounts are counted in. Stored explicitly so hours can
/// follow without reinterpreting stored amounts; only days exist today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default, poem_openapi::Enum)]
#[oai(rename = "LeaveUnit", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Days, in halves.
    #[default]
    Days,
}

impl Unit {
    /// As stored.
    pub const fn as_str(self) -> &'static str {
        "days"
    }

    /// A stored unit.
    pub fn parse(text: &str) -> Option<Self> {
        (text == "days").then_some(Self::Days)
    }
}

/// Earning a yearly amount month by month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accrual {
    /// Days earned over a whole year (0.5-366).
    pub yearly_days: Decimal,
    /// What the running total is rounded to: 0.25, 0.5 or 1.
    pub rounding: Decimal,
}

/// A leave type's policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeavePolicy {
    /// Its name (`Annual leave`), unique in the organization without case.
    pub name: String,
    /// Days (hours later).
    pub unit: Unit,
    /// Paid leave is limited by the balance; unpaid leave is not, and
    /// needs no allocation.
    pub paid: bool,
    /// Requests may take the balance below zero.
    pub allow_negative: bool,
    /// Weekends and holidays inside a request count as leave.
    pub counts_days_off: bool,
    /// Most days in a row, adjacent requests of the type counted together.
    pub max_consecutive_days: Option<Decimal>,
    /// Days of notice a request needs before its first day.
    pub min_notice_days: u32,
    /// Days after an employee's start before they may take it.
    pub applicable_after_days: u32,
    /// Most unused days the yearly roll-over carries into the next
    /// period; `None` or 0 carries none.
    pub carry_forward_cap: Option<Decimal>,
    /// Days after the new period starts that carried days lapse; `None`
    /// keeps them for the whole period.
    pub carry_forward_expiry_days: Option<u32>,
    /// Requests wait for a decision; without it they are approved at once.
    pub requires_approval: bool,
    /// Monthly accrual instead of one grant per period.
    pub accrual: Option<Accrual>,
}

fn days_field(errors: &mut Vec<FieldError>, field: &str, value: Option<Decimal>, min: Decimal) {
    let Some(value) = value else { return };
    let half = Decimal::new(5, 1);
    if value < min || value > Decimal::from(MAX_DAYS) || (value / half).fract() != Decimal::ZERO {
        errors.push(FieldError { field: field.into(), message: format!("{min} to {MAX_DAYS} days, in halves") });
    }
}

impl LeavePolicy {
    /// The policy with its name trimmed, when every field is in range.
    pub fn checked(mut self) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > MAX_NAME_LEN {
            errors.push(FieldError { field: "name".into(), message: format!("1 to {MAX_NAME_LEN} characters") });
        }
        if self.name.chars().any(char::is_control) {
            errors.push(FieldError { field: "name".into(), message: "no control characters".into() });
        }
        let half = Decimal::new(5, 1);
        days_field(&mut errors, "max_consecutive_days", self.max_consecutive_days, half);
        days_field(&mut errors, "carry_forward_cap", self.carry_forward_cap, Decimal::ZERO);
        if self.min_notice_days > 366 {
            errors.push(FieldError { field: "min_notice_days".into(), message: "0 to 366".into() });
        }
        if self.applicable_after_days > 3660 {
            errors.push(FieldError { field: "applicable_after_days".into(), message: "0 to 3660".into() });
        }
        if self.carry_forward_expiry_days.is_some_and(|d| d == 0 || d > 366) {
            errors.push(FieldError { field: "carry_forward_expiry_days".into(), message: "1 to 366".into() });
        }
        if let Some(accrual) = &self.accrual {
            days_field(&mut errors, "accrual.yearly_days", Some(accrual.yearly_days), half);
            let steps = [Decimal::new(25, 2), half, Decimal::ONE];
            if !steps.contains(&accrual.rounding.normalize()) {
                errors.push(FieldError { field: "accrual.rounding".into(), message: "0.25, 0.5 or 1".into() });
            }
            if !self.paid {
                errors.push(FieldError {
                    field: "accrual".into(),
                    message: "unpaid leave has no balance to accrue".into(),
                });
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(errors) }
    }

    /// Whether carried days exist under this policy.
    pub fn carries_forward(&self) -> bool {
        self.paid && self.carry_forward_cap.is_some_and(|cap| cap > Decimal::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn annual() -> LeavePolicy {
        LeavePolicy {
            name: " Annual leave ".into(),
            unit: Unit::Days,
            paid: true,
            allow_negative: false,
            counts_days_off: false,
            max_consecutive_days: Some(Decimal::from(15)),
            min_notice_days: 0,
            applicable_after_days: 0,
            carry_forward_cap: Some(Decimal::from(5)),
            carry_forward_expiry_days: Some(90),
            requires_approval: true,
            accrual: None,
        }
    }

    #[test]
    fn a_policy_is_trimmed_and_its_ranges_checked() {
        assert_eq!(annual().checked().unwrap().name, "Annual leave");
        let bad = LeavePolicy {
            name: "  ".into(),
            max_consecutive_days: Some(Decimal::new(3, 1)),
            carry_forward_expiry_days: Some(0),
            accrual: Some(Accrual { yearly_days: Decimal::from(24), rounding: Decimal::new(3, 1) }),
            paid: false,
            ..annual()
        };
        let fields: Vec<String> = bad.checked().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["name", "max_consecutive_days", "carry_forward_expiry_days", "accrual.rounding", "accrual"]
        );
    }
}
