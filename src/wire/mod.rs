//! The wire layer: SOAP envelopes, XML reading and writing, faults and WSDL documents.
//! Nothing here knows about storage; services use it to decode requests and encode responses.

pub mod catalog_file;
pub mod envelope;
pub mod fault;
pub mod fulfillment;
pub mod message;
pub mod writer;
pub mod wsdl;
pub mod xml;

/// Operations and their parameters.
pub const ECHO_NS: &str = "http://echo.nasa.gov/echo/v10";
/// Types and their fields.
pub const TYPES_NS: &str = "http://echo.nasa.gov/echo/v10/types";
/// Fault details.
pub const FAULTS_NS: &str = "http://echo.nasa.gov/echo/v10/faults";
