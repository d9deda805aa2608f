//! The catalog: publishing items (granules) that orders can name. Operators publish any
//! provider's items, provider staff their own; a batch is stored whole or not at all.

use super::Gateway;
use crate::error::{GatewayError, GatewayResult};
use echo_domain::caller::Caller;
use echo_domain::catalog::CatalogItem;

/// Adds or replaces items after checking the caller may publish each and each is valid;
/// returns how many were stored.
pub fn add_items(
    gateway: &Gateway,
    caller: &Caller,
    items: &[CatalogItem],
) -> GatewayResult<usize> {
    for item in items {
        caller.require_provider_access(&item.provider)?;
    }
    for item in items {
        check_item(gateway, item)?;
    }
    gateway.store.put_catalog_items(items)?;
    Ok(items.len())
}

/// An item must be valid on its own and name a provider the gateway knows.
fn check_item(gateway: &Gateway, item: &CatalogItem) -> GatewayResult<()> {
    item.validate()?;
    match gateway.store.provider(item.provider.as_str())? {
        Some(_) => Ok(()),
        None => Err(GatewayError::not_found(
            "Provider",
            item.provider.to_string(),
        )),
    }
}
