//! DataManagementService: publishing catalog items (a gateway extension, `AddCatalogItems`).

use super::{Gateway, catalog, response};
use crate::error::GatewayResult;
use crate::wire::TYPES_NS;
use crate::wire::message::Fields;
use crate::wire::writer::Out;
use crate::wire::xml::Element;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "AddCatalogItems" => add_catalog_items(gateway, op),
        _ => return None,
    })
}

/// Adds or replaces catalog items; the whole batch is stored or none of it.
fn add_catalog_items(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = gateway.caller(op)?;
    let list = Fields::params(op).required_element("catalogItems")?;
    let items = list
        .children_named(TYPES_NS, "Item")
        .map(catalog::decode_item)
        .collect::<GatewayResult<Vec<_>>>()?;
    catalog::check_publisher(&caller, &items)?;
    catalog::store_items(gateway, &items)?;
    Ok(response("AddCatalogItems"))
}
