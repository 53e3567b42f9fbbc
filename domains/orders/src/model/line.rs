//! Order lines and the checks on what a client may put in them.

use gremlin_kernel::FieldError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::totals::LineTotals;

/// Longest SKU.
pub const MAX_SKU_LEN: usize = 64;
/// Longest line description.
pub const MAX_DESCRIPTION_LEN: usize = 500;
/// Most lines on one order.
pub const MAX_LINES: usize = 500;
/// Most decimal places of a quantity or a unit price.
pub const MAX_SCALE: u32 = 4;
/// Largest quantity or unit price accepted (keeps totals far from overflow).
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A discount on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    /// A percentage of the line's gross amount, 0 to 100.
    Percent(Decimal),
    /// A fixed amount in the order's currency, capped at the gross amount.
    Amount(Decimal),
}

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

fn check_amount(errors: &mut Vec<FieldError>, index: usize, field: &str, value: Decimal, allow_zero: bool) {
    if value.is_sign_negative() && !value.is_zero() || (!allow_zero && value.is_zero()) {
        let bound = if allow_zero { "zero or more" } else { "more than zero" };
        error(errors, index, field, format!("must be {bound}"));
    } else if value > MAX_AMOUNT {
        error(errors, index, field, format!("must be at most {MAX_AMOUNT}"));
    } else if value.normalize().scale() > MAX_SCALE {
        error(errors, index, field, format!("at most {MAX_SCALE} decimal places"));
    }
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
    check_amount(errors, index, "quantity", line.quantity, false);
    check_amount(errors, index, "unit_price", line.unit_price, true);
    if line.tax_rate.is_sign_negative() && !line.tax_rate.is_zero() || line.tax_rate > Decimal::ONE_HUNDRED {
        error(errors, index, "tax_rate", "must be a percentage from 0 to 100");
    }
    match line.discount {
        Some(Discount::Percent(p)) if p.is_sign_negative() && !p.is_zero() || p > Decimal::ONE_HUNDRED => {
            error(errors, index, "discount.value", "a percentage from 0 to 100");
        }
        Some(Discount::Amount(a)) => check_amount(errors, index, "discount.value", a, true),
        _ => {}
    }
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
