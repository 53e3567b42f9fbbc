//! Invoice lines, their checks, and the tax breakdown accountants file.

use std::collections::BTreeMap;

use gremlin_kernel::pricing::{self, LinePrice, LineTotals};
use gremlin_kernel::{Currency, FieldError};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use gremlin_kernel::pricing::Discount;

/// Longest line description.
pub const MAX_DESCRIPTION_LEN: usize = 500;
/// Longest SKU.
pub const MAX_SKU_LEN: usize = 64;
/// Most lines on one invoice.
pub const MAX_LINES: usize = 500;

/// A line as a client describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// What is billed, shown on the invoice; 1 to 500 characters.
    pub description: String,
    /// Optional stock-keeping unit (at most 64 characters).
    pub sku: Option<String>,
    /// How much: what the kernel's pricing takes.
    pub price: LinePrice,
}

/// A checked line with its amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// Position on the invoice, from 1.
    pub position: u32,
    /// What is billed.
    pub description: String,
    /// Stock-keeping unit, if any.
    pub sku: Option<String>,
    /// How many.
    pub quantity: Decimal,
    /// Price of one unit before discount and tax.
    pub unit_price: Decimal,
    /// Discount, if any.
    pub discount: Option<Discount>,
    /// Exclusive tax rate in percent.
    pub tax_rate: Decimal,
    /// The line's amounts in the invoice currency.
    pub totals: LineTotals,
}

impl InvoiceLine {
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

/// Taxable amount and tax of one rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TaxBreakdown {
    /// Tax rate in percent.
    pub rate: Decimal,
    /// Sum of the net amounts taxed at this rate.
    pub taxable: Decimal,
    /// Sum of the lines' tax at this rate.
    pub tax: Decimal,
}

fn field(errors: &mut Vec<FieldError>, name: String, message: &str) {
    errors.push(FieldError { field: name, message: message.into() });
}

/// Checks `inputs` and prices them in `currency`, numbering them from 1;
/// every bad field is named (`lines[2].quantity`).
pub fn price_lines(inputs: &[LineInput], currency: Currency) -> Result<Vec<InvoiceLine>, Vec<FieldError>> {
    let mut errors = Vec::new();
    if inputs.len() > MAX_LINES {
        field(&mut errors, "lines".into(), "at most 500 lines");
    }
    for (i, line) in inputs.iter().enumerate() {
        let path = format!("lines[{i}]");
        let description = line.description.trim();
        if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_LEN {
            field(&mut errors, format!("{path}.description"), "1 to 500 characters");
        }
        if line.sku.as_ref().is_some_and(|s| s.trim().is_empty() || s.chars().count() > MAX_SKU_LEN) {
            field(&mut errors, format!("{path}.sku"), "1 to 64 characters when given");
        }
        pricing::check_price(&path, &line.price, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(inputs
        .iter()
        .zip(1..)
        .map(|(line, position)| InvoiceLine {
            position,
            description: line.description.trim().to_owned(),
            sku: line.sku.as_ref().map(|s| s.trim().to_owned()),
            quantity: line.price.quantity.normalize(),
            unit_price: line.price.unit_price.normalize(),
            discount: line.price.discount,
            tax_rate: line.price.tax_rate.normalize(),
            totals: pricing::line_totals(&line.price, currency),
        })
        .collect())
}

/// Taxable amounts and taxes per rate, lowest rate first; rates with no
/// lines are absent. Σ tax equals the invoice's tax.
pub fn tax_breakdown(lines: &[InvoiceLine]) -> Vec<TaxBreakdown> {
    let mut by_rate: BTreeMap<Decimal, TaxBreakdown> = BTreeMap::new();
    for line in lines {
        let rate = line.tax_rate.normalize();
        let entry = by_rate.entry(rate).or_insert(TaxBreakdown { rate, ..TaxBreakdown::default() });
        entry.taxable += line.totals.net;
        entry.tax += line.totals.tax;
    }
    by_rate.into_values().collect()
}

#[cfg(test)]
mod tests {
    use rust_decimal_macros::dec;

    use super::*;

    pub(crate) fn input(description: &str, quantity: Decimal, unit_price: Decimal, tax_rate: Decimal) -> LineInput {
        LineInput {
            description: description.into(),
            sku: None,
            price: LinePrice { quantity, unit_price, discount: None, tax_rate },
        }
    }

    #[test]
    fn lines_are_numbered_priced_and_trimmed() {
        let mut widget = input("  Widget ", dec!(2), dec!(19.99), dec!(20));
        widget.sku = Some(" W-1 ".into());
        let lines = price_lines(&[widget, input("Support", dec!(1.5), dec!(80), dec!(0))], Currency::EUR).unwrap();
        assert_eq!(
            (lines[0].position, lines[0].description.as_str(), lines[0].sku.as_deref()),
            (1, "Widget", Some("W-1"))
        );
        assert_eq!(
            (lines[0].totals.net, lines[0].totals.tax, lines[0].totals.total),
            (dec!(39.98), dec!(8.00), dec!(47.98))
        );
        assert_eq!((lines[1].position, lines[1].totals.total), (2, dec!(120.00)));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = input(" ", dec!(0), dec!(-1), dec!(101));
        bad.sku = Some(String::new());
        let errors = price_lines(&[input("ok", dec!(1), dec!(1), dec!(0)), bad], Currency::EUR).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lines[1].description", "lines[1].sku", "lines[1].quantity", "lines[1].unit_price", "lines[1].tax_rate"]
        );
    }

    #[test]
    fn taxes_are_broken_down_by_rate() {
        let lines = price_lines(
            &[
                input("A", dec!(1), dec!(100), dec!(20)),
                input("B", dec!(1), dec!(10), dec!(5.5)),
                input("C", dec!(2), dec!(50), dec!(20.0)),
            ],
            Currency::EUR,
        )
        .unwrap();
        let breakdown = tax_breakdown(&lines);
        assert_eq!(breakdown.len(), 2, "20 and 20.0 are one rate");
        assert_eq!((breakdown[0].rate, breakdown[0].taxable, breakdown[0].tax), (dec!(5.5), dec!(10), dec!(0.55)));
        assert_eq!((breakdown[1].rate, breakdown[1].taxable, breakdown[1].tax), (dec!(20), dec!(200), dec!(40)));
    }
}
