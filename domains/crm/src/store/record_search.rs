//! [`RecordSearch`] for every searchable kind: each kind's properties
//! mapped to columns ([`SearchColumns`]), the statement built by
//! [`super::search::Sql`].

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::statement;
use gremlin_kernel::{OrganizationId, Page};
use sea_orm::ConnectionTrait;

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

const fn c(property: &'static str, column: &'static str) -> Column {
    Column { property, column, scaled: false }
}

const fn amount(property: &'static str, column: &'static str) -> Column {
    Column { property, column, scaled: true }
}

const AUDIT: [Column; 2] = [c("created_at", "created_at_us"), c("updated_at", "updated_at_us")];

impl SearchColumns for CompanyFields {
    const SEARCH_COLUMNS: &'static [Column] = &[
        c("name", "name_key"),
        c("domain", "domain"),
        c("city", "city"),
        c("country", "country"),
        c("employees", "employees"),
        amount("annual_revenue", "annual_revenue_e4"),
        c("annual_revenue_currency", "annual_revenue_currency"),
        c("owner_id", "owner_id"),
        AUDIT[0],
        AUDIT[1],
    ];
}

impl SearchColumns for PersonFields {
    const SEARCH_COLUMNS: &'static [Column] = &[
        c("name", "name_key"),
        c("email", "primary_email"),
        c("company_id", "company_id"),
        c("owner_id", "owner_id"),
        AUDIT[0],
        AUDIT[1],
    ];
}

impl SearchColumns for DealFields {
    const SEARCH_COLUMNS: &'static [Column] = &[
        c("name", "name_key"),
        amount("amount", "amount_e4"),
        c("currency", "currency"),
        c("pipeline_id", "pipeline_id"),
        c("stage_id", "stage_id"),
        c("status", "status"),
        c("probability", "probability"),
        c("expected_close_on", "expected_close_on"),
        c("closed_on", "closed_on"),
        c("company_id", "company_id"),
        c("contact_id", "contact_id"),
        c("owner_id", "owner_id"),
        AUDIT[0],
        AUDIT[1],
    ];
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
        let mut sql = Sql::new(db.get_database_backend(), organization.as_str());
        let filter = sql.where_clause(search, F::SEARCH_COLUMNS, after.as_deref())?;
        let sort = F::SEARCH_COLUMNS
            .iter()
            .find(|c| c.property == search.sort.property.name)
            .context("a sort property without a column")?;
        let key = sql.sort_key(search.sort.property.ty, sort.column);
        let order = if search.sort.ascending { "ASC" } else { "DESC" };
        let text = format!(
            "SELECT *, {key} AS sort_key FROM {} WHERE {filter} ORDER BY sort_key {order}, id {order} LIMIT {}",
            F::TABLE,
            limit + 1
        );
        let rows = db.query_all_raw(statement(db.get_database_backend(), &text, sql.values)).await;
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
