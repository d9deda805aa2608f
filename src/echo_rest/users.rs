//! Users: `users/current.json`, `users/<id>.json`, their preferences (general contact and
//! order notification level) and the phones of their general contact. A user sees their own;
//! operators anyone's (and user records as SOAP's GetUserNames shows them).

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use super::body::path_id;
use super::contacts::{ContactJson, contact_json, phone_json};
use super::{RawBody, State, answer, as_caller, with_json};
use crate::app::{accounts, preferences};
use crate::error::GatewayError;
use echo_domain::account::User;
use echo_domain::preferences::Preferences;

/// `{"preferences": {"general_contact"?, "order_notification_level"?}}`.
#[derive(Debug, Deserialize)]
struct PreferencesEnvelope {
    preferences: PreferencesRequest,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PreferencesRequest {
    general_contact: Option<ContactJson>,
    order_notification_level: Option<String>,
}

/// `GET users/current.json`: the caller.
pub async fn current(state: State, headers: HeaderMap) -> Response {
    user_answer(state, headers, None).await
}

/// `GET users/<id>.json`.
pub async fn show(state: State, headers: HeaderMap, Path(id): Path<String>) -> Response {
    user_answer(state, headers, Some(path_id(&id).to_owned())).await
}

/// `GET users/<id>/preferences.json`: 404 until preferences were PUT.
pub async fn preferences(state: State, headers: HeaderMap, Path(id): Path<String>) -> Response {
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            preferences::get(gateway, caller, &id)?
                .ok_or_else(|| GatewayError::not_found("Preferences of user", id.as_str()))
        })
        .await
        .map(|stored| (StatusCode::OK, preferences_json(&stored))),
    )
}

/// `PUT users/<id>/preferences.json`: 200 with the preferences as stored.
pub async fn set_preferences(
    state: State,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Response {
    let stored = with_json(&state, &headers, &body, move |gateway, caller, request| {
        let PreferencesEnvelope { preferences: sent } = request;
        let wanted = Preferences {
            general_contact: sent.general_contact.map(ContactJson::into_contact),
            order_notification_level: sent.order_notification_level,
        };
        preferences::put(gateway, caller, &id, wanted)
    })
    .await;
    answer(stored.map(|stored| (StatusCode::OK, preferences_json(&stored))))
}

/// `GET users/<id>/phones.json`: a list of `{"phone": {…}}` (empty without preferences).
pub async fn phones(state: State, headers: HeaderMap, Path(id): Path<String>) -> Response {
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            preferences::get(gateway, caller, &id)
        })
        .await
        .map(|stored| {
            let phones = stored
                .and_then(|p| p.general_contact)
                .map(|c| c.phones)
                .unwrap_or_default();
            let list = phones.iter().map(|p| json!({ "phone": phone_json(p) }));
            (StatusCode::OK, Value::Array(list.collect()))
        }),
    )
}

/// `{"user": {"id", "username", "user_domain", "user_region", …}}` of `id` (the caller
/// when `None`). Domain and region are not kept per user: they are null.
async fn user_answer(state: State, headers: HeaderMap, id: Option<String>) -> Response {
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            let id = id.unwrap_or_else(|| caller.user_guid.to_string());
            let mut users = accounts::users(gateway, caller, Some(std::slice::from_ref(&id)))?;
            users
                .pop()
                .ok_or_else(|| GatewayError::not_found("User", id.as_str()))
        })
        .await
        .map(|user| (StatusCode::OK, user_json(&user))),
    )
}

fn user_json(user: &User) -> Value {
    json!({ "user": {
        "id": user.guid,
        "username": user.name,
        "user_domain": null,
        "user_region": null,
        "role": user.role,
        "provider_guid": user.provider,
        "created_at": user.created.to_echo_string(),
    }})
}

fn preferences_json(preferences: &Preferences) -> Value {
    json!({ "preferences": {
        "general_contact": preferences.general_contact.as_ref().map(contact_json),
        "order_notification_level": preferences.order_notification_level,
    }})
}
