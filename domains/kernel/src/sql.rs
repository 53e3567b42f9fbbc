//! SQL helpers every store shares: portable statements (`$n` placeholders
//! on both backends), times as microseconds since the epoch and exact
//! decimals as text, so SQLite and PostgreSQL store and compare alike.

use std::str::FromStr;

use anyhow::Context;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, DatabaseBackend, QueryResult, Statement, Value};
use time::OffsetDateTime;

/// Current time in microseconds since the Unix epoch.
pub fn now_micros() -> i64 {
    micros(OffsetDateTime::now_utc())
}

/// `t` in microseconds since the Unix epoch, how tables store times so that
/// SQLite and PostgreSQL compare them alike.
pub fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// `t` at storage precision (whole microseconds), so a record stored with
/// [`micros`] reads back equal to the one in memory.
pub fn at_storage_precision(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1000 * 1000).unwrap_or(t)
}

/// A time stored by [`micros`]; fails only for values no such call wrote.
pub fn from_micros(us: i64) -> anyhow::Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).context("stored time out of range")
}

/// Builds a statement; `$n` placeholders become SQLite's numbered `?n`, so a
/// parameter may appear more than once on both backends.
pub fn statement(backend: DatabaseBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DatabaseBackend::Sqlite => {
            let mut out = String::with_capacity(sql.len());
            let mut chars = sql.chars().peekable();
            while let Some(c) = chars.next() {
                if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push('?');
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// Runs one statement of [`statement`] form on `conn`; the rows it changed.
pub async fn execute(conn: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, sea_orm::DbErr> {
    let done = conn.execute_raw(statement(conn.get_database_backend(), sql, values)).await?;
    Ok(done.rows_affected())
}

/// Runs one query of [`statement`] form on `conn`; every row it returns.
pub async fn query_all(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<QueryResult>, sea_orm::DbErr> {
    conn.query_all_raw(statement(conn.get_database_backend(), sql, values)).await
}

/// Runs one query of [`statement`] form on `conn`; its first row, if any.
pub async fn query_one(
    conn: &impl ConnectionTrait,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<QueryResult>, sea_orm::DbErr> {
    conn.query_one_raw(statement(conn.get_database_backend(), sql, values)).await
}

/// A stored decimal (amounts are kept as exact decimal text); fails naming
/// the value when something other than a decimal was stored.
pub fn decimal(text: &str) -> anyhow::Result<Decimal> {
    Decimal::from_str(text).with_context(|| format!("stored amount `{text}` is not a decimal"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_placeholders_are_rewritten() {
        let s = statement(DatabaseBackend::Sqlite, "UPDATE t SET a = $1 WHERE b = $12 AND c = '$x'", vec![]);
        assert_eq!(s.sql, "UPDATE t SET a = ?1 WHERE b = ?12 AND c = '$x'");
        let p = statement(DatabaseBackend::Postgres, "SELECT $1", vec![]);
        assert_eq!(p.sql, "SELECT $1");
    }

    #[test]
    fn times_round_trip_through_microseconds() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_764_000_000_123_456_000).unwrap();
        assert_eq!(from_micros(micros(t)).unwrap(), t);
        assert!(decimal("12.50").is_ok() && decimal("twelve").is_err());
    }
}
