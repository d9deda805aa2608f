//! HTTP routes: SOAP endpoints, WSDL and schema documents, health and metrics, and the web
//! console (`console`) under `/console/`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};

use super::listener::Scheme;
use super::metrics::{self, Metrics, Outcome};
use crate::app::Gateway;
use crate::echo_rest;
use crate::error::GatewayError;
use crate::ordering_api;
use crate::peer::PeerIp;
use crate::shutdown::Shutdown;
use crate::soap::envelope::{SoapVersion, parse_request, render_response};
use crate::soap::fault::{Fault, FaultCode};
use crate::soap::wsdl;
use crate::soap::{Service, dispatch, relay};
use crate::xml::XmlLimits;

/// What every handler shares.
pub struct AppState {
    pub gateway: Arc<Gateway>,
    pub metrics: Metrics,
    pub xml_limits: XmlLimits,
}

/// Routes see bodies already received within the configured bounds (`request_body`), so
/// axum's own default cap (2 MB) is lifted rather than left to refuse larger valid requests.
pub fn router(state: Arc<AppState>, shutdown: &Shutdown) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/echo-v10/{port}", get(port_wsdl).post(soap))
        .route(FULFILLMENT_PATH, get(fulfillment_wsdl).post(fulfillment))
        .route("/echo-wsdl/v10/{file}", get(wsdl_file))
        .route("/echo-wsdl/schemas/{file}", get(schema_file))
        .nest("/api/v1", ordering_api::router(state.gateway.clone()))
        .merge(crate::console::router(
            state.gateway.clone(),
            shutdown.clone(),
        ))
        .merge(echo_rest::router(state.gateway.clone()))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// `ok`, or 503 naming what keeps the gateway from working: storage that refuses writes
/// (a full disk), from the failed write until a write succeeds again.
async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    match state.gateway.store.write_failure() {
        None => "ok\n".into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("storage unavailable: {reason}\n"),
        )
            .into_response(),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let content_type = "text/plain; version=0.0.4; charset=utf-8";
    let verifications = state.gateway.password_checks.verifications();
    let mut text = state.metrics.render();
    metrics::counter(
        &mut text,
        "echo_gateway_password_verifications_total",
        "Argon2 password verifications run by sign-ins.",
        verifications,
    );
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// One SOAP request: parse, dispatch on a blocking thread, answer with a response or fault.
async fn soap(
    State(state): State<Arc<AppState>>,
    Path(port): Path<String>,
    PeerIp(client): PeerIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let Some(service) = Service::from_port(&port) else {
        return (StatusCode::NOT_FOUND, "no such SOAP endpoint\n").into_response();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let fallback_version = SoapVersion::from_content_type(content_type);
    let worker_state = state.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let request = parse_request(&body, worker_state.xml_limits)?;
        let dispatched = dispatch(&worker_state.gateway, service, &request.operation, client);
        let operation = dispatched
            .offered
            .then(|| request.operation.name.local.clone());
        Ok::<_, GatewayError>((request.version, operation, dispatched.result))
    })
    .await;
    let (version, operation, result) = match outcome {
        Ok(Ok(dispatched)) => dispatched,
        Ok(Err(error)) => (fallback_version, None, Err(error)),
        Err(join_error) => (
            fallback_version,
            None,
            Err(GatewayError::Internal(join_error.to_string())),
        ),
    };
    let label = operation.as_deref().unwrap_or("invalid");
    let (response, outcome) = match &result {
        Ok(payload) => (
            soap_response(version, StatusCode::OK, render_response(version, payload)),
            Outcome::Ok,
        ),
        Err(error) => fault_response(version, error, label),
    };
    state.metrics.record(label, outcome, started.elapsed());
    response
}

fn fault_response(
    version: SoapVersion,
    error: &GatewayError,
    operation: &str,
) -> (Response, Outcome) {
    let fault = Fault::from(error);
    let outcome = fault_outcome(fault.code);
    match outcome {
        Outcome::ServerFault => tracing::error!(
            operation, instance = %fault.instance_id, %error, "request failed"
        ),
        _ => tracing::info!(
            operation, instance = %fault.instance_id, code = fault.error_code, "request refused"
        ),
    }
    let status = StatusCode::from_u16(fault.http_status(version))
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        soap_response(version, status, fault.render(version)),
        outcome,
    )
}

/// How a fault counts in the metrics: whose fault it is.
fn fault_outcome(code: FaultCode) -> Outcome {
    match code {
        FaultCode::Client => Outcome::ClientFault,
        FaultCode::Server => Outcome::ServerFault,
    }
}

fn soap_response(version: SoapVersion, status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, version.content_type())],
        body,
    )
        .into_response()
}

/// The inbound OrderFulfillment endpoint (the gateway as a relay in front of a partner).
const FULFILLMENT_PATH: &str = "/echo-v9/OrderFulfillmentServicePortImpl";

/// Relays one OrderFulfillment request (see `soap::relay` and `app::relay`).
async fn fulfillment(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let reply = relay::answer(
        state.gateway.clone(),
        token,
        body.to_vec(),
        state.xml_limits,
    )
    .await;
    let (status, outcome) = match reply.fault {
        None => (StatusCode::OK, Outcome::Ok),
        Some(code) => (StatusCode::INTERNAL_SERVER_ERROR, fault_outcome(code)),
    };
    state
        .metrics
        .record(reply.label, outcome, started.elapsed());
    soap_response(SoapVersion::V11, status, reply.body)
}

/// `GET /echo-v9/OrderFulfillmentServicePortImpl?wsdl`.
async fn fulfillment_wsdl(
    RawQuery(query): RawQuery,
    Extension(scheme): Extension<Scheme>,
    headers: HeaderMap,
) -> Response {
    match query.as_deref() {
        Some(q) if q.eq_ignore_ascii_case("wsdl") => {
            document(wsdl::FULFILLMENT_WSDL, scheme, &headers)
        }
        _ => (
            StatusCode::NOT_FOUND,
            "append ?wsdl for the service description\n",
        )
            .into_response(),
    }
}

/// `GET /echo-v10/<Name>ServicePortImpl?wsdl`.
async fn port_wsdl(
    Path(port): Path<String>,
    RawQuery(query): RawQuery,
    Extension(scheme): Extension<Scheme>,
    headers: HeaderMap,
) -> Response {
    let service = Service::from_port(&port);
    match (service, query.as_deref()) {
        (Some(service), Some(q)) if q.eq_ignore_ascii_case("wsdl") => {
            document(wsdl::service_wsdl(service), scheme, &headers)
        }
        _ => (
            StatusCode::NOT_FOUND,
            "append ?wsdl for the service description\n",
        )
            .into_response(),
    }
}

/// `GET /echo-wsdl/v10/<Name>Service.wsdl`.
async fn wsdl_file(
    Path(file): Path<String>,
    Extension(scheme): Extension<Scheme>,
    headers: HeaderMap,
) -> Response {
    let service = file
        .strip_suffix(".wsdl")
        .and_then(|name| Service::ALL.into_iter().find(|s| s.name() == name));
    match service {
        Some(service) => document(wsdl::service_wsdl(service), scheme, &headers),
        None => (StatusCode::NOT_FOUND, "no such WSDL\n").into_response(),
    }
}

/// `GET /echo-wsdl/schemas/<file>.xsd`.
async fn schema_file(
    Path(file): Path<String>,
    Extension(scheme): Extension<Scheme>,
    headers: HeaderMap,
) -> Response {
    match wsdl::schema(&file) {
        Some(text) => document(text, scheme, &headers),
        None => (StatusCode::NOT_FOUND, "no such schema\n").into_response(),
    }
}

/// Serves a WSDL or schema with its links rewritten to this server's own URL.
fn document(text: &str, scheme: Scheme, headers: &HeaderMap) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let root = format!("{}://{host}", scheme.0);
    let body = wsdl::render(text, &root);
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}
