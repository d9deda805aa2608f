//! Provider pages: the list (endpoint, routing, SSL status, suspension, delivery counts) and
//! one provider's page (policies form, certificates to compare and approve, endpoint test,
//! the 24-hour delivery chart).

use std::fmt::Write;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::ConsoleState;
use super::certificate;
use super::chart;
use super::failure::ConsoleError;
use super::page::{button_form, esc, layout, table, when};
use super::policy_form::{FieldError, PolicyForm, field_error};
use super::session::Session;
use super::signin::CsrfOnly;
use crate::app::{providers, stats};
use crate::error::GatewayError;
use echo_domain::policy::PolicyRecord;
use echo_domain::timestamp::Timestamp;

pub async fn home(_session: Session) -> Redirect {
    Redirect::to("/console/providers")
}

pub async fn list(
    State(state): State<ConsoleState>,
    session: Session,
) -> Result<Html<String>, ConsoleError> {
    let (listed, counts) = session
        .run(&state, move |gateway, caller| {
            let listed = providers::managed_providers(gateway, caller)?;
            let counts = stats::delivery_counts(gateway, caller)?;
            Ok((listed, counts))
        })
        .await?;
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|(provider, record)| {
            let count = counts.get(&provider.guid).copied().unwrap_or_default();
            let policies = record.as_ref().map(|r| &r.policies);
            vec![
                format!(
                    "<a href=\"/console/providers/{0}\">{0}</a>",
                    esc(&provider.id)
                ),
                esc(policies.and_then(|p| p.endpoint.as_deref()).unwrap_or("–")),
                esc(policies.and_then(|p| p.routing.as_deref()).unwrap_or("–")),
                ssl_status(record.as_ref()),
                suspension(record.as_ref()),
                count.pending.to_string(),
                count.failed.to_string(),
            ]
        })
        .collect();
    let body = table(
        "Providers",
        &[
            "Provider", "Endpoint", "Routing", "SSL", "Ordering", "Pending", "Failed",
        ],
        &rows,
    );
    Ok(layout("Providers", Some(&session), &body))
}

fn ssl_status(record: Option<&PolicyRecord>) -> String {
    match record {
        Some(r) if r.pending_certificate.is_some() => {
            "<span class=\"badge warn\">pending approval</span>".into()
        }
        Some(r) if r.policies.ssl_enabled => "on (approved)".into(),
        Some(_) => "off".into(),
        None => "no policies".into(),
    }
}

fn suspension(record: Option<&PolicyRecord>) -> String {
    match record.and_then(|r| r.policies.ordering_suspended_until) {
        Some(until) if until > Timestamp::now() => {
            format!(
                "<span class=\"badge warn\">suspended until {}</span>",
                when(Some(until))
            )
        }
        _ => "open".into(),
    }
}

pub async fn show(
    State(state): State<ConsoleState>,
    Path(id): Path<String>,
    session: Session,
) -> Result<Response, ConsoleError> {
    provider_page(&state, &session, &id, None, None, StatusCode::OK).await
}

pub async fn save_policies(
    State(state): State<ConsoleState>,
    Path(id): Path<String>,
    session: Session,
    Form(form): Form<PolicyForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let change = match form.to_change() {
        Ok(change) => change,
        Err(error) => return refused(&state, &session, &id, form, error).await,
    };
    let provider = id.clone();
    match session
        .run(&state, move |gateway, caller| {
            providers::set_policies(gateway, caller, &provider, change)
        })
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/console/providers/{}", url_part(&id))).into_response())
        }
        Err(error @ (GatewayError::Policy(_) | GatewayError::Request(_))) => {
            refused(&state, &session, &id, form, field_error(&error)).await
        }
        Err(error) => Err(error.into()),
    }
}

async fn refused(
    state: &ConsoleState,
    session: &Session,
    id: &str,
    form: PolicyForm,
    error: FieldError,
) -> Result<Response, ConsoleError> {
    let status = StatusCode::BAD_REQUEST;
    provider_page(state, session, id, Some((form, error)), None, status).await
}

pub async fn approve(
    State(state): State<ConsoleState>,
    Path(id): Path<String>,
    session: Session,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let provider = id.clone();
    session
        .run(&state, move |gateway, caller| {
            providers::approve_certificate(gateway, caller, &provider)
        })
        .await?;
    Ok(Redirect::to(&format!("/console/providers/{}", url_part(&id))).into_response())
}

pub async fn test_endpoint(
    State(state): State<ConsoleState>,
    Path(id): Path<String>,
    session: Session,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let provider = id.clone();
    let outcome = session
        .run(&state, move |gateway, caller| {
            providers::test_endpoint(gateway, caller, &provider)
        })
        .await;
    let message = match outcome {
        Ok(()) => "Endpoint test: the endpoint answered.".to_owned(),
        Err(error @ (GatewayError::EndpointUnreachable(_) | GatewayError::NotFound { .. })) => {
            format!("Endpoint test failed: {error}")
        }
        Err(error) => return Err(error.into()),
    };
    provider_page(&state, &session, &id, None, Some(message), StatusCode::OK).await
}

/// A provider's page; `refused` is a form sent back with its error, `notice` a result line.
async fn provider_page(
    state: &ConsoleState,
    session: &Session,
    id: &str,
    refused: Option<(PolicyForm, FieldError)>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let named = id.to_owned();
    let (provider, record, history) = session
        .run(state, move |gateway, caller| {
            let provider = providers::managed_provider(gateway, caller, &named)?;
            let record = providers::policies(gateway, caller, &named)?;
            let history = stats::delivery_history(gateway, caller, &named)?;
            Ok((provider, record, history))
        })
        .await?;
    let base = format!("/console/providers/{}", url_part(&provider.id));
    let mut body = String::new();
    if let Some(notice) = notice {
        let _ = write!(
            body,
            "<p class=\"notice\" role=\"status\" id=\"notice\">{}</p>",
            esc(&notice)
        );
    }
    let _ = write!(
        body,
        "<p>GUID <code>{}</code> · SSL: {} · Ordering: {}</p>",
        esc(provider.guid.as_str()),
        ssl_status(record.as_ref()),
        suspension(record.as_ref())
    );
    body.push_str("<h2>Deliveries, last 24 hours</h2>");
    body.push_str(&chart::render(&provider.id, &history));
    let _ = write!(
        body,
        "<p><a href=\"/console/deliveries?provider={}\">Deliveries of {}</a></p>",
        url_part(&provider.id),
        esc(&provider.id)
    );
    body.push_str(&certificates(session, &base, record.as_ref()));
    body.push_str("<h2>Endpoint</h2>");
    body.push_str(&button_form(
        session,
        &format!("{base}/test"),
        "Test the endpoint",
    ));
    body.push_str("<h2>Policies</h2>");
    let (form, error) = match refused {
        Some((form, error)) => (form, Some(error)),
        None => (PolicyForm::from_record(record.as_ref()), None),
    };
    body.push_str(&form.render(session, &format!("{base}/policies"), error.as_ref()));
    let title = format!("Provider {}", provider.id);
    Ok((status, layout(&title, Some(session), &body)).into_response())
}

fn certificates(session: &Session, base: &str, record: Option<&PolicyRecord>) -> String {
    let Some(record) = record else {
        return String::new();
    };
    let mut html = String::from("<h2>SSL certificate</h2><div class=\"pair\">");
    html.push_str(&certificate::render(
        "Approved",
        record.approved_certificate.as_deref(),
    ));
    html.push_str(&certificate::render(
        "Pending approval",
        record.pending_certificate.as_deref(),
    ));
    html.push_str("</div>");
    if record.pending_certificate.is_some() && session.caller.is_operator() {
        html.push_str(&button_form(
            session,
            &format!("{base}/approve"),
            "Approve the pending certificate",
        ));
    }
    html
}

/// A path segment made safe for a URL (provider IDs are names; GUIDs are hex and dashes).
pub fn url_part(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
