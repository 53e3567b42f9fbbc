//! `GET`/`PUT /api/invoices/settings`: how the organization numbers its
//! invoices and credit notes, what new drafts start with, the seller on
//! its PDFs, and whether confirmed orders become drafts.

use gremlin_kernel::numbering::NumberPrefix;
use gremlin_kernel::{DomainError, Nullable};
use poem_openapi::Object;

use crate::model::{InvoiceSettings, PaymentTerms, Seller};

/// The seller printed on invoices.
#[derive(Debug, Clone, Default, Object)]
#[oai(rename = "InvoiceSeller", skip_serializing_if_is_none)]
pub struct SellerDto {
    /// Legal name (at most 200 characters).
    #[oai(default)]
    pub name: String,
    /// Postal address, one line each (at most 6 lines of 200 characters).
    #[oai(default)]
    pub address: Vec<String>,
    /// VAT or other tax registration number.
    pub tax_id: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
}

/// An organization's invoicing settings.
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoiceSettings", example)]
pub struct InvoiceSettingsDto {
    /// Prefix of invoice numbers: 1-10 of `A-Z`, `0-9`, `-` and `/`.
    pub invoice_prefix: String,
    /// Prefix of credit note numbers, same rules.
    pub credit_note_prefix: String,
    /// Numbers restart at 1 each calendar year (UTC) and carry the year
    /// (`INV-2026-000001`).
    pub yearly_reset: bool,
    /// Payment terms of new drafts that name none: days from issue to due
    /// date, 0-365.
    pub default_net_days: u16,
    /// Footer of new drafts that name none.
    pub footer: Nullable<String>,
    /// The seller printed on PDFs.
    pub seller: SellerDto,
    /// A confirmed order becomes a draft invoice (once per order).
    pub draft_from_orders: bool,
}

impl poem_openapi::types::Example for InvoiceSettingsDto {
    fn example() -> Self {
        Self {
            invoice_prefix: "INV-".into(),
            credit_note_prefix: "CN-".into(),
            yearly_reset: true,
            default_net_days: 14,
            footer: Some("IBAN DE89 3704 0044 0532 0130 00 · BIC COBADEFFXXX".to_owned()).into(),
            seller: SellerDto {
                name: "Acme GmbH".into(),
                address: vec!["Hauptstraße 1".into(), "10115 Berlin".into()],
                tax_id: Some("DE123456789".into()),
                email: Some("billing@acme.example".into()),
            },
            draft_from_orders: true,
        }
    }
}

impl From<&InvoiceSettings> for InvoiceSettingsDto {
    fn from(s: &InvoiceSettings) -> Self {
        Self {
            invoice_prefix: s.invoice_prefix.as_str().to_owned(),
            credit_note_prefix: s.credit_note_prefix.as_str().to_owned(),
            yearly_reset: s.yearly_reset,
            default_net_days: s.default_terms.net_days,
            footer: s.footer.clone().into(),
            seller: SellerDto {
                name: s.seller.name.clone(),
                address: s.seller.address.clone(),
                tax_id: s.seller.tax_id.clone(),
                email: s.seller.email.clone(),
            },
            draft_from_orders: s.draft_from_orders,
        }
    }
}

/// `PUT /api/invoices/settings` body: the settings, replaced as a whole
/// (an absent field takes its default).
#[derive(Debug, Clone, Object)]
#[oai(rename = "InvoiceSettingsInput", skip_serializing_if_is_none)]
pub struct InvoiceSettingsBody {
    /// Prefix of invoice numbers: 1-10 of `A-Z`, `0-9`, `-` and `/` (default `INV-`).
    pub invoice_prefix: Option<String>,
    /// Prefix of credit note numbers, same rules (default `CN-`).
    pub credit_note_prefix: Option<String>,
    /// Numbers restart each year and carry it (default false).
    #[oai(default)]
    pub yearly_reset: bool,
    /// Default payment terms in days, 0-365 (default 30).
    #[oai(validator(maximum(value = "365")))]
    pub default_net_days: Option<u16>,
    /// Default footer (at most 4000 characters).
    pub footer: Option<String>,
    /// The seller printed on PDFs.
    #[oai(default)]
    pub seller: SellerDto,
    /// Make a draft from every confirmed order (default false).
    #[oai(default)]
    pub draft_from_orders: bool,
}

impl InvoiceSettingsBody {
    /// The settings it describes; a bad prefix or term is refused naming its field.
    pub fn into_settings(self) -> Result<InvoiceSettings, DomainError> {
        let defaults = InvoiceSettings::default();
        let prefix = |text: Option<String>, field: &str, default: NumberPrefix| match text {
            None => Ok(default),
            Some(text) => NumberPrefix::parse(&text).map_err(|e| DomainError::invalid(field, e.message)),
        };
        let default_terms = match self.default_net_days {
            None => defaults.default_terms,
            Some(days) => {
                PaymentTerms::net(days).ok_or_else(|| DomainError::invalid("default_net_days", "0 to 365 days"))?
            }
        };
        Ok(InvoiceSettings {
            invoice_prefix: prefix(self.invoice_prefix, "invoice_prefix", defaults.invoice_prefix)?,
            credit_note_prefix: prefix(self.credit_note_prefix, "credit_note_prefix", defaults.credit_note_prefix)?,
            yearly_reset: self.yearly_reset,
            default_terms,
            footer: self.footer,
            seller: Seller {
                name: self.seller.name,
                address: self.seller.address,
                tax_id: self.seller.tax_id,
                email: self.seller.email,
            },
            draft_from_orders: self.draft_from_orders,
        })
    }
}
