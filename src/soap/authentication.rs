//! AuthenticationService: Login, Logout and GetProviderContextToken.

use std::sync::OnceLock;

use super::{Gateway, response, result_response};
use crate::app::guests;
use crate::credentials;
use crate::error::{GatewayError, GatewayResult, LookupKey};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::account::{GUEST_USER_NAME, User};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "Login" => login(gateway, op),
        "Logout" => logout(gateway, op),
        "GetProviderContextToken" => provider_context_token(gateway, op),
        _ => return None,
    })
}

fn login(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let params = Fields::params(op);
    let username = params.required_text("username")?;
    let password = params.text("password").unwrap_or_default();
    if username == GUEST_USER_NAME {
        let token = guests::sign_in(gateway, password)?;
        return Ok(result_response("Login", Out::echo("result").text(token)));
    }
    let user = check_password(gateway, username, password)?;
    let caller = Caller::of(&user, None);
    let acting_user = match params
        .text("actAsUserName")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(other) => {
            caller.require_operator()?;
            gateway
                .store
                .user_by_name(other)?
                .ok_or_else(|| GatewayError::not_found_by("User", LookupKey::Name, other))?
        }
        None => user,
    };
    let acting_provider = behalf_of_provider(gateway, &caller, params)?;
    let token = gateway.issue_token(
        &acting_user,
        acting_provider,
        gateway.settings.token_lifetime,
    )?;
    Ok(result_response("Login", Out::echo("result").text(token)))
}

fn logout(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let token = Fields::params(op).required_text("token")?;
    if !gateway
        .store
        .remove_token(&credentials::token_digest(token))?
    {
        return Err(GatewayError::TokenNotFound(credentials::redact(token)));
    }
    Ok(response("Logout"))
}

fn provider_context_token(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let params = Fields::params(op);
    params.required_text("behalfOfProvider")?;
    let acting_provider = behalf_of_provider(gateway, &caller, params)?;
    let user = gateway
        .store
        .user(caller.user_guid.as_str())?
        .ok_or_else(|| GatewayError::not_found("User", caller.user_guid.to_string()))?;
    let token = gateway.issue_token(&user, acting_provider, gateway.settings.token_lifetime)?;
    Ok(result_response(
        "GetProviderContextToken",
        Out::echo("result").text(token),
    ))
}

/// Resolves `behalfOfProvider` and checks the caller may act for it.
fn behalf_of_provider(
    gateway: &Gateway,
    caller: &Caller,
    params: Fields<'_>,
) -> GatewayResult<Option<Guid>> {
    let Some(wanted) = params
        .text("behalfOfProvider")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok(None);
    };
    let provider = gateway.find_provider(wanted)?;
    caller.require_provider_access(&provider.guid)?;
    Ok(Some(provider.guid))
}

/// Verifies a password. Unknown users cost the same hashing work as known ones, so timing
/// does not reveal which user names exist.
fn check_password(gateway: &Gateway, username: &str, password: &str) -> GatewayResult<User> {
    static DECOY: OnceLock<String> = OnceLock::new();
    let user = gateway.store.user_by_name(username)?;
    let hash = match user.as_ref().and_then(|u| u.password_hash.as_deref()) {
        Some(hash) => hash,
        None => DECOY.get_or_init(|| credentials::hash_password("decoy").unwrap_or_default()),
    };
    let verified = credentials::verify_password(password, hash);
    match user {
        Some(user) if verified && user.password_hash.is_some() => Ok(user),
        _ => Err(GatewayError::BadCredentials),
    }
}
