//! The CRM domain's tables, recorded in `gremlin_migrations_crm`. Amounts
//! are integers of 1/10 000 (`*_e4`) so they compare as numbers on both
//! backends; times are microseconds since the epoch; lists and addresses
//! are JSON text.

use sea_orm_migration::MigrationTrait;

mod m20261201_000040_crm_create_records;
mod m20261201_000041_crm_create_deals;
mod m20261201_000042_crm_create_activities;
mod m20261201_000043_crm_search_tags_and_sorts;

/// The CRM migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261201_000040_crm_create_records::Migration),
        Box::new(m20261201_000041_crm_create_deals::Migration),
        Box::new(m20261201_000042_crm_create_activities::Migration),
        Box::new(m20261201_000043_crm_search_tags_and_sorts::Migration),
    ]
}
