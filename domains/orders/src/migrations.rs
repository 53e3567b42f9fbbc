//! The orders domain's tables, recorded in `gremlin_migrations_orders`.
//! Amounts are exact decimal strings (TEXT) on both backends; times are
//! microseconds since the epoch.

use sea_orm_migration::MigrationTrait;

mod m20261127_000020_orders_create_tables;
mod m20261130_000021_orders_numbers_to_kernel;

/// The orders migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261127_000020_orders_create_tables::Migration),
        Box::new(m20261130_000021_orders_numbers_to_kernel::Migration),
    ]
}
