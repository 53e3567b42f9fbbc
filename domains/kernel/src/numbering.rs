//! Gapless per-organization document numbers (`SO-000123`, `INV-000042`):
//! one counter row per organization and series in `document_numbers`,
//! incremented inside the transaction that creates the document. Concurrent
//! creates queue on that row, and a rolled-back create gives its number
//! back, so a series has no gaps — what auditors expect of invoices.

use std::fmt;

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::{Deserialize, Serialize};

use crate::error::FieldError;
use crate::ids::OrganizationId;
use crate::sql::{execute, statement};

/// Digits a sequence is padded to.
pub const PADDING: usize = 6;

/// A numbered kind of document: its series name (unique across domains,
/// such as `orders`) and the prefix used until an organization picks one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberSeries {
    /// The series' key in `document_numbers`.
    pub name: &'static str,
    /// Prefix when the organization has not chosen one; must pass
    /// [`NumberPrefix::parse`].
    pub default_prefix: &'static str,
}

impl NumberSeries {
    /// The default prefix, as a checked prefix.
    pub fn default_prefix(&self) -> NumberPrefix {
        NumberPrefix(self.default_prefix.to_owned())
    }
}

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

/// A document's number: the prefix when it was assigned, the year of a
/// series that restarts every year, and its sequence.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentNumber {
    /// The organization's prefix when the number was assigned.
    pub prefix: NumberPrefix,
    /// The year the sequence belongs to, for a series restarting each year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// 1, 2, 3, … per organization and series (and year), without gaps.
    pub sequence: u64,
}

impl fmt::Display for DocumentNumber {
    /// `SO-000123`, or `INV-2026-000123` in a yearly series.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix.as_str())?;
        if let Some(year) = self.year {
            write!(f, "{year}-")?;
        }
        write!(f, "{:0width$}", self.sequence, width = PADDING)
    }
}

/// How an organization numbers a series, chosen by the document's domain
/// (invoices keep it in their settings): the prefix and, when the sequence
/// restarts every year, the year of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    /// The prefix of the number taken.
    pub prefix: NumberPrefix,
    /// `Some(year)`: the sequence of that year (`INV-2026-000001` is the
    /// first of 2026); `None`: one sequence forever.
    pub year: Option<i32>,
}

/// Takes the next number of `series` for `organization` inside `txn`, the
/// transaction that stores the document: one statement that creates the
/// counter on first use or increments it, and returns the number taken. It
/// writes, so SQLite takes its write lock at once and concurrent creates
/// queue on `busy_timeout` instead of failing; on PostgreSQL they queue on
/// the counter row.
pub async fn take_next(
    txn: &DatabaseTransaction,
    series: &NumberSeries,
    organization: &OrganizationId,
) -> anyhow::Result<DocumentNumber> {
    let stmt = statement(
        txn.get_database_backend(),
        "INSERT INTO document_numbers (organization_id, series, prefix, next_value) VALUES ($1, $2, $3, 2) \
         ON CONFLICT (organization_id, series) DO UPDATE SET next_value = document_numbers.next_value + 1 \
         RETURNING next_value - 1 AS taken, prefix",
        vec![organization.as_str().into(), series.name.into(), series.default_prefix.into()],
    );
    let row = txn.query_one_raw(stmt).await.context("taking a document number")?.context("number sequence missing")?;
    let sequence: i64 = row.try_get("", "taken").context("reading sequence")?;
    let prefix: String = row.try_get("", "prefix").context("reading prefix")?;
    Ok(DocumentNumber {
        prefix: NumberPrefix::parse(&prefix).unwrap_or_else(|_| series.default_prefix()),
        year: None,
        sequence: u64::try_from(sequence).context("negative document number")?,
    })
}

/// Like [`take_next`], with the prefix and yearly restart of `format`
/// instead of the prefix kept on the counter: a yearly series counts each
/// year on its own counter row (`invoices:2026`), so the first number of a
/// year is 1 and the years' sequences never mix.
pub async fn take_next_formatted(
    txn: &DatabaseTransaction,
    series: &NumberSeries,
    organization: &OrganizationId,
    format: &NumberFormat,
) -> anyhow::Result<DocumentNumber> {
    let counter = match format.year {
        Some(year) => format!("{}:{year}", series.name),
        None => series.name.to_owned(),
    };
    let stmt = statement(
        txn.get_database_backend(),
        "INSERT INTO document_numbers (organization_id, series, prefix, next_value) VALUES ($1, $2, $3, 2) \
         ON CONFLICT (organization_id, series) DO UPDATE \
         SET next_value = document_numbers.next_value + 1, prefix = excluded.prefix \
         RETURNING next_value - 1 AS taken",
        vec![organization.as_str().into(), counter.into(), format.prefix.as_str().into()],
    );
    let row = txn.query_one_raw(stmt).await.context("taking a document number")?.context("number sequence missing")?;
    let sequence: i64 = row.try_get("", "taken").context("reading sequence")?;
    Ok(DocumentNumber {
        prefix: format.prefix.clone(),
        year: format.year,
        sequence: u64::try_from(sequence).context("negative document number")?,
    })
}

/// Sets the prefix of `organization`'s next numbers in `series`; numbers
/// already given keep theirs.
pub async fn set_prefix(
    conn: &impl ConnectionTrait,
    series: &NumberSeries,
    organization: &OrganizationId,
    prefix: &NumberPrefix,
) -> anyhow::Result<()> {
    execute(
        conn,
        "INSERT INTO document_numbers (organization_id, series, prefix, next_value) VALUES ($1, $2, $3, 1) \
         ON CONFLICT (organization_id, series) DO UPDATE SET prefix = excluded.prefix",
        vec![organization.as_str().into(), series.name.into(), prefix.as_str().into()],
    )
    .await
    .context("setting the number prefix")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const SALES: NumberSeries = NumberSeries { name: "orders", default_prefix: "SO-" };

    #[test]
    fn numbers_are_prefixed_and_padded() {
        let n = DocumentNumber { prefix: SALES.default_prefix(), year: None, sequence: 123 };
        assert_eq!(n.to_string(), "SO-000123");
        let n = DocumentNumber { prefix: NumberPrefix::parse("2026/").unwrap(), year: None, sequence: 1_234_567 };
        assert_eq!(n.to_string(), "2026/1234567");
        let n = DocumentNumber { prefix: NumberPrefix::parse("INV-").unwrap(), year: Some(2026), sequence: 123 };
        assert_eq!(n.to_string(), "INV-2026-000123");
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
            let number = |sequence| DocumentNumber { prefix: SALES.default_prefix(), year: None, sequence }.to_string();
            prop_assert_eq!(number(a).cmp(&number(b)), a.cmp(&b));
        }
    }
}
