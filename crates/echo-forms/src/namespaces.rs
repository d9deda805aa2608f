//! Namespace prefix bindings used to resolve prefixes in XPath expressions and QNames.
//!
//! Section 4.6.3 says the prefixes of every XPath are those declared on the instance root;
//! real forms also rely on prefixes declared on the control's own element or its ancestors,
//! so a scope looks in the instance root first and then in the element's in-scope bindings.

use sxd_document::dom::Element;

/// An ordered list of prefix bindings; the first binding of a prefix wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamespaceScope {
    bindings: Vec<(String, String)>,
}

impl NamespaceScope {
    /// The prefixes declared on `element` and its ancestors.
    pub fn in_scope_of(element: Element<'_>) -> Self {
        let bindings = element
            .namespaces_in_scope()
            .into_iter()
            .map(|ns| (ns.prefix().to_owned(), ns.uri().to_owned()))
            .collect();
        NamespaceScope { bindings }
    }

    /// This scope, with `fallback` consulted for prefixes it does not bind.
    pub fn then(&self, fallback: &NamespaceScope) -> Self {
        let bindings = self
            .bindings
            .iter()
            .chain(&fallback.bindings)
            .cloned()
            .collect();
        NamespaceScope { bindings }
    }

    /// The namespace URI bound to `prefix`.
    pub fn resolve(&self, prefix: &str) -> Option<&str> {
        self.bindings
            .iter()
            .find(|(bound, _)| bound == prefix)
            .map(|(_, uri)| uri.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::super::document::{child_elements, parse_document, root_element};
    use super::*;

    #[test]
    fn first_binding_wins_and_fallback_fills_gaps() {
        let package =
            parse_document(r#"<a xmlns:p="urn:outer"><b xmlns:q="urn:q"/></a>"#).expect("xml");
        let document = package.as_document();
        let a = root_element(document).expect("root");
        let b = child_elements(a).next().expect("b");
        let instance = NamespaceScope {
            bindings: vec![("p".into(), "urn:instance".into())],
        };
        let scope = instance.then(&NamespaceScope::in_scope_of(b));
        assert_eq!(scope.resolve("p"), Some("urn:instance"));
        assert_eq!(scope.resolve("q"), Some("urn:q"));
        assert_eq!(scope.resolve("z"), None);
    }
}
