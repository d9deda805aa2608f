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
            // Attempts count until their outcome is recorded, mostly waiting for a shared
            // fsync; the partners' load is bounded per provider. At 64 the worker fell behind
            // a two-provider submit load (benches/delivery.rs: p99 0.8–1.8 s), at 256 it kept
            // up (p99 25 ms) with about the same peak memory.
            concurrency: 256,
            per_provider: 8,
            timeout: Duration::from_secs(30),
        }
    }
}

/// What an attempt tells the worker.
enum Progress {
    /// The exchange with the partner is over; the outcome is being recorded.
    Exchanged(u64),
    /// The attempt ended: the delivery's next try while it stays pending.
    Finished(u64, Option<Timestamp>),
}

impl Progress {
    fn apply(self, schedule: &mut Schedule) {
        match self {
            Progress::Exchanged(id) => schedule.exchanged(id),
            Progress::Finished(id, next) => schedule.finished(id, next),
        }
    }
}

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
    let (progress, mut reports) = mpsc::unbounded_channel::<Progress>();
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
        while let Ok(report) = reports.try_recv() {
            report.apply(&mut schedule);
        }
        for id in schedule.start_due(Timestamp::now()) {
            start(&context, &progress, id);
        }
        let idle = schedule
            .next_due()
            .map_or(MAX_IDLE, |due| until(due).min(MAX_IDLE));
        tokio::select! {
            _ = gateway.deliveries.notified() => {}
            Some(report) = reports.recv() => report.apply(&mut schedule),
            _ = tokio::time::sleep(idle) => {}
            _ = shutdown.wait() => return,
        }
    }
}

/// Deliveries made pending again (an operator's retries) that one feed reads on the worker's
/// own task; more go to the blocking pool.
const BRIEF_RETURNS: usize = 64;

/// Adds what the schedule has not seen to it; returns the outbox id now seen up to.
async fn feed(
    gateway: &Arc<Gateway>,
    schedule: &mut Schedule,
    seen: u64,
    returned: Vec<u64>,
) -> GatewayResult<u64> {
    // After the first read (the whole pending index), a feed reads the few rows the last
    // commits added: brief, so made on this task rather than handed to the blocking pool.
    let (pending, through) = if seen > 0 && returned.len() <= BRIEF_RETURNS {
        gateway.store.pending_after(seen, &returned)?
    } else {
        let store = gateway.store.clone();
        blocking(move || Ok(store.pending_after(seen, &returned)?)).await?
    };
    if !pending.is_empty() {
        gateway.delivery_signals.changed();
    }
    for delivery in pending {
        schedule.add(delivery.id, delivery.provider_order, delivery.due);
    }
    Ok(through)
}

fn start(context: &Arc<AttemptContext>, progress: &mpsc::UnboundedSender<Progress>, id: u64) {
    let (context, progress) = (context.clone(), progress.clone());
    tokio::spawn(async move {
        let exchanged = || {
            let _ = progress.send(Progress::Exchanged(id));
        };
        let next = attempt::run(&context, id, exchanged).await;
        let _ = progress.send(Progress::Finished(id, next));
    });
}

fn until(due: Timestamp) -> Duration {
    let millis = due
        .millis()
        .saturating_sub(Timestamp::now().millis())
        .max(0);
    Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}
