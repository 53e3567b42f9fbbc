//! How a business domain describes itself to the binary, once: its name,
//! the permissions it registers, its API, its event consumers and its
//! migrations. The binary keeps one list of compiled domains
//! (`gremlin/src/registry.rs`) and derives from it the routes it mounts,
//! the OpenAPI document, the consumers it runs, the migration sets it
//! applies, `--domains` validation and the feature-build checks. See
//! `docs/new-domain.md`.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use poem::endpoint::BoxEndpoint;
use poem::http::Method;
use poem_openapi::OpenApi;
use poem_openapi::registry::{MetaApi, Registry};
use sea_orm::DatabaseConnection;
use sea_orm_migration::MigrationTrait;

use crate::event::EventEnvelope;
use crate::http::Idempotency;
use crate::ports::cache::Cache;
use crate::ports::documents::DocumentStore;
use crate::ports::events::SubscriptionSpec;
use crate::ports::members::MemberDirectory;
use crate::principal::Permission;

/// A business domain compiled into the binary.
pub struct Domain {
    /// Its name (`orders`): `--domains`, event `source`, the migration
    /// table `gremlin_migrations_<name>` and idempotency scopes use it.
    /// Lower-case ASCII letters and `_`.
    pub name: &'static str,
    /// The path prefix of its API (`/api/orders`).
    pub path_prefix: &'static str,
    /// The permissions it defines, each with the roles granting it by default.
    pub permissions: &'static [Grant],
    /// Its API as the OpenAPI document describes it.
    pub api: ApiDoc,
    /// Its migrations, oldest first.
    pub migrations: fn() -> Vec<Box<dyn MigrationTrait>>,
    /// Builds its API and consumers on a process's ports.
    pub wire: fn(&DomainPorts) -> anyhow::Result<Wiring>,
    /// The events it publishes and consumes, with their payloads: the
    /// AsyncAPI document is generated from these.
    pub events: crate::contract::EventContracts,
}

/// A permission and the roles (`owner`, `admin`, `member`) that hold it
/// unless an organization overrides them.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The permission (`orders:read`).
    pub permission: Permission,
    /// Roles holding it by default.
    pub roles: &'static [&'static str],
}

/// The static description of an API: what [`OpenApi::meta`] and
/// [`OpenApi::register`] give, without an instance.
#[derive(Clone, Copy)]
pub struct ApiDoc {
    /// The API's paths and operations.
    pub meta: fn() -> Vec<MetaApi>,
    /// Registers the API's schemas and security schemes.
    pub register: fn(&mut Registry),
}

impl ApiDoc {
    /// The description of the API type `T`.
    pub const fn of<T: OpenApi>() -> Self {
        Self { meta: T::meta, register: T::register }
    }
}

/// What the binary gives a domain to build on. Callers are resolved per
/// request from [`CallerContext`](crate::http::CallerContext) request data.
#[derive(Clone)]
pub struct DomainPorts {
    /// The SQL database (SQLite or PostgreSQL).
    pub db: DatabaseConnection,
    /// The cache.
    pub cache: Arc<dyn Cache>,
    /// The document store.
    pub documents: Arc<dyn DocumentStore>,
    /// `Idempotency-Key` records.
    pub idempotency: Idempotency,
    /// Who belongs to which organization (the caller verifier's cache).
    pub members: Arc<dyn MemberDirectory>,
}

/// Poem-openapi's route table.
pub type RouteTable = HashMap<String, HashMap<Method, BoxEndpoint<'static>>>;

/// An API instance ready to route, whatever its type.
pub trait Routes: Send {
    /// Adds the API's routes to `table`.
    fn add_to(self: Box<Self>, table: &mut RouteTable);
}

impl<T: OpenApi + Send> Routes for T {
    fn add_to(self: Box<Self>, table: &mut RouteTable) {
        (*self).add_routes(table);
    }
}

/// A domain wired to a process: its API and its consumers.
pub struct Wiring {
    /// The API to route (the instance of the type [`Domain::api`] describes).
    pub api: Box<dyn Routes>,
    /// The event consumers to run beside the server.
    pub consumers: Vec<Consumer>,
}

/// Handles one event; an error asks for redelivery (and, after the bus's
/// limit, dead-letters the event).
pub type Handler = Arc<dyn Fn(EventEnvelope) -> Pin<Box<dyn Future<Output = anyhow::Result<()>> + Send>> + Send + Sync>;

/// A durable subscription and what to do with its events.
#[derive(Clone)]
pub struct Consumer {
    /// The durable subscription: replicas of a service share one name.
    pub spec: SubscriptionSpec,
    /// The handler; it must be idempotent (see [`crate::inbox`]).
    pub handler: Handler,
}

impl Consumer {
    /// A consumer running `handle` for every event `spec` delivers.
    pub fn new<F, Fut>(spec: SubscriptionSpec, handle: F) -> Self
    where
        F: Fn(EventEnvelope) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
    {
        Self { spec, handler: Arc::new(move |event| Box::pin(handle(event))) }
    }
}
