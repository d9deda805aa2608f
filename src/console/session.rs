//! Console sessions. Signing in opens an ordinary gateway session (`app::sessions::login`);
//! its token is the value of an `HttpOnly`, `SameSite=Strict` cookie (`Secure` over HTTPS), so
//! it expires, and is revoked, like any token. Each page resolves the cookie to the `Caller`
//! through `Gateway::authenticate`. The CSRF token is derived from the session token, so a
//! page can embed it and a forged request from another site cannot know it.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};

use axum::response::{IntoResponse, Redirect, Response};

use super::ConsoleState;
use crate::app::{self, Gateway};
use crate::credentials;
use crate::error::GatewayResult;
use crate::tls::Scheme;
use echo_domain::caller::Caller;

const COOKIE: &str = "echo_console";

/// A signed-in console user.
pub struct Session {
    pub caller: Caller,
    pub token: String,
    pub csrf: String,
}

impl Session {
    /// Runs an application operation as this session's caller, on the blocking pool.
    pub async fn run<T: Send + 'static>(
        &self,
        state: &ConsoleState,
        operation: impl FnOnce(&Gateway, &Caller) -> GatewayResult<T> + Send + 'static,
    ) -> GatewayResult<T> {
        let gateway = Arc::clone(&state.gateway);
        let caller = self.caller.clone();
        app::blocking(move || operation(&gateway, &caller)).await
    }

    /// Refuses a state-changing request whose form did not carry this session's CSRF token.
    pub fn check_csrf(&self, sent: &str) -> Result<(), CsrfRefused> {
        let matches = sent.len() == self.csrf.len()
            && sent
                .bytes()
                .zip(self.csrf.bytes())
                .fold(0u8, |diff, (a, b)| diff | (a ^ b))
                == 0;
        if matches { Ok(()) } else { Err(CsrfRefused) }
    }
}

/// A state-changing request without this session's CSRF token.
#[derive(Debug)]
pub struct CsrfRefused;

/// A request without a valid session: it is sent to the sign-in page.
#[derive(Debug)]
pub struct SignedOut;

impl IntoResponse for SignedOut {
    fn into_response(self) -> Response {
        Redirect::to("/console/sign-in").into_response()
    }
}

/// The CSRF token of a session token: a digest of it under its own label.
fn csrf_of(token: &str) -> String {
    credentials::token_digest(&format!("console-csrf:{token}"))
}

impl FromRequestParts<ConsoleState> for Session {
    type Rejection = SignedOut;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &ConsoleState,
    ) -> Result<Session, SignedOut> {
        let token = cookie(&parts.headers).ok_or(SignedOut)?;
        Session::resume(state, token).await
    }
}

impl Session {
    /// The session of `token` as it is now: a signed-out, expired or revoked one is gone.
    pub async fn resume(state: &ConsoleState, token: String) -> Result<Session, SignedOut> {
        let gateway = Arc::clone(&state.gateway);
        let lookup = token.clone();
        let caller = app::blocking(move || gateway.authenticate(&lookup))
            .await
            .map_err(|_| SignedOut)?;
        let csrf = csrf_of(&token);
        Ok(Session {
            caller,
            token,
            csrf,
        })
    }
}

/// The session token in the request's cookies.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic()))
}

/// The `Set-Cookie` value that opens a session for `lifetime_seconds`.
pub fn opening_cookie(token: &str, lifetime_seconds: u64, scheme: Option<Scheme>) -> HeaderValue {
    cookie_header(token, lifetime_seconds, scheme)
}

/// The `Set-Cookie` value that ends the session in the browser.
pub fn closing_cookie(scheme: Option<Scheme>) -> HeaderValue {
    cookie_header("", 0, scheme)
}

fn cookie_header(value: &str, max_age: u64, scheme: Option<Scheme>) -> HeaderValue {
    let secure = match scheme {
        Some(Scheme("http")) => "",
        _ => "; Secure",
    };
    let text = format!(
        "{COOKIE}={value}; Path=/console; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_strict_and_secure_over_https() {
        let https = opening_cookie("abc", 60, Some(Scheme("https")));
        let text = https.to_str().expect("ASCII");
        assert!(text.contains("HttpOnly") && text.contains("SameSite=Strict"));
        assert!(text.contains("Secure"));
        let http = opening_cookie("abc", 60, Some(Scheme("http")));
        assert!(!http.to_str().expect("ASCII").contains("Secure"));
    }

    #[test]
    fn the_csrf_token_depends_on_the_session() {
        assert_ne!(csrf_of("one"), csrf_of("two"));
        let session = Session {
            caller: Caller::local_operator(),
            token: "one".into(),
            csrf: csrf_of("one"),
        };
        assert!(session.check_csrf(&csrf_of("one")).is_ok());
        assert!(session.check_csrf("").is_err());
        assert!(session.check_csrf(&csrf_of("two")).is_err());
    }
}
