//! The one place a `GatewayError` becomes an Ordering API error: `{"error": "..."}` with 400,
//! 401, 403, 404, 409 or 422; 503 when storage refuses writes (a full disk), as the REST API
//! answers; 500 without detail for the gateway's own failures.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{GatewayError, RequestError};
use crate::storage::StorageError;
use echo_domain::oms::OmsError;

/// An error answered in the API's shape.
pub struct ApiError(pub GatewayError);

impl From<GatewayError> for ApiError {
    fn from(error: GatewayError) -> Self {
        ApiError(error)
    }
}

impl From<RequestError> for ApiError {
    fn from(error: RequestError) -> Self {
        ApiError(error.into())
    }
}

/// A bad request with a message of its own.
pub fn bad_request(field: &str, value: &str, expected: &'static str) -> ApiError {
    ApiError(
        RequestError::Invalid {
            element: field.to_owned(),
            value: value.chars().take(100).collect(),
            expected,
        }
        .into(),
    )
}

fn status(error: &GatewayError) -> StatusCode {
    match error {
        GatewayError::TokenNotFound(_)
        | GatewayError::TokenExpired(_)
        | GatewayError::BadCredentials => StatusCode::UNAUTHORIZED,
        GatewayError::SignIn(_) => StatusCode::TOO_MANY_REQUESTS,
        GatewayError::AccessDenied(_) | GatewayError::GuestOrdersDisabled => StatusCode::FORBIDDEN,
        GatewayError::Oms(OmsError::StatusNotApplicable { .. }) => StatusCode::CONFLICT,
        GatewayError::Oms(
            OmsError::NotAdministered(_)
            | OmsError::NoRole { .. }
            | OmsError::NotPrimary { .. }
            | OmsError::MessageNotAllowed { .. },
        ) => StatusCode::FORBIDDEN,
        GatewayError::NotFound { .. } => StatusCode::NOT_FOUND,
        GatewayError::Order(_)
        | GatewayError::OrderNotRemovable { .. }
        | GatewayError::TransactionNotSupported(..)
        | GatewayError::DeliveryNotFailed(_)
        | GatewayError::Storage(StorageError::AlreadyExists(_)) => StatusCode::CONFLICT,
        GatewayError::Policy(_)
        | GatewayError::Catalog(_)
        | GatewayError::OptionDefinition(_)
        | GatewayError::EndpointUnreachable(_) => StatusCode::UNPROCESSABLE_ENTITY,
        GatewayError::Request(_)
        | GatewayError::Oms(_)
        | GatewayError::Account(_)
        | GatewayError::Role(_)
        | GatewayError::Guid(_) => StatusCode::BAD_REQUEST,
        GatewayError::Storage(StorageError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
        GatewayError::Storage(_) | GatewayError::Hash(_) | GatewayError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status(&self.0);
        let message = match status {
            StatusCode::SERVICE_UNAVAILABLE => {
                tracing::error!(error = %self.0, "ordering API request failed");
                "the gateway cannot store changes now; nothing was changed; try again later"
                    .to_owned()
            }
            StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!(error = %self.0, "ordering API request failed");
                "the gateway could not complete the request".to_owned()
            }
            _ => self.0.to_string(),
        };
        (status, Json(json!({ "error": message }))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disk_refusing_writes_is_503_with_no_detail() {
        let error = GatewayError::Storage(StorageError::Unavailable("/data/x: EFBIG".into()));
        let response = ApiError(error).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
