//! The HTTP accept loop with every connection bounded: how many are open
//! at once, how long a client may take to send a request's headers, and how
//! long a connection may sit with nothing happening.
//!
//! poem's own `Server` has none of these (hyper's header timeout needs a
//! timer poem does not give it), so 3 000 clients sending half a header
//! held 3 000 sockets for as long as they liked. This loop drives hyper
//! directly and hands each request to the poem endpoint unchanged.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use poem::endpoint::BoxEndpoint;
use poem::http::uri::Scheme;
use poem::{Endpoint, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

/// The limits every connection is held to (from `[server]`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once; more wait in the accept queue.
    pub max_connections: usize,
    /// Time to send a request's headers once the server waits for them.
    pub header_read_timeout: Duration,
    /// Time a connection may go with no bytes moving and no request being
    /// handled.
    pub idle_timeout: Duration,
}

impl ConnectionLimits {
    /// The limits in `[server]`.
    pub fn from_settings(server: &gremlin_config::ServerSettings) -> Self {
        Self {
            max_connections: server.max_connections,
            header_read_timeout: Duration::from_secs(server.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(server.keep_alive_timeout_secs),
        }
    }
}

/// Accepts connections on `listener` and serves `endpoint` on each until
/// `shutdown` flips to true; then stops accepting, asks every connection
/// to finish its current request, and returns once all are closed or
/// `grace` has passed (the rest are dropped).
pub async fn serve(
    listener: TcpListener,
    endpoint: BoxEndpoint<'static, Response>,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
    grace: Duration,
) {
    let endpoint: Arc<BoxEndpoint<'static, Response>> = Arc::new(endpoint);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let local = listener.local_addr().ok();
    loop {
        // A permit first: at the cap, new clients wait in the kernel's
        // accept queue and the open connections are not disturbed.
        let permit = tokio::select! {
            () = stopping(&mut shutdown) => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, remote) = tokio::select! {
            () = stopping(&mut shutdown) => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset while
                    // queued: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let endpoint = endpoint.clone();
        let shutdown = shutdown.clone();
        tokio::spawn(async move {
            let _open = OpenConnection::new();
            serve_connection(stream, local, remote, endpoint, limits, shutdown).await;
            drop(permit);
        });
    }
    drop(listener);
    // Every connection holds a permit: all of them back means all closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(grace, permits.acquire_many(all)).await.is_err() {
        tracing::warn!(grace_secs = grace.as_secs(), "connections still open after the shutdown grace; dropping them");
    }
}

/// Resolves once `shutdown` is true (or its sender is gone).
async fn stopping(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: drop it before returning.
    let _ = shutdown.wait_for(|stop| *stop).await.map(|_| ());
}

/// Counts a connection in `http_connections_open` for as long as it lives.
struct OpenConnection;

impl OpenConnection {
    fn new() -> Self {
        metrics::gauge!("http_connections_open").increment(1.0);
        Self
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        metrics::gauge!("http_connections_open").decrement(1.0);
    }
}

/// What the idle watchdog looks at: when bytes last moved, and how many
/// requests are being handled.
struct Activity {
    started: Instant,
    last_ms: AtomicU64,
    handling: AtomicUsize,
}

impl Activity {
    fn touch(&self) {
        self.last_ms.store(self.started.elapsed().as_millis() as u64, Ordering::Relaxed);
    }

    /// How long nothing has happened, or zero while a request is handled.
    fn idle_for(&self) -> Duration {
        if self.handling.load(Ordering::Relaxed) > 0 {
            return Duration::ZERO;
        }
        let now = self.started.elapsed().as_millis() as u64;
        Duration::from_millis(now.saturating_sub(self.last_ms.load(Ordering::Relaxed)))
    }
}

async fn serve_connection(
    stream: TcpStream,
    local: Option<SocketAddr>,
    remote: SocketAddr,
    endpoint: Arc<BoxEndpoint<'static, Response>>,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let activity =
        Arc::new(Activity { started: Instant::now(), last_ms: AtomicU64::new(0), handling: AtomicUsize::new(0) });
    let io = TokioIo::new(Watched { inner: stream, activity: activity.clone() });
    let local_addr = poem::web::LocalAddr(local.map_or(poem::Addr::Custom("tcp", "".into()), poem::Addr::SocketAddr));
    let remote_addr = poem::web::RemoteAddr(poem::Addr::SocketAddr(remote));
    let handling = activity.clone();
    let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
        let endpoint = endpoint.clone();
        let request = poem::Request::from((req, local_addr.clone(), remote_addr.clone(), Scheme::HTTP));
        let handling = handling.clone();
        async move {
            let _handling = Handling::start(handling);
            let response = endpoint.get_response(request).await;
            Ok::<_, Infallible>(HyperResponse::from(response))
        }
    });

    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(connection);

    let watchdog = idle_watchdog(&activity, limits.idle_timeout);
    tokio::pin!(watchdog);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                let header_timeout = e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_timeout);
                if header_timeout {
                    metrics::counter!("http_connections_closed_total", "reason" => "header_timeout").increment(1);
                }
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
            return;
        }
        () = &mut watchdog => {
            metrics::counter!("http_connections_closed_total", "reason" => "idle").increment(1);
            tracing::debug!(%remote, "closing an idle connection");
            return;
        }
        () = stopping(&mut shutdown) => {}
    }
    // Shutting down: let the request in progress finish, then close.
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

/// The body type poem's responses convert into.
type HyperResponse = hyper::Response<http_body_util::combinators::BoxBody<bytes::Bytes, std::io::Error>>;

/// One request being handled, counted on its connection (the watchdog
/// leaves it alone meanwhile) and in `http_requests_in_flight`; dropped
/// even when the client goes away mid-request.
struct Handling(Arc<Activity>);

impl Handling {
    fn start(activity: Arc<Activity>) -> Self {
        activity.handling.fetch_add(1, Ordering::Relaxed);
        metrics::gauge!("http_requests_in_flight").increment(1.0);
        Self(activity)
    }
}

impl Drop for Handling {
    fn drop(&mut self) {
        metrics::gauge!("http_requests_in_flight").decrement(1.0);
        self.0.handling.fetch_sub(1, Ordering::Relaxed);
        self.0.touch();
    }
}

/// Resolves once the connection has been idle for `limit`.
async fn idle_watchdog(activity: &Activity, limit: Duration) {
    loop {
        let idle = activity.idle_for();
        if idle >= limit {
            return;
        }
        tokio::time::sleep(limit - idle).await;
    }
}

/// A stream that records when bytes last moved.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
