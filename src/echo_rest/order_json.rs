//! Orders as ECHO REST answers them: `{"order": {…}}` with the order's fields under their
//! REST names (the SOAP GetOrders fields they mirror are noted), provider orders as
//! references to `…/orders/<id>/provider_orders/<provider id>.json`, and that document with
//! the provider order's state, tracking id, status messages and items.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::contacts::contact_json;
use crate::app::Gateway;
use crate::error::GatewayResult;
use echo_domain::guid::Guid;
use echo_domain::order::{Order, OrderItem, ProviderOrder};
use echo_domain::timestamp::Timestamp;

/// Provider GUID → short provider id (`SHOP1`), the name ECHO REST shows.
pub struct ProviderNames(BTreeMap<Guid, String>);

impl ProviderNames {
    /// The names of every provider in `orders`.
    pub fn of(gateway: &Gateway, orders: &[Order]) -> GatewayResult<ProviderNames> {
        let mut names = BTreeMap::new();
        for order in orders {
            for provider_order in order.provider_orders() {
                let guid = &provider_order.key.provider_guid;
                if !names.contains_key(guid) {
                    let provider = gateway.find_provider(guid.as_str())?;
                    names.insert(guid.clone(), provider.id);
                }
            }
        }
        Ok(ProviderNames(names))
    }

    fn name<'a>(&'a self, guid: &'a Guid) -> &'a str {
        self.0.get(guid).map_or(guid.as_str(), String::as_str)
    }
}

/// `{"order": {…}}`; `prefix` is the API's mount point (`/echo-rest`).
pub fn order_json(order: &Order, names: &ProviderNames, prefix: &str) -> Value {
    let information = order.user_information();
    let references: Vec<Value> = order
        .provider_orders()
        .iter()
        .map(|p| json!({ "reference": reference(order, p, names, prefix) }))
        .collect();
    json!({ "order": {
        "id": order.guid,                                   // Guid
        "state": order.state().wire_name(),                 // State
        "created_at": date(order.creation_date),            // CreationDate
        "submitted_at": order.submission_date.map(date),    // SubmissionDate
        "updated_at": date(order.last_update_date),         // LastUpdateDate
        "owner_id": order.owner_guid,                       // OwnerGuid
        "user_domain": information.user_domain,             // UserDomain
        "user_region": information.user_region,             // UserRegion
        "client_identity": order.client_identity,           // ClientIdentity
        "notification_level": order.notify_level,           // NotifyLevel
        "order_price": order.order_price(),                 // OrderPrice
        "shipping_contact": information.shipping_address.as_ref().map(contact_json),
        "billing_contact": information.billing_address.as_ref().map(contact_json),
        "order_contact": information.contact_address.as_ref().map(contact_json),
        "provider_orders": references,
    }})
}

/// `{"provider_order": {…}}`: the provider order with its items.
pub fn provider_order_json(
    order: &Order,
    provider_order: &ProviderOrder,
    names: &ProviderNames,
    prefix: &str,
) -> Value {
    let items: Vec<Value> = order
        .items()
        .iter()
        .filter(|item| item.provider_order == provider_order.key)
        .map(item_json)
        .collect();
    json!({ "provider_order": {
        "reference": reference(order, provider_order, names, prefix),
        "order_id": order.guid,
        "provider_guid": provider_order.key.provider_guid,
        "state": provider_order.state().wire_name(),
        "provider_tracking_id": provider_order.provider_tracking_id,
        "closed_date": provider_order.closed_date.map(date),
        "status_message": provider_order.status().to_echo_string(),
        "status_messages": provider_order
            .status()
            .lines()
            .iter()
            .map(|line| json!({ "at": date(line.at), "message": line.text }))
            .collect::<Vec<_>>(),
        "order_items": items,
    }})
}

/// `{"order_item": {…}}`.
pub fn item_json(item: &OrderItem) -> Value {
    let catalog_item = &item.catalog_item;
    json!({ "order_item": {
        "id": item.guid,
        "catalog_item_id": catalog_item.item_guid,
        "quantity": item.quantity,
        "state": item.state.wire_name(),
        "dataset_id": catalog_item.dataset_id,
        "granule_ur": catalog_item.granule_ur,
        "producer_granule_id": catalog_item.producer_granule_id,
        "option_selection": item.option_selection.as_ref().map(|s| json!({
            "id": s.guid,
            "option_definition_name": s.name,
            "content": s.content,
        })),
    }})
}

fn reference(
    order: &Order,
    provider_order: &ProviderOrder,
    names: &ProviderNames,
    prefix: &str,
) -> Value {
    let name = names.name(&provider_order.key.provider_guid);
    json!({
        "id": name,
        "name": name,
        "location": format!("{prefix}/orders/{}/provider_orders/{name}.json", order.guid),
    })
}

/// Dates as SOAP writes them: `2016-11-27T15:59:10.513Z`.
fn date(timestamp: Timestamp) -> String {
    timestamp.to_echo_string()
}
