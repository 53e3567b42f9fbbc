//! Totals and the rounding rule.
//!
//! Per line, each amount rounded to the currency's minor unit, half away
//! from zero:
//!   gross    = round(quantity × unit price)
//!   discount = round(gross × percent / 100), or min(amount, gross)
//!   net      = gross − discount
//!   tax      = round(net × tax rate / 100)
//!   total    = net + tax
//! The order's subtotal, discount, tax and grand total are the sums of its
//! lines' (already rounded) amounts, so the grand total always equals the
//! sum of the line totals and every figure is a whole number of minor units.

use gremlin_kernel::{Currency, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::line::{Discount, LineInput};

/// One line's amounts.
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

/// The order's amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OrderTotals {
    /// Sum of the lines' gross amounts.
    pub subtotal: Decimal,
    /// Sum of the lines' discounts.
    pub discount: Decimal,
    /// Sum of the lines' taxes.
    pub tax: Decimal,
    /// subtotal − discount + tax.
    pub grand_total: Decimal,
}

fn round(amount: Decimal, currency: Currency) -> Decimal {
    Money::new(amount, currency).rounded().amount
}

/// A line's amounts in `currency`. The inputs are assumed checked
/// ([`super::line::check_line`]), which keeps them far from overflow.
pub fn line_totals(line: &LineInput, currency: Currency) -> LineTotals {
    let gross = round(line.quantity * line.unit_price, currency);
    let discount = match line.discount {
        None => Decimal::ZERO,
        Some(Discount::Percent(p)) => round(gross * p / Decimal::ONE_HUNDRED, currency),
        Some(Discount::Amount(a)) => round(a, currency).min(gross),
    };
    let net = gross - discount;
    let tax = round(net * line.tax_rate / Decimal::ONE_HUNDRED, currency);
    LineTotals { gross, discount, net, tax, total: net + tax }
}

/// The order's amounts from its lines' amounts.
pub fn order_totals<'a>(lines: impl IntoIterator<Item = &'a LineTotals>) -> OrderTotals {
    let mut totals = OrderTotals::default();
    for line in lines {
        totals.subtotal += line.gross;
        totals.discount += line.discount;
        totals.tax += line.tax;
    }
    totals.grand_total = totals.subtotal - totals.discount + totals.tax;
    totals
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    use super::*;

    fn eur() -> Currency {
        Currency::parse("EUR").unwrap()
    }

    fn line(quantity: Decimal, unit_price: Decimal, discount: Option<Discount>, tax_rate: Decimal) -> LineInput {
        LineInput { sku: "S".into(), description: String::new(), quantity, unit_price, discount, tax_rate }
    }

    #[test]
    fn worked_examples() {
        // 3 × 19.99 = 59.97; 10 % off = 5.997 → 6.00; net 53.97; 20 % tax = 10.794 → 10.79.
        let t = line_totals(&line(dec!(3), dec!(19.99), Some(Discount::Percent(dec!(10))), dec!(20)), eur());
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
        let t = line_totals(&line(dec!(1.5), dec!(80.333), None, dec!(0)), eur());
        assert_eq!(t.gross, dec!(120.50));
        // An amount discount is capped at the gross amount.
        let t = line_totals(&line(dec!(1), dec!(5), Some(Discount::Amount(dec!(7))), dec!(20)), eur());
        assert_eq!((t.discount, t.net, t.tax, t.total), (dec!(5), dec!(0), dec!(0), dec!(0)));
        // JPY has no minor unit: 3 × 333.5 = 1000.5 → 1001; 8 % tax = 80.08 → 80.
        let t = line_totals(&line(dec!(3), dec!(333.5), None, dec!(8)), Currency::parse("JPY").unwrap());
        assert_eq!((t.gross, t.tax, t.total), (dec!(1001), dec!(80), dec!(1081)));
        // KWD has three decimals.
        let t = line_totals(&line(dec!(1), dec!(1.2345), None, dec!(5)), Currency::parse("KWD").unwrap());
        assert_eq!((t.gross, t.tax), (dec!(1.235), dec!(0.062)));
    }

    #[test]
    fn order_totals_add_up_the_lines() {
        let lines = [
            line_totals(&line(dec!(2), dec!(10), None, dec!(20)), eur()),
            line_totals(&line(dec!(1), dec!(0.333), Some(Discount::Percent(dec!(50))), dec!(7)), eur()),
        ];
        let totals = order_totals(&lines);
        assert_eq!(
            totals,
            OrderTotals { subtotal: dec!(20.33), discount: dec!(0.17), tax: dec!(4.01), grand_total: dec!(24.17) }
        );
        assert_eq!(order_totals(&[]), OrderTotals::default());
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
            let per_line: Vec<LineTotals> = lines.iter().map(|(q, p, d, t)| line_totals(&line(*q, *p, *d, *t), currency)).collect();
            for t in &per_line {
                for value in [t.gross, t.discount, t.net, t.tax, t.total] {
                    prop_assert!(Money::new(value, currency).is_rounded(), "{value} not rounded");
                    prop_assert!(!value.is_sign_negative() || value.is_zero(), "{value} negative");
                }
                prop_assert!(t.discount <= t.gross);
                prop_assert_eq!(t.net, t.gross - t.discount);
                prop_assert_eq!(t.total, t.net + t.tax);
            }
            let totals = order_totals(&per_line);
            let sum_of_lines: Decimal = per_line.iter().map(|t| t.total).sum();
            prop_assert_eq!(totals.grand_total, sum_of_lines);
            prop_assert_eq!(totals.grand_total, totals.subtotal - totals.discount + totals.tax);
        }
    }
}
