//! The option types of DataManagementService: decoding and encoding
//! `CatalogItemOptionDefinition` and `CatalogItemOptionAssignment`.

use crate::app::options::assignments::AssignmentRequest;
use crate::app::options::definitions::NewDefinition;
use crate::error::{GatewayResult, RequestError};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::option_definition::{OptionAssignment, OptionDefinition, Scope};

/// Reads a `CatalogItemOptionDefinition` (Guid, Deprecated and LastUpdate are the gateway's
/// and ignored); Scope defaults to PROVIDER.
pub fn decode_definition(element: &Element) -> GatewayResult<NewDefinition> {
    let fields = Fields::of_type(element);
    let name = fields.required_text("Name")?.to_owned();
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
    Ok(NewDefinition {
        name,
        scope,
        form: fields.required_text("Form")?.to_owned(),
        description: fields.text("Description").map(str::to_owned),
        sort_key: fields.text("SortKey").map(str::to_owned),
    })
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

/// Reads a `CatalogItemOptionAssignment`; a blank Filter is none.
pub fn decode_assignment(element: &Element) -> GatewayResult<AssignmentRequest> {
    let fields = Fields::of_type(element);
    let definition = fields.required_text("OptionDefinitionGuid")?.to_owned();
    let filter = fields
        .text("Filter")
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    Ok(AssignmentRequest {
        collection_id: fields.required_text("CatalogItemId")?.to_owned(),
        definition,
        filter,
    })
}

pub fn encode_assignment(assignment: &OptionAssignment) -> Out {
    Out::types("Item")
        .child(Out::field("CatalogItemId", &assignment.collection_id))
        .child(Out::field("OptionDefinitionGuid", &assignment.definition))
        .optional(assignment.filter.as_ref().map(|f| Out::field("Filter", f)))
}
