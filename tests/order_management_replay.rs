//! The recorded `order_management_service` traffic, replayed on orders created to match the
//! recorded ones (see `common::recorded_order`): a client's view of its order
//! (`order_information`: GetOrders, then GetUserNames of the owner) and a provider's view of
//! its provider order (`provider_order_information`: GetOrders, GetProviderNames,
//! GetOrderItemNamesByProviderOrder, GetOrderItems). Responses must have the recorded element
//! structure and values, except dates the gateway sets and the dates of StatusMessage lines.
//! (`provider_orders/bad_token` is replayed by `tests/replay.rs`.)
//!
//! Both folders recorded the same PROCESSING order (same dates, tracking id and contacts), with
//! the provider once as DEV07's real GUID and once as the placeholder `provider_guid` (named
//! MMT_2 by GetProviderNames); the owner is the placeholder `user_guid`, named `abobcat`.
//! `order_information` recorded no order items, so its order is made of the items recorded in
//! `provider_order_information`. The recorded shipping and billing addresses hold UsFormat
//! and Country only; the order is submitted with them as recorded.

mod common;

use common::recorded_order::{DEV07, Provider, Recorded, RecordedOrder};
use common::traffic_dir;

const ORDER_INFORMATION: &str = "order_information";
const PROVIDER_ORDER_INFORMATION: &str = "provider_order_information";
/// The GUID the provider recorded as `provider_guid` gets.
const MMT_2_GUID: &str = "5C3E8A1F-2B4D-4E6F-8A0B-1C2D3E4F5A6B";

fn folder(name: &str) -> std::path::PathBuf {
    traffic_dir().join("order_management_service").join(name)
}

/// Prepares the order recorded in `folders` (the first folder recording each response) with
/// `provider` and replays the first folder.
async fn replay(folders: &[&str], provider: Provider) {
    let folders: Vec<_> = folders.iter().map(|name| folder(name)).collect();
    let paths: Vec<&std::path::Path> = folders.iter().map(|f| f.as_path()).collect();
    let order = RecordedOrder::prepare(&Recorded::read(&paths), &provider).await;
    order.replay_folder(paths[0]).await;
}

#[tokio::test]
async fn order_information_replays_with_the_recorded_structure() {
    let dev07 = Provider {
        id: "DEV07",
        guid: DEV07,
    };
    replay(&[ORDER_INFORMATION, PROVIDER_ORDER_INFORMATION], dev07).await;
}

#[tokio::test]
async fn provider_order_information_replays_with_the_recorded_structure() {
    let mmt_2 = Provider {
        id: "MMT_2",
        guid: MMT_2_GUID,
    };
    replay(&[PROVIDER_ORDER_INFORMATION], mmt_2).await;
}
