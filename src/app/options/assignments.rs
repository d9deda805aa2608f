//! Option assignments: which collections need a selection answering which definition, for
//! granules whose metadata a filter holds for.

use super::definitions::visible_definition;
use crate::app::Gateway;
use crate::error::GatewayResult;
use echo_domain::caller::Caller;
use echo_domain::option_definition::{OptionAssignment, OptionDefinitionError};
use echo_forms::MetadataFilter;

/// An assignment as a client names it: the definition by GUID as sent.
#[derive(Debug, Clone)]
pub struct AssignmentRequest {
    pub collection_id: String,
    pub definition: String,
    pub filter: Option<String>,
}

pub fn create(
    gateway: &Gateway,
    caller: &Caller,
    requests: &[AssignmentRequest],
) -> GatewayResult<()> {
    let assignments = checked(gateway, caller, requests)?;
    Ok(gateway.store.add_option_assignments(&assignments)?)
}

pub fn remove(
    gateway: &Gateway,
    caller: &Caller,
    requests: &[AssignmentRequest],
) -> GatewayResult<()> {
    let assignments = checked(gateway, caller, requests)?;
    Ok(gateway.store.remove_option_assignments(&assignments)?)
}

/// The assignments of the named collections, or with `None` all of them; any authenticated
/// caller may read assignments.
pub fn assignments(
    gateway: &Gateway,
    _caller: &Caller,
    collections: Option<&[String]>,
) -> GatewayResult<Vec<OptionAssignment>> {
    Ok(match collections {
        Some(collections) => collections
            .iter()
            .map(|c| gateway.store.option_assignments_of(c))
            .collect::<Result<Vec<_>, _>>()?
            .concat(),
        None => gateway.store.option_assignments()?,
    })
}

fn checked(
    gateway: &Gateway,
    caller: &Caller,
    requests: &[AssignmentRequest],
) -> GatewayResult<Vec<OptionAssignment>> {
    requests
        .iter()
        .map(|request| check(gateway, caller, request))
        .collect()
}

/// The definition must exist and be visible to the caller, the filter must compile, and only
/// operators and provider staff assign.
fn check(
    gateway: &Gateway,
    caller: &Caller,
    request: &AssignmentRequest,
) -> GatewayResult<OptionAssignment> {
    let definition = visible_definition(gateway, caller, &request.definition)?;
    if let Some(filter) = &request.filter {
        MetadataFilter::compile(filter).map_err(|e| OptionDefinitionError::InvalidFilter {
            filter: filter.clone(),
            reason: e.to_string(),
        })?;
    }
    if !caller.is_operator() {
        match &caller.provider {
            Some(own) => caller.require_provider_access(own)?,
            None => caller.require_operator()?,
        }
    }
    Ok(OptionAssignment {
        collection_id: request.collection_id.clone(),
        definition: definition.guid,
        filter: request.filter.clone(),
    })
}
