//! The registry of order-management systems (OMS), keyed by their integer id. Its changes
//! (which append catch-up events to feeds) are in `oms_catch_up`.

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::{SequenceTable, StorageError, Store, decode, encode, next_sequence};
use echo_domain::oms::Oms;

const OMSES: SequenceTable = TableDefinition::new("omses");
/// The highest id ever given, so a removed OMS's id is never reused.
const LAST_ID: SequenceTable = TableDefinition::new("oms_last_id");

pub(super) const TABLES: &[SequenceTable] = &[OMSES, LAST_ID];

impl Store {
    /// Every registered OMS, by id.
    pub fn omses(&self) -> Result<Vec<Oms>, StorageError> {
        decode_values(&self.read()?.open_table(OMSES)?)
    }
}

/// Every registered OMS, read inside a write transaction.
pub(super) fn omses_in(tx: &WriteTransaction) -> Result<Vec<Oms>, StorageError> {
    decode_values(&tx.open_table(OMSES)?)
}

/// Decodes every value of a table keyed by integers, in key order.
pub(super) fn decode_values<K: redb::Key + 'static, T: serde::de::DeserializeOwned>(
    table: &impl ReadableTable<K, &'static [u8]>,
) -> Result<Vec<T>, StorageError> {
    let mut values = Vec::new();
    for entry in table.iter()? {
        values.push(decode(entry?.1.value())?);
    }
    Ok(values)
}

/// The next OMS id; a removed OMS's id is never given again.
pub(super) fn new_id(tx: &WriteTransaction) -> Result<u64, StorageError> {
    let id = next_sequence(tx, LAST_ID)?;
    tx.open_table(LAST_ID)?.insert(id, [].as_slice())?;
    Ok(id)
}

pub(super) fn remove_oms(tx: &WriteTransaction, id: u64) -> Result<(), StorageError> {
    tx.open_table(OMSES)?.remove(id)?;
    Ok(())
}

pub(super) fn put_oms(tx: &WriteTransaction, oms: &Oms) -> Result<(), StorageError> {
    tx.open_table(OMSES)?
        .insert(oms.id, encode(oms)?.as_slice())?;
    Ok(())
}
