//! The ECHO Forms engine (crate `echo-forms`): mutated sample forms through the lint, the
//! parser and compiler, and the validator of the form's own instance; mutated instances
//! (selections) validated against each compiled sample.

use std::sync::{Arc, OnceLock};

use echo_forms::{CompiledForm, check_form};

use crate::harness::{apply, fuzz, mutated, mutations};
use crate::seeds::sample_forms;

fn forms() -> Arc<Vec<Vec<u8>>> {
    Arc::new(sample_forms().into_iter().map(String::into_bytes).collect())
}

/// Each sample compiled once, with its instance document.
fn compiled() -> &'static Vec<(CompiledForm, String)> {
    static COMPILED: OnceLock<Vec<(CompiledForm, String)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        sample_forms()
            .iter()
            .map(|form| {
                let compiled = CompiledForm::compile(form).expect("a sample form compiles");
                let instance = compiled.instance_xml().to_owned();
                (compiled, instance)
            })
            .collect()
    })
}

fn form_cycle(bytes: Vec<u8>) {
    let text = String::from_utf8_lossy(&bytes);
    let _ = check_form(&text);
    if let Ok(form) = CompiledForm::compile(&text) {
        let _ = form.validate_instance();
    }
}

#[test]
fn forms_mutated() {
    fuzz("forms, mutated", mutated(forms()), form_cycle);
}

#[test]
fn form_selections_mutated() {
    let count = compiled().len();
    fuzz(
        "form selections, mutated",
        (0..count, mutations()),
        |(index, edits)| {
            let (form, instance) = &compiled()[index];
            let selection = apply(instance.as_bytes(), &edits);
            let _ = form.validate_selection(&String::from_utf8_lossy(&selection));
        },
    );
}
