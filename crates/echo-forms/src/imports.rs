//! How a form reaches the forms it imports (2.4): the caller supplies them.

use super::model::Import;

/// Supplies the XML of imported forms (for example SYSTEM-scope option definitions).
pub trait FormImports {
    /// The XML of the form `import` names, or `None` when it is not available.
    fn form_xml(&self, import: &Import) -> Option<String>;
}

/// No form can be imported: references into imports are reported as unavailable.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoImports;

impl FormImports for NoImports {
    fn form_xml(&self, _import: &Import) -> Option<String> {
        None
    }
}
