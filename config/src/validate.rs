//! Checks of values that parse but are not allowed, each naming its key.

use crate::error::ConfigError;
use crate::settings::Settings;

/// Validates every section; the first problem found is returned.
pub(crate) fn validate(s: &Settings) -> Result<(), ConfigError> {
    let public = url::Url::parse(&s.server.public_url).map_err(|e| {
        ConfigError::invalid(
            "server.public_url",
            format!("{e}; expected an absolute http(s) URL such as https://gremlin.example.com"),
        )
    })?;
    if !matches!(public.scheme(), "http" | "https") {
        return Err(ConfigError::invalid("server.public_url", "must use http or https"));
    }
    positive("server.body_limit_bytes", s.server.body_limit_bytes as u64)?;
    positive("server.request_timeout_secs", s.server.request_timeout_secs)?;
    if !(1..=30).contains(&s.server.header_read_timeout_secs) {
        return Err(ConfigError::invalid(
            "server.header_read_timeout_secs",
            format!("{} is outside 1–30 seconds", s.server.header_read_timeout_secs),
        ));
    }
    positive("server.keep_alive_timeout_secs", s.server.keep_alive_timeout_secs)?;
    positive("server.max_connections", s.server.max_connections as u64)?;
    positive("auth.password_hash_queue", s.auth.password_hash_queue as u64)?;
    if s.auth.password_hash_concurrency > 256 {
        return Err(ConfigError::invalid(
            "auth.password_hash_concurrency",
            format!(
                "{} is more than 256; each hash holds 19 MiB (0 = the number of cores)",
                s.auth.password_hash_concurrency
            ),
        ));
    }
    for origin in &s.server.cors_allowed_origins {
        if origin != "*" && url::Url::parse(origin).is_err() {
            return Err(ConfigError::invalid(
                "server.cors_allowed_origins",
                format!("`{origin}` is not an origin; use `*` or values such as https://app.example.com"),
            ));
        }
    }
    if !s.log.filter.chars().all(|c| c.is_ascii_alphanumeric() || "_-:=,.*".contains(c)) {
        return Err(ConfigError::invalid(
            "log.filter",
            "expected a tracing filter such as `info` or `info,gremlin=debug`",
        ));
    }
    let db = &s.database;
    if let Some(url) = &db.url
        && !matches!(url.scheme().as_str(), "sqlite" | "postgres" | "postgresql")
    {
        return Err(ConfigError::invalid(
            "database.url",
            format!(
                "scheme `{}` is not supported; use sqlite://PATH?mode=rwc or postgres://USER@HOST/DB",
                url.scheme()
            ),
        ));
    }
    positive("database.max_connections", u64::from(db.max_connections))?;
    positive("database.connect_timeout_secs", db.connect_timeout_secs)?;
    positive("database.acquire_timeout_secs", db.acquire_timeout_secs)?;
    if db.min_connections > db.max_connections {
        return Err(ConfigError::invalid(
            "database.min_connections",
            format!("{} is more than database.max_connections ({})", db.min_connections, db.max_connections),
        ));
    }
    one_of(
        "events.url",
        &s.events.url.scheme(),
        &["memory", "nats", "tls"],
        "memory, nats://HOST:4222 or tls://HOST:4222",
    )?;
    name_tokens("events.stream", &s.events.stream, false)?;
    name_tokens("events.subject_prefix", &s.events.subject_prefix, true)?;
    positive("events.retention_hours", s.events.retention_hours)?;
    positive("events.duplicate_window_secs", s.events.duplicate_window_secs)?;
    one_of("cache.url", &s.cache.url.scheme(), &["memory", "redis", "rediss"], "memory or redis://HOST:6379")?;
    positive("cache.pool_size", u64::from(s.cache.pool_size))?;
    one_of(
        "documents.url",
        &s.documents.url.scheme(),
        &["sql", "mongodb", "mongodb+srv"],
        "sql or mongodb://HOST:27017/DB",
    )?;
    positive("outbox.poll_interval_ms", s.outbox.poll_interval_ms)?;
    one_of(
        "mail.url",
        &s.mail.url.scheme(),
        &["log", "smtp", "smtps"],
        "log, smtp://USER:PASS@HOST:587?tls=required or smtps://USER:PASS@HOST:465",
    )?;
    if !s.mail.from.contains('@') {
        return Err(ConfigError::invalid("mail.from", "expected an address such as `Gremlin <no-reply@example.com>`"));
    }
    positive("auth.membership_cache_secs", s.auth.membership_cache_secs)?;
    positive("auth.session_log_retention_days", s.auth.session_log_retention_days)?;
    if let Some(jwks) = &s.auth.jwks_url {
        match url::Url::parse(jwks) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => {
                return Err(ConfigError::invalid(
                    "auth.jwks_url",
                    "expected an http(s) URL such as https://auth.example.com/api/auth/jwks",
                ));
            }
        }
        if s.auth.jwks_issuer.is_none() {
            return Err(ConfigError::invalid(
                "auth.jwks_issuer",
                "is required with auth.jwks_url: the `iss` of that issuer's tokens",
            ));
        }
    }
    positive("rate_limit.window_secs", s.rate_limit.window_secs)?;
    positive("rate_limit.max_requests", s.rate_limit.max_requests)?;
    positive("rate_limit.max_credential_requests", s.rate_limit.max_credential_requests)?;
    let prefix_ok = !s.auth.cookie_prefix.is_empty()
        && s.auth.cookie_prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if !prefix_ok {
        return Err(ConfigError::invalid(
            "auth.cookie_prefix",
            "use letters, digits, `-`, `_` or `.`, such as `better-auth`",
        ));
    }
    for origin in &s.auth.trusted_origins {
        match url::Url::parse(origin) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.path() == "/" => {}
            _ => {
                return Err(ConfigError::invalid(
                    "auth.trusted_origins",
                    format!("`{origin}` is not an origin; use values such as https://app.example.com"),
                ));
            }
        }
    }
    positive("outbox.batch_size", u64::from(s.outbox.batch_size))?;
    Ok(())
}

fn positive(key: &str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(ConfigError::invalid(key, "must be greater than zero"));
    }
    Ok(())
}

/// A NATS name: letters, digits, `-` and `_`, plus `.` between tokens
/// when `dotted`; never empty, no wildcards.
fn name_tokens(key: &str, value: &str, dotted: bool) -> Result<(), ConfigError> {
    let token_ok = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let ok = if dotted { value.split('.').all(token_ok) } else { token_ok(value) };
    if ok {
        return Ok(());
    }
    let allowed =
        if dotted { "letters, digits, `-` and `_`, with `.` between parts" } else { "letters, digits, `-` and `_`" };
    Err(ConfigError::invalid(key, format!("`{value}` is not a valid NATS name; use {allowed}")))
}

fn one_of(key: &str, scheme: &str, allowed: &[&str], hint: &str) -> Result<(), ConfigError> {
    if allowed.contains(&scheme) {
        return Ok(());
    }
    Err(ConfigError::invalid(key, format!("scheme `{scheme}` is not supported; use {hint}")))
}
