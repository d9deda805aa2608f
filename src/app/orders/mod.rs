//! Orders as their owners (and operators) handle them: `edit` creates orders and changes their
//! items and user information, `lifecycle` moves them through the state machine (validate,
//! quote, submit, cancel, resubmit, remove) and queues the deliveries a change owes partners,
//! `query` reads orders as the caller may see them, `search` finds them for the console.
//! Every change commits the order, its outbox entries and its change record in one
//! transaction, or nothing.

pub mod edit;
pub mod lifecycle;
pub mod query;
pub mod search;

use std::collections::BTreeMap;

use super::Gateway;
use crate::error::{GatewayError, GatewayResult};
use crate::storage::{ChangeOrigin, OrderChange, StorageError};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::order::Order;
use echo_domain::outbox::DeliveryRequest;
use echo_domain::policy::ProviderPolicies;

/// Changes order `guid` on behalf of its owner (or an operator): `change` edits the order and
/// returns the deliveries it owes; all of it commits in one transaction, or nothing does.
fn change_order(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
    operation: &str,
    mut change: impl FnMut(&mut Order) -> GatewayResult<Vec<DeliveryRequest>> + Send,
) -> GatewayResult<()> {
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation,
        oms: None,
    };
    gateway
        .store
        .update_order(guid, origin, |mut order| {
            caller.require_order_owner(&order.guid, &order.owner_guid)?;
            let deliveries = crate::app::oms::routing::soap_only(gateway, change(&mut order)?)?;
            Ok(OrderChange { order, deliveries })
        })
        .inspect(|()| gateway.deliveries.notify_one())
        .map_err(|error| name_missing_order(error, guid))
}

/// Names the order a storage "not found" is about: `Could not find order with guid [guid].`
pub fn name_missing_order(error: GatewayError, guid: &str) -> GatewayError {
    match error {
        GatewayError::Storage(StorageError::NotFound(_)) => GatewayError::not_found("Order", guid),
        other => other,
    }
}

/// Loads order `guid`, or names it as missing.
fn stored_order(gateway: &Gateway, guid: &str) -> GatewayResult<Order> {
    gateway
        .store
        .order(guid)?
        .ok_or_else(|| GatewayError::not_found("Order", guid))
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
