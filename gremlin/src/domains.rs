//! Which domains this binary contains (Cargo features), which of them a
//! process serves (`--domains` / `server.domains`), and how each is wired
//! to its adapters.

use anyhow::bail;
use gremlin_config::Settings;

use crate::http::ops::OpsApi;
use crate::infra::Adapters;
use crate::openapi::{Apis, IdentityApis};

#[cfg(feature = "identity")]
mod identity;

/// Domains compiled into this binary.
pub const COMPILED: &[&str] = &[
    #[cfg(feature = "identity")]
    "identity",
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

/// The APIs to route for the `selected` domains, wired to `adapters`.
pub fn apis(settings: &Settings, adapters: &Adapters, selected: &[&str]) -> anyhow::Result<Apis> {
    Ok((OpsApi, identity_api(settings, adapters, selected)?))
}

#[cfg(feature = "identity")]
fn identity_api(settings: &Settings, adapters: &Adapters, selected: &[&str]) -> anyhow::Result<IdentityApis> {
    let api = selected.contains(&"identity").then(|| identity::api(settings, adapters)).transpose()?;
    Ok(crate::openapi::Optional(api))
}

#[cfg(not(feature = "identity"))]
fn identity_api(_: &Settings, _: &Adapters, _: &[&str]) -> anyhow::Result<IdentityApis> {
    Ok(())
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
