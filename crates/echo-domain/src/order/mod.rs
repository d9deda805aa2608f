//! Orders: the ECHO order domain. An order holds a user's items, split into one provider
//! order per provider; each provider order moves through the one transition table and logs
//! every change in its StatusMessage; the order's state is derived from its provider orders;
//! validation applies the user-information rules and the providers' policies.
//!
//! Pure: no storage, no XML (option selections are opaque text), no HTTP.

pub mod aggregate;
pub mod derived_state;
pub mod error;
pub mod item;
pub mod provider_order;
pub mod provider_report;
pub mod state;
pub mod status;
pub mod transition;
pub mod unsupported_transaction;
pub mod user_information;
pub mod validation;

#[cfg(test)]
mod test_support;

pub use aggregate::{ItemSettlement, Order, split_into_provider_orders};
pub use derived_state::derive_order_state;
pub use error::OrderError;
pub use item::{CatalogItemRef, ItemState, OptionSelection, OrderItem};
pub use provider_order::{OrderReceipt, Pricing, ProviderOrder, ProviderOrderKey};
pub use provider_report::{ProviderReport, ReportedChange};
pub use state::OrderState;
pub use status::{StatusLine, StatusLog};
pub use transition::{IllegalTransition, OrderEvent, TRANSITIONS, Transition, transition};
pub use unsupported_transaction::{ProviderOutcome, quote_outcome, submit_outcome};
pub use user_information::{
    Address, AddressKind, Contact, Phone, UserInformation, UserInformationError,
};
pub use validation::{OptionSelectionValidator, validate_order};
