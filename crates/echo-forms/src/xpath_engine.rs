//! The XPath 1.0 operations the forms engine needs, so the library behind them can change.

pub use sxd_xpath::nodeset::Node;

/// Index of an expression in its form's `ExpressionSet`: engines evaluate expressions by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(usize);

impl ExprId {
    pub(crate) fn new(index: usize) -> Self {
        ExprId(index)
    }

    pub fn index(self) -> usize {
        self.0
    }
}

/// Evaluates the expressions of one [`ExpressionSet`](super::expression::ExpressionSet).
pub trait XPathEngine {
    /// Checks that `source` (already rewritten) is an XPath 1.0 expression.
    fn check_syntax(source: &str) -> Result<(), String>
    where
        Self: Sized;

    /// Evaluates expression `id` with `context` as the context node.
    fn evaluate<'d>(
        &self,
        id: ExprId,
        context: Node<'d>,
    ) -> Result<XPathValue<'d>, EvaluationError>;

    /// Evaluates expression `id` and converts the result to a boolean by XPath 1.0 rules.
    fn evaluate_boolean(&self, id: ExprId, context: Node<'_>) -> Result<bool, EvaluationError> {
        self.evaluate(id, context).map(|value| value.boolean())
    }

    /// Evaluates expression `id` and returns the first node in document order it selects.
    fn evaluate_first_node<'d>(
        &self,
        id: ExprId,
        context: Node<'d>,
    ) -> Result<Option<Node<'d>>, EvaluationError> {
        self.evaluate(id, context).map(|value| value.first_node())
    }
}

/// An expression failed at run time (unknown function, wrong arguments...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expression `{expression}` failed: {reason}")]
pub struct EvaluationError {
    pub expression: String,
    pub reason: String,
}

/// The result of an XPath 1.0 expression.
#[derive(Debug, Clone, PartialEq)]
pub enum XPathValue<'d> {
    Boolean(bool),
    Number(f64),
    String(String),
    /// Nodes in document order.
    Nodes(Vec<Node<'d>>),
}

impl<'d> XPathValue<'d> {
    /// The XPath 1.0 `boolean()` of this value.
    pub fn boolean(&self) -> bool {
        match self {
            XPathValue::Boolean(b) => *b,
            XPathValue::Number(n) => *n != 0.0 && !n.is_nan(),
            XPathValue::String(s) => !s.is_empty(),
            XPathValue::Nodes(nodes) => !nodes.is_empty(),
        }
    }

    /// The XPath 1.0 `string()` of this value.
    pub fn string(&self) -> String {
        match self {
            XPathValue::Boolean(b) => b.to_string(),
            XPathValue::Number(n) => number_to_string(*n),
            XPathValue::String(s) => s.clone(),
            XPathValue::Nodes(nodes) => nodes.first().map(Node::string_value).unwrap_or_default(),
        }
    }

    /// The first node in document order, if the value is a non-empty node-set.
    pub fn first_node(&self) -> Option<Node<'d>> {
        match self {
            XPathValue::Nodes(nodes) => nodes.first().copied(),
            _ => None,
        }
    }
}

fn number_to_string(n: f64) -> String {
    match n {
        _ if n.is_nan() => "NaN".to_owned(),
        f64::INFINITY => "Infinity".to_owned(),
        f64::NEG_INFINITY => "-Infinity".to_owned(),
        _ if n == n.trunc() && n.abs() < 1e15 => format!("{}", n as i64),
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_boolean_by_xpath_rules() {
        assert!(!XPathValue::Number(f64::NAN).boolean());
        assert!(!XPathValue::Number(0.0).boolean());
        assert!(XPathValue::Number(-2.0).boolean());
        assert!(!XPathValue::String(String::new()).boolean());
        assert!(XPathValue::String("false".into()).boolean());
        assert!(!XPathValue::Nodes(Vec::new()).boolean());
    }

    #[test]
    fn converts_numbers_to_strings_by_xpath_rules() {
        assert_eq!(XPathValue::Number(3.0).string(), "3");
        assert_eq!(XPathValue::Number(-0.5).string(), "-0.5");
        assert_eq!(XPathValue::Number(f64::NAN).string(), "NaN");
        assert_eq!(XPathValue::Number(f64::NEG_INFINITY).string(), "-Infinity");
    }
}
