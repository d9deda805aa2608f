//! Services: the ECHO operations. Each service file decodes its operations' parameters, checks
//! who is calling, applies the domain rules, persists through `storage` and encodes the
//! response. [`dispatch`] routes a parsed operation element to its handler.

pub mod authentication;
pub mod catalog;
pub mod data_management;
pub mod deliveries;
pub mod option_definitions;
pub mod option_selections;
pub mod order_codec;
pub mod order_management;
pub mod order_processing;
pub mod provider;
pub mod relay;
pub mod user;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::credentials;
use crate::error::{GatewayError, GatewayResult};
use crate::storage::{Store, StoredToken};
use crate::wire::ECHO_NS;
use crate::wire::message::{Fields, MessageError};
use crate::wire::writer::Out;
use crate::wire::xml::Element;
use echo_domain::account::{Provider, User};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::timestamp::Timestamp;
use echo_forms::FormCache;

/// The SOAP services the gateway offers, by endpoint name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Authentication,
    User,
    Provider,
    DataManagement,
    OrderManagement,
    OrderProcessing,
}

impl Service {
    pub const ALL: [Service; 6] = [
        Service::Authentication,
        Service::User,
        Service::Provider,
        Service::DataManagement,
        Service::OrderManagement,
        Service::OrderProcessing,
    ];

    /// The name used in endpoint paths and WSDL file names (`ProviderService`).
    pub fn name(self) -> &'static str {
        match self {
            Service::Authentication => "AuthenticationService",
            Service::User => "UserService",
            Service::Provider => "ProviderService",
            Service::DataManagement => "DataManagementService",
            Service::OrderManagement => "OrderManagementService",
            Service::OrderProcessing => "OrderProcessingService",
        }
    }

    /// The service whose endpoint is `/echo-v10/<port>`, e.g. `ProviderServicePortImpl`.
    pub fn from_port(port: &str) -> Option<Service> {
        let name = port.strip_suffix("PortImpl")?;
        Service::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// Settings the services need.
#[derive(Debug, Clone)]
pub struct ServiceSettings {
    pub token_lifetime: Duration,
    pub endpoint_test_timeout: Duration,
    /// How long an inbound OrderFulfillment caller waits for the partner before POSTPONED.
    pub relay_wait: Duration,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            token_lifetime: Duration::from_secs(24 * 3600),
            endpoint_test_timeout: Duration::from_secs(10),
            relay_wait: Duration::from_secs(10),
        }
    }
}

/// Everything an operation works with.
pub struct Gateway {
    pub store: Arc<Store>,
    pub settings: ServiceSettings,
    /// Compiled option-definition forms, by definition GUID.
    pub forms: FormCache,
    /// Woken when durable background work (see `maintenance`) has been queued.
    pub maintenance: Notify,
    /// Woken when deliveries to partners have been queued (see `delivery::worker`).
    pub deliveries: Notify,
}

impl Gateway {
    pub fn new(store: Arc<Store>, settings: ServiceSettings) -> Gateway {
        Gateway {
            store,
            settings,
            forms: FormCache::new(),
            maintenance: Notify::new(),
            deliveries: Notify::new(),
        }
    }

    /// Resolves a request's token to the caller it stands for.
    pub fn authenticate(&self, token: &str) -> GatewayResult<Caller> {
        let redacted = credentials::redact(token);
        let stored = self
            .store
            .token(&credentials::token_digest(token))?
            .ok_or_else(|| GatewayError::TokenNotFound(redacted.clone()))?;
        if stored.expires <= Timestamp::now() {
            return Err(GatewayError::TokenExpired(redacted));
        }
        let user = self
            .store
            .user(stored.user.as_str())?
            .ok_or(GatewayError::TokenNotFound(redacted))?;
        Ok(Caller::of(&user, stored.acting_provider))
    }

    /// Reads and checks the `token` parameter every operation starts with.
    pub fn caller(&self, operation: &Element) -> GatewayResult<Caller> {
        let token = Fields::params(operation).required_text("token")?;
        self.authenticate(token)
    }

    /// Issues a new token for `user`, optionally acting for one provider.
    pub fn issue_token(
        &self,
        user: &User,
        acting_provider: Option<Guid>,
        lifetime: Duration,
    ) -> GatewayResult<String> {
        let token = credentials::new_token();
        let lifetime_seconds = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        let stored = StoredToken {
            user: user.guid.clone(),
            acting_provider,
            expires: Timestamp::now().plus_seconds(lifetime_seconds),
        };
        self.store
            .put_token(&credentials::token_digest(&token), &stored)?;
        Ok(token)
    }

    /// Finds a provider by GUID, or by its short ID as ECHO clients also send.
    pub fn find_provider(&self, guid_or_id: &str) -> GatewayResult<Provider> {
        let found = match self.store.provider(&guid_or_id.to_uppercase())? {
            Some(provider) => Some(provider),
            None => self.store.provider_by_id(guid_or_id)?,
        };
        found.ok_or_else(|| GatewayError::not_found("Provider", guid_or_id))
    }
}

/// Runs blocking work (storage, hashing) on tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> GatewayResult<T> + Send + 'static,
) -> GatewayResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| GatewayError::Internal(e.to_string()))?
}

/// Runs one operation of `service`. Blocking work (storage, password hashing) happens here, so
/// callers run this on a blocking thread.
pub fn dispatch(gateway: &Gateway, service: Service, operation: &Element) -> GatewayResult<Out> {
    let name = operation.name.local.as_str();
    if operation.name.ns != ECHO_NS {
        return Err(unknown_operation(service, operation));
    }
    let handled = match service {
        Service::Authentication => authentication::handle(gateway, name, operation),
        Service::User => user::handle(gateway, name, operation),
        Service::Provider => provider::handle(gateway, name, operation),
        Service::DataManagement => data_management::handle(gateway, name, operation),
        Service::OrderManagement => order_management::handle(gateway, name, operation),
        Service::OrderProcessing => order_processing::handle(gateway, name, operation),
    };
    handled.unwrap_or_else(|| Err(unknown_operation(service, operation)))
}

fn unknown_operation(service: Service, operation: &Element) -> GatewayError {
    GatewayError::Message(MessageError::UnknownOperation {
        service: service.name().to_owned(),
        ns: operation.name.ns.clone(),
        name: operation.name.local.clone(),
    })
}

/// The `<OpResponse>` element of operation `name`.
pub fn response(name: &str) -> Out {
    Out::echo(format!("{name}Response"))
}

/// The `<OpResponse><result>…</result></OpResponse>` of operation `name`.
pub fn result_response(name: &str, result: Out) -> Out {
    response(name).child(result)
}

/// A `NameGuid` list item.
pub fn name_guid_item(name: &str, guid: &str) -> Out {
    Out::types("Item")
        .child(Out::field("Name", name))
        .child(Out::field("Guid", guid))
}
