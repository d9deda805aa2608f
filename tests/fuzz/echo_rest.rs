//! The ECHO REST order bodies (`/echo-rest`) against a real gateway, as the shop's buyer:
//! mutated bodies of `orders.json` (create) and of an open order's
//! `order_items/bulk_action` and `user_information`.

use std::sync::Arc;

use proptest::prelude::*;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

use crate::common::TestGateway;
use crate::common::orders::{SHOP_PROVIDERS, Shop};
use crate::common::rest::CLIENT_ID;
use crate::json::mutated_json;
use crate::live_api::{LiveApi, Request};

const ORDERS: &str = "/echo-rest/orders.json";

/// The gateway with the shop and, for `order_paths`, an open order of one item; the state
/// is what those paths answer (the buyer's orders without them).
fn live(order_paths: bool) -> (LiveApi, String) {
    let temp = tempfile::tempdir().expect("temp dir");
    let shop = Shop::prepare(temp.path(), 3);
    let gateway = TestGateway::start(temp.path(), &[]);
    let mut headers = HeaderMap::new();
    let token = format!("{}:{CLIENT_ID}", shop.buyer);
    headers.insert("Echo-Token", HeaderValue::from_str(&token).expect("token"));
    headers.insert("Client-Id", HeaderValue::from_static(CLIENT_ID));
    headers.insert("Accept", HeaderValue::from_static("application/json"));
    let setup = LiveApi::new(temp, gateway, headers.clone(), "errors", Vec::new());
    setup.block_on(shop.set_policies(&setup.gateway));
    let order = create_order(&setup);
    let state = match order_paths {
        true => {
            let mut paths = vec![format!("{ORDERS}?id={order}")];
            paths.extend(
                SHOP_PROVIDERS
                    .iter()
                    .map(|(_, guid)| format!("/echo-rest/orders/{order}/provider_orders/{guid}")),
            );
            paths
        }
        false => vec![ORDERS.to_owned()],
    };
    (setup.with_state(state), order)
}

fn create_order(api: &LiveApi) -> String {
    let create = Request {
        method: Method::POST,
        path: ORDERS.to_owned(),
        body: json!({"order": {}}).to_string().into_bytes(),
    };
    let (status, _, body) = api.send(&create);
    assert_eq!(status, 201, "{}", String::from_utf8_lossy(&body));
    let created: Value = serde_json::from_slice(&body).expect("JSON");
    let order = created["order"]["id"]
        .as_str()
        .expect("order id")
        .to_owned();
    let add = Request {
        method: Method::POST,
        path: format!("/echo-rest/orders/{order}/order_items/bulk_action"),
        body: json!([{"order_item": {"catalog_item_id": "G1-SHOP1"}}])
            .to_string()
            .into_bytes(),
    };
    assert_eq!(api.send(&add).0, 201);
    order
}

fn create_seeds() -> Vec<Value> {
    vec![
        json!({"order": {}}),
        json!({"order": {"notification_level": "VERBOSE", "client_identity": "edsc"}}),
        json!({"order": {"digest": "d-1"}, "digest": "d-1"}),
    ]
}

fn bulk_seeds() -> Vec<Value> {
    vec![
        json!([{"order_item": {"catalog_item_id": "G2-SHOP1"}}]),
        json!([{"order_item": {"catalog_item_id": "G1-SHOP2", "quantity": 2}},
               {"order_item": {"catalog_item_id": "G2-SHOP2"}}]),
        json!([{"order_item": {"catalog_item_id": "G3-SHOP1", "option_selection":
            {"id": null, "option_definition_name": "Format", "content": "<x/>"}}}]),
    ]
}

fn user_information_seeds() -> Vec<Value> {
    let contact = |role: &str| {
        json!({"role": role, "first_name": "Ada", "last_name": "Lovelace",
               "email": "ada@example.org", "organization": "Analytical Engines",
               "address": {"us_format": false, "city": "London", "country": "United Kingdom"},
               "phones": {"0": {"number": "555-0100", "phone_number_type": "BUSINESS"}}})
    };
    vec![json!({"user_information": {
        "shipping_contact": contact("Shipping Contact"),
        "billing_contact": contact("Billing Contact"),
        "order_contact": contact("Order Contact"),
        "user_domain": "OTHER", "user_region": "INTERNATIONAL"}})]
}

fn order_requests(order: String) -> impl Strategy<Value = Request> {
    (
        prop::bool::ANY,
        mutated_json(Arc::new(bulk_seeds())),
        mutated_json(Arc::new(user_information_seeds())),
    )
        .prop_map(move |(bulk, items, information)| match bulk {
            true => Request {
                method: Method::POST,
                path: format!("/echo-rest/orders/{order}/order_items/bulk_action"),
                body: items,
            },
            false => Request {
                method: Method::PUT,
                path: format!("/echo-rest/orders/{order}/user_information"),
                body: information,
            },
        })
}

#[test]
fn echo_rest_order_create() {
    let (api, _) = live(false);
    let requests = mutated_json(Arc::new(create_seeds())).prop_map(|body| Request {
        method: Method::POST,
        path: ORDERS.to_owned(),
        body,
    });
    api.run("ECHO REST orders.json bodies", requests, |api, request| {
        // Each order created is removed again, so the list read per case stays short.
        let (status, body) = api.check(&request);
        let created: Option<Value> = serde_json::from_slice(&body).ok();
        let id = created.as_ref().and_then(|c| c["order"]["id"].as_str());
        if let (201, Some(id)) = (status, id) {
            api.clean_up(&Request {
                method: Method::DELETE,
                path: format!("/echo-rest/orders/{id}"),
                body: Vec::new(),
            });
        }
    });
}

#[test]
fn echo_rest_order_changes() {
    let (api, order) = live(true);
    let target = "ECHO REST bulk_action and user_information bodies";
    api.run(target, order_requests(order), LiveApi::check_case);
}
