//! A native evaluator for the boolean expressions real forms write most: location paths of
//! child, parent, self, attribute and `//` steps, compared with string literals and combined
//! with `and`, `or` and `not()`, such as `//ecs:SUBAGENT_ID/ecs:value='GDAL' and
//! ../ecs:flag='true'`.
//!
//! sxd-xpath evaluates such an expression by building hashed node-sets at every step and
//! scanning the whole document for `//`; a big provider form repeats them on dozens of
//! controls, which made them most of a validation's time. Here a `//name` from the root is
//! looked up in an index of the document's elements by name, built once per selection, and
//! the result of each expression is remembered per context node (per document for an
//! absolute expression). Anything outside this shape is left to sxd-xpath, so the meaning
//! of every expression stays XPath 1.0's.

use std::collections::HashMap;

use sxd_document::dom::Element;

use super::xpath_engine::{EvaluationError, ExprId, Node, XPathEngine};
use super::xpath_lexer::{Token, TokenKind, tokenize};

/// An expanded name: namespace URI (none for an unprefixed name test) and local part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    uri: Option<String>,
    local: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Child(Name),
    Attribute(Name),
    Parent,
    SelfNode,
    /// `//`: descendant-or-self::node(), always followed by a child or attribute step.
    DescendantOrSelf,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    absolute: bool,
    steps: Vec<Step>,
}

/// A boolean expression in the shape this module evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FastExpr {
    Constant(bool),
    Not(Box<FastExpr>),
    And(Vec<FastExpr>),
    Or(Vec<FastExpr>),
    /// The path selects at least one node.
    Exists(Path),
    /// Some selected node's string-value is (`equal`) or is not equal to `literal`.
    Compare {
        path: Path,
        equal: bool,
        literal: String,
    },
}

impl FastExpr {
    /// The fast form of a rewritten `source` whose prefixes `namespaces` binds, or `None`
    /// when the expression has another shape.
    pub fn compile(source: &str, namespaces: &[(String, String)]) -> Option<FastExpr> {
        let tokens: Vec<Token<'_>> = tokenize(source)
            .ok()?
            .into_iter()
            .filter(|t| !t.text.trim().is_empty())
            .collect();
        let mut parser = Parser {
            tokens: &tokens,
            at: 0,
            namespaces,
        };
        let expr = parser.or()?;
        (parser.at == tokens.len()).then_some(expr)
    }

    /// Whether the value does not depend on the context node.
    fn is_absolute(&self) -> bool {
        match self {
            FastExpr::Constant(_) => true,
            FastExpr::Not(inner) => inner.is_absolute(),
            FastExpr::And(all) | FastExpr::Or(all) => all.iter().all(FastExpr::is_absolute),
            FastExpr::Exists(path) | FastExpr::Compare { path, .. } => path.absolute,
        }
    }
}

impl Path {
    /// Whether `select` returns the nodes in document order: from one node, steps up (or
    /// staying) and then only down to children, and at most a final attribute, as refs go.
    fn selects_in_document_order(&self) -> bool {
        let mut steps = self.steps.iter().peekable();
        while steps
            .next_if(|s| matches!(s, Step::Parent | Step::SelfNode))
            .is_some()
        {}
        while steps.next_if(|s| matches!(s, Step::Child(_))).is_some() {}
        steps.next_if(|s| matches!(s, Step::Attribute(_)));
        steps.next().is_none()
    }
}

struct Parser<'t, 's> {
    tokens: &'t [Token<'s>],
    at: usize,
    namespaces: &'t [(String, String)],
}

impl<'s> Parser<'_, 's> {
    fn peek(&self, ahead: usize) -> Option<Token<'s>> {
        self.tokens.get(self.at + ahead).copied()
    }

    fn is(&self, ahead: usize, text: &str) -> bool {
        self.peek(ahead).is_some_and(|t| t.text == text)
    }

    fn eat(&mut self, text: &str) -> bool {
        let found = self.is(0, text);
        self.at += usize::from(found);
        found
    }

    fn is_keyword(&self, word: &str) -> bool {
        matches!(self.peek(0).map(|t| t.kind), Some(TokenKind::Name { prefix: None, local }) if local == word)
    }

    fn or(&mut self) -> Option<FastExpr> {
        self.joined("or", Self::and, FastExpr::Or)
    }

    fn and(&mut self) -> Option<FastExpr> {
        self.joined("and", Self::comparison, FastExpr::And)
    }

    /// Operands separated by `keyword`; a single operand stands alone.
    fn joined(
        &mut self,
        keyword: &str,
        operand: fn(&mut Self) -> Option<FastExpr>,
        join: fn(Vec<FastExpr>) -> FastExpr,
    ) -> Option<FastExpr> {
        let mut all = vec![operand(self)?];
        while self.is_keyword(keyword) {
            self.at += 1;
            all.push(operand(self)?);
        }
        Some(if all.len() == 1 {
            all.remove(0)
        } else {
            join(all)
        })
    }

    fn comparison(&mut self) -> Option<FastExpr> {
        if let Some(literal) = self.literal() {
            let equal = self.operator()?;
            let path = self.path()?;
            return Some(FastExpr::Compare {
                path,
                equal,
                literal,
            });
        }
        if self.is_keyword("not") || self.is_keyword("true") || self.is_keyword("false") {
            return self.function();
        }
        if self.eat("(") {
            let inner = self.or()?;
            return self.eat(")").then_some(inner);
        }
        let path = self.path()?;
        if !(self.is(0, "=") || self.is(0, "!")) {
            return Some(FastExpr::Exists(path));
        }
        let equal = self.operator()?;
        let literal = self.literal()?;
        Some(FastExpr::Compare {
            path,
            equal,
            literal,
        })
    }

    fn function(&mut self) -> Option<FastExpr> {
        let name = self.peek(0)?.text;
        self.at += 1;
        if !self.eat("(") {
            return None;
        }
        let expr = match name {
            "not" => FastExpr::Not(Box::new(self.or()?)),
            "true" => FastExpr::Constant(true),
            _ => FastExpr::Constant(false),
        };
        self.eat(")").then_some(expr)
    }

    /// `=` (true) or `!=` (false).
    fn operator(&mut self) -> Option<bool> {
        if self.eat("=") {
            return Some(true);
        }
        (self.eat("!") && self.eat("=")).then_some(false)
    }

    fn literal(&mut self) -> Option<String> {
        let token = self.peek(0)?;
        if token.kind != TokenKind::Literal {
            return None;
        }
        let text = token.text[1..token.text.len() - 1].to_owned();
        self.at += 1;
        Some(text)
    }

    fn path(&mut self) -> Option<Path> {
        let mut steps = Vec::new();
        let absolute = self.eat("/");
        if absolute && self.eat("/") {
            steps.push(Step::DescendantOrSelf);
        }
        loop {
            let step = self.step()?;
            if steps.last() == Some(&Step::DescendantOrSelf)
                && !matches!(step, Step::Child(_) | Step::Attribute(_))
            {
                return None;
            }
            steps.push(step);
            if !self.eat("/") {
                return Some(Path { absolute, steps });
            }
            if self.eat("/") {
                steps.push(Step::DescendantOrSelf);
            }
        }
    }

    fn step(&mut self) -> Option<Step> {
        if self.eat(".") {
            return Some(if self.eat(".") {
                Step::Parent
            } else {
                Step::SelfNode
            });
        }
        if self.eat("@") {
            return self.name().map(Step::Attribute);
        }
        self.name().map(Step::Child)
    }

    /// A name test (not a function call, axis or wildcard).
    fn name(&mut self) -> Option<Name> {
        let TokenKind::Name { prefix, local } = self.peek(0)?.kind else {
            return None;
        };
        let followed_by_call_or_axis = self.is(1, "(") || self.is(1, ":");
        if local == "*" || followed_by_call_or_axis {
            return None;
        }
        let uri = match prefix {
            None => None,
            Some(prefix) => Some(
                self.namespaces
                    .iter()
                    .find(|(known, _)| known == prefix)?
                    .1
                    .clone(),
            ),
        };
        self.at += 1;
        Some(Name {
            uri,
            local: local.to_owned(),
        })
    }
}

/// Evaluates boolean expressions over one selection document, fast forms natively and the
/// others with the engine, remembering every result.
pub struct FastEvaluator<'s, 'd> {
    fast: &'s [Option<FastExpr>],
    results: HashMap<(ExprId, Node<'d>), bool>,
    /// Elements by local name, in document order; built on the first `//` from the root.
    by_name: Option<HashMap<&'d str, Vec<Element<'d>>>>,
}

impl<'s, 'd> FastEvaluator<'s, 'd> {
    pub fn new(fast: &'s [Option<FastExpr>]) -> Self {
        FastEvaluator {
            fast,
            results: HashMap::new(),
            by_name: None,
        }
    }

    /// The XPath 1.0 boolean of expression `id` with `context` as the context node.
    pub fn boolean<E: XPathEngine>(
        &mut self,
        engine: &E,
        id: ExprId,
        context: Node<'d>,
    ) -> Result<bool, EvaluationError> {
        let fast = self.fast.get(id.index()).and_then(Option::as_ref);
        let key_node = match fast {
            Some(expr) if expr.is_absolute() => Node::Root(context.document().root()),
            _ => context,
        };
        if let Some(known) = self.results.get(&(id, key_node)) {
            return Ok(*known);
        }
        let value = match fast {
            Some(expr) => self.evaluate(expr, key_node),
            None => engine.evaluate_boolean(id, context)?,
        };
        self.results.insert((id, key_node), value);
        Ok(value)
    }

    /// The first node in document order that expression `id` selects from `context`.
    pub fn first_node<E: XPathEngine>(
        &mut self,
        engine: &E,
        id: ExprId,
        context: Node<'d>,
    ) -> Result<Option<Node<'d>>, EvaluationError> {
        match self.fast.get(id.index()).and_then(Option::as_ref) {
            Some(FastExpr::Exists(path)) if path.selects_in_document_order() => {
                Ok(self.select(path, context).first().copied())
            }
            _ => engine.evaluate_first_node(id, context),
        }
    }

    fn evaluate(&mut self, expr: &FastExpr, context: Node<'d>) -> bool {
        match expr {
            FastExpr::Constant(value) => *value,
            FastExpr::Not(inner) => !self.evaluate(inner, context),
            FastExpr::And(all) => all.iter().all(|e| self.evaluate(e, context)),
            FastExpr::Or(all) => all.iter().any(|e| self.evaluate(e, context)),
            FastExpr::Exists(path) => !self.select(path, context).is_empty(),
            FastExpr::Compare {
                path,
                equal,
                literal,
            } => self
                .select(path, context)
                .iter()
                .any(|node| (node.string_value() == *literal) == *equal),
        }
    }

    /// The nodes `path` selects (possibly repeated, in no particular order).
    fn select(&mut self, path: &Path, context: Node<'d>) -> Vec<Node<'d>> {
        let root = Node::Root(context.document().root());
        let mut nodes = vec![if path.absolute { root } else { context }];
        let mut steps = path.steps.iter().peekable();
        while let Some(step) = steps.next() {
            nodes = match (step, steps.peek()) {
                (Step::DescendantOrSelf, Some(Step::Child(name))) if nodes == [root] => {
                    steps.next();
                    self.named(root, name)
                }
                (Step::DescendantOrSelf, _) => {
                    nodes.into_iter().flat_map(descendants_or_self).collect()
                }
                (Step::Child(name), _) => nodes
                    .into_iter()
                    .flat_map(|node| node.children())
                    .filter(|child| matches!(child, Node::Element(e) if is_named(e.name(), name)))
                    .collect(),
                (Step::Attribute(name), _) => nodes
                    .into_iter()
                    .filter_map(Node::element)
                    .flat_map(|element| element.attributes())
                    .filter(|attribute| is_named(attribute.name(), name))
                    .map(Node::Attribute)
                    .collect(),
                (Step::Parent, _) => nodes.into_iter().filter_map(|node| node.parent()).collect(),
                (Step::SelfNode, _) => nodes,
            };
        }
        nodes
    }

    /// Every element named `name`: `//name` from the root.
    fn named(&mut self, root: Node<'d>, name: &Name) -> Vec<Node<'d>> {
        self.by_name
            .get_or_insert_with(|| index_by_name(root))
            .get(name.local.as_str())
            .into_iter()
            .flatten()
            .filter(|element| is_named(element.name(), name))
            .map(|element| Node::Element(*element))
            .collect()
    }
}

/// The elements below `root`, by local name, in document order.
fn index_by_name(root: Node<'_>) -> HashMap<&str, Vec<Element<'_>>> {
    let mut by_name: HashMap<&str, Vec<Element<'_>>> = HashMap::new();
    let mut stack: Vec<Node<'_>> = root.children().into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        if let Node::Element(element) = node {
            by_name
                .entry(element.name().local_part())
                .or_default()
                .push(element);
            stack.extend(node.children().into_iter().rev());
        }
    }
    by_name
}

fn is_named(qname: sxd_document::QName<'_>, name: &Name) -> bool {
    qname.local_part() == name.local && qname.namespace_uri() == name.uri.as_deref()
}

fn descendants_or_self(node: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        found.push(node);
        stack.extend(
            node.children()
                .into_iter()
                .filter(|c| matches!(c, Node::Element(_))),
        );
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::document::{parse_document, root_element};
    use super::super::expression::ExpressionSetBuilder;
    use super::super::namespaces::NamespaceScope;
    use super::super::sxd_engine::SxdEngine;
    use super::*;

    const DOCUMENT: &str = r#"<e:o xmlns:e="urn:e"><e:agent><e:value>GDAL</e:value></e:agent>
        <e:g f="1"><e:flag>true</e:flag><e:sub><e:value>percent</e:value><e:x/></e:sub></e:g>
        <e:value>&amp;</e:value><plain>p</plain></e:o>"#;

    /// Expressions of the shapes real forms write, with the prefix `e` bound to `urn:e`.
    const FAST: [&str; 16] = [
        "//e:agent/e:value='GDAL'",
        "not(//e:agent/e:value='&')",
        "//e:agent/e:value != 'GDAL' or e:g/e:flag = 'true'",
        "../e:flag='true' and //e:value='percent'",
        "..//e:value='percent'",
        "e:g/@f = '1'",
        "//@f",
        "'GDAL' = //e:value",
        "e:sub/e:x",
        ".",
        "./e:value",
        "plain = 'p'",
        "(e:flag = 'true') and true()",
        "/e:o/e:g//e:x",
        "../../e:g/e:sub/e:value",
        "e:sub/@f",
    ];

    fn scope() -> NamespaceScope {
        let package = parse_document("<r xmlns:e='urn:e'/>").expect("xml");
        NamespaceScope::in_scope_of(root_element(package.as_document()).expect("root"))
    }

    #[test]
    fn compiles_only_the_native_shapes() {
        let namespaces = [("n0".to_owned(), "urn:e".to_owned())];
        for source in [
            "n0:a >= 1",
            "contains(n0:a, 'x')",
            "n0:a[1] = 'x'",
            "count(//n0:a)",
            "//n0:*",
            "child::n0:a",
        ] {
            assert_eq!(FastExpr::compile(source, &namespaces), None, "{source}");
        }
        assert!(FastExpr::compile("//n0:a/n0:v='G' and not(../n0:b)", &namespaces).is_some());
        assert_eq!(
            FastExpr::compile("z:a", &namespaces),
            None,
            "unbound prefix"
        );
    }

    /// Every native expression gives sxd-xpath's result from every context node.
    #[test]
    fn agrees_with_sxd_xpath_from_every_context() {
        let mut builder = ExpressionSetBuilder::default();
        let ids: Vec<ExprId> = FAST
            .iter()
            .map(|source| builder.add::<SxdEngine>(source, &scope()).expect("valid"))
            .collect();
        let set = builder.build();
        assert!(set.fast().iter().all(Option::is_some), "all native");
        let engine = SxdEngine::for_set(&set).expect("compiles");
        let package = parse_document(DOCUMENT).expect("xml");
        let root = root_element(package.as_document()).expect("root");
        let mut contexts = vec![Node::Root(package.as_document().root())];
        let mut stack = vec![root];
        while let Some(element) = stack.pop() {
            contexts.push(element.into());
            stack.extend(element.children().into_iter().filter_map(|c| c.element()));
        }
        let mut fast = FastEvaluator::new(set.fast());
        for context in contexts.iter().copied() {
            for (id, source) in ids.iter().zip(FAST) {
                let native = fast.first_node(&engine, *id, context).expect("evaluates");
                let sxd = engine.evaluate_first_node(*id, context).expect("evaluates");
                assert_eq!(native, sxd, "first node of {source} from {context:?}");
            }
        }
        for context in contexts {
            for (id, source) in ids.iter().zip(FAST) {
                let native = fast.boolean(&engine, *id, context).expect("evaluates");
                let sxd = engine.evaluate_boolean(*id, context).expect("evaluates");
                assert_eq!(native, sxd, "{source} from {context:?}");
            }
        }
    }
}
