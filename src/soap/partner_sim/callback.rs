//! Playing a manually accepted order back to the broker through its OrderProcessingService
//! (ECHO v10): SetProviderTrackingId, UpdateProviderOrderStatusMessage, then
//! CloseProviderOrder for all the order's catalog items. Each call is retried (the broker may
//! not have recorded the acceptance yet when the first arrives); calls are bounded.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use crate::soap::envelope::{SoapVersion, render_response};
use crate::soap::writer::Out;
use crate::tls::install_crypto_provider;
use echo_domain::fulfillment::FulfillmentRequest;
use echo_domain::guid::Guid;

const FIRST_CALL_DELAY: Duration = Duration::from_millis(200);
const RETRY_WAIT: Duration = Duration::from_millis(500);
const TRIES: u32 = 20;
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where and as whom to call OrderProcessingService back.
pub struct Callback {
    url: String,
    token: String,
    client: reqwest::Client,
    /// Orders (idempotency keys) already played back: duplicates are not played twice.
    played: Mutex<HashSet<Guid>>,
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("callback certificate {path}: {message}")]
    Certificate { path: String, message: String },
    #[error("callback HTTP client: {0}")]
    Client(String),
}

impl Callback {
    /// Calls `url` (OrderProcessingService's endpoint) with the provider `token`; an https
    /// `url` is trusted through `certificate` (a PEM file) when given.
    pub fn new(
        url: String,
        token: String,
        certificate: Option<&Path>,
    ) -> Result<Self, CallbackError> {
        install_crypto_provider();
        let mut builder = reqwest::Client::builder().no_proxy().timeout(TIMEOUT);
        if let Some(path) = certificate {
            builder = builder.tls_certs_only([read_certificate(path)?]);
        }
        let client = builder
            .build()
            .map_err(|e| CallbackError::Client(e.to_string()))?;
        Ok(Callback {
            url,
            token,
            client,
            played: Mutex::new(HashSet::new()),
        })
    }

    /// Tracks, reports and closes the order of `request` (once per idempotency key).
    pub async fn play_manual_order(&self, request: &FulfillmentRequest, tracking_id: &str) {
        let first_time = self
            .played
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(request.idempotency_key.clone());
        if !first_time {
            return;
        }
        tokio::time::sleep(FIRST_CALL_DELAY).await;
        let order_guid = request.provider_order.order_guid.to_string();
        let calls = [
            self.call("SetProviderTrackingId", &order_guid)
                .child(Out::echo("providerTrackingId").text(tracking_id)),
            self.call("UpdateProviderOrderStatusMessage", &order_guid)
                .child(Out::echo("statusMessage").text("partner-sim is processing the order")),
            self.call("CloseProviderOrder", &order_guid)
                .child(Out::echo("providerTrackingId").text(tracking_id))
                .child(catalog_item_guids(request))
                .child(Out::echo("statusMessage").text("partner-sim delivered the order")),
        ];
        for call in calls {
            if let Err(error) = self.send(&call).await {
                eprintln!("partner-sim: callback for order {order_guid} abandoned: {error}");
                return;
            }
        }
    }

    fn call(&self, operation: &'static str, order_guid: &str) -> Out {
        Out::echo(operation)
            .child(Out::echo("token").text(&self.token))
            .child(Out::echo("orderGuid").text(order_guid))
    }

    /// Posts `call` until it is answered 200, at most [`TRIES`] times.
    async fn send(&self, call: &Out) -> Result<(), String> {
        let body = render_response(SoapVersion::V11, call);
        let mut last_error = String::new();
        for _ in 0..TRIES {
            match self.post(body.clone()).await {
                Ok(()) => return Ok(()),
                Err(error) => last_error = error,
            }
            tokio::time::sleep(RETRY_WAIT).await;
        }
        Err(last_error)
    }

    async fn post(&self, body: String) -> Result<(), String> {
        let response = self
            .client
            .post(&self.url)
            .header("Content-Type", SoapVersion::V11.content_type())
            .header("SOAPAction", "\"\"")
            .body(body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let text = response.text().await.unwrap_or_default();
        Err(format!("HTTP {status}: {text}"))
    }
}

/// Every catalog item of the order, each once.
fn catalog_item_guids(request: &FulfillmentRequest) -> Out {
    let mut guids: Vec<&str> = request
        .items
        .iter()
        .map(|item| item.item.catalog_item.item_guid.as_str())
        .collect();
    guids.sort_unstable();
    guids.dedup();
    Out::echo("catalogItemGuids").children(guids.into_iter().map(|guid| Out::field("Item", guid)))
}

fn read_certificate(path: &Path) -> Result<reqwest::Certificate, CallbackError> {
    let error = |message: String| CallbackError::Certificate {
        path: path.display().to_string(),
        message,
    };
    let pem = std::fs::read(path).map_err(|e| error(e.to_string()))?;
    reqwest::Certificate::from_pem(&pem).map_err(|e| error(e.to_string()))
}
