//! Option definitions (ECHO Forms a provider publishes for the choices an order needs) and
//! their assignments to collections. Definitions are immutable: a change is a new definition,
//! and the old one is deprecated.

use serde::{Deserialize, Serialize};

use super::guid::Guid;
use super::timestamp::Timestamp;

/// Who may import a definition's form: every provider (SYSTEM) or its own provider only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    #[serde(rename = "SYSTEM")]
    System,
    #[serde(rename = "PROVIDER")]
    Provider,
}

impl Scope {
    pub fn wire_name(self) -> &'static str {
        match self {
            Scope::System => "SYSTEM",
            Scope::Provider => "PROVIDER",
        }
    }

    pub fn from_wire(name: &str) -> Option<Scope> {
        [Scope::System, Scope::Provider]
            .into_iter()
            .find(|s| s.wire_name() == name)
    }
}

/// One ECHO Forms document under a name unique within its provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionDefinition {
    pub guid: Guid,
    pub provider: Guid,
    pub name: String,
    pub scope: Scope,
    pub deprecated: bool,
    pub form: String,
    pub description: Option<String>,
    pub sort_key: Option<String>,
    pub last_update: Timestamp,
}

/// Links a definition to a collection: items of the collection need a selection answering
/// the definition, for granules whose metadata the filter (an XPath) holds for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptionAssignment {
    /// The collection's concept id, e.g. `C1200189943-MMT_2`.
    pub collection_id: String,
    pub definition: Guid,
    pub filter: Option<String>,
}

/// Why a definition or assignment was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OptionDefinitionError {
    #[error("Could not find option definition with guid [{0}].")]
    Unknown(String),
    #[error(
        "Could not find option definition with name [{name}] for catalog item [{catalog_item}]."
    )]
    UnknownName { name: String, catalog_item: String },
    #[error(
        "several option definitions named [{name}] apply to catalog item [{catalog_item}]: \
         give the Guid of the one meant"
    )]
    AmbiguousName { name: String, catalog_item: String },
    #[error("provider already has an option definition named [{0}]")]
    DuplicateName(String),
    #[error("option definition [{name}] has an unusable form: {problems}")]
    InvalidForm { name: String, problems: String },
    #[error("assignment filter [{filter}] is not usable: {reason}")]
    InvalidFilter { filter: String, reason: String },
    #[error("option definition Name must have 1 to 80 characters")]
    InvalidName,
    #[error("option definition [{0}] is deprecated: new selections may not use it")]
    Deprecated(String),
}

impl OptionDefinition {
    pub fn validate_name(name: &str) -> Result<(), OptionDefinitionError> {
        if (1..=80).contains(&name.trim().chars().count()) {
            Ok(())
        } else {
            Err(OptionDefinitionError::InvalidName)
        }
    }
}
