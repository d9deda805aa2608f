//! Group commit: one committer thread runs the writes of concurrent operations in one redb
//! write transaction and commits it durably (`Durability::Immediate`): one fsync, and one walk
//! of redb's commit machinery, for every write in the batch.
//!
//! A caller hands its write to the committer and waits for the answer: a synchronous caller
//! on its own thread ([`GroupCommit::write`]), an asynchronous one without holding any thread
//! ([`GroupCommit::write_owned`]), so that a busy gateway's requests wait for their commit
//! without occupying the blocking pool. Writes that arrive while a batch commits fill the
//! next one, so batches grow with the load and no thread count bounds them. The committer runs
//! them back to back, with no hand-off between callers. Nobody is answered before the commit
//! that holds their write, and nothing is readable before it is durable. An answerer thread
//! answers a committed batch while the committer runs the next one.
//!
//! Isolation: redb offers no savepoint inside a transaction that has written, so when a write
//! fails (or panics) the committer drops the transaction, which aborts it, answers that write
//! with its error, and runs the batch's other writes again in a fresh transaction. That is why
//! a write is an `FnMut`: it may run more than once, and only its last run is committed, so it
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

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, mpsc};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use redb::{ReadableTable, WriteTransaction};

use super::StorageError;
use super::database::{RecoveringDatabase, Write};
use super::outbox::OUTBOX;

/// The most writes one transaction takes; the rest wait for the next. Bounds the latency a
/// long queue adds to the writes at its head.
const MAX_BATCH: usize = 512;

/// A commit this long or longer after the previous one saves redb's allocator state.
const UNHURRIED: Duration = Duration::from_millis(50);

/// A write waiting for, or running in, a batch, with the caller to answer.
trait Member: Send {
    /// Runs the write in `tx` (again, when an earlier run's batch was abandoned); false when
    /// it failed or panicked, which abandons the batch.
    fn run(&mut self, tx: &WriteTransaction) -> bool;

    /// Answers the caller: the write's own failure, else the commit's outcome (`Err` also
    /// when the batch could not begin).
    fn finish(self: Box<Self>, committed: Result<(), &StorageError>);
}

/// A caller's write, the result of its last run, and how to answer the caller.
struct Job<F, T, E, R> {
    // Dropped before the answer is sent (see `finish`): a synchronous caller's write borrows
    // from the caller's stack.
    write: F,
    ran: Option<Result<T, E>>,
    reply: R,
}

impl<F, T, E, R> Member for Job<F, T, E, R>
where
    F: FnMut(&WriteTransaction) -> Result<T, E> + Send,
    T: Send,
    E: From<StorageError> + Send,
    R: FnOnce(Result<T, E>) + Send,
{
    fn run(&mut self, tx: &WriteTransaction) -> bool {
        let ran = panic::catch_unwind(AssertUnwindSafe(|| (self.write)(tx)))
            .unwrap_or_else(|payload| Err(panicked(payload).into()));
        let ok = ran.is_ok();
        self.ran = Some(ran);
        ok
    }

    fn finish(self: Box<Self>, committed: Result<(), &StorageError>) {
        let Job { write, ran, reply } = *self;
        drop(write);
        reply(match (ran, committed) {
            (Some(Err(error)), _) => Err(error),
            (_, Err(error)) => Err(error.clone().into()),
            (Some(Ok(value)), Ok(())) => Ok(value),
            (None, Ok(())) => Err(StorageError::Database("a write was never run".into()).into()),
        });
    }
}

/// A panicking write, as the error its caller gets.
fn panicked(payload: Box<dyn Any + Send>) -> StorageError {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(%message, "a storage write panicked");
    StorageError::Database(format!("a write panicked: {message}"))
}

type Queued = Box<dyn Member + 'static>;

#[derive(Default)]
struct Queue {
    writes: Vec<Queued>,
    /// The committer waits for writes.
    idle: bool,
    /// The store is being dropped: the committer ends once the queue is empty.
    closing: bool,
}

/// What the callers and the committer thread share.
struct Shared {
    db: Arc<RecoveringDatabase>,
    queue: Mutex<Queue>,
    arrived: Condvar,
    /// The last outbox id made durable: the delivery worker schedules nothing beyond it.
    durable_outbox: AtomicU64,
    /// The next commit saves redb's allocator state.
    save_allocator_state: AtomicBool,
    /// When the last commit ended, and whether it saved the allocator state.
    last_commit: Mutex<(Instant, bool)>,
    /// See [`UNHURRIED`] (in milliseconds; settable so that tests can make it deterministic).
    unhurried_millis: AtomicU64,
    /// Durable commits made, for tests.
    commits: AtomicU64,
}

/// The committer thread and what it shares with callers.
pub(super) struct GroupCommit {
    shared: Arc<Shared>,
    committer: Option<JoinHandle<()>>,
    answerer: Option<JoinHandle<()>>,
}

impl GroupCommit {
    /// Starts the committer on a freshly opened database, where everything on disk is durable.
    pub(super) fn open(db: Arc<RecoveringDatabase>) -> Result<GroupCommit, StorageError> {
        let shared = Arc::new(Shared::open(db)?);
        let (answers, committed) = mpsc::channel();
        let answerer = spawn("answerer", move || answer_batches(committed))?;
        let committer = {
            let shared = shared.clone();
            spawn("committer", move || shared.run(answers))?
        };
        Ok(GroupCommit {
            shared,
            committer: Some(committer),
            answerer: Some(answerer),
        })
    }

    /// When no commit has ended for `quiet` and the last one did not save redb's allocator
    /// state, commits (an empty write, joined by whatever comes) saving it, so that a crash
    /// from now until the next commit reopens at once. Returns whether it committed.
    pub(super) fn save_allocator_state_if_quiet(
        &self,
        quiet: Duration,
    ) -> Result<bool, StorageError> {
        let (ended, saved) = *lock(&self.shared.last_commit);
        if saved || ended.elapsed() < quiet {
            return Ok(false);
        }
        self.shared
            .save_allocator_state
            .store(true, Ordering::SeqCst);
        self.write(|_| Ok::<_, StorageError>(()))?;
        Ok(true)
    }

    /// The last outbox id a durable commit holds.
    pub(super) fn durable_outbox(&self) -> u64 {
        self.shared.durable_outbox.load(Ordering::SeqCst)
    }

    /// Runs `f` in a shared write transaction and returns once a durable commit holds it;
    /// when `f` fails, nothing it wrote is kept. `f` may run more than once (see the module
    /// doc); only the run that is committed returns its value. Blocks the calling thread.
    pub(super) fn write<T, E>(
        &self,
        f: impl FnMut(&WriteTransaction) -> Result<T, E> + Send,
    ) -> Result<T, E>
    where
        T: Send,
        E: From<StorageError> + Send,
    {
        if self.on_committer() {
            return Err(StorageError::Database("a write inside a write".into()).into());
        }
        let (reply, answer) = mpsc::sync_channel(1);
        let job: Box<dyn Member + '_> = Box::new(Job {
            write: f,
            ran: None,
            reply: move |result| drop(reply.send(result)),
        });
        // SAFETY: only the lifetime changes. `f` (and `T`, `E`) may borrow from this caller's
        // stack; the job's write is dropped before the answer is sent (`finish`, run by the
        // answerer, or by the committer for a write that failed),
        // and this thread does not return before the answer arrives or the job is dropped
        // unanswered (the channel then reports a disconnect, after the drop). So nothing
        // borrowed is used after this function returns: the argument of `std::thread::scope`.
        let job: Queued = unsafe { std::mem::transmute::<Box<dyn Member + '_>, Queued>(job) };
        self.shared.submit(job);
        answer.recv().unwrap_or_else(|_| Err(stopped().into()))
    }

    /// [`GroupCommit::write`] for a write that owns what it uses: waits for the commit without
    /// holding a thread.
    pub(super) async fn write_owned<T, E>(
        &self,
        f: impl FnMut(&WriteTransaction) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.write_then(f, move |result| drop(reply.send(result)));
        answer.await.unwrap_or_else(|_| Err(stopped().into()))
    }

    /// Queues a write that owns what it uses and returns at once; `then` gets the outcome
    /// [`GroupCommit::write_owned`] would return, on the answerer thread, so it must be brief.
    pub(super) fn write_then<T, E>(
        &self,
        f: impl FnMut(&WriteTransaction) -> Result<T, E> + Send + 'static,
        then: impl FnOnce(Result<T, E>) + Send + 'static,
    ) where
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        self.shared.submit(Box::new(Job {
            write: f,
            ran: None,
            reply: then,
        }));
    }

    fn on_committer(&self) -> bool {
        self.committer
            .as_ref()
            .is_some_and(|committer| committer.thread().id() == thread::current().id())
    }
}

impl Drop for GroupCommit {
    /// Lets the committer finish what is queued and waits for it, so that the database file
    /// is closed when the store is.
    fn drop(&mut self) {
        lock(&self.shared.queue).closing = true;
        self.shared.arrived.notify_one();
        if let Some(committer) = self.committer.take()
            && committer.thread().id() != thread::current().id()
        {
            let _ = committer.join();
        }
        // The committer has ended and dropped its sender: the answerer answers what is left
        // and ends.
        if let Some(answerer) = self.answerer.take()
            && answerer.thread().id() != thread::current().id()
        {
            let _ = answerer.join();
        }
    }
}

fn spawn(name: &str, run: impl FnOnce() + Send + 'static) -> Result<JoinHandle<()>, StorageError> {
    thread::Builder::new()
        .name(name.into())
        .spawn(run)
        .map_err(|e| StorageError::Database(format!("cannot start the {name}: {e}")))
}

/// A committed (or failed) batch on its way to its callers.
type Committed = (Vec<Queued>, Result<(), StorageError>);

/// The answerer thread: answers each batch's callers while the committer runs the next batch.
/// Waking two dozen callers took about a tenth of a batch's time on the committer, the one
/// thread every write waits for.
fn answer_batches(committed: mpsc::Receiver<Committed>) {
    for (batch, outcome) in committed {
        finish_all(batch, outcome.as_ref().map(|_| ()));
    }
}

fn stopped() -> StorageError {
    StorageError::Database("the committer has stopped".into())
}

impl Shared {
    fn open(db: Arc<RecoveringDatabase>) -> Result<Shared, StorageError> {
        let last = {
            let tx = db.begin_read()?;
            match tx.open_table(OUTBOX) {
                Ok(table) => table.last()?.map_or(0, |(key, _)| key.value()),
                Err(redb::TableError::TableDoesNotExist(_)) => 0,
                Err(other) => return Err(other.into()),
            }
        };
        Ok(Shared {
            db,
            queue: Mutex::new(Queue::default()),
            arrived: Condvar::new(),
            durable_outbox: AtomicU64::new(last),
            save_allocator_state: AtomicBool::new(true),
            last_commit: Mutex::new((Instant::now(), true)),
            unhurried_millis: AtomicU64::new(UNHURRIED.as_millis() as u64),
            commits: AtomicU64::new(0),
        })
    }

    /// Queues a write, waking the committer if it waits.
    fn submit(&self, job: Queued) {
        let mut queue = lock(&self.queue);
        queue.writes.push(job);
        if queue.idle {
            queue.idle = false;
            self.arrived.notify_one();
        }
    }

    /// The committer thread: batches until the store closes, each handed to the answerer
    /// once committed.
    fn run(&self, answers: mpsc::Sender<Committed>) {
        while let Some(batch) = self.next_batch() {
            self.commit_batch(batch, &answers);
        }
    }

    /// The queued writes, up to [`MAX_BATCH`], once there are any; `None` once closing and
    /// nothing is left.
    fn next_batch(&self) -> Option<Vec<Queued>> {
        let mut queue = lock(&self.queue);
        while queue.writes.is_empty() {
            if queue.closing {
                return None;
            }
            queue.idle = true;
            queue = self.arrived.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
        let head = queue.writes.len().min(MAX_BATCH);
        let later = queue.writes.split_off(head);
        Some(std::mem::replace(&mut queue.writes, later))
    }

    /// Runs `batch` in one transaction, commits it and hands it to the answerer. A write that
    /// fails is answered here with its error and the transaction begun again without it.
    fn commit_batch(&self, mut batch: Vec<Queued>, answers: &mpsc::Sender<Committed>) {
        let write = loop {
            let write = match self.db.begin_write() {
                Ok(write) => write,
                Err(error) => return answer(answers, batch, Err(error)),
            };
            let Some(failed) = batch.iter_mut().position(|member| !member.run(&write.tx)) else {
                break write;
            };
            drop(write);
            batch.remove(failed).finish(Ok(()));
            if batch.is_empty() {
                return;
            }
        };
        // A panic here must not stop the committer: every later write would wait forever.
        let committed = panic::catch_unwind(AssertUnwindSafe(|| self.commit(write)))
            .unwrap_or_else(|_| Err(StorageError::Database("the commit panicked".into())));
        answer(answers, batch, committed);
    }

    /// One durable commit; on success the outbox entries it holds may be sent.
    fn commit(&self, mut write: Write) -> Result<(), StorageError> {
        let last = write
            .tx
            .open_table(OUTBOX)?
            .last()?
            .map_or(0, |(key, _)| key.value());
        let unhurried = Duration::from_millis(self.unhurried_millis.load(Ordering::SeqCst));
        let save = self.save_allocator_state.swap(false, Ordering::SeqCst)
            || lock(&self.last_commit).0.elapsed() >= unhurried;
        write.tx.set_quick_repair(save);
        let committed = self.db.commit(write);
        if committed.is_err() && save {
            self.save_allocator_state.store(true, Ordering::SeqCst);
        }
        committed?;
        *lock(&self.last_commit) = (Instant::now(), save);
        self.durable_outbox.fetch_max(last, Ordering::SeqCst);
        self.commits.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// Hands `batch` to the answerer; answers it here if the answerer has gone (it ends only after
/// the committer, so only if it panicked).
fn answer(
    answers: &mpsc::Sender<Committed>,
    batch: Vec<Queued>,
    outcome: Result<(), StorageError>,
) {
    if let Err(mpsc::SendError((batch, outcome))) = answers.send((batch, outcome)) {
        finish_all(batch, outcome.as_ref().map(|_| ()));
    }
}

fn finish_all(batch: Vec<Queued>, committed: Result<(), &StorageError>) {
    for member in batch {
        member.finish(committed);
    }
}

/// Locks `mutex`, also after a holder panicked: every holder leaves its data whole.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
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

    fn database(dir: &tempfile::TempDir) -> Arc<RecoveringDatabase> {
        let path = dir.path().join("test.redb");
        Arc::new(RecoveringDatabase::open(&path, 1 << 20).expect("db"))
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

    type Answer = mpsc::Receiver<Result<(), StorageError>>;

    /// A queued write of `key` (failing after it wrote when `fails`), the answer it will get,
    /// and how many times it ran.
    fn member(key: &str, fails: bool) -> (Queued, Answer, Arc<AtomicU64>) {
        let (reply, answer) = mpsc::sync_channel(1);
        let (key, runs) = (key.to_string(), Arc::new(AtomicU64::new(0)));
        let counted = runs.clone();
        let job = Box::new(Job {
            write: move |tx: &WriteTransaction| {
                counted.fetch_add(1, Ordering::SeqCst);
                if fails {
                    put_and_fail(tx, &key)
                } else {
                    put(tx, &key)
                }
            },
            ran: None,
            reply: move |result| drop(reply.send(result)),
        });
        (job, answer, runs)
    }

    #[test]
    fn a_failed_write_in_a_batch_leaves_the_others_stored_and_itself_absent() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let shared = Shared::open(database(&dir)).expect("shared");
            let (first, first_answer, first_runs) = member("first", false);
            let (failed, failed_answer, _) = member("failed", true);
            let (second, second_answer, second_runs) = member("second", false);
            let (answers, committed) = mpsc::channel();
            shared.commit_batch(vec![first, failed, second], &answers);
            drop(answers);
            answer_batches(committed);
            let failure = failed_answer.recv().expect("answered");
            assert!(
                matches!(failure, Err(StorageError::NotFound(_))),
                "the failing write gets its own error: {failure:?}"
            );
            assert!(first_answer.recv().expect("answered").is_ok());
            assert!(second_answer.recv().expect("answered").is_ok());
            assert_eq!(
                shared.commits.load(Ordering::SeqCst),
                1,
                "one commit for all"
            );
            assert_eq!(
                first_runs.load(Ordering::SeqCst),
                2,
                "the write before the failure ran again in the fresh transaction"
            );
            assert_eq!(second_runs.load(Ordering::SeqCst), 1);
        }
        let keys = ["first", "second", "failed"].map(String::from);
        assert_eq!(stored(&dir, &keys), [true, true, false]);
    }

    #[test]
    fn the_allocator_state_is_saved_first_after_a_pause_and_between_unhurried_commits() {
        let dir = tempfile::tempdir().expect("temp dir");
        let commits = GroupCommit::open(database(&dir)).expect("group commit");
        let unhurried = |millis| {
            commits
                .shared
                .unhurried_millis
                .store(millis, Ordering::SeqCst)
        };
        unhurried(3_600_000);
        let saved = || lock(&commits.shared.last_commit).1;
        let quiet = |quiet| commits.save_allocator_state_if_quiet(quiet).expect("save");
        commits.write(|tx| put(tx, "first")).expect("first");
        assert!(saved(), "the first commit after opening saves it");
        commits.write(|tx| put(tx, "second")).expect("second");
        assert!(!saved(), "a busy batch does not");
        assert!(!quiet(Duration::from_secs(3600)), "no pause yet");
        assert!(!saved());
        assert!(quiet(Duration::ZERO), "a pause");
        assert!(saved());
        assert!(!quiet(Duration::ZERO), "already saved");
        unhurried(0);
        commits.write(|tx| put(tx, "later")).expect("unhurried");
        assert!(saved(), "a commit long after the previous one saves it");
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
            let commits = GroupCommit::open(database(&dir)).expect("group commit");
            thread::scope(|scope| {
                for thread in 0..threads {
                    let commits = &commits;
                    scope.spawn(move || {
                        for (i, key) in keys(thread).enumerate() {
                            let result = commits.write(|tx| match i % 5 {
                                3 => put_and_fail(tx, &key),
                                4 if thread == 0 => {
                                    put(tx, &key)?;
                                    panic!("a write that panics");
                                }
                                _ => put(tx, &key),
                            });
                            assert_eq!(result.is_ok(), kept(thread, i), "{key}");
                        }
                    });
                }
            });
        }
        let all: Vec<String> = (0..threads).flat_map(keys).collect();
        let expected: Vec<bool> = (0..threads)
            .flat_map(|thread| (0..EACH).map(move |i| kept(thread, i)))
            .collect();
        assert_eq!(stored(&dir, &all), expected);
    }

    #[test]
    fn a_write_inside_a_write_is_refused_rather_than_waiting_for_itself() {
        let dir = tempfile::tempdir().expect("temp dir");
        let commits = GroupCommit::open(database(&dir)).expect("group commit");
        let inner = commits.write(|_| Ok::<_, StorageError>(commits.write(|tx| put(tx, "inner"))));
        let refused = inner.expect("the outer write commits");
        assert!(
            matches!(refused, Err(StorageError::Database(_))),
            "{refused:?}"
        );
    }

    #[tokio::test]
    async fn owned_writes_are_stored_and_a_failing_one_is_not() {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let commits = GroupCommit::open(database(&dir)).expect("group commit");
            let writes = (0..20).map(|i| {
                let key = format!("owned/{i}");
                commits.write_owned(move |tx| put(tx, &key))
            });
            for result in futures_util::future::join_all(writes).await {
                result.expect("stored");
            }
            let failed = commits
                .write_owned(|tx| put_and_fail(tx, "owned/failed"))
                .await;
            assert!(failed.is_err());
        }
        let mut keys: Vec<String> = (0..20).map(|i| format!("owned/{i}")).collect();
        keys.push("owned/failed".into());
        let mut expected = vec![true; 20];
        expected.push(false);
        assert_eq!(stored(&dir, &keys), expected);
    }
}
