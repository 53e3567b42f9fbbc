//! Money: a decimal amount in an ISO 4217 currency, never a float.
//!
//! Rounding rule: to the currency's minor unit, half away from zero
//! ("commercial rounding": 0.005 EUR → 0.01, -0.005 → -0.01). Arithmetic
//! keeps full precision; callers round where their rules say (per line,
//! per total) with [`Money::rounded`].

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// Why an amount or currency was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Not an active ISO 4217 code.
    #[error("`{0}` is not an ISO 4217 currency code (such as EUR, USD, JPY)")]
    UnknownCurrency(String),
    /// Two amounts in different currencies were combined.
    #[error("cannot combine {0} with {1}")]
    CurrencyMismatch(String, String),
    /// The result does not fit a decimal.
    #[error("amount overflow")]
    Overflow,
}

/// Active ISO 4217 codes whose minor unit is not 2 decimals.
const NON_CENT_CURRENCIES: &[(&str, u32)] = &[
    ("BIF", 0),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("ISK", 0),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("PYG", 0),
    ("RWF", 0),
    ("UGX", 0),
    ("UYI", 0),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
    ("BHD", 3),
    ("IQD", 3),
    ("JOD", 3),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("TND", 3),
    ("CLF", 4),
    ("UYW", 4),
];

/// Active ISO 4217 codes with 2 decimals.
const CENT_CURRENCIES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV \
BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD \
FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR \
LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK \
PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP \
TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG";

/// An ISO 4217 currency with its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_units: u32,
}

impl Currency {
    /// The euro (2 decimals): for examples and tests that need a currency
    /// without parsing one.
    pub const EUR: Currency = Currency { code: *b"EUR", minor_units: 2 };

    /// Parses an upper-case ISO 4217 code; fails for unknown codes.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let unknown = || MoneyError::UnknownCurrency(code.to_owned());
        let bytes: [u8; 3] = code.as_bytes().try_into().map_err(|_| unknown())?;
        if let Some((_, minor)) = NON_CENT_CURRENCIES.iter().find(|(c, _)| *c == code) {
            return Ok(Self { code: bytes, minor_units: *minor });
        }
        if CENT_CURRENCIES.split_whitespace().any(|c| c == code) {
            return Ok(Self { code: bytes, minor_units: 2 });
        }
        Err(unknown())
    }

    /// The three-letter code.
    pub fn code(&self) -> &str {
        // Built only from the ASCII tables above.
        std::str::from_utf8(&self.code).unwrap_or("XXX")
    }

    /// Decimal places of the minor unit (2 for EUR, 0 for JPY, 3 for KWD).
    pub fn minor_units(&self) -> u32 {
        self.minor_units
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount, at full precision until rounded.
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

impl Money {
    /// An amount in `currency`, unrounded.
    pub fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::new(Decimal::ZERO, currency)
    }

    /// Rounded to the currency's minor unit, half away from zero.
    pub fn rounded(self) -> Self {
        let amount =
            self.amount.round_dp_with_strategy(self.currency.minor_units, RoundingStrategy::MidpointAwayFromZero);
        Self::new(amount, self.currency)
    }

    /// Whether the amount has no more decimals than the minor unit allows.
    pub fn is_rounded(&self) -> bool {
        self.amount.normalize().scale() <= self.currency.minor_units
    }

    /// The sum; fails for different currencies or overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        self.amount.checked_add(other.amount).map(|a| Self::new(a, self.currency)).ok_or(MoneyError::Overflow)
    }

    /// The difference; fails for different currencies or overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(&other)?;
        self.amount.checked_sub(other.amount).map(|a| Self::new(a, self.currency)).ok_or(MoneyError::Overflow)
    }

    /// The amount times a factor (quantity, rate), unrounded; fails on overflow.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money, MoneyError> {
        self.amount.checked_mul(factor).map(|a| Self::new(a, self.currency)).ok_or(MoneyError::Overflow)
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            return Ok(());
        }
        Err(MoneyError::CurrencyMismatch(self.currency.to_string(), other.currency.to_string()))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn money(amount: &str, code: &str) -> Money {
        Money::new(dec(amount), Currency::parse(code).unwrap())
    }

    #[test]
    fn the_euro_constant_is_the_parsed_euro() {
        assert_eq!(Currency::parse("EUR").unwrap(), Currency::EUR);
    }

    #[test]
    fn currencies_know_their_minor_units() {
        assert_eq!(Currency::parse("EUR").unwrap().minor_units(), 2);
        assert_eq!(Currency::parse("JPY").unwrap().minor_units(), 0);
        assert_eq!(Currency::parse("KWD").unwrap().minor_units(), 3);
        assert_eq!(Currency::parse("CLF").unwrap().minor_units(), 4);
        for bad in ["eur", "EU", "EURO", "XYZ", "", "XAU"] {
            assert!(Currency::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_the_minor_unit() {
        let cases = [
            ("0.005", "EUR", "0.01"),
            ("-0.005", "EUR", "-0.01"),
            ("0.0049", "EUR", "0.00"),
            ("2.675", "USD", "2.68"),
            ("1.5", "JPY", "2"),
            ("2.5", "JPY", "3"),
            ("-2.5", "JPY", "-3"),
            ("1.0005", "KWD", "1.001"),
            ("10", "EUR", "10"),
        ];
        for (amount, code, expected) in cases {
            assert_eq!(money(amount, code).rounded().amount, dec(expected), "{amount} {code}");
        }
    }

    #[test]
    fn mixing_currencies_is_refused() {
        let err = money("1", "EUR").checked_add(money("1", "USD")).unwrap_err();
        assert_eq!(err, MoneyError::CurrencyMismatch("EUR".into(), "USD".into()));
        assert!(money("1", "EUR").checked_sub(money("1", "USD")).is_err());
        assert_eq!(money("1.10", "EUR").checked_add(money("2.05", "EUR")).unwrap().amount, dec("3.15"));
    }

    #[test]
    fn money_serializes_amount_as_string() {
        let json = serde_json::to_value(money("12.50", "EUR")).unwrap();
        assert_eq!(json, serde_json::json!({"amount": "12.50", "currency": "EUR"}));
        assert!(serde_json::from_value::<Money>(serde_json::json!({"amount": "1", "currency": "ZZZ"})).is_err());
    }

    proptest! {
        #[test]
        fn rounding_is_idempotent_and_within_half_a_minor_unit(units in -1_000_000_000i64..1_000_000_000, scale in 0u32..8, code in prop::sample::select(vec!["EUR", "JPY", "KWD", "CLF"])) {
            let m = Money::new(Decimal::new(units, scale), Currency::parse(code).unwrap());
            let r = m.rounded();
            prop_assert!(r.is_rounded());
            prop_assert_eq!(r.rounded(), r);
            let half_unit = Decimal::new(5, m.currency.minor_units() + 1);
            prop_assert!((r.amount - m.amount).abs() <= half_unit);
        }

        #[test]
        fn addition_commutes_and_subtraction_undoes_it(a in -1_000_000_000i64..1_000_000_000, b in -1_000_000_000i64..1_000_000_000) {
            let eur = Currency::parse("EUR").unwrap();
            let (x, y) = (Money::new(Decimal::new(a, 2), eur), Money::new(Decimal::new(b, 2), eur));
            prop_assert_eq!(x.checked_add(y).unwrap(), y.checked_add(x).unwrap());
            prop_assert_eq!(x.checked_add(y).unwrap().checked_sub(y).unwrap().amount, x.amount);
        }
    }
}
