//! Provider orders: the part of an order one data partner fulfils, with its own state,
//! tracking id, receipt and status log.

use serde::{Deserialize, Serialize};

use super::state::OrderState;
use super::status::StatusLog;
use super::transition::{IllegalTransition, OrderEvent, transition};
use crate::guid::Guid;
use crate::timestamp::Timestamp;

/// A provider order's identity: (OrderGuid, ProviderGuid).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ProviderOrderKey {
    pub order_guid: Guid,
    pub provider_guid: Guid,
}

/// Prices a provider quoted or charged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Pricing {
    pub total_price: f64,
    pub data_price: f64,
    pub media_price: f64,
    pub shipping_fee: f64,
    pub handling_fee: f64,
    pub discount: f64,
    pub quantity_of_media: u32,
}

/// What a provider returned when it quoted or accepted the order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderReceipt {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_cancel_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_ship_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acceptance_date: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
}

/// The part of an order sent to one provider. Its state changes only through
/// [`ProviderOrder::apply`], so every change is in the table and in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderOrder {
    pub key: ProviderOrderKey,
    state: OrderState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_tracking_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<OrderReceipt>,
    status: StatusLog,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed_date: Option<Timestamp>,
}

impl ProviderOrder {
    /// A new provider order: `NOT_VALIDATED`, its log starting `[null] -> [NOT_VALIDATED]`.
    pub fn new(key: ProviderOrderKey, now: Timestamp) -> Self {
        let mut status = StatusLog::default();
        status.record_transition(None, OrderState::NotValidated, now);
        ProviderOrder {
            key,
            state: OrderState::NotValidated,
            provider_tracking_id: None,
            receipt: None,
            status,
            closed_date: None,
        }
    }

    pub fn state(&self) -> OrderState {
        self.state
    }

    pub fn status(&self) -> &StatusLog {
        &self.status
    }

    /// Applies `event`; a change of state is logged, and entering CLOSED sets the closed date.
    pub fn apply(&mut self, event: OrderEvent, now: Timestamp) -> Result<(), IllegalTransition> {
        let next = transition(self.state, event)?;
        if next != self.state {
            self.status.record_transition(Some(self.state), next, now);
            self.state = next;
        }
        if next == OrderState::Closed {
            self.closed_date = Some(now);
        }
        Ok(())
    }

    /// Quote and submit validate implicitly: `Validate` first when not yet validated.
    pub fn apply_validating(
        &mut self,
        event: OrderEvent,
        now: Timestamp,
    ) -> Result<(), IllegalTransition> {
        if self.state == OrderState::NotValidated {
            self.apply(OrderEvent::Validate, now)?;
        }
        self.apply(event, now)
    }

    /// Appends a provider's (or the gateway's) free text to the status log.
    pub fn record_message(&mut self, message: &str, now: Timestamp) {
        self.status.record_message(message, now);
    }

    /// ResubmitProviderOrder: a copy under `new_order_guid` that keeps this one's history and
    /// goes to SUBMITTING; this provider order stays as it is. Only final ones qualify.
    pub fn resubmitted(
        &self,
        new_order_guid: Guid,
        now: Timestamp,
    ) -> Result<ProviderOrder, IllegalTransition> {
        let mut copy = ProviderOrder {
            key: ProviderOrderKey {
                order_guid: new_order_guid,
                provider_guid: self.key.provider_guid.clone(),
            },
            state: self.state,
            provider_tracking_id: None,
            receipt: None,
            status: self.status.clone(),
            closed_date: None,
        };
        copy.apply(OrderEvent::Resubmit, now)?;
        Ok(copy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ProviderOrderKey {
        ProviderOrderKey {
            order_guid: Guid::random(),
            provider_guid: Guid::random(),
        }
    }

    fn texts(order: &ProviderOrder) -> Vec<&str> {
        order
            .status()
            .lines()
            .iter()
            .map(|l| l.text.as_str())
            .collect()
    }

    #[test]
    fn implicit_validation_logs_like_echo() {
        let now = Timestamp::from_millis(1_487_171_361_000);
        let mut order = ProviderOrder::new(key(), now);
        order.apply_validating(OrderEvent::Submit, now).unwrap();
        order.record_message("Order received", now);
        order.apply(OrderEvent::SubmitAccepted, now).unwrap();
        assert_eq!(order.state(), OrderState::Processing);
        assert_eq!(
            texts(&order),
            [
                "ECHO: Transitioning from state [null] to state [NOT_VALIDATED]",
                "ECHO: Transitioning from state [NOT_VALIDATED] to state [VALIDATED]",
                "ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]",
                "Order received",
                "ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]",
            ]
        );
        assert_eq!(order.closed_date, None);
        order.apply(OrderEvent::Close, now.plus_seconds(5)).unwrap();
        assert_eq!(order.closed_date, Some(now.plus_seconds(5)));
    }

    #[test]
    fn unchanged_states_and_illegal_events_log_nothing() {
        let now = Timestamp::now();
        let mut order = ProviderOrder::new(key(), now);
        order.apply(OrderEvent::Invalidate, now).unwrap();
        let error = order.apply(OrderEvent::Close, now).unwrap_err();
        assert_eq!(error.from, OrderState::NotValidated);
        assert_eq!(order.status().lines().len(), 1);
        assert_eq!(order.state(), OrderState::NotValidated);
    }

    #[test]
    fn resubmission_copies_final_provider_orders_only() {
        let now = Timestamp::now();
        let mut order = ProviderOrder::new(key(), now);
        let new_guid = Guid::random();
        assert!(order.resubmitted(new_guid.clone(), now).is_err());
        order.apply_validating(OrderEvent::Submit, now).unwrap();
        order.apply(OrderEvent::SubmitFailed, now).unwrap();
        let copy = order.resubmitted(new_guid.clone(), now).unwrap();
        assert_eq!(order.state(), OrderState::SubmitFailed);
        assert_eq!(copy.state(), OrderState::Submitting);
        assert_eq!(copy.key.order_guid, new_guid);
        assert_eq!(copy.key.provider_guid, order.key.provider_guid);
        assert_eq!(
            texts(&copy).last(),
            Some(&"ECHO: Transitioning from state [SUBMIT_FAILED] to state [SUBMITTING]")
        );
    }
}
