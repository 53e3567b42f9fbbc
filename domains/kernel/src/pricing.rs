//! Line amounts every selling document shares (orders, invoices), so an
//! invoice made from an order totals to the cent what the order did.
//!
//! The rule, per line, each amount rounded to the currency's minor unit,
//! half away from zero:
//!   gross    = round(quantity × unit price)
//!   discount = round(gross × percent / 100), or min(round(amount), gross)
//!   net      = gross − discount
//!   tax      = round(net × tax rate / 100)   (tax is exclusive: added on top)
//!   total    = net + tax
//! A document's subtotal, discount, tax and grand total are the sums of its
//! lines' (already rounded) amounts, so the grand total always equals the
//! sum of the line totals and every figure is a whole number of minor units.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::money::{Currency, Money};

/// Most decimal places of a quantity or a unit price.
pub const MAX_SCALE: u32 = 4;
/// Largest quantity, unit price or discount amount accepted (10⁹): keeps
/// every product and sum far from `Decimal`'s overflow.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

/// A discount on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    /// A percentage of the line's gross amount, 0 to 100.
    Percent(Decimal),
    /// A fixed amount in the document's currency, capped at the gross amount.
    Amount(Decimal),
}

impl Discount {
    /// The discount as two stored columns: kind (`percent`, `amount`) and
    /// decimal text; `(None, None)` for no discount.
    pub fn to_columns(discount: Option<Discount>) -> (Option<String>, Option<String>) {
        match discount {
            None => (None, None),
            Some(Discount::Percent(p)) => (Some("percent".into()), Some(p.to_string())),
            Some(Discount::Amount(a)) => (Some("amount".into()), Some(a.to_string())),
        }
    }

    /// Reads the columns [`Discount::to_columns`] wrote.
    pub fn from_columns(kind: Option<&str>, value: Option<&str>) -> anyhow::Result<Option<Discount>> {
        Ok(match (kind, value) {
            (Some("percent"), Some(v)) => Some(Discount::Percent(crate::sql::decimal(v)?)),
            (Some("amount"), Some(v)) => Some(Discount::Amount(crate::sql::decimal(v)?)),
            _ => None,
        })
    }
}

/// What a line is priced from, as a client gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePrice {
    /// How many (decimal: 1.5 hours, 2.25 kg), more than zero.
    pub quantity: Decimal,
    /// Price of one unit before discount and tax, zero or more.
    pub unit_price: Decimal,
    /// Optional discount.
    pub discount: Option<Discount>,
    /// Exclusive tax rate in percent, 0 to 100 (20 for 20 %).
    pub tax_rate: Decimal,
}

/// One line's amounts, each rounded to the currency's minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LineTotals {
    /// Quantity × unit price.
    pub gross: Decimal,
    /// The discount taken off.
    pub discount: Decimal,
    /// Gross − discount.
    pub net: Decimal,
    /// Tax on the net amount.
    pub tax: Decimal,
    /// Net + tax.
    pub total: Decimal,
}

/// A document's amounts: sums of its lines'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentTotals {
    /// Sum of the lines' gross amounts.
    pub subtotal: Decimal,
    /// Sum of the lines' discounts.
    pub discount: Decimal,
    /// Sum of the lines' taxes.
    pub tax: Decimal,
    /// subtotal − discount + tax.
    pub grand_total: Decimal,
}

impl LineTotals {
    /// Reads a line's stored amounts (decimal text: gross, discount, net,
    /// tax, total), naming the value that is not a decimal.
    pub fn from_columns(gross: &str, discount: &str, net: &str, tax: &str, total: &str) -> anyhow::Result<Self> {
        use crate::sql::decimal;
        Ok(Self {
            gross: decimal(gross)?,
            discount: decimal(discount)?,
            net: decimal(net)?,
            tax: decimal(tax)?,
            total: decimal(total)?,
        })
    }
}

impl DocumentTotals {
    /// Reads a document's stored amounts (decimal text: subtotal, discount,
    /// tax, grand total).
    pub fn from_columns(subtotal: &str, discount: &str, tax: &str, grand_total: &str) -> anyhow::Result<Self> {
        use crate::sql::decimal;
        Ok(Self {
            subtotal: decimal(subtotal)?,
            discount: decimal(discount)?,
            tax: decimal(tax)?,
            grand_total: decimal(grand_total)?,
        })
    }
}

fn round(amount: Decimal, currency: Currency) -> Decimal {
    Money::new(amount, currency).rounded().amount
}

/// A line's amounts in `currency`. The inputs are assumed checked
/// ([`check_price`]), which keeps them far from overflow.
pub fn line_totals(price: &LinePrice, currency: Currency) -> LineTotals {
    let gross = round(price.quantity * price.unit_price, currency);
    let discount = match price.discount {
        None => Decimal::ZERO,
        Some(Discount::Percent(p)) => round(gross * p / Decimal::ONE_HUNDRED, currency),
        Some(Discount::Amount(a)) => round(a, currency).min(gross),
    };
    let net = gross - discount;
    let tax = round(net * price.tax_rate / Decimal::ONE_HUNDRED, currency);
    LineTotals { gross, discount, net, tax, total: net + tax }
}

/// A document's amounts from its lines' amounts.
pub fn document_totals<'a>(lines: impl IntoIterator<Item = &'a LineTotals>) -> DocumentTotals {
    let mut totals = DocumentTotals::default();
    for line in lines {
        totals.subtotal += line.gross;
        totals.discount += line.discount;
        totals.tax += line.tax;
    }
    totals.grand_total = totals.subtotal - totals.discount + totals.tax;
    totals
}

fn error(errors: &mut Vec<FieldError>, path: &str, field: &str, message: impl Into<String>) {
    errors.push(FieldError { field: format!("{path}.{field}"), message: message.into() });
}

fn check_amount(errors: &mut Vec<FieldError>, path: &str, field: &str, value: Decimal, allow_zero: bool) {
    if value.is_sign_negative() && !value.is_zero() || (!allow_zero && value.is_zero()) {
        let bound = if allow_zero { "zero or more" } else { "more than zero" };
        error(errors, path, field, format!("must be {bound}"));
    } else if value > MAX_AMOUNT {
        error(errors, path, field, format!("must be at most {MAX_AMOUNT}"));
    } else if value.normalize().scale() > MAX_SCALE {
        error(errors, path, field, format!("at most {MAX_SCALE} decimal places"));
    }
}

fn is_percentage(value: Decimal) -> bool {
    !(value.is_sign_negative() && !value.is_zero() || value > Decimal::ONE_HUNDRED)
}

/// Checks a line's price, naming each bad field under `path` (such as
/// `lines[2]` → `lines[2].quantity`).
pub fn check_price(path: &str, price: &LinePrice, errors: &mut Vec<FieldError>) {
    check_amount(errors, path, "quantity", price.quantity, false);
    check_amount(errors, path, "unit_price", price.unit_price, true);
    if !is_percentage(price.tax_rate) {
        error(errors, path, "tax_rate", "must be a percentage from 0 to 100");
    }
    match price.discount {
        Some(Discount::Percent(p)) if !is_percentage(p) => {
            error(errors, path, "discount.value", "a percentage from 0 to 100");
        }
        Some(Discount::Amount(a)) => check_amount(errors, path, "discount.value", a, true),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn price(quantity: Decimal, unit_price: Decimal, discount: Option<Discount>, tax_rate: Decimal) -> LinePrice {
        LinePrice { quantity, unit_price, discount, tax_rate }
    }

    #[test]
    fn worked_examples() {
        // 3 × 19.99 = 59.97; 10 % off = 5.997 → 6.00; net 53.97; 20 % tax = 10.794 → 10.79.
        let t = line_totals(&price(dec!(3), dec!(19.99), Some(Discount::Percent(dec!(10))), dec!(20)), eur());
        assert_eq!(
            t,
            LineTotals {
                gross: dec!(59.97),
                discount: dec!(6.00),
                net: dec!(53.97),
                tax: dec!(10.79),
                total: dec!(64.76)
            }
        );
        // 1.5 h × 80.333 = 120.4995 → 120.50 (half away from zero).
        let t = line_totals(&price(dec!(1.5), dec!(80.333), None, dec!(0)), eur());
        assert_eq!(t.gross, dec!(120.50));
        // An amount discount is capped at the gross amount.
        let t = line_totals(&price(dec!(1), dec!(5), Some(Discount::Amount(dec!(7))), dec!(20)), eur());
        assert_eq!((t.discount, t.net, t.tax, t.total), (dec!(5), dec!(0), dec!(0), dec!(0)));
        // JPY has no minor unit: 3 × 333.5 = 1000.5 → 1001; 8 % tax = 80.08 → 80.
        let t = line_totals(&price(dec!(3), dec!(333.5), None, dec!(8)), Currency::parse("JPY").unwrap());
        assert_eq!((t.gross, t.tax, t.total), (dec!(1001), dec!(80), dec!(1081)));
        // KWD has three decimals.
        let t = line_totals(&price(dec!(1), dec!(1.2345), None, dec!(5)), Currency::parse("KWD").unwrap());
        assert_eq!((t.gross, t.tax), (dec!(1.235), dec!(0.062)));
    }

    #[test]
    fn document_totals_add_up_the_lines() {
        let lines = [
            line_totals(&price(dec!(2), dec!(10), None, dec!(20)), eur()),
            line_totals(&price(dec!(1), dec!(0.333), Some(Discount::Percent(dec!(50))), dec!(7)), eur()),
        ];
        assert_eq!(
            document_totals(&lines),
            DocumentTotals { subtotal: dec!(20.33), discount: dec!(0.17), tax: dec!(4.01), grand_total: dec!(24.17) }
        );
        assert_eq!(document_totals(&[]), DocumentTotals::default());
    }

    #[test]
    fn each_bad_price_field_is_named_under_its_path() {
        let sound = price(dec!(2), dec!(9.99), None, dec!(20));
        let fields = |p: LinePrice| {
            let mut errors = Vec::new();
            check_price("lines[3]", &p, &mut errors);
            errors.into_iter().map(|e| e.field).collect::<Vec<_>>()
        };
        assert!(fields(sound).is_empty());
        assert!(fields(price(dec!(1), dec!(0), Some(Discount::Percent(dec!(100))), dec!(0))).is_empty());
        let cases = [
            (LinePrice { quantity: dec!(0), ..sound }, "lines[3].quantity"),
            (LinePrice { quantity: dec!(-1), ..sound }, "lines[3].quantity"),
            (LinePrice { quantity: dec!(0.00001), ..sound }, "lines[3].quantity"),
            (LinePrice { quantity: dec!(1000000001), ..sound }, "lines[3].quantity"),
            (LinePrice { unit_price: dec!(-0.01), ..sound }, "lines[3].unit_price"),
            (LinePrice { tax_rate: dec!(100.5), ..sound }, "lines[3].tax_rate"),
            (LinePrice { tax_rate: dec!(-1), ..sound }, "lines[3].tax_rate"),
            (LinePrice { discount: Some(Discount::Percent(dec!(101))), ..sound }, "lines[3].discount.value"),
            (LinePrice { discount: Some(Discount::Amount(dec!(-5))), ..sound }, "lines[3].discount.value"),
        ];
        for (bad, field) in cases {
            assert_eq!(fields(bad), [field], "{bad:?}");
        }
    }

    fn amount(max_units: i64, scale: u32) -> impl Strategy<Value = Decimal> {
        (0..max_units).prop_map(move |u| Decimal::new(u, scale))
    }

    fn discount() -> impl Strategy<Value = Option<Discount>> {
        prop_oneof![
            Just(None),
            (0i64..=10_000).prop_map(|p| Some(Discount::Percent(Decimal::new(p, 2)))),
            (0i64..10_000_000).prop_map(|a| Some(Discount::Amount(Decimal::new(a, 2)))),
        ]
    }

    proptest! {
        #[test]
        fn every_amount_is_rounded_and_the_totals_are_consistent(
            lines in prop::collection::vec((amount(1_000_000, 3).prop_filter("positive", |q| !q.is_zero()), amount(100_000_000, 4), discount(), amount(10_001, 2)), 0..20),
            code in prop::sample::select(vec!["EUR", "JPY", "KWD"]),
        ) {
            let currency = Currency::parse(code).unwrap();
            let per_line: Vec<LineTotals> = lines.iter().map(|(q, p, d, t)| line_totals(&price(*q, *p, *d, *t), currency)).collect();
            for t in &per_line {
                for value in [t.gross, t.discount, t.net, t.tax, t.total] {
                    prop_assert!(Money::new(value, currency).is_rounded(), "{value} not rounded");
                    prop_assert!(!value.is_sign_negative() || value.is_zero(), "{value} negative");
                }
                prop_assert!(t.discount <= t.gross);
                prop_assert_eq!(t.net, t.gross - t.discount);
                prop_assert_eq!(t.total, t.net + t.tax);
            }
            let totals = document_totals(&per_line);
            let sum_of_lines: Decimal = per_line.iter().map(|t| t.total).sum();
            prop_assert_eq!(totals.grand_total, sum_of_lines);
            prop_assert_eq!(totals.grand_total, totals.subtotal - totals.discount + totals.tax);
        }
    }
}
