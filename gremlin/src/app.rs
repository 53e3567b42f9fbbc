//! Building the application: settings → adapters → migrations → routes and
//! middleware. One builder for `main` and for tests.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use gremlin_config::{AuthSecretSource, Settings};
use gremlin_kernel::outbox::{OutboxRelay, RelaySettings};
use poem::endpoint::BoxEndpoint;
use poem::middleware::{CatchPanic, CookieJarManager, Cors};
use poem::{EndpointExt, IntoEndpoint, Response, Route};

use crate::http::rate_limit::RateLimiter;
use crate::http::{body_limit, body_schema, metrics, problem, request_id, timeout};
use crate::infra::Adapters;
use crate::{domains, openapi};

/// A built application: its HTTP endpoint and what runs beside it.
pub struct App {
    /// The whole HTTP application, middleware included.
    pub endpoint: BoxEndpoint<'static, Response>,
    /// The adapters it runs on.
    pub adapters: Adapters,
    /// The outbox relay to run beside the server.
    pub relay: OutboxRelay,
    /// The effective settings (auth secret resolved).
    pub settings: Settings,
    /// The domains this process serves.
    pub domains: Vec<&'static str>,
    /// Event consumers to run beside the server.
    pub consumers: Vec<crate::consumers::Consumer>,
    /// The caller verifier business domains use.
    #[cfg(feature = "verifier")]
    pub verifier: std::sync::Arc<gremlin_identity::verifier::Verifier>,
}

/// Builds an [`App`]; tests may mount extra endpoints through it.
pub struct AppBuilder {
    settings: Settings,
    extra: Vec<(String, BoxEndpoint<'static, Response>)>,
}

impl AppBuilder {
    /// A builder for `settings`.
    pub fn new(settings: Settings) -> Self {
        Self { settings, extra: Vec::new() }
    }

    /// Mounts `endpoint` under `path`, inside the same middleware as the API.
    pub fn mount(mut self, path: &str, endpoint: impl IntoEndpoint<Endpoint: 'static>) -> Self {
        self.extra.push((path.to_owned(), endpoint.into_endpoint().map_to_response().boxed()));
        self
    }

    /// Resolves the auth secret, opens the adapters, runs migrations when
    /// `database.auto_migrate` is on, and assembles routes and middleware.
    /// Fails when the secret is missing/short with PostgreSQL, an adapter
    /// cannot be built, a domain is unknown, or a migration fails.
    pub async fn build(self) -> anyhow::Result<App> {
        let mut settings = self.settings;
        // The metrics recorder first, so gauges registered while wiring
        // (password hashing) are not lost.
        metrics::handle();
        let domains = domains::select(&settings.server.domains)?;
        domains::check_split(&settings, &domains)?;
        match settings.ensure_auth_secret()? {
            AuthSecretSource::Generated(path) => tracing::warn!(
                path = %path.display(),
                "no auth secret configured: generated one and stored it; set GREMLIN_AUTH_SECRET for production"
            ),
            AuthSecretSource::Stored(path) => tracing::info!(path = %path.display(), "using the stored auth secret"),
            AuthSecretSource::Configured => {}
        }
        let adapters = Adapters::from_settings(&settings).await?;
        if domains::is_split(&domains) {
            adapters.db.ping().await.context(
                "a split service needs the shared PostgreSQL at start-up, and it does not answer (database.url)",
            )?;
        }
        if settings.database.auto_migrate {
            gremlin_migrations::up(&adapters.db, &domains::migration_sets(&domains))
                .await
                .context("running database migrations (check database.url, or set database.auto_migrate = false and run `gremlin migrate up`)")?;
        }
        let relay = OutboxRelay::new(
            adapters.db.clone(),
            adapters.events.clone(),
            RelaySettings {
                poll_interval: Duration::from_millis(settings.outbox.poll_interval_ms),
                batch_size: settings.outbox.batch_size,
                retention: Duration::from_secs(settings.outbox.retention_hours * 3600),
            },
        );
        let wired = domains::wire(&settings, &adapters, &domains)?;
        let endpoint = assemble(&settings, &adapters, wired.apis, wired.callers, self.extra)?;
        Ok(App {
            endpoint,
            adapters,
            relay,
            settings,
            domains,
            consumers: wired.consumers,
            #[cfg(feature = "verifier")]
            verifier: wired.verifier,
        })
    }
}

/// Builds the application for `settings`, as `gremlin serve` does.
pub async fn build_app(settings: Settings) -> anyhow::Result<App> {
    AppBuilder::new(settings).build().await
}

/// Routes wrapped in the middleware stack, outermost first: request id,
/// CORS, metrics and access log, problem+json, panic catcher, timeout,
/// body limit, rate limit, request body schemas.
fn assemble(
    settings: &Settings,
    adapters: &Adapters,
    apis: openapi::Apis,
    callers: Option<gremlin_kernel::http::CallerContext>,
    extra: Vec<(String, BoxEndpoint<'static, Response>)>,
) -> anyhow::Result<BoxEndpoint<'static, Response>> {
    // Install the metrics recorder before the first request records anything.
    metrics::handle();
    let api = openapi::api_service(apis);
    let (document, swagger) = openapi::served(&api, &settings.server.public_url);
    let schemas = Arc::new(body_schema::BodySchemas::from_document(&serde_json::from_str(&document)?)?);
    let swagger = poem::web::Html(swagger);
    let spec = poem::endpoint::make_sync(move |_| {
        poem::Response::builder().content_type("application/json").body(document.clone())
    });
    let mut route =
        Route::new().nest("/docs", poem::endpoint::make_sync(move |_| swagger.clone())).at("/openapi.json", spec);
    #[cfg(feature = "console")]
    {
        route = route.nest("/console", crate::console::endpoint());
    }
    for (path, endpoint) in extra {
        route = route.nest(path, endpoint);
    }
    let route = route.nest("/", api);
    // Business endpoints resolve their caller from this request data.
    let route = match callers {
        Some(callers) => route.data(callers).boxed(),
        None => route.boxed(),
    };
    let server = &settings.server;
    let limiter = RateLimiter {
        cache: adapters.cache.clone(),
        settings: settings.rate_limit.clone(),
        trusted_proxies: server.trusted_proxies.clone(),
        key_prefix: settings.cache.key_prefix.clone(),
    };
    let inner = route
        .data(adapters.clone())
        .around(body_schema::around(schemas))
        .around(limiter.around())
        .around(body_limit::around(server.body_limit_bytes))
        .around(timeout::around(Duration::from_secs(server.request_timeout_secs)))
        .with(CookieJarManager::new())
        .with(CatchPanic::new().with_handler(problem::panic_response))
        .around(problem::around)
        .around(metrics::around)
        .map_to_response()
        .boxed();
    let with_cors = match server.cors_allowed_origins.as_slice() {
        [] => inner,
        [any] if any == "*" => inner.with(Cors::new().expose_header(request_id::HEADER)).map_to_response().boxed(),
        origins => inner
            .with(
                Cors::new()
                    .allow_origins(origins.iter().map(String::as_str))
                    .allow_credentials(true)
                    .expose_header(request_id::HEADER),
            )
            .map_to_response()
            .boxed(),
    };
    Ok(with_cors.around(request_id::around).map_to_response().boxed())
}
