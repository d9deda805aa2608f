//! The OrderFulfillment exchange with a data partner, as domain values: what the gateway asks
//! (quote, submit or cancel one provider order) and what the partner answers. The wire form
//! (ECHO's v9 fulfillment namespaces) lives in `wire::fulfillment`.

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::order::{OrderItem, OrderReceipt, ProviderOrderKey, UserInformation};
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

/// One ordered item as the partner sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FulfillmentItem {
    pub item: OrderItem,
    pub price: f64,
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
