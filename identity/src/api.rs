//! Identity's HTTP API under `/api/auth`, following Better Auth's paths,
//! payloads, cookies and headers. Errors are problem+json that also carry
//! Better Auth's `code` and `message`, so its client keeps working.

mod account;
pub mod admin;
mod api_keys;
mod context;
mod deletion;
mod dto;
mod endpoints;
mod examples;
mod organization_dto;
mod organizations;
mod problem;
mod roles;
mod statuses;
mod timestamp;
mod two_factor;

pub use account::AccountApi;
pub use api_keys::ApiKeyApi;
pub use deletion::AccountDeletionApi;
pub use endpoints::IdentityApi;
pub use organizations::OrganizationApi;
pub use problem::{AuthProblem, AuthProblemResponse};
pub use roles::RoleApi;
pub use statuses::{AuthApis, prune_auth_responses};
pub use two_factor::TwoFactorApi;
