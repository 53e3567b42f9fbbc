//! Merging duplicates: one record (the survivor) takes in another. The
//! caller names the fields whose value comes from the merged record; every
//! other field keeps the survivor's value, except tags, which are joined.
//! What pointed at the merged record (people, deals, notes, tasks, timeline
//! lines) is moved by the store; the merged record goes to the trash.

use gremlin_kernel::FieldError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::record::RecordFields;
use super::{CompanyFields, PersonFields};

/// A record kind whose duplicates can be merged.
pub trait Mergeable: RecordFields + DeserializeOwned {
    /// The fields a merge may take from the merged record.
    const MERGEABLE: &'static [&'static str];
}

impl Mergeable for CompanyFields {
    const MERGEABLE: &'static [&'static str] =
        &["name", "domain", "employees", "annual_revenue", "address", "links", "owner_id", "tags"];
}

impl Mergeable for PersonFields {
    const MERGEABLE: &'static [&'static str] =
        &["first_name", "last_name", "emails", "phones", "job_title", "company_id", "owner_id", "tags"];
}

fn tags(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The survivor's fields after the merge: `take` names the fields whose
/// value comes from `merged` (each at most once, each of
/// [`Mergeable::MERGEABLE`]); tags not taken are the survivor's followed by
/// the merged record's others. Not yet normalized.
pub fn merge_fields<F: Mergeable + Serialize>(survivor: &F, merged: &F, take: &[String]) -> Result<F, Vec<FieldError>> {
    let mut errors = Vec::new();
    for (i, field) in take.iter().enumerate() {
        if !F::MERGEABLE.contains(&field.as_str()) {
            let message = format!("not a field a merge takes; use one of: {}", F::MERGEABLE.join(", "));
            errors.push(FieldError { field: format!("take[{i}]"), message });
        } else if take[..i].contains(field) {
            errors.push(FieldError { field: format!("take[{i}]"), message: "named twice".into() });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let backend =
        |e: serde_json::Error| vec![FieldError { field: "take".into(), message: format!("cannot merge: {e}") }];
    let (Value::Object(mut out), Value::Object(from)) =
        (serde_json::to_value(survivor).map_err(backend)?, serde_json::to_value(merged).map_err(backend)?)
    else {
        return Err(vec![FieldError { field: "take".into(), message: "records are not objects".into() }]);
    };
    for field in take {
        out.insert(field.clone(), from.get(field).cloned().unwrap_or(Value::Null));
    }
    if !take.iter().any(|t| t == "tags") {
        let mut joined = tags(out.get("tags"));
        for tag in tags(from.get("tags")) {
            if !joined.iter().any(|t| t.to_lowercase() == tag.to_lowercase()) {
                joined.push(tag);
            }
        }
        out.insert("tags".into(), joined.into());
    }
    serde_json::from_value(Value::Object(out)).map_err(backend)
}

#[cfg(test)]
mod tests {
    use gremlin_kernel::UserId;

    use super::*;
    use crate::model::Address;

    fn company(name: &str, domain: Option<&str>, tags: &[&str]) -> CompanyFields {
        CompanyFields {
            name: name.into(),
            domain: domain.map(Into::into),
            employees: Some(10),
            annual_revenue: None,
            address: Address::default(),
            links: vec![],
            owner_id: Some(UserId::new("u1")),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        }
    }

    #[test]
    fn taken_fields_come_from_the_merged_record_and_tags_are_joined() {
        let survivor = company("Acme Corp", None, &["vip"]);
        let merged = CompanyFields { employees: Some(45), ..company("ACME", Some("acme.com"), &["VIP", "partner"]) };
        let out = merge_fields(&survivor, &merged, &["domain".into(), "employees".into()]).unwrap();
        assert_eq!(
            (out.name.as_str(), out.domain.as_deref(), out.employees),
            ("Acme Corp", Some("acme.com"), Some(45))
        );
        assert_eq!(out.tags, ["vip", "partner"]);
        let taken = merge_fields(&survivor, &merged, &["tags".into()]).unwrap();
        assert_eq!(taken.tags, ["VIP", "partner"]);
        // Taking a field the merged record lacks clears it.
        let ownerless = CompanyFields { owner_id: None, ..company("x", None, &[]) };
        let cleared = merge_fields(&survivor, &ownerless, &["owner_id".into()]).unwrap();
        assert_eq!(cleared.owner_id, None);
    }

    #[test]
    fn unknown_and_repeated_fields_are_refused() {
        let c = company("A", None, &[]);
        let errors = merge_fields(&c, &c, &["colour".into(), "name".into(), "name".into()]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["take[0]", "take[2]"]);
    }
}
