//! Durable background work: jobs queued in storage by an operation and finished here, also
//! after a restart. Today that is invalidating the orders of removed option definitions.

use std::sync::Arc;

use crate::app::Gateway;
use crate::app::options::invalidation::invalidate_orders_of_removed_definitions;
use crate::shutdown::Shutdown;

/// Runs queued jobs at start and whenever an operation signals new ones, until shutdown.
pub async fn run(gateway: Arc<Gateway>, mut shutdown: Shutdown) {
    loop {
        let worker = gateway.clone();
        let done =
            tokio::task::spawn_blocking(move || invalidate_orders_of_removed_definitions(&worker))
                .await;
        match done {
            Ok(Ok(0)) => {}
            Ok(Ok(changed)) => tracing::info!(
                changed,
                "orders invalidated after option definitions were removed"
            ),
            Ok(Err(error)) => tracing::warn!(%error, "maintenance job failed; retrying when woken"),
            Err(error) => tracing::error!(%error, "maintenance job panicked"),
        }
        tokio::select! {
            _ = gateway.maintenance.notified() => {}
            _ = shutdown.wait() => return,
        }
    }
}
