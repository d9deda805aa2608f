//! One trigger call: `{"oms_id", "last_sequence"}` for POST and PUT (nothing for GET), signed
//! with the Standard Webhooks headers, optional Basic authorization; and how its answer is
//! judged (2xx delivered; connection errors, timeouts, 429 and 5xx retried; else given up).

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use serde_json::json;

use crate::webhook;
use echo_domain::oms::{Oms, TriggerMethod};

#[derive(Clone)]
pub enum Outcome {
    Delivered,
    Retry {
        error: String,
        retry_after: Option<Duration>,
    },
    GiveUp {
        error: String,
    },
}

pub fn client(timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
}

pub async fn send(client: &reqwest::Client, oms: &Oms, last_sequence: u64) -> Outcome {
    let Some(trigger) = &oms.trigger else {
        return Outcome::Delivered;
    };
    let body = match trigger.method {
        TriggerMethod::Get => Vec::new(),
        TriggerMethod::Post | TriggerMethod::Put => {
            json!({"oms_id": oms.id, "last_sequence": last_sequence})
                .to_string()
                .into_bytes()
        }
    };
    let id = format!("msg_{}_{}", oms.id, last_sequence);
    let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
    let signature = webhook::signature(&trigger.secret, &id, timestamp, &body);
    let method = match trigger.method {
        TriggerMethod::Get => reqwest::Method::GET,
        TriggerMethod::Post => reqwest::Method::POST,
        TriggerMethod::Put => reqwest::Method::PUT,
    };
    let mut request = client
        .request(method, &trigger.url)
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature);
    if !body.is_empty() {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    if let Some(basic) = &trigger.authorization {
        request = request.basic_auth(&basic.user, Some(&basic.password));
    }
    match request.send().await {
        Ok(response) => judge(response),
        // Without the URL: the error is shown to operators and must not carry credentials.
        Err(error) => Outcome::Retry {
            error: format!(
                "call failed: {}",
                crate::partner::client::describe(&error.without_url())
            ),
            retry_after: None,
        },
    }
}

fn judge(response: reqwest::Response) -> Outcome {
    let status = response.status();
    if status.is_success() {
        return Outcome::Delivered;
    }
    let error = format!("HTTP {}", status.as_u16());
    if status.as_u16() == 429 || status.is_server_error() {
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Outcome::Retry { error, retry_after }
    } else {
        Outcome::GiveUp { error }
    }
}
