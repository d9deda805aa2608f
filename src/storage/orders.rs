//! Orders, their indexes, the delivery outbox and the change log. Every order change is one
//! transaction: the order, its index entries, its outbox entries and its change record commit
//! together or not at all.

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::oms_feed::{self, OmsWrite};
use super::outbox;
use super::{
    RecordTable, SequenceTable, StorageError, Store, all_records, decode, encode, get_record,
    get_record_for_update, next_sequence, put_record, sequence_records,
};
use echo_domain::change_log::{ChangeRecord, StateChange, removal_changes, state_changes};
use echo_domain::guid::Guid;
use echo_domain::order::Order;
use echo_domain::outbox::DeliveryRequest;
use echo_domain::timestamp::Timestamp;

const ORDERS: RecordTable = TableDefinition::new("orders");
/// `owner/order` → order GUID: a user's orders.
const ORDERS_BY_OWNER: RecordTable = TableDefinition::new("orders_by_owner");
/// `provider/order` → order GUID: a provider's provider orders.
const ORDERS_BY_PROVIDER: RecordTable = TableDefinition::new("orders_by_provider");
/// order item GUID → order GUID.
const ORDER_ITEMS: RecordTable = TableDefinition::new("order_items");
/// (provider GUID, user GUID) pairs: users who ordered from a provider.
const PROVIDER_CUSTOMERS: RecordTable = TableDefinition::new("provider_customers");

const CHANGE_LOG: SequenceTable = TableDefinition::new("change_log");

pub(super) const TABLES: &[RecordTable] = &[
    ORDERS,
    ORDERS_BY_OWNER,
    ORDERS_BY_PROVIDER,
    ORDER_ITEMS,
    PROVIDER_CUSTOMERS,
];
pub(super) const SEQUENCE_TABLES: &[SequenceTable] = &[CHANGE_LOG];

/// What an operation wants committed with a new version of an order.
pub struct OrderChange {
    pub order: Order,
    pub deliveries: Vec<DeliveryRequest>,
}

/// Who changed an order, and through which operation.
#[derive(Clone, Copy)]
pub struct ChangeOrigin<'a> {
    pub actor: &'a Guid,
    pub operation: &'a str,
    /// The OMS whose Ordering API write this is (`None`: ECHO clients, partners, operators):
    /// its feed marks the change's events as its own (`exclude_own`) and its trigger is not
    /// fired by them.
    pub oms: Option<u64>,
}

impl Store {
    pub fn order(&self, guid: &str) -> Result<Option<Order>, StorageError> {
        get_record(&self.read()?, ORDERS, guid)
    }

    /// Stores a new order (its GUID must be new).
    pub fn insert_order(
        &self,
        change: OrderChange,
        origin: ChangeOrigin<'_>,
    ) -> Result<(), StorageError> {
        self.write(|tx| insert_new(tx, &change, &origin))
    }

    /// Stores many new orders in one transaction, each as [`Store::insert_order`] does, with
    /// their deliveries queued and due at `queued` (bulk loads: a large data directory for the
    /// benchmarks, or deliveries that wait for a partner). Nothing is stored when one fails.
    pub fn insert_orders(
        &self,
        changes: Vec<OrderChange>,
        origin: ChangeOrigin<'_>,
        queued: Timestamp,
    ) -> Result<(), StorageError> {
        self.write(|tx| {
            changes
                .iter()
                .try_for_each(|change| insert_new_at(tx, change, &origin, queued))
        })
    }

    /// Reads an order, lets `edit` compute the change, and commits it, all in one transaction.
    pub fn update_order<E: From<StorageError> + Send>(
        &self,
        guid: &str,
        origin: ChangeOrigin<'_>,
        mut edit: impl FnMut(Order) -> Result<OrderChange, E> + Send,
    ) -> Result<(), E> {
        self.write(|tx| update_order_in(tx, guid, &origin, &mut edit))
    }

    /// Reads an order, lets `edit` change it and derive a new order from it, and commits both
    /// in one transaction (ResubmitProviderOrder: the original's status line and its copy).
    pub fn update_order_inserting<E: From<StorageError> + Send>(
        &self,
        guid: &str,
        origin: ChangeOrigin<'_>,
        mut edit: impl FnMut(Order) -> Result<(OrderChange, OrderChange), E> + Send,
    ) -> Result<(), E> {
        self.write(|tx| {
            let mut derived = None;
            update_order_in(tx, guid, &origin, |order| {
                let (changed, new) = edit(order)?;
                derived = Some(new);
                Ok::<_, E>(changed)
            })?;
            if let Some(new) = &derived {
                insert_new(tx, new, &origin)?;
            }
            Ok(())
        })
    }

    /// Deletes an order with its index entries, recording the removal in the change log.
    pub fn remove_order(
        &self,
        order: &Order,
        origin: ChangeOrigin<'_>,
    ) -> Result<(), StorageError> {
        self.write(|tx| {
            let guid = order.guid.as_str();
            tx.open_table(ORDERS)?.remove(guid)?;
            tx.open_table(ORDERS_BY_OWNER)?
                .remove(format!("{}/{guid}", order.owner_guid).as_str())?;
            let mut providers = tx.open_table(ORDERS_BY_PROVIDER)?;
            for provider_order in order.provider_orders() {
                providers
                    .remove(format!("{}/{guid}", provider_order.key.provider_guid).as_str())?;
            }
            let mut items = tx.open_table(ORDER_ITEMS)?;
            for item in order.items() {
                items.remove(item.guid.as_str())?;
            }
            append_change(tx, &origin, &order.guid, removal_changes(order))
        })
    }

    /// The order holding an order item.
    pub fn order_of_item(&self, item_guid: &str) -> Result<Option<Order>, StorageError> {
        let tx = self.read()?;
        match get_record::<Guid>(&tx, ORDER_ITEMS, item_guid)? {
            Some(order) => get_record(&tx, ORDERS, order.as_str()),
            None => Ok(None),
        }
    }

    /// Every order (for maintenance jobs that must look at all of them).
    pub fn orders(&self) -> Result<Vec<Order>, StorageError> {
        all_records(&self.read()?, ORDERS)
    }

    /// A user's orders, in GUID order.
    pub fn orders_of_owner(&self, owner: &Guid) -> Result<Vec<Order>, StorageError> {
        self.indexed_orders(ORDERS_BY_OWNER, owner)
    }

    /// The orders holding a provider order of `provider`, in GUID order.
    pub fn orders_of_provider(&self, provider: &Guid) -> Result<Vec<Order>, StorageError> {
        self.indexed_orders(ORDERS_BY_PROVIDER, provider)
    }

    /// True when `user` has ordered from `provider` (so the provider's staff may see the name).
    pub fn is_provider_customer(&self, provider: &Guid, user: &Guid) -> Result<bool, StorageError> {
        let key = format!("{provider}/{user}");
        Ok(get_record::<bool>(&self.read()?, PROVIDER_CUSTOMERS, &key)?.is_some())
    }

    /// Change records after `sequence`, oldest first.
    pub fn changes_after(&self, sequence: u64) -> Result<Vec<ChangeRecord>, StorageError> {
        sequence_records(&self.read()?, CHANGE_LOG, sequence + 1)
    }

    fn indexed_orders(&self, index: RecordTable, owner: &Guid) -> Result<Vec<Order>, StorageError> {
        let tx = self.read()?;
        let prefix = format!("{owner}/");
        let guids: Vec<Guid> = {
            let table = tx.open_table(index)?;
            let mut guids = Vec::new();
            for entry in table.range(prefix.as_str()..)? {
                let (key, value) = entry?;
                if !key.value().starts_with(&prefix) {
                    break;
                }
                guids.push(decode(value.value())?);
            }
            guids
        };
        guids
            .iter()
            .filter_map(|guid| get_record::<Order>(&tx, ORDERS, guid.as_str()).transpose())
            .collect()
    }
}

/// An order, read inside a write transaction.
pub(super) fn order_in(tx: &WriteTransaction, guid: &Guid) -> Result<Option<Order>, StorageError> {
    get_record_for_update(tx, ORDERS, guid.as_str())
}

/// Calls `f` with every order, or with those holding a provider order of `provider`, one at a
/// time: streamed over the orders table or the provider index, never all in memory.
pub(super) fn for_each_order(
    tx: &WriteTransaction,
    provider: Option<&Guid>,
    mut f: impl FnMut(&Order) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    let Some(provider) = provider else {
        for entry in tx.open_table(ORDERS)?.iter()? {
            f(&decode(entry?.1.value())?)?;
        }
        return Ok(());
    };
    let prefix = format!("{provider}/");
    for entry in tx
        .open_table(ORDERS_BY_PROVIDER)?
        .range(prefix.as_str()..)?
    {
        let (key, value) = entry?;
        if !key.value().starts_with(&prefix) {
            break;
        }
        let guid: Guid = decode(value.value())?;
        if let Some(order) = get_record_for_update::<Order>(tx, ORDERS, guid.as_str())? {
            f(&order)?;
        }
    }
    Ok(())
}

/// [`Store::update_order`] inside a transaction the caller commits. The committed order is not
/// handed back: no caller needs it, and handing it back cost a clone of every order changed.
pub(super) fn update_order_in<E: From<StorageError>>(
    tx: &WriteTransaction,
    guid: &str,
    origin: &ChangeOrigin<'_>,
    mut edit: impl FnMut(Order) -> Result<OrderChange, E>,
) -> Result<(), E> {
    let previous: Order = get_record_for_update(tx, ORDERS, guid)?
        .ok_or_else(|| StorageError::NotFound(format!("order [{guid}]")))?;
    let change = edit(previous.clone())?;
    commit_change(tx, Some(&previous), &change, origin, Timestamp::now())?;
    Ok(())
}

impl OmsWrite<'_> {
    /// [`Store::update_order`] as part of an OMS's write: the origin names that OMS, so its
    /// feed marks the events as its own.
    pub fn update_order<E: From<StorageError> + Send>(
        &self,
        guid: &str,
        origin: ChangeOrigin<'_>,
        edit: impl FnMut(Order) -> Result<OrderChange, E>,
    ) -> Result<(), E> {
        let origin = ChangeOrigin {
            oms: Some(self.oms),
            ..origin
        };
        update_order_in(self.tx, guid, &origin, edit)
    }
}

/// Commits a new order; its GUID must be new.
pub(super) fn insert_new(
    tx: &WriteTransaction,
    change: &OrderChange,
    origin: &ChangeOrigin<'_>,
) -> Result<(), StorageError> {
    insert_new_at(tx, change, origin, Timestamp::now())
}

/// [`insert_new`] with its deliveries queued at `now`.
fn insert_new_at(
    tx: &WriteTransaction,
    change: &OrderChange,
    origin: &ChangeOrigin<'_>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let guid = change.order.guid.as_str();
    if tx.open_table(ORDERS)?.get(guid)?.is_some() {
        return Err(StorageError::AlreadyExists(format!("order [{guid}]")));
    }
    commit_change(tx, None, change, origin, now)
}

/// Commits an order change, its deliveries queued at `now`.
fn commit_change(
    tx: &WriteTransaction,
    previous: Option<&Order>,
    change: &OrderChange,
    origin: &ChangeOrigin<'_>,
    now: Timestamp,
) -> Result<(), StorageError> {
    let order = &change.order;
    update_indexes(tx, previous, order)?;
    put_record(tx, ORDERS, order.guid.as_str(), order)?;
    for request in &change.deliveries {
        outbox::enqueue(tx, request, now)?;
    }
    oms_feed::record_order_change(tx, previous, order, origin.oms)?;
    append_change(tx, origin, &order.guid, state_changes(previous, order))
}

fn append_change(
    tx: &WriteTransaction,
    origin: &ChangeOrigin<'_>,
    order: &Guid,
    changes: Vec<StateChange>,
) -> Result<(), StorageError> {
    let sequence = next_sequence(tx, CHANGE_LOG)?;
    let record = ChangeRecord {
        sequence,
        at: Timestamp::now(),
        actor: origin.actor.clone(),
        operation: origin.operation.to_owned(),
        order: order.clone(),
        changes,
    };
    tx.open_table(CHANGE_LOG)?
        .insert(sequence, encode(&record)?.as_slice())?;
    Ok(())
}

/// Keeps the owner, provider, item and customer indexes in step with the order, writing only
/// the entries the previous version of the order lacks (most changes, such as a partner's
/// answer, change no index: rewriting them cost a B-tree update each).
fn update_indexes(
    tx: &WriteTransaction,
    previous: Option<&Order>,
    order: &Order,
) -> Result<(), StorageError> {
    let guid = &order.guid;
    let had_provider =
        |provider: &Guid| previous.is_some_and(|p| p.provider_order(provider).is_some());
    let had_item =
        |item: &Guid| previous.is_some_and(|p| p.items().iter().any(|i| i.guid == *item));
    if previous.is_none_or(|p| p.owner_guid != order.owner_guid) {
        put_record(
            tx,
            ORDERS_BY_OWNER,
            &format!("{}/{guid}", order.owner_guid),
            guid,
        )?;
    }
    for provider_order in order.provider_orders() {
        let provider = &provider_order.key.provider_guid;
        if had_provider(provider) {
            continue;
        }
        put_record(tx, ORDERS_BY_PROVIDER, &format!("{provider}/{guid}"), guid)?;
        // A returning customer is already recorded: rewriting the same entry would still
        // copy its leaf into the commit.
        let customer = format!("{provider}/{}", order.owner_guid);
        if tx
            .open_table(PROVIDER_CUSTOMERS)?
            .get(customer.as_str())?
            .is_none()
        {
            put_record(tx, PROVIDER_CUSTOMERS, &customer, &true)?;
        }
    }
    for item in order.items().iter().filter(|i| !had_item(&i.guid)) {
        put_record(tx, ORDER_ITEMS, item.guid.as_str(), guid)?;
    }
    let Some(previous) = previous else {
        return Ok(());
    };
    let mut items = tx.open_table(ORDER_ITEMS)?;
    for gone in previous
        .items()
        .iter()
        .filter(|old| !order.items().iter().any(|i| i.guid == old.guid))
    {
        items.remove(gone.guid.as_str())?;
    }
    let mut providers = tx.open_table(ORDERS_BY_PROVIDER)?;
    for gone in previous
        .provider_orders()
        .iter()
        .filter(|old| order.provider_order(&old.key.provider_guid).is_none())
    {
        providers.remove(format!("{}/{guid}", gone.key.provider_guid).as_str())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_domain::order::CatalogItemRef;

    /// A new order of `owner` with one item of `provider`.
    fn order_of(owner: &Guid, provider: &Guid) -> OrderChange {
        let now = Timestamp::now();
        let mut order = Order::new(Guid::time_ordered(), owner.clone(), now);
        let item = CatalogItemRef {
            item_guid: "G1-TEST".into(),
            provider_guid: provider.clone(),
            collection_id: "C1-TEST".into(),
            dataset_id: "Test".into(),
            granule_ur: None,
            producer_granule_id: None,
            price: 0.0,
        };
        order.add_item(item, 1, None, now).expect("item added");
        OrderChange {
            order,
            deliveries: Vec::new(),
        }
    }

    #[test]
    fn a_provider_s_customers_are_the_owners_of_orders_from_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let (provider, buyer, other) = (Guid::random(), Guid::random(), Guid::random());
        // The second order is a returning customer's: the entry is there already.
        for _ in 0..2 {
            let origin = ChangeOrigin {
                actor: &buyer,
                operation: "CreateOrder",
                oms: None,
            };
            store
                .insert_order(order_of(&buyer, &provider), origin)
                .expect("stored");
        }
        assert!(store.is_provider_customer(&provider, &buyer).unwrap());
        assert!(!store.is_provider_customer(&provider, &other).unwrap());
        assert!(!store.is_provider_customer(&other, &buyer).unwrap());
    }
}
