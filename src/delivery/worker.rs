//! The delivery worker: reads the durable outbox and makes due deliveries, in order for each
//! provider order (a cancel never overtakes its submit), with bounded concurrency per provider
//! and overall. It wakes when operations queue deliveries, when attempts finish, and when the
//! next scheduled try falls due; schedules live in storage, so restarts resume them.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::attempt::{self, AttemptContext};
use crate::app::Gateway;
use crate::app::partner_protocol::PartnerProtocol;
use crate::partner::client_cache::ClientCache;
use crate::shutdown::Shutdown;
use echo_domain::delivery::Delivery;
use echo_domain::guid::Guid;
use echo_domain::order::ProviderOrderKey;
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

/// Deliveries being attempted now.
#[derive(Debug, Default)]
struct InFlight {
    ids: HashSet<u64>,
    per_provider: HashMap<Guid, usize>,
}

/// Which deliveries to start now, and when to look again.
#[derive(Debug, PartialEq)]
struct Plan {
    start: Vec<Delivery>,
    next_due: Option<Timestamp>,
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
    let in_flight = Arc::new(Mutex::new(InFlight::default()));
    loop {
        let store = gateway.store.clone();
        let pending = match tokio::task::spawn_blocking(move || store.pending_deliveries()).await {
            Ok(Ok(pending)) => pending,
            Ok(Err(error)) => {
                tracing::error!(%error, "cannot read the outbox");
                Vec::new()
            }
            Err(error) => {
                tracing::error!(%error, "outbox reader failed");
                Vec::new()
            }
        };
        let plan = {
            let busy = in_flight.lock().unwrap_or_else(|e| e.into_inner());
            plan(&pending, &busy, settings, Timestamp::now())
        };
        for delivery in plan.start {
            start(&context, &in_flight, delivery);
        }
        let idle = plan
            .next_due
            .map_or(MAX_IDLE, |due| until(due).min(MAX_IDLE));
        tokio::select! {
            _ = gateway.deliveries.notified() => {}
            _ = tokio::time::sleep(idle) => {}
            _ = shutdown.wait() => return,
        }
    }
}

fn start(context: &Arc<AttemptContext>, in_flight: &Arc<Mutex<InFlight>>, delivery: Delivery) {
    let id = delivery.entry.id;
    let provider = delivery.entry.provider_order.provider_guid.clone();
    {
        let mut busy = in_flight.lock().unwrap_or_else(|e| e.into_inner());
        busy.ids.insert(id);
        *busy.per_provider.entry(provider.clone()).or_default() += 1;
    }
    let context = context.clone();
    let in_flight = in_flight.clone();
    tokio::spawn(async move {
        attempt::run(&context, delivery).await;
        {
            let mut busy = in_flight.lock().unwrap_or_else(|e| e.into_inner());
            busy.ids.remove(&id);
            if let Some(count) = busy.per_provider.get_mut(&provider) {
                *count = count.saturating_sub(1);
            }
        }
        context.gateway.deliveries.notify_one();
    });
}

/// Chooses due deliveries (oldest first): only the first pending delivery of each provider
/// order, none already in flight, within the limits.
fn plan(pending: &[Delivery], busy: &InFlight, settings: DeliverySettings, now: Timestamp) -> Plan {
    let mut seen_orders: HashSet<&ProviderOrderKey> = HashSet::new();
    let mut per_provider = busy.per_provider.clone();
    let mut running = busy.ids.len();
    let mut start = Vec::new();
    let mut next_due: Option<Timestamp> = None;
    for delivery in pending {
        let entry = &delivery.entry;
        if !seen_orders.insert(&entry.provider_order) || busy.ids.contains(&entry.id) {
            continue;
        }
        let due = delivery.status.next_attempt;
        if due > now {
            next_due = Some(next_due.map_or(due, |next| next.min(due)));
            continue;
        }
        let provider_count = per_provider
            .entry(entry.provider_order.provider_guid.clone())
            .or_default();
        if running >= settings.concurrency || *provider_count >= settings.per_provider {
            continue;
        }
        *provider_count += 1;
        running += 1;
        start.push(delivery.clone());
    }
    Plan { start, next_due }
}

fn until(due: Timestamp) -> Duration {
    let millis = due
        .millis()
        .saturating_sub(Timestamp::now().millis())
        .max(0);
    Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_domain::delivery::DeliveryStatus;
    use echo_domain::outbox::OutboxEntry;
    use echo_domain::policy::Transaction;

    fn delivery(id: u64, order: &Guid, provider: &Guid, due: Timestamp) -> Delivery {
        let mut status = DeliveryStatus::new(due);
        status.next_attempt = due;
        Delivery {
            entry: OutboxEntry {
                id,
                provider_order: ProviderOrderKey {
                    order_guid: order.clone(),
                    provider_guid: provider.clone(),
                },
                transaction: Transaction::Submit,
                idempotency_key: Guid::random(),
                created: due,
            },
            status,
        }
    }

    fn ids(plan: &Plan) -> Vec<u64> {
        plan.start.iter().map(|d| d.entry.id).collect()
    }

    #[test]
    fn one_delivery_per_provider_order_at_a_time_in_order() {
        let now = Timestamp::from_millis(10_000);
        let (order, other, provider) = (Guid::random(), Guid::random(), Guid::random());
        let pending = [
            delivery(1, &order, &provider, now),
            delivery(2, &order, &provider, now),
            delivery(3, &other, &provider, now),
        ];
        let plan = plan(
            &pending,
            &InFlight::default(),
            DeliverySettings::default(),
            now,
        );
        assert_eq!(
            ids(&plan),
            vec![1, 3],
            "the cancel (2) waits for the submit (1) of its order"
        );
        let mut busy = InFlight::default();
        busy.ids.insert(1);
        busy.per_provider.insert(provider.clone(), 1);
        let plan = super::plan(&pending, &busy, DeliverySettings::default(), now);
        assert_eq!(
            ids(&plan),
            vec![3],
            "nothing overtakes an attempt in flight"
        );
    }

    #[test]
    fn respects_schedules_and_limits() {
        let now = Timestamp::from_millis(10_000);
        let provider = Guid::random();
        let later = now.plus_seconds(5);
        let pending: Vec<Delivery> = (1..=5)
            .map(|id| {
                delivery(
                    id,
                    &Guid::random(),
                    &provider,
                    if id == 1 { later } else { now },
                )
            })
            .collect();
        let settings = DeliverySettings {
            concurrency: 64,
            per_provider: 2,
            timeout: Duration::from_secs(1),
        };
        let plan = plan(&pending, &InFlight::default(), settings, now);
        assert_eq!(ids(&plan), vec![2, 3]);
        assert_eq!(plan.next_due, Some(later));
        let overall = DeliverySettings {
            concurrency: 1,
            ..settings
        };
        assert_eq!(
            ids(&super::plan(&pending, &InFlight::default(), overall, now)),
            vec![2]
        );
    }
}
