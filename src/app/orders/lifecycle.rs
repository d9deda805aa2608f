//! Operations that move orders through the state machine: validate, quote, submit, cancel an
//! order or one provider order, resubmit a final provider order, remove orders. Quote, submit
//! and cancel write outbox entries for the delivery worker in the same transaction as the
//! state change.

use std::collections::BTreeMap;

use super::{change_order, policies_of, stored_order};
use crate::app::Gateway;
use crate::app::options::selections::FormsValidator;
use crate::error::{GatewayError, GatewayResult};
use crate::storage::{ChangeOrigin, OrderChange};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::order::{
    Order, OrderEvent, OrderState, ProviderOrderKey, QuoteOutcome, quote_outcome, validate_order,
};
use echo_domain::outbox::DeliveryRequest;
use echo_domain::policy::{ProviderPolicies, Transaction};
use echo_domain::timestamp::Timestamp;

pub fn validate(gateway: &Gateway, caller: &Caller, order: &str) -> GatewayResult<()> {
    change_order(gateway, caller, order, "ValidateOrder", |order| {
        let now = Timestamp::now();
        check_order(gateway, order, now)?;
        order.apply_to_all(OrderEvent::Validate, now)?;
        Ok(Vec::new())
    })
}

/// Validates, then asks every provider that supports QUOTE for a quote; the others' provider
/// orders become QUOTE_REJECTED with the reason in their status log.
pub fn quote(gateway: &Gateway, caller: &Caller, order: &str) -> GatewayResult<()> {
    change_order(gateway, caller, order, "QuoteOrder", |order| {
        let now = Timestamp::now();
        let policies = check_order(gateway, order, now)?;
        order.apply_to_all_validating(OrderEvent::RequestQuote, now)?;
        let mut deliveries = Vec::new();
        for (provider, provider_policies) in &policies {
            match quote_outcome(provider, provider_policies) {
                QuoteOutcome::Deliver => {
                    deliveries.push(delivery(order, provider, Transaction::Quote))
                }
                QuoteOutcome::Reject { reason } => {
                    order.record_message(provider, &reason, now)?;
                    order.apply_to_provider_order(provider, OrderEvent::QuoteRejected, now)?;
                }
            }
        }
        Ok(deliveries)
    })
}

pub fn submit(gateway: &Gateway, caller: &Caller, order: &str) -> GatewayResult<()> {
    change_order(gateway, caller, order, "SubmitOrder", |order| {
        let now = Timestamp::now();
        let policies = check_order(gateway, order, now)?;
        require_support(&policies, Transaction::Submit)?;
        order.apply_to_all_validating(OrderEvent::Submit, now)?;
        Ok(deliveries_to_all(order, Transaction::Submit))
    })
}

pub fn cancel(gateway: &Gateway, caller: &Caller, order: &str) -> GatewayResult<()> {
    change_order(gateway, caller, order, "CancelOrder", |order| {
        require_support(&policies_of(gateway, order)?, Transaction::Cancel)?;
        order.apply_to_all(OrderEvent::RequestCancel, Timestamp::now())?;
        Ok(deliveries_to_all(order, Transaction::Cancel))
    })
}

/// Asks one provider to cancel its part of an order.
pub fn cancel_provider_order(
    gateway: &Gateway,
    caller: &Caller,
    key: &ProviderOrderKey,
) -> GatewayResult<()> {
    let provider = &key.provider_guid;
    let order = key.order_guid.as_str();
    change_order(gateway, caller, order, "CancelProviderOrder", |order| {
        let mut policies = policies_of(gateway, order)?;
        policies.retain(|p, _| p == provider);
        require_support(&policies, Transaction::Cancel)?;
        order.apply_to_provider_order(provider, OrderEvent::RequestCancel, Timestamp::now())?;
        Ok(vec![delivery(order, provider, Transaction::Cancel)])
    })
}

/// Delivers a final provider order again, as a new order (ECHO returned its new GUID).
pub fn resubmit_provider_order(
    gateway: &Gateway,
    caller: &Caller,
    key: &ProviderOrderKey,
) -> GatewayResult<Guid> {
    let original = stored_order(gateway, key.order_guid.as_str())?;
    caller.require_order_owner(&original.guid, &original.owner_guid)?;
    let copy = original.resubmission(&key.provider_guid, Guid::random(), Timestamp::now())?;
    let guid = copy.guid.clone();
    let submit = vec![delivery(&copy, &key.provider_guid, Transaction::Submit)];
    let deliveries = crate::app::oms::routing::soap_only(gateway, submit)?;
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: "ResubmitProviderOrder",
    };
    let change = OrderChange {
        order: copy,
        deliveries,
    };
    gateway.store.insert_order(change, origin)?;
    gateway.deliveries.notify_one();
    Ok(guid)
}

/// Removes the named orders (GUIDs as sent), or with `None` all of the caller's, provided
/// none is in the hands of a partner (nothing in flight or processing): all or none go.
pub fn remove(gateway: &Gateway, caller: &Caller, orders: Option<&[String]>) -> GatewayResult<()> {
    let orders = match orders {
        Some(guids) => guids
            .iter()
            .map(|guid| stored_order(gateway, guid))
            .collect::<GatewayResult<Vec<Order>>>()?,
        None => gateway.store.orders_of_owner(&caller.user_guid)?,
    };
    for order in &orders {
        caller.require_order_owner(&order.guid, &order.owner_guid)?;
        if let Some(busy) = order
            .provider_orders()
            .iter()
            .find(|p| !removable(p.state()))
        {
            return Err(GatewayError::OrderNotRemovable {
                order: order.guid.to_string(),
                state: busy.state(),
            });
        }
    }
    for order in &orders {
        let origin = ChangeOrigin {
            actor: &caller.user_guid,
            operation: "RemoveOrders",
        };
        gateway.store.remove_order(order, origin)?;
    }
    Ok(())
}

/// Validates the order against its providers' policies; returns those policies.
fn check_order(
    gateway: &Gateway,
    order: &Order,
    now: Timestamp,
) -> GatewayResult<BTreeMap<Guid, ProviderPolicies>> {
    let policies = policies_of(gateway, order)?;
    validate_order(order, &policies, &FormsValidator { gateway }, now)?;
    Ok(policies)
}

fn require_support(
    policies: &BTreeMap<Guid, ProviderPolicies>,
    transaction: Transaction,
) -> GatewayResult<()> {
    match policies.iter().find(|(_, p)| !p.supports(transaction)) {
        Some((provider, _)) => Err(GatewayError::TransactionNotSupported(
            provider.to_string(),
            transaction.wire_name(),
        )),
        None => Ok(()),
    }
}

fn delivery(order: &Order, provider: &Guid, transaction: Transaction) -> DeliveryRequest {
    DeliveryRequest {
        provider_order: ProviderOrderKey {
            order_guid: order.guid.clone(),
            provider_guid: provider.clone(),
        },
        transaction,
    }
}

fn deliveries_to_all(order: &Order, transaction: Transaction) -> Vec<DeliveryRequest> {
    order
        .provider_orders()
        .iter()
        .map(|p| delivery(order, &p.key.provider_guid, transaction))
        .collect()
}

/// Provider orders a partner is not working on: before submission, or final.
fn removable(state: OrderState) -> bool {
    state.is_terminal()
        || matches!(
            state,
            OrderState::NotValidated
                | OrderState::Validated
                | OrderState::Quoted
                | OrderState::QuoteRejected
                | OrderState::QuoteFailed
        )
}
