//! XPath expressions of a form, normalized and gathered into one set per form.
//!
//! Each expression is rewritten once at compile time: new lines and tabs become spaces
//! (4.6.2), the bare words `true`/`false` and predicate-only `[...]` forms real forms use
//! become XPath, and every prefix is replaced by a canonical one bound to the same URI, so
//! one namespace context serves every expression whatever element declared its prefixes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use super::fast_path::FastExpr;
use super::limits::{MAX_EXPRESSION_CHARS, MAX_EXPRESSION_NESTING, MAX_PREDICATE_NESTING};
use super::namespaces::NamespaceScope;
use super::xpath_engine::XPathEngine;
use super::xpath_lexer::{Token, TokenKind, nesting, tokenize};

pub use super::xpath_engine::ExprId;

/// Why an expression was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpressionError {
    #[error("expression is empty")]
    Empty,
    #[error("expression is {0} characters long, over the limit of {MAX_EXPRESSION_CHARS}")]
    TooLong(usize),
    #[error("brackets nest deeper than {MAX_EXPRESSION_NESTING} levels")]
    TooDeep,
    #[error("predicates nest deeper than {MAX_PREDICATE_NESTING} levels")]
    TooManyPredicateLevels,
    #[error("string literal is not closed")]
    UnterminatedLiteral,
    #[error("namespace prefix '{0}' is not declared on the instance root nor on the element")]
    UndeclaredPrefix(String),
    #[error("not an XPath 1.0 expression: {0}")]
    Syntax(String),
}

/// The compiled expressions of one form and the namespace context they share.
#[derive(Debug)]
pub struct ExpressionSet {
    key: u64,
    sources: Vec<String>,
    /// The native form of each expression that has one (see [`FastExpr`]).
    fast: Vec<Option<FastExpr>>,
    namespaces: Vec<(String, String)>,
}

impl ExpressionSet {
    /// A key unique to this set for the life of the process.
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The rewritten sources, indexed by [`ExprId`].
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    /// The native form of each expression, indexed by [`ExprId`].
    pub fn fast(&self) -> &[Option<FastExpr>] {
        &self.fast
    }

    /// The canonical prefix bindings every expression is written against.
    pub fn namespaces(&self) -> &[(String, String)] {
        &self.namespaces
    }
}

/// Gathers the expressions of a form while it is compiled.
#[derive(Debug, Default)]
pub struct ExpressionSetBuilder {
    sources: Vec<String>,
    fast: Vec<Option<FastExpr>>,
    /// Index of each rewritten source: real forms repeat the same relevance on many controls.
    known: HashMap<String, usize>,
    namespaces: Vec<(String, String)>,
}

impl ExpressionSetBuilder {
    /// Normalizes `source`, resolves its prefixes in `scope`, checks it with `E` and adds it.
    pub fn add<E: XPathEngine>(
        &mut self,
        source: &str,
        scope: &NamespaceScope,
    ) -> Result<ExprId, ExpressionError> {
        let rewritten = self.rewrite(source, scope)?;
        if let Some(&id) = self.known.get(&rewritten) {
            return Ok(ExprId::new(id));
        }
        // The native shapes are a subset of XPath 1.0, so only the others need the engine's
        // (much slower) parser to prove their syntax.
        let fast = FastExpr::compile(&rewritten, &self.namespaces);
        if fast.is_none() {
            E::check_syntax(&rewritten).map_err(ExpressionError::Syntax)?;
        }
        let id = self.sources.len();
        self.known.insert(rewritten.clone(), id);
        self.sources.push(rewritten);
        self.fast.push(fast);
        Ok(ExprId::new(id))
    }

    pub fn build(self) -> ExpressionSet {
        static NEXT_KEY: AtomicU64 = AtomicU64::new(0);
        ExpressionSet {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            sources: self.sources,
            fast: self.fast,
            namespaces: self.namespaces,
        }
    }

    fn rewrite(&mut self, source: &str, scope: &NamespaceScope) -> Result<String, ExpressionError> {
        let normalized = normalize(source)?;
        let tokens = tokenize(&normalized).map_err(|_| ExpressionError::UnterminatedLiteral)?;
        let depth = nesting(&tokens);
        if depth.brackets > MAX_EXPRESSION_NESTING {
            return Err(ExpressionError::TooDeep);
        }
        if depth.predicates > MAX_PREDICATE_NESTING {
            return Err(ExpressionError::TooManyPredicateLevels);
        }
        let mut rewritten = String::with_capacity(normalized.len());
        for token in &tokens {
            self.push_canonical(&mut rewritten, token, scope)?;
        }
        Ok(rewritten)
    }

    fn push_canonical(
        &mut self,
        out: &mut String,
        token: &Token<'_>,
        scope: &NamespaceScope,
    ) -> Result<(), ExpressionError> {
        match token.kind {
            TokenKind::Name {
                prefix: Some(prefix),
                local,
            } => {
                let uri = scope
                    .resolve(prefix)
                    .ok_or_else(|| ExpressionError::UndeclaredPrefix(prefix.to_owned()))?;
                out.push_str(self.canonical_prefix(uri));
                out.push(':');
                out.push_str(local);
            }
            _ => out.push_str(token.text),
        }
        Ok(())
    }

    fn canonical_prefix(&mut self, uri: &str) -> &str {
        let index = match self.namespaces.iter().position(|(_, known)| known == uri) {
            Some(index) => index,
            None => {
                let prefix = format!("n{}", self.namespaces.len());
                self.namespaces.push((prefix, uri.to_owned()));
                self.namespaces.len() - 1
            }
        };
        &self.namespaces[index].0
    }
}

/// Applies 4.6.2 whitespace rules and the tolerated shorthand forms.
fn normalize(source: &str) -> Result<String, ExpressionError> {
    let spaced: String = source
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    let trimmed = spaced.trim();
    let length = trimmed.chars().count();
    if length > MAX_EXPRESSION_CHARS {
        return Err(ExpressionError::TooLong(length));
    }
    Ok(match trimmed {
        "" => return Err(ExpressionError::Empty),
        "true" | "false" => format!("{trimmed}()"),
        _ if trimmed.starts_with('[') && trimmed.ends_with(']') => {
            format!("boolean(self::node(){trimmed})")
        }
        _ => trimmed.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::sxd_engine::SxdEngine;
    use super::*;

    fn scope(bindings: &[(&str, &str)]) -> NamespaceScope {
        let xml = format!(
            "<r {}/>",
            bindings
                .iter()
                .map(|(p, u)| format!("xmlns:{p}='{u}'"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let package = super::super::document::parse_document(&xml).expect("xml");
        let root = super::super::document::root_element(package.as_document()).expect("root");
        NamespaceScope::in_scope_of(root)
    }

    fn add(builder: &mut ExpressionSetBuilder, source: &str) -> Result<String, ExpressionError> {
        let id = builder.add::<SxdEngine>(
            source,
            &scope(&[("a", "urn:x"), ("b", "urn:x"), ("c", "urn:y")]),
        )?;
        Ok(builder.sources[id.index()].clone())
    }

    #[test]
    fn prefixes_for_one_uri_share_a_canonical_prefix() {
        let mut builder = ExpressionSetBuilder::default();
        assert_eq!(
            add(&mut builder, "a:p/b:q | c:r").as_deref(),
            Ok("n0:p/n0:q | n1:r")
        );
        assert_eq!(builder.namespaces.len(), 2);
    }

    #[test]
    fn normalizes_whitespace_and_shorthands() {
        let mut builder = ExpressionSetBuilder::default();
        assert_eq!(
            add(&mut builder, "a:x = 1 or\n\ta:y").as_deref(),
            Ok("n0:x = 1 or  n0:y")
        );
        assert_eq!(add(&mut builder, " true ").as_deref(), Ok("true()"));
        assert_eq!(add(&mut builder, "false").as_deref(), Ok("false()"));
        assert_eq!(
            add(&mut builder, "[a:x='1']").as_deref(),
            Ok("boolean(self::node()[n0:x='1'])")
        );
    }

    #[test]
    fn deduplicates_identical_expressions() {
        let mut builder = ExpressionSetBuilder::default();
        add(&mut builder, "a:x").expect("valid");
        add(&mut builder, "b:x").expect("valid");
        assert_eq!(builder.sources.len(), 1);
    }

    #[test]
    fn refuses_bad_expressions() {
        let mut builder = ExpressionSetBuilder::default();
        assert_eq!(add(&mut builder, "  "), Err(ExpressionError::Empty));
        assert_eq!(
            add(&mut builder, "z:x"),
            Err(ExpressionError::UndeclaredPrefix("z".into()))
        );
        assert_eq!(
            add(&mut builder, "a = 'x"),
            Err(ExpressionError::UnterminatedLiteral)
        );
        assert!(matches!(
            add(&mut builder, "a:x["),
            Err(ExpressionError::Syntax(_))
        ));
        assert_eq!(
            add(&mut builder, "a[b[c[d]]]"),
            Err(ExpressionError::TooManyPredicateLevels)
        );
        let deep = format!("{}1{}", "(".repeat(40), ")".repeat(40));
        assert_eq!(add(&mut builder, &deep), Err(ExpressionError::TooDeep));
        let long = "1+".repeat(MAX_EXPRESSION_CHARS) + "1";
        assert!(matches!(
            add(&mut builder, &long),
            Err(ExpressionError::TooLong(_))
        ));
    }
}
