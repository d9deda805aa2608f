//! Sessions: `POST tokens.json` logs in and answers the new token; `GET availability.json`
//! says the service is up (no token needed).

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::body::json as parse_json;
use super::errors::RestResult;
use super::{RawBody, State, answer};
use crate::app::{self, sessions};
use crate::peer::PeerIp;

/// `{"token": {"username", "password", "client_id"?, "user_ip_address"?, "provider"?}}`.
#[derive(Debug, Deserialize)]
struct TokenEnvelope {
    token: TokenRequest,
}

#[derive(Debug, Deserialize)]
struct TokenRequest {
    username: String,
    password: String,
    client_id: Option<String>,
    user_ip_address: Option<String>,
    /// A provider (GUID or short id) the session acts for, as ECHO's `provider` field.
    provider: Option<String>,
}

/// `POST tokens.json`: 201 with `{"token": {"id", "username", "client_id", "user_ip_address"}}`;
/// 401 for a wrong user name or password.
pub async fn create_token(
    state: State,
    PeerIp(source): PeerIp,
    RawBody(body): RawBody,
) -> Response {
    let gateway = Arc::clone(&state.gateway);
    let result: RestResult<_> = async {
        let TokenEnvelope { token: request } = parse_json(&body)?;
        let login = sessions::LoginRequest {
            username: request.username.clone(),
            password: request.password,
            act_as_user: None,
            behalf_of_provider: request.provider.clone(),
            source,
        };
        let token = app::blocking(move || sessions::login(&gateway, &login)).await?;
        Ok((
            StatusCode::CREATED,
            json!({ "token": {
                "id": token,
                "username": request.username,
                "client_id": request.client_id,
                "user_ip_address": request.user_ip_address,
                "provider_id": request.provider,
            }}),
        ))
    }
    .await;
    answer(result)
}

/// `GET availability.json`: `{"availability": {"available": true}}`.
pub async fn availability() -> Response {
    answer(Ok((
        StatusCode::OK,
        json!({ "availability": { "available": true } }),
    )))
}
