//! Option selections as people see them (the console's order page, for operators and provider
//! staff alike): every value a `secret` control of the selection's form collected is obscured
//! (ECHO Forms 4.2.6: user input must be obscured), never shown. The forms engine finds the
//! secret values (`CompiledForm::obscure_secrets`); this is the one place that applies it to
//! stored selections. A selection whose form cannot tell (its definition gone, the form or the
//! selection unreadable) is not shown at all rather than shown with its secrets.

use std::collections::HashMap;

use super::selections::compiled_form;
use crate::app::Gateway;
use echo_domain::guid::Guid;
use echo_domain::order::{OptionSelection, Order};

/// What a selection's content reads as when its secret values cannot be told apart.
pub const NOT_SHOWN: &str =
    "(not shown: the option definition that says which values are secret is not available)";

/// Each item's option selection (by item GUID) as people may see it.
pub fn shown_selections(gateway: &Gateway, order: &Order) -> HashMap<Guid, OptionSelection> {
    order
        .items()
        .iter()
        .filter_map(|item| {
            let selection = item.option_selection.as_ref()?;
            Some((item.guid.clone(), shown(gateway, selection)))
        })
        .collect()
}

fn shown(gateway: &Gateway, selection: &OptionSelection) -> OptionSelection {
    OptionSelection {
        content: obscured_content(gateway, selection).unwrap_or_else(|| NOT_SHOWN.to_owned()),
        ..selection.clone()
    }
}

fn obscured_content(gateway: &Gateway, selection: &OptionSelection) -> Option<String> {
    let definition = gateway
        .store
        .option_definition(selection.guid.as_str())
        .ok()??;
    let form = compiled_form(gateway, &definition).ok()?;
    form.obscure_secrets(&selection.content).ok()
}
