//! Controls ready for evaluation: expressions compiled, types resolved, bounds parsed.

use super::diagnostics::Diagnostics;
use super::expression::{ExprId, ExpressionSetBuilder};
use super::model::{
    Constraint, ConstraintTest, Control, ControlKind, Range, Repeat, Select, Tree, TreeItem,
};
use super::pattern::Pattern;
use super::range::{RangeBounds, RangeValue, parse_step};
use super::sxd_engine::SxdEngine;
use super::xsd_types::{FormType, parse_integer};

/// A control of a compiled form.
#[derive(Debug, Clone)]
pub struct CompiledControl {
    pub id: Option<String>,
    pub label: Option<String>,
    /// The element that defined the control (`input`, `select`...).
    pub element: &'static str,
    pub bind: Option<ExprId>,
    pub relevant: Option<ExprId>,
    pub required: Option<ExprId>,
    pub readonly: Option<ExprId>,
    pub value_type: FormType,
    pub constraints: Vec<CompiledConstraint>,
    pub behaviour: Behaviour,
    pub children: Vec<CompiledControl>,
}

#[derive(Debug, Clone)]
pub struct CompiledConstraint {
    pub test: CompiledTest,
    pub alert: Option<String>,
}

#[derive(Debug, Clone)]
pub enum CompiledTest {
    XPath(ExprId),
    Pattern(Pattern),
}

/// What a control collects, and so how its value is validated.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// input, secret, textarea: the text of the bound node.
    Text,
    Output {
        value: Option<ExprId>,
    },
    Select(SelectRule),
    Tree(TreeRule),
    Range(RangeBounds),
    Group,
    Repeat {
        template: Option<String>,
        min_items: usize,
        max_items: usize,
    },
    /// A controlref whose target is in an import that is not available.
    Unresolved,
}

impl Behaviour {
    /// Whether the control collects a value ("supports a value" in Appendix 9.1).
    pub fn supports_value(&self) -> bool {
        matches!(
            self,
            Behaviour::Text | Behaviour::Select(_) | Behaviour::Tree(_) | Behaviour::Range(_)
        )
    }
}

#[derive(Debug, Clone)]
pub struct SelectRule {
    pub multiple: bool,
    pub open: bool,
    pub value_element: Option<String>,
    pub items: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TreeRule {
    pub value_element: Option<String>,
    pub separator: String,
    pub items: Vec<CompiledTreeItem>,
}

#[derive(Debug, Clone)]
pub struct CompiledTreeItem {
    pub value: String,
    pub relevant: Option<ExprId>,
    pub children: Vec<CompiledTreeItem>,
}

/// Compiles resolved controls, adding their expressions to one set.
pub struct ControlCompiler<'a> {
    pub expressions: &'a mut ExpressionSetBuilder,
    pub diagnostics: &'a mut Diagnostics,
}

impl ControlCompiler<'_> {
    pub fn compile_all(&mut self, controls: &[Control]) -> Vec<CompiledControl> {
        controls
            .iter()
            .map(|control| self.compile(control))
            .collect()
    }

    fn compile(&mut self, control: &Control) -> CompiledControl {
        let on = Subject {
            control,
            name: control.describe(),
        };
        let value_type = self.value_type(&on);
        let behaviour = self.behaviour(&on, value_type);
        CompiledControl {
            id: control.id.clone(),
            label: control.label.clone(),
            element: control.kind.element_name(),
            bind: self.expression(&on, "ref", control.reference.as_deref()),
            relevant: self.expression(&on, "relevant", control.relevant.as_deref()),
            required: self.expression(&on, "required", control.required.as_deref()),
            readonly: self.expression(&on, "readonly", control.readonly.as_deref()),
            value_type,
            constraints: control
                .constraints
                .iter()
                .filter_map(|c| self.constraint(&on, c))
                .collect(),
            behaviour,
            children: self.compile_all(control.kind.children()),
        }
    }

    fn expression(
        &mut self,
        on: &Subject<'_>,
        attribute: &str,
        source: Option<&str>,
    ) -> Option<ExprId> {
        let source = source?;
        match self.expressions.add::<SxdEngine>(source, &on.control.scope) {
            Ok(id) => Some(id),
            Err(e) => {
                self.diagnostics
                    .error(Some(&on.name), format!("{attribute} `{source}`: {e}"));
                None
            }
        }
    }

    fn constraint(
        &mut self,
        on: &Subject<'_>,
        constraint: &Constraint,
    ) -> Option<CompiledConstraint> {
        let test = match &constraint.test {
            ConstraintTest::XPath(source) => {
                CompiledTest::XPath(self.expression(on, "constraint", Some(source))?)
            }
            ConstraintTest::Pattern(source) => match Pattern::compile(source) {
                Ok(pattern) => CompiledTest::Pattern(pattern),
                Err(e) => {
                    self.diagnostics.error(Some(&on.name), e);
                    return None;
                }
            },
        };
        Some(CompiledConstraint {
            test,
            alert: constraint.alert.clone(),
        })
    }

    fn value_type(&mut self, on: &Subject<'_>) -> FormType {
        let kind = &on.control.kind;
        let Some(supported) = supported_types(kind) else {
            return FormType::String;
        };
        let Some(type_name) = on.control.type_name.as_deref() else {
            if !matches!(kind, ControlKind::Output { value: Some(_) }) {
                self.diagnostics.warning(
                    Some(&on.name),
                    "has no type attribute (4.2.1.1); validated as xs:string",
                );
            }
            return FormType::String;
        };
        match FormType::resolve(type_name, &on.control.scope) {
            Ok((form_type, quirk)) => {
                if let Some(quirk) = quirk {
                    self.diagnostics.warning(Some(&on.name), quirk.0);
                }
                if !supported.contains(&form_type) {
                    self.diagnostics.warning(
                        Some(&on.name),
                        format!(
                            "type xs:{} is not one the specification lists for <{}>",
                            form_type.name(),
                            kind.element_name()
                        ),
                    );
                }
                form_type
            }
            Err(e) => {
                self.diagnostics.warning(
                    Some(&on.name),
                    format!("{e}; validated as xs:string, as ECHO clients did (4.2.1.1)"),
                );
                FormType::String
            }
        }
    }

    fn behaviour(&mut self, on: &Subject<'_>, value_type: FormType) -> Behaviour {
        match &on.control.kind {
            ControlKind::Input | ControlKind::Secret | ControlKind::TextArea => Behaviour::Text,
            ControlKind::Output { value } => self.output(on, value.as_deref()),
            ControlKind::Select(select) => Behaviour::Select(self.select(on, select)),
            ControlKind::SelectRef { items, .. } => Behaviour::Select(self.select(
                on,
                &Select {
                    items: items.clone(),
                    ..Select::default()
                },
            )),
            ControlKind::Tree(tree) => Behaviour::Tree(self.tree(on, tree)),
            ControlKind::Range(range) => Behaviour::Range(self.range(on, range, value_type)),
            ControlKind::Group { .. } => Behaviour::Group,
            ControlKind::Repeat(repeat) => self.repeat(on, repeat),
            ControlKind::ControlRef { .. } => Behaviour::Unresolved,
        }
    }

    fn output(&mut self, on: &Subject<'_>, value: Option<&str>) -> Behaviour {
        if value.is_some() && on.control.reference.is_some() {
            self.diagnostics.warning(
                Some(&on.name),
                "output should have a ref or a value, not both (4.2.3); the value is shown",
            );
        }
        Behaviour::Output {
            value: self.expression(on, "value", value),
        }
    }

    fn select(&mut self, on: &Subject<'_>, select: &Select) -> SelectRule {
        if select.items.is_empty() && !select.open {
            self.diagnostics.warning(
                Some(&on.name),
                "select has no items, so no value can be selected; ECHO accepted such forms, so only an empty selection is valid",
            );
        }
        if select.items.iter().any(|item| item.value.is_empty()) {
            self.diagnostics.warning(
                Some(&on.name),
                "an item value should be at least one character long (4.2.4.2.4); ECHO accepted \
                 empty values (\"No Reformatting\"), and selecting one leaves the control without a value",
            );
        }
        SelectRule {
            multiple: select.multiple,
            open: select.open,
            value_element: select.value_element_name.clone(),
            items: select.items.iter().map(|item| item.value.clone()).collect(),
        }
    }

    fn tree(&mut self, on: &Subject<'_>, tree: &Tree) -> TreeRule {
        TreeRule {
            value_element: tree.value_element_name.clone(),
            separator: tree.separator.clone(),
            items: self.tree_items(on, &tree.items),
        }
    }

    fn tree_items(&mut self, on: &Subject<'_>, items: &[TreeItem]) -> Vec<CompiledTreeItem> {
        items
            .iter()
            .map(|item| {
                if item.required.is_some() {
                    self.diagnostics.warning(
                        Some(&on.name),
                        format!("'required' on tree item '{}' has no meaning in the specification; it is ignored", item.value),
                    );
                }
                CompiledTreeItem {
                    value: item.value.clone(),
                    relevant: self.expression(on, "item relevant", item.relevant.as_deref()),
                    children: self.tree_items(on, &item.children),
                }
            })
            .collect()
    }

    fn range(&mut self, on: &Subject<'_>, range: &Range, value_type: FormType) -> RangeBounds {
        let mut bound = |attribute: &str,
                         text: Option<&String>,
                         parse: &dyn Fn(&str) -> Option<RangeValue>| {
            let text = text?;
            let parsed = parse(text);
            if parsed.is_none() {
                self.diagnostics.warning(
                        Some(&on.name),
                        format!(
                            "range {attribute}=\"{text}\" is not a valid {} value for xs:{}; it is ignored",
                            if attribute == "step" {
                                "positive step"
                            } else {
                                "bound"
                            },
                            value_type.name()
                        ),
                    );
            }
            parsed
        };
        let bounds = RangeBounds {
            start: bound("start", range.start.as_ref(), &|t| {
                RangeValue::parse(value_type, t)
            }),
            end: bound("end", range.end.as_ref(), &|t| {
                RangeValue::parse(value_type, t)
            }),
            step: bound("step", range.step.as_ref(), &|t| parse_step(value_type, t)),
        };
        if let (Some(start), Some(end)) = (bounds.start, bounds.end)
            && start > end
        {
            self.diagnostics.warning(
                Some(&on.name),
                "range start is after its end (4.2.5.2), so no value is in range",
            );
        }
        bounds
    }

    fn repeat(&mut self, on: &Subject<'_>, repeat: &Repeat) -> Behaviour {
        let mut count = |attribute: &str, text: Option<&String>, default: usize| {
            let Some(text) = text else { return default };
            match parse_integer(text.trim())
                .and_then(|n| usize::try_from(n).ok())
                .filter(|n| *n <= i32::MAX as usize)
            {
                Some(n) => n,
                None => {
                    self.diagnostics.warning(
                        Some(&on.name),
                        format!(
                            "{attribute}=\"{text}\" is not a non-negative xs:int (4.3.3.2); it is ignored"
                        ),
                    );
                    default
                }
            }
        };
        let min_items = count("minItems", repeat.min_items.as_ref(), 0);
        let max_items = count("maxItems", repeat.max_items.as_ref(), i32::MAX as usize);
        if min_items > max_items {
            self.diagnostics.warning(
                Some(&on.name),
                "minItems is greater than maxItems (4.3.3.2), so no item count is valid",
            );
        }
        Behaviour::Repeat {
            template: repeat.template.clone(),
            min_items,
            max_items,
        }
    }
}

/// The control being compiled and its name for messages.
struct Subject<'c> {
    control: &'c Control,
    name: String,
}

/// The types 4.2 lists for each typed control; `None` for untyped controls.
fn supported_types(kind: &ControlKind) -> Option<&'static [FormType]> {
    use FormType::{AnyUri, Boolean, DateTime, Double, Int, Long, Short, String};
    Some(match kind {
        ControlKind::Input => &[String, Double, DateTime, Long, Int, Short, Boolean],
        ControlKind::Output { .. } => {
            &[String, Double, DateTime, Long, Int, Short, Boolean, AnyUri]
        }
        ControlKind::Select(_) | ControlKind::Tree(_) => {
            &[String, Double, DateTime, Long, Int, Short]
        }
        ControlKind::Range(_) => &[Double, DateTime, Long, Int, Short],
        ControlKind::Secret => &[String, Double, Long, Int, Short],
        ControlKind::TextArea => &[String],
        _ => return None,
    })
}

impl TreeRule {
    /// The items named by a selected value such as `/Parent1/Child1-1`, root first.
    pub fn path(&self, value: &str) -> Option<Vec<&CompiledTreeItem>> {
        let value = value.trim();
        let segments: Vec<&str> = if self.separator.is_empty() {
            vec![value]
        } else {
            value
                .strip_prefix(self.separator.as_str())
                .unwrap_or(value)
                .split(self.separator.as_str())
                .collect()
        };
        let mut level = &self.items;
        let mut path = Vec::with_capacity(segments.len());
        for segment in segments {
            let item = level.iter().find(|item| item.value == segment)?;
            path.push(item);
            level = &item.children;
        }
        Some(path)
    }
}
