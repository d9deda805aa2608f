//! The values a select or tree holds in a selection (4.2.4.2.2).
//!
//! Values are the children named by `valueElementName`, compared by local name because
//! real forms omit or vary the prefix. Without `valueElementName` (a selectref into an
//! import that is not available), every child element is a value, or failing that the
//! element's own non-blank text.

use sxd_document::dom::Element;

use super::document::{child_elements, text_content};
use super::xpath_engine::Node;

/// One selected value and the element that holds it.
#[derive(Debug, Clone)]
pub struct SelectedValue<'d> {
    pub element: Option<Element<'d>>,
    pub text: String,
}

/// The values held by the node a select or tree is bound to.
pub fn selected_values<'d>(node: Node<'d>, value_element: Option<&str>) -> Vec<SelectedValue<'d>> {
    let Node::Element(element) = node else {
        return Vec::new();
    };
    let children = child_elements(element)
        .filter(|child| value_element.is_none_or(|name| child.name().local_part() == name))
        .map(|child| SelectedValue {
            element: Some(child),
            text: text_content(child),
        });
    let values: Vec<SelectedValue<'d>> = children.collect();
    let own_text = text_content(element);
    if values.is_empty() && value_element.is_none() && !own_text.trim().is_empty() {
        return vec![SelectedValue {
            element: None,
            text: own_text,
        }];
    }
    values
}
