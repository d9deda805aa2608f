//! SOAP faults in ECHO's shape, and the one place where every [`GatewayError`] is mapped to a
//! fault: its code (Client or Server), detail element, ErrorCode and arguments.

use std::fmt::Write;

use super::envelope::{SoapVersion, wrap_body};
use super::writer::{Out, escape_into};
use super::{ECHO_NS, FAULTS_NS, TYPES_NS};
use crate::error::RequestError;
use crate::error::{GatewayError, Malformed};
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
    Authorization,
    SoapMessageValidation,
}

impl FaultKind {
    fn element(self) -> &'static str {
        match self {
            FaultKind::InvalidArgument => "InvalidArgumentFault",
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
    pub error_code: &'static str,
    pub message: String,
    pub arguments: Vec<(String, String)>,
    pub timestamp: Timestamp,
    pub instance_id: Guid,
}

impl Fault {
    fn new(code: FaultCode, kind: FaultKind, error_code: &'static str, message: String) -> Self {
        Fault {
            code,
            kind,
            error_code,
            message,
            arguments: Vec::new(),
            timestamp: Timestamp::now(),
            instance_id: Guid::random(),
        }
    }

    fn argument(mut self, name: &str, value: impl Into<String>) -> Self {
        self.arguments.push((name.to_owned(), value.into()));
        self
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
            .child(field("ErrorCode", self.error_code.to_owned()))
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
                Fault::new(Client, InvalidArgument, "TokenNotFound", message)
                    .argument("Token", redacted.clone())
            }
            GatewayError::BadCredentials => {
                Fault::new(Client, Authorization, "InvalidCredentials", message)
            }
            GatewayError::AccessDenied(_) => {
                Fault::new(Client, Authorization, "PermissionDenied", message)
            }
            GatewayError::NotFound { kind, id } => {
                Fault::new(Client, InvalidArgument, "ItemNotFound", message).argument(kind, id.clone())
            }
            GatewayError::EndpointUnreachable(_) => {
                Fault::new(Client, InvalidArgument, "EndpointConnectionFailed", message)
            }
            GatewayError::Request(e) => {
                Fault::new(Client, SoapMessageValidation, message_code(e), message)
            }
            GatewayError::Policy(e) => Fault::new(Client, InvalidArgument, policy_code(e), message),
            GatewayError::Order(e) => Fault::new(Client, InvalidArgument, order_code(e), message),
            GatewayError::OptionDefinition(e) => {
                Fault::new(Client, InvalidArgument, option_code(e), message)
            }
            GatewayError::DeliveryNotFailed(_) => {
                Fault::new(Client, InvalidArgument, "DeliveryNotFailed", message)
            }
            GatewayError::OrderNotRemovable { .. } => {
                Fault::new(Client, InvalidArgument, "OrderNotRemovable", message)
            }
            GatewayError::TransactionNotSupported(..) => {
                Fault::new(Client, InvalidArgument, "TransactionNotSupported", message)
            }
            GatewayError::Catalog(e) => {
                Fault::new(Client, InvalidArgument, catalog_code(e), message)
            }
            GatewayError::Account(_) | GatewayError::Role(_) | GatewayError::Guid(_) => {
                Fault::new(Client, InvalidArgument, "InvalidArgument", message)
            }
            GatewayError::Storage(StorageError::AlreadyExists(_)) => {
                Fault::new(Client, InvalidArgument, "AlreadyExists", message)
            }
            GatewayError::Storage(StorageError::NotFound(_)) => {
                Fault::new(Client, InvalidArgument, "ItemNotFound", message)
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

fn order_code(error: &OrderError) -> &'static str {
    match error {
        OrderError::Transition(_) => "InvalidOrderState",
        OrderError::UserInformation(_) => "InvalidUserInformation",
        OrderError::UnknownItem { .. } => "OrderItemNotFound",
        OrderError::UnknownProviderOrder { .. } => "ProviderOrderNotFound",
        OrderError::UnknownCatalogItem { .. } => "CatalogItemNotInProviderOrder",
        OrderError::EmptyOrder { .. } => "EmptyOrder",
        OrderError::InvalidQuantity { .. } => "InvalidQuantity",
        OrderError::NoProviderPolicies { .. } => "ProviderNotOrderable",
        OrderError::OrderingSuspended { .. } => "OrderingSuspended",
        OrderError::TooManyItems { .. } => "TooManyItems",
        OrderError::DuplicateCatalogItem { .. } => "DuplicateCatalogItem",
        OrderError::OptionSelection { .. } => "InvalidOptionSelection",
    }
}

fn option_code(error: &OptionDefinitionError) -> &'static str {
    match error {
        OptionDefinitionError::Unknown(_) => "OptionDefinitionNotFound",
        OptionDefinitionError::DuplicateName(_) => "DuplicateOptionDefinitionName",
        OptionDefinitionError::InvalidForm { .. } => "InvalidForm",
        OptionDefinitionError::InvalidFilter { .. } => "InvalidOptionAssignmentFilter",
        OptionDefinitionError::InvalidName => "InvalidOptionDefinitionName",
        OptionDefinitionError::Deprecated(_) => "OptionDefinitionDeprecated",
    }
}

fn catalog_code(error: &CatalogError) -> &'static str {
    match error {
        CatalogError::Unknown(_) => "CatalogItemNotFound",
        CatalogError::Deleted(_) => "CatalogItemDeleted",
        CatalogError::NotOrderable(_) => "CatalogItemNotOrderable",
        CatalogError::Invalid { .. } => "InvalidCatalogItem",
    }
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
    fn internal_errors_are_server_faults_without_details() {
        let fault = Fault::from(&GatewayError::Internal("disk path /secret".into()));
        assert_eq!(fault.code, FaultCode::Server);
        assert!(!fault.render(SoapVersion::V12).contains("/secret"));
        assert_eq!(fault.http_status(SoapVersion::V12), 500);
    }
}
