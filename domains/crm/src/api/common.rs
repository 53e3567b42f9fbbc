//! DTOs every record kind shares: amounts, the audit block, responses.

use gremlin_kernel::{Currency, DomainError, Nullable};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object};
use rust_decimal::Decimal;
use time::OffsetDateTime;

use crate::model::{Amount, Audit};

/// An amount of money.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmAmount")]
pub struct AmountDto {
    /// Zero or more, at most four decimal places, below 10^14.
    pub amount: Decimal,
    /// ISO 4217 code (`EUR`).
    #[oai(validator(pattern = "^[A-Z]{3}$"))]
    pub currency: String,
}

impl AmountDto {
    /// The model's amount; an unknown currency is a 422 on `field`.
    pub fn parse(self, field: &str) -> Result<Amount, DomainError> {
        let currency = Currency::parse(&self.currency).map_err(|e| DomainError::invalid(field, e.to_string()))?;
        Ok(Amount { amount: self.amount, currency })
    }
}

impl From<&Amount> for AmountDto {
    fn from(a: &Amount) -> Self {
        Self { amount: a.amount, currency: a.currency.code().to_owned() }
    }
}

/// Who made and last changed a record, when, and whether it is deleted.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmAudit")]
pub struct AuditDto {
    /// The user who created it.
    pub created_by: String,
    /// When (RFC 3339, UTC).
    pub created_at: OffsetDateTime,
    /// The user who changed it last.
    pub updated_by: String,
    /// When.
    pub updated_at: OffsetDateTime,
    /// When it was moved to the trash; null while live.
    pub deleted_at: Nullable<OffsetDateTime>,
    /// Its version: send it back in `If-Match` to change it.
    pub version: i64,
}

impl From<&Audit> for AuditDto {
    fn from(a: &Audit) -> Self {
        Self {
            created_by: a.created_by.to_string(),
            created_at: a.created_at,
            updated_by: a.updated_by.to_string(),
            updated_at: a.updated_at,
            deleted_at: a.deleted_at.into(),
            version: a.version,
        }
    }
}

/// A record with its ETag.
#[derive(Debug, ApiResponse)]
pub enum RecordResponse<T: poem_openapi::types::ToJSON> {
    /// The record.
    #[oai(status = 200)]
    Ok(Json<T>, #[oai(header = "ETag")] String),
}

impl<T: poem_openapi::types::ToJSON> RecordResponse<T> {
    /// `record` as its DTO, with its version as the ETag.
    pub fn of<F>(record: &crate::model::Record<F>) -> Self
    where
        T: for<'a> From<&'a crate::model::Record<F>>,
    {
        Self::Ok(Json(T::from(record)), gremlin_kernel::http::etag(record.audit.version))
    }
}

/// A created record.
#[derive(Debug, ApiResponse)]
pub enum CreatedResponse<T: poem_openapi::types::ToJSON> {
    /// Created (or, for a repeated Idempotency-Key, the record it created).
    #[oai(status = 201)]
    Created(Json<T>, #[oai(header = "ETag")] String, #[oai(header = "Location")] String),
}

impl<T: poem_openapi::types::ToJSON> CreatedResponse<T> {
    /// `record` as its DTO, with its version as the ETag and its address
    /// under `collection` (`/api/crm/companies`) as the Location.
    pub fn of<F>(record: &crate::model::Record<F>, collection: &str) -> Self
    where
        T: for<'a> From<&'a crate::model::Record<F>>,
    {
        let location = format!("{collection}/{}", record.id);
        Self::Created(Json(T::from(record)), gremlin_kernel::http::etag(record.audit.version), location)
    }
}

/// Which duplicate to merge in, at what version, taking which fields.
#[derive(Debug, Clone, Object)]
#[oai(rename = "CrmMergeBody")]
pub struct MergeBody {
    /// The duplicate, folded into the record named in the path.
    pub merge_id: uuid::Uuid,
    /// The duplicate's version as read.
    pub merge_version: i64,
    /// The fields whose value comes from the duplicate.
    #[oai(default)]
    pub take: Vec<String>,
}
