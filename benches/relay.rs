//! Inbound relay benchmark: the v9 SubmitOrder of 10 items posted over plain HTTP/1.1 to the
//! release-built gateway's `/echo-v9/OrderFulfillmentServicePortImpl`, a fresh idempotency key
//! (and order) per request, `--relay-wait 0` (each answer is POSTPONED right after the durable
//! commit) while the delivery worker forwards every request to a local `partner-sim --answer
//! automatic`. At concurrency 1 and 64: a warm-up, then several runs; requests/s of the median
//! run, p50/p99 pooled over all runs, the gateway's CPU per request (user + system over the
//! runs, delivery included) and, in the same run on the same payload, the floor server's
//! figures (see `common::floor`) and the gateway's throughput as a ratio of it; then the
//! gateway's peak RSS. Figures are printed, never asserted; clients, floor, gateway and partner
//! share the machine.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::body::Bytes;
use common::delivery::PartnerPolicy;
use common::floor::{Floor, ratio};
use common::load::{self, header};
use common::partner::{PartnerSim, sample_request};
use common::process::{cpu_time, peak_rss_kib};
use common::{TestGateway, cli, operator_token};
use echo_domain::guid::Guid;
use echo_domain::policy::Transaction;
use echo_gateway::soap::fulfillment::encode_request;

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const RELAY: &str = "/echo-v9/OrderFulfillmentServicePortImpl";
const ITEMS: usize = 10;
const RUNS: usize = 3;
/// (concurrency, requests per run); the warm-up sends a tenth as many.
const LOADS: [(usize, usize); 2] = [(1, 1_000), (64, 5_000)];

/// A SubmitOrder of [`ITEMS`] items for a new order with a new idempotency key.
fn submit_order() -> Bytes {
    let provider = Guid::parse(PROVIDER).expect("provider GUID");
    let mut request = sample_request(Transaction::Submit, &provider);
    let first = request.items[0].clone();
    request.items = (0..ITEMS)
        .map(|_| {
            let mut item = first.clone();
            item.item.guid = Guid::random();
            item
        })
        .collect();
    Bytes::from(encode_request(&request))
}

/// Posts fresh SubmitOrders to the relay.
#[derive(Clone)]
struct Relay {
    client: reqwest::Client,
    url: Arc<str>,
    authorization: Arc<str>,
}

impl Relay {
    async fn send(self) {
        let response = self
            .client
            .post(&*self.url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("Authorization", &*self.authorization)
            .body(submit_order())
            .send()
            .await
            .expect("the gateway answers");
        let status = response.status();
        let body = response.bytes().await.expect("body");
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let operator = operator_token(dir.path());
    let sim = PartnerSim::start(dir.path(), &["--answer", "automatic"]);
    let mut gateway = TestGateway::start(
        dir.path(),
        &["--relay-wait", "0", "--plain-http", "127.0.0.1:0"],
    );
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(PartnerPolicy::plain(&sim.url).apply(&gateway, &operator, PROVIDER));
    let pid = gateway.pid().expect("gateway pid");
    let floor = Floor::start();
    let relay = Relay {
        client: reqwest::Client::builder()
            .http1_only()
            .build()
            .expect("client"),
        url: format!(
            "{}{RELAY}",
            gateway.plain_url.as_ref().expect("plain listener")
        )
        .into(),
        authorization: format!("Bearer {operator}").into(),
    };
    println!(
        "Relay SubmitOrder ({ITEMS} items, fresh idempotency key, --relay-wait 0) over plain \
         HTTP/1.1, {RUNS} runs per row after a warm-up; req/s of the median run, latency \
         pooled over all runs; floor = axum + quick-xml, no storage, same payload, same run"
    );
    println!("{}", header("server", "requests/run", "req/s (median)"));
    for (concurrency, total) in LOADS {
        let before = cpu_time(pid);
        let relay = relay.clone();
        let summary = runtime.block_on(load::measure(
            move || relay.clone().send(),
            concurrency,
            total,
            RUNS,
        ));
        let requests = total / 10 + total * RUNS;
        let cpu = (cpu_time(pid) - before).as_secs_f64() * 1e6 / requests as f64;
        let floor_summary =
            runtime.block_on(floor.measure(vec![submit_order()], concurrency, total, RUNS));
        println!("{}", summary.row("gateway", concurrency, total));
        println!("{}", floor_summary.row("floor", concurrency, total));
        println!(
            "c{concurrency}: gateway {}, server CPU {cpu:.0} µs/request",
            ratio(&summary, &floor_summary)
        );
    }
    println!("gateway peak RSS {} KiB", peak_rss_kib(pid));
    gateway.stop();
}
