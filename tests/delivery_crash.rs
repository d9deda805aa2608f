//! Crash safety of delivery and of group commit with real processes: 64 concurrent clients
//! place and submit one-item orders, at least 2,000 (alternating between two providers served by one
//! `partner-sim --answer automatic --log FILE`) while the gateway is SIGKILLed at pseudo-random
//! moments (seed printed, `DELIVERY_CRASH_SEED=<n>` repeats a run) and restarted on the same
//! data directory: six times in the default run, `DELIVERY_CRASH_KILLS=<n>` for more (the full
//! storm is `DELIVERY_CRASH_KILLS=12`). Every acknowledged SubmitOrder is recorded. After the last restart, once no
//! delivery is pending, every acknowledged provider order's SUBMIT must be in the partner's
//! log answered 200 with its delivery's idempotency key, and repeated requests for an order
//! (a crash between sending and recording) must carry the same key. Every SubmitOrder left
//! unanswered by a kill must have been applied wholly (provider order in flight and delivery
//! queued) or not at all.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::delivery::{
    PartnerPolicy, answered_more_than_once, delivery_order, list_deliveries, poll,
};
use common::orders::{
    OMS, SHOP_PROVIDERS, Shop, order_guid_param, order_items_param, user_information_param,
};
use common::partner::{PartnerSim, log_lines};
use common::{SoapClient, TestGateway, element_text, kill_mid_storm, seeded_rng};
use rand::RngExt;
use serde_json::Value;

const ORDERS: usize = 2_000;
const CLIENTS: usize = 64;
/// Kills in the default run; `DELIVERY_CRASH_KILLS` overrides.
const KILLS: usize = 6;
/// Kill this long after a storm starts, at the earliest.
const KILL_AFTER_MS: std::ops::Range<u64> = 100..800;
/// How long a storm may take to reach the acknowledgement count its kill waits for.
const STORM_DEADLINE: Duration = Duration::from_secs(30);
/// How long the deliveries may take to drain after the last restart.
const DRAIN_DEADLINE: Duration = Duration::from_secs(90);

/// What every client of every storm shares.
#[derive(Default)]
struct Ledger {
    /// Order GUIDs whose SubmitOrder was answered 200.
    acknowledged: Mutex<Vec<String>>,
    /// Order GUIDs whose SubmitOrder was sent but never answered (the kill): each is either
    /// wholly submitted (its provider order in flight, its delivery queued) or not at all.
    unanswered: Mutex<Vec<String>>,
    count: AtomicUsize,
    /// Answers other than 200 or a transport failure: gateway failures, not the kill.
    unexpected: Mutex<Vec<String>>,
}

/// How a request ended.
enum Outcome {
    Answered(String),
    /// The transport failed: the gateway was killed.
    Lost,
}

async fn call(
    soap: &SoapClient,
    ledger: &Ledger,
    token: &str,
    operation: &str,
    params: &str,
) -> Outcome {
    match soap.try_call(OMS, operation, token, params).await {
        Ok((200, body)) => Outcome::Answered(body),
        Ok((status, body)) => {
            let failure = format!("{operation}: HTTP {status}: {body}");
            ledger.unexpected.lock().unwrap().push(failure);
            Outcome::Lost
        }
        Err(_) => Outcome::Lost,
    }
}

/// CreateOrder of `items`, SetUserInformationForOrder, SubmitOrder; returns the order GUID
/// once SubmitOrder is acknowledged, `None` when a request was lost.
async fn place(soap: &SoapClient, ledger: &Ledger, token: &str, items: &str) -> Option<String> {
    let Outcome::Answered(created) = call(soap, ledger, token, "CreateOrder", items).await else {
        return None;
    };
    let order = element_text(&created, "result")
        .expect("CreateOrder result")
        .to_owned();
    let guid = order_guid_param(&order);
    let information = format!("{guid}{}", user_information_param());
    let steps = [
        ("SetUserInformationForOrder", information.as_str()),
        ("SubmitOrder", &guid),
    ];
    for (operation, params) in steps {
        if let Outcome::Lost = call(soap, ledger, token, operation, params).await {
            if operation == "SubmitOrder" {
                ledger.unanswered.lock().unwrap().push(order);
            }
            return None;
        }
    }
    Some(order)
}

/// Places orders (alternating providers) until the gateway goes away or `until` are
/// acknowledged overall.
async fn client(
    soap: SoapClient,
    ledger: Arc<Ledger>,
    token: Arc<str>,
    items: Arc<[String; 2]>,
    until: usize,
) {
    for n in 0.. {
        if ledger.count.load(Ordering::SeqCst) >= until {
            return;
        }
        let Some(order) = place(&soap, &ledger, &token, &items[n % 2]).await else {
            return;
        };
        ledger.acknowledged.lock().unwrap().push(order);
        ledger.count.fetch_add(1, Ordering::SeqCst);
    }
}

/// Starts [`CLIENTS`] clients placing orders until `until` are acknowledged overall.
fn spawn_storm(
    gateway: &TestGateway,
    ledger: &Arc<Ledger>,
    shop: &Shop,
    until: usize,
) -> Vec<tokio::task::JoinHandle<()>> {
    let token: Arc<str> = shop.buyer.as_str().into();
    let items = Arc::new(
        shop.catalog
            .clone()
            .map(|guids| order_items_param(&[guids[0].as_str()])),
    );
    (0..CLIENTS)
        .map(|_| {
            let soap = gateway.soap_client();
            let (ledger, token, items) = (ledger.clone(), token.clone(), items.clone());
            tokio::spawn(client(soap, ledger, token, items, until))
        })
        .collect()
}

/// (delay, acknowledgements to wait for) of each kill, spread over the storm, from a printed
/// seed.
fn kill_plan() -> Vec<(Duration, usize)> {
    let mut rng = seeded_rng("DELIVERY_CRASH_SEED");
    let kills = kills();
    let share = ORDERS / (kills + 1);
    (1..=kills)
        .map(|n| {
            let delay = Duration::from_millis(rng.random_range(KILL_AFTER_MS));
            (delay, n * share - rng.random_range(0..share / 2))
        })
        .collect()
}

/// How many times the gateway is killed.
fn kills() -> usize {
    std::env::var("DELIVERY_CRASH_KILLS")
        .ok()
        .and_then(|kills| kills.parse().ok())
        .map_or(KILLS, |kills: usize| kills.clamp(1, ORDERS / 100))
}

/// Runs the storms: each is SIGKILLed at its planned moment and the gateway restarted; the
/// last runs until [`ORDERS`] are acknowledged. A storm that is to be killed has no end of its
/// own, so every kill lands while SubmitOrders are in flight, even once the acknowledgements
/// have run past the plan. Returns the running gateway.
async fn storms(data: &std::path::Path, shop: &Shop, ledger: &Arc<Ledger>) -> TestGateway {
    let mut gateway = TestGateway::start(data, &[]);
    for (kill, (delay, wanted)) in kill_plan().into_iter().enumerate() {
        let clients = spawn_storm(&gateway, ledger, shop, usize::MAX);
        kill_mid_storm(&mut gateway, delay, &ledger.count, wanted, STORM_DEADLINE).await;
        for client in clients {
            client.await.expect("client task");
        }
        let count = ledger.count.load(Ordering::SeqCst);
        eprintln!(
            "kill {}: {count} SubmitOrders acknowledged so far",
            kill + 1
        );
        gateway = TestGateway::start(data, &[]);
    }
    for client in spawn_storm(&gateway, ledger, shop, ORDERS) {
        client.await.expect("client task");
    }
    gateway
}

/// The request log's SubmitOrder lines: order GUID to (idempotency key, status) of each.
fn submits_by_order(log: &[Value]) -> BTreeMap<String, Vec<(String, u64)>> {
    let mut found: BTreeMap<String, Vec<(String, u64)>> = BTreeMap::new();
    for line in log.iter().filter(|l| l["operation"] == "SubmitOrder") {
        let order = line["order_guid"].as_str().expect("order GUID").to_owned();
        let key = line["idempotency_key"].as_str().expect("key").to_owned();
        let status = line["status"].as_u64().expect("status");
        found.entry(order).or_default().push((key, status));
    }
    found
}

/// Every order whose SubmitOrder went unanswered is wholly submitted or not at all: its
/// provider order has left NOT_VALIDATED exactly when it has a delivery. Returns how many
/// were submitted.
async fn assert_all_or_nothing(
    gateway: &TestGateway,
    token: &str,
    unanswered: &[String],
    deliveries: &[Value],
) -> usize {
    let delivered: BTreeSet<&str> = deliveries.iter().map(delivery_order).collect();
    let soap = gateway.soap_client();
    let mut submitted = 0;
    for order in unanswered {
        let views = common::delivery::provider_orders(&soap, token, order).await;
        let moved = views.iter().all(|v| v.state != "NOT_VALIDATED");
        let stayed = views.iter().all(|v| v.state == "NOT_VALIDATED");
        assert!(moved || stayed, "{order} is half submitted: {views:?}");
        assert_eq!(
            moved,
            delivered.contains(order.as_str()),
            "{order}: provider order state and delivery disagree"
        );
        submitted += usize::from(moved);
    }
    submitted
}

/// Every acknowledged order's delivery is done and reached the partner (200, its key); every
/// request for an order carries that order's one key. Returns the number of repeated requests.
fn assert_delivered(acknowledged: &[String], deliveries: &[Value], log: &[Value]) -> usize {
    let keys: BTreeMap<&str, &Value> = deliveries.iter().map(|d| (delivery_order(d), d)).collect();
    let received = submits_by_order(log);
    for order in acknowledged {
        let delivery = keys
            .get(order.as_str())
            .unwrap_or_else(|| panic!("no delivery of {order}"));
        assert_eq!(delivery["status"]["state"], "done", "{delivery}");
        let key = delivery["entry"]["idempotency_key"].as_str().expect("key");
        let requests = received
            .get(order)
            .unwrap_or_else(|| panic!("{order} never reached the partner"));
        assert!(
            requests.contains(&(key.to_owned(), 200)),
            "{order}: {requests:?}, key {key}"
        );
    }
    let mut repeats = 0;
    for (order, requests) in &received {
        let distinct: BTreeSet<&String> = requests.iter().map(|(key, _)| key).collect();
        assert_eq!(
            distinct.len(),
            1,
            "{order} reached the partner with different keys"
        );
        repeats += requests.len() - 1;
    }
    repeats
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_submit_storm_loses_no_delivery() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("gateway");
    std::fs::create_dir(&data).expect("data dir");
    let shop = Shop::prepare(&data, 1);
    let log = dir.path().join("partner.jsonl");
    let flags = [
        "--answer",
        "automatic",
        "--log",
        log.to_str().expect("UTF-8 path"),
    ];
    let partner = PartnerSim::start(dir.path(), &flags);
    let setup = TestGateway::start(&data, &[]);
    for (_, guid) in SHOP_PROVIDERS {
        PartnerPolicy::plain(&partner.url)
            .apply(&setup, &shop.operator, guid)
            .await;
    }
    drop(setup);

    let ledger = Arc::new(Ledger::default());
    let gateway = storms(&data, &shop, &ledger).await;
    let unexpected = ledger.unexpected.lock().unwrap().clone();
    assert!(unexpected.is_empty(), "gateway failures: {unexpected:?}");

    poll("no pending delivery", DRAIN_DEADLINE, || async {
        list_deliveries(&gateway.data_dir, &["--state", "pending"])
            .is_empty()
            .then_some(())
    })
    .await;
    let acknowledged = ledger.acknowledged.lock().unwrap().clone();
    let deliveries = list_deliveries(&gateway.data_dir, &[]);
    let log = log_lines(&log);
    let repeats = assert_delivered(&acknowledged, &deliveries, &log);
    let unanswered = ledger.unanswered.lock().unwrap().clone();
    let submitted =
        assert_all_or_nothing(&gateway, shop.buyer.as_str(), &unanswered, &deliveries).await;
    eprintln!(
        "{} SubmitOrders acknowledged, {} deliveries ({} answered more than once), {} partner \
         requests ({repeats} repeated), {} kills, {:.1} s; of {} unanswered SubmitOrders {submitted} \
         were wholly applied, the others not at all",
        acknowledged.len(),
        deliveries.len(),
        answered_more_than_once(&deliveries),
        log.len(),
        kills(),
        started.elapsed().as_secs_f64(),
        unanswered.len(),
    );
}
