//! The Redis `Cache`: rate-limit counters, idempotency records and the
//! permission cache shared by every process of a deployment.
//!
//! Each operation is one Redis command (or one Lua script), so atomicity
//! is Redis's own: `SET NX PX` for `set_if_absent`, a script for the
//! fixed-window counter. The script is loaded once (`SCRIPT LOAD`) and run
//! by its hash (`EVALSHA`), reloaded when Redis has forgotten it (a restart,
//! `SCRIPT FLUSH`). Keys arrive already prefixed by the callers
//! (`cache.key_prefix`).

use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use fred::clients::WithOptions;
use fred::prelude::{
    ClientLike, Config, Error as FredError, ErrorKind, Expiration, KeysInterface, LuaInterface, Options, Pool,
    ReconnectPolicy, SetOptions, Value,
};
use gremlin_kernel::{Cache, CacheError, Counter};

/// How long one command may take before the cache counts as unavailable;
/// callers then fail open or closed rather than hang a request.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(2);

/// How long start-up waits for the first connection. Past it the process
/// still starts; the pool keeps reconnecting and `/readyz` reports the cache.
const FIRST_CONNECT_WAIT: Duration = Duration::from_secs(3);

/// INCR, starting the window on the first increment; also repairs a
/// counter that lost its expiry. Returns `{count, milliseconds left}`.
const INCREMENT_SCRIPT: &str = r"
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
";

/// A `Cache` on a pool of Redis connections. Commands fail at once while
/// Redis is unreachable instead of queueing until it returns, so a request
/// never waits on a cache that is down.
#[derive(Clone)]
pub struct RedisCache {
    pool: WithOptions<Pool>,
    /// The counter script's SHA-1 once Redis has loaded it.
    increment_sha: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

impl RedisCache {
    /// Opens `pool_size` connections to the Redis at `url`
    /// (`redis://[:PASSWORD@]HOST:PORT[/DB]`, or `rediss://` for TLS).
    /// Fails only for a malformed URL: an unreachable server is retried in
    /// the background and shows in `/readyz`.
    pub async fn connect(url: &str, pool_size: usize) -> anyhow::Result<Self> {
        let config = Config::from_url(url).context("cache.url is not a valid Redis URL")?;
        let pool = fred::types::Builder::from_config(config)
            .with_performance_config(|perf| perf.default_command_timeout = COMMAND_TIMEOUT)
            .with_connection_config(|conn| conn.connection_timeout = COMMAND_TIMEOUT)
            .set_policy(ReconnectPolicy::new_exponential(0, 100, 5_000, 2))
            .build_pool(pool_size)
            .context("building the Redis connection pool")?;
        drop(pool.connect());
        match tokio::time::timeout(FIRST_CONNECT_WAIT, pool.wait_for_connect()).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "Redis is not reachable yet; retrying in the background"),
            Err(_) => tracing::warn!("Redis did not answer within {FIRST_CONNECT_WAIT:?}; retrying in the background"),
        }
        Ok(Self {
            pool: pool.with_options(&Options { fail_fast: true, ..Options::default() }),
            increment_sha: Default::default(),
        })
    }

    /// The counter script's hash, loading the script when Redis does not
    /// have it (first use, or `reload` after a `NOSCRIPT` answer).
    async fn increment_script(&self, reload: bool) -> Result<String, CacheError> {
        if !reload && let Some(sha) = self.increment_sha.read().ok().and_then(|sha| sha.clone()) {
            return Ok(sha);
        }
        let sha: String = self.pool.script_load(INCREMENT_SCRIPT).await.map_err(cache_error)?;
        if let Ok(mut cached) = self.increment_sha.write() {
            *cached = Some(sha.clone());
        }
        Ok(sha)
    }
}

/// Milliseconds for Redis, at least 1 (a zero TTL is an error there).
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX).max(1)
}

/// Connection trouble is `Unavailable` (callers may fail open); anything
/// else is a backend fault. Both count in `cache_errors_total{kind}`.
fn cache_error(error: FredError) -> CacheError {
    let unavailable =
        matches!(error.kind(), ErrorKind::IO | ErrorKind::Timeout | ErrorKind::Canceled | ErrorKind::Backpressure);
    let kind = if unavailable { "unavailable" } else { "backend" };
    metrics::counter!("cache_errors_total", "kind" => kind).increment(1);
    if unavailable {
        CacheError::Unavailable(error.to_string())
    } else {
        CacheError::Backend(anyhow::Error::new(error).context("Redis refused a cache command"))
    }
}

/// A cache entry from a Redis reply.
fn entry(value: Value) -> Result<Option<Vec<u8>>, CacheError> {
    match value {
        Value::Null => Ok(None),
        Value::Bytes(bytes) => Ok(Some(bytes.to_vec())),
        Value::String(text) => Ok(Some(text.as_bytes().to_vec())),
        other => Err(CacheError::Backend(anyhow::anyhow!("Redis returned {:?} for a cache entry", other.kind()))),
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let value: Value = self.pool.get(key).await.map_err(cache_error)?;
        entry(value)
    }

    async fn get_many(&self, keys: &[&str]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        let value: Value = self.pool.mget(keys).await.map_err(cache_error)?;
        match value {
            Value::Array(values) => values.into_iter().map(entry).collect(),
            single => Ok(vec![entry(single)?]),
        }
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), CacheError> {
        let _: Value =
            self.pool.set(key, value, Some(Expiration::PX(millis(ttl))), None, false).await.map_err(cache_error)?;
        Ok(())
    }

    async fn set_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> Result<bool, CacheError> {
        let reply: Value = self
            .pool
            .set(key, value, Some(Expiration::PX(millis(ttl))), Some(SetOptions::NX), false)
            .await
            .map_err(cache_error)?;
        Ok(!reply.is_null())
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let removed: i64 = self.pool.del(key).await.map_err(cache_error)?;
        Ok(removed > 0)
    }

    async fn increment(&self, key: &str, window: Duration) -> Result<Counter, CacheError> {
        let run = async |sha: String| -> Result<Vec<i64>, FredError> {
            self.pool.evalsha(sha, vec![key], vec![millis(window)]).await
        };
        let reply = match run(self.increment_script(false).await?).await {
            Err(error) if error.details().starts_with("NOSCRIPT") => run(self.increment_script(true).await?).await,
            other => other,
        }
        .map_err(cache_error)?;
        let [count, ttl] = reply[..] else {
            return Err(CacheError::Backend(anyhow::anyhow!("the counter script returned {reply:?}")));
        };
        Ok(Counter {
            count: u64::try_from(count).unwrap_or(0),
            resets_in: Duration::from_millis(u64::try_from(ttl).unwrap_or(0)),
        })
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let _: Value = self.pool.ping(None).await.map_err(cache_error)?;
        Ok(())
    }
}
