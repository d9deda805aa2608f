//! Delivery benchmark against the release-built gateway and a local `partner-sim --answer
//! automatic --log FILE` (http, no latency): 64 concurrent clients place and submit one-item
//! orders (alternating between two providers, each policy pointing at the partner), a warm-up,
//! then several runs of a fixed count. Per run, deliveries per second from the first submit
//! to the last order's SUBMIT reaching the partner (its log's time), once `deliveries list
//! --state pending` is empty; the median run is printed with the submit-to-delivered latency
//! p50 and p99 pooled over all runs: from the client's SubmitOrder acknowledgement to the
//! partner's log line for that order (the gateway records CLOSED right after the answer), at
//! millisecond resolution and 0 when the partner got it before the acknowledgement arrived.
//! Figures are printed, never asserted; clients, gateway and partner share the machine.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::delivery::{PartnerPolicy, answered_more_than_once, list_deliveries, poll};
use common::load::{self, Summary, header, percentile};
use common::orders::{SHOP_PROVIDERS, Shop, order_items_param, place_submitted_order};
use common::partner::{PartnerSim, log_lines};
use common::{SoapClient, TestGateway};
use echo_domain::timestamp::Timestamp;

const CONCURRENCY: usize = 64;
const ORDERS: usize = 2_000;
const RUNS: usize = 3;
/// How long one run's deliveries may take to drain.
const DRAIN_LIMIT: Duration = Duration::from_secs(120);

/// An acknowledged SubmitOrder.
struct Submitted {
    order: String,
    acknowledged: Timestamp,
}

/// One run's measurements.
struct DeliveryRun {
    per_second: f64,
    latencies: Vec<Duration>,
    /// Partner requests beyond one per order (the same key sent again).
    repeats: usize,
    /// SubmitOrders acknowledged per second.
    submits_per_second: f64,
}

/// Submits `total` one-item orders from [`CONCURRENCY`] clients, alternating providers.
async fn submit(soap: &SoapClient, shop: &Shop, total: usize) -> (Vec<Submitted>, f64) {
    let token: Arc<str> = shop.buyer.as_str().into();
    let items = Arc::new(
        shop.catalog
            .clone()
            .map(|guids| order_items_param(&[guids[0].as_str()])),
    );
    let submitted = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let next = Arc::new(AtomicUsize::new(0));
    let (soap, record) = (soap.clone(), submitted.clone());
    let operation = move || {
        let (soap, token, items, record) =
            (soap.clone(), token.clone(), items.clone(), record.clone());
        let provider = next.fetch_add(1, Ordering::Relaxed) % 2;
        async move {
            let order = place_submitted_order(&soap, &token, &items[provider], None).await;
            let acknowledged = Timestamp::now();
            record.lock().unwrap().push(Submitted {
                order,
                acknowledged,
            });
        }
    };
    let rate = load::run(operation, CONCURRENCY, total).await.per_second;
    let submitted = Arc::try_unwrap(submitted)
        .ok()
        .expect("clients done")
        .into_inner()
        .unwrap();
    (submitted, rate)
}

/// When each order's SUBMIT first reached the partner (answered 200), and how many requests
/// for each order it got.
fn partner_receipts(log: &Path) -> HashMap<String, (Timestamp, usize)> {
    let mut receipts: HashMap<String, (Timestamp, usize)> = HashMap::new();
    for line in log_lines(log)
        .iter()
        .filter(|l| l["operation"] == "SubmitOrder" && l["status"] == 200)
    {
        let order = line["order_guid"].as_str().expect("order GUID").to_owned();
        let time = Timestamp::parse(line["time"].as_str().expect("time")).expect("log time");
        let entry = receipts.entry(order).or_insert((time, 0));
        entry.0 = entry.0.min(time);
        entry.1 += 1;
    }
    receipts
}

/// One run: submit, wait until nothing is pending, then read the partner's log.
async fn run(gateway: &TestGateway, shop: &Shop, log: &Path, total: usize) -> DeliveryRun {
    let started = Timestamp::now();
    let (submitted, submits_per_second) = submit(&gateway.soap_client(), shop, total).await;
    poll("deliveries drained", DRAIN_LIMIT, || async {
        list_deliveries(&gateway.data_dir, &["--state", "pending"])
            .is_empty()
            .then_some(())
    })
    .await;
    let receipts = partner_receipts(log);
    let mut latencies = Vec::with_capacity(total);
    let (mut last, mut repeats) = (started, 0);
    for Submitted {
        order,
        acknowledged,
    } in &submitted
    {
        let (delivered, requests) = receipts[order];
        last = last.max(delivered);
        repeats += requests - 1;
        let millis = (delivered.millis() - acknowledged.millis()).max(0);
        latencies.push(Duration::from_millis(millis as u64));
    }
    let elapsed = (last.millis() - started.millis()).max(1) as f64 / 1000.0;
    DeliveryRun {
        per_second: total as f64 / elapsed,
        latencies,
        repeats,
        submits_per_second,
    }
}

/// The median run's throughput and latency percentiles pooled over all runs.
fn summarise(runs: Vec<DeliveryRun>) -> Summary {
    let mut throughputs: Vec<f64> = runs.iter().map(|r| r.per_second).collect();
    throughputs.sort_by(f64::total_cmp);
    let mut pooled: Vec<Duration> = runs.into_iter().flat_map(|r| r.latencies).collect();
    pooled.sort_unstable();
    Summary {
        median_per_second: throughputs[throughputs.len() / 2],
        p50: percentile(&pooled, 0.50),
        p99: percentile(&pooled, 0.99),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("gateway");
    std::fs::create_dir(&data).expect("data dir");
    let shop = Shop::prepare(&data, 1);
    let log = dir.path().join("partner.jsonl");
    let partner = PartnerSim::start(
        dir.path(),
        &[
            "--answer",
            "automatic",
            "--log",
            log.to_str().expect("UTF-8"),
        ],
    );
    let gateway = TestGateway::start(&data, &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for (_, guid) in SHOP_PROVIDERS {
        let policy = PartnerPolicy::plain(&partner.url);
        runtime.block_on(policy.apply(&gateway, &shop.operator, guid));
    }
    runtime.block_on(run(&gateway, &shop, &log, ORDERS / 10));
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        runs.push(runtime.block_on(run(&gateway, &shop, &log, ORDERS)));
    }
    let repeats: usize = runs.iter().map(|r| r.repeats).sum();
    let rates = |rate: fn(&DeliveryRun) -> f64| {
        let texts: Vec<String> = runs.iter().map(|r| format!("{:.0}", rate(r))).collect();
        texts.join(", ")
    };
    let (delivered, submitted) = (rates(|r| r.per_second), rates(|r| r.submits_per_second));
    let twice = answered_more_than_once(&list_deliveries(&data, &[]));
    println!("{}", header("delivery", "orders/run", "deliv/s (median)"));
    println!("{}", summarise(runs).row("submit", CONCURRENCY, ORDERS));
    println!(
        "runs: {delivered} deliveries/s, {submitted} SubmitOrders/s; {repeats} repeated partner \
         requests, {twice} deliveries answered more than once"
    );
}
