//! The port through which deliveries speak to data partners: how a [`FulfillmentRequest`] is
//! written for the partner and how its HTTP answer is read. The delivery worker sends through
//! it without knowing the protocol; the SOAP adapter implements it for ECHO's v9
//! OrderFulfillment contract, and the server hands that implementation to the worker.

use echo_domain::fulfillment::{FulfillmentAnswer, FulfillmentRequest};

/// A partner's wire protocol, as the delivery worker needs it.
pub trait PartnerProtocol: Send + Sync {
    /// Headers every request carries besides the gateway's own (`Idempotency-Key`).
    fn headers(&self) -> &'static [(&'static str, &'static str)];

    /// The request body, carrying the request's idempotency key.
    fn encode_request(&self, request: &FulfillmentRequest) -> String;

    /// The answer in the body of an HTTP response with `status`; an error says why there is
    /// none (an HTTP error, a fault, an unreadable body), for the attempt history.
    fn decode_answer(&self, status: u16, body: &[u8]) -> Result<FulfillmentAnswer, String>;
}
