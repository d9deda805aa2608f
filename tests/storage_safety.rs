//! Storage under an unlucky operator, with real `echo-gateway serve` processes: a disk that
//! refuses writes (a file-size limit set on the running process with `prlimit`, so writes
//! fail with EFBIG as on a full disk) gives `StorageUnavailable` faults and a 503 `/healthz`
//! without losing or half-applying anything (the Ordering API answers 503 with its JSON
//! error), and the gateway continues once space is back without a restart; backups taken while serving restore into a new data directory that
//! serves every order they hold.

mod common;

use std::path::Path;
use std::process::Command;

use common::orders::{
    OMS, Shop, guid_list_param, oms_ok, order_items_param, place_submitted_order,
};
use common::{SoapClient, TestGateway, assert_fault, cli, element_text, try_cli};

/// CreateOrder of the shop's first item; the order GUID, or the fault's status and body.
async fn create_order(soap: &SoapClient, shop: &Shop) -> Result<String, (u16, String)> {
    let items = order_items_param(&[shop.catalog[0][0].as_str()]);
    let (status, body) = soap
        .try_call(OMS, "CreateOrder", &shop.buyer, &items)
        .await
        .expect("reaches the gateway");
    match (status, element_text(&body, "result")) {
        (200, Some(guid)) => Ok(guid.to_owned()),
        _ => Err((status, body)),
    }
}

async fn create_orders(soap: &SoapClient, shop: &Shop, count: usize) -> Vec<String> {
    let mut orders = Vec::new();
    for _ in 0..count {
        orders.push(create_order(soap, shop).await.expect("order created"));
    }
    orders
}

/// Asserts GetOrders answers every one of `orders`.
async fn assert_served(soap: &SoapClient, shop: &Shop, orders: &[String]) {
    let guids: Vec<&str> = orders.iter().map(String::as_str).collect();
    let body = oms_ok(
        soap,
        &shop.buyer,
        "GetOrders",
        &guid_list_param("orderGuids", &guids),
    )
    .await;
    for order in orders {
        assert!(body.contains(order.as_str()), "order {order} in {body}");
    }
}

async fn health(gateway: &TestGateway) -> (u16, String) {
    let response = gateway
        .client
        .get(format!("{}/healthz", gateway.url))
        .send()
        .await
        .expect("healthz answers");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

/// Sets the file-size limit (bytes, or "unlimited") of the running gateway.
fn limit_file_size(gateway: &TestGateway, limit: &str) {
    let pid = gateway.pid().expect("running").to_string();
    let status = Command::new("prlimit")
        .args(["--pid", &pid, &format!("--fsize={limit}:unlimited")])
        .status()
        .expect("prlimit runs");
    assert!(status.success());
}

fn prepared(dir: &Path) -> Shop {
    Shop::prepare(dir, 2)
}

#[tokio::test]
async fn a_disk_refusing_writes_faults_cleanly_and_the_gateway_recovers_without_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shop = prepared(dir.path());
    let mut gateway = TestGateway::start(dir.path(), &[]);
    shop.set_policies(&gateway).await;
    let soap = gateway.soap_client();
    let mut acknowledged = create_orders(&soap, &shop, 3).await;

    // Far below the database's size: every commit has pages to write past the limit.
    limit_file_size(&gateway, "8192");
    for _ in 0..2 {
        let (status, body) = create_order(&soap, &shop).await.expect_err("refused");
        assert_fault(status, &body, "StorageUnavailable");
        assert!(
            body.contains("<faultcode>SOAP-ENV:Server</faultcode>"),
            "{body}"
        );
    }
    let (status, body) = health(&gateway).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.starts_with("storage unavailable"), "{body}");
    assert_served(&soap, &shop, &acknowledged).await;

    limit_file_size(&gateway, "unlimited");
    acknowledged.extend(create_orders(&soap, &shop, 2).await);
    assert_eq!(health(&gateway).await, (200, "ok\n".to_owned()));
    assert_served(&soap, &shop, &acknowledged).await;

    gateway.stop();
    let gateway = TestGateway::start(dir.path(), &[]);
    assert_served(&gateway.soap_client(), &shop, &acknowledged).await;
}

/// POSTs a public mediator message on project 1 as the default OMS's administrator; returns
/// the status and the JSON answer.
async fn post_message(gateway: &TestGateway, token: &str) -> (u16, serde_json::Value) {
    let message = serde_json::json!({"project_id": 1, "scope": "public", "content": "staged",
        "author": {"email": "desk@example.org", "name": "Desk", "role": "mediator"}});
    let response = gateway
        .client
        .post(format!("{}/api/v1/oms/1/messages", gateway.url))
        .header("X-User-Token", token)
        .header("Content-Type", "application/json")
        .body(message.to_string())
        .send()
        .await
        .expect("the API answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("a body");
    (status, serde_json::from_slice(&body).expect("a JSON body"))
}

#[tokio::test]
async fn the_ordering_api_answers_503_while_the_disk_refuses_writes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shop = prepared(dir.path());
    cli(dir.path(), &["user", "add", "desk", "--role", "user"], None);
    let add = [
        "oms",
        "add",
        "desk",
        "--type",
        "global",
        "--default",
        "--admin",
        "desk",
    ];
    cli(dir.path(), &add, None);
    let desk = cli(dir.path(), &["token", "issue", "desk"], None);
    let gateway = TestGateway::start(dir.path(), &[]);
    shop.set_policies(&gateway).await;
    let items = order_items_param(&[shop.catalog[0][0].as_str()]);
    place_submitted_order(&gateway.soap_client(), &shop.buyer, &items, None).await;

    limit_file_size(&gateway, "8192");
    let (status, body) = post_message(&gateway, &desk).await;
    assert_eq!(status, 503, "{body}");
    let error = body["error"].as_str().expect("an error message");
    assert!(error.contains("try again later"), "{error}");
    limit_file_size(&gateway, "unlimited");
    let (status, body) = post_message(&gateway, &desk).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["id"], 1, "the refused message was not stored");
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_into_a_new_data_dir_that_serves_its_orders() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let shop = prepared(&data);
    let mut gateway = TestGateway::start(&data, &[]);
    let soap = gateway.soap_client();
    let backed_up = create_orders(&soap, &shop, 5).await;
    let backup = dir.path().join("nightly.redb");
    let backup_arg = backup.to_str().expect("UTF-8");
    let said = cli(&data, &["backup", backup_arg], None);
    assert!(said.starts_with("backed up"), "{said}");
    let later = create_orders(&soap, &shop, 1).await;
    assert!(
        !try_cli(&data, &["backup", backup_arg], None)
            .status
            .success(),
        "never overwrites"
    );
    let refused = try_cli(&data, &["restore", backup_arg], None);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("not empty"));

    let restored = dir.path().join("restored");
    let said = cli(&restored, &["restore", backup_arg], None);
    assert!(said.starts_with("restored"), "{said}");
    let copy = TestGateway::start(&restored, &[]);
    let copy_soap = copy.soap_client();
    assert_served(&copy_soap, &shop, &backed_up).await;
    let params = guid_list_param("orderGuids", &[later[0].as_str()]);
    let (status, body) = copy_soap
        .try_call(OMS, "GetOrders", &shop.buyer, &params)
        .await
        .expect("answers");
    assert!(
        status != 200 || !body.contains(later[0].as_str()),
        "taken after the backup: {body}"
    );

    gateway.stop();
    let offline = dir.path().join("offline.redb");
    let said = cli(&data, &["backup", offline.to_str().expect("UTF-8")], None);
    assert!(
        said.starts_with("backed up"),
        "directly while stopped: {said}"
    );
}
