//! The gateway's error type. Every failure an operation can meet ends up here; the wire layer
//! turns it into a SOAP fault in exactly one place (`wire::fault`).

use crate::credentials::HashError;
use crate::storage::StorageError;
use crate::wire::message::MessageError;
use echo_domain::account::{AccountError, UnknownRole};
use echo_domain::caller::AccessDenied;
use echo_domain::catalog::CatalogError;
use echo_domain::guid::InvalidGuid;
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
    Message(#[from] MessageError),
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
