//! `/api/credit-notes`: an organization's credit notes across its invoices,
//! each with the invoice it corrects — what an accountant's credit-note
//! journal lists. They are issued and voided on their invoice
//! (`/api/invoices/{id}/credit-notes`).

use gremlin_kernel::http::{Caller, SortDirection};
use gremlin_kernel::{DomainError, ProblemResponse};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi, Tags};

use super::dto::{CreditNoteDto, CustomerDto};
use crate::model::{CreditNoteId, CreditNoteStatus, InvoiceId};
use crate::ports::{CreditNoteEntry, CreditNoteQuery};
use crate::service::InvoiceService;

#[derive(Tags)]
enum CreditNotesTag {
    /// Credit notes of the caller's organization, across its invoices.
    CreditNotes,
}

/// A credit note with the invoice it corrects.
#[derive(Debug, Clone, Object)]
#[oai(rename = "IssuedCreditNote")]
pub struct CreditNoteEntryDto {
    /// The credit note.
    #[oai(flatten)]
    pub note: CreditNoteDto,
    /// The invoice it corrects.
    pub invoice_id: uuid::Uuid,
    /// That invoice's number (`INV-000123`).
    pub invoice_number: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// Who was billed.
    pub customer: CustomerDto,
}

impl From<&CreditNoteEntry> for CreditNoteEntryDto {
    fn from(e: &CreditNoteEntry) -> Self {
        Self {
            note: CreditNoteDto::from(&e.note),
            invoice_id: e.invoice_id.0,
            invoice_number: e.invoice_number.clone(),
            currency: e.currency.code().to_owned(),
            customer: CustomerDto::from(&e.customer),
        }
    }
}

gremlin_kernel::page_dto! {
    /// A page of credit notes.
    pub struct CreditNotePage of CreditNoteEntryDto from CreditNoteEntry;
    /// Credit notes, newest first unless `direction=asc`.
    items
}

/// The credit notes API.
pub struct CreditNotesApi {
    service: InvoiceService,
}

impl CreditNotesApi {
    /// The API over `service`.
    pub fn new(service: InvoiceService) -> Self {
        Self { service }
    }
}

#[OpenApi(prefix_path = "/api/credit-notes", tag = "CreditNotesTag::CreditNotes")]
impl CreditNotesApi {
    /// List credit notes.
    ///
    /// A page of the organization's credit notes with their invoices
    /// (`invoices:read`), by issue time, cursor pagination.
    #[oai(path = "/", method = "get", operation_id = "credit_notes.list")]
    async fn list(
        &self,
        caller: Caller,
        /// Page size, 1-200 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))]
        limit: Query<Option<u32>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Only credit notes of this invoice.
        invoice_id: Query<Option<uuid::Uuid>>,
        /// Only credit notes in this status.
        status: Query<Option<CreditNoteStatus>>,
        /// Sort direction by issue time (default `desc`).
        direction: Query<Option<SortDirection>>,
    ) -> Result<Json<CreditNotePage>, ProblemResponse> {
        let query = CreditNoteQuery {
            invoice_id: invoice_id.0.map(InvoiceId),
            status: status.0,
            ascending: direction.0.unwrap_or_default().is_ascending(),
            limit: limit.0.unwrap_or(50),
            cursor: cursor.0,
        };
        Ok(Json(self.service.credit_notes(&caller, &query).await?.into()))
    }

    /// Get a credit note.
    ///
    /// One credit note of the organization with its invoice (`invoices:read`).
    #[oai(path = "/:id", method = "get", operation_id = "credit_notes.get")]
    async fn get(&self, caller: Caller, id: Path<String>) -> Result<Json<CreditNoteEntryDto>, ProblemResponse> {
        let id: CreditNoteId = id.0.parse().map_err(|_| DomainError::not_found("credit note"))?;
        Ok(Json(CreditNoteEntryDto::from(&self.service.credit_note(&caller, id).await?)))
    }
}
