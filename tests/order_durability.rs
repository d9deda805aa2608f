//! `kill -9` during an order storm loses nothing acknowledged: 16 concurrent clients each
//! repeat CreateOrder then AddOrderItems against the real gateway, recording every order GUID
//! and every item GUID answered with HTTP 200; the gateway is SIGKILLed at a pseudo-random
//! moment (seed printed, `ORDER_DURABILITY_SEED=<n>` repeats a run) while requests are in
//! flight, restarted on the same data directory, and every acknowledged order must be there
//! with at least its acknowledged items (GetOrders, GetOrderItemNamesByOrder). Three kill
//! cycles; each restart checks the orders of all earlier cycles too.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::orders::{OMS, Shop, guid_list_param, oms_ok, order_guid_param, order_items_param};
use common::{
    SoapClient, TYPES_NS, TestGateway, descendants, element_text, element_texts, kill_mid_storm,
    parse, seeded_rng,
};
use rand::RngExt;

const CLIENTS: usize = 16;
const KILL_CYCLES: usize = 3;
/// Upper bounds of one client's work in one cycle (the kill ends it far sooner).
const MAX_ORDERS_PER_CLIENT: usize = 10_000;
const ADDS_PER_ORDER: usize = 3;
/// Kill this long after the storm starts, at the earliest.
const KILL_AFTER_MS: std::ops::Range<u64> = 200..1_200;
/// How long the storm may take until every client has had one order acknowledged.
const FIRST_ACK_DEADLINE: Duration = Duration::from_secs(15);
/// Orders per verification request.
const CHECK_BATCH: usize = 50;

/// An order as acknowledged to a client: its GUID and the item GUIDs AddOrderItems returned.
#[derive(Debug, Clone)]
struct AckedOrder {
    guid: String,
    items: Vec<String>,
}

/// One client's account of a storm.
#[derive(Debug, Default)]
struct ClientReport {
    orders: Vec<AckedOrder>,
    /// Whether the client stopped at a transport error (the kill) rather than its bound.
    cut_off: bool,
    /// A response other than 200: a gateway failure, not the kill.
    unexpected: Option<String>,
}

/// What a request came back with.
enum Outcome {
    Acknowledged(String),
    Lost,
    Unexpected(String),
}

async fn call(soap: &SoapClient, token: &str, operation: &str, params: &str) -> Outcome {
    match soap.try_call(OMS, operation, token, params).await {
        Ok((200, body)) => Outcome::Acknowledged(body),
        Ok((status, body)) => Outcome::Unexpected(format!("{operation}: HTTP {status}: {body}")),
        Err(_) => Outcome::Lost,
    }
}

/// CreateOrder, then AddOrderItems `ADDS_PER_ORDER` times, over and over until the transport
/// fails; counts itself in `first_acks` at its first acknowledged order.
async fn client(
    soap: SoapClient,
    token: Arc<str>,
    items: Arc<str>,
    first_acks: Arc<AtomicUsize>,
) -> ClientReport {
    let mut report = ClientReport::default();
    for _ in 0..MAX_ORDERS_PER_CLIENT {
        let guid = match call(&soap, &token, "CreateOrder", "").await {
            Outcome::Acknowledged(body) => element_text(&body, "result")
                .expect("CreateOrder result")
                .to_owned(),
            outcome => return report.ended_by(outcome),
        };
        if report.orders.is_empty() {
            first_acks.fetch_add(1, Ordering::SeqCst);
        }
        report.orders.push(AckedOrder {
            items: Vec::new(),
            guid,
        });
        let params = format!(
            "{}{items}",
            order_guid_param(&report.orders.last().unwrap().guid)
        );
        for _ in 0..ADDS_PER_ORDER {
            match call(&soap, &token, "AddOrderItems", &params).await {
                Outcome::Acknowledged(body) => {
                    let added = element_texts(&body, "Item");
                    report.orders.last_mut().unwrap().items.extend(added);
                }
                outcome => return report.ended_by(outcome),
            }
        }
    }
    report
}

impl ClientReport {
    fn ended_by(mut self, outcome: Outcome) -> ClientReport {
        match outcome {
            Outcome::Unexpected(message) => self.unexpected = Some(message),
            Outcome::Lost => self.cut_off = true,
            Outcome::Acknowledged(_) => unreachable!("acknowledged requests do not end a client"),
        }
        self
    }
}

/// Runs the storm, SIGKILLs the gateway `delay` after it starts (once every client has an
/// order acknowledged, within a bound), and returns the clients' reports.
async fn storm_then_kill(
    gateway: &mut TestGateway,
    shop: &Shop,
    delay: Duration,
) -> Vec<ClientReport> {
    let first_acks = Arc::new(AtomicUsize::new(0));
    let token: Arc<str> = shop.buyer.as_str().into();
    let items: Arc<str> = order_items_param(&shop.mixed_items(2)).into();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            tokio::spawn(client(
                gateway.soap_client(),
                token.clone(),
                items.clone(),
                first_acks.clone(),
            ))
        })
        .collect();
    kill_mid_storm(gateway, delay, &first_acks, CLIENTS, FIRST_ACK_DEADLINE).await;
    let mut reports = Vec::new();
    for client in clients {
        reports.push(client.await.expect("client task"));
    }
    reports
}

/// Checks one storm's reports: no gateway failures, every client acknowledged and cut off by
/// the kill. Returns the acknowledged orders.
fn acknowledged(reports: Vec<ClientReport>, cycle: usize) -> Vec<AckedOrder> {
    let mut orders = Vec::new();
    for report in reports {
        assert_eq!(report.unexpected, None, "cycle {cycle}");
        assert!(
            report.cut_off,
            "cycle {cycle}: a client ran out before the kill"
        );
        assert!(
            !report.orders.is_empty(),
            "cycle {cycle}: a client had no order acknowledged before the kill"
        );
        orders.extend(report.orders);
    }
    let items: usize = orders.iter().map(|o| o.items.len()).sum();
    eprintln!(
        "cycle {cycle}: {} orders and {items} items acknowledged",
        orders.len()
    );
    assert!(items > 0, "cycle {cycle}: no AddOrderItems acknowledged");
    orders
}

/// The order GUIDs a GetOrders response lists.
fn listed_orders(body: &str) -> BTreeSet<String> {
    let document = parse(body);
    let mut results = Vec::new();
    descendants(&document, "result", &mut results);
    results[0]
        .children
        .iter()
        .filter_map(|order| order.child(TYPES_NS, "Guid"))
        .map(|guid| guid.text.clone())
        .collect()
}

/// Every acknowledged order exists after the restart, with every acknowledged item.
async fn assert_kept(soap: &SoapClient, token: &str, orders: &[AckedOrder]) {
    for batch in orders.chunks(CHECK_BATCH) {
        let guids: Vec<&str> = batch.iter().map(|o| o.guid.as_str()).collect();
        let list = guid_list_param("orderGuids", &guids);
        let listed = listed_orders(&oms_ok(soap, token, "GetOrders", &list).await);
        let wanted: BTreeSet<String> = guids.iter().map(|g| g.to_string()).collect();
        assert_eq!(listed, wanted, "acknowledged orders after the restart");
        let names = oms_ok(soap, token, "GetOrderItemNamesByOrder", &list).await;
        let stored: BTreeSet<String> = element_texts(&names, "Guid").into_iter().collect();
        for order in batch {
            let lost: Vec<&String> = order
                .items
                .iter()
                .filter(|i| !stored.contains(*i))
                .collect();
            assert!(
                lost.is_empty(),
                "order {}: acknowledged items lost: {lost:?}",
                order.guid
            );
        }
    }
}

/// Kill delays within [`KILL_AFTER_MS`], from a printed seed.
fn kill_delays() -> Vec<Duration> {
    let mut rng = seeded_rng("ORDER_DURABILITY_SEED");
    (0..KILL_CYCLES)
        .map(|_| Duration::from_millis(rng.random_range(KILL_AFTER_MS)))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_an_order_storm_keeps_every_acknowledged_order_and_item() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shop = Shop::prepare(dir.path(), 2);
    let mut kept: Vec<AckedOrder> = Vec::new();
    for (cycle, delay) in kill_delays().into_iter().enumerate() {
        let mut gateway = TestGateway::start(dir.path(), &[]);
        assert_kept(&gateway.soap_client(), &shop.buyer, &kept).await;
        let reports = storm_then_kill(&mut gateway, &shop, delay).await;
        kept.extend(acknowledged(reports, cycle));
    }
    let gateway = TestGateway::start(dir.path(), &[]);
    assert_kept(&gateway.soap_client(), &shop.buyer, &kept).await;
}
