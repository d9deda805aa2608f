//! Invalidating the orders of removed option definitions: a durable job. Removing a
//! definition queues it in the same transaction as the removal; the server's maintenance task
//! runs [`invalidate_orders_of_removed_definitions`] at start and whenever woken, so a crash
//! between the two still finishes it.

use crate::app::Gateway;
use crate::error::{GatewayError, GatewayResult};
use crate::storage::{ChangeOrigin, OrderChange};
use echo_domain::guid::Guid;
use echo_domain::option_definition::OptionDefinition;
use echo_domain::order::{Order, OrderEvent, OrderState};
use echo_domain::timestamp::Timestamp;

/// Finishes every queued invalidation: orders that were validated (or quoted) but not
/// submitted, with an item answering a removed definition, return to NOT_VALIDATED with a
/// status line saying why. Submitted orders are left as they are. Returns orders changed.
pub fn invalidate_orders_of_removed_definitions(gateway: &Gateway) -> GatewayResult<usize> {
    let mut changed = 0;
    for definition in gateway.store.removed_option_definitions()? {
        gateway.forms.remove(definition.guid.as_str());
        changed += invalidate_orders_of(gateway, &definition)?;
        gateway
            .store
            .finish_removed_option_definition(definition.guid.as_str())?;
    }
    Ok(changed)
}

/// Invalidates the orders awaiting submission that answer `definition`, logging progress
/// every thousand orders read (a large store takes a while).
fn invalidate_orders_of(gateway: &Gateway, definition: &OptionDefinition) -> GatewayResult<usize> {
    let mut changed = 0;
    let orders = gateway.store.orders()?;
    let total = orders.len();
    for (index, order) in orders.into_iter().enumerate() {
        if answers(&order, definition) && order_awaits_submission(&order) {
            invalidate(gateway, &order.guid, definition)?;
            changed += 1;
        }
        if (index + 1) % 1000 == 0 {
            tracing::info!(definition = %definition.guid, done = index + 1, total, "invalidating orders of a removed option definition");
        }
    }
    Ok(changed)
}

/// Whether an item of `order` carries a selection answering `definition`.
pub(super) fn answers(order: &Order, definition: &OptionDefinition) -> bool {
    order.items().iter().any(|item| {
        item.option_selection
            .as_ref()
            .is_some_and(|s| s.guid == definition.guid)
    })
}

/// Submitted orders are left as they are: only orders whose every provider order still
/// awaits submission go back to NOT_VALIDATED.
pub(super) fn order_awaits_submission(order: &Order) -> bool {
    order
        .provider_orders()
        .iter()
        .all(|p| awaiting_submission(p.state()))
}

fn awaiting_submission(state: OrderState) -> bool {
    matches!(
        state,
        OrderState::Validated
            | OrderState::Quoted
            | OrderState::QuoteRejected
            | OrderState::QuoteFailed
    )
}

fn invalidate(gateway: &Gateway, order: &Guid, definition: &OptionDefinition) -> GatewayResult<()> {
    let origin = ChangeOrigin {
        actor: &definition.provider,
        operation: "RemoveCatalogItemOptionDefinitions",
        oms: None,
    };
    let message = format!(
        "ECHO: option definition [{}] was removed; the order must be validated again",
        definition.name
    );
    gateway
        .store
        .update_order(order.as_str(), origin, |mut order| {
            let now = Timestamp::now();
            let providers: Vec<Guid> = order
                .provider_orders()
                .iter()
                .map(|p| p.key.provider_guid.clone())
                .collect();
            for provider in &providers {
                order.record_message(provider, &message, now)?;
            }
            order.apply_to_all(OrderEvent::Invalidate, now)?;
            Ok::<_, GatewayError>(OrderChange {
                order,
                deliveries: Vec::new(),
            })
        })?;
    Ok(())
}
