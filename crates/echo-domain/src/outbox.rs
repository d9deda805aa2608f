//! The delivery outbox: a transaction (quote, submit, cancel) owed to a data partner for one
//! provider order, written in the same storage transaction as the state change that caused
//! it, so no acknowledged change can be left undelivered.

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::order::ProviderOrderKey;
use super::policy::Transaction;
use super::timestamp::Timestamp;

/// One delivery owed to a partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// Position in the outbox, assigned on commit; deliveries to one provider go in this order.
    pub id: u64,
    pub provider_order: ProviderOrderKey,
    pub transaction: Transaction,
    /// Sent with every attempt of this delivery, so a partner can discard duplicates.
    pub idempotency_key: Guid,
    pub created: Timestamp,
}

/// A delivery an operation asks for; storage turns it into an [`OutboxEntry`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRequest {
    pub provider_order: ProviderOrderKey,
    pub transaction: Transaction,
}
