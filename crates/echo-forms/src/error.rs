//! Errors raised when a form cannot be read or compiled.

use super::diagnostics::Finding;

/// Why a form could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The document is not acceptable XML (malformed, DOCTYPE, over a structural limit).
    #[error("form is not readable: {0}")]
    Unreadable(#[from] super::document::DocumentError),
    /// The document is XML but not a usable ECHO form; each finding says why.
    #[error("form has {} error(s): {}", .0.len(), summary(.0))]
    Invalid(Vec<Finding>),
}

fn summary(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
