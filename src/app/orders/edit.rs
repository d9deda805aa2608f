//! Order edits: create an order, add, remove and update its items, set its user information.
//! Any edit returns the order to NOT_VALIDATED (the transition table refuses edits once
//! quoting or submission has begun).

use super::change_order;
use crate::app::Gateway;
use crate::app::options::selections::FormsValidator;
use crate::error::{GatewayError, GatewayResult, RequestError};
use crate::storage::{ChangeOrigin, OrderChange};
use echo_domain::caller::Caller;
use echo_domain::catalog::CatalogError;
use echo_domain::guid::Guid;
use echo_domain::option_definition::OptionDefinitionError;
use echo_domain::order::{
    CatalogItemRef, OptionSelection, OptionSelectionValidator, Order, OrderError, UserInformation,
};
use echo_domain::timestamp::Timestamp;

/// One item to order as the client asked for it. The item's own GUID and its provider order
/// are not part of it: the gateway assigns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItemInput {
    /// The catalog item id, e.g. `G1000005024-DEV07`.
    pub item_guid: String,
    pub quantity: u32,
    pub option_selection: Option<OptionSelectionInput>,
}

/// An option selection as sent; the client may leave out the definition's GUID and name the
/// definition only (recorded ECHO order items did): it is then resolved by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionSelectionInput {
    pub guid: Option<Guid>,
    pub name: String,
    /// The selection document, exactly as sent.
    pub content: String,
}

/// A new order: how its owner wants to be notified, who the client is, its first items.
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub notify_level: Option<String>,
    pub client_identity: Option<String>,
    pub items: Vec<OrderItemInput>,
}

/// The longest idempotency key [`create_once`] accepts.
pub const MAX_DIGEST_LENGTH: usize = 256;

/// Creates an order owned by the caller; returns its GUID.
pub fn create(gateway: &Gateway, caller: &Caller, new: NewOrder) -> GatewayResult<Guid> {
    let order = new_order(gateway, caller, new)?;
    let guid = order.guid.clone();
    gateway
        .store
        .insert_order(change_of(order), origin(caller))?;
    Ok(guid)
}

/// Creates an order owned by the caller unless the caller already created one with the
/// idempotency key `digest`; returns the GUID of the order the key names. The key is stored
/// with the order in one transaction, so a retried create never makes a second order.
pub fn create_once(
    gateway: &Gateway,
    caller: &Caller,
    new: NewOrder,
    digest: &str,
) -> GatewayResult<Guid> {
    if digest.is_empty() || digest.chars().count() > MAX_DIGEST_LENGTH {
        return Err(RequestError::Invalid {
            element: "digest".into(),
            value: digest.chars().take(40).collect(),
            expected: "1 to 256 characters",
        }
        .into());
    }
    let order = new_order(gateway, caller, new)?;
    let owner = caller.user_guid.clone();
    Ok(gateway
        .store
        .insert_order_once(&owner, digest, change_of(order), origin(caller))?)
}

fn new_order(gateway: &Gateway, caller: &Caller, new: NewOrder) -> GatewayResult<Order> {
    let now = Timestamp::now();
    let mut order = Order::new(Guid::time_ordered(), caller.user_guid.clone(), now);
    order.guest = caller.guest;
    order.notify_level = new.notify_level;
    order.client_identity = new.client_identity;
    add_to(gateway, &mut order, &new.items, now)?;
    Ok(order)
}

fn change_of(order: Order) -> OrderChange {
    OrderChange {
        order,
        deliveries: Vec::new(),
    }
}

fn origin(caller: &Caller) -> ChangeOrigin<'_> {
    ChangeOrigin {
        actor: &caller.user_guid,
        operation: "CreateOrder",
        oms: None,
    }
}

/// Adds items to order `order`; returns the new order items' GUIDs, in input order.
pub fn add_items(
    gateway: &Gateway,
    caller: &Caller,
    order: &str,
    items: &[OrderItemInput],
) -> GatewayResult<Vec<Guid>> {
    let mut added = Vec::new();
    change_order(gateway, caller, order, "AddOrderItems", |order| {
        added = add_to(gateway, order, items, Timestamp::now())?;
        Ok(Vec::new())
    })?;
    Ok(added)
}

/// Removes the named order items (GUIDs as sent), or with `None` all of them.
pub fn remove_items(
    gateway: &Gateway,
    caller: &Caller,
    order: &str,
    items: Option<&[String]>,
) -> GatewayResult<()> {
    change_order(gateway, caller, order, "RemoveOrderItems", |order| {
        let guids: Vec<Guid> = match items {
            Some(guids) => guids
                .iter()
                .map(|g| Guid::parse(g))
                .collect::<Result<_, _>>()?,
            None => order.items().iter().map(|item| item.guid.clone()).collect(),
        };
        let now = Timestamp::now();
        for guid in &guids {
            order.remove_item(guid, now)?;
        }
        Ok(Vec::new())
    })
}

/// Changes the quantity and selection of order items, each named by its GUID.
pub fn update_items(
    gateway: &Gateway,
    caller: &Caller,
    order: &str,
    updates: &[(Guid, OrderItemInput)],
) -> GatewayResult<()> {
    change_order(gateway, caller, order, "UpdateOrderItems", |order| {
        let now = Timestamp::now();
        for (guid, input) in updates {
            let catalog_item = order.item(guid)?.catalog_item.clone();
            let selection = option_selection(gateway, input, &catalog_item)?;
            let has_selection = selection.is_some();
            order.update_item(guid, input.quantity, selection, now)?;
            if has_selection {
                check_selection(gateway, order, guid)?;
            }
        }
        Ok(Vec::new())
    })
}

/// Sets the order's addresses and user domain/region; contacts, addresses and phones sent
/// without a GUID get one, as ECHO gave them.
pub fn set_user_information(
    gateway: &Gateway,
    caller: &Caller,
    order: &str,
    mut information: UserInformation,
) -> GatewayResult<()> {
    information.assign_missing_guids();
    change_order(
        gateway,
        caller,
        order,
        "SetUserInformationForOrder",
        |order| {
            order.set_user_information(information.clone(), Timestamp::now())?;
            Ok(Vec::new())
        },
    )
}

/// Adds catalog items to the order; unknown, deleted and non-orderable items are refused by
/// name, and a selection sent with an item is checked now (ECHO validated it if present).
fn add_to(
    gateway: &Gateway,
    order: &mut Order,
    inputs: &[OrderItemInput],
    now: Timestamp,
) -> GatewayResult<Vec<Guid>> {
    let mut added = Vec::with_capacity(inputs.len());
    for input in inputs {
        let catalog_item = gateway
            .store
            .catalog_item(&input.item_guid)?
            .ok_or_else(|| CatalogError::Unknown(input.item_guid.clone()))?;
        catalog_item.check_orderable()?;
        let reference = catalog_item.reference();
        let selection = option_selection(gateway, input, &reference)?;
        let has_selection = selection.is_some();
        let guid = order.add_item(reference, input.quantity, selection, now)?;
        if has_selection {
            check_selection(gateway, order, &guid)?;
        }
        added.push(guid);
    }
    Ok(added)
}

/// The selection sent with an item of `catalog_item`; it must name a definition that is not
/// deprecated (ECHO: no new selections may use a deprecated definition), by Guid or by the
/// Name of a definition that applies to the item. It is kept as given.
fn option_selection(
    gateway: &Gateway,
    input: &OrderItemInput,
    catalog_item: &CatalogItemRef,
) -> GatewayResult<Option<OptionSelection>> {
    let Some(selection) = &input.option_selection else {
        return Ok(None);
    };
    let definition = match &selection.guid {
        Some(guid) => gateway
            .store
            .option_definition(guid.as_str())?
            .ok_or_else(|| OptionDefinitionError::Unknown(guid.to_string()))?,
        None => FormsValidator { gateway }.definition_named(catalog_item, &selection.name)?,
    };
    if definition.deprecated {
        return Err(OptionDefinitionError::Deprecated(definition.name).into());
    }
    Ok(Some(OptionSelection {
        guid: definition.guid,
        guid_given: selection.guid.is_some(),
        name: selection.name.clone(),
        content: selection.content.clone(),
    }))
}

/// Checks the option selection of one item now (a change that fails it is not committed).
fn check_selection(gateway: &Gateway, order: &Order, item_guid: &Guid) -> GatewayResult<()> {
    let item = order.item(item_guid)?;
    FormsValidator { gateway }
        .validate(item)
        .map_err(|problems| {
            GatewayError::Order(OrderError::OptionSelection {
                item: item.guid.clone(),
                catalog_item: item.catalog_item.item_guid.clone(),
                problems,
            })
        })
}
