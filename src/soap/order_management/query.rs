//! Reading orders: GetOrders, GetOrderItems, GetOrderItemNamesByOrder,
//! GetOrderItemNamesByProviderOrder and GetProviderOrderGuidsByStateDateAndProvider. Owners
//! and operators read whole orders; provider staff read their provider's part only; anyone
//! else asking for an order gets an AuthorizationFault, never an empty answer.

use crate::error::RequestError;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::TYPES_NS;
use crate::soap::message::Fields;
use crate::soap::order_codec::{
    decode_provider_order_guid, encode_order, encode_order_item, encode_order_item_name,
    encode_provider_order_guid,
};
use crate::soap::writer::Out;
use crate::soap::{Gateway, result_response};
use crate::xml::Element;
use echo_domain::caller::{AccessDenied, Caller, OrderView};
use echo_domain::guid::Guid;
use echo_domain::order::{Order, OrderItem, OrderState};
use echo_domain::timestamp::Timestamp;

pub fn orders(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let orders = match Fields::params(op).string_list("orderGuids") {
        Some(guids) => guids
            .iter()
            .map(|guid| visible_order(gateway, &caller, guid))
            .collect::<GatewayResult<Vec<Order>>>()?,
        None => callers_orders(gateway, &caller)?,
    };
    let result = Out::echo("result").children(orders.iter().map(encode_order));
    Ok(result_response("GetOrders", result))
}

pub fn order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let guids = Fields::params(op)
        .string_list("orderItemGuids")
        .ok_or_else(|| RequestError::Missing("orderItemGuids".into()))?;
    let mut result = Out::echo("result");
    for guid in &guids {
        let order = gateway
            .store
            .order_of_item(guid)?
            .map(|order| view(&caller, order))
            .transpose()?
            .ok_or_else(|| GatewayError::not_found("OrderItem", guid.as_str()))?;
        let item = find_item(&order, guid).ok_or_else(|| not_visible(&caller, &order.guid))?;
        result.push(encode_order_item(item));
    }
    Ok(result_response("GetOrderItems", result))
}

pub fn item_names_by_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let guids = Fields::params(op)
        .string_list("orderGuids")
        .ok_or_else(|| RequestError::Missing("orderGuids".into()))?;
    let mut result = Out::echo("result");
    for guid in &guids {
        let order = visible_order(gateway, &caller, guid)?;
        result = result.children(order.items().iter().map(encode_order_item_name));
    }
    Ok(result_response("GetOrderItemNamesByOrder", result))
}

pub fn item_names_by_provider_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let list = Fields::params(op).required_element("providerOrderGuids")?;
    let mut result = Out::echo("result");
    for element in list.children_named(TYPES_NS, "Item") {
        let key = decode_provider_order_guid(element)?;
        let order = visible_order(gateway, &caller, key.order_guid.as_str())?;
        if order.provider_order(&key.provider_guid).is_none() {
            return Err(GatewayError::not_found(
                "ProviderOrder",
                format!("{}/{}", key.order_guid, key.provider_guid),
            ));
        }
        let items = order
            .items()
            .iter()
            .filter(|item| item.provider_order.provider_guid == key.provider_guid);
        result = result.children(items.map(encode_order_item_name));
    }
    Ok(result_response("GetOrderItemNamesByProviderOrder", result))
}

/// The provider orders of the caller's provider (staff, or a provider-context token) whose
/// state is among `states` (nil: any) and whose chosen date lies within [from, to].
pub fn provider_order_guids(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let params = Fields::params(op);
    let provider = caller.acting_provider()?.clone();
    let states = params.string_list("states").map(parse_states).transpose()?;
    let date_type = params.required_text("dateType")?;
    let window = (params.timestamp("from")?, params.timestamp("to")?);
    let mut result = Out::echo("result");
    for order in gateway.store.orders_of_provider(&provider)? {
        let Some(provider_order) = order.provider_order(&provider) else {
            continue;
        };
        let state_matches = states
            .as_ref()
            .is_none_or(|s| s.contains(&provider_order.state()));
        if state_matches && in_window(order_date(&order, date_type)?, window) {
            result.push(encode_provider_order_guid("Item", &provider_order.key));
        }
    }
    Ok(result_response(
        "GetProviderOrderGuidsByStateDateAndProvider",
        result,
    ))
}

/// Loads an order and reduces it to what the caller may see.
fn visible_order(gateway: &Gateway, caller: &Caller, guid: &str) -> GatewayResult<Order> {
    let order = gateway
        .store
        .order(guid)?
        .ok_or_else(|| GatewayError::not_found("Order", guid))?;
    view(caller, order)
}

fn view(caller: &Caller, order: Order) -> GatewayResult<Order> {
    let providers = order.provider_orders().iter().map(|p| &p.key.provider_guid);
    Ok(
        match caller.order_view(&order.guid, &order.owner_guid, providers)? {
            OrderView::Whole => order,
            OrderView::ProviderPart(provider) => order.provider_part(&provider),
        },
    )
}

/// The orders a nil `orderGuids` means: one's own; a provider's staff, their provider's.
fn callers_orders(gateway: &Gateway, caller: &Caller) -> GatewayResult<Vec<Order>> {
    let mut orders = gateway.store.orders_of_owner(&caller.user_guid)?;
    if let Some(provider) = caller.provider.as_ref().filter(|_| !caller.is_operator()) {
        for order in gateway.store.orders_of_provider(provider)? {
            if order.owner_guid != caller.user_guid {
                orders.push(view(caller, order)?);
            }
        }
    }
    Ok(orders)
}

fn find_item<'a>(order: &'a Order, guid: &str) -> Option<&'a OrderItem> {
    order
        .items()
        .iter()
        .find(|item| item.guid.as_str().eq_ignore_ascii_case(guid))
}

fn not_visible(caller: &Caller, order: &Guid) -> GatewayError {
    AccessDenied::OrderNotVisible {
        user: caller.user_name.clone(),
        order: order.to_string(),
    }
    .into()
}

fn parse_states(names: Vec<String>) -> GatewayResult<Vec<OrderState>> {
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

fn order_date(order: &Order, date_type: &str) -> GatewayResult<Option<Timestamp>> {
    match date_type {
        "CREATION_DATE" => Ok(Some(order.creation_date)),
        "SUBMISSION_DATE" => Ok(order.submission_date),
        "LAST_UPDATE" => Ok(Some(order.last_update_date)),
        other => Err(RequestError::Invalid {
            element: "dateType".into(),
            value: other.to_owned(),
            expected: "CREATION_DATE, SUBMISSION_DATE or LAST_UPDATE",
        }
        .into()),
    }
}

fn in_window(date: Option<Timestamp>, (from, to): (Option<Timestamp>, Option<Timestamp>)) -> bool {
    date.is_some_and(|d| from.is_none_or(|f| d >= f) && to.is_none_or(|t| d <= t))
}
