//! The outbox tables and the writes every change that owes a delivery makes: an entry, its
//! status, and the `pending` index the worker reads (so it never scans history; its rows hold
//! compact schedule records, see `pending`). Order changes (`orders`) and delivery records
//! (`deliveries`) both write through here.

use redb::{TableDefinition, WriteTransaction};

use super::{SequenceTable, StorageError, encode, next_sequence, pending};
use echo_domain::delivery::{DeliveryState, DeliveryStatus};
use echo_domain::guid::Guid;
use echo_domain::outbox::{DeliveryRequest, OutboxEntry};
use echo_domain::timestamp::Timestamp;

pub(super) const OUTBOX: SequenceTable = TableDefinition::new("outbox");
pub(super) const STATUS: SequenceTable = TableDefinition::new("delivery_status");
pub(super) const PENDING: SequenceTable = TableDefinition::new("deliveries_pending");

pub(super) const TABLES: &[SequenceTable] = &[OUTBOX, STATUS, PENDING];

/// Adds an outbox entry, due now, inside the order change's transaction.
pub(super) fn enqueue(
    tx: &WriteTransaction,
    request: &DeliveryRequest,
    now: Timestamp,
) -> Result<(), StorageError> {
    append_entry(tx, request.clone(), Guid::time_ordered(), now).map(|_| ())
}

pub(super) fn append_entry(
    tx: &WriteTransaction,
    request: DeliveryRequest,
    idempotency_key: Guid,
    now: Timestamp,
) -> Result<u64, StorageError> {
    let id = next_sequence(tx, OUTBOX)?;
    let entry = OutboxEntry {
        id,
        provider_order: request.provider_order,
        transaction: request.transaction,
        idempotency_key,
        created: now,
    };
    tx.open_table(OUTBOX)?
        .insert(id, encode(&entry)?.as_slice())?;
    put_status(tx, &entry, &DeliveryStatus::new(now))?;
    Ok(id)
}

/// Stores `entry`'s status and keeps its row of the pending index in step.
pub(super) fn put_status(
    tx: &WriteTransaction,
    entry: &OutboxEntry,
    status: &DeliveryStatus,
) -> Result<(), StorageError> {
    let id = entry.id;
    tx.open_table(STATUS)?
        .insert(id, encode(status)?.as_slice())?;
    let mut pending = tx.open_table(PENDING)?;
    if status.state == DeliveryState::Pending {
        let record = pending::encode(&entry.provider_order, status.next_attempt);
        pending.insert(id, record.as_slice())?;
    } else {
        pending.remove(id)?;
    }
    Ok(())
}
