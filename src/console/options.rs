//! Option definition pages (provider staff and operators): check a form and see its
//! `forms check` findings before saving, create, deprecate and remove definitions (removal
//! says how many validated, unsubmitted orders it sends back), and manage assignments with the
//! filter tried against pasted granule metadata first.

use std::fmt::Write;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::ConsoleState;
use super::failure::ConsoleError;
use super::page::{button_form, csrf_field, esc, layout, table};
use super::providers::url_part;
use super::session::Session;
use super::signin::CsrfOnly;
use crate::app;
use crate::app::options::{assignments, definitions, review};
use crate::error::GatewayError;
use echo_domain::option_definition::{OptionDefinition, Scope};
use echo_forms::{CheckReport, Severity};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct DefinitionForm {
    csrf: String,
    name: String,
    description: String,
    form: String,
    /// `check` only checks; `save` checks and creates.
    action: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AssignmentForm {
    csrf: String,
    collection: String,
    definition: String,
    filter: String,
    metadata: String,
    action: String,
}

/// What the page shows below its forms after a request.
#[derive(Default)]
struct Outcome {
    definition: DefinitionForm,
    report: Option<CheckReport>,
    assignment: AssignmentForm,
    message: Option<(bool, String)>,
}

pub async fn list(
    State(state): State<ConsoleState>,
    session: Session,
) -> Result<Response, ConsoleError> {
    options_page(&state, &session, Outcome::default(), StatusCode::OK).await
}

pub async fn submit_definition(
    State(state): State<ConsoleState>,
    session: Session,
    Form(form): Form<DefinitionForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let text = form.form.clone();
    let report = session
        .run(&state, move |gateway, caller| {
            review::check_form(gateway, caller, &text)
        })
        .await?;
    let clean = report.readable && !report.has_errors();
    if form.action != "save" || !clean {
        let status = if clean {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        };
        let outcome = Outcome {
            definition: form,
            report: Some(report),
            ..Outcome::default()
        };
        return options_page(&state, &session, outcome, status).await;
    }
    let new = definitions::NewDefinition {
        name: form.name.trim().to_owned(),
        scope: if session.caller.provider.is_some() {
            Scope::Provider
        } else {
            Scope::System
        },
        form: form.form.clone(),
        description: Some(form.description.trim().to_owned()).filter(|d| !d.is_empty()),
        sort_key: None,
    };
    match session
        .run(&state, move |gateway, caller| {
            definitions::create(gateway, caller, vec![new])
        })
        .await
    {
        Ok(created) => {
            let name = created.first().map(|d| d.name.clone()).unwrap_or_default();
            let outcome = Outcome {
                message: Some((true, format!("Option definition {name} saved."))),
                ..Outcome::default()
            };
            options_page(&state, &session, outcome, StatusCode::OK).await
        }
        Err(error @ (GatewayError::OptionDefinition(_) | GatewayError::Storage(_))) => {
            let outcome = Outcome {
                definition: form,
                message: Some((false, error.to_string())),
                ..Outcome::default()
            };
            options_page(&state, &session, outcome, StatusCode::BAD_REQUEST).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn submit_assignment(
    State(state): State<ConsoleState>,
    session: Session,
    Form(form): Form<AssignmentForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let filter = Some(form.filter.trim().to_owned()).filter(|f| !f.is_empty());
    let message = if form.action == "try" {
        let (filter, metadata) = (form.filter.clone(), form.metadata.clone());
        match app::blocking(move || review::try_filter(&filter, &metadata)).await {
            Ok(true) => (true, "The filter holds for this metadata.".to_owned()),
            Ok(false) => (
                true,
                "The filter does not hold for this metadata.".to_owned(),
            ),
            Err(error) => (false, error.to_string()),
        }
    } else {
        let request = assignments::AssignmentRequest {
            collection_id: form.collection.trim().to_owned(),
            definition: form.definition.trim().to_owned(),
            filter,
        };
        match session
            .run(&state, move |gateway, caller| {
                assignments::create(gateway, caller, &[request])
            })
            .await
        {
            Ok(()) => (true, "Assignment saved.".to_owned()),
            Err(error @ GatewayError::OptionDefinition(_)) => (false, error.to_string()),
            Err(error) => return Err(error.into()),
        }
    };
    let outcome = Outcome {
        assignment: form,
        message: Some(message),
        ..Outcome::default()
    };
    options_page(&state, &session, outcome, StatusCode::OK).await
}

pub async fn show(
    State(state): State<ConsoleState>,
    Path(guid): Path<String>,
    session: Session,
) -> Result<Response, ConsoleError> {
    let wanted = [guid.clone()];
    let (mut found, sent_back) = session
        .run(&state, move |gateway, caller| {
            let found = definitions::definitions(gateway, caller, Some(&wanted[..]))?;
            let sent_back = review::orders_sent_back_by_removal(gateway, caller, &wanted[0]);
            Ok((found, sent_back))
        })
        .await?;
    let Some(definition) = found.pop() else {
        return Err(GatewayError::not_found("OptionDefinition", guid).into());
    };
    let base = format!("/console/options/{}", url_part(definition.guid.as_str()));
    let mut body = format!(
        "<dl class=\"facts\"><dt>GUID</dt><dd>{}</dd><dt>Scope</dt><dd>{}</dd><dt>State</dt><dd id=\"definition-state\">{}</dd>\
         <dt>Description</dt><dd>{}</dd></dl><h2>Form</h2><pre class=\"form-xml\">{}</pre>",
        esc(definition.guid.as_str()),
        definition.scope.wire_name(),
        if definition.deprecated {
            "deprecated"
        } else {
            "active"
        },
        esc(definition.description.as_deref().unwrap_or("–")),
        esc(&definition.form),
    );
    if let Ok(count) = sent_back {
        if !definition.deprecated {
            body.push_str(&button_form(
                &session,
                &format!("{base}/deprecate"),
                "Deprecate",
            ));
        }
        let _ = write!(
            body,
            "<p class=\"warning\" id=\"removal-warning\">Removing this definition sends {count} \
             validated, unsubmitted order(s) back to NOT_VALIDATED.</p>"
        );
        body.push_str(&button_form(&session, &format!("{base}/remove"), "Remove"));
    }
    let _ = write!(
        body,
        "<p><a href=\"{base}/preview\" id=\"preview-link\">Preview the form</a></p>"
    );
    let title = format!("Option definition {}", definition.name);
    Ok(layout(&title, Some(&session), &body).into_response())
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PreviewForm {
    csrf: String,
    selection: String,
}

/// The form rendered by NASA's `@edsc/echoforms` component (`EchoForms.mount` of the vendored
/// bundle); what is filled in is posted back and validated by the gateway, shown side by side.
pub async fn preview(
    State(state): State<ConsoleState>,
    Path(guid): Path<String>,
    session: Session,
) -> Result<Response, ConsoleError> {
    preview_page(&state, &session, &guid, None, None).await
}

pub async fn validate_preview(
    State(state): State<ConsoleState>,
    Path(guid): Path<String>,
    session: Session,
    Form(form): Form<PreviewForm>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let (wanted, selection) = (guid.clone(), form.selection.clone());
    let outcome = session
        .run(&state, move |gateway, caller| {
            review::validate_selection(gateway, caller, &wanted, &selection)
        })
        .await?;
    preview_page(
        &state,
        &session,
        &guid,
        Some(&form.selection),
        Some(outcome),
    )
    .await
}

async fn preview_page(
    state: &ConsoleState,
    session: &Session,
    guid: &str,
    sent: Option<&str>,
    outcome: Option<echo_forms::ValidationOutcome>,
) -> Result<Response, ConsoleError> {
    let wanted = [guid.to_owned()];
    let mut found = session
        .run(state, move |gateway, caller| {
            definitions::definitions(gateway, caller, Some(&wanted[..]))
        })
        .await?;
    let Some(definition) = found.pop() else {
        return Err(GatewayError::not_found("OptionDefinition", guid).into());
    };
    let action = format!(
        "/console/options/{}/preview",
        url_part(definition.guid.as_str())
    );
    let mut result = String::new();
    if let Some(outcome) = outcome {
        let verdict = if outcome.is_valid() {
            "valid"
        } else {
            "invalid"
        };
        let _ = write!(
            result,
            "<section class=\"card\" id=\"gateway-result\"><h2>Gateway validation</h2>\
             <p id=\"gateway-verdict\" class=\"{}\">The selection is {verdict}.</p><ul>",
            if outcome.is_valid() {
                "notice"
            } else {
                "error"
            }
        );
        for error in &outcome.errors {
            let _ = write!(
                result,
                "<li class=\"error\">{}</li>",
                esc(&error.to_string())
            );
        }
        let _ = write!(
            result,
            "</ul><h3>Selection as stored</h3><pre class=\"form-xml\">{}</pre></section>",
            esc(outcome.selection.as_deref().or(sent).unwrap_or(""))
        );
    }
    let body = format!(
        "<div class=\"pair\"><section class=\"card\"><h2>Preview (NASA @edsc/echoforms)</h2>\
         <div id=\"echoform-preview\" data-form=\"{}\"></div></section>\
         <form method=\"post\" action=\"{}\" class=\"card\" id=\"preview-form\">{}\
         <label for=\"selection\">Selection (filled in by the preview)</label>\
         <textarea id=\"selection\" name=\"selection\" rows=\"10\">{}</textarea>\
         <button type=\"submit\">Validate with the gateway</button></form>{result}</div>",
        esc(&definition.form),
        esc(&action),
        csrf_field(session),
        esc(sent.unwrap_or("")),
    );
    let title = format!("Preview of {}", definition.name);
    let page = layout(&title, Some(session), &body).0.replace(
        "</head>",
        "<link rel=\"stylesheet\" href=\"/console/assets/echoforms.css\">\
             <script src=\"/console/assets/echoforms.js\" defer></script></head>",
    );
    Ok(axum::response::Html(page).into_response())
}

pub async fn deprecate(
    State(state): State<ConsoleState>,
    Path(guid): Path<String>,
    session: Session,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let wanted = [guid.clone()];
    session
        .run(&state, move |gateway, caller| {
            definitions::deprecate(gateway, caller, &wanted)
        })
        .await?;
    Ok(Redirect::to(&format!("/console/options/{}", url_part(&guid))).into_response())
}

pub async fn remove(
    State(state): State<ConsoleState>,
    Path(guid): Path<String>,
    session: Session,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    session.check_csrf(&form.csrf)?;
    let wanted = [guid];
    session
        .run(&state, move |gateway, caller| {
            definitions::remove(gateway, caller, &wanted)
        })
        .await?;
    Ok(Redirect::to("/console/options").into_response())
}

async fn options_page(
    state: &ConsoleState,
    session: &Session,
    outcome: Outcome,
    status: StatusCode,
) -> Result<Response, ConsoleError> {
    let (listed, assigned) = session
        .run(state, move |gateway, caller| {
            let listed = definitions::definitions(gateway, caller, None)?;
            let assigned = assignments::assignments(gateway, caller, None)?;
            Ok((listed, assigned))
        })
        .await?;
    let mut body = String::new();
    if let Some((ok, message)) = &outcome.message {
        let class = if *ok { "notice" } else { "error" };
        let _ = write!(
            body,
            "<p class=\"{class}\" role=\"status\" id=\"notice\">{}</p>",
            esc(message)
        );
    }
    body.push_str(&definition_table(&listed));
    if let Some(report) = &outcome.report {
        body.push_str(&findings(report));
    }
    body.push_str(&definition_form(session, &outcome.definition));
    let ours: Vec<&OptionDefinition> = listed.iter().collect();
    body.push_str(&assignment_section(
        session,
        &outcome.assignment,
        &ours,
        &assigned,
    ));
    Ok((status, layout("Option definitions", Some(session), &body)).into_response())
}

fn definition_table(listed: &[OptionDefinition]) -> String {
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|d| {
            vec![
                format!(
                    "<a href=\"/console/options/{}\">{}</a>",
                    url_part(d.guid.as_str()),
                    esc(&d.name)
                ),
                d.scope.wire_name().to_owned(),
                if d.deprecated { "deprecated" } else { "active" }.to_owned(),
                d.last_update.to_echo_string(),
            ]
        })
        .collect();
    table(
        "Definitions",
        &["Name", "Scope", "State", "Last update"],
        &rows,
    )
}

fn definition_form(session: &Session, form: &DefinitionForm) -> String {
    format!(
        "<form method=\"post\" action=\"/console/options\" class=\"card\" id=\"definition-form\">\
         <h2>New option definition</h2>{}\
         <label for=\"definition-name\">Name</label><input id=\"definition-name\" name=\"name\" value=\"{}\">\
         <label for=\"definition-description\">Description</label><input id=\"definition-description\" name=\"description\" value=\"{}\">\
         <label for=\"definition-file\">Load a form file</label><input id=\"definition-file\" type=\"file\" accept=\".xml,text/xml\" data-into=\"definition-xml\">\
         <label for=\"definition-xml\">ECHO Form (XML)</label><textarea id=\"definition-xml\" name=\"form\" rows=\"12\">{}</textarea>\
         <div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"check\">Check</button> \
         <button type=\"submit\" name=\"action\" value=\"save\">Check and save</button></div></form>",
        csrf_field(session),
        esc(&form.name),
        esc(&form.description),
        esc(&form.form),
    )
}

fn findings(report: &CheckReport) -> String {
    let mut html = String::from("<section id=\"findings\"><h2>forms check</h2>");
    if report.findings.is_empty() {
        html.push_str("<p class=\"notice\">No findings: the form can be saved.</p>");
    }
    if !report.readable {
        html.push_str("<p class=\"error\">The form is not readable XML.</p>");
    }
    html.push_str("<ul>");
    for finding in &report.findings {
        let class = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = finding
            .position
            .map(|at| {
                format!(
                    "<span class=\"place\">line {}, column {}</span> ",
                    at.line, at.column
                )
            })
            .unwrap_or_default();
        let _ = write!(
            html,
            "<li class=\"finding {class}\">{place}{}</li>",
            esc(&finding.to_string())
        );
    }
    html.push_str("</ul></section>");
    html
}

fn assignment_section(
    session: &Session,
    form: &AssignmentForm,
    listed: &[&OptionDefinition],
    assigned: &[echo_domain::option_definition::OptionAssignment],
) -> String {
    let rows: Vec<Vec<String>> = assigned
        .iter()
        .map(|a| {
            vec![
                esc(&a.collection_id),
                esc(a.definition.as_str()),
                esc(a.filter.as_deref().unwrap_or("–")),
            ]
        })
        .collect();
    let mut options = String::new();
    for d in listed.iter().filter(|d| !d.deprecated) {
        let selected = if form.definition == d.guid.as_str() {
            " selected"
        } else {
            ""
        };
        let _ = write!(
            options,
            "<option value=\"{}\"{selected}>{}</option>",
            esc(d.guid.as_str()),
            esc(&d.name)
        );
    }
    format!(
        "<h2>Assignments</h2>{}<form method=\"post\" action=\"/console/options/assignments\" class=\"card\" id=\"assignment-form\">{}\
         <label for=\"assign-collection\">Collection</label><input id=\"assign-collection\" name=\"collection\" value=\"{}\">\
         <label for=\"assign-definition\">Definition</label><select id=\"assign-definition\" name=\"definition\">{options}</select>\
         <label for=\"assign-filter\">Filter (XPath over granule metadata)</label><input id=\"assign-filter\" name=\"filter\" value=\"{}\">\
         <label for=\"assign-metadata\">Granule metadata to try the filter on</label><textarea id=\"assign-metadata\" name=\"metadata\" rows=\"5\">{}</textarea>\
         <div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"try\">Try the filter</button> \
         <button type=\"submit\" name=\"action\" value=\"save\">Save assignment</button></div></form>",
        table(
            "Assignments",
            &["Collection", "Definition", "Filter"],
            &rows
        ),
        csrf_field(session),
        esc(&form.collection),
        esc(&form.filter),
        esc(&form.metadata),
    )
}
