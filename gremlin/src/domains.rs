//! Which domains this binary contains (Cargo features), which of them a
//! process serves (`--domains` / `server.domains`), and how each is wired
//! to its adapters.

use anyhow::bail;
use gremlin_config::Settings;
use gremlin_migrations::MigrationSet;

use crate::consumers::Consumer;
use crate::http::ops::OpsApi;
use crate::infra::Adapters;
use crate::openapi::{Apis, DomainApis};
use crate::registry::DOMAINS;

#[cfg(feature = "identity")]
pub mod identity;
#[cfg(feature = "verifier")]
pub mod verifier;

/// The name identity is selected by.
pub const IDENTITY: &str = "identity";

/// Domains compiled into this binary: identity (when compiled in), then
/// the business domains of the registry.
pub fn compiled() -> Vec<&'static str> {
    let identity = cfg!(feature = "identity").then_some(IDENTITY);
    identity.into_iter().chain(DOMAINS.iter().map(|d| d.name)).collect()
}

/// The domains to serve: all compiled ones when `requested` is empty.
/// Fails, naming the compiled ones, when a requested domain is not compiled in.
pub fn select(requested: &[String]) -> anyhow::Result<Vec<&'static str>> {
    let compiled = compiled();
    if requested.is_empty() {
        return Ok(compiled);
    }
    let mut chosen = Vec::new();
    for name in requested {
        let name = name.trim();
        match compiled.iter().find(|c| **c == name) {
            Some(domain) if !chosen.contains(domain) => chosen.push(*domain),
            Some(_) => {}
            None => bail!(
                "server.domains: `{name}` is not compiled into this binary; available: {}",
                if compiled.is_empty() { "none".to_owned() } else { compiled.join(", ") }
            ),
        }
    }
    Ok(chosen)
}

/// The migration sets a process serving `selected` applies, in order: the
/// kernel's, identity's, then each selected business domain's.
pub fn migration_sets(selected: &[&str]) -> Vec<MigrationSet> {
    let mut sets = vec![gremlin_migrations::KERNEL];
    #[cfg(feature = "identity")]
    if selected.contains(&IDENTITY) {
        sets.push(gremlin_migrations::IDENTITY);
    }
    sets.extend(
        DOMAINS
            .iter()
            .filter(|d| selected.contains(&d.name))
            .map(|d| MigrationSet { name: d.name, migrations: d.migrations }),
    );
    sets
}

/// Every migration set compiled into this binary.
pub fn all_migration_sets() -> Vec<MigrationSet> {
    migration_sets(&compiled())
}

/// Whether a process serving `selected` is one service of a split
/// deployment: it serves a business domain without identity, or identity
/// without a business domain compiled in beside it. Such a process shares
/// state with others, so it needs PostgreSQL and NATS.
pub fn is_split(selected: &[&str]) -> bool {
    !selected.contains(&IDENTITY) || compiled().iter().any(|d| !selected.contains(d))
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
    /// How business endpoints resolve their caller (request data); `None`
    /// without the verifier.
    pub callers: Option<gremlin_kernel::http::CallerContext>,
    /// The caller verifier business domains use.
    #[cfg(feature = "verifier")]
    pub verifier: std::sync::Arc<gremlin_identity::verifier::Verifier>,
}

/// The ports a business domain is wired to; `members` answers who belongs
/// to which organization (the caller verifier).
pub fn domain_ports(
    settings: &Settings,
    adapters: &Adapters,
    members: std::sync::Arc<dyn gremlin_kernel::MemberDirectory>,
) -> gremlin_kernel::DomainPorts {
    gremlin_kernel::DomainPorts {
        db: adapters.db.clone(),
        cache: adapters.cache.clone(),
        documents: adapters.documents.clone(),
        idempotency: gremlin_kernel::http::Idempotency::new(adapters.cache.clone(), settings.cache.key_prefix.clone()),
        members,
    }
}

/// Wires the `selected` domains to `adapters`.
pub fn wire(settings: &Settings, adapters: &Adapters, selected: &[&str]) -> anyhow::Result<Wired> {
    #[cfg(feature = "verifier")]
    {
        let mut registry = gremlin_identity::verifier::PermissionRegistry::new();
        for grant in DOMAINS.iter().flat_map(|d| d.permissions) {
            registry.register(&grant.permission, grant.roles);
        }
        let verifier = verifier::build(settings, adapters, registry)?;
        #[cfg(feature = "identity")]
        let identity_api =
            selected.contains(&IDENTITY).then(|| identity::api(settings, adapters, verifier.clone())).transpose()?;
        let mut consumers = vec![verifier::cache_consumer(verifier.clone())];
        let ports = domain_ports(settings, adapters, verifier.clone());
        let mut domain_apis = Vec::new();
        for domain in DOMAINS.iter().filter(|d| selected.contains(&d.name)) {
            let wiring = (domain.wire)(&ports).map_err(|e| e.context(format!("wiring the {} domain", domain.name)))?;
            domain_apis.push(wiring.api);
            consumers.extend(wiring.consumers);
        }
        // The cookie identity sets, `__Secure-` prefix included over https.
        let session_cookie = verifier::identity_settings(settings)?.session_cookie();
        let callers = Some(gremlin_kernel::http::CallerContext { resolver: verifier.clone(), session_cookie });
        Ok(Wired {
            apis: (
                OpsApi,
                #[cfg(feature = "identity")]
                crate::openapi::Optional(identity_api),
                #[cfg(not(feature = "identity"))]
                (),
                DomainApis(domain_apis),
            ),
            consumers,
            callers,
            verifier,
        })
    }
    #[cfg(not(feature = "verifier"))]
    {
        let _ = (settings, adapters, selected);
        Ok(Wired { apis: (OpsApi, (), DomainApis::default()), consumers: Vec::new(), callers: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_selection_means_all_compiled() {
        assert_eq!(select(&[]).unwrap(), compiled());
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
        assert!(!is_split(&compiled()));
        // Any other compiled domain (the toy one in test builds) left out splits.
        assert_eq!(is_split(&["identity", "orders"]), compiled().len() > 2);
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
        check_split(&Settings::default(), &compiled()).unwrap();
    }
}
