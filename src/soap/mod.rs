//! The SOAP adapter: envelopes, safe XML reading and response writing, the v10 and v9 codecs,
//! faults (the one place where a [`GatewayError`] becomes a SOAP fault), WSDL documents, and
//! one file per ECHO service that decodes an operation, calls the application layer and
//! encodes its result. [`dispatch`] routes a parsed operation element to its service.

pub mod authentication;
pub mod catalog;
pub mod catalog_file;
pub mod data_management;
pub mod envelope;
pub mod fault;
pub mod fulfillment;
pub mod message;
pub mod option_definitions;
pub mod order_codec;
pub mod order_management;
pub mod order_processing;
pub mod partner_protocol;
pub mod partner_sim;
pub mod provider;
pub mod relay;
pub mod user;
pub mod writer;
pub mod wsdl;

use std::net::IpAddr;

use crate::app::Gateway;
use crate::error::{GatewayError, GatewayResult, RequestError};
use crate::xml::Element;
use echo_domain::caller::Caller;
use message::Fields;
use writer::Out;

/// SOAP 1.1 envelopes.
pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// SOAP 1.2 envelopes.
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Operations and their parameters.
pub const ECHO_NS: &str = "http://echo.nasa.gov/echo/v10";
/// Types and their fields.
pub const TYPES_NS: &str = "http://echo.nasa.gov/echo/v10/types";
/// Fault details.
pub const FAULTS_NS: &str = "http://echo.nasa.gov/echo/v10/faults";

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

/// Reads and checks the `token` parameter every operation starts with.
pub fn caller(gateway: &Gateway, operation: &Element) -> GatewayResult<Caller> {
    let token = Fields::params(operation).required_text("token")?;
    gateway.authenticate(token)
}

/// What dispatching an operation element gave.
pub struct Dispatched {
    /// Whether the service offers the operation; only offered operations are counted by name
    /// in the metrics (anything else would let callers mint unbounded metric labels).
    pub offered: bool,
    pub result: GatewayResult<Out>,
}

/// Runs one operation of `service` for a client at `client` (its network address, when known:
/// sign-ins are throttled by it). Blocking work (storage, waiting for a password check)
/// happens here, so callers run this on a blocking thread.
pub fn dispatch(
    gateway: &Gateway,
    service: Service,
    operation: &Element,
    client: Option<IpAddr>,
) -> Dispatched {
    let name = operation.name.local.as_str();
    let handled = if &*operation.name.ns == ECHO_NS {
        match service {
            Service::Authentication => authentication::handle(gateway, name, operation, client),
            Service::User => user::handle(gateway, name, operation),
            Service::Provider => provider::handle(gateway, name, operation),
            Service::DataManagement => data_management::handle(gateway, name, operation),
            Service::OrderManagement => order_management::handle(gateway, name, operation),
            Service::OrderProcessing => order_processing::handle(gateway, name, operation),
        }
    } else {
        None
    };
    match handled {
        Some(result) => Dispatched {
            offered: true,
            result,
        },
        None => Dispatched {
            offered: false,
            result: Err(unknown_operation(service, operation)),
        },
    }
}

fn unknown_operation(service: Service, operation: &Element) -> GatewayError {
    GatewayError::Request(RequestError::UnknownOperation {
        service: service.name().to_owned(),
        ns: operation.name.ns.to_string(),
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
