//! The gateway's error type. Every failure an operation can meet ends up here; the SOAP
//! adapter turns it into a fault in exactly one place (`soap::fault`).

use crate::credentials::HashError;
use crate::storage::StorageError;
use echo_domain::account::{AccountError, UnknownRole};
use echo_domain::caller::AccessDenied;
use echo_domain::catalog::CatalogError;
use echo_domain::guid::InvalidGuid;
use echo_domain::oms::OmsError;
use echo_domain::option_definition::OptionDefinitionError;
use echo_domain::order::{OrderError, OrderState};
use echo_domain::policy::PolicyError;

#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("Token [{0}] does not exist. Note the token value has been partially redacted.")]
    TokenNotFound(String),
    #[error("Token [{0}] has expired. Note the token value has been partially redacted.")]
    TokenExpired(String),
    #[error("invalid username or password")]
    BadCredentials,
    #[error(transparent)]
    SignIn(#[from] SignInRefused),
    #[error("guest ordering is turned off on this gateway: sign in with an account")]
    GuestOrdersDisabled,
    #[error(transparent)]
    NotFound(#[from] NotFound),
    #[error("connection to the provider endpoint failed: {0}")]
    EndpointUnreachable(String),
    #[error(transparent)]
    AccessDenied(#[from] AccessDenied),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    OptionDefinition(#[from] OptionDefinitionError),
    #[error("order [{order}] cannot be removed while a provider order is {state}")]
    OrderNotRemovable { order: String, state: OrderState },
    #[error("delivery [{0}] has not failed: only failed deliveries can be retried")]
    DeliveryNotFailed(u64),
    #[error("provider [{0}] does not support {1} transactions")]
    TransactionNotSupported(String, &'static str),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Oms(#[from] OmsError),
    #[error(transparent)]
    Role(#[from] UnknownRole),
    #[error(transparent)]
    Guid(#[from] InvalidGuid),
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl GatewayError {
    /// `kind` (e.g. `OrderItem`) with this GUID does not exist.
    pub fn not_found(kind: &'static str, guid: impl Into<String>) -> Self {
        Self::not_found_by(kind, LookupKey::Guid, guid)
    }

    /// `kind` looked up by `key` (its GUID, name or id) does not exist.
    pub fn not_found_by(kind: &'static str, key: LookupKey, value: impl Into<String>) -> Self {
        GatewayError::NotFound(NotFound {
            kind,
            key,
            value: value.into(),
        })
    }
}

/// Something looked up that does not exist, worded as ECHO worded it:
/// `Could not find order with guid [<guid>].`
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("Could not find {} with {} [{value}].", words(kind), key.word())]
pub struct NotFound {
    /// What was looked up, in PascalCase as ECHO names the type: `Order`, `OrderItem`.
    pub kind: &'static str,
    pub key: LookupKey,
    pub value: String,
}

impl NotFound {
    /// The name of the looked-up value as a fault argument: `OrderGuid`, `UserName`.
    pub fn argument(&self) -> String {
        format!("{}{}", self.kind, self.key.name())
    }
}

/// How a missing thing was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKey {
    Guid,
    Name,
    Id,
}

impl LookupKey {
    fn name(self) -> &'static str {
        match self {
            LookupKey::Guid => "Guid",
            LookupKey::Name => "Name",
            LookupKey::Id => "Id",
        }
    }

    fn word(self) -> &'static str {
        match self {
            LookupKey::Guid => "guid",
            LookupKey::Name => "name",
            LookupKey::Id => "id",
        }
    }
}

/// `OrderItem` → `order item`.
fn words(pascal_case: &str) -> String {
    let mut words = String::new();
    for c in pascal_case.chars() {
        if c.is_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.extend(c.to_lowercase());
    }
    words
}

pub type GatewayResult<T> = Result<T, GatewayError>;

/// Why a sign-in was refused before its password was checked (see `app::sign_in_throttle`).
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
pub enum SignInRefused {
    #[error("too many failed sign-ins: wait {seconds} s before the next attempt")]
    Delayed { seconds: u64 },
    #[error("sign-in is locked after too many failed attempts: try again in {seconds} s")]
    Locked { seconds: u64 },
    #[error("too many sign-ins are being checked at once: try again shortly")]
    Busy,
}

/// A request that is not a valid message for its operation, whatever protocol carried it.
/// Adapters produce these while decoding; each protocol maps them to its own errors.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("{detail}")]
    Malformed { kind: Malformed, detail: String },
    #[error("the request body is not UTF-8")]
    NotUtf8,
    #[error("the document is not a SOAP 1.1 or 1.2 Envelope")]
    NotAnEnvelope,
    #[error("the SOAP Body holds no operation element")]
    NoOperation,
    #[error("operation {{{ns}}}{name} is not offered by {service}")]
    UnknownOperation {
        service: String,
        ns: String,
        name: String,
    },
    #[error("no such service endpoint [{0}]")]
    UnknownService(String),
    #[error("required element [{0}] is missing")]
    Missing(String),
    #[error("element [{element}] has the invalid value [{value}]: expected {expected}")]
    Invalid {
        element: String,
        value: String,
        expected: &'static str,
    },
}

/// Why a body could not be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// Not well-formed (or an undefined entity, or no root).
    Syntax,
    /// A DOCTYPE declaration, never processed.
    Doctype,
    /// Deeper or larger than the configured bounds.
    TooComplex,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_reads_as_echo_wrote_it() {
        let missing = NotFound {
            kind: "Order",
            key: LookupKey::Guid,
            value: "B5E0F9B4-0000-0000-0000-000000000000".into(),
        };
        assert_eq!(
            missing.to_string(),
            "Could not find order with guid [B5E0F9B4-0000-0000-0000-000000000000]."
        );
        assert_eq!(missing.argument(), "OrderGuid");
        let user = GatewayError::not_found_by("OrderItem", LookupKey::Name, "x");
        assert_eq!(user.to_string(), "Could not find order item with name [x].");
    }
}
