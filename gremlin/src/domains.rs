//! Which domains this binary contains (Cargo features), which of them a
//! process serves (`--domains` / `server.domains`), and how each is wired
//! to its adapters.

use anyhow::bail;
use gremlin_config::Settings;

use crate::consumers::Consumer;
use crate::http::ops::OpsApi;
use crate::infra::Adapters;
use crate::openapi::Apis;

#[cfg(feature = "identity")]
pub mod identity;
#[cfg(feature = "orders")]
pub mod orders;
#[cfg(feature = "verifier")]
pub mod verifier;

/// Domains compiled into this binary.
pub const COMPILED: &[&str] = &[
    #[cfg(feature = "identity")]
    "identity",
    #[cfg(feature = "orders")]
    "orders",
];

/// The domains to serve: all compiled ones when `requested` is empty.
/// Fails, naming the compiled ones, when a requested domain is not compiled in.
pub fn select(requested: &[String]) -> anyhow::Result<Vec<&'static str>> {
    if requested.is_empty() {
        return Ok(COMPILED.to_vec());
    }
    let mut chosen = Vec::new();
    for name in requested {
        let name = name.trim();
        match COMPILED.iter().find(|c| **c == name) {
            Some(domain) if !chosen.contains(domain) => chosen.push(*domain),
            Some(_) => {}
            None => bail!(
                "server.domains: `{name}` is not compiled into this binary; available: {}",
                if COMPILED.is_empty() { "none".to_owned() } else { COMPILED.join(", ") }
            ),
        }
    }
    Ok(chosen)
}

/// Whether a process serving `selected` is one service of a split
/// deployment: it serves a business domain without identity, or identity
/// without a business domain compiled in beside it. Such a process shares
/// state with others, so it needs PostgreSQL and NATS.
pub fn is_split(selected: &[&str]) -> bool {
    !selected.contains(&"identity") || COMPILED.iter().any(|d| !selected.contains(d))
}

/// Refuses a split service (see [`is_split`]) on embedded adapters, saying
/// why: its events must reach the other services and its identity data is
/// another process's.
pub fn check_split(settings: &Settings, selected: &[&str]) -> anyhow::Result<()> {
    if !is_split(selected) {
        return Ok(());
    }
    let shown = selected.join(", ");
    if !settings.database.is_postgres() {
        bail!(
            "this process serves only {shown} (a split deployment), so it shares identity's tables with the other \
             services: set database.url to the shared PostgreSQL (postgres://…); SQLite is for a single process"
        );
    }
    if settings.events.url.scheme() == "memory" {
        bail!(
            "this process serves only {shown} (a split deployment), so its events must reach the other services: \
             set events.url to the shared NATS JetStream (nats://HOST:4222); the memory bus is for a single process"
        );
    }
    Ok(())
}

/// What the selected domains add to a process: their APIs, the event
/// consumers to run, and (with any domain compiled in) the verifier.
pub struct Wired {
    /// The APIs to route.
    pub apis: Apis,
    /// Consumers to run beside the server.
    pub consumers: Vec<Consumer>,
    /// The caller verifier business domains use.
    #[cfg(feature = "verifier")]
    pub verifier: std::sync::Arc<gremlin_identity::verifier::Verifier>,
}

/// Wires the `selected` domains to `adapters`.
pub fn wire(settings: &Settings, adapters: &Adapters, selected: &[&str]) -> anyhow::Result<Wired> {
    #[cfg(feature = "verifier")]
    {
        #[allow(unused_mut, reason = "domains compiled in add their permissions")]
        let mut registry = gremlin_identity::verifier::PermissionRegistry::new();
        #[cfg(feature = "orders")]
        for (permission, roles) in gremlin_orders::service::PERMISSIONS {
            registry.register(permission, roles)?;
        }
        let verifier = verifier::build(settings, adapters, registry)?;
        #[cfg(feature = "identity")]
        let identity_api =
            selected.contains(&"identity").then(|| identity::api(settings, adapters, verifier.clone())).transpose()?;
        let invalidation = verifier.clone();
        let handler: crate::consumers::Handler = std::sync::Arc::new(move |event| {
            let verifier = invalidation.clone();
            Box::pin(async move {
                verifier.handle_event(&event).await;
                Ok(())
            })
        });
        // Every process keeps its own cache, so each needs every event:
        // the durable name is unique to the process.
        let mut spec = gremlin_kernel::SubscriptionSpec::new(
            format!("verifier-cache-{}", uuid::Uuid::now_v7().simple()),
            &["identity.>"],
        );
        // The bus forgets it some time after the process is gone.
        spec.expire_when_idle = Some(std::time::Duration::from_secs(600));
        #[allow(unused_mut, reason = "business domains add their consumers")]
        let mut consumers = vec![Consumer { spec, handler }];
        #[cfg(feature = "orders")]
        let orders_api = if selected.contains(&"orders") {
            let (api, consumer) = orders::wire(settings, adapters, verifier.clone());
            consumers.push(consumer);
            Some(api)
        } else {
            None
        };
        Ok(Wired {
            apis: (
                OpsApi,
                #[cfg(feature = "identity")]
                crate::openapi::Optional(identity_api),
                #[cfg(not(feature = "identity"))]
                (),
                #[cfg(feature = "orders")]
                crate::openapi::Optional(orders_api),
                #[cfg(not(feature = "orders"))]
                (),
            ),
            consumers,
            verifier,
        })
    }
    #[cfg(not(feature = "verifier"))]
    {
        let _ = (settings, adapters, selected);
        Ok(Wired { apis: (OpsApi, (), ()), consumers: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_selection_means_all_compiled() {
        assert_eq!(select(&[]).unwrap(), COMPILED);
    }

    #[test]
    fn unknown_domain_is_refused_with_the_available_ones() {
        let err = select(&["payroll".into()]).unwrap_err().to_string();
        assert!(err.contains("payroll") && err.contains("available"), "{err}");
    }

    #[cfg(feature = "identity")]
    #[test]
    fn duplicates_collapse() {
        assert_eq!(select(&["identity".into(), " identity".into()]).unwrap(), ["identity"]);
    }

    #[cfg(feature = "full")]
    #[test]
    fn a_process_is_split_unless_it_serves_identity_and_every_compiled_domain() {
        assert!(!is_split(&["identity", "orders"]));
        assert!(is_split(&["orders"]));
        assert!(is_split(&["identity"]));
    }

    #[cfg(feature = "full")]
    #[test]
    fn a_split_service_needs_postgres_and_nats() {
        let mut settings = Settings::default();
        let err = check_split(&settings, &["orders"]).unwrap_err().to_string();
        assert!(err.contains("database.url") && err.contains("PostgreSQL"), "{err}");
        settings.database.url = Some(gremlin_config::ServiceUrl::new("postgres://db/gremlin"));
        let err = check_split(&settings, &["orders"]).unwrap_err().to_string();
        assert!(err.contains("events.url") && err.contains("NATS"), "{err}");
        settings.events.url = gremlin_config::ServiceUrl::new("nats://127.0.0.1:4222");
        check_split(&settings, &["orders"]).unwrap();
        check_split(&Settings::default(), &["identity", "orders"]).unwrap();
    }
}
