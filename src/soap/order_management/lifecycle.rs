//! Operations that move orders through the state machine: ValidateOrder, QuoteOrder,
//! SubmitOrder, CancelOrder, CancelProviderOrder, ResubmitProviderOrder and RemoveOrders.
//! Quote, submit and cancel write outbox entries for the delivery worker in the same
//! transaction as the state change.

use std::collections::BTreeMap;

use super::{change_order, change_order_as, policies_of};
use crate::app::options::selections::FormsValidator;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::soap::order_codec::decode_provider_order_guid;
use crate::soap::writer::Out;
use crate::soap::{Gateway, response, result_response};
use crate::storage::{ChangeOrigin, OrderChange};
use crate::xml::Element;
use echo_domain::guid::Guid;
use echo_domain::order::{
    Order, OrderEvent, OrderState, ProviderOrderKey, QuoteOutcome, quote_outcome, validate_order,
};
use echo_domain::outbox::DeliveryRequest;
use echo_domain::policy::{ProviderPolicies, Transaction};
use echo_domain::timestamp::Timestamp;

pub fn validate(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    change_order(gateway, op, "ValidateOrder", |order, _| {
        let now = Timestamp::now();
        check_order(gateway, order, now)?;
        order.apply_to_all(OrderEvent::Validate, now)?;
        Ok(Vec::new())
    })?;
    Ok(response("ValidateOrder"))
}

/// Validates, then asks every provider that supports QUOTE for a quote; the others' provider
/// orders become QUOTE_REJECTED with the reason in their status log.
pub fn quote(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    change_order(gateway, op, "QuoteOrder", |order, _| {
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
    })?;
    Ok(response("QuoteOrder"))
}

pub fn submit(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    change_order(gateway, op, "SubmitOrder", |order, _| {
        let now = Timestamp::now();
        let policies = check_order(gateway, order, now)?;
        require_support(&policies, Transaction::Submit)?;
        order.apply_to_all_validating(OrderEvent::Submit, now)?;
        Ok(deliveries_to_all(order, Transaction::Submit))
    })?;
    Ok(response("SubmitOrder"))
}

pub fn cancel_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    change_order(gateway, op, "CancelOrder", |order, _| {
        require_support(&policies_of(gateway, order)?, Transaction::Cancel)?;
        order.apply_to_all(OrderEvent::RequestCancel, Timestamp::now())?;
        Ok(deliveries_to_all(order, Transaction::Cancel))
    })?;
    Ok(response("CancelOrder"))
}

pub fn cancel_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let key =
        decode_provider_order_guid(Fields::params(op).required_element("providerOrderGuid")?)?;
    change_order_as(
        gateway,
        &caller,
        key.order_guid.as_str(),
        "CancelProviderOrder",
        |order, _| {
            let policies = policies_of(gateway, order)?;
            let provider = &key.provider_guid;
            require_support(
                &policies
                    .into_iter()
                    .filter(|(p, _)| p == provider)
                    .collect(),
                Transaction::Cancel,
            )?;
            order.apply_to_provider_order(provider, OrderEvent::RequestCancel, Timestamp::now())?;
            Ok(vec![delivery(order, provider, Transaction::Cancel)])
        },
    )?;
    Ok(response("CancelProviderOrder"))
}

/// Delivers a final provider order again, as a new order (ECHO returned its new GUID).
pub fn resubmit_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let key =
        decode_provider_order_guid(Fields::params(op).required_element("providerOrderGuid")?)?;
    let original = gateway
        .store
        .order(key.order_guid.as_str())?
        .ok_or_else(|| GatewayError::not_found("Order", key.order_guid.to_string()))?;
    caller.require_order_owner(&original.guid, &original.owner_guid)?;
    let copy = original.resubmission(&key.provider_guid, Guid::random(), Timestamp::now())?;
    let guid = copy.guid.clone();
    let deliveries = vec![delivery(&copy, &key.provider_guid, Transaction::Submit)];
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: "ResubmitProviderOrder",
    };
    gateway.store.insert_order(
        OrderChange {
            order: copy,
            deliveries,
        },
        origin,
    )?;
    gateway.deliveries.notify_one();
    Ok(result_response(
        "ResubmitProviderOrder",
        Out::echo("result").text(guid),
    ))
}

/// Removes orders that are not in the hands of a partner (nothing in flight or processing).
pub fn remove_orders(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let orders = match Fields::params(op).string_list("orderGuids") {
        Some(guids) => guids
            .iter()
            .map(|guid| {
                gateway
                    .store
                    .order(guid)?
                    .ok_or_else(|| GatewayError::not_found("Order", guid.as_str()))
            })
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
    Ok(response("RemoveOrders"))
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
