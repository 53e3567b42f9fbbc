//! [`RecordSearch`] for every searchable kind: each kind's properties
//! mapped to columns ([`SearchColumns`]), the statement built by
//! [`super::search::Sql`].

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::query_all;
use gremlin_kernel::{OrganizationId, Page};
use sea_orm::{DatabaseBackend, Value};

use super::records::{SqlRecords, read_record};
use super::search::{Column, SearchCursor, Sql};
use super::tables::Table;
use crate::model::search::{PropertyType, Search};
use crate::model::searchable::Searchable;
use crate::model::{CompanyFields, DealFields, PersonFields, Record};
use crate::ports::{RecordSearch, RepositoryError};

/// Where a searchable kind keeps each property.
pub trait SearchColumns: Table + Searchable {
    /// One entry per property of [`Searchable::PROPERTIES`].
    const SEARCH_COLUMNS: &'static [Column];
}

/// A column that may be NULL.
const fn c(property: &'static str, column: &'static str) -> Column {
    Column { property, column, scaled: false, nullable: true }
}

/// A NOT NULL column.
const fn required(property: &'static str, column: &'static str) -> Column {
    Column { property, column, scaled: false, nullable: false }
}

/// An amount that may be NULL, stored in 1/10 000 units.
const fn amount(property: &'static str, column: &'static str) -> Column {
    Column { property, column, scaled: true, nullable: true }
}

const AUDIT: [Column; 2] = [required("created_at", "created_at_us"), required("updated_at", "updated_at_us")];

/// Every kind's tags, between line feeds.
const TAGS: Column = required("tags", "tag_keys");

impl SearchColumns for CompanyFields {
    const SEARCH_COLUMNS: &'static [Column] = &[
        required("name", "name_key"),
        c("domain", "domain"),
        c("city", "city"),
        c("country", "country"),
        c("employees", "employees"),
        amount("annual_revenue", "annual_revenue_e4"),
        c("annual_revenue_currency", "annual_revenue_currency"),
        c("owner_id", "owner_id"),
        TAGS,
        AUDIT[0],
        AUDIT[1],
    ];
}

impl SearchColumns for PersonFields {
    const SEARCH_COLUMNS: &'static [Column] = &[
        required("name", "name_key"),
        c("email", "primary_email"),
        c("company_id", "company_id"),
        c("owner_id", "owner_id"),
        TAGS,
        AUDIT[0],
        AUDIT[1],
    ];
}

impl SearchColumns for DealFields {
    const SEARCH_COLUMNS: &'static [Column] = &[
        required("name", "name_key"),
        amount("amount", "amount_e4"),
        c("currency", "currency"),
        required("pipeline_id", "pipeline_id"),
        required("stage_id", "stage_id"),
        required("status", "status"),
        required("probability", "probability"),
        c("expected_close_on", "expected_close_on"),
        c("closed_on", "closed_on"),
        c("company_id", "company_id"),
        c("contact_id", "contact_id"),
        c("owner_id", "owner_id"),
        TAGS,
        AUDIT[0],
        AUDIT[1],
    ];
}

/// The one statement of a search: the page (and one more row, to tell
/// whether there is more) after `after`, each row with its `sort_key`.
/// Public so tests can ask each backend's planner how it runs it.
pub fn search_statement<F: SearchColumns>(
    backend: DatabaseBackend,
    organization: &OrganizationId,
    search: &Search,
    limit: u32,
    after: Option<&str>,
) -> Result<(String, Vec<Value>), RepositoryError> {
    let mut sql = Sql::new(backend, organization.as_str());
    let filter = sql.where_clause(search, F::SEARCH_COLUMNS, after)?;
    let sort = F::SEARCH_COLUMNS
        .iter()
        .find(|c| c.property == search.sort.property.name)
        .context("a sort property without a column")?;
    let key = sql.sort_key(search.sort.property.ty, *sort);
    let order = if search.sort.ascending { "ASC" } else { "DESC" };
    let text = format!(
        "SELECT *, {key} AS sort_key FROM {} WHERE {filter} ORDER BY {key} {order}, id {order} LIMIT {}",
        F::TABLE,
        limit + 1
    );
    Ok((text, sql.values))
}

#[async_trait]
impl<F: SearchColumns> RecordSearch<F> for SqlRecords<F> {
    async fn search(
        &self,
        organization: &OrganizationId,
        search: &Search,
        limit: u32,
        after: Option<String>,
    ) -> Result<Page<Record<F>>, RepositoryError> {
        let limit = limit.clamp(1, 100);
        let db = self.db();
        let backend = db.get_database_backend();
        let (text, values) = search_statement::<F>(backend, organization, search, limit, after.as_deref())?;
        let rows = query_all(db, &text, values).await;
        let numeric = matches!(search.sort.property.ty, PropertyType::Number | PropertyType::Time);
        let keyed = rows
            .context("searching records")?
            .iter()
            .map(|row| {
                let record = read_record::<F>(row)?;
                let key: serde_json::Value = if numeric {
                    row.try_get::<i64>("", "sort_key")?.into()
                } else {
                    row.try_get::<String>("", "sort_key")?.into()
                };
                let cursor: SearchCursor = (key, record.id.to_string());
                Ok((record, cursor))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Page::from_overfetch(keyed, limit as usize).map_err(|e| RepositoryError::Backend(anyhow::anyhow!("{e}")))
    }
}
