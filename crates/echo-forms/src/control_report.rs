//! A serializable view of one control's evaluated state, for clients and the CLI.

use serde::Serialize;

use super::compiled_control::Behaviour;
use super::evaluation::ControlState;
use super::xpath_engine::XPathEngine;

/// How a control stands over a selection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlReport {
    pub control_id: Option<String>,
    pub label: Option<String>,
    pub element: &'static str,
    pub relevant: bool,
    pub readonly: bool,
    pub required: bool,
    /// Whether the control's `ref` selects a node.
    pub present: bool,
    /// The text of the bound node, or for an output with `value` the evaluated string.
    pub value: Option<String>,
}

impl ControlReport {
    pub(super) fn of<E: XPathEngine>(engine: &E, state: &ControlState<'_, '_>) -> ControlReport {
        let control = state.control;
        let computed = match control.behaviour {
            Behaviour::Output { value: Some(value) } => engine
                .evaluate(value, state.context)
                .ok()
                .map(|v| v.string()),
            _ => None,
        };
        ControlReport {
            control_id: control.id.clone(),
            label: control.label.clone(),
            element: control.element,
            relevant: state.relevant,
            readonly: state.readonly,
            required: state.required,
            present: state.node.is_some(),
            value: computed.or_else(|| state.node.map(|node| node.string_value())),
        }
    }
}
