//! `OrderError`: every reason an order operation or an order validation is refused, naming
//! the item, provider or address and the rule.

use super::transition::IllegalTransition;
use super::user_information::UserInformationError;
use crate::guid::Guid;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum OrderError {
    #[error(transparent)]
    Transition(#[from] IllegalTransition),
    #[error("user information: {0}")]
    UserInformation(#[from] UserInformationError),
    #[error("Could not find order item with guid [{item}] in order [{order}].")]
    UnknownItem { order: Guid, item: Guid },
    #[error("Could not find a provider order of provider [{provider}] in order [{order}].")]
    UnknownProviderOrder { order: Guid, provider: Guid },
    #[error(
        "Could not find catalog item [{catalog_item}] in the provider order of provider \
         [{provider}] in order [{order}]."
    )]
    UnknownCatalogItem {
        order: Guid,
        provider: Guid,
        catalog_item: String,
    },
    #[error("order [{order}] has no items to validate")]
    EmptyOrder { order: Guid },
    #[error(
        "order item [{item}] (catalog item [{catalog_item}]): QuantityOrdered must be at least 1"
    )]
    InvalidQuantity { item: Guid, catalog_item: String },
    #[error("provider [{provider}] has no provider policies: ordering from it is not possible")]
    NoProviderPolicies { provider: Guid },
    #[error("provider [{provider}]: ordering is suspended until {}", .until.to_echo_string())]
    OrderingSuspended { provider: Guid, until: Timestamp },
    #[error("provider [{provider}]: {count} items exceed MaxItemsPerOrder {max}")]
    TooManyItems {
        provider: Guid,
        count: usize,
        max: i64,
    },
    #[error(
        "order item [{item}]: catalog item [{catalog_item}] is already in the order and provider \
         [{provider}] does not support duplicate catalog items"
    )]
    DuplicateCatalogItem {
        item: Guid,
        catalog_item: String,
        provider: Guid,
    },
    #[error("order item [{item}] (catalog item [{catalog_item}]): option selection: {}", .problems.join("; "))]
    OptionSelection {
        item: Guid,
        catalog_item: String,
        problems: Vec<String>,
    },
}
