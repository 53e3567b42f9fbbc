//! Organization settings kept through the document-store port (SQL tables
//! on the embedded defaults, MongoDB in production): one document per
//! organization in [`COLLECTION`], its id the organization's.

use std::sync::Arc;

use anyhow::Context;
use gremlin_kernel::{DocumentStore, OrganizationId};

use crate::model::InvoiceSettings;

/// The document collection of invoicing settings.
pub const COLLECTION: &str = "invoice_settings";

/// Reads and replaces organizations' invoicing settings.
#[derive(Clone)]
pub struct SettingsStore {
    documents: Arc<dyn DocumentStore>,
}

impl SettingsStore {
    /// Settings kept in `documents`.
    pub fn new(documents: Arc<dyn DocumentStore>) -> Self {
        Self { documents }
    }

    /// The organization's settings, or the defaults when it saved none.
    pub async fn get(&self, organization: &OrganizationId) -> anyhow::Result<InvoiceSettings> {
        let Some(document) =
            self.documents.get(COLLECTION, organization.as_str()).await.context("reading invoice settings")?
        else {
            return Ok(InvoiceSettings::default());
        };
        serde_json::from_value(document.body).context("invoice settings document has an unexpected shape")
    }

    /// Replaces the organization's settings.
    pub async fn put(&self, organization: &OrganizationId, settings: &InvoiceSettings) -> anyhow::Result<()> {
        let body = serde_json::to_value(settings).context("serializing invoice settings")?;
        self.documents.upsert(COLLECTION, organization.as_str(), body).await.context("saving invoice settings")?;
        Ok(())
    }
}
