//! Guest sign-in. ECHO let guests order ("ECHO will enforce that guest users submit the
//! necessary information as well as registered users"), so clients sign in as ECHO's `guest`
//! user with their email address as password. Each sign-in is its own identity: the token
//! owns the orders it creates, and only it (with operators, and provider staff for their
//! part) may read or change them; another guest sign-in, even with the same email, may not.
//! Operators turn guest ordering off with `--guest-orders off`: guest sign-in is refused and
//! guest tokens already issued stop working.

use super::Gateway;
use crate::error::{GatewayError, GatewayResult, RequestError};

/// What a guest sign-in must satisfy (the session itself is opened by `sessions::login`):
/// guest ordering is on, and the password is an email address.
pub(super) fn check_sign_in(gateway: &Gateway, email: &str) -> GatewayResult<()> {
    require_enabled(gateway)?;
    if looks_like_email(email) {
        Ok(())
    } else {
        Err(RequestError::Invalid {
            element: "password".into(),
            value: email.to_owned(),
            expected: "the guest's email address",
        }
        .into())
    }
}

/// Refuses guests while guest ordering is off.
pub(super) fn require_enabled(gateway: &Gateway) -> GatewayResult<()> {
    if gateway.settings.guest_orders {
        Ok(())
    } else {
        Err(GatewayError::GuestOrdersDisabled)
    }
}

/// One `@` between a non-empty local part and a domain with a dot; the ContactAddress Email
/// of the guest's order is what reaches them, so this only catches a forgotten password.
fn looks_like_email(text: &str) -> bool {
    match text.trim().split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_address_is_asked_for() {
        assert!(looks_like_email("Alien.Bobcat@nasa.gov"));
        for wrong in ["", "guest", "@nasa.gov", "a@b", "a@b@c.d"] {
            assert!(!looks_like_email(wrong), "{wrong}");
        }
    }
}
