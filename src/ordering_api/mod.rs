//! The Ordering API: JSON under `/api/v1` through which order-management systems follow and
//! fulfil orders, shaped as the EOSC Marketplace's (see README). An adapter like `soap`: it
//! authenticates the token (`X-User-Token` or `Authorization: Bearer`), decodes the request,
//! calls the `app::oms` operations and encodes their results; `error` maps `GatewayError` to
//! the API's errors in one place. Bodies are bounded by the server's body limit.

mod error;
mod query;
mod types;

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::app::oms::feed::{self, Cursor};
use crate::app::oms::items::{self, ItemUpdate};
use crate::app::oms::messages::{self, NewMessage};
use crate::app::oms::{self as oms_app};
use crate::app::{Gateway, blocking};
use crate::error::{GatewayError, GatewayResult, Malformed, RequestError};
use echo_domain::caller::Caller;
use echo_domain::oms::StatusType;
use error::{ApiError, bad_request};
use query::Query;
use types::{EventBody, ItemPatch, MessageBody, MessageCreate, MessageUpdate, OmsBody};

/// The OpenAPI 3 description of this API, served as is.
const OPENAPI: &str = include_str!("openapi.json");

type Shared = State<Arc<Gateway>>;
type ApiResult = Result<Response, ApiError>;

/// The API's routes, relative to `/api/v1`.
pub fn router<S: Clone + Send + Sync + 'static>(gateway: Arc<Gateway>) -> Router<S> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/oms", get(list_oms))
        .route("/oms/{oms}", get(show_oms))
        .route("/oms/{oms}/events", get(events))
        .route("/oms/{oms}/projects", get(projects))
        .route("/oms/{oms}/projects/{project}", get(project))
        .route(
            "/oms/{oms}/projects/{project}/project_items",
            get(project_items),
        )
        .route(
            "/oms/{oms}/projects/{project}/project_items/{item}",
            get(project_item).patch(patch_project_item),
        )
        .route(
            "/oms/{oms}/messages",
            get(list_messages).post(create_message),
        )
        .route(
            "/oms/{oms}/messages/{message}",
            get(message).patch(patch_message),
        )
        .fallback(|| async { ApiError(GatewayError::not_found("Path", "(this path)")) })
        .with_state(gateway)
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// Authenticates the request's token, then runs `operation` on the blocking pool.
async fn run<T: Send + 'static>(
    gateway: Arc<Gateway>,
    headers: &HeaderMap,
    operation: impl FnOnce(&Gateway, &Caller) -> GatewayResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    let token = token(headers)?;
    Ok(blocking(move || {
        let caller = gateway.authenticate(&token)?;
        operation(&gateway, &caller)
    })
    .await?)
}

fn token(headers: &HeaderMap) -> Result<String, ApiError> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let bearer = text(header::AUTHORIZATION.as_str()).and_then(|v| v.strip_prefix("Bearer "));
    text("x-user-token")
        .or(bearer)
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError(GatewayError::TokenNotFound("(none)".into())))
}

/// A JSON body of type `T` (unknown fields, wrong types and bad syntax are 400s).
fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError(
            RequestError::Malformed {
                kind: Malformed::Syntax,
                detail: format!("invalid JSON body: {e}"),
            }
            .into(),
        )
    })
}

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

fn to_value<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

async fn list_oms(State(gateway): Shared, headers: HeaderMap) -> ApiResult {
    let omses = run(gateway, &headers, oms_app::administered).await?;
    let bodies: Vec<OmsBody> = omses.iter().map(OmsBody::from).collect();
    ok(json!({ "omses": bodies }))
}

async fn show_oms(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(oms): Path<String>,
) -> ApiResult {
    let oms = path_id("oms_id", &oms)?;
    let (found, _) = run(gateway, &headers, move |g, c| {
        oms_app::administered_oms(g, c, oms)
    })
    .await?;
    ok(to_value(OmsBody::from(&found)))
}

async fn events(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(oms): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let oms = path_id("oms_id", &oms)?;
    let query = Query::parse(raw.as_deref())?;
    let limit = query.limit()?;
    let exclude_own = query.flag("exclude_own")?;
    let cursor = match (
        query.id("from_sequence")?,
        query.timestamp("from_timestamp")?,
    ) {
        (Some(sequence), _) => Cursor::Sequence(sequence),
        (None, Some(micros)) => Cursor::Timestamp(micros),
        (None, None) => Cursor::Sequence(0),
    };
    let page = run(gateway, &headers, move |g, c| {
        feed::events(g, c, oms, cursor, limit, exclude_own)
    })
    .await?;
    let own = if exclude_own { "&exclude_own=true" } else { "" };
    let link = format!(
        "</api/v1/oms/{oms}/events?from_sequence={}&limit={limit}{own}>; rel=\"next\"",
        page.next
    );
    let bodies: Vec<EventBody> = page.events.into_iter().map(EventBody::from).collect();
    let mut response = Json(json!({ "events": bodies })).into_response();
    if let Ok(value) = HeaderValue::from_str(&link) {
        response.headers_mut().insert(header::LINK, value);
    }
    Ok(response)
}

async fn projects(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(oms): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let oms = path_id("oms_id", &oms)?;
    let query = Query::parse(raw.as_deref())?;
    let (from, limit) = (query.id("from_id")?.unwrap_or(0), query.limit()?);
    let found = run(gateway, &headers, move |g, c| {
        feed::projects(g, c, oms, from, limit)
    })
    .await?;
    let bodies: Vec<Value> = found.iter().map(types::project).collect();
    ok(json!({ "projects": bodies }))
}

async fn project(
    State(gateway): Shared,
    headers: HeaderMap,
    Path((oms, project)): Path<(String, String)>,
) -> ApiResult {
    let (oms, project) = (path_id("oms_id", &oms)?, path_id("project_id", &project)?);
    let found = run(gateway, &headers, move |g, c| {
        feed::project(g, c, oms, project)
    })
    .await?;
    ok(types::project(&found))
}

async fn project_items(
    State(gateway): Shared,
    headers: HeaderMap,
    Path((oms, project)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let (oms, project) = (path_id("oms_id", &oms)?, path_id("project_id", &project)?);
    let query = Query::parse(raw.as_deref())?;
    let (from, limit) = (query.id("from_id")?.unwrap_or(0), query.limit()?);
    let found = run(gateway, &headers, move |g, c| {
        feed::project_items(g, c, oms, project, from, limit)
    })
    .await?;
    let bodies: Vec<Value> = found.iter().map(types::project_item).collect();
    ok(json!({ "project_items": bodies }))
}

async fn project_item(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(ids): Path<(String, String, String)>,
) -> ApiResult {
    let (oms, project, item) = item_path(&ids)?;
    let found = run(gateway, &headers, move |g, c| {
        feed::project_item(g, c, oms, project, item)
    })
    .await?;
    ok(types::project_item(&found))
}

async fn patch_project_item(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(ids): Path<(String, String, String)>,
    bytes: Bytes,
) -> ApiResult {
    let (oms, project, item) = item_path(&ids)?;
    let patch: ItemPatch = body(&bytes)?;
    let status = patch.status.map(|s| (s.value, s.status_type));
    if let Some((_, StatusType::Created)) = status {
        return Err(bad_request(
            "status.type",
            "created",
            "a type other than created",
        ));
    }
    let update = ItemUpdate {
        status,
        user_secrets: patch.user_secrets,
    };
    let found = run(gateway, &headers, move |g, c| {
        items::update(g, c, oms, project, item, update)
    })
    .await?;
    ok(types::project_item(&found))
}

async fn list_messages(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(oms): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let oms = path_id("oms_id", &oms)?;
    let query = Query::parse(raw.as_deref())?;
    let project = query
        .id("project_id")?
        .ok_or_else(|| ApiError(RequestError::Missing("project_id".into()).into()))?;
    let item = query.id("project_item_id")?;
    let (from, limit) = (query.id("from_id")?.unwrap_or(0), query.limit()?);
    let found = run(gateway, &headers, move |g, c| {
        messages::list(g, c, oms, project, item, from, limit)
    })
    .await?;
    let bodies: Vec<MessageBody> = found.into_iter().map(MessageBody::from).collect();
    ok(json!({ "messages": bodies }))
}

async fn create_message(
    State(gateway): Shared,
    headers: HeaderMap,
    Path(oms): Path<String>,
    bytes: Bytes,
) -> ApiResult {
    let oms = path_id("oms_id", &oms)?;
    let request: MessageCreate = body(&bytes)?;
    let new = NewMessage {
        project_id: request.project_id,
        project_item_id: request.project_item_id,
        author: request.author.into(),
        content: request.content,
        scope: request.scope,
    };
    let created = run(gateway, &headers, move |g, c| {
        messages::create(g, c, oms, new)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(MessageBody::from(created))).into_response())
}

async fn message(
    State(gateway): Shared,
    headers: HeaderMap,
    Path((oms, id)): Path<(String, String)>,
) -> ApiResult {
    let (oms, id) = (path_id("oms_id", &oms)?, path_id("message_id", &id)?);
    let found = run(gateway, &headers, move |g, c| messages::get(g, c, oms, id)).await?;
    ok(to_value(MessageBody::from(found)))
}

async fn patch_message(
    State(gateway): Shared,
    headers: HeaderMap,
    Path((oms, id)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult {
    let (oms, id) = (path_id("oms_id", &oms)?, path_id("message_id", &id)?);
    let update: MessageUpdate = body(&bytes)?;
    let changed = run(gateway, &headers, move |g, c| {
        messages::update(g, c, oms, id, update.content)
    })
    .await?;
    ok(to_value(MessageBody::from(changed)))
}

/// A path segment that must be a non-negative integer id.
fn path_id(name: &str, text: &str) -> Result<u64, ApiError> {
    text.parse()
        .map_err(|_| bad_request(name, text, "a non-negative integer"))
}

fn item_path(ids: &(String, String, String)) -> Result<(u64, u64, u64), ApiError> {
    Ok((
        path_id("oms_id", &ids.0)?,
        path_id("project_id", &ids.1)?,
        path_id("project_item_id", &ids.2)?,
    ))
}
