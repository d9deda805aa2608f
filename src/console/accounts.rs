//! Account pages (operators): the users, adding providers and users, resetting a password and
//! revoking a user's tokens. The operations check that the caller is an operator.

use std::fmt::Write;

use axum::Form;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::ConsoleState;
use super::failure::ConsoleError;
use super::page::{csrf_field, esc, layout, table};
use super::session::Session;
use crate::app::{accounts, providers};
use crate::error::RequestError;
use echo_domain::account::Role;

#[derive(Deserialize)]
pub struct ProviderForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    password: String,
}

pub async fn list(
    State(state): State<ConsoleState>,
    session: Session,
) -> Result<Html<String>, ConsoleError> {
    accounts_page(&state, &session, None).await
}

async fn accounts_page(
    state: &ConsoleState,
    session: &Session,
    notice: Option<String>,
) -> Result<Html<String>, ConsoleError> {
    let (users, known) = session
        .run(state, move |gateway, caller| {
            let users = accounts::users(gateway, caller, None)?;
            let known = providers::providers(gateway, caller, None)?;
            Ok((users, known))
        })
        .await?;
    let provider_id = |guid: &echo_domain::guid::Guid| {
        known
            .iter()
            .find(|p| &p.guid == guid)
            .map_or_else(|| guid.to_string(), |p| p.id.clone())
    };
    let rows: Vec<Vec<String>> = users
        .iter()
        .map(|u| {
            vec![
                esc(&u.name),
                esc(role_name(u.role)),
                esc(&u.provider.as_ref().map(provider_id).unwrap_or_default()),
                if u.password_hash.is_some() {
                    "yes"
                } else {
                    "no"
                }
                .into(),
            ]
        })
        .collect();
    let mut body = notice
        .map(|n| {
            format!(
                "<p class=\"notice\" role=\"status\" id=\"notice\">{}</p>",
                esc(&n)
            )
        })
        .unwrap_or_default();
    body.push_str(&table(
        "Users",
        &["User", "Role", "Provider", "Password"],
        &rows,
    ));
    body.push_str(&forms(session));
    Ok(layout("Accounts", Some(session), &body))
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Operator => "operator",
        Role::Provider => "provider",
        Role::User => "user",
    }
}

fn forms(session: &Session) -> String {
    let csrf = csrf_field(session);
    let mut html = String::new();
    let _ = write!(
        html,
        "<div class=\"pair\"><form method=\"post\" action=\"/console/accounts/providers\" class=\"card\">\
         <h2>Add a provider</h2>{csrf}\
         <label for=\"provider-id\">Provider ID</label><input id=\"provider-id\" name=\"id\" required>\
         <label for=\"provider-name\">Display name</label><input id=\"provider-name\" name=\"name\">\
         <button type=\"submit\">Add provider</button></form>\
         <form method=\"post\" action=\"/console/accounts/users\" class=\"card\">\
         <h2>Add a user</h2>{csrf}\
         <label for=\"user-name\">User name</label><input id=\"user-name\" name=\"name\" required>\
         <label for=\"user-role\">Role</label><select id=\"user-role\" name=\"role\">\
         <option>user</option><option>provider</option><option>operator</option></select>\
         <label for=\"user-provider\">Provider (for provider staff)</label><input id=\"user-provider\" name=\"provider\">\
         <label for=\"user-password\">Password</label><input id=\"user-password\" name=\"password\" type=\"password\" autocomplete=\"new-password\">\
         <button type=\"submit\">Add user</button></form></div>\
         <div class=\"pair\"><form method=\"post\" action=\"/console/accounts/password\" class=\"card\">\
         <h2>Reset a password</h2>{csrf}\
         <label for=\"reset-name\">User name</label><input id=\"reset-name\" name=\"name\" required>\
         <label for=\"reset-password\">New password</label><input id=\"reset-password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" required>\
         <button type=\"submit\">Reset password</button></form>\
         <form method=\"post\" action=\"/console/accounts/revoke\" class=\"card\">\
         <h2>Revoke a user's tokens</h2>{csrf}\
         <label for=\"revoke-name\">User name</label><input id=\"revoke-name\" name=\"name\" required>\
         <button type=\"submit\">Revoke tokens</button></form></div>"
    );
    html
}

pub async fn add_provider(
    State(state): State<ConsoleState>,
    session: Session,
    Form(form): Form<ProviderForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let new = accounts::NewProvider {
        id: form.id.trim().to_owned(),
        guid: None,
        display_name: Some(form.name.trim().to_owned()).filter(|n| !n.is_empty()),
    };
    let added = session
        .run(&state, move |gateway, caller| {
            accounts::add_provider(gateway, caller, new)
        })
        .await?;
    let notice = format!("Provider {} added ({}).", added.id, added.guid);
    Ok(accounts_page(&state, &session, Some(notice))
        .await?
        .into_response())
}

pub async fn add_user(
    State(state): State<ConsoleState>,
    session: Session,
    Form(form): Form<UserForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let role = form
        .role
        .parse::<Role>()
        .map_err(crate::error::GatewayError::from)?;
    let new = accounts::NewUser {
        name: form.name.trim().to_owned(),
        role,
        provider: Some(form.provider.trim().to_owned()).filter(|p| !p.is_empty()),
        guid: None,
        password: Some(form.password).filter(|p| !p.is_empty()),
    };
    let added = session
        .run(&state, move |gateway, caller| {
            accounts::add_user(gateway, caller, new)
        })
        .await?;
    let notice = format!("User {} added.", added.name);
    Ok(accounts_page(&state, &session, Some(notice))
        .await?
        .into_response())
}

pub async fn reset_password(
    State(state): State<ConsoleState>,
    session: Session,
    Form(form): Form<UserForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    if form.password.is_empty() {
        return Err(ConsoleError::Gateway(
            RequestError::Missing("password".into()).into(),
        ));
    }
    let name = form.name.trim().to_owned();
    let who = name.clone();
    session
        .run(&state, move |gateway, caller| {
            accounts::reset_password(gateway, caller, &name, &form.password)
        })
        .await?;
    let notice = format!("Password of {who} reset.");
    Ok(accounts_page(&state, &session, Some(notice))
        .await?
        .into_response())
}

pub async fn revoke_tokens(
    State(state): State<ConsoleState>,
    session: Session,
    Form(form): Form<UserForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let name = form.name.trim().to_owned();
    let who = name.clone();
    let revoked = session
        .run(&state, move |gateway, caller| {
            accounts::revoke_tokens(gateway, caller, &name)
        })
        .await?;
    let notice = format!("{revoked} token(s) of {who} revoked.");
    Ok(accounts_page(&state, &session, Some(notice))
        .await?
        .into_response())
}
