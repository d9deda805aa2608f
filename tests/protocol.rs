//! Protocol behaviour of the running gateway beyond single operations: SOAP 1.2, the plain
//! HTTP listener, WSDL serving, health and metrics, and configuration from a TOML file.

mod common;

use common::{TestGateway, cli, envelope, operator_token};

#[tokio::test]
async fn soap12_requests_are_answered_in_soap12() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = operator_token(dir.path());
    let gateway = TestGateway::start(dir.path(), &[]);
    let request = envelope(
        "GetProviderNames",
        &format!("<ns2:token>{token}</ns2:token><ns2:guids xsi:nil=\"true\"/>"),
    )
    .replace(
        "http://schemas.xmlsoap.org/soap/envelope/",
        "http://www.w3.org/2003/05/soap-envelope",
    );
    let response = gateway
        .client
        .post(format!("{}/echo-v10/ProviderServicePortImpl", gateway.url))
        .header("Content-Type", "application/soap+xml; charset=utf-8")
        .body(request.clone())
        .send()
        .await
        .expect("response");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/soap+xml"),
        "{content_type}"
    );
    let body = response.text().await.unwrap();
    assert!(
        body.contains("xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\""),
        "{body}"
    );
    assert!(body.contains("GetProviderNamesResponse"), "{body}");

    let fault = gateway
        .post(
            "/echo-v10/ProviderServicePortImpl",
            request.replace(&token, "nope").into_bytes(),
        )
        .await;
    assert_eq!(
        fault.0, 400,
        "SOAP 1.2 sender faults are HTTP 400: {}",
        fault.1
    );
    assert!(
        fault
            .1
            .contains("<SOAP-ENV:Value>SOAP-ENV:Sender</SOAP-ENV:Value>"),
        "{}",
        fault.1
    );
}

#[tokio::test]
async fn plain_listener_healthz_metrics_and_wsdl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let token = operator_token(dir.path());
    let config = dir.path().join("gateway.toml");
    std::fs::write(
        &config,
        "plain_http = \"127.0.0.1:0\"\nlog_format = \"json\"\n",
    )
    .unwrap();
    let gateway = TestGateway::start(dir.path(), &["--config", config.to_str().unwrap()]);
    let plain = gateway
        .plain_url
        .clone()
        .expect("the TOML file enabled the plain listener");
    let http = reqwest::Client::builder().no_proxy().build().unwrap();

    let health = http.get(format!("{plain}/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let (status, body) = gateway
        .call(
            "ProviderService",
            "GetProviderNames",
            &token,
            "<ns2:guids xsi:nil=\"true\"/>",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let metrics = http
        .get(format!("{plain}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(
            "echo_gateway_requests_total{operation=\"GetProviderNames\",outcome=\"ok\"} 1"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains(
            "echo_gateway_request_duration_seconds_bucket{operation=\"GetProviderNames\""
        )
    );

    let wsdl = http
        .get(format!("{plain}/echo-v10/ProviderServicePortImpl?wsdl"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        wsdl.contains(&format!(
            "location=\"{plain}/echo-v10/ProviderServicePortImpl\""
        )),
        "{wsdl}"
    );
    assert!(wsdl.contains(&format!(
        "schemaLocation=\"{plain}/echo-wsdl/schemas/echo-v10-types.xsd\""
    )));
    let schema = http
        .get(format!("{plain}/echo-wsdl/schemas/echo-v10-types.xsd"))
        .send()
        .await
        .unwrap();
    assert_eq!(schema.status(), 200);
}

#[test]
fn cli_rejects_bad_accounts_with_a_message() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = |args: &[&str]| {
        std::process::Command::new(common::BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .expect("CLI runs")
    };
    let missing_provider = run(&["user", "add", "staff", "--role", "provider"]);
    assert!(!missing_provider.status.success());
    assert!(String::from_utf8_lossy(&missing_provider.stderr).contains("--provider"));
    let bad_guid = run(&["provider", "add", "P1", "--guid", "not-a-guid"]);
    assert!(!bad_guid.status.success());
    cli(dir.path(), &["provider", "add", "P1"], None);
    let duplicate = run(&["provider", "add", "P1"]);
    assert!(String::from_utf8_lossy(&duplicate.stderr).contains("already exists"));
}
