//! An organization's own roles (Better Auth's dynamic access control): a
//! name and the actions it allows per resource, both the organization
//! plugin's (`member: ["create"]`) and Gremlin's domain permissions
//! (`orders: ["read"]` is `orders:read`). Assigned to members like the
//! built-in roles; a member's roles allow the union of what each allows.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::statements::{OrgRole, plugin_actions};
use crate::error::{AuthError, ErrorCode};

/// What a role allows: resource → actions.
pub type Statements = BTreeMap<String, Vec<String>>;

/// Roles one organization may create (Better Auth sets no bound; a bound
/// keeps every permission check's input small).
pub const MAX_ROLES_PER_ORGANIZATION: u64 = 100;

/// Longest role name, in characters.
const MAX_NAME: usize = 64;

/// One role an organization created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRole {
    /// Id.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// Lower-case name, unique in the organization, never a built-in's.
    pub name: String,
    /// What it allows.
    pub permission: Statements,
    /// Created.
    pub created_at: OffsetDateTime,
    /// Last changed; `None` until then.
    pub updated_at: Option<OffsetDateTime>,
}

impl CustomRole {
    /// Whether the role allows `action` on `resource`.
    pub fn allows(&self, resource: &str, action: &str) -> bool {
        self.permission.get(resource).is_some_and(|actions| actions.iter().any(|a| a == action))
    }

    /// The domain permissions it holds (`orders:read`), as the verifier's
    /// registry names them; the organization plugin's resources are not
    /// among them.
    pub fn domain_permissions(&self) -> Vec<String> {
        each_action(&self.permission)
            .filter(|(resource, _)| plugin_actions(resource).is_none())
            .map(|(resource, action)| format!("{resource}:{action}"))
            .collect()
    }
}

/// A role name as stored: trimmed and lower-cased (as Better Auth does),
/// 1–64 of `a-z`, `0-9`, `_`, `-`. A built-in's name is 400
/// `ROLE_NAME_IS_ALREADY_TAKEN`.
pub fn normalize_name(name: &str) -> Result<String, AuthError> {
    let name = name.trim().to_lowercase();
    let well_formed = !name.is_empty()
        && name.chars().count() <= MAX_NAME
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if !well_formed {
        return Err(AuthError::validation("role", format!("1 to {MAX_NAME} of a-z, 0-9, '_' and '-'")));
    }
    if OrgRole::parse_one(&name).is_some() {
        return Err(taken());
    }
    Ok(name)
}

/// 400 `ROLE_NAME_IS_ALREADY_TAKEN`.
pub fn taken() -> AuthError {
    AuthError::rule(ErrorCode::RoleNameIsAlreadyTaken, "That role name is already taken", 400)
}

/// Checks that every resource and action is one a role can hold: the
/// organization plugin's, or a domain permission in `domain` (`orders:read`).
/// Anything else is 400 `INVALID_RESOURCE`; so is a role allowing nothing.
pub fn check_statements(permission: &Statements, domain: &BTreeSet<String>) -> Result<(), AuthError> {
    let invalid =
        || AuthError::rule(ErrorCode::InvalidResource, "The provided permission includes an invalid resource", 400);
    if permission.values().all(Vec::is_empty) {
        return Err(invalid());
    }
    for (resource, actions) in permission {
        let known = |action: &String| match plugin_actions(resource) {
            Some(allowed) => allowed.contains(&action.as_str()),
            None => domain.contains(&format!("{resource}:{action}")),
        };
        if !actions.iter().all(known) {
            return Err(invalid());
        }
    }
    Ok(())
}

/// 400 `INVALID_RESOURCE`: a permission names a resource or action no
/// role (or key) can hold.
pub fn invalid_resource() -> AuthError {
    AuthError::rule(ErrorCode::InvalidResource, "The provided permission includes an invalid resource", 400)
}

/// Each (resource, action) of `permission`: single-action requests (to
/// check that whoever grants a role holds what it grants), or permission
/// names (`orders:read`).
pub fn each_action(permission: &Statements) -> impl Iterator<Item = (String, String)> + '_ {
    permission.iter().flat_map(|(resource, actions)| actions.iter().map(move |a| (resource.clone(), a.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(pairs: &[(&str, &[&str])]) -> Statements {
        pairs.iter().map(|(r, a)| ((*r).to_owned(), a.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    fn role(pairs: &[(&str, &[&str])]) -> CustomRole {
        CustomRole {
            id: "r1".into(),
            organization_id: "o1".into(),
            name: "cashier".into(),
            permission: statements(pairs),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: None,
        }
    }

    #[test]
    fn names_are_lower_cased_bounded_and_never_a_built_in() {
        assert_eq!(normalize_name(" Cashier ").unwrap(), "cashier");
        assert_eq!(normalize_name("shift-lead_2").unwrap(), "shift-lead_2");
        assert_eq!(normalize_name("Admin").unwrap_err().code(), ErrorCode::RoleNameIsAlreadyTaken);
        for bad in ["", "  ", "a,b", "café", "with space", &"x".repeat(65)] {
            assert_eq!(normalize_name(bad).unwrap_err().code(), ErrorCode::ValidationError, "{bad:?}");
        }
        assert!(normalize_name(&"x".repeat(64)).is_ok());
    }

    #[test]
    fn statements_name_only_plugin_actions_and_registered_permissions() {
        let domain: BTreeSet<String> = ["orders:read".to_owned(), "orders:manage".to_owned()].into();
        assert!(check_statements(&statements(&[("member", &["create"]), ("orders", &["read"])]), &domain).is_ok());
        for bad in [
            statements(&[("orders", &["fly"])]),
            statements(&[("payroll", &["read"])]),
            statements(&[("member", &["read"])]),
            statements(&[("orders", &[])]),
            Statements::new(),
        ] {
            assert_eq!(check_statements(&bad, &domain).unwrap_err().code(), ErrorCode::InvalidResource, "{bad:?}");
        }
    }

    #[test]
    fn a_role_allows_its_actions_and_names_its_domain_permissions() {
        let cashier = role(&[("orders", &["read", "write"]), ("invitation", &["create"])]);
        assert!(cashier.allows("invitation", "create"));
        assert!(!cashier.allows("invitation", "cancel"));
        assert_eq!(cashier.domain_permissions(), ["orders:read", "orders:write"]);
        let pairs: Vec<_> = each_action(&cashier.permission).collect();
        assert_eq!(pairs.len(), 3);
    }
}
