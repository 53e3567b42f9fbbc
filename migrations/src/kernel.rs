//! The kernel's tables: the transactional outbox, the processed-event
//! records of consumers and the SQL-backed document store. Every deployment shape has them.

use sea_orm_migration::prelude::*;

mod m20261127_000001_kernel_outbox;
mod m20261127_000002_kernel_documents;
mod m20261127_000003_kernel_processed_events;

/// The kernel's migrations, in order.
pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261127_000001_kernel_outbox::Migration),
        Box::new(m20261127_000002_kernel_documents::Migration),
        Box::new(m20261127_000003_kernel_processed_events::Migration),
    ]
}
