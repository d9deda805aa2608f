//! The gateway's error type. Every failure an operation can meet ends up here; the wire layer
//! turns it into a SOAP fault in exactly one place (`wire::fault`).

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
    #[error("{kind} [{id}] does not exist")]
    NotFound { kind: &'static str, id: String },
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
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        GatewayError::NotFound {
            kind,
            id: id.into(),
        }
    }
}

pub type GatewayResult<T> = Result<T, GatewayError>;

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
