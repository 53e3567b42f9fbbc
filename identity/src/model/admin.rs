//! Platform administration rules: platform roles (`user`, `admin`), who may
//! administer whom, and the user-list query (search, filter, sort, paging)
//! parsed from Better Auth's query parameters.

use crate::error::AuthError;

/// Platform roles Gremlin knows (Better Auth's admin plugin defaults).
pub const PLATFORM_ROLES: &[&str] = &["user", "admin"];

/// Whether a stored platform role value (comma-joined) includes `admin`.
pub fn is_admin(role: Option<&str>) -> bool {
    role.is_some_and(|r| r.split(',').any(|x| x.trim() == "admin"))
}

/// Parses platform role names (validated, unlike Better Auth, which stores
/// any string) into the stored comma-joined value.
pub fn parse_platform_roles(names: &[String]) -> Result<String, AuthError> {
    let mut roles: Vec<&str> = Vec::new();
    for name in names.iter().flat_map(|n| n.split(',')).map(str::trim) {
        let known = PLATFORM_ROLES.iter().find(|r| **r == name).ok_or_else(|| {
            AuthError::validation(
                "role",
                format!("`{name}` is not a platform role; use {}", PLATFORM_ROLES.join(" or ")),
            )
        })?;
        if !roles.contains(known) {
            roles.push(known);
        }
    }
    if roles.is_empty() {
        return Err(AuthError::validation("role", "at least one role is required"));
    }
    Ok(roles.join(","))
}

/// Text fields the user list can be searched and filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserField {
    /// `email`.
    Email,
    /// `name`.
    Name,
    /// `role`.
    Role,
    /// `id`.
    Id,
}

/// How a text value is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains (case-insensitive).
    Contains,
    /// Starts with (case-insensitive).
    StartsWith,
    /// Ends with (case-insensitive).
    EndsWith,
}

/// Sort keys of the user list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
    /// `name`.
    Name,
    /// `email`.
    Email,
}

/// A parsed user-list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    /// Text conditions, all of which must hold.
    pub text: Vec<(UserField, TextOp, String)>,
    /// `banned = ?`.
    pub banned: Option<bool>,
    /// Sort key and direction (true = descending); ties broken by id.
    pub sort: (UserSort, bool),
    /// Page size; `None` lists everything (as Better Auth does).
    pub limit: Option<u64>,
    /// Rows skipped.
    pub offset: u64,
}

/// Raw query parameters, as Better Auth names them.
#[derive(Debug, Clone, Default)]
pub struct UserQueryParams {
    /// `searchField`: `email` or `name`.
    pub search_field: Option<String>,
    /// `searchOperator`: `contains`, `starts_with`, `ends_with`.
    pub search_operator: Option<String>,
    /// `searchValue`.
    pub search_value: Option<String>,
    /// `filterField`: `email`, `name`, `role`, `id`, `banned`.
    pub filter_field: Option<String>,
    /// `filterOperator`: `eq`, `ne`, `contains`, `starts_with`, `ends_with`.
    pub filter_operator: Option<String>,
    /// `filterValue`.
    pub filter_value: Option<String>,
    /// `sortBy`: `createdAt`, `updatedAt`, `name`, `email`.
    pub sort_by: Option<String>,
    /// `sortDirection`: `asc` or `desc`.
    pub sort_direction: Option<String>,
    /// `limit`.
    pub limit: Option<u64>,
    /// `offset`.
    pub offset: Option<u64>,
}

fn field(name: &str, key: &str) -> Result<UserField, AuthError> {
    match name {
        "email" => Ok(UserField::Email),
        "name" => Ok(UserField::Name),
        "role" => Ok(UserField::Role),
        "id" => Ok(UserField::Id),
        _ => Err(AuthError::validation(key, format!("`{name}` is not a user field; use email, name, role or id"))),
    }
}

fn op(name: &str, key: &str) -> Result<TextOp, AuthError> {
    match name {
        "eq" => Ok(TextOp::Eq),
        "ne" => Ok(TextOp::Ne),
        "contains" => Ok(TextOp::Contains),
        "starts_with" => Ok(TextOp::StartsWith),
        "ends_with" => Ok(TextOp::EndsWith),
        _ => Err(AuthError::validation(
            key,
            format!("`{name}` is not an operator; use eq, ne, contains, starts_with or ends_with"),
        )),
    }
}

impl UserQuery {
    /// Parses and validates the parameters; fails with 400 naming the one
    /// that is wrong.
    pub fn parse(p: UserQueryParams) -> Result<Self, AuthError> {
        let mut text = Vec::new();
        if let Some(value) = p.search_value.filter(|v| !v.is_empty()) {
            let f = field(p.search_field.as_deref().unwrap_or("email"), "searchField")?;
            if !matches!(f, UserField::Email | UserField::Name) {
                return Err(AuthError::validation("searchField", "use email or name"));
            }
            let o = op(p.search_operator.as_deref().unwrap_or("contains"), "searchOperator")?;
            text.push((f, o, value));
        }
        let mut banned = None;
        if let Some(value) = p.filter_value {
            let operator = p.filter_operator.as_deref().unwrap_or("eq");
            match p.filter_field.as_deref() {
                Some("banned") => {
                    let flag = match value.as_str() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(AuthError::validation("filterValue", "banned takes true or false")),
                    };
                    banned = Some(match operator {
                        "eq" => flag,
                        "ne" => !flag,
                        _ => return Err(AuthError::validation("filterOperator", "banned takes eq or ne")),
                    });
                }
                Some(name) => text.push((field(name, "filterField")?, op(operator, "filterOperator")?, value)),
                None => return Err(AuthError::validation("filterField", "required with filterValue")),
            }
        }
        let sort = match p.sort_by.as_deref().unwrap_or("createdAt") {
            "createdAt" => UserSort::CreatedAt,
            "updatedAt" => UserSort::UpdatedAt,
            "name" => UserSort::Name,
            "email" => UserSort::Email,
            other => {
                return Err(AuthError::validation(
                    "sortBy",
                    format!("`{other}` cannot be sorted on; use createdAt, updatedAt, name or email"),
                ));
            }
        };
        let descending = match p.sort_direction.as_deref().unwrap_or("asc") {
            "asc" => false,
            "desc" => true,
            _ => return Err(AuthError::validation("sortDirection", "use asc or desc")),
        };
        Ok(Self {
            text,
            banned,
            sort: (sort, descending),
            limit: p.limit.filter(|l| *l > 0),
            offset: p.offset.unwrap_or(0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_role_detection_and_validation() {
        assert!(is_admin(Some("admin")));
        assert!(is_admin(Some("user,admin")));
        assert!(!is_admin(Some("user")));
        assert!(!is_admin(None));
        assert_eq!(parse_platform_roles(&["admin".into(), "user".into()]).unwrap(), "admin,user");
        assert_eq!(parse_platform_roles(&["user,user".into()]).unwrap(), "user");
        assert!(parse_platform_roles(&["superuser".into()]).is_err());
        assert!(parse_platform_roles(&[]).is_err());
    }

    #[test]
    fn queries_parse_with_defaults() {
        let q = UserQuery::parse(UserQueryParams::default()).unwrap();
        assert_eq!(
            q,
            UserQuery { text: vec![], banned: None, sort: (UserSort::CreatedAt, false), limit: None, offset: 0 }
        );
        let q = UserQuery::parse(UserQueryParams {
            search_value: Some("ex".into()),
            filter_field: Some("banned".into()),
            filter_value: Some("true".into()),
            sort_by: Some("email".into()),
            sort_direction: Some("desc".into()),
            limit: Some(2),
            offset: Some(4),
            ..UserQueryParams::default()
        })
        .unwrap();
        assert_eq!(q.text, vec![(UserField::Email, TextOp::Contains, "ex".to_owned())]);
        assert_eq!((q.banned, q.sort, q.limit, q.offset), (Some(true), (UserSort::Email, true), Some(2), 4));
    }

    #[test]
    fn bad_parameters_name_themselves() {
        let cases = [
            (UserQueryParams { sort_by: Some("password".into()), ..UserQueryParams::default() }, "sortBy"),
            (UserQueryParams { sort_direction: Some("up".into()), ..UserQueryParams::default() }, "sortDirection"),
            (
                UserQueryParams {
                    search_value: Some("x".into()),
                    search_field: Some("role".into()),
                    ..UserQueryParams::default()
                },
                "searchField",
            ),
            (
                UserQueryParams {
                    search_value: Some("x".into()),
                    search_operator: Some("like".into()),
                    ..UserQueryParams::default()
                },
                "searchOperator",
            ),
            (UserQueryParams { filter_value: Some("x".into()), ..UserQueryParams::default() }, "filterField"),
            (
                UserQueryParams {
                    filter_field: Some("banned".into()),
                    filter_value: Some("maybe".into()),
                    ..UserQueryParams::default()
                },
                "filterValue",
            ),
        ];
        for (params, key) in cases {
            let err = UserQuery::parse(params).unwrap_err().to_string();
            assert!(err.contains(key), "{key}: {err}");
        }
    }
}
