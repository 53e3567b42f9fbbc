//! The leave tables, recorded in `gremlin_migrations_leave`. Days are
//! integers of 1/100 day (`*_e2`) so sums are exact on both backends;
//! dates are `YYYY-MM-DD` text (they sort as dates); times are
//! microseconds since the epoch; a leave type's policy is JSON text.

use sea_orm_migration::MigrationTrait;

mod m20261202_000050_leave_create_tables;
mod m20261202_000051_leave_calendars;
mod m20261202_000052_leave_feeds;
mod m20261202_000053_leave_withdrawals;

/// The leave migrations, oldest first.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m20261202_000050_leave_create_tables::Migration),
        Box::new(m20261202_000051_leave_calendars::Migration),
        Box::new(m20261202_000052_leave_feeds::Migration),
        Box::new(m20261202_000053_leave_withdrawals::Migration),
    ]
}
