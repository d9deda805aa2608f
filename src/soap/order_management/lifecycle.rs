//! Order state changes over SOAP: ValidateOrder, QuoteOrder, SubmitOrder, CancelOrder,
//! CancelProviderOrder, ResubmitProviderOrder and RemoveOrders.

use super::order_param;
use crate::app::orders::lifecycle;
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

pub fn resubmit_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let guid = lifecycle::resubmit_provider_order(gateway, &caller, &provider_order_param(op)?)?;
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
