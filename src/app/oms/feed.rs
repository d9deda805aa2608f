//! What an OMS reads through the Ordering API: its event feed (by gap-free sequence or, for
//! EOSC clients, by timestamp), the projects (orders) and project items (provider orders) it
//! has a role on, with user secrets obfuscated.

use std::collections::BTreeMap;

use super::administered_oms;
use crate::app::Gateway;
use crate::error::{GatewayError, GatewayResult};
use echo_domain::account::User;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::oms::{Oms, OmsError, Roles};
use echo_domain::oms_feed::FeedEvent;
use echo_domain::order::{Order, OrderItem, ProviderOrder, ProviderOrderKey};

/// The largest page any list returns.
pub const MAX_LIMIT: usize = 1000;
/// How a secret's value reads back.
pub const OBFUSCATED: &str = "<OBFUSCATED>";
/// Events looked at per page when `exclude_own` skips some, as a multiple of the limit.
const SCAN_FACTOR: usize = 10;

/// Where an events page starts.
#[derive(Debug, Clone, Copy)]
pub enum Cursor {
    /// After this sequence number.
    Sequence(u64),
    /// After this time (microseconds since the epoch).
    Timestamp(i64),
}

pub struct EventPage {
    pub events: Vec<FeedEvent>,
    /// The sequence to continue after.
    pub next: u64,
}

/// A project: an ECHO order visible to OMSes.
pub struct ProjectView {
    pub id: u64,
    pub order: Order,
    pub owner: Option<User>,
    pub items: Vec<u64>,
}

/// A project item: one provider order.
pub struct ItemView {
    pub id: u64,
    pub project_id: u64,
    pub provider_order: ProviderOrder,
    pub provider_id: String,
    pub items: Vec<OrderItem>,
    pub user_secrets: BTreeMap<String, String>,
}

pub fn events(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    cursor: Cursor,
    limit: usize,
    exclude_own: bool,
) -> GatewayResult<EventPage> {
    administered_oms(gateway, caller, oms)?;
    let after = match cursor {
        Cursor::Sequence(sequence) => sequence,
        Cursor::Timestamp(micros) => gateway.store.oms_sequence_before_time(oms, micros)?,
    };
    let scan = if exclude_own {
        limit.saturating_mul(SCAN_FACTOR)
    } else {
        limit
    };
    let scanned = gateway.store.oms_events_after(oms, after, scan)?;
    let mut next = after;
    let mut events = Vec::new();
    for event in scanned {
        if events.len() == limit {
            break;
        }
        next = event.sequence;
        if !(exclude_own && event.origin == Some(oms)) {
            events.push(event);
        }
    }
    Ok(EventPage { events, next })
}

/// Up to `limit` projects the OMS has a role on, with ids from `from` on.
pub fn projects(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    from: u64,
    limit: usize,
) -> GatewayResult<Vec<ProjectView>> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    let mut found = Vec::new();
    let mut next = from;
    while found.len() < limit {
        let batch = gateway.store.oms_projects_from(next, 256)?;
        let Some((last, _)) = batch.last() else { break };
        next = last + 1;
        for (id, guid) in batch {
            let view = project_view(gateway, id, &guid)?;
            if found.len() < limit && project_roles(gateway, &all, &oms, &view)?.may_read() {
                found.push(view);
            }
        }
    }
    Ok(found)
}

pub fn project(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    id: u64,
) -> GatewayResult<ProjectView> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    readable_project(gateway, &all, &oms, id).map(|(view, _)| view)
}

pub fn project_items(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    project: u64,
    from: u64,
    limit: usize,
) -> GatewayResult<Vec<ItemView>> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    let (view, _) = readable_project(gateway, &all, &oms, project)?;
    let mut items = Vec::new();
    for id in view.items.iter().copied().filter(|id| *id >= from) {
        let item = item_view(gateway, project, id)?;
        if items.len() < limit && item_roles(&all, &oms, &item).may_read() {
            items.push(item);
        }
    }
    Ok(items)
}

pub fn project_item(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    project: u64,
    item: u64,
) -> GatewayResult<ItemView> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    readable_item(gateway, &all, &oms, project, item).map(|(view, _)| view)
}

/// A project the OMS may read, with its roles on it.
pub(super) fn readable_project(
    gateway: &Gateway,
    all: &[Oms],
    oms: &Oms,
    id: u64,
) -> GatewayResult<(ProjectView, Roles)> {
    let guid = gateway
        .store
        .oms_project(id)?
        .ok_or_else(|| GatewayError::not_found("Project", id.to_string()))?;
    let view = project_view(gateway, id, &guid)?;
    let roles = project_roles(gateway, all, oms, &view)?;
    if !roles.may_read() {
        return Err(no_role(oms, format!("project [{id}]")));
    }
    Ok((view, roles))
}

/// A project item of `project` the OMS may read, with its roles on it.
pub(super) fn readable_item(
    gateway: &Gateway,
    all: &[Oms],
    oms: &Oms,
    project: u64,
    id: u64,
) -> GatewayResult<(ItemView, Roles)> {
    let view = item_view(gateway, project, id)?;
    let roles = item_roles(all, oms, &view);
    if !roles.may_read() {
        return Err(no_role(oms, format!("project item [{id}]")));
    }
    Ok((view, roles))
}

fn no_role(oms: &Oms, resource: String) -> GatewayError {
    OmsError::NoRole {
        oms: oms.id,
        resource,
    }
    .into()
}

fn project_view(gateway: &Gateway, id: u64, guid: &Guid) -> GatewayResult<ProjectView> {
    let order = stored_order(gateway, guid, "Project", id)?;
    let owner = gateway.store.user(order.owner_guid.as_str())?;
    let mut items = Vec::new();
    for provider_order in order.provider_orders() {
        if let Some(item) = gateway.store.oms_item_id(&provider_order.key)? {
            items.push(item);
        }
    }
    items.sort_unstable();
    Ok(ProjectView {
        id,
        order,
        owner,
        items,
    })
}

/// The project item `id` of `project` (404 when it is not one of that project's).
pub(super) fn item_view(gateway: &Gateway, project: u64, id: u64) -> GatewayResult<ItemView> {
    let missing = || GatewayError::not_found("Project item", id.to_string());
    let key: ProviderOrderKey = gateway.store.oms_item(id)?.ok_or_else(missing)?;
    if gateway.store.oms_project_id(&key.order_guid)? != Some(project) {
        return Err(missing());
    }
    let order = stored_order(gateway, &key.order_guid, "Project item", id)?;
    let provider_order = order
        .provider_order(&key.provider_guid)
        .cloned()
        .ok_or_else(missing)?;
    let provider_id = gateway
        .store
        .provider(key.provider_guid.as_str())?
        .map_or_else(|| key.provider_guid.to_string(), |p| p.id);
    let items = order
        .items()
        .iter()
        .filter(|item| item.provider_order.provider_guid == key.provider_guid)
        .cloned()
        .collect();
    let user_secrets = gateway
        .store
        .oms_user_secrets(id)?
        .into_keys()
        .map(|k| (k, OBFUSCATED.to_owned()))
        .collect();
    Ok(ItemView {
        id,
        project_id: project,
        provider_order,
        provider_id,
        items,
        user_secrets,
    })
}

fn stored_order(
    gateway: &Gateway,
    guid: &Guid,
    kind: &'static str,
    id: u64,
) -> GatewayResult<Order> {
    // A project whose order was removed reads as gone.
    gateway
        .store
        .order(guid.as_str())?
        .ok_or_else(|| GatewayError::not_found(kind, id.to_string()))
}

fn project_roles(
    gateway: &Gateway,
    all: &[Oms],
    oms: &Oms,
    view: &ProjectView,
) -> GatewayResult<Roles> {
    let mut providers = Vec::new();
    for id in &view.items {
        if let Some(key) = gateway.store.oms_item(*id)? {
            providers.push(key.provider_guid);
        }
    }
    Ok(Roles::of(all, oms, providers.iter()))
}

pub(super) fn item_roles(all: &[Oms], oms: &Oms, item: &ItemView) -> Roles {
    Roles::of(all, oms, [&item.provider_order.key.provider_guid])
}
