//! Human order numbers: a per-organization prefix and a gapless sequence,
//! `SO-000123`. The sequence itself is assigned by storage (one counter row
//! per organization, incremented in the creating transaction).

use std::fmt;

use gremlin_kernel::FieldError;
use serde::{Deserialize, Serialize};

/// The prefix used when an organization has not chosen one.
pub const DEFAULT_PREFIX: &str = "SO-";
/// Digits the sequence is padded to.
pub const PADDING: usize = 6;

/// An organization's number prefix: 1-10 of `A-Z`, `0-9`, `-`, `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NumberPrefix(String);

impl NumberPrefix {
    /// Checks a prefix; fails naming the `prefix` field.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let ok = !text.is_empty()
            && text.len() <= 10
            && text.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/');
        if ok {
            return Ok(Self(text.to_owned()));
        }
        Err(FieldError { field: "prefix".into(), message: "use 1-10 of A-Z, 0-9, - and /, such as SO-".into() })
    }

    /// The prefix.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for NumberPrefix {
    fn default() -> Self {
        Self(DEFAULT_PREFIX.to_owned())
    }
}

/// An order's number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrderNumber {
    /// The organization's prefix when the number was assigned.
    pub prefix: NumberPrefix,
    /// 1, 2, 3, … per organization, without gaps.
    pub sequence: u64,
}

impl fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:0width$}", self.prefix.as_str(), self.sequence, width = PADDING)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn numbers_are_prefixed_and_padded() {
        let n = OrderNumber { prefix: NumberPrefix::default(), sequence: 123 };
        assert_eq!(n.to_string(), "SO-000123");
        let n = OrderNumber { prefix: NumberPrefix::parse("2026/").unwrap(), sequence: 1_234_567 };
        assert_eq!(n.to_string(), "2026/1234567");
    }

    #[test]
    fn prefixes_are_checked() {
        for good in ["SO-", "INV", "A", "2026/"] {
            assert!(NumberPrefix::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "so-", "TOO-LONG-PREFIX", "S O", "SO_"] {
            assert_eq!(NumberPrefix::parse(bad).unwrap_err().field, "prefix", "{bad}");
        }
    }

    proptest! {
        #[test]
        fn numbers_sort_like_their_sequence_below_a_million(a in 1u64..1_000_000, b in 1u64..1_000_000) {
            let (na, nb) = (OrderNumber { prefix: NumberPrefix::default(), sequence: a }, OrderNumber { prefix: NumberPrefix::default(), sequence: b });
            prop_assert_eq!(na.to_string().cmp(&nb.to_string()), a.cmp(&b));
        }
    }
}
