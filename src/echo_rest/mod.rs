//! The ECHO REST ordering API, as Earthdata Search used it: JSON over HTTP under
//! `/echo-rest/` and `/legacy-services/rest/` (the path CMR later served it on). A third
//! adapter beside SOAP and the CLI: each handler authenticates the caller (`auth`), reads the
//! request (`body`, `contacts`), calls the same `app` operation SOAP calls, and writes the
//! answer (`order_json`); `errors` is the one place a `GatewayError` becomes
//! `{"errors": […]}`. README.md ("ECHO REST API") documents every path.

mod auth;
mod body;
mod contacts;
mod errors;
mod order_information;
mod order_json;
mod orders;
mod sessions;
mod users;

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use serde::de::DeserializeOwned;

use crate::app::{self, Gateway};
use crate::error::GatewayResult;
use echo_domain::caller::Caller;
use errors::{RestError, RestResult, too_large};

/// Where the API is mounted: ECHO's own path and CMR's legacy-services path.
pub const PREFIXES: [&str; 2] = ["/echo-rest", "/legacy-services/rest"];

/// What every handler shares: the gateway and the prefix it was reached under (provider
/// order locations point back under the same one).
pub struct RestState {
    gateway: Arc<Gateway>,
    prefix: &'static str,
}

type State = axum::extract::State<Arc<RestState>>;

/// The API under both prefixes, for any outer router's state.
pub fn router<S: Clone + Send + Sync + 'static>(gateway: Arc<Gateway>) -> Router<S> {
    PREFIXES.into_iter().fold(Router::new(), |router, prefix| {
        let state = RestState {
            gateway: gateway.clone(),
            prefix,
        };
        router.nest(prefix, api(Arc::new(state)))
    })
}

fn api<S: Clone + Send + Sync + 'static>(state: Arc<RestState>) -> Router<S> {
    Router::new()
        .route("/tokens.json", post(sessions::create_token))
        .route("/tokens", post(sessions::create_token))
        .route("/availability.json", get(sessions::availability))
        .route(
            "/order_information.json",
            post(order_information::order_information),
        )
        .route(
            "/option_definitions/{id}",
            get(order_information::option_definition),
        )
        .route("/orders.json", post(orders::create).get(orders::list))
        .route("/orders", post(orders::create).get(orders::list))
        .route("/orders/{id}", get(orders::show).delete(orders::remove))
        .route(
            "/orders/{id}/order_items/bulk_action",
            post(orders::bulk_action),
        )
        .route(
            "/orders/{id}/user_information",
            put(orders::user_information),
        )
        .route(
            "/orders/{id}/user_information.json",
            put(orders::user_information),
        )
        .route("/orders/{id}/submit", post(orders::submit))
        .route(
            "/orders/{id}/provider_orders/{provider}",
            get(orders::provider_order),
        )
        .route("/users/current.json", get(users::current))
        .route("/users/{id}", get(users::show))
        .route(
            "/users/{id}/preferences.json",
            get(users::preferences).put(users::set_preferences),
        )
        .route("/users/{id}/phones.json", get(users::phones))
        .fallback(|| async { RestError::new(StatusCode::NOT_FOUND, "no such ECHO REST resource") })
        .with_state(state)
}

/// A refusal made before any route sees the request (the body limits in front of every
/// route: 413 over `--max-body-bytes`, 408 too slow, 400 unreadable), in the API's
/// `{"errors": […]}` form when the request was for the API. Its status and `Connection:
/// close` stay.
pub fn refusal_for(path: &str, refusal: Response) -> Response {
    let on_api = PREFIXES.iter().any(|prefix| {
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    if !on_api {
        return refusal;
    }
    let status = refusal.status();
    let error = match status {
        StatusCode::PAYLOAD_TOO_LARGE => too_large(),
        StatusCode::REQUEST_TIMEOUT => {
            RestError::new(status, "the request body did not arrive in time")
        }
        _ => RestError::new(status, "the request body could not be read"),
    };
    let mut response = error.into_response();
    if let Some(connection) = refusal.headers().get(header::CONNECTION) {
        response
            .headers_mut()
            .insert(header::CONNECTION, connection.clone());
    }
    response
}

/// Runs `work` as the request's authenticated caller on the blocking pool (storage and
/// forms work block).
async fn as_caller<T: Send + 'static>(
    state: &Arc<RestState>,
    headers: &HeaderMap,
    work: impl FnOnce(&Gateway, &Caller) -> GatewayResult<T> + Send + 'static,
) -> RestResult<T> {
    let token = auth::token(headers)?;
    let gateway = state.gateway.clone();
    Ok(app::blocking(move || {
        let caller = gateway.authenticate(&token)?;
        work(&gateway, &caller)
    })
    .await?)
}

/// Reads the JSON body as `B`, then runs `work` with it like [`as_caller`]. The body is
/// read first: a malformed one is refused whoever sends it.
async fn with_json<B, T>(
    state: &Arc<RestState>,
    headers: &HeaderMap,
    body: &[u8],
    work: impl FnOnce(&Gateway, &Caller, B) -> GatewayResult<T> + Send + 'static,
) -> RestResult<T>
where
    B: DeserializeOwned + Send + 'static,
    T: Send + 'static,
{
    let request: B = body::json(body)?;
    as_caller(state, headers, move |gateway, caller| {
        work(gateway, caller, request)
    })
    .await
}

/// A request body, whole; a body the limit refuses is a 413 in the API's form.
pub struct RawBody(Bytes);

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = RestError;

    async fn from_request(request: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        match Bytes::from_request(request, state).await {
            Ok(bytes) => Ok(RawBody(bytes)),
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(too_large())
            }
            Err(rejection) => Err(RestError::bad_request(rejection.body_text())),
        }
    }
}

/// An answer: a status and a JSON document, or an error.
fn answer(result: RestResult<(StatusCode, serde_json::Value)>) -> Response {
    match result {
        Ok((status, document)) => (status, axum::Json(document)).into_response(),
        Err(error) => error.into_response(),
    }
}
