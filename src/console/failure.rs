//! The one place a console request's failure becomes an HTTP answer: a page that says what
//! went wrong with the matching status (a missing session is `session::SignedOut`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::page;
use super::session::CsrfRefused;
use crate::error::GatewayError;

#[derive(Debug)]
pub enum ConsoleError {
    /// A state-changing request without this session's CSRF token.
    Csrf,
    /// An operation refused or failed.
    Gateway(GatewayError),
    /// A live list asked for while as many are open as allowed.
    TooManyStreams,
}

impl From<GatewayError> for ConsoleError {
    fn from(error: GatewayError) -> Self {
        ConsoleError::Gateway(error)
    }
}

impl From<CsrfRefused> for ConsoleError {
    fn from(_: CsrfRefused) -> Self {
        ConsoleError::Csrf
    }
}

impl ConsoleError {
    /// The HTTP status and the sentence the page shows.
    pub fn status_and_message(&self) -> (StatusCode, String) {
        match self {
            ConsoleError::Csrf => (
                StatusCode::FORBIDDEN,
                "The form was not sent from a console page of this session (missing or wrong \
                 CSRF token). Reload the page and try again."
                    .to_owned(),
            ),
            ConsoleError::Gateway(error) => (status_of(error), message_of(error)),
            ConsoleError::TooManyStreams => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many live lists are open; close a few console tabs and reload.".to_owned(),
            ),
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, message) = self.status_and_message();
        let title = status.canonical_reason().unwrap_or("Error");
        let body = format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            page::esc(&message)
        );
        (status, page::layout(title, None, &body)).into_response()
    }
}

fn status_of(error: &GatewayError) -> StatusCode {
    match error {
        GatewayError::AccessDenied(_) => StatusCode::FORBIDDEN,
        GatewayError::NotFound { .. } => StatusCode::NOT_FOUND,
        GatewayError::TokenNotFound(_)
        | GatewayError::TokenExpired(_)
        | GatewayError::BadCredentials => StatusCode::UNAUTHORIZED,
        GatewayError::Storage(_) | GatewayError::Hash(_) | GatewayError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
        GatewayError::EndpointUnreachable(_) => StatusCode::BAD_GATEWAY,
        // The gateway-wide sign-in throttle refused before any password was checked.
        GatewayError::SignIn(_) => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// What the page says: the error itself, except internal details, which go to the log.
fn message_of(error: &GatewayError) -> String {
    if status_of(error) == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(%error, "console request failed");
        return "The gateway could not complete the request; the server log has the details."
            .to_owned();
    }
    match error {
        GatewayError::BadCredentials => "Wrong user name or password.".to_owned(),
        GatewayError::SignIn(refused) => format!("Sign-in refused: {refused}."),
        _ => error.to_string(),
    }
}
