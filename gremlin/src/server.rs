//! Running an [`App`]: bind, serve until the shutdown future resolves, let
//! in-flight requests finish within the grace period, then flush the outbox
//! relay and close the pool.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::App;

pub mod connections;

/// Binds `addr` (port 0 picks a free port) and returns the listener with
/// the address actually bound. Fails when the address is taken.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr} (server.bind / --bind); is another process using it?"))?;
    let local = listener.local_addr().unwrap_or(addr);
    Ok((listener, local))
}

/// Serves `app` on `server.bind` until `shutdown` resolves.
///
/// Fails when the address cannot be bound or the server stops with an I/O
/// error.
pub async fn run(app: App, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let (acceptor, _) = bind(app.settings.server.bind).await?;
    serve(app, acceptor, shutdown).await
}

/// Serves `app` on an already bound listener until `shutdown` resolves,
/// holding every connection to the `[server]` limits
/// ([`connections::ConnectionLimits`]).
///
/// Returns once connections, consumers and the relay have stopped; I/O
/// errors on single connections are logged and end only that connection.
pub async fn serve(
    app: App,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let shown = listener.local_addr().map_or_else(|_| "?".to_owned(), |a| a.to_string());
    tracing::info!(domains = ?app.domains, "gremlin listening on http://{shown}");

    let upkeep = crate::http::metrics::keep_up();
    let (stop_relay, relay_stopped) = tokio::sync::oneshot::channel::<()>();
    let relay = tokio::spawn(app.relay.clone().run(async move {
        let _ = relay_stopped.await;
    }));
    let (stop_consumers, consumers_stopped) = tokio::sync::watch::channel(false);
    let consumers: Vec<_> = app
        .consumers
        .iter()
        .cloned()
        .map(|consumer| {
            let mut stopped = consumers_stopped.clone();
            let bus = app.adapters.events.clone();
            tokio::spawn(crate::consumers::run(bus, consumer, async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }))
        })
        .collect();

    let grace = Duration::from_secs(app.settings.server.shutdown_grace_secs);
    let limits = connections::ConnectionLimits::from_settings(&app.settings.server);
    let (stop_http, http_stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop_http.send(true);
    });
    connections::serve(listener, app.endpoint, limits, http_stopped, grace).await;
    tracing::info!("http server stopped; flushing the outbox");
    upkeep.abort();
    let _ = stop_consumers.send(true);
    for consumer in consumers {
        let _ = consumer.await;
    }
    let _ = stop_relay.send(());
    if let Err(e) = relay.await {
        tracing::error!(error = %e, "outbox relay task failed");
    }
    if let Err(e) = app.adapters.db.close_by_ref().await {
        tracing::warn!(error = %e, "closing the database pool");
    }
    Ok(())
}
