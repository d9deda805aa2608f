//! One client connection, HTTP/1.1 or HTTP/2 by hyper, served within bounds: time to send
//! headers and bodies, streams at once, and time left idle. The connection is closed when it
//! has been idle too long or the server stops; either way requests being handled finish
//! first, while requests still arriving (a slow sender) and idle clients (an HTTP/2 client
//! that never reads) are not waited for.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::http::Request;
use hyper::body::Incoming;
use hyper::rt::{Read, Write};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use tower::ServiceExt;

use super::activity::Activity;
use super::request_body::{self, BodyLimits};
use crate::echo_rest;
use crate::peer::ClientAddr;
use crate::shutdown::Shutdown;

/// How much a connection may hold the server.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections served at once; further clients wait in the listen backlog.
    pub max_connections: usize,
    /// HTTP/2 streams (requests) at once on one connection.
    pub max_streams: u32,
    /// Time to send a request's headers, and then its whole body.
    pub read_timeout: Duration,
    /// A connection without requests for this long is closed.
    pub idle_timeout: Duration,
    pub max_body_bytes: usize,
}

/// Once nothing is handled any more, how long a closing connection may take to flush its
/// last answers and say goodbye (HTTP/2 GOAWAY waits for a PING answer) before it is dropped.
const LINGER: Duration = Duration::from_secs(1);

/// Serves one connection from `client` until the client leaves, it idles out, or shutdown.
pub async fn serve<I>(
    io: I,
    client: ClientAddr,
    router: Router,
    limits: ConnectionLimits,
    mut shutdown: Shutdown,
) where
    I: Read + Write + Unpin + Send + 'static,
{
    let activity = Activity::new();
    let body_limits = BodyLimits {
        max_bytes: limits.max_body_bytes,
        read_timeout: limits.read_timeout,
    };
    let handler = {
        let activity = activity.clone();
        service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(client);
            handle(request, router.clone(), activity.clone(), body_limits)
        })
    };
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(limits.max_streams);
    let connection = builder.serve_connection(io, handler);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => return log_end(result),
        _ = shutdown.wait() => {}
        _ = activity.idle_for(limits.idle_timeout) => {}
    }
    connection.as_mut().graceful_shutdown();
    tokio::select! {
        result = connection.as_mut() => return log_end(result),
        _ = activity.none_handled() => {}
    }
    if let Ok(result) = tokio::time::timeout(LINGER, connection).await {
        log_end(result);
    }
}

/// One request: its body is received within bounds, then the router answers it.
async fn handle(
    request: Request<Incoming>,
    router: Router,
    activity: Activity,
    limits: BodyLimits,
) -> Result<axum::response::Response, Infallible> {
    let _open = activity.open();
    let path = request.uri().path().to_owned();
    let request = match request_body::receive(request, limits).await {
        Ok(request) => request,
        Err(refusal) => return Ok(echo_rest::refusal_for(&path, refusal)),
    };
    let _handled = activity.handle();
    router.oneshot(request).await
}

fn log_end(result: Result<(), Box<dyn std::error::Error + Send + Sync>>) {
    if let Err(error) = result {
        tracing::debug!(%error, "connection ended with an error");
    }
}
