//! UserService over SOAP: decodes GetUserNames, calls [`app::accounts`](crate::app::accounts)
//! and encodes the names.

use super::{Gateway, caller, name_guid_item, result_response};
use crate::app::accounts;
use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "GetUserNames" => user_names(gateway, op),
        _ => return None,
    })
}

/// Names of the requested users (all visible users when the list is nil).
fn user_names(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let guids = Fields::params(op).string_list("userGuids");
    let users = accounts::users(gateway, &caller, guids.as_deref())?;
    let items = users
        .iter()
        .map(|u| name_guid_item(&u.name, u.guid.as_str()));
    Ok(result_response(
        "GetUserNames",
        Out::echo("result").children(items),
    ))
}
