//! Test harness shared by the integration tests: runs the real `echo-gateway` binary on
//! 127.0.0.1 with a temporary data directory, its CLI, and a TLS client that trusts the
//! certificate the gateway generated.
#![allow(dead_code)]

pub mod delivery;
pub mod fill;
pub mod floor;
pub mod load;
pub mod orders;
pub mod partner;
pub mod process;
pub mod recorded_order;
pub mod replay;
pub mod rest;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use echo_gateway::xml::{Element, XmlLimits, parse_document};

pub const BIN: &str = env!("CARGO_BIN_EXE_echo-gateway");
pub const ECHO_NS: &str = "http://echo.nasa.gov/echo/v10";
pub const TYPES_NS: &str = "http://echo.nasa.gov/echo/v10/types";

/// The gateway binary to serve with: this build's, or `ECHO_GATEWAY_BIN` (so a bench can
/// measure another build, e.g. a baseline, with the same client).
fn gateway_binary() -> PathBuf {
    std::env::var_os("ECHO_GATEWAY_BIN").map_or_else(|| PathBuf::from(BIN), PathBuf::from)
}

/// A running gateway process.
pub struct TestGateway {
    child: Option<Child>,
    pub data_dir: PathBuf,
    pub url: String,
    /// The plain HTTP listener's URL, when one was configured.
    pub plain_url: Option<String>,
    pub client: reqwest::Client,
    /// From starting the process to its `echo-gateway ready` line.
    pub ready_after: Duration,
}

impl TestGateway {
    /// Starts the gateway on a free port with `data_dir` and extra `serve` flags.
    pub fn start(data_dir: &Path, extra: &[&str]) -> TestGateway {
        let started = Instant::now();
        let mut child = Command::new(gateway_binary())
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .env("ECHO_GATEWAY_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("gateway starts");
        let urls = read_listen_urls(&mut child);
        let ready_after = started.elapsed();
        let find = |scheme: &str| urls.iter().find(|u| u.starts_with(scheme)).cloned();
        TestGateway {
            ready_after,
            child: Some(child),
            data_dir: data_dir.to_path_buf(),
            client: tls_client(data_dir),
            url: find("https://").expect("an https listener"),
            plain_url: find("http://"),
        }
    }

    /// Posts a SOAP envelope to `/echo-v10/<service>PortImpl`; returns status and body.
    pub async fn soap(&self, service: &str, envelope: &str) -> (u16, String) {
        self.post(&service_path(service), envelope.as_bytes().to_vec())
            .await
    }

    pub async fn post(&self, path: &str, body: Vec<u8>) -> (u16, String) {
        self.soap_client()
            .try_post(path, body)
            .await
            .expect("request reaches the gateway")
    }

    /// Calls `service.operation` with `token` and the given parameter XML (ECHO namespace
    /// prefix `ns2`, types `ns3`).
    pub async fn call(
        &self,
        service: &str,
        operation: &str,
        token: &str,
        params: &str,
    ) -> (u16, String) {
        self.soap(service, &token_envelope(operation, token, params))
            .await
    }

    /// A cloneable handle on this gateway's HTTPS endpoint, for tasks.
    pub fn soap_client(&self) -> SoapClient {
        SoapClient {
            client: self.client.clone(),
            url: self.url.clone(),
        }
    }

    /// Stops the process with SIGKILL: no chance to flush or clean up.
    pub fn kill_hard(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the process with SIGTERM and waits for a clean exit.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), "TERM");
            let status = child.wait().expect("gateway exits");
            assert!(status.success(), "gateway exited with {status}");
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }
}

impl Drop for TestGateway {
    fn drop(&mut self) {
        self.kill_hard();
    }
}

/// Waits `delay`, then until `acknowledged` reaches `wanted` (for at most `deadline` more),
/// then SIGKILLs the gateway: a crash while a storm's requests are in flight.
pub async fn kill_mid_storm(
    gateway: &mut TestGateway,
    delay: Duration,
    acknowledged: &AtomicUsize,
    wanted: usize,
    deadline: Duration,
) {
    tokio::time::sleep(delay).await;
    let give_up = Instant::now() + deadline;
    while acknowledged.load(Ordering::SeqCst) < wanted && Instant::now() < give_up {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    gateway.kill_hard();
}

/// A gateway's HTTPS endpoint and a client for it: cheap to clone into tasks, and it reports
/// transport failures (a killed gateway) instead of panicking.
#[derive(Clone)]
pub struct SoapClient {
    pub client: reqwest::Client,
    pub url: String,
}

impl SoapClient {
    /// Posts `body` to `path`; returns status and body, or the transport error.
    pub async fn try_post(&self, path: &str, body: Vec<u8>) -> reqwest::Result<(u16, String)> {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .header("Content-Type", "text/xml; charset=utf-8")
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }

    /// Like [`TestGateway::call`], with transport errors returned.
    pub async fn try_call(
        &self,
        service: &str,
        operation: &str,
        token: &str,
        params: &str,
    ) -> reqwest::Result<(u16, String)> {
        let body = token_envelope(operation, token, params).into_bytes();
        self.try_post(&service_path(service), body).await
    }
}

/// The SOAP endpoint path of `service` (e.g. `ProviderService`).
pub fn service_path(service: &str) -> String {
    format!("/echo-v10/{service}PortImpl")
}

/// An envelope for `operation` whose parameters are `token` then `params`.
pub fn token_envelope(operation: &str, token: &str, params: &str) -> String {
    envelope(
        operation,
        &format!("<ns2:token>{token}</ns2:token>{params}"),
    )
}

/// Wraps an operation's inner XML in a SOAP 1.1 envelope as the recorded clients send it.
pub fn envelope(operation: &str, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><SOAP-ENV:Envelope \
         xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><SOAP-ENV:Header/><SOAP-ENV:Body>\
         <ns2:{operation} xmlns:ns2=\"{ECHO_NS}\" xmlns:ns3=\"{TYPES_NS}\">{inner}</ns2:{operation}>\
         </SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )
}

/// Runs a CLI command against `data_dir`, feeding `stdin`; returns trimmed stdout.
pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> String {
    let output = try_cli(data_dir, args, stdin);
    assert!(
        output.status.success(),
        "echo-gateway {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// Runs a CLI command against `data_dir`, feeding `stdin`; returns its output, failed or not.
pub fn try_cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("CLI starts");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("stdin written");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("CLI finishes")
}

/// Creates an operator account and returns a token for it.
pub fn operator_token(data_dir: &Path) -> String {
    cli(
        data_dir,
        &[
            "user",
            "add",
            "ops",
            "--role",
            "operator",
            "--password-stdin",
        ],
        Some("pw\n"),
    );
    cli(data_dir, &["token", "issue", "ops"], None)
}

/// Creates staff account `name` of provider `provider_id` and returns a token for it.
pub fn provider_staff_token(data_dir: &Path, name: &str, provider_id: &str) -> String {
    let add = [
        "user",
        "add",
        name,
        "--role",
        "provider",
        "--provider",
        provider_id,
    ];
    cli(data_dir, &add, None);
    cli(data_dir, &["token", "issue", name], None)
}

/// Parameters of SetProviderPolicies for `provider_guid`: every policy field, with the
/// recorded values of `provider_service/order_policies/create/01` (SSL off, endpoint
/// `/path_to.html`) and `retry_wait_time`. With a `certificate`, SSL is on with an https
/// endpoint and that PEM.
pub fn set_policies_params(
    provider_guid: &str,
    retry_wait_time: u64,
    certificate: Option<&str>,
) -> String {
    let (endpoint, ssl_enabled, pem) = match certificate {
        Some(pem) => ("https://partner.example.org/fulfil", true, pem),
        None => ("/path_to.html", false, ""),
    };
    format!(
        "<ns2:providerGuid>{provider_guid}</ns2:providerGuid><ns2:policies>\
         <ns3:EndPoint>{endpoint}</ns3:EndPoint><ns3:RetryAttempts>3</ns3:RetryAttempts>\
         <ns3:RetryWaitTime>{retry_wait_time}</ns3:RetryWaitTime>\
         <ns3:Routing>ORDER_FULFILLMENT_V9</ns3:Routing><ns3:SslPolicy>\
         <ns3:SslEnabled>{ssl_enabled}</ns3:SslEnabled><ns3:SslCertificate>{pem}</ns3:SslCertificate>\
         </ns3:SslPolicy><ns3:OrderSupportsDuplicateCatalogItems>true</ns3:OrderSupportsDuplicateCatalogItems>\
         <ns3:CollectionsSupportingDuplicateOrderItems><ns3:Item>C1200189943-MMT_2</ns3:Item>\
         </ns3:CollectionsSupportingDuplicateOrderItems><ns3:SupportedTransactions>\
         <ns3:Item>SUBMIT</ns3:Item><ns3:Item>CANCEL</ns3:Item></ns3:SupportedTransactions>\
         <ns3:MaxItemsPerOrder>25</ns3:MaxItemsPerOrder>\
         <ns3:Properties>&lt;test&gt;user provided xml&lt;/test&gt;</ns3:Properties>\
         <ns3:OrderingSuspendedUntilDate>2031-01-01T00:00:00.000Z</ns3:OrderingSuspendedUntilDate>\
         <ns3:overrideNotificationEnabled>false</ns3:overrideNotificationEnabled></ns2:policies>"
    )
}

/// Parameters of GetProvidersPolicies for these providers.
pub fn providers_policies_params(provider_guids: &[&str]) -> String {
    let items: String = provider_guids
        .iter()
        .map(|guid| format!("<ns3:Item>{guid}</ns3:Item>"))
        .collect();
    format!("<ns2:providerGuids>{items}</ns2:providerGuids>")
}

/// Adds provider `id` with `guid`, then an operator account; returns the operator's token.
pub fn provider_and_operator_token(data_dir: &Path, id: &str, guid: &str) -> String {
    cli(data_dir, &["provider", "add", id, "--guid", guid], None);
    operator_token(data_dir)
}

/// Text of the first element with this local name (any namespace), if any.
pub fn element_text<'a>(xml: &'a str, local: &str) -> Option<&'a str> {
    let open = xml.find(&format!(":{local}>"))?;
    let start = open + local.len() + 2;
    let end = xml[start..].find("</")? + start;
    Some(&xml[start..end])
}

/// Texts of every element with this local name (any namespace), in document order.
pub fn element_texts(xml: &str, local: &str) -> Vec<String> {
    let document = parse(xml);
    let mut found = Vec::new();
    descendants(&document, local, &mut found);
    found.into_iter().map(|e| e.text.clone()).collect()
}

/// Parses XML the way the gateway does; panics unless it is well-formed.
pub fn parse(xml: &str) -> Element {
    parse_document(xml, XmlLimits::default()).expect("well-formed XML")
}

/// Collects the descendants of `element` with this local name, in document order.
pub fn descendants<'a>(element: &'a Element, local: &'a str, out: &mut Vec<&'a Element>) {
    for child in &element.children {
        if child.name.local == local {
            out.push(child);
        }
        descendants(child, local, out);
    }
}

/// The recorded ECHO v10 traffic: `$ECHO_REFERENCE_DIR/echo-v10-traffic`, by default
/// `../shared/reference/echo-v10-traffic` beside the checkout.
pub fn traffic_dir() -> PathBuf {
    let base = std::env::var_os("ECHO_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference"));
    base.join("echo-v10-traffic")
}

pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn tls_client(data_dir: &Path) -> reqwest::Client {
    tls_client_builder(data_dir).build().expect("client")
}

/// A client builder that trusts only the certificate the gateway generated in `data_dir`
/// (HTTP/2 or HTTP/1.1 by ALPN, connections reused).
pub fn tls_client_builder(data_dir: &Path) -> reqwest::ClientBuilder {
    install_crypto_provider();
    let pem = std::fs::read(data_dir.join("tls/cert.pem")).expect("generated certificate");
    let certificate = reqwest::Certificate::from_pem(&pem).expect("PEM certificate");
    reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([certificate])
        .timeout(Duration::from_secs(60))
}

/// The URLs the gateway announces on stdout, one line per listener, until it is ready (the
/// admin socket line comes last).
fn read_listen_urls(child: &mut Child) -> Vec<String> {
    let stdout = child.stdout.take().expect("stdout");
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = sender.send(line);
        }
    });
    let mut urls = Vec::new();
    loop {
        let line = receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("gateway announces its listeners");
        match line.strip_prefix("echo-gateway listening on ") {
            Some(url) => urls.push(url.to_owned()),
            None if line.starts_with("echo-gateway ready") => return urls,
            None => {}
        }
    }
}

fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

/// A random generator seeded from environment variable `var` when set, otherwise afresh; the
/// seed is printed so a failing run can be repeated.
pub fn seeded_rng(var: &str) -> rand::rngs::StdRng {
    use rand::SeedableRng;
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("pseudo-random choices: {var}={seed}");
    rand::rngs::StdRng::seed_from_u64(seed)
}

/// Escapes text for an XML element (forms, selections and metadata travel escaped).
pub fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Asserts that a SOAP answer is a fault (HTTP 500) with this ErrorCode.
pub fn assert_fault(status: u16, body: &str, code: &str) {
    assert_eq!(
        (status, element_text(body, "ErrorCode")),
        (500, Some(code)),
        "{body}"
    );
}
