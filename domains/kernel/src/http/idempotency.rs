//! `Idempotency-Key` for every POST that creates or changes something, one
//! implementation for all domains, through the `Cache` port.
//!
//! * Records are keyed by domain, organization and key, and live 24 hours.
//! * The first request with a key claims it atomically (set-if-absent) and,
//!   once its work succeeds, records the id of what it made or changed.
//! * A repeat with the same request gets that resource back
//!   ([`Keyed::Replay`]); a repeat with another request is 422; a repeat
//!   while the first still runs waits for it (up to 10 s, then 409).
//! * The request fingerprint is SHA-256 of the operation id and the body
//!   as canonical JSON (object keys sorted, no whitespace), so field order
//!   and formatting do not matter but every value does.
//! * A record that cannot be decoded is an error (500, logged), never a
//!   retry loop; a cache that is down fails keyed requests closed (503)
//!   rather than risk a duplicate.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use poem_openapi::types::ToJSON;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::DomainError;
use crate::ids::OrganizationId;
use crate::ports::cache::Cache;

/// How long a key is remembered: 24 hours.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// Longest accepted key, in bytes.
pub const MAX_KEY_LEN: usize = 255;
/// How long a repeat waits for the first request to finish.
const WAIT: Duration = Duration::from_secs(10);
/// Pause between two looks at a record still in progress.
const POLL: Duration = Duration::from_millis(50);

/// The optional `Idempotency-Key` header (1-255 visible ASCII characters;
/// 422 otherwise). Declare it as
/// `#[oai(name = "Idempotency-Key")] key: IdempotencyKey`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl IdempotencyKey {
    /// Checks a header value; an empty one is refused like any other
    /// malformed key (the document says 1-255 characters).
    pub fn parse(value: &str) -> Result<Self, DomainError> {
        if value.is_empty() || value.len() > MAX_KEY_LEN || !value.bytes().all(|b| b.is_ascii_graphic() || b == b' ') {
            return Err(DomainError::invalid(
                "Idempotency-Key",
                format!("1-{MAX_KEY_LEN} visible ASCII characters (a UUID is a good key)"),
            ));
        }
        Ok(Self(Some(value.to_owned())))
    }
}

impl super::HeaderParam for IdempotencyKey {
    const REQUIRED: bool = false;

    fn schema() -> poem_openapi::registry::MetaSchema {
        poem_openapi::registry::MetaSchema {
            description: Some(
                "A key of your choosing (a UUID is a good one) that makes this request safe to repeat: for 24 hours \
                 a repeat with the same body answers what the first request made, a repeat with another body is \
                 422, and a repeat while the first still runs waits for it (409 after 10 s). Scoped to the \
                 domain and organization.",
            ),
            min_length: Some(1),
            max_length: Some(MAX_KEY_LEN),
            pattern: Some("^[\\x20-\\x7E]+$".into()),
            ..poem_openapi::registry::MetaSchema::new("string")
        }
    }

    fn from_header(_name: &str, value: Option<&str>) -> Result<Self, DomainError> {
        value.map_or(Ok(Self(None)), Self::parse)
    }
}

super::header_param!(IdempotencyKey);

/// What a keyed request comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keyed<T> {
    /// The work ran now (with or without a key).
    Fresh(T),
    /// An earlier request with this key made the resource with this id:
    /// answer it as that request was answered.
    Replay(String),
}

impl<T> Keyed<T> {
    /// The resource the request comes to: the fresh one, or for a replay
    /// the one `read` finds by the recorded id. A resource deleted since
    /// the first request is a 409 naming it (a key means "this request",
    /// and that request's resource is gone), never a 404 the operation
    /// does not otherwise give.
    pub async fn resolve<F, Fut>(self, entity: &str, read: F) -> Result<T, DomainError>
    where
        F: FnOnce(String) -> Fut,
        Fut: Future<Output = Result<T, DomainError>>,
    {
        match self {
            Keyed::Fresh(resource) => Ok(resource),
            Keyed::Replay(id) => read(id.clone()).await.map_err(|e| match e {
                DomainError::NotFound { .. } => DomainError::Conflict {
                    detail: format!(
                        "this Idempotency-Key was used for {entity} {id}, which has since been deleted; \
                         use a new key to make another"
                    ),
                },
                other => other,
            }),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    fingerprint: String,
    resource_id: Option<String>,
}

/// Idempotency records of one deployment.
#[derive(Clone)]
pub struct Idempotency {
    cache: Arc<dyn Cache>,
    key_prefix: String,
}

/// What a keyed operation makes or changes, as a replay finds it again.
pub trait Resource {
    /// What it is called in messages (`invoice`).
    const KIND: &'static str;

    /// Its id, recorded with the key.
    fn resource_id(&self) -> String;
}

/// Which operation a keyed request is, for the record's key and fingerprint.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    /// The domain (`orders`).
    pub domain: &'a str,
    /// The operation id (`orders.create`).
    pub operation_id: &'a str,
    /// The caller's organization.
    pub organization: &'a OrganizationId,
}

fn unavailable(e: impl std::fmt::Display) -> DomainError {
    DomainError::Unavailable { detail: format!("idempotency records cannot be read ({e}); retry later") }
}

impl Idempotency {
    /// Records kept in `cache` under `key_prefix` (`cache.key_prefix`).
    pub fn new(cache: Arc<dyn Cache>, key_prefix: impl Into<String>) -> Self {
        Self { cache, key_prefix: key_prefix.into() }
    }

    /// Runs `work` at most once per key: without a key it simply runs;
    /// with one, see the module documentation. `id_of` names what the work
    /// made, for replays.
    pub async fn once<T, F, Fut>(
        &self,
        operation: Operation<'_>,
        key: &IdempotencyKey,
        request: &impl ToJSON,
        work: F,
        id_of: impl FnOnce(&T) -> String,
    ) -> Result<Keyed<T>, DomainError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, DomainError>>,
    {
        let Some(key) = key.0.as_deref() else { return work().await.map(Keyed::Fresh) };
        let cache_key = self.cache_key(&operation, key);
        let fingerprint = fingerprint(operation.operation_id, request.to_json().as_ref());
        if let Some(resource_id) = self.claim(&cache_key, &fingerprint).await? {
            return Ok(Keyed::Replay(resource_id));
        }
        match work().await {
            Ok(done) => {
                self.finish(&cache_key, &fingerprint, id_of(&done)).await;
                Ok(Keyed::Fresh(done))
            }
            Err(e) => {
                // Released, so the client may retry the same key.
                let _ = self.cache.delete(&cache_key).await;
                Err(e)
            }
        }
    }

    /// [`once`](Self::once) then [`Keyed::resolve`] for a [`Resource`]:
    /// runs `work` at most once per key and answers a replay with the
    /// resource as it is now, read by `read` from the recorded id. What
    /// every keyed create or change endpoint does.
    pub async fn run<T, Fut, R, RFut>(
        &self,
        operation: Operation<'_>,
        key: &IdempotencyKey,
        request: &impl ToJSON,
        work: Fut,
        read: R,
    ) -> Result<T, DomainError>
    where
        T: Resource,
        Fut: Future<Output = Result<T, DomainError>>,
        R: FnOnce(String) -> RFut,
        RFut: Future<Output = Result<T, DomainError>>,
    {
        let keyed = self.once(operation, key, request, || work, Resource::resource_id).await?;
        keyed.resolve(T::KIND, read).await
    }

    fn cache_key(&self, operation: &Operation<'_>, key: &str) -> String {
        format!(
            "{}idempotency:{}:{}:{}",
            self.key_prefix,
            operation.domain,
            operation.organization.as_str(),
            hex::encode(Sha256::digest(key.as_bytes()))
        )
    }

    /// Claims the key (`None`) or finds the resource it already made.
    async fn claim(&self, cache_key: &str, fingerprint: &str) -> Result<Option<String>, DomainError> {
        let pending = serde_json::to_vec(&Record { fingerprint: fingerprint.to_owned(), resource_id: None })
            .map_err(|e| DomainError::Backend(e.into()))?;
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if self.cache.set_if_absent(cache_key, &pending, KEY_TTL).await.map_err(unavailable)? {
                return Ok(None);
            }
            // Absent again means the first request failed and released it.
            if let Some(bytes) = self.cache.get(cache_key).await.map_err(unavailable)? {
                let record: Record = serde_json::from_slice(&bytes).map_err(|e| {
                    DomainError::Backend(anyhow::Error::new(e).context(format!(
                        "the idempotency record under {cache_key} cannot be decoded; delete it or wait 24 h"
                    )))
                })?;
                if record.fingerprint != fingerprint {
                    return Err(DomainError::invalid(
                        "Idempotency-Key",
                        "this key was already used with a different request; use a new key",
                    ));
                }
                if let Some(resource_id) = record.resource_id {
                    return Ok(Some(resource_id));
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(DomainError::Conflict {
                    detail: "a request with this Idempotency-Key is still being processed; retry later".into(),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn finish(&self, cache_key: &str, fingerprint: &str, resource_id: String) {
        let record = Record { fingerprint: fingerprint.to_owned(), resource_id: Some(resource_id) };
        if let Ok(bytes) = serde_json::to_vec(&record)
            && let Err(e) = self.cache.set(cache_key, &bytes, KEY_TTL).await
        {
            tracing::warn!(error = %e, "could not record an idempotency key; a retry waits 10 s, then gets 409");
        }
    }
}

/// SHA-256 (hex) of the operation id and the canonical JSON of the body.
pub fn fingerprint(operation_id: &str, body: Option<&serde_json::Value>) -> String {
    let mut canonical = String::new();
    if let Some(body) = body {
        write_canonical(body, &mut canonical);
    }
    let mut hash = Sha256::new();
    hash.update(operation_id.as_bytes());
    hash.update([0]);
    hash.update(canonical.as_bytes());
    hex::encode(hash.finalize())
}

/// Writes `value` as JSON with object keys sorted and no whitespace.
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fingerprints_ignore_key_order_and_whitespace_but_not_values() {
        let a = json!({"currency": "EUR", "lines": [{"sku": "A", "quantity": "1"}], "notes": null});
        let b: serde_json::Value =
            serde_json::from_str(r#"{ "notes": null, "lines": [ {"quantity": "1", "sku": "A"} ], "currency": "EUR" }"#)
                .unwrap();
        assert_eq!(fingerprint("orders.create", Some(&a)), fingerprint("orders.create", Some(&b)));
        let c = json!({"currency": "EUR", "lines": [{"sku": "A", "quantity": "2"}], "notes": null});
        assert_ne!(fingerprint("orders.create", Some(&a)), fingerprint("orders.create", Some(&c)));
        assert_ne!(fingerprint("orders.create", Some(&a)), fingerprint("invoices.create", Some(&a)));
    }

    #[test]
    fn canonical_json_sorts_nested_keys() {
        let mut out = String::new();
        write_canonical(&json!({"b": {"d": 1, "c": [true, "x"]}, "a": null}), &mut out);
        assert_eq!(out, r#"{"a":null,"b":{"c":[true,"x"],"d":1}}"#);
    }

    #[test]
    fn keys_are_checked() {
        assert_eq!(IdempotencyKey::parse("").unwrap_err().status(), 422, "an empty key is malformed, not absent");
        assert_eq!(IdempotencyKey::parse("k-1").unwrap(), IdempotencyKey(Some("k-1".into())));
        assert_eq!(IdempotencyKey::parse(&"k".repeat(256)).unwrap_err().status(), 422);
        assert_eq!(IdempotencyKey::parse("caf\u{e9}").unwrap_err().status(), 422);
    }
}
