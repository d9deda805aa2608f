//! Order edits over SOAP: CreateOrder, AddOrderItems, RemoveOrderItems, UpdateOrderItems and
//! SetUserInformationForOrder. Item lists are decoded before the token is read, as the
//! gateway always answered them.

use super::order_param;
use crate::app::orders::edit::{self, NewOrder, OrderItemInput};
use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::soap::order_codec::{
    decode_order_item_guid, decode_order_item_input, decode_user_information,
};
use crate::soap::writer::Out;
use crate::soap::{Gateway, TYPES_NS, caller, response, result_response};
use crate::xml::Element;

pub fn create_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let params = Fields::params(op);
    let new = NewOrder {
        notify_level: params.text("notifyLevel").map(|t| t.trim().to_owned()),
        client_identity: params.text("clientIdentity").map(|t| t.trim().to_owned()),
        items: match params.element("orderItems") {
            Some(list) => item_inputs(list)?,
            None => Vec::new(),
        },
    };
    let guid = edit::create(gateway, &caller, new)?;
    Ok(result_response(
        "CreateOrder",
        Out::echo("result").text(guid),
    ))
}

pub fn add_order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let inputs = item_inputs(Fields::params(op).required_element("orderItems")?)?;
    let caller = caller(gateway, op)?;
    let added = edit::add_items(gateway, &caller, order_param(op)?, &inputs)?;
    let items = added.iter().map(|guid| Out::field("Item", guid));
    Ok(result_response(
        "AddOrderItems",
        Out::echo("result").children(items),
    ))
}

pub fn remove_order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let requested = Fields::params(op).string_list("orderItemGuids");
    let caller = caller(gateway, op)?;
    edit::remove_items(gateway, &caller, order_param(op)?, requested.as_deref())?;
    Ok(response("RemoveOrderItems"))
}

pub fn update_order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let list = Fields::params(op).required_element("orderItems")?;
    let updates = list
        .children_named(TYPES_NS, "Item")
        .map(|item| {
            Ok((
                decode_order_item_guid(item)?,
                decode_order_item_input(item)?,
            ))
        })
        .collect::<GatewayResult<Vec<_>>>()?;
    let caller = caller(gateway, op)?;
    edit::update_items(gateway, &caller, order_param(op)?, &updates)?;
    Ok(response("UpdateOrderItems"))
}

pub fn set_user_information(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let information =
        decode_user_information(Fields::params(op).required_element("userInformation")?)?;
    let caller = caller(gateway, op)?;
    edit::set_user_information(gateway, &caller, order_param(op)?, information)?;
    Ok(response("SetUserInformationForOrder"))
}

fn item_inputs(list: &Element) -> GatewayResult<Vec<OrderItemInput>> {
    list.children_named(TYPES_NS, "Item")
        .map(decode_order_item_input)
        .collect()
}
