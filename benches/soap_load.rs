//! SOAP load benchmark: `GetProvidersPolicies` against the release-built gateway over TLS, one
//! reqwest client per protocol reusing its connections (HTTP/2 as negotiated by ALPN, and
//! HTTP/1.1 keep-alive), at concurrency 1 and 64. Each row: a warm-up, then several runs of a
//! fixed number of requests; prints requests/s of the median run, p50 and p99 latency pooled
//! over all runs, and the c64/c1 throughput ratio. Figures are printed, never asserted; client
//! and gateway share the machine's cores.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{
    SoapClient, TestGateway, provider_and_operator_token, providers_policies_params,
    set_policies_params, tls_client_builder,
};

const PROVIDER_GUID: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const RUNS: usize = 5;
/// (concurrency, requests per run); the warm-up sends a tenth as many.
const LOADS: [(usize, usize); 2] = [(1, 2_000), (64, 20_000)];

/// One request: the operation every worker repeats.
#[derive(Clone)]
struct Request {
    soap: SoapClient,
    token: Arc<str>,
    params: Arc<str>,
}

impl Request {
    async fn send(&self) -> Duration {
        let started = Instant::now();
        let (status, body) = self
            .soap
            .try_call(
                "ProviderService",
                "GetProvidersPolicies",
                &self.token,
                &self.params,
            )
            .await
            .expect("request reaches the gateway");
        assert_eq!(status, 200, "{body}");
        started.elapsed()
    }
}

/// The outcome of one run.
struct Run {
    requests_per_second: f64,
    latencies: Vec<Duration>,
}

/// Sends `total` requests from `concurrency` workers; returns throughput and latencies.
async fn run(request: &Request, concurrency: usize, total: usize) -> Run {
    let issued = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let (request, issued) = (request.clone(), issued.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while issued.fetch_add(1, Ordering::Relaxed) < total {
                    latencies.push(request.send().await);
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    Run {
        requests_per_second: total as f64 / started.elapsed().as_secs_f64(),
        latencies,
    }
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).saturating_sub(1);
    sorted[index.min(sorted.len() - 1)]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Warms up, measures `RUNS` runs, prints one row; returns the median requests/s.
async fn measure(protocol: &str, request: &Request, concurrency: usize, total: usize) -> f64 {
    run(request, concurrency, total / 10).await;
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        runs.push(run(request, concurrency, total).await);
    }
    let mut throughputs: Vec<f64> = runs.iter().map(|r| r.requests_per_second).collect();
    throughputs.sort_by(f64::total_cmp);
    let median = throughputs[RUNS / 2];
    let mut pooled: Vec<Duration> = runs.into_iter().flat_map(|r| r.latencies).collect();
    pooled.sort_unstable();
    println!(
        "{protocol:<9} {concurrency:>4} {total:>13} {median:>15.0} {:>9.3} {:>9.3}",
        millis(percentile(&pooled, 0.50)),
        millis(percentile(&pooled, 0.99)),
    );
    median
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = provider_and_operator_token(dir.path(), "DEV07", PROVIDER_GUID);
    let mut gateway = TestGateway::start(dir.path(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (status, body) = runtime.block_on(gateway.call(
        "ProviderService",
        "SetProviderPolicies",
        &token,
        &set_policies_params(PROVIDER_GUID, 60, None),
    ));
    assert_eq!(status, 200, "{body}");
    println!(
        "GetProvidersPolicies over TLS, {RUNS} runs per row after a warm-up; req/s of the \
         median run, latency percentiles pooled over all runs"
    );
    println!(
        "{:<9} {:>4} {:>13} {:>15} {:>9} {:>9}",
        "protocol", "conc", "requests/run", "req/s (median)", "p50 ms", "p99 ms"
    );
    let protocols = [
        ("h2", tls_client_builder(dir.path())),
        ("http/1.1", tls_client_builder(dir.path()).http1_only()),
    ];
    let mut ratios = Vec::new();
    for (protocol, builder) in protocols {
        let request = Request {
            soap: SoapClient {
                client: builder.build().expect("client"),
                url: gateway.url.clone(),
            },
            token: token.as_str().into(),
            params: providers_policies_params(&[PROVIDER_GUID]).into(),
        };
        let medians: Vec<f64> = LOADS
            .iter()
            .map(|&(concurrency, total)| {
                runtime.block_on(measure(protocol, &request, concurrency, total))
            })
            .collect();
        ratios.push(format!("{protocol} {:.2}", medians[1] / medians[0]));
    }
    println!("throughput ratio c64/c1: {}", ratios.join(", "));
    gateway.stop();
}
