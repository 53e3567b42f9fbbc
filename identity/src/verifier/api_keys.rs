//! The verifier's API key path: a key sent as `x-api-key` or as
//! `Authorization: Bearer grm_…` acts in its organization with the
//! permissions it was given. Read from the database on every request, so
//! a deleted or disabled key is refused at once; its own rate limit is
//! counted in the cache; its use is written (and logged) at most once a
//! minute.

use std::time::Duration;

use gremlin_kernel::{CallerCredentials, DomainError, OrganizationId, Principal, UserId};
use time::OffsetDateTime;

use super::{Verifier, backend, unauthenticated};
use crate::audit::{LogKind, LogRecord};
use crate::crypto::api_key as secret;
use crate::model::api_key::Refusal;

/// The role a key's principal carries.
pub const API_KEY_ROLE: &str = "api_key";

/// The API key among `credentials`, if one is sent.
pub(super) fn presented(credentials: &CallerCredentials) -> Option<String> {
    if let Some(key) = credentials.api_key.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        return Some(key.to_owned());
    }
    let (scheme, value) = credentials.authorization.as_deref()?.split_once(' ')?;
    let value = value.trim();
    (scheme.eq_ignore_ascii_case("bearer") && secret::looks_like_key(value)).then(|| value.to_owned())
}

impl Verifier {
    /// The principal of an API key: 401 when unknown, deleted, disabled or
    /// expired; 403 when it names another organization than its own; 429
    /// beyond its rate limit.
    pub(super) async fn key_principal(
        &self,
        key: &str,
        credentials: &CallerCredentials,
    ) -> Result<Principal, DomainError> {
        let found = self.reader.api_key_by_hash(&secret::hash(key)).await.map_err(backend)?;
        let found = found.ok_or_else(|| unauthenticated("unknown or revoked API key"))?;
        let now = OffsetDateTime::now_utc();
        let organization = match found.usable(now) {
            Ok(organization) => organization.to_owned(),
            Err(Refusal::Disabled) => return Err(unauthenticated("the API key is disabled")),
            Err(Refusal::Expired) => return Err(unauthenticated("the API key has expired")),
            Err(Refusal::NoOrganization) => {
                return Err(DomainError::Forbidden { detail: "this API key belongs to no organization".into() });
            }
        };
        if credentials.organization.as_deref().is_some_and(|asked| !asked.is_empty() && asked != organization) {
            return Err(DomainError::Forbidden { detail: "an API key acts only in its own organization".into() });
        }
        if found.rate_limit_enabled {
            let window = Duration::from_millis(u64::from(found.rate_limit_window_ms));
            let counter_key = format!("{}apikey-rate:{}", self.settings.cache_prefix, found.id);
            match self.cache.increment(&counter_key, window).await {
                Ok(counter) if counter.count > u64::from(found.rate_limit_max) => {
                    return Err(DomainError::RateLimited { retry_after_secs: counter.resets_in.as_secs().max(1) });
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "API key rate limit not counted: the cache is unavailable"),
            }
        }
        if found.use_due(now) {
            self.reader.record_api_key_use(&found.id, now).await.map_err(backend)?;
            if let Some(log) = &self.log {
                let record = LogRecord {
                    user_id: Some(found.created_by.clone()),
                    organization_id: Some(organization.clone()),
                    reason: Some(found.label()),
                    outcome: Some("success"),
                    ..LogRecord::default()
                };
                log.record(LogKind::ApiKeyUsed, record).await;
            }
        }
        let names = found.permission_names();
        Ok(Principal {
            user_id: UserId::new(format!("apikey:{}", found.id)),
            organization_id: OrganizationId::new(organization),
            role: API_KEY_ROLE.to_owned(),
            permissions: self.registry.known(names.iter().map(String::as_str)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_comes_from_its_header_or_a_bearer_that_looks_like_one() {
        let key = secret::generate();
        let header = CallerCredentials { api_key: Some(key.clone()), ..CallerCredentials::default() };
        assert_eq!(presented(&header), Some(key.clone()));
        let bearer = CallerCredentials { authorization: Some(format!("Bearer {key}")), ..CallerCredentials::default() };
        assert_eq!(presented(&bearer), Some(key));
        let session = CallerCredentials {
            authorization: Some("Bearer abcdefghijklmnopqrstuvwxyz012345".into()),
            ..CallerCredentials::default()
        };
        assert_eq!(presented(&session), None);
        assert_eq!(presented(&CallerCredentials::default()), None);
    }
}
