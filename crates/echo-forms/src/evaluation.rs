//! One pass over a selection: each control's context node, bound node and states (4.6).
//!
//! The context of a control is the node bound by its nearest ancestor with a `ref`, or the
//! instance root; each item of a repeat is the context of the repeat's children. Relevance
//! and readonly inherit from ancestors; required is evaluated only for relevant controls
//! that collect data. A node is irrelevant when every control bound to it is irrelevant.

use std::collections::HashSet;

use sxd_document::dom::Element;

use super::compiled_control::{Behaviour, CompiledControl, TreeRule};
use super::document::child_elements;
use super::expression::ExprId;
use super::fast_path::{FastEvaluator, FastExpr};
use super::selected_values::selected_values;
use super::xpath_engine::{EvaluationError, Node, XPathEngine};

/// The evaluated state of one control (one per repeat item for controls in repeats).
#[derive(Debug, Clone)]
pub struct ControlState<'f, 'd> {
    pub control: &'f CompiledControl,
    pub context: Node<'d>,
    pub node: Option<Node<'d>>,
    pub relevant: bool,
    pub readonly: bool,
    pub required: bool,
}

/// The states of every control of a form over one selection document.
#[derive(Debug)]
pub struct Evaluation<'f, 'd> {
    pub states: Vec<ControlState<'f, 'd>>,
    pub failures: Vec<(&'f CompiledControl, EvaluationError)>,
    relevant_nodes: HashSet<Node<'d>>,
    irrelevant_nodes: HashSet<Node<'d>>,
}

impl<'f, 'd> Evaluation<'f, 'd> {
    /// Evaluates `controls` over the selection whose root element is `root`.
    pub fn run<E: XPathEngine>(
        engine: &E,
        fast: &[Option<FastExpr>],
        controls: &'f [CompiledControl],
        root: Element<'d>,
    ) -> Self {
        let mut walker = Walker {
            engine,
            flags: FastEvaluator::new(fast),
            evaluation: Evaluation {
                states: Vec::new(),
                failures: Vec::new(),
                relevant_nodes: HashSet::new(),
                irrelevant_nodes: HashSet::new(),
            },
        };
        walker.visit_all(
            controls,
            root.into(),
            Inherited {
                relevant: true,
                readonly: false,
            },
        );
        walker.evaluation
    }

    /// Whether `node` is bound only by irrelevant controls (or names an irrelevant tree item).
    pub fn is_irrelevant(&self, node: Node<'d>) -> bool {
        !self.relevant_nodes.contains(&node) && self.irrelevant_nodes.contains(&node)
    }

    /// The nodes pruning removes.
    pub fn irrelevant_nodes(&self) -> impl Iterator<Item = Node<'d>> + '_ {
        self.irrelevant_nodes
            .iter()
            .copied()
            .filter(|node| !self.relevant_nodes.contains(node))
    }
}

#[derive(Debug, Clone, Copy)]
struct Inherited {
    relevant: bool,
    readonly: bool,
}

struct Walker<'e, 'f, 'd, E> {
    engine: &'e E,
    /// Binds, relevant, readonly and required are evaluated through it: forms repeat them.
    flags: FastEvaluator<'e, 'd>,
    evaluation: Evaluation<'f, 'd>,
}

impl<'f, 'd, E: XPathEngine> Walker<'_, 'f, 'd, E> {
    fn visit_all(
        &mut self,
        controls: &'f [CompiledControl],
        context: Node<'d>,
        inherited: Inherited,
    ) {
        for control in controls {
            self.visit(control, context, inherited);
        }
    }

    fn visit(&mut self, control: &'f CompiledControl, context: Node<'d>, inherited: Inherited) {
        let relevant = inherited.relevant && self.flag(control, control.relevant, context, true);
        let readonly = relevant
            && (inherited.readonly || self.flag(control, control.readonly, context, false));
        let required = relevant
            && honours_required(&control.behaviour)
            && self.flag(control, control.required, context, false);
        let node = control
            .bind
            .and_then(|bind| self.bound_node(control, bind, context));
        if let Some(node) = node {
            if relevant {
                self.evaluation.relevant_nodes.insert(node);
            } else {
                self.evaluation.irrelevant_nodes.insert(node);
            }
        }
        if let (true, Some(node), Behaviour::Tree(rule)) = (relevant, node, &control.behaviour) {
            self.mark_irrelevant_tree_values(control, rule, node, context);
        }
        self.evaluation.states.push(ControlState {
            control,
            context,
            node,
            relevant,
            readonly,
            required,
        });
        let inherited = Inherited { relevant, readonly };
        match (&control.behaviour, node) {
            (Behaviour::Repeat { .. }, Some(Node::Element(container))) => {
                for item in child_elements(container) {
                    self.visit_all(&control.children, item.into(), inherited);
                }
            }
            (Behaviour::Repeat { .. }, _) => {}
            (_, Some(node)) => self.visit_all(&control.children, node, inherited),
            (_, None) if control.bind.is_some() => {
                let absent = context.document().create_element("absent");
                self.visit_all(&control.children, absent.into(), inherited);
            }
            (_, None) => self.visit_all(&control.children, context, inherited),
        }
    }

    fn flag(
        &mut self,
        control: &'f CompiledControl,
        expression: Option<ExprId>,
        context: Node<'d>,
        default: bool,
    ) -> bool {
        let Some(expression) = expression else {
            return default;
        };
        self.flags
            .boolean(self.engine, expression, context)
            .unwrap_or_else(|failure| {
                self.evaluation.failures.push((control, failure));
                default
            })
    }

    fn bound_node(
        &mut self,
        control: &'f CompiledControl,
        bind: ExprId,
        context: Node<'d>,
    ) -> Option<Node<'d>> {
        match self.flags.first_node(self.engine, bind, context) {
            Ok(node) => node,
            Err(failure) => {
                self.evaluation.failures.push((control, failure));
                None
            }
        }
    }

    fn mark_irrelevant_tree_values(
        &mut self,
        control: &'f CompiledControl,
        rule: &'f TreeRule,
        node: Node<'d>,
        context: Node<'d>,
    ) {
        for value in selected_values(node, rule.value_element.as_deref()) {
            let Some(path) = rule.path(&value.text) else {
                continue;
            };
            let irrelevant = path
                .iter()
                .any(|item| !self.flag(control, item.relevant, context, true));
            if let (true, Some(element)) = (irrelevant, value.element) {
                self.evaluation.irrelevant_nodes.insert(element.into());
            }
        }
    }
}

/// Groups, repeats and outputs ignore `required` (4.3.1.3, 4.2.3.1).
fn honours_required(behaviour: &Behaviour) -> bool {
    !matches!(
        behaviour,
        Behaviour::Group | Behaviour::Repeat { .. } | Behaviour::Output { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::super::control_report::ControlReport;
    use super::super::test_support::{compile, selection};

    fn reports(instance: &str, ui: &str, body: &str) -> Vec<ControlReport> {
        compile(instance, ui)
            .control_reports(&selection(body))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn report<'r>(reports: &'r [ControlReport], id: &str) -> &'r ControlReport {
        reports
            .iter()
            .find(|r| r.control_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no control {id}"))
    }

    #[test]
    fn relevance_and_readonly_inherit_but_required_does_not() {
        let ui = r#"<group id="g" ref="p:g" relevant="p:on = 'yes'" readonly="p:lock = 'yes'" required="true()">
                      <input id="a" ref="p:a" type="xs:string" relevant="true()" readonly="false()"/>
                    </group>"#;
        let body = "<p:on>yes</p:on><p:lock>yes</p:lock><p:g><p:a>1</p:a></p:g>";
        let states = reports("<p:g><p:a/></p:g>", ui, body);
        let (group, input) = (report(&states, "g"), report(&states, "a"));
        assert!(group.relevant && group.readonly && !group.required);
        assert!(input.relevant && input.readonly && !input.required);
        let hidden = reports(
            "<p:g><p:a/></p:g>",
            ui,
            "<p:on>no</p:on><p:g><p:a>1</p:a></p:g>",
        );
        assert!(
            !report(&hidden, "a").relevant,
            "children of an irrelevant group are irrelevant"
        );
    }

    #[test]
    fn refs_are_relative_to_the_nearest_ancestor_with_a_ref() {
        let ui = r#"<group id="outer" ref="p:box"><group id="plain">
                      <input id="rel" ref="p:lat" type="xs:double"/>
                      <input id="abs" ref="/p:o/p:name" type="xs:string"/>
                      <input id="any" ref="//p:lat" type="xs:double" relevant="//p:name = 'Bob'"/>
                    </group></group>"#;
        let states = reports(
            "<p:name/><p:box><p:lat/></p:box>",
            ui,
            "<p:name>Bob</p:name><p:box><p:lat>4.5</p:lat></p:box>",
        );
        assert_eq!(report(&states, "rel").value.as_deref(), Some("4.5"));
        assert_eq!(report(&states, "abs").value.as_deref(), Some("Bob"));
        assert_eq!(report(&states, "any").value.as_deref(), Some("4.5"));
        assert!(report(&states, "any").relevant);
    }

    #[test]
    fn output_value_expressions_are_evaluated_in_context() {
        let ui = r#"<group ref="p:items"><output id="sum" type="xs:string" label="Summary"
                      value="concat(string('Your order contains '), count(p:item), string(' items.'))"/></group>"#;
        let states = reports("<p:items/>", ui, "<p:items><p:item/><p:item/></p:items>");
        assert_eq!(
            report(&states, "sum").value.as_deref(),
            Some("Your order contains 2 items.")
        );
    }

    #[test]
    fn children_of_an_absent_container_are_evaluated_without_a_node() {
        let ui = r#"<group id="g" ref="p:g"><input id="a" ref="p:a" type="xs:string" required="//p:need = 'yes'"/></group>"#;
        let form = compile("<p:g><p:a/></p:g><p:need/>", ui);
        let outcome = form.validate_selection(&selection("<p:need>yes</p:need>"));
        assert_eq!(outcome.errors.len(), 1, "{:?}", outcome.errors);
        assert_eq!(outcome.errors[0].control_id.as_deref(), Some("a"));
    }

    #[test]
    fn prefixes_resolve_on_the_instance_root_then_on_the_element() {
        let instance = "<q:a xmlns:q='urn:q'>1</q:a>";
        let ui = r#"<input id="a" xmlns:r="urn:q" ref="r:a" type="xs:int"/>"#;
        let states = reports(instance, ui, "<q:a xmlns:q='urn:q'>2</q:a>");
        assert_eq!(report(&states, "a").value.as_deref(), Some("2"));
    }
}
