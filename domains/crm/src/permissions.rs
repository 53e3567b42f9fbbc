//! The permissions CRM defines. Use cases name these constants, never
//! strings, and [`GRANTS`] registers every one of them.

use gremlin_kernel::{Grant, Permission};

/// Read companies, people, deals, pipelines and timelines; search.
pub const READ: Permission = Permission::declare("crm:read");
/// Create, change, delete and restore companies, people and deals; notes
/// and tasks.
pub const WRITE: Permission = Permission::declare("crm:write");
/// Pipelines and stages, merges, the CRM settings.
pub const MANAGE: Permission = Permission::declare("crm:manage");

/// Every CRM permission with the roles holding it by default: members read
/// and write, admins and owners also manage.
pub const GRANTS: &[Grant] = &[
    Grant { permission: READ, roles: &["owner", "admin", "member"] },
    Grant { permission: WRITE, roles: &["owner", "admin", "member"] },
    Grant { permission: MANAGE, roles: &["owner", "admin"] },
];
