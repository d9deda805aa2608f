//! echo-gateway: an order-fulfillment gateway speaking NASA ECHO's SOAP/XML ordering protocol.
//!
//! Clients order through ECHO's OrderManagementService; the gateway validates option
//! selections against the providers' ECHO Forms, splits orders into one provider order per
//! data partner, stores every change durably (redb) before answering, and delivers to each
//! partner's v9 OrderFulfillment endpoint through a durable outbox. ARCHITECTURE.md draws
//! the layers; `scripts/check-layers` keeps the imports true to it.
//!
//! # Layout
//!
//! Adapters (decode a protocol, call the application layer, encode its answer):
//! - [`soap`]: SOAP envelopes, the v10 services, the v9 codec and relay, faults, WSDL, and the
//!   simulated partner.
//! - [`admin`]: administration commands shared by the CLI and the server's admin socket.
//! - [`ordering_api`]: the JSON Ordering API for order-management systems (`/api/v1`).
//! - [`console`]: the web console at `/console/` (server-rendered HTML, sessions, CSRF).
//! - [`echo_rest`]: the ECHO REST (JSON) ordering API Earthdata Search used.
//!
//! Application layer:
//! - [`app`]: every operation, protocol-neutral: access checks, rules, persistence, outbox;
//!   sign-in throttling and the bounded password-verification threads.
//!
//! Below it:
//! - [`storage`]: redb tables, one file per concept.
//! - [`partner`]: outbound HTTP clients to partners (pinned certificates), endpoint probe.
//! - [`error`]: `GatewayError`, the one error type of operations.
//! - [`credentials`]: password hashes, tokens, redaction.
//! - [`webhook`]: Standard Webhooks secrets and signatures (OMS triggers).
//! - [`xml`]: the bounded, DOCTYPE-free XML reader everything from outside goes through.
//! - [`tls`]: the server's TLS identity, and the request scheme the listeners attach.
//! - [`shutdown`]: the shutdown signal shared by the process's tasks.
//! - [`peer`]: the client's address the listener attaches to each request, and its extractor.
//! - `echo_domain` and `echo_forms` (crates): pure rules and the ECHO Forms engine.
//!
//! The process:
//! - [`server`]: listeners, HTTP routes, metrics, background maintenance; starts everything.
//! - [`delivery`]: the outbox worker that sends deliveries to partners.
//! - [`oms_trigger`]: the worker that wakes order-management systems (coalesced, signed).
//! - [`cli`], [`config`], [`catalog_import`]: command line, configuration, catalog files.

pub mod admin;
pub mod app;
pub mod catalog_import;
pub mod cli;
pub mod config;
pub mod console;
pub mod credentials;
pub mod delivery;
pub mod echo_rest;
pub mod error;
pub mod oms_trigger;
pub mod ordering_api;
pub mod partner;
pub mod peer;
pub mod private_files;
pub mod server;
pub mod shutdown;
pub mod soap;
pub mod storage;
pub mod tls;
pub mod webhook;
pub mod xml;
