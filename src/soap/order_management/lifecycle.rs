//! Order state changes over SOAP: ValidateOrder, QuoteOrder, SubmitOrder, CancelOrder,
//! CancelProviderOrder, ResubmitProviderOrder and RemoveOrders.

use super::order_param;
use crate::app::orders::lifecycle::{self, Resubmission};
use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::soap::order_codec::decode_provider_order_guid;
use crate::soap::writer::Out;
use crate::soap::{Gateway, caller, response, result_response};
use crate::xml::Element;
use echo_domain::order::ProviderOrderKey;

pub fn validate(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    lifecycle::validate(gateway, &caller, order_param(op)?)?;
    Ok(response("ValidateOrder"))
}

pub fn quote(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    lifecycle::quote(gateway, &caller, order_param(op)?)?;
    Ok(response("QuoteOrder"))
}

pub fn submit(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    lifecycle::submit(gateway, &caller, order_param(op)?)?;
    Ok(response("SubmitOrder"))
}

pub fn cancel_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    lifecycle::cancel(gateway, &caller, order_param(op)?)?;
    Ok(response("CancelOrder"))
}

pub fn cancel_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    lifecycle::cancel_provider_order(gateway, &caller, &provider_order_param(op)?)?;
    Ok(response("CancelProviderOrder"))
}

/// ECHO's form (`orderGuid`, `providerTrackingId`, called by provider staff), or the
/// gateway's extension naming the provider order (`providerOrderGuid`).
pub fn resubmit_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let params = Fields::params(op);
    let request = match params.element("providerOrderGuid") {
        Some(element) => {
            let key = decode_provider_order_guid(element)?;
            Resubmission {
                order: key.order_guid.to_string(),
                provider: Some(key.provider_guid),
                tracking_id: None,
            }
        }
        None => Resubmission {
            order: order_param(op)?.to_owned(),
            provider: None,
            tracking_id: params.text("providerTrackingId").map(str::to_owned),
        },
    };
    let guid = lifecycle::resubmit_provider_order(gateway, &caller, request)?;
    Ok(result_response(
        "ResubmitProviderOrder",
        Out::echo("result").text(guid),
    ))
}

pub fn remove_orders(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let orders = Fields::params(op).string_list("orderGuids");
    lifecycle::remove(gateway, &caller, orders.as_deref())?;
    Ok(response("RemoveOrders"))
}

/// The `providerOrderGuid` parameter: {ProviderGuid, OrderGuid}.
fn provider_order_param(op: &Element) -> GatewayResult<ProviderOrderKey> {
    decode_provider_order_guid(Fields::params(op).required_element("providerOrderGuid")?)
}
