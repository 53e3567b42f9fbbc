//! Search, as HubSpot's CRM search API shapes it: filter groups (OR of
//! ANDs), each filter a property, an operator and a value; one sort; a
//! free-text query over names, e-mails and domains. This module checks a
//! request against a kind's properties and evaluates it on records in
//! memory — the rule the SQL search must agree with (property-tested).
//!
//! Text compares without case (Unicode lower case); `neq` and `not_in`
//! match records without the property; ordering operators compare numbers,
//! dates and times only. Tags are a set: `eq` means the record carries the
//! tag, `in` any of them, `neq` / `not_in` none of them, `has_property`
//! at least one tag. Only properties with an index behind them sort.

use std::cmp::Ordering;

use gremlin_kernel::FieldError;
use rust_decimal::Decimal;
use time::{Date, OffsetDateTime};

/// Most filter groups in a search.
pub const MAX_GROUPS: usize = 5;
/// Most filters in a group.
pub const MAX_FILTERS: usize = 10;
/// Most values of an `in` or `not_in` filter.
pub const MAX_VALUES: usize = 100;
/// Longest free-text query, in characters.
pub const MAX_QUERY_LEN: usize = 200;

/// What a property holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropertyType {
    /// Text, compared without case.
    Text,
    /// An exact code or id (`EUR`, a UUID, a member id, a status).
    Code,
    /// An integer or decimal number.
    Number,
    /// A calendar day.
    Date,
    /// An instant.
    Time,
    /// A set of labels, each compared without case.
    Tags,
}

/// A property a kind can be searched and sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Property {
    /// Its name in requests (`annual_revenue`).
    pub name: &'static str,
    /// What it holds.
    pub ty: PropertyType,
    /// Whether a search may sort by it: true only where an index gives the
    /// order, so a sorted page never sorts every match.
    pub sortable: bool,
}

/// A property's value on one record, or a filter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Text, lower case.
    Text(String),
    /// A code, as stored.
    Code(String),
    /// A number.
    Number(Decimal),
    /// A day.
    Date(Date),
    /// An instant, in microseconds since the epoch.
    Time(i64),
    /// A record's tags, lower case (never empty: no tags is no value).
    Tags(Vec<String>),
}

impl Scalar {
    fn compare(&self, other: &Scalar) -> Option<Ordering> {
        match (self, other) {
            (Scalar::Number(a), Scalar::Number(b)) => Some(a.cmp(b)),
            (Scalar::Date(a), Scalar::Date(b)) => Some(a.cmp(b)),
            (Scalar::Time(a), Scalar::Time(b)) => Some(a.cmp(b)),
            (Scalar::Text(a), Scalar::Text(b)) | (Scalar::Code(a), Scalar::Code(b)) => {
                Some(a.as_bytes().cmp(b.as_bytes()))
            }
            _ => None,
        }
    }
}

/// How a filter compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "CrmSearchOperator", rename_all = "snake_case")]
pub enum Operator {
    /// Equal (text without case).
    Eq,
    /// Not equal, or without the property.
    Neq,
    /// Less than (numbers, dates, times).
    Lt,
    /// Less than or equal.
    Lte,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Text holding the value, without case.
    Contains,
    /// Equal to one of `values`.
    In,
    /// Equal to none of `values`, or without the property.
    NotIn,
    /// The property has a value.
    HasProperty,
    /// The property has no value.
    NotHasProperty,
}

/// One checked filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    /// The property.
    pub property: Property,
    /// How it compares.
    pub operator: Operator,
    /// The values it compares with (one, several for `in` / `not_in`,
    /// none for `has_property` / `not_has_property`).
    pub values: Vec<Scalar>,
}

/// The sort of a search: one property, then the id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// The property.
    pub property: Property,
    /// Smallest first.
    pub ascending: bool,
}

/// A checked search.
#[derive(Debug, Clone, PartialEq)]
pub struct Search {
    /// Records match when they match every filter of any group; no groups
    /// match every record.
    pub groups: Vec<Vec<Filter>>,
    /// Words every match holds in its names, e-mails or domain (lower case).
    pub words: Vec<String>,
    /// The order.
    pub sort: Sort,
}

/// A filter as a client sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct FilterInput {
    /// The property's name.
    pub property: String,
    /// The operator.
    pub operator: Operator,
    /// The value (all operators but `in`, `not_in`, `has_property`, `not_has_property`).
    pub value: Option<serde_json::Value>,
    /// The values of `in` and `not_in`.
    pub values: Vec<serde_json::Value>,
}

/// `value` as a `ty` scalar.
fn scalar(ty: PropertyType, value: &serde_json::Value) -> Option<Scalar> {
    use serde_json::Value;
    let text = value.as_str();
    match ty {
        PropertyType::Text | PropertyType::Tags => text.map(|t| Scalar::Text(t.to_lowercase())),
        PropertyType::Code => text.map(|t| Scalar::Code(t.to_owned())),
        PropertyType::Number => match value {
            Value::Number(n) => n.to_string().parse().ok().map(Scalar::Number),
            Value::String(s) => s.parse().ok().map(Scalar::Number),
            _ => None,
        },
        PropertyType::Date => {
            let format = time::macros::format_description!("[year]-[month]-[day]");
            text.and_then(|t| Date::parse(t, &format).ok()).map(Scalar::Date)
        }
        PropertyType::Time => text
            .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
            .map(|t| Scalar::Time(gremlin_kernel::sql::micros(t))),
    }
}

fn describe(ty: PropertyType) -> &'static str {
    match ty {
        PropertyType::Text | PropertyType::Code | PropertyType::Tags => "a string",
        PropertyType::Number => "a number (or a decimal string)",
        PropertyType::Date => "a date (`YYYY-MM-DD`)",
        PropertyType::Time => "an RFC 3339 time",
    }
}

/// Checks a search against `properties`: every group and filter within
/// limits, every property known, every operator fit for its property and
/// every value of its type. `sort` names a property (default: creation
/// time, newest first).
pub fn check(
    properties: &[Property],
    groups: &[Vec<FilterInput>],
    query: Option<&str>,
    sort: Option<(&str, bool)>,
) -> Result<Search, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut fail = |field: String, message: String| errors.push(FieldError { field, message });
    let find = |name: &str| properties.iter().copied().find(|p| p.name == name);
    let known = || properties.iter().map(|p| p.name).collect::<Vec<_>>().join(", ");
    let sortable = || properties.iter().filter(|p| p.sortable).map(|p| p.name).collect::<Vec<_>>().join(", ");
    if groups.len() > MAX_GROUPS {
        fail("filter_groups".into(), format!("at most {MAX_GROUPS} groups"));
    }
    let mut checked = Vec::with_capacity(groups.len());
    for (g, group) in groups.iter().enumerate() {
        if group.is_empty() || group.len() > MAX_FILTERS {
            fail(format!("filter_groups[{g}].filters"), format!("1 to {MAX_FILTERS} filters"));
        }
        let mut filters = Vec::with_capacity(group.len());
        for (f, input) in group.iter().enumerate() {
            let at = format!("filter_groups[{g}].filters[{f}]");
            let Some(property) = find(&input.property) else {
                fail(format!("{at}.property"), format!("not a searchable property; use one of: {}", known()));
                continue;
            };
            use Operator::*;
            let ordering = matches!(input.operator, Lt | Lte | Gt | Gte);
            if ordering && matches!(property.ty, PropertyType::Text | PropertyType::Code | PropertyType::Tags) {
                fail(
                    format!("{at}.operator"),
                    format!("`{}` is not ordered; use eq, neq, contains, in", property.name),
                );
                continue;
            }
            if input.operator == Contains && property.ty != PropertyType::Text {
                fail(format!("{at}.operator"), format!("`{}` is not text; contains needs text", property.name));
                continue;
            }
            let raw: Vec<&serde_json::Value> = match input.operator {
                HasProperty | NotHasProperty => Vec::new(),
                In | NotIn => {
                    if input.values.is_empty() || input.values.len() > MAX_VALUES {
                        fail(format!("{at}.values"), format!("1 to {MAX_VALUES} values"));
                        continue;
                    }
                    input.values.iter().collect()
                }
                _ => match &input.value {
                    Some(value) => vec![value],
                    None => {
                        fail(format!("{at}.value"), format!("required: {}", describe(property.ty)));
                        continue;
                    }
                },
            };
            let values: Option<Vec<Scalar>> = raw.iter().map(|v| scalar(property.ty, v)).collect();
            match values {
                Some(values) => filters.push(Filter { property, operator: input.operator, values }),
                None => fail(format!("{at}.value"), format!("`{}` takes {}", property.name, describe(property.ty))),
            }
        }
        checked.push(filters);
    }
    let query = query.map(str::trim).unwrap_or_default();
    if query.chars().count() > MAX_QUERY_LEN {
        fail("query".into(), format!("at most {MAX_QUERY_LEN} characters"));
    }
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).take(10).collect();
    let sort = match sort {
        None => find("created_at").map(|property| Sort { property, ascending: false }),
        Some((name, ascending)) => match find(name).filter(|p| p.sortable) {
            Some(property) => Some(Sort { property, ascending }),
            None => {
                fail("sort.property".into(), format!("not a sortable property; use one of: {}", sortable()));
                None
            }
        },
    };
    match (errors.is_empty(), sort) {
        (true, Some(sort)) => Ok(Search { groups: checked, words, sort }),
        (true, None) => Err(vec![FieldError { field: "sort".into(), message: "no sortable property".into() }]),
        _ => Err(errors),
    }
}

impl Filter {
    /// Whether a record whose property holds `value` passes.
    pub fn matches(&self, value: Option<&Scalar>) -> bool {
        use Operator::*;
        let equal = |x: &Scalar| self.values.iter().any(|f| x.compare(f) == Some(Ordering::Equal));
        let equals_any = || match value {
            Some(Scalar::Tags(tags)) => tags.iter().any(|t| equal(&Scalar::Text(t.clone()))),
            Some(x) => equal(x),
            None => false,
        };
        let ordered = |wanted: &[Ordering]| {
            value.zip(self.values.first()).and_then(|(x, f)| x.compare(f)).is_some_and(|o| wanted.contains(&o))
        };
        match self.operator {
            Eq | In => equals_any(),
            Neq | NotIn => !equals_any(),
            Lt => ordered(&[Ordering::Less]),
            Lte => ordered(&[Ordering::Less, Ordering::Equal]),
            Gt => ordered(&[Ordering::Greater]),
            Gte => ordered(&[Ordering::Greater, Ordering::Equal]),
            Contains => match (value, self.values.first()) {
                (Some(Scalar::Text(x)), Some(Scalar::Text(f))) => x.contains(f.as_str()),
                _ => false,
            },
            HasProperty => value.is_some(),
            NotHasProperty => value.is_none(),
        }
    }
}

impl Search {
    /// Whether a record passes: `value` gives its properties, `text` its
    /// searchable text (lower case).
    pub fn matches(&self, value: impl Fn(&str) -> Option<Scalar>, text: &str) -> bool {
        let groups = self.groups.is_empty()
            || self.groups.iter().any(|group| group.iter().all(|f| f.matches(value(f.property.name).as_ref())));
        groups && self.words.iter().all(|w| text.contains(w.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const PROPERTIES: &[Property] = &[
        Property { name: "name", ty: PropertyType::Text, sortable: true },
        Property { name: "owner_id", ty: PropertyType::Code, sortable: false },
        Property { name: "employees", ty: PropertyType::Number, sortable: true },
        Property { name: "closed_on", ty: PropertyType::Date, sortable: false },
        Property { name: "created_at", ty: PropertyType::Time, sortable: true },
        Property { name: "tags", ty: PropertyType::Tags, sortable: false },
    ];

    fn filter(property: &str, operator: Operator, value: serde_json::Value) -> FilterInput {
        let (value, values) = match value {
            serde_json::Value::Array(values) => (None, values),
            serde_json::Value::Null => (None, Vec::new()),
            one => (Some(one), Vec::new()),
        };
        FilterInput { property: property.into(), operator, value, values }
    }

    fn fields(groups: &[Vec<FilterInput>]) -> Vec<String> {
        check(PROPERTIES, groups, None, None).unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn each_bad_filter_is_named() {
        let group = vec![
            filter("colour", Operator::Eq, json!("red")),
            filter("name", Operator::Lt, json!("m")),
            filter("employees", Operator::Contains, json!("1")),
            filter("employees", Operator::Eq, json!("many")),
            filter("closed_on", Operator::Gt, json!("yesterday")),
            filter("owner_id", Operator::In, json!([])),
            filter("name", Operator::Eq, serde_json::Value::Null),
        ];
        let at = |i: usize, what: &str| format!("filter_groups[0].filters[{i}].{what}");
        assert_eq!(
            fields(&[group]),
            [
                at(0, "property"),
                at(1, "operator"),
                at(2, "operator"),
                at(3, "value"),
                at(4, "value"),
                at(5, "values"),
                at(6, "value")
            ]
        );
        let too_many = vec![vec![filter("name", Operator::HasProperty, serde_json::Value::Null)]; MAX_GROUPS + 1];
        assert_eq!(fields(&too_many), ["filter_groups"]);
        assert_eq!(check(PROPERTIES, &[], None, Some(("colour", true))).unwrap_err()[0].field, "sort.property");
        let unindexed = check(PROPERTIES, &[], None, Some(("owner_id", true))).unwrap_err();
        assert_eq!(unindexed[0].message, "not a sortable property; use one of: name, employees, created_at");
        let tags_ordered =
            vec![vec![filter("tags", Operator::Gt, json!("a")), filter("tags", Operator::Contains, json!("a"))]];
        assert_eq!(
            fields(&tags_ordered),
            ["filter_groups[0].filters[0].operator", "filter_groups[0].filters[1].operator"]
        );
    }

    #[test]
    fn tags_are_a_set() {
        let search = |f: FilterInput| check(PROPERTIES, &[vec![f]], None, None).unwrap().groups[0][0].clone();
        let tags = Scalar::Tags(vec!["vip".into(), "partner".into()]);
        let tagged = Some(&tags);
        assert!(search(filter("tags", Operator::Eq, json!("VIP"))).matches(tagged));
        assert!(!search(filter("tags", Operator::Eq, json!("vi"))).matches(tagged));
        assert!(search(filter("tags", Operator::In, json!(["lead", "partner"]))).matches(tagged));
        assert!(!search(filter("tags", Operator::Neq, json!("partner"))).matches(tagged));
        assert!(search(filter("tags", Operator::Neq, json!("partner"))).matches(None));
        assert!(search(filter("tags", Operator::NotIn, json!(["lead", "cold"]))).matches(tagged));
        assert!(search(filter("tags", Operator::HasProperty, serde_json::Value::Null)).matches(tagged));
        assert!(search(filter("tags", Operator::NotHasProperty, serde_json::Value::Null)).matches(None));
    }

    #[test]
    fn operators_mean_what_they_say() {
        let search = |f: FilterInput| check(PROPERTIES, &[vec![f]], None, None).unwrap().groups[0][0].clone();
        let text = |t: &str| Some(Scalar::Text(t.into()));
        let number = |n: i64| Some(Scalar::Number(Decimal::from(n)));
        assert!(search(filter("name", Operator::Eq, json!("ACME"))).matches(text("acme").as_ref()));
        assert!(search(filter("name", Operator::Contains, json!("CM"))).matches(text("acme").as_ref()));
        let neq = search(filter("owner_id", Operator::Neq, json!("u1")));
        assert!(neq.matches(None) && !neq.matches(Some(&Scalar::Code("u1".into()))));
        let not_in = search(filter("owner_id", Operator::NotIn, json!(["u1", "u2"])));
        assert!(not_in.matches(None) && not_in.matches(Some(&Scalar::Code("u3".into()))));
        let between = search(filter("employees", Operator::Gte, json!("10.5")));
        assert!(
            between.matches(number(11).as_ref()) && !between.matches(number(10).as_ref()) && !between.matches(None)
        );
        let has = search(filter("closed_on", Operator::HasProperty, serde_json::Value::Null));
        assert!(!has.matches(None));
    }

    #[test]
    fn groups_are_ors_of_ands_and_words_must_all_appear() {
        let groups = vec![
            vec![filter("employees", Operator::Gt, json!(10)), filter("owner_id", Operator::Eq, json!("u1"))],
            vec![filter("name", Operator::Eq, json!("zed"))],
        ];
        let search = check(PROPERTIES, &groups, Some("  Acme  corp "), None).unwrap();
        assert_eq!(search.words, ["acme", "corp"]);
        fn record(employees: i64, owner: &'static str, name: &'static str) -> impl Fn(&str) -> Option<Scalar> {
            move |p: &str| match p {
                "employees" => Some(Scalar::Number(Decimal::from(employees))),
                "owner_id" => Some(Scalar::Code(owner.to_owned())),
                "name" => Some(Scalar::Text(name.to_owned())),
                _ => None,
            }
        }
        assert!(search.matches(record(11, "u1", "x"), "acme corp"));
        assert!(!search.matches(record(11, "u2", "x"), "acme corp"));
        assert!(search.matches(record(1, "u2", "zed"), "acme corp ltd"));
        assert!(!search.matches(record(1, "u2", "zed"), "acme"));
        assert_eq!(search.sort.property.name, "created_at");
    }
}
