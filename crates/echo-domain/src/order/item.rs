//! Order items: one catalog item ordered in some quantity, with its option selection and the
//! provider order it belongs to.

use serde::{Deserialize, Serialize};

use super::provider_order::ProviderOrderKey;
use crate::guid::Guid;

/// An item's own state; the provider closes or cancels items one by one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemState {
    #[default]
    NotSet,
    Closed,
    Cancelled,
}

impl ItemState {
    pub fn wire_name(self) -> &'static str {
        match self {
            ItemState::NotSet => "NOT_SET",
            ItemState::Closed => "CLOSED",
            ItemState::Cancelled => "CANCELLED",
        }
    }
}

/// The options a client chose for an item: an ECHO Forms output document, kept opaque here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionSelection {
    /// The option definition the selection answers: as given, or resolved by `name` among
    /// the definitions that apply to the item when the client gave only Name and Content
    /// (as recorded ECHO order items did).
    pub guid: Guid,
    /// Whether the client gave `guid`: GetOrderItems answers the selection as it was given.
    #[serde(default = "given")]
    pub guid_given: bool,
    pub name: String,
    /// The selection as XML text, exactly as the client sent it.
    pub content: String,
}

/// Selections stored before `guid_given` existed all named their definition.
fn given() -> bool {
    true
}

/// What the catalog says about an ordered item, copied into the order when it is added so the
/// order stays readable after the catalog changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogItemRef {
    /// The ItemGuid, e.g. `G1000005028-DEV07`: not always a GUID.
    pub item_guid: String,
    pub provider_guid: Guid,
    /// The collection's concept id (e.g. `C1200189943-MMT_2`), as provider policies and
    /// option assignments name collections.
    pub collection_id: String,
    /// The collection's name (DatasetId), shown in GetOrderItems.
    pub dataset_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granule_ur: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer_granule_id: Option<String>,
    /// The catalog price when the item was ordered.
    #[serde(default)]
    pub price: f64,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub guid: Guid,
    pub catalog_item: CatalogItemRef,
    pub quantity: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub option_selection: Option<OptionSelection>,
    pub provider_order: ProviderOrderKey,
    pub state: ItemState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_state_wire_names_match_serde() {
        for state in [ItemState::NotSet, ItemState::Closed, ItemState::Cancelled] {
            let json = serde_json::to_string(&state).unwrap();
            assert_eq!(json, format!("\"{}\"", state.wire_name()));
        }
    }
}
