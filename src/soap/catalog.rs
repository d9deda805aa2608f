//! Catalog items: decoding the `CatalogItem` type (shared by catalog files and SOAP), and
//! storing batches of items after checking them.

use super::Gateway;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::xml::Element;
use echo_domain::caller::Caller;
use echo_domain::catalog::CatalogItem;
use echo_domain::guid::Guid;

/// Reads one `CatalogItem` element (types namespace fields).
pub fn decode_item(element: &Element) -> GatewayResult<CatalogItem> {
    let fields = Fields::of_type(element);
    let text = |name: &str| fields.required_text(name).map(str::to_owned);
    Ok(CatalogItem {
        item_guid: text("ItemGuid")?,
        provider: Guid::parse(fields.required_text("ProviderGuid")?)?,
        collection_id: text("CollectionId")?,
        dataset_id: text("DatasetId")?,
        granule_ur: text("GranuleUR")?,
        producer_granule_id: fields
            .text("ProducerGranuleId")
            .map(|t| t.trim().to_owned()),
        price: fields.double("Price")?.unwrap_or(0.0),
        orderable: fields.bool("Orderable")?.unwrap_or(true),
        deleted: fields.bool("Deleted")?.unwrap_or(false),
        metadata: fields
            .text("Metadata")
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned),
    })
}

/// Checks that `caller` may publish every item: operators any, provider staff their own.
pub fn check_publisher(caller: &Caller, items: &[CatalogItem]) -> GatewayResult<()> {
    items
        .iter()
        .try_for_each(|item| caller.require_provider_access(&item.provider))
        .map_err(GatewayError::from)
}

/// Validates a batch and stores it in one transaction; returns how many items were stored.
pub fn store_items(gateway: &Gateway, items: &[CatalogItem]) -> GatewayResult<usize> {
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
