//! Validation of a selection per Appendix 9.1, then per control kind and constraints.
//!
//! | present | has value | supports value | required | relevant | result   |
//! |---------|-----------|----------------|----------|----------|----------|
//! | T       |           |                |          | F        | error    |
//! | F       |           |                | T        | T        | error    |
//! | F       |           |                |          | F        | ignore   |
//! | T       | T         | T              |          | T        | validate |
//! | T       | F         | T              | T        | T        | error    |
//! | T       |           | F              |          | T        | validate |
//! | F       |           |                | F        | T        | ignore   |
//! | T       | F         | T              | F        | T        | ignore   |
//!
//! "Validate" checks the type, range bounds, select items, repeat counts and then the
//! constraints in order; patterns are skipped for empty values.

use super::compiled_control::{Behaviour, CompiledControl, CompiledTest, SelectRule, TreeRule};
use super::document::child_elements;
use super::evaluation::{ControlState, Evaluation};
use super::outcome::{Rule, ValidationError};
use super::range::{RangeBounds, RangeValue, RangeViolation};
use super::selected_values::{SelectedValue, selected_values};
use super::xpath_engine::{Node, XPathEngine};

/// Applies the validation rules of a form to an evaluated selection.
pub struct FormValidator<'e, 'f, 'd, E> {
    engine: &'e E,
    evaluation: &'e Evaluation<'f, 'd>,
    errors: Vec<ValidationError>,
}

impl<'e, 'f, 'd, E: XPathEngine> FormValidator<'e, 'f, 'd, E> {
    /// Every error of the selection `evaluation` describes.
    pub fn validate(engine: &'e E, evaluation: &'e Evaluation<'f, 'd>) -> Vec<ValidationError> {
        let mut validator = FormValidator {
            engine,
            evaluation,
            errors: Vec::new(),
        };
        for (control, failure) in &evaluation.failures {
            validator.fail(control, Rule::Evaluation, failure.to_string(), None);
        }
        for state in &evaluation.states {
            validator.validate_state(state);
        }
        validator.errors
    }

    fn validate_state(&mut self, state: &ControlState<'f, 'd>) {
        let control = state.control;
        let Some(node) = state.node else {
            if state.required {
                self.fail(
                    control,
                    Rule::RequiredMissing,
                    "is required but the selection has no element for it".into(),
                    None,
                );
            }
            return;
        };
        if !state.relevant {
            if self.evaluation.is_irrelevant(node) {
                self.fail(
                    control,
                    Rule::NotRelevant,
                    "is not relevant, so its element must be pruned from the selection".into(),
                    None,
                );
            }
            return;
        }
        let values = ControlValues::read(control, node);
        if control.behaviour.supports_value() && values.is_empty() {
            if state.required {
                self.fail(
                    control,
                    Rule::RequiredEmpty,
                    "is required but has no value".into(),
                    None,
                );
            }
            return;
        }
        self.check_values(control, node, &values);
        self.check_constraints(state, &values);
    }

    fn check_values(
        &mut self,
        control: &'f CompiledControl,
        node: Node<'d>,
        values: &ControlValues<'d>,
    ) {
        match &control.behaviour {
            Behaviour::Text => {
                self.check_type(control, &values.texts());
            }
            Behaviour::Range(bounds) => self.check_range(control, bounds, &values.texts()),
            Behaviour::Select(rule) => self.check_select(control, rule, values),
            Behaviour::Tree(rule) => self.check_tree(control, rule, values),
            Behaviour::Repeat {
                min_items,
                max_items,
                ..
            } => self.check_repeat(control, node, *min_items, *max_items),
            Behaviour::Output { .. } | Behaviour::Group | Behaviour::Unresolved => {}
        }
    }

    fn check_type(&mut self, control: &'f CompiledControl, texts: &[&str]) -> bool {
        let mut valid = true;
        for text in texts
            .iter()
            .filter(|text| !control.value_type.accepts(text))
        {
            let message = format!(
                "'{}' is not a valid xs:{}",
                text.trim(),
                control.value_type.name()
            );
            self.fail(control, Rule::Type, message, None);
            valid = false;
        }
        valid
    }

    fn check_range(&mut self, control: &'f CompiledControl, bounds: &RangeBounds, texts: &[&str]) {
        if !self.check_type(control, texts) {
            return;
        }
        for text in texts {
            let Some(value) = RangeValue::parse(control.value_type, text) else {
                continue;
            };
            let why = match bounds.check(value) {
                Ok(()) => continue,
                Err(RangeViolation::BelowStart) => "is below the range start",
                Err(RangeViolation::AboveEnd) => "is above the range end",
                Err(RangeViolation::OffStep) => "is not on a step counted from the range start",
            };
            self.fail(
                control,
                Rule::Range,
                format!("'{}' {why}", text.trim()),
                None,
            );
        }
    }

    fn check_select(
        &mut self,
        control: &'f CompiledControl,
        rule: &SelectRule,
        values: &ControlValues<'d>,
    ) {
        if !rule.multiple && values.selected.len() > 1 {
            let message = format!(
                "is a single select but holds {} values",
                values.selected.len()
            );
            self.fail(control, Rule::MultipleValues, message, None);
        }
        let texts = values.texts();
        if rule.open {
            if texts.iter().any(|t| t.trim().is_empty()) {
                self.fail(
                    control,
                    Rule::NotAnItem,
                    "holds an empty value (4.2.4.2.4)".into(),
                    None,
                );
            }
            let filled: Vec<&str> = texts.into_iter().filter(|t| !t.trim().is_empty()).collect();
            self.check_type(control, &filled);
            return;
        }
        for text in texts
            .iter()
            .map(|t| t.trim())
            .filter(|t| !rule.items.iter().any(|item| item == t))
        {
            self.fail(
                control,
                Rule::NotAnItem,
                format!("'{text}' is not one of the select's items"),
                None,
            );
        }
    }

    fn check_tree(
        &mut self,
        control: &'f CompiledControl,
        rule: &TreeRule,
        values: &ControlValues<'d>,
    ) {
        for value in &values.selected {
            let text = value.text.trim();
            if rule.path(text).is_none() {
                self.fail(
                    control,
                    Rule::NotAnItem,
                    format!("'{text}' does not name an item of the tree"),
                    None,
                );
            } else if value
                .element
                .is_some_and(|e| self.evaluation.is_irrelevant(e.into()))
            {
                self.fail(
                    control,
                    Rule::NotRelevant,
                    format!("'{text}' names a tree item that is not relevant"),
                    None,
                );
            }
        }
    }

    fn check_repeat(
        &mut self,
        control: &'f CompiledControl,
        node: Node<'d>,
        min_items: usize,
        max_items: usize,
    ) {
        let Node::Element(container) = node else {
            return;
        };
        let count = child_elements(container).count();
        if count < min_items || count > max_items {
            let message = format!(
                "holds {count} items, outside minItems {min_items} and maxItems {max_items}"
            );
            self.fail(control, Rule::RepeatCount, message, None);
        }
    }

    fn check_constraints(&mut self, state: &ControlState<'f, 'd>, values: &ControlValues<'d>) {
        let control = state.control;
        for constraint in &control.constraints {
            let alert = constraint.alert.clone();
            match &constraint.test {
                CompiledTest::XPath(expression) => {
                    match self.engine.evaluate_boolean(*expression, state.context) {
                        Ok(true) => {}
                        Ok(false) => self.fail(
                            control,
                            Rule::Constraint,
                            "does not satisfy an XPath constraint".into(),
                            alert,
                        ),
                        Err(failure) => {
                            self.fail(control, Rule::Evaluation, failure.to_string(), alert)
                        }
                    }
                }
                CompiledTest::Pattern(pattern) => {
                    for text in values.texts().into_iter().filter(|t| !t.trim().is_empty()) {
                        if !pattern.matches(text) {
                            self.fail(
                                control,
                                Rule::Pattern,
                                format!("'{text}' does not match the pattern"),
                                alert.clone(),
                            );
                        }
                    }
                }
            }
        }
    }

    fn fail(
        &mut self,
        control: &CompiledControl,
        rule: Rule,
        message: String,
        alert: Option<String>,
    ) {
        self.errors.push(ValidationError {
            control_id: control.id.clone(),
            label: control.label.clone(),
            rule,
            message,
            alert,
        });
    }
}

/// The values a control holds in the selection.
struct ControlValues<'d> {
    selected: Vec<SelectedValue<'d>>,
}

impl<'d> ControlValues<'d> {
    fn read(control: &CompiledControl, node: Node<'d>) -> Self {
        let selected = match &control.behaviour {
            Behaviour::Select(rule) => selected_values(node, rule.value_element.as_deref()),
            Behaviour::Tree(rule) => selected_values(node, rule.value_element.as_deref()),
            _ => {
                let text = node.string_value();
                let has_value = !text.trim().is_empty();
                has_value
                    .then_some(SelectedValue {
                        element: None,
                        text,
                    })
                    .into_iter()
                    .collect()
            }
        };
        ControlValues { selected }
    }

    /// "Has a value" in Appendix 9.1.
    fn is_empty(&self) -> bool {
        self.selected.is_empty()
    }

    fn texts(&self) -> Vec<&str> {
        self.selected.iter().map(|v| v.text.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::outcome::Rule::*;
    use super::super::test_support::{compile, expect, rules, selection};

    const INT_INPUT: &str = r#"<input id="n" ref="p:n" type="xs:int" required="p:req = 'yes'" relevant="p:rel = 'yes'"/>"#;

    fn validate(body: &str) -> Vec<(String, super::super::outcome::Rule)> {
        let form = compile("<p:n/><p:req/><p:rel/>", INT_INPUT);
        rules(&form.validate_selection(&selection(body)))
    }

    #[test]
    fn appendix_9_1_present_and_not_relevant_is_an_error() {
        assert_eq!(
            validate("<p:n>1</p:n><p:rel>no</p:rel>"),
            expect(&[("n", NotRelevant)])
        );
        assert_eq!(
            validate("<p:n/><p:rel>no</p:rel><p:req>yes</p:req>"),
            expect(&[("n", NotRelevant)])
        );
    }

    #[test]
    fn appendix_9_1_absent_required_and_relevant_is_an_error() {
        assert_eq!(
            validate("<p:rel>yes</p:rel><p:req>yes</p:req>"),
            expect(&[("n", RequiredMissing)])
        );
    }

    #[test]
    fn appendix_9_1_absent_and_not_relevant_is_ignored_even_if_required() {
        assert_eq!(validate("<p:rel>no</p:rel><p:req>yes</p:req>"), expect(&[]));
    }

    #[test]
    fn appendix_9_1_present_with_value_and_relevant_is_validated() {
        assert_eq!(
            validate("<p:n>x</p:n><p:rel>yes</p:rel>"),
            expect(&[("n", Type)])
        );
        assert_eq!(validate("<p:n>7</p:n><p:rel>yes</p:rel>"), expect(&[]));
    }

    #[test]
    fn appendix_9_1_present_empty_required_and_relevant_is_an_error() {
        assert_eq!(
            validate("<p:n> </p:n><p:rel>yes</p:rel><p:req>yes</p:req>"),
            expect(&[("n", RequiredEmpty)])
        );
    }

    #[test]
    fn appendix_9_1_present_without_value_support_and_relevant_is_validated() {
        let form = compile(
            "<p:g><p:a>1</p:a></p:g>",
            r#"<group id="g" ref="p:g" required="true()"><constraints><constraint>
                 <xpath>p:g/p:a = 2</xpath><alert>a must be 2</alert></constraint></constraints></group>"#,
        );
        let outcome = form.validate_selection(&selection("<p:g><p:a>1</p:a></p:g>"));
        assert_eq!(rules(&outcome), expect(&[("g", Constraint)]));
        assert_eq!(outcome.errors[0].alert.as_deref(), Some("a must be 2"));
        assert!(
            form.validate_selection(&selection("")).is_valid(),
            "required is ignored on groups"
        );
    }

    #[test]
    fn appendix_9_1_absent_not_required_and_relevant_is_ignored() {
        assert_eq!(validate("<p:rel>yes</p:rel>"), expect(&[]));
    }

    #[test]
    fn appendix_9_1_present_empty_not_required_and_relevant_is_ignored() {
        assert_eq!(validate("<p:n></p:n><p:rel>yes</p:rel>"), expect(&[]));
    }

    #[test]
    fn required_accepts_literal_words_and_predicate_forms() {
        let form = compile(
            "<p:a/><p:b/><p:c/>",
            r#"<input id="a" ref="p:a" type="xs:string" required="true"/>
               <input id="b" ref="p:b" type="xs:string" required="false"/>
               <input id="c" ref="p:c" type="xs:string" required="[p:a = '']"/>"#,
        );
        let outcome = form.validate_selection(&selection("<p:a/><p:b/><p:c/>"));
        assert_eq!(
            rules(&outcome),
            expect(&[("a", RequiredEmpty), ("c", RequiredEmpty)])
        );
    }

    #[test]
    fn constraints_run_in_order_and_patterns_are_anchored_and_skip_empty_values() {
        let form = compile(
            "<p:f/>",
            r#"<input id="f" ref="p:f" type="xs:string"><constraints>
                 <constraint><xpath>string-length(p:f) &lt; 6</xpath><alert>short</alert></constraint>
                 <constraint><pattern>[a-z]+</pattern><alert>letters</alert></constraint>
               </constraints></input>"#,
        );
        let alerts = |body: &str| {
            form.validate_selection(&selection(body))
                .errors
                .into_iter()
                .map(|e| e.alert.unwrap_or_default())
                .collect::<Vec<_>>()
        };
        assert_eq!(alerts("<p:f>abc</p:f>"), Vec::<String>::new());
        assert_eq!(alerts("<p:f>abc1</p:f>"), vec!["letters"]);
        assert_eq!(alerts("<p:f>abcdefg1</p:f>"), vec!["short", "letters"]);
        assert_eq!(alerts("<p:f></p:f>"), Vec::<String>::new());
    }

    #[test]
    fn select_values_follow_value_element_name_items_and_multiplicity() {
        let form = compile(
            "<p:s/><p:m/><p:o/>",
            r#"<select id="s" ref="p:s" type="xs:string" valueElementName="v"><item value="A"/><item value="B"/></select>
               <select id="m" ref="p:m" type="xs:string" multiple="true" valueElementName="v"><item value="A"/><item value="B"/></select>
               <select id="o" ref="p:o" type="xs:int" open="true" valueElementName="v"><item value="1"/></select>"#,
        );
        let check = |body: &str| rules(&form.validate_selection(&selection(body)));
        assert_eq!(
            check(
                "<p:s><p:v>A</p:v></p:s><p:m><p:v>A</p:v><p:v>B</p:v></p:m><p:o><p:v>42</p:v></p:o>"
            ),
            expect(&[])
        );
        assert_eq!(
            check("<p:s><p:v>A</p:v><p:v>B</p:v></p:s>"),
            expect(&[("s", MultipleValues)])
        );
        assert_eq!(
            check("<p:m><p:v>A</p:v><p:v>C</p:v></p:m>"),
            expect(&[("m", NotAnItem)])
        );
        assert_eq!(
            check("<p:s><p:other>C</p:other></p:s>"),
            expect(&[]),
            "only valueElementName children are values"
        );
        assert_eq!(check("<p:o><p:v>4x</p:v></p:o>"), expect(&[("o", Type)]));
        assert_eq!(check("<p:o><p:v/></p:o>"), expect(&[("o", NotAnItem)]));
    }

    #[test]
    fn range_values_respect_type_bounds_and_step() {
        let form = compile(
            "<p:r/>",
            r#"<range id="r" ref="p:r" type="xs:int" start="0" end="100" step="5"/>"#,
        );
        let check = |value: &str| {
            rules(&form.validate_selection(&selection(&format!("<p:r>{value}</p:r>"))))
        };
        assert_eq!(check("25"), expect(&[]));
        assert_eq!(check("26"), expect(&[("r", Range)]));
        assert_eq!(check("105"), expect(&[("r", Range)]));
        assert_eq!(check("2.5"), expect(&[("r", Type)]));
    }

    #[test]
    fn repeat_counts_items_and_validates_each_item() {
        let form = compile(
            "<p:pts><p:pt><p:x>0</p:x></p:pt></p:pts>",
            r#"<repeat id="pts" ref="p:pts" minItems="1" maxItems="2"><template><p:pt xmlns:p="urn:test"><p:x>0</p:x></p:pt></template>
                 <input id="x" ref="p:x" type="xs:int"/></repeat>"#,
        );
        let check = |body: &str| rules(&form.validate_selection(&selection(body)));
        assert_eq!(
            check("<p:pts><p:pt><p:x>1</p:x></p:pt><p:pt><p:x>2</p:x></p:pt></p:pts>"),
            expect(&[])
        );
        assert_eq!(check("<p:pts/>"), expect(&[("pts", RepeatCount)]));
        assert_eq!(
            check(
                "<p:pts><p:pt><p:x>a</p:x></p:pt><p:pt><p:x>1</p:x></p:pt><p:pt><p:x>b</p:x></p:pt></p:pts>"
            ),
            expect(&[("pts", RepeatCount), ("x", Type), ("x", Type)])
        );
    }

    #[test]
    fn tree_values_are_item_paths_and_must_be_relevant() {
        let form = compile(
            "<p:t/><p:on/>",
            r#"<tree id="t" ref="p:t" type="xs:string" valueElementName="l" separator="/">
                 <item value="A"><item value="A1"/><item value="A2" relevant="p:on = 'yes'"/></item><item value="B"/>
               </tree>"#,
        );
        let check = |body: &str| rules(&form.validate_selection(&selection(body)));
        assert_eq!(
            check("<p:t><p:l>/A/A1</p:l><p:l>/B</p:l><p:l>A</p:l></p:t>"),
            expect(&[])
        );
        assert_eq!(
            check("<p:t><p:l>/A/B</p:l></p:t>"),
            expect(&[("t", NotAnItem)])
        );
        assert_eq!(
            check("<p:t><p:l>/A/A2</p:l></p:t><p:on>no</p:on>"),
            expect(&[("t", NotRelevant)])
        );
        assert_eq!(
            check("<p:t><p:l>/A/A2</p:l></p:t><p:on>yes</p:on>"),
            expect(&[])
        );
    }

    #[test]
    fn runtime_expression_failures_are_errors_not_panics() {
        let form = compile(
            "<p:a>1</p:a>",
            r#"<input id="a" ref="p:a" type="xs:string" relevant="no-such-function()"/>"#,
        );
        let outcome = form.validate_selection(&selection("<p:a>1</p:a>"));
        assert_eq!(rules(&outcome), expect(&[("a", Evaluation)]));
    }

    #[test]
    fn unreadable_selections_are_reported() {
        let form = compile("<p:a/>", r#"<input id="a" ref="p:a" type="xs:string"/>"#);
        let outcome = form.validate_selection("<p:o xmlns:p='urn:test'>");
        assert!(outcome.is_unreadable());
        assert!(form.validate_selection("<!DOCTYPE x><x/>").is_unreadable());
    }
}
