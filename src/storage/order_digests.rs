//! Idempotency keys of order creation: a client's `digest` (ECHO REST's hash of the request
//! and the user), per user, maps to the order it created. The mapping commits in the same
//! transaction as the order, so a retry after a crash or a lost answer finds the order the
//! first try made instead of making another.

use redb::TableDefinition;

use super::orders::{ChangeOrigin, OrderChange, insert_new};
use super::{RecordTable, StorageError, Store, get_record_for_update, put_record};
use echo_domain::guid::Guid;

/// `user GUID/digest` → order GUID.
const ORDER_DIGESTS: RecordTable = TableDefinition::new("order_digests");

pub(super) const TABLES: &[RecordTable] = &[ORDER_DIGESTS];

impl Store {
    /// Stores the new order unless `owner` already created one with `digest`; returns the
    /// GUID of the order the digest names (the existing one, or the new one).
    pub fn insert_order_once(
        &self,
        owner: &Guid,
        digest: &str,
        change: OrderChange,
        origin: ChangeOrigin<'_>,
    ) -> Result<Guid, StorageError> {
        let key = format!("{owner}/{digest}");
        self.write(|tx| {
            if let Some(existing) = get_record_for_update::<Guid>(tx, ORDER_DIGESTS, &key)? {
                return Ok(existing);
            }
            let guid = change.order.guid.clone();
            insert_new(tx, &change, &origin)?;
            put_record(tx, ORDER_DIGESTS, &key, &guid)?;
            Ok(guid)
        })
    }
}
