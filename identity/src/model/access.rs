//! Better Auth's access control, as its `has-permission` endpoints answer
//! it: each resource's actions per role (the organization plugin's default
//! statements; the admin plugin's), plus Gremlin's domain permissions
//! (`orders: ["read"]` is `orders:read`) as the organization grants them.

use std::collections::{BTreeMap, BTreeSet};

use super::custom_role::CustomRole;
use super::organization::Roles;
pub use super::statements::plugin_actions;
use super::statements::{OrgRole, organization_statement};

/// A request to check: resource → actions, every one must be allowed.
pub type Requested = BTreeMap<String, Vec<String>>;

/// Whether `roles` may do every requested action in their organization:
/// the organization plugin's resources by its statements for the built-in
/// roles and by `custom` (the organization's own roles) for the others,
/// any other resource by `granted` (the domain permissions the roles hold
/// there). An empty request is refused, as Better Auth refuses it.
pub fn organization_allows(
    roles: &Roles,
    requested: &Requested,
    granted: &BTreeSet<String>,
    custom: &[CustomRole],
) -> bool {
    if requested.is_empty() {
        return false;
    }
    requested.iter().all(|(resource, actions)| {
        actions.iter().all(|action| {
            if plugin_actions(resource).is_none() {
                return granted.contains(&format!("{resource}:{action}"));
            }
            plugin_allows(roles, resource, action, custom)
        })
    })
}

/// Whether `roles` allow `action` on the organization-plugin `resource`.
pub fn plugin_allows(roles: &Roles, resource: &str, action: &str, custom: &[CustomRole]) -> bool {
    let built_in = [OrgRole::Owner, OrgRole::Admin, OrgRole::Member]
        .into_iter()
        .filter(|role| roles.contains(*role))
        .filter_map(|role| organization_statement(role, resource))
        .any(|allowed| allowed.contains(&action));
    built_in || custom.iter().any(|c| roles.has_custom(&c.name) && c.allows(resource, action))
}

/// The admin plugin's statements: what the `admin` platform role may do;
/// `user` may do none of it.
const ADMIN_STATEMENTS: &[(&str, &[&str])] = &[
    ("user", &["create", "list", "set-role", "ban", "impersonate", "delete", "set-password", "get", "update"]),
    ("session", &["list", "revoke", "delete"]),
];

/// Whether platform `roles` (comma-joined) may do every requested admin
/// action. An empty request is refused.
pub fn platform_allows(roles: Option<&str>, requested: &Requested) -> bool {
    if requested.is_empty() || !super::admin::is_admin(roles) {
        return false;
    }
    requested.iter().all(|(resource, actions)| {
        ADMIN_STATEMENTS
            .iter()
            .find(|(r, _)| r == resource)
            .is_some_and(|(_, allowed)| actions.iter().all(|a| allowed.contains(&a.as_str())))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(pairs: &[(&str, &[&str])]) -> Requested {
        pairs.iter().map(|(r, a)| ((*r).to_owned(), a.iter().map(|s| (*s).to_owned()).collect())).collect()
    }

    fn roles(stored: &str) -> Roles {
        Roles::from_stored(stored)
    }

    #[test]
    fn the_organization_statements_follow_better_auths_default_roles() {
        let none = BTreeSet::new();
        let delete_org = ask(&[("organization", &["delete"])]);
        assert!(organization_allows(&roles("owner"), &delete_org, &none, &[]));
        assert!(!organization_allows(&roles("admin"), &delete_org, &none, &[]));
        let invite = ask(&[("invitation", &["create"]), ("member", &["update"])]);
        assert!(organization_allows(&roles("admin"), &invite, &none, &[]));
        assert!(!organization_allows(&roles("member"), &invite, &none, &[]));
        assert!(organization_allows(&roles("member"), &ask(&[("ac", &["read"])]), &none, &[]));
        // One role of several is enough.
        assert!(organization_allows(&roles("member,admin"), &invite, &none, &[]));
        // An action a resource does not have is never allowed.
        assert!(!organization_allows(&roles("owner"), &ask(&[("member", &["fly"])]), &none, &[]));
    }

    #[test]
    fn domain_resources_are_the_permissions_granted_in_the_organization() {
        let granted: BTreeSet<String> = ["orders:read".to_owned()].into();
        assert!(organization_allows(&roles("member"), &ask(&[("orders", &["read"])]), &granted, &[]));
        assert!(!organization_allows(&roles("member"), &ask(&[("orders", &["read", "manage"])]), &granted, &[]));
        assert!(!organization_allows(&roles("owner"), &ask(&[("unknown", &["read"])]), &granted, &[]));
        // A custom role (not a built-in) holds only what is granted.
        assert!(organization_allows(&roles("auditor"), &ask(&[("orders", &["read"])]), &granted, &[]));
        assert!(!organization_allows(&roles("auditor"), &ask(&[("member", &["delete"])]), &granted, &[]));
    }

    #[test]
    fn an_organizations_own_roles_allow_their_plugin_actions() {
        let cashier = CustomRole {
            id: "r1".into(),
            organization_id: "o1".into(),
            name: "cashier".into(),
            permission: [("invitation".to_owned(), vec!["create".to_owned()])].into(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            updated_at: None,
        };
        let custom = [cashier];
        let none = BTreeSet::new();
        let invite = ask(&[("invitation", &["create"])]);
        assert!(organization_allows(&roles("cashier"), &invite, &none, &custom));
        assert!(organization_allows(&roles("member,cashier"), &invite, &none, &custom));
        assert!(!organization_allows(&roles("cashier"), &ask(&[("invitation", &["cancel"])]), &none, &custom));
        // A role the member does not hold allows nothing.
        assert!(!organization_allows(&roles("member"), &invite, &none, &custom));
    }

    #[test]
    fn an_empty_request_is_refused() {
        assert!(!organization_allows(&roles("owner"), &Requested::new(), &BTreeSet::new(), &[]));
        assert!(!platform_allows(Some("admin"), &Requested::new()));
    }

    #[test]
    fn only_platform_admins_hold_the_admin_statements() {
        let ban = ask(&[("user", &["ban", "get"]), ("session", &["revoke"])]);
        assert!(platform_allows(Some("admin"), &ban));
        assert!(platform_allows(Some("user,admin"), &ban));
        assert!(!platform_allows(Some("user"), &ban));
        assert!(!platform_allows(None, &ban));
        assert!(!platform_allows(Some("admin"), &ask(&[("user", &["fly"])])));
        assert!(!platform_allows(Some("admin"), &ask(&[("orders", &["read"])])));
    }
}
