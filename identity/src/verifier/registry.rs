//! The permission registry: each domain declares its permissions and which
//! organization roles hold them by default (`orders:read` → owner, admin,
//! member). Organizations may override a role's set; overrides may only
//! name registered permissions.

use std::collections::{BTreeMap, BTreeSet};

use gremlin_kernel::Permission;

/// Permissions and their default roles.
#[derive(Debug, Clone, Default)]
pub struct PermissionRegistry {
    defaults: BTreeMap<Permission, BTreeSet<String>>,
}

/// Per-organization replacements of a role's permission set, as stored in
/// the `role_permissions` document of the organization.
pub type RoleOverrides = BTreeMap<String, Vec<String>>;

impl PermissionRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares `permission`, held by default by `roles`.
    pub fn register(&mut self, permission: &Permission, roles: &[&str]) {
        self.defaults.entry(permission.clone()).or_default().extend(roles.iter().map(|r| (*r).to_owned()));
    }

    /// Every registered permission.
    pub fn permissions(&self) -> impl Iterator<Item = &Permission> {
        self.defaults.keys()
    }

    /// The registered permissions among `names` (`orders:read`): what an
    /// API key holding them may do.
    pub fn known<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> BTreeSet<Permission> {
        names.into_iter().filter_map(|n| Permission::parse(n).ok()).filter(|p| self.defaults.contains_key(p)).collect()
    }

    /// What `roles` (a stored, comma-joined value) grant, with the
    /// organization's overrides replacing the defaults of the roles they
    /// name. Unregistered permissions in overrides are ignored.
    pub fn grants(&self, roles: &str, overrides: Option<&RoleOverrides>) -> BTreeSet<Permission> {
        let mut granted = BTreeSet::new();
        for role in roles.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            match overrides.and_then(|o| o.get(role)) {
                Some(custom) => granted.extend(
                    custom.iter().filter_map(|p| Permission::parse(p).ok()).filter(|p| self.defaults.contains_key(p)),
                ),
                None => granted
                    .extend(self.defaults.iter().filter(|(_, holders)| holders.contains(role)).map(|(p, _)| p.clone())),
            }
        }
        granted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> PermissionRegistry {
        let mut r = PermissionRegistry::new();
        r.register(&Permission::declare("orders:read"), &["owner", "admin", "member"]);
        r.register(&Permission::declare("orders:write"), &["owner", "admin", "member"]);
        r.register(&Permission::declare("orders:manage"), &["owner", "admin"]);
        r
    }

    fn names(set: BTreeSet<Permission>) -> Vec<String> {
        set.into_iter().map(String::from).collect()
    }

    #[test]
    fn defaults_follow_roles_and_combine() {
        let r = registry();
        assert_eq!(names(r.grants("member", None)), ["orders:read", "orders:write"]);
        assert_eq!(names(r.grants("admin", None)), ["orders:manage", "orders:read", "orders:write"]);
        assert_eq!(names(r.grants("member,admin", None)), ["orders:manage", "orders:read", "orders:write"]);
        assert!(r.grants("stranger", None).is_empty());
    }

    #[test]
    fn overrides_replace_a_roles_set_with_registered_permissions_only() {
        let r = registry();
        let mut overrides = RoleOverrides::new();
        overrides.insert("member".into(), vec!["orders:read".into(), "payroll:everything".into()]);
        assert_eq!(names(r.grants("member", Some(&overrides))), ["orders:read"]);
        assert_eq!(names(r.grants("admin", Some(&overrides))), ["orders:manage", "orders:read", "orders:write"]);
    }
}
