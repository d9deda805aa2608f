//! Order pages: searching orders (GUID, owner, provider, state, creation dates), and one
//! order with its provider orders, items, option selections, tracking ids and status history.
//! What a caller sees of an order is decided by `app::orders` (provider staff: their part).

use std::collections::HashMap;
use std::fmt::Write;

use axum::extract::{Path, Query, State};
use axum::response::Html;
use serde::Deserialize;

use super::ConsoleState;
use super::failure::ConsoleError;
use super::page::{esc, layout, table, when};
use super::providers::url_part;
use super::session::Session;
use crate::app::options::shown_selections::shown_selections;
use crate::app::orders;
use crate::app::orders::{query, search::OrderSearch};
use crate::app::paging::PageRequest;
use crate::error::RequestError;
use echo_domain::guid::Guid;
use echo_domain::order::{OptionSelection, Order, OrderState};
use echo_domain::timestamp::Timestamp;

const PAGE_SIZE: usize = 25;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct SearchForm {
    guid: String,
    owner: String,
    provider: String,
    state: String,
    from: String,
    to: String,
    offset: usize,
}

impl SearchForm {
    fn decode(&self) -> Result<OrderSearch, ConsoleError> {
        let text = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
        let state = text(&self.state)
            .map(|s| {
                OrderState::from_wire(&s).ok_or_else(|| invalid("state", &s, "an order state"))
            })
            .transpose()?;
        Ok(OrderSearch {
            guid: text(&self.guid),
            owner: text(&self.owner),
            provider: text(&self.provider),
            state,
            from: date(text(&self.from), "from", "T00:00:00Z")?,
            to: date(text(&self.to), "to", "T23:59:59.999Z")?,
        })
    }

    fn form(&self) -> String {
        let mut states = String::from("<option value=\"\">any</option>");
        for state in OrderState::ALL {
            let name = state.wire_name();
            let selected = if self.state == name { " selected" } else { "" };
            let _ = write!(states, "<option value=\"{name}\"{selected}>{name}</option>");
        }
        let input = |name: &str, label: &str, value: &str, kind: &str| {
            format!(
                "<label for=\"{name}\">{label}</label><input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\">",
                esc(value)
            )
        };
        format!(
            "<form method=\"get\" action=\"/console/orders\" class=\"filters\">{}{}{}\
             <label for=\"state\">State</label><select id=\"state\" name=\"state\">{states}</select>{}{}\
             <button type=\"submit\">Search</button></form>",
            input("guid", "Order GUID", &self.guid, "text"),
            input("owner", "Owner", &self.owner, "text"),
            input("provider", "Provider", &self.provider, "text"),
            input("from", "Created from", &self.from, "date"),
            input("to", "Created until", &self.to, "date"),
        )
    }
}

fn invalid(element: &str, value: &str, expected: &'static str) -> ConsoleError {
    ConsoleError::Gateway(
        RequestError::Invalid {
            element: element.into(),
            value: value.into(),
            expected,
        }
        .into(),
    )
}

/// A day (`2026-11-30`) or a full ECHO timestamp; a day means its start or end (`day_time`).
fn date(
    text: Option<String>,
    element: &str,
    day_time: &str,
) -> Result<Option<Timestamp>, ConsoleError> {
    text.map(|t| {
        let full = if t.len() == 10 {
            format!("{t}{day_time}")
        } else {
            t.clone()
        };
        Timestamp::parse(&full).map_err(|_| invalid(element, &t, "a date such as 2026-11-30"))
    })
    .transpose()
}

pub async fn search(
    State(state): State<ConsoleState>,
    session: Session,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, ConsoleError> {
    let wanted = form.decode()?;
    let request = PageRequest {
        offset: form.offset,
        limit: PAGE_SIZE,
    };
    let page = session
        .run(&state, move |gateway, caller| {
            orders::search::search(gateway, caller, &wanted, request)
        })
        .await?;
    let rows: Vec<Vec<String>> = page
        .entries
        .iter()
        .map(|order| {
            vec![
                format!(
                    "<a href=\"/console/orders/{0}\">{0}</a>",
                    esc(order.guid.as_str())
                ),
                order.state().wire_name().to_owned(),
                order.provider_orders().len().to_string(),
                order.items().len().to_string(),
                when(Some(order.creation_date)),
            ]
        })
        .collect();
    let mut body = form.form();
    body.push_str(&table(
        "Orders, newest first",
        &["Order", "State", "Provider orders", "Items", "Created"],
        &rows,
    ));
    let _ = write!(
        body,
        "<p class=\"pager\">{} of {} shown{}</p>",
        page.entries.len(),
        page.total,
        if page.offset + page.entries.len() < page.total {
            format!(
                " · <a href=\"/console/orders?guid={}&owner={}&provider={}&state={}&from={}&to={}&offset={}\">more</a>",
                url_part(&form.guid),
                url_part(&form.owner),
                url_part(&form.provider),
                url_part(&form.state),
                url_part(&form.from),
                url_part(&form.to),
                page.offset + page.entries.len()
            )
        } else {
            String::new()
        }
    );
    Ok(layout("Orders", Some(&session), &body))
}

pub async fn show(
    State(state): State<ConsoleState>,
    Path(guid): Path<String>,
    session: Session,
) -> Result<Html<String>, ConsoleError> {
    let wanted = [guid.clone()];
    let found = session
        .run(&state, move |gateway, caller| {
            let mut found = query::orders(gateway, caller, Some(&wanted[..]))?;
            Ok(found.pop().map(|order| {
                let selections = shown_selections(gateway, &order);
                (order, selections)
            }))
        })
        .await?;
    let Some((order, selections)) = found else {
        return Err(crate::error::GatewayError::not_found("Order", guid).into());
    };
    let body = order_body(&order, &selections);
    Ok(layout(
        &format!("Order {}", order.guid),
        Some(&session),
        &body,
    ))
}

/// The order, its items' option selections as `selections` shows them (secrets obscured).
fn order_body(order: &Order, selections: &HashMap<Guid, OptionSelection>) -> String {
    let mut html = format!(
        "<dl class=\"facts\"><dt>State</dt><dd id=\"order-state\">{}</dd><dt>Owner</dt><dd>{}</dd>\
         <dt>Created</dt><dd>{}</dd><dt>Submitted</dt><dd>{}</dd></dl>",
        order.state().wire_name(),
        esc(order.owner_guid.as_str()),
        when(Some(order.creation_date)),
        when(order.submission_date),
    );
    for provider_order in order.provider_orders() {
        let provider = &provider_order.key.provider_guid;
        let _ = write!(
            html,
            "<section class=\"provider-order\" data-provider=\"{0}\"><h2>Provider order {0}</h2>\
             <p>State <strong>{1}</strong> · tracking id {2}</p>",
            esc(provider.as_str()),
            provider_order.state().wire_name(),
            esc(provider_order
                .provider_tracking_id
                .as_deref()
                .unwrap_or("–")),
        );
        let items: Vec<Vec<String>> = order
            .items()
            .iter()
            .filter(|item| &item.provider_order.provider_guid == provider)
            .map(|item| {
                vec![
                    esc(item.guid.as_str()),
                    esc(&item.catalog_item.item_guid),
                    esc(&item.catalog_item.dataset_id),
                    item.quantity.to_string(),
                    item.state.wire_name().to_owned(),
                    selections
                        .get(&item.guid)
                        .map(|s| format!("{}<pre>{}</pre>", esc(&s.name), esc(&s.content)))
                        .unwrap_or_else(|| "–".into()),
                ]
            })
            .collect();
        html.push_str(&table(
            "Items",
            &[
                "Item",
                "Catalog item",
                "Dataset",
                "Quantity",
                "State",
                "Option selection",
            ],
            &items,
        ));
        let history: Vec<Vec<String>> = provider_order
            .status()
            .lines()
            .iter()
            .map(|line| vec![when(Some(line.at)), esc(&line.text)])
            .collect();
        html.push_str(&table("Status messages", &["Time", "Message"], &history));
        html.push_str("</section>");
    }
    html
}
