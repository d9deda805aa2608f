//! The one place a [`GatewayError`] becomes an ECHO REST error: `{"errors": ["message"]}`
//! with its HTTP status. 401: no, an unknown or an expired token, or a failed login; 404:
//! anything that does not exist or that the caller may not see (an order or user the caller
//! may not see is named as missing, so its existence is not revealed); 400: a request that
//! cannot be read; 422: a readable request the rules refuse; 403: a caller lacking a role;
//! 503: storage refusing writes (a full disk).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::GatewayError;
use crate::storage::StorageError;
use echo_domain::caller::AccessDenied;

/// An error answer: a status and its messages.
#[derive(Debug)]
pub struct RestError {
    pub status: StatusCode,
    pub messages: Vec<String>,
}

pub type RestResult<T> = Result<T, RestError>;

impl RestError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> RestError {
        RestError {
            status,
            messages: vec![message.into()],
        }
    }

    pub fn bad_request(message: impl Into<String>) -> RestError {
        RestError::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found(kind: &'static str, id: &str) -> RestError {
        GatewayError::not_found(kind, id).into()
    }
}

impl From<GatewayError> for RestError {
    fn from(error: GatewayError) -> RestError {
        let status = status_of(&error);
        let message = match (&error, status) {
            (GatewayError::AccessDenied(denied), _) => {
                hidden(denied).map_or_else(|| error.to_string(), |missing| missing.to_string())
            }
            (_, StatusCode::SERVICE_UNAVAILABLE) => {
                tracing::error!(%error, "ECHO REST request failed");
                "the gateway cannot store changes now; try again later".to_owned()
            }
            (_, StatusCode::INTERNAL_SERVER_ERROR) => {
                tracing::error!(%error, "ECHO REST request failed");
                "internal error".to_owned()
            }
            _ => error.to_string(),
        };
        RestError::new(status, message)
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "errors": self.messages }))).into_response()
    }
}

fn status_of(error: &GatewayError) -> StatusCode {
    use GatewayError as E;
    match error {
        E::TokenNotFound(_) | E::TokenExpired(_) | E::BadCredentials => StatusCode::UNAUTHORIZED,
        E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::AccessDenied(denied) if hidden(denied).is_some() => StatusCode::NOT_FOUND,
        E::AccessDenied(_) => StatusCode::FORBIDDEN,
        E::Request(_) | E::Guid(_) => StatusCode::BAD_REQUEST,
        E::Order(_)
        | E::Catalog(_)
        | E::OptionDefinition(_)
        | E::Policy(_)
        | E::Account(_)
        | E::Role(_)
        | E::OrderNotRemovable { .. }
        | E::TransactionNotSupported(..)
        | E::DeliveryNotFailed(_)
        | E::Storage(StorageError::AlreadyExists(_)) => StatusCode::UNPROCESSABLE_ENTITY,
        E::EndpointUnreachable(_) => StatusCode::BAD_GATEWAY,
        E::Storage(StorageError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An order or user the caller may not see or change, as the "does not exist" it is shown as.
fn hidden(denied: &AccessDenied) -> Option<GatewayError> {
    match denied {
        AccessDenied::OrderNotVisible { order, .. } | AccessDenied::NotOrderOwner { order, .. } => {
            Some(GatewayError::not_found("Order", order.as_str()))
        }
        AccessDenied::UserNotVisible { other, .. } => {
            Some(GatewayError::not_found("User", other.as_str()))
        }
        _ => None,
    }
}

/// The message of a body over `--max-body-bytes` (HTTP 413).
pub fn too_large() -> RestError {
    RestError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "the request body is larger than the gateway accepts (--max-body-bytes)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_domain::catalog::CatalogError;

    #[test]
    fn another_users_order_is_named_as_missing() {
        let denied = AccessDenied::OrderNotVisible {
            user: "mallory".into(),
            order: "ABC".into(),
        };
        let error = RestError::from(GatewayError::from(denied));
        assert_eq!(error.status, StatusCode::NOT_FOUND);
        assert_eq!(
            error.messages,
            vec!["Could not find order with guid [ABC].".to_owned()]
        );
    }

    #[test]
    fn statuses() {
        let status = |e: GatewayError| RestError::from(e).status;
        assert_eq!(
            status(GatewayError::TokenNotFound("ab…".into())),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status(CatalogError::Unknown("G1".into()).into()),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status(GatewayError::Internal("secret detail".into())),
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
