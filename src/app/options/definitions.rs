//! Option definitions: creating them (each form must pass `forms check`), listing those the
//! caller may see, deprecating and removing them. Removing queues the invalidation of the
//! orders that used a definition (see [`invalidation`](super::invalidation)).

use super::imports::StoredImports;
use crate::app::Gateway;
use crate::error::GatewayResult;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::option_definition::{OptionDefinition, OptionDefinitionError, Scope};
use echo_domain::timestamp::Timestamp;
use echo_forms::check_form_with_imports;

/// The owner of SYSTEM definitions created without a provider context.
const GATEWAY_OWNER: &str = "00000000-0000-0000-0000-000000000000";

/// A definition as a client creates it; the gateway assigns GUID, owner and LastUpdate.
#[derive(Debug, Clone)]
pub struct NewDefinition {
    pub name: String,
    pub scope: Scope,
    pub form: String,
    pub description: Option<String>,
    pub sort_key: Option<String>,
}

/// Creates definitions, all or none; returns them as stored.
pub fn create(
    gateway: &Gateway,
    caller: &Caller,
    new: Vec<NewDefinition>,
) -> GatewayResult<Vec<OptionDefinition>> {
    let definitions = new
        .into_iter()
        .map(|new| owned_definition(caller, new))
        .collect::<GatewayResult<Vec<_>>>()?;
    let stored = gateway.store.option_definitions()?;
    for definition in &definitions {
        check_form(&stored, definition)?;
    }
    gateway.store.add_option_definitions(&definitions)?;
    Ok(definitions)
}

/// The definition `new` describes, owned as its scope requires of `caller`.
fn owned_definition(caller: &Caller, new: NewDefinition) -> GatewayResult<OptionDefinition> {
    OptionDefinition::validate_name(&new.name)?;
    Ok(OptionDefinition {
        guid: Guid::random(),
        provider: owner_for(caller, new.scope)?,
        name: new.name,
        scope: new.scope,
        deprecated: false,
        form: new.form,
        description: new.description,
        sort_key: new.sort_key,
        last_update: Timestamp::now(),
    })
}

/// SYSTEM definitions are operators' to create; PROVIDER ones belong to the caller's provider.
fn owner_for(caller: &Caller, scope: Scope) -> GatewayResult<Guid> {
    match (scope, &caller.provider) {
        (Scope::System, provider) => {
            caller.require_operator()?;
            Ok(provider.clone().unwrap_or_else(gateway_owner))
        }
        (Scope::Provider, _) => Ok(caller.acting_provider()?.clone()),
    }
}

fn gateway_owner() -> Guid {
    Guid::parse(GATEWAY_OWNER).unwrap_or_else(|_| Guid::random())
}

/// A new definition's form must pass `forms check`, imports resolved against `stored`.
fn check_form(stored: &[OptionDefinition], definition: &OptionDefinition) -> GatewayResult<()> {
    let imports = StoredImports {
        definitions: stored,
        provider: &definition.provider,
    };
    let report = check_form_with_imports(&definition.form, &imports);
    if report.readable && !report.has_errors() {
        return Ok(());
    }
    let problems: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
    Err(OptionDefinitionError::InvalidForm {
        name: definition.name.clone(),
        problems: problems.join("; "),
    }
    .into())
}

/// Definitions by GUID, or with `None` every definition the caller may see.
pub fn definitions(
    gateway: &Gateway,
    caller: &Caller,
    guids: Option<&[String]>,
) -> GatewayResult<Vec<OptionDefinition>> {
    match guids {
        Some(guids) => guids
            .iter()
            .map(|guid| visible_definition(gateway, caller, guid))
            .collect(),
        None => Ok(gateway
            .store
            .option_definitions()?
            .into_iter()
            .filter(|d| visible(caller, d))
            .collect()),
    }
}

/// Marks definitions deprecated: new selections may no longer answer them.
pub fn deprecate(gateway: &Gateway, caller: &Caller, guids: &[String]) -> GatewayResult<()> {
    for guid in guids {
        let mut definition = managed_definition(gateway, caller, guid)?;
        definition.deprecated = true;
        definition.last_update = Timestamp::now();
        gateway.store.put_option_definition(&definition)?;
    }
    Ok(())
}

/// Removes definitions; orders using them are invalidated in the background (durably queued
/// with the removal, so a restart finishes the job).
pub fn remove(gateway: &Gateway, caller: &Caller, guids: &[String]) -> GatewayResult<()> {
    let definitions = guids
        .iter()
        .map(|guid| managed_definition(gateway, caller, guid))
        .collect::<GatewayResult<Vec<_>>>()?;
    for definition in &definitions {
        gateway.store.remove_option_definition(definition)?;
    }
    gateway.maintenance.notify_one();
    Ok(())
}

/// A stored definition the caller may see.
pub(super) fn visible_definition(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
) -> GatewayResult<OptionDefinition> {
    Ok(gateway
        .store
        .option_definition(guid)?
        .filter(|d| visible(caller, d))
        .ok_or_else(|| OptionDefinitionError::Unknown(guid.to_owned()))?)
}

/// Definitions the caller may see: operators all; others SYSTEM ones and their provider's.
fn visible(caller: &Caller, definition: &OptionDefinition) -> bool {
    caller.is_operator()
        || definition.scope == Scope::System
        || caller.provider.as_ref() == Some(&definition.provider)
}

/// A definition the caller may change.
pub(super) fn managed_definition(
    gateway: &Gateway,
    caller: &Caller,
    guid: &str,
) -> GatewayResult<OptionDefinition> {
    let definition = gateway
        .store
        .option_definition(guid)?
        .ok_or_else(|| OptionDefinitionError::Unknown(guid.to_owned()))?;
    match definition.scope {
        Scope::System => caller.require_operator()?,
        Scope::Provider => caller.require_provider_access(&definition.provider)?,
    }
    Ok(definition)
}
