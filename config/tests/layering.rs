//! Layering, validation and secret handling of settings, in figment jails
//! (each jail has its own working directory and environment).
#![allow(clippy::result_large_err, reason = "figment's Jail closures return its large error type")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::Path;

use figment::Jail;
use gremlin_config::{AuthSecretSource, ConfigError, LogFormat, load};

fn error_text(err: ConfigError) -> String {
    err.to_string()
}

#[test]
fn defaults_apply_with_nothing_configured() {
    Jail::expect_with(|_| {
        let s = load(None).map_err(error_text)?;
        assert_eq!(s.server.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.server.public_url, "http://127.0.0.1:8080");
        assert_eq!(s.events.url.expose(), "memory");
        assert_eq!(s.cache.url.expose(), "memory");
        assert_eq!(s.documents.url.expose(), "sql");
        assert!(s.database.auto_migrate);
        assert_eq!(s.database.effective_url(&s.data_dir).expose(), "sqlite://./gremlin.db?mode=rwc");
        assert_eq!(s.log.format, LogFormat::Pretty);
        Ok(())
    });
}

#[test]
fn file_overrides_defaults_and_env_overrides_file() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "gremlin.toml",
            r#"
            [server]
            bind = "0.0.0.0:9000"
            request_timeout_secs = 7
            [database]
            max_connections = 4
            "#,
        )?;
        jail.set_env("GREMLIN_DATABASE__MAX_CONNECTIONS", "12");
        jail.set_env("GREMLIN_LOG__FORMAT", "json");
        jail.set_env("GREMLIN_PUBLIC_URL", "https://api.example.com");
        let s = load(None).map_err(error_text)?;
        assert_eq!(s.server.bind.to_string(), "0.0.0.0:9000", "file beats default");
        assert_eq!(s.server.request_timeout_secs, 7);
        assert_eq!(s.database.max_connections, 12, "env beats file");
        assert_eq!(s.log.format, LogFormat::Json);
        assert_eq!(s.server.public_url, "https://api.example.com");
        Ok(())
    });
}

#[test]
fn explicit_file_from_env_variable_is_used() {
    Jail::expect_with(|jail| {
        jail.create_file("other.toml", "[server]\nshutdown_grace_secs = 3\n")?;
        jail.set_env("GREMLIN_CONFIG", "other.toml");
        let s = load(None).map_err(error_text)?;
        assert_eq!(s.server.shutdown_grace_secs, 3);
        Ok(())
    });
}

#[test]
fn missing_explicit_file_is_an_error() {
    Jail::expect_with(|_| {
        let err = load(Some(Path::new("nope.toml"))).expect_err("must fail");
        assert!(err.to_string().contains("nope.toml"), "{err}");
        Ok(())
    });
}

#[test]
fn unknown_key_in_file_names_the_key() {
    Jail::expect_with(|jail| {
        jail.create_file("gremlin.toml", "[database]\nurll = \"sqlite://x.db\"\n")?;
        let err = load(None).expect_err("must fail").to_string();
        assert!(err.contains("`database.urll`"), "{err}");
        assert!(err.contains("allowed here"), "{err}");
        Ok(())
    });
}

#[test]
fn unknown_env_variable_names_the_key() {
    Jail::expect_with(|jail| {
        jail.set_env("GREMLIN_SERVER__BINDD", "127.0.0.1:1");
        let err = load(None).expect_err("must fail").to_string();
        assert!(err.contains("`server.bindd`"), "{err}");
        Ok(())
    });
}

#[test]
fn other_programs_gremlin_variables_are_ignored() {
    Jail::expect_with(|jail| {
        // What Kubernetes injects for a Service named `gremlin`.
        jail.set_env("GREMLIN_PORT", "tcp://10.0.0.1:8080");
        jail.set_env("GREMLIN_SERVICE_HOST", "10.0.0.1");
        jail.set_env("GREMLIN_SERVICE_PORT", "8080");
        jail.set_env("GREMLIN_PORT_8080_TCP", "tcp://10.0.0.1:8080");
        jail.set_env("GREMLIN_PORT_8080_TCP_PROTO", "tcp");
        jail.set_env("GREMLIN_PORT_8080_TCP_ADDR", "10.0.0.1");
        jail.set_env("GREMLIN_DATA_DIR", "/srv/gremlin");
        jail.set_env("GREMLIN_SERVER__REQUEST_TIMEOUT_SECS", "7");
        let settings = load(None).expect("starts despite the foreign variables");
        assert_eq!(settings.data_dir, std::path::PathBuf::from("/srv/gremlin"));
        assert_eq!(settings.server.request_timeout_secs, 7);
        Ok(())
    });
}

#[test]
fn wrongly_typed_value_names_the_key() {
    Jail::expect_with(|jail| {
        jail.set_env("GREMLIN_DATABASE__MAX_CONNECTIONS", "many");
        let err = load(None).expect_err("must fail").to_string();
        assert!(err.contains("`database.max_connections`"), "{err}");
        Ok(())
    });
}

#[test]
fn invalid_values_name_the_key_and_what_is_allowed() {
    let cases = [
        ("GREMLIN_DATABASE__URL", "mysql://x", "database.url", "postgres://"),
        ("GREMLIN_EVENTS__URL", "kafka://x", "events.url", "nats://"),
        ("GREMLIN_CACHE__URL", "memcached://x", "cache.url", "redis://"),
        ("GREMLIN_DOCUMENTS__URL", "couch://x", "documents.url", "mongodb://"),
        ("GREMLIN_PUBLIC_URL", "not a url", "server.public_url", "http"),
        ("GREMLIN_DATABASE__MAX_CONNECTIONS", "0", "database.max_connections", "greater than zero"),
        ("GREMLIN_CACHE__POOL_SIZE", "0", "cache.pool_size", "greater than zero"),
        ("GREMLIN_LOG__FORMAT", "xml", "log.format", "pretty"),
        ("GREMLIN_SERVER__BIND", "localhost", "server.bind", "socket address"),
    ];
    for (var, value, key, hint) in cases {
        Jail::expect_with(|jail| {
            jail.set_env(var, value);
            let err = load(None).expect_err("must fail").to_string();
            assert!(err.contains(key), "{var}={value}: {err}");
            assert!(err.contains(hint), "{var}={value}: {err}");
            Ok(())
        });
    }
}

#[test]
fn min_connections_above_max_is_rejected() {
    Jail::expect_with(|jail| {
        jail.set_env("GREMLIN_DATABASE__MIN_CONNECTIONS", "20");
        let err = load(None).expect_err("must fail").to_string();
        assert!(err.contains("database.min_connections"), "{err}");
        Ok(())
    });
}

#[test]
fn better_auth_secret_is_accepted_and_gremlin_secret_wins() {
    Jail::expect_with(|jail| {
        jail.set_env("BETTER_AUTH_SECRET", "from-better-auth-0123456789abcdef0123");
        let s = load(None).map_err(error_text)?;
        assert_eq!(
            s.auth.secret.as_ref().map(|x| x.expose().to_owned()).as_deref(),
            Some("from-better-auth-0123456789abcdef0123")
        );
        jail.set_env("GREMLIN_AUTH_SECRET", "12345678901234567890123456789012345");
        let s = load(None).map_err(error_text)?;
        assert_eq!(
            s.auth.secret.as_ref().map(|x| x.expose().to_owned()).as_deref(),
            Some("12345678901234567890123456789012345")
        );
        Ok(())
    });
}

#[test]
fn generated_secret_is_private_and_kept_across_restarts() {
    Jail::expect_with(|jail| {
        jail.set_env("GREMLIN_DATA_DIR", "data");
        let mut first = load(None).map_err(error_text)?;
        let source = first.ensure_auth_secret().map_err(error_text)?;
        let AuthSecretSource::Generated(path) = source else { panic!("expected a generated secret, got {source:?}") };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map_err(|e| e.to_string())?.permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let mut second = load(None).map_err(error_text)?;
        assert_eq!(second.ensure_auth_secret().map_err(error_text)?, AuthSecretSource::Stored(path));
        let (a, b) =
            (first.auth.secret.map(|s| s.expose().to_owned()), second.auth.secret.map(|s| s.expose().to_owned()));
        assert_eq!(a, b);
        assert!(a.is_some_and(|s| s.len() >= 32));
        Ok(())
    });
}

#[test]
fn postgres_requires_a_long_secret() {
    Jail::expect_with(|jail| {
        jail.set_env("GREMLIN_DATABASE__URL", "postgres://app@127.0.0.1/gremlin");
        let mut s = load(None).map_err(error_text)?;
        let err = s.ensure_auth_secret().expect_err("missing secret").to_string();
        assert!(err.contains("auth.secret") && err.contains("required"), "{err}");
        jail.set_env("GREMLIN_AUTH_SECRET", "short");
        let mut s = load(None).map_err(error_text)?;
        let err = s.ensure_auth_secret().expect_err("short secret").to_string();
        assert!(err.contains("at least 32 bytes"), "{err}");
        Ok(())
    });
}

#[test]
fn printed_settings_hide_secrets_and_passwords() {
    Jail::expect_with(|jail| {
        jail.set_env("GREMLIN_AUTH_SECRET", "super-secret-value-that-is-long-enough");
        jail.set_env("GREMLIN_DATABASE__URL", "postgres://app:pa55word@db/gremlin");
        let s = load(None).map_err(error_text)?;
        let printed = format!("{s:?} {}", serde_json::to_string(&s).map_err(|e| e.to_string())?);
        assert!(!printed.contains("super-secret"), "{printed}");
        assert!(!printed.contains("pa55word"), "{printed}");
        assert!(printed.contains("[redacted]"));
        Ok(())
    });
}

/// The example file documents every key: uncommenting each `# key = value`
/// line must give a valid file that sets every key `Settings` has.
#[test]
fn example_file_documents_every_key_and_parses() {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/gremlin.example.toml")).unwrap();
    let uncommented: String = example
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if rest.contains(" = ") && !rest.starts_with(char::is_uppercase) => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut documented = std::collections::BTreeSet::new();
    let mut section = String::new();
    for line in uncommented.lines() {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = format!("{name}.");
        } else if let Some((key, _)) = line.split_once(" = ")
            && !line.starts_with('#')
        {
            documented.insert(format!("{section}{key}"));
        }
    }
    let defaults = serde_json::to_value(gremlin_config::Settings::default()).unwrap();
    let mut expected = std::collections::BTreeSet::new();
    for (key, value) in defaults.as_object().unwrap() {
        match value.as_object() {
            Some(section) => expected.extend(section.keys().map(|k| format!("{key}.{k}"))),
            None => {
                expected.insert(key.clone());
            }
        }
    }
    assert_eq!(documented, expected, "config/gremlin.example.toml and Settings disagree");
    Jail::expect_with(|jail| {
        jail.create_file("gremlin.toml", &uncommented)?;
        load(None).map_err(error_text)?;
        Ok(())
    });
}
