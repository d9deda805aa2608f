//! What the simulated partner answers: the configured disposition, with a tracking id and a
//! receipt (priced from the items) when it accepts. Quotes and cancellations have no manual
//! acceptance, so a partner configured `manual` accepts those automatically.

use echo_domain::fulfillment::{Disposition, FulfillmentAnswer, FulfillmentRequest};
use echo_domain::order::{OrderReceipt, Pricing};
use echo_domain::policy::Transaction;
use echo_domain::timestamp::Timestamp;

const HOUR: i64 = 3600;

/// The answer to `request` of a partner configured to answer `configured`.
pub fn answer(configured: Disposition, request: &FulfillmentRequest) -> FulfillmentAnswer {
    let disposition = match (configured, request.transaction) {
        (Disposition::AcceptedManual, Transaction::Quote | Transaction::Cancel) => {
            Disposition::AcceptedAutomatic
        }
        (disposition, _) => disposition,
    };
    let accepted = matches!(
        disposition,
        Disposition::AcceptedAutomatic | Disposition::AcceptedManual
    );
    let priced = accepted && request.transaction != Transaction::Cancel;
    FulfillmentAnswer {
        disposition,
        message: Some(message(disposition, request.transaction).to_owned()),
        provider_tracking_id: accepted.then(|| tracking_id(request)),
        receipt: priced.then(|| receipt(request)),
    }
}

/// The partner's id for an order: `SIM-` and the order GUID's first group.
pub fn tracking_id(request: &FulfillmentRequest) -> String {
    let guid = request.provider_order.order_guid.as_str();
    format!("SIM-{}", guid.split('-').next().unwrap_or(guid))
}

fn message(disposition: Disposition, transaction: Transaction) -> &'static str {
    match (disposition, transaction) {
        (Disposition::AcceptedAutomatic, Transaction::Quote) => "partner-sim quoted the order",
        (Disposition::AcceptedAutomatic, Transaction::Submit) => "partner-sim fulfilled the order",
        (Disposition::AcceptedAutomatic, Transaction::Cancel) => "partner-sim cancelled the order",
        (Disposition::AcceptedManual, _) => {
            "partner-sim accepted the order and reports through OrderProcessingService"
        }
        (Disposition::Rejected, _) => "partner-sim rejects every request (--answer rejected)",
        (Disposition::Postponed, _) => "partner-sim will answer later (--answer postponed)",
    }
}

fn receipt(request: &FulfillmentRequest) -> OrderReceipt {
    let data_price = request
        .items
        .iter()
        .map(|item| item.item.catalog_item.price * f64::from(item.item.quantity))
        .sum();
    let now = Timestamp::now();
    OrderReceipt {
        latest_cancel_date: Some(now.plus_seconds(HOUR)),
        estimated_ship_date: Some(now.plus_seconds(24 * HOUR)),
        acceptance_date: Some(now),
        pricing: Some(Pricing {
            total_price: data_price,
            data_price,
            ..Pricing::default()
        }),
    }
}
