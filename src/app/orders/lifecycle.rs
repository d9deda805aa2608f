//! Operations that move orders through the state machine: validate, quote, submit, cancel an
//! order or one provider order, resubmit a final provider order, remove orders. Quote, submit
//! and cancel write outbox entries for the delivery worker in the same transaction as the
//! state change.

use std::collections::BTreeMap;

use super::{change_order, policies_of, stored_order};
use crate::app::Gateway;
use crate::app::options::selections::FormsValidator;
use crate::error::{GatewayError, GatewayResult, RequestError};
use crate::storage::{ChangeOrigin, OrderChange};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::order::{
    Order, OrderEvent, OrderState, ProviderOrderKey, ProviderOutcome, quote_outcome,
    submit_outcome, validate_order,
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
        deliver_or_refuse(order, &policies, Transaction::Quote, quote_outcome, now)
    })
}

/// Validates, then submits every provider order; those of providers without SUBMIT support
/// fail at once with ECHO's status line (see `echo_domain::order::unsupported_transaction`).
pub fn submit(gateway: &Gateway, caller: &Caller, order: &str) -> GatewayResult<()> {
    change_order(gateway, caller, order, "SubmitOrder", |order| {
        let now = Timestamp::now();
        let policies = check_order(gateway, order, now)?;
        order.apply_to_all_validating(OrderEvent::Submit, now)?;
        deliver_or_refuse(order, &policies, Transaction::Submit, submit_outcome, now)
    })
}

/// After a quote or submission moved every provider order in flight: the deliveries owed to
/// the providers `outcome` says to ask; the others' provider orders move on at once.
fn deliver_or_refuse(
    order: &mut Order,
    policies: &BTreeMap<Guid, ProviderPolicies>,
    transaction: Transaction,
    outcome: fn(&Guid, &ProviderPolicies) -> ProviderOutcome,
    now: Timestamp,
) -> GatewayResult<Vec<DeliveryRequest>> {
    let mut deliveries = Vec::new();
    for (provider, provider_policies) in policies {
        match outcome(provider, provider_policies) {
            ProviderOutcome::Deliver => deliveries.push(delivery(order, provider, transaction)),
            ProviderOutcome::Refuse { reason, event } => {
                order.record_message(provider, &reason, now)?;
                order.apply_to_provider_order(provider, event, now)?;
            }
        }
    }
    Ok(deliveries)
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

/// ResubmitProviderOrder: which provider order to deliver again, and the tracking id the
/// provider gives the new one.
pub struct Resubmission {
    pub order: String,
    /// `None` in ECHO's form: the caller's own provider (staff, or a provider-context token),
    /// else the order's only provider order.
    pub provider: Option<Guid>,
    /// ECHO's `providerTrackingId`; empty means none.
    pub tracking_id: Option<String>,
}

/// Delivers a final provider order again, as a new order whose GUID is answered; the
/// original's log says so, in the same transaction. Its owner, an operator or the staff of
/// that provider may.
pub fn resubmit_provider_order(
    gateway: &Gateway,
    caller: &Caller,
    request: Resubmission,
) -> GatewayResult<Guid> {
    let original = stored_order(gateway, &request.order)?;
    let providers = original
        .provider_orders()
        .iter()
        .map(|p| &p.key.provider_guid);
    caller.order_view(&original.guid, &original.owner_guid, providers)?;
    let provider = resubmitted_provider(caller, &original, request.provider)?;
    caller.require_provider_order_party(&original.guid, &original.owner_guid, &provider)?;
    let new_guid = Guid::time_ordered();
    let tracking_id = request.tracking_id.filter(|id| !id.trim().is_empty());
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: "ResubmitProviderOrder",
        oms: None,
    };
    gateway
        .store
        .update_order_inserting(&request.order, origin, |mut order| {
            let copy = order.resubmit(
                &provider,
                new_guid.clone(),
                tracking_id.clone(),
                Timestamp::now(),
            )?;
            let submit = vec![delivery(&copy, &provider, Transaction::Submit)];
            let resubmitted = OrderChange {
                deliveries: crate::app::oms::routing::soap_only(gateway, submit)?,
                order: copy,
            };
            let original = OrderChange {
                order,
                deliveries: Vec::new(),
            };
            Ok::<_, GatewayError>((original, resubmitted))
        })?;
    gateway.deliveries.notify_one();
    Ok(new_guid)
}

/// The provider whose part is resubmitted: the one named, else the caller's own, else the
/// order's only one.
fn resubmitted_provider(
    caller: &Caller,
    order: &Order,
    named: Option<Guid>,
) -> GatewayResult<Guid> {
    if let Some(provider) = named.or_else(|| caller.acting_provider().ok().cloned()) {
        return Ok(provider);
    }
    match order.provider_orders() {
        [only] => Ok(only.key.provider_guid.clone()),
        _ => Err(RequestError::Missing("providerOrderGuid".into()).into()),
    }
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
            oms: None,
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
