//! Gremlin's integration tests: one binary (less to link), one module per
//! concern. Storage tests run on SQLite and on PostgreSQL (`both_backends!`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod support;

mod asyncapi;
#[cfg(feature = "identity")]
mod better_auth_database;
mod cli;
mod conformance;
#[cfg(all(feature = "console", feature = "orders", feature = "identity"))]
mod console;
#[cfg(all(feature = "crm", feature = "identity"))]
mod crm_api;
#[cfg(all(feature = "crm", feature = "identity"))]
mod crm_deals;
#[cfg(all(feature = "crm", feature = "identity"))]
mod crm_merge;
#[cfg(all(feature = "crm", feature = "identity"))]
mod crm_search;
#[cfg(all(feature = "crm", feature = "identity"))]
mod crm_timeline;
mod errors;
#[cfg(all(feature = "identity", feature = "orders"))]
mod faults;
mod health;
mod idempotency;
#[cfg(feature = "identity")]
mod identity;
#[cfg(all(feature = "identity", feature = "orders"))]
mod identity_access;
#[cfg(feature = "identity")]
mod identity_admin;
#[cfg(all(feature = "identity", feature = "orders", feature = "invoices"))]
mod identity_api_keys;
#[cfg(all(feature = "identity", feature = "orders"))]
mod identity_deletion;
#[cfg(feature = "identity")]
mod identity_mail_links;
#[cfg(feature = "identity")]
mod identity_organizations;
#[cfg(all(feature = "identity", feature = "orders"))]
mod identity_roles;
#[cfg(feature = "identity")]
mod identity_two_factor;
#[cfg(all(feature = "invoices", feature = "orders", feature = "identity"))]
mod invoices_api;
#[cfg(feature = "invoices")]
mod invoices_store;
#[cfg(all(feature = "leave", feature = "identity"))]
mod leave_api;
#[cfg(all(feature = "leave", feature = "identity"))]
mod leave_jobs;
#[cfg(all(feature = "leave", feature = "identity"))]
mod leave_removals;
mod limits;
#[cfg(feature = "identity")]
mod mail;
mod migrations;
mod mongo_documents;
mod nats_bus;
mod openapi;
#[cfg(all(feature = "orders", feature = "identity"))]
mod orders_api;
#[cfg(feature = "orders")]
mod orders_service;
#[cfg(feature = "orders")]
mod orders_store;
mod outbox;
#[cfg(all(feature = "identity", feature = "orders"))]
mod process;
#[cfg(feature = "identity")]
mod rate_limit;
#[cfg(feature = "identity")]
mod redis_cache;
#[cfg(feature = "identity")]
mod servers;
mod shutdown;
#[cfg(all(feature = "identity", feature = "orders"))]
mod split_deployment;
#[cfg(all(feature = "identity", feature = "toy-domain"))]
mod toy_domain;
#[cfg(feature = "identity")]
mod verifier;
