//! Field rules every record kind uses: trimmed texts with limits, tags,
//! links, web domains, e-mail addresses, phone numbers and amounts. A
//! [`Check`] collects every problem of a record at once, so a client sees
//! all of them in one 422.

use gremlin_kernel::{Currency, FieldError};
use rust_decimal::Decimal;
use serde::Serialize;

/// Longest name (company, person, deal) or job title, in characters.
pub const MAX_NAME_LEN: usize = 200;
/// Most tags on a record.
pub const MAX_TAGS: usize = 50;
/// Longest tag, in characters.
pub const MAX_TAG_LEN: usize = 50;
/// Most links, e-mail addresses or phone numbers on a record.
pub const MAX_LIST_LEN: usize = 20;
/// Longest link, in characters.
pub const MAX_LINK_LEN: usize = 2000;
/// Largest amount (exclusive): 10^14 in any currency.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(276_447_232, 23_283, 0, false, 0);
/// Most decimal places of an amount.
pub const MAX_AMOUNT_SCALE: u32 = 4;

/// An amount of money: annual revenue, a deal's value. Zero or more, at
/// most four decimal places, below 10^14.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Amount {
    /// The value, normalized (`1200`, not `1200.00`).
    pub amount: Decimal,
    /// Its currency.
    pub currency: Currency,
}

/// Collects the problems of one record's fields.
#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    /// Records a problem with `field`.
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), message: message.into() });
    }

    /// `value` when nothing failed, else every problem.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() { Ok(value) } else { Err(self.errors) }
    }

    /// A trimmed text of 1 to `max` characters.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.fail(field, "required; give at least one character that is not a space");
        } else {
            self.no_longer(field, value, max);
        }
        value.to_owned()
    }

    /// A trimmed text of at most `max` characters; empty is none.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let value = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.no_longer(field, value, max);
        Some(value.to_owned())
    }

    fn no_longer(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.fail(field, format!("at most {max} characters"));
        }
        if value.chars().any(char::is_control) {
            self.fail(field, "no control characters (line breaks, tabs)");
        }
    }

    /// Tags: trimmed, 1 to 50 characters each, at most 50, repeated ones
    /// (ignoring case) dropped.
    pub fn tags(&mut self, tags: &[String]) -> Vec<String> {
        let mut kept: Vec<String> = Vec::new();
        for (i, tag) in tags.iter().enumerate() {
            let tag = self.required(&format!("tags[{i}]"), tag, MAX_TAG_LEN);
            if !tag.is_empty() && !kept.iter().any(|k| k.to_lowercase() == tag.to_lowercase()) {
                kept.push(tag);
            }
        }
        if kept.len() > MAX_TAGS {
            self.fail("tags", format!("at most {MAX_TAGS} tags"));
        }
        kept
    }

    /// Web links: `http(s)://` with a host, at most 2000 characters each,
    /// at most 20, repeats dropped.
    pub fn links(&mut self, links: &[String]) -> Vec<String> {
        let mut kept: Vec<String> = Vec::new();
        for (i, link) in links.iter().enumerate() {
            let field = format!("links[{i}]");
            let link = self.required(&field, link, MAX_LINK_LEN);
            let host = link.strip_prefix("https://").or_else(|| link.strip_prefix("http://"));
            if host.is_none_or(|rest| rest.is_empty() || rest.starts_with('/') || rest.contains(char::is_whitespace)) {
                self.fail(&field, "an http:// or https:// address with a host, without spaces");
            } else if !kept.contains(&link) {
                kept.push(link);
            }
        }
        if kept.len() > MAX_LIST_LEN {
            self.fail("links", format!("at most {MAX_LIST_LEN} links"));
        }
        kept
    }

    /// A web domain in canonical form: lower case, without scheme, `www.`,
    /// port, path or trailing dot (`https://www.Acme.com/about` →
    /// `acme.com`). Internationalized names are given in their `xn--` form.
    pub fn domain(&mut self, field: &str, value: Option<&str>) -> Option<String> {
        let raw = value.map(str::trim).filter(|v| !v.is_empty())?;
        let canonical = canonical_domain(raw);
        if canonical.is_none() {
            self.fail(field, "a web domain such as `acme.com` (letters, digits and hyphens; `xn--` form for others)");
        }
        canonical
    }

    /// An e-mail address: trimmed, at most 254 characters, one `@` with a
    /// local part and a domain holding a dot.
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let value = value.trim();
        let valid = value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if !valid {
            self.fail(field, "an e-mail address such as `ada@example.com`");
        }
        value.to_owned()
    }

    /// A phone number: 3 to 40 characters of digits, spaces and `+-().x`,
    /// at least three digits.
    pub fn phone(&mut self, field: &str, value: &str) -> String {
        let value = value.trim();
        let allowed = value.chars().all(|c| c.is_ascii_digit() || " +-().x".contains(c));
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if !allowed || digits < 3 || value.len() > 40 {
            self.fail(field, "a phone number: 3 to 40 characters of digits, spaces and + - ( ) . x");
        }
        value.to_owned()
    }

    /// An amount: zero or more, at most four decimal places, below 10^14;
    /// normalized so `100.00` and `100` are the same amount.
    pub fn amount(&mut self, field: &str, value: Option<Amount>) -> Option<Amount> {
        let value = value?;
        if value.amount.is_sign_negative() && !value.amount.is_zero() {
            self.fail(field, "zero or more");
        } else if value.amount >= MAX_AMOUNT {
            self.fail(field, "below 100000000000000");
        } else if value.amount.normalize().scale() > MAX_AMOUNT_SCALE {
            self.fail(field, format!("at most {MAX_AMOUNT_SCALE} decimal places"));
        }
        Some(Amount { amount: value.amount.normalize(), currency: value.currency })
    }
}

/// `raw` as a canonical web domain, or `None` when it is not one.
pub fn canonical_domain(raw: &str) -> Option<String> {
    let lower = raw.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default().trim_end_matches('.');
    let host = host.strip_prefix("www.").unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    let valid = host.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    valid.then(|| host.to_owned())
}

/// The key names are compared by for duplicates: lower case, runs of
/// spaces as one (`  ACME   Corp ` and `acme corp` match).
pub fn name_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn domains_are_canonical_or_refused() {
        for (raw, canonical) in [
            ("acme.com", "acme.com"),
            ("https://www.Acme.COM/about?x=1", "acme.com"),
            ("http://shop.acme.co.uk:8080", "shop.acme.co.uk"),
            ("acme.com.", "acme.com"),
            ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ] {
            assert_eq!(canonical_domain(raw).as_deref(), Some(canonical), "{raw}");
        }
        for raw in ["acme", "bücher.de", "-acme.com", "acme..com", "a b.com", "https://", ""] {
            assert_eq!(canonical_domain(raw), None, "{raw}");
        }
    }

    #[test]
    fn the_check_collects_every_problem() {
        let mut check = Check::default();
        check.required("name", "   ", 10);
        check.email("emails[0]", "not-an-email");
        check.phone("phones[0]", "call me");
        check.links(&["ftp://x".into()]);
        let fields: Vec<String> = check.finish(()).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "emails[0]", "phones[0]", "links[0]"]);
    }

    #[test]
    fn tags_are_trimmed_and_repeats_ignoring_case_dropped() {
        let mut check = Check::default();
        let tags = check.tags(&[" vip ".into(), "VIP".into(), "partner".into()]);
        assert_eq!(tags, ["vip", "partner"]);
        assert!(check.finish(()).is_ok());
    }

    #[test]
    fn amounts_are_normalized_and_bounded() {
        let usd = Currency::parse("USD").unwrap();
        let amount = |s: &str| Some(Amount { amount: Decimal::from_str(s).unwrap(), currency: usd });
        let mut check = Check::default();
        assert_eq!(check.amount("a", amount("100.00")).unwrap().amount.to_string(), "100");
        assert!(check.finish(()).is_ok());
        for bad in ["-1", "0.00001", "100000000000000"] {
            let mut check = Check::default();
            check.amount("a", amount(bad));
            assert!(check.finish(()).is_err(), "{bad}");
        }
        assert_eq!(MAX_AMOUNT, Decimal::from(100_000_000_000_000_i64));
    }

    proptest! {
        #[test]
        fn name_keys_ignore_case_and_spacing(words in proptest::collection::vec("[a-zA-Z]{1,8}", 1..4)) {
            let spaced = format!("  {}  ", words.join("   "));
            prop_assert_eq!(name_key(&spaced), name_key(&words.join(" ").to_uppercase()));
        }

        #[test]
        fn a_canonical_domain_is_its_own_canonical_form(raw in "[a-zA-Z0-9./:-]{0,30}") {
            if let Some(d) = canonical_domain(&raw) {
                prop_assert_eq!(canonical_domain(&d), Some(d.clone()));
            }
        }
    }
}
