//! DataManagementService: option definitions (ECHO Forms) and their assignments to
//! collections, and publishing catalog items (a gateway extension, `AddCatalogItems`).

use super::option_definitions::{
    create_definitions, decode_assignment, decode_definition, encode_assignment, encode_definition,
    managed_definition, visible,
};
use super::{Gateway, catalog, response, result_response};
use crate::error::GatewayResult;
use crate::soap::TYPES_NS;
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::option_definition::{OptionAssignment, OptionDefinitionError};
use echo_domain::timestamp::Timestamp;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "AddCatalogItems" => add_catalog_items(gateway, op),
        "CreateCatalogItemOptionDefinitions" => create_option_definitions(gateway, op),
        "GetCatalogItemOptionDefinitions2" => get_option_definitions(gateway, op),
        "SetCatalogItemOptionDefinitionsDeprecated" => deprecate_option_definitions(gateway, op),
        "RemoveCatalogItemOptionDefinitions" => remove_option_definitions(gateway, op),
        "CreateCatalogItemOptionAssignments" => create_assignments(gateway, op),
        "GetCatalogItemOptionAssignments" => get_assignments(gateway, op),
        "RemoveCatalogItemOptionAssignments" => remove_assignments(gateway, op),
        _ => return None,
    })
}

/// Adds or replaces catalog items; the whole batch is stored or none of it.
fn add_catalog_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let list = Fields::params(op).required_element("catalogItems")?;
    let items = list
        .children_named(TYPES_NS, "Item")
        .map(catalog::decode_item)
        .collect::<GatewayResult<Vec<_>>>()?;
    catalog::check_publisher(&caller, &items)?;
    catalog::store_items(gateway, &items)?;
    Ok(response("AddCatalogItems"))
}

fn create_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let list = Fields::params(op).required_element("optionDefinitions")?;
    let definitions = list
        .children_named(TYPES_NS, "Item")
        .map(|item| decode_definition(item, &caller))
        .collect::<GatewayResult<Vec<_>>>()?;
    create_definitions(gateway, &definitions)?;
    let guids = definitions.iter().map(|d| Out::field("Item", &d.guid));
    Ok(result_response(
        "CreateCatalogItemOptionDefinitions",
        Out::echo("result").children(guids),
    ))
}

/// Definitions by GUID; nil means every definition the caller may see.
fn get_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let definitions = match Fields::params(op).string_list("optionGuids") {
        Some(guids) => guids
            .iter()
            .map(|guid| {
                gateway
                    .store
                    .option_definition(guid)?
                    .filter(|d| visible(&caller, d))
                    .ok_or_else(|| OptionDefinitionError::Unknown(guid.clone()).into())
            })
            .collect::<GatewayResult<Vec<_>>>()?,
        None => gateway
            .store
            .option_definitions()?
            .into_iter()
            .filter(|d| visible(&caller, d))
            .collect(),
    };
    let result = Out::echo("result").children(definitions.iter().map(encode_definition));
    Ok(result_response("GetCatalogItemOptionDefinitions2", result))
}

fn deprecate_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    for guid in required_guids(op, "optionGuids")? {
        let mut definition = managed_definition(gateway, &caller, &guid)?;
        definition.deprecated = true;
        definition.last_update = Timestamp::now();
        gateway.store.put_option_definition(&definition)?;
    }
    Ok(response("SetCatalogItemOptionDefinitionsDeprecated"))
}

/// Removes definitions; orders using them are invalidated in the background (durably queued
/// with the removal, so a restart finishes the job).
fn remove_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let definitions = required_guids(op, "optionGuids")?
        .iter()
        .map(|guid| managed_definition(gateway, &caller, guid))
        .collect::<GatewayResult<Vec<_>>>()?;
    for definition in &definitions {
        gateway.store.remove_option_definition(definition)?;
    }
    gateway.maintenance.notify_one();
    Ok(response("RemoveCatalogItemOptionDefinitions"))
}

fn create_assignments(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let assignments = assignments_param(gateway, op)?;
    gateway.store.add_option_assignments(&assignments)?;
    Ok(response("CreateCatalogItemOptionAssignments"))
}

fn get_assignments(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    crate::soap::caller(gateway, op)?;
    let assignments = match Fields::params(op).string_list("catalogItemIds") {
        Some(collections) => collections
            .iter()
            .map(|c| gateway.store.option_assignments_of(c))
            .collect::<Result<Vec<_>, _>>()?
            .concat(),
        None => gateway.store.option_assignments()?,
    };
    let result = Out::echo("result").children(assignments.iter().map(encode_assignment));
    Ok(result_response("GetCatalogItemOptionAssignments", result))
}

fn remove_assignments(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let assignments = assignments_param(gateway, op)?;
    gateway.store.remove_option_assignments(&assignments)?;
    Ok(response("RemoveCatalogItemOptionAssignments"))
}

/// The `optionAssignments` parameter, each checked for the caller.
fn assignments_param(gateway: &Gateway, op: &Element) -> GatewayResult<Vec<OptionAssignment>> {
    let caller = crate::soap::caller(gateway, op)?;
    Fields::params(op)
        .required_element("optionAssignments")?
        .children_named(TYPES_NS, "Item")
        .map(|item| decode_assignment(gateway, &caller, item))
        .collect()
}

fn required_guids(op: &Element, name: &str) -> GatewayResult<Vec<String>> {
    Fields::params(op)
        .string_list(name)
        .ok_or_else(|| crate::error::RequestError::Missing(name.to_owned()).into())
}
