//! Inbound relay benchmark: the v9 SubmitOrder of 10 items posted over plain HTTP/1.1 to the
//! release-built gateway's `/echo-v9/OrderFulfillmentServicePortImpl`, a fresh idempotency key
//! (and order) per request, `--relay-wait 0` (each answer is POSTPONED right after the durable
//! commit) while the delivery worker forwards every request to a local `partner-sim --answer
//! automatic`. At concurrency 1 and 64: a warm-up, then several runs; requests/s of the median
//! run, p50/p99 pooled over all runs, the gateway's CPU per request (user + system over the
//! runs, delivery included) and, in the same run on the same payload, the floor server's
//! figures (see `common::floor`) and the gateway's throughput as a ratio of it, and where the
//! machine's CPU went per request (gateway, partner-sim, this load generator) beside what half
//! the floor's rate would leave them; then the gateway's peak RSS. Then a second gateway with `--relay-wait 10`, whose callers wait for
//! the partner's answer: per request, the time from the partner's log line (written just
//! before it answers) to the caller receiving the answer, an upper bound of "answered after
//! the answer's commit" (see [`answered`]). Figures are printed, never asserted; clients,
//! floor, gateway and partner share the machine.

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::body::Bytes;
use common::delivery::PartnerPolicy;
use common::floor::{Floor, ratio};
use common::load::{self, Summary, header, millis, percentile};
use common::partner::{PartnerSim, log_lines, sample_request};
use common::process::{cpu_time, peak_rss_kib};
use common::{TestGateway, cli, operator_token};
use echo_domain::guid::Guid;
use echo_domain::policy::Transaction;
use echo_domain::timestamp::Timestamp;
use echo_gateway::soap::fulfillment::encode_request;

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const RELAY: &str = "/echo-v9/OrderFulfillmentServicePortImpl";
const ITEMS: usize = 10;
const RUNS: usize = 3;
/// (concurrency, requests per run); the warm-up sends a tenth as many.
const LOADS: [(usize, usize); 2] = [(1, 1_000), (64, 5_000)];
/// (concurrency, requests) of the answered phase.
const ANSWERED: [(usize, usize); 2] = [(1, 300), (16, 1_600)];

/// A SubmitOrder of [`ITEMS`] items for a new order with a new idempotency key.
fn submit_order() -> Bytes {
    FRESH.request(&Guid::random())
}

/// SubmitOrder's text cut at its per-request GUIDs (the order's, the idempotency key, the
/// items'), so that the load generator fills in fresh ones instead of encoding a request each
/// time: encoding took it about 20 µs of the CPU it shares with the gateway.
struct Fresh {
    /// Text between the GUIDs; one more piece than GUIDs.
    pieces: Vec<String>,
    /// For each cut, which GUID goes there: 0 is the order's, the others are fresh.
    slots: Vec<usize>,
    /// Fresh GUIDs a request takes, and the length of a request.
    fresh: usize,
    length: usize,
}

static FRESH: LazyLock<Fresh> = LazyLock::new(Fresh::new);

impl Fresh {
    fn new() -> Fresh {
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
        let mut guids = vec![
            request.provider_order.order_guid.to_string(),
            request.idempotency_key.to_string(),
        ];
        guids.extend(request.items.iter().map(|i| i.item.guid.to_string()));
        let encoded = encode_request(&request);
        let mut text = encoded.as_str();
        let (mut pieces, mut slots) = (Vec::new(), Vec::new());
        while let Some((at, slot)) = guids
            .iter()
            .enumerate()
            .filter_map(|(slot, guid)| Some((text.find(guid.as_str())?, slot)))
            .min()
        {
            pieces.push(text[..at].to_owned());
            slots.push(slot);
            text = &text[at + guids[slot].len()..];
        }
        pieces.push(text.to_owned());
        let length = encoded.len();
        let fresh = guids.len() - 1;
        Fresh {
            pieces,
            slots,
            fresh,
            length,
        }
    }

    /// A SubmitOrder for order `order` with fresh other GUIDs.
    fn request(&self, order: &Guid) -> Bytes {
        let mut guids = vec![order.to_string()];
        guids.extend((0..self.fresh).map(|_| Guid::random().to_string()));
        let mut text = String::with_capacity(self.length);
        for (piece, slot) in self.pieces.iter().zip(&self.slots) {
            text.push_str(piece);
            text.push_str(&guids[*slot]);
        }
        text.push_str(self.pieces.last().expect("a last piece"));
        Bytes::from(text)
    }
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
        self.post(submit_order()).await;
    }

    /// Posts `body`; returns the answer's text.
    async fn post(&self, body: Bytes) -> String {
        let response = self
            .client
            .post(&*self.url)
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("Authorization", &*self.authorization)
            .body(body)
            .send()
            .await
            .expect("the gateway answers");
        let status = response.status();
        let body = response.text().await.expect("body");
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// A gateway serving the relay with `relay_wait`, its provider's partner a local automatic
/// partner-sim with `partner_flags`, both on `dir`.
fn relay_gateway(
    dir: &Path,
    relay_wait: &str,
    partner_flags: &[&str],
    runtime: &tokio::runtime::Runtime,
) -> (PartnerSim, TestGateway, Relay) {
    cli(dir, &["provider", "add", "DEV07", "--guid", PROVIDER], None);
    let operator = operator_token(dir);
    let flags = [&["--answer", "automatic"], partner_flags].concat();
    let sim = PartnerSim::start(dir, &flags);
    let gateway = TestGateway::start(
        dir,
        &["--relay-wait", relay_wait, "--plain-http", "127.0.0.1:0"],
    );
    runtime.block_on(PartnerPolicy::plain(&sim.url).apply(&gateway, &operator, PROVIDER));
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
    (sim, gateway, relay)
}

/// With `--relay-wait 10` the caller gets the partner's answer. For each request: the caller's
/// receipt of the answer minus the partner's log line of the request (written just before it
/// answers, millisecond resolution, so up to 1 ms too high). That span holds the answer's way
/// back, its parse, its durable commit and the caller's wake-up and answer, so it bounds the
/// time from the answer's commit to the caller being answered from above.
fn answered(runtime: &tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("partner.jsonl");
    let log_flag = log.to_str().expect("UTF-8 path");
    let (_sim, mut gateway, relay) = relay_gateway(dir.path(), "10", &["--log", log_flag], runtime);
    println!(
        "Relay with --relay-wait 10: partner's log line → caller answered (an upper bound of \
         the answer's commit → caller answered)"
    );
    for (concurrency, total) in ANSWERED {
        let received = runtime.block_on(answered_at(&relay, concurrency, total));
        let logged: HashMap<String, Timestamp> = log_lines(&log)
            .iter()
            .filter_map(|line| {
                let order = line["order_guid"].as_str()?.to_owned();
                Some((order, Timestamp::parse(line["time"].as_str()?).ok()?))
            })
            .collect();
        let mut spans: Vec<std::time::Duration> = received
            .iter()
            .map(|(order, at)| {
                let sent = logged[order.as_str()].millis();
                std::time::Duration::from_millis((at.millis() - sent).max(0) as u64)
            })
            .collect();
        spans.sort_unstable();
        println!(
            "c{concurrency}: {total} requests, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
            millis(percentile(&spans, 0.5)),
            millis(percentile(&spans, 0.99)),
            millis(*spans.last().expect("spans")),
        );
    }
    gateway.stop();
}

/// Sends `total` relayed SubmitOrders from `concurrency` workers; returns each order's GUID
/// with when its answer (the partner's, not POSTPONED) was received.
async fn answered_at(relay: &Relay, concurrency: usize, total: usize) -> Vec<(String, Timestamp)> {
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let relay = relay.clone();
            tokio::spawn(async move {
                let mut received = Vec::new();
                for _ in 0..total / concurrency {
                    let order = Guid::random();
                    let answer = relay.post(FRESH.request(&order)).await;
                    let at = Timestamp::now();
                    assert!(
                        !answer.contains("POSTPONED"),
                        "the partner's answer: {answer}"
                    );
                    received.push((order.to_string(), at));
                }
                received
            })
        })
        .collect();
    let mut received = Vec::new();
    for worker in workers {
        received.extend(worker.await.expect("worker"));
    }
    received
}

/// CPU time used so far by the processes that share the machine in a load: the gateway,
/// partner-sim and this process (the load generator, and the floor server while it is measured).
fn cpu_times(gateway: u32, partner: u32) -> [Duration; 3] {
    [gateway, partner, std::process::id()].map(cpu_time)
}

/// Where the machine's CPU goes per request, and what the floor ratio target leaves: at half
/// the floor's rate, the gateway, partner-sim and the load generator together have the
/// machine's cores for `2 / floor rate` each.
fn cpu_budget(used: [Duration; 3], gateway: &Summary, floor_cpu: Duration, floor: &Summary) {
    let [server, partner, client] =
        used.map(|cpu| cpu.as_secs_f64() * 1e6 / gateway.operations as f64);
    let floor_cpu = floor_cpu.as_secs_f64() * 1e6 / floor.operations as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let half_floor = cores as f64 * 1e6 / (floor.median_per_second / 2.0);
    println!(
        "     CPU µs/request: gateway {server:.0}, partner-sim {partner:.0}, load generator \
         {client:.0}, together {:.0} (floor server with its load generator: {floor_cpu:.0}); \
         0.5× the floor leaves the three {half_floor:.0} µs per request on {cores} cores",
        server + partner + client
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (sim, mut gateway, relay) = relay_gateway(dir.path(), "0", &[], &runtime);
    let pid = gateway.pid().expect("gateway pid");
    let floor = Floor::start();
    println!(
        "Relay SubmitOrder ({ITEMS} items, fresh idempotency key, --relay-wait 0) over plain \
         HTTP/1.1, {RUNS} runs per row after a warm-up; req/s of the median run, latency \
         pooled over all runs; floor = axum + quick-xml, no storage, same payload, same run"
    );
    println!("{}", header("server", "requests/run", "req/s (median)"));
    for (concurrency, total) in LOADS {
        let before = cpu_times(pid, sim.pid());
        let relay = relay.clone();
        let summary = runtime.block_on(load::measure(
            move || relay.clone().send(),
            concurrency,
            total,
            RUNS,
        ));
        let after = cpu_times(pid, sim.pid());
        let used = [0, 1, 2].map(|i| after[i] - before[i]);
        let cpu = used[0].as_secs_f64() * 1e6 / summary.operations as f64;
        let floor_before = cpu_time(std::process::id());
        let floor_summary =
            runtime.block_on(floor.measure(vec![submit_order()], concurrency, total, RUNS));
        let floor_cpu = cpu_time(std::process::id()) - floor_before;
        println!("{}", summary.row("gateway", concurrency, total));
        println!("{}", floor_summary.row("floor", concurrency, total));
        println!(
            "c{concurrency}: gateway {}, server CPU {cpu:.0} µs/request",
            ratio(&summary, &floor_summary)
        );
        cpu_budget(used, &summary, floor_cpu, &floor_summary);
    }
    println!("gateway peak RSS {} KiB", peak_rss_kib(pid));
    gateway.stop();
    answered(&runtime);
}
