//! Group commit: concurrent writes share one redb write transaction and one durable commit.
//!
//! A caller runs its write in the open batch (beginning one when none is open) and then waits
//! for that batch's outcome. Whichever waiter finds no commit running and nobody about to join
//! becomes the leader and commits the batch durably (`Durability::Immediate`): one fsync, and
//! one walk of redb's commit machinery, for every write in it. Writes that arrive while it
//! commits fill the next batch. Nobody is answered before the commit that holds their write,
//! and nothing is readable before it is durable.
//!
//! Isolation: redb offers no savepoint inside a transaction that has written, so a write that
//! fails (or panics) abandons the whole batch: its transaction is dropped, which aborts it, and
//! the batch's other writes run again, each by its own caller, in the next batch. That is why a
//! write is an `FnMut`: it may run more than once, and only its last run is committed, so it
//! must keep its effects inside the transaction. One failure therefore never fails or undoes
//! another caller's write; it costs them a re-run.
//!
//! Commits go through the `RecoveringDatabase`: a failed commit (a full disk) fails every write
//! in the batch, closes the database, and the next batch reopens it.
//!
//! Crash recovery: a commit may also save redb's allocator state (quick-repair), so that
//! reopening after a crash need not walk the whole file (11 s for a million orders). That costs
//! about a third of the relay's throughput when every batch does it (see the README's relay
//! bench), and only the last commit's state counts, so busy batches do not save it. Saving
//! it: the first commit after opening; a commit that comes [`UNHURRIED`] or more after the
//! previous one (at that pace the cost does not matter, so a trickle of writes keeps recovery
//! quick); and a commit after writes pause ([`GroupCommit::save_allocator_state_if_quiet`],
//! called by the server), which covers the end of a storm.

use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use redb::{ReadableTable, WriteTransaction};

use super::StorageError;
use super::database::{RecoveringDatabase, Write};
use super::outbox::OUTBOX;

/// The most writes a batch takes before its next waiter commits it even though more callers are
/// about to join: bounds the latency a stream of arrivals could add.
const MAX_BATCH: usize = 256;

/// A commit this long or longer after the previous one saves redb's allocator state.
const UNHURRIED: Duration = Duration::from_millis(50);

/// The transaction writes are being added to (its members are counted in [`State`]).
struct Batch {
    write: Write,
    number: u64,
}

/// What became of a batch, for each of its members.
#[derive(Debug, Clone)]
enum Outcome {
    /// Committed durably.
    Durable,
    /// The commit failed: nothing of the batch is stored.
    Failed(StorageError),
    /// Another write in it failed, so it was aborted: run again.
    Abandoned,
}

/// An outcome not yet read by every member of its batch.
struct Decided {
    outcome: Outcome,
    unread: usize,
}

#[derive(Default)]
struct State {
    /// Callers that have announced a write and not yet finished running it.
    joining: usize,
    /// Writes that ran in the open batch successfully, each waiting for its outcome. Kept
    /// here rather than in the batch so that waiters can read it without the `open` lock.
    members: usize,
    /// A leader is committing a batch now.
    committing: bool,
    /// Outcomes, by batch number, until every member has read them.
    outcomes: HashMap<u64, Decided>,
}

impl State {
    fn take_outcome(&mut self, number: u64) -> Option<Outcome> {
        let decided = self.outcomes.get_mut(&number)?;
        decided.unread -= 1;
        let outcome = decided.outcome.clone();
        if decided.unread == 0 {
            self.outcomes.remove(&number);
        }
        Some(outcome)
    }

    /// Records the outcome of batch `number` for its `members`.
    fn decide(&mut self, number: u64, members: usize, outcome: Outcome) {
        if members > 0 {
            let unread = members;
            self.outcomes.insert(number, Decided { outcome, unread });
        }
    }

    /// Whether a waiter should commit the open batch now.
    fn time_to_commit(&self) -> bool {
        !self.committing && (self.joining == 0 || self.members >= MAX_BATCH)
    }
}

/// The open batch, the outcomes of closed ones, and the durable point.
pub(super) struct GroupCommit {
    /// Held while a caller runs its write in the batch. Lock order: `open`, then `state`.
    open: Mutex<Option<Batch>>,
    state: Mutex<State>,
    changed: Condvar,
    next_batch: AtomicU64,
    /// The last outbox id made durable: the delivery worker schedules nothing beyond it.
    durable_outbox: AtomicU64,
    /// The next commit saves redb's allocator state.
    save_allocator_state: AtomicBool,
    /// When the last commit ended, and whether it saved the allocator state.
    last_commit: Mutex<(Instant, bool)>,
    /// See [`UNHURRIED`] (a field so that tests can make it deterministic).
    unhurried: Duration,
}

impl GroupCommit {
    /// Starts from a freshly opened database, where everything on disk is durable.
    pub(super) fn open(db: &RecoveringDatabase) -> Result<GroupCommit, StorageError> {
        let tx = db.begin_read()?;
        let last = match tx.open_table(OUTBOX) {
            Ok(table) => table.last()?.map_or(0, |(key, _)| key.value()),
            Err(redb::TableError::TableDoesNotExist(_)) => 0,
            Err(other) => return Err(other.into()),
        };
        Ok(GroupCommit {
            open: Mutex::new(None),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            next_batch: AtomicU64::new(1),
            durable_outbox: AtomicU64::new(last),
            save_allocator_state: AtomicBool::new(true),
            last_commit: Mutex::new((Instant::now(), true)),
            unhurried: UNHURRIED,
        })
    }

    /// When no commit has ended for `quiet` and the last one did not save redb's allocator
    /// state, commits (an empty write, joined by whatever comes) saving it, so that a crash
    /// from now until the next commit reopens at once. Returns whether it committed.
    pub(super) fn save_allocator_state_if_quiet(
        &self,
        db: &RecoveringDatabase,
        quiet: Duration,
    ) -> Result<bool, StorageError> {
        let (ended, saved) = *lock(&self.last_commit);
        if saved || ended.elapsed() < quiet {
            return Ok(false);
        }
        self.save_allocator_state.store(true, Ordering::SeqCst);
        self.write(db, |_| Ok::<_, StorageError>(()))?;
        Ok(true)
    }

    /// The last outbox id a durable commit holds.
    pub(super) fn durable_outbox(&self) -> u64 {
        self.durable_outbox.load(Ordering::SeqCst)
    }

    /// Runs `f` in a shared write transaction and returns once a durable commit holds it;
    /// when `f` fails, nothing it wrote is kept. `f` may run more than once (see the module
    /// doc); only the run that is committed returns its value.
    pub(super) fn write<T, E: From<StorageError>>(
        &self,
        db: &RecoveringDatabase,
        mut f: impl FnMut(&WriteTransaction) -> Result<T, E>,
    ) -> Result<T, E> {
        loop {
            let (value, number) = self.join(db, &mut f)?;
            match self.outcome(db, number) {
                Outcome::Durable => return Ok(value),
                Outcome::Failed(error) => return Err(error.into()),
                Outcome::Abandoned => continue,
            }
        }
    }

    /// Runs `f` in the open batch, beginning one if none is open; returns its value and the
    /// batch's number. When `f` fails or panics, the batch is abandoned.
    fn join<T, E: From<StorageError>>(
        &self,
        db: &RecoveringDatabase,
        f: &mut impl FnMut(&WriteTransaction) -> Result<T, E>,
    ) -> Result<(T, u64), E> {
        self.state().joining += 1;
        let mut open = lock(&self.open);
        let ran = self
            .begin(db, &mut open)
            .map(|batch| panic::catch_unwind(AssertUnwindSafe(|| f(&batch.write.tx))));
        let mut state = self.state();
        state.joining -= 1;
        match ran {
            Ok(Ok(Ok(value))) => {
                let batch = open.as_ref().expect("the batch it ran in is open");
                state.members += 1;
                Ok((value, batch.number))
            }
            Err(error) => Err(error.into()),
            Ok(failed) => {
                if let Some(batch) = open.take() {
                    let members = std::mem::take(&mut state.members);
                    state.decide(batch.number, members, Outcome::Abandoned);
                }
                self.changed.notify_all();
                drop((state, open));
                match failed {
                    Ok(Err(error)) => Err(error),
                    Err(payload) => panic::resume_unwind(payload),
                    Ok(Ok(_)) => unreachable!("handled above"),
                }
            }
        }
    }

    /// The open batch, beginning one (it waits while a batch commits) when none is open.
    fn begin<'a>(
        &self,
        db: &RecoveringDatabase,
        open: &'a mut Option<Batch>,
    ) -> Result<&'a mut Batch, StorageError> {
        if open.is_none() {
            let write = db.begin_write()?;
            let number = self.next_batch.fetch_add(1, Ordering::SeqCst);
            *open = Some(Batch { write, number });
        }
        Ok(open.as_mut().expect("just opened"))
    }

    /// Waits for the outcome of batch `number`, committing it as the leader when it is time.
    fn outcome(&self, db: &RecoveringDatabase, number: u64) -> Outcome {
        let mut state = self.state();
        loop {
            if let Some(outcome) = state.take_outcome(number) {
                return outcome;
            }
            if state.time_to_commit() {
                state.committing = true;
                drop(state);
                self.lead(db, number);
                state = self.state();
                state.committing = false;
                self.changed.notify_all();
                continue;
            }
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Commits batch `number` if it is still the open one (otherwise it was decided already)
    /// and records its outcome.
    fn lead(&self, db: &RecoveringDatabase, number: u64) {
        let (batch, members) = {
            let mut open = lock(&self.open);
            let Some(batch) = open.take_if(|batch| batch.number == number) else {
                return;
            };
            (batch, std::mem::take(&mut self.state().members))
        };
        // A panic here must not leave `committing` set: every later write would wait.
        let committed = panic::catch_unwind(AssertUnwindSafe(|| self.commit(db, batch.write)));
        let outcome = match committed {
            Ok(Ok(())) => Outcome::Durable,
            Ok(Err(error)) => Outcome::Failed(error),
            Err(_) => Outcome::Failed(StorageError::Database("the commit panicked".into())),
        };
        self.state().decide(number, members, outcome);
    }

    /// One durable commit; on success the outbox entries it holds may be sent.
    fn commit(&self, db: &RecoveringDatabase, mut write: Write) -> Result<(), StorageError> {
        let last = write
            .tx
            .open_table(OUTBOX)?
            .last()?
            .map_or(0, |(key, _)| key.value());
        let unhurried = lock(&self.last_commit).0.elapsed() >= self.unhurried;
        let save = self.save_allocator_state.swap(false, Ordering::SeqCst) || unhurried;
        write.tx.set_quick_repair(save);
        let committed = db.commit(write);
        if committed.is_err() && save {
            self.save_allocator_state.store(true, Ordering::SeqCst);
        }
        committed?;
        *lock(&self.last_commit) = (Instant::now(), save);
        self.durable_outbox.fetch_max(last, Ordering::SeqCst);
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use redb::{Database, ReadableDatabase, TableDefinition};

    use super::*;

    const TABLE: TableDefinition<'static, &str, u64> = TableDefinition::new("test");

    fn put(tx: &WriteTransaction, key: &str) -> Result<(), StorageError> {
        Ok(tx.open_table(TABLE)?.insert(key, 1).map(|_| ())?)
    }

    /// A write that stores `key` and then fails.
    fn put_and_fail(tx: &WriteTransaction, key: &str) -> Result<(), StorageError> {
        put(tx, key)?;
        Err(StorageError::NotFound("something".into()))
    }

    fn setup(dir: &tempfile::TempDir) -> (RecoveringDatabase, GroupCommit) {
        let db = RecoveringDatabase::open(&dir.path().join("test.redb"), 1 << 20).expect("db");
        let commits = GroupCommit::open(&db).expect("group commit");
        (db, commits)
    }

    /// The keys stored in the file, read after closing the database.
    fn stored(dir: &tempfile::TempDir, keys: &[String]) -> Vec<bool> {
        let db = Database::open(dir.path().join("test.redb")).expect("reopened");
        let tx = db.begin_read().expect("read");
        let table = tx.open_table(TABLE).expect("table");
        keys.iter()
            .map(|key| table.get(key.as_str()).expect("get").is_some())
            .collect()
    }

    #[test]
    fn a_failed_write_in_a_batch_leaves_the_others_stored_and_itself_absent() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let (db, commits) = setup(&dir);
            // Runs a write of `key` in the open batch; returns the batch's number.
            let join = |key| commits.join(&db, &mut |tx| put(tx, key)).expect(key).1;
            let batch = join("first");
            assert_eq!(join("second"), batch, "both writes are in one batch");
            let failed = commits.join(&db, &mut |tx| put_and_fail(tx, "failed"));
            assert!(failed.is_err(), "the failing write reports its own error");
            // Its members learn that the batch was abandoned and run their writes again.
            assert!(matches!(commits.outcome(&db, batch), Outcome::Abandoned));
            assert!(matches!(commits.outcome(&db, batch), Outcome::Abandoned));
            let next = join("first");
            assert_eq!(join("second"), next);
            assert!(next > batch);
            assert!(matches!(commits.outcome(&db, next), Outcome::Durable));
            assert!(matches!(commits.outcome(&db, next), Outcome::Durable));
            assert!(
                commits.state().outcomes.is_empty(),
                "every outcome was read"
            );
        }
        let keys = ["first", "second", "failed"].map(String::from);
        assert_eq!(stored(&dir, &keys), [true, true, false]);
    }

    #[test]
    fn the_allocator_state_is_saved_first_after_a_pause_and_between_unhurried_commits() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, mut commits) = setup(&dir);
        commits.unhurried = Duration::from_secs(3600);
        let saved = |commits: &GroupCommit| lock(&commits.last_commit).1;
        let quiet = |commits: &GroupCommit, quiet| {
            commits
                .save_allocator_state_if_quiet(&db, quiet)
                .expect("save")
        };
        commits.write(&db, |tx| put(tx, "first")).expect("first");
        assert!(saved(&commits), "the first commit after opening saves it");
        commits.write(&db, |tx| put(tx, "second")).expect("second");
        assert!(!saved(&commits), "a busy batch does not");
        assert!(!quiet(&commits, Duration::from_secs(3600)), "no pause yet");
        assert!(!saved(&commits));
        assert!(quiet(&commits, Duration::ZERO), "a pause");
        assert!(saved(&commits));
        assert!(!quiet(&commits, Duration::ZERO), "already saved");
        commits.unhurried = Duration::ZERO;
        commits
            .write(&db, |tx| put(tx, "later"))
            .expect("unhurried");
        assert!(
            saved(&commits),
            "a commit long after the previous one saves it"
        );
    }

    #[test]
    fn concurrent_writes_keep_theirs_whatever_fails_or_panics_beside_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        const EACH: usize = 40;
        let threads = 8;
        let keys = |thread: usize| (0..EACH).map(move |i| format!("{thread}/{i}"));
        // Every fifth write fails, and thread 0 panics in another fifth: the rest are kept.
        let kept = |thread: usize, i: usize| i % 5 < 3 || (i % 5 == 4 && thread != 0);
        {
            let (db, commits) = setup(&dir);
            let shared = Arc::new((db, commits));
            let workers: Vec<_> = (0..threads)
                .map(|thread| {
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || {
                        let (db, commits) = &*shared;
                        for (i, key) in keys(thread).enumerate() {
                            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                                commits.write(db, |tx| match i % 5 {
                                    3 => put_and_fail(tx, &key),
                                    4 if thread == 0 => {
                                        put(tx, &key)?;
                                        panic!("a write that panics");
                                    }
                                    _ => put(tx, &key),
                                })
                            }));
                            assert_eq!(matches!(result, Ok(Ok(()))), kept(thread, i), "{key}");
                        }
                    })
                })
                .collect();
            for worker in workers {
                worker.join().expect("worker");
            }
        }
        let all: Vec<String> = (0..threads).flat_map(keys).collect();
        let expected: Vec<bool> = (0..threads)
            .flat_map(|thread| (0..EACH).map(move |i| kept(thread, i)))
            .collect();
        assert_eq!(stored(&dir, &all), expected);
    }
}
