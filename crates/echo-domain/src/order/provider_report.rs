//! A data partner's report on one of its provider orders: what OrderProcessingService receives
//! (and what a partner's answer to a delivery amounts to). A report carries a change (an event
//! of the transition table, or items closed or cancelled), optionally the provider's tracking
//! id and an OrderReceipt, and free text for the status log, logged before the state change
//! it explains (`Order received`, then `[SUBMITTING] -> [PROCESSING]`, as ECHO logged it).
//!
//! Reports are idempotent: one whose effect is already in place changes nothing, not even the
//! log, so a partner may repeat a call it is unsure about. In place means:
//! - an event: the provider order is already in the state the event leads to
//!   (SubmitAccepted on PROCESSING, QuoteRejected on QUOTE_REJECTED);
//! - a settlement: every named item (all when none are named) already has the settled state,
//!   so the provider order has followed if they were its last;
//! - a bare status message: the log already ends with it;
//! - and in every case the tracking id and receipt, when given, are the stored ones.
//!
//! A repeat's status message is not logged again. Anything else applies in full, or not at all
//! when the transition table refuses it.

use super::aggregate::{ItemSettlement, Order};
use super::error::OrderError;
use super::item::OrderItem;
use super::provider_order::{OrderReceipt, ProviderOrder};
use super::status::{StatusLine, StatusLog};
use super::transition::{OrderEvent, TRANSITIONS};
use crate::guid::Guid;
use crate::timestamp::Timestamp;

/// What a report changes besides the tracking id, the receipt and the log.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportedChange {
    /// Nothing else: a status message or a tracking id alone.
    Nothing,
    /// A partner's answer, e.g. `SubmitAccepted` or `CancelRejected`.
    Event(OrderEvent),
    /// CloseProviderOrder / AcceptProviderOrderCancellation of these catalog items (`None`:
    /// all items of the provider order).
    Settle {
        settlement: ItemSettlement,
        catalog_items: Option<Vec<String>>,
    },
}

/// A data partner's report on its provider order.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderReport {
    pub change: ReportedChange,
    pub tracking_id: Option<String>,
    pub receipt: Option<OrderReceipt>,
    /// Free text for the status log; blank for none.
    pub message: String,
}

impl ProviderReport {
    /// A report of `change` and `message`, without tracking id or receipt.
    pub fn new(change: ReportedChange, message: impl Into<String>) -> Self {
        ProviderReport {
            change,
            tracking_id: None,
            receipt: None,
            message: message.into(),
        }
    }
}

impl Order {
    /// Applies `report` to the provider order of `provider`. Returns `false`, changing nothing,
    /// when the report's effect is already in place (see the module documentation); a refused
    /// report changes nothing either.
    pub fn apply_report(
        &mut self,
        provider: &Guid,
        report: &ProviderReport,
        now: Timestamp,
    ) -> Result<bool, OrderError> {
        let provider_order =
            self.provider_order(provider)
                .ok_or_else(|| OrderError::UnknownProviderOrder {
                    order: self.guid.clone(),
                    provider: provider.clone(),
                })?;
        if self.report_in_place(provider_order, report) {
            return Ok(false);
        }
        let mut next = self.clone();
        next.apply_report_in_full(provider, report, now)?;
        *self = next;
        Ok(true)
    }

    fn report_in_place(&self, provider_order: &ProviderOrder, report: &ProviderReport) -> bool {
        let attributes_in_place =
            stored_if_given(
                report.tracking_id.as_ref(),
                provider_order.provider_tracking_id.as_ref(),
            ) && stored_if_given(report.receipt.as_ref(), provider_order.receipt.as_ref());
        attributes_in_place
            && match &report.change {
                ReportedChange::Nothing => ends_with(provider_order.status(), &report.message),
                ReportedChange::Event(event) => TRANSITIONS
                    .iter()
                    .any(|t| t.event == *event && t.to == provider_order.state()),
                ReportedChange::Settle {
                    settlement,
                    catalog_items,
                } => self.items_settled(
                    &provider_order.key.provider_guid,
                    *settlement,
                    catalog_items,
                ),
            }
    }

    /// Whether the named items of `provider` (all when `None`) exist and are all settled so.
    fn items_settled(
        &self,
        provider: &Guid,
        settlement: ItemSettlement,
        catalog_items: &Option<Vec<String>>,
    ) -> bool {
        let items: Vec<&OrderItem> = self.items_of(provider).collect();
        let settled = |item: &&OrderItem| item.state == settlement.item_state();
        match catalog_items {
            None => items.iter().all(settled),
            Some(names) => names.iter().all(|name| {
                let named: Vec<&&OrderItem> = items
                    .iter()
                    .filter(|item| &item.catalog_item.item_guid == name)
                    .collect();
                !named.is_empty() && named.into_iter().all(settled)
            }),
        }
    }

    fn apply_report_in_full(
        &mut self,
        provider: &Guid,
        report: &ProviderReport,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        let provider_order = self.provider_order_mut(provider)?;
        if let Some(tracking_id) = &report.tracking_id {
            provider_order.provider_tracking_id = Some(tracking_id.clone());
        }
        if let Some(receipt) = &report.receipt {
            provider_order.receipt = Some(receipt.clone());
        }
        self.record_message(provider, &report.message, now)?;
        match &report.change {
            ReportedChange::Nothing => Ok(()),
            ReportedChange::Event(event) => self.apply_to_provider_order(provider, *event, now),
            ReportedChange::Settle {
                settlement,
                catalog_items,
            } => {
                let names = catalog_items.clone().unwrap_or_else(|| {
                    self.items_of(provider)
                        .map(|item| item.catalog_item.item_guid.clone())
                        .collect()
                });
                self.settle_items(provider, &names, *settlement, "", now)
            }
        }
    }

    fn items_of<'a>(&'a self, provider: &'a Guid) -> impl Iterator<Item = &'a OrderItem> + 'a {
        self.items()
            .iter()
            .filter(move |item| &item.provider_order.provider_guid == provider)
    }
}

/// A value a report leaves out is in place; one it gives must be the stored one.
fn stored_if_given<T: PartialEq>(given: Option<&T>, stored: Option<&T>) -> bool {
    given.is_none() || given == stored
}

/// Whether the log's last lines are `message`'s lines (a blank message always is).
fn ends_with(log: &StatusLog, message: &str) -> bool {
    let mut wanted = StatusLog::default();
    wanted.record_message(message, Timestamp::from_millis(0));
    let texts = |lines: &[StatusLine]| -> Vec<String> {
        lines.iter().map(|line| line.text.clone()).collect()
    };
    texts(log.lines()).ends_with(&texts(wanted.lines()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::provider_order::Pricing;
    use crate::order::state::OrderState;
    use crate::order::test_support::{catalog_item, recorded_now};

    const ITEMS: [&str; 3] = [
        "G1000005034-DEV07",
        "G1000005024-DEV07",
        "G1000005028-DEV07",
    ];

    fn submitted() -> (Order, Guid) {
        let dev07 = Guid::random();
        let now = recorded_now();
        let mut order = Order::new(Guid::random(), Guid::random(), now);
        for item in ITEMS {
            order
                .add_item(catalog_item(item, &dev07), 1, None, now)
                .unwrap();
        }
        order
            .apply_to_all_validating(OrderEvent::Submit, now)
            .unwrap();
        (order, dev07)
    }

    fn texts(order: &Order, provider: &Guid) -> Vec<String> {
        let log = order.provider_order(provider).unwrap().status();
        log.lines().iter().map(|l| l.text.clone()).collect()
    }

    fn accepted_submission() -> ProviderReport {
        ProviderReport {
            tracking_id: Some("0600030379".into()),
            receipt: Some(OrderReceipt {
                acceptance_date: Some(recorded_now()),
                pricing: Some(Pricing::default()),
                ..OrderReceipt::default()
            }),
            ..ProviderReport::new(
                ReportedChange::Event(OrderEvent::SubmitAccepted),
                "Order received",
            )
        }
    }

    fn close(items: Option<&[&str]>) -> ProviderReport {
        let catalog_items = items.map(|names| names.iter().map(|n| (*n).to_owned()).collect());
        ProviderReport::new(
            ReportedChange::Settle {
                settlement: ItemSettlement::Close,
                catalog_items,
            },
            "Running tests",
        )
    }

    /// Applies `report` expecting a change, then again expecting none.
    fn apply_twice(order: &mut Order, provider: &Guid, report: &ProviderReport) {
        let now = recorded_now().plus_seconds(60);
        assert_eq!(order.apply_report(provider, report, now), Ok(true));
        let before = order.clone();
        let later = now.plus_seconds(60);
        assert_eq!(order.apply_report(provider, report, later), Ok(false));
        assert_eq!(*order, before, "a repeated report changes nothing");
    }

    #[test]
    fn manual_flow_logs_like_echo_and_repeats_change_nothing() {
        let (mut order, dev07) = submitted();
        apply_twice(&mut order, &dev07, &accepted_submission());
        let provider_order = order.provider_order(&dev07).unwrap();
        assert_eq!(provider_order.state(), OrderState::Processing);
        assert_eq!(
            provider_order.provider_tracking_id.as_deref(),
            Some("0600030379")
        );
        assert!(provider_order.receipt.is_some());
        apply_twice(&mut order, &dev07, &close(Some(&ITEMS[2..])));
        assert_eq!(
            order.provider_order(&dev07).unwrap().state(),
            OrderState::Processing
        );
        apply_twice(&mut order, &dev07, &close(None));
        let provider_order = order.provider_order(&dev07).unwrap();
        assert_eq!(provider_order.state(), OrderState::Closed);
        assert_eq!(
            texts(&order, &dev07)[3..],
            [
                "Order received",
                "ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]",
                "Running tests",
                "Running tests",
                "ECHO: Transitioning from state [PROCESSING] to state [CLOSED]",
            ]
        );
        assert_eq!(
            order.apply_report(&dev07, &close(Some(&ITEMS)), recorded_now()),
            Ok(false),
            "closing closed items of a closed provider order again is a repeat"
        );
    }

    #[test]
    fn refused_reports_change_nothing() {
        let (mut order, dev07) = submitted();
        let before = order.clone();
        let quote = ProviderReport::new(ReportedChange::Event(OrderEvent::QuoteAccepted), "q");
        assert!(matches!(
            order.apply_report(&dev07, &quote, recorded_now()),
            Err(OrderError::Transition(_))
        ));
        assert!(
            order
                .apply_report(&dev07, &close(None), recorded_now())
                .is_err()
        );
        apply_twice(&mut order, &dev07, &accepted_submission());
        let before_unknown = order.clone();
        let unknown = close(Some(&["G404-DEV07"]));
        assert!(matches!(
            order.apply_report(&dev07, &unknown, recorded_now()),
            Err(OrderError::UnknownCatalogItem { .. })
        ));
        assert_eq!(order, before_unknown);
        let other_tracking_id = ProviderReport {
            tracking_id: Some("other".into()),
            ..accepted_submission()
        };
        assert!(
            order
                .apply_report(&dev07, &other_tracking_id, recorded_now())
                .is_err(),
            "a different answer to a settled submission is a new, illegal transition"
        );
        assert!(matches!(
            before
                .clone()
                .apply_report(&Guid::random(), &quote, recorded_now()),
            Err(OrderError::UnknownProviderOrder { .. })
        ));
    }

    #[test]
    fn status_messages_and_tracking_ids() {
        let (mut order, dev07) = submitted();
        let message = ProviderReport::new(ReportedChange::Nothing, "Still working\non it");
        apply_twice(&mut order, &dev07, &message);
        assert_eq!(texts(&order, &dev07)[3..], ["Still working", "on it"]);
        let other = ProviderReport::new(ReportedChange::Nothing, "on it");
        assert_eq!(
            order.apply_report(&dev07, &other, recorded_now()),
            Ok(false)
        );
        let tracking = ProviderReport {
            tracking_id: Some("T-1".into()),
            ..ProviderReport::new(ReportedChange::Nothing, "")
        };
        apply_twice(&mut order, &dev07, &tracking);
        let changed = ProviderReport {
            tracking_id: Some("T-2".into()),
            ..tracking
        };
        apply_twice(&mut order, &dev07, &changed);
        let provider_order = order.provider_order(&dev07).unwrap();
        assert_eq!(provider_order.provider_tracking_id.as_deref(), Some("T-2"));
        assert_eq!(texts(&order, &dev07).len(), 5, "tracking ids log nothing");
    }

    #[test]
    fn cancellation_answers() {
        let (mut order, dev07) = submitted();
        apply_twice(&mut order, &dev07, &accepted_submission());
        let now = recorded_now();
        order
            .apply_to_provider_order(&dev07, OrderEvent::RequestCancel, now)
            .unwrap();
        let reject = ProviderReport::new(ReportedChange::Event(OrderEvent::CancelRejected), "no");
        apply_twice(&mut order, &dev07, &reject);
        assert_eq!(
            order.provider_order(&dev07).unwrap().state(),
            OrderState::Processing
        );
        let cancel = ProviderReport::new(
            ReportedChange::Settle {
                settlement: ItemSettlement::Cancel,
                catalog_items: None,
            },
            "",
        );
        apply_twice(&mut order, &dev07, &cancel);
        assert_eq!(
            order.provider_order(&dev07).unwrap().state(),
            OrderState::Cancelled
        );
        assert!(order.apply_report(&dev07, &close(None), now).is_err());
    }
}
