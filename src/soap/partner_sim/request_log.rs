//! The request log: one JSON line appended per request received, written before the request
//! is answered, so a test can count which idempotency keys reached the partner and how often.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

use super::PartnerSimError;
use crate::soap::fulfillment::operation_name;
use echo_domain::fulfillment::FulfillmentRequest;
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;

/// An append-only JSON-lines file.
pub struct RequestLog {
    file: Mutex<File>,
}

/// One line: `time`, `attempt` (1 for the first request received), the HTTP `status`
/// answered, and what the request was (`operation`, `idempotency_key`, `order_guid`,
/// `provider_guid`; null when it could not be read, with `error` saying why).
#[derive(Serialize)]
pub(super) struct LogLine<'a> {
    time: String,
    attempt: u64,
    status: u16,
    operation: Option<&'static str>,
    idempotency_key: Option<&'a Guid>,
    order_guid: Option<&'a Guid>,
    provider_guid: Option<&'a Guid>,
    error: Option<String>,
}

impl<'a> LogLine<'a> {
    pub(super) fn new(
        attempt: u64,
        status: u16,
        request: Result<&'a FulfillmentRequest, String>,
    ) -> Self {
        let (request, error) = match request {
            Ok(request) => (Some(request), None),
            Err(error) => (None, Some(error)),
        };
        let key = request.map(|r| &r.provider_order);
        LogLine {
            time: Timestamp::now().to_echo_string(),
            attempt,
            status,
            operation: request.map(|r| operation_name(r.transaction)),
            idempotency_key: request.map(|r| &r.idempotency_key),
            order_guid: key.map(|k| &k.order_guid),
            provider_guid: key.map(|k| &k.provider_guid),
            error,
        }
    }
}

impl RequestLog {
    /// Opens `path` for appending, creating it when missing.
    pub fn open(path: &Path) -> Result<RequestLog, PartnerSimError> {
        let file = File::options()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| PartnerSimError::File {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(RequestLog {
            file: Mutex::new(file),
        })
    }

    pub(super) fn append(&self, line: &LogLine<'_>) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line)?;
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        file.write_all(text.as_bytes())
    }
}
