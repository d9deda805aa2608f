//! AuthenticationService over SOAP: decodes Login, Logout and GetProviderContextToken, calls
//! [`app::sessions`](crate::app::sessions) and encodes the tokens.

use std::net::IpAddr;

use super::{Gateway, caller, response, result_response};
use crate::app::sessions::{self, LoginRequest};
use crate::error::GatewayResult;
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;

pub fn handle(
    gateway: &Gateway,
    name: &str,
    op: &Element,
    client: Option<IpAddr>,
) -> Option<GatewayResult<Out>> {
    Some(match name {
        "Login" => login(gateway, op, client),
        "Logout" => logout(gateway, op),
        "GetProviderContextToken" => provider_context_token(gateway, op),
        _ => return None,
    })
}

fn login(gateway: &Gateway, op: &Element, client: Option<IpAddr>) -> GatewayResult<Out> {
    let params = Fields::params(op);
    let request = LoginRequest {
        username: params.required_text("username")?.to_owned(),
        password: params.text("password").unwrap_or_default().to_owned(),
        act_as_user: non_blank(params, "actAsUserName"),
        behalf_of_provider: non_blank(params, "behalfOfProvider"),
        source: client,
    };
    let token = sessions::login(gateway, &request)?;
    Ok(result_response("Login", Out::echo("result").text(token)))
}

fn logout(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    sessions::logout(gateway, Fields::params(op).required_text("token")?)?;
    Ok(response("Logout"))
}

fn provider_context_token(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let params = Fields::params(op);
    let provider = params.required_text("behalfOfProvider")?;
    let token = sessions::provider_context_token(gateway, &caller, provider)?;
    Ok(result_response(
        "GetProviderContextToken",
        Out::echo("result").text(token),
    ))
}

/// The trimmed text of an optional parameter; blank counts as absent, as ECHO clients send
/// empty elements for options they do not use.
fn non_blank(params: Fields<'_>, name: &str) -> Option<String> {
    params
        .text(name)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
