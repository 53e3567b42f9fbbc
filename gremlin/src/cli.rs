//! Command-line interface: `serve`, `migrate`, `openapi`, `domains`,
//! `config check`, `events`, `admin`.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use gremlin_config::Settings;

/// Gremlin: a self-hostable business backend (identity, organizations,
/// business domains) in one binary.
///
/// Settings come from defaults, then a TOML file (--config, GREMLIN_CONFIG,
/// or ./gremlin.toml), then GREMLIN_* environment variables
/// (GREMLIN_DATABASE__URL, GREMLIN_AUTH_SECRET, …). See
/// config/gremlin.example.toml for every key.
#[derive(Debug, Parser)]
#[command(name = "gremlin", version, about, long_about)]
pub struct Cli {
    /// Configuration file (TOML). Default: ./gremlin.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Directory for embedded data (SQLite file, generated auth secret).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (runs pending migrations first unless
    /// database.auto_migrate is false). Stops gracefully on SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Apply, roll back or list database migrations.
    #[command(subcommand)]
    Migrate(MigrateCommand),
    /// Write the OpenAPI document (JSON) to a file or stdout.
    Openapi(OpenapiArgs),
    /// Write the AsyncAPI document of the events (JSON) to a file or stdout.
    Asyncapi(OpenapiArgs),
    /// List the domains compiled into this binary: name, API path prefix,
    /// permissions and migrations (`--json` for scripts).
    Domains(DomainsArgs),
    /// Inspect configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Events consumers gave up on (NATS JetStream only).
    #[command(subcommand)]
    Events(EventsCommand),
    /// Administration without the HTTP API (the first admin, for one).
    #[cfg(feature = "identity")]
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `gremlin admin` subcommands.
#[cfg(feature = "identity")]
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user with a password, typically the first admin:
    /// `gremlin admin create-user --email me@example.com --role admin`.
    /// Without --password-stdin a strong password is generated and printed once.
    CreateUser {
        /// E-mail address.
        #[arg(long)]
        email: String,
        /// Display name (default: the part of the e-mail before `@`).
        #[arg(long)]
        name: Option<String>,
        /// Platform role(s): `user` or `admin`; repeat or comma-join.
        #[arg(long, value_delimiter = ',', default_value = "user")]
        role: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// `gremlin domains` options.
#[derive(Debug, Args)]
pub struct DomainsArgs {
    /// One JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `gremlin serve` options.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (overrides server.bind / GREMLIN_SERVER__BIND).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<SocketAddr>,
    /// Comma-separated domains to serve, among those compiled in
    /// (overrides server.domains). Default: all.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    pub domains: Option<Vec<String>>,
}

/// `gremlin migrate` subcommands.
#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Apply every pending migration of the domains compiled in.
    Up,
    /// Roll back applied migrations, newest first.
    Down {
        /// How many to roll back.
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

/// `gremlin openapi` and `gremlin asyncapi` options.
#[derive(Debug, Args)]
pub struct OpenapiArgs {
    /// File to write (default: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `gremlin events` subcommands.
#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// List dead letters, oldest first: events a consumer gave up on after
    /// its last delivery, with the consumer and the reason.
    DeadLetters {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Publish a dead letter again to its original subject (after fixing
    /// what made its consumer fail) and remove it from the dead letters.
    Replay {
        /// Its sequence number, from `dead-letters`.
        seq: u64,
    },
}

/// `gremlin config` subcommands.
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration and print the effective settings, secrets redacted.
    Check,
}

impl Cli {
    /// Applies the global flags to loaded settings.
    pub fn apply_globals(&self, settings: &mut Settings) {
        if let Some(dir) = &self.data_dir {
            settings.data_dir = dir.clone();
        }
    }
}

impl ServeArgs {
    /// Applies the serve flags to loaded settings.
    pub fn apply(&self, settings: &mut Settings) {
        if let Some(bind) = self.bind {
            settings.server.bind = bind;
        }
        if let Some(domains) = &self.domains {
            settings.server.domains = domains.clone();
        }
    }
}
