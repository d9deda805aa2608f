//! Connections within bounds, with a real `echo-gateway serve` and raw sockets on 127.0.0.1:
//! slow senders are cut off after the read timeout, clients beyond the connection limit wait,
//! the configured body limit holds for SOAP bodies larger than the web framework's own
//! default (at the limit: served; one byte over: 413), idle connections are closed, and on
//! SIGTERM idle HTTP/2 clients and slow senders do not hold the process while an in-flight
//! request still gets its answer.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{TestGateway, envelope, provider_and_operator_token, service_path};

const PROVIDER: (&str, &str) = ("CONN1", "1282C3FE-6892-81C3-A86B-594FDCC13AF3");
/// How long a stopping gateway may take when nothing is really in progress.
const PROMPT_EXIT: Duration = Duration::from_secs(10);

fn start(extra: &[&str]) -> (tempfile::TempDir, TestGateway) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut flags = vec!["--plain-http", "127.0.0.1:0"];
    flags.extend_from_slice(extra);
    let gateway = TestGateway::start(dir.path(), &flags);
    (dir, gateway)
}

/// A raw TCP connection to the gateway's plain HTTP listener.
fn connect(gateway: &TestGateway) -> TcpStream {
    let url = gateway.plain_url.as_deref().expect("a plain listener");
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let stream = TcpStream::connect(address).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    stream
}

/// SIGTERMs the gateway; returns how long it took to exit, panicking beyond `limit`.
fn stop_within(mut gateway: TestGateway, limit: Duration) -> Duration {
    let started = Instant::now();
    let (done, exited) = mpsc::channel();
    std::thread::spawn(move || {
        gateway.stop();
        let _ = done.send(());
    });
    exited
        .recv_timeout(limit)
        .unwrap_or_else(|_| panic!("the gateway did not exit within {limit:?} of SIGTERM"));
    started.elapsed()
}

/// A SOAP request of exactly `size` bytes (trailing whitespace after the envelope).
fn request_of(size: usize) -> Vec<u8> {
    let mut body = envelope("GetProviderNames", "<ns2:token>t</ns2:token>").into_bytes();
    assert!(body.len() <= size);
    body.resize(size, b' ');
    body
}

#[tokio::test]
async fn a_body_at_the_limit_is_served_and_one_byte_more_is_413() {
    // Larger than axum's own 2 MB default, which used to cap every body whatever the flag.
    let limit = 3_000_000;
    let (_dir, gateway) = start(&["--max-body-bytes", &limit.to_string()]);
    let path = service_path("ProviderService");
    let (status, body) = gateway.post(&path, request_of(limit)).await;
    assert_eq!(status, 500, "answered by SOAP, not refused: {body}");
    assert!(body.contains("TokenNotFound"), "{body}");
    let (status, body) = gateway.post(&path, request_of(limit + 1)).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("--max-body-bytes"), "{body}");
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout() {
    let (_dir, gateway) = start(&["--idle-timeout", "1"]);
    let mut idle = connect(&gateway);
    let started = Instant::now();
    let mut buffer = [0u8; 64];
    let read = idle.read(&mut buffer);
    assert!(
        matches!(read, Ok(0)) || read.is_err(),
        "the server closes the connection"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// Everything the server sends until it closes the connection (or 30 s pass).
fn read_to_close(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn slow_senders_are_cut_off_after_the_read_timeout() {
    let (_dir, gateway) = start(&["--read-timeout", "1"]);
    let mut partial_body = connect(&gateway);
    partial_body
        .write_all(
            b"POST /echo-v10/ProviderServicePortImpl HTTP/1.1\r\nHost: x\r\n\
              Content-Length: 1000\r\n\r\n<SOAP-ENV:Envelope",
        )
        .expect("sent");
    let answer = read_to_close(&mut partial_body);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let mut partial_headers = connect(&gateway);
    partial_headers
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .expect("sent");
    let started = Instant::now();
    read_to_close(&mut partial_headers);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "closed by the server"
    );
}

#[test]
fn beyond_the_connection_limit_a_client_waits_for_a_free_slot() {
    let (_dir, gateway) = start(&["--max-connections", "1"]);
    let holder = connect(&gateway);
    let mut waiting = connect(&gateway);
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("sent");
    waiting
        .set_read_timeout(Some(Duration::from_secs(1)))
        .expect("read timeout");
    let mut byte = [0u8; 1];
    let early = waiting.read(&mut byte);
    assert!(
        early.is_err(),
        "not served while the only slot is taken: {early:?}"
    );
    drop(holder);
    waiting
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("read timeout");
    let answer = read_to_close(&mut waiting);
    assert!(
        answer.contains("200 OK") && answer.ends_with("ok\n"),
        "{answer}"
    );
}

#[test]
fn sigterm_with_an_idle_http2_client_that_never_reads_exits_promptly() {
    let (_dir, gateway) = start(&[]);
    let mut client = connect(&gateway);
    // The HTTP/2 connection preface and an empty SETTINGS frame; then nothing is ever read,
    // so the server's GOAWAY handshake can never complete.
    client
        .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        .expect("preface sent");
    std::thread::sleep(Duration::from_millis(300));
    stop_within(gateway, PROMPT_EXIT);
    drop(client);
}

#[test]
fn sigterm_with_slow_senders_exits_promptly() {
    let (_dir, gateway) = start(&[]);
    let mut partial_headers = connect(&gateway);
    partial_headers
        .write_all(b"POST /echo-v10/ProviderServicePortImpl HTTP/1.1\r\nHost: x\r\n")
        .expect("sent");
    let mut partial_body = connect(&gateway);
    partial_body
        .write_all(
            b"POST /echo-v10/ProviderServicePortImpl HTTP/1.1\r\nHost: x\r\n\
              Content-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<SOAP-ENV:Envelope",
        )
        .expect("sent");
    std::thread::sleep(Duration::from_millis(300));
    stop_within(gateway, PROMPT_EXIT);
}

/// A provider endpoint that accepts connections and answers nothing for `hold`.
fn silent_endpoint(hold: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    let url = format!("http://{}/fulfil", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            std::thread::sleep(hold);
            drop(stream);
        }
    });
    url
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish() {
    let (dir, gateway) = start(&[]);
    let operator = provider_and_operator_token(dir.path(), PROVIDER.0, PROVIDER.1);
    let endpoint = silent_endpoint(Duration::from_secs(3));
    let policy = common::delivery::PartnerPolicy::plain(&endpoint);
    policy.apply(&gateway, &operator, PROVIDER.1).await;
    let soap = gateway.soap_client();
    let params = format!("<ns2:providerGuid>{}</ns2:providerGuid>", PROVIDER.1);
    let in_flight = tokio::spawn(async move {
        soap.try_call(
            "ProviderService",
            "TestEndpointConnection",
            &operator,
            &params,
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(
        !in_flight.is_finished(),
        "the endpoint test is still waiting"
    );
    let stopped =
        tokio::task::spawn_blocking(move || stop_within(gateway, Duration::from_secs(30)));
    let (status, body) = in_flight
        .await
        .expect("task")
        .expect("the in-flight request is answered");
    common::assert_fault(status, &body, "EndpointConnectionFailed");
    stopped.await.expect("stopped");
}
