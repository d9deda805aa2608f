//! SOAP load benchmark: `GetProvidersPolicies` against the release-built gateway over TLS, one
//! reqwest client per protocol reusing its connections (HTTP/2 as negotiated by ALPN, and
//! HTTP/1.1 keep-alive), at concurrency 1 and 64. Each row: a warm-up, then several runs of a
//! fixed number of requests; prints requests/s of the median run, p50 and p99 latency pooled
//! over all runs, and the c64/c1 throughput ratio; then the floor server's (see
//! `common::floor`) rows for the same request body in the same run, and the gateway's ratio of
//! them. Figures are printed, never asserted; client and gateway share the machine's cores.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;

use axum::body::Bytes;
use common::floor::Floor;
use common::{
    SoapClient, TestGateway, load, provider_and_operator_token, providers_policies_params,
    set_policies_params, tls_client_builder, token_envelope,
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
    async fn send(self) {
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
    }
}

/// Warms up, measures `RUNS` runs, prints one row; returns the median requests/s.
async fn measure(protocol: &str, request: &Request, concurrency: usize, total: usize) -> f64 {
    let request = request.clone();
    let summary = load::measure(move || request.clone().send(), concurrency, total, RUNS).await;
    println!("{}", summary.row(protocol, concurrency, total));
    summary.median_per_second
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
        "{}",
        load::header("protocol", "requests/run", "req/s (median)")
    );
    let protocols = [
        ("h2", tls_client_builder(dir.path())),
        ("http/1.1", tls_client_builder(dir.path()).http1_only()),
    ];
    let mut ratios = Vec::new();
    let mut http1_medians = Vec::new();
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
        http1_medians = medians;
    }
    println!("throughput ratio c64/c1: {}", ratios.join(", "));
    let floor = Floor::start();
    let body = Bytes::from(token_envelope(
        "GetProvidersPolicies",
        &token,
        &providers_policies_params(&[PROVIDER_GUID]),
    ));
    for (&(concurrency, total), gateway_http1) in LOADS.iter().zip(&http1_medians) {
        let summary = runtime.block_on(floor.measure(vec![body.clone()], concurrency, total, RUNS));
        println!("{}", summary.row("floor", concurrency, total));
        println!(
            "c{concurrency}: gateway http/1.1 (over TLS) {:.3}× the floor (plain HTTP)",
            gateway_http1 / summary.median_per_second
        );
    }
    gateway.stop();
}
