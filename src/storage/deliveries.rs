//! The delivery outbox and each delivery's status. Outbox entries are written with the order
//! change that owes them; the status (attempts, next try) beside them; `pending` indexes the
//! deliveries still to be made, so the worker never scans history.

use redb::{ReadTransaction, ReadableTable, TableDefinition, WriteTransaction};

use super::orders::update_order_in;
use super::outbox::{OUTBOX, PENDING, STATUS, append_entry, put_status};
use super::pending::{self, PendingDelivery};
use super::{
    ChangeOrigin, OrderChange, SequenceTable, StorageError, Store, decode, sequence_records,
};
use echo_domain::delivery::{Delivery, DeliveryState, DeliveryStatus};
use echo_domain::fulfillment::FulfillmentRequest;
use echo_domain::guid::Guid;
use echo_domain::order::Order;
use echo_domain::outbox::{DeliveryRequest, OutboxEntry};
use echo_domain::timestamp::Timestamp;

/// Requests relayed for an upstream broker (inbound OrderFulfillment), by outbox id.
pub(super) const RELAYED: SequenceTable = TableDefinition::new("relayed_requests");

pub(super) const TABLES: &[SequenceTable] = &[RELAYED];

/// A relayed request as stored: the body to send, or, in rows written before bodies were
/// stored, the request as a JSON record.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredRelay {
    Body(String),
    Request(Box<FulfillmentRequest>),
}

/// Tells the two layouts of [`StoredRelay`] apart by their first byte: a JSON record begins
/// with `{`, a body (an XML envelope) never does.
fn stored_relay(bytes: &[u8]) -> Result<StoredRelay, StorageError> {
    if bytes.first() == Some(&b'{') {
        return decode(bytes).map(|request| StoredRelay::Request(Box::new(request)));
    }
    String::from_utf8(bytes.to_vec())
        .map(StoredRelay::Body)
        .map_err(|e| StorageError::Corrupt(e.to_string()))
}

/// A relayed request in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relayed {
    /// Its delivery id.
    pub id: u64,
    /// Whether its idempotency key was seen before (so it may have been answered already).
    pub repeated: bool,
}

impl Store {
    /// Queues a request relayed for an upstream broker as `delivery`, to be sent as `body`
    /// (the request as the partner's protocol writes it), keeping its idempotency `key` end
    /// to end; a request whose key was seen before is not queued again (see `relay_keys`).
    /// Waits for the durable commit without holding a thread: the relay is the gateway's
    /// busiest write.
    pub async fn enqueue_relay(
        &self,
        key: Guid,
        delivery: DeliveryRequest,
        body: String,
    ) -> Result<Relayed, StorageError> {
        let keys = self.relay_keys.clone();
        let queued_key = key.clone();
        let relayed = self
            .commits
            .write_owned(move |tx| -> Result<Relayed, StorageError> {
                if let Some(id) = keys.find(tx, &key)? {
                    return Ok(Relayed { id, repeated: true });
                }
                let id = append_entry(tx, delivery.clone(), key.clone(), Timestamp::now())?;
                tx.open_table(RELAYED)?.insert(id, body.as_bytes())?;
                keys.remember(key.clone(), id);
                Ok(Relayed {
                    id,
                    repeated: false,
                })
            })
            .await?;
        if !relayed.repeated {
            self.relay_keys.committed(&queued_key, relayed.id);
            self.relay_keys.merge_step(&self.commits);
        }
        Ok(relayed)
    }

    /// The relayed request behind a delivery, when it is a relay.
    pub fn relayed_request(&self, id: u64) -> Result<Option<StoredRelay>, StorageError> {
        let tx = self.read()?;
        let table = tx.open_table(RELAYED)?;
        table.get(id)?.map(|v| stored_relay(v.value())).transpose()
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

    /// The last outbox id a durable commit holds: deliveries queued up to here may be sent.
    pub fn durable_outbox(&self) -> u64 {
        self.commits.durable_outbox()
    }

    /// What the delivery worker's schedule has not seen yet: the pending deliveries queued by
    /// durable commits after outbox id `after` (all of them when 0), and those of `returned`
    /// still pending (deliveries made pending again, such as an operator's retry). Returns
    /// them with the outbox id they go up to. Nothing beyond the last durable commit is read,
    /// so nothing a crash could take back gets sent. Only the pending index's compact records
    /// are read (see `pending`).
    pub fn pending_after(
        &self,
        after: u64,
        returned: &[u64],
    ) -> Result<(Vec<PendingDelivery>, u64), StorageError> {
        let through = self.commits.durable_outbox().max(after);
        let tx = self.read()?;
        let index = tx.open_table(PENDING)?;
        let mut found = Vec::with_capacity(returned.len());
        for &id in returned {
            if let Some(row) = index.get(id)? {
                found.push(pending_in(&tx, id, row.value())?);
            }
        }
        if through > after {
            for row in index.range(after + 1..=through)? {
                let (id, value) = row?;
                found.push(pending_in(&tx, id.value(), value.value())?);
            }
        }
        Ok((found.into_iter().flatten().collect(), through))
    }

    /// Records a new status (a failed try rescheduled, or a wait for a suspension). Waits for
    /// the durable commit without holding a thread: the delivery worker's write.
    pub async fn put_delivery_status(
        &self,
        entry: OutboxEntry,
        status: DeliveryStatus,
    ) -> Result<(), StorageError> {
        self.commits
            .write_owned(move |tx| put_status(tx, &entry, &status))
            .await
    }

    /// Records a delivery's new status and the order change it causes in one transaction:
    /// the partner's answer (or the last failure, or an operator's retry) and its effect on
    /// the order commit together. The change is the provider's, by `operation`.
    pub fn settle_delivery<E: From<StorageError> + Send>(
        &self,
        entry: OutboxEntry,
        status: DeliveryStatus,
        operation: &'static str,
        edit: impl FnMut(Order) -> Result<OrderChange, E> + Send,
    ) -> Result<(), E> {
        self.write(settling(entry, status, operation, edit))
    }

    /// [`Store::settle_delivery`] waiting for the durable commit without holding a thread:
    /// the delivery worker's write.
    pub async fn settle_delivery_owned<E: From<StorageError> + Send + 'static>(
        &self,
        entry: OutboxEntry,
        status: DeliveryStatus,
        operation: &'static str,
        edit: impl FnMut(Order) -> Result<OrderChange, E> + Send + 'static,
    ) -> Result<(), E> {
        self.commits
            .write_owned(settling(entry, status, operation, edit))
            .await
    }
}

/// The write of [`Store::settle_delivery`].
fn settling<E: From<StorageError>>(
    entry: OutboxEntry,
    status: DeliveryStatus,
    operation: &'static str,
    mut edit: impl FnMut(Order) -> Result<OrderChange, E>,
) -> impl FnMut(&WriteTransaction) -> Result<(), E> {
    move |tx| {
        let provider = &entry.provider_order;
        let origin = ChangeOrigin {
            actor: &provider.provider_guid,
            operation,
            oms: None,
        };
        update_order_in(tx, provider.order_guid.as_str(), &origin, &mut edit)?;
        put_status(tx, &entry, &status).map_err(E::from)
    }
}

/// The schedule record of pending index row `id`: its compact value, or for a row written
/// before the compact layout, what its entry and status say.
fn pending_in(
    tx: &ReadTransaction,
    id: u64,
    value: &[u8],
) -> Result<Option<PendingDelivery>, StorageError> {
    if let Some(record) = pending::decode(id, value) {
        return Ok(Some(record));
    }
    Ok(delivery_in(tx, id)?
        .filter(|d| d.status.state == DeliveryState::Pending)
        .map(|d| PendingDelivery {
            id,
            provider_order: d.entry.provider_order,
            due: d.status.next_attempt,
        }))
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

#[cfg(test)]
mod tests {
    use super::*;
    use echo_domain::order::ProviderOrderKey;
    use echo_domain::policy::Transaction;

    #[test]
    fn a_relayed_request_reads_back_from_either_layout() {
        let request = FulfillmentRequest {
            transaction: Transaction::Submit,
            idempotency_key: Guid::random(),
            provider_order: ProviderOrderKey {
                order_guid: Guid::random(),
                provider_guid: Guid::random(),
            },
            provider_tracking_id: None,
            notify_level: None,
            client_identity: None,
            user_information: Default::default(),
            items: Vec::new(),
            properties: None,
        };
        let legacy = super::super::encode(&request).expect("JSON record");
        assert_eq!(
            stored_relay(&legacy).expect("legacy row"),
            StoredRelay::Request(Box::new(request))
        );
        let body = "<soapenv:Envelope/>";
        assert_eq!(
            stored_relay(body.as_bytes()).expect("body row"),
            StoredRelay::Body(body.into())
        );
        assert!(stored_relay(&[0xff, 0xfe]).is_err(), "not UTF-8");
    }
}
