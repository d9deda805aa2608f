//! Order benchmark against the release-built gateway over TLS (HTTP/2, connections reused):
//! round trips of CreateOrder + AddOrderItems (10 items across 2 providers) +
//! SetUserInformationForOrder + SubmitOrder per second at concurrency 1 and 64 (a warm-up,
//! then several runs of a fixed count; the median run's round trips/s, p50 and p99 of the
//! whole round trip pooled over all runs). Then the storage bytes per order: on a fresh data
//! directory 2,000 orders are placed, and the growth of `<data-dir>/echo-gateway.redb` is
//! divided by 2,000 (redb grows its file in preallocated steps, so only a large count
//! means anything and the figure stays coarse), beside the growth of the pages redb allocated
//! and of the bytes it stores, read from the stopped database. Each row is followed by the
//! floor server's (see `common::floor`) for the same four request bodies in the same run, and
//! the gateway's throughput as a ratio of it, and the gateway's CPU (user + system) per round
//! trip over the warm-up and the runs (the delivery attempts included), beside the CPU of this
//! process, the load generator sharing the machine.
//! The delivery worker tries each submitted provider order against the providers' endpoint
//! (127.0.0.1:9, refused) and records the attempt; the figures include that work.
//! Figures are printed, never asserted; client and gateway share the machine's cores.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use common::floor::{Floor, ratio};
use common::orders::{
    Shop, order_guid_param, order_items_param, place_submitted_order, user_information_param,
};
use common::process::cpu_time;
use common::{SoapClient, TestGateway, load, token_envelope};
use echo_gateway::storage::DATABASE_FILE;

const RUNS: usize = 5;
/// (concurrency, round trips per run); the warm-up does a tenth as many.
const LOADS: [(usize, usize); 2] = [(1, 200), (64, 1_000)];
/// Orders placed to measure storage growth, and the concurrency placing them.
const STORAGE_ORDERS: usize = 2_000;
const STORAGE_CONCURRENCY: usize = 64;
const ITEMS_PER_ORDER: usize = 10;

/// One round trip: an order placed, given 10 items and user information, and submitted.
#[derive(Clone)]
struct RoundTrip {
    soap: SoapClient,
    token: Arc<str>,
    items: Arc<str>,
}

impl RoundTrip {
    fn new(gateway: &TestGateway, shop: &Shop) -> RoundTrip {
        RoundTrip {
            soap: gateway.soap_client(),
            token: shop.buyer.as_str().into(),
            items: order_items_param(&shop.mixed_items(ITEMS_PER_ORDER)).into(),
        }
    }

    async fn place(self) {
        place_submitted_order(&self.soap, &self.token, "", Some(&self.items)).await;
    }

    /// The four request bodies of a round trip (with a made-up order GUID), for the floor.
    fn bodies(&self) -> Vec<Bytes> {
        let guid = order_guid_param("C6F8B0E0-0D6C-4B5E-9F3A-2D1E5C7A9B10");
        let user_information = format!("{guid}{}", user_information_param());
        let items = format!("{guid}{}", self.items);
        [
            ("CreateOrder", ""),
            ("AddOrderItems", items.as_str()),
            ("SetUserInformationForOrder", user_information.as_str()),
            ("SubmitOrder", guid.as_str()),
        ]
        .map(|(operation, params)| Bytes::from(token_envelope(operation, &self.token, params)))
        .to_vec()
    }
}

/// The database file's size and redb's own account of it (needs the gateway stopped).
struct StorageFigures {
    file_bytes: u64,
    stored_bytes: u64,
    allocated_bytes: u64,
}

impl StorageFigures {
    fn read(data_dir: &Path) -> StorageFigures {
        let path = data_dir.join(DATABASE_FILE);
        let file_bytes = std::fs::metadata(&path).expect("database file").len();
        let database = redb::Database::open(&path).expect("database opens");
        let transaction = database.begin_write().expect("write transaction");
        let stats = transaction.stats().expect("stats");
        let figures = StorageFigures {
            file_bytes,
            stored_bytes: stats.stored_bytes(),
            allocated_bytes: stats.allocated_pages() * stats.page_size() as u64,
        };
        transaction.abort().expect("abort");
        figures
    }

    fn per_order(&self, before: &StorageFigures, what: impl Fn(&StorageFigures) -> u64) -> f64 {
        (what(self) as f64 - what(before) as f64) / STORAGE_ORDERS as f64
    }
}

/// On a fresh data directory: places [`STORAGE_ORDERS`] orders and prints the growth per
/// order of the file, of the pages redb allocated and of the bytes it stores.
fn storage_per_order(runtime: &tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().expect("temp dir");
    let shop = Shop::prepare(dir.path(), ITEMS_PER_ORDER / 2);
    let mut gateway = TestGateway::start(dir.path(), &[]);
    runtime.block_on(shop.set_policies(&gateway));
    gateway.stop();
    let before = StorageFigures::read(dir.path());
    let mut gateway = TestGateway::start(dir.path(), &[]);
    let trip = RoundTrip::new(&gateway, &shop);
    runtime.block_on(load::run(
        move || trip.clone().place(),
        STORAGE_CONCURRENCY,
        STORAGE_ORDERS,
    ));
    gateway.stop();
    let after = StorageFigures::read(dir.path());
    println!(
        "storage, fresh data dir, {STORAGE_ORDERS} orders of {ITEMS_PER_ORDER} items \
         ({DATABASE_FILE} {} -> {} bytes; redb grows the file in preallocated steps, so the \
         file figure is coarse):",
        before.file_bytes, after.file_bytes
    );
    println!(
        "  file {:.0} bytes/order, allocated pages {:.0} bytes/order, stored {:.0} bytes/order",
        after.per_order(&before, |f| f.file_bytes),
        after.per_order(&before, |f| f.allocated_bytes),
        after.per_order(&before, |f| f.stored_bytes),
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shop = Shop::prepare(dir.path(), ITEMS_PER_ORDER / 2);
    let mut gateway = TestGateway::start(dir.path(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(shop.set_policies(&gateway));
    let trip = RoundTrip::new(&gateway, &shop);
    println!(
        "CreateOrder + AddOrderItems({ITEMS_PER_ORDER}) + SetUserInformationForOrder + \
         SubmitOrder over TLS, {RUNS} runs per row after a warm-up; round trips/s of the median \
         run, latency of the whole round trip pooled over all runs"
    );
    println!(
        "{}",
        load::header("orders", "trips/run", "trips/s (median)")
    );
    let floor = Floor::start();
    let pid = gateway.pid().expect("gateway pid");
    let medians: Vec<f64> = LOADS
        .iter()
        .map(|&(concurrency, total)| {
            let bodies = trip.bodies();
            let trip = trip.clone();
            let before = [pid, std::process::id()].map(cpu_time);
            let summary = runtime.block_on(load::measure(
                move || trip.clone().place(),
                concurrency,
                total,
                RUNS,
            ));
            let [cpu, client] = [pid, std::process::id()].map(cpu_time);
            let [cpu, client] = [cpu - before[0], client - before[1]]
                .map(|used| used.as_secs_f64() * 1e6 / summary.operations as f64);
            let floor_summary = runtime.block_on(floor.measure(bodies, concurrency, total, RUNS));
            println!("{}", summary.row("orders", concurrency, total));
            println!("{}", floor_summary.row("floor", concurrency, total));
            println!(
                "c{concurrency}: gateway {}, gateway CPU {cpu:.0} µs/round trip (the load \
                 generator beside it: {client:.0} µs)",
                ratio(&summary, &floor_summary)
            );
            summary.median_per_second
        })
        .collect();
    println!("throughput ratio c64/c1: {:.2}", medians[1] / medians[0]);
    gateway.stop();
    storage_per_order(&runtime);
}
