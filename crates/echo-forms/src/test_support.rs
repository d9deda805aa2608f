//! Small forms and selections for the unit tests.

use super::compiled_form::CompiledForm;
use super::outcome::{Rule, ValidationOutcome};

/// A form whose instance root is `<p:o xmlns:p="urn:test">` holding `instance`.
pub fn form_xml(instance: &str, ui: &str) -> String {
    format!(
        r#"<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xs="http://www.w3.org/2001/XMLSchema"
                 targetNamespace="urn:form"><model><instance><p:o xmlns:p="urn:test">{instance}</p:o></instance></model>
           <ui>{ui}</ui></form>"#
    )
}

pub fn compile(instance: &str, ui: &str) -> CompiledForm {
    match CompiledForm::compile(&form_xml(instance, ui)) {
        Ok(form) => form,
        Err(e) => panic!("test form does not compile: {e}"),
    }
}

/// A selection document with the test instance root holding `body`.
pub fn selection(body: &str) -> String {
    format!(r#"<p:o xmlns:p="urn:test">{body}</p:o>"#)
}

/// The control (id or label) and rule of each error.
pub fn rules(outcome: &ValidationOutcome) -> Vec<(String, Rule)> {
    outcome
        .errors
        .iter()
        .map(|e| {
            (
                e.control_id
                    .clone()
                    .or_else(|| e.label.clone())
                    .unwrap_or_default(),
                e.rule,
            )
        })
        .collect()
}

/// Shorthand for the expected `rules`.
pub fn expect(pairs: &[(&str, Rule)]) -> Vec<(String, Rule)> {
    pairs
        .iter()
        .map(|(control, rule)| ((*control).to_owned(), *rule))
        .collect()
}
