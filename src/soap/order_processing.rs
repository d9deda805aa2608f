//! OrderProcessingService over SOAP: decodes a data partner's callback (`orderGuid` and what
//! the operation carries), calls [`app::order_processing`](crate::app::order_processing) and
//! answers with the operation's empty response.

use crate::app::order_processing::{self, PartnerCallback, Settlement};
use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::soap::order_codec::{decode_receipt, optional_text};
use crate::soap::writer::Out;
use crate::soap::{Gateway, response};
use crate::xml::Element;

/// Reads an operation's parameters (after `token` and `orderGuid`) into its callback.
type Decoder = fn(Fields<'_>) -> GatewayResult<PartnerCallback>;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    let decode: Decoder = match name {
        "CloseProviderOrder" => |params| Ok(PartnerCallback::Close(settlement(params))),
        "AcceptProviderOrderCancellation" => {
            |params| Ok(PartnerCallback::AcceptCancellation(settlement(params)))
        }
        "RejectProviderOrderCancellation" => |params| {
            let message = message(params);
            Ok(PartnerCallback::RejectCancellation { message })
        },
        "AcceptProviderOrderSubmission" => accepted_submission,
        "RejectProviderOrderSubmission" => |params| {
            let message = message(params);
            Ok(PartnerCallback::RejectSubmission { message })
        },
        "AcceptProviderOrderQuote" => accepted_quote,
        "RejectProviderOrderQuote" => |params| {
            let message = message(params);
            Ok(PartnerCallback::RejectQuote { message })
        },
        "UpdateProviderOrderStatusMessage" => |params| {
            params.required_text("statusMessage")?;
            Ok(PartnerCallback::StatusMessage(message(params)))
        },
        "SetProviderTrackingId" => |params| {
            let tracking_id = params.required_text("providerTrackingId")?;
            Ok(PartnerCallback::TrackingId(tracking_id.to_owned()))
        },
        _ => return None,
    };
    Some(act(gateway, name, op, decode))
}

fn act(gateway: &Gateway, operation: &str, op: &Element, decode: Decoder) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let params = Fields::params(op);
    let order = params.required_text("orderGuid")?;
    let callback = decode(params)?;
    order_processing::report(gateway, &caller, order, callback)?;
    Ok(response(operation))
}

/// The optional `statusMessage` (blank when absent).
fn message(params: Fields<'_>) -> String {
    params.text("statusMessage").unwrap_or_default().to_owned()
}

/// CloseProviderOrder / AcceptProviderOrderCancellation: `providerTrackingId`,
/// `catalogItemGuids` (nil or absent: all items) and `statusMessage`.
fn settlement(params: Fields<'_>) -> Settlement {
    Settlement {
        catalog_items: params.string_list("catalogItemGuids"),
        tracking_id: optional_text(params, "providerTrackingId"),
        message: message(params),
    }
}

/// AcceptProviderOrderSubmission: `providerTrackingId`, `orderReceipt` (both optional) and
/// `statusMessage`.
fn accepted_submission(params: Fields<'_>) -> GatewayResult<PartnerCallback> {
    Ok(PartnerCallback::AcceptSubmission {
        tracking_id: optional_text(params, "providerTrackingId"),
        receipt: params
            .element("orderReceipt")
            .map(decode_receipt)
            .transpose()?,
        message: message(params),
    })
}

/// AcceptProviderOrderQuote: the required `orderReceipt` and `statusMessage`.
fn accepted_quote(params: Fields<'_>) -> GatewayResult<PartnerCallback> {
    Ok(PartnerCallback::AcceptQuote {
        receipt: decode_receipt(params.required_element("orderReceipt")?)?,
        message: message(params),
    })
}
