//! The domain: accounts, callers, provider policies, the catalog, orders, the delivery
//! outbox and the change log. Pure types and rules, no I/O, no XML,
//! no HTTP. Services translate wire messages into these types; storage persists them.

pub mod account;
pub mod caller;
pub mod catalog;
pub mod change_log;
pub mod delivery;
pub mod fulfillment;
pub mod guid;
pub mod oms;
pub mod oms_feed;
pub mod option_definition;
pub mod order;
pub mod outbox;
pub mod policy;
pub mod preferences;
pub mod timestamp;
