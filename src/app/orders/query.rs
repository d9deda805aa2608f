//! Reading orders: whole orders, order items by GUID, the items of orders or of provider
//! orders, and a provider's provider orders by state and date. Owners and operators read
//! whole orders; provider staff read their provider's part only; anyone else asking for an
//! order is refused, never given an empty answer.

use super::stored_order;
use crate::app::Gateway;
use crate::error::{GatewayError, GatewayResult};
use echo_domain::caller::{AccessDenied, Caller, OrderView};
use echo_domain::guid::Guid;
use echo_domain::order::{Order, OrderItem, OrderState, ProviderOrderKey};
use echo_domain::timestamp::Timestamp;

/// Which of an order's dates a provider-order search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderDate {
    Creation,
    Submission,
    LastUpdate,
}

impl OrderDate {
    fn of(self, order: &Order) -> Option<Timestamp> {
        match self {
            OrderDate::Creation => Some(order.creation_date),
            OrderDate::Submission => order.submission_date,
            OrderDate::LastUpdate => Some(order.last_update_date),
        }
    }
}

/// A search for provider orders: state among `states` (`None`: any) and the chosen date
/// within [`from`, `to`] (either end open when `None`).
#[derive(Debug, Clone)]
pub struct ProviderOrderFilter {
    pub states: Option<Vec<OrderState>>,
    pub date: OrderDate,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl ProviderOrderFilter {
    fn matches(&self, order: &Order, state: OrderState) -> bool {
        let state_matches = self.states.as_ref().is_none_or(|s| s.contains(&state));
        let in_window = self.date.of(order).is_some_and(|d| {
            self.from.is_none_or(|from| d >= from) && self.to.is_none_or(|to| d <= to)
        });
        state_matches && in_window
    }
}

/// The named orders (GUIDs as sent), or with `None` the orders the caller has: their own, and
/// for a provider's staff, their provider's part of its customers' orders.
pub fn orders(
    gateway: &Gateway,
    caller: &Caller,
    guids: Option<&[String]>,
) -> GatewayResult<Vec<Order>> {
    let Some(guids) = guids else {
        return callers_orders(gateway, caller);
    };
    guids
        .iter()
        .map(|guid| visible_order(gateway, caller, guid))
        .collect()
}

/// The named order items, in request order.
pub fn items(
    gateway: &Gateway,
    caller: &Caller,
    item_guids: &[String],
) -> GatewayResult<Vec<OrderItem>> {
    item_guids
        .iter()
        .map(|guid| {
            let order = gateway
                .store
                .order_of_item(guid)?
                .map(|order| view(caller, order))
                .transpose()?
                .ok_or_else(|| GatewayError::not_found("OrderItem", guid.as_str()))?;
            find_item(&order, guid)
                .cloned()
                .ok_or_else(|| not_visible(caller, &order.guid))
        })
        .collect()
}

/// The items of the named orders, order after order.
pub fn items_of_orders(
    gateway: &Gateway,
    caller: &Caller,
    order_guids: &[String],
) -> GatewayResult<Vec<OrderItem>> {
    let mut items = Vec::new();
    for guid in order_guids {
        items.extend_from_slice(visible_order(gateway, caller, guid)?.items());
    }
    Ok(items)
}

/// The items of one provider order.
pub fn items_of_provider_order(
    gateway: &Gateway,
    caller: &Caller,
    key: &ProviderOrderKey,
) -> GatewayResult<Vec<OrderItem>> {
    let order = visible_order(gateway, caller, key.order_guid.as_str())?;
    if order.provider_order(&key.provider_guid).is_none() {
        return Err(GatewayError::not_found(
            "ProviderOrder",
            format!("{}/{}", key.order_guid, key.provider_guid),
        ));
    }
    let items = order
        .items()
        .iter()
        .filter(|item| item.provider_order.provider_guid == key.provider_guid);
    Ok(items.cloned().collect())
}

/// The provider orders of the caller's provider (staff, or a provider-context token) that
/// `filter` matches, in order GUID order.
pub fn provider_orders(
    gateway: &Gateway,
    caller: &Caller,
    filter: &ProviderOrderFilter,
) -> GatewayResult<Vec<ProviderOrderKey>> {
    let provider = caller.acting_provider()?;
    let mut found = Vec::new();
    for order in gateway.store.orders_of_provider(provider)? {
        if let Some(provider_order) = order.provider_order(provider)
            && filter.matches(&order, provider_order.state())
        {
            found.push(provider_order.key.clone());
        }
    }
    Ok(found)
}

/// Loads an order and reduces it to what the caller may see.
fn visible_order(gateway: &Gateway, caller: &Caller, guid: &str) -> GatewayResult<Order> {
    view(caller, stored_order(gateway, guid)?)
}

pub(super) fn view(caller: &Caller, order: Order) -> GatewayResult<Order> {
    let providers = order.provider_orders().iter().map(|p| &p.key.provider_guid);
    Ok(
        match caller.order_view(&order.guid, &order.owner_guid, providers)? {
            OrderView::Whole => order,
            OrderView::ProviderPart(provider) => order.provider_part(&provider),
        },
    )
}

/// The orders a nil list of orders means: one's own; a provider's staff, their provider's.
pub(super) fn callers_orders(gateway: &Gateway, caller: &Caller) -> GatewayResult<Vec<Order>> {
    let mut orders = gateway.store.orders_of_owner(&caller.user_guid)?;
    if let Some(provider) = caller.provider.as_ref().filter(|_| !caller.is_operator()) {
        for order in gateway.store.orders_of_provider(provider)? {
            if order.owner_guid != caller.user_guid {
                orders.push(view(caller, order)?);
            }
        }
    }
    Ok(orders)
}

fn find_item<'a>(order: &'a Order, guid: &str) -> Option<&'a OrderItem> {
    order
        .items()
        .iter()
        .find(|item| item.guid.as_str().eq_ignore_ascii_case(guid))
}

fn not_visible(caller: &Caller, order: &Guid) -> GatewayError {
    AccessDenied::OrderNotVisible {
        user: caller.user_name.clone(),
        order: order.to_string(),
    }
    .into()
}
