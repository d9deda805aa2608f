//! Large data directories for the benchmarks, filled in-process through the storage layer in
//! large transactions (`Store::insert_orders`), with the gateway stopped: orders of two items
//! from two providers with a user's contact, either stored as created or submitted to one
//! provider with the delivery queued.

use std::path::Path;
use std::time::Instant;

use echo_domain::guid::Guid;
use echo_domain::order::{CatalogItemRef, Order, OrderEvent, UserInformation};
use echo_domain::outbox::DeliveryRequest;
use echo_domain::policy::Transaction;
use echo_domain::timestamp::Timestamp;
use echo_gateway::storage::{ChangeOrigin, OrderChange, Store};

/// Orders per transaction.
const BATCH: usize = 10_000;

/// What the filled orders look like.
#[derive(Debug, Clone, Copy)]
pub enum Shape<'a> {
    /// Created (NOT_VALIDATED), items of these two providers.
    Created([&'a Guid; 2]),
    /// One provider's order submitted, its delivery queued and due at `due`.
    Submitted { provider: &'a Guid, due: Timestamp },
}

/// Stores `count` orders of `owner` shaped as `shape` in `data_dir` (the gateway must not be
/// running); returns how long it took.
pub fn fill_orders(data_dir: &Path, owner: &Guid, count: usize, shape: Shape<'_>) -> f64 {
    let started = Instant::now();
    let store = Store::open(data_dir).expect("store opens");
    let actor = Guid::nil();
    let mut left = count;
    while left > 0 {
        let batch = left.min(BATCH);
        let changes = (0..batch).map(|_| order_change(owner, shape)).collect();
        let (origin, queued) = match shape {
            Shape::Created(_) => ("CreateOrder", Timestamp::now()),
            Shape::Submitted { due, .. } => ("SubmitOrder", due),
        };
        let origin = ChangeOrigin {
            actor: &actor,
            operation: origin,
            oms: None,
        };
        store
            .insert_orders(changes, origin, queued)
            .expect("orders stored");
        left -= batch;
    }
    started.elapsed().as_secs_f64()
}

fn order_change(owner: &Guid, shape: Shape<'_>) -> OrderChange {
    let now = Timestamp::now();
    let mut order = Order::new(Guid::random(), owner.clone(), now);
    let providers = match shape {
        Shape::Created(providers) => providers.to_vec(),
        Shape::Submitted { provider, .. } => vec![provider],
    };
    for provider in &providers {
        order
            .add_item(catalog_item(provider), 1, None, now)
            .expect("item added");
    }
    order
        .set_user_information(user_information(), now)
        .expect("contact set");
    let deliveries = match shape {
        Shape::Created(_) => Vec::new(),
        Shape::Submitted { .. } => {
            order
                .apply_to_all_validating(OrderEvent::Submit, now)
                .expect("submitted");
            let key = order.provider_orders()[0].key.clone();
            vec![DeliveryRequest {
                provider_order: key,
                transaction: Transaction::Submit,
            }]
        }
    };
    OrderChange { order, deliveries }
}

fn catalog_item(provider: &Guid) -> CatalogItemRef {
    CatalogItemRef {
        item_guid: format!("G{}-FILL", Guid::random()),
        provider_guid: provider.clone(),
        collection_id: "C1000000001-FILL".into(),
        dataset_id: "Filled collection".into(),
        granule_ur: Some("SC:GLAH09.033:56789".into()),
        producer_granule_id: Some("GLAH09_633_2131_001_1317_0_01_0001.H5".into()),
        price: 0.0,
    }
}

/// A contact as clients send it (the recorded order's), parsed from its JSON form.
fn user_information() -> UserInformation {
    let contact = serde_json::json!({
        "role": "Order Contact", "first_name": "Alien", "last_name": "Bobcat",
        "email": "abobcat@nasa.gov",
        "address": {"us_format": true, "street1": "8800 Greenbelt Rd", "city": "Greenbelt",
                    "state": "MD", "zip": "20771", "country": "United States"},
        "phones": [{"number": "0000000000", "phone_number_type": "BUSINESS"}]
    });
    serde_json::from_value(serde_json::json!({
        "shipping_address": contact, "billing_address": contact, "contact_address": contact,
        "user_domain": "OTHER", "user_region": "USA"
    }))
    .expect("user information")
}
