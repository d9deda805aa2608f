//! The relay: the gateway answers an inbound quote, submit or cancel as if it were the data
//! partner, stores each request durably (once per upstream idempotency key, which is kept end
//! to end) and relays it through the delivery worker to the partner configured for the
//! request's provider. The caller gets the partner's answer if it comes within the relay wait
//! (woken when the delivery settles, see `delivery_signals`), and POSTPONED otherwise; the
//! gateway keeps delivering.
//!
//! Operators may relay to any provider, provider staff to their own.

use std::sync::Arc;

use super::{Gateway, blocking};
use crate::error::{GatewayError, GatewayResult};
use crate::storage::Relayed;
use echo_domain::caller::Caller;
use echo_domain::delivery::DeliveryState;
use echo_domain::fulfillment::{Disposition, FulfillmentAnswer, FulfillmentRequest};
use echo_domain::outbox::DeliveryRequest;

/// Checks the caller may relay to the request's provider, which must have policies, and
/// queues the request durably. Its reads are brief and the wait for the commit holds no
/// thread, so adapters call it from their own task: no hand-off to the blocking pool.
/// `body` is the request as the partner is to receive it: a relay speaks the partner's own
/// protocol, so the adapter that decoded it writes it (once, here, not on every attempt).
pub async fn accept(
    gateway: &Gateway,
    caller: &Caller,
    request: &FulfillmentRequest,
    body: String,
) -> GatewayResult<Relayed> {
    let provider = gateway.find_provider(request.provider_order.provider_guid.as_str())?;
    caller.require_provider_access(&provider.guid)?;
    if gateway.store.policies(provider.guid.as_str())?.is_none() {
        return Err(GatewayError::not_found(
            "ProviderPolicies",
            provider.guid.to_string(),
        ));
    }
    let delivery = DeliveryRequest {
        provider_order: request.provider_order.clone(),
        transaction: request.transaction,
    };
    let key = request.idempotency_key.clone();
    Ok(gateway.store.enqueue_relay(key, delivery, body).await?)
}

/// Waits for the partner's answer to an accepted request, at most the relay wait, or
/// POSTPONED. A fresh request with no relay wait is answered at once, without a look at
/// storage: nobody can have answered it yet.
pub async fn answer(gateway: Arc<Gateway>, relayed: Relayed) -> GatewayResult<FulfillmentAnswer> {
    let wait = gateway.settings.relay_wait;
    gateway.deliveries.notify_one();
    if wait.is_zero() && !relayed.repeated {
        return Ok(postponed());
    }
    let mut watch = gateway.delivery_signals.watch(relayed.id);
    // A repeated request may find its delivery answered already.
    if let Some(answer) = partner_answer(&gateway, relayed.id).await? {
        return Ok(answer);
    }
    match watch.settled_within(wait).await {
        // Handed over by the worker: no trip to the store between its commit and the answer.
        Some(Some(answer)) => Ok(answer),
        Some(None) => Ok(partner_answer(&gateway, relayed.id)
            .await?
            .unwrap_or_else(postponed)),
        None => Ok(postponed()),
    }
}

/// The partner's answer, once the delivery is done.
async fn partner_answer(
    gateway: &Arc<Gateway>,
    id: u64,
) -> GatewayResult<Option<FulfillmentAnswer>> {
    let store = gateway.store.clone();
    let delivery = blocking(move || Ok(store.delivery(id)?)).await?;
    Ok(delivery.and_then(|d| match d.status.state {
        DeliveryState::Done => d.status.answer,
        _ => None,
    }))
}

fn postponed() -> FulfillmentAnswer {
    FulfillmentAnswer {
        disposition: Disposition::Postponed,
        message: Some(
            "the gateway holds the request and keeps delivering it to the partner".into(),
        ),
        provider_tracking_id: None,
        receipt: None,
    }
}
