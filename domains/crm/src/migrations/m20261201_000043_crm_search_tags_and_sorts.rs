//! Tags become a search property and every sortable property gets the
//! index that gives its order.
//!
//! * `tag_keys` on companies, people and deals: the lower-case tags, each
//!   between line feeds (`\nvip\npartner\n`, empty for none), filled from
//!   `tags` for the rows already there. PostgreSQL indexes it by trigrams
//!   like `search_text`.
//! * `(organization_id, sort key, id)` per sortable property: the sort key
//!   is exactly the expression the search orders by (`store::search`'s
//!   `sort_key`), so a sorted page is read in index order. Texts sort
//!   byte-wise (`COLLATE "C"` on PostgreSQL); NULL sorts as the empty text
//!   or the smallest number.

use sea_orm_migration::prelude::*;

use gremlin_kernel::schema::{BackendSql, run};

#[derive(DeriveMigrationName)]
pub(crate) struct Migration;

/// Most negative 64-bit integer: a missing number's sort key.
macro_rules! missing_number {
    () => {
        "-9223372036854775808"
    };
}

const SQLITE: &[&str] = &[
    "ALTER TABLE crm_companies ADD COLUMN tag_keys TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE crm_people ADD COLUMN tag_keys TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE crm_deals ADD COLUMN tag_keys TEXT NOT NULL DEFAULT ''",
    "UPDATE crm_companies SET tag_keys = COALESCE((SELECT char(10) || group_concat(lower(value), char(10)) || char(10) \
     FROM json_each(crm_companies.tags)), '')",
    "UPDATE crm_people SET tag_keys = COALESCE((SELECT char(10) || group_concat(lower(value), char(10)) || char(10) \
     FROM json_each(crm_people.tags)), '')",
    "UPDATE crm_deals SET tag_keys = COALESCE((SELECT char(10) || group_concat(lower(value), char(10)) || char(10) \
     FROM json_each(crm_deals.tags)), '')",
    "CREATE INDEX IF NOT EXISTS crm_companies_sort_name ON crm_companies (organization_id, name_key, id)",
    concat!(
        "CREATE INDEX IF NOT EXISTS crm_companies_sort_employees ON crm_companies \
         (organization_id, COALESCE(employees, ",
        missing_number!(),
        "), id)"
    ),
    concat!(
        "CREATE INDEX IF NOT EXISTS crm_companies_sort_revenue ON crm_companies \
         (organization_id, COALESCE(annual_revenue_e4, ",
        missing_number!(),
        "), id)"
    ),
    "CREATE INDEX IF NOT EXISTS crm_companies_sort_updated ON crm_companies (organization_id, updated_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_people_sort_name ON crm_people (organization_id, name_key, id)",
    "CREATE INDEX IF NOT EXISTS crm_people_sort_email ON crm_people (organization_id, COALESCE(primary_email, ''), id)",
    "CREATE INDEX IF NOT EXISTS crm_people_sort_updated ON crm_people (organization_id, updated_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_sort_name ON crm_deals (organization_id, name_key, id)",
    concat!(
        "CREATE INDEX IF NOT EXISTS crm_deals_sort_amount ON crm_deals (organization_id, COALESCE(amount_e4, ",
        missing_number!(),
        "), id)"
    ),
    "CREATE INDEX IF NOT EXISTS crm_deals_sort_close ON crm_deals \
     (organization_id, COALESCE(expected_close_on, ''), id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_sort_updated ON crm_deals (organization_id, updated_at_us, id)",
];

const POSTGRES: &[&str] = &[
    "ALTER TABLE crm_companies ADD COLUMN IF NOT EXISTS tag_keys TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE crm_people ADD COLUMN IF NOT EXISTS tag_keys TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE crm_deals ADD COLUMN IF NOT EXISTS tag_keys TEXT NOT NULL DEFAULT ''",
    "UPDATE crm_companies SET tag_keys = COALESCE((SELECT chr(10) || string_agg(lower(value), chr(10)) || chr(10) \
     FROM json_array_elements_text(crm_companies.tags::json)), '')",
    "UPDATE crm_people SET tag_keys = COALESCE((SELECT chr(10) || string_agg(lower(value), chr(10)) || chr(10) \
     FROM json_array_elements_text(crm_people.tags::json)), '')",
    "UPDATE crm_deals SET tag_keys = COALESCE((SELECT chr(10) || string_agg(lower(value), chr(10)) || chr(10) \
     FROM json_array_elements_text(crm_deals.tags::json)), '')",
    "CREATE INDEX IF NOT EXISTS crm_companies_tags ON crm_companies USING gin (tag_keys gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS crm_people_tags ON crm_people USING gin (tag_keys gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS crm_deals_tags ON crm_deals USING gin (tag_keys gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS crm_companies_sort_name ON crm_companies (organization_id, name_key COLLATE \"C\", id)",
    concat!(
        "CREATE INDEX IF NOT EXISTS crm_companies_sort_employees ON crm_companies \
         (organization_id, (COALESCE(employees, ",
        missing_number!(),
        ")), id)"
    ),
    concat!(
        "CREATE INDEX IF NOT EXISTS crm_companies_sort_revenue ON crm_companies \
         (organization_id, (COALESCE(annual_revenue_e4, ",
        missing_number!(),
        ")), id)"
    ),
    "CREATE INDEX IF NOT EXISTS crm_companies_sort_updated ON crm_companies (organization_id, updated_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_people_sort_name ON crm_people (organization_id, name_key COLLATE \"C\", id)",
    "CREATE INDEX IF NOT EXISTS crm_people_sort_email ON crm_people \
     (organization_id, (COALESCE(primary_email, '')) COLLATE \"C\", id)",
    "CREATE INDEX IF NOT EXISTS crm_people_sort_updated ON crm_people (organization_id, updated_at_us, id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_sort_name ON crm_deals (organization_id, name_key COLLATE \"C\", id)",
    concat!(
        "CREATE INDEX IF NOT EXISTS crm_deals_sort_amount ON crm_deals (organization_id, (COALESCE(amount_e4, ",
        missing_number!(),
        ")), id)"
    ),
    "CREATE INDEX IF NOT EXISTS crm_deals_sort_close ON crm_deals \
     (organization_id, (COALESCE(expected_close_on, '')) COLLATE \"C\", id)",
    "CREATE INDEX IF NOT EXISTS crm_deals_sort_updated ON crm_deals (organization_id, updated_at_us, id)",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, BackendSql { sqlite: SQLITE, postgres: POSTGRES }).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        const DROP: &[&str] = &[
            "DROP INDEX IF EXISTS crm_companies_sort_name",
            "DROP INDEX IF EXISTS crm_companies_sort_employees",
            "DROP INDEX IF EXISTS crm_companies_sort_revenue",
            "DROP INDEX IF EXISTS crm_companies_sort_updated",
            "DROP INDEX IF EXISTS crm_people_sort_name",
            "DROP INDEX IF EXISTS crm_people_sort_email",
            "DROP INDEX IF EXISTS crm_people_sort_updated",
            "DROP INDEX IF EXISTS crm_deals_sort_name",
            "DROP INDEX IF EXISTS crm_deals_sort_amount",
            "DROP INDEX IF EXISTS crm_deals_sort_close",
            "DROP INDEX IF EXISTS crm_deals_sort_updated",
            "DROP INDEX IF EXISTS crm_companies_tags",
            "DROP INDEX IF EXISTS crm_people_tags",
            "DROP INDEX IF EXISTS crm_deals_tags",
            "ALTER TABLE crm_companies DROP COLUMN tag_keys",
            "ALTER TABLE crm_people DROP COLUMN tag_keys",
            "ALTER TABLE crm_deals DROP COLUMN tag_keys",
        ];
        run(manager, BackendSql::portable(DROP)).await
    }
}
