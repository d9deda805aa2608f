//! Inbound OrderFulfillment over SOAP (`/echo-v9/OrderFulfillmentServicePortImpl`): reads the
//! v9 request envelope, hands the decoded request to [`app::relay`](crate::app::relay) and
//! answers with the partner's answer (or POSTPONED) or a v9 fault, ready for HTTP.
//!
//! The v9 messages carry no token, so the caller authenticates with an `Authorization: Bearer`
//! header, checked before the body is read.

use std::sync::Arc;

use crate::app::{Gateway, relay as app_relay};
use crate::error::{GatewayResult, RequestError};
use crate::soap::envelope::parse_request;
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::fulfillment::{
    FULFILLMENT_NS, decode_request, encode_answer, encode_fault, encode_request,
};
use crate::xml::XmlLimits;
use echo_domain::caller::Caller;
use echo_domain::fulfillment::{FulfillmentAnswer, FulfillmentRequest};
use echo_domain::policy::Transaction;

/// The SOAP answer to one relayed request.
pub struct RelayReply {
    pub body: String,
    /// The metrics label: the relayed operation, apart from the v10 operations of the same
    /// name, or `RelayFault`.
    pub label: &'static str,
    /// Whose fault it was, when the answer is a fault (sent with HTTP 500).
    pub fault: Option<FaultCode>,
}

/// Relays one inbound request and encodes the answer for the caller.
pub async fn answer(
    gateway: Arc<Gateway>,
    token: Option<String>,
    body: Vec<u8>,
    limits: XmlLimits,
) -> RelayReply {
    match relay(gateway, token, body, limits).await {
        Ok((transaction, answer)) => RelayReply {
            body: encode_answer(transaction, &answer),
            label: relay_label(transaction),
            fault: None,
        },
        Err(error) => {
            let fault = Fault::from(&error);
            RelayReply {
                body: encode_fault(fault.code, &fault.error_code, &fault.message),
                label: "RelayFault",
                fault: Some(fault.code),
            }
        }
    }
}

fn relay_label(transaction: Transaction) -> &'static str {
    match transaction {
        Transaction::Quote => "RelayQuoteOrder",
        Transaction::Submit => "RelaySubmitOrder",
        Transaction::Cancel => "RelayCancelOrder",
    }
}

/// Relays one inbound request; returns its transaction and the answer for the caller.
async fn relay(
    gateway: Arc<Gateway>,
    token: Option<String>,
    body: Vec<u8>,
    limits: XmlLimits,
) -> GatewayResult<(Transaction, FulfillmentAnswer)> {
    // Decoding is bounded by the XML limits and authentication is a read: both run on this
    // task, like the rest of the relay (see `app::relay::accept`).
    let (caller, request) = decode(&gateway, token.as_deref(), &body, limits)?;
    let body = encode_request(&request);
    let relayed = app_relay::accept(&gateway, &caller, &request, body).await?;
    Ok((
        request.transaction,
        app_relay::answer(gateway, relayed).await?,
    ))
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
    if &*request.operation.name.ns != FULFILLMENT_NS {
        return Err(RequestError::UnknownOperation {
            service: "OrderFulfillment".into(),
            ns: request.operation.name.ns.to_string(),
            name: request.operation.name.local.clone(),
        }
        .into());
    }
    Ok((caller, decode_request(request.operation)?))
}
