//! The Ordering API (`/api/v1`) against a real gateway: an OMS-routed provider with a
//! submitted order (project 1, project item 1) and a message on it; mutated bodies of PATCH
//! project item, POST and PATCH messages, and mutated paging queries of events, projects,
//! project items and messages, sent as that OMS's administrator.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

use crate::common::orders::{
    Shop, order_items_param, order_policies, place_submitted_order, set_provider_policies,
};
use crate::common::{TestGateway, cli};
use crate::json::{mutated_json, mutated_query};
use crate::live_api::{LiveApi, Request};

const OMS: &str = "/api/v1/oms/1";
const ITEM: &str = "/api/v1/oms/1/projects/1/project_items/1";

/// The gateway, its OMS 1 (primary of the first shop provider, administered by `jira`) and
/// the submitted order; the state is the OMS's newest event sequence (every write adds
/// events to its feed), read from the `next` link of an events page after every event.
fn live() -> LiveApi {
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = temp.path();
    let shop = Shop::prepare(dir, 2);
    cli(dir, &["user", "add", "jira", "--role", "user"], None);
    let (provider, _) = crate::common::orders::SHOP_PROVIDERS[0];
    let oms = [
        "oms",
        "add",
        "jira",
        "--type",
        "resource_dedicated",
        "--admin",
        "jira",
    ];
    cli(dir, &[&oms[..], &["--provider", provider]].concat(), None);
    let token = cli(dir, &["token", "issue", "jira"], None);
    let gateway = TestGateway::start(dir, &[]);
    let mut headers = HeaderMap::new();
    headers.insert(
        "X-User-Token",
        HeaderValue::from_str(&token).expect("token"),
    );
    let last_sequence = format!("{OMS}/events?from_timestamp=2100-01-01T00:00:00Z&limit=1");
    let api = LiveApi::new(temp, gateway, headers, "error", vec![last_sequence]);
    api.block_on(async {
        let (_, guid) = crate::common::orders::SHOP_PROVIDERS[0];
        let policies = order_policies(guid, 100).replace(
            "</ns3:RetryWaitTime>",
            "</ns3:RetryWaitTime><ns3:Routing>OMS</ns3:Routing>",
        );
        set_provider_policies(&api.gateway, &shop.operator, &policies).await;
        let items = order_items_param(&[shop.catalog[0][0].as_str()]);
        place_submitted_order(&api.gateway.soap_client(), &shop.buyer, &items, None).await;
    });
    let item = api.get_json(ITEM);
    assert_eq!(item["status"]["value"], "SUBMITTING", "{item}");
    api.check(&post_message(message_seeds()[0].to_string().into_bytes()));
    api
}

fn post_message(body: Vec<u8>) -> Request {
    Request {
        method: Method::POST,
        path: format!("{OMS}/messages"),
        body,
    }
}

fn message_seeds() -> Vec<Value> {
    let author = json!({"email": "desk@example.org", "name": "Desk", "role": "provider"});
    vec![
        json!({"project_id": 1, "project_item_id": 1, "scope": "public",
               "author": author, "content": "Your data is staged"}),
        json!({"project_id": 1, "scope": "internal", "content": "note",
               "author": {"uid": "u1", "email": "m@example.org", "name": "M", "role": "mediator"}}),
        json!({"project_id": 1, "project_item_id": 1, "scope": "user_direct",
               "author": author, "content": "secret link"}),
    ]
}

/// A body for one of the three writes, and where it goes.
fn body_requests() -> impl proptest::strategy::Strategy<Value = Request> {
    use proptest::prelude::*;
    let patches = vec![
        json!({"status": {"value": "ticket 42", "type": "in_progress"}}),
        json!({"user_secrets": {"ftp_password": "hunter2"}}),
        json!({"status": {"value": "done", "type": "closed"}, "user_secrets": {"a": "b"}}),
        json!({"status": {"value": "waiting", "type": "waiting_for_response"}}),
    ];
    let edits = vec![json!({"content": "edited"})];
    (
        0..3usize,
        mutated_json(Arc::new(patches)),
        mutated_json(Arc::new(message_seeds())),
        mutated_json(Arc::new(edits)),
    )
        .prop_map(|(which, patch, message, edit)| match which {
            0 => Request {
                method: Method::PATCH,
                path: ITEM.to_owned(),
                body: patch,
            },
            1 => post_message(message),
            _ => Request {
                method: Method::PATCH,
                path: format!("{OMS}/messages/1"),
                body: edit,
            },
        })
}

const LISTS: &[&str] = &[
    "/events",
    "/projects",
    "/projects/1/project_items",
    "/messages",
];

const QUERIES: &[&str] = &[
    "from_sequence=0&limit=50",
    "from_timestamp=2026-11-30T12:00:00.123456Z&limit=2",
    "from_sequence=1&limit=1000&exclude_own=true",
    "from_id=1&limit=10",
    "project_id=1&project_item_id=1&from_id=0&limit=5",
];

fn query_requests() -> impl proptest::strategy::Strategy<Value = Request> {
    use proptest::prelude::*;
    (0..LISTS.len(), mutated_query(QUERIES)).prop_map(|(list, query)| Request {
        method: Method::GET,
        path: format!("{OMS}{}?{query}", LISTS[list]),
        body: Vec::new(),
    })
}

#[test]
fn ordering_api_bodies() {
    live().run("Ordering API bodies", body_requests(), LiveApi::check_case);
}

#[test]
fn ordering_api_queries() {
    let target = "Ordering API paging queries";
    live().run(target, query_requests(), LiveApi::check_case);
}
