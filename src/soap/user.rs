//! UserService: GetUserNames.

use super::{Gateway, name_guid_item, result_response};
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::account::{Role, User};
use echo_domain::caller::{AccessDenied, Caller};

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "GetUserNames" => user_names(gateway, op),
        _ => return None,
    })
}

/// Names of the requested users (all visible users when the list is nil). Operators see
/// anyone, provider staff see users who ordered from their provider, users see themselves.
fn user_names(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let users = match Fields::params(op).string_list("userGuids") {
        Some(guids) => guids
            .iter()
            .map(|guid| visible_user(gateway, &caller, guid))
            .collect::<GatewayResult<Vec<User>>>()?,
        None if caller.is_operator() => gateway.store.users()?,
        None => visible_user(gateway, &caller, caller.user_guid.as_str()).map(|u| vec![u])?,
    };
    let items = users
        .iter()
        .map(|u| name_guid_item(&u.name, u.guid.as_str()));
    Ok(result_response(
        "GetUserNames",
        Out::echo("result").children(items),
    ))
}

fn visible_user(gateway: &Gateway, caller: &Caller, guid: &str) -> GatewayResult<User> {
    let user = match gateway.store.user(guid)? {
        Some(user) => user,
        None => gateway
            .store
            .user(&guid.to_uppercase())?
            .ok_or_else(|| GatewayError::not_found("User", guid))?,
    };
    let visible = match caller.role {
        Role::Operator => true,
        _ if user.guid == caller.user_guid => true,
        Role::Provider => match &caller.provider {
            Some(provider) => gateway.store.is_provider_customer(provider, &user.guid)?,
            None => false,
        },
        Role::User => false,
    };
    if visible {
        Ok(user)
    } else {
        Err(AccessDenied::UserNotVisible {
            user: caller.user_name.clone(),
            other: guid.to_owned(),
        }
        .into())
    }
}
