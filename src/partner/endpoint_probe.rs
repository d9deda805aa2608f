//! TestEndpointConnection: a real request to a provider's endpoint with its TLS rules.

use std::time::Duration;

use super::client::{client_for, describe};
use echo_domain::policy::PolicyRecord;

/// Connects to the policy's endpoint and sends a GET for its WSDL. Any HTTP answer means the
/// endpoint is reachable; the error says why it is not.
pub async fn probe(record: &PolicyRecord, timeout: Duration) -> Result<(), String> {
    let endpoint = record.policies.endpoint.as_deref().unwrap_or_default();
    let url = url::Url::parse(endpoint)
        .map_err(|e| format!("EndPoint [{endpoint}] is not a usable URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("EndPoint [{endpoint}] is not an http or https URL"));
    }
    let client = client_for(record, timeout).map_err(|e| e.to_string())?;
    client
        .get(url)
        .send()
        .await
        .map(|_| ())
        .map_err(|e| describe(&e))
}

/// Runs [`probe`] from a blocking thread inside the runtime.
pub fn probe_blocking(record: &PolicyRecord, timeout: Duration) -> Result<(), String> {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => handle.block_on(probe(record, timeout)),
        Err(_) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?
            .block_on(probe(record, timeout)),
    }
}
