//! The registry of order-management systems (OMS), keyed by their integer id.

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::oms_catch_up::announce;
use super::{SequenceTable, StorageError, Store, decode, encode, next_sequence};
use echo_domain::oms::Oms;

const OMSES: SequenceTable = TableDefinition::new("omses");
/// The highest id ever given, so a removed OMS's id is never reused.
const LAST_ID: SequenceTable = TableDefinition::new("oms_last_id");

pub(super) const TABLES: &[SequenceTable] = &[OMSES, LAST_ID];

impl Store {
    /// Stores a new OMS under the next id; `check` sees the registered ones first (so rules
    /// such as "one default OMS" hold under concurrent registrations). The new OMS's feed
    /// starts with what it can see already (`oms_catch_up`).
    pub fn add_oms<E: From<StorageError>>(
        &self,
        mut oms: Oms,
        check: impl FnOnce(&Oms, &[Oms]) -> Result<(), E>,
    ) -> Result<Oms, E> {
        self.write(|tx| {
            oms.id = next_sequence(tx, LAST_ID)?;
            tx.open_table(LAST_ID)
                .map_err(StorageError::from)?
                .insert(oms.id, [].as_slice())
                .map_err(StorageError::from)?;
            let before = omses_in(tx)?;
            check(&oms, &before)?;
            put_oms(tx, &oms)?;
            announce(tx, &before, &omses_in(tx)?)?;
            Ok(oms)
        })
    }

    /// Reads the OMS `id` and every registered OMS, lets `change` compute its new version
    /// (`None`: remove it), and commits, all in one transaction, with the catch-up events of
    /// what the change lets an OMS see (`oms_catch_up`).
    pub fn update_oms<E: From<StorageError>>(
        &self,
        id: u64,
        change: impl FnOnce(Oms, &[Oms]) -> Result<Option<Oms>, E>,
    ) -> Result<(), E> {
        self.write(|tx| {
            let all = omses_in(tx)?;
            let current = all
                .iter()
                .find(|o| o.id == id)
                .cloned()
                .ok_or_else(|| StorageError::NotFound(format!("OMS [{id}]")))?;
            match change(current, &all)? {
                Some(oms) => put_oms(tx, &oms)?,
                None => remove_oms(tx, id)?,
            }
            announce(tx, &all, &omses_in(tx)?)?;
            Ok(())
        })
    }

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

fn remove_oms(tx: &WriteTransaction, id: u64) -> Result<(), StorageError> {
    tx.open_table(OMSES)?.remove(id)?;
    Ok(())
}

fn put_oms(tx: &WriteTransaction, oms: &Oms) -> Result<(), StorageError> {
    tx.open_table(OMSES)?
        .insert(oms.id, encode(oms)?.as_slice())?;
    Ok(())
}
