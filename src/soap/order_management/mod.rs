//! OrderManagementService: clients create, edit, validate, quote, submit, cancel and read their
//! orders. `edit` holds the item and user-information changes, `lifecycle` the state-changing
//! operations that may owe deliveries to partners, `query` the reads. Every change commits
//! the order, its outbox entries and its change record in one transaction before answering.

mod edit;
mod lifecycle;
mod query;

use std::collections::BTreeMap;

use super::Gateway;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::storage::{ChangeOrigin, OrderChange, StorageError};
use crate::xml::Element;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::order::Order;
use echo_domain::outbox::DeliveryRequest;
use echo_domain::policy::ProviderPolicies;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "CreateOrder" => edit::create_order(gateway, op),
        "AddOrderItems" => edit::add_order_items(gateway, op),
        "RemoveOrderItems" => edit::remove_order_items(gateway, op),
        "UpdateOrderItems" => edit::update_order_items(gateway, op),
        "SetUserInformationForOrder" => edit::set_user_information(gateway, op),
        "ValidateOrder" => lifecycle::validate(gateway, op),
        "QuoteOrder" => lifecycle::quote(gateway, op),
        "SubmitOrder" => lifecycle::submit(gateway, op),
        "CancelOrder" => lifecycle::cancel_order(gateway, op),
        "CancelProviderOrder" => lifecycle::cancel_provider_order(gateway, op),
        "ResubmitProviderOrder" => lifecycle::resubmit_provider_order(gateway, op),
        "RemoveOrders" => lifecycle::remove_orders(gateway, op),
        "GetOrders" => query::orders(gateway, op),
        "GetOrderItems" => query::order_items(gateway, op),
        "GetOrderItemNamesByOrder" => query::item_names_by_order(gateway, op),
        "GetOrderItemNamesByProviderOrder" => query::item_names_by_provider_order(gateway, op),
        "GetProviderOrderGuidsByStateDateAndProvider" => query::provider_order_guids(gateway, op),
        _ => return None,
    })
}

/// Changes the order named by the `orderGuid` parameter on behalf of its owner (or an
/// operator): `change` edits the order and returns the deliveries it owes; all of it commits
/// in one transaction, or nothing does.
fn change_order(
    gateway: &Gateway,
    op: &Element,
    operation: &str,
    change: impl FnOnce(&mut Order, &Caller) -> GatewayResult<Vec<DeliveryRequest>>,
) -> GatewayResult<Order> {
    let caller = crate::soap::caller(gateway, op)?;
    let guid = Fields::params(op).required_text("orderGuid")?;
    change_order_as(gateway, &caller, guid, operation, change)
}

fn change_order_as(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
    operation: &str,
    change: impl FnOnce(&mut Order, &Caller) -> GatewayResult<Vec<DeliveryRequest>>,
) -> GatewayResult<Order> {
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation,
    };
    gateway
        .store
        .update_order(guid, origin, |mut order| {
            caller.require_order_owner(&order.guid, &order.owner_guid)?;
            let deliveries = change(&mut order, caller)?;
            Ok(OrderChange { order, deliveries })
        })
        .inspect(|_| gateway.deliveries.notify_one())
        .map_err(|error| name_missing_order(error, guid))
}

/// Names the order a storage "not found" is about: `Could not find order with guid [guid].`
pub(crate) fn name_missing_order(error: GatewayError, guid: &str) -> GatewayError {
    match error {
        GatewayError::Storage(StorageError::NotFound(_)) => GatewayError::not_found("Order", guid),
        other => other,
    }
}

/// The stored policies of every provider in the order (providers without any are left out;
/// validation reports them).
fn policies_of(
    gateway: &Gateway,
    order: &Order,
) -> GatewayResult<BTreeMap<Guid, ProviderPolicies>> {
    let mut policies = BTreeMap::new();
    for provider_order in order.provider_orders() {
        let provider = &provider_order.key.provider_guid;
        if let Some(record) = gateway.store.policies(provider.as_str())? {
            policies.insert(provider.clone(), record.policies);
        }
    }
    Ok(policies)
}
