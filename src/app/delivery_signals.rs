//! What operations and the delivery worker tell each other beyond the store: deliveries made
//! pending again (the worker's schedule learns of new deliveries from the outbox, but not of an
//! old one an operator retried), and deliveries settled, which wake whoever waits for them (a
//! relay caller) the moment the settling commit is durable, without polling. And, for whoever
//! shows deliveries (the console's live lists), that deliveries changed at all: a counter
//! behind a `watch`, so a watcher that falls behind sees one change, never a backlog.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{oneshot, watch};

use echo_domain::fulfillment::FulfillmentAnswer;

/// What a settled delivery's watchers get: the partner's answer when it is done with one (else
/// they read the store).
type Settlement = Option<FulfillmentAnswer>;

/// The signals, shared through the [`Gateway`](super::Gateway).
#[derive(Debug)]
pub struct DeliverySignals {
    returned: Mutex<Vec<u64>>,
    waiters: Mutex<HashMap<u64, Vec<oneshot::Sender<Settlement>>>>,
    changes: watch::Sender<u64>,
}

impl Default for DeliverySignals {
    fn default() -> Self {
        DeliverySignals {
            returned: Mutex::default(),
            waiters: Mutex::default(),
            changes: watch::Sender::new(0),
        }
    }
}

impl DeliverySignals {
    /// A delivery that was settled is pending again.
    pub fn returned(&self, id: u64) {
        lock(&self.returned).push(id);
        self.changed();
    }

    /// Deliveries changed: new ones were queued, an attempt was recorded, one was retried.
    pub fn changed(&self) {
        self.changes
            .send_modify(|count| *count = count.wrapping_add(1));
    }

    /// Wakes on every later [`changed`](Self::changed) (several at once wake it once).
    pub fn watch_changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Deliveries made pending again since the last call.
    pub fn take_returned(&self) -> Vec<u64> {
        std::mem::take(&mut *lock(&self.returned))
    }

    /// Registers interest in `id` settling; register before looking at its state, so a
    /// settlement in between is not missed.
    pub fn watch(&self, id: u64) -> SettledWatch<'_> {
        let (sender, receiver) = oneshot::channel();
        lock(&self.waiters).entry(id).or_default().push(sender);
        SettledWatch {
            signals: self,
            id,
            receiver,
        }
    }

    /// `id` settled durably (with the partner's answer, when it is done with one): wakes its
    /// watchers.
    pub fn settled(&self, id: u64, answer: Settlement) {
        for waiter in lock(&self.waiters).remove(&id).unwrap_or_default() {
            let _ = waiter.send(answer.clone());
        }
    }
}

/// A registered wait for one delivery to settle; dropping it unregisters it.
#[derive(Debug)]
pub struct SettledWatch<'a> {
    signals: &'a DeliverySignals,
    id: u64,
    receiver: oneshot::Receiver<Settlement>,
}

impl SettledWatch<'_> {
    /// Waits at most `limit`; `Some` (with the partner's answer, if any) when the delivery
    /// settled.
    pub async fn settled_within(&mut self, limit: Duration) -> Option<Settlement> {
        tokio::time::timeout(limit, &mut self.receiver)
            .await
            .ok()?
            .ok()
    }
}

impl Drop for SettledWatch<'_> {
    fn drop(&mut self) {
        self.receiver.close();
        let mut waiters = lock(&self.signals.waiters);
        if let Some(senders) = waiters.get_mut(&self.id) {
            senders.retain(|sender| !sender.is_closed());
            if senders.is_empty() {
                waiters.remove(&self.id);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_domain::fulfillment::Disposition;

    fn answer() -> FulfillmentAnswer {
        FulfillmentAnswer {
            disposition: Disposition::AcceptedManual,
            message: None,
            provider_tracking_id: Some("T-1".into()),
            receipt: None,
        }
    }

    #[tokio::test]
    async fn a_watcher_gets_the_settlement_it_was_sent_or_nothing_after_its_limit() {
        let signals = DeliverySignals::default();
        let mut answered = signals.watch(1);
        let mut bare = signals.watch(2);
        let mut unsettled = signals.watch(3);
        signals.settled(1, Some(answer()));
        signals.settled(2, None);
        let limit = Duration::from_secs(5);
        assert_eq!(answered.settled_within(limit).await, Some(Some(answer())));
        assert_eq!(bare.settled_within(limit).await, Some(None));
        let short = Duration::from_millis(1);
        assert_eq!(unsettled.settled_within(short).await, None);
        drop(unsettled);
        assert!(
            lock(&signals.waiters).is_empty(),
            "dropped watches unregister"
        );
    }
}
