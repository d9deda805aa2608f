//! Option definitions, their assignments to collections, and the durable queue of orders to
//! invalidate after a definition is removed.

use redb::{ReadableTable, TableDefinition};

use super::{
    RecordTable, StorageError, Store, all_records, decode, get_record, get_record_for_update,
    put_record,
};
use echo_domain::guid::Guid;
use echo_domain::option_definition::{OptionAssignment, OptionDefinition};

const DEFINITIONS: RecordTable = TableDefinition::new("option_definitions");
/// `provider/name` → definition GUID.
const DEFINITION_NAMES: RecordTable = TableDefinition::new("option_definition_names");
/// `collection/definition` → assignment.
const ASSIGNMENTS: RecordTable = TableDefinition::new("option_assignments");
/// Removed definitions whose orders still have to be invalidated: GUID → definition.
const REMOVED_DEFINITIONS: RecordTable = TableDefinition::new("removed_option_definitions");

pub(super) const TABLES: &[RecordTable] = &[
    DEFINITIONS,
    DEFINITION_NAMES,
    ASSIGNMENTS,
    REMOVED_DEFINITIONS,
];

impl Store {
    /// Adds definitions in one transaction; names must be new within their provider.
    pub fn add_option_definitions(
        &self,
        definitions: &[OptionDefinition],
    ) -> Result<(), StorageError> {
        self.write(|tx| {
            for definition in definitions {
                let name_key = name_key(definition);
                if get_record_for_update::<Guid>(tx, DEFINITION_NAMES, &name_key)?.is_some() {
                    return Err(StorageError::AlreadyExists(format!(
                        "option definition [{}]",
                        definition.name
                    )));
                }
                put_record(tx, DEFINITION_NAMES, &name_key, &definition.guid)?;
                put_record(tx, DEFINITIONS, definition.guid.as_str(), definition)?;
            }
            Ok(())
        })
    }

    pub fn option_definition(&self, guid: &str) -> Result<Option<OptionDefinition>, StorageError> {
        get_record(&self.read()?, DEFINITIONS, guid)
    }

    pub fn option_definitions(&self) -> Result<Vec<OptionDefinition>, StorageError> {
        all_records(&self.read()?, DEFINITIONS)
    }

    /// Replaces a stored definition (deprecation is the only change definitions allow).
    pub fn put_option_definition(&self, definition: &OptionDefinition) -> Result<(), StorageError> {
        self.write(|tx| put_record(tx, DEFINITIONS, definition.guid.as_str(), definition))
    }

    /// Removes a definition and its assignments, and queues the invalidation of the orders
    /// using it, in one transaction.
    pub fn remove_option_definition(
        &self,
        definition: &OptionDefinition,
    ) -> Result<(), StorageError> {
        self.write(|tx| {
            let guid = definition.guid.as_str();
            tx.open_table(DEFINITIONS)?.remove(guid)?;
            tx.open_table(DEFINITION_NAMES)?
                .remove(name_key(definition).as_str())?;
            let mut assignments = tx.open_table(ASSIGNMENTS)?;
            let keys: Vec<String> = assignments
                .iter()?
                .filter_map(Result::ok)
                .map(|(key, _)| key.value().to_owned())
                .filter(|key| key.ends_with(&format!("/{guid}")))
                .collect();
            for key in keys {
                assignments.remove(key.as_str())?;
            }
            put_record(tx, REMOVED_DEFINITIONS, guid, definition)
        })
    }

    /// Removed definitions whose orders are still to be invalidated.
    pub fn removed_option_definitions(&self) -> Result<Vec<OptionDefinition>, StorageError> {
        all_records(&self.read()?, REMOVED_DEFINITIONS)
    }

    /// Marks the invalidation after removing `guid` as finished.
    pub fn finish_removed_option_definition(&self, guid: &str) -> Result<(), StorageError> {
        self.write(|tx| {
            tx.open_table(REMOVED_DEFINITIONS)?.remove(guid)?;
            Ok(())
        })
    }

    pub fn add_option_assignments(
        &self,
        assignments: &[OptionAssignment],
    ) -> Result<(), StorageError> {
        self.write(|tx| {
            assignments
                .iter()
                .try_for_each(|a| put_record(tx, ASSIGNMENTS, &assignment_key(a), a))
        })
    }

    /// Removes assignments; true for each that existed.
    pub fn remove_option_assignments(
        &self,
        assignments: &[OptionAssignment],
    ) -> Result<(), StorageError> {
        self.write(|tx| {
            let mut table = tx.open_table(ASSIGNMENTS)?;
            for assignment in assignments {
                table.remove(assignment_key(assignment).as_str())?;
            }
            Ok(())
        })
    }

    /// The assignments of one collection.
    pub fn option_assignments_of(
        &self,
        collection: &str,
    ) -> Result<Vec<OptionAssignment>, StorageError> {
        let tx = self.read()?;
        let table = tx.open_table(ASSIGNMENTS)?;
        let prefix = format!("{collection}/");
        let mut found = Vec::new();
        for entry in table.range(prefix.as_str()..)? {
            let (key, value) = entry?;
            if !key.value().starts_with(&prefix) {
                break;
            }
            found.push(decode(value.value())?);
        }
        Ok(found)
    }

    pub fn option_assignments(&self) -> Result<Vec<OptionAssignment>, StorageError> {
        all_records(&self.read()?, ASSIGNMENTS)
    }
}

fn name_key(definition: &OptionDefinition) -> String {
    format!("{}/{}", definition.provider, definition.name)
}

fn assignment_key(assignment: &OptionAssignment) -> String {
    format!("{}/{}", assignment.collection_id, assignment.definition)
}
