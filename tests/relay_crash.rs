//! Crash safety of the relay's idempotency keys with real processes. The keys of recent relays
//! live in memory until they are merged to disk (see `storage/relay_keys.rs`), so this kills
//! the gateway where that matters: 32 clients relay SubmitOrders with fresh keys to a
//! `partner-sim --answer automatic` while the gateway is SIGKILLed mid-storm (three times, at
//! pseudo-random moments, seed printed; `RELAY_CRASH_SEED=<n>` repeats a run), by the last kill
//! with enough keys relayed that they are being merged. After each
//! restart every request acknowledged so far is sent again with its key: each must be answered
//! and none queued again. Once nothing is pending, every acknowledged key has exactly one
//! delivery, done, and no key has two.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use common::delivery::{PartnerPolicy, list_deliveries, poll};
use common::partner::{PartnerSim, sample_request};
use common::{TestGateway, cli, kill_mid_storm, operator_token, seeded_rng};
use echo_domain::guid::Guid;
use echo_domain::policy::Transaction;
use echo_gateway::soap::fulfillment::encode_request;
use rand::RngExt;

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const RELAY: &str = "/echo-v9/OrderFulfillmentServicePortImpl";
const CLIENTS: usize = 32;
const KILLS: usize = 3;
/// Acknowledgements each storm waits for before its kill, at least: by the last kill more keys
/// than a merge takes (4,096) have been relayed, so it may land amid a merge's steps.
const PER_STORM: usize = 1_500;
/// Kill this long after a storm starts, at the earliest.
const KILL_AFTER_MS: std::ops::Range<u64> = 50..500;
const STORM_DEADLINE: Duration = Duration::from_secs(30);
const DRAIN_DEADLINE: Duration = Duration::from_secs(90);

/// The relayed requests answered 200, by idempotency key, with the body to send again.
#[derive(Default)]
struct Ledger {
    acknowledged: Mutex<BTreeMap<String, Bytes>>,
    count: AtomicUsize,
}

/// Posts `body` as `token`; the status, or `None` when the gateway went away.
async fn post(client: &reqwest::Client, url: &str, token: &str, body: Bytes) -> Option<u16> {
    let response = client
        .post(url)
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("Authorization", format!("Bearer {token}"))
        .body(body)
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    response.bytes().await.ok()?;
    Some(status)
}

/// Relays fresh SubmitOrders until the gateway goes away.
async fn client(gateway: (reqwest::Client, String), token: Arc<str>, ledger: Arc<Ledger>) {
    let provider = Guid::parse(PROVIDER).expect("provider GUID");
    loop {
        let request = sample_request(Transaction::Submit, &provider);
        let body = Bytes::from(encode_request(&request));
        match post(&gateway.0, &gateway.1, &token, body.clone()).await {
            Some(200) => {
                let key = request.idempotency_key.to_string();
                ledger.acknowledged.lock().unwrap().insert(key, body);
                ledger.count.fetch_add(1, Ordering::SeqCst);
            }
            Some(status) => panic!("relay answered HTTP {status}"),
            None => return,
        }
    }
}

fn relay_url(gateway: &TestGateway) -> (reqwest::Client, String) {
    (gateway.client.clone(), format!("{}{RELAY}", gateway.url))
}

/// Sends every acknowledged request again, from [`CLIENTS`] clients: each must be answered,
/// and (checked at the end) none queued again.
async fn repeat_acknowledged(gateway: &TestGateway, token: &Arc<str>, ledger: &Ledger) {
    let bodies: Vec<Bytes> = ledger
        .acknowledged
        .lock()
        .unwrap()
        .values()
        .cloned()
        .collect();
    let share = bodies.len().div_ceil(CLIENTS).max(1);
    let clients: Vec<_> = bodies
        .chunks(share)
        .map(|chunk| {
            let ((client, url), token, chunk) = (relay_url(gateway), token.clone(), chunk.to_vec());
            tokio::spawn(async move {
                for body in chunk {
                    let status = post(&client, &url, &token, body).await;
                    assert_eq!(status, Some(200), "a repeated relay is answered");
                }
            })
        })
        .collect();
    for client in clients {
        client.await.expect("repeating client");
    }
}

#[tokio::test]
async fn acknowledged_relays_are_queued_once_across_kills() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    cli(
        data,
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let token: Arc<str> = operator_token(data).into();
    let sim = PartnerSim::start(data, &["--answer", "automatic"]);
    let flags = ["--relay-wait", "0"];
    let mut gateway = TestGateway::start(data, &flags);
    PartnerPolicy::plain(&sim.url)
        .apply(&gateway, &token, PROVIDER)
        .await;
    let ledger = Arc::new(Ledger::default());
    let mut rng = seeded_rng("RELAY_CRASH_SEED");
    for kill in 1..=KILLS {
        let clients: Vec<_> = (0..CLIENTS)
            .map(|_| tokio::spawn(client(relay_url(&gateway), token.clone(), ledger.clone())))
            .collect();
        let delay = Duration::from_millis(rng.random_range(KILL_AFTER_MS));
        let wanted = kill * PER_STORM;
        kill_mid_storm(&mut gateway, delay, &ledger.count, wanted, STORM_DEADLINE).await;
        for client in clients {
            client.await.expect("client task");
        }
        eprintln!(
            "kill {kill}: {} relays acknowledged",
            ledger.count.load(Ordering::SeqCst)
        );
        gateway = TestGateway::start(data, &flags);
        repeat_acknowledged(&gateway, &token, &ledger).await;
    }

    poll("no delivery pending", DRAIN_DEADLINE, || {
        let pending = list_deliveries(data, &["--state", "pending"]);
        async move { pending.is_empty().then_some(()) }
    })
    .await;
    let mut deliveries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for delivery in list_deliveries(data, &[]) {
        let key = delivery["entry"]["idempotency_key"].as_str().expect("key");
        let state = delivery["status"]["state"].as_str().expect("state");
        deliveries
            .entry(key.to_owned())
            .or_default()
            .push(state.to_owned());
    }
    let acknowledged = ledger.acknowledged.lock().unwrap();
    for key in acknowledged.keys() {
        assert_eq!(
            deliveries.get(key).map(Vec::as_slice),
            Some(["done".to_owned()].as_slice()),
            "relay {key}: one delivery, done"
        );
    }
    let twice: Vec<_> = deliveries.iter().filter(|(_, d)| d.len() > 1).collect();
    assert!(twice.is_empty(), "keys queued twice: {twice:?}");
    drop(gateway);
}
