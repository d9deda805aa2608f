//! The relay: the gateway answers an inbound quote, submit or cancel as if it were the data
//! partner, stores each request durably (once per upstream idempotency key, which is kept end
//! to end) and relays it through the delivery worker to the partner configured for the
//! request's provider. The caller gets the partner's answer if it comes within the relay wait,
//! and POSTPONED otherwise; the gateway keeps delivering.
//!
//! Operators may relay to any provider, provider staff to their own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{Gateway, blocking};
use crate::error::{GatewayError, GatewayResult};
use echo_domain::caller::Caller;
use echo_domain::delivery::DeliveryState;
use echo_domain::fulfillment::{Disposition, FulfillmentAnswer, FulfillmentRequest};

/// How often a waiting caller looks for the partner's answer.
const POLL: Duration = Duration::from_millis(25);

/// Relays `request` for `caller` and waits for the partner's answer, or POSTPONED.
pub async fn relay(
    gateway: Arc<Gateway>,
    caller: Caller,
    request: FulfillmentRequest,
) -> GatewayResult<FulfillmentAnswer> {
    let worker = gateway.clone();
    let id = blocking(move || accept(&worker, &caller, &request)).await?;
    gateway.deliveries.notify_one();
    let deadline = Instant::now() + gateway.settings.relay_wait;
    loop {
        let store = gateway.store.clone();
        let delivery = blocking(move || Ok(store.delivery(id)?)).await?;
        let answered = delivery.as_ref().and_then(|d| match d.status.state {
            DeliveryState::Done => d.status.answer.clone(),
            _ => None,
        });
        if let Some(answer) = answered {
            return Ok(answer);
        }
        if Instant::now() >= deadline {
            return Ok(postponed());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Checks the caller may relay to the request's provider, which must have policies, and
/// queues the request durably; returns its delivery id (the first one's, for a repeat).
fn accept(gateway: &Gateway, caller: &Caller, request: &FulfillmentRequest) -> GatewayResult<u64> {
    let provider = gateway.find_provider(request.provider_order.provider_guid.as_str())?;
    caller.require_provider_access(&provider.guid)?;
    if gateway.store.policies(provider.guid.as_str())?.is_none() {
        return Err(GatewayError::not_found(
            "ProviderPolicies",
            provider.guid.to_string(),
        ));
    }
    Ok(gateway.store.enqueue_relay(request)?)
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
