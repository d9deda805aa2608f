//! What a provider reviews before changing options: a form's `forms check` findings before it
//! is saved (imports resolved as creating it would), how many validated, unsubmitted orders
//! removing a definition would send back to NOT_VALIDATED, and an assignment's filter tried
//! against a granule metadata document, and a selection filled in a preview of the form
//! validated as an order item's would be.

use super::definitions::{managed_definition, visible_definition};
use super::imports::StoredImports;
use super::invalidation::{answers, order_awaits_submission};
use super::selections::compiled_form;
use crate::app::Gateway;
use crate::error::GatewayResult;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::option_definition::OptionDefinitionError;
use echo_forms::{CheckReport, MetadataFilter, ValidationOutcome, check_form_with_imports};

/// The findings of `forms check` on `form` as the caller's provider would save it (operators
/// without a provider context check it as a SYSTEM form).
pub fn check_form(gateway: &Gateway, caller: &Caller, form: &str) -> GatewayResult<CheckReport> {
    let provider = match &caller.provider {
        Some(provider) => provider.clone(),
        None => {
            caller.require_operator()?;
            Guid::nil()
        }
    };
    let stored = gateway.store.option_definitions()?;
    let imports = StoredImports {
        definitions: &stored,
        provider: &provider,
    };
    Ok(check_form_with_imports(form, &imports))
}

/// How many orders removing definition `guid` would send back to NOT_VALIDATED (only a
/// caller who may remove it may ask).
pub fn orders_sent_back_by_removal(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
) -> GatewayResult<usize> {
    let definition = managed_definition(gateway, caller, guid)?;
    Ok(gateway
        .store
        .orders()?
        .iter()
        .filter(|order| answers(order, &definition) && order_awaits_submission(order))
        .count())
}

/// Whether `filter` holds for the granule `metadata`; a filter that does not compile, or
/// metadata that is not readable XML, is an error that says why.
pub fn try_filter(filter: &str, metadata: &str) -> GatewayResult<bool> {
    let invalid = |reason: String| OptionDefinitionError::InvalidFilter {
        filter: filter.to_owned(),
        reason,
    };
    let compiled = MetadataFilter::compile(filter).map_err(|e| invalid(e.to_string()))?;
    Ok(compiled
        .matches(metadata)
        .map_err(|e| invalid(e.to_string()))?)
}

/// Validates `selection` (filled in a preview) against definition `guid` as an order item's
/// selection is validated.
pub fn validate_selection(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
    selection: &str,
) -> GatewayResult<ValidationOutcome> {
    let definition = visible_definition(gateway, caller, guid)?;
    Ok(compiled_form(gateway, &definition)?.validate_selection(selection))
}
