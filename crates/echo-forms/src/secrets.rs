//! Obscuring what `secret` controls collected (4.2.6: "user input must be obscured"), so that a
//! stored selection can be shown to people without the passwords in it.
//!
//! The nodes are the ones the secret controls bind in one evaluation of the selection, so a
//! secret inside a group or a repeat item is found as validation finds it. A node a secret
//! binds is obscured even when another control binds it too.

use super::evaluation::Evaluation;
use super::xpath_engine::Node;

/// What a secret value reads as once obscured.
pub const OBSCURED: &str = "********";

/// Replaces the value of every node a `secret` control binds in `evaluation` by [`OBSCURED`].
pub fn obscure(evaluation: &Evaluation<'_, '_>) {
    let secrets = evaluation
        .states
        .iter()
        .filter(|state| state.control.element == "secret")
        .filter_map(|state| state.node);
    for node in secrets {
        match node {
            Node::Element(element) => {
                element.set_text(OBSCURED);
            }
            Node::Attribute(attribute) => {
                if let Some(parent) = attribute.parent() {
                    parent.set_attribute_value(attribute.name(), OBSCURED);
                }
            }
            Node::Text(text) => text.set_text(OBSCURED),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{compile, selection};
    use super::OBSCURED;

    #[test]
    fn values_bound_by_secret_controls_are_obscured_and_the_rest_kept() {
        let stored = selection(
            "<p:user>alice</p:user><p:login p:pin='4321'><p:password>hunter2</p:password></p:login>",
        );
        let form = compile(
            "<p:user/><p:login p:pin=''><p:password/></p:login>",
            r#"<input id="user" ref="p:user" type="xs:string"/>
               <group id="login" ref="p:login">
                 <secret id="password" ref="p:password" type="xs:string"/>
                 <secret id="pin" ref="@p:pin" type="xs:string"/>
               </group>"#,
        );
        let shown = form
            .obscure_secrets(&stored)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !shown.contains("hunter2") && !shown.contains("4321"),
            "{shown}"
        );
        assert!(shown.contains("alice"), "{shown}");
        assert_eq!(shown.matches(OBSCURED).count(), 2, "{shown}");
    }
}
