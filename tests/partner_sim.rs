//! `echo-gateway partner-sim` as a real process on 127.0.0.1: every operation built with
//! `wire::fulfillment::encode_request` is answered with the configured disposition, the first
//! requests can fail (503) or their connections be refused, each request is logged as a JSON
//! line, HTTPS uses the simulator's own certificate, and a manual acceptance is played back
//! through OrderProcessingService.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use echo_domain::fulfillment::Disposition;
use echo_domain::guid::Guid;
use echo_domain::policy::Transaction;
use echo_gateway::soap::fulfillment::{AnswerError, decode_answer, encode_request};

use common::partner::{PartnerSim, client, client_builder, log_lines, sample_request};

const TRANSACTIONS: [Transaction; 3] =
    [Transaction::Quote, Transaction::Submit, Transaction::Cancel];

#[tokio::test]
async fn every_operation_gets_the_configured_disposition() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, configured) in [
        ("automatic", Disposition::AcceptedAutomatic),
        ("manual", Disposition::AcceptedManual),
        ("rejected", Disposition::Rejected),
        ("postponed", Disposition::Postponed),
    ] {
        let sim = PartnerSim::start(dir.path(), &["--answer", flag]);
        for transaction in TRANSACTIONS {
            let answer = sim
                .send(&sample_request(transaction, &Guid::random()))
                .await
                .expect("an answer");
            let expected = match (configured, transaction) {
                (Disposition::AcceptedManual, Transaction::Submit) => configured,
                (Disposition::AcceptedManual, _) => Disposition::AcceptedAutomatic,
                _ => configured,
            };
            assert_eq!(answer.disposition, expected, "{flag} {transaction:?}");
            let accepted = matches!(
                expected,
                Disposition::AcceptedAutomatic | Disposition::AcceptedManual
            );
            let priced = accepted && transaction != Transaction::Cancel;
            let pricing = answer.receipt.and_then(|receipt| receipt.pricing);
            assert_eq!(pricing.map(|p| p.total_price), priced.then_some(10.0));
        }
    }
}

#[tokio::test]
async fn fails_the_first_requests_and_logs_every_request() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("requests.jsonl");
    let log_flag = log.to_str().unwrap();
    let sim = PartnerSim::start(dir.path(), &["--fail-first", "2", "--log", log_flag]);
    let submit = sample_request(Transaction::Submit, &Guid::random());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let (status, _) = sim.post(&client(), encode_request(&submit)).await.unwrap();
        statuses.push(status);
    }
    assert_eq!(statuses, [503, 503, 200]);
    let (status, body) = sim.post(&client(), "<not-soap/>".into()).await.unwrap();
    assert_eq!(status, 500);
    assert!(matches!(
        decode_answer(body.as_bytes()),
        Err(AnswerError::Fault { code, .. }) if code == "InvalidRequest"
    ));
    let lines = log_lines(&log);
    assert_eq!(lines.len(), 4);
    let key = submit.idempotency_key.to_string();
    for (index, line) in lines[..3].iter().enumerate() {
        assert_eq!(line["attempt"], index as u64 + 1);
        assert_eq!(line["status"], statuses[index]);
        assert_eq!(line["operation"], "SubmitOrder");
        assert_eq!(line["idempotency_key"], key.as_str());
        assert_eq!(
            line["order_guid"],
            submit.provider_order.order_guid.as_str()
        );
        assert_eq!(
            line["provider_guid"],
            submit.provider_order.provider_guid.as_str()
        );
    }
    assert_eq!(lines[3]["idempotency_key"], serde_json::Value::Null);
    assert!(lines[3]["error"].is_string());
}

#[tokio::test]
async fn refuses_the_first_connections() {
    let dir = tempfile::tempdir().unwrap();
    let sim = PartnerSim::start(dir.path(), &["--refuse-first", "2", "--latency-ms", "50"]);
    let body = encode_request(&sample_request(Transaction::Submit, &Guid::random()));
    for _ in 0..2 {
        assert!(sim.post(&client(), body.clone()).await.is_err());
    }
    let started = std::time::Instant::now();
    let (status, _) = sim
        .post(&client(), body)
        .await
        .expect("third connection served");
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(50));
}

#[tokio::test]
async fn https_uses_its_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let sim = PartnerSim::start(dir.path(), &["--https"]);
    assert!(sim.url.starts_with("https://127.0.0.1:"));
    let certificate = sim.certificate.clone().expect("certificate path printed");
    assert!(certificate.starts_with(dir.path()));
    let pem = std::fs::read(&certificate).unwrap();
    let pinned = client_builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()])
        .build()
        .unwrap();
    let submit = sample_request(Transaction::Submit, &Guid::random());
    let (status, body) = sim.post(&pinned, encode_request(&submit)).await.unwrap();
    assert_eq!(status, 200);
    let answer = decode_answer(body.as_bytes()).unwrap();
    assert_eq!(answer.disposition, Disposition::AcceptedAutomatic);
    let wsdl = pinned
        .get(format!("{}?wsdl", sim.url))
        .send()
        .await
        .unwrap();
    let wsdl = wsdl.text().await.unwrap();
    let root = sim.url.trim_end_matches("/OrderFulfillment");
    assert!(wsdl.contains(&format!(
        "location=\"{root}/echo-v9/OrderFulfillmentServicePortImpl\""
    )));
    assert!(wsdl.contains(&format!(
        "schemaLocation=\"{root}/echo-wsdl/schemas/echo-v9-fulfillment-types.xsd\""
    )));
    // A restart keeps the certificate a gateway pinned.
    drop(sim);
    let again = PartnerSim::start(dir.path(), &["--https"]);
    let kept = again
        .certificate
        .as_ref()
        .expect("certificate path printed");
    assert_eq!(std::fs::read(kept).unwrap(), pem);
}

/// A stand-in OrderProcessingService recording the operation element of every call.
async fn order_processing_stub() -> (String, Arc<Mutex<Vec<String>>>) {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let recorded = calls.clone();
    let app = axum::Router::new().fallback(move |body: String| {
        let recorded = recorded.clone();
        async move {
            recorded.lock().unwrap().push(body);
            "<ok/>"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/echo-v10/OrderProcessingServicePortImpl",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, calls)
}

#[tokio::test]
async fn manual_orders_are_played_back_through_order_processing() {
    let dir = tempfile::tempdir().unwrap();
    let (url, calls) = order_processing_stub().await;
    let flags = [
        "--answer",
        "manual",
        "--callback-url",
        &url,
        "--callback-token",
        "PROVIDER-TOKEN",
    ];
    let sim = PartnerSim::start(dir.path(), &flags);
    let submit = sample_request(Transaction::Submit, &Guid::random());
    let answer = sim.send(&submit).await.unwrap();
    assert_eq!(answer.disposition, Disposition::AcceptedManual);
    sim.send(&submit).await.unwrap(); // a duplicate is not played twice
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while calls.lock().unwrap().len() < 3 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = calls.lock().unwrap().clone();
    let operations = [
        "SetProviderTrackingId",
        "UpdateProviderOrderStatusMessage",
        "CloseProviderOrder",
    ];
    assert_eq!(calls.len(), 3, "{calls:?}");
    let order_guid = submit.provider_order.order_guid.to_string();
    let tracking_id = answer.provider_tracking_id.unwrap();
    for (call, operation) in calls.iter().zip(operations) {
        assert!(call.contains(&format!("<ns2:{operation} ")), "{call}");
        assert!(
            call.contains("<ns2:token>PROVIDER-TOKEN</ns2:token>"),
            "{call}"
        );
        assert!(
            call.contains(&format!("<ns2:orderGuid>{order_guid}</ns2:orderGuid>")),
            "{call}"
        );
    }
    assert!(calls[0].contains(&format!(
        "<ns2:providerTrackingId>{tracking_id}</ns2:providerTrackingId>"
    )));
    assert!(calls[2].contains(
        "<ns2:catalogItemGuids><ns3:Item>G1000005024-DEV07</ns3:Item></ns2:catalogItemGuids>"
    ));
}
