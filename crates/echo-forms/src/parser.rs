//! Reads a form document into the [`Form`] model, noting tolerated quirks as warnings.

use sxd_document::dom::Element;

use super::diagnostics::Diagnostics;
use super::document::{child_elements, root_element, subtree_xml, text_content};
use super::model::{
    AUTOPOPULATE_NAMESPACE, Constraint, ConstraintTest, Control, ControlKind, ECHO_FORMS_NAMESPACE,
    Extension, ExtensionExpression, Form, Import, ImportScope, Instance, Item,
    PREPOPULATE_NAMESPACE, Range, Repeat, Select, Tree, TreeItem,
};
use super::namespaces::NamespaceScope;
use super::position::{ElementPositions, Position};

/// Builds the model of the form in `document`, reporting problems to `diagnostics`; with the
/// document's `positions`, findings about its controls say where they are.
pub fn parse_form<'d>(
    document: sxd_document::dom::Document<'d>,
    positions: Option<&ElementPositions<'d>>,
    diagnostics: &mut Diagnostics,
) -> Form {
    let mut form = Form::default();
    let Some(root) = root_element(document) else {
        diagnostics.error(None, "document has no root element");
        return form;
    };
    if root.name().local_part() != "form" {
        diagnostics.error(
            None,
            format!("root element is <{}>, not <form>", root.name().local_part()),
        );
        return form;
    }
    let reader = FormReader {
        namespace: root.name().namespace_uri(),
        positions,
    };
    reader.warn_on_namespace(diagnostics);
    form.target_namespace = root.attribute_value("targetNamespace").map(str::to_owned);
    form.imports = reader.children(root, "import").map(read_import).collect();
    let Some(model) = reader.children(root, "model").next() else {
        diagnostics.error(None, "form has no <model>");
        return form;
    };
    form.instance = reader.instance(model, diagnostics);
    form.extensions = reader.extensions(model);
    if let Some(ui) = reader.children(root, "ui").next() {
        form.controls = reader.controls(ui, &form.instance.scope, diagnostics);
    }
    form
}

/// Reads elements in the namespace of the `<form>` element.
struct FormReader<'d, 'p> {
    namespace: Option<&'d str>,
    positions: Option<&'p ElementPositions<'d>>,
}

impl<'d> FormReader<'d, '_> {
    fn position(&self, element: Element<'d>) -> Option<Position> {
        self.positions.and_then(|positions| positions.of(element))
    }

    fn warn_on_namespace(&self, diagnostics: &mut Diagnostics) {
        if self.namespace != Some(ECHO_FORMS_NAMESPACE) {
            diagnostics.warning(
                None,
                format!(
                    "<form> is in namespace {:?}, not {ECHO_FORMS_NAMESPACE} (2.1); \
                     its elements are read in that namespace as ECHO clients did",
                    self.namespace.unwrap_or("(none)")
                ),
            );
        }
    }

    fn is_forms_element(&self, element: Element<'d>, local_name: &str) -> bool {
        element.name().namespace_uri() == self.namespace
            && element.name().local_part() == local_name
    }

    fn children(
        &self,
        parent: Element<'d>,
        local_name: &'static str,
    ) -> impl Iterator<Item = Element<'d>> + '_ {
        child_elements(parent).filter(move |child| self.is_forms_element(*child, local_name))
    }

    fn child_text(&self, parent: Element<'d>, local_name: &'static str) -> Option<String> {
        self.children(parent, local_name)
            .next()
            .map(|child| text_content(child).trim().to_owned())
    }

    fn instance(&self, model: Element<'d>, diagnostics: &mut Diagnostics) -> Instance {
        let roots: Vec<Element<'d>> = self
            .children(model, "instance")
            .next()
            .map(|instance| child_elements(instance).collect())
            .unwrap_or_default();
        let Some(root) = roots.first() else {
            diagnostics.error(
                None,
                "the model has no <instance> with a root element (3.1)",
            );
            return Instance::default();
        };
        if roots.len() > 1 {
            diagnostics.warning(
                None,
                "the instance has more than one root element; only the first is used (3.1)",
            );
        }
        Instance {
            xml: subtree_xml(*root),
            scope: NamespaceScope::in_scope_of(*root),
        }
    }

    fn extensions(&self, model: Element<'d>) -> Vec<ExtensionExpression> {
        self.children(model, "extension")
            .flat_map(|extension| child_elements(extension).flat_map(child_elements))
            .filter_map(read_extension_expression)
            .collect()
    }

    fn controls(
        &self,
        parent: Element<'d>,
        instance: &NamespaceScope,
        diagnostics: &mut Diagnostics,
    ) -> Vec<Control> {
        child_elements(parent)
            .filter(|child| child.name().namespace_uri() == self.namespace)
            .filter_map(|child| self.control(child, instance, diagnostics))
            .collect()
    }

    fn control(
        &self,
        element: Element<'d>,
        instance: &NamespaceScope,
        diagnostics: &mut Diagnostics,
    ) -> Option<Control> {
        let attribute = |name: &str| element.attribute_value(name).map(str::to_owned);
        let description = super::model::describe(
            element.name().local_part(),
            element.attribute_value("id"),
            element.attribute_value("label"),
        );
        let mut control = Control {
            kind: ControlKind::Input,
            id: attribute("id"),
            label: attribute("label"),
            reference: attribute("ref"),
            relevant: attribute("relevant"),
            required: attribute("required"),
            readonly: attribute("readonly"),
            type_name: attribute("type"),
            help: self.child_text(element, "help"),
            constraints: self.constraints(element, &description, diagnostics),
            scope: instance.then(&NamespaceScope::in_scope_of(element)),
        };
        control.kind = match element.name().local_part() {
            "input" => ControlKind::Input,
            "secret" => ControlKind::Secret,
            "textarea" => ControlKind::TextArea,
            "output" => ControlKind::Output {
                value: attribute("value"),
            },
            "select" => ControlKind::Select(self.select(element, &description, diagnostics)),
            "tree" => ControlKind::Tree(self.tree(element)),
            "range" => ControlKind::Range(read_range(element, &description, diagnostics)),
            "group" => ControlKind::Group {
                children: self.controls(element, instance, diagnostics),
            },
            "repeat" => ControlKind::Repeat(self.repeat(element, instance, diagnostics)),
            "controlref" => ControlKind::ControlRef {
                idref: attribute("idref").unwrap_or_default(),
            },
            "selectref" => ControlKind::SelectRef {
                idref: attribute("idref").unwrap_or_default(),
                items: self.items(element),
            },
            "help" | "constraints" | "item" | "template" => return None,
            other => {
                diagnostics.warning_at(
                    self.position(element),
                    format!("unknown element <{other}> in the user interface is ignored"),
                );
                return None;
            }
        };
        if let Some(position) = self.position(element) {
            diagnostics.locate(&description, position);
        }
        Some(control)
    }

    fn constraints(
        &self,
        element: Element<'d>,
        control: &str,
        diagnostics: &mut Diagnostics,
    ) -> Vec<Constraint> {
        let mut constraints = Vec::new();
        for constraint in self
            .children(element, "constraints")
            .flat_map(|c| self.children(c, "constraint").collect::<Vec<_>>())
        {
            let tests = match (
                self.child_text(constraint, "xpath"),
                self.child_text(constraint, "pattern"),
            ) {
                (Some(xpath), None) => vec![ConstraintTest::XPath(xpath)],
                (None, Some(pattern)) => vec![ConstraintTest::Pattern(pattern)],
                (Some(xpath), Some(pattern)) => {
                    diagnostics.warning(
                        Some(control),
                        "a constraint should hold exactly one of <xpath> or <pattern> (4.1.1.8); \
                         both are applied, as ECHO clients did",
                    );
                    vec![
                        ConstraintTest::XPath(xpath),
                        ConstraintTest::Pattern(pattern),
                    ]
                }
                (None, None) => {
                    diagnostics.warning(
                        Some(control),
                        "a constraint without <xpath> or <pattern> tests nothing (4.1.1.8); it is ignored",
                    );
                    continue;
                }
            };
            let alert = self
                .child_text(constraint, "alert")
                .map(|a| collapse_spaces(&a));
            constraints.extend(tests.into_iter().map(|test| Constraint {
                test,
                alert: alert.clone(),
            }));
        }
        constraints
    }

    fn select(&self, element: Element<'d>, control: &str, diagnostics: &mut Diagnostics) -> Select {
        Select {
            multiple: boolean_attribute(element, "multiple", control, diagnostics),
            open: boolean_attribute(element, "open", control, diagnostics),
            value_element_name: element
                .attribute_value("valueElementName")
                .map(str::to_owned),
            items: self.items(element),
        }
    }

    fn items(&self, element: Element<'d>) -> Vec<Item> {
        self.children(element, "item")
            .map(|item| Item {
                value: item.attribute_value("value").unwrap_or_default().to_owned(),
                label: item.attribute_value("label").map(str::to_owned),
            })
            .collect()
    }

    fn tree(&self, element: Element<'d>) -> Tree {
        Tree {
            value_element_name: element
                .attribute_value("valueElementName")
                .map(str::to_owned),
            separator: element
                .attribute_value("separator")
                .unwrap_or("/")
                .to_owned(),
            items: self.tree_items(element),
        }
    }

    fn tree_items(&self, element: Element<'d>) -> Vec<TreeItem> {
        self.children(element, "item")
            .map(|item| TreeItem {
                value: item.attribute_value("value").unwrap_or_default().to_owned(),
                relevant: item.attribute_value("relevant").map(str::to_owned),
                required: item.attribute_value("required").map(str::to_owned),
                children: self.tree_items(item),
            })
            .collect()
    }

    fn repeat(
        &self,
        element: Element<'d>,
        instance: &NamespaceScope,
        diagnostics: &mut Diagnostics,
    ) -> Repeat {
        Repeat {
            template: self
                .children(element, "template")
                .next()
                .and_then(|template| child_elements(template).next())
                .map(subtree_xml),
            min_items: element.attribute_value("minItems").map(str::to_owned),
            max_items: element.attribute_value("maxItems").map(str::to_owned),
            children: self.controls(element, instance, diagnostics),
        }
    }
}

fn read_import(element: Element<'_>) -> Import {
    let scope = match element.attribute_value("scope") {
        Some(scope) if scope.eq_ignore_ascii_case("PROVIDER") => ImportScope::Provider,
        _ => ImportScope::System,
    };
    Import {
        name: element
            .attribute_value("name")
            .unwrap_or_default()
            .to_owned(),
        scope,
    }
}

fn read_extension_expression(element: Element<'_>) -> Option<ExtensionExpression> {
    let extension = match element.name().namespace_uri() {
        Some(AUTOPOPULATE_NAMESPACE) => Extension::Autopopulate,
        Some(PREPOPULATE_NAMESPACE) => Extension::Prepopulate,
        _ => return None,
    };
    (element.name().local_part() == "expression").then(|| ExtensionExpression {
        extension,
        reference: element
            .attribute_value("ref")
            .unwrap_or_default()
            .to_owned(),
        metadata: element.attribute_value("metadata").map(str::to_owned),
        scope: NamespaceScope::in_scope_of(element),
    })
}

fn read_range(element: Element<'_>, control: &str, diagnostics: &mut Diagnostics) -> Range {
    let attribute = |name: &str| element.attribute_value(name).map(str::to_owned);
    let end = match (attribute("end"), attribute("stop")) {
        (None, Some(stop)) => {
            diagnostics.warning(
                Some(control),
                "range uses 'stop', which the specification does not define (4.2.5 says 'end'); read as 'end' as ECHO clients did",
            );
            Some(stop)
        }
        (end, _) => end,
    };
    Range {
        start: attribute("start"),
        end,
        step: attribute("step"),
    }
}

fn boolean_attribute(
    element: Element<'_>,
    name: &str,
    control: &str,
    diagnostics: &mut Diagnostics,
) -> bool {
    match element.attribute_value(name).map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            diagnostics.warning(
                Some(control),
                format!(
                    "{name}=\"{other}\" should be 'true' or 'false'; read as 'false', as ECHO clients did"
                ),
            );
            false
        }
    }
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
