//! Inbound OrderFulfillment (`/echo-v9/OrderFulfillmentServicePortImpl`): the gateway answers
//! quote, submit and cancel as if it were the data partner, stores each request durably (with
//! the caller's idempotency key, kept end to end) and relays it through the delivery worker to
//! the partner configured for the request's provider. The caller gets the partner's answer if
//! it comes within the relay wait, and POSTPONED otherwise; the gateway keeps delivering.
//!
//! The v9 messages carry no token, so the caller authenticates with an `Authorization: Bearer`
//! header: operators may relay to any provider, provider staff to their own.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::{Gateway, blocking};
use crate::error::RequestError;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::envelope::parse_request;
use crate::soap::fulfillment::{FULFILLMENT_NS, decode_request};
use crate::xml::XmlLimits;
use echo_domain::delivery::DeliveryState;
use echo_domain::fulfillment::{Disposition, FulfillmentAnswer, FulfillmentRequest};
use echo_domain::policy::Transaction;

/// How often a waiting caller looks for the partner's answer.
const POLL: Duration = Duration::from_millis(25);

/// Relays one inbound request; returns its transaction and the answer for the caller.
pub async fn relay(
    gateway: Arc<Gateway>,
    token: Option<String>,
    body: Vec<u8>,
    limits: XmlLimits,
) -> GatewayResult<(Transaction, FulfillmentAnswer)> {
    let worker = gateway.clone();
    let (transaction, id) =
        blocking(move || accept(&worker, token.as_deref(), &body, limits)).await?;
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
            return Ok((transaction, answer));
        }
        if Instant::now() >= deadline {
            return Ok((transaction, postponed()));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Checks the caller and the request and queues it durably; returns the delivery id.
fn accept(
    gateway: &Gateway,
    token: Option<&str>,
    body: &[u8],
    limits: XmlLimits,
) -> GatewayResult<(Transaction, u64)> {
    let token = token.ok_or_else(|| RequestError::Missing("Authorization: Bearer token".into()))?;
    let caller = gateway.authenticate(token)?;
    let request = parse_request(body, limits)?;
    if request.operation.name.ns != FULFILLMENT_NS {
        return Err(RequestError::UnknownOperation {
            service: "OrderFulfillment".into(),
            ns: request.operation.name.ns.clone(),
            name: request.operation.name.local.clone(),
        }
        .into());
    }
    let request: FulfillmentRequest = decode_request(&request.operation)?;
    let provider = gateway.find_provider(request.provider_order.provider_guid.as_str())?;
    caller.require_provider_access(&provider.guid)?;
    if gateway.store.policies(provider.guid.as_str())?.is_none() {
        return Err(GatewayError::not_found(
            "ProviderPolicies",
            provider.guid.to_string(),
        ));
    }
    let id = gateway.store.enqueue_relay(&request)?;
    Ok((request.transaction, id))
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
