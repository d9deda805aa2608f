//! Orders: create (with an optional `digest` idempotency key), list and show, add items in
//! bulk, set user information, submit, remove, and read a provider order. Every handler
//! calls the `app::orders` operation SOAP's OrderManagementService calls.

use axum::extract::{Path, RawQuery};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::body::{form_values, path_id};
use super::contacts::ContactJson;
use super::errors::{RestError, RestResult};
use super::order_json::{ProviderNames, item_json, order_json, provider_order_json};
use super::{RawBody, State, answer, as_caller, auth, with_json};
use crate::app::Gateway;
use crate::app::orders::edit::{self, NewOrder, OptionSelectionInput, OrderItemInput};
use crate::app::orders::{lifecycle, query};
use crate::error::{GatewayError, GatewayResult, RequestError};
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::order::{Order, OrderState, UserInformation};

/// The most items one bulk_action may add (Earthdata Search sent thousands at once).
pub const MAX_BULK_ITEMS: usize = 50_000;

/// `{"order": {"notification_level"?, "client_identity"?, "digest"?}, "digest"?}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateRequest {
    order: OrderFields,
    digest: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OrderFields {
    notification_level: Option<String>,
    client_identity: Option<String>,
    digest: Option<String>,
}

/// `{"order_item": {"catalog_item_id", "quantity"?, "option_selection"?}}`.
#[derive(Debug, Deserialize)]
struct ItemEnvelope {
    order_item: ItemRequest,
}

#[derive(Debug, Deserialize)]
struct ItemRequest {
    catalog_item_id: String,
    #[serde(default = "one")]
    quantity: u32,
    option_selection: Option<SelectionRequest>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Deserialize)]
struct SelectionRequest {
    id: Option<Guid>,
    #[serde(default)]
    option_definition_name: String,
    content: String,
}

/// `{"user_information": {…}}`.
#[derive(Debug, Deserialize)]
struct UserInformationEnvelope {
    user_information: UserInformationRequest,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UserInformationRequest {
    shipping_contact: Option<ContactJson>,
    billing_contact: Option<ContactJson>,
    order_contact: Option<ContactJson>,
    user_domain: Option<String>,
    user_region: Option<String>,
}

/// `POST orders.json`: 201 with the new order (or, for a digest the caller used before, the
/// order that digest created).
pub async fn create(state: State, headers: HeaderMap, RawBody(body): RawBody) -> Response {
    let prefix = state.prefix;
    let client = auth::client_id(&headers);
    let created = with_json(&state, &headers, &body, move |gateway, caller, request| {
        let CreateRequest { order, digest } = request;
        let new = NewOrder {
            notify_level: order.notification_level,
            client_identity: order.client_identity.or(client),
            items: Vec::new(),
        };
        let guid = match digest.or(order.digest) {
            Some(digest) => edit::create_once(gateway, caller, new, &digest)?,
            None => edit::create(gateway, caller, new)?,
        };
        orders_json(gateway, caller, &[guid.to_string()], prefix)
    })
    .await;
    answer(created.map(|document| (StatusCode::CREATED, first(document))))
}

/// `GET orders.json[?id=…&id=…][&state=…]`: a list of `{"order": {…}}`. Without ids, the
/// caller's orders; `state` keeps those in one of the named states.
pub async fn list(state: State, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let prefix = state.prefix;
    let query = query.unwrap_or_default();
    let ids = form_values(query.as_bytes(), "id");
    let states = form_values(query.as_bytes(), "state");
    answer(
        async {
            let states = states
                .iter()
                .map(|name| {
                    OrderState::from_wire(name).ok_or_else(|| {
                        RestError::bad_request(format!("[{name}] is not an order state"))
                    })
                })
                .collect::<RestResult<Vec<_>>>()?;
            let document = as_caller(&state, &headers, move |gateway, caller| {
                let ids = (!ids.is_empty()).then_some(ids);
                let mut orders = query::orders(gateway, caller, ids.as_deref())?;
                orders.retain(|o| states.is_empty() || states.contains(&o.state()));
                list_json(gateway, &orders, prefix)
            })
            .await?;
            Ok((StatusCode::OK, document))
        }
        .await,
    )
}

/// `GET orders/<id>.json`: `{"order": {…}}`.
pub async fn show(state: State, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let prefix = state.prefix;
    let id = path_id(&id).to_owned();
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            orders_json(gateway, caller, &[id], prefix)
        })
        .await
        .map(|document| (StatusCode::OK, first(document))),
    )
}

/// `DELETE orders/<id>`: 204; refused while a partner works on the order.
pub async fn remove(state: State, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let id = path_id(&id).to_owned();
    no_content(
        as_caller(&state, &headers, move |gateway, caller| {
            lifecycle::remove(gateway, caller, Some(&[id]))
        })
        .await,
    )
}

/// `POST orders/<id>/order_items/bulk_action`: adds every item, all or none; 201 with the
/// new order items.
pub async fn bulk_action(
    state: State,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Response {
    let added = with_json(&state, &headers, &body, move |gateway, caller, items| {
        let inputs = item_inputs(items)?;
        let added = edit::add_items(gateway, caller, &id, &inputs)?;
        let order = visible_order(gateway, caller, &id)?;
        let items = order
            .items()
            .iter()
            .filter(|item| added.contains(&item.guid));
        Ok(Value::Array(items.map(item_json).collect()))
    })
    .await;
    answer(added.map(|items| (StatusCode::CREATED, items)))
}

/// `PUT orders/<id>/user_information`: 204.
pub async fn user_information(
    state: State,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawBody(body): RawBody,
) -> Response {
    no_content(
        with_json(&state, &headers, &body, move |gateway, caller, request| {
            let UserInformationEnvelope { user_information } = request;
            edit::set_user_information(gateway, caller, &id, user_information.into_domain())
        })
        .await,
    )
}

/// `POST orders/<id>/submit`: 204; the order is then SUBMITTING and on its way to partners.
pub async fn submit(state: State, headers: HeaderMap, Path(id): Path<String>) -> Response {
    no_content(
        as_caller(&state, &headers, move |gateway, caller| {
            lifecycle::submit(gateway, caller, &id)
        })
        .await,
    )
}

/// `GET orders/<id>/provider_orders/<provider id>.json`: `{"provider_order": {…}}`.
pub async fn provider_order(
    state: State,
    headers: HeaderMap,
    Path((id, provider)): Path<(String, String)>,
) -> Response {
    let prefix = state.prefix;
    let provider = path_id(&provider).to_owned();
    answer(
        as_caller(&state, &headers, move |gateway, caller| {
            let order = visible_order(gateway, caller, &id)?;
            let provider_guid = gateway.find_provider(&provider)?.guid;
            let provider_order = order.provider_order(&provider_guid).ok_or_else(|| {
                GatewayError::not_found("ProviderOrder", format!("{id}/{provider}"))
            })?;
            let names = ProviderNames::of(gateway, std::slice::from_ref(&order))?;
            Ok(provider_order_json(&order, provider_order, &names, prefix))
        })
        .await
        .map(|document| (StatusCode::OK, document)),
    )
}

fn visible_order(gateway: &Gateway, caller: &Caller, id: &str) -> GatewayResult<Order> {
    let mut orders = query::orders(gateway, caller, Some(&[id.to_owned()]))?;
    orders
        .pop()
        .ok_or_else(|| GatewayError::not_found("Order", id))
}

fn orders_json(
    gateway: &Gateway,
    caller: &Caller,
    ids: &[String],
    prefix: &str,
) -> GatewayResult<Value> {
    let orders = query::orders(gateway, caller, Some(ids))?;
    list_json(gateway, &orders, prefix)
}

fn list_json(gateway: &Gateway, orders: &[Order], prefix: &str) -> GatewayResult<Value> {
    let names = ProviderNames::of(gateway, orders)?;
    Ok(Value::Array(
        orders
            .iter()
            .map(|order| order_json(order, &names, prefix))
            .collect(),
    ))
}

/// The first element of a list document.
fn first(document: Value) -> Value {
    match document {
        Value::Array(mut list) if !list.is_empty() => list.swap_remove(0),
        other => other,
    }
}

fn no_content(result: RestResult<()>) -> Response {
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => error.into_response(),
    }
}

/// The items to add, at most [`MAX_BULK_ITEMS`].
fn item_inputs(items: Vec<ItemEnvelope>) -> GatewayResult<Vec<OrderItemInput>> {
    if items.len() > MAX_BULK_ITEMS {
        return Err(RequestError::Invalid {
            element: "order_item".into(),
            value: items.len().to_string(),
            expected: "at most 50000 order items in one call",
        }
        .into());
    }
    Ok(items.into_iter().map(item_input).collect())
}

fn item_input(envelope: ItemEnvelope) -> OrderItemInput {
    let item = envelope.order_item;
    OrderItemInput {
        item_guid: item.catalog_item_id,
        quantity: item.quantity,
        option_selection: item.option_selection.map(|s| OptionSelectionInput {
            guid: s.id,
            name: s.option_definition_name,
            content: s.content,
        }),
    }
}

impl UserInformationRequest {
    fn into_domain(self) -> UserInformation {
        UserInformation {
            shipping_address: self.shipping_contact.map(ContactJson::into_contact),
            billing_address: self.billing_contact.map(ContactJson::into_contact),
            contact_address: self.order_contact.map(ContactJson::into_contact),
            user_domain: self.user_domain,
            user_region: self.user_region,
        }
    }
}
