//! Delivery pages: the list (filtered by provider and state, newest first, paged), whose rows
//! the page's script keeps current from the server-sent events of `live`; a delivery's attempt
//! timeline; retrying a failed one.

use std::fmt::Write;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::ConsoleState;
use super::failure::ConsoleError;
use super::page::{button_form, esc, layout, table, table_rows, when};
use super::providers::url_part;
use super::session::Session;
use super::signin::CsrfOnly;
use crate::app::deliveries;
use crate::app::paging::{Page, PageRequest};
use echo_domain::delivery::{Delivery, DeliveryState};

const PAGE_SIZE: usize = 25;
const HEADERS: [&str; 7] = [
    "Id",
    "Provider",
    "Order",
    "Transaction",
    "State",
    "Tries",
    "Created",
];

/// Which deliveries a list shows.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Filter {
    provider: String,
    state: String,
    offset: usize,
}

impl Filter {
    fn state(&self) -> Result<Option<DeliveryState>, ConsoleError> {
        match self.state.as_str() {
            "" => Ok(None),
            "pending" => Ok(Some(DeliveryState::Pending)),
            "failed" => Ok(Some(DeliveryState::Failed)),
            "done" => Ok(Some(DeliveryState::Done)),
            _ => Err(ConsoleError::Gateway(
                crate::error::RequestError::Invalid {
                    element: "state".into(),
                    value: self.state.clone(),
                    expected: "pending, failed or done",
                }
                .into(),
            )),
        }
    }

    fn query(&self, offset: usize) -> String {
        format!(
            "provider={}&state={}&offset={offset}",
            url_part(&self.provider),
            url_part(&self.state)
        )
    }
}

async fn page_of(
    state: &ConsoleState,
    session: &Session,
    filter: &Filter,
) -> Result<Page<Delivery>, ConsoleError> {
    let wanted = filter.state()?;
    let provider = Some(filter.provider.trim().to_owned()).filter(|p| !p.is_empty());
    let request = PageRequest {
        offset: filter.offset,
        limit: PAGE_SIZE,
    };
    Ok(session
        .run(state, move |gateway, caller| {
            deliveries::newest_first(gateway, caller, provider.as_deref(), wanted, request)
        })
        .await?)
}

fn rows(page: &Page<Delivery>) -> Vec<Vec<String>> {
    page.entries
        .iter()
        .map(|d| {
            let key = &d.entry.provider_order;
            vec![
                format!("<a href=\"/console/deliveries/{0}\">{0}</a>", d.entry.id),
                esc(key.provider_guid.as_str()),
                format!(
                    "<a href=\"/console/orders/{0}\">{0}</a>",
                    esc(key.order_guid.as_str())
                ),
                d.entry.transaction.wire_name().to_owned(),
                format!(
                    "<span class=\"state {0}\">{0}</span>",
                    state_name(d.status.state)
                ),
                d.status.attempts.len().to_string(),
                when(Some(d.entry.created)),
            ]
        })
        .collect()
}

fn state_name(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Done => "done",
        DeliveryState::Failed => "failed",
    }
}

pub async fn list(
    State(state): State<ConsoleState>,
    session: Session,
    Query(filter): Query<Filter>,
) -> Result<Html<String>, ConsoleError> {
    let page = page_of(&state, &session, &filter).await?;
    let mut body = filter_form(&filter);
    let listing = table("Deliveries, newest first", &HEADERS, &rows(&page)).replace(
        "<tbody>",
        &format!(
            "<tbody id=\"live-rows\" data-events=\"/console/deliveries/events?{}\" aria-live=\"polite\">",
            esc(&filter.query(filter.offset))
        ),
    );
    body.push_str(&listing);
    body.push_str(&pager(&filter, &page));
    Ok(layout("Deliveries", Some(&session), &body))
}

/// The rows alone, for the list's live updates, read as `session`'s caller.
pub async fn rows_fragment(
    state: &ConsoleState,
    session: &Session,
    filter: &Filter,
) -> Result<String, ConsoleError> {
    let page = page_of(state, session, filter).await?;
    Ok(table_rows(&rows(&page)))
}

fn filter_form(filter: &Filter) -> String {
    let mut options = String::new();
    for name in ["", "pending", "failed", "done"] {
        let selected = if filter.state == name {
            " selected"
        } else {
            ""
        };
        let label = if name.is_empty() { "any" } else { name };
        let _ = write!(
            options,
            "<option value=\"{name}\"{selected}>{label}</option>"
        );
    }
    format!(
        "<form method=\"get\" action=\"/console/deliveries\" class=\"filters\">\
         <label for=\"provider\">Provider</label><input id=\"provider\" name=\"provider\" value=\"{}\">\
         <label for=\"state\">State</label><select id=\"state\" name=\"state\">{options}</select>\
         <button type=\"submit\">Filter</button></form>",
        esc(&filter.provider)
    )
}

fn pager(filter: &Filter, page: &Page<Delivery>) -> String {
    let mut html = format!(
        "<nav class=\"pager\" aria-label=\"Pages\"><span>{}–{} of {}</span>",
        (page.offset + 1).min(page.total),
        page.offset + page.entries.len(),
        page.total
    );
    if page.offset > 0 {
        let previous = page.offset.saturating_sub(PAGE_SIZE);
        let _ = write!(
            html,
            " <a href=\"/console/deliveries?{}\">Newer</a>",
            esc(&filter.query(previous))
        );
    }
    if page.offset + page.entries.len() < page.total {
        let next = page.offset + page.entries.len();
        let _ = write!(
            html,
            " <a href=\"/console/deliveries?{}\">Older</a>",
            esc(&filter.query(next))
        );
    }
    html.push_str("</nav>");
    html
}

pub async fn show(
    State(state): State<ConsoleState>,
    Path(id): Path<u64>,
    session: Session,
) -> Result<Html<String>, ConsoleError> {
    let delivery = session
        .run(&state, move |gateway, caller| {
            deliveries::show(gateway, caller, id)
        })
        .await?;
    let key = &delivery.entry.provider_order;
    let mut body = format!(
        "<dl class=\"facts\"><dt>State</dt><dd><span class=\"state {0}\" id=\"delivery-state\">{0}</span></dd>\
         <dt>Order</dt><dd><a href=\"/console/orders/{1}\">{1}</a></dd><dt>Provider</dt><dd>{2}</dd>\
         <dt>Transaction</dt><dd>{3}</dd><dt>Next try</dt><dd>{4}</dd></dl>",
        state_name(delivery.status.state),
        esc(key.order_guid.as_str()),
        esc(key.provider_guid.as_str()),
        delivery.entry.transaction.wire_name(),
        when(Some(delivery.status.next_attempt)),
    );
    if delivery.status.state == DeliveryState::Failed {
        body.push_str(&button_form(
            &session,
            &format!("/console/deliveries/{id}/retry"),
            "Retry this delivery",
        ));
    }
    let attempts: Vec<Vec<String>> = delivery
        .status
        .attempts
        .iter()
        .map(|a| {
            vec![
                when(Some(a.at)),
                a.http_status
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "–".into()),
                a.disposition
                    .as_ref()
                    .map(|d| esc(&format!("{d:?}")))
                    .unwrap_or_else(|| "–".into()),
                esc(a.error.as_deref().unwrap_or("–")),
            ]
        })
        .collect();
    body.push_str(&table(
        "Attempts",
        &["Time", "HTTP status", "Disposition", "Error"],
        &attempts,
    ));
    Ok(layout(&format!("Delivery {id}"), Some(&session), &body))
}

pub async fn retry(
    State(state): State<ConsoleState>,
    Path(id): Path<u64>,
    session: Session,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    session
        .run(&state, move |gateway, caller| {
            deliveries::retry(gateway, caller, id)
        })
        .await?;
    Ok(Redirect::to(&format!("/console/deliveries/{id}")).into_response())
}
