//! Inbound OrderFulfillment over SOAP (`/echo-v9/OrderFulfillmentServicePortImpl`): reads the
//! v9 request envelope, hands the decoded request to [`app::relay`](crate::app::relay) and
//! returns the partner's answer (or POSTPONED) for the router to encode.
//!
//! The v9 messages carry no token, so the caller authenticates with an `Authorization: Bearer`
//! header, checked before the body is read.

use std::sync::Arc;

use crate::app::{Gateway, blocking, relay as app_relay};
use crate::error::{GatewayResult, RequestError};
use crate::soap::envelope::parse_request;
use crate::soap::fulfillment::{FULFILLMENT_NS, decode_request};
use crate::xml::XmlLimits;
use echo_domain::caller::Caller;
use echo_domain::fulfillment::{FulfillmentAnswer, FulfillmentRequest};
use echo_domain::policy::Transaction;

/// Relays one inbound request; returns its transaction and the answer for the caller.
pub async fn relay(
    gateway: Arc<Gateway>,
    token: Option<String>,
    body: Vec<u8>,
    limits: XmlLimits,
) -> GatewayResult<(Transaction, FulfillmentAnswer)> {
    let reader = gateway.clone();
    let (caller, request) =
        blocking(move || decode(&reader, token.as_deref(), &body, limits)).await?;
    let transaction = request.transaction;
    let answer = app_relay::relay(gateway, caller, request).await?;
    Ok((transaction, answer))
}

/// Authenticates the bearer token, then reads the request from its envelope.
fn decode(
    gateway: &Gateway,
    token: Option<&str>,
    body: &[u8],
    limits: XmlLimits,
) -> GatewayResult<(Caller, FulfillmentRequest)> {
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
    Ok((caller, decode_request(&request.operation)?))
}
