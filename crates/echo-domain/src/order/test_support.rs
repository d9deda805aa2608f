//! Test fixtures shared by the order module's tests: recorded contacts and catalog items.

use super::item::CatalogItemRef;
use super::user_information::{Address, Contact, UserInformation};
use crate::guid::Guid;
use crate::timestamp::Timestamp;

/// The recorded ContactAddress of order_information, Street1 to Country.
pub fn us_contact() -> Contact {
    Contact {
        role: Some("Order Contact".into()),
        first_name: Some("Alien".into()),
        last_name: Some("Bobcat".into()),
        address: Address {
            us_format: true,
            street1: Some("210 N. Lee Street".into()),
            street2: Some("Suite 203".into()),
            city: Some("Alexandria".into()),
            state: Some("VA".into()),
            zip: Some("22314".into()),
            country: Some("United States".into()),
            ..Address::default()
        },
        email: Some("Alien.Bobcat@nasa.gov".into()),
        ..Contact::default()
    }
}

pub fn valid_information() -> UserInformation {
    UserInformation {
        contact_address: Some(us_contact()),
        user_domain: Some("OTHER".into()),
        user_region: Some("USA".into()),
        ..UserInformation::default()
    }
}

/// A catalog item of `provider` in the recorded GLAH09 collection.
pub fn catalog_item(item_guid: &str, provider: &Guid) -> CatalogItemRef {
    CatalogItemRef {
        item_guid: item_guid.into(),
        provider_guid: provider.clone(),
        collection_id: "C1200189943-DEV07".into(),
        dataset_id: "GLAS/ICESat L2 Global Cloud Heights for Multi-layer Clouds (HDF5) V033".into(),
        granule_ur: Some(format!("SC:GLAH09.033:{item_guid}")),
        producer_granule_id: None,
        price: 0.0,
    }
}

/// 2017-02-15T15:09:18.662Z, the recorded order's creation date.
pub fn recorded_now() -> Timestamp {
    Timestamp::from_millis(1_487_171_358_662)
}
