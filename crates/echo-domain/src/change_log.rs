//! The change log: an append-only record of every order change with a gap-free sequence
//! number, who made it and what changed. Event feeds for modern integrators read it by
//! sequence (never by time, so no event can slip behind a cursor).

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::order::{Order, OrderState};
use super::timestamp::Timestamp;

/// One committed change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// 1, 2, 3, … in commit order, without gaps.
    pub sequence: u64,
    pub at: Timestamp,
    /// The user whose request made the change.
    pub actor: Guid,
    /// The operation, e.g. `SubmitOrder`.
    pub operation: String,
    pub order: Guid,
    pub changes: Vec<StateChange>,
}

/// A state change of the order (`provider` is `None`) or of one of its provider orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    pub provider: Option<Guid>,
    pub before: Option<OrderState>,
    pub after: Option<OrderState>,
}

/// The order and each of its provider orders going away.
pub fn removal_changes(order: &Order) -> Vec<StateChange> {
    let gone = |provider: Option<Guid>, state: OrderState| StateChange {
        provider,
        before: Some(state),
        after: None,
    };
    std::iter::once(gone(None, order.state()))
        .chain(
            order
                .provider_orders()
                .iter()
                .map(|p| gone(Some(p.key.provider_guid.clone()), p.state())),
        )
        .collect()
}

/// The state changes between two versions of an order (`before` is `None` for a new order).
pub fn state_changes(before: Option<&Order>, after: &Order) -> Vec<StateChange> {
    let mut changes = Vec::new();
    let order_before = before.map(Order::state);
    if order_before != Some(after.state()) {
        changes.push(StateChange {
            provider: None,
            before: order_before,
            after: Some(after.state()),
        });
    }
    let state_in = |order: Option<&Order>, provider: &Guid| {
        order
            .and_then(|o| o.provider_order(provider))
            .map(|p| p.state())
    };
    let mut providers: Vec<&Guid> = after
        .provider_orders()
        .iter()
        .chain(before.map(Order::provider_orders).unwrap_or_default())
        .map(|p| &p.key.provider_guid)
        .collect();
    providers.sort();
    providers.dedup();
    for provider in providers {
        let (was, is) = (state_in(before, provider), state_in(Some(after), provider));
        if was != is {
            changes.push(StateChange {
                provider: Some(provider.clone()),
                before: was,
                after: is,
            });
        }
    }
    changes
}
