//! The lint behind `forms check`: everything compiling finds, plus checks against the
//! form's own instance (every ref selects a node, every expression evaluates) and ids.

use std::collections::HashMap;

use serde::Serialize;

use super::compiled_control::{Behaviour, CompiledControl, CompiledTest, CompiledTreeItem};
use super::compiled_form::{CompiledForm, compile_form};
use super::diagnostics::{Diagnostics, Finding, Severity};
use super::document::{parse_document, root_element};
use super::expression::ExprId;
use super::imports::{FormImports, NoImports};
use super::model::{Control, describe};
use super::sxd_engine::SxdEngine;
use super::xpath_engine::{Node, XPathEngine, XPathValue};

/// The findings of `check_form`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// False when the form is not readable XML (or breaks a structural limit).
    pub readable: bool,
    pub findings: Vec<Finding>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// The findings of one severity, in the order found.
    pub fn of_severity(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity == severity)
    }
}

/// Lints a form that imports nothing.
pub fn check_form(form_xml: &str) -> CheckReport {
    check_form_with_imports(form_xml, &NoImports)
}

/// Lints a form, obtaining the forms it imports from `imports`.
pub fn check_form_with_imports(form_xml: &str, imports: &dyn FormImports) -> CheckReport {
    let compilation = match compile_form(form_xml, imports) {
        Ok(compilation) => compilation,
        Err(e) => {
            let mut diagnostics = Diagnostics::default();
            diagnostics.error(None, e.to_string());
            return CheckReport {
                readable: false,
                findings: diagnostics.into_findings(),
            };
        }
    };
    let mut diagnostics = Diagnostics::with_places(compilation.places);
    warn_duplicate_ids(&compilation.model.controls, &mut diagnostics);
    if let Some(form) = &compilation.form {
        check_against_instance(form, &mut diagnostics);
    }
    let mut findings = compilation.findings;
    findings.extend(diagnostics.into_findings());
    CheckReport {
        readable: true,
        findings,
    }
}

fn warn_duplicate_ids(controls: &[Control], diagnostics: &mut Diagnostics) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    count_ids(controls, &mut counts);
    let mut duplicates: Vec<(&str, usize)> = counts.into_iter().filter(|(_, n)| *n > 1).collect();
    duplicates.sort_unstable();
    for (id, count) in duplicates {
        diagnostics.warning(
            None,
            format!(
                "id '{id}' is used by {count} controls; ids should be unique (4.1.1.2) but ECHO \
                 tolerated duplicates; references and error messages name the first"
            ),
        );
    }
}

fn count_ids<'c>(controls: &'c [Control], counts: &mut HashMap<&'c str, usize>) {
    for control in controls {
        if let Some(id) = &control.id {
            *counts.entry(id).or_default() += 1;
        }
        count_ids(control.kind.children(), counts);
    }
}

fn check_against_instance(form: &CompiledForm, diagnostics: &mut Diagnostics) {
    let (Ok(package), Ok(engine)) = (parse_document(form.instance_xml()), form.engine()) else {
        diagnostics.error(None, "the instance cannot be evaluated");
        return;
    };
    let Some(root) = root_element(package.as_document()) else {
        return;
    };
    let mut checker = InstanceChecker {
        engine: &engine,
        diagnostics,
    };
    checker.check_controls(form.controls(), root.into());
    for reference in form.extension_refs() {
        if !matches!(
            checker
                .evaluate(None, *reference, root.into())
                .and_then(|v| v.first_node()),
            Some(Node::Element(_))
        ) {
            checker.diagnostics.warning(
                None,
                "an extension expression ref selects no element of the instance (8.4); \
                 clients skip such prepopulate/autopopulate targets, so deployed forms have them",
            );
        }
    }
}

struct InstanceChecker<'a> {
    engine: &'a SxdEngine,
    diagnostics: &'a mut Diagnostics,
}

impl InstanceChecker<'_> {
    fn check_controls(&mut self, controls: &[CompiledControl], context: Node<'_>) {
        for control in controls {
            self.check_control(control, context);
        }
    }

    fn check_control(&mut self, control: &CompiledControl, context: Node<'_>) {
        let name = describe(
            control.element,
            control.id.as_deref(),
            control.label.as_deref(),
        );
        for expression in expressions_of(control) {
            self.evaluate(Some(&name), expression, context);
        }
        let Some(bind) = control.bind else {
            self.check_controls(&control.children, context);
            return;
        };
        let Some(node) = self
            .evaluate(Some(&name), bind, context)
            .and_then(|value| value.first_node())
        else {
            self.diagnostics.error(
                Some(&name),
                "ref selects no node of the instance; every ref must have a node in the default instance (4.1.1.1)",
            );
            return;
        };
        if matches!(node, Node::Attribute(_))
            && matches!(
                control.behaviour,
                Behaviour::Group | Behaviour::Repeat { .. }
            )
        {
            self.diagnostics.warning(
                Some(&name),
                "a group or repeat ref should select an element (4.3.2.1, 4.3.3.1); \
                 refs of its children select nothing under an attribute",
            );
        }
        match &control.behaviour {
            Behaviour::Repeat {
                template: Some(template),
                ..
            } => self.check_template(&name, &control.children, template),
            _ => self.check_controls(&control.children, node),
        }
    }

    fn check_template(&mut self, name: &str, children: &[CompiledControl], template: &str) {
        match parse_document(template).ok().as_ref().and_then(|package| {
            root_element(package.as_document())
                .map(|root| self.check_controls(children, root.into()))
        }) {
            Some(()) => {}
            None => self
                .diagnostics
                .error(Some(name), "the repeat template is not a readable element"),
        }
    }

    fn evaluate<'d>(
        &mut self,
        name: Option<&str>,
        expression: ExprId,
        context: Node<'d>,
    ) -> Option<XPathValue<'d>> {
        self.engine
            .evaluate(expression, context)
            .map_err(|failure| self.diagnostics.error(name, failure.to_string()))
            .ok()
    }
}

/// The expressions of a control other than its ref.
fn expressions_of(control: &CompiledControl) -> Vec<ExprId> {
    let mut expressions: Vec<ExprId> = [control.relevant, control.required, control.readonly]
        .into_iter()
        .flatten()
        .collect();
    expressions.extend(control.constraints.iter().filter_map(|c| match c.test {
        CompiledTest::XPath(id) => Some(id),
        CompiledTest::Pattern(_) => None,
    }));
    match &control.behaviour {
        Behaviour::Output { value: Some(value) } => expressions.push(*value),
        Behaviour::Tree(rule) => collect_item_relevance(&rule.items, &mut expressions),
        _ => {}
    }
    expressions
}

fn collect_item_relevance(items: &[CompiledTreeItem], expressions: &mut Vec<ExprId>) {
    for item in items {
        expressions.extend(item.relevant);
        collect_item_relevance(&item.children, expressions);
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::form_xml;
    use super::*;

    fn messages(report: &CheckReport, severity: Severity) -> Vec<String> {
        report
            .of_severity(severity)
            .map(ToString::to_string)
            .collect()
    }

    fn assert_warns(ui: &str, expected: &str) {
        let report = check_form(&form_xml("<p:a/><p:b/>", ui));
        assert!(!report.has_errors(), "{:?}", report.findings);
        let warnings = messages(&report, Severity::Warning);
        assert!(
            warnings.iter().any(|w| w.contains(expected)),
            "{warnings:?}"
        );
    }

    fn assert_errs(ui: &str, expected: &str) {
        let report = check_form(&form_xml("<p:a/><p:b/>", ui));
        let errors = messages(&report, Severity::Error);
        assert!(errors.iter().any(|e| e.contains(expected)), "{errors:?}");
    }

    #[test]
    fn a_clean_form_has_no_findings() {
        let report = check_form(&form_xml(
            "<p:a/>",
            r#"<input id="a" ref="p:a" type="xs:int"/>"#,
        ));
        assert!(
            report.readable && report.findings.is_empty(),
            "{:?}",
            report.findings
        );
    }

    #[test]
    fn findings_about_a_control_say_where_it_starts() {
        let ui =
            "<input id=\"a\" ref=\"p:a\" type=\"xs:int\"/>\n  <input id=\"b\" ref=\"p:nowhere\"/>";
        let xml = form_xml("<p:a/>", ui);
        let report = check_form(&xml);
        let error = report
            .of_severity(Severity::Error)
            .find(|f| f.control.as_deref() == Some("input 'b'"))
            .unwrap_or_else(|| panic!("{:?}", report.findings));
        let line = xml
            .lines()
            .position(|l| l.contains("id=\"b\""))
            .map(|i| i + 1);
        let position = error.position.unwrap_or_else(|| panic!("{error:?}"));
        assert_eq!(Some(position.line as usize), line);
        assert_eq!(position.column, 3);
        let whole = check_form(
            &form_xml("<p:a/>", "<input id=\"a\" ref=\"p:a\"/>")
                .replace("<model>", "<x>")
                .replace("</model>", "</x>"),
        );
        assert!(
            whole.findings.iter().all(|f| f.position.is_none()),
            "{:?}",
            whole.findings
        );
    }

    #[test]
    fn tolerated_quirks_are_warnings_that_say_why() {
        assert_warns(
            r#"<input id="x" ref="p:a" type="xs:string"/><input id="x" ref="p:b" type="xs:string"/>"#,
            "ECHO tolerated duplicates",
        );
        assert_warns(
            r#"<input id="d" ref="p:a" type="xs:datetime"/>"#,
            "case-sensitive",
        );
        assert_warns(
            r#"<range id="r" ref="p:a" type="xs:int" start="1" stop="10" step="1"/>"#,
            "'stop'",
        );
        assert_warns(r#"<select id="s" ref="p:a" type="xs:string"/>"#, "no items");
        assert_warns(
            r#"<input id="t" ref="p:a" type="xsd:string"/>"#,
            "not declared",
        );
    }

    #[test]
    fn a_form_outside_the_echo_namespace_is_a_warning() {
        let xml = form_xml("<p:a/>", r#"<input id="a" ref="p:a" type="xs:int"/>"#)
            .replace(r#"xmlns="http://echo.nasa.gov/v9/echoforms""#, "");
        let report = check_form(&xml);
        assert!(!report.has_errors(), "{:?}", report.findings);
        assert!(
            messages(&report, Severity::Warning)
                .iter()
                .any(|w| w.contains("not http://echo.nasa.gov/v9/echoforms"))
        );
    }

    #[test]
    fn a_selectref_into_an_unavailable_import_is_a_warning() {
        let xml = form_xml("<p:a/>", r#"<selectref xmlns:sys="urn:sys" idref="sys:media" ref="p:a"><item value="FTP"/></selectref>"#)
            .replace("<model>", r#"<import name="SYSTEM_OPTIONS"/><model>"#);
        let report = check_form(&xml);
        assert!(!report.has_errors(), "{:?}", report.findings);
        assert!(
            messages(&report, Severity::Warning)
                .iter()
                .any(|w| w.contains("SYSTEM_OPTIONS"))
        );
    }

    #[test]
    fn real_problems_are_errors() {
        assert_errs(
            r#"<input id="a" ref="p:missing" type="xs:string"/>"#,
            "selects no node",
        );
        assert_errs(
            r#"<input id="a" ref="p:a[" type="xs:string"/>"#,
            "not an XPath 1.0 expression",
        );
        assert_errs(
            r#"<input id="a" ref="z:a" type="xs:string"/>"#,
            "prefix 'z'",
        );
        assert_errs(
            r#"<controlref idref="nowhere" ref="p:a"/>"#,
            "names no control",
        );
        assert_errs(
            r#"<input id="a" ref="p:a" type="xs:string" relevant="nope()"/>"#,
            "failed",
        );
        assert_errs(
            r#"<input id="a" ref="p:a" type="xs:string"><constraints><constraint><pattern>(</pattern></constraint></constraints></input>"#,
            "pattern",
        );
    }

    #[test]
    fn repeat_children_resolve_against_the_template() {
        let ui = r#"<repeat id="r" ref="p:pts"><template><p:pt xmlns:p="urn:test"><p:x/></p:pt></template>
                      <input id="x" ref="p:x" type="xs:int"/><input id="y" ref="p:y" type="xs:int"/></repeat>"#;
        let report = check_form(&form_xml("<p:pts/>", ui));
        let errors = messages(&report, Severity::Error);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains("'y'"));
    }

    /// A real MODIS form (MYD14.005, in the recorded traffic) prepopulates elements its
    /// instance lacks; ECHO accepted it and clients skip such targets, so this only warns.
    #[test]
    fn extension_refs_missing_from_the_instance_are_warnings() {
        let extension = r#"<extension name="pre:prepopulate" xmlns:pre="http://echo.nasa.gov/v9/echoforms/prepopulate">
            <pre:expressions><pre:expression ref="p:a" source="PREPOP"/><pre:expression ref="p:gone" source="X"/></pre:expressions></extension>"#;
        let xml = form_xml("<p:a/>", r#"<input id="a" ref="p:a" type="xs:string"/>"#)
            .replace("</instance>", &format!("</instance>{extension}"));
        let report = check_form(&xml);
        assert!(!report.has_errors(), "{:?}", report.findings);
        let warnings = messages(&report, Severity::Warning);
        assert_eq!(
            warnings.iter().filter(|w| w.contains("extension")).count(),
            1,
            "{warnings:?}"
        );
    }

    #[test]
    fn unreadable_forms_are_flagged() {
        assert!(!check_form("<form>").readable);
        assert!(!check_form("<!DOCTYPE form><form/>").readable);
        assert!(check_form("<form/>").has_errors());
    }
}
