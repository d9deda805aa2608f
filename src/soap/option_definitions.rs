//! Option definitions and assignments (DataManagementService): creating, listing, deprecating
//! and removing definitions, assigning them to collections, and invalidating the orders that
//! used a removed definition (a durable background job).

use super::Gateway;
use crate::error::RequestError;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::storage::{ChangeOrigin, OrderChange};
use crate::xml::Element;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::option_definition::{
    OptionAssignment, OptionDefinition, OptionDefinitionError, Scope,
};
use echo_domain::order::{OrderEvent, OrderState};
use echo_domain::timestamp::Timestamp;
use echo_forms::{FormImports, Import, ImportScope, MetadataFilter, check_form_with_imports};

/// The owner of SYSTEM definitions created without a provider context.
pub const GATEWAY_OWNER: &str = "00000000-0000-0000-0000-000000000000";

/// Reads a `CatalogItemOptionDefinition` (Guid, Deprecated and LastUpdate are ignored).
pub fn decode_definition(element: &Element, caller: &Caller) -> GatewayResult<OptionDefinition> {
    let fields = Fields::of_type(element);
    let name = fields.required_text("Name")?.to_owned();
    OptionDefinition::validate_name(&name)?;
    let scope = match fields
        .text("Scope")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Scope::Provider,
        Some(text) => Scope::from_wire(text).ok_or_else(|| RequestError::Invalid {
            element: "Scope".into(),
            value: text.to_owned(),
            expected: "SYSTEM or PROVIDER",
        })?,
    };
    let provider = owner_for(caller, scope)?;
    Ok(OptionDefinition {
        guid: Guid::random(),
        provider,
        name,
        scope,
        deprecated: false,
        form: fields.required_text("Form")?.to_owned(),
        description: fields.text("Description").map(str::to_owned),
        sort_key: fields.text("SortKey").map(str::to_owned),
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

pub fn encode_definition(definition: &OptionDefinition) -> Out {
    Out::types("Item")
        .child(Out::field("Guid", &definition.guid))
        .child(Out::field("Name", &definition.name))
        .child(Out::field("Scope", definition.scope.wire_name()))
        .child(Out::field("Deprecated", definition.deprecated))
        .child(Out::field("Form", &definition.form))
        .optional(
            definition
                .description
                .as_ref()
                .map(|d| Out::field("Description", d)),
        )
        .optional(
            definition
                .sort_key
                .as_ref()
                .map(|k| Out::field("SortKey", k)),
        )
        .child(Out::field(
            "LastUpdate",
            definition.last_update.to_echo_string(),
        ))
}

/// Checks each new definition's form (it must pass `forms check`, imports resolved against
/// stored definitions) and stores them all, or none.
pub fn create_definitions(
    gateway: &Gateway,
    definitions: &[OptionDefinition],
) -> GatewayResult<()> {
    let stored = gateway.store.option_definitions()?;
    for definition in definitions {
        let imports = StoredImports {
            definitions: &stored,
            provider: &definition.provider,
        };
        let report = check_form_with_imports(&definition.form, &imports);
        if !report.readable || report.has_errors() {
            let problems: Vec<String> = report.findings.iter().map(ToString::to_string).collect();
            return Err(OptionDefinitionError::InvalidForm {
                name: definition.name.clone(),
                problems: problems.join("; "),
            }
            .into());
        }
    }
    gateway.store.add_option_definitions(definitions)?;
    Ok(())
}

/// Definitions the caller may see: operators all; others SYSTEM ones and their provider's.
pub fn visible(caller: &Caller, definition: &OptionDefinition) -> bool {
    caller.is_operator()
        || definition.scope == Scope::System
        || caller.provider.as_ref() == Some(&definition.provider)
}

/// A definition the caller may change.
pub fn managed_definition(
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

/// Reads a `CatalogItemOptionAssignment`; the definition must exist and be the caller's to
/// assign, and the filter must compile.
pub fn decode_assignment(
    gateway: &Gateway,
    caller: &Caller,
    element: &Element,
) -> GatewayResult<OptionAssignment> {
    let fields = Fields::of_type(element);
    let definition = fields.required_text("OptionDefinitionGuid")?;
    let definition = gateway
        .store
        .option_definition(definition)?
        .filter(|d| visible(caller, d))
        .ok_or_else(|| OptionDefinitionError::Unknown(definition.to_owned()))?;
    let filter = fields
        .text("Filter")
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    if let Some(filter) = &filter {
        MetadataFilter::compile(filter).map_err(|e| OptionDefinitionError::InvalidFilter {
            filter: filter.clone(),
            reason: e.to_string(),
        })?;
    }
    let collection_id = fields.required_text("CatalogItemId")?.to_owned();
    if !caller.is_operator() {
        match &caller.provider {
            Some(own) => caller.require_provider_access(own)?,
            None => caller.require_operator()?,
        }
    }
    Ok(OptionAssignment {
        collection_id,
        definition: definition.guid,
        filter,
    })
}

pub fn encode_assignment(assignment: &OptionAssignment) -> Out {
    Out::types("Item")
        .child(Out::field("CatalogItemId", &assignment.collection_id))
        .child(Out::field("OptionDefinitionGuid", &assignment.definition))
        .optional(assignment.filter.as_ref().map(|f| Out::field("Filter", f)))
}

/// Finishes every queued invalidation: orders that were validated (or quoted) but not
/// submitted, with an item answering a removed definition, return to NOT_VALIDATED with a
/// status line saying why. Submitted orders are left as they are. Returns orders changed.
pub fn invalidate_orders_of_removed_definitions(gateway: &Gateway) -> GatewayResult<usize> {
    let mut changed = 0;
    for definition in gateway.store.removed_option_definitions()? {
        gateway.forms.remove(definition.guid.as_str());
        let orders = gateway.store.orders()?;
        let total = orders.len();
        for (index, order) in orders.into_iter().enumerate() {
            let uses = order.items().iter().any(|item| {
                item.option_selection
                    .as_ref()
                    .is_some_and(|s| s.guid == definition.guid)
            });
            if uses
                && order
                    .provider_orders()
                    .iter()
                    .all(|p| awaiting_submission(p.state()))
            {
                invalidate(gateway, &order.guid, &definition)?;
                changed += 1;
            }
            if (index + 1) % 1000 == 0 {
                tracing::info!(definition = %definition.guid, done = index + 1, total, "invalidating orders of a removed option definition");
            }
        }
        gateway
            .store
            .finish_removed_option_definition(definition.guid.as_str())?;
    }
    Ok(changed)
}

fn awaiting_submission(state: OrderState) -> bool {
    matches!(
        state,
        OrderState::Validated
            | OrderState::Quoted
            | OrderState::QuoteRejected
            | OrderState::QuoteFailed
    )
}

fn invalidate(gateway: &Gateway, order: &Guid, definition: &OptionDefinition) -> GatewayResult<()> {
    let origin = ChangeOrigin {
        actor: &definition.provider,
        operation: "RemoveCatalogItemOptionDefinitions",
    };
    let message = format!(
        "ECHO: option definition [{}] was removed; the order must be validated again",
        definition.name
    );
    gateway
        .store
        .update_order(order.as_str(), origin, |mut order| {
            let now = Timestamp::now();
            let providers: Vec<Guid> = order
                .provider_orders()
                .iter()
                .map(|p| p.key.provider_guid.clone())
                .collect();
            for provider in &providers {
                order.record_message(provider, &message, now)?;
            }
            order.apply_to_all(OrderEvent::Invalidate, now)?;
            Ok::<_, GatewayError>(OrderChange {
                order,
                deliveries: Vec::new(),
            })
        })?;
    Ok(())
}

/// Imports resolved against stored definitions: SYSTEM ones by name, PROVIDER ones by name
/// within the importing form's provider. Deprecated definitions are not imported.
pub struct StoredImports<'a> {
    pub definitions: &'a [OptionDefinition],
    pub provider: &'a Guid,
}

impl FormImports for StoredImports<'_> {
    fn form_xml(&self, import: &Import) -> Option<String> {
        self.definitions
            .iter()
            .filter(|d| !d.deprecated && d.name == import.name)
            .find(|d| match import.scope {
                ImportScope::System => d.scope == Scope::System,
                ImportScope::Provider => &d.provider == self.provider,
            })
            .map(|d| d.form.clone())
    }
}
