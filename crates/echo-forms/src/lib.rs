//! The ECHO Forms engine (ECHO Forms Specification v0.7): parses provider forms, compiles
//! them once, validates option selections per Appendix 9.1, prunes irrelevant nodes and
//! lints forms before they are defined.
//!
//! Pure library: no file or network I/O. XPath 1.0 is evaluated by sxd-xpath behind
//! [`XPathEngine`]; every document and expression is bounded by the structural [`limits`].

mod cache;
mod check;
mod compiled_control;
mod compiled_form;
mod control_report;
mod datetime;
mod diagnostics;
mod document;
mod document_error;
mod dom_builder;
mod error;
mod evaluation;
mod expression;
mod fast_path;
mod imports;
pub mod limits;
mod metadata_filter;
mod model;
mod namespaces;
mod outcome;
mod parser;
mod pattern;
mod position;
mod pruning;
mod range;
mod references;
mod secrets;
mod selected_values;
mod sxd_engine;
#[cfg(test)]
mod test_support;
mod validator;
mod xpath_engine;
mod xpath_lexer;
mod xsd_types;

pub use cache::FormCache;
pub use check::{CheckReport, check_form, check_form_with_imports};
pub use compiled_form::CompiledForm;
pub use control_report::ControlReport;
pub use diagnostics::{Finding, Severity};
pub use document::DocumentError;
pub use error::FormError;
pub use imports::{FormImports, NoImports};
pub use metadata_filter::{FilterCache, FilterError, GranuleMetadata, MetadataFilter};
pub use model::{Import, ImportScope};
pub use outcome::{Rule, ValidationError, ValidationOutcome};
pub use position::Position;
pub use secrets::OBSCURED;
pub use xpath_engine::XPathEngine;
pub use xsd_types::FormType;
