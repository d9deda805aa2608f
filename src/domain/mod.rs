//! The domain: accounts, callers and provider policies. Pure types and rules, no I/O, no XML,
//! no HTTP. Services translate wire messages into these types; storage persists them.

pub mod account;
pub mod caller;
pub mod catalog;
pub mod guid;
pub mod order;
pub mod policy;
pub mod timestamp;
