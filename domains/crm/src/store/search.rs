//! Search in SQL: a checked [`Search`] becomes one statement over a kind's
//! table — the filter groups as `(… AND …) OR (…)`, the free-text words as
//! `LIKE` over the lower-case `search_text` column (a trigram index serves
//! it on PostgreSQL), and keyset paging on the sort key then id. Texts are
//! stored lower case and compared byte-wise (`COLLATE "C"` on PostgreSQL),
//! so both backends agree with the model's in-memory rule.

use gremlin_kernel::{Cursor, FieldError};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{DatabaseBackend, Value};

use crate::model::CrmError;
use crate::model::search::{Filter, Operator, PropertyType, Scalar, Search};

/// Where a property is stored: its column, and for amounts the scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The property's name.
    pub property: &'static str,
    /// The column.
    pub column: &'static str,
    /// Amounts are stored in 1/10 000 units.
    pub scaled: bool,
    /// Whether the column may be NULL: its sort key then replaces NULL
    /// (and the sort index is on that expression).
    pub nullable: bool,
}

/// A statement under construction: SQL with `$n` placeholders and values.
pub(crate) struct Sql {
    backend: DatabaseBackend,
    /// Values bound so far; `$1` is the organization.
    pub values: Vec<Value>,
}

/// The sort key value a page ended on, and its id.
pub type SearchCursor = (serde_json::Value, String);

impl Sql {
    pub(crate) fn new(backend: DatabaseBackend, organization: &str) -> Self {
        Self { backend, values: vec![organization.into()] }
    }

    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        format!("${}", self.values.len())
    }

    /// `column`, compared byte-wise when it holds text.
    fn text(&self, column: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!("{column} COLLATE \"C\""),
            _ => column.to_owned(),
        }
    }

    fn scalar(&mut self, value: &Scalar) -> String {
        match value {
            Scalar::Text(t) | Scalar::Code(t) => self.bind(t.clone()),
            Scalar::Number(n) => self.bind(n.to_string()),
            Scalar::Date(d) => self.bind(d.to_string()),
            Scalar::Time(t) => self.bind(*t),
            // A record's value, never a filter's: compares with nothing.
            Scalar::Tags(_) => "NULL".to_owned(),
        }
    }

    /// One filter as SQL.
    fn filter(&mut self, filter: &Filter, column: Column) -> String {
        use Operator::*;
        let c = column.column;
        if filter.property.ty == PropertyType::Tags {
            return self.tags(filter, c);
        }
        match filter.operator {
            HasProperty => return format!("{c} IS NOT NULL"),
            NotHasProperty => return format!("{c} IS NULL"),
            _ => {}
        }
        if column.scaled || filter.property.ty == PropertyType::Number {
            return self.number(filter, c, if column.scaled { 4 } else { 0 });
        }
        let lhs = match filter.property.ty {
            PropertyType::Text | PropertyType::Code | PropertyType::Date => self.text(c),
            _ => c.to_owned(),
        };
        match filter.operator {
            Eq => format!("{lhs} = {}", self.scalar(&filter.values[0])),
            Neq => format!("({c} IS NULL OR {lhs} <> {})", self.scalar(&filter.values[0])),
            Lt | Lte | Gt | Gte => {
                let op = match filter.operator {
                    Lt => "<",
                    Lte => "<=",
                    Gt => ">",
                    _ => ">=",
                };
                format!("{lhs} {op} {}", self.scalar(&filter.values[0]))
            }
            Contains => {
                let Scalar::Text(t) = &filter.values[0] else { return "1 = 0".into() };
                let pattern = format!("%{}%", escape_like(t));
                format!("{c} LIKE {} ESCAPE '\\'", self.bind(pattern))
            }
            In | NotIn => {
                let list: Vec<String> = filter.values.iter().map(|v| self.scalar(v)).collect();
                if filter.operator == In {
                    format!("{lhs} IN ({})", list.join(", "))
                } else {
                    format!("({c} IS NULL OR {lhs} NOT IN ({}))", list.join(", "))
                }
            }
            HasProperty | NotHasProperty => unreachable!("answered above"),
        }
    }

    /// A tags filter on `column`, which holds the lower-case tags each
    /// between line feeds (`\nvip\npartner\n`, empty for none; tags hold no
    /// control characters).
    fn tags(&mut self, filter: &Filter, column: &str) -> String {
        use Operator::*;
        let mut carries = |value: &Scalar| {
            let Scalar::Text(tag) = value else { return "1 = 0".to_owned() };
            let pattern = format!("%\n{}\n%", escape_like(tag));
            format!("{column} LIKE {} ESCAPE '\\'", self.bind(pattern))
        };
        let any: Vec<String> = filter.values.iter().map(&mut carries).collect();
        match filter.operator {
            HasProperty => format!("{column} <> ''"),
            NotHasProperty => format!("{column} = ''"),
            Neq | NotIn => format!("NOT ({})", any.join(" OR ")),
            _ => format!("({})", any.join(" OR ")),
        }
    }

    /// A number filter on an integer column holding the value × 10^`scale`:
    /// the value is scaled and, when it falls between integers, the
    /// comparison moved to the integer that keeps its meaning.
    fn number(&mut self, filter: &Filter, c: &str, scale: u32) -> String {
        use Operator::*;
        let scaled: Vec<Decimal> = filter
            .values
            .iter()
            .filter_map(|v| match v {
                Scalar::Number(n) => Some(*n * Decimal::from(10_i64.pow(scale))),
                _ => None,
            })
            .collect();
        let whole = |d: &Decimal| (d.fract().is_zero()).then(|| d.to_i64()).flatten();
        let first = scaled.first().copied().unwrap_or_default();
        let clamp = |d: Decimal| d.to_i64().unwrap_or(if d.is_sign_negative() { i64::MIN } else { i64::MAX });
        match filter.operator {
            Eq => match whole(&first) {
                Some(n) => format!("{c} = {}", self.bind(n)),
                None => "1 = 0".into(),
            },
            Neq => match whole(&first) {
                Some(n) => format!("({c} IS NULL OR {c} <> {})", self.bind(n)),
                None => "1 = 1".into(),
            },
            Lt => format!("{c} < {}", self.bind(clamp(first.ceil()))),
            Lte => format!("{c} <= {}", self.bind(clamp(first.floor()))),
            Gt => format!("{c} > {}", self.bind(clamp(first.floor()))),
            Gte => format!("{c} >= {}", self.bind(clamp(first.ceil()))),
            In | NotIn => {
                let list: Vec<String> = scaled.iter().filter_map(whole).map(|n| self.bind(n)).collect();
                match (filter.operator, list.is_empty()) {
                    (In, true) => "1 = 0".into(),
                    (In, false) => format!("{c} IN ({})", list.join(", ")),
                    (_, true) => "1 = 1".into(),
                    (_, false) => format!("({c} IS NULL OR {c} NOT IN ({}))", list.join(", ")),
                }
            }
            _ => "1 = 0".into(),
        }
    }

    /// The sort key expression of `column`: never null (numbers sort a
    /// missing value below all, texts and dates as the empty string).
    /// Each sortable property has an index on `(organization_id, this
    /// expression, id)` (migration `…_000043`), so a page is read in index
    /// order instead of sorting every match; the expression must stay
    /// exactly the index's.
    pub(crate) fn sort_key(&self, ty: PropertyType, column: Column) -> String {
        let c = column.column;
        match (ty, column.nullable) {
            (PropertyType::Number | PropertyType::Time, false) => c.to_owned(),
            (PropertyType::Number | PropertyType::Time, true) => format!("COALESCE({c}, {})", i64::MIN),
            (_, false) => self.text(c),
            (_, true) => self.text(&format!("COALESCE({c}, '')")),
        }
    }

    /// The WHERE clause of `search` over `columns`, and after `cursor` in
    /// the sort's direction.
    pub(crate) fn where_clause(
        &mut self,
        search: &Search,
        columns: &[Column],
        cursor: Option<&str>,
    ) -> Result<String, CrmError> {
        let column = |name: &str| columns.iter().copied().find(|c| c.property == name);
        let mut clauses = vec!["organization_id = $1".to_owned(), "deleted_at_us IS NULL".to_owned()];
        if !search.groups.is_empty() {
            let mut groups = Vec::new();
            for group in &search.groups {
                let mut all = Vec::new();
                for filter in group {
                    let Some(c) = column(filter.property.name) else { continue };
                    all.push(self.filter(filter, c));
                }
                groups.push(if all.is_empty() { "1 = 1".to_owned() } else { format!("({})", all.join(" AND ")) });
            }
            clauses.push(format!("({})", groups.join(" OR ")));
        }
        for word in &search.words {
            let pattern = format!("%{}%", escape_like(word));
            clauses.push(format!("search_text LIKE {} ESCAPE '\\'", self.bind(pattern)));
        }
        if let Some(cursor) = cursor {
            let invalid = || {
                CrmError::Invalid(vec![FieldError {
                    field: "after".into(),
                    message: "not a cursor returned by this search; start again without it".into(),
                }])
            };
            let (key, id): SearchCursor = Cursor::decode(cursor).map_err(|_| invalid())?;
            let sort = column(search.sort.property.name).ok_or_else(invalid)?;
            let expr = self.sort_key(search.sort.property.ty, sort);
            let key = match (search.sort.property.ty, key) {
                (PropertyType::Number | PropertyType::Time, serde_json::Value::Number(n)) => {
                    self.bind(n.as_i64().ok_or_else(invalid)?)
                }
                (PropertyType::Number | PropertyType::Time, _) => return Err(invalid()),
                (_, serde_json::Value::String(s)) => self.bind(s),
                _ => return Err(invalid()),
            };
            let id = self.bind(id);
            let after = if search.sort.ascending { ">" } else { "<" };
            // A row comparison, so the index bounds the scan.
            clauses.push(format!("({expr}, id) {after} ({key}, {id})"));
        }
        Ok(clauses.join(" AND "))
    }
}

/// `text` with LIKE's wildcards (and the escape character) escaped.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }
}
