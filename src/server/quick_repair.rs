//! Keeps crash recovery quick: once writes have paused, one commit saves redb's allocator
//! state, so that reopening after a `kill -9` or power loss needs no walk of the whole file
//! (`storage::commit` explains why busy batches do not save it themselves).

use std::sync::Arc;
use std::time::Duration;

use crate::app::Gateway;
use crate::shutdown::Shutdown;

/// How long writes must have paused before the allocator state is saved.
const QUIET: Duration = Duration::from_millis(200);
/// How often the pause is looked for.
const EVERY: Duration = Duration::from_millis(250);

/// Saves the allocator state after each busy spell, until shutdown.
pub async fn run(gateway: Arc<Gateway>, mut shutdown: Shutdown) {
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = shutdown.wait() => return,
        }
        let store = gateway.clone();
        let saved =
            tokio::task::spawn_blocking(move || store.store.save_allocator_state_if_quiet(QUIET))
                .await;
        if let Ok(Err(error)) = saved {
            tracing::warn!(%error, "cannot save the database's allocator state");
        }
    }
}
