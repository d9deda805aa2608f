//! The delivery outbox and each delivery's status. Outbox entries are written with the order
//! change that owes them; the status (attempts, next try) beside them; `pending` indexes the
//! deliveries still to be made, so the worker never scans history.

use redb::{ReadTransaction, ReadableTable, TableDefinition};

use super::orders::update_order_in;
use super::outbox::{OUTBOX, PENDING, STATUS, append_entry, put_status};
use super::{
    ChangeOrigin, OrderChange, RecordTable, SequenceTable, StorageError, Store, decode, encode,
    get_record_for_update, put_record, sequence_records,
};
use echo_domain::delivery::{Delivery, DeliveryState, DeliveryStatus};
use echo_domain::fulfillment::FulfillmentRequest;
use echo_domain::order::Order;
use echo_domain::outbox::{DeliveryRequest, OutboxEntry};
use echo_domain::timestamp::Timestamp;

/// Requests relayed for an upstream broker (inbound OrderFulfillment), by outbox id.
const RELAYED: SequenceTable = TableDefinition::new("relayed_requests");
/// Upstream idempotency key → outbox id, so a repeated relay request is not sent twice.
const RELAY_KEYS: RecordTable = TableDefinition::new("relay_keys");

pub(super) const TABLES: &[SequenceTable] = &[RELAYED];
pub(super) const RECORD_TABLES: &[RecordTable] = &[RELAY_KEYS];

/// A relayed request in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    /// Its delivery id.
    pub id: u64,
    /// Whether its idempotency key was seen before (so it may have been answered already).
    pub repeated: bool,
}

impl Store {
    /// Queues a request relayed for an upstream broker, keeping its idempotency key end to
    /// end; a request whose key was seen before is not queued again.
    pub fn enqueue_relay(&self, request: &FulfillmentRequest) -> Result<Relayed, StorageError> {
        let key = request.idempotency_key.as_str();
        self.write(|tx| {
            if let Some(id) = get_record_for_update::<u64>(tx, RELAY_KEYS, key)? {
                return Ok(Relayed { id, repeated: true });
            }
            let delivery = DeliveryRequest {
                provider_order: request.provider_order.clone(),
                transaction: request.transaction,
            };
            let key_guid = request.idempotency_key.clone();
            let id = append_entry(tx, delivery, key_guid, Timestamp::now())?;
            tx.open_table(RELAYED)?
                .insert(id, encode(request)?.as_slice())?;
            put_record(tx, RELAY_KEYS, key, &id)?;
            Ok(Relayed {
                id,
                repeated: false,
            })
        })
    }

    /// The relayed request behind a delivery, when it is a relay.
    pub fn relayed_request(&self, id: u64) -> Result<Option<FulfillmentRequest>, StorageError> {
        let tx = self.read()?;
        let table = tx.open_table(RELAYED)?;
        table.get(id)?.map(|v| decode(v.value())).transpose()
    }

    /// Every outbox entry, oldest first.
    pub fn outbox(&self) -> Result<Vec<OutboxEntry>, StorageError> {
        sequence_records(&self.read()?, OUTBOX, 0)
    }

    /// One delivery with its status.
    pub fn delivery(&self, id: u64) -> Result<Option<Delivery>, StorageError> {
        delivery_in(&self.read()?, id)
    }

    /// Every delivery, oldest first (one consistent snapshot).
    pub fn deliveries(&self) -> Result<Vec<Delivery>, StorageError> {
        let tx = self.read()?;
        let ids = keys(&tx, STATUS)?;
        ids.into_iter()
            .filter_map(|id| delivery_in(&tx, id).transpose())
            .collect()
    }

    /// Deliveries still to be made, oldest first (one consistent snapshot).
    pub fn pending_deliveries(&self) -> Result<Vec<Delivery>, StorageError> {
        let tx = self.read()?;
        let ids = keys(&tx, PENDING)?;
        ids.into_iter()
            .filter_map(|id| delivery_in(&tx, id).transpose())
            .collect()
    }

    /// The last outbox id a durable commit holds: deliveries queued up to here may be sent.
    pub fn durable_outbox(&self) -> u64 {
        self.commits.durable_outbox()
    }

    /// What the delivery worker's schedule has not seen yet: the pending deliveries queued by
    /// durable commits after outbox id `after` (all of them when 0), and those of `returned`
    /// still pending (deliveries made pending again, such as an operator's retry). Returns
    /// them with the outbox id they go up to. Nothing beyond the last durable commit is read,
    /// so nothing a crash could take back gets sent.
    pub fn pending_after(
        &self,
        after: u64,
        returned: &[u64],
    ) -> Result<(Vec<Delivery>, u64), StorageError> {
        let through = self.commits.durable_outbox().max(after);
        let tx = self.read()?;
        let mut ids = returned.to_vec();
        if through > after {
            for entry in tx.open_table(PENDING)?.range(after + 1..=through)? {
                ids.push(entry?.0.value());
            }
        }
        let mut pending = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(delivery) = delivery_in(&tx, id)?
                && delivery.status.state == DeliveryState::Pending
            {
                pending.push(delivery);
            }
        }
        Ok((pending, through))
    }

    /// Records a new status (a failed try rescheduled, or a wait for a suspension).
    pub fn put_delivery_status(
        &self,
        id: u64,
        status: &DeliveryStatus,
    ) -> Result<(), StorageError> {
        self.write(|tx| put_status(tx, id, status))
    }

    /// Records a delivery's new status and the order change it causes in one transaction:
    /// the partner's answer (or the last failure) and its effect on the order commit together.
    pub fn settle_delivery<E: From<StorageError>>(
        &self,
        id: u64,
        status: &DeliveryStatus,
        origin: ChangeOrigin<'_>,
        order: &str,
        edit: impl FnOnce(Order) -> Result<OrderChange, E>,
    ) -> Result<(), E> {
        self.write(|tx| {
            update_order_in(tx, order, &origin, edit)?;
            put_status(tx, id, status).map_err(E::from)
        })
    }
}

fn delivery_in(tx: &ReadTransaction, id: u64) -> Result<Option<Delivery>, StorageError> {
    let (outbox, status) = (tx.open_table(OUTBOX)?, tx.open_table(STATUS)?);
    let (Some(entry), Some(state)) = (outbox.get(id)?, status.get(id)?) else {
        return Ok(None);
    };
    Ok(Some(Delivery {
        entry: decode(entry.value())?,
        status: decode(state.value())?,
    }))
}

fn keys(tx: &ReadTransaction, table: SequenceTable) -> Result<Vec<u64>, StorageError> {
    tx.open_table(table)?
        .iter()?
        .map(|entry| {
            entry
                .map(|(key, _)| key.value())
                .map_err(StorageError::from)
        })
        .collect()
}
