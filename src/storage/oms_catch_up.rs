//! Changes of the OMS registry (add, attach/detach, remove) with their catch-up events: when
//! the registry changes (`oms add`, `oms attach`), an OMS that now
//! has a role on project items it had none on gets, in the transaction of that change and
//! after its current last sequence, a create event for each project it could not see before
//! and for each such project item, then for each message on them, so a client following
//! `next` from its cursor discovers them (with their current state, read from the resources),
//! then their later changes.
//!
//! Cost: the orders looked at are streamed one at a time, never all loaded: those of the
//! attached providers (through the provider index), or every order when an OMS becomes the
//! default), then every message once; each project, item and message it gains is one event. All of it is one write
//! transaction, so other writes wait for it: attaching a provider with N orders costs about
//! what N small order changes cost. A detach or a removal gains nobody anything: the OMS just
//! loses access (its reads answer 403), with no delete events, as in EOSC.

use redb::WriteTransaction;

use super::oms::{new_id, omses_in, put_oms, remove_oms};
use super::oms_feed::{
    append_to, assign_item_id, assign_project_id, create, for_each_message, item_id_in,
    item_key_in, project_id_in, project_order_in,
};
use super::orders::{for_each_order, order_in};
use super::{StorageError, Store};
use echo_domain::guid::Guid;
use echo_domain::oms::{Gain, Oms, visible_state};
use echo_domain::oms_feed::{Event, EventType, Message, Resource};
use echo_domain::order::{Order, ProviderOrder};

impl Store {
    /// Stores a new OMS under the next id; `check` sees the registered ones first (so rules
    /// such as "one default OMS" hold under concurrent registrations). The new OMS's feed
    /// starts with what it can see already.
    pub fn add_oms<E: From<StorageError> + Send>(
        &self,
        oms: Oms,
        mut check: impl FnMut(&Oms, &[Oms]) -> Result<(), E> + Send,
    ) -> Result<Oms, E> {
        self.write(|tx| {
            let oms = Oms {
                id: new_id(tx)?,
                ..oms.clone()
            };
            let before = omses_in(tx)?;
            check(&oms, &before)?;
            put_oms(tx, &oms)?;
            announce(tx, &before, &omses_in(tx)?)?;
            Ok(oms)
        })
    }

    /// Reads the OMS `id` and every registered OMS, lets `change` compute its new version
    /// (`None`: remove it), and commits, all in one transaction, with the catch-up events of
    /// what the change lets an OMS see.
    pub fn update_oms<E: From<StorageError> + Send>(
        &self,
        id: u64,
        mut change: impl FnMut(Oms, &[Oms]) -> Result<Option<Oms>, E> + Send,
    ) -> Result<(), E> {
        self.write(|tx| {
            let all = omses_in(tx)?;
            let current = all
                .iter()
                .find(|o| o.id == id)
                .cloned()
                .ok_or_else(|| StorageError::NotFound(format!("OMS [{id}]")))?;
            match change(current, &all)? {
                Some(oms) => put_oms(tx, &oms)?,
                None => remove_oms(tx, id)?,
            }
            announce(tx, &all, &omses_in(tx)?)?;
            Ok(())
        })
    }
}

/// Announces to each OMS what the registry change from `before` to `after` lets it see.
fn announce(tx: &WriteTransaction, before: &[Oms], after: &[Oms]) -> Result<(), StorageError> {
    for gain in Gain::of(before, after) {
        match gain.everywhere() {
            true => for_each_order(tx, None, |order| announce_order(tx, &gain, order))?,
            false => announce_providers(tx, &gain)?,
        }
        for_each_message(tx, |message| announce_message(tx, &gain, message))?;
    }
    Ok(())
}

/// The orders of the providers the OMS gains, through the provider index.
fn announce_providers(tx: &WriteTransaction, gain: &Gain<'_>) -> Result<(), StorageError> {
    for provider in gain.providers() {
        for_each_order(tx, Some(provider), |order| {
            // An order of several gained providers is announced once, from the first.
            match first_gained(gain, order) == Some(provider) {
                true => announce_order(tx, gain, order),
                false => Ok(()),
            }
        })?;
    }
    Ok(())
}

fn first_gained<'o>(gain: &Gain<'_>, order: &'o Order) -> Option<&'o Guid> {
    let providers = gain.providers();
    order
        .provider_orders()
        .iter()
        .map(|p| &p.key.provider_guid)
        .find(|p| providers.contains(p))
}

/// The create events of one order for the gaining OMS: its project unless it saw the project
/// already (through an item it had a role on), then each visible item it gains.
fn announce_order(
    tx: &WriteTransaction,
    gain: &Gain<'_>,
    order: &Order,
) -> Result<(), StorageError> {
    let (gained, saw_project) = news(tx, gain, order)?;
    if gained.is_empty() {
        return Ok(());
    }
    let feed = [gain.oms];
    // Ids are missing only for orders that became visible while no OMS was registered.
    let project = match project_id_in(tx, &order.guid)? {
        Some(id) => id,
        None => assign_project_id(tx, &order.guid)?,
    };
    if !saw_project {
        append_to(tx, &feed, &create(Resource::Project, project, None), None)?;
    }
    for provider_order in gained {
        let item = match item_id_in(tx, &provider_order.key)? {
            Some(id) => id,
            None => assign_item_id(tx, &provider_order.key)?,
        };
        let event = create(Resource::ProjectItem, project, Some(item));
        append_to(tx, &feed, &event, None)?;
    }
    Ok(())
}

/// The visible provider orders of `order` the OMS gains, and whether it saw the project before
/// (through an item it had a role on).
fn news<'o>(
    tx: &WriteTransaction,
    gain: &Gain<'_>,
    order: &'o Order,
) -> Result<(Vec<&'o ProviderOrder>, bool), StorageError> {
    let gained = order
        .provider_orders()
        .iter()
        .filter(|p| visible_state(p.state()) && gain.gains(&p.key.provider_guid))
        .collect();
    let mut saw_project = false;
    for provider_order in order.provider_orders() {
        saw_project |= gain.saw(&provider_order.key.provider_guid)
            && item_id_in(tx, &provider_order.key)?.is_some();
    }
    Ok((gained, saw_project))
}

/// A create event for a message on a project or item the OMS has just been shown.
fn announce_message(
    tx: &WriteTransaction,
    gain: &Gain<'_>,
    message: &Message,
) -> Result<(), StorageError> {
    let shown = match message.project_item_id {
        Some(item) => item_key_in(tx, item)?.is_some_and(|key| gain.gains(&key.provider_guid)),
        None => match project_order_in(tx, message.project_id)? {
            Some(guid) => order_in(tx, &guid)?
                .map(|order| news(tx, gain, &order).map(|(g, saw)| !g.is_empty() && !saw))
                .transpose()?
                .unwrap_or(false),
            None => false,
        },
    };
    if !shown {
        return Ok(());
    }
    let event = Event {
        kind: EventType::Create,
        resource: Resource::Message,
        project_id: message.project_id,
        project_item_id: message.project_item_id,
        message_id: Some(message.id),
        changes: Vec::new(),
    };
    append_to(tx, &[gain.oms], &event, None)
}
