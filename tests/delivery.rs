//! Delivery to data partners end to end, with real `echo-gateway serve` and `partner-sim`
//! processes on 127.0.0.1: an order across an AUTOMATIC partner over https with a pinned,
//! approved certificate and a MANUAL partner over http that tracks, reports and closes through
//! OrderProcessingService; a partner refusing connections (retried RetryAttempts times spaced
//! by RetryWaitTime, `*_FAILED` after the last try, `deliveries retry`); a partner too slow to
//! answer (RetryWaitTime counts from the end of the timed-out try); and certificates that
//! must not be used (a different approved one, a pending one).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::delivery::{
    PartnerPolicy, ProviderOrderView, approve_certificate, attempts, delivery_id, delivery_of,
    list_deliveries, poll, retry_delivery, show_delivery, wait_for_state,
};
use common::orders::{SHOP_PROVIDERS, Shop, order_items_param, place_submitted_order};
use common::partner::{PartnerSim, log_lines};
use common::{TestGateway, provider_staff_token, service_path};
use serde_json::Value;

/// How long a provider order may take to reach the state a test waits for.
const SETTLE: Duration = Duration::from_secs(30);
const SHOP1: usize = 0;
const SHOP2: usize = 1;

/// A gateway with the shop's providers, catalog and buyer, and a scratch directory for
/// partner-sims.
struct Fixture {
    gateway: TestGateway,
    shop: Shop,
    dir: tempfile::TempDir,
}

impl Fixture {
    fn start() -> Fixture {
        Self::start_with(&[])
    }

    /// With extra `serve` flags.
    fn start_with(flags: &[&str]) -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("gateway");
        std::fs::create_dir(&data).expect("data dir");
        let shop = Shop::prepare(&data, 2);
        let gateway = TestGateway::start(&data, flags);
        Fixture { gateway, shop, dir }
    }

    fn data(&self) -> &Path {
        &self.gateway.data_dir
    }

    /// A partner-sim with its own directory `name` and request log `<name>.jsonl`.
    fn partner(&self, name: &str, flags: &[&str]) -> (PartnerSim, PathBuf) {
        let home = self.dir.path().join(name);
        std::fs::create_dir_all(&home).expect("partner dir");
        let log = self.dir.path().join(format!("{name}.jsonl"));
        let log_flag = ["--log", log.to_str().expect("UTF-8 path")];
        let flags: Vec<&str> = flags.iter().copied().chain(log_flag).collect();
        (PartnerSim::start(&home, &flags), log)
    }

    async fn set_policy(&self, provider: usize, policy: PartnerPolicy<'_>) {
        let guid = SHOP_PROVIDERS[provider].1;
        policy.apply(&self.gateway, &self.shop.operator, guid).await;
    }

    /// Places and submits an order of these catalog items; returns its GUID.
    async fn order(&self, items: &[&str]) -> String {
        let soap = self.gateway.soap_client();
        let items = order_items_param(items);
        place_submitted_order(&soap, &self.shop.buyer, &items, None).await
    }

    /// Submits an order of the first catalog item of `provider`; returns its GUID.
    async fn order_from(&self, provider: usize) -> String {
        self.order(&[self.shop.catalog[provider][0].as_str()]).await
    }

    /// Points SHOP1 at a partner refusing its first 3 connections, with `retry_attempts`
    /// tries a second apart, and submits an order to it; returns the partner and the order.
    async fn order_to_refusing_partner(&self, retry_attempts: u32) -> (PartnerSim, String) {
        let (partner, _) = self.partner("refusing", &["--refuse-first", "3"]);
        let policy = PartnerPolicy {
            retry_attempts,
            ..PartnerPolicy::plain(&partner.url)
        };
        self.set_policy(SHOP1, policy).await;
        let order = self.order_from(SHOP1).await;
        (partner, order)
    }

    async fn wait_for(&self, order: &str, state: &str) -> Vec<ProviderOrderView> {
        let soap = self.gateway.soap_client();
        wait_for_state(&soap, &self.shop.buyer, order, state, SETTLE).await
    }

    /// Waits until the delivery of `order` is in `state` (pending, failed, done).
    async fn delivery_in(&self, order: &str, state: &str) -> Value {
        poll(&format!("delivery of {order} {state}"), SETTLE, || async {
            let delivery = delivery_of(self.data(), order);
            (delivery["status"]["state"] == state).then_some(delivery)
        })
        .await
    }
}

/// The lines every submitted order starts with.
const SUBMITTED: [&str; 3] = [
    "ECHO: Transitioning from state [null] to state [NOT_VALIDATED]",
    "ECHO: Transitioning from state [NOT_VALIDATED] to state [VALIDATED]",
    "ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]",
];

fn submitted_then(lines: &[&str]) -> Vec<String> {
    SUBMITTED
        .iter()
        .chain(lines)
        .map(|l| l.to_string())
        .collect()
}

fn view_of(views: &[ProviderOrderView], provider: usize) -> &ProviderOrderView {
    let guid = SHOP_PROVIDERS[provider].1;
    views
        .iter()
        .find(|v| v.provider_guid == guid)
        .unwrap_or_else(|| panic!("no provider order of {guid}: {views:?}"))
}

/// The attempts' errors, `None` for answered tries.
fn attempt_errors(delivery: &Value) -> Vec<Option<String>> {
    attempts(delivery)
        .iter()
        .map(|a| a["error"].as_str().map(str::to_owned))
        .collect()
}

/// Milliseconds between consecutive attempts.
fn attempt_gaps(delivery: &Value) -> Vec<i64> {
    let times: Vec<i64> = attempts(delivery)
        .iter()
        .map(|a| a["at"].as_i64().expect("attempt time"))
        .collect();
    times.windows(2).map(|w| w[1] - w[0]).collect()
}

#[tokio::test]
async fn an_order_across_an_automatic_https_partner_and_a_manual_http_partner_closes() {
    let f = Fixture::start();
    let (automatic, automatic_log) = f.partner("automatic", &["--https", "--answer", "automatic"]);
    let pem = automatic.certificate_pem();
    let https = PartnerPolicy {
        certificate: Some(&pem),
        ..PartnerPolicy::plain(&automatic.url)
    };
    f.set_policy(SHOP1, https).await;
    approve_certificate(f.data(), SHOP_PROVIDERS[SHOP1].0);

    let staff = provider_staff_token(f.data(), "shop2-staff", SHOP_PROVIDERS[SHOP2].0);
    let callback = format!(
        "{}{}",
        f.gateway.url,
        service_path("OrderProcessingService")
    );
    let gateway_cert = f.data().join("tls/cert.pem");
    let manual_flags = [
        "--answer",
        "manual",
        "--callback-url",
        &callback,
        "--callback-token",
        &staff,
        "--callback-cert",
        gateway_cert.to_str().expect("UTF-8 path"),
    ];
    let (manual, _) = f.partner("manual", &manual_flags);
    f.set_policy(SHOP2, PartnerPolicy::plain(&manual.url)).await;

    let order = f.order(&f.shop.mixed_items(2)).await;
    let views = f.wait_for(&order, "CLOSED").await;

    let a = view_of(&views, SHOP1);
    assert_eq!(
        a.status_lines,
        submitted_then(&[
            "partner-sim fulfilled the order",
            "ECHO: Transitioning from state [SUBMITTING] to state [CLOSED]",
        ])
    );
    let b = view_of(&views, SHOP2);
    let tracking = format!("SIM-{}", order.split('-').next().unwrap());
    assert_eq!(b.tracking_id, tracking);
    assert_eq!(
        b.status_lines,
        submitted_then(&[
            "partner-sim accepted the order and reports through OrderProcessingService",
            "ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]",
            "partner-sim is processing the order",
            "partner-sim delivered the order",
            "ECHO: Transitioning from state [PROCESSING] to state [CLOSED]",
        ])
    );
    let done = list_deliveries(f.data(), &["--state", "done"]);
    let done_here = done
        .iter()
        .filter(|d| d["entry"]["provider_order"]["order_guid"] == order.as_str());
    assert_eq!(done_here.count(), 2, "{done:?}");
    let https_requests = log_lines(&automatic_log);
    assert_eq!(https_requests.len(), 1, "{https_requests:?}");
    assert_eq!(https_requests[0]["status"], 200);
}

#[tokio::test]
async fn a_partner_refusing_connections_gets_the_order_on_the_fourth_attempt() {
    let f = Fixture::start();
    let (_partner, order) = f.order_to_refusing_partner(5).await;
    f.wait_for(&order, "CLOSED").await;
    let delivery = show_delivery(f.data(), delivery_id(&delivery_of(f.data(), &order)));
    let errors = attempt_errors(&delivery);
    assert_eq!(errors.len(), 4, "{delivery:#}");
    assert!(errors[..3].iter().all(Option::is_some), "{delivery:#}");
    assert_eq!(errors[3], None, "{delivery:#}");
    assert_eq!(attempts(&delivery)[3]["http_status"], 200);
    let gaps = attempt_gaps(&delivery);
    assert!(gaps.iter().all(|&gap| gap >= 1000), "gaps {gaps:?} ms");
}

#[tokio::test]
async fn the_retry_wait_counts_from_the_end_of_a_try_that_timed_out() {
    let f = Fixture::start_with(&["--delivery-timeout", "2"]);
    let (partner, _) = f.partner("slow", &["--latency-ms", "5000"]);
    let policy = PartnerPolicy {
        retry_attempts: 2,
        retry_wait_seconds: 2,
        ..PartnerPolicy::plain(&partner.url)
    };
    f.set_policy(SHOP1, policy).await;
    let order = f.order_from(SHOP1).await;
    let failed = f.delivery_in(&order, "failed").await;
    let errors = attempt_errors(&failed);
    assert_eq!(errors.len(), 2, "{failed:#}");
    assert!(errors.iter().all(Option::is_some), "{failed:#}");
    // Counted from the start of the first try, the second would come 2 s after it.
    let gaps = attempt_gaps(&failed);
    assert!(gaps[0] >= 4000, "2 s timeout + 2 s wait, got {gaps:?} ms");
}

#[tokio::test]
async fn after_the_last_try_the_order_fails_and_an_operator_retry_delivers_it() {
    let f = Fixture::start();
    let (_partner, order) = f.order_to_refusing_partner(2).await;
    let failed = f.wait_for(&order, "SUBMIT_FAILED").await;
    let lines = &view_of(&failed, SHOP1).status_lines;
    let reason = lines
        .iter()
        .find(|l| l.starts_with("ECHO: SUBMIT delivery failed after 2 attempts: "))
        .unwrap_or_else(|| panic!("no failure reason in {lines:?}"));
    let failed_delivery = f.delivery_in(&order, "failed").await;
    let last_error = attempt_errors(&failed_delivery)[1]
        .clone()
        .expect("an error");
    assert!(reason.ends_with(&last_error), "{reason} / {last_error}");

    retry_delivery(f.data(), delivery_id(&failed_delivery));
    let closed = f.wait_for(&order, "CLOSED").await;
    let lines = &view_of(&closed, SHOP1).status_lines;
    assert!(
        lines
            .iter()
            .any(|l| l == "ECHO: an operator retried the delivery"),
        "{lines:?}"
    );
    assert_eq!(
        lines.last().unwrap(),
        "ECHO: Transitioning from state [SUBMITTING] to state [CLOSED]"
    );
    let delivered = f.delivery_in(&order, "done").await;
    let errors = attempt_errors(&delivered);
    assert_eq!(
        errors.len(),
        4,
        "two failed rounds' tries, then the answer: {delivered:#}"
    );
    assert_eq!(errors.iter().filter(|e| e.is_none()).count(), 1);
}

#[tokio::test]
async fn a_partner_with_another_certificate_than_the_approved_one_gets_nothing() {
    let f = Fixture::start();
    let (partner, log) = f.partner("https", &["--https"]);
    let other = std::fs::read_to_string(f.data().join("tls/cert.pem")).expect("gateway cert");
    let wrong = PartnerPolicy {
        retry_attempts: 2,
        certificate: Some(&other),
        ..PartnerPolicy::plain(&partner.url)
    };
    f.set_policy(SHOP1, wrong).await;
    approve_certificate(f.data(), SHOP_PROVIDERS[SHOP1].0);
    let order = f.order_from(SHOP1).await;
    let failed = f.delivery_in(&order, "failed").await;
    for error in attempt_errors(&failed) {
        let error = error.expect("a failed try");
        assert!(
            error.contains("certificate other than the approved pinned one"),
            "{error}"
        );
    }
    assert!(log_lines(&log).is_empty(), "the partner got a request");

    // Its real certificate, set but pending, changes nothing until approved.
    let pem = partner.certificate_pem();
    let real = PartnerPolicy {
        certificate: Some(&pem),
        ..wrong
    };
    f.set_policy(SHOP1, real).await;
    retry_delivery(f.data(), delivery_id(&failed));
    let failed_again = f.delivery_in(&order, "failed").await;
    assert_eq!(attempts(&failed_again).len(), 4);
    assert!(log_lines(&log).is_empty(), "a pending certificate was used");

    approve_certificate(f.data(), SHOP_PROVIDERS[SHOP1].0);
    retry_delivery(f.data(), delivery_id(&failed));
    f.wait_for(&order, "CLOSED").await;
    assert_eq!(log_lines(&log).len(), 1);
}

#[tokio::test]
async fn a_pending_certificate_is_not_used_until_approved() {
    let f = Fixture::start();
    let (partner, log) = f.partner("https", &["--https"]);
    let pem = partner.certificate_pem();
    let pending = PartnerPolicy {
        retry_attempts: 2,
        certificate: Some(&pem),
        ..PartnerPolicy::plain(&partner.url)
    };
    f.set_policy(SHOP2, pending).await;
    let order = f.order_from(SHOP2).await;
    let failed = f.delivery_in(&order, "failed").await;
    for error in attempt_errors(&failed) {
        let error = error.expect("a failed try");
        assert!(error.contains("no approved certificate"), "{error}");
    }
    assert!(log_lines(&log).is_empty(), "the partner got a request");

    approve_certificate(f.data(), SHOP_PROVIDERS[SHOP2].0);
    retry_delivery(f.data(), delivery_id(&failed));
    let closed = f.wait_for(&order, "CLOSED").await;
    assert_eq!(view_of(&closed, SHOP2).state, "CLOSED");
    let requests = log_lines(&log);
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0]["status"], 200);
}
