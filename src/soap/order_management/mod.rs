//! OrderManagementService over SOAP: clients create, edit, validate, quote, submit, cancel and
//! read their orders. Each operation is decoded here (with the v10 codec), run by
//! [`app::orders`](crate::app::orders) and its result encoded: `edit` holds the item and
//! user-information changes, `lifecycle` the state-changing operations, `query` the reads.

mod edit;
mod lifecycle;
mod query;

use super::Gateway;
use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "CreateOrder" => edit::create_order(gateway, op),
        "AddOrderItems" => edit::add_order_items(gateway, op),
        "RemoveOrderItems" => edit::remove_order_items(gateway, op),
        "UpdateOrderItems" => edit::update_order_items(gateway, op),
        "SetUserInformationForOrder" => edit::set_user_information(gateway, op),
        "ValidateOrder" => lifecycle::validate(gateway, op),
        "QuoteOrder" => lifecycle::quote(gateway, op),
        "SubmitOrder" => lifecycle::submit(gateway, op),
        "CancelOrder" => lifecycle::cancel_order(gateway, op),
        "CancelProviderOrder" => lifecycle::cancel_provider_order(gateway, op),
        "ResubmitProviderOrder" => lifecycle::resubmit_provider_order(gateway, op),
        "RemoveOrders" => lifecycle::remove_orders(gateway, op),
        "GetOrders" => query::orders(gateway, op),
        "GetOrderItems" => query::order_items(gateway, op),
        "GetOrderItemNamesByOrder" => query::item_names_by_order(gateway, op),
        "GetOrderItemNamesByProviderOrder" => query::item_names_by_provider_order(gateway, op),
        "GetProviderOrderGuidsByStateDateAndProvider" => query::provider_order_guids(gateway, op),
        _ => return None,
    })
}

/// The `orderGuid` parameter of operations on one order.
fn order_param(op: &Element) -> GatewayResult<&str> {
    Ok(Fields::params(op).required_text("orderGuid")?)
}
