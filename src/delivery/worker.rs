//! The delivery worker: makes due deliveries, in order for each provider order (a cancel never
//! overtakes its submit), with bounded concurrency per provider and overall. Its schedule lives
//! in memory (see `schedule`): rebuilt from the durable pending index at start-up, fed by the
//! outbox entries each durable commit adds (and by deliveries an operator made pending again),
//! and updated as attempts finish. The times it holds are the persisted ones, so restarts resume
//! them. It wakes when operations queue deliveries, when attempts finish, and when the next
//! scheduled try falls due.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::attempt::{self, AttemptContext};
use super::schedule::{Limits, Schedule};
use crate::app::partner_protocol::PartnerProtocol;
use crate::app::{Gateway, blocking};
use crate::error::GatewayResult;
use crate::partner::client_cache::ClientCache;
use crate::shutdown::Shutdown;
use echo_domain::timestamp::Timestamp;

/// Longest sleep between looks at the outbox, whatever the schedule says.
const MAX_IDLE: Duration = Duration::from_secs(30);

/// Limits and timeouts of the worker.
#[derive(Debug, Clone, Copy)]
pub struct DeliverySettings {
    pub concurrency: usize,
    pub per_provider: usize,
    pub timeout: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            concurrency: 64,
            per_provider: 8,
            timeout: Duration::from_secs(30),
        }
    }
}

/// An attempt's end: the delivery and its next try while it stays pending.
type Finished = (u64, Option<Timestamp>);

/// Runs until shutdown, speaking `protocol` to partners.
pub async fn run(
    gateway: Arc<Gateway>,
    protocol: Arc<dyn PartnerProtocol>,
    settings: DeliverySettings,
    mut shutdown: Shutdown,
) {
    let context = Arc::new(AttemptContext {
        gateway: gateway.clone(),
        protocol,
        clients: ClientCache::default(),
        timeout: settings.timeout,
    });
    let mut schedule = Schedule::new(Limits {
        concurrency: settings.concurrency,
        per_provider: settings.per_provider,
    });
    let (finished, mut finishes) = mpsc::unbounded_channel::<Finished>();
    // Outbox ids up to here are in the schedule; 0 reads the whole pending index.
    let mut seen = 0;
    let mut rebuilt = false;
    loop {
        let returned = gateway.delivery_signals.take_returned();
        if !rebuilt || !returned.is_empty() || gateway.store.durable_outbox() > seen {
            match feed(&gateway, &mut schedule, seen, returned.clone()).await {
                Ok(through) => (seen, rebuilt) = (through, true),
                Err(error) => {
                    tracing::error!(%error, "cannot read the outbox");
                    returned
                        .into_iter()
                        .for_each(|id| gateway.delivery_signals.returned(id));
                }
            }
        }
        while let Ok((id, next)) = finishes.try_recv() {
            schedule.finished(id, next);
        }
        for id in schedule.start_due(Timestamp::now()) {
            start(&context, &finished, id);
        }
        let idle = schedule
            .next_due()
            .map_or(MAX_IDLE, |due| until(due).min(MAX_IDLE));
        tokio::select! {
            _ = gateway.deliveries.notified() => {}
            Some((id, next)) = finishes.recv() => schedule.finished(id, next),
            _ = tokio::time::sleep(idle) => {}
            _ = shutdown.wait() => return,
        }
    }
}

/// Adds what the schedule has not seen to it; returns the outbox id now seen up to.
async fn feed(
    gateway: &Arc<Gateway>,
    schedule: &mut Schedule,
    seen: u64,
    returned: Vec<u64>,
) -> GatewayResult<u64> {
    let store = gateway.store.clone();
    let (pending, through) = blocking(move || Ok(store.pending_after(seen, &returned)?)).await?;
    if !pending.is_empty() {
        gateway.delivery_signals.changed();
    }
    for delivery in pending {
        let due = delivery.status.next_attempt;
        schedule.add(delivery.entry.id, delivery.entry.provider_order, due);
    }
    Ok(through)
}

fn start(context: &Arc<AttemptContext>, finished: &mpsc::UnboundedSender<Finished>, id: u64) {
    let (context, finished) = (context.clone(), finished.clone());
    tokio::spawn(async move {
        let next = attempt::run(&context, id).await;
        let _ = finished.send((id, next));
    });
}

fn until(due: Timestamp) -> Duration {
    let millis = due
        .millis()
        .saturating_sub(Timestamp::now().millis())
        .max(0);
    Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}
