//! Structural limits that bound the work done on any form or selection.
//!
//! sxd-xpath cannot be interrupted, so evaluation is bounded statically: documents are
//! limited in bytes, element depth and node count, expressions in length, nesting and
//! predicate nesting. An expression of length L with predicate nesting p evaluated on a
//! document of N nodes costs at most O(L * N^(p + 2)); validation evaluates each expression
//! at most once per control instance.

/// Largest form or selection document accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Deepest element nesting accepted in a form or selection.
pub const MAX_ELEMENT_DEPTH: usize = 64;
/// Most elements, attributes and text nodes accepted in one document.
pub const MAX_NODES: usize = 20_000;
/// Longest XPath expression accepted, in characters.
pub const MAX_EXPRESSION_CHARS: usize = 2_048;
/// Deepest nesting of parentheses and brackets accepted in an XPath expression.
pub const MAX_EXPRESSION_NESTING: usize = 32;
/// Deepest nesting of predicates accepted in an XPath expression.
pub const MAX_PREDICATE_NESTING: usize = 2;
/// Largest compiled regular expression accepted for a pattern constraint, in bytes.
pub const MAX_PATTERN_BYTES: usize = 1 << 20;
/// Most controls a form may have once its references are expanded.
pub const MAX_CONTROLS: usize = 5_000;
