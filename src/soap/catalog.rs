//! Decoding the `CatalogItem` type, shared by AddCatalogItems and catalog files.

use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::xml::Element;
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
