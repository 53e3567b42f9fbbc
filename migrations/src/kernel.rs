//! The kernel's tables: the transactional outbox, the processed-event
//! records of consumers, the SQL-backed document store and the gapless
//! document-number counters. Every deployment shape has them.

use sea_orm_migration::prelude::*;

mod m20261127_000001_kernel_outbox;
mod m20261127_000002_kernel_documents;
mod m20261127_000003_kernel_processed_events;
mod m20261130_000004_kernel_document_numbers;

/// The kernel's migrations, in order.
pub(crate) fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261127_000001_kernel_outbox::Migration),
        Box::new(m20261127_000002_kernel_documents::Migration),
        Box::new(m20261127_000003_kernel_processed_events::Migration),
        Box::new(m20261130_000004_kernel_document_numbers::Migration),
    ]
}
