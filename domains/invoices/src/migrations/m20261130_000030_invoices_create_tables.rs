//! `invoices`, `invoice_lines`, `invoice_payments` and `credit_notes`. Every
//! row carries `organization_id`; lookups are by `(organization_id, id)`.
//! Numbers come from the kernel's `document_numbers` and are unique per
//! organization once given (drafts have none).

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

const INVOICES: &str = "CREATE TABLE IF NOT EXISTS invoices (
    id TEXT NOT NULL PRIMARY KEY,
    organization_id TEXT NOT NULL,
    number TEXT NULL,
    status TEXT NOT NULL,
    customer_crm_id TEXT NULL,
    customer_name TEXT NOT NULL,
    customer_email TEXT NULL,
    customer_address TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal TEXT NOT NULL,
    discount_total TEXT NOT NULL,
    tax_total TEXT NOT NULL,
    grand_total TEXT NOT NULL,
    amount_due TEXT NOT NULL,
    memo TEXT NULL,
    footer TEXT NULL,
    metadata TEXT NOT NULL,
    order_id TEXT NULL,
    net_days INTEGER NOT NULL,
    issue_date TEXT NULL,
    due_date TEXT NULL,
    finalized_at_us BIGINT NULL,
    created_by TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    created_at_us BIGINT NOT NULL,
    updated_at_us BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (organization_id, number))";

const LINES: &str = "CREATE TABLE IF NOT EXISTS invoice_lines (
    invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    description TEXT NOT NULL,
    sku TEXT NULL,
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
    PRIMARY KEY (invoice_id, position))";

const PAYMENTS: &str = "CREATE TABLE IF NOT EXISTS invoice_payments (
    id TEXT NOT NULL PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    amount TEXT NOT NULL,
    method TEXT NOT NULL,
    reference TEXT NULL,
    received_at_us BIGINT NOT NULL,
    refund_reason TEXT NULL,
    refunded_at_us BIGINT NULL)";

const CREDIT_NOTES: &str = "CREATE TABLE IF NOT EXISTS credit_notes (
    id TEXT NOT NULL PRIMARY KEY,
    invoice_id TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    organization_id TEXT NOT NULL,
    number TEXT NOT NULL,
    status TEXT NOT NULL,
    lines TEXT NOT NULL,
    amount TEXT NOT NULL,
    applied_to_due TEXT NOT NULL,
    remainder TEXT NOT NULL,
    remainder_outcome TEXT NULL,
    reason TEXT NULL,
    issued_at_us BIGINT NOT NULL,
    UNIQUE (organization_id, number))";

const INDEXES: [&str; 6] = [
    "CREATE INDEX IF NOT EXISTS invoices_by_created ON invoices (organization_id, created_at_us DESC, id DESC)",
    "CREATE INDEX IF NOT EXISTS invoices_by_status_due ON invoices (organization_id, status, due_date)",
    "CREATE INDEX IF NOT EXISTS invoices_by_issue_date ON invoices (organization_id, issue_date)",
    "CREATE INDEX IF NOT EXISTS invoices_by_order ON invoices (organization_id, order_id)",
    "CREATE INDEX IF NOT EXISTS invoice_payments_by_invoice ON invoice_payments (invoice_id, received_at_us)",
    "CREATE INDEX IF NOT EXISTS credit_notes_by_invoice ON credit_notes (invoice_id, issued_at_us)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let all = &[
            INVOICES,
            LINES,
            PAYMENTS,
            CREDIT_NOTES,
            INDEXES[0],
            INDEXES[1],
            INDEXES[2],
            INDEXES[3],
            INDEXES[4],
            INDEXES[5],
        ];
        run(manager, BackendSql { sqlite: all, postgres: all }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let drop = &[
            "DROP TABLE IF EXISTS credit_notes",
            "DROP TABLE IF EXISTS invoice_payments",
            "DROP TABLE IF EXISTS invoice_lines",
            "DROP TABLE IF EXISTS invoices",
        ];
        run(manager, BackendSql { sqlite: drop, postgres: drop }).await
    }
}
