//! The accept loop: one per listening socket. At most `max_connections` connections are
//! served at once (a semaphore shared by every listener; beyond it a listener stops
//! accepting, so further clients wait in the kernel's backlog), each behind TLS for the main
//! listener, and each served by [`connection::serve`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;

use super::connection::{self, ConnectionLimits};
use crate::peer::ClientAddr;
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

/// The connections open on every listener, counted so that there are never more than the
/// limit and so that shutdown can wait for the last one.
#[derive(Clone)]
pub struct Connections {
    permits: Arc<Semaphore>,
    limits: ConnectionLimits,
}

impl Connections {
    pub fn new(limits: ConnectionLimits) -> Connections {
        Connections {
            permits: Arc::new(Semaphore::new(limits.max_connections)),
            limits,
        }
    }

    /// Resolves once every connection has closed.
    pub async fn closed(&self) {
        let all = u32::try_from(self.limits.max_connections).unwrap_or(u32::MAX);
        let _ = self.permits.acquire_many(all).await;
    }
}

/// Accepts connections until shutdown is triggered.
pub async fn accept_loop(
    listener: TcpListener,
    transport: Transport,
    router: Router,
    connections: Connections,
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
        // Accepted first, then admitted: a listener waiting for a permit holds at most this
        // one connection, and an idle listener holds no permit another one could use.
        let permit = match connections.permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                tracing::warn!(
                    limit = connections.limits.max_connections,
                    "connection limit reached; new clients wait"
                );
                tokio::select! {
                    permit = connections.permits.clone().acquire_owned() => {
                        permit.expect("the connection semaphore is never closed")
                    }
                    _ = shutdown.wait() => return,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let transport = transport.clone();
        let mut shutdown = shutdown.clone();
        let limits = connections.limits;
        tokio::spawn(async move {
            let _permit = permit;
            match transport {
                Transport::Plain => {
                    let io = TokioIo::new(stream);
                    connection::serve(io, ClientAddr(peer), router, limits, shutdown).await;
                }
                Transport::Tls(acceptor) => {
                    let handshake =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                    let tls = tokio::select! {
                        handshake = handshake => handshake,
                        _ = shutdown.wait() => return,
                    };
                    let Ok(Ok(tls)) = tls else {
                        tracing::debug!(%peer, "TLS handshake failed or timed out");
                        return;
                    };
                    let io = TokioIo::new(tls);
                    connection::serve(io, ClientAddr(peer), router, limits, shutdown).await;
                }
            }
        });
    }
}
