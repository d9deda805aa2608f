//! [`XPathEngine`] backed by sxd-xpath.
//!
//! sxd-xpath's compiled expressions and contexts are neither `Send` nor `Sync`, so they
//! cannot live inside a shared [`CompiledForm`](super::CompiledForm). Each thread instead
//! keeps the compiled program of every form it has validated, keyed by the form's
//! expression set: a form's XPaths are compiled once per worker thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use sxd_xpath::{Context, Factory, Value, XPath};

use super::expression::{ExprId, ExpressionSet};
use super::xpath_engine::{EvaluationError, Node, XPathEngine, XPathValue};

/// Most programs one thread keeps before starting afresh.
const PROGRAMS_PER_THREAD: usize = 1_024;

thread_local! {
    static PROGRAMS: RefCell<HashMap<u64, Rc<Program>>> = RefCell::new(HashMap::new());
}

struct Program {
    context: Context<'static>,
    xpaths: Vec<XPath>,
    sources: Vec<String>,
}

/// Evaluates one expression set with sxd-xpath.
pub struct SxdEngine {
    program: Rc<Program>,
}

impl SxdEngine {
    /// The engine for `set`, compiling it on this thread if it was not yet.
    pub fn for_set(set: &ExpressionSet) -> Result<Self, EvaluationError> {
        let cached = PROGRAMS.with(|programs| programs.borrow().get(&set.key()).cloned());
        let program = match cached {
            Some(program) => program,
            None => {
                let program = Rc::new(compile(set)?);
                PROGRAMS.with(|programs| {
                    let mut programs = programs.borrow_mut();
                    if programs.len() >= PROGRAMS_PER_THREAD {
                        programs.clear();
                    }
                    programs.insert(set.key(), Rc::clone(&program));
                });
                program
            }
        };
        Ok(SxdEngine { program })
    }
}

fn compile(set: &ExpressionSet) -> Result<Program, EvaluationError> {
    let mut context = Context::new();
    for (prefix, uri) in set.namespaces() {
        context.set_namespace(prefix, uri);
    }
    let factory = Factory::new();
    let xpaths = set
        .sources()
        .iter()
        .map(|source| build(&factory, source).map_err(|reason| failure(source, reason)))
        .collect::<Result<_, _>>()?;
    Ok(Program {
        context,
        xpaths,
        sources: set.sources().to_vec(),
    })
}

fn build(factory: &Factory, source: &str) -> Result<XPath, String> {
    factory
        .build(source)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "expression is empty".to_owned())
}

fn failure(source: &str, reason: String) -> EvaluationError {
    EvaluationError {
        expression: source.to_owned(),
        reason,
    }
}

impl SxdEngine {
    fn raw<'d>(&self, id: ExprId, context: Node<'d>) -> Result<Value<'d>, EvaluationError> {
        let (Some(xpath), Some(source)) = (
            self.program.xpaths.get(id.index()),
            self.program.sources.get(id.index()),
        ) else {
            return Err(failure("?", format!("no expression {}", id.index())));
        };
        xpath
            .evaluate(&self.program.context, context)
            .map_err(|e| failure(source, e.to_string()))
    }
}

impl XPathEngine for SxdEngine {
    fn check_syntax(source: &str) -> Result<(), String> {
        build(&Factory::new(), source).map(|_| ())
    }

    fn evaluate<'d>(
        &self,
        id: ExprId,
        context: Node<'d>,
    ) -> Result<XPathValue<'d>, EvaluationError> {
        self.raw(id, context).map(XPathValue::from)
    }

    /// Converts without ordering the nodes: sxd-xpath orders a node-set by indexing the
    /// whole document, which a boolean does not need.
    fn evaluate_boolean(&self, id: ExprId, context: Node<'_>) -> Result<bool, EvaluationError> {
        Ok(match self.raw(id, context)? {
            Value::Nodeset(nodes) => nodes.size() > 0,
            value => XPathValue::from(value).boolean(),
        })
    }

    fn evaluate_first_node<'d>(
        &self,
        id: ExprId,
        context: Node<'d>,
    ) -> Result<Option<Node<'d>>, EvaluationError> {
        Ok(match self.raw(id, context)? {
            Value::Nodeset(nodes) => nodes.document_order_first(),
            _ => None,
        })
    }
}

impl<'d> From<Value<'d>> for XPathValue<'d> {
    fn from(value: Value<'d>) -> Self {
        match value {
            Value::Boolean(b) => XPathValue::Boolean(b),
            Value::Number(n) => XPathValue::Number(n),
            Value::String(s) => XPathValue::String(s),
            Value::Nodeset(nodes) => XPathValue::Nodes(nodes.document_order()),
        }
    }
}
