//! Replaces `controlref` and `selectref` controls by the controls they reference (4.4).
//!
//! A reference copies its target, replaces the target's attributes by those it sets and
//! appends its constraints; a selectref also narrows the target's items. Targets are found
//! by id in this form or, through the prefix of `idref`, in an imported form. Imports are
//! not transitive, and a cycle of references is an error rather than an endless copy.

use super::diagnostics::Diagnostics;
use super::limits::MAX_CONTROLS;
use super::model::{Control, ControlKind, Item, Select};
use super::namespaces::NamespaceScope;

/// A form whose controls may be referenced.
pub struct ReferenceSource<'a> {
    pub target_namespace: Option<&'a str>,
    pub controls: &'a [Control],
    /// The instance scope of the referencing form, added to copied controls' scopes.
    pub importer_scope: Option<&'a NamespaceScope>,
}

/// Everything a reference may point into.
pub struct ReferenceTargets<'a> {
    pub own: ReferenceSource<'a>,
    pub imported: Vec<ReferenceSource<'a>>,
    /// Names of imports that could not be obtained.
    pub unavailable_imports: Vec<String>,
}

/// Returns `controls` with every reference resolved; unresolvable ones stay as they are.
pub fn resolve_references(
    controls: &[Control],
    targets: &ReferenceTargets<'_>,
    diagnostics: &mut Diagnostics,
) -> Vec<Control> {
    let mut resolver = Resolver {
        targets,
        diagnostics,
        expanding: Vec::new(),
        produced: 0,
    };
    resolver.resolve_all(controls)
}

struct Resolver<'a, 'd> {
    targets: &'a ReferenceTargets<'a>,
    diagnostics: &'d mut Diagnostics,
    expanding: Vec<String>,
    produced: usize,
}

impl<'a> Resolver<'a, '_> {
    fn resolve_all(&mut self, controls: &[Control]) -> Vec<Control> {
        controls
            .iter()
            .filter_map(|control| self.resolve(control))
            .collect()
    }

    fn resolve(&mut self, control: &Control) -> Option<Control> {
        self.produced += 1;
        if self.produced > MAX_CONTROLS {
            if self.produced == MAX_CONTROLS + 1 {
                self.diagnostics.error(
                    None,
                    format!("references expand the form past {MAX_CONTROLS} controls"),
                );
            }
            return None;
        }
        let idref = match &control.kind {
            ControlKind::ControlRef { idref } | ControlKind::SelectRef { idref, .. } => {
                idref.clone()
            }
            _ => {
                let children = self.resolve_all(control.kind.children());
                return Some(control.with_children(children));
            }
        };
        if self.expanding.contains(&idref) {
            self.diagnostics.error(
                Some(&control.describe()),
                format!("reference to '{idref}' is circular"),
            );
            return None;
        }
        let Some((target, importer_scope)) = self.find_target(control, &idref) else {
            self.report_missing(control, &idref);
            return Some(control.clone());
        };
        let merged = self.merge(control, target, importer_scope)?;
        self.expanding.push(idref);
        let resolved = self.resolve_children(merged);
        self.expanding.pop();
        Some(resolved)
    }

    fn resolve_children(&mut self, mut control: Control) -> Control {
        match &mut control.kind {
            ControlKind::Group { children } => *children = self.resolve_all(children),
            ControlKind::Repeat(repeat) => repeat.children = self.resolve_all(&repeat.children),
            _ => {}
        }
        control
    }

    fn find_target(
        &self,
        reference: &Control,
        idref: &str,
    ) -> Option<(&'a Control, Option<&'a NamespaceScope>)> {
        let (namespace, local) = match idref.split_once(':') {
            Some((prefix, local)) => (reference.scope.resolve(prefix), local),
            None => (self.targets.own.target_namespace, idref),
        };
        let sources = std::iter::once(&self.targets.own).chain(&self.targets.imported);
        sources
            .filter(|source| source.target_namespace == namespace)
            .find_map(|source| {
                find_by_id(source.controls, local).map(|target| (target, source.importer_scope))
            })
    }

    fn report_missing(&mut self, reference: &Control, idref: &str) {
        let describe = reference.describe();
        match self.targets.unavailable_imports.as_slice() {
            [] => self.diagnostics.error(Some(&describe), format!("idref '{idref}' names no control of this form or of an imported form (4.4.1.1)")),
            unavailable => self.diagnostics.warning(
                Some(&describe),
                format!(
                    "idref '{idref}' may name a control of imported form(s) {} that is not available here; \
                     ECHO tolerated this, so the reference is kept with its own items and attributes",
                    unavailable.join(", ")
                ),
            ),
        }
    }

    fn merge(
        &mut self,
        reference: &Control,
        target: &Control,
        importer_scope: Option<&NamespaceScope>,
    ) -> Option<Control> {
        let describe = reference.describe();
        if matches!(
            target.kind,
            ControlKind::ControlRef { .. } | ControlKind::SelectRef { .. }
        ) {
            self.diagnostics.error(
                Some(&describe),
                "a reference control may not reference another reference control (4.4)",
            );
            return None;
        }
        let mut merged = with_scope(target.clone(), importer_scope);
        override_attributes(&mut merged, reference);
        if let ControlKind::SelectRef { items, .. } = &reference.kind {
            let ControlKind::Select(select) = &mut merged.kind else {
                self.diagnostics.error(
                    Some(&describe),
                    "a selectref must reference a select control (4.4.3)",
                );
                return None;
            };
            select.items = self.narrow_items(&describe, select, items);
        }
        Some(merged)
    }

    fn narrow_items(&mut self, describe: &str, select: &Select, items: &[Item]) -> Vec<Item> {
        items
            .iter()
            .filter_map(
                |item| match select.items.iter().find(|known| known.value == item.value) {
                    Some(known) => Some(Item {
                        value: item.value.clone(),
                        label: item.label.clone().or_else(|| known.label.clone()),
                    }),
                    None => {
                        self.diagnostics.warning(
                            Some(describe),
                            format!(
                                "item '{}' is not an item of the referenced select (4.4.3.2.1); \
                                 a selectref only narrows its target, so the item is dropped",
                                item.value
                            ),
                        );
                        None
                    }
                },
            )
            .collect()
    }
}

fn find_by_id<'c>(controls: &'c [Control], id: &str) -> Option<&'c Control> {
    controls.iter().find_map(|control| {
        if control.id.as_deref() == Some(id) {
            Some(control)
        } else {
            find_by_id(control.kind.children(), id)
        }
    })
}

fn with_scope(mut control: Control, importer_scope: Option<&NamespaceScope>) -> Control {
    let Some(scope) = importer_scope else {
        return control;
    };
    control.scope = control.scope.then(scope);
    match &mut control.kind {
        ControlKind::Group { children } => {
            *children = std::mem::take(children)
                .into_iter()
                .map(|c| with_scope(c, Some(scope)))
                .collect()
        }
        ControlKind::Repeat(repeat) => {
            repeat.children = std::mem::take(&mut repeat.children)
                .into_iter()
                .map(|c| with_scope(c, Some(scope)))
                .collect()
        }
        _ => {}
    }
    control
}

fn override_attributes(merged: &mut Control, reference: &Control) {
    let replace = |target: &mut Option<String>, source: &Option<String>| {
        if source.is_some() {
            target.clone_from(source);
        }
    };
    replace(&mut merged.label, &reference.label);
    replace(&mut merged.reference, &reference.reference);
    replace(&mut merged.relevant, &reference.relevant);
    replace(&mut merged.required, &reference.required);
    replace(&mut merged.readonly, &reference.readonly);
    replace(&mut merged.type_name, &reference.type_name);
    replace(&mut merged.help, &reference.help);
    merged
        .constraints
        .extend(reference.constraints.iter().cloned());
}

#[cfg(test)]
mod tests {
    use super::super::compiled_form::CompiledForm;
    use super::super::imports::FormImports;
    use super::super::model::Import;
    use super::super::outcome::Rule;
    use super::super::test_support::{form_xml, rules, selection};

    struct SystemForms;

    impl FormImports for SystemForms {
        fn form_xml(&self, import: &Import) -> Option<String> {
            (import.name == "SYSTEM").then(|| {
                r#"<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:sys">
                     <model><instance><s:opts xmlns:s="urn:sys"><s:media/><s:push><s:port>21</s:port></s:push></s:opts></instance></model>
                     <ui><select id="media" ref="s:media" type="xs:string" valueElementName="value" label="Media">
                           <item value="FTPPUSH" label="FTP Push"/><item value="TAPE" label="Tape"/><item value="DVD"/></select>
                         <group id="push" ref="s:push" label="Push"><input id="port" ref="s:port" type="xs:int"/></group></ui></form>"#
                    .to_owned()
            })
        }
    }

    fn provider_form() -> CompiledForm {
        let ui = r#"<selectref xmlns:sys="urn:sys" idref="sys:media" ref="p:media" required="true()"><item value="FTPPUSH"/><item value="TAPE"/></selectref>
                    <controlref xmlns:sys="urn:sys" idref="sys:push" ref="p:push" relevant="p:media/p:value = 'FTPPUSH'">
                      <constraints><constraint><xpath>p:push/s:port = '21'</xpath><alert>port 21 only</alert></constraint></constraints>
                    </controlref>"#;
        let xml = form_xml(
            "<p:media/><p:push xmlns:s='urn:sys'><s:port>21</s:port></p:push>",
            ui,
        )
        .replace("<model>", r#"<import name="SYSTEM"/><model>"#)
        .replace(
            r#"<p:o xmlns:p="urn:test">"#,
            r#"<p:o xmlns:p="urn:test" xmlns:s="urn:sys">"#,
        );
        CompiledForm::compile_with_imports(&xml, &SystemForms).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn selectref_narrows_the_imported_select() {
        let form = provider_form();
        let check = |media: &str| {
            rules(&form.validate_selection(&selection(&format!(
                "<p:media><p:value>{media}</p:value></p:media>"
            ))))
        };
        assert_eq!(check("TAPE"), vec![]);
        assert_eq!(check("DVD"), vec![("media".to_owned(), Rule::NotAnItem)]);
        let none = form.validate_selection(&selection(""));
        assert_eq!(
            rules(&none),
            vec![("media".to_owned(), Rule::RequiredMissing)]
        );
    }

    #[test]
    fn controlref_copies_the_target_overrides_attributes_and_appends_constraints() {
        let form = provider_form();
        let push = |port: &str| {
            selection(&format!(
                "<p:media><p:value>FTPPUSH</p:value></p:media><p:push xmlns:s='urn:sys'><s:port>{port}</s:port></p:push>"
            ))
        };
        assert!(form.validate_selection(&push("21")).is_valid());
        let outcome = form.validate_selection(&push("x"));
        let found = rules(&outcome);
        assert!(
            found.contains(&("port".to_owned(), Rule::Type)),
            "{found:?}"
        );
        assert!(
            found.contains(&("push".to_owned(), Rule::Constraint)),
            "{found:?}"
        );
    }

    #[test]
    fn references_to_references_and_cycles_are_refused() {
        let cyclic = form_xml(
            "<p:a/>",
            r#"<group id="g" ref="p:a"><controlref idref="g"/></group>"#,
        );
        let error = CompiledForm::compile(&cyclic)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("circular"), "{error}");
        let chained = form_xml(
            "<p:a/>",
            r#"<input id="a" ref="p:a" type="xs:string"/><controlref id="r" idref="a"/><controlref idref="r"/>"#,
        );
        let error = CompiledForm::compile(&chained)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("another reference control"), "{error}");
    }
}
