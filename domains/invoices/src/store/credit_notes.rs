//! Credit notes read on their own (`/api/credit-notes`): a page of credit
//! note rows, then the header rows of their invoices — two statements,
//! however long the page.

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use gremlin_kernel::sql::micros;
use gremlin_kernel::{Cursor, OrganizationId, Page};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::{credit_note, invoice};
use super::rows::{credit_note_entry, enum_text};
use super::{SqlInvoiceRepository, invalid_cursor};
use crate::model::CreditNoteId;
use crate::ports::{CreditNoteEntry, CreditNoteQuery, CreditNoteReader, RepositoryError};

impl SqlInvoiceRepository {
    /// `notes` with the invoices they belong to (one statement).
    async fn with_invoices(
        &self,
        organization: &OrganizationId,
        notes: Vec<credit_note::Model>,
    ) -> Result<Vec<CreditNoteEntry>, RepositoryError> {
        if notes.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = notes.iter().map(|n| n.invoice_id.clone()).collect();
        let invoices: HashMap<String, invoice::Model> = invoice::Entity::find()
            .filter(invoice::Column::OrganizationId.eq(organization.as_str()))
            .filter(invoice::Column::Id.is_in(ids))
            .all(&self.db)
            .await
            .context("reading the credit notes' invoices")?
            .into_iter()
            .map(|row| (row.id.clone(), row))
            .collect();
        notes
            .into_iter()
            .map(|note| {
                let invoice = invoices
                    .get(&note.invoice_id)
                    .with_context(|| format!("credit note {} has no invoice", note.id))?;
                Ok(credit_note_entry(note, invoice)?)
            })
            .collect()
    }
}

#[async_trait]
impl CreditNoteReader for SqlInvoiceRepository {
    async fn get_credit_note(
        &self,
        organization: &OrganizationId,
        id: CreditNoteId,
    ) -> Result<Option<CreditNoteEntry>, RepositoryError> {
        let note = credit_note::Entity::find()
            .filter(credit_note::Column::OrganizationId.eq(organization.as_str()))
            .filter(credit_note::Column::Id.eq(id.to_string()))
            .one(&self.db)
            .await
            .context("reading credit note")?;
        Ok(self.with_invoices(organization, note.into_iter().collect()).await?.pop())
    }

    async fn list_credit_notes(
        &self,
        organization: &OrganizationId,
        query: &CreditNoteQuery,
    ) -> Result<Page<CreditNoteEntry>, RepositoryError> {
        let mut find =
            credit_note::Entity::find().filter(credit_note::Column::OrganizationId.eq(organization.as_str()));
        if let Some(invoice) = query.invoice_id {
            find = find.filter(credit_note::Column::InvoiceId.eq(invoice.to_string()));
        }
        if let Some(status) = query.status {
            find = find.filter(credit_note::Column::Status.eq(enum_text(&status)));
        }
        if let Some(cursor) = &query.cursor {
            let (at, id): (i64, String) = Cursor::decode(cursor).map_err(invalid_cursor)?;
            let after = |column: credit_note::Column, value: sea_orm::Value| {
                if query.ascending { column.gt(value) } else { column.lt(value) }
            };
            find = find.filter(
                Condition::any().add(after(credit_note::Column::IssuedAtUs, at.into())).add(
                    Condition::all()
                        .add(credit_note::Column::IssuedAtUs.eq(at))
                        .add(after(credit_note::Column::Id, id.into())),
                ),
            );
        }
        let direction = if query.ascending { sea_orm::Order::Asc } else { sea_orm::Order::Desc };
        let limit = query.limit.clamp(1, 200);
        let notes = find
            .order_by(credit_note::Column::IssuedAtUs, direction.clone())
            .order_by(credit_note::Column::Id, direction)
            .limit(u64::from(limit) + 1)
            .all(&self.db)
            .await
            .context("listing credit notes")?;
        let keyed = self
            .with_invoices(organization, notes)
            .await?
            .into_iter()
            .map(|entry| {
                let key = serde_json::json!((micros(entry.note.issued_at), entry.note.id.to_string()));
                (entry, key)
            })
            .collect();
        Page::from_overfetch(keyed, limit as usize).map_err(|e| RepositoryError::Backend(anyhow::anyhow!("{e}")))
    }
}
