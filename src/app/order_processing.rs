//! Order processing: data partners report on their provider orders. They accept or reject a
//! submission, a quote or a cancellation, close or cancel items (all of them, or the catalog
//! items listed), set their tracking id and add status lines.
//!
//! The caller acts for one provider: provider staff for their own, provider staff or operators
//! with a provider-context token for the one it names; the provider order is (the order, that
//! provider), and an order without one is not the caller's to touch. Each callback becomes a
//! [`ProviderReport`], applied with its change record in one transaction. A report whose effect
//! is already in place (a repeated call) commits nothing and succeeds; an illegal transition is
//! refused with the order's error. An OMS's PATCH of a project item (`oms::items`) applies its
//! reports through the same [`apply_reports`] and [`settled`].

use super::Gateway;
use super::orders::name_missing_order;
use crate::error::{GatewayError, GatewayResult};
use crate::storage::{ChangeOrigin, OrderChange, StorageError};
use echo_domain::caller::{AccessDenied, Caller};
use echo_domain::guid::Guid;
use echo_domain::order::{
    ItemSettlement, Order, OrderEvent, OrderReceipt, ProviderReport, ReportedChange,
};
use echo_domain::timestamp::Timestamp;

/// Items a partner closes or cancels: those of `catalog_items` (`None`: all of them).
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    pub catalog_items: Option<Vec<String>>,
    pub tracking_id: Option<String>,
    pub message: String,
}

/// One of the partner's callbacks, with what it carries. Status messages may be blank.
#[derive(Debug, Clone, PartialEq)]
pub enum PartnerCallback {
    Close(Settlement),
    AcceptCancellation(Settlement),
    RejectCancellation {
        message: String,
    },
    AcceptSubmission {
        tracking_id: Option<String>,
        receipt: Option<OrderReceipt>,
        message: String,
    },
    RejectSubmission {
        message: String,
    },
    AcceptQuote {
        receipt: OrderReceipt,
        message: String,
    },
    RejectQuote {
        message: String,
    },
    StatusMessage(String),
    TrackingId(String),
}

impl PartnerCallback {
    /// The operation the change log records (ECHO's OrderProcessingService names).
    pub fn operation(&self) -> &'static str {
        match self {
            PartnerCallback::Close(_) => "CloseProviderOrder",
            PartnerCallback::AcceptCancellation(_) => "AcceptProviderOrderCancellation",
            PartnerCallback::RejectCancellation { .. } => "RejectProviderOrderCancellation",
            PartnerCallback::AcceptSubmission { .. } => "AcceptProviderOrderSubmission",
            PartnerCallback::RejectSubmission { .. } => "RejectProviderOrderSubmission",
            PartnerCallback::AcceptQuote { .. } => "AcceptProviderOrderQuote",
            PartnerCallback::RejectQuote { .. } => "RejectProviderOrderQuote",
            PartnerCallback::StatusMessage(_) => "UpdateProviderOrderStatusMessage",
            PartnerCallback::TrackingId(_) => "SetProviderTrackingId",
        }
    }

    /// The report the callback amounts to.
    fn into_report(self) -> ProviderReport {
        let event = |event, message| ProviderReport::new(ReportedChange::Event(event), message);
        match self {
            PartnerCallback::Close(items) => settle(items, ItemSettlement::Close),
            PartnerCallback::AcceptCancellation(items) => settle(items, ItemSettlement::Cancel),
            PartnerCallback::RejectCancellation { message } => {
                event(OrderEvent::CancelRejected, message)
            }
            PartnerCallback::AcceptSubmission {
                tracking_id,
                receipt,
                message,
            } => ProviderReport {
                tracking_id,
                receipt,
                ..event(OrderEvent::SubmitAccepted, message)
            },
            PartnerCallback::RejectSubmission { message } => {
                event(OrderEvent::SubmitRejected, message)
            }
            PartnerCallback::AcceptQuote { receipt, message } => ProviderReport {
                receipt: Some(receipt),
                ..event(OrderEvent::QuoteAccepted, message)
            },
            PartnerCallback::RejectQuote { message } => event(OrderEvent::QuoteRejected, message),
            PartnerCallback::StatusMessage(message) => {
                ProviderReport::new(ReportedChange::Nothing, message)
            }
            PartnerCallback::TrackingId(tracking_id) => ProviderReport {
                tracking_id: Some(tracking_id),
                ..ProviderReport::new(ReportedChange::Nothing, "")
            },
        }
    }
}

fn settle(items: Settlement, settlement: ItemSettlement) -> ProviderReport {
    let change = ReportedChange::Settle {
        settlement,
        catalog_items: items.catalog_items,
    };
    ProviderReport {
        tracking_id: items.tracking_id,
        ..ProviderReport::new(change, items.message)
    }
}

/// Applies the caller's `callback` to its provider order in order `order` (a GUID).
pub fn report(
    gateway: &Gateway,
    caller: &Caller,
    order: &str,
    callback: PartnerCallback,
) -> GatewayResult<()> {
    let provider = caller.acting_provider()?;
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: callback.operation(),
        oms: None,
    };
    let reports = [callback.into_report()];
    let outcome = gateway.store.update_order(
        order,
        origin,
        apply_reports(caller, provider, order, &reports),
    );
    settled(outcome, order)
}

/// Why an order transaction ended without a commit.
pub(super) enum Uncommitted {
    /// The reports' effect was already in place: nothing to commit, and the call succeeds.
    InPlace,
    Refused(GatewayError),
}

impl From<GatewayError> for Uncommitted {
    fn from(error: GatewayError) -> Self {
        Uncommitted::Refused(error)
    }
}

impl From<StorageError> for Uncommitted {
    fn from(error: StorageError) -> Self {
        Uncommitted::Refused(error.into())
    }
}

/// The edit that applies `reports`, in turn, to the provider order of `provider` in order
/// `guid` through the one transition table (a partner's callback, or an OMS's PATCH). It
/// ends in [`Uncommitted::InPlace`] when none of them changes anything, so a repeated call
/// commits no order change, and is refused for an order without that provider order.
pub(super) fn apply_reports<'a>(
    caller: &'a Caller,
    provider: &'a Guid,
    guid: &'a str,
    reports: &'a [ProviderReport],
) -> impl FnMut(Order) -> Result<OrderChange, Uncommitted> + 'a {
    move |mut order| {
        if order.provider_order(provider).is_none() {
            return Err(GatewayError::from(AccessDenied::OrderNotVisible {
                user: caller.user_name.clone(),
                order: guid.to_owned(),
            })
            .into());
        }
        let mut changed = false;
        for report in reports {
            changed |= order
                .apply_report(provider, report, Timestamp::now())
                .map_err(GatewayError::from)?;
        }
        match changed {
            true => Ok(OrderChange {
                order,
                deliveries: Vec::new(),
            }),
            false => Err(Uncommitted::InPlace),
        }
    }
}

/// The answer to an [`apply_reports`] transaction: one already in place is a success; a
/// missing order is named as such.
pub(super) fn settled(outcome: Result<(), Uncommitted>, guid: &str) -> GatewayResult<()> {
    match outcome {
        Ok(()) | Err(Uncommitted::InPlace) => Ok(()),
        Err(Uncommitted::Refused(error)) => Err(name_missing_order(error, guid)),
    }
}
