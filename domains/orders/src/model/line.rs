//! Order lines and the checks on what a client may put in them.

use gremlin_kernel::FieldError;
use gremlin_kernel::pricing::{self, LinePrice, LineTotals};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use gremlin_kernel::pricing::Discount;

/// Longest SKU.
pub const MAX_SKU_LEN: usize = 64;
/// Longest line description.
pub const MAX_DESCRIPTION_LEN: usize = 500;
/// Most lines on one order.
pub const MAX_LINES: usize = 500;

/// A line as a client describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// Stock-keeping unit.
    pub sku: String,
    /// What is sold.
    pub description: String,
    /// How many (decimal: 1.5 hours, 2.25 kg).
    pub quantity: Decimal,
    /// Price of one unit, before discount and tax.
    pub unit_price: Decimal,
    /// Optional discount.
    pub discount: Option<Discount>,
    /// Tax rate in percent (20 for 20 %).
    pub tax_rate: Decimal,
}

impl LineInput {
    /// What the line is priced from.
    pub fn price(&self) -> LinePrice {
        LinePrice {
            quantity: self.quantity,
            unit_price: self.unit_price,
            discount: self.discount,
            tax_rate: self.tax_rate,
        }
    }
}

/// A validated line with its computed amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// Position on the order, from 1.
    pub position: u32,
    /// Stock-keeping unit.
    pub sku: String,
    /// What is sold.
    pub description: String,
    /// How many.
    pub quantity: Decimal,
    /// Price of one unit.
    pub unit_price: Decimal,
    /// Discount, if any.
    pub discount: Option<Discount>,
    /// Tax rate in percent.
    pub tax_rate: Decimal,
    /// The computed amounts, rounded to the currency's minor unit.
    pub totals: LineTotals,
}

fn error(errors: &mut Vec<FieldError>, index: usize, field: &str, message: impl Into<String>) {
    errors.push(FieldError { field: format!("lines[{index}].{field}"), message: message.into() });
}

/// Checks one line; every problem is reported with its field path.
pub fn check_line(index: usize, line: &LineInput, errors: &mut Vec<FieldError>) {
    let sku = line.sku.trim();
    if sku.is_empty() || sku.len() > MAX_SKU_LEN || sku.chars().any(char::is_control) {
        error(errors, index, "sku", format!("use 1-{MAX_SKU_LEN} printable characters"));
    }
    if line.description.chars().count() > MAX_DESCRIPTION_LEN {
        error(errors, index, "description", format!("at most {MAX_DESCRIPTION_LEN} characters"));
    }
    pricing::check_price(&format!("lines[{index}]"), &line.price(), errors);
}

/// Checks all lines (at most [`MAX_LINES`]).
pub fn check_lines(lines: &[LineInput]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if lines.len() > MAX_LINES {
        errors.push(FieldError { field: "lines".into(), message: format!("at most {MAX_LINES} lines") });
        return errors;
    }
    for (index, line) in lines.iter().enumerate() {
        check_line(index, line, &mut errors);
    }
    errors
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    fn line() -> LineInput {
        LineInput {
            sku: "SKU-1".into(),
            description: "Widget".into(),
            quantity: dec!(2),
            unit_price: dec!(9.99),
            discount: None,
            tax_rate: dec!(20),
        }
    }

    fn fields(lines: &[LineInput]) -> Vec<String> {
        check_lines(lines).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_sound_line_passes() {
        assert!(check_lines(&[line()]).is_empty());
        let free = LineInput {
            unit_price: dec!(0),
            tax_rate: dec!(0),
            discount: Some(Discount::Percent(dec!(100))),
            ..line()
        };
        assert!(check_lines(&[free]).is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (LineInput { sku: "".into(), ..line() }, "lines[0].sku"),
            (LineInput { sku: "x".repeat(65), ..line() }, "lines[0].sku"),
            (LineInput { description: "x".repeat(501), ..line() }, "lines[0].description"),
            (LineInput { quantity: dec!(0), ..line() }, "lines[0].quantity"),
            (LineInput { quantity: dec!(-1), ..line() }, "lines[0].quantity"),
            (LineInput { quantity: dec!(0.00001), ..line() }, "lines[0].quantity"),
            (LineInput { quantity: dec!(1000000001), ..line() }, "lines[0].quantity"),
            (LineInput { unit_price: dec!(-0.01), ..line() }, "lines[0].unit_price"),
            (LineInput { tax_rate: dec!(100.5), ..line() }, "lines[0].tax_rate"),
            (LineInput { tax_rate: dec!(-1), ..line() }, "lines[0].tax_rate"),
            (LineInput { discount: Some(Discount::Percent(dec!(101))), ..line() }, "lines[0].discount.value"),
            (LineInput { discount: Some(Discount::Amount(dec!(-5))), ..line() }, "lines[0].discount.value"),
        ];
        for (bad, field) in cases {
            assert_eq!(fields(std::slice::from_ref(&bad)), [field], "{bad:?}");
        }
        assert_eq!(
            fields(&[line(), LineInput { sku: "".into(), quantity: dec!(0), ..line() }]),
            ["lines[1].sku", "lines[1].quantity"]
        );
        assert_eq!(fields(&vec![line(); MAX_LINES + 1]), ["lines"]);
    }
}
