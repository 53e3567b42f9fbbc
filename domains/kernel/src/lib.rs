//! The kernel: ports (traits) and shared types every Gremlin domain uses.
//!
//! Domains talk to infrastructure only through the ports here
//! ([`EventBus`], [`Cache`], [`DocumentStore`], and sea-orm's connection for
//! SQL); the composition root in `gremlin` picks the adapters. This crate
//! must not depend on a concrete infrastructure client (NATS, Redis, MongoDB)
//! nor on any domain crate.

pub mod caller;
pub mod client;
pub mod contract;
pub mod domain;
pub mod error;
pub mod event;
pub mod http;
pub mod ids;
pub mod inbox;
pub mod money;
pub mod nullable;
pub mod numbering;
pub mod outbox;
pub mod overload;
pub mod page;
pub mod patch;
pub mod ports;
pub mod pricing;
pub mod principal;
pub mod problem;
pub mod schema;
pub mod sql;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use caller::{CallerCredentials, PrincipalResolver};
pub use contract::{EventContract, EventContracts};
pub use domain::{Consumer, Domain, DomainPorts, Grant, Wiring};
pub use error::{DomainError, FieldError};
pub use event::{EventEnvelope, type_matches};
pub use ids::{EventId, OrganizationId, UserId};
pub use money::{Currency, Money, MoneyError};
pub use nullable::Nullable;
pub use page::{Cursor, Page};
pub use patch::Patch;
pub use ports::cache::{Cache, CacheError, Counter};
pub use ports::documents::{Document, DocumentError, DocumentFilter, DocumentStore, LogEntry, LogQuery};
pub use ports::events::{Delivery, EventBus, EventBusError, Subscription, SubscriptionSpec};
pub use ports::members::MemberDirectory;
pub use principal::{Permission, Principal};
pub use problem::{Problem, ProblemResponse};
