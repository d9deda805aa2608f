//! What a client needs to know before ordering catalog items: which of them can be ordered,
//! and which option definitions (ECHO Forms) apply to each, assignments and their metadata
//! filters included (the rule order validation applies, `FormsValidator`), and the forms
//! themselves.

use super::Gateway;
use super::options::definitions::definitions;
use super::options::selections::FormsValidator;
use crate::error::{GatewayError, GatewayResult, RequestError};
use echo_domain::caller::Caller;
use echo_domain::option_definition::OptionDefinition;

/// The most catalog items one question may name.
pub const MAX_ITEMS: usize = 10_000;

/// One orderable catalog item and the option definitions that apply to it.
#[derive(Debug, Clone)]
pub struct OrderInformation {
    pub catalog_item_id: String,
    pub definitions: Vec<OptionDefinition>,
}

/// The orderable items among `catalog_item_ids`, in the order asked, each once; unknown,
/// deleted and non-orderable items are left out. The catalog is public: any caller may ask.
pub fn order_information(
    gateway: &Gateway,
    _caller: &Caller,
    catalog_item_ids: &[String],
) -> GatewayResult<Vec<OrderInformation>> {
    if catalog_item_ids.len() > MAX_ITEMS {
        return Err(RequestError::Invalid {
            element: "catalog_item_id".into(),
            value: catalog_item_ids.len().to_string(),
            expected: "at most 10000 catalog items",
        }
        .into());
    }
    let validator = FormsValidator { gateway };
    let mut answers: Vec<OrderInformation> = Vec::new();
    for id in catalog_item_ids {
        if answers.iter().any(|a| &a.catalog_item_id == id) {
            continue;
        }
        let Some(item) = gateway.store.catalog_item(id)? else {
            continue;
        };
        if item.check_orderable().is_err() {
            continue;
        }
        answers.push(OrderInformation {
            catalog_item_id: item.item_guid.clone(),
            definitions: validator.applicable_definitions(&item.reference())?,
        });
    }
    Ok(answers)
}

/// Definition `guid` with its form, to fill in before ordering: any definition assigned to a
/// collection (a customer must be able to read the form their order has to answer), and
/// otherwise those the caller may see as GetCatalogItemOptionDefinitions shows them.
pub fn definition(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
) -> GatewayResult<OptionDefinition> {
    let assigned = gateway
        .store
        .option_assignments()?
        .iter()
        .any(|a| a.definition.as_str().eq_ignore_ascii_case(guid));
    let found = if assigned {
        gateway.store.option_definition(&guid.to_uppercase())?
    } else {
        definitions(gateway, caller, Some(&[guid.to_owned()]))?.pop()
    };
    found.ok_or_else(|| GatewayError::not_found("OptionDefinition", guid))
}
