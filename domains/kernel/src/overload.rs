//! Recognising "at capacity" among infrastructure failures, so they are
//! answered 503 with `Retry-After` (the client should retry) rather than a
//! 500 (something is broken).
//!
//! Today that is a database pool that stayed exhausted for
//! `database.acquire_timeout_secs`: every connection was busy for the whole
//! wait. Depends on sea-orm's error types only.

use sea_orm::sqlx::Error as SqlxError;
use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr};

/// Seconds a client is told to wait after the pool was exhausted.
pub const POOL_EXHAUSTED_RETRY_AFTER_SECS: u64 = 1;

/// Seconds a client is told to wait when a dependency (cache, bus) is down.
pub const UNAVAILABLE_RETRY_AFTER_SECS: u64 = 5;

/// `Some(seconds to wait)` when `cause`, or anything it wraps, says a
/// bounded resource was at capacity; `None` for every other failure.
pub fn retry_after(cause: &anyhow::Error) -> Option<u64> {
    cause.chain().any(is_pool_timeout).then_some(POOL_EXHAUSTED_RETRY_AFTER_SECS)
}

/// Logs `cause` and counts one request answered 503 because the pool
/// stayed exhausted (`db_pool_timeouts_total` in `/metrics`); called where
/// the answer is made, once per request.
pub fn record_pool_timeout(cause: &anyhow::Error) {
    tracing::warn!(error = format!("{cause:#}"), "at capacity; answered 503");
    metrics::counter!("db_pool_timeouts_total").increment(1);
}

fn is_pool_timeout(err: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(db) = err.downcast_ref::<DbErr>() {
        return match db {
            DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => true,
            DbErr::Conn(RuntimeErr::SqlxError(e))
            | DbErr::Exec(RuntimeErr::SqlxError(e))
            | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(**e, SqlxError::PoolTimedOut),
            _ => false,
        };
    }
    // A wrapper that forwards `source()` past the `DbErr` itself (thiserror's
    // `transparent`) leaves only the inner reason in the chain.
    matches!(err.downcast_ref::<ConnAcquireErr>(), Some(ConnAcquireErr::Timeout))
        || matches!(err.downcast_ref::<SqlxError>(), Some(SqlxError::PoolTimedOut))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use anyhow::Context;

    use super::*;

    #[test]
    fn a_pool_timeout_anywhere_in_the_chain_is_overload() {
        let direct = anyhow::Error::new(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout));
        assert_eq!(retry_after(&direct), Some(POOL_EXHAUSTED_RETRY_AFTER_SECS));
        let wrapped: anyhow::Result<()> =
            Err(DbErr::Query(RuntimeErr::SqlxError(Arc::new(SqlxError::PoolTimedOut)))).context("loading order");
        assert_eq!(retry_after(&wrapped.unwrap_err()), Some(POOL_EXHAUSTED_RETRY_AFTER_SECS));
        let reason_only = anyhow::Error::new(ConnAcquireErr::Timeout).context("verifying caller");
        assert_eq!(retry_after(&reason_only), Some(POOL_EXHAUSTED_RETRY_AFTER_SECS));
    }

    #[test]
    fn other_failures_are_not() {
        for err in [
            anyhow::Error::new(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)),
            anyhow::Error::new(DbErr::Custom("boom".into())),
            anyhow::anyhow!("connection pool timed out, said someone"),
        ] {
            assert_eq!(retry_after(&err), None, "{err:#}");
        }
    }
}
