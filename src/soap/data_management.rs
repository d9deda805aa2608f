//! DataManagementService over SOAP: decodes option definitions (ECHO Forms), their
//! assignments to collections, and catalog items (a gateway extension, `AddCatalogItems`),
//! calls [`app::options`](crate::app::options) and [`app::catalog`](crate::app::catalog),
//! and encodes the answers.

use super::option_definitions::{
    decode_assignment, decode_definition, encode_assignment, encode_definition,
};
use super::{Gateway, caller, catalog, response, result_response};
use crate::app::options::assignments::{self, AssignmentRequest};
use crate::app::options::definitions;
use crate::error::{GatewayResult, RequestError};
use crate::soap::TYPES_NS;
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;

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
    let caller = caller(gateway, op)?;
    let items = items_param(op, "catalogItems", catalog::decode_item)?;
    crate::app::catalog::add_items(gateway, &caller, &items)?;
    Ok(response("AddCatalogItems"))
}

fn create_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let new = items_param(op, "optionDefinitions", decode_definition)?;
    let created = definitions::create(gateway, &caller, new)?;
    let guids = created.iter().map(|d| Out::field("Item", &d.guid));
    Ok(result_response(
        "CreateCatalogItemOptionDefinitions",
        Out::echo("result").children(guids),
    ))
}

/// Definitions by GUID; nil means every definition the caller may see.
fn get_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let guids = Fields::params(op).string_list("optionGuids");
    let found = definitions::definitions(gateway, &caller, guids.as_deref())?;
    let result = Out::echo("result").children(found.iter().map(encode_definition));
    Ok(result_response("GetCatalogItemOptionDefinitions2", result))
}

fn deprecate_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    definitions::deprecate(gateway, &caller, &required_guids(op, "optionGuids")?)?;
    Ok(response("SetCatalogItemOptionDefinitionsDeprecated"))
}

fn remove_option_definitions(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    definitions::remove(gateway, &caller, &required_guids(op, "optionGuids")?)?;
    Ok(response("RemoveCatalogItemOptionDefinitions"))
}

fn create_assignments(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    assignments::create(gateway, &caller, &assignments_param(op)?)?;
    Ok(response("CreateCatalogItemOptionAssignments"))
}

fn get_assignments(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let collections = Fields::params(op).string_list("catalogItemIds");
    let found = assignments::assignments(gateway, &caller, collections.as_deref())?;
    let result = Out::echo("result").children(found.iter().map(encode_assignment));
    Ok(result_response("GetCatalogItemOptionAssignments", result))
}

fn remove_assignments(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    assignments::remove(gateway, &caller, &assignments_param(op)?)?;
    Ok(response("RemoveCatalogItemOptionAssignments"))
}

fn assignments_param(op: &Element) -> GatewayResult<Vec<AssignmentRequest>> {
    items_param(op, "optionAssignments", decode_assignment)
}

/// Decodes every `Item` of the required list parameter `name`.
fn items_param<T>(
    op: &Element,
    name: &str,
    decode: impl Fn(&Element) -> GatewayResult<T>,
) -> GatewayResult<Vec<T>> {
    Fields::params(op)
        .required_element(name)?
        .children_named(TYPES_NS, "Item")
        .map(decode)
        .collect()
}

fn required_guids(op: &Element, name: &str) -> GatewayResult<Vec<String>> {
    Fields::params(op)
        .string_list(name)
        .ok_or_else(|| RequestError::Missing(name.to_owned()).into())
}
