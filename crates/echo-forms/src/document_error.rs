//! Why a document (a form, an instance, granule metadata) was refused before or while it
//! was parsed.

use super::limits::{MAX_DOCUMENT_BYTES, MAX_ELEMENT_DEPTH, MAX_NODES};

/// Why a document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("document is {0} bytes, over the limit of {MAX_DOCUMENT_BYTES}")]
    TooLarge(usize),
    #[error("document type declarations (DOCTYPE) are not accepted")]
    DoctypeRefused,
    #[error("elements are nested deeper than {MAX_ELEMENT_DEPTH} levels")]
    TooDeep,
    #[error("document has more than {MAX_NODES} nodes")]
    TooManyNodes,
    #[error("document has no root element")]
    NoRootElement,
    #[error("not well-formed XML: {0}")]
    Malformed(String),
}
