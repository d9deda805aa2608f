//! Option selections against ECHO Forms: which option definitions apply to an order item
//! (its collection's assignments whose metadata filter holds for the granule), and whether
//! the item's selection answers one of them validly. The forms engine does the validation;
//! compiled forms are cached per definition.

use std::sync::Arc;

use super::imports::StoredImports;
use crate::app::Gateway;
use crate::error::{GatewayError, GatewayResult};
use echo_domain::option_definition::{OptionDefinition, OptionDefinitionError};
use echo_domain::order::{CatalogItemRef, OptionSelectionValidator, OrderItem};
use echo_forms::{CompiledForm, GranuleMetadata};

/// Validates order items' option selections with the stored definitions and assignments.
pub struct FormsValidator<'a> {
    pub gateway: &'a Gateway,
}

impl OptionSelectionValidator for FormsValidator<'_> {
    fn validate(&self, item: &OrderItem) -> Result<(), Vec<String>> {
        let problems = self.problems(item).unwrap_or_else(|e| vec![e.to_string()]);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

impl FormsValidator<'_> {
    fn problems(&self, item: &OrderItem) -> GatewayResult<Vec<String>> {
        let applicable = self.applicable_definitions(&item.catalog_item)?;
        let names = || {
            applicable
                .iter()
                .map(|d| format!("[{}]", d.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let Some(selection) = &item.option_selection else {
            return Ok(if applicable.is_empty() {
                Vec::new()
            } else {
                vec![format!(
                    "an option selection is required, answering one of {}",
                    names()
                )]
            });
        };
        let Some(definition) = self
            .gateway
            .store
            .option_definition(selection.guid.as_str())?
        else {
            return Ok(vec![format!(
                "option definition [{}] does not exist",
                selection.guid
            )]);
        };
        if !applicable.is_empty() && !applicable.iter().any(|d| d.guid == definition.guid) {
            return Ok(vec![format!(
                "the selection answers [{}], which does not apply to this item; expected one of {}",
                definition.name,
                names()
            )]);
        }
        let form = self.compiled(&definition)?;
        let outcome = form.validate_selection(&selection.content);
        Ok(outcome.errors.iter().map(ToString::to_string).collect())
    }

    /// The definition a selection given by Name only answers: the one applicable to the
    /// catalog item with that name. None is `UnknownName` (an ItemNotFoundFault), several
    /// (say a SYSTEM and a PROVIDER definition sharing a name) `AmbiguousName`.
    pub fn definition_named(
        &self,
        catalog_item: &CatalogItemRef,
        name: &str,
    ) -> GatewayResult<OptionDefinition> {
        let mut named = self.applicable_definitions(catalog_item)?;
        named.retain(|definition| definition.name == name);
        let (name, catalog_item) = (name.to_owned(), catalog_item.item_guid.clone());
        match named.len() {
            1 => Ok(named.remove(0)),
            0 => Err(OptionDefinitionError::UnknownName { name, catalog_item }.into()),
            _ => Err(OptionDefinitionError::AmbiguousName { name, catalog_item }.into()),
        }
    }

    /// Non-deprecated definitions assigned to the item's collection whose filter holds for
    /// the granule's metadata (an item without metadata matches only unfiltered assignments).
    pub fn applicable_definitions(
        &self,
        catalog_item: &CatalogItemRef,
    ) -> GatewayResult<Vec<OptionDefinition>> {
        let store = &self.gateway.store;
        let assignments = store.option_assignments_of(&catalog_item.collection_id)?;
        if assignments.is_empty() {
            return Ok(Vec::new());
        }
        // Parsed once per item, and each filter compiled once per process: an order validates
        // every item against every assignment of its collection.
        let metadata = store
            .catalog_item(&catalog_item.item_guid)?
            .and_then(|catalog_item| catalog_item.metadata)
            .and_then(|metadata| GranuleMetadata::parse(&metadata).ok());
        let mut applicable = Vec::new();
        for assignment in assignments {
            let holds = match (&assignment.filter, &metadata) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(filter), Some(metadata)) => (self.gateway.filters)
                    .get_or_compile(filter)
                    .and_then(|f| f.matches_parsed(metadata))
                    .unwrap_or(false),
            };
            if let Some(definition) = store.option_definition(assignment.definition.as_str())?
                && holds
                && !definition.deprecated
            {
                applicable.push(definition);
            }
        }
        Ok(applicable)
    }

    fn compiled(&self, definition: &OptionDefinition) -> GatewayResult<Arc<CompiledForm>> {
        compiled_form(self.gateway, definition)
    }
}

/// A stored definition's form, compiled once and cached.
pub(super) fn compiled_form(
    gateway: &Gateway,
    definition: &OptionDefinition,
) -> GatewayResult<Arc<CompiledForm>> {
    if let Some(form) = gateway.forms.get(definition.guid.as_str()) {
        return Ok(form);
    }
    let stored = gateway.store.option_definitions()?;
    let imports = StoredImports {
        definitions: &stored,
        provider: &definition.provider,
    };
    gateway
        .forms
        .get_or_compile(definition.guid.as_str(), &definition.form, &imports)
        .map_err(|e| {
            GatewayError::Internal(format!(
                "stored form {} no longer compiles: {e}",
                definition.guid
            ))
        })
}
