//! echo-gateway: an order-fulfillment gateway speaking NASA ECHO's SOAP/XML ordering protocol.
//!
//! Layers point one way (see ARCHITECTURE.md): `wire` (SOAP, XML, WSDL) → `services`
//! (operations) → `domain` (pure rules) → `storage` and `delivery`.

pub mod admin;
pub mod app;
pub mod catalog_import;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod delivery;
pub mod error;
pub mod partner;
pub mod private_files;
pub mod server;
pub mod shutdown;
pub mod soap;
pub mod storage;
pub mod tls;
pub mod xml;
