//! Each record kind's table: its own columns (beside the shared ones: id,
//! organization, audit, version), how its fields become column values and
//! back, the keys duplicates are matched by, and the records it names.
//! Amounts are stored as integers of 1/10 000 (`*_e4`), so they compare as
//! numbers on both backends; lists and the address are JSON text.

use anyhow::Context;
use gremlin_kernel::{Currency, UserId};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{QueryResult, Value};
use uuid::Uuid;

use crate::model::Searchable;
use crate::model::{
    ActivityFields, ActivityKind, Address, Amount, CompanyFields, DealFields, PersonFields, RecordFields, RecordKind,
    StageKind,
};

/// A record kind's table.
pub trait Table: RecordFields {
    /// The table's name.
    const TABLE: &'static str;
    /// Its own columns, in the order [`Table::values`] gives them.
    const COLUMNS: &'static [&'static str];

    /// The values of [`Table::COLUMNS`].
    fn values(&self) -> Vec<Value>;

    /// The fields from a row of the table.
    fn read(row: &QueryResult) -> anyhow::Result<Self>;

    /// Column and value pairs any of which, matching a live record, makes
    /// it a duplicate.
    fn duplicate_keys(&self) -> Vec<(&'static str, String)>;

    /// What the fields name: each must exist in the same organization.
    fn references(&self) -> Vec<Reference>;
}

/// Something a record's field names.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// The field, as the API names it (`company_id`).
    pub field: &'static str,
    /// What it must be.
    pub target: Target,
    /// Its id.
    pub id: Uuid,
}

/// What a reference must name.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// A live record of this kind.
    Record(RecordKind),
    /// A stage of this pipeline.
    StageOf(Uuid),
}

impl Target {
    /// The message when it names nothing.
    pub fn missing(self) -> String {
        match self {
            Self::Record(kind) => format!("no {} with this id in this organization", kind.as_str()),
            Self::StageOf(_) => "not a stage of the deal's pipeline".to_owned(),
        }
    }
}

/// The table holding records of `kind`.
pub(crate) fn table_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Company => CompanyFields::TABLE,
        RecordKind::Person => PersonFields::TABLE,
        RecordKind::Deal => DealFields::TABLE,
        RecordKind::Activity => ActivityFields::TABLE,
    }
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> anyhow::Result<T> {
    row.try_get("", column).with_context(|| format!("reading column `{column}`"))
}

fn json_text(value: &impl serde::Serialize) -> Value {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into()).into()
}

/// `tags` as the search column holds them: lower case, each between line
/// feeds (`\nvip\npartner\n`), empty for none, so `LIKE '%\nvip\n%'`
/// finds a tag exactly.
fn tag_keys(tags: &[String]) -> Value {
    if tags.is_empty() {
        return String::new().into();
    }
    let mut keys = String::from("\n");
    for tag in tags {
        keys.push_str(&tag.to_lowercase());
        keys.push('\n');
    }
    keys.into()
}

fn from_json<T: serde::de::DeserializeOwned>(row: &QueryResult, column: &str) -> anyhow::Result<T> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text).with_context(|| format!("column `{column}` is not the JSON it should be"))
}

/// An amount as integer 1/10 000 units (the model allows four places).
pub(crate) fn e4(amount: Decimal) -> Option<i64> {
    (amount * Decimal::from(10_000)).trunc().to_i64()
}

/// An amount stored by [`e4`].
pub(crate) fn from_e4(units: i64) -> Decimal {
    Decimal::new(units, 4).normalize()
}

fn amount_values(amount: &Option<Amount>) -> [Value; 2] {
    match amount {
        Some(a) => [e4(a.amount).into(), a.currency.code().to_owned().into()],
        None => [Option::<i64>::None.into(), Option::<String>::None.into()],
    }
}

fn read_amount(row: &QueryResult, units: &str, currency: &str) -> anyhow::Result<Option<Amount>> {
    let (Some(units), Some(code)) = (get::<Option<i64>>(row, units)?, get::<Option<String>>(row, currency)?) else {
        return Ok(None);
    };
    let currency = Currency::parse(&code).with_context(|| format!("stored currency `{code}`"))?;
    Ok(Some(Amount { amount: from_e4(units), currency }))
}

fn uuid_of(text: Option<String>) -> anyhow::Result<Option<Uuid>> {
    text.map(|t| Uuid::parse_str(&t).with_context(|| format!("stored id `{t}`"))).transpose()
}

impl Table for CompanyFields {
    const TABLE: &'static str = "crm_companies";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "name_key",
        "domain",
        "employees",
        "annual_revenue_e4",
        "annual_revenue_currency",
        "address",
        "city",
        "country",
        "links",
        "owner_id",
        "tags",
        "tag_keys",
        "search_text",
    ];

    fn values(&self) -> Vec<Value> {
        let [revenue, currency] = amount_values(&self.annual_revenue);
        vec![
            self.name.clone().into(),
            self.name_key().into(),
            self.domain.clone().into(),
            self.employees.map(i64::from).into(),
            revenue,
            currency,
            json_text(&self.address),
            self.address.city.as_deref().map(str::to_lowercase).into(),
            self.address.country.as_deref().map(str::to_lowercase).into(),
            json_text(&self.links),
            self.owner_id.as_ref().map(|o| o.as_str().to_owned()).into(),
            json_text(&self.tags),
            tag_keys(&self.tags),
            self.search_text().into(),
        ]
    }

    fn read(row: &QueryResult) -> anyhow::Result<Self> {
        let employees: Option<i64> = get(row, "employees")?;
        Ok(CompanyFields {
            name: get(row, "name")?,
            domain: get(row, "domain")?,
            employees: employees.map(u32::try_from).transpose().context("stored head count")?,
            annual_revenue: read_amount(row, "annual_revenue_e4", "annual_revenue_currency")?,
            address: from_json::<Address>(row, "address")?,
            links: from_json(row, "links")?,
            owner_id: get::<Option<String>>(row, "owner_id")?.map(UserId::new),
            tags: from_json(row, "tags")?,
        })
    }

    fn duplicate_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = vec![("name_key", self.name_key())];
        keys.extend(self.domain.clone().map(|d| ("domain", d)));
        keys
    }

    fn references(&self) -> Vec<Reference> {
        Vec::new()
    }
}

impl Table for PersonFields {
    const TABLE: &'static str = "crm_people";
    const COLUMNS: &'static [&'static str] = &[
        "first_name",
        "last_name",
        "name_key",
        "primary_email",
        "emails",
        "phones",
        "job_title",
        "company_id",
        "owner_id",
        "tags",
        "tag_keys",
        "search_text",
    ];

    fn values(&self) -> Vec<Value> {
        vec![
            self.first_name.clone().into(),
            self.last_name.clone().into(),
            self.name_key().into(),
            self.primary_email().into(),
            json_text(&self.emails),
            json_text(&self.phones),
            self.job_title.clone().into(),
            self.company_id.map(|c| c.to_string()).into(),
            self.owner_id.as_ref().map(|o| o.as_str().to_owned()).into(),
            json_text(&self.tags),
            tag_keys(&self.tags),
            self.search_text().into(),
        ]
    }

    fn read(row: &QueryResult) -> anyhow::Result<Self> {
        Ok(PersonFields {
            first_name: get(row, "first_name")?,
            last_name: get(row, "last_name")?,
            emails: from_json(row, "emails")?,
            phones: from_json(row, "phones")?,
            job_title: get(row, "job_title")?,
            company_id: uuid_of(get(row, "company_id")?)?,
            owner_id: get::<Option<String>>(row, "owner_id")?.map(UserId::new),
            tags: from_json(row, "tags")?,
        })
    }

    fn duplicate_keys(&self) -> Vec<(&'static str, String)> {
        let mut keys = vec![("name_key", self.name_key())];
        keys.extend(self.primary_email().map(|e| ("primary_email", e)));
        keys
    }

    fn references(&self) -> Vec<Reference> {
        let company = |id| Reference { field: "company_id", target: Target::Record(RecordKind::Company), id };
        self.company_id.map(company).into_iter().collect()
    }
}

impl Table for DealFields {
    const TABLE: &'static str = "crm_deals";
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "amount_e4",
        "currency",
        "expected_close_on",
        "pipeline_id",
        "stage_id",
        "probability",
        "status",
        "lost_reason",
        "closed_on",
        "company_id",
        "contact_id",
        "owner_id",
        "tags",
        "tag_keys",
        "position",
        "name_key",
        "search_text",
    ];

    fn values(&self) -> Vec<Value> {
        let [amount, currency] = amount_values(&self.amount);
        vec![
            self.name.clone().into(),
            amount,
            currency,
            self.expected_close_on.map(|d| d.to_string()).into(),
            self.pipeline_id.to_string().into(),
            self.stage_id.to_string().into(),
            i32::from(self.probability).into(),
            self.status.as_str().into(),
            self.lost_reason.clone().into(),
            self.closed_on.map(|d| d.to_string()).into(),
            self.company_id.map(|c| c.to_string()).into(),
            self.contact_id.map(|c| c.to_string()).into(),
            self.owner_id.as_ref().map(|o| o.as_str().to_owned()).into(),
            json_text(&self.tags),
            tag_keys(&self.tags),
            self.position.into(),
            crate::model::fields::name_key(&self.name).into(),
            self.search_text().into(),
        ]
    }

    fn read(row: &QueryResult) -> anyhow::Result<Self> {
        let status: String = get(row, "status")?;
        let probability: i32 = get(row, "probability")?;
        Ok(DealFields {
            name: get(row, "name")?,
            amount: read_amount(row, "amount_e4", "currency")?,
            expected_close_on: date_of(get(row, "expected_close_on")?)?,
            pipeline_id: uuid_of(Some(get(row, "pipeline_id")?))?.unwrap_or_default(),
            stage_id: uuid_of(Some(get(row, "stage_id")?))?.unwrap_or_default(),
            probability: u8::try_from(probability).context("stored probability")?,
            status: StageKind::parse(&status).with_context(|| format!("stored deal status `{status}`"))?,
            lost_reason: get(row, "lost_reason")?,
            closed_on: date_of(get(row, "closed_on")?)?,
            company_id: uuid_of(get(row, "company_id")?)?,
            contact_id: uuid_of(get(row, "contact_id")?)?,
            owner_id: get::<Option<String>>(row, "owner_id")?.map(UserId::new),
            tags: from_json(row, "tags")?,
            position: get(row, "position")?,
        })
    }

    fn duplicate_keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn references(&self) -> Vec<Reference> {
        let mut references =
            vec![Reference { field: "stage_id", target: Target::StageOf(self.pipeline_id), id: self.stage_id }];
        let record = |field, kind, id| Reference { field, target: Target::Record(kind), id };
        references.extend(self.company_id.map(|id| record("company_id", RecordKind::Company, id)));
        references.extend(self.contact_id.map(|id| record("contact_id", RecordKind::Person, id)));
        references
    }
}

impl Table for ActivityFields {
    const TABLE: &'static str = "crm_activities";
    const COLUMNS: &'static [&'static str] =
        &["kind", "record_kind", "record_id", "title", "body", "due_on", "assignee_id", "done_at_us"];

    fn values(&self) -> Vec<Value> {
        vec![
            self.kind.as_str().into(),
            self.record_kind.as_str().into(),
            self.record_id.to_string().into(),
            self.title.clone().into(),
            self.body.clone().into(),
            self.due_on.map(|d| d.to_string()).into(),
            self.assignee_id.as_ref().map(|a| a.as_str().to_owned()).into(),
            self.done_at.map(gremlin_kernel::sql::micros).into(),
        ]
    }

    fn read(row: &QueryResult) -> anyhow::Result<Self> {
        let kind: String = get(row, "kind")?;
        let record_kind: String = get(row, "record_kind")?;
        Ok(ActivityFields {
            kind: ActivityKind::parse(&kind).with_context(|| format!("stored activity kind `{kind}`"))?,
            record_kind: RecordKind::parse(&record_kind)
                .with_context(|| format!("stored record kind `{record_kind}`"))?,
            record_id: uuid_of(Some(get(row, "record_id")?))?.unwrap_or_default(),
            title: get(row, "title")?,
            body: get(row, "body")?,
            due_on: date_of(get(row, "due_on")?)?,
            assignee_id: get::<Option<String>>(row, "assignee_id")?.map(UserId::new),
            done_at: get::<Option<i64>>(row, "done_at_us")?.map(gremlin_kernel::sql::from_micros).transpose()?,
        })
    }

    fn duplicate_keys(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }

    fn references(&self) -> Vec<Reference> {
        vec![Reference { field: "record_id", target: Target::Record(self.record_kind), id: self.record_id }]
    }
}

fn date_of(text: Option<String>) -> anyhow::Result<Option<time::Date>> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    text.map(|t| time::Date::parse(&t, &format).with_context(|| format!("stored date `{t}`"))).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_trip_through_ten_thousandths() {
        for text in ["0", "1", "1234.5678", "99999999999999.9999"] {
            let amount: Decimal = text.parse().unwrap();
            assert_eq!(from_e4(e4(amount).unwrap()), amount.normalize(), "{text}");
        }
    }
}
