//! Users' stored preferences (ECHO REST's `users/<id>/preferences`), one record per user.

use redb::TableDefinition;

use super::{RecordTable, StorageError, Store, get_record, put_record};
use echo_domain::guid::Guid;
use echo_domain::preferences::Preferences;

/// user GUID → preferences.
const PREFERENCES: RecordTable = TableDefinition::new("preferences");

pub(super) const TABLES: &[RecordTable] = &[PREFERENCES];

impl Store {
    pub fn preferences(&self, user: &Guid) -> Result<Option<Preferences>, StorageError> {
        get_record(&self.read()?, PREFERENCES, user.as_str())
    }

    pub fn put_preferences(
        &self,
        user: &Guid,
        preferences: &Preferences,
    ) -> Result<(), StorageError> {
        self.write(|tx| put_record(tx, PREFERENCES, user.as_str(), preferences))
    }
}
