//! The catalog of orderable items: granules a provider offers, with the metadata that option
//! assignment filters are evaluated against.

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::order::CatalogItemRef;

/// One orderable item (an ECHO catalog item such as `G1000005028-DEV07`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogItem {
    pub item_guid: String,
    pub provider: Guid,
    /// The collection's concept id (e.g. `C1200189943-MMT_2`); policies and option
    /// assignments refer to collections by it.
    pub collection_id: String,
    pub dataset_id: String,
    pub granule_ur: String,
    pub producer_granule_id: Option<String>,
    pub price: f64,
    pub orderable: bool,
    pub deleted: bool,
    /// The granule metadata document (XML), if any.
    pub metadata: Option<String>,
}

/// Why an item cannot be ordered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogError {
    #[error("Could not find catalog item with guid [{0}].")]
    Unknown(String),
    #[error("catalog item [{0}] has been deleted")]
    Deleted(String),
    #[error("catalog item [{0}] is not orderable")]
    NotOrderable(String),
    #[error("catalog item [{item}] is invalid: {reason}")]
    Invalid { item: String, reason: String },
}

impl CatalogItem {
    /// Checks that the item may be put in an order.
    pub fn check_orderable(&self) -> Result<(), CatalogError> {
        if self.deleted {
            Err(CatalogError::Deleted(self.item_guid.clone()))
        } else if !self.orderable {
            Err(CatalogError::NotOrderable(self.item_guid.clone()))
        } else {
            Ok(())
        }
    }

    /// What an order keeps of the item.
    pub fn reference(&self) -> CatalogItemRef {
        CatalogItemRef {
            item_guid: self.item_guid.clone(),
            provider_guid: self.provider.clone(),
            collection_id: self.collection_id.clone(),
            dataset_id: self.dataset_id.clone(),
            granule_ur: Some(self.granule_ur.clone()),
            producer_granule_id: self.producer_granule_id.clone(),
            price: self.price,
        }
    }

    /// Checks the fields every item needs before it is stored.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let invalid = |reason: &str| CatalogError::Invalid {
            item: self.item_guid.clone(),
            reason: reason.to_owned(),
        };
        if self.item_guid.trim().is_empty() || self.item_guid.len() > 256 {
            return Err(invalid("ItemGuid must have 1 to 256 characters"));
        }
        if self.collection_id.trim().is_empty() || self.dataset_id.trim().is_empty() {
            return Err(invalid("CollectionId and DatasetId are required"));
        }
        if self.granule_ur.trim().is_empty() {
            return Err(invalid("GranuleUR is required"));
        }
        if !self.price.is_finite() || self.price < 0.0 {
            return Err(invalid("Price must be a finite number of at least 0"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item() -> CatalogItem {
        CatalogItem {
            item_guid: "G1000005028-DEV07".into(),
            provider: Guid::random(),
            collection_id: "C1200189943-DEV07".into(),
            dataset_id: "GLAS/ICESat L2 Global Cloud Heights for Multi-layer Clouds (HDF5) V033"
                .into(),
            granule_ur: "SC:GLAH09.033:93587".into(),
            producer_granule_id: None,
            price: 0.0,
            orderable: true,
            deleted: false,
            metadata: None,
        }
    }

    #[test]
    fn orderability() {
        assert!(item().check_orderable().is_ok());
        let deleted = CatalogItem {
            deleted: true,
            ..item()
        };
        assert!(matches!(
            deleted.check_orderable(),
            Err(CatalogError::Deleted(_))
        ));
        let closed = CatalogItem {
            orderable: false,
            ..item()
        };
        assert!(matches!(
            closed.check_orderable(),
            Err(CatalogError::NotOrderable(_))
        ));
    }

    #[test]
    fn required_fields() {
        assert!(item().validate().is_ok());
        assert!(
            CatalogItem {
                granule_ur: " ".into(),
                ..item()
            }
            .validate()
            .is_err()
        );
        assert!(
            CatalogItem {
                price: f64::NAN,
                ..item()
            }
            .validate()
            .is_err()
        );
        assert!(
            CatalogItem {
                price: -1.0,
                ..item()
            }
            .validate()
            .is_err()
        );
    }
}
