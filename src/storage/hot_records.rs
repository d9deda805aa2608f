//! A read-through cache of the records that nearly every request reads and hardly any
//! writes: tokens, users, providers and provider policies (a relayed request read four of
//! them, each in its own read transaction and JSON decode: a tenth of the request's work on
//! the tokio workers), and catalog items (AddOrderItems looks each up inside its write, on the
//! committer, which every write waits for).
//!
//! Each cached table has a generation, bumped once a write to that table has committed and
//! before the write returns (`Store::write_hot`). An entry counts only while its generation is
//! its table's current one, and a reader tags what it read with the generation it saw before
//! its read began: a value read across a write is never taken for current. So a read that
//! begins after a write returned (a token revoked, a policy changed) sees that write. All writes
//! go through this process's store (the CLI goes through the admin socket while the server
//! runs), so no write escapes the bump.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::StorageError;
use super::commit::lock;

/// The cached tables.
#[derive(Debug, Clone, Copy)]
pub(super) enum Hot {
    Tokens,
    Users,
    Providers,
    Policies,
    Catalog,
}

/// Entries kept per table; a full table starts again empty (hot records are few: a flood of
/// unknown keys, or a large catalog read at random, only costs the reads the cache would have
/// saved).
const CAPACITY: usize = 1024;

/// A cached value (an `Option<T>`: absence is cached too) and the generation it was read at.
type Entry = (u64, Box<dyn Any + Send + Sync>);

#[derive(Default)]
struct Table {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

/// The cache of every [`Hot`] table.
#[derive(Default)]
pub(super) struct HotRecords {
    tables: [Table; 5],
}

impl HotRecords {
    /// The record `key` of `table`: cached, or read with `read` and cached.
    pub(super) fn get<T: Clone + Send + Sync + 'static>(
        &self,
        table: Hot,
        key: &str,
        read: impl FnOnce() -> Result<Option<T>, StorageError>,
    ) -> Result<Option<T>, StorageError> {
        let table = &self.tables[table as usize];
        let generation = table.generation.load(Ordering::SeqCst);
        if let Some((cached, value)) = lock(&table.entries).get(key)
            && *cached == generation
            && let Some(value) = value.downcast_ref::<Option<T>>()
        {
            return Ok(value.clone());
        }
        let value = read()?;
        let mut entries = lock(&table.entries);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(key.to_owned(), (generation, Box::new(value.clone())));
        Ok(value)
    }

    /// A write to `table` has ended: what is cached of it no longer counts.
    pub(super) fn changed(&self, table: Hot) {
        self.tables[table as usize]
            .generation
            .fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::{Store, StoredToken};
    use echo_domain::account::{Role, User};
    use echo_domain::catalog::CatalogItem;
    use echo_domain::guid::Guid;
    use echo_domain::timestamp::Timestamp;

    #[test]
    fn a_read_after_a_write_sees_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let user = User {
            guid: Guid::random(),
            name: "reader".into(),
            role: Role::User,
            provider: None,
            password_hash: None,
            created: Timestamp::now(),
        };
        let token = StoredToken {
            user: user.guid.clone(),
            acting_provider: None,
            expires: Timestamp::now(),
            guest: false,
        };
        let user_guid = user.guid.as_str();
        assert_eq!(store.token("digest").unwrap(), None);
        store.put_token("digest", &token).unwrap();
        assert_eq!(store.token("digest").unwrap(), Some(token.clone()));
        store.remove_token("digest").unwrap();
        assert_eq!(store.token("digest").unwrap(), None, "revoked");

        assert_eq!(store.user(user_guid).unwrap(), None);
        store.add_user(&user).unwrap();
        assert_eq!(store.user(user_guid).unwrap(), Some(user.clone()));
        store
            .set_password_hash(&user.guid, Some("hash".into()))
            .unwrap();
        let changed = store.user(user_guid).unwrap().expect("user");
        assert_eq!(changed.password_hash.as_deref(), Some("hash"));

        let provider = Guid::random();
        assert_eq!(store.provider(provider.as_str()).unwrap(), None);
        store.add_provider("HOT", provider.clone(), None).unwrap();
        assert!(store.provider(provider.as_str()).unwrap().is_some());

        let mut item = CatalogItem {
            item_guid: "G1-HOT".into(),
            provider,
            collection_id: "C1-HOT".into(),
            dataset_id: "Hot".into(),
            granule_ur: "hot".into(),
            producer_granule_id: None,
            price: 1.0,
            orderable: true,
            deleted: false,
            metadata: None,
        };
        assert_eq!(store.catalog_item("G1-HOT").unwrap(), None);
        store
            .put_catalog_items(std::slice::from_ref(&item))
            .unwrap();
        assert_eq!(store.catalog_item("G1-HOT").unwrap(), Some(item.clone()));
        item.orderable = false;
        store
            .put_catalog_items(std::slice::from_ref(&item))
            .unwrap();
        assert_eq!(
            store.catalog_item("G1-HOT").unwrap(),
            Some(item),
            "replaced"
        );
    }

    fn get(hot: &HotRecords, value: &str, during_read: impl FnOnce()) -> Option<String> {
        hot.get(Hot::Policies, "key", || {
            during_read();
            Ok(Some(value.to_owned()))
        })
        .expect("read")
    }

    #[test]
    fn a_value_counts_until_its_table_changes() {
        let hot = HotRecords::default();
        assert_eq!(get(&hot, "first", || ()).as_deref(), Some("first"));
        assert_eq!(
            get(&hot, "unread", || ()).as_deref(),
            Some("first"),
            "cached"
        );
        hot.changed(Hot::Tokens);
        assert_eq!(
            get(&hot, "unread", || ()).as_deref(),
            Some("first"),
            "other table"
        );
        hot.changed(Hot::Policies);
        assert_eq!(
            get(&hot, "second", || ()).as_deref(),
            Some("second"),
            "read again"
        );
    }

    #[test]
    fn a_value_read_across_a_write_is_not_kept() {
        let hot = HotRecords::default();
        let old = get(&hot, "old", || hot.changed(Hot::Policies));
        assert_eq!(old.as_deref(), Some("old"));
        assert_eq!(get(&hot, "new", || ()).as_deref(), Some("new"));
    }
}
