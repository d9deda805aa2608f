//! Durable state: one redb file in the data directory holds everything.
//!
//! Every write is durable (fsynced) before the caller acknowledges anything; concurrent writes
//! share one redb transaction and its fsync, and a failed write fails nobody else's (see
//! `commit`). The database is reopened
//! after an I/O failure (see `database`). Records are JSON values in typed tables; each
//! submodule owns the tables of one concept. The server process is the only writer: while it runs, the CLI
//! goes through the admin socket instead (see `admin`).

mod accounts;
pub mod backup;
mod catalog;
mod commit;
mod database;
mod deliveries;
mod hot_records;
mod oms;
mod oms_catch_up;
mod oms_feed;
mod options;
mod order_digests;
mod orders;
mod outbox;
mod pending;
mod policies;
mod preferences;
mod relay_keys;
mod tokens;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};
use serde::Serialize;

use crate::private_files;
use serde::de::DeserializeOwned;

use database::RecoveringDatabase;
pub use deliveries::{Relayed, StoredRelay};
pub use oms_feed::{OmsWrite, UserSecrets, now_micros};
pub use orders::{ChangeOrigin, OrderChange};
pub use pending::PendingDelivery;
pub use tokens::StoredToken;

/// The database file name inside the data directory.
pub const DATABASE_FILE: &str = "echo-gateway.redb";

/// redb's page cache. Its default (1 GiB) would let the cache alone grow the process past its
/// memory budget; hot pages (indexes, recent orders) fit in this, and the OS caches the rest.
const CACHE_BYTES: usize = 16 << 20;

/// Storage failures.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    #[error("the database is open in another process")]
    AlreadyOpen,
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("{0} does not exist")]
    NotFound(String),
    #[error("database error: {0}")]
    Database(String),
    /// A file other than the database (a backup) could not be read or written.
    #[error("{0}")]
    File(String),
    /// The disk refused a write (full, a file-size limit, an I/O error): nothing was stored.
    #[error("the database cannot be written: {0}")]
    Unavailable(String),
    #[error("stored record is unreadable: {0}")]
    Corrupt(String),
}

impl StorageError {
    /// Whether the failure is the disk's rather than the request's.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StorageError::Unavailable(_))
    }
}

macro_rules! database_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self {
                match redb::Error::from(e) {
                    redb::Error::DatabaseAlreadyOpen => StorageError::AlreadyOpen,
                    e @ (redb::Error::Io(_) | redb::Error::PreviousIo | redb::Error::DatabaseClosed) => {
                        StorageError::Unavailable(e.to_string())
                    }
                    other => StorageError::Database(other.to_string()),
                }
            }
        }
    )*};
}
database_errors!(
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);

/// A table of JSON records keyed by string.
type RecordTable = TableDefinition<'static, &'static str, &'static [u8]>;

/// The gateway's durable state.
pub struct Store {
    db: Arc<RecoveringDatabase>,
    commits: commit::GroupCommit,
    relay_keys: Arc<relay_keys::RelayKeys>,
    hot: hot_records::HotRecords,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`; both are created owner-only.
    pub fn open(data_dir: &Path) -> Result<Store, StorageError> {
        private_files::create_dir(data_dir)
            .map_err(|e| StorageError::Database(format!("{}: {e}", data_dir.display())))?;
        let db = Arc::new(RecoveringDatabase::open(
            &data_dir.join(DATABASE_FILE),
            CACHE_BYTES,
        )?);
        let commits = commit::GroupCommit::open(db.clone())?;
        commits.write(create_tables_in)?;
        let relay_keys = relay_keys::RelayKeys::open(&commits, &db)?;
        Ok(Store {
            db,
            commits,
            relay_keys,
            hot: hot_records::HotRecords::default(),
        })
    }

    /// After `quiet` without a commit, saves redb's allocator state if the last commit did not,
    /// so that reopening after a crash is immediate (see `commit`). Returns whether it did.
    pub fn save_allocator_state_if_quiet(&self, quiet: Duration) -> Result<bool, StorageError> {
        self.commits.save_allocator_state_if_quiet(quiet)
    }

    /// Why the database cannot be written, while that lasts (for `/healthz`).
    pub fn write_failure(&self) -> Option<String> {
        self.db.failure()
    }

    /// Runs `f` in a write transaction (shared with concurrent writes, see `commit`) and
    /// returns once it is durable; when `f` fails, nothing it wrote is kept. A write whose
    /// durable commit failed is reported as failed. `f` may run more than once: only the last
    /// run is committed, so it must keep its effects inside the transaction.
    fn write<T: Send, E: From<StorageError> + Send>(
        &self,
        f: impl FnMut(&WriteTransaction) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        self.commits.write(f)
    }

    /// [`Store::write`] to the table of hot records `table`: once it ends, what is cached of
    /// that table no longer counts (see `hot_records`).
    fn write_hot<T: Send, E: From<StorageError> + Send>(
        &self,
        table: hot_records::Hot,
        f: impl FnMut(&WriteTransaction) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        let written = self.write(f);
        self.hot.changed(table);
        written
    }

    fn read(&self) -> Result<ReadTransaction, StorageError> {
        self.db.begin_read()
    }
}

/// Every table of JSON records keyed by string.
fn record_tables() -> Vec<RecordTable> {
    [
        accounts::TABLES,
        catalog::TABLES,
        options::TABLES,
        oms_feed::RECORD_TABLES,
        order_digests::TABLES,
        orders::TABLES,
        policies::TABLES,
        preferences::TABLES,
        relay_keys::TABLES,
        tokens::TABLES,
    ]
    .concat()
}

/// Every table keyed by sequence number.
fn sequence_tables() -> Vec<SequenceTable> {
    [
        orders::SEQUENCE_TABLES,
        outbox::TABLES,
        deliveries::TABLES,
        oms::TABLES,
        oms_feed::TABLES,
    ]
    .concat()
}

fn create_tables_in(tx: &WriteTransaction) -> Result<(), StorageError> {
    for table in record_tables() {
        tx.open_table(table)?;
    }
    for table in sequence_tables() {
        tx.open_table(table)?;
    }
    oms_feed::create_tables(tx)
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec(value).map_err(|e| StorageError::Corrupt(e.to_string()))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StorageError> {
    serde_json::from_slice(bytes).map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// Reads and decodes one record from a table opened in a read transaction.
fn get_record<T: DeserializeOwned>(
    tx: &ReadTransaction,
    table: RecordTable,
    key: &str,
) -> Result<Option<T>, StorageError> {
    let table = tx.open_table(table)?;
    table.get(key)?.map(|v| decode(v.value())).transpose()
}

/// Reads and decodes one record inside a write transaction.
fn get_record_for_update<T: DeserializeOwned>(
    tx: &WriteTransaction,
    table: RecordTable,
    key: &str,
) -> Result<Option<T>, StorageError> {
    let table = tx.open_table(table)?;
    table.get(key)?.map(|v| decode(v.value())).transpose()
}

fn put_record<T: Serialize>(
    tx: &WriteTransaction,
    table: RecordTable,
    key: &str,
    value: &T,
) -> Result<(), StorageError> {
    tx.open_table(table)?
        .insert(key, encode(value)?.as_slice())?;
    Ok(())
}

/// Decodes every record of a table.
fn all_records<T: DeserializeOwned>(
    tx: &ReadTransaction,
    table: RecordTable,
) -> Result<Vec<T>, StorageError> {
    let table = tx.open_table(table)?;
    let mut records = Vec::new();
    for entry in table.iter()? {
        let (_, value) = entry?;
        records.push(decode(value.value())?);
    }
    Ok(records)
}

/// A table of JSON records keyed by a sequence number (1, 2, 3, …).
type SequenceTable = TableDefinition<'static, u64, &'static [u8]>;

/// The number after the table's last key (1 for an empty table). Within a write transaction
/// this is gap-free: write transactions are serialised.
fn next_sequence(tx: &WriteTransaction, table: SequenceTable) -> Result<u64, StorageError> {
    let table = tx.open_table(table)?;
    let last = table.last()?.map(|(key, _)| key.value());
    Ok(last.unwrap_or(0) + 1)
}

/// Decodes the records with keys from `from` on, in key order.
fn sequence_records<T: DeserializeOwned>(
    tx: &ReadTransaction,
    table: SequenceTable,
    from: u64,
) -> Result<Vec<T>, StorageError> {
    let table = tx.open_table(table)?;
    let mut records = Vec::new();
    for entry in table.range(from..)? {
        let (_, value) = entry?;
        records.push(decode(value.value())?);
    }
    Ok(records)
}
