//! The server: opens storage, starts the HTTPS listener (and the optional plain one) and the
//! admin socket, and on SIGINT/SIGTERM stops accepting, closes idle connections and those
//! still sending a request, lets requests being handled finish, and closes storage cleanly.

pub mod activity;
pub mod connection;
pub mod listener;
pub mod maintenance;
pub mod metrics;
pub mod quick_repair;
pub mod request_body;
pub mod router;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::admin;
use crate::app::{Gateway, ServiceSettings};
use crate::delivery::worker::{self as delivery_worker, DeliverySettings};
use crate::oms_trigger::{self, TriggerSettings};
use crate::shutdown;
use crate::soap::partner_protocol::OrderFulfillmentV9;
use crate::storage::{StorageError, Store};
use crate::tls;
use crate::xml::XmlLimits;
use connection::ConnectionLimits;
use listener::{Connections, Transport, accept_loop};
use router::{AppState, router};

/// Everything `serve` needs, resolved from flags, environment, config file and defaults.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub listen: SocketAddr,
    pub plain_http: Option<SocketAddr>,
    pub data_dir: PathBuf,
    pub tls_files: Option<(PathBuf, PathBuf)>,
    pub connections: ConnectionLimits,
    pub xml_limits: XmlLimits,
    pub services: ServiceSettings,
    pub delivery: DeliverySettings,
    pub oms_triggers: TriggerSettings,
    pub shutdown_grace: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Tls(#[from] tls::TlsSetupError),
    #[error("cannot listen on {address}: {error}")]
    Bind {
        address: String,
        error: std::io::Error,
    },
}

/// Runs the gateway until the process is asked to stop.
pub async fn run(settings: ServeSettings) -> Result<(), ServeError> {
    tls::install_crypto_provider();
    survive_file_size_limit();
    let store = Arc::new(Store::open(&settings.data_dir)?);
    let gateway = Arc::new(Gateway::new(store, settings.services.clone()));
    let tls_files = settings
        .tls_files
        .as_ref()
        .map(|(c, k)| (c.as_path(), k.as_path()));
    let tls = TlsAcceptor::from(tls::server_config(&settings.data_dir, tls_files)?);
    let state = Arc::new(AppState {
        gateway: gateway.clone(),
        metrics: metrics::Metrics::default(),
        xml_limits: settings.xml_limits,
    });
    let (trigger, shutdown) = shutdown::channel();
    let app = router(state, &shutdown);
    let connections = Connections::new(settings.connections);
    let mut loops = Vec::new();
    let endpoints = std::iter::once((settings.listen, Transport::Tls(tls))).chain(
        settings
            .plain_http
            .map(|address| (address, Transport::Plain)),
    );
    for (address, transport) in endpoints {
        let listener = bind(address).await?;
        let scheme = match transport {
            Transport::Tls(_) => "https",
            Transport::Plain => "http",
        };
        let local = listener.local_addr().map_err(|error| ServeError::Bind {
            address: address.to_string(),
            error,
        })?;
        println!("echo-gateway listening on {scheme}://{local}");
        tracing::info!(%local, scheme, "listening");
        loops.push(tokio::spawn(accept_loop(
            listener,
            transport,
            app.clone(),
            connections.clone(),
            shutdown.clone(),
        )));
    }
    let socket_path = admin::socket::path(&settings.data_dir);
    let admin_socket = admin::socket::bind(&socket_path).map_err(|error| ServeError::Bind {
        address: socket_path.display().to_string(),
        error,
    })?;
    loops.push(tokio::spawn(admin::socket::serve(
        admin_socket,
        gateway.clone(),
        shutdown.clone(),
    )));
    loops.push(tokio::spawn(maintenance::run(
        gateway.clone(),
        shutdown.clone(),
    )));
    loops.push(tokio::spawn(quick_repair::run(
        gateway.clone(),
        shutdown.clone(),
    )));
    loops.push(tokio::spawn(delivery_worker::run(
        gateway.clone(),
        Arc::new(OrderFulfillmentV9),
        settings.delivery,
        shutdown.clone(),
    )));
    loops.push(tokio::spawn(oms_trigger::run(
        gateway.clone(),
        settings.oms_triggers,
        shutdown.clone(),
    )));
    let stop = shutdown::signal();
    println!("echo-gateway ready");

    stop.await;
    tracing::info!("shutting down: finishing in-flight requests");
    trigger.trigger();
    for task in loops {
        let _ = task.await;
    }
    if tokio::time::timeout(settings.shutdown_grace, connections.closed())
        .await
        .is_err()
    {
        tracing::warn!("grace period over; closing remaining connections");
    }
    let _ = std::fs::remove_file(&socket_path);
    tracing::info!("stopped; storage closed");
    Ok(())
}

/// A file-size limit (`ulimit -f`) must fail the write that reaches it, which the store
/// reports and recovers from, instead of killing the process with SIGXFSZ: handling the
/// signal (and ignoring it) makes the write fail with EFBIG.
fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Err(error) = signal(SignalKind::from_raw(libc::SIGXFSZ)) {
            tracing::warn!(%error, "cannot handle SIGXFSZ");
        }
    }
}

async fn bind(address: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(address)
        .await
        .map_err(|error| ServeError::Bind {
            address: address.to_string(),
            error,
        })
}
