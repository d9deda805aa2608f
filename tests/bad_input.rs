//! Bad input, one test per case: each gets a SOAP fault (or HTTP 413 before SOAP parsing), the
//! stored policies are unchanged afterwards, and the gateway keeps serving.

mod common;

use common::{TestGateway, cli, element_text, envelope, operator_token};

const PROVIDER: &str = "07ACF84C-6360-0BC7-92A8-E95A958DDE12";

struct Setup {
    gateway: TestGateway,
    operator: String,
    user: String,
    _dir: tempfile::TempDir,
}

fn policies(endpoint: &str, ssl: &str) -> String {
    format!(
        "<ns2:providerGuid>{PROVIDER}</ns2:providerGuid><ns2:policies>\
         <ns3:EndPoint>{endpoint}</ns3:EndPoint><ns3:RetryAttempts>3</ns3:RetryAttempts>\
         <ns3:RetryWaitTime>60</ns3:RetryWaitTime><ns3:SslPolicy>{ssl}</ns3:SslPolicy>\
         </ns2:policies>"
    )
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "MMT_2", "--guid", PROVIDER],
        None,
    );
    let operator = operator_token(dir.path());
    cli(
        dir.path(),
        &["user", "add", "someone", "--role", "user"],
        None,
    );
    let user = cli(dir.path(), &["token", "issue", "someone"], None);
    let gateway = TestGateway::start(dir.path(), &[]);
    let ssl_off = "<ns3:SslEnabled>false</ns3:SslEnabled>";
    let (status, body) = gateway
        .call(
            "ProviderService",
            "SetProviderPolicies",
            &operator,
            &policies("/path_to.html", ssl_off),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    Setup {
        gateway,
        operator,
        user,
        _dir: dir,
    }
}

impl Setup {
    async fn stored_policies(&self) -> String {
        let params =
            format!("<ns2:providerGuids><ns3:Item>{PROVIDER}</ns3:Item></ns2:providerGuids>");
        let (status, body) = self
            .gateway
            .call(
                "ProviderService",
                "GetProvidersPolicies",
                &self.operator,
                &params,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Sends `body`, expects a fault with `error_code` in a `detail` element, then checks
    /// that nothing changed and the gateway still answers.
    async fn expect_fault(&self, body: Vec<u8>, detail: &str, error_code: &str) {
        let before = self.stored_policies().await;
        let (status, response) = self
            .gateway
            .post("/echo-v10/ProviderServicePortImpl", body)
            .await;
        assert_eq!(status, 500, "{response}");
        assert!(
            response.contains(&format!(":{detail} ")),
            "{detail} expected: {response}"
        );
        assert_eq!(
            element_text(&response, "ErrorCode"),
            Some(error_code),
            "{response}"
        );
        assert_eq!(before, self.stored_policies().await, "state changed");
    }
}

fn set_policies_with(token: &str, endpoint: &str, ssl: &str) -> Vec<u8> {
    envelope(
        "SetProviderPolicies",
        &format!("<ns2:token>{token}</ns2:token>{}", policies(endpoint, ssl)),
    )
    .into_bytes()
}

#[tokio::test]
async fn malformed_xml() {
    let s = setup().await;
    let body = b"<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\"><SOAP-ENV:Body><oops></SOAP-ENV:Body>";
    s.expect_fault(body.to_vec(), "SoapMessageValidationFault", "MalformedXml")
        .await;
}

#[tokio::test]
async fn doctype_with_external_entity() {
    let s = setup().await;
    let body = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>{}",
        envelope("GetProviderNames", "<ns2:token>&x;</ns2:token>")
    );
    s.expect_fault(
        body.into_bytes(),
        "SoapMessageValidationFault",
        "DoctypeNotAllowed",
    )
    .await;
}

#[tokio::test]
async fn billion_laughs() {
    let s = setup().await;
    let mut entities = String::from("<!ENTITY l0 \"lol\">");
    for i in 1..10 {
        let previous = format!("&l{};", i - 1).repeat(10);
        entities.push_str(&format!("<!ENTITY l{i} \"{previous}\">"));
    }
    let body = format!(
        "<!DOCTYPE e [{entities}]>{}",
        envelope("GetProviderNames", "<ns2:token>&l9;</ns2:token>")
    );
    s.expect_fault(
        body.into_bytes(),
        "SoapMessageValidationFault",
        "DoctypeNotAllowed",
    )
    .await;
}

#[tokio::test]
async fn body_over_the_default_limit_is_413() {
    let s = setup().await;
    let before = s.stored_policies().await;
    let padding = " ".repeat(10 * 1024 * 1024 + 1);
    let body = set_policies_with(
        &s.operator,
        &format!("/x{padding}"),
        "<ns3:SslEnabled>false</ns3:SslEnabled>",
    );
    let (status, _) = s
        .gateway
        .post("/echo-v10/ProviderServicePortImpl", body)
        .await;
    assert_eq!(status, 413);
    assert_eq!(before, s.stored_policies().await);
}

#[tokio::test]
async fn nesting_deeper_than_the_limit() {
    let s = setup().await;
    let deep = format!("{}{}", "<ns3:x>".repeat(100), "</ns3:x>".repeat(100));
    let body = envelope(
        "GetProviderNames",
        &format!("<ns2:token>{}</ns2:token>{deep}", s.operator),
    );
    s.expect_fault(
        body.into_bytes(),
        "SoapMessageValidationFault",
        "MessageTooComplex",
    )
    .await;
}

#[tokio::test]
async fn unknown_operation() {
    let s = setup().await;
    let body = envelope(
        "DropAllTables",
        &format!("<ns2:token>{}</ns2:token>", s.operator),
    );
    s.expect_fault(
        body.into_bytes(),
        "SoapMessageValidationFault",
        "UnknownOperation",
    )
    .await;
}

#[tokio::test]
async fn operation_in_the_wrong_namespace() {
    let s = setup().await;
    let body = envelope("SetProviderPolicies", "").replace(
        "xmlns:ns2=\"http://echo.nasa.gov/echo/v10\"",
        "xmlns:ns2=\"http://echo.nasa.gov/echo/v9\"",
    );
    s.expect_fault(
        body.into_bytes(),
        "SoapMessageValidationFault",
        "UnknownOperation",
    )
    .await;
}

#[tokio::test]
async fn missing_token() {
    let s = setup().await;
    let body = envelope(
        "SetProviderPolicies",
        &policies("/p", "<ns3:SslEnabled>false</ns3:SslEnabled>"),
    );
    s.expect_fault(
        body.into_bytes(),
        "SoapMessageValidationFault",
        "MissingElement",
    )
    .await;
}

#[tokio::test]
async fn wrong_role() {
    let s = setup().await;
    let body = set_policies_with(&s.user, "/p", "<ns3:SslEnabled>false</ns3:SslEnabled>");
    s.expect_fault(body, "AuthorizationFault", "PermissionDenied")
        .await;
}

#[tokio::test]
async fn unparseable_pem() {
    let s = setup().await;
    let ssl = "<ns3:SslEnabled>true</ns3:SslEnabled><ns3:SslCertificate>-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----</ns3:SslCertificate>";
    let body = set_policies_with(&s.operator, "https://partner.example/of", ssl);
    s.expect_fault(body, "InvalidArgumentFault", "InvalidSslCertificate")
        .await;
}

#[tokio::test]
async fn non_https_endpoint_with_ssl_enabled() {
    let s = setup().await;
    let pem = rcgen::generate_simple_self_signed(vec!["localhost".into()])
        .expect("cert")
        .cert
        .pem();
    let ssl = format!(
        "<ns3:SslEnabled>true</ns3:SslEnabled><ns3:SslCertificate>{pem}</ns3:SslCertificate>"
    );
    let body = set_policies_with(&s.operator, "http://partner.example/of", &ssl);
    s.expect_fault(body, "InvalidArgumentFault", "InvalidEndPoint")
        .await;
}

#[tokio::test]
async fn unknown_endpoint_path_is_404_and_not_soap_is_a_fault() {
    let s = setup().await;
    let (status, _) = s
        .gateway
        .post("/echo-v10/NoSuchServicePortImpl", b"<x/>".to_vec())
        .await;
    assert_eq!(status, 404);
    s.expect_fault(
        b"<x/>".to_vec(),
        "SoapMessageValidationFault",
        "NotASoapMessage",
    )
    .await;
    s.expect_fault(
        vec![0xff, 0xfe, 0x00],
        "SoapMessageValidationFault",
        "MalformedXml",
    )
    .await;
}
