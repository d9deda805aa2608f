//! The delivery schedule, held in memory by the worker: the pending deliveries of each provider
//! order in order (only the first may be attempted, so a cancel never overtakes its submit),
//! the first ones not yet due by due time, the due ones per provider waiting for a free slot,
//! and the attempts in flight against the per-provider and global limits. A provider's slot
//! bounds its partner's load, so it is held while the request is being exchanged and freed as
//! soon as the answer (or failure) is in, while the outcome is being recorded; the attempt
//! keeps its global slot, and its provider order's next delivery waits, until it is recorded.
//! It is rebuilt from the durable pending index at start-up and fed as commits queue
//! deliveries; the times it holds are the persisted ones, so a restart neither resets nor skips
//! a wait. Every operation costs work proportional to what it adds, starts or finishes, never
//! to the backlog.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use echo_domain::guid::Guid;
use echo_domain::order::ProviderOrderKey;
use echo_domain::timestamp::Timestamp;

/// How many attempts may run at once, overall and for one provider.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub concurrency: usize,
    pub per_provider: usize,
}

/// A pending delivery: its provider order and when its next try is due.
#[derive(Debug)]
struct Item {
    key: ProviderOrderKey,
    due: Timestamp,
}

/// The pending deliveries the worker knows of.
#[derive(Debug)]
pub struct Schedule {
    limits: Limits,
    items: HashMap<u64, Item>,
    /// Each provider order's pending deliveries, oldest first.
    orders: HashMap<ProviderOrderKey, VecDeque<u64>>,
    /// First deliveries of their provider order, not in flight, by due time.
    timers: BTreeSet<(Timestamp, u64)>,
    /// First deliveries that are due, per provider, oldest first, waiting for a slot.
    ready: BTreeMap<Guid, BTreeSet<u64>>,
    in_flight: HashSet<u64>,
    /// Attempts in flight that still hold their provider's slot.
    exchanging: HashSet<u64>,
    per_provider: HashMap<Guid, usize>,
}

impl Schedule {
    pub fn new(limits: Limits) -> Schedule {
        Schedule {
            limits,
            items: HashMap::new(),
            orders: HashMap::new(),
            timers: BTreeSet::new(),
            ready: BTreeMap::new(),
            in_flight: HashSet::new(),
            exchanging: HashSet::new(),
            per_provider: HashMap::new(),
        }
    }

    /// Adds a pending delivery (ignored when already known).
    pub fn add(&mut self, id: u64, key: ProviderOrderKey, due: Timestamp) {
        if self.items.contains_key(&id) {
            return;
        }
        let queue = self.orders.entry(key.clone()).or_default();
        let position = queue.partition_point(|&queued| queued < id);
        queue.insert(position, id);
        let displaced = (position == 0).then(|| queue.get(1).copied()).flatten();
        self.items.insert(id, Item { key, due });
        if let Some(previous) = displaced {
            // An older delivery came back (an operator's retry): it goes first.
            self.disarm(previous);
        }
        self.arm_head(id);
    }

    /// Takes the due deliveries that may start now, within the limits, oldest first for each
    /// provider (and providers by their oldest), and counts them in flight.
    pub fn start_due(&mut self, now: Timestamp) -> Vec<u64> {
        while let Some(&(due, id)) = self.timers.first() {
            if due > now {
                break;
            }
            self.timers.pop_first();
            let provider = self.items[&id].key.provider_guid.clone();
            self.ready.entry(provider).or_default().insert(id);
        }
        // The provider whose oldest waiting delivery is oldest goes first, so under the global
        // limit no provider is starved by others (the cost grows with the providers that have
        // due deliveries, never with the backlog).
        let mut providers: Vec<(u64, Guid)> = (self.ready.iter())
            .filter_map(|(provider, waiting)| Some((*waiting.first()?, provider.clone())))
            .collect();
        providers.sort_unstable();
        let mut started = Vec::new();
        let mut emptied = Vec::new();
        for (_, provider) in providers {
            let Some(waiting) = self.ready.get_mut(&provider) else {
                continue;
            };
            let running = self.per_provider.entry(provider.clone()).or_default();
            while self.in_flight.len() < self.limits.concurrency
                && *running < self.limits.per_provider
                && let Some(id) = waiting.pop_first()
            {
                *running += 1;
                self.in_flight.insert(id);
                self.exchanging.insert(id);
                started.push(id);
            }
            if waiting.is_empty() {
                emptied.push(provider);
            }
        }
        for provider in emptied {
            self.ready.remove(&provider);
        }
        started
    }

    /// The exchange of attempt `id` with the partner is over: its provider's slot is free.
    pub fn exchanged(&mut self, id: u64) {
        if !self.exchanging.remove(&id) {
            return;
        }
        let Some(item) = self.items.get(&id) else {
            return;
        };
        if let Some(count) = self.per_provider.get_mut(&item.key.provider_guid) {
            *count = count.saturating_sub(1);
        }
    }

    /// Records the end of an attempt: the delivery is still pending with its next try at
    /// `next`, or (`None`) it is settled and the next delivery of its provider order may go.
    pub fn finished(&mut self, id: u64, next: Option<Timestamp>) {
        if !self.in_flight.contains(&id) {
            return;
        }
        self.exchanged(id);
        self.in_flight.remove(&id);
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        match next {
            Some(due) => {
                item.due = due;
                self.arm_head(id);
            }
            None => self.remove(id),
        }
    }

    /// When the earliest delivery not yet due falls due.
    pub fn next_due(&self) -> Option<Timestamp> {
        self.timers.first().map(|&(due, _)| due)
    }

    fn remove(&mut self, id: u64) {
        let Some(item) = self.items.remove(&id) else {
            return;
        };
        let Some(queue) = self.orders.get_mut(&item.key) else {
            return;
        };
        queue.retain(|&queued| queued != id);
        match queue.front().copied() {
            Some(next) => self.arm_head(next),
            None => {
                self.orders.remove(&item.key);
            }
        }
    }

    /// Puts `id` on its timer when it is its provider order's first delivery and not in flight.
    fn arm_head(&mut self, id: u64) {
        let item = &self.items[&id];
        let first = self.orders.get(&item.key).and_then(VecDeque::front);
        if first == Some(&id) && !self.in_flight.contains(&id) {
            self.timers.insert((item.due, id));
        }
    }

    fn disarm(&mut self, id: u64) {
        let item = &self.items[&id];
        self.timers.remove(&(item.due, id));
        if let Some(waiting) = self.ready.get_mut(&item.key.provider_guid) {
            waiting.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(order: &Guid, provider: &Guid) -> ProviderOrderKey {
        ProviderOrderKey {
            order_guid: order.clone(),
            provider_guid: provider.clone(),
        }
    }

    const LIMITS: Limits = Limits {
        concurrency: 64,
        per_provider: 8,
    };

    #[test]
    fn one_delivery_per_provider_order_at_a_time_in_order() {
        let now = Timestamp::from_millis(10_000);
        let (order, other, provider) = (Guid::random(), Guid::random(), Guid::random());
        let mut schedule = Schedule::new(LIMITS);
        schedule.add(1, key(&order, &provider), now);
        schedule.add(2, key(&order, &provider), now);
        schedule.add(3, key(&other, &provider), now);
        assert_eq!(
            schedule.start_due(now),
            vec![1, 3],
            "the cancel (2) waits for the submit (1) of its order"
        );
        assert!(
            schedule.start_due(now).is_empty(),
            "nothing overtakes an attempt in flight"
        );
        schedule.finished(1, None);
        assert_eq!(schedule.start_due(now), vec![2]);
        schedule.finished(2, Some(now.plus_seconds(5)));
        assert!(schedule.start_due(now).is_empty());
        assert_eq!(schedule.next_due(), Some(now.plus_seconds(5)));
        assert_eq!(schedule.start_due(now.plus_seconds(5)), vec![2]);
        assert_eq!(schedule.items.len(), 2);
    }

    #[test]
    fn respects_schedules_and_limits() {
        let now = Timestamp::from_millis(10_000);
        let provider = Guid::random();
        let later = now.plus_seconds(5);
        let limits = Limits {
            concurrency: 64,
            per_provider: 2,
        };
        let mut schedule = Schedule::new(limits);
        for id in 1..=5 {
            let due = if id == 1 { later } else { now };
            schedule.add(id, key(&Guid::random(), &provider), due);
        }
        assert_eq!(schedule.start_due(now), vec![2, 3]);
        assert_eq!(schedule.next_due(), Some(later));
        schedule.finished(2, None);
        assert_eq!(schedule.start_due(now), vec![4]);

        let mut overall = Schedule::new(Limits {
            concurrency: 1,
            ..limits
        });
        overall.add(1, key(&Guid::random(), &provider), now);
        overall.add(2, key(&Guid::random(), &Guid::random()), now);
        // Which provider goes first depends on their (random) GUIDs; only one may go.
        assert_eq!(overall.start_due(now).len(), 1);
        assert!(overall.start_due(now).is_empty());
    }

    #[test]
    fn a_provider_slot_frees_when_the_exchange_ends_and_the_order_waits_for_the_record() {
        let now = Timestamp::from_millis(10_000);
        let (order, provider) = (Guid::random(), Guid::random());
        let mut schedule = Schedule::new(Limits {
            concurrency: 64,
            per_provider: 1,
        });
        schedule.add(1, key(&order, &provider), now);
        schedule.add(2, key(&order, &provider), now);
        schedule.add(3, key(&Guid::random(), &provider), now);
        assert_eq!(schedule.start_due(now), vec![1]);
        assert!(
            schedule.start_due(now).is_empty(),
            "the provider's one slot is taken"
        );
        schedule.exchanged(1);
        assert_eq!(
            schedule.start_due(now),
            vec![3],
            "another provider order goes while 1 is recorded; 2 waits for it"
        );
        schedule.finished(1, None);
        assert!(schedule.start_due(now).is_empty(), "3 holds the slot");
        schedule.finished(3, None);
        assert_eq!(schedule.start_due(now), vec![2]);
    }

    #[test]
    fn a_retried_older_delivery_goes_first() {
        let now = Timestamp::from_millis(10_000);
        let (order, provider) = (Guid::random(), Guid::random());
        let mut schedule = Schedule::new(LIMITS);
        schedule.add(7, key(&order, &provider), now);
        schedule.add(3, key(&order, &provider), now);
        schedule.add(3, key(&order, &provider), now);
        assert_eq!(schedule.start_due(now), vec![3]);
        schedule.finished(3, None);
        assert_eq!(schedule.start_due(now), vec![7]);
    }
}
