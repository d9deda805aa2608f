//! The provider-policy form: its fields as text (so a refused form comes back as typed), the
//! decoding into `app::providers::PolicyChange`, and which field an error belongs to. The
//! rules themselves are the domain's (`PolicyRecord::apply` through `set_policies`).

use std::fmt::Write;

use serde::Deserialize;

use super::page::{csrf_field, esc};
use super::session::Session;
use crate::app::providers::PolicyChange;
use crate::error::GatewayError;
use echo_domain::policy::{PolicyError, PolicyRecord, ProviderPolicies, Transaction};
use echo_domain::timestamp::Timestamp;

const TRANSACTIONS: [(&str, Transaction); 3] = [
    ("tx_quote", Transaction::Quote),
    ("tx_submit", Transaction::Submit),
    ("tx_cancel", Transaction::Cancel),
];

/// The form as sent (checkboxes are present when ticked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PolicyForm {
    pub csrf: String,
    endpoint: String,
    retry_attempts: String,
    retry_wait_seconds: String,
    routing: String,
    ssl_enabled: Option<String>,
    ssl_certificate: String,
    duplicate_items: String,
    duplicate_collections: String,
    tx_quote: Option<String>,
    tx_submit: Option<String>,
    tx_cancel: Option<String>,
    max_items_per_order: String,
    properties: String,
    suspended_until: String,
    override_notification: String,
}

/// An error to show next to one field (or above the form when `field` is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl PolicyForm {
    /// The form filled from stored policies (the certificate shown is the newest one set).
    pub fn from_record(record: Option<&PolicyRecord>) -> PolicyForm {
        let Some(record) = record else {
            return PolicyForm::default();
        };
        let p = &record.policies;
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
        let ticked = |t: Transaction| p.supports(t).then(|| "on".to_owned());
        PolicyForm {
            csrf: String::new(),
            endpoint: p.endpoint.clone().unwrap_or_default(),
            retry_attempts: text(p.retry_attempts),
            retry_wait_seconds: text(p.retry_wait_seconds),
            routing: p.routing.clone().unwrap_or_default(),
            ssl_enabled: p.ssl_enabled.then(|| "on".to_owned()),
            ssl_certificate: record.visible_certificate().unwrap_or_default().to_owned(),
            duplicate_items: flag(p.order_supports_duplicate_catalog_items),
            duplicate_collections: p
                .collections_supporting_duplicate_order_items
                .as_ref()
                .map(|c| c.join("\n"))
                .unwrap_or_default(),
            tx_quote: ticked(Transaction::Quote),
            tx_submit: ticked(Transaction::Submit),
            tx_cancel: ticked(Transaction::Cancel),
            max_items_per_order: text(p.max_items_per_order),
            properties: p.properties.clone().unwrap_or_default(),
            suspended_until: p
                .ordering_suspended_until
                .map(|t| t.to_echo_string())
                .unwrap_or_default(),
            override_notification: flag(p.override_notification_enabled),
        }
    }

    /// Decodes the fields; a field that is not even of the right type is refused here.
    pub fn to_change(&self) -> Result<PolicyChange, FieldError> {
        let policies = ProviderPolicies {
            endpoint: optional(&self.endpoint),
            retry_attempts: number("retry_attempts", &self.retry_attempts)?,
            retry_wait_seconds: number("retry_wait_seconds", &self.retry_wait_seconds)?,
            routing: optional(&self.routing),
            ssl_enabled: self.ssl_enabled.is_some(),
            order_supports_duplicate_catalog_items: flag("duplicate_items", &self.duplicate_items)?,
            collections_supporting_duplicate_order_items: optional(&self.duplicate_collections)
                .map(|text| {
                    text.split(['\n', ','])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect()
                }),
            supported_transactions: Some(self.transactions()),
            max_items_per_order: number("max_items_per_order", &self.max_items_per_order)?,
            properties: optional(&self.properties),
            ordering_suspended_until: optional(&self.suspended_until)
                .map(|t| {
                    Timestamp::parse(&t).map_err(|_| FieldError {
                        field: "suspended_until",
                        message: "expected a date and time such as 2026-12-01T00:00:00Z".into(),
                    })
                })
                .transpose()?,
            override_notification_enabled: flag(
                "override_notification",
                &self.override_notification,
            )?,
        };
        Ok(PolicyChange {
            policies,
            certificate: optional(&self.ssl_certificate),
        })
    }

    fn transactions(&self) -> Vec<Transaction> {
        let ticked = [&self.tx_quote, &self.tx_submit, &self.tx_cancel];
        TRANSACTIONS
            .iter()
            .zip(ticked)
            .filter(|(_, on)| on.is_some())
            .map(|((_, t), _)| *t)
            .collect()
    }

    /// The form as HTML, posting to `action`, with `error` shown next to its field.
    pub fn render(&self, session: &Session, action: &str, error: Option<&FieldError>) -> String {
        let mut html = format!(
            r#"<form method="post" action="{}" class="card policies">{}"#,
            esc(action),
            csrf_field(session)
        );
        if let Some(e) = error.filter(|e| e.field.is_empty()) {
            let _ = write!(
                html,
                "<p class=\"error\" role=\"alert\">{}</p>",
                esc(&e.message)
            );
        }
        let field = |name: &'static str, label: &str, input: String| {
            labelled(name, label, &input, error.filter(|e| e.field == name))
        };
        html.push_str(&field(
            "endpoint",
            "EndPoint",
            text_input("endpoint", &self.endpoint),
        ));
        html.push_str(&field(
            "routing",
            "Routing",
            text_input("routing", &self.routing),
        ));
        html.push_str(&field(
            "retry_attempts",
            "RetryAttempts",
            text_input("retry_attempts", &self.retry_attempts),
        ));
        html.push_str(&field(
            "retry_wait_seconds",
            "RetryWaitTime (seconds)",
            text_input("retry_wait_seconds", &self.retry_wait_seconds),
        ));
        html.push_str(&checkbox(
            "ssl_enabled",
            "SslEnabled",
            self.ssl_enabled.is_some(),
        ));
        html.push_str(&field(
            "ssl_certificate",
            "SslCertificate (PEM)",
            textarea("ssl_certificate", &self.ssl_certificate, 6),
        ));
        html.push_str(&self.transaction_boxes());
        html.push_str(&field(
            "max_items_per_order",
            "MaxItemsPerOrder",
            text_input("max_items_per_order", &self.max_items_per_order),
        ));
        html.push_str(&field(
            "duplicate_items",
            "OrderSupportsDuplicateCatalogItems",
            yes_no("duplicate_items", &self.duplicate_items),
        ));
        html.push_str(&field(
            "duplicate_collections",
            "CollectionsSupportingDuplicateOrderItems (one per line)",
            textarea("duplicate_collections", &self.duplicate_collections, 2),
        ));
        html.push_str(&field(
            "suspended_until",
            "OrderingSuspendedUntilDate",
            text_input("suspended_until", &self.suspended_until),
        ));
        html.push_str(&field(
            "override_notification",
            "OverrideNotificationEnabled",
            yes_no("override_notification", &self.override_notification),
        ));
        html.push_str(&field(
            "properties",
            "Properties (XML)",
            textarea("properties", &self.properties, 3),
        ));
        html.push_str("<button type=\"submit\">Save policies</button></form>");
        html
    }

    fn transaction_boxes(&self) -> String {
        let ticked = [&self.tx_quote, &self.tx_submit, &self.tx_cancel];
        let mut html = String::from("<fieldset><legend>SupportedTransactions</legend>");
        for ((name, transaction), on) in TRANSACTIONS.iter().zip(ticked) {
            html.push_str(&checkbox(name, transaction.wire_name(), on.is_some()));
        }
        html.push_str("</fieldset>");
        html
    }
}

/// The field a refused policy's error belongs to (empty: the form as a whole).
pub fn field_error(error: &GatewayError) -> FieldError {
    let field = match error {
        GatewayError::Policy(policy) => match policy {
            PolicyError::RetryAttempts(_) => "retry_attempts",
            PolicyError::RetryWaitTime(_) => "retry_wait_seconds",
            PolicyError::MaxItemsPerOrder(_) => "max_items_per_order",
            PolicyError::Routing(_) => "routing",
            PolicyError::EndpointNotHttps(_) | PolicyError::EndpointTooLong => "endpoint",
            PolicyError::CertificateRequired | PolicyError::Certificate(_) => "ssl_certificate",
            PolicyError::Properties(_) => "properties",
            PolicyError::NoPendingCertificate => "",
        },
        _ => "",
    };
    FieldError {
        field,
        message: error.to_string(),
    }
}

fn optional(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn number(field: &'static str, text: &str) -> Result<Option<i64>, FieldError> {
    optional(text)
        .map(|t| {
            t.parse().map_err(|_| FieldError {
                field,
                message: format!("[{t}] is not a whole number"),
            })
        })
        .transpose()
}

fn flag(field: &'static str, text: &str) -> Result<Option<bool>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        "true" => Ok(Some(true)),
        "false" => Ok(Some(false)),
        other => Err(FieldError {
            field,
            message: format!("[{other}] is neither true nor false"),
        }),
    }
}

fn labelled(name: &str, label: &str, input: &str, error: Option<&FieldError>) -> String {
    let message = error
        .map(|e| {
            format!(
                "<span class=\"field-error\" id=\"{name}-error\" role=\"alert\">{}</span>",
                esc(&e.message)
            )
        })
        .unwrap_or_default();
    format!(
        "<div class=\"field\"><label for=\"{name}\">{}</label>{input}{message}</div>",
        esc(label)
    )
}

fn text_input(name: &str, value: &str) -> String {
    format!(
        "<input id=\"{name}\" name=\"{name}\" value=\"{}\">",
        esc(value)
    )
}

fn textarea(name: &str, value: &str, rows: u8) -> String {
    format!(
        "<textarea id=\"{name}\" name=\"{name}\" rows=\"{rows}\">{}</textarea>",
        esc(value)
    )
}

fn checkbox(name: &str, label: &str, checked: bool) -> String {
    let checked = if checked { " checked" } else { "" };
    format!(
        "<div class=\"check\"><input type=\"checkbox\" id=\"{name}\" name=\"{name}\"{checked}><label for=\"{name}\">{}</label></div>",
        esc(label)
    )
}

fn yes_no(name: &str, value: &str) -> String {
    let mut html = format!("<select id=\"{name}\" name=\"{name}\">");
    for (option, label) in [("", "not set"), ("true", "true"), ("false", "false")] {
        let selected = if option == value { " selected" } else { "" };
        let _ = write!(
            html,
            "<option value=\"{option}\"{selected}>{label}</option>"
        );
    }
    html.push_str("</select>");
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_record_survives_the_form() {
        let form = PolicyForm {
            endpoint: "http://partner.example/v9".into(),
            retry_attempts: "3".into(),
            routing: "ORDER_FULFILLMENT_V9".into(),
            tx_submit: Some("on".into()),
            duplicate_items: "false".into(),
            ..PolicyForm::default()
        };
        let change = form.to_change().expect("decodes");
        assert_eq!(change.policies.retry_attempts, Some(3));
        assert_eq!(
            change.policies.supported_transactions,
            Some(vec![Transaction::Submit])
        );
        assert_eq!(
            change.policies.order_supports_duplicate_catalog_items,
            Some(false)
        );
        assert!(change.certificate.is_none());
    }

    #[test]
    fn a_number_that_is_not_one_is_refused_at_its_field() {
        let form = PolicyForm {
            retry_attempts: "three".into(),
            ..PolicyForm::default()
        };
        assert_eq!(
            form.to_change().map(|_| ()).unwrap_err().field,
            "retry_attempts"
        );
    }
}
