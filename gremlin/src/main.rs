//! The `gremlin` executable: parses the CLI, loads settings, runs a command.
//! Exit codes: 0 success, 1 runtime failure, 2 invalid configuration or usage.

use std::process::ExitCode;

use clap::Parser;
use gremlin::cli::{Cli, Command};
use gremlin::{commands, telemetry};

/// jemalloc rather than glibc's malloc: glibc keeps what a burst freed in
/// per-thread arenas for good (3 000 half-open connections left the
/// process 55 MiB larger, and a second burst grew it again), while
/// jemalloc hands unused pages back to the system after a few seconds —
/// from its background thread (turned on in `main`), so an idle server
/// shrinks too (a password hash's 19 MiB used to stay until the next burst).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Purging freed pages needs allocator activity unless jemalloc's
    // background thread does it; failure only means memory returns later.
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
    // One TLS crypto provider for every client (JWKS, later NATS/Redis).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    let mut settings = match gremlin_config::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("gremlin: {e}");
            return ExitCode::from(2);
        }
    };
    cli.apply_globals(&mut settings);
    telemetry::init(&settings.log);
    let mut stdout = std::io::stdout();
    let result = match &cli.command {
        Command::Serve(args) => {
            args.apply(&mut settings);
            commands::serve(settings).await
        }
        Command::Migrate(command) => commands::migrate(&settings, command, &mut stdout).await,
        Command::Openapi(args) => commands::openapi(args, &mut stdout),
        Command::Asyncapi(args) => commands::asyncapi(args, &mut stdout),
        Command::Domains(args) => commands::domains(args, &mut stdout),
        Command::Config(command) => commands::config(&settings, command, &mut stdout),
        Command::Events(command) => commands::events(&settings, command, &mut stdout).await,
        #[cfg(feature = "identity")]
        Command::Admin(command) => commands::admin(settings, command, &mut std::io::stdin().lock(), &mut stdout).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "gremlin failed");
            eprintln!("gremlin: {e:#}");
            if e.downcast_ref::<gremlin_config::ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
