//! Errors raised while loading or validating settings. Each names the key it
//! concerns and what is allowed, so an operator can fix it without reading code.

use std::path::PathBuf;

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A key is unknown or its value has the wrong type (file or environment).
    #[error("invalid configuration:\n{}", .0.join("\n"))]
    Parse(Vec<String>),
    /// A value parsed but is not allowed.
    #[error("invalid setting `{key}`: {message}")]
    Invalid {
        /// Dotted key, for example `database.url`.
        key: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// The configuration file named explicitly does not exist.
    #[error("configuration file {0} does not exist (given by --config or GREMLIN_CONFIG)")]
    MissingFile(PathBuf),
    /// The generated auth secret could not be read or written.
    #[error("auth secret file {path}: {source}")]
    SecretFile {
        /// The file in the data directory.
        path: PathBuf,
        /// The I/O failure.
        source: std::io::Error,
    },
}

impl ConfigError {
    pub(crate) fn invalid(key: &str, message: impl Into<String>) -> Self {
        Self::Invalid { key: key.to_owned(), message: message.into() }
    }

    /// Turns figment's errors into one line per failing key.
    pub(crate) fn from_figment(err: figment::Error) -> Self {
        let lines = err
            .into_iter()
            .map(|e| {
                let path = e.path.clone();
                let key = path.join(".");
                let origin = match &e.metadata {
                    Some(m) if m.name.contains("environment") => {
                        format!(" (from environment variable GREMLIN_{})", path.join("__").to_uppercase())
                    }
                    Some(m) => match &m.source {
                        Some(source) => format!(" (from {source})"),
                        None => format!(" (from {})", m.name),
                    },
                    None => String::new(),
                };
                let reason = match &e.kind {
                    figment::error::Kind::UnknownField(_, expected) => {
                        format!("unknown key; allowed here: {}", expected.join(", "))
                    }
                    kind => kind.to_string(),
                };
                format!("  `{key}`{origin}: {reason}")
            })
            .collect();
        Self::Parse(lines)
    }
}
