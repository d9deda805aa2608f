//! Outbound HTTP to data partners, whatever the protocol on top: clients built from a
//! provider's policy with SSL pinning (`client`), one client per provider (`client_cache`),
//! and the endpoint connection test (`endpoint_probe`), all kept off forbidden addresses
//! (`forbidden_addresses`, enforced by `address_guard`). Depends only on the domain.

pub mod address_guard;
pub mod client;
pub mod client_cache;
pub mod endpoint_probe;
pub mod forbidden_addresses;
