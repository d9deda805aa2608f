//! The HTTP side of the simulated partner: the OrderFulfillment endpoint (POST, any path),
//! its WSDL (`GET …?wsdl`) and schemas (`GET /echo-wsdl/schemas/<file>`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::request_log::{LogLine, RequestLog};
use super::{PartnerSimConfig, answers, callback::Callback};
use crate::error::RequestError;
use crate::soap::envelope::{SoapVersion, parse_request};
use crate::soap::fault::FaultCode;
use crate::soap::fulfillment::{decode_request, encode_answer, encode_fault};
use crate::soap::wsdl;
use crate::xml::XmlLimits;
use echo_domain::fulfillment::{Disposition, FulfillmentRequest};

/// Requests larger than this are refused (HTTP 413).
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// The simulated partner's behaviour and counters.
pub struct Simulator {
    scheme: &'static str,
    answer: Disposition,
    fail_first: u64,
    latency: Duration,
    log: Option<RequestLog>,
    callback: Option<Arc<Callback>>,
    requests: AtomicU64,
}

impl Simulator {
    pub fn new(config: PartnerSimConfig, scheme: &'static str) -> Arc<Simulator> {
        Arc::new(Simulator {
            scheme,
            answer: config.answer,
            fail_first: config.fail_first,
            latency: config.latency,
            log: config.log,
            callback: config.callback.map(Arc::new),
            requests: AtomicU64::new(0),
        })
    }
}

pub fn router(simulator: Arc<Simulator>) -> Router {
    Router::new()
        .route("/echo-wsdl/schemas/{file}", get(schema))
        .fallback(endpoint)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(simulator)
}

async fn schema(Path(file): Path<String>) -> Response {
    match wsdl::schema(&file) {
        Some(text) => xml(StatusCode::OK, text.to_owned()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn endpoint(
    State(simulator): State<Arc<Simulator>>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match method {
        Method::POST => simulator.fulfil(&body).await,
        Method::GET if query.as_deref() == Some("wsdl") => simulator.wsdl(&uri, &headers),
        Method::GET => "partner-sim: POST OrderFulfillment requests here\n".into_response(),
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

impl Simulator {
    /// The WSDL with its links on the host the client used (HTTP/2 authority or Host).
    fn wsdl(&self, uri: &Uri, headers: &HeaderMap) -> Response {
        let header = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let authority = uri.authority().map(|a| a.as_str());
        let host = authority.or(header).unwrap_or("localhost");
        let root = format!("{}://{host}", self.scheme);
        xml(StatusCode::OK, wsdl::render(wsdl::FULFILLMENT_WSDL, &root))
    }

    /// Logs the request, then answers 503 while failing, a fault for an unreadable request
    /// or the configured answer.
    async fn fulfil(&self, body: &[u8]) -> Response {
        let attempt = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.latency).await;
        let request = parse_request(body, XmlLimits::default())
            .and_then(|request| decode_request(request.operation));
        let failing = attempt <= self.fail_first;
        let status = match (&request, failing) {
            (_, true) => StatusCode::SERVICE_UNAVAILABLE,
            (Err(_), false) => StatusCode::INTERNAL_SERVER_ERROR,
            (Ok(_), false) => StatusCode::OK,
        };
        if let Err(error) = self.log(attempt, status, &request) {
            let message = format!("partner-sim cannot write its request log: {error}");
            return fault(FaultCode::Server, "LogUnavailable", &message);
        }
        match request {
            _ if failing => (status, "partner-sim: failing the first requests\n").into_response(),
            Err(error) => fault(FaultCode::Client, "InvalidRequest", &error.to_string()),
            Ok(request) => self.answer(request),
        }
    }

    fn log(
        &self,
        attempt: u64,
        status: StatusCode,
        request: &Result<FulfillmentRequest, RequestError>,
    ) -> std::io::Result<()> {
        let Some(log) = &self.log else {
            return Ok(());
        };
        let request = request.as_ref().map_err(ToString::to_string);
        log.append(&LogLine::new(attempt, status.as_u16(), request))
    }

    fn answer(&self, request: FulfillmentRequest) -> Response {
        let answer = answers::answer(self.answer, &request);
        let body = encode_answer(request.transaction, &answer);
        let manual = answer.disposition == Disposition::AcceptedManual;
        if let Some(callback) = self.callback.clone().filter(|_| manual) {
            let tracking_id = answers::tracking_id(&request);
            tokio::spawn(async move { callback.play_manual_order(&request, &tracking_id).await });
        }
        xml(StatusCode::OK, body)
    }
}

fn fault(code: FaultCode, error_code: &str, message: &str) -> Response {
    let body = encode_fault(code, error_code, message);
    xml(StatusCode::INTERNAL_SERVER_ERROR, body)
}

fn xml(status: StatusCode, body: String) -> Response {
    let content_type = SoapVersion::V11.content_type();
    (status, [(header::CONTENT_TYPE, content_type)], body).into_response()
}
