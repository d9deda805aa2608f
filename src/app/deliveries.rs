//! Operators' view of deliveries to partners: listing them with their state, showing one's
//! attempt history, and retrying a failed one (a new round of tries with the same idempotency
//! key; the provider order goes back in flight).

use super::Gateway;
use crate::error::{GatewayError, GatewayResult, LookupKey};
use crate::storage::{ChangeOrigin, OrderChange};
use echo_domain::delivery::{Delivery, DeliveryState, retry_event};
use echo_domain::timestamp::Timestamp;

/// Deliveries, oldest first, optionally only one provider's (ID or GUID) or in one state.
pub fn list(
    gateway: &Gateway,
    provider: Option<&str>,
    state: Option<DeliveryState>,
) -> GatewayResult<Vec<Delivery>> {
    let provider = provider.map(|p| gateway.find_provider(p)).transpose()?;
    Ok(gateway
        .store
        .deliveries()?
        .into_iter()
        .filter(|d| {
            provider
                .as_ref()
                .is_none_or(|p| d.entry.provider_order.provider_guid == p.guid)
        })
        .filter(|d| state.is_none_or(|s| d.status.state == s))
        .collect())
}

pub fn show(gateway: &Gateway, id: u64) -> GatewayResult<Delivery> {
    gateway
        .store
        .delivery(id)?
        .ok_or_else(|| GatewayError::not_found_by("Delivery", LookupKey::Id, id.to_string()))
}

/// Retries a failed delivery: its provider order returns to QUOTING, SUBMITTING or CANCELLING
/// and the worker makes a new round of RetryAttempts tries.
pub fn retry(gateway: &Gateway, id: u64) -> GatewayResult<Delivery> {
    let Delivery { entry, mut status } = show(gateway, id)?;
    if status.state != DeliveryState::Failed {
        return Err(GatewayError::DeliveryNotFailed(id));
    }
    let now = Timestamp::now();
    status.restart(now);
    let provider = &entry.provider_order.provider_guid;
    let origin = ChangeOrigin {
        actor: provider,
        operation: "RetryDelivery",
    };
    gateway.store.settle_delivery(
        id,
        &status,
        origin,
        entry.provider_order.order_guid.as_str(),
        |mut order| {
            order.record_message(provider, "ECHO: an operator retried the delivery", now)?;
            order.apply_to_provider_order(provider, retry_event(entry.transaction), now)?;
            Ok::<_, GatewayError>(OrderChange {
                order,
                deliveries: Vec::new(),
            })
        },
    )?;
    gateway.deliveries.notify_one();
    Ok(Delivery { entry, status })
}
