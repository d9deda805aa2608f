//! `echo-gateway partner-sim`: a simulated data partner implementing ECHO's v9
//! OrderFulfillment contract, for demos, tests and partners' own testing. It answers every
//! quote, submit and cancel with a configured disposition, can refuse connections or fail
//! the first requests, adds latency, logs each request as a JSON line and, for a manual
//! acceptance, can play the rest of the order back through OrderProcessingService.
//!
//! Any POST path is the endpoint; `GET <path>?wsdl` serves the WSDL and
//! `GET /echo-wsdl/schemas/<file>` its schemas.

mod answers;
mod callback;
mod endpoint;
mod request_log;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use rustls::ServerConfig;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

pub use callback::{Callback, CallbackError};
pub use request_log::RequestLog;

use echo_domain::fulfillment::Disposition;
use endpoint::Simulator;

/// The path `partner-sim` announces (any path is accepted).
pub const ENDPOINT_PATH: &str = "/OrderFulfillment";

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the simulated partner behaves.
pub struct PartnerSimConfig {
    pub listen: SocketAddr,
    /// Serve HTTPS with this identity; plain HTTP without.
    pub tls: Option<Arc<ServerConfig>>,
    /// The disposition of every answer (a manual acceptance applies to submissions only).
    pub answer: Disposition,
    /// Answer HTTP 503 to this many first requests.
    pub fail_first: u64,
    /// Close this many first connections right after accepting them.
    pub refuse_first: u64,
    pub latency: Duration,
    pub log: Option<RequestLog>,
    pub callback: Option<Callback>,
}

#[derive(Debug, thiserror::Error)]
pub enum PartnerSimError {
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    File {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Callback(#[from] CallbackError),
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsSetupError),
}

/// Listens, announces `partner-sim listening on <url>` and `partner-sim ready` on stdout, and
/// serves until the process is stopped.
pub async fn run(config: PartnerSimConfig) -> Result<(), PartnerSimError> {
    let listen_error = |source| PartnerSimError::Listen {
        address: config.listen,
        source,
    };
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(listen_error)?;
    let local = listener.local_addr().map_err(listen_error)?;
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("partner-sim listening on {scheme}://{local}{ENDPOINT_PATH}");
    let acceptor = config.tls.clone().map(TlsAcceptor::from);
    let refuse_first = config.refuse_first;
    let router = endpoint::router(Simulator::new(config, scheme));
    println!("partner-sim ready");
    let mut accepted = 0u64;
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        accepted += 1;
        if accepted > refuse_first {
            tokio::spawn(serve(stream, acceptor.clone(), router.clone()));
        }
    }
}

/// Serves one connection (HTTP/1.1 or HTTP/2), behind TLS when configured.
async fn serve(stream: TcpStream, acceptor: Option<TlsAcceptor>, router: axum::Router) {
    let _ = stream.set_nodelay(true);
    let service = TowerToHyperService::new(router);
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    let _ = match acceptor {
        None => {
            builder
                .serve_connection(TokioIo::new(stream), service)
                .await
        }
        Some(acceptor) => {
            let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
            let Ok(Ok(tls)) = handshake.await else {
                return;
            };
            builder.serve_connection(TokioIo::new(tls), service).await
        }
    };
}
