//! The catalog table: orderable items keyed by item GUID.

use redb::TableDefinition;

use super::hot_records::Hot;
use super::{RecordTable, StorageError, Store, get_record, put_record};
use echo_domain::catalog::CatalogItem;

const CATALOG_ITEMS: RecordTable = TableDefinition::new("catalog_items");

pub(super) const TABLES: &[RecordTable] = &[CATALOG_ITEMS];

impl Store {
    /// Stores (or replaces) a batch of items in one transaction.
    pub fn put_catalog_items(&self, items: &[CatalogItem]) -> Result<(), StorageError> {
        self.write_hot(Hot::Catalog, |tx| {
            items
                .iter()
                .try_for_each(|item| put_record(tx, CATALOG_ITEMS, &item.item_guid, item))
        })
    }

    /// A catalog item (cached, see `hot_records`: an order's items are looked up inside its
    /// write, on the committer).
    pub fn catalog_item(&self, item_guid: &str) -> Result<Option<CatalogItem>, StorageError> {
        self.hot.get(Hot::Catalog, item_guid, || {
            get_record(&self.read()?, CATALOG_ITEMS, item_guid)
        })
    }
}
