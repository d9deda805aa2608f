//! What OMSes see of orders: the integer ids of projects (orders) and project items (provider
//! orders), each OMS's event feed with its gap-free sequence, messages, user secrets and the
//! durable trigger state.
//!
//! Events enter feeds in the transaction of the change that causes them
//! ([`record_order_change`] from the order commit path, [`OmsWrite`] for the API's own
//! writes), so a feed never holds an event of an uncommitted change and never misses one of a
//! committed change. An order becomes visible once a provider order is first quoted or
//! submitted; from then on each change is an event in the feeds of the OMSes with a role on it.

use std::collections::BTreeMap;

use redb::{ReadableTable, TableDefinition, WriteTransaction};

use super::oms::omses_in;
use super::{
    RecordTable, SequenceTable, StorageError, Store, decode, encode, get_record,
    get_record_for_update, next_sequence, put_record,
};
use echo_domain::guid::Guid;
use echo_domain::oms::{Oms, default_oms, primary_oms, status_type, visible_state};
use echo_domain::oms_feed::{
    Event, EventType, FeedEvent, FieldChange, Message, Resource, TriggerState,
};
use echo_domain::order::{Order, ProviderOrder, ProviderOrderKey};

/// project id → order GUID.
const PROJECTS: SequenceTable = TableDefinition::new("oms_projects");
/// project item id → provider order key.
const ITEMS: SequenceTable = TableDefinition::new("oms_project_items");
/// `p/<order>` and `i/<order>/<provider>` → project or project item id.
const IDS: RecordTable = TableDefinition::new("oms_ids");
/// (OMS id, sequence) → event.
const EVENTS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("oms_events");
/// (OMS id, microseconds) → sequence: `from_timestamp` cursors.
const EVENT_TIMES: TableDefinition<(u64, i64), u64> = TableDefinition::new("oms_event_times");
const MESSAGES: SequenceTable = TableDefinition::new("oms_messages");
/// project item id → user secrets.
const SECRETS: SequenceTable = TableDefinition::new("oms_user_secrets");
/// OMS id → trigger state.
const TRIGGERS: SequenceTable = TableDefinition::new("oms_triggers");

pub(super) const RECORD_TABLES: &[RecordTable] = &[IDS];
pub(super) const TABLES: &[SequenceTable] = &[PROJECTS, ITEMS, MESSAGES, SECRETS, TRIGGERS];

/// Creates the tables with composite keys (the others are in the lists above).
pub(super) fn create_tables(tx: &WriteTransaction) -> Result<(), StorageError> {
    tx.open_table(EVENTS)?;
    tx.open_table(EVENT_TIMES)?;
    Ok(())
}

pub type UserSecrets = BTreeMap<String, String>;

impl Store {
    pub fn oms_project(&self, id: u64) -> Result<Option<Guid>, StorageError> {
        read_value(&self.read()?.open_table(PROJECTS)?, id)
    }

    pub fn oms_project_id(&self, order: &Guid) -> Result<Option<u64>, StorageError> {
        get_record(&self.read()?, IDS, &project_key(order))
    }

    /// Up to `count` projects with ids from `from` on: (id, order GUID).
    pub fn oms_projects_from(
        &self,
        from: u64,
        count: usize,
    ) -> Result<Vec<(u64, Guid)>, StorageError> {
        read_range(&self.read()?.open_table(PROJECTS)?, from, count)
    }

    pub fn oms_item(&self, id: u64) -> Result<Option<ProviderOrderKey>, StorageError> {
        read_value(&self.read()?.open_table(ITEMS)?, id)
    }

    pub fn oms_item_id(&self, key: &ProviderOrderKey) -> Result<Option<u64>, StorageError> {
        get_record(&self.read()?, IDS, &item_key(key))
    }

    pub fn oms_message(&self, id: u64) -> Result<Option<Message>, StorageError> {
        read_value(&self.read()?.open_table(MESSAGES)?, id)
    }

    /// Up to `count` messages with ids from `from` on.
    pub fn oms_messages_from(&self, from: u64, count: usize) -> Result<Vec<Message>, StorageError> {
        let pairs: Vec<(u64, Message)> =
            read_range(&self.read()?.open_table(MESSAGES)?, from, count)?;
        Ok(pairs.into_iter().map(|(_, m)| m).collect())
    }

    pub fn oms_user_secrets(&self, item: u64) -> Result<UserSecrets, StorageError> {
        Ok(read_value(&self.read()?.open_table(SECRETS)?, item)?.unwrap_or_default())
    }

    /// Up to `limit` events of an OMS's feed after sequence `after`, in sequence order.
    pub fn oms_events_after(
        &self,
        oms: u64,
        after: u64,
        limit: usize,
    ) -> Result<Vec<FeedEvent>, StorageError> {
        let tx = self.read()?;
        let table = tx.open_table(EVENTS)?;
        let mut events = Vec::new();
        for entry in table
            .range((oms, after.saturating_add(1))..=(oms, u64::MAX))?
            .take(limit)
        {
            events.push(decode(entry?.1.value())?);
        }
        Ok(events)
    }

    /// The sequence just before the first event of an OMS's feed later than `micros`.
    pub fn oms_sequence_before_time(&self, oms: u64, micros: i64) -> Result<u64, StorageError> {
        let tx = self.read()?;
        let table = tx.open_table(EVENT_TIMES)?;
        let first = table
            .range((oms, micros.saturating_add(1))..=(oms, i64::MAX))?
            .next()
            .transpose()?
            .map(|(_, sequence)| sequence.value());
        match first {
            Some(sequence) => Ok(sequence - 1),
            None => self.oms_last_sequence(oms),
        }
    }

    /// The newest sequence of an OMS's feed (0 when empty).
    pub fn oms_last_sequence(&self, oms: u64) -> Result<u64, StorageError> {
        let tx = self.read()?;
        let table = tx.open_table(EVENTS)?;
        let last = table.range((oms, 0)..=(oms, u64::MAX))?.next_back();
        Ok(last.transpose()?.map_or(0, |(key, _)| key.value().1))
    }

    /// Every OMS's trigger state.
    pub fn oms_trigger_states(&self) -> Result<Vec<(u64, TriggerState)>, StorageError> {
        read_range(&self.read()?.open_table(TRIGGERS)?, 0, usize::MAX)
    }

    pub fn oms_trigger_state(&self, oms: u64) -> Result<TriggerState, StorageError> {
        Ok(read_value(&self.read()?.open_table(TRIGGERS)?, oms)?.unwrap_or_default())
    }

    /// Reads, changes and writes one OMS's trigger state in one transaction.
    pub fn update_oms_trigger_state(
        &self,
        oms: u64,
        mut change: impl FnMut(&mut TriggerState) + Send,
    ) -> Result<TriggerState, StorageError> {
        self.write(|tx| {
            let mut state: TriggerState =
                read_value(&tx.open_table(TRIGGERS)?, oms)?.unwrap_or_default();
            change(&mut state);
            tx.open_table(TRIGGERS)?
                .insert(oms, encode(&state)?.as_slice())?;
            Ok(state)
        })
    }

    /// Runs `f` in one write transaction on behalf of OMS `oms` (its events are marked as its
    /// own) and commits it.
    pub fn oms_write<T: Send, E: From<StorageError> + Send>(
        &self,
        oms: u64,
        mut f: impl FnMut(&OmsWrite<'_>) -> Result<T, E> + Send,
    ) -> Result<T, E> {
        self.write(|tx| f(&OmsWrite { tx, oms }))
    }
}

/// Writes an OMS makes through the API, inside one transaction.
/// (`update_order` is beside the order commit path in `orders`.)
pub struct OmsWrite<'a> {
    pub(super) tx: &'a WriteTransaction,
    pub(super) oms: u64,
}

impl OmsWrite<'_> {
    /// Merges `secrets` into a project item's user secrets (an update event names the keys).
    pub fn merge_user_secrets(
        &self,
        key: &ProviderOrderKey,
        item: u64,
        project: u64,
        secrets: &UserSecrets,
    ) -> Result<(), StorageError> {
        let mut stored: UserSecrets =
            read_value(&self.tx.open_table(SECRETS)?, item)?.unwrap_or_default();
        stored.extend(secrets.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.tx
            .open_table(SECRETS)?
            .insert(item, encode(&stored)?.as_slice())?;
        let keys: Vec<&str> = secrets.keys().map(String::as_str).collect();
        let event = Event {
            kind: EventType::Update,
            resource: Resource::ProjectItem,
            project_id: project,
            project_item_id: Some(item),
            message_id: None,
            changes: vec![FieldChange {
                field: "user_secrets".into(),
                before: String::new(),
                after: keys.join(","),
            }],
        };
        let omses = omses_in(self.tx)?;
        let recipients = item_recipients(&omses, &key.provider_guid);
        append_to(self.tx, &recipients, &event, Some(self.oms))
    }

    /// Stores a new message (its id is assigned here) with its create event, or a changed one
    /// with an update event, for the OMSes with a role on what it is attached to.
    pub fn put_message(
        &self,
        mut message: Message,
        providers: &[Guid],
    ) -> Result<Message, StorageError> {
        let kind = if message.id == 0 {
            message.id = next_sequence(self.tx, MESSAGES)?;
            EventType::Create
        } else {
            EventType::Update
        };
        self.tx
            .open_table(MESSAGES)?
            .insert(message.id, encode(&message)?.as_slice())?;
        let event = Event {
            kind,
            resource: Resource::Message,
            project_id: message.project_id,
            project_item_id: message.project_item_id,
            message_id: Some(message.id),
            changes: Vec::new(),
        };
        let omses = omses_in(self.tx)?;
        let recipients = project_recipients(&omses, providers.iter());
        append_to(self.tx, &recipients, &event, Some(self.oms))?;
        Ok(message)
    }
}

/// The order commit path's hook: records the events an order change means for OMS feeds.
pub(super) fn record_order_change(
    tx: &WriteTransaction,
    previous: Option<&Order>,
    order: &Order,
    origin: Option<u64>,
) -> Result<(), StorageError> {
    let omses = omses_in(tx)?;
    if omses.is_empty() {
        return Ok(());
    }
    let mut visible = Vec::new();
    for provider_order in order.provider_orders() {
        let known = get_record_for_update::<u64>(tx, IDS, &item_key(&provider_order.key))?;
        if known.is_some() || visible_state(provider_order.state()) {
            visible.push((provider_order, known));
        }
    }
    if visible.is_empty() {
        return Ok(());
    }
    let providers = visible.iter().map(|(p, _)| &p.key.provider_guid);
    let project_feeds = project_recipients(&omses, providers);
    let project = project_event(tx, previous, order, &project_feeds, origin)?;
    for (provider_order, known) in visible {
        let feeds = item_recipients(&omses, &provider_order.key.provider_guid);
        let before = previous.and_then(|p| p.provider_order(&provider_order.key.provider_guid));
        let event = match known {
            Some(id) => item_update(project, id, before, provider_order),
            None => Some(item_create(tx, project, provider_order)?),
        };
        if let Some(event) = event {
            append_to(tx, &feeds, &event, origin)?;
        }
    }
    Ok(())
}

/// Assigns the project id on first visibility (a create event), or records a state change.
fn project_event(
    tx: &WriteTransaction,
    previous: Option<&Order>,
    order: &Order,
    feeds: &[&Oms],
    origin: Option<u64>,
) -> Result<u64, StorageError> {
    let key = project_key(&order.guid);
    let (id, event) = match get_record_for_update::<u64>(tx, IDS, &key)? {
        Some(id) => {
            let before = previous.map(Order::state);
            let changed = before.filter(|b| *b != order.state()).map(|b| Event {
                kind: EventType::Update,
                resource: Resource::Project,
                project_id: id,
                project_item_id: None,
                message_id: None,
                changes: vec![change(
                    "attributes.state",
                    b.wire_name(),
                    order.state().wire_name(),
                )],
            });
            (id, changed)
        }
        None => {
            let id = assign_project_id(tx, &order.guid)?;
            (id, Some(create(Resource::Project, id, None)))
        }
    };
    if let Some(event) = event {
        append_to(tx, feeds, &event, origin)?;
    }
    Ok(id)
}

fn item_create(
    tx: &WriteTransaction,
    project: u64,
    provider_order: &ProviderOrder,
) -> Result<Event, StorageError> {
    let id = assign_item_id(tx, &provider_order.key)?;
    Ok(create(Resource::ProjectItem, project, Some(id)))
}

/// The project id of an order, if it has been visible to OMSes.
pub(super) fn project_id_in(
    tx: &WriteTransaction,
    order: &Guid,
) -> Result<Option<u64>, StorageError> {
    get_record_for_update(tx, IDS, &project_key(order))
}

/// The project item id of a provider order, if it has been visible to OMSes.
pub(super) fn item_id_in(
    tx: &WriteTransaction,
    key: &ProviderOrderKey,
) -> Result<Option<u64>, StorageError> {
    get_record_for_update(tx, IDS, &item_key(key))
}

/// The order GUID of a project.
pub(super) fn project_order_in(
    tx: &WriteTransaction,
    project: u64,
) -> Result<Option<Guid>, StorageError> {
    read_value(&tx.open_table(PROJECTS)?, project)
}

/// The provider order of a project item.
pub(super) fn item_key_in(
    tx: &WriteTransaction,
    item: u64,
) -> Result<Option<ProviderOrderKey>, StorageError> {
    read_value(&tx.open_table(ITEMS)?, item)
}

/// Calls `f` with every message, in id order, one at a time.
pub(super) fn for_each_message(
    tx: &WriteTransaction,
    mut f: impl FnMut(&Message) -> Result<(), StorageError>,
) -> Result<(), StorageError> {
    for entry in tx.open_table(MESSAGES)?.iter()? {
        f(&decode(entry?.1.value())?)?;
    }
    Ok(())
}

/// Gives an order its project id (the next one).
pub(super) fn assign_project_id(tx: &WriteTransaction, order: &Guid) -> Result<u64, StorageError> {
    let id = next_sequence(tx, PROJECTS)?;
    tx.open_table(PROJECTS)?
        .insert(id, encode(order)?.as_slice())?;
    put_record(tx, IDS, &project_key(order), &id)?;
    Ok(id)
}

/// Gives a provider order its project item id (the next one).
pub(super) fn assign_item_id(
    tx: &WriteTransaction,
    key: &ProviderOrderKey,
) -> Result<u64, StorageError> {
    let id = next_sequence(tx, ITEMS)?;
    tx.open_table(ITEMS)?.insert(id, encode(key)?.as_slice())?;
    put_record(tx, IDS, &item_key(key), &id)?;
    Ok(id)
}

/// The changes of a provider order an OMS sees: status, status message, tracking id.
fn item_update(
    project: u64,
    id: u64,
    before: Option<&ProviderOrder>,
    after: &ProviderOrder,
) -> Option<Event> {
    let before = before?;
    let mut changes = Vec::new();
    let (was, is) = (before.state(), after.state());
    if was != is {
        changes.push(change("status.value", was.wire_name(), is.wire_name()));
        let (was_type, is_type) = (status_type(was), status_type(is));
        if was_type != is_type {
            changes.push(change("status.type", was_type.name(), is_type.name()));
        }
    }
    let last_line = |p: &ProviderOrder| p.status().lines().last().map(|l| l.text.clone());
    if before.status().lines().len() != after.status().lines().len() {
        changes.push(change(
            "attributes.status_message",
            &last_line(before).unwrap_or_default(),
            &last_line(after).unwrap_or_default(),
        ));
    }
    if before.provider_tracking_id != after.provider_tracking_id {
        changes.push(change(
            "attributes.tracking_id",
            before.provider_tracking_id.as_deref().unwrap_or_default(),
            after.provider_tracking_id.as_deref().unwrap_or_default(),
        ));
    }
    (!changes.is_empty()).then_some(Event {
        kind: EventType::Update,
        resource: Resource::ProjectItem,
        project_id: project,
        project_item_id: Some(id),
        message_id: None,
        changes,
    })
}

pub(super) fn create(resource: Resource, project: u64, item: Option<u64>) -> Event {
    Event {
        kind: EventType::Create,
        resource,
        project_id: project,
        project_item_id: item,
        message_id: None,
        changes: Vec::new(),
    }
}

fn change(field: &str, before: &str, after: &str) -> FieldChange {
    FieldChange {
        field: field.into(),
        before: before.into(),
        after: after.into(),
    }
}

/// The OMSes with a role on a provider's project item: its primary and the default OMS.
fn item_recipients<'a>(omses: &'a [Oms], provider: &Guid) -> Vec<&'a Oms> {
    project_recipients(omses, std::iter::once(provider))
}

/// The OMSes with a role on a project: the default OMS and the primary OMS of each item.
fn project_recipients<'a, 'g>(
    omses: &'a [Oms],
    providers: impl Iterator<Item = &'g Guid>,
) -> Vec<&'a Oms> {
    let mut feeds: Vec<&Oms> = default_oms(omses).into_iter().collect();
    for provider in providers {
        if let Some(primary) = primary_oms(omses, provider)
            && !feeds.iter().any(|f| f.id == primary.id)
        {
            feeds.push(primary);
        }
    }
    feeds
}

/// Appends `event` to each OMS's feed with its next sequence, and owes each OMS with a trigger
/// a call unless it caused the event itself.
pub(super) fn append_to(
    tx: &WriteTransaction,
    feeds: &[&Oms],
    event: &Event,
    origin: Option<u64>,
) -> Result<(), StorageError> {
    let now = now_micros();
    for oms in feeds {
        let mut events = tx.open_table(EVENTS)?;
        let last: Option<FeedEvent> = events
            .range((oms.id, 0)..=(oms.id, u64::MAX))?
            .next_back()
            .transpose()?
            .map(|(_, value)| decode(value.value()))
            .transpose()?;
        let (sequence, micros) = match last {
            // Strictly increasing times keep `from_timestamp` cursors exact.
            Some(last) => (last.sequence + 1, now.max(last.micros + 1)),
            None => (1, now),
        };
        let entry = FeedEvent {
            sequence,
            micros,
            origin,
            event: event.clone(),
        };
        events.insert((oms.id, sequence), encode(&entry)?.as_slice())?;
        tx.open_table(EVENT_TIMES)?
            .insert((oms.id, micros), sequence)?;
        if oms.trigger.is_some() && origin != Some(oms.id) {
            let mut triggers = tx.open_table(TRIGGERS)?;
            let mut state: TriggerState = read_value(&triggers, oms.id)?.unwrap_or_default();
            state.requested = sequence;
            triggers.insert(oms.id, encode(&state)?.as_slice())?;
        }
    }
    Ok(())
}

pub fn now_micros() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1000).unwrap_or(i64::MAX)
}

fn project_key(order: &Guid) -> String {
    format!("p/{order}")
}

fn item_key(key: &ProviderOrderKey) -> String {
    format!("i/{}/{}", key.order_guid, key.provider_guid)
}

fn read_value<T: serde::de::DeserializeOwned>(
    table: &impl ReadableTable<u64, &'static [u8]>,
    key: u64,
) -> Result<Option<T>, StorageError> {
    table.get(key)?.map(|v| decode(v.value())).transpose()
}

fn read_range<T: serde::de::DeserializeOwned>(
    table: &impl ReadableTable<u64, &'static [u8]>,
    from: u64,
    count: usize,
) -> Result<Vec<(u64, T)>, StorageError> {
    let mut values = Vec::new();
    for entry in table.range(from..)?.take(count) {
        let (key, value) = entry?;
        values.push((key.value(), decode(value.value())?));
    }
    Ok(values)
}
