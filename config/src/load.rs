//! Reading the layers: defaults < TOML file < environment.

use std::io::Write;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Toml};

use crate::error::ConfigError;
use crate::secret::Secret;
use crate::settings::Settings;
use crate::{MIN_AUTH_SECRET_LEN, validate};

/// Prefix of every environment variable Gremlin reads.
pub const ENV_PREFIX: &str = "GREMLIN_";

/// File name looked for in the working directory when no path is given.
const DEFAULT_FILE: &str = "gremlin.toml";

/// File in the data directory that keeps a generated auth secret.
const SECRET_FILE: &str = "gremlin-auth.secret";

/// Loads settings: `file` (or `GREMLIN_CONFIG`, or `./gremlin.toml` when it
/// exists), then the environment, then validates.
///
/// Fails when an explicitly named file is missing, a key is unknown, or a
/// value is invalid; the error names the key.
pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
    let from_env = std::env::var_os("GREMLIN_CONFIG").map(PathBuf::from);
    let explicit = file.map(Path::to_path_buf).or(from_env);
    let path = match explicit {
        Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path)),
        Some(path) => Some(path),
        None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
    };
    load_from(path.as_deref())
}

/// Loads settings from exactly this file (or none) plus the environment.
///
/// Fails like [`load`], except that a missing `file` is simply skipped.
pub fn load_from(file: Option<&Path>) -> Result<Settings, ConfigError> {
    let mut figment = Figment::new();
    if let Some(path) = file {
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment.merge(environment());
    let mut settings: Settings = figment.extract().map_err(ConfigError::from_figment)?;
    if settings.auth.secret.is_none() {
        settings.auth.secret = std::env::var("BETTER_AUTH_SECRET").ok().map(Secret::new);
    }
    if settings.data_dir.as_os_str().is_empty() {
        settings.data_dir = PathBuf::from(".");
    }
    validate::validate(&settings)?;
    Ok(settings)
}

/// `GREMLIN_SECTION__KEY` → `section.key`, plus the documented top-level
/// names (`GREMLIN_DATA_DIR`, `GREMLIN_AUTH_SECRET`, `GREMLIN_PUBLIC_URL`).
///
/// Any other `GREMLIN_*` variable belongs to someone else and is ignored:
/// Kubernetes puts `GREMLIN_PORT=tcp://…`, `GREMLIN_SERVICE_HOST` and
/// `GREMLIN_PORT_8080_TCP_*` into every pod of a namespace with a Service
/// named `gremlin`. A misspelt key of the `SECTION__KEY` form is still
/// read, and stops start-up naming it.
fn environment() -> Env {
    Env::prefixed(ENV_PREFIX).filter_map(|key| env_key(key.as_str()).map(Into::into))
}

/// The settings key an environment variable (without `GREMLIN_`) sets.
fn env_key(name: &str) -> Option<String> {
    match name.to_ascii_lowercase().as_str() {
        "data_dir" => Some("data_dir".into()),
        "auth_secret" => Some("auth.secret".into()),
        "public_url" => Some("server.public_url".into()),
        other if other.contains("__") => Some(other.replace("__", ".")),
        _ => None,
    }
}

/// Where the auth secret in force came from, so start-up can warn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthSecretSource {
    /// Set by configuration or environment.
    Configured,
    /// Read from the file a previous start generated.
    Stored(PathBuf),
    /// Generated now and written to this file.
    Generated(PathBuf),
}

impl Settings {
    /// Makes sure an auth secret is in force.
    ///
    /// With PostgreSQL a configured secret of at least 32 bytes is required.
    /// On embedded defaults a missing secret is read from, or generated into,
    /// `gremlin-auth.secret` in the data directory (mode 0600), so restarts
    /// keep sessions valid. Fails on a missing/short secret with PostgreSQL,
    /// or when the secret file cannot be read or written.
    pub fn ensure_auth_secret(&mut self) -> Result<AuthSecretSource, ConfigError> {
        if let Some(secret) = &self.auth.secret {
            if self.database.is_postgres() && secret.expose().len() < MIN_AUTH_SECRET_LEN {
                return Err(ConfigError::invalid(
                    "auth.secret",
                    format!(
                        "must be at least {MIN_AUTH_SECRET_LEN} bytes with PostgreSQL; \
                         generate one with `openssl rand -hex 32`"
                    ),
                ));
            }
            return Ok(AuthSecretSource::Configured);
        }
        if self.database.is_postgres() {
            return Err(ConfigError::invalid(
                "auth.secret",
                "is required with PostgreSQL (every replica must share it): set \
                 GREMLIN_AUTH_SECRET to at least 32 random bytes",
            ));
        }
        let path = self.data_dir.join(SECRET_FILE);
        let file_error = |source| ConfigError::SecretFile { path: path.clone(), source };
        match std::fs::read_to_string(&path) {
            Ok(stored) if stored.trim().len() >= MIN_AUTH_SECRET_LEN => {
                self.auth.secret = Some(Secret::new(stored.trim()));
                return Ok(AuthSecretSource::Stored(path));
            }
            Ok(_) => {
                return Err(ConfigError::invalid(
                    "auth.secret",
                    format!(
                        "{} is shorter than {MIN_AUTH_SECRET_LEN} bytes; delete it to generate a new one",
                        path.display()
                    ),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(file_error(e)),
        }
        let generated = hex::encode(rand::random::<[u8; 32]>());
        std::fs::create_dir_all(&self.data_dir).map_err(file_error)?;
        write_private(&path, &generated).map_err(file_error)?;
        self.auth.secret = Some(Secret::new(generated));
        Ok(AuthSecretSource::Generated(path))
    }
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}
