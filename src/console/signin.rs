//! Signing in and out. The password is checked by `app::sessions::login` (the same Argon2
//! hashes as every other way in), which also throttles failures per account and per address
//! (`app::sign_in_throttle`; its refusal is a 429 page, `failure`); nothing is logged with the
//! password.

use axum::Form;
use axum::extract::State;
use axum::http::{Extensions, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::ConsoleState;
use super::failure::ConsoleError;
use super::page::{esc, layout};
use super::session::{Session, closing_cookie, opening_cookie};
use crate::app::{self, sessions};
use crate::peer::PeerIp;
use crate::tls::Scheme;

#[derive(Deserialize)]
pub struct Credentials {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub csrf: String,
}

pub async fn form() -> Response {
    sign_in_page(StatusCode::OK, "", None)
}

pub async fn submit(
    State(state): State<ConsoleState>,
    PeerIp(address): PeerIp,
    extensions: Extensions,
    Form(credentials): Form<Credentials>,
) -> Response {
    let username = credentials.username.trim().to_owned();
    let request = sessions::LoginRequest {
        username: username.clone(),
        password: credentials.password,
        act_as_user: None,
        behalf_of_provider: None,
        source: address,
    };
    let gateway = state.gateway.clone();
    let lifetime = gateway.settings.token_lifetime.as_secs();
    match app::blocking(move || sessions::login(&gateway, &request)).await {
        Ok(token) => {
            let cookie = opening_cookie(&token, lifetime, extensions.get::<Scheme>().copied());
            let mut response = Redirect::to("/console/").into_response();
            response.headers_mut().insert(header::SET_COOKIE, cookie);
            response
        }
        Err(error) => {
            tracing::info!(user = %username, "console sign-in refused");
            let (status, message) = ConsoleError::from(error).status_and_message();
            sign_in_page(status, &username, Some(&message))
        }
    }
}

pub async fn sign_out(
    State(state): State<ConsoleState>,
    extensions: Extensions,
    session: Session,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let gateway = state.gateway.clone();
    let token = session.token.clone();
    app::blocking(move || sessions::logout(&gateway, &token)).await?;
    let mut response = Redirect::to("/console/sign-in").into_response();
    let cookie = closing_cookie(extensions.get::<Scheme>().copied());
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    Ok(response)
}

fn sign_in_page(status: StatusCode, username: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" id=\"sign-in-error\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default();
    let body = format!(
        r#"{error}<form method="post" action="/console/sign-in" class="card narrow">
<label for="username">User name</label>
<input id="username" name="username" autocomplete="username" required value="{username}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="hint">The first operator account is created on the server with
<code>echo-gateway user add NAME --role operator --password-stdin</code>.</p>"#,
        username = esc(username)
    );
    (status, layout("Sign in", None, &body)).into_response()
}
