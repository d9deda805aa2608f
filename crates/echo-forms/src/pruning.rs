//! Removal of irrelevant nodes from a selection before it is submitted (4.1.1.3, 5.1.4).
//!
//! Relevance is taken from one evaluation of the unpruned document, so pruning is a single
//! pass. The document element is never removed: a selection always has a root.

use sxd_document::dom::ParentOfChild;

use super::evaluation::Evaluation;
use super::xpath_engine::Node;

/// Removes every node `evaluation` found irrelevant from its document.
pub fn prune(evaluation: &Evaluation<'_, '_>) {
    for node in evaluation.irrelevant_nodes() {
        remove(node);
    }
}

fn remove(node: Node<'_>) {
    match node {
        Node::Element(element) => {
            if let Some(ParentOfChild::Element(_)) = element.parent() {
                element.remove_from_parent();
            }
        }
        Node::Attribute(attribute) => {
            if let Some(parent) = attribute.parent() {
                parent.remove_attribute(attribute.name());
            }
        }
        Node::Text(text) => text.remove_from_parent(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{compile, rules};

    #[test]
    fn prunes_nodes_of_irrelevant_controls_judged_on_the_unpruned_instance() {
        let form = compile(
            "<p:mode>pull</p:mode><p:push><p:host/></p:push><p:note>n</p:note><p:keep>k</p:keep>",
            r#"<input id="mode" ref="p:mode" type="xs:string"/>
               <group id="push" ref="p:push" relevant="p:mode = 'push'"><input ref="p:host" type="xs:string" required="true()"/></group>
               <input id="note" ref="p:note" type="xs:string" relevant="p:push/p:host = 'never'"/>"#,
        );
        let outcome = form.validate_instance();
        assert_eq!(rules(&outcome), vec![]);
        let pruned = outcome.selection.unwrap_or_default();
        assert!(
            !pruned.contains("push") && !pruned.contains("note"),
            "{pruned}"
        );
        assert!(
            pruned.contains("<p:keep>k</p:keep>"),
            "nodes without controls are kept: {pruned}"
        );
    }

    #[test]
    fn keeps_a_node_that_another_relevant_control_binds() {
        let form = compile(
            "<p:a>1</p:a>",
            r#"<input id="shown" ref="p:a" type="xs:int"/><input id="hidden" ref="p:a" type="xs:int" relevant="false()"/>"#,
        );
        let outcome = form.validate_instance();
        assert!(outcome.is_valid(), "{:?}", outcome.errors);
        assert!(
            outcome
                .selection
                .unwrap_or_default()
                .contains("<p:a>1</p:a>")
        );
    }

    #[test]
    fn prunes_attributes_and_irrelevant_tree_values() {
        let form = compile(
            "<p:e p:flag='x'/><p:t><p:l>/A</p:l><p:l>/B</p:l></p:t>",
            r#"<input id="flag" ref="p:e/@p:flag" type="xs:string" relevant="false()"/>
               <tree id="t" ref="p:t" type="xs:string" valueElementName="l"><item value="A"/><item value="B" relevant="false()"/></tree>"#,
        );
        let outcome = form.validate_instance();
        let pruned = outcome.selection.unwrap_or_default();
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        assert!(
            !pruned.contains("flag") && !pruned.contains("/B") && pruned.contains("/A"),
            "{pruned}"
        );
    }
}
