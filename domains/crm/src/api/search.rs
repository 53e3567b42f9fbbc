//! The search body every searchable kind takes, after HubSpot's CRM search
//! API: filter groups (OR of ANDs), one sort, a free-text query, a cursor.

use gremlin_kernel::http::SortDirection;
use poem_openapi::Object;

use crate::model::search::{FilterInput, Operator};
use crate::service::SearchRequest;

/// One filter: a property, an operator and a value.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmSearchFilter")]
pub struct SearchFilterDto {
    /// The property (see the operation's description for each kind's).
    pub property: String,
    /// How it compares: text compares without case; `neq` and `not_in`
    /// also match records without the property; `lt`, `lte`, `gt`, `gte`
    /// compare numbers, dates and times; `contains` finds text.
    pub operator: Operator,
    /// The value: a string, a number (or decimal string), a date
    /// (`YYYY-MM-DD`) or an RFC 3339 time, as the property holds.
    pub value: Option<serde_json::Value>,
    /// The values of `in` and `not_in` (1-100).
    #[oai(default)]
    pub values: Vec<serde_json::Value>,
}

/// Filters a record must all pass.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmSearchFilterGroup")]
pub struct SearchFilterGroupDto {
    /// 1-10 filters.
    pub filters: Vec<SearchFilterDto>,
}

/// The order of the results.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmSearchSort")]
pub struct SearchSortDto {
    /// A property of the kind.
    pub property: String,
    /// `asc` or `desc` (the default); missing values sort lowest.
    pub direction: Option<SortDirection>,
}

/// A search.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmSearchBody")]
pub struct SearchBody {
    /// 0-5 groups: a record matches when it passes every filter of any
    /// group (none: every record).
    #[oai(default)]
    pub filter_groups: Vec<SearchFilterGroupDto>,
    /// Words (at most 200 characters) every result holds in its names,
    /// e-mail addresses or domain, without case.
    pub query: Option<String>,
    /// The order (default: newest first).
    pub sort: Option<SearchSortDto>,
    /// Page size, 1-100 (default 50).
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page (with the same search).
    pub after: Option<String>,
}

impl From<SearchBody> for SearchRequest {
    fn from(body: SearchBody) -> Self {
        SearchRequest {
            groups: body
                .filter_groups
                .into_iter()
                .map(|g| {
                    g.filters
                        .into_iter()
                        .map(|f| FilterInput {
                            property: f.property,
                            operator: f.operator,
                            value: f.value,
                            values: f.values,
                        })
                        .collect()
                })
                .collect(),
            query: body.query,
            sort: body.sort.map(|s| (s.property, s.direction.unwrap_or_default().is_ascending())),
            limit: body.limit.unwrap_or(50),
            after: body.after,
        }
    }
}
