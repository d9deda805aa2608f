//! The redb database behind the store, kept usable across I/O failures.
//!
//! redb latches the first failed write (a full disk, a file-size limit): from then on every
//! transaction of that `Database` fails with "previous I/O error", even once space is back.
//! So after an I/O failure the database is closed, and the next transaction reopens it from
//! the file, where redb finds the last commit that fully reached the disk. While writes
//! fail, the reason is kept for `/healthz`; the next successful commit clears it.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, RwLock};

use redb::{Builder, Database, ReadTransaction, ReadableDatabase, WriteTransaction};

use super::StorageError;
use crate::private_files;

/// The open database, if any, and which opening of the file it is.
struct Slot {
    database: Option<Database>,
    generation: u64,
}

pub(super) struct RecoveringDatabase {
    path: PathBuf,
    /// redb's page cache size, for every opening of the file.
    cache_bytes: usize,
    slot: RwLock<Slot>,
    /// Why the last write failed, until a commit succeeds.
    failure: Mutex<Option<String>>,
}

/// A write transaction and the opening of the database it belongs to.
pub(super) struct Write {
    pub tx: WriteTransaction,
    generation: u64,
}

impl RecoveringDatabase {
    /// Opens (creating if needed, owner-only) the database file, with a page cache of
    /// `cache_bytes` (for this and every reopening).
    pub fn open(path: &Path, cache_bytes: usize) -> Result<RecoveringDatabase, StorageError> {
        let database = open_file(path, cache_bytes)?;
        Ok(RecoveringDatabase {
            path: path.to_path_buf(),
            cache_bytes,
            slot: RwLock::new(Slot {
                database: Some(database),
                generation: 0,
            }),
            failure: Mutex::new(None),
        })
    }

    pub fn begin_write(&self) -> Result<Write, StorageError> {
        self.with_database(|database| database.begin_write().map_err(StorageError::from))
            .map(|(tx, generation)| Write { tx, generation })
    }

    pub fn begin_read(&self) -> Result<ReadTransaction, StorageError> {
        self.with_database(|database| database.begin_read().map_err(StorageError::from))
            .map(|(tx, _)| tx)
    }

    pub fn commit(&self, write: Write) -> Result<(), StorageError> {
        match write.tx.commit().map_err(StorageError::from) {
            Ok(()) => {
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
                Ok(())
            }
            Err(error) => Err(self.failed(write.generation, error)),
        }
    }

    /// Why writes currently fail, if they do.
    pub fn failure(&self) -> Option<String> {
        self.failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs `begin` on the open database, reopening it first when an I/O failure closed it.
    fn with_database<T>(
        &self,
        begin: impl Fn(&Database) -> Result<T, StorageError>,
    ) -> Result<(T, u64), StorageError> {
        let generation = {
            let slot = self.slot.read().unwrap_or_else(|e| e.into_inner());
            if let Some(database) = &slot.database {
                match begin(database) {
                    Ok(value) => return Ok((value, slot.generation)),
                    Err(error) if !error.is_unavailable() => return Err(error),
                    Err(_) => {}
                }
            }
            slot.generation
        };
        self.reopen(generation)?;
        let slot = self.slot.read().unwrap_or_else(|e| e.into_inner());
        let database = slot
            .database
            .as_ref()
            .ok_or_else(|| StorageError::Unavailable("the database is being reopened".into()))?;
        begin(database)
            .map(|value| (value, slot.generation))
            .map_err(|error| self.noted(error))
    }

    /// Replaces the opening `generation` (unless another thread already did) with a new one.
    fn reopen(&self, generation: u64) -> Result<(), StorageError> {
        let mut slot = self.slot.write().unwrap_or_else(|e| e.into_inner());
        if slot.generation != generation && slot.database.is_some() {
            return Ok(());
        }
        if let Some(database) = slot.database.take() {
            // The file is in an unknown state after the failure: closing may well fail too.
            let _ = database.close();
        }
        slot.generation = generation + 1;
        let database =
            open_file(&self.path, self.cache_bytes).map_err(|error| self.noted(error))?;
        slot.database = Some(database);
        tracing::info!(path = %self.path.display(), "reopened the database after an I/O failure");
        Ok(())
    }

    /// Notes an I/O failure of opening `generation` and closes it, so the next transaction
    /// reopens the file.
    fn failed(&self, generation: u64, error: StorageError) -> StorageError {
        let error = self.noted(error);
        if error.is_unavailable() {
            let mut slot = self.slot.write().unwrap_or_else(|e| e.into_inner());
            if slot.generation == generation
                && let Some(database) = slot.database.take()
            {
                let _ = database.close();
            }
        }
        error
    }

    /// Keeps the reason of an I/O failure for `/healthz`.
    fn noted(&self, error: StorageError) -> StorageError {
        if error.is_unavailable() {
            tracing::error!(%error, "the database cannot be written");
            *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(error.to_string());
        }
        error
    }
}

fn open_file(path: &Path, cache_bytes: usize) -> Result<Database, StorageError> {
    private_files::open_file(path, false)
        .map_err(|e| StorageError::Unavailable(format!("{}: {e}", path.display())))?;
    Ok(Builder::new().set_cache_size(cache_bytes).create(path)?)
}
