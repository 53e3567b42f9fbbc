//! DTOs every record kind shares: amounts, the audit block, responses.

use gremlin_kernel::http::{Created, Tagged};
use gremlin_kernel::{Currency, DomainError, Nullable};
use poem_openapi::Object;
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

/// `record` as its DTO, with its version as the ETag.
pub fn tagged<T, F>(record: &crate::model::Record<F>) -> Tagged<T>
where
    T: poem_openapi::types::ToJSON + for<'a> From<&'a crate::model::Record<F>>,
{
    Tagged::at(T::from(record), record.audit.version)
}

/// `record` as its DTO, with its version as the ETag and its address
/// under `collection` (`/api/crm/companies`) as the Location.
pub fn created<T, F>(record: &crate::model::Record<F>, collection: &str) -> Created<T>
where
    T: poem_openapi::types::ToJSON + for<'a> From<&'a crate::model::Record<F>>,
{
    Created::at(T::from(record), record.audit.version, format!("{collection}/{}", record.id))
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
