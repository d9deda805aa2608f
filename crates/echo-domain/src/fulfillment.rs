//! The OrderFulfillment exchange with a data partner, as domain values: what the gateway asks
//! (quote, submit or cancel one provider order) and what the partner answers. The wire form
//! (ECHO's v9 fulfillment namespaces) lives in `wire::fulfillment`.

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::order::{Order, OrderError, OrderItem, OrderReceipt, ProviderOrderKey, UserInformation};
use super::outbox::OutboxEntry;
use super::policy::Transaction;

/// One request to a partner. The idempotency key is the same on every attempt of one
/// delivery, so a partner can discard duplicates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentRequest {
    pub transaction: Transaction,
    pub idempotency_key: Guid,
    pub provider_order: ProviderOrderKey,
    pub provider_tracking_id: Option<String>,
    pub notify_level: Option<String>,
    pub client_identity: Option<String>,
    pub user_information: UserInformation,
    /// The provider order's items (empty for cancellations).
    pub items: Vec<FulfillmentItem>,
    /// The provider's policy `Properties` block, passed through as escaped XML.
    pub properties: Option<String>,
}

/// One ordered item as the partner sees it (its price is `item.catalog_item.price`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentItem {
    pub item: OrderItem,
}

impl FulfillmentRequest {
    /// The request for one outbox entry: the provider order of `order` it names, with that
    /// provider's items (none for a cancellation) and the policy's Properties block.
    pub fn for_entry(
        order: &Order,
        entry: &OutboxEntry,
        properties: Option<String>,
    ) -> Result<FulfillmentRequest, OrderError> {
        let provider = &entry.provider_order.provider_guid;
        let provider_order =
            order
                .provider_order(provider)
                .ok_or_else(|| OrderError::UnknownProviderOrder {
                    order: order.guid.clone(),
                    provider: provider.clone(),
                })?;
        let items = match entry.transaction {
            Transaction::Cancel => Vec::new(),
            Transaction::Quote | Transaction::Submit => order
                .items()
                .iter()
                .filter(|item| &item.provider_order.provider_guid == provider)
                .map(|item| FulfillmentItem { item: item.clone() })
                .collect(),
        };
        Ok(FulfillmentRequest {
            transaction: entry.transaction,
            idempotency_key: entry.idempotency_key.clone(),
            provider_order: provider_order.key.clone(),
            provider_tracking_id: provider_order.provider_tracking_id.clone(),
            notify_level: order.notify_level.clone(),
            client_identity: order.client_identity.clone(),
            user_information: order.user_information().clone(),
            items,
            properties,
        })
    }
}

/// How a partner disposed of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Disposition {
    /// Submit: done, the order is complete (close it). Quote: quoted. Cancel: cancelled.
    #[serde(rename = "ACCEPTED_AUTOMATIC")]
    AcceptedAutomatic,
    /// Submit only: accepted; the partner reports progress through OrderProcessingService.
    #[serde(rename = "ACCEPTED_MANUAL")]
    AcceptedManual,
    #[serde(rename = "REJECTED")]
    Rejected,
    /// The partner will answer later through OrderProcessingService.
    #[serde(rename = "POSTPONED")]
    Postponed,
}

impl Disposition {
    pub const ALL: [Disposition; 4] = [
        Disposition::AcceptedAutomatic,
        Disposition::AcceptedManual,
        Disposition::Rejected,
        Disposition::Postponed,
    ];

    pub fn wire_name(self) -> &'static str {
        match self {
            Disposition::AcceptedAutomatic => "ACCEPTED_AUTOMATIC",
            Disposition::AcceptedManual => "ACCEPTED_MANUAL",
            Disposition::Rejected => "REJECTED",
            Disposition::Postponed => "POSTPONED",
        }
    }

    pub fn from_wire(name: &str) -> Option<Disposition> {
        Disposition::ALL.into_iter().find(|d| d.wire_name() == name)
    }
}

/// A partner's answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentAnswer {
    pub disposition: Disposition,
    /// Why it was rejected or postponed, or any note; goes into the status log.
    pub message: Option<String>,
    pub provider_tracking_id: Option<String>,
    /// Quotes carry the receipt with pricing; submissions may.
    pub receipt: Option<OrderReceipt>,
}
