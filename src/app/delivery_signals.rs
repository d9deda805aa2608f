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

/// The signals, shared through the [`Gateway`](super::Gateway).
#[derive(Debug)]
pub struct DeliverySignals {
    returned: Mutex<Vec<u64>>,
    waiters: Mutex<HashMap<u64, Vec<oneshot::Sender<()>>>>,
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

    /// `id` settled durably: wakes its watchers.
    pub fn settled(&self, id: u64) {
        for waiter in lock(&self.waiters).remove(&id).unwrap_or_default() {
            let _ = waiter.send(());
        }
    }
}

/// A registered wait for one delivery to settle; dropping it unregisters it.
#[derive(Debug)]
pub struct SettledWatch<'a> {
    signals: &'a DeliverySignals,
    id: u64,
    receiver: oneshot::Receiver<()>,
}

impl SettledWatch<'_> {
    /// Waits at most `limit`; true when the delivery settled.
    pub async fn settled_within(&mut self, limit: Duration) -> bool {
        matches!(
            tokio::time::timeout(limit, &mut self.receiver).await,
            Ok(Ok(()))
        )
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
