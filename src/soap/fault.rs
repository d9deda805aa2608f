//! SOAP faults in ECHO's shape, and the one place where every [`GatewayError`] is mapped to a
//! fault: its code (Client or Server), detail element, ErrorCode and arguments.

use std::fmt::Write;

use super::envelope::{SoapVersion, wrap_body};
use super::writer::{Out, escape_into};
use super::{ECHO_NS, FAULTS_NS, TYPES_NS};
use crate::error::RequestError;
use crate::error::{GatewayError, Malformed, SignInRefused};
use crate::storage::StorageError;
use echo_domain::catalog::CatalogError;
use echo_domain::guid::Guid;
use echo_domain::option_definition::OptionDefinitionError;
use echo_domain::order::OrderError;
use echo_domain::policy::PolicyError;
use echo_domain::timestamp::Timestamp;

/// Whose fault it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    Client,
    Server,
}

/// The detail element ECHO uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    InvalidArgument,
    /// What the request names does not exist (recorded for an unknown order in GetOrders).
    ItemNotFound,
    Authorization,
    SoapMessageValidation,
}

impl FaultKind {
    fn element(self) -> &'static str {
        match self {
            FaultKind::InvalidArgument => "InvalidArgumentFault",
            FaultKind::ItemNotFound => "ItemNotFoundFault",
            FaultKind::Authorization => "AuthorizationFault",
            FaultKind::SoapMessageValidation => "SoapMessageValidationFault",
        }
    }
}

/// A fault ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub code: FaultCode,
    pub kind: FaultKind,
    pub error_code: String,
    pub message: String,
    pub arguments: Vec<(String, String)>,
    pub timestamp: Timestamp,
    pub instance_id: Guid,
}

impl Fault {
    fn new(
        code: FaultCode,
        kind: FaultKind,
        error_code: impl Into<String>,
        message: String,
    ) -> Self {
        Fault {
            code,
            kind,
            error_code: error_code.into(),
            message,
            arguments: Vec::new(),
            timestamp: Timestamp::now(),
            instance_id: Guid::random(),
        }
    }

    fn argument(mut self, name: &str, value: impl ToString) -> Self {
        self.arguments.push((name.to_owned(), value.to_string()));
        self
    }

    /// An ItemNotFoundFault: `error_code` names what is missing (`OrderNotFound`).
    fn not_found(error_code: impl Into<String>, message: String) -> Self {
        Fault::new(
            FaultCode::Client,
            FaultKind::ItemNotFound,
            error_code,
            message,
        )
    }

    /// The HTTP status a fault is sent with.
    pub fn http_status(&self, version: SoapVersion) -> u16 {
        match (version, self.code) {
            (SoapVersion::V12, FaultCode::Client) => 400,
            _ => 500,
        }
    }

    /// The whole envelope.
    pub fn render(&self, version: SoapVersion) -> String {
        wrap_body(version, |out| match version {
            SoapVersion::V11 => self.write_soap11(out),
            SoapVersion::V12 => self.write_soap12(out),
        })
    }

    fn write_soap11(&self, out: &mut String) {
        let code = match self.code {
            FaultCode::Client => "Client",
            FaultCode::Server => "Server",
        };
        let _ = write!(
            out,
            "<SOAP-ENV:Fault><faultcode>SOAP-ENV:{code}</faultcode><faultstring>"
        );
        escape_into(out, &self.message);
        out.push_str("</faultstring><detail>");
        self.write_detail(out);
        out.push_str("</detail></SOAP-ENV:Fault>");
    }

    fn write_soap12(&self, out: &mut String) {
        let code = match self.code {
            FaultCode::Client => "Sender",
            FaultCode::Server => "Receiver",
        };
        let _ = write!(
            out,
            "<SOAP-ENV:Fault><SOAP-ENV:Code><SOAP-ENV:Value>SOAP-ENV:{code}</SOAP-ENV:Value>\
             </SOAP-ENV:Code><SOAP-ENV:Reason><SOAP-ENV:Text xml:lang=\"en\">"
        );
        escape_into(out, &self.message);
        out.push_str("</SOAP-ENV:Text></SOAP-ENV:Reason><SOAP-ENV:Detail>");
        self.write_detail(out);
        out.push_str("</SOAP-ENV:Detail></SOAP-ENV:Fault>");
    }

    fn write_detail(&self, out: &mut String) {
        let field = |name: &'static str, value: String| Out::new(FAULTS_NS, name).text(value);
        let arguments = (!self.arguments.is_empty()).then(|| {
            Out::new(FAULTS_NS, "Arguments").children(self.arguments.iter().map(|(n, v)| {
                Out::new(FAULTS_NS, "Argument")
                    .child(field("Name", n.clone()))
                    .child(field("Value", v.clone()))
            }))
        });
        let detail = Out::new(FAULTS_NS, self.kind.element())
            .child(field("ErrorCode", self.error_code.clone()))
            .child(Out::new(FAULTS_NS, "OpsMessage").nil())
            .child(field("SystemMessage", self.message.clone()))
            .child(field("Timestamp", self.timestamp.to_echo_string()))
            .child(field("ErrorInstanceId", self.instance_id.to_string()))
            .optional(arguments);
        detail.write(
            out,
            &[("ns2", ECHO_NS), ("ns3", TYPES_NS), ("ns4", FAULTS_NS)],
        );
    }
}

impl From<&GatewayError> for Fault {
    fn from(error: &GatewayError) -> Self {
        use FaultCode::{Client, Server};
        use FaultKind::{Authorization, InvalidArgument, SoapMessageValidation};
        let message = error.to_string();
        match error {
            GatewayError::TokenNotFound(redacted) | GatewayError::TokenExpired(redacted) => {
                invalid("TokenNotFound", message)
                    .argument("Token", redacted.clone())
            }
            GatewayError::BadCredentials => {
                Fault::new(Client, Authorization, "InvalidCredentials", message)
            }
            GatewayError::SignIn(refused) => {
                let (code, error_code) = sign_in_code(refused);
                Fault::new(code, Authorization, error_code, message)
            }
            GatewayError::GuestOrdersDisabled => {
                Fault::new(Client, Authorization, "GuestOrdersDisabled", message)
            }
            GatewayError::AccessDenied(_) => {
                Fault::new(Client, Authorization, "PermissionDenied", message)
            }
            GatewayError::NotFound(missing) => {
                Fault::not_found(format!("{}NotFound", missing.kind), message)
                    .argument(&missing.argument(), &missing.value)
            }
            GatewayError::EndpointUnreachable(_) => {
                invalid("EndpointConnectionFailed", message)
            }
            GatewayError::Request(e) => {
                Fault::new(Client, SoapMessageValidation, message_code(e), message)
            }
            GatewayError::Policy(e) => invalid(policy_code(e), message),
            GatewayError::Order(e) => order_fault(e, message),
            GatewayError::OptionDefinition(e) => option_fault(e, message),
            GatewayError::DeliveryNotFailed(_) => {
                invalid("DeliveryNotFailed", message)
            }
            GatewayError::OrderNotRemovable { .. } => {
                invalid("OrderNotRemovable", message)
            }
            GatewayError::TransactionNotSupported(..) => {
                invalid("TransactionNotSupported", message)
            }
            GatewayError::Catalog(e) => catalog_fault(e, message),
            GatewayError::Account(_)
            | GatewayError::Role(_)
            | GatewayError::Guid(_)
            | GatewayError::Oms(_) => {
                invalid("InvalidArgument", message)
            }
            GatewayError::Storage(StorageError::AlreadyExists(_)) => {
                invalid("AlreadyExists", message)
            }
            GatewayError::Storage(StorageError::NotFound(_)) => {
                Fault::not_found("ItemNotFound", message)
            }
            GatewayError::Storage(StorageError::Unavailable(_)) => Fault::new(
                Server,
                InvalidArgument,
                "StorageUnavailable",
                "The gateway cannot store the change now (its storage refuses writes); nothing was changed. Try again later".into(),
            ),
            GatewayError::Storage(_) | GatewayError::Hash(_) | GatewayError::Internal(_) => {
                Fault::new(
                    Server,
                    InvalidArgument,
                    "InternalError",
                    "The gateway could not complete the request; quote the ErrorInstanceId to an operator".into(),
                )
            }
        }
    }
}

/// A throttled sign-in is the client's doing; one refused because verifications are
/// saturated is the server's.
fn sign_in_code(refused: &SignInRefused) -> (FaultCode, &'static str) {
    match refused {
        SignInRefused::Delayed { .. } => (FaultCode::Client, "SignInDelayed"),
        SignInRefused::Locked { .. } => (FaultCode::Client, "SignInLocked"),
        SignInRefused::Busy => (FaultCode::Server, "SignInBusy"),
    }
}

fn message_code(error: &RequestError) -> &'static str {
    match error {
        RequestError::Malformed {
            kind: Malformed::Doctype,
            ..
        } => "DoctypeNotAllowed",
        RequestError::Malformed {
            kind: Malformed::TooComplex,
            ..
        } => "MessageTooComplex",
        RequestError::Malformed { .. } | RequestError::NotUtf8 => "MalformedXml",
        RequestError::NotAnEnvelope | RequestError::NoOperation => "NotASoapMessage",
        RequestError::UnknownOperation { .. } | RequestError::UnknownService(_) => {
            "UnknownOperation"
        }
        RequestError::Missing(_) => "MissingElement",
        RequestError::Invalid { .. } => "InvalidValue",
    }
}

/// An InvalidArgumentFault with this ErrorCode.
fn invalid(error_code: &'static str, message: String) -> Fault {
    Fault::new(
        FaultCode::Client,
        FaultKind::InvalidArgument,
        error_code,
        message,
    )
}

/// Order errors; the ones naming something the order does not hold are ItemNotFoundFaults
/// with the order and what was looked for as arguments.
fn order_fault(error: &OrderError, message: String) -> Fault {
    let code = match error {
        OrderError::UnknownItem { order, item } => {
            return Fault::not_found("OrderItemNotFound", message)
                .argument("OrderGuid", order)
                .argument("OrderItemGuid", item);
        }
        OrderError::UnknownProviderOrder { order, provider } => {
            return Fault::not_found("ProviderOrderNotFound", message)
                .argument("OrderGuid", order)
                .argument("ProviderGuid", provider);
        }
        OrderError::UnknownCatalogItem {
            order,
            provider,
            catalog_item,
        } => {
            return Fault::not_found("CatalogItemNotInProviderOrder", message)
                .argument("OrderGuid", order)
                .argument("ProviderGuid", provider)
                .argument("CatalogItemGuid", catalog_item);
        }
        OrderError::Transition(_) => "InvalidOrderState",
        OrderError::UserInformation(_) => "InvalidUserInformation",
        OrderError::EmptyOrder { .. } => "EmptyOrder",
        OrderError::InvalidQuantity { .. } => "InvalidQuantity",
        OrderError::NoProviderPolicies { .. } => "ProviderNotOrderable",
        OrderError::OrderingSuspended { .. } => "OrderingSuspended",
        OrderError::TooManyItems { .. } => "TooManyItems",
        OrderError::DuplicateCatalogItem { .. } => "DuplicateCatalogItem",
        OrderError::OptionSelection { .. } => "InvalidOptionSelection",
    };
    invalid(code, message)
}

fn option_fault(error: &OptionDefinitionError, message: String) -> Fault {
    let code = match error {
        OptionDefinitionError::Unknown(guid) => {
            return Fault::not_found("OptionDefinitionNotFound", message)
                .argument("OptionDefinitionGuid", guid);
        }
        OptionDefinitionError::UnknownName { name, catalog_item } => {
            return Fault::not_found("OptionDefinitionNotFound", message)
                .argument("OptionDefinitionName", name)
                .argument("CatalogItemGuid", catalog_item);
        }
        OptionDefinitionError::AmbiguousName { .. } => "AmbiguousOptionDefinitionName",
        OptionDefinitionError::DuplicateName(_) => "DuplicateOptionDefinitionName",
        OptionDefinitionError::InvalidForm { .. } => "InvalidForm",
        OptionDefinitionError::InvalidFilter { .. } => "InvalidOptionAssignmentFilter",
        OptionDefinitionError::InvalidName => "InvalidOptionDefinitionName",
        OptionDefinitionError::Deprecated(_) => "OptionDefinitionDeprecated",
    };
    invalid(code, message)
}

fn catalog_fault(error: &CatalogError, message: String) -> Fault {
    let code = match error {
        CatalogError::Unknown(guid) => {
            return Fault::not_found("CatalogItemNotFound", message)
                .argument("CatalogItemGuid", guid);
        }
        CatalogError::Deleted(_) => "CatalogItemDeleted",
        CatalogError::NotOrderable(_) => "CatalogItemNotOrderable",
        CatalogError::Invalid { .. } => "InvalidCatalogItem",
    };
    invalid(code, message)
}

fn policy_code(error: &PolicyError) -> &'static str {
    match error {
        PolicyError::Certificate(_) | PolicyError::CertificateRequired => "InvalidSslCertificate",
        PolicyError::EndpointNotHttps(_) | PolicyError::EndpointTooLong => "InvalidEndPoint",
        PolicyError::NoPendingCertificate => "NoPendingSslCertificate",
        _ => "InvalidProviderPolicy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_faults_match_the_recorded_shape() {
        let fault = Fault::from(&GatewayError::TokenExpired("abcd…".into()));
        let xml = fault.render(SoapVersion::V11);
        assert_eq!(fault.http_status(SoapVersion::V11), 500);
        assert!(xml.contains("<faultcode>SOAP-ENV:Client</faultcode>"));
        assert!(
            xml.contains("<ns4:ErrorCode>TokenNotFound</ns4:ErrorCode><ns4:OpsMessage xmlns:xsi=")
        );
        assert!(xml.contains("<ns4:Arguments><ns4:Argument><ns4:Name>Token</ns4:Name>"));
    }

    #[test]
    fn an_unknown_order_is_the_recorded_item_not_found_fault() {
        let guid = "B5E0F9B4-6E2A-4D7B-9C61-1D0E2F3A4B5C";
        let fault = Fault::from(&GatewayError::not_found("Order", guid));
        let message = format!("Could not find order with guid [{guid}].");
        assert_eq!(
            (fault.code, fault.kind, fault.error_code.as_str()),
            (FaultCode::Client, FaultKind::ItemNotFound, "OrderNotFound")
        );
        assert_eq!(fault.message, message);
        assert_eq!(fault.arguments, [("OrderGuid".to_owned(), guid.to_owned())]);
        let xml = fault.render(SoapVersion::V11);
        assert!(xml.contains(&format!("<faultstring>{message}</faultstring>")));
        assert!(xml.contains("<detail><ns4:ItemNotFoundFault "), "{xml}");
    }

    #[test]
    fn internal_errors_are_server_faults_without_details() {
        let fault = Fault::from(&GatewayError::Internal("disk path /secret".into()));
        assert_eq!(fault.code, FaultCode::Server);
        assert!(!fault.render(SoapVersion::V12).contains("/secret"));
        assert_eq!(fault.http_status(SoapVersion::V12), 500);
    }
}
