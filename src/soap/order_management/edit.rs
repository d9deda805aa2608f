//! Order edits: CreateOrder, AddOrderItems, RemoveOrderItems, UpdateOrderItems and
//! SetUserInformationForOrder. Any edit returns the order to NOT_VALIDATED (the transition
//! table refuses edits once quoting or submission has begun).

use super::change_order;
use crate::app::options::selections::FormsValidator;
use crate::error::RequestError;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::TYPES_NS;
use crate::soap::message::Fields;
use crate::soap::order_codec::{
    OrderItemInput, decode_order_item_guid, decode_order_item_input, decode_user_information,
};
use crate::soap::writer::Out;
use crate::soap::{Gateway, response, result_response};
use crate::storage::{ChangeOrigin, OrderChange};
use crate::xml::Element;
use echo_domain::catalog::CatalogError;
use echo_domain::guid::Guid;
use echo_domain::option_definition::OptionDefinitionError;
use echo_domain::order::{OptionSelection, OptionSelectionValidator, Order, OrderError};
use echo_domain::timestamp::Timestamp;

pub fn create_order(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let params = Fields::params(op);
    let now = Timestamp::now();
    let mut order = Order::new(Guid::random(), caller.user_guid.clone(), now);
    order.notify_level = params.text("notifyLevel").map(|t| t.trim().to_owned());
    order.client_identity = params.text("clientIdentity").map(|t| t.trim().to_owned());
    if let Some(list) = params.element("orderItems") {
        add_items(gateway, &mut order, &item_inputs(list)?, now)?;
    }
    let guid = order.guid.clone();
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: "CreateOrder",
    };
    gateway.store.insert_order(
        OrderChange {
            order,
            deliveries: Vec::new(),
        },
        origin,
    )?;
    Ok(result_response(
        "CreateOrder",
        Out::echo("result").text(guid),
    ))
}

pub fn add_order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let inputs = item_inputs(Fields::params(op).required_element("orderItems")?)?;
    let mut added = Vec::new();
    change_order(gateway, op, "AddOrderItems", |order, _| {
        added = add_items(gateway, order, &inputs, Timestamp::now())?;
        Ok(Vec::new())
    })?;
    let items = added.iter().map(|guid| Out::field("Item", guid));
    Ok(result_response(
        "AddOrderItems",
        Out::echo("result").children(items),
    ))
}

pub fn remove_order_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let requested = Fields::params(op).string_list("orderItemGuids");
    change_order(gateway, op, "RemoveOrderItems", |order, _| {
        let guids: Vec<Guid> = match &requested {
            Some(guids) => guids
                .iter()
                .map(|g| Guid::parse(g))
                .collect::<Result<_, _>>()?,
            None => order.items().iter().map(|item| item.guid.clone()).collect(),
        };
        let now = Timestamp::now();
        for guid in &guids {
            order.remove_item(guid, now)?;
        }
        Ok(Vec::new())
    })?;
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
    change_order(gateway, op, "UpdateOrderItems", |order, _| {
        let now = Timestamp::now();
        for (guid, input) in &updates {
            let selection = option_selection(gateway, input)?;
            let has_selection = selection.is_some();
            order.update_item(guid, input.quantity, selection, now)?;
            if has_selection {
                check_selection(gateway, order, guid)?;
            }
        }
        Ok(Vec::new())
    })?;
    Ok(response("UpdateOrderItems"))
}

pub fn set_user_information(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let mut information =
        decode_user_information(Fields::params(op).required_element("userInformation")?)?;
    information.assign_missing_guids();
    change_order(gateway, op, "SetUserInformationForOrder", |order, _| {
        order.set_user_information(information, Timestamp::now())?;
        Ok(Vec::new())
    })?;
    Ok(response("SetUserInformationForOrder"))
}

fn item_inputs(list: &Element) -> GatewayResult<Vec<OrderItemInput>> {
    list.children_named(TYPES_NS, "Item")
        .map(decode_order_item_input)
        .collect()
}

/// Adds catalog items to the order; unknown, deleted and non-orderable items are refused by
/// name, and a selection sent with an item is checked now (ECHO validated it if present).
fn add_items(
    gateway: &Gateway,
    order: &mut Order,
    inputs: &[OrderItemInput],
    now: Timestamp,
) -> GatewayResult<Vec<Guid>> {
    let mut added = Vec::with_capacity(inputs.len());
    for input in inputs {
        let catalog_item = gateway
            .store
            .catalog_item(&input.item_guid)?
            .ok_or_else(|| CatalogError::Unknown(input.item_guid.clone()))?;
        catalog_item.check_orderable()?;
        let selection = option_selection(gateway, input)?;
        let has_selection = selection.is_some();
        let guid = order.add_item(catalog_item.reference(), input.quantity, selection, now)?;
        if has_selection {
            check_selection(gateway, order, &guid)?;
        }
        added.push(guid);
    }
    Ok(added)
}

/// The selection sent with an item; it must name a definition that is not deprecated (ECHO:
/// no new selections may use a deprecated definition).
fn option_selection(
    gateway: &Gateway,
    input: &OrderItemInput,
) -> GatewayResult<Option<OptionSelection>> {
    let Some(selection) = &input.option_selection else {
        return Ok(None);
    };
    let guid = selection
        .guid
        .clone()
        .ok_or_else(|| RequestError::Missing("OptionSelection/Guid".into()))?;
    let definition = gateway
        .store
        .option_definition(guid.as_str())?
        .ok_or_else(|| OptionDefinitionError::Unknown(guid.to_string()))?;
    if definition.deprecated {
        return Err(OptionDefinitionError::Deprecated(definition.name).into());
    }
    Ok(Some(OptionSelection {
        guid,
        name: selection.name.clone(),
        content: selection.content.clone(),
    }))
}

/// Checks the option selection of one item now (a change that fails it is not committed).
fn check_selection(gateway: &Gateway, order: &Order, item_guid: &Guid) -> GatewayResult<()> {
    let item = order
        .items()
        .iter()
        .find(|item| &item.guid == item_guid)
        .ok_or_else(|| OrderError::UnknownItem {
            order: order.guid.clone(),
            item: item_guid.clone(),
        })?;
    FormsValidator { gateway }
        .validate(item)
        .map_err(|problems| {
            GatewayError::Order(OrderError::OptionSelection {
                item: item.guid.clone(),
                catalog_item: item.catalog_item.item_guid.clone(),
                problems,
            })
        })
}
