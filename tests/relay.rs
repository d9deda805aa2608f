//! The gateway as a relay in front of a partner (`/echo-v9/OrderFulfillmentServicePortImpl`):
//! an inbound SubmitOrder is stored and relayed to the provider's partner-sim, answered with the
//! partner's disposition when it comes in time and POSTPONED otherwise (then still delivered),
//! never queued twice for one idempotency key, and refused without a valid token.

mod common;

use std::time::Duration;

use common::delivery::{PartnerPolicy, list_deliveries, poll};
use common::partner::{PartnerSim, log_lines, sample_request};
use common::{TestGateway, cli, operator_token};
use echo_domain::fulfillment::{Disposition, FulfillmentRequest};
use echo_domain::guid::Guid;
use echo_domain::policy::Transaction;
use echo_gateway::soap::fulfillment::{AnswerError, decode_answer, encode_request};

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const RELAY: &str = "/echo-v9/OrderFulfillmentServicePortImpl";

async fn relay(
    gateway: &TestGateway,
    token: &str,
    request: &FulfillmentRequest,
) -> (u16, Result<Disposition, AnswerError>) {
    let response = gateway
        .client
        .post(format!("{}{RELAY}", gateway.url))
        .header("Content-Type", "text/xml; charset=utf-8")
        .header("Authorization", format!("Bearer {token}"))
        .body(encode_request(request))
        .send()
        .await
        .expect("the gateway answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body");
    (
        status,
        decode_answer(&body).map(|answer| answer.disposition),
    )
}

fn provider() -> Guid {
    Guid::parse(PROVIDER).unwrap()
}

#[tokio::test]
async fn relays_to_the_partner_and_answers_or_postpones() {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let operator = operator_token(dir.path());
    let log = dir.path().join("partner.log");
    let sim = PartnerSim::start(
        dir.path(),
        &[
            "--answer",
            "manual",
            "--latency-ms",
            "1500",
            "--log",
            log.to_str().unwrap(),
        ],
    );
    let gateway = TestGateway::start(dir.path(), &["--relay-wait", "5"]);
    PartnerPolicy::plain(&sim.url)
        .apply(&gateway, &operator, PROVIDER)
        .await;

    let submit = sample_request(Transaction::Submit, &provider());
    let (status, answer) = relay(&gateway, &operator, &submit).await;
    assert_eq!(
        (status, answer.expect("an answer")),
        (200, Disposition::AcceptedManual)
    );

    let (_, again) = relay(&gateway, &operator, &submit).await;
    assert_eq!(
        again.expect("the stored answer"),
        Disposition::AcceptedManual
    );
    let relayed: Vec<_> = list_deliveries(dir.path(), &[]);
    assert_eq!(
        relayed.len(),
        1,
        "the same idempotency key is relayed once: {relayed:?}"
    );

    drop(gateway);
    let gateway = TestGateway::start(dir.path(), &["--relay-wait", "0"]);
    let late = sample_request(Transaction::Submit, &provider());
    let (status, answer) = relay(&gateway, &operator, &late).await;
    assert_eq!(
        (status, answer.expect("an answer")),
        (200, Disposition::Postponed)
    );
    poll(
        "the postponed relay to reach the partner",
        Duration::from_secs(20),
        || {
            let lines = log_lines(&log);
            let key = late.idempotency_key.to_string();
            async move {
                lines
                    .iter()
                    .any(|l| l["idempotency_key"] == key.as_str())
                    .then_some(())
            }
        },
    )
    .await;
}

#[tokio::test]
async fn refuses_callers_without_a_token_or_the_provider() {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    cli(dir.path(), &["provider", "add", "OTHER"], None);
    cli(
        dir.path(),
        &[
            "user",
            "add",
            "other-staff",
            "--role",
            "provider",
            "--provider",
            "OTHER",
        ],
        None,
    );
    let staff = cli(dir.path(), &["token", "issue", "other-staff"], None);
    let gateway = TestGateway::start(dir.path(), &[]);
    let submit = sample_request(Transaction::Submit, &provider());
    for (token, code) in [("", "TokenNotFound"), (staff.as_str(), "PermissionDenied")] {
        let (status, answer) = relay(&gateway, token, &submit).await;
        assert_eq!(status, 500);
        match answer {
            Err(AnswerError::Fault { code: got, .. }) => assert_eq!(got, code),
            other => panic!("expected a {code} fault, got {other:?}"),
        }
    }
    assert!(
        list_deliveries(dir.path(), &[]).is_empty(),
        "nothing was queued"
    );
}
