//! The invoices domain's tables, recorded in `gremlin_migrations_invoices`.
//! Amounts are exact decimal strings (TEXT) on both backends; times are
//! microseconds since the epoch; dates are ISO `YYYY-MM-DD` text, which
//! sorts as dates do.

use sea_orm_migration::MigrationTrait;

mod m20261130_000030_invoices_create_tables;

/// The invoices migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![Box::new(m20261130_000030_invoices_create_tables::Migration)]
}
