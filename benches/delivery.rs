//! Delivery benchmark against the release-built gateway (HTTPS) and a local `partner-sim
//! --answer automatic --log FILE` (http, no latency, on 127.0.0.1).
//!
//! Orders of two items from two providers (both pointed at the partner) are created and given
//! their contact beforehand; then, per run, [`SUBMITTERS`] clients submit [`ORDERS`] of them
//! (a bounded, closed-loop load: each SubmitOrder is two deliveries). Per run: deliveries per
//! second while the submits run (partner receipts inside that window, by the partner log's
//! times), SubmitOrders per second, the gateway's CPU (user + system, `/proc`) per delivery,
//! submits included, and, pooled over the runs, the latency from each SubmitOrder's
//! acknowledgement to the partner receiving the delivery (its log line, written before it
//! answers; millisecond resolution, 0 when it came before the acknowledgement arrived). The
//! floor, in the same run: the same SubmitOrder payload posted straight to the partner-sim by
//! 64 clients (the worker's concurrency), the rate the partner can take.
//!
//! Then paced runs: the same submits started at a fixed [`PACED_SUBMITS`] per second (open
//! loop, at most [`PACED_CLIENTS`] in flight), i.e. a steady offer of twice as many
//! deliveries, to see whether the worker sustains that rate and at what latency.
//!
//! Then the same closed-loop runs again with [`BACKLOG`] deliveries pending for a third provider whose
//! partner is down (a closed port; each waits an hour for its next try, stored in-process with
//! the gateway stopped), to compare the CPU per healthy delivery with and without the backlog.
//! Figures are printed, never asserted; clients, gateway and partner share the machine.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use common::delivery::{PartnerPolicy, poll};
use common::fill::{Shape, fill_orders};
use common::load::{self, percentile};
use common::orders::{
    OMS, SHOP_PROVIDERS, Shop, oms_ok, order_guid_param, order_items_param, user_information_param,
};
use common::partner::{PartnerSim, client_builder, log_lines, sample_request};
use common::process::{cpu_time, peak_rss_kib};
use common::{SoapClient, TestGateway, cli, element_text};
use echo_domain::guid::Guid;
use echo_domain::policy::Transaction;
use echo_domain::timestamp::Timestamp;
use echo_gateway::soap::fulfillment::encode_request;

/// Clients submitting at once.
const SUBMITTERS: usize = 32;
/// Orders submitted per run (two deliveries each).
const ORDERS: usize = 3_000;
const WARM_UP: usize = 300;
const RUNS: usize = 3;
/// SubmitOrders started per second in the paced runs (two deliveries each).
const PACED_SUBMITS: f64 = 1_000.0;
/// Orders per paced run, and the most submits in flight at once.
const PACED_ORDERS: usize = 4_000;
const PACED_CLIENTS: usize = 64;
/// Deliveries pending for the down partner in the second part.
const BACKLOG: usize = 100_000;
/// Concurrency of the floor's clients: the worker's default overall limit.
const FLOOR_CLIENTS: usize = 64;
/// How long one run's deliveries may take to reach the partner.
const DRAIN_LIMIT: Duration = Duration::from_secs(300);
/// The provider whose partner is down.
const DOWN: (&str, &str) = ("DOWN1", "5A0C7E4B-2D3F-4A1B-9C8D-7E6F5A4B3C2D");

/// One run's measurements.
struct DeliveryRun {
    /// Deliveries the partner received per second while the submits ran.
    per_second: f64,
    submits_per_second: f64,
    cpu_per_delivery: Duration,
    latencies: Vec<Duration>,
    /// Partner requests beyond one per delivery.
    repeats: usize,
}

/// The gateway under test and what the runs need of it.
struct Bench {
    gateway: TestGateway,
    shop: Shop,
    log: std::path::PathBuf,
}

impl Bench {
    fn soap(&self) -> SoapClient {
        self.gateway.soap_client()
    }
}

/// Creates `count` orders with one item of each shop provider and a contact (not submitted).
async fn prepare(bench: &Bench, count: usize) -> Vec<String> {
    let (soap, token) = (bench.soap(), Arc::<str>::from(bench.shop.buyer.as_str()));
    let catalog = &bench.shop.catalog;
    let items: Arc<str> = order_items_param(&[&catalog[0][0], &catalog[1][0]]).into();
    let created = Arc::new(Mutex::new(Vec::with_capacity(count)));
    let record = created.clone();
    let operation = move || {
        let (soap, token, items, record) =
            (soap.clone(), token.clone(), items.clone(), record.clone());
        async move {
            let body = oms_ok(&soap, &token, "CreateOrder", &items).await;
            let order = element_text(&body, "result")
                .expect("order GUID")
                .to_owned();
            let contact = format!("{}{}", order_guid_param(&order), user_information_param());
            oms_ok(&soap, &token, "SetUserInformationForOrder", &contact).await;
            record.lock().expect("orders").push(order);
        }
    };
    load::run(operation, 64, count).await;
    Arc::try_unwrap(created)
        .expect("clients done")
        .into_inner()
        .expect("orders")
}

/// How the submits of a run are offered.
#[derive(Clone, Copy)]
enum Offer {
    /// [`SUBMITTERS`] clients, each submitting as soon as its previous one is answered.
    ClosedLoop,
    /// Started at this many per second whatever the answers, at most [`PACED_CLIENTS`] in
    /// flight.
    Paced(f64),
}

/// SubmitOrder of `order`; returns when it was acknowledged.
async fn submit_one(soap: &SoapClient, token: &str, order: &str) -> Timestamp {
    let (status, body) = soap
        .try_call(OMS, "SubmitOrder", token, &order_guid_param(order))
        .await
        .expect("the gateway answers");
    assert_eq!(status, 200, "SubmitOrder: {body}");
    Timestamp::now()
}

/// Submits `orders` as `offer` says; returns each order's acknowledgement time and the
/// SubmitOrders per second.
async fn submit(
    bench: &Bench,
    orders: Vec<String>,
    offer: Offer,
) -> (HashMap<String, Timestamp>, f64) {
    let total = orders.len();
    let (soap, token) = (bench.soap(), Arc::<str>::from(bench.shop.buyer.as_str()));
    let (orders, next) = (Arc::new(orders), Arc::new(AtomicUsize::new(0)));
    let acknowledged = Arc::new(Mutex::new(HashMap::with_capacity(total)));
    let record = acknowledged.clone();
    let operation = move || {
        let (soap, token, orders, record) =
            (soap.clone(), token.clone(), orders.clone(), record.clone());
        let order = orders[next.fetch_add(1, Ordering::Relaxed)].clone();
        async move {
            let at = submit_one(&soap, &token, &order).await;
            record.lock().expect("acknowledgements").insert(order, at);
        }
    };
    let rate = match offer {
        Offer::ClosedLoop => load::run(operation, SUBMITTERS, total).await.per_second,
        Offer::Paced(per_second) => paced(operation, per_second, total).await,
    };
    let acknowledged = Arc::try_unwrap(acknowledged)
        .expect("clients done")
        .into_inner()
        .expect("acknowledgements");
    (acknowledged, rate)
}

/// Starts `operation` `total` times at `per_second`, at most [`PACED_CLIENTS`] running;
/// returns the operations completed per second.
async fn paced<F, Fut>(operation: F, per_second: f64, total: usize) -> f64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(tokio::sync::Semaphore::new(PACED_CLIENTS));
    let started = Instant::now();
    let mut running = Vec::with_capacity(total);
    for n in 0..total {
        let due = started + Duration::from_secs_f64(n as f64 / per_second);
        tokio::time::sleep_until(due.into()).await;
        let slot = slots.clone().acquire_owned().await.expect("slots");
        let call = operation();
        running.push(tokio::spawn(async move {
            call.await;
            drop(slot);
        }));
    }
    for call in running {
        call.await.expect("submit");
    }
    total as f64 / started.elapsed().as_secs_f64()
}

/// For each (order, provider) the partner was sent: when it first received it, and how many
/// requests it got.
fn partner_receipts(log: &Path) -> HashMap<(String, String), (Timestamp, usize)> {
    let mut receipts: HashMap<(String, String), (Timestamp, usize)> = HashMap::new();
    for line in log_lines(log)
        .iter()
        .filter(|l| l["operation"] == "SubmitOrder" && l["status"] == 200)
    {
        let text = |field: &str| line[field].as_str().expect("log field").to_owned();
        let time = Timestamp::parse(line["time"].as_str().expect("time")).expect("log time");
        let entry = receipts
            .entry((text("order_guid"), text("provider_guid")))
            .or_insert((time, 0));
        entry.0 = entry.0.min(time);
        entry.1 += 1;
    }
    receipts
}

/// The partner log's length in bytes.
fn log_length(log: &Path) -> u64 {
    std::fs::metadata(log).map_or(0, |m| m.len())
}

/// Lines the partner logged after byte `offset`.
fn logged_since(log: &Path, offset: u64) -> usize {
    let mut file = std::fs::File::open(log).expect("partner log");
    file.seek(SeekFrom::Start(offset)).expect("seek");
    let mut text = Vec::new();
    file.read_to_end(&mut text).expect("partner log read");
    text.iter().filter(|&&b| b == b'\n').count()
}

/// One run: submit `orders`, wait until the partner got every delivery, then read its log.
async fn run(bench: &Bench, orders: Vec<String>, offer: Offer) -> DeliveryRun {
    let pid = bench.gateway.pid().expect("gateway pid");
    let (offset, cpu_before) = (log_length(&bench.log), cpu_time(pid));
    let deliveries = orders.len() * SHOP_PROVIDERS.len();
    let started = Timestamp::now();
    let (acknowledged, submits_per_second) = submit(bench, orders, offer).await;
    let submitted = Timestamp::now();
    poll("deliveries received", DRAIN_LIMIT, || async {
        (logged_since(&bench.log, offset) >= deliveries).then_some(())
    })
    .await;
    let cpu = cpu_time(pid) - cpu_before;
    let receipts = partner_receipts(&bench.log);
    let (mut latencies, mut in_window, mut repeats) = (Vec::with_capacity(deliveries), 0, 0);
    for (order, at) in &acknowledged {
        for (_, provider) in SHOP_PROVIDERS {
            let (received, requests) = receipts[&(order.clone(), provider.to_owned())];
            repeats += requests - 1;
            in_window += usize::from(received <= submitted);
            let millis = (received.millis() - at.millis()).max(0);
            latencies.push(Duration::from_millis(millis as u64));
        }
    }
    let window = (submitted.millis() - started.millis()).max(1) as f64 / 1000.0;
    DeliveryRun {
        per_second: in_window as f64 / window,
        submits_per_second,
        cpu_per_delivery: cpu / deliveries as u32,
        latencies,
        repeats,
    }
}

/// The partner's own rate: the same SubmitOrder payload posted straight to it.
async fn floor(partner: &PartnerSim) -> f64 {
    let client = client_builder().http1_only().build().expect("client");
    let (url, provider) = (
        Arc::<str>::from(partner.url.as_str()),
        Guid::parse(SHOP_PROVIDERS[0].1).expect("GUID"),
    );
    let post = move || {
        let (client, url) = (client.clone(), url.clone());
        let body = Bytes::from(encode_request(&sample_request(
            Transaction::Submit,
            &provider,
        )));
        async move {
            let response = client.post(&*url).body(body).send().await.expect("answer");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("answer body");
        }
    };
    load::measure(post, FLOOR_CLIENTS, ORDERS * SHOP_PROVIDERS.len(), RUNS)
        .await
        .median_per_second
}

/// A warm-up, then [`RUNS`] runs of `orders` orders each, prepared beforehand.
async fn measure(bench: &Bench, orders: usize, offer: Offer) -> Vec<DeliveryRun> {
    let mut prepared = prepare(bench, WARM_UP + RUNS * orders).await;
    run(bench, prepared.split_off(RUNS * orders), offer).await;
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let rest = prepared.split_off(orders);
        runs.push(run(bench, std::mem::replace(&mut prepared, rest), offer).await);
    }
    runs
}

/// `label`, the median run's rates and CPU, and latency percentiles pooled over the runs.
fn report(label: &str, runs: &[DeliveryRun], floor: f64) -> Duration {
    let median = |value: &dyn Fn(&DeliveryRun) -> f64| {
        let mut values: Vec<f64> = runs.iter().map(value).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    let mut pooled: Vec<Duration> = runs.iter().flat_map(|r| r.latencies.clone()).collect();
    pooled.sort_unstable();
    let per_second = median(&|r| r.per_second);
    let cpu = Duration::from_secs_f64(median(&|r| r.cpu_per_delivery.as_secs_f64()));
    let each: Vec<String> = runs
        .iter()
        .map(|r| format!("{:.0}", r.per_second))
        .collect();
    println!(
        "{label:<22} {per_second:>8.0} {:>10.0} {:>7} {:>7} {:>8.0} {:>8.3}×  (runs {}; {} repeated requests)",
        median(&|r| r.submits_per_second),
        percentile(&pooled, 0.50).as_millis(),
        percentile(&pooled, 0.99).as_millis(),
        cpu.as_secs_f64() * 1e6,
        per_second / floor,
        each.join(", "),
        runs.iter().map(|r| r.repeats).sum::<usize>(),
    );
    cpu
}

fn print_peak_rss(gateway: &TestGateway) {
    let kib = peak_rss_kib(gateway.pid().expect("gateway pid"));
    println!("  gateway peak RSS {:.1} MiB", kib as f64 / 1024.0);
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("gateway");
    std::fs::create_dir(&data).expect("data dir");
    let shop = Shop::prepare(&data, 1);
    cli(&data, &["provider", "add", DOWN.0, "--guid", DOWN.1], None);
    let log = dir.path().join("partner.jsonl");
    let partner_flags = [
        "--answer",
        "automatic",
        "--log",
        log.to_str().expect("UTF-8"),
    ];
    let partner = PartnerSim::start(dir.path(), &partner_flags);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let gateway = TestGateway::start(&data, &[]);
    let down = PartnerPolicy {
        retry_wait_seconds: 3600,
        ..PartnerPolicy::plain("http://127.0.0.1:9/down")
    };
    runtime.block_on(async {
        for (_, guid) in SHOP_PROVIDERS {
            let policy = PartnerPolicy::plain(&partner.url);
            policy.apply(&gateway, &shop.operator, guid).await;
        }
        down.apply(&gateway, &shop.operator, DOWN.1).await;
    });
    let mut bench = Bench { gateway, shop, log };
    println!(
        "Deliveries to partner-sim --answer automatic (http, 127.0.0.1): {SUBMITTERS} clients \
         submit {ORDERS} prepared two-provider orders per run ({} deliveries), {RUNS} runs \
         after a warm-up. deliv/s: partner receipts while the submits ran (median run); \
         latency: SubmitOrder acknowledged → partner received (pooled); CPU: gateway user+system \
         per delivery, submits included; floor: the same payload posted straight to the \
         partner-sim by {FLOOR_CLIENTS} clients.",
        ORDERS * SHOP_PROVIDERS.len()
    );
    println!("load average before: {}", load_average().trim());
    let none = runtime.block_on(measure(&bench, ORDERS, Offer::ClosedLoop));
    let floor = runtime.block_on(floor(&partner));
    println!("floor: partner-sim takes {floor:.0} requests/s");
    println!(
        "{:<22} {:>8} {:>10} {:>7} {:>7} {:>8} {:>9}",
        "pending elsewhere", "deliv/s", "submits/s", "p50 ms", "p99 ms", "CPU µs", "floor"
    );
    let quiet = report("none", &none, floor);
    print_peak_rss(&bench.gateway);
    let offer = Offer::Paced(PACED_SUBMITS);
    let steady = runtime.block_on(measure(&bench, PACED_ORDERS, offer));
    report(
        &format!("none, {PACED_SUBMITS:.0} submits/s"),
        &steady,
        floor,
    );

    bench.gateway.stop();
    let owner = Guid::random();
    let provider = Guid::parse(DOWN.1).expect("GUID");
    let due = Timestamp::now().plus_seconds(3600);
    let shape = Shape::Submitted {
        provider: &provider,
        due,
    };
    let filled = fill_orders(&data, &owner, BACKLOG, shape);
    bench.gateway = TestGateway::start(&data, &[]);
    let backlog = runtime.block_on(measure(&bench, ORDERS, Offer::ClosedLoop));
    let loaded = report(&format!("{BACKLOG} for a down partner"), &backlog, floor);
    print_peak_rss(&bench.gateway);
    println!(
        "CPU per delivery with the backlog: {:.2}× without (backlog stored in {filled:.1} s)",
        loaded.as_secs_f64() / quiet.as_secs_f64()
    );
    println!("load average after: {}", load_average().trim());
}
