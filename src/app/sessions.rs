//! Sessions: logging in with a password (or as a guest, see [`super::guests`]), logging
//! out, switching a session to act for one provider, and issuing tokens to users without a
//! password (operators only). A session is a random token whose SHA-256 digest is stored with
//! the user (or guest sign-in) and an expiry. Password sign-ins pass the throttle
//! (`sign_in_throttle`) before any hashing, and hash on `password_checks`.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Duration;

use super::Gateway;
use super::guests;
use crate::credentials;
use crate::error::{GatewayError, GatewayResult, LookupKey};
use crate::storage::StoredToken;
use echo_domain::account::{GUEST_USER_NAME, User};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;

/// A login as a client sends it; blank optional fields are `None`.
#[derive(Debug, Clone)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// Another user the session acts as (operators only).
    pub act_as_user: Option<String>,
    /// A provider, by GUID or short ID, the session acts for.
    pub behalf_of_provider: Option<String>,
    /// The client's network address, throttled as well as the account; `None` for local
    /// callers.
    pub source: Option<IpAddr>,
}

/// Checks the password and opens a session; returns its token. User `guest` signs a guest
/// in instead (see [`super::guests`]).
pub fn login(gateway: &Gateway, request: &LoginRequest) -> GatewayResult<String> {
    if request.username == GUEST_USER_NAME {
        guests::check_sign_in(gateway, &request.password)?;
        let lifetime = gateway.settings.token_lifetime;
        return store_token(gateway, Guid::random(), None, lifetime, true);
    }
    let attempt = gateway
        .sign_in_throttle
        .begin(&request.username, request.source)?;
    let user = match check_password(gateway, &request.username, &request.password) {
        Ok(user) => {
            attempt.succeeded();
            user
        }
        Err(GatewayError::BadCredentials) => {
            attempt.failed();
            return Err(GatewayError::BadCredentials);
        }
        Err(other) => return Err(other),
    };
    let caller = Caller::of(&user, None);
    let acting_user = match &request.act_as_user {
        Some(other) => {
            caller.require_operator()?;
            gateway
                .store
                .user_by_name(other)?
                .ok_or_else(|| GatewayError::not_found_by("User", LookupKey::Name, other))?
        }
        None => user,
    };
    let acting_provider = acting_provider(gateway, &caller, request.behalf_of_provider.as_deref())?;
    issue(
        gateway,
        &acting_user,
        acting_provider,
        gateway.settings.token_lifetime,
    )
}

/// Ends the session of `token`.
pub fn logout(gateway: &Gateway, token: &str) -> GatewayResult<()> {
    if gateway
        .store
        .remove_token(&credentials::token_digest(token))?
    {
        Ok(())
    } else {
        Err(GatewayError::TokenNotFound(credentials::redact(token)))
    }
}

/// A new token for the caller's user acting for `provider` (GUID or short ID).
pub fn provider_context_token(
    gateway: &Gateway,
    caller: &Caller,
    provider: &str,
) -> GatewayResult<String> {
    let acting_provider = acting_provider(gateway, caller, Some(provider))?;
    let user = gateway
        .store
        .user(caller.user_guid.as_str())?
        .ok_or_else(|| GatewayError::not_found("User", caller.user_guid.to_string()))?;
    issue(
        gateway,
        &user,
        acting_provider,
        gateway.settings.token_lifetime,
    )
}

/// A token for the user named `name`, valid for `lifetime` (operators only: for accounts that
/// have no password, and for scripts).
pub fn issue_token(
    gateway: &Gateway,
    caller: &Caller,
    name: &str,
    lifetime: Duration,
) -> GatewayResult<String> {
    caller.require_operator()?;
    let user = gateway
        .store
        .user_by_name(name)?
        .ok_or_else(|| GatewayError::not_found_by("User", LookupKey::Name, name))?;
    issue(gateway, &user, None, lifetime)
}

/// Resolves the provider a session is to act for and checks the caller may act for it.
fn acting_provider(
    gateway: &Gateway,
    caller: &Caller,
    wanted: Option<&str>,
) -> GatewayResult<Option<Guid>> {
    let Some(wanted) = wanted else {
        return Ok(None);
    };
    let provider = gateway.find_provider(wanted)?;
    caller.require_provider_access(&provider.guid)?;
    Ok(Some(provider.guid))
}

/// Stores a new token for `user`, optionally acting for one provider; only its digest is kept.
fn issue(
    gateway: &Gateway,
    user: &User,
    acting_provider: Option<Guid>,
    lifetime: Duration,
) -> GatewayResult<String> {
    store_token(gateway, user.guid.clone(), acting_provider, lifetime, false)
}

/// Stores a new token standing for `subject` (a user, or a guest sign-in) and returns it.
fn store_token(
    gateway: &Gateway,
    subject: Guid,
    acting_provider: Option<Guid>,
    lifetime: Duration,
    guest: bool,
) -> GatewayResult<String> {
    let token = credentials::new_token();
    let lifetime_seconds = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
    let stored = StoredToken {
        user: subject,
        acting_provider,
        expires: Timestamp::now().plus_seconds(lifetime_seconds),
        guest,
    };
    gateway
        .store
        .put_token(&credentials::token_digest(&token), &stored)?;
    Ok(token)
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
    let verified = gateway.password_checks.verify(password, hash)?;
    match user {
        Some(user) if verified && user.password_hash.is_some() => Ok(user),
        _ => Err(GatewayError::BadCredentials),
    }
}
