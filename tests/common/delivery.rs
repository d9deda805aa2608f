//! Delivery to partner-sims, shared by the delivery tests and the delivery benchmark:
//! SetProviderPolicies parameters pointing a provider at a partner endpoint, the operator CLI
//! `deliveries list/show/retry` parsed as JSON, the provider orders GetOrders reports (state,
//! tracking id, StatusMessage lines), and bounded polling.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::orders::{guid_list_param, oms_ok, set_provider_policies};
use super::{SoapClient, TYPES_NS, TestGateway, cli, descendants, parse};
use echo_gateway::xml::Element;

/// How a provider reaches its partner.
#[derive(Debug, Clone, Copy)]
pub struct PartnerPolicy<'a> {
    pub endpoint: &'a str,
    pub retry_attempts: u32,
    pub retry_wait_seconds: u32,
    /// With a certificate (PEM), SSL is on and that certificate is set (pending approval).
    pub certificate: Option<&'a str>,
}

impl<'a> PartnerPolicy<'a> {
    /// Three tries a second apart, SSL off.
    pub fn plain(endpoint: &'a str) -> Self {
        PartnerPolicy {
            endpoint,
            retry_attempts: 3,
            retry_wait_seconds: 1,
            certificate: None,
        }
    }

    /// SetProviderPolicies parameters: SUBMIT and CANCEL, no duplicate items, 100 items.
    pub fn params(&self, provider_guid: &str) -> String {
        let ssl = match self.certificate {
            Some(pem) => format!(
                "<ns3:SslEnabled>true</ns3:SslEnabled><ns3:SslCertificate>{pem}</ns3:SslCertificate>"
            ),
            None => "<ns3:SslEnabled>false</ns3:SslEnabled>".to_owned(),
        };
        format!(
            "<ns2:providerGuid>{provider_guid}</ns2:providerGuid><ns2:policies>\
             <ns3:EndPoint>{}</ns3:EndPoint><ns3:RetryAttempts>{}</ns3:RetryAttempts>\
             <ns3:RetryWaitTime>{}</ns3:RetryWaitTime><ns3:Routing>ORDER_FULFILLMENT_V9</ns3:Routing>\
             <ns3:SslPolicy>{ssl}</ns3:SslPolicy>\
             <ns3:OrderSupportsDuplicateCatalogItems>false</ns3:OrderSupportsDuplicateCatalogItems>\
             <ns3:SupportedTransactions><ns3:Item>SUBMIT</ns3:Item><ns3:Item>CANCEL</ns3:Item></ns3:SupportedTransactions>\
             <ns3:MaxItemsPerOrder>100</ns3:MaxItemsPerOrder></ns2:policies>",
            self.endpoint, self.retry_attempts, self.retry_wait_seconds
        )
    }

    /// Sets these policies for `provider_guid` as `operator`; panics on a fault.
    pub async fn apply(&self, gateway: &TestGateway, operator: &str, provider_guid: &str) {
        set_provider_policies(gateway, operator, &self.params(provider_guid)).await;
    }
}

/// `provider approve-cert <provider id>`.
pub fn approve_certificate(data_dir: &Path, provider_id: &str) {
    cli(data_dir, &["provider", "approve-cert", provider_id], None);
}

/// `deliveries list` with extra `filters` (`--state pending`, `--provider ID`): one JSON
/// object per delivery, `{entry: {id, provider_order, transaction, idempotency_key, ..},
/// status: {state, attempts, ..}}`.
pub fn list_deliveries(data_dir: &Path, filters: &[&str]) -> Vec<Value> {
    let args: Vec<&str> = ["deliveries", "list"]
        .into_iter()
        .chain(filters.iter().copied())
        .collect();
    cli(data_dir, &args, None)
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("a JSON delivery"))
        .collect()
}

/// `deliveries show <id>`.
pub fn show_delivery(data_dir: &Path, id: u64) -> Value {
    serde_json::from_str(&cli(
        data_dir,
        &["deliveries", "show", &id.to_string()],
        None,
    ))
    .expect("a JSON delivery")
}

/// `deliveries retry <id>`.
pub fn retry_delivery(data_dir: &Path, id: u64) {
    cli(data_dir, &["deliveries", "retry", &id.to_string()], None);
}

/// The delivery's id.
pub fn delivery_id(delivery: &Value) -> u64 {
    delivery["entry"]["id"].as_u64().expect("delivery id")
}

/// The delivery's order GUID.
pub fn delivery_order(delivery: &Value) -> &str {
    delivery["entry"]["provider_order"]["order_guid"]
        .as_str()
        .expect("order GUID")
}

/// The delivery's attempts.
pub fn attempts(delivery: &Value) -> &Vec<Value> {
    delivery["status"]["attempts"].as_array().expect("attempts")
}

/// Deliveries with more than one answered attempt recorded: sent again after the answer was
/// recorded (a crash between sending and recording leaves only the last answer recorded).
pub fn answered_more_than_once(deliveries: &[Value]) -> usize {
    let answered = |d: &Value| {
        attempts(d)
            .iter()
            .filter(|a| !a["disposition"].is_null())
            .count()
    };
    deliveries.iter().filter(|d| answered(d) > 1).count()
}

/// The single delivery of `order_guid` in `deliveries list`.
pub fn delivery_of(data_dir: &Path, order_guid: &str) -> Value {
    let mut found: Vec<Value> = list_deliveries(data_dir, &[])
        .into_iter()
        .filter(|d| delivery_order(d) == order_guid)
        .collect();
    assert_eq!(found.len(), 1, "deliveries of {order_guid}: {found:?}");
    found.remove(0)
}

/// Polls `check` every 100 ms until it returns `Some`, for at most `limit`; panics with
/// `what` when it never does.
pub async fn poll<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "gave up after {limit:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A provider order as GetOrders shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderOrderView {
    pub provider_guid: String,
    pub state: String,
    pub tracking_id: String,
    /// The StatusMessage lines' texts, without their dates.
    pub status_lines: Vec<String>,
}

/// The provider orders of `order`, read with GetOrders as `token`.
pub async fn provider_orders(
    soap: &SoapClient,
    token: &str,
    order: &str,
) -> Vec<ProviderOrderView> {
    let params = guid_list_param("orderGuids", &[order]);
    let document = parse(&oms_ok(soap, token, "GetOrders", &params).await);
    let mut lists = Vec::new();
    descendants(&document, "ProviderOrders", &mut lists);
    let list = lists.pop().expect("ProviderOrders");
    list.children.iter().map(provider_order_view).collect()
}

/// Polls GetOrders until every provider order of `order` is in `state` (at most `limit`).
pub async fn wait_for_state(
    soap: &SoapClient,
    token: &str,
    order: &str,
    state: &str,
    limit: Duration,
) -> Vec<ProviderOrderView> {
    poll(&format!("order {order} {state}"), limit, || async {
        let views = provider_orders(soap, token, order).await;
        views.iter().all(|v| v.state == state).then_some(views)
    })
    .await
}

fn provider_order_view(item: &Element) -> ProviderOrderView {
    let lines = field(item, "StatusMessage");
    ProviderOrderView {
        provider_guid: field(&item.children[0], "ProviderGuid"),
        state: field(item, "State"),
        tracking_id: field(item, "ProviderTrackingId"),
        status_lines: lines.lines().map(status_text).collect(),
    }
}

/// The text of a `<date> : <text>` StatusMessage line.
fn status_text(line: &str) -> String {
    let (_, text) = line.split_once(" : ").expect("`<date> : <text>`");
    text.to_owned()
}

/// The text of the child `name` (types namespace) of `element` (empty when absent).
fn field(element: &Element, name: &str) -> String {
    element
        .child(TYPES_NS, name)
        .map_or_else(String::new, |c| c.text.clone())
}
