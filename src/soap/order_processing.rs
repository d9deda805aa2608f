//! OrderProcessingService: data partners report on their provider orders. They accept or
//! reject a submission, a quote or a cancellation, close or cancel items (all of them, or the
//! catalog items listed), set their tracking id and add status lines.
//!
//! The caller acts for one provider: provider staff for their own, provider staff or operators
//! with a provider-context token for the one it names; the provider order is (`orderGuid`,
//! that provider), and an order without one is not the caller's to touch. Each operation
//! becomes a [`ProviderReport`], applied with its change record in one transaction. A report
//! whose effect is already in place (a repeated call) commits nothing and succeeds; an
//! illegal transition is an `InvalidOrderState` fault. Every response is empty.

use crate::app::orders::name_missing_order;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::soap::order_codec::{decode_receipt, optional_text};
use crate::soap::writer::Out;
use crate::soap::{Gateway, response};
use crate::storage::{ChangeOrigin, OrderChange, StorageError};
use crate::xml::Element;
use echo_domain::caller::{AccessDenied, Caller};
use echo_domain::guid::Guid;
use echo_domain::order::{ItemSettlement, OrderEvent, ProviderReport, ReportedChange};
use echo_domain::timestamp::Timestamp;

/// Reads an operation's parameters (after `token` and `orderGuid`) into a report.
type Decoder = fn(Fields<'_>) -> GatewayResult<ProviderReport>;

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    let decode: Decoder = match name {
        "CloseProviderOrder" => |params| Ok(settlement(params, ItemSettlement::Close)),
        "AcceptProviderOrderCancellation" => {
            |params| Ok(settlement(params, ItemSettlement::Cancel))
        }
        "RejectProviderOrderCancellation" => {
            |params| Ok(answer(params, OrderEvent::CancelRejected))
        }
        "AcceptProviderOrderSubmission" => accepted_submission,
        "RejectProviderOrderSubmission" => |params| Ok(answer(params, OrderEvent::SubmitRejected)),
        "AcceptProviderOrderQuote" => accepted_quote,
        "RejectProviderOrderQuote" => |params| Ok(answer(params, OrderEvent::QuoteRejected)),
        "UpdateProviderOrderStatusMessage" => status_message,
        "SetProviderTrackingId" => tracking_id,
        _ => return None,
    };
    Some(act(gateway, name, op, decode))
}

fn act(gateway: &Gateway, operation: &str, op: &Element, decode: Decoder) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let provider = caller.acting_provider()?;
    let params = Fields::params(op);
    let order = params.required_text("orderGuid")?;
    let report = decode(params)?;
    commit(gateway, &caller, provider, order, operation, &report)?;
    Ok(response(operation))
}

/// Why an order transaction ended without a commit.
enum Uncommitted {
    /// The report's effect was already in place: nothing to commit, and the call succeeds.
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

/// Applies `report` to the provider order of `provider` in order `guid`: the order and its
/// change record commit together, or, when the report is already in place, nothing does.
fn commit(
    gateway: &Gateway,
    caller: &Caller,
    provider: &Guid,
    guid: &str,
    operation: &str,
    report: &ProviderReport,
) -> GatewayResult<()> {
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation,
    };
    let outcome = gateway.store.update_order(guid, origin, |mut order| {
        if order.provider_order(provider).is_none() {
            return Err(GatewayError::from(AccessDenied::OrderNotVisible {
                user: caller.user_name.clone(),
                order: guid.to_owned(),
            })
            .into());
        }
        match order.apply_report(provider, report, Timestamp::now()) {
            Ok(true) => Ok(OrderChange {
                order,
                deliveries: Vec::new(),
            }),
            Ok(false) => Err(Uncommitted::InPlace),
            Err(error) => Err(GatewayError::from(error).into()),
        }
    });
    match outcome {
        Ok(_) | Err(Uncommitted::InPlace) => Ok(()),
        Err(Uncommitted::Refused(error)) => Err(name_missing_order(error, guid)),
    }
}

/// A report of `change` with the optional `statusMessage`.
fn with_message(params: Fields<'_>, change: ReportedChange) -> ProviderReport {
    ProviderReport::new(change, params.text("statusMessage").unwrap_or_default())
}

/// A partner's answer (Reject*: `statusMessage` only).
fn answer(params: Fields<'_>, event: OrderEvent) -> ProviderReport {
    with_message(params, ReportedChange::Event(event))
}

/// CloseProviderOrder / AcceptProviderOrderCancellation: `providerTrackingId`,
/// `catalogItemGuids` (nil or absent: all items) and `statusMessage`.
fn settlement(params: Fields<'_>, settlement: ItemSettlement) -> ProviderReport {
    let change = ReportedChange::Settle {
        settlement,
        catalog_items: params.string_list("catalogItemGuids"),
    };
    ProviderReport {
        tracking_id: optional_text(params, "providerTrackingId"),
        ..with_message(params, change)
    }
}

/// AcceptProviderOrderSubmission: `providerTrackingId`, `orderReceipt` (both optional) and
/// `statusMessage`.
fn accepted_submission(params: Fields<'_>) -> GatewayResult<ProviderReport> {
    Ok(ProviderReport {
        tracking_id: optional_text(params, "providerTrackingId"),
        receipt: params
            .element("orderReceipt")
            .map(decode_receipt)
            .transpose()?,
        ..answer(params, OrderEvent::SubmitAccepted)
    })
}

/// AcceptProviderOrderQuote: the required `orderReceipt` and `statusMessage`.
fn accepted_quote(params: Fields<'_>) -> GatewayResult<ProviderReport> {
    let receipt = decode_receipt(params.required_element("orderReceipt")?)?;
    Ok(ProviderReport {
        receipt: Some(receipt),
        ..answer(params, OrderEvent::QuoteAccepted)
    })
}

/// UpdateProviderOrderStatusMessage: the required `statusMessage`.
fn status_message(params: Fields<'_>) -> GatewayResult<ProviderReport> {
    params.required_text("statusMessage")?;
    Ok(with_message(params, ReportedChange::Nothing))
}

/// SetProviderTrackingId: the required `providerTrackingId`.
fn tracking_id(params: Fields<'_>) -> GatewayResult<ProviderReport> {
    let tracking_id = params.required_text("providerTrackingId")?;
    Ok(ProviderReport {
        tracking_id: Some(tracking_id.to_owned()),
        ..ProviderReport::new(ReportedChange::Nothing, "")
    })
}
