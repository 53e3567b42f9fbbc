//! Companies (accounts): who the organization sells to.

use gremlin_kernel::{FieldError, UserId};
use serde::{Deserialize, Serialize};

use super::fields::{Amount, Check, MAX_NAME_LEN, name_key};
use super::record::{Record, RecordFields, RecordKind};

/// A company of an organization.
pub type Company = Record<CompanyFields>;

/// Longest address field, in characters.
pub const MAX_ADDRESS_FIELD_LEN: usize = 200;

/// A postal address; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Street and number, one line.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State, province or region.
    pub region: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Country (name or ISO code, as the organization writes it).
    pub country: Option<String>,
}

/// What a company record says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyFields {
    /// Its name, 1 to 200 characters.
    pub name: String,
    /// Its web domain, canonical (`acme.com`).
    pub domain: Option<String>,
    /// Head count.
    pub employees: Option<u32>,
    /// Yearly revenue.
    pub annual_revenue: Option<Amount>,
    /// Where it is.
    pub address: Address,
    /// Web pages (site, social profiles), at most 20.
    pub links: Vec<String>,
    /// The member responsible for it.
    pub owner_id: Option<UserId>,
    /// Free labels, at most 50.
    pub tags: Vec<String>,
}

impl CompanyFields {
    /// The key its name is matched by for duplicates.
    pub fn name_key(&self) -> String {
        name_key(&self.name)
    }
}

impl RecordFields for CompanyFields {
    const KIND: RecordKind = RecordKind::Company;

    fn normalized(self) -> Result<Self, Vec<FieldError>> {
        let mut check = Check::default();
        let text = |check: &mut Check, field: &str, value: &Option<String>| {
            check.optional(&format!("address.{field}"), value.as_deref(), MAX_ADDRESS_FIELD_LEN)
        };
        let address = Address {
            street: text(&mut check, "street", &self.address.street),
            city: text(&mut check, "city", &self.address.city),
            region: text(&mut check, "region", &self.address.region),
            postal_code: text(&mut check, "postal_code", &self.address.postal_code),
            country: text(&mut check, "country", &self.address.country),
        };
        let fields = CompanyFields {
            name: check.required("name", &self.name, MAX_NAME_LEN),
            domain: check.domain("domain", self.domain.as_deref()),
            employees: self.employees,
            annual_revenue: check.amount("annual_revenue.amount", self.annual_revenue),
            address,
            links: check.links(&self.links),
            owner_id: self.owner_id,
            tags: check.tags(&self.tags),
        };
        check.finish(fields)
    }

    fn owner(&self) -> Option<&UserId> {
        self.owner_id.as_ref()
    }

    fn display_name(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use gremlin_kernel::{Currency, OrganizationId};
    use rust_decimal::Decimal;
    use time::OffsetDateTime;

    use super::*;
    use crate::model::CrmError;

    pub(crate) fn acme() -> CompanyFields {
        CompanyFields {
            name: " Acme  Corp ".into(),
            domain: Some("https://www.acme.com/".into()),
            employees: Some(40),
            annual_revenue: Some(Amount {
                amount: Decimal::new(120_000_000, 2),
                currency: Currency::parse("EUR").unwrap(),
            }),
            address: Address { city: Some(" Berlin ".into()), ..Address::default() },
            links: vec!["https://acme.com".into()],
            owner_id: Some(UserId::new("u1")),
            tags: vec!["vip".into(), "Vip".into()],
        }
    }

    fn create(fields: CompanyFields) -> Result<Company, CrmError> {
        Company::create(OrganizationId::new("org"), fields, UserId::new("u1"), OffsetDateTime::now_utc())
    }

    #[test]
    fn a_company_is_stored_in_canonical_form() {
        let company = create(acme()).unwrap();
        let f = &company.fields;
        assert_eq!((f.name.as_str(), f.domain.as_deref()), ("Acme  Corp", Some("acme.com")));
        assert_eq!(f.address.city.as_deref(), Some("Berlin"));
        assert_eq!(f.tags, ["vip"]);
        assert_eq!(f.annual_revenue.as_ref().unwrap().amount.to_string(), "1200000");
        assert_eq!(f.name_key(), "acme corp");
        assert_eq!(company.audit.version, 1);
    }

    #[test]
    fn every_invalid_field_is_named() {
        let bad = CompanyFields {
            name: "".into(),
            domain: Some("not a domain".into()),
            address: Address { country: Some("x".repeat(201)), ..Address::default() },
            ..acme()
        };
        let Err(CrmError::Invalid(errors)) = create(bad) else { panic!("accepted") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["address.country", "name", "domain"]);
    }

    #[test]
    fn an_update_records_what_changed_and_only_then_bumps_the_version() {
        let mut company = create(acme()).unwrap();
        let editor = UserId::new("u2");
        let same = company.fields.clone();
        assert!(company.update(same, &editor, OffsetDateTime::now_utc()).unwrap().is_empty());
        assert_eq!(company.audit.version, 1);
        let moved = CompanyFields { domain: Some("acme.io".into()), employees: Some(41), ..company.fields.clone() };
        let changes = company.update(moved, &editor, OffsetDateTime::now_utc()).unwrap();
        assert_eq!(changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["domain", "employees"]);
        assert_eq!((company.audit.version, company.audit.updated_by.as_str()), (2, "u2"));
    }

    #[test]
    fn deleted_companies_change_only_by_restore() {
        let mut company = create(acme()).unwrap();
        let now = OffsetDateTime::now_utc();
        let actor = UserId::new("u1");
        assert_eq!(company.restore(&actor, now), Err(CrmError::NotDeleted("company")));
        company.delete(&actor, now).unwrap();
        assert_eq!(company.delete(&actor, now), Err(CrmError::Deleted("company")));
        assert_eq!(company.update(acme(), &actor, now), Err(CrmError::Deleted("company")));
        company.restore(&actor, now).unwrap();
        assert_eq!((company.audit.deleted_at, company.audit.version), (None, 3));
    }
}
