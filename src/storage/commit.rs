//! Group commit: every write is its own redb write transaction, committed without an fsync
//! (`Durability::None`), and then waits until a durable commit covers it. Whichever waiter finds
//! no flush running becomes the leader and commits an empty transaction with
//! `Durability::Immediate`, which makes every earlier commit durable with one fsync; the writes
//! that commit while it runs wait for the next leader. So concurrent operations share fsyncs,
//! yet each keeps its own transaction: one that fails is aborted alone and can neither fail nor
//! undo another's write. Nobody is answered before the durable commit that contains their write;
//! a crash loses only writes whose callers were never answered.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use redb::{Database, Durability, ReadableDatabase, ReadableTable, WriteTransaction};

use super::StorageError;
use super::outbox::OUTBOX;

/// How far commits have been made durable.
#[derive(Debug, Default)]
struct Flushed {
    /// Every commit with a ticket up to this one is durable.
    through: u64,
    /// A leader is flushing now.
    running: bool,
}

/// The commit tickets and the durable point.
#[derive(Debug, Default)]
pub(super) struct GroupCommit {
    /// Tickets handed out: one per commit, taken right after it.
    committed: AtomicU64,
    flushed: Mutex<Flushed>,
    changed: Condvar,
    /// The last outbox id made durable: the delivery worker schedules nothing beyond it, so
    /// it never sends a delivery that a crash could still take back.
    durable_outbox: AtomicU64,
}

impl GroupCommit {
    /// Starts from a freshly opened database, where everything on disk is durable.
    pub(super) fn open(db: &Database) -> Result<GroupCommit, StorageError> {
        let commit = GroupCommit::default();
        let tx = db.begin_read()?;
        let last = match tx.open_table(OUTBOX) {
            Ok(table) => table.last()?.map_or(0, |(key, _)| key.value()),
            Err(redb::TableError::TableDoesNotExist(_)) => 0,
            Err(other) => return Err(other.into()),
        };
        commit.durable_outbox.store(last, Ordering::SeqCst);
        Ok(commit)
    }

    /// The last outbox id a durable commit holds.
    pub(super) fn durable_outbox(&self) -> u64 {
        self.durable_outbox.load(Ordering::SeqCst)
    }

    /// Runs `f` in its own write transaction and returns once a durable commit holds it.
    pub(super) fn write<T, E: From<StorageError>>(
        &self,
        db: &Database,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
    ) -> Result<T, E> {
        let (value, ticket) = self.stage(db, f)?;
        self.wait_durable(db, ticket)?;
        Ok(value)
    }

    /// Commits `f`'s transaction without an fsync; returns its value and its ticket. When `f`
    /// fails, its transaction is dropped, which aborts it: none of its writes remain.
    fn stage<T, E: From<StorageError>>(
        &self,
        db: &Database,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
    ) -> Result<(T, u64), E> {
        let mut tx = db.begin_write().map_err(StorageError::from)?;
        tx.set_durability(Durability::None)
            .map_err(|e| StorageError::Database(e.to_string()))?;
        let value = f(&tx)?;
        tx.commit().map_err(StorageError::from)?;
        Ok((value, self.committed.fetch_add(1, Ordering::SeqCst) + 1))
    }

    /// Waits until `ticket` is durable, flushing as the leader when no flush is running. A
    /// waiter leads at most once: if its flush fails, it reports the failure.
    fn wait_durable(&self, db: &Database, ticket: u64) -> Result<(), StorageError> {
        let mut flushed = self.lock();
        loop {
            if flushed.through >= ticket {
                return Ok(());
            }
            if !flushed.running {
                flushed.running = true;
                drop(flushed);
                // Every commit whose ticket is at most `target` finished before the flush
                // transaction begins, so the flush makes all of them durable.
                let target = self.committed.load(Ordering::SeqCst);
                let outcome = self.flush(db);
                let mut after = self.lock();
                after.running = false;
                if outcome.is_ok() {
                    after.through = after.through.max(target);
                }
                self.changed.notify_all();
                return outcome;
            }
            flushed = self
                .changed
                .wait(flushed)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// One durable commit of an empty transaction: fsyncs every non-durable commit before it.
    fn flush(&self, db: &Database) -> Result<(), StorageError> {
        let tx = db.begin_write()?;
        let last = tx
            .open_table(OUTBOX)?
            .last()?
            .map_or(0, |(key, _)| key.value());
        tx.commit()?;
        self.durable_outbox.fetch_max(last, Ordering::SeqCst);
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Flushed> {
        self.flushed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use redb::TableDefinition;

    use super::*;

    const TABLE: TableDefinition<'static, &str, u64> = TableDefinition::new("test");

    fn put(key: &'static str) -> impl FnOnce(&WriteTransaction) -> Result<(), StorageError> {
        move |tx| Ok(tx.open_table(TABLE)?.insert(key, 1).map(|_| ())?)
    }

    #[test]
    fn a_failed_write_in_a_batch_leaves_the_others_stored_and_itself_absent() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.redb");
        {
            let db = Database::create(&path).expect("database");
            let commits = GroupCommit::open(&db).expect("group commit");
            let (_, first) = commits.stage(&db, put("first")).expect("first");
            let failed = commits.stage(&db, |tx| {
                put("failed")(tx)?;
                Err::<(), _>(StorageError::NotFound("something".into()))
            });
            assert!(failed.is_err());
            let (_, last) = commits.stage(&db, put("last")).expect("last");
            // One flush makes the whole batch durable: the first waiter leads it.
            commits.wait_durable(&db, first).expect("flush");
            assert_eq!(commits.lock().through, last, "one fsync covered the batch");
            commits.wait_durable(&db, last).expect("already durable");
        }
        let db = Database::open(&path).expect("reopened");
        let tx = db.begin_read().expect("read");
        let table = tx.open_table(TABLE).expect("table");
        let stored = |key| table.get(key).expect("get").is_some();
        assert!(stored("first") && stored("last"));
        assert!(!stored("failed"));
    }
}
