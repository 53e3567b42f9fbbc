//! Search use cases: check a HubSpot-style search against the kind's
//! properties (422 naming each bad filter), then run it (`crm:read`).

use std::sync::Arc;

use gremlin_kernel::{DomainError, Page, Principal};

use super::domain_error;
use crate::model::search::{FilterInput, check};
use crate::model::{Record, Searchable};
use crate::permissions;
use crate::ports::RecordSearch;

/// A search as the caller asked for it.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// Filter groups: a record matches every filter of any group.
    pub groups: Vec<Vec<FilterInput>>,
    /// Words to find in names, e-mails and domains.
    pub query: Option<String>,
    /// The sort property and whether ascending (default: newest first).
    pub sort: Option<(String, bool)>,
    /// Page size, 1-100.
    pub limit: u32,
    /// The cursor of the previous page.
    pub after: Option<String>,
}

/// Search over one kind of record.
pub struct SearchService<F> {
    search: Arc<dyn RecordSearch<F>>,
}

impl<F> Clone for SearchService<F> {
    fn clone(&self) -> Self {
        Self { search: self.search.clone() }
    }
}

impl<F: Searchable> SearchService<F> {
    /// Searches through `search`.
    pub fn new(search: Arc<dyn RecordSearch<F>>) -> Self {
        Self { search }
    }

    /// A page of the organization's live records matching `request`.
    pub async fn search(&self, principal: &Principal, request: SearchRequest) -> Result<Page<Record<F>>, DomainError> {
        principal.require(&permissions::READ)?;
        let sort = request.sort.as_ref().map(|(name, ascending)| (name.as_str(), *ascending));
        let search = check(F::PROPERTIES, &request.groups, request.query.as_deref(), sort)
            .map_err(|errors| DomainError::Invalid { errors })?;
        let found = self.search.search(&principal.organization_id, &search, request.limit, request.after).await;
        found.map_err(|e| domain_error(F::KIND.as_str(), e))
    }
}
