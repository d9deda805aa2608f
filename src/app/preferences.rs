//! Users' ordering preferences: the general contact and the order notification level. A user
//! reads and writes their own; operators anyone's. Nobody else learns whether a user has any.

use super::Gateway;
use crate::error::{GatewayError, GatewayResult};
use echo_domain::caller::{AccessDenied, Caller};
use echo_domain::guid::Guid;
use echo_domain::preferences::Preferences;

/// The stored preferences of user `user` (a GUID as sent), `None` when none were set.
pub fn get(gateway: &Gateway, caller: &Caller, user: &str) -> GatewayResult<Option<Preferences>> {
    let guid = own_user(gateway, caller, user)?;
    Ok(gateway.store.preferences(&guid)?)
}

/// Replaces the preferences of user `user`; contacts, addresses and phones without a GUID
/// get one, as order contacts do. Returns them as stored.
pub fn put(
    gateway: &Gateway,
    caller: &Caller,
    user: &str,
    mut preferences: Preferences,
) -> GatewayResult<Preferences> {
    let guid = own_user(gateway, caller, user)?;
    if let Some(contact) = &mut preferences.general_contact {
        contact.assign_missing_guids();
    }
    gateway.store.put_preferences(&guid, &preferences)?;
    Ok(preferences)
}

/// The GUID of user `user` when the caller is that user or an operator.
fn own_user(gateway: &Gateway, caller: &Caller, user: &str) -> GatewayResult<Guid> {
    if caller.user_guid.as_str().eq_ignore_ascii_case(user) {
        return Ok(caller.user_guid.clone());
    }
    if !caller.is_operator() {
        return Err(AccessDenied::UserNotVisible {
            user: caller.user_name.clone(),
            other: user.to_owned(),
        }
        .into());
    }
    let found = match gateway.store.user(user)? {
        Some(found) => Some(found),
        None => gateway.store.user(&user.to_uppercase())?,
    };
    found
        .map(|u| u.guid)
        .ok_or_else(|| GatewayError::not_found("User", user))
}
