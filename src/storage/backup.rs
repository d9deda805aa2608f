//! Backups: a consistent copy of every table, taken from one read transaction while the
//! gateway keeps serving (readers never block the writer), written to a fresh redb file; and
//! restore, which puts such a file into a new or empty data directory.
//!
//! The copy goes to `<file>.partial`, is synced, then renamed, so a backup file that exists
//! is complete. Backups hold password hashes and token digests: they are owner-only.

use std::path::{Path, PathBuf};

use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable, TableDefinition};

use super::{DATABASE_FILE, StorageError, Store, create_tables_in, record_tables, sequence_tables};
use crate::private_files;

/// What a backup or restore copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    pub tables: usize,
    pub records: u64,
}

impl Store {
    /// Writes a consistent copy of the database to `file`, which must not exist yet.
    pub fn backup(&self, file: &Path) -> Result<Copied, StorageError> {
        if file.exists() {
            return Err(StorageError::AlreadyExists(format!(
                "{} (backups never overwrite a file)",
                file.display()
            )));
        }
        let partial = PathBuf::from(format!("{}.partial", file.display()));
        let copied = copy_into(&self.read()?, &partial);
        let copied = copied.and_then(|copied| {
            std::fs::rename(&partial, file).map_err(|e| io_error(file, e))?;
            Ok(copied)
        });
        if copied.is_err() {
            let _ = std::fs::remove_file(&partial);
        }
        copied
    }
}

/// Copies every table read by `source` into a new database at `path`, committed durably.
fn copy_into(source: &ReadTransaction, path: &Path) -> Result<Copied, StorageError> {
    private_files::open_file(path, true).map_err(|e| io_error(path, e))?;
    let target = Database::create(path)?;
    let tx = target.begin_write()?;
    create_tables_in(&tx)?;
    let mut copied = Copied {
        tables: 0,
        records: 0,
    };
    for table in record_tables() {
        copied.records += copy_table(source, &tx, table)?;
        copied.tables += 1;
    }
    for table in sequence_tables() {
        copied.records += copy_table(source, &tx, table)?;
        copied.tables += 1;
    }
    tx.commit()?;
    drop(target);
    Ok(copied)
}

fn copy_table<K: redb::Key + 'static>(
    source: &ReadTransaction,
    target: &redb::WriteTransaction,
    table: TableDefinition<'static, K, &'static [u8]>,
) -> Result<u64, StorageError> {
    let from = source.open_table(table)?;
    let mut to = target.open_table(table)?;
    let mut count = 0;
    for entry in from.iter()? {
        let (key, value) = entry?;
        to.insert(key.value(), value.value())?;
        count += 1;
    }
    Ok(count)
}

/// Puts the backup `file` into `data_dir`, which must not exist or be empty, and checks that
/// the result opens as the gateway's database.
pub fn restore(file: &Path, data_dir: &Path) -> Result<Copied, StorageError> {
    let occupied = std::fs::read_dir(data_dir)
        .map(|mut entries| entries.next().is_some())
        .unwrap_or(false);
    if occupied {
        return Err(StorageError::AlreadyExists(format!(
            "{} is not empty: restore into a new or empty data directory",
            data_dir.display()
        )));
    }
    let backup = redb::ReadOnlyDatabase::open(file)
        .map_err(|e| StorageError::Corrupt(format!("{}: {e}", file.display())))?;
    private_files::create_dir(data_dir).map_err(|e| io_error(data_dir, e))?;
    let database = data_dir.join(DATABASE_FILE);
    let restored = copy_into(&backup.begin_read()?, &database)
        .and_then(|copied| Store::open(data_dir).map(|_| copied));
    if restored.is_err() {
        // Leave the directory empty, so that the restore can simply be run again.
        let _ = std::fs::remove_file(&database);
    }
    restored
}

fn io_error(path: &Path, error: std::io::Error) -> StorageError {
    StorageError::File(format!("{}: {error}", path.display()))
}
