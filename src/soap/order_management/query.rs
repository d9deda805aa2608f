//! Order reads over SOAP: GetOrders, GetOrderItems, GetOrderItemNamesByOrder,
//! GetOrderItemNamesByProviderOrder and GetProviderOrderGuidsByStateDateAndProvider.

use crate::app::orders::query::{self, OrderDate, ProviderOrderFilter};
use crate::error::{GatewayResult, RequestError};
use crate::soap::message::Fields;
use crate::soap::order_codec::{
    decode_provider_order_guid, encode_order, encode_order_item, encode_order_item_name,
    encode_provider_order_guid,
};
use crate::soap::writer::Out;
use crate::soap::{Gateway, TYPES_NS, caller, result_response};
use crate::xml::Element;
use echo_domain::order::OrderState;

pub fn orders(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let guids = Fields::params(op).string_list("orderGuids");
    let orders = query::orders(gateway, &caller, guids.as_deref())?;
    let result = Out::echo("result").children(orders.iter().map(encode_order));
    Ok(result_response("GetOrders", result))
}

pub fn order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let guids = required_list(op, "orderItemGuids")?;
    let items = query::items(gateway, &caller, &guids)?;
    let result = Out::echo("result").children(items.iter().map(encode_order_item));
    Ok(result_response("GetOrderItems", result))
}

pub fn item_names_by_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let guids = required_list(op, "orderGuids")?;
    let items = query::items_of_orders(gateway, &caller, &guids)?;
    let result = Out::echo("result").children(items.iter().map(encode_order_item_name));
    Ok(result_response("GetOrderItemNamesByOrder", result))
}

/// Each provider order is decoded just before it is read, so an unreadable one after a
/// missing one is reported as the missing one, as it always was.
pub fn item_names_by_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let list = Fields::params(op).required_element("providerOrderGuids")?;
    let mut result = Out::echo("result");
    for element in list.children_named(TYPES_NS, "Item") {
        let key = decode_provider_order_guid(element)?;
        let items = query::items_of_provider_order(gateway, &caller, &key)?;
        result = result.children(items.iter().map(encode_order_item_name));
    }
    Ok(result_response("GetOrderItemNamesByProviderOrder", result))
}

pub fn provider_order_guids(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let params = Fields::params(op);
    let filter = ProviderOrderFilter {
        states: params
            .string_list("states")
            .map(decode_states)
            .transpose()?,
        date: decode_date_type(params.required_text("dateType")?)?,
        from: params.timestamp("from")?,
        to: params.timestamp("to")?,
    };
    let keys = query::provider_orders(gateway, &caller, &filter)?;
    let items = keys
        .iter()
        .map(|key| encode_provider_order_guid("Item", key));
    Ok(result_response(
        "GetProviderOrderGuidsByStateDateAndProvider",
        Out::echo("result").children(items),
    ))
}

/// A GUID list the operation cannot do without.
fn required_list(op: &Element, name: &str) -> GatewayResult<Vec<String>> {
    Fields::params(op)
        .string_list(name)
        .ok_or_else(|| RequestError::Missing(name.into()).into())
}

fn decode_states(names: Vec<String>) -> GatewayResult<Vec<OrderState>> {
    names
        .iter()
        .map(|name| {
            OrderState::from_wire(name).ok_or_else(|| {
                RequestError::Invalid {
                    element: "states".into(),
                    value: name.clone(),
                    expected: "an ECHO order state",
                }
                .into()
            })
        })
        .collect()
}

fn decode_date_type(name: &str) -> GatewayResult<OrderDate> {
    match name {
        "CREATION_DATE" => Ok(OrderDate::Creation),
        "SUBMISSION_DATE" => Ok(OrderDate::Submission),
        "LAST_UPDATE" => Ok(OrderDate::LastUpdate),
        other => Err(RequestError::Invalid {
            element: "dateType".into(),
            value: other.to_owned(),
            expected: "CREATION_DATE, SUBMISSION_DATE or LAST_UPDATE",
        }
        .into()),
    }
}
