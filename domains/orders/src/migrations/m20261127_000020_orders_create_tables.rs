//! `orders`, `order_lines` and `order_number_sequences` (one gapless counter
//! per organization). Every row carries `organization_id`; lookups are by
//! `(organization_id, id)`.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const ORDERS: &str = "CREATE TABLE IF NOT EXISTS orders (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    number_prefix TEXT NOT NULL,
    number_seq BIGINT NOT NULL,
    status TEXT NOT NULL,
    payment_status TEXT NOT NULL,
    amount_paid TEXT NOT NULL,
    customer_contact_id TEXT NULL,
    customer_name TEXT NULL,
    customer_email TEXT NULL,
    currency TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    discount_total TEXT NOT NULL,
    tax_total TEXT NOT NULL,
    grand_total TEXT NOT NULL,
    notes TEXT NULL,
    metadata TEXT NOT NULL,
    cancellation_reason TEXT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (organization_id, number_seq))";

const LINES: &str = "CREATE TABLE IF NOT EXISTS order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    sku TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    discount_kind TEXT NULL,
    discount_value TEXT NULL,
    tax_rate TEXT NOT NULL,
    gross TEXT NOT NULL,
    discount TEXT NOT NULL,
    net TEXT NOT NULL,
    tax TEXT NOT NULL,
    total TEXT NOT NULL,
    PRIMARY KEY (order_id, position))";

const SEQUENCES: &str = "CREATE TABLE IF NOT EXISTS order_number_sequences (
    organization_id TEXT NOT NULL PRIMARY KEY,
    prefix TEXT NOT NULL,
    next_value BIGINT NOT NULL)";

const INDEXES: [&str; 3] = [
    "CREATE INDEX IF NOT EXISTS orders_by_created ON orders (organization_id, created_at_us DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS orders_by_status ON orders (organization_id, status)",
    "CREATE INDEX IF NOT EXISTS order_lines_by_org ON order_lines (organization_id, order_id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let all = &[ORDERS, LINES, SEQUENCES, INDEXES[0], INDEXES[1], INDEXES[2]];
        run(manager, BackendSql { sqlite: all, postgres: all }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &[
            "DROP TABLE IF EXISTS order_lines",
            "DROP TABLE IF EXISTS orders",
            "DROP TABLE IF EXISTS order_number_sequences",
        ];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
