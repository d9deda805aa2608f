//! How a form's `controlref`/`selectref` imports resolve against the stored definitions.

use echo_domain::guid::Guid;
use echo_domain::option_definition::{OptionDefinition, Scope};
use echo_forms::{FormImports, Import, ImportScope};

/// Imports resolved against stored definitions: SYSTEM ones by name, PROVIDER ones by name
/// within the importing form's provider. Deprecated definitions are not imported.
pub(super) struct StoredImports<'a> {
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
