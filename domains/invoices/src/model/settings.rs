//! An organization's invoicing settings: how its invoices and credit notes
//! are numbered, what a new draft starts with, who the seller printed on
//! its PDFs is, and whether confirmed orders become drafts on their own.
//! Kept in the document store (MongoDB in production), one per organization.

use gremlin_kernel::FieldError;
use gremlin_kernel::numbering::{NumberFormat, NumberPrefix, NumberSeries};
use serde::{Deserialize, Serialize};

use super::invoice::{MAX_ADDRESS_LINES, MAX_CUSTOMER_FIELD_LEN, MAX_TEXT_BLOCK_LEN};
use super::numbers::{CREDIT_NOTES, INVOICES};
use super::terms::PaymentTerms;

/// The seller printed on the organization's invoices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Seller {
    /// Legal name; at most 200 characters.
    pub name: String,
    /// Postal address, one line each; at most 6 lines of 200 characters.
    pub address: Vec<String>,
    /// VAT or other tax registration number; at most 200 characters.
    pub tax_id: Option<String>,
    /// Contact e-mail; at most 200 characters.
    pub email: Option<String>,
}

/// An organization's invoicing settings; [`Default`] is what an
/// organization that never saved any gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct InvoiceSettings {
    /// Prefix of invoice numbers (`INV-`).
    pub invoice_prefix: NumberPrefix,
    /// Prefix of credit note numbers (`CN-`).
    pub credit_note_prefix: NumberPrefix,
    /// Numbers restart at 1 every calendar year (UTC) and carry the year:
    /// `INV-2026-000001`.
    pub yearly_reset: bool,
    /// Terms of a new draft that does not name its own.
    pub default_terms: PaymentTerms,
    /// Footer of a new draft that does not name its own (bank details).
    pub footer: Option<String>,
    /// Who issues the invoices, as printed on PDFs.
    pub seller: Seller,
    /// A confirmed order (`order.confirmed`) becomes a draft invoice.
    pub draft_from_orders: bool,
}

impl Default for InvoiceSettings {
    fn default() -> Self {
        Self {
            invoice_prefix: INVOICES.default_prefix(),
            credit_note_prefix: CREDIT_NOTES.default_prefix(),
            yearly_reset: false,
            default_terms: PaymentTerms::default(),
            footer: None,
            seller: Seller::default(),
            draft_from_orders: false,
        }
    }
}

impl InvoiceSettings {
    /// How the next number of `series` (invoices or credit notes) is
    /// formed for a document issued in `year`.
    pub fn number_format(&self, series: &NumberSeries, year: i32) -> NumberFormat {
        let prefix = if series.name == CREDIT_NOTES.name { &self.credit_note_prefix } else { &self.invoice_prefix };
        NumberFormat { prefix: prefix.clone(), year: self.yearly_reset.then_some(year) }
    }

    /// Checks what a client may not store; every problem is reported with
    /// its field path. (Prefixes and terms are checked when parsed.)
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut push = |field: &str, message: String| errors.push(FieldError { field: field.into(), message });
        let too_long = |text: &str, max: usize| text.chars().count() > max;
        if self.footer.as_deref().is_some_and(|f| too_long(f, MAX_TEXT_BLOCK_LEN)) {
            push("footer", format!("at most {MAX_TEXT_BLOCK_LEN} characters"));
        }
        let seller = &self.seller;
        if too_long(&seller.name, MAX_CUSTOMER_FIELD_LEN) {
            push("seller.name", format!("at most {MAX_CUSTOMER_FIELD_LEN} characters"));
        }
        if seller.address.len() > MAX_ADDRESS_LINES
            || seller.address.iter().any(|l| too_long(l, MAX_CUSTOMER_FIELD_LEN))
        {
            push("seller.address", format!("at most {MAX_ADDRESS_LINES} lines of {MAX_CUSTOMER_FIELD_LEN} characters"));
        }
        for (field, value) in [("seller.tax_id", &seller.tax_id), ("seller.email", &seller.email)] {
            if value.as_deref().is_some_and(|v| too_long(v, MAX_CUSTOMER_FIELD_LEN)) {
                push(field, format!("at most {MAX_CUSTOMER_FIELD_LEN} characters"));
            }
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_number_invoices_and_credit_notes_apart_without_years() {
        let settings = InvoiceSettings::default();
        let invoice = settings.number_format(&INVOICES, 2026);
        assert_eq!((invoice.prefix.as_str(), invoice.year), ("INV-", None));
        let note = settings.number_format(&CREDIT_NOTES, 2026);
        assert_eq!((note.prefix.as_str(), note.year), ("CN-", None));
        assert_eq!(settings.default_terms.net_days, 30);
        assert!(!settings.draft_from_orders);
    }

    #[test]
    fn a_yearly_reset_numbers_in_the_year_of_the_document() {
        let settings = InvoiceSettings {
            yearly_reset: true,
            invoice_prefix: NumberPrefix::parse("F/").unwrap(),
            ..InvoiceSettings::default()
        };
        let format = settings.number_format(&INVOICES, 2027);
        assert_eq!((format.prefix.as_str(), format.year), ("F/", Some(2027)));
    }

    #[test]
    fn long_texts_are_refused_with_their_paths() {
        let mut settings = InvoiceSettings::default();
        assert_eq!(settings.check(), Ok(()));
        settings.footer = Some("x".repeat(MAX_TEXT_BLOCK_LEN + 1));
        settings.seller.address = vec!["line".into(); MAX_ADDRESS_LINES + 1];
        settings.seller.email = Some("e".repeat(MAX_CUSTOMER_FIELD_LEN + 1));
        let fields: Vec<String> = settings.check().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["footer", "seller.address", "seller.email"]);
    }
}
