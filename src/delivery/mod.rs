//! Delivery to data partners: the worker that drains the durable outbox (`worker`), one
//! attempt (`attempt`), HTTP clients built from a provider's policy with SSL pinning
//! (`partner_client`, `client_cache`), and the endpoint connection test.

pub mod attempt;
pub mod client_cache;
pub mod endpoint_probe;
pub mod partner_client;
pub mod worker;
