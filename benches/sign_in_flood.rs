//! Sign-in flood benchmark against the release-built gateway over TLS: the p99 latency of an
//! unrelated operation (`GetProviderNames`, one client) without and with 32 concurrent
//! clients posting `Login` with wrong passwords. Two gateways: with the default throttle,
//! and with the throttle opened wide (no delays, no locks) so that only the bounded
//! verification pool stands between the flood and order work. Several runs each; prints the
//! median p99 of each condition and their ratio, never asserted.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{TestGateway, envelope, load, provider_and_operator_token};

const PROVIDER_GUID: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const RUNS: usize = 5;
/// `GetProviderNames` calls per measurement.
const CALLS: usize = 400;
const FLOOD_CLIENTS: usize = 32;
/// A bound on each flood client's attempts, whatever happens to the stop flag.
const FLOOD_ATTEMPTS_MAX: u64 = 1_000_000;

/// p99 of `CALLS` sequential `GetProviderNames` calls.
async fn p99(gateway: &TestGateway, token: &str) -> Duration {
    let mut latencies = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let begun = Instant::now();
        let (status, body) = gateway
            .call(
                "ProviderService",
                "GetProviderNames",
                token,
                "<ns2:guids xsi:nil=\"true\"/>",
            )
            .await;
        assert_eq!(status, 200, "{body}");
        latencies.push(begun.elapsed());
    }
    latencies.sort_unstable();
    load::percentile(&latencies, 0.99)
}

/// Starts the wrong-password clients; each signs in as its own account name.
fn flood(
    gateway: &TestGateway,
    stop: &Arc<AtomicBool>,
    attempts: &Arc<AtomicU64>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..FLOOD_CLIENTS)
        .map(|client| {
            let soap = gateway.soap_client();
            let (stop, attempts) = (stop.clone(), attempts.clone());
            let params = format!(
                "<ns2:username>flood-{client}</ns2:username><ns2:password>guess</ns2:password>"
            );
            tokio::spawn(async move {
                let body = envelope("Login", &params);
                for _ in 0..FLOOD_ATTEMPTS_MAX {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let path = common::service_path("AuthenticationService");
                    let _ = soap.try_post(&path, body.clone().into_bytes()).await;
                    attempts.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect()
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

async fn scenario(label: &str, gateway: &TestGateway, token: &str) {
    let (mut quiet, mut flooded) = (Vec::new(), Vec::new());
    let mut rates = Vec::new();
    p99(gateway, token).await;
    for _ in 0..RUNS {
        quiet.push(p99(gateway, token).await);
        let stop = Arc::new(AtomicBool::new(false));
        let attempts = Arc::new(AtomicU64::new(0));
        let clients = flood(gateway, &stop, &attempts);
        let begun = Instant::now();
        flooded.push(p99(gateway, token).await);
        rates.push(attempts.load(Ordering::Relaxed) as f64 / begun.elapsed().as_secs_f64());
        stop.store(true, Ordering::Relaxed);
        for client in clients {
            let _ = client.await;
        }
    }
    rates.sort_by(f64::total_cmp);
    let (quiet, flooded) = (median(quiet), median(flooded));
    println!(
        "{label:<22} {:>12.2} {:>12.2} {:>7.2} {:>14.0}",
        load::millis(quiet),
        load::millis(flooded),
        flooded.as_secs_f64() / quiet.as_secs_f64(),
        rates[rates.len() / 2],
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = provider_and_operator_token(dir.path(), "DEV07", PROVIDER_GUID);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    println!(
        "GetProviderNames p99 (ms) over TLS, one client, {CALLS} calls a run, median of {RUNS} \
         runs, without and with {FLOOD_CLIENTS} wrong-password Login clients"
    );
    println!(
        "{:<22} {:>12} {:>12} {:>7} {:>14}",
        "gateway", "p99 quiet", "p99 flood", "ratio", "logins/s"
    );
    let wide_open = [
        "--sign-in-lock-after",
        "1000000000",
        "--sign-in-address-lock-after",
        "1000000000",
        "--sign-in-delay-seconds",
        "0",
    ];
    let setups: [(&str, &[&str]); 2] = [
        ("default throttle", &[]),
        ("pool only (no locks)", &wide_open),
    ];
    for (label, flags) in setups {
        let mut gateway = TestGateway::start(dir.path(), flags);
        runtime.block_on(scenario(label, &gateway, &token));
        gateway.stop();
    }
}
