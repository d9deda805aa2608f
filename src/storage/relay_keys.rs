//! The relay's idempotency keys: upstream key → outbox id, so that a repeated request is not
//! relayed twice.
//!
//! Clients choose the keys, so they arrive in random order, and inserting each one into a
//! B-tree as it comes copies a random leaf page in every commit: about 4 kB written per relayed
//! request, a sixth of the relay's throughput. So a key is indexed in two steps, as a
//! log-structured index would:
//! - in memory (`recent`), from the write that queues its relay. That write's outbox entry
//!   already holds the key durably, so memory adds nothing that a crash could lose: opening the
//!   store reads the outbox entries after [`THROUGH`] back into memory;
//! - on disk (`relay_keys`), merged [`MERGE_AT`] keys at a time, sorted, in steps of [`STEP`]
//!   keys (one write each, so that the writes behind a step barely wait); the last step
//!   advances [`THROUGH`], the outbox id up to which every relay's key is on disk. A merge
//!   copies each leaf it touches about once for all its keys instead of once per key.
//!
//! A key in memory is remembered while its write runs, before its commit, so that a repeat in
//! the same batch is found; a run that is abandoned or a commit that fails can leave an entry
//! behind that points at an outbox id holding another request (or none). So an entry counts
//! only once checked: its own write reported committed, or the outbox entry it names holds its
//! key.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::Deserialize;

use super::commit::{GroupCommit, lock};
use super::database::RecoveringDatabase;
use super::deliveries::RELAYED;
use super::outbox::OUTBOX;
use super::{
    RecordTable, StorageError, decode, encode, get_record, get_record_for_update, next_sequence,
    put_record,
};
use echo_domain::guid::Guid;

/// Upstream idempotency key → outbox id, for the keys merged from memory.
const RELAY_KEYS: RecordTable = TableDefinition::new("relay_keys");
/// One row, [`THROUGH`].
const MERGED: RecordTable = TableDefinition::new("relay_keys_merged");
/// The outbox id up to which every relay's key is in `relay_keys`.
const THROUGH: &str = "through";

pub(super) const TABLES: &[RecordTable] = &[RELAY_KEYS, MERGED];

/// Keys in memory that start a merge: big enough that a merge touches each leaf of a
/// moderate index about once, small enough that it holds up the writes behind it briefly.
const MERGE_AT: usize = 4096;

/// A key in memory: its relay's outbox id and whether that write is known to be committed.
#[derive(Debug, Clone, Copy)]
struct Recent {
    id: u64,
    committed: bool,
}

/// The keys of relays queued since the last merge, and the merge in progress.
pub(super) struct RelayKeys {
    recent: Mutex<HashMap<Guid, Recent>>,
    plan: Mutex<Plan>,
    /// A step is in flight.
    merging: AtomicBool,
    /// See [`MERGE_AT`] (settable so that tests can merge small batches).
    merge_at: AtomicUsize,
}

/// The one field of an outbox entry a key check needs.
#[derive(Deserialize)]
struct KeyOf {
    idempotency_key: Guid,
}

impl RelayKeys {
    /// Reads the keys not merged yet back from the outbox. A store written before keys were
    /// merged has every key on disk: it starts with [`THROUGH`] at its last outbox entry.
    pub(super) fn open(
        commits: &GroupCommit,
        db: &RecoveringDatabase,
    ) -> Result<Arc<RelayKeys>, StorageError> {
        // One snapshot serves both reads: a store without THROUGH gets it at its last outbox
        // entry, so this snapshot holds no relay after it either way.
        let tx = db.begin_read()?;
        let through = match get_record::<u64>(&tx, MERGED, THROUGH)? {
            Some(through) => through,
            None => commits.write(start_through)?,
        };
        let outbox = tx.open_table(OUTBOX)?;
        let mut recent = HashMap::new();
        for row in tx.open_table(RELAYED)?.range(through + 1..)? {
            let id = row?.0.value();
            let Some(entry) = outbox.get(id)? else {
                continue;
            };
            let key = decode::<KeyOf>(entry.value())?.idempotency_key;
            let committed = true;
            recent.insert(key, Recent { id, committed });
        }
        Ok(Arc::new(RelayKeys {
            recent: Mutex::new(recent),
            plan: Mutex::default(),
            merging: AtomicBool::new(false),
            merge_at: AtomicUsize::new(MERGE_AT),
        }))
    }

    /// The outbox id of the relay queued with `key`, if any, as `tx` sees it.
    pub(super) fn find(
        &self,
        tx: &WriteTransaction,
        key: &Guid,
    ) -> Result<Option<u64>, StorageError> {
        let remembered = lock(&self.recent).get(key).copied();
        if let Some(recent) = remembered
            && (recent.committed || holds_key(tx, recent.id, key)?)
        {
            return Ok(Some(recent.id));
        }
        get_record_for_update(tx, RELAY_KEYS, key.as_str())
    }

    /// Notes that the write running in a batch queues the relay with `key` at outbox id `id`.
    pub(super) fn remember(&self, key: Guid, id: u64) {
        let recent = Recent {
            id,
            committed: false,
        };
        lock(&self.recent).insert(key, recent);
    }

    /// The write that queued `key` at `id` is committed: a merge need not check it.
    pub(super) fn committed(&self, key: &Guid, id: u64) {
        if let Some(recent) = lock(&self.recent).get_mut(key)
            && recent.id == id
        {
            recent.committed = true;
        }
    }

    /// Takes the merge one step: when no step is in flight, writes the next [`STEP`] keys of
    /// the merge under way, or starts one when enough keys are in memory. A merge takes the
    /// keys of relays up to the last durable commit, sorted; its last step advances
    /// [`THROUGH`]. Does not wait: each relay's write, once committed, calls this, so a merge
    /// advances with the traffic that fills memory.
    pub(super) fn merge_step(self: &Arc<Self>, commits: &GroupCommit) {
        if self.merging.swap(true, Ordering::SeqCst) {
            return;
        }
        let step = {
            let mut plan = lock(&self.plan);
            if plan.keys.is_empty() {
                *plan = self.plan_merge(commits.durable_outbox());
            }
            plan.next_step()
        };
        let Some(step) = step else {
            self.merging.store(false, Ordering::SeqCst);
            return;
        };
        let step = Arc::new(step);
        let written = step.clone();
        let this = self.clone();
        commits.write_then(
            move |tx| write_step(tx, &step),
            move |outcome: Result<(), StorageError>| this.stepped(&written, outcome),
        );
    }

    /// The merge of the keys in memory of relays up to outbox id `through`, once there are
    /// [`MERGE_AT`] keys in memory; else nothing to do.
    fn plan_merge(&self, through: u64) -> Plan {
        let recent = lock(&self.recent);
        if recent.len() < self.merge_at.load(Ordering::SeqCst) {
            return Plan::default();
        }
        let mut keys: Vec<(Guid, Recent)> = recent
            .iter()
            .filter(|(_, recent)| recent.id <= through)
            .map(|(key, recent)| (key.clone(), *recent))
            .collect();
        // Sorted, the keys that share a leaf are inserted together, and each step covers a
        // range of keys, so the steps of one merge copy each leaf about once.
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Plan { keys, through }
    }

    /// Forgets the keys a step wrote to disk (and the stale entries it found), once it is
    /// committed; after a failure they stay in memory, and a later merge writes them.
    fn stepped(&self, step: &Step, outcome: Result<(), StorageError>) {
        match outcome {
            Ok(()) => {
                let mut recent = lock(&self.recent);
                for (key, written) in &step.keys {
                    if recent.get(key).is_some_and(|now| now.id == written.id) {
                        recent.remove(key);
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, "merging relay keys failed; they stay in memory");
                *lock(&self.plan) = Plan::default();
            }
        }
        self.merging.store(false, Ordering::SeqCst);
    }
}

/// Keys in one step of a merge: few enough that the writes behind it barely wait.
const STEP: usize = 512;

/// A merge under way: its keys still to write, in order, and the outbox id its last step
/// advances [`THROUGH`] to.
#[derive(Default)]
struct Plan {
    keys: Vec<(Guid, Recent)>,
    through: u64,
}

/// One step's keys, in order, and for the last step the new [`THROUGH`].
struct Step {
    keys: Vec<(Guid, Recent)>,
    through: Option<u64>,
}

impl Plan {
    fn next_step(&mut self) -> Option<Step> {
        if self.keys.is_empty() {
            return None;
        }
        let rest = self.keys.split_off(STEP.min(self.keys.len()));
        let keys = std::mem::replace(&mut self.keys, rest);
        let through = self.keys.is_empty().then_some(self.through);
        Some(Step { keys, through })
    }
}

/// The write of a merge step: its keys (their outbox ids are durable) to disk, each checked
/// unless its write reported committed, and on the last step [`THROUGH`] advanced.
fn write_step(tx: &WriteTransaction, step: &Step) -> Result<(), StorageError> {
    let mut checked = Vec::with_capacity(step.keys.len());
    for (key, recent) in &step.keys {
        if recent.committed || holds_key(tx, recent.id, key)? {
            checked.push((key.as_str(), encode(&recent.id)?));
        }
    }
    // One open table for all the inserts: opening it costs as much as an insert.
    let mut table = tx.open_table(RELAY_KEYS)?;
    for (key, id) in checked {
        table.insert(key, id.as_slice())?;
    }
    drop(table);
    match step.through {
        Some(through) => put_record(tx, MERGED, THROUGH, &through),
        None => Ok(()),
    }
}

/// The first [`THROUGH`] of a store: its last outbox entry (every key before is on disk).
fn start_through(tx: &WriteTransaction) -> Result<u64, StorageError> {
    if let Some(through) = get_record_for_update::<u64>(tx, MERGED, THROUGH)? {
        return Ok(through);
    }
    let last = next_sequence(tx, OUTBOX)? - 1;
    put_record(tx, MERGED, THROUGH, &last)?;
    Ok(last)
}

/// Whether outbox entry `id` exists in `tx` and was queued with `key`.
fn holds_key(tx: &WriteTransaction, id: u64, key: &Guid) -> Result<bool, StorageError> {
    let outbox = tx.open_table(OUTBOX)?;
    let Some(entry) = outbox.get(id)? else {
        return Ok(false);
    };
    Ok(decode::<KeyOf>(entry.value())?.idempotency_key == *key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Relayed, Store};
    use echo_domain::order::ProviderOrderKey;
    use echo_domain::outbox::DeliveryRequest;
    use echo_domain::policy::Transaction;

    fn relay(store: &Store, key: &Guid) -> Relayed {
        let delivery = DeliveryRequest {
            provider_order: ProviderOrderKey {
                order_guid: Guid::random(),
                provider_guid: Guid::random(),
            },
            transaction: Transaction::Submit,
        };
        let queued = store.enqueue_relay(key.clone(), delivery, "<Envelope/>".into());
        let runtime = tokio::runtime::Builder::new_current_thread().build();
        runtime.expect("runtime").block_on(queued).expect("queued")
    }

    /// Returns once every write queued before it (a merge step among them) is answered.
    fn settle(store: &Store) {
        store
            .write(|_| Ok::<_, StorageError>(()))
            .expect("empty write");
    }

    fn in_memory(store: &Store, key: &Guid) -> bool {
        lock(&store.relay_keys.recent).contains_key(key)
    }

    fn on_disk(store: &Store, key: &Guid) -> Option<u64> {
        get_record(&store.read().expect("read"), RELAY_KEYS, key.as_str()).expect("row")
    }

    fn through(store: &Store) -> Option<u64> {
        get_record(&store.read().expect("read"), MERGED, THROUGH).expect("row")
    }

    fn repeated(id: u64) -> Relayed {
        Relayed { id, repeated: true }
    }

    #[test]
    fn a_repeated_key_is_found_in_memory_on_disk_and_after_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let keys: Vec<Guid> = (0..5).map(|_| Guid::random()).collect();
        {
            let store = Store::open(dir.path()).expect("store");
            store.relay_keys.merge_at.store(3, Ordering::SeqCst);
            for (n, key) in keys[..4].iter().enumerate() {
                assert_eq!(relay(&store, key).id, n as u64 + 1);
                settle(&store);
            }
            // The third relay merged the first three; the fourth waits in memory.
            assert_eq!(through(&store), Some(3));
            assert_eq!(on_disk(&store, &keys[0]), Some(1));
            assert!(!in_memory(&store, &keys[0]));
            assert!(in_memory(&store, &keys[3]) && on_disk(&store, &keys[3]).is_none());
            assert_eq!(relay(&store, &keys[0]), repeated(1));
            assert_eq!(relay(&store, &keys[3]), repeated(4));
        }
        let store = Store::open(dir.path()).expect("reopened");
        assert!(in_memory(&store, &keys[3]), "read back from the outbox");
        assert!(!in_memory(&store, &keys[1]), "on disk already");
        assert_eq!(relay(&store, &keys[1]), repeated(2));
        assert_eq!(relay(&store, &keys[3]), repeated(4));
        assert_eq!(relay(&store, &keys[4]).id, 5, "a new key is queued");
    }

    #[test]
    fn a_key_left_by_a_write_that_never_committed_counts_for_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let (first, abandoned, missing) = (Guid::random(), Guid::random(), Guid::random());
        assert_eq!(relay(&store, &first).id, 1);
        // As if runs that were abandoned had queued these at ids another request holds, or
        // that nothing holds.
        store.relay_keys.remember(abandoned.clone(), 1);
        store.relay_keys.remember(missing.clone(), 9);
        let queued = relay(&store, &abandoned);
        assert_eq!((queued.id, queued.repeated), (2, false));

        let stale = Guid::random();
        store.relay_keys.remember(stale.clone(), 1);
        store.relay_keys.merge_at.store(1, Ordering::SeqCst);
        relay(&store, &Guid::random());
        settle(&store);
        assert_eq!(through(&store), Some(3));
        assert_eq!(on_disk(&store, &abandoned), Some(2));
        assert_eq!(on_disk(&store, &stale), None, "not merged");
        assert!(!in_memory(&store, &stale), "forgotten");
        assert!(
            in_memory(&store, &missing),
            "beyond the merge: kept, checked on use"
        );
        assert!(!relay(&store, &missing).repeated);
    }

    #[test]
    fn a_store_from_before_merges_has_every_key_on_disk() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = Guid::random();
        {
            let store = Store::open(dir.path()).expect("store");
            assert_eq!(relay(&store, &key).id, 1);
            // What the previous layout left: the key on disk, and no THROUGH.
            store
                .write(|tx| {
                    put_record(tx, RELAY_KEYS, key.as_str(), &1u64)?;
                    tx.open_table(MERGED)?.remove(THROUGH)?;
                    Ok::<_, StorageError>(())
                })
                .expect("old layout");
        }
        let store = Store::open(dir.path()).expect("reopened");
        assert_eq!(through(&store), Some(1));
        assert!(!in_memory(&store, &key));
        assert_eq!(relay(&store, &key), repeated(1));
    }
}
