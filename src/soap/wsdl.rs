//! The WSDL and XSD documents (written by this project, in `wsdl/` and `schemas/`), embedded
//! in the binary and served with their links pointing at the serving host.

use crate::soap::Service;

/// The host prefix the files on disk use in `soap:address`.
const FILE_ROOT: &str = "https://localhost:8443";
/// How the files on disk reach the schemas.
const FILE_SCHEMA_LOCATION: &str = "schemaLocation=\"../schemas/";

const SCHEMAS: [(&str, &str); 4] = [
    (
        "echo-v10-types.xsd",
        include_str!("../../schemas/echo-v10-types.xsd"),
    ),
    (
        "echo-v10-faults.xsd",
        include_str!("../../schemas/echo-v10-faults.xsd"),
    ),
    (
        "echo-v9-fulfillment-types.xsd",
        include_str!("../../schemas/echo-v9-fulfillment-types.xsd"),
    ),
    (
        "echo-v9-fulfillment-faults.xsd",
        include_str!("../../schemas/echo-v9-fulfillment-faults.xsd"),
    ),
];

/// ECHO's v9 OrderFulfillment contract, implemented by data partners (and `partner-sim`).
pub const FULFILLMENT_WSDL: &str = include_str!("../../wsdl/OrderFulfillment.wsdl");

pub fn service_wsdl(service: Service) -> &'static str {
    match service {
        Service::Authentication => include_str!("../../wsdl/AuthenticationService.wsdl"),
        Service::User => include_str!("../../wsdl/UserService.wsdl"),
        Service::Provider => include_str!("../../wsdl/ProviderService.wsdl"),
        Service::DataManagement => include_str!("../../wsdl/DataManagementService.wsdl"),
        Service::OrderManagement => include_str!("../../wsdl/OrderManagementService.wsdl"),
        Service::OrderProcessing => include_str!("../../wsdl/OrderProcessingService.wsdl"),
    }
}

pub fn schema(file: &str) -> Option<&'static str> {
    SCHEMAS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
}

/// Points endpoint addresses and schema imports at `root` (e.g. `https://host:8443`).
pub fn render(text: &str, root: &str) -> String {
    text.replace(FILE_ROOT, root).replace(
        FILE_SCHEMA_LOCATION,
        &format!("schemaLocation=\"{root}/echo-wsdl/schemas/"),
    )
}
