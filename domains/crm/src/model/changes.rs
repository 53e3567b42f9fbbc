//! Field changes: what a change did to a record, field by field, as its
//! timeline shows it ("Ada changed `domain` from `a.com` to `b.com`").

use serde::Serialize;
use serde_json::Value;

/// One field's change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field, as the API names it (`annual_revenue`).
    pub field: String,
    /// Its value before (null: it had none).
    pub from: Value,
    /// Its value after (null: it has none now).
    pub to: Value,
}

/// The top-level fields that differ between `before` and `after`, in the
/// order the fields are declared.
pub fn diff<F: Serialize>(before: &F, after: &F) -> Vec<FieldChange> {
    let (Ok(Value::Object(before)), Ok(Value::Object(mut after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let mut changes = Vec::new();
    for (field, from) in before {
        let to = after.remove(&field).unwrap_or(Value::Null);
        if from != to {
            changes.push(FieldChange { field, from, to });
        }
    }
    changes.extend(after.into_iter().map(|(field, to)| FieldChange { field, from: Value::Null, to }));
    changes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct F {
        name: String,
        tags: Vec<String>,
        size: Option<u32>,
    }

    #[test]
    fn only_fields_that_differ_are_changes_in_declaration_order() {
        let a = F { name: "Acme".into(), tags: vec!["x".into()], size: None };
        let b = F { name: "Acme".into(), tags: vec!["x".into(), "y".into()], size: Some(5) };
        let changes = diff(&a, &b);
        assert_eq!(changes.iter().map(|c| c.field.as_str()).collect::<Vec<_>>(), ["tags", "size"]);
        assert_eq!(changes[1].from, Value::Null);
        assert_eq!(changes[1].to, serde_json::json!(5));
        assert!(diff(&a, &a).is_empty());
    }
}
