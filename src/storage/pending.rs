//! The pending index: one row per delivery still to be made, keyed by outbox id, whose value is
//! a compact schedule record — when the next try is due and which provider order the delivery
//! belongs to. The delivery worker builds its schedule from these rows alone (at start-up all
//! of them, then those each durable commit adds), without decoding outbox entries or statuses
//! (attempt histories, partners' answers), so a restart with a large backlog reads little.
//!
//! Layout (little-endian): a layout byte (1), the due time in Unix milliseconds (8 bytes), the
//! order GUID's length (2 bytes), the order GUID, then the provider GUID (the rest), both UTF-8.
//! Rows written before this layout existed have an empty value; they are read through their
//! entry and status instead, and take the layout with their next status change, so no
//! migration is needed.

use echo_domain::guid::Guid;
use echo_domain::order::ProviderOrderKey;
use echo_domain::timestamp::Timestamp;
use serde::Deserialize;
use serde::de::IntoDeserializer;
use serde::de::value::{Error as ValueError, StrDeserializer};

/// The layout byte of the record below.
const LAYOUT: u8 = 1;
/// Bytes before the order GUID: layout, due time, order GUID length.
const HEADER: usize = 1 + 8 + 2;

/// A delivery still to be made, as the schedule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDelivery {
    pub id: u64,
    pub provider_order: ProviderOrderKey,
    /// When its next try is due (the persisted time).
    pub due: Timestamp,
}

/// The index value of a pending delivery of `key` due at `due` (empty, the form read through
/// the entry, for an order GUID too long for the layout, which no GUID is).
pub(super) fn encode(key: &ProviderOrderKey, due: Timestamp) -> Vec<u8> {
    let (order, provider) = (key.order_guid.as_str(), key.provider_guid.as_str());
    let Ok(order_length) = u16::try_from(order.len()) else {
        return Vec::new();
    };
    let mut value = Vec::with_capacity(HEADER + order.len() + provider.len());
    value.push(LAYOUT);
    value.extend_from_slice(&due.millis().to_le_bytes());
    value.extend_from_slice(&order_length.to_le_bytes());
    value.extend_from_slice(order.as_bytes());
    value.extend_from_slice(provider.as_bytes());
    value
}

/// The record of index row `id`; `None` for a row without one (written before the layout) or
/// one that does not read as the layout.
pub(super) fn decode(id: u64, value: &[u8]) -> Option<PendingDelivery> {
    let (&layout, rest) = value.split_first()?;
    if layout != LAYOUT || rest.len() < HEADER - 1 {
        return None;
    }
    let (due, rest) = rest.split_at(8);
    let (length, rest) = rest.split_at(2);
    let due = i64::from_le_bytes(due.try_into().ok()?);
    let length = usize::from(u16::from_le_bytes(length.try_into().ok()?));
    let (order, provider) = rest.split_at_checked(length)?;
    Some(PendingDelivery {
        id,
        provider_order: ProviderOrderKey {
            order_guid: guid(order)?,
            provider_guid: guid(provider)?,
        },
        due: Timestamp::from_millis(due),
    })
}

/// A stored GUID as it was written (stored GUIDs are not re-validated, as with JSON records).
fn guid(bytes: &[u8]) -> Option<Guid> {
    let text = std::str::from_utf8(bytes).ok()?;
    let deserializer: StrDeserializer<'_, ValueError> = text.into_deserializer();
    Guid::deserialize(deserializer).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::Store;
    use crate::storage::outbox::{PENDING, append_entry};
    use echo_domain::outbox::DeliveryRequest;
    use echo_domain::policy::Transaction;

    #[test]
    fn rows_from_before_the_layout_are_read_through_entry_and_status() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let now = Timestamp::from_millis(1_700_000_000_000);
        let queue = |key: &ProviderOrderKey| {
            let request = DeliveryRequest {
                provider_order: key.clone(),
                transaction: Transaction::Submit,
            };
            store
                .write(|tx| append_entry(tx, request.clone(), Guid::random(), now))
                .expect("queued")
        };
        let key = || ProviderOrderKey {
            order_guid: Guid::random(),
            provider_guid: Guid::random(),
        };
        let (old_key, new_key) = (key(), key());
        let (old, new) = (queue(&old_key), queue(&new_key));
        store
            .write(|tx| {
                let mut index = tx.open_table(PENDING)?;
                index.insert(old, [].as_slice())?;
                Ok::<_, crate::storage::StorageError>(())
            })
            .expect("an old-style row");
        let (found, through) = store.pending_after(0, &[]).expect("pending");
        let expected = |id, provider_order| PendingDelivery {
            id,
            provider_order,
            due: now,
        };
        assert_eq!(found, vec![expected(old, old_key), expected(new, new_key)]);
        assert_eq!(through, new);
    }

    #[test]
    fn a_record_reads_back_and_anything_else_reads_as_none() {
        let key = ProviderOrderKey {
            order_guid: Guid::random(),
            provider_guid: Guid::random(),
        };
        let due = Timestamp::from_millis(1_700_000_000_123);
        let value = encode(&key, due);
        let expected = PendingDelivery {
            id: 7,
            provider_order: key,
            due,
        };
        assert_eq!(decode(7, &value), Some(expected));
        assert_eq!(decode(7, &[]), None, "a row from before the layout");
        for cut in 1..HEADER + 36 {
            assert_eq!(decode(7, &value[..cut]), None, "cut at {cut}");
        }
        let mut other = value.clone();
        other[0] = 2;
        assert_eq!(decode(7, &other), None, "an unknown layout");
    }
}
