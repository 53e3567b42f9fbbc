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

/// What the selected domains add to a process: their APIs, the event
/// consumers to run, and (with identity compiled in) the verifier.
pub struct Wired {
    /// The APIs to route.
    pub apis: Apis,
    /// Consumers to run beside the server.
    pub consumers: Vec<Consumer>,
    /// The caller verifier business domains use.
    #[cfg(feature = "identity")]
    pub verifier: std::sync::Arc<gremlin_identity::verifier::Verifier>,
}

/// Wires the `selected` domains to `adapters`.
pub fn wire(settings: &Settings, adapters: &Adapters, selected: &[&str]) -> anyhow::Result<Wired> {
    #[cfg(feature = "identity")]
    {
        #[allow(unused_mut, reason = "domains compiled in add their permissions")]
        let mut registry = gremlin_identity::verifier::PermissionRegistry::new();
        #[cfg(feature = "orders")]
        for (permission, roles) in gremlin_orders::service::PERMISSIONS {
            registry.register(permission, roles)?;
        }
        let verifier = identity::verifier(settings, adapters, registry)?;
        let api =
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
                crate::openapi::Optional(api),
                #[cfg(feature = "orders")]
                crate::openapi::Optional(orders_api),
                #[cfg(not(feature = "orders"))]
                (),
            ),
            consumers,
            verifier,
        })
    }
    #[cfg(not(feature = "identity"))]
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
}
