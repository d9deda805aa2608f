//! The parsed form (sections 2 to 4 and the extensions real forms use), before control
//! references are resolved and expressions compiled.

use super::namespaces::NamespaceScope;

pub const ECHO_FORMS_NAMESPACE: &str = "http://echo.nasa.gov/v9/echoforms";
pub const AUTOPOPULATE_NAMESPACE: &str = "http://echo.nasa.gov/v9/echoforms/autopopulate";
pub const PREPOPULATE_NAMESPACE: &str = "http://echo.nasa.gov/v9/echoforms/prepopulate";

/// An ECHO form.
#[derive(Debug, Clone, Default)]
pub struct Form {
    pub target_namespace: Option<String>,
    pub imports: Vec<Import>,
    pub instance: Instance,
    pub extensions: Vec<ExtensionExpression>,
    pub controls: Vec<Control>,
}

/// An `import` of another registered form (2.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub name: String,
    pub scope: ImportScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportScope {
    System,
    Provider,
}

/// The model instance: the selection a client starts from (3.1).
#[derive(Debug, Clone, Default)]
pub struct Instance {
    /// The instance root serialized as a standalone document.
    pub xml: String,
    /// Prefixes declared on (or inherited by) the instance root: the XPath namespace context.
    pub scope: NamespaceScope,
}

/// One expression of the autopopulate or prepopulate extension (section 8).
#[derive(Debug, Clone)]
pub struct ExtensionExpression {
    pub extension: Extension,
    pub reference: String,
    /// Autopopulate: XPath into the granule metadata.
    pub metadata: Option<String>,
    pub scope: NamespaceScope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extension {
    Autopopulate,
    Prepopulate,
}

impl Extension {
    pub fn name(self) -> &'static str {
        match self {
            Extension::Autopopulate => "autopopulate",
            Extension::Prepopulate => "prepopulate",
        }
    }
}

/// A user interface control with its common attributes (4.1.1).
#[derive(Debug, Clone)]
pub struct Control {
    pub kind: ControlKind,
    pub id: Option<String>,
    pub label: Option<String>,
    pub reference: Option<String>,
    pub relevant: Option<String>,
    pub required: Option<String>,
    pub readonly: Option<String>,
    pub type_name: Option<String>,
    pub help: Option<String>,
    pub constraints: Vec<Constraint>,
    /// Prefixes for this control's expressions: the instance root's, then the element's.
    pub scope: NamespaceScope,
}

impl Control {
    /// A short name for messages: `select 'mediaTypeSelect'` or `input "Username"`.
    pub fn describe(&self) -> String {
        describe(
            self.kind.element_name(),
            self.id.as_deref(),
            self.label.as_deref(),
        )
    }

    /// A copy of this control with `children` in place of its own (a group's or a repeat's),
    /// made without copying the children it replaces.
    pub fn with_children(&self, children: Vec<Control>) -> Control {
        let kind = match &self.kind {
            ControlKind::Group { .. } => ControlKind::Group { children },
            ControlKind::Repeat(repeat) => ControlKind::Repeat(Repeat {
                template: repeat.template.clone(),
                min_items: repeat.min_items.clone(),
                max_items: repeat.max_items.clone(),
                children,
            }),
            other => other.clone(),
        };
        Control {
            kind,
            id: self.id.clone(),
            label: self.label.clone(),
            reference: self.reference.clone(),
            relevant: self.relevant.clone(),
            required: self.required.clone(),
            readonly: self.readonly.clone(),
            type_name: self.type_name.clone(),
            help: self.help.clone(),
            constraints: self.constraints.clone(),
            scope: self.scope.clone(),
        }
    }
}

/// Names a control by its element and its id, or failing that its label.
pub fn describe(element: &str, id: Option<&str>, label: Option<&str>) -> String {
    match (id, label) {
        (Some(id), _) => format!("{element} '{id}'"),
        (None, Some(label)) => format!("{element} \"{label}\""),
        (None, None) => element.to_owned(),
    }
}

#[derive(Debug, Clone)]
pub enum ControlKind {
    Input,
    Secret,
    TextArea,
    Output { value: Option<String> },
    Select(Select),
    Tree(Tree),
    Range(Range),
    Group { children: Vec<Control> },
    Repeat(Repeat),
    ControlRef { idref: String },
    SelectRef { idref: String, items: Vec<Item> },
}

impl ControlKind {
    pub fn element_name(&self) -> &'static str {
        match self {
            ControlKind::Input => "input",
            ControlKind::Secret => "secret",
            ControlKind::TextArea => "textarea",
            ControlKind::Output { .. } => "output",
            ControlKind::Select(_) => "select",
            ControlKind::Tree(_) => "tree",
            ControlKind::Range(_) => "range",
            ControlKind::Group { .. } => "group",
            ControlKind::Repeat(_) => "repeat",
            ControlKind::ControlRef { .. } => "controlref",
            ControlKind::SelectRef { .. } => "selectref",
        }
    }

    pub fn children(&self) -> &[Control] {
        match self {
            ControlKind::Group { children } => children,
            ControlKind::Repeat(repeat) => &repeat.children,
            _ => &[],
        }
    }
}

/// A select (4.2.4).
#[derive(Debug, Clone, Default)]
pub struct Select {
    pub multiple: bool,
    pub open: bool,
    pub value_element_name: Option<String>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub value: String,
    pub label: Option<String>,
}

/// A tree: a select whose items nest; a selected value is the path of item values.
/// `cascade` and `simplifyOutput` only shape how a client writes paths (a parent's path
/// standing for its subtree), and every item path is a valid value, so they are not kept.
#[derive(Debug, Clone)]
pub struct Tree {
    pub value_element_name: Option<String>,
    pub separator: String,
    pub items: Vec<TreeItem>,
}

#[derive(Debug, Clone)]
pub struct TreeItem {
    pub value: String,
    pub relevant: Option<String>,
    pub required: Option<String>,
    pub children: Vec<TreeItem>,
}

/// A range (4.2.5), attributes as written.
#[derive(Debug, Clone, Default)]
pub struct Range {
    pub start: Option<String>,
    pub end: Option<String>,
    pub step: Option<String>,
}

/// A repeat (4.3.3).
#[derive(Debug, Clone, Default)]
pub struct Repeat {
    /// The template root serialized as a standalone document.
    pub template: Option<String>,
    pub min_items: Option<String>,
    pub max_items: Option<String>,
    pub children: Vec<Control>,
}

/// A constraint (4.1.1.8): an XPath or a pattern, and the alert shown when it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    pub test: ConstraintTest,
    pub alert: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConstraintTest {
    XPath(String),
    Pattern(String),
}
