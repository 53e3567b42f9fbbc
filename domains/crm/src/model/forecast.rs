//! A pipeline's forecast: what its open deals are worth per stage and per
//! expected-close month — as is and weighted by probability — and what was
//! won and lost in a period, per currency (amounts in different currencies
//! are never added together). Exact decimals throughout.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use super::fields::Amount;
use super::pipeline::{Pipeline, StageKind};

/// What a forecast needs of a deal.
#[derive(Debug, Clone, PartialEq)]
pub struct DealFigure {
    /// Its stage.
    pub stage_id: Uuid,
    /// Open, won or lost.
    pub status: StageKind,
    /// What it is worth (deals without an amount count, worth nothing).
    pub amount: Option<Amount>,
    /// Its probability, 0-100.
    pub probability: u8,
    /// When it is expected to close.
    pub expected_close_on: Option<Date>,
    /// When it was won or lost.
    pub closed_on: Option<Date>,
}

/// Deals and their worth in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Worth {
    /// How many deals.
    pub deals: u64,
    /// Their amounts added.
    pub amount: Decimal,
    /// Their amounts × probability / 100, added.
    pub weighted: Decimal,
}

/// One stage's open deals, per currency (`""` for deals without an amount).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageForecast {
    /// The stage.
    pub stage_id: Uuid,
    /// Its name.
    pub name: String,
    /// Per ISO 4217 code.
    pub by_currency: BTreeMap<String, Worth>,
}

/// A pipeline's forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forecast {
    /// Open deals per stage, in the pipeline's order (open stages only).
    pub stages: Vec<StageForecast>,
    /// Open deals per expected-close month (`YYYY-MM`; `None`: no date),
    /// then currency.
    pub months: BTreeMap<Option<String>, BTreeMap<String, Worth>>,
    /// Deals won in the period, per currency.
    pub won: BTreeMap<String, Worth>,
    /// Deals lost in the period, per currency.
    pub lost: BTreeMap<String, Worth>,
}

fn add(worth: &mut Worth, amount: Decimal, probability: u8) {
    worth.deals += 1;
    worth.amount += amount;
    worth.weighted += amount * Decimal::from(probability) / Decimal::from(100);
}

/// The forecast of `pipeline` from `deals` (its live deals), with won and
/// lost totals for deals closed from `from` to `to`, both days included.
pub fn forecast(pipeline: &Pipeline, deals: &[DealFigure], from: Date, to: Date) -> Forecast {
    let mut stages: Vec<StageForecast> = pipeline
        .stages
        .iter()
        .filter(|s| s.kind == StageKind::Open)
        .map(|s| StageForecast { stage_id: s.id, name: s.name.clone(), by_currency: BTreeMap::new() })
        .collect();
    let mut out = Forecast { stages: Vec::new(), months: BTreeMap::new(), won: BTreeMap::new(), lost: BTreeMap::new() };
    for deal in deals {
        let currency = deal.amount.as_ref().map(|a| a.currency.code().to_owned()).unwrap_or_default();
        let amount = deal.amount.as_ref().map_or(Decimal::ZERO, |a| a.amount);
        match deal.status {
            StageKind::Open => {
                if let Some(stage) = stages.iter_mut().find(|s| s.stage_id == deal.stage_id) {
                    add(stage.by_currency.entry(currency.clone()).or_default(), amount, deal.probability);
                }
                let month = deal.expected_close_on.map(|d| format!("{:04}-{:02}", d.year(), u8::from(d.month())));
                add(out.months.entry(month).or_default().entry(currency).or_default(), amount, deal.probability);
            }
            closed => {
                let in_period = deal.closed_on.is_some_and(|d| from <= d && d <= to);
                let totals = if closed == StageKind::Won { &mut out.won } else { &mut out.lost };
                if in_period {
                    add(totals.entry(currency).or_default(), amount, deal.probability);
                }
            }
        }
    }
    out.stages = std::mem::take(&mut stages);
    out
}

#[cfg(test)]
mod tests {
    use gremlin_kernel::{Currency, OrganizationId};
    use proptest::prelude::*;
    use time::OffsetDateTime;
    use time::macros::date;

    use super::*;

    fn pipeline() -> Pipeline {
        Pipeline::default_for(&OrganizationId::new("org"), OffsetDateTime::now_utc())
    }

    fn deal(p: &Pipeline, stage: usize, amount: Option<(&str, &str)>, close: Option<Date>) -> DealFigure {
        let stage = &p.stages[stage];
        DealFigure {
            stage_id: stage.id,
            status: stage.kind,
            amount: amount.map(|(a, c)| Amount { amount: a.parse().unwrap(), currency: Currency::parse(c).unwrap() }),
            probability: stage.probability,
            expected_close_on: close,
            closed_on: (stage.kind != StageKind::Open).then_some(date!(2026 - 11 - 15)),
        }
    }

    #[test]
    fn open_deals_are_weighted_by_stage_and_month_and_currencies_never_mix() {
        let p = pipeline();
        let deals = [
            deal(&p, 0, Some(("1000", "EUR")), Some(date!(2026 - 12 - 10))),
            deal(&p, 3, Some(("500.50", "EUR")), Some(date!(2026 - 12 - 31))),
            deal(&p, 3, Some(("200", "USD")), None),
            deal(&p, 1, None, None),
            deal(&p, 4, Some(("300", "EUR")), None),
            deal(&p, 5, Some(("50", "EUR")), None),
        ];
        let f = forecast(&p, &deals, date!(2026 - 11 - 1), date!(2026 - 11 - 30));
        assert_eq!(f.stages.len(), 4, "open stages only");
        let qualification = &f.stages[0].by_currency["EUR"];
        assert_eq!(
            (qualification.deals, qualification.amount, qualification.weighted),
            (1, Decimal::from(1000), Decimal::from(100))
        );
        let negotiation = &f.stages[3].by_currency;
        assert_eq!(negotiation["EUR"].weighted, "300.30".parse().unwrap());
        assert_eq!(negotiation["USD"].amount, Decimal::from(200));
        assert_eq!(f.stages[1].by_currency[""].deals, 1, "a deal without an amount still counts");
        let december = &f.months[&Some("2026-12".to_owned())]["EUR"];
        assert_eq!((december.deals, december.amount), (2, "1500.50".parse().unwrap()));
        assert_eq!(f.months[&None]["USD"].deals, 1);
        assert_eq!((f.won["EUR"].amount, f.lost["EUR"].amount), (Decimal::from(300), Decimal::from(50)));
        let later = forecast(&p, &deals, date!(2026 - 12 - 1), date!(2026 - 12 - 31));
        assert!(later.won.is_empty() && later.lost.is_empty(), "closed outside the period");
    }

    proptest! {
        #[test]
        fn stages_and_months_add_up_to_the_same_open_worth(
            picks in proptest::collection::vec((0usize..6, 0u32..100_000, any::<bool>(), 1u8..28), 0..40)
        ) {
            let p = pipeline();
            let deals: Vec<DealFigure> = picks
                .iter()
                .map(|(stage, cents, usd, day)| {
                    let amount = Decimal::new(i64::from(*cents), 2).to_string();
                    let close = Date::from_calendar_date(2026, time::Month::December, *day).ok();
                    deal(&p, *stage, Some((amount.as_str(), if *usd { "USD" } else { "EUR" })), close)
                })
                .collect();
            let f = forecast(&p, &deals, date!(2026 - 1 - 1), date!(2026 - 12 - 31));
            for currency in ["EUR", "USD"] {
                let by_stage: Decimal = f.stages.iter().filter_map(|s| s.by_currency.get(currency)).map(|w| w.weighted).sum();
                let by_month: Decimal = f.months.values().filter_map(|m| m.get(currency)).map(|w| w.weighted).sum();
                prop_assert_eq!(by_stage, by_month);
                let open: u64 = f.stages.iter().filter_map(|s| s.by_currency.get(currency)).map(|w| w.deals).sum();
                let closed = f.won.get(currency).map_or(0, |w| w.deals) + f.lost.get(currency).map_or(0, |w| w.deals);
                let all = deals.iter().filter(|d| d.amount.as_ref().is_some_and(|a| a.currency.code() == currency)).count();
                prop_assert_eq!(open + closed, all as u64);
            }
        }
    }
}
