//! The accept loop: one per listening socket. Each connection is served by hyper (HTTP/1.1 or
//! HTTP/2), behind TLS for the main listener, and watched so shutdown can let in-flight
//! requests finish.

use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::sync::Arc;
use tower::ServiceExt;

use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::shutdown::Shutdown;

/// How connections on a listener are secured.
#[derive(Clone)]
pub enum Transport {
    Tls(TlsAcceptor),
    /// Unencrypted, for use behind a TLS-terminating proxy.
    Plain,
}

pub use crate::tls::Scheme;

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Accepts connections until shutdown is triggered.
pub async fn accept_loop(
    listener: TcpListener,
    transport: Transport,
    router: Router,
    graceful: Arc<GracefulShutdown>,
    mut shutdown: Shutdown,
) {
    let scheme = match transport {
        Transport::Tls(_) => Scheme("https"),
        Transport::Plain => Scheme("http"),
    };
    let router = router.layer(axum::Extension(scheme));
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.wait() => return,
        };
        let _ = stream.set_nodelay(true);
        // The peer's address travels with each request (the console limits sign-ins by it).
        let service = TowerToHyperService::new(router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        ));
        let transport = transport.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let result = match transport {
                Transport::Plain => {
                    let connection = builder.serve_connection(TokioIo::new(stream), service);
                    watcher.watch(connection.into_owned()).await
                }
                Transport::Tls(acceptor) => {
                    let handshake =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                    let Ok(Ok(tls)) = handshake.await else {
                        tracing::debug!(%peer, "TLS handshake failed or timed out");
                        return;
                    };
                    let connection = builder.serve_connection(TokioIo::new(tls), service);
                    watcher.watch(connection.into_owned()).await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
}
