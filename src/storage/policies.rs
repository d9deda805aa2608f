//! The table of provider policies, keyed by provider GUID.

use redb::TableDefinition;

use super::hot_records::Hot;
use super::{RecordTable, StorageError, Store, get_record, get_record_for_update, put_record};
use echo_domain::policy::PolicyRecord;

const POLICIES: RecordTable = TableDefinition::new("provider_policies");

pub(super) const TABLES: &[RecordTable] = &[POLICIES];

impl Store {
    pub fn policies(&self, provider: &str) -> Result<Option<PolicyRecord>, StorageError> {
        self.hot.get(Hot::Policies, provider, || {
            get_record(&self.read()?, POLICIES, provider)
        })
    }

    /// Reads the stored record, lets `change` compute the new one, and writes it, all in one
    /// transaction so concurrent updates cannot interleave.
    pub fn update_policies<E: From<StorageError> + Send>(
        &self,
        provider: &str,
        mut change: impl FnMut(Option<PolicyRecord>) -> Result<PolicyRecord, E> + Send,
    ) -> Result<PolicyRecord, E> {
        self.write_hot(Hot::Policies, |tx| {
            let previous = get_record_for_update(tx, POLICIES, provider)?;
            let record = change(previous)?;
            put_record(tx, POLICIES, provider, &record)?;
            Ok(record)
        })
    }

    /// Removes a provider's policies; true when there were any.
    pub fn remove_policies(&self, provider: &str) -> Result<bool, StorageError> {
        self.write_hot(Hot::Policies, |tx| {
            Ok(tx.open_table(POLICIES)?.remove(provider)?.is_some())
        })
    }
}
