//! Group commit: every write is its own redb write transaction, committed without an fsync
//! (`Durability::None`), and then waits until a durable commit covers it. Whichever waiter finds
//! no flush running becomes the leader and commits an empty transaction with
//! `Durability::Immediate`, which makes every earlier commit durable with one fsync; the writes
//! that commit while it runs wait for the next leader. So concurrent operations share fsyncs,
//! yet each keeps its own transaction: one that fails is aborted alone and can neither fail nor
//! undo another's write. Nobody is answered before the durable commit that contains their write;
//! a crash loses only writes whose callers were never answered.
//!
//! Both go through the `RecoveringDatabase`, so a failed write (a full disk) closes the database
//! and the next transaction reopens it. A flush covers only the commits of the opening it ran
//! in: a write committed (without fsync) in an opening that a failure closed is reported as
//! failed to its caller once a later opening has flushed, never acknowledged; and a leader whose
//! flush fails reports that failure.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

use redb::{Durability, ReadableTable, WriteTransaction};

use super::StorageError;
use super::database::RecoveringDatabase;
use super::outbox::OUTBOX;

/// A commit awaiting its durable flush: its ticket and the opening of the database it is in.
#[derive(Debug, Clone, Copy)]
struct Ticket {
    number: u64,
    generation: u64,
}

/// How far commits have been made durable.
#[derive(Debug, Default)]
struct Flushed {
    /// Per opening of the database (generation): every commit of that opening with a ticket
    /// up to this one is durable.
    through: BTreeMap<u64, u64>,
    /// A leader is flushing now.
    running: bool,
}

impl Flushed {
    /// Whether `ticket` is durable (`Ok`), lost with a closed opening (`Err`), or undecided.
    fn settled(&self, ticket: Ticket) -> Option<Result<(), StorageError>> {
        if self
            .through
            .get(&ticket.generation)
            .is_some_and(|&through| through >= ticket.number)
        {
            return Some(Ok(()));
        }
        // A later opening has flushed: the one this commit is in was closed by an I/O failure
        // before any flush covered it, so it is not durable.
        if self
            .through
            .last_key_value()
            .is_some_and(|(&generation, _)| generation > ticket.generation)
        {
            return Some(Err(StorageError::Unavailable(
                "the database failed before this write was made durable".into(),
            )));
        }
        None
    }
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
    pub(super) fn open(db: &RecoveringDatabase) -> Result<GroupCommit, StorageError> {
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

    /// Runs `f` in its own write transaction and returns once a durable commit holds it; fails
    /// when the durable commit that should hold it fails.
    pub(super) fn write<T, E: From<StorageError>>(
        &self,
        db: &RecoveringDatabase,
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
        db: &RecoveringDatabase,
        f: impl FnOnce(&WriteTransaction) -> Result<T, E>,
    ) -> Result<(T, Ticket), E> {
        let mut write = db.begin_write()?;
        write
            .tx
            .set_durability(Durability::None)
            .map_err(|e| StorageError::Database(e.to_string()))?;
        let value = f(&write.tx)?;
        let generation = write.generation();
        db.commit(write)?;
        let number = self.committed.fetch_add(1, Ordering::SeqCst) + 1;
        Ok((value, Ticket { number, generation }))
    }

    /// Waits until `ticket` is durable, flushing as the leader when no flush is running. A
    /// waiter leads at most once: if its flush fails, it reports the failure.
    fn wait_durable(&self, db: &RecoveringDatabase, ticket: Ticket) -> Result<(), StorageError> {
        let mut flushed = self.lock();
        loop {
            if let Some(outcome) = flushed.settled(ticket) {
                return outcome;
            }
            if !flushed.running {
                flushed.running = true;
                drop(flushed);
                // Every commit whose ticket is at most `target` finished before the flush
                // transaction begins, so the flush makes all of them of its opening durable.
                let target = self.committed.load(Ordering::SeqCst);
                let outcome = self.flush(db);
                let mut after = self.lock();
                after.running = false;
                if let Ok(generation) = outcome {
                    let through = after.through.entry(generation).or_default();
                    *through = (*through).max(target);
                }
                self.changed.notify_all();
                outcome?;
                // The flush ran in this commit's opening (and covered it) or in a later one.
                return after.settled(ticket).unwrap_or_else(|| {
                    Err(StorageError::Database(
                        "a durable commit did not decide an earlier write".into(),
                    ))
                });
            }
            flushed = self
                .changed
                .wait(flushed)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// One durable commit of an empty transaction: fsyncs every non-durable commit before it
    /// in the same opening of the database. Returns that opening.
    fn flush(&self, db: &RecoveringDatabase) -> Result<u64, StorageError> {
        let mut write = db.begin_write()?;
        // The durable commit saves redb's allocator state, so reopening after a crash needs
        // no walk of the whole file (10.9 s with a million orders, see the restart bench);
        // it costs this one commit per batch a second fsync.
        write.tx.set_quick_repair(true);
        let generation = write.generation();
        let last = write
            .tx
            .open_table(OUTBOX)?
            .last()?
            .map_or(0, |(key, _)| key.value());
        db.commit(write)?;
        self.durable_outbox.fetch_max(last, Ordering::SeqCst);
        Ok(generation)
    }

    fn lock(&self) -> MutexGuard<'_, Flushed> {
        self.flushed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use redb::{Database, ReadableDatabase, TableDefinition};

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
            let db = RecoveringDatabase::open(&path, 1 << 20).expect("database");
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
            assert_eq!(
                commits.lock().through.get(&last.generation),
                Some(&last.number),
                "one fsync covered the batch"
            );
            commits.wait_durable(&db, last).expect("already durable");
        }
        let db = Database::open(&path).expect("reopened");
        let tx = db.begin_read().expect("read");
        let table = tx.open_table(TABLE).expect("table");
        let stored = |key| table.get(key).expect("get").is_some();
        assert!(stored("first") && stored("last"));
        assert!(!stored("failed"));
    }

    #[test]
    fn a_commit_of_a_closed_opening_is_never_reported_durable() {
        let mut flushed = Flushed::default();
        let old = Ticket {
            number: 3,
            generation: 0,
        };
        assert!(flushed.settled(old).is_none(), "undecided before any flush");
        // The database was reopened (opening 1) and a flush there covered tickets up to 5.
        flushed.through.insert(1, 5);
        assert!(matches!(
            flushed.settled(old),
            Some(Err(StorageError::Unavailable(_)))
        ));
        let new = Ticket {
            number: 4,
            generation: 1,
        };
        assert!(matches!(flushed.settled(new), Some(Ok(()))));
        // A flush of the old opening that covered it before the reopening still counts.
        flushed.through.insert(0, 3);
        assert!(matches!(flushed.settled(old), Some(Ok(()))));
    }
}
