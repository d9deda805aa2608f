//! The v9 OrderFulfillment contract as the delivery worker's [`PartnerProtocol`]: SOAP 1.1
//! requests, and answers read from 2xx responses or from the 500 a SOAP fault comes with.

use super::fulfillment::{decode_answer, encode_request};
use crate::app::partner_protocol::PartnerProtocol;
use echo_domain::fulfillment::{FulfillmentAnswer, FulfillmentRequest};

/// ECHO's v9 OrderFulfillment over SOAP 1.1.
#[derive(Debug, Clone, Copy, Default)]
pub struct OrderFulfillmentV9;

impl PartnerProtocol for OrderFulfillmentV9 {
    fn headers(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", "\"\""),
        ]
    }

    fn encode_request(&self, request: &FulfillmentRequest) -> String {
        encode_request(request)
    }

    fn decode_answer(&self, status: u16, body: &[u8]) -> Result<FulfillmentAnswer, String> {
        if !(200..300).contains(&status) && status != 500 {
            return Err(format!("the partner answered HTTP {status}"));
        }
        decode_answer(body).map_err(|e| e.to_string())
    }
}
