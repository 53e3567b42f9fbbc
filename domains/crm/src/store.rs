//! The SQL adapters of the CRM ports: one generic store for every record
//! kind ([`SqlRecords`], each kind saying its table and columns in
//! [`Table`]), pipelines with their stages ([`SqlPipelines`]) and deals'
//! places on boards ([`SqlDealBoard`]), over SQLite and PostgreSQL. Every
//! statement is scoped by `organization_id`; changes are checked against
//! the version they read, so concurrent writers cannot lose each other's
//! work.

mod deals;
mod lines;
mod merge;
mod pipelines;
mod record_search;
mod records;
mod search;
mod tables;
mod timeline;

pub use deals::{GAP, SqlDealBoard};
pub use merge::MergeMoves;
pub use pipelines::SqlPipelines;
pub use record_search::{SearchColumns, search_statement};
pub use records::SqlRecords;
pub use search::Column;
pub use tables::{Reference, Table, Target};
pub use timeline::SqlTimeline;
