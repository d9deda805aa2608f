//! Partner endpoints the gateway refuses to reach, or whose answers it refuses, with real
//! `echo-gateway serve` processes, partner-sims and tiny raw HTTP servers on 127.0.0.1: each
//! case is a failed delivery attempt whose recorded error says why (link-local and metadata
//! addresses, loopback when configured forbidden, a name resolving to a forbidden address, a
//! redirect, an answer over the size bound, an answer slower than the delivery timeout), and
//! TestEndpointConnection refuses forbidden addresses the same way.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use common::delivery::{PartnerPolicy, attempts, delivery_of, poll};
use common::orders::{SHOP_PROVIDERS, Shop, order_items_param, place_submitted_order};
use common::partner::{PartnerSim, log_lines};
use common::{TestGateway, assert_fault};

const LOOPBACK_FORBIDDEN: [&str; 2] = ["--forbidden-endpoint-ranges", "127.0.0.0/8,::1"];

struct Fixture {
    gateway: TestGateway,
    shop: Shop,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn start(flags: &[&str]) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("gateway");
        let shop = Shop::prepare(&data, 1);
        let gateway = TestGateway::start(&data, flags);
        Fixture { gateway, shop, dir }
    }

    /// Points SHOP1 at `endpoint` with a single try, submits an order to it, waits for the
    /// delivery to fail and returns the attempt's recorded error.
    async fn failed_attempt(&self, endpoint: &str) -> String {
        let policy = PartnerPolicy {
            retry_attempts: 1,
            ..PartnerPolicy::plain(endpoint)
        };
        let provider = SHOP_PROVIDERS[0].1;
        policy
            .apply(&self.gateway, &self.shop.operator, provider)
            .await;
        let soap = self.gateway.soap_client();
        let items = order_items_param(&[self.shop.catalog[0][0].as_str()]);
        let order = place_submitted_order(&soap, &self.shop.buyer, &items, None).await;
        let data = self.gateway.data_dir.clone();
        let delivery = poll("a failed delivery", Duration::from_secs(60), || async {
            let delivery = delivery_of(&data, &order);
            (delivery["status"]["state"] == "failed").then_some(delivery)
        })
        .await;
        let tries = attempts(&delivery);
        assert_eq!(tries.len(), 1, "{delivery}");
        tries[0]["error"]
            .as_str()
            .unwrap_or_else(|| panic!("an error is recorded: {delivery}"))
            .to_owned()
    }

    fn partner(&self) -> (PartnerSim, std::path::PathBuf) {
        let log = self.dir.path().join("partner.jsonl");
        let home = self.dir.path().join("partner");
        std::fs::create_dir_all(&home).expect("partner dir");
        let log_flag = log.to_str().expect("UTF-8").to_owned();
        let sim = PartnerSim::start(&home, &["--answer", "automatic", "--log", &log_flag]);
        (sim, log)
    }
}

fn assert_mentions(error: &str, parts: &[&str]) {
    for part in parts {
        assert!(error.contains(part), "[{part}] in [{error}]");
    }
}

/// A raw HTTP server answering every request (after reading it whole) with `head` and then
/// `body_bytes` spaces; serves a few connections.
fn raw_partner(head: String, body_bytes: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
    let url = format!("http://{}/fulfil", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4).flatten() {
            let mut reader = BufReader::new(stream);
            let mut length = 0;
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let mut stream = reader.into_inner();
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&vec![b' '; body_bytes]);
        }
    });
    url
}

#[tokio::test]
async fn a_link_local_endpoint_is_refused() {
    let fixture = Fixture::start(&[]);
    let error = fixture
        .failed_attempt("http://169.254.10.20:8080/fulfil")
        .await;
    assert_mentions(&error, &["169.254.10.20", "forbidden range 169.254.0.0/16"]);
}

#[tokio::test]
async fn the_cloud_metadata_address_is_refused() {
    let fixture = Fixture::start(&[]);
    let error = fixture
        .failed_attempt("http://169.254.169.254/latest")
        .await;
    assert_mentions(&error, &["forbidden range 169.254.169.254/32"]);
}

#[tokio::test]
async fn loopback_is_refused_when_configured_forbidden() {
    let fixture = Fixture::start(&LOOPBACK_FORBIDDEN);
    let (partner, log) = fixture.partner();
    let error = fixture.failed_attempt(&partner.url).await;
    assert_mentions(&error, &["127.0.0.1", "forbidden range 127.0.0.0/8"]);
    assert!(log_lines(&log).is_empty(), "the partner was never reached");
}

#[tokio::test]
async fn a_name_resolving_to_a_forbidden_address_is_refused() {
    let fixture = Fixture::start(&LOOPBACK_FORBIDDEN);
    let (partner, log) = fixture.partner();
    let by_name = partner.url.replace("127.0.0.1", "localhost");
    let error = fixture.failed_attempt(&by_name).await;
    assert_mentions(&error, &["localhost resolves only to forbidden addresses"]);
    assert!(log_lines(&log).is_empty(), "the partner was never reached");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let fixture = Fixture::start(&[]);
    let (partner, log) = fixture.partner();
    let head = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {}\r\nContent-Length: 0\r\n\r\n",
        partner.url
    );
    let error = fixture.failed_attempt(&raw_partner(head, 0)).await;
    assert_mentions(&error, &["redirect", "not followed"]);
    assert!(
        log_lines(&log).is_empty(),
        "the redirect target was never reached"
    );
}

#[tokio::test]
async fn an_answer_over_the_size_bound_is_a_failed_attempt() {
    let fixture = Fixture::start(&[]);
    let size = 5 << 20;
    let head =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {size}\r\n\r\n");
    let error = fixture.failed_attempt(&raw_partner(head, size)).await;
    assert_mentions(&error, &["larger than 4194304 bytes"]);
}

#[tokio::test]
async fn an_answer_slower_than_the_delivery_timeout_is_a_failed_attempt() {
    let fixture = Fixture::start(&["--delivery-timeout", "1"]);
    let home = fixture.dir.path().join("slow");
    std::fs::create_dir_all(&home).expect("dir");
    let slow = PartnerSim::start(&home, &["--answer", "automatic", "--latency-ms", "5000"]);
    let error = fixture.failed_attempt(&slow.url).await;
    assert!(error.to_lowercase().contains("timed out"), "{error}");
}

#[tokio::test]
async fn test_endpoint_connection_refuses_a_forbidden_address() {
    let fixture = Fixture::start(&[]);
    let provider = SHOP_PROVIDERS[0].1;
    PartnerPolicy::plain("http://169.254.169.254/")
        .apply(&fixture.gateway, &fixture.shop.operator, provider)
        .await;
    let params = format!("<ns2:providerGuid>{provider}</ns2:providerGuid>");
    let (status, body) = fixture
        .gateway
        .call(
            "ProviderService",
            "TestEndpointConnection",
            &fixture.shop.operator,
            &params,
        )
        .await;
    assert_fault(status, &body, "EndpointConnectionFailed");
    assert!(
        body.contains("forbidden range 169.254.169.254/32"),
        "{body}"
    );
}
