//! Delivery to data partners: HTTP clients built from a provider's policy (SSL pinning) and the
//! endpoint connection test.

pub mod endpoint_probe;
pub mod partner_client;
