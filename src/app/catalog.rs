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
        item.validate()?;
        if gateway.store.provider(item.provider.as_str())?.is_none() {
            return Err(GatewayError::not_found(
                "Provider",
                item.provider.to_string(),
            ));
        }
    }
    gateway.store.put_catalog_items(items)?;
    Ok(items.len())
}
