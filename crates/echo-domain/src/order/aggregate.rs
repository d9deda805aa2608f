//! The order aggregate: a user's items grouped into one provider order per provider, the
//! edits a client makes, and the events applied to the provider orders.
//!
//! Every change goes through the transition table: an edit applies `Invalidate` to every
//! provider order, so items can be changed exactly while every provider order allows that
//! (NOT_VALIDATED, VALIDATED and the quote outcomes), never after submission. A refused change
//! leaves the order untouched.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::derived_state::derive_order_state;
use super::error::OrderError;
use super::item::{CatalogItemRef, ItemState, OptionSelection, OrderItem};
use super::provider_order::{ProviderOrder, ProviderOrderKey};
use super::state::OrderState;
use super::transition::{IllegalTransition, OrderEvent, transition};
use super::user_information::UserInformation;
use crate::guid::Guid;
use crate::timestamp::Timestamp;

/// How a provider settles items: CloseProviderOrder or AcceptProviderOrderCancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemSettlement {
    Close,
    Cancel,
}

impl ItemSettlement {
    pub fn item_state(self) -> ItemState {
        match self {
            ItemSettlement::Close => ItemState::Closed,
            ItemSettlement::Cancel => ItemState::Cancelled,
        }
    }

    /// What the provider order undergoes once all its items are settled this way.
    pub fn event(self) -> OrderEvent {
        match self {
            ItemSettlement::Close => OrderEvent::Close,
            ItemSettlement::Cancel => OrderEvent::CancelAccepted,
        }
    }
}

/// A user's order. Items and provider orders change only through the methods below, which
/// keep one provider order per provider among the items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub guid: Guid,
    /// The user, or for a guest order the guest sign-in, that created the order.
    pub owner_guid: Guid,
    /// Placed by a guest: GetOrders shows no OwnerGuid, and validation wants a way to reach
    /// the guest (see [`super::user_information::UserInformation::validate_for_guest`]).
    #[serde(default)]
    pub guest: bool,
    pub creation_date: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submission_date: Option<Timestamp>,
    pub last_update_date: Timestamp,
    /// e.g. `INFO`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_level: Option<String>,
    /// The ClientId of the client that created the order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_identity: Option<String>,
    user_information: UserInformation,
    items: Vec<OrderItem>,
    provider_orders: Vec<ProviderOrder>,
}

/// The order's items grouped by provider, in provider GUID order.
pub fn split_into_provider_orders(items: &[OrderItem]) -> BTreeMap<&Guid, Vec<&OrderItem>> {
    let mut split: BTreeMap<&Guid, Vec<&OrderItem>> = BTreeMap::new();
    for item in items {
        split
            .entry(&item.provider_order.provider_guid)
            .or_default()
            .push(item);
    }
    split
}

impl Order {
    pub fn new(guid: Guid, owner_guid: Guid, now: Timestamp) -> Self {
        Order {
            guid,
            owner_guid,
            guest: false,
            creation_date: now,
            submission_date: None,
            last_update_date: now,
            notify_level: None,
            client_identity: None,
            user_information: UserInformation::default(),
            items: Vec::new(),
            provider_orders: Vec::new(),
        }
    }

    /// Derived from the provider orders (see [`super::derived_state`]).
    pub fn state(&self) -> OrderState {
        let states: Vec<OrderState> = self.provider_orders.iter().map(|p| p.state()).collect();
        derive_order_state(&states)
    }

    pub fn user_information(&self) -> &UserInformation {
        &self.user_information
    }

    pub fn items(&self) -> &[OrderItem] {
        &self.items
    }

    /// The order item with this GUID.
    pub fn item(&self, item_guid: &Guid) -> Result<&OrderItem, OrderError> {
        Ok(&self.items[self.item_index(item_guid)?])
    }

    pub fn provider_orders(&self) -> &[ProviderOrder] {
        &self.provider_orders
    }

    pub fn provider_order(&self, provider: &Guid) -> Option<&ProviderOrder> {
        self.provider_orders
            .iter()
            .find(|p| &p.key.provider_guid == provider)
    }

    /// The part of the order one provider's staff see: its provider order and its items.
    pub fn provider_part(&self, provider: &Guid) -> Order {
        let mut part = self.clone();
        part.items
            .retain(|item| &item.provider_order.provider_guid == provider);
        part.provider_orders
            .retain(|p| &p.key.provider_guid == provider);
        part
    }

    /// OrderPrice: the sum of the provider orders' quoted or charged totals.
    pub fn order_price(&self) -> f64 {
        self.provider_orders
            .iter()
            .filter_map(|p| p.receipt.as_ref()?.pricing)
            .map(|pricing| pricing.total_price)
            .fold(0.0, |total, price| total + price)
    }

    /// AddOrderItems (one item); returns the new item's GUID.
    pub fn add_item(
        &mut self,
        catalog_item: CatalogItemRef,
        quantity: u32,
        option_selection: Option<OptionSelection>,
        now: Timestamp,
    ) -> Result<Guid, OrderError> {
        let guid = Guid::time_ordered();
        check_quantity(&guid, &catalog_item, quantity)?;
        self.invalidate(now)?;
        let provider_order = ProviderOrderKey {
            order_guid: self.guid.clone(),
            provider_guid: catalog_item.provider_guid.clone(),
        };
        self.items.push(OrderItem {
            guid: guid.clone(),
            catalog_item,
            quantity,
            option_selection,
            provider_order,
            state: ItemState::NotSet,
        });
        self.sync_provider_orders(now);
        Ok(guid)
    }

    /// UpdateOrderItems (one item): new quantity and option selection.
    pub fn update_item(
        &mut self,
        item_guid: &Guid,
        quantity: u32,
        option_selection: Option<OptionSelection>,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        let index = self.item_index(item_guid)?;
        check_quantity(item_guid, &self.items[index].catalog_item, quantity)?;
        self.invalidate(now)?;
        let item = &mut self.items[index];
        item.quantity = quantity;
        item.option_selection = option_selection;
        Ok(())
    }

    /// RemoveOrderItems (one item); a provider order goes with its provider's last item.
    pub fn remove_item(
        &mut self,
        item_guid: &Guid,
        now: Timestamp,
    ) -> Result<OrderItem, OrderError> {
        let index = self.item_index(item_guid)?;
        self.invalidate(now)?;
        let removed = self.items.remove(index);
        self.sync_provider_orders(now);
        Ok(removed)
    }

    /// SetUserInformationForOrder. The rules are checked at validation, as ECHO did.
    pub fn set_user_information(
        &mut self,
        information: UserInformation,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        self.invalidate(now)?;
        self.user_information = information;
        Ok(())
    }

    /// Applies `event` to every provider order, or to none if any refuses it.
    pub fn apply_to_all(&mut self, event: OrderEvent, now: Timestamp) -> Result<(), OrderError> {
        self.update_all(event, now, ProviderOrder::apply)
    }

    /// QuoteOrder / SubmitOrder: like [`Order::apply_to_all`] with the implicit validation.
    pub fn apply_to_all_validating(
        &mut self,
        event: OrderEvent,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        self.update_all(event, now, ProviderOrder::apply_validating)
    }

    /// Applies `event` to one provider order, e.g. a partner's answer or CancelProviderOrder.
    pub fn apply_to_provider_order(
        &mut self,
        provider: &Guid,
        event: OrderEvent,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        self.provider_order_mut(provider)?.apply(event, now)?;
        self.record_update(event, now);
        Ok(())
    }

    /// Appends provider (or gateway) free text to one provider order's status log.
    pub fn record_message(
        &mut self,
        provider: &Guid,
        message: &str,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        self.provider_order_mut(provider)?
            .record_message(message, now);
        self.last_update_date = now;
        Ok(())
    }

    /// CloseProviderOrder / AcceptProviderOrderCancellation: the provider settles the items
    /// with these catalog item GUIDs (settling again is allowed, as ECHO did) and its message
    /// is logged. Once every item of the provider order is settled, the provider order
    /// follows: CLOSED if any item was closed, CANCELLED if all were cancelled. Refused
    /// without change unless the provider order allows that event now.
    pub fn settle_items(
        &mut self,
        provider: &Guid,
        catalog_items: &[String],
        settlement: ItemSettlement,
        message: &str,
        now: Timestamp,
    ) -> Result<(), OrderError> {
        let provider_order = self
            .provider_order(provider)
            .ok_or_else(|| self.unknown_provider_order(provider))?;
        transition(provider_order.state(), settlement.event())?;
        for index in self.settled_item_indexes(provider, catalog_items)? {
            self.items[index].state = settlement.item_state();
        }
        self.record_message(provider, message, now)?;
        let states: Vec<ItemState> = self
            .items
            .iter()
            .filter(|item| &item.provider_order.provider_guid == provider)
            .map(|item| item.state)
            .collect();
        if !states.contains(&ItemState::NotSet) {
            let outcome = if states.contains(&ItemState::Closed) {
                ItemSettlement::Close
            } else {
                ItemSettlement::Cancel
            };
            self.apply_to_provider_order(provider, outcome.event(), now)?;
        }
        Ok(())
    }

    /// Marks every item of `provider` settled: an AUTOMATIC answer completes them all at once.
    pub fn settle_all_items(&mut self, provider: &Guid, state: ItemState) {
        self.items
            .iter_mut()
            .filter(|item| &item.provider_order.provider_guid == provider)
            .for_each(|item| item.state = state);
    }

    /// The provider order of `provider`, for setting its tracking id or receipt.
    pub fn provider_order_mut(
        &mut self,
        provider: &Guid,
    ) -> Result<&mut ProviderOrder, OrderError> {
        let unknown = self.unknown_provider_order(provider);
        self.provider_orders
            .iter_mut()
            .find(|p| &p.key.provider_guid == provider)
            .ok_or(unknown)
    }

    /// ResubmitProviderOrder: a new order (GUID `new_guid`) holding a copy of the final
    /// provider order of `provider` and of its items, in SUBMITTING, with the provider's new
    /// `tracking_id` if it gave one. As ECHO did, the original provider order's log gains
    /// `This order has been resubmitted as order [<new GUID>]` (the copy's log does not).
    pub fn resubmit(
        &mut self,
        provider: &Guid,
        new_guid: Guid,
        tracking_id: Option<String>,
        now: Timestamp,
    ) -> Result<Order, OrderError> {
        let original = self
            .provider_order(provider)
            .ok_or_else(|| self.unknown_provider_order(provider))?;
        let mut provider_order = original.resubmitted(new_guid.clone(), now)?;
        provider_order.provider_tracking_id = tracking_id;
        let items = self
            .items
            .iter()
            .filter(|item| &item.provider_order.provider_guid == provider)
            .map(|item| OrderItem {
                guid: Guid::time_ordered(),
                provider_order: provider_order.key.clone(),
                state: ItemState::NotSet,
                ..item.clone()
            })
            .collect();
        let mut copy = Order::new(new_guid, self.owner_guid.clone(), now);
        copy.guest = self.guest;
        copy.submission_date = Some(now);
        copy.notify_level = self.notify_level.clone();
        copy.client_identity = self.client_identity.clone();
        copy.user_information = self.user_information.clone();
        copy.items = items;
        copy.provider_orders = vec![provider_order];
        let line = format!("This order has been resubmitted as order [{}]", copy.guid);
        self.record_message(provider, &line, now)?;
        Ok(copy)
    }

    fn unknown_provider_order(&self, provider: &Guid) -> OrderError {
        OrderError::UnknownProviderOrder {
            order: self.guid.clone(),
            provider: provider.clone(),
        }
    }

    fn invalidate(&mut self, now: Timestamp) -> Result<(), OrderError> {
        self.apply_to_all(OrderEvent::Invalidate, now)
    }

    fn update_all(
        &mut self,
        event: OrderEvent,
        now: Timestamp,
        change: fn(&mut ProviderOrder, OrderEvent, Timestamp) -> Result<(), IllegalTransition>,
    ) -> Result<(), OrderError> {
        let mut updated = self.provider_orders.clone();
        for provider_order in &mut updated {
            change(provider_order, event, now)?;
        }
        self.provider_orders = updated;
        self.record_update(event, now);
        Ok(())
    }

    fn record_update(&mut self, event: OrderEvent, now: Timestamp) {
        self.last_update_date = now;
        if event == OrderEvent::Submit {
            self.submission_date = Some(now);
        }
    }

    fn settled_item_indexes(
        &self,
        provider: &Guid,
        catalog_items: &[String],
    ) -> Result<Vec<usize>, OrderError> {
        let mut indexes = Vec::new();
        for catalog_item in catalog_items {
            let before = indexes.len();
            indexes.extend(self.items.iter().enumerate().filter_map(|(index, item)| {
                let matches = &item.provider_order.provider_guid == provider
                    && &item.catalog_item.item_guid == catalog_item;
                matches.then_some(index)
            }));
            if indexes.len() == before {
                return Err(OrderError::UnknownCatalogItem {
                    order: self.guid.clone(),
                    provider: provider.clone(),
                    catalog_item: catalog_item.clone(),
                });
            }
        }
        Ok(indexes)
    }

    fn item_index(&self, item_guid: &Guid) -> Result<usize, OrderError> {
        self.items
            .iter()
            .position(|item| &item.guid == item_guid)
            .ok_or_else(|| OrderError::UnknownItem {
                order: self.guid.clone(),
                item: item_guid.clone(),
            })
    }

    /// One provider order per provider among the items: new providers get a NOT_VALIDATED
    /// provider order, providers without items lose theirs.
    fn sync_provider_orders(&mut self, now: Timestamp) {
        let split = split_into_provider_orders(&self.items);
        self.provider_orders
            .retain(|p| split.contains_key(&p.key.provider_guid));
        let missing: Vec<Guid> = split
            .keys()
            .filter(|provider| self.provider_order(provider).is_none())
            .map(|provider| (*provider).clone())
            .collect();
        for provider_guid in missing {
            let key = ProviderOrderKey {
                order_guid: self.guid.clone(),
                provider_guid,
            };
            self.provider_orders.push(ProviderOrder::new(key, now));
        }
    }
}

fn check_quantity(
    item: &Guid,
    catalog_item: &CatalogItemRef,
    quantity: u32,
) -> Result<(), OrderError> {
    if quantity == 0 {
        return Err(OrderError::InvalidQuantity {
            item: item.clone(),
            catalog_item: catalog_item.item_guid.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::provider_order::{OrderReceipt, Pricing};
    use crate::order::test_support::{catalog_item, recorded_now, valid_information};

    struct TwoProviders {
        order: Order,
        dev07: Guid,
        dev08: Guid,
    }

    fn two_providers() -> TwoProviders {
        let (dev07, dev08) = (Guid::random(), Guid::random());
        let mut order = Order::new(Guid::random(), Guid::random(), recorded_now());
        for (item, provider) in [
            ("G1-DEV07", &dev07),
            ("G2-DEV07", &dev07),
            ("G3-DEV08", &dev08),
        ] {
            order
                .add_item(catalog_item(item, provider), 1, None, recorded_now())
                .unwrap();
        }
        TwoProviders {
            order,
            dev07,
            dev08,
        }
    }

    fn submitted_two_providers() -> TwoProviders {
        let mut fixture = two_providers();
        let order = &mut fixture.order;
        order
            .apply_to_all_validating(OrderEvent::Submit, recorded_now())
            .unwrap();
        fixture
    }

    fn states(order: &Order) -> Vec<OrderState> {
        order.provider_orders().iter().map(|p| p.state()).collect()
    }

    #[test]
    fn one_provider_order_per_provider() {
        let TwoProviders {
            mut order,
            dev07,
            dev08,
        } = two_providers();
        let split = split_into_provider_orders(order.items());
        assert_eq!(split[&dev07].len(), 2);
        assert_eq!(split[&dev08].len(), 1);
        assert_eq!(order.provider_orders().len(), 2);
        let dev08_item = split[&dev08][0].guid.clone();
        for item in order.items() {
            assert_eq!(item.provider_order.order_guid, order.guid);
        }
        order.remove_item(&dev08_item, recorded_now()).unwrap();
        assert!(order.provider_order(&dev08).is_none());
        assert!(order.provider_order(&dev07).is_some());
        assert_eq!(order.state(), OrderState::NotValidated);
    }

    #[test]
    fn edits_invalidate_and_stop_after_submission() {
        let TwoProviders {
            mut order, dev07, ..
        } = two_providers();
        order
            .apply_to_all(OrderEvent::Validate, recorded_now())
            .unwrap();
        assert_eq!(order.state(), OrderState::Validated);
        let later = recorded_now().plus_seconds(60);
        order
            .set_user_information(valid_information(), later)
            .unwrap();
        assert_eq!(order.state(), OrderState::NotValidated);
        assert_eq!(order.last_update_date, later);

        order
            .apply_to_all_validating(OrderEvent::Submit, later)
            .unwrap();
        assert_eq!(order.state(), OrderState::Submitting);
        assert_eq!(order.submission_date, Some(later));
        let before = order.clone();
        let item = order.items()[0].guid.clone();
        let refused = order.remove_item(&item, later.plus_seconds(1));
        assert!(matches!(refused, Err(OrderError::Transition(_))));
        let added = order.add_item(catalog_item("G9-DEV07", &dev07), 1, None, later);
        assert!(added.is_err());
        assert_eq!(order, before, "a refused edit changes nothing");
    }

    #[test]
    fn a_refusing_provider_order_stops_the_whole_event() {
        let TwoProviders {
            mut order,
            dev07,
            dev08,
        } = submitted_two_providers();
        let now = recorded_now();
        order
            .apply_to_provider_order(&dev07, OrderEvent::SubmitAccepted, now)
            .unwrap();
        assert_eq!(
            states(&order),
            [OrderState::Processing, OrderState::Submitting]
        );
        let before = order.clone();
        assert!(order.apply_to_all(OrderEvent::SubmitAccepted, now).is_err());
        assert_eq!(order, before);
        order
            .apply_to_provider_order(&dev08, OrderEvent::SubmitFailed, now)
            .unwrap();
        assert_eq!(order.state(), OrderState::ProcessingWithExceptions);
        let unknown = Guid::random();
        assert!(matches!(
            order.apply_to_provider_order(&unknown, OrderEvent::Close, now),
            Err(OrderError::UnknownProviderOrder { .. })
        ));
    }

    #[test]
    fn items_quantities_and_unknown_items() {
        let TwoProviders {
            mut order, dev07, ..
        } = two_providers();
        let now = recorded_now();
        let zero = order.add_item(catalog_item("G5-DEV07", &dev07), 0, None, now);
        assert!(matches!(zero, Err(OrderError::InvalidQuantity { .. })));
        let item = order.items()[1].guid.clone();
        order.update_item(&item, 3, None, now).unwrap();
        assert_eq!(order.items()[1].quantity, 3);
        let unknown = Guid::random();
        assert!(matches!(
            order.update_item(&unknown, 1, None, now),
            Err(OrderError::UnknownItem { .. })
        ));
        assert!(order.remove_item(&unknown, now).is_err());
        assert_eq!(order.items().len(), 3);
    }

    #[test]
    fn messages_receipts_and_price() {
        let TwoProviders {
            mut order,
            dev07,
            dev08,
        } = two_providers();
        let now = recorded_now();
        order.record_message(&dev07, "Order received", now).unwrap();
        let receipt = |total_price| OrderReceipt {
            pricing: Some(Pricing {
                total_price,
                ..Pricing::default()
            }),
            ..OrderReceipt::default()
        };
        order.provider_order_mut(&dev07).unwrap().receipt = Some(receipt(1.5));
        order.provider_order_mut(&dev08).unwrap().receipt = Some(receipt(2.0));
        assert_eq!(order.order_price(), 3.5);
        let log = order.provider_order(&dev07).unwrap().status();
        assert_eq!(log.lines().last().unwrap().text, "Order received");
    }

    #[test]
    fn resubmission_copies_one_final_provider_order() {
        let TwoProviders {
            mut order,
            dev07,
            dev08,
        } = submitted_two_providers();
        let now = recorded_now();
        let new_guid = Guid::random();
        let before = order.clone();
        assert!(order.resubmit(&dev07, new_guid.clone(), None, now).is_err());
        assert_eq!(order, before, "a refused resubmission changes nothing");
        order
            .apply_to_provider_order(&dev07, OrderEvent::SubmitRejected, now)
            .unwrap();
        let tracking = Some("0600030372".to_owned());
        let copy = order
            .resubmit(&dev07, new_guid.clone(), tracking.clone(), now)
            .unwrap();
        assert_eq!(copy.guid, new_guid);
        let resubmitted = copy.provider_order(&dev07).unwrap();
        assert_eq!(resubmitted.provider_tracking_id, tracking);
        let line = format!("This order has been resubmitted as order [{new_guid}]");
        let original_log = order.provider_order(&dev07).unwrap().status().lines();
        assert_eq!(original_log.last().unwrap().text, line);
        assert!(resubmitted.status().lines().iter().all(|l| l.text != line));
        assert_eq!(copy.owner_guid, order.owner_guid);
        assert_eq!(copy.state(), OrderState::Submitting);
        assert_eq!(copy.items().len(), 2);
        assert!(copy.provider_order(&dev08).is_none());
        for item in copy.items() {
            assert_eq!(item.provider_order.order_guid, new_guid);
        }
        assert_eq!(order.state(), OrderState::SubmittedWithExceptions);
    }

    #[test]
    fn settling_some_items_then_all_follows_the_recording() {
        let TwoProviders {
            mut order, dev07, ..
        } = submitted_two_providers();
        let now = recorded_now();
        let early =
            order.settle_items(&dev07, &["G1-DEV07".into()], ItemSettlement::Close, "", now);
        assert!(matches!(early, Err(OrderError::Transition(_))));
        order
            .apply_to_provider_order(&dev07, OrderEvent::SubmitAccepted, now)
            .unwrap();
        let unknown = ["G3-DEV08".to_owned()];
        let refused = order.settle_items(&dev07, &unknown, ItemSettlement::Close, "", now);
        assert!(matches!(
            refused,
            Err(OrderError::UnknownCatalogItem { .. })
        ));

        let cancel = ItemSettlement::Cancel;
        let one = ["G1-DEV07".to_owned()];
        order
            .settle_items(&dev07, &one, cancel, "Running tests", now)
            .unwrap();
        assert_eq!(order.items()[0].state, ItemState::Cancelled);
        assert_eq!(
            order.provider_order(&dev07).unwrap().state(),
            OrderState::Processing
        );

        let all = ["G1-DEV07".to_owned(), "G2-DEV07".to_owned()];
        order
            .settle_items(&dev07, &all, cancel, "Running tests", now)
            .unwrap();
        let provider_order = order.provider_order(&dev07).unwrap();
        assert_eq!(provider_order.state(), OrderState::Cancelled);
        let texts: Vec<&str> = provider_order
            .status()
            .lines()
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(
            texts[texts.len() - 3..],
            [
                "Running tests",
                "Running tests",
                "ECHO: Transitioning from state [PROCESSING] to state [CANCELLED]"
            ]
        );
    }

    #[test]
    fn mixed_settlements_close_the_provider_order() {
        let TwoProviders {
            mut order, dev07, ..
        } = submitted_two_providers();
        let now = recorded_now();
        order
            .apply_to_provider_order(&dev07, OrderEvent::SubmitAccepted, now)
            .unwrap();
        let first = ["G1-DEV07".to_owned()];
        order
            .settle_items(&dev07, &first, ItemSettlement::Cancel, "", now)
            .unwrap();
        let second = ["G2-DEV07".to_owned()];
        order
            .settle_items(&dev07, &second, ItemSettlement::Close, "", now)
            .unwrap();
        let provider_order = order.provider_order(&dev07).unwrap();
        assert_eq!(provider_order.state(), OrderState::Closed);
        assert_eq!(provider_order.closed_date, Some(now));
    }

    #[test]
    fn stores_as_json() {
        let TwoProviders { order, .. } = two_providers();
        let json = serde_json::to_string(&order).unwrap();
        assert_eq!(serde_json::from_str::<Order>(&json).unwrap(), order);
    }

    #[test]
    fn stored_orders_leave_out_absent_fields_and_read_records_that_wrote_them_as_null() {
        let TwoProviders { mut order, .. } = two_providers();
        order
            .set_user_information(valid_information(), recorded_now())
            .unwrap();
        let lean = serde_json::to_value(&order).unwrap();
        assert!(
            !lean.to_string().contains(":null"),
            "absent fields are left out: {lean}"
        );
        let mut with_nulls = lean.clone();
        with_nulls["notify_level"] = serde_json::Value::Null;
        with_nulls["items"][0]["option_selection"] = serde_json::Value::Null;
        with_nulls["user_information"]["billing_address"] = serde_json::Value::Null;
        with_nulls["user_information"]["contact_address"]["address"]["street3"] =
            serde_json::Value::Null;
        with_nulls["provider_orders"][0]["receipt"] = serde_json::Value::Null;
        assert_eq!(serde_json::from_value::<Order>(with_nulls).unwrap(), order);
        assert_eq!(serde_json::from_value::<Order>(lean).unwrap(), order);
    }
}
