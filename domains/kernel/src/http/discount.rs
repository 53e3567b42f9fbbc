//! The line discount as every selling document's API shows it: one schema
//! (`Discount`), shared by orders and invoices, so clients have one type.

use poem_openapi::{Enum, Object};
use rust_decimal::Decimal;

use crate::pricing::Discount;

/// How a discount is expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum DiscountKind {
    /// A percentage of the line's gross amount (0-100).
    Percent,
    /// A fixed amount in the document's currency.
    Amount,
}

/// A discount on a line.
#[derive(Debug, Clone, Object)]
#[oai(rename = "Discount")]
pub struct DiscountDto {
    /// Percent or amount.
    pub kind: DiscountKind,
    /// The percentage or the amount, as a decimal string.
    pub value: Decimal,
}

impl From<DiscountDto> for Discount {
    fn from(d: DiscountDto) -> Self {
        match d.kind {
            DiscountKind::Percent => Discount::Percent(d.value),
            DiscountKind::Amount => Discount::Amount(d.value),
        }
    }
}

impl From<Discount> for DiscountDto {
    fn from(d: Discount) -> Self {
        match d {
            Discount::Percent(value) => DiscountDto { kind: DiscountKind::Percent, value },
            Discount::Amount(value) => DiscountDto { kind: DiscountKind::Amount, value },
        }
    }
}
