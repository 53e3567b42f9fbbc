//! The infrastructure ports. Each trait is small and role-shaped; adapters
//! live in `gremlin/src/infra` and must pass the suites in
//! `conformance` (feature `conformance`).

pub mod cache;
pub mod documents;
pub mod events;
pub mod members;
