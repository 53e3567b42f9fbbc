//! Gremlin's composition root: the CLI, the HTTP server, the concrete
//! infrastructure adapters and the wiring of the domains compiled in.
//!
//! `main` and the tests build the application the same way, through
//! [`AppBuilder`] / [`build_app`], so what is tested is what runs.

pub mod app;
pub mod asyncapi;
pub mod cli;
pub mod commands;
#[cfg(feature = "console")]
pub mod console;
pub mod consumers;
pub mod domains;
pub mod http;
pub mod infra;
pub mod openapi;
pub mod registry;
pub mod server;
pub mod shutdown;
pub mod telemetry;
#[cfg(feature = "toy-domain")]
pub mod toy;

pub use app::{App, AppBuilder, build_app};
