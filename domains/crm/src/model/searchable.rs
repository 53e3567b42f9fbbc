//! What each record kind can be searched and sorted by, and each
//! property's value on a record — the in-memory side of search (the store
//! maps the same names to columns).

use rust_decimal::Decimal;

use super::fields::name_key;
use super::search::{Property, PropertyType, Scalar};
use super::{CompanyFields, DealFields, PersonFields, Record, RecordFields};

/// A record kind that can be searched.
pub trait Searchable: RecordFields {
    /// Its searchable and sortable properties.
    const PROPERTIES: &'static [Property];

    /// The value of property `name` on `record`; `None` when it has none.
    fn value(record: &Record<Self>, name: &str) -> Option<Scalar>;

    /// What the free-text query looks in: names, e-mails, domain (lower
    /// case, space-separated).
    fn search_text(&self) -> String;
}

/// A property filters can use.
const fn p(name: &'static str, ty: PropertyType) -> Property {
    Property { name, ty, sortable: false }
}

/// A property filters can use and searches can sort by (an index on
/// `(organization_id, its sort key, id)` gives the order).
const fn sorted(name: &'static str, ty: PropertyType) -> Property {
    Property { name, ty, sortable: true }
}

/// Every kind's tags, as a set of lower-case labels.
const TAGS: Property = p("tags", PropertyType::Tags);

/// `tags` as a search value: none when there are none.
fn tags(tags: &[String]) -> Option<Scalar> {
    (!tags.is_empty()).then(|| Scalar::Tags(tags.iter().map(|t| t.to_lowercase()).collect()))
}

fn text(value: Option<&str>) -> Option<Scalar> {
    value.map(|v| Scalar::Text(v.to_lowercase()))
}

fn code(value: Option<impl ToString>) -> Option<Scalar> {
    value.map(|v| Scalar::Code(v.to_string()))
}

/// The audit properties every kind has.
fn audit<F>(record: &Record<F>, name: &str) -> Option<Scalar> {
    let micros = gremlin_kernel::sql::micros;
    match name {
        "created_at" => Some(Scalar::Time(micros(record.audit.created_at))),
        "updated_at" => Some(Scalar::Time(micros(record.audit.updated_at))),
        _ => None,
    }
}

impl Searchable for CompanyFields {
    const PROPERTIES: &'static [Property] = &[
        sorted("name", PropertyType::Text),
        p("domain", PropertyType::Text),
        p("city", PropertyType::Text),
        p("country", PropertyType::Text),
        sorted("employees", PropertyType::Number),
        sorted("annual_revenue", PropertyType::Number),
        p("annual_revenue_currency", PropertyType::Code),
        p("owner_id", PropertyType::Code),
        TAGS,
        sorted("created_at", PropertyType::Time),
        sorted("updated_at", PropertyType::Time),
    ];

    fn value(record: &Record<Self>, name: &str) -> Option<Scalar> {
        let f = &record.fields;
        match name {
            "name" => Some(Scalar::Text(f.name_key())),
            "domain" => text(f.domain.as_deref()),
            "city" => text(f.address.city.as_deref()),
            "country" => text(f.address.country.as_deref()),
            "employees" => f.employees.map(|e| Scalar::Number(Decimal::from(e))),
            "annual_revenue" => f.annual_revenue.as_ref().map(|a| Scalar::Number(a.amount)),
            "annual_revenue_currency" => code(f.annual_revenue.as_ref().map(|a| a.currency.code().to_owned())),
            "owner_id" => code(f.owner_id.as_ref()),
            "tags" => tags(&f.tags),
            other => audit(record, other),
        }
    }

    fn search_text(&self) -> String {
        [Some(self.name_key()), self.domain.clone()].into_iter().flatten().collect::<Vec<_>>().join(" ")
    }
}

impl Searchable for PersonFields {
    const PROPERTIES: &'static [Property] = &[
        sorted("name", PropertyType::Text),
        sorted("email", PropertyType::Text),
        p("company_id", PropertyType::Code),
        p("owner_id", PropertyType::Code),
        TAGS,
        sorted("created_at", PropertyType::Time),
        sorted("updated_at", PropertyType::Time),
    ];

    fn value(record: &Record<Self>, name: &str) -> Option<Scalar> {
        let f = &record.fields;
        match name {
            "name" => Some(Scalar::Text(f.name_key())),
            "email" => f.primary_email().map(Scalar::Text),
            "company_id" => code(f.company_id),
            "owner_id" => code(f.owner_id.as_ref()),
            "tags" => tags(&f.tags),
            other => audit(record, other),
        }
    }

    fn search_text(&self) -> String {
        let mut parts = vec![self.name_key()];
        parts.extend(self.emails.iter().map(|e| e.address.to_lowercase()));
        parts.join(" ")
    }
}

impl Searchable for DealFields {
    const PROPERTIES: &'static [Property] = &[
        sorted("name", PropertyType::Text),
        sorted("amount", PropertyType::Number),
        p("currency", PropertyType::Code),
        p("pipeline_id", PropertyType::Code),
        p("stage_id", PropertyType::Code),
        p("status", PropertyType::Code),
        p("probability", PropertyType::Number),
        sorted("expected_close_on", PropertyType::Date),
        p("closed_on", PropertyType::Date),
        p("company_id", PropertyType::Code),
        p("contact_id", PropertyType::Code),
        p("owner_id", PropertyType::Code),
        TAGS,
        sorted("created_at", PropertyType::Time),
        sorted("updated_at", PropertyType::Time),
    ];

    fn value(record: &Record<Self>, name: &str) -> Option<Scalar> {
        let f = &record.fields;
        match name {
            "name" => Some(Scalar::Text(name_key(&f.name))),
            "amount" => f.amount.as_ref().map(|a| Scalar::Number(a.amount)),
            "currency" => code(f.amount.as_ref().map(|a| a.currency.code().to_owned())),
            "pipeline_id" => code(Some(f.pipeline_id)),
            "stage_id" => code(Some(f.stage_id)),
            "status" => code(Some(f.status.as_str())),
            "probability" => Some(Scalar::Number(Decimal::from(f.probability))),
            "expected_close_on" => f.expected_close_on.map(Scalar::Date),
            "closed_on" => f.closed_on.map(Scalar::Date),
            "company_id" => code(f.company_id),
            "contact_id" => code(f.contact_id),
            "owner_id" => code(f.owner_id.as_ref()),
            "tags" => tags(&f.tags),
            other => audit(record, other),
        }
    }

    fn search_text(&self) -> String {
        name_key(&self.name)
    }
}
