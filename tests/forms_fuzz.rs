//! Deterministic mutation testing: no form or selection makes the engine panic, and the
//! structural limits refuse inputs that would make it run unbounded.

use echo_forms::limits::{MAX_ELEMENT_DEPTH, MAX_EXPRESSION_CHARS, MAX_NODES};
use echo_forms::{CompiledForm, Rule, check_form};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const SAMPLES: [&str; 4] = [
    "edsc-demo-form1.xml",
    "edsc-example-form1.xml",
    "edsc-example-form2.xml",
    "edsc-example-form3.xml",
];
const MUTATIONS_PER_SAMPLE: usize = 250;

/// Fragments that stress the parser, the XPath rewriter and the validator.
const FRAGMENTS: [&str; 24] = [
    "<",
    ">",
    "\"",
    "'",
    "[",
    "]",
    "(",
    ")",
    "//",
    "::",
    ":",
    "&lt;",
    "&amp;",
    "<!DOCTYPE x>",
    "<!-- c -->",
    " or ",
    " and ",
    "true",
    "[",
    "-",
    "*",
    "@",
    "<group ref=\"..\">",
    "</group>",
];

/// Mutations from a fixed seed: the same on every run.
struct Mutator(StdRng);

impl Mutator {
    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }

    fn mutate(&mut self, text: &str) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for _ in 0..=self.below(3) {
            let at = self.below(bytes.len());
            let len = self.below(24).min(bytes.len() - at);
            match self.below(4) {
                0 => {
                    bytes.drain(at..at + len);
                }
                1 => {
                    let copy = bytes[at..at + len].to_vec();
                    bytes.splice(at..at, copy);
                }
                2 => {
                    let fragment = FRAGMENTS[self.below(FRAGMENTS.len())].as_bytes();
                    bytes.splice(at..at, fragment.iter().copied());
                }
                _ => bytes.truncate(at.max(1)),
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

fn sample(name: &str) -> String {
    let path = format!("{}/forms/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs every entry point on `form_xml`, and the form's instance mutated as a selection.
fn exercise(form_xml: &str, mutator: &mut Mutator) {
    let _ = check_form(form_xml);
    if let Ok(form) = CompiledForm::compile(form_xml) {
        let _ = form.validate_instance();
        let selection = mutator.mutate(form.instance_xml());
        let _ = form.validate_selection(&selection);
        let _ = form.control_reports(&selection);
    }
}

#[test]
fn mutated_forms_and_selections_never_panic() {
    let mut mutator = Mutator(StdRng::seed_from_u64(0x9E37_79B9_7F4A_7C15));
    for name in SAMPLES {
        let xml = sample(name);
        for _ in 0..MUTATIONS_PER_SAMPLE {
            let mutated = mutator.mutate(&xml);
            exercise(&mutated, &mut mutator);
        }
    }
}

#[test]
fn mutated_expressions_never_panic() {
    let mut mutator = Mutator(StdRng::seed_from_u64(42));
    let expressions = [
        "prov:reference = '1'",
        "count(//prov:selectValue) > 1",
        "[prov:boolReference='true']",
        "not(true)",
    ];
    let xml = sample("edsc-example-form1.xml");
    for _ in 0..MUTATIONS_PER_SAMPLE {
        let chosen = expressions[mutator.below(expressions.len())];
        let expression = mutator.mutate(chosen).replace('"', "'");
        let form = xml.replace("prov:boolReference='true'", &expression);
        exercise(&form, &mut mutator);
    }
}

fn with_expression(expression: &str) -> String {
    sample("edsc-example-form1.xml").replace("prov:boolReference='true'", expression)
}

#[test]
fn expressions_beyond_the_limits_are_refused_at_compile_time() {
    let deep_parentheses = format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000));
    let nested_predicates = "//*[//*[//*[//*]]]".to_owned();
    let long = "1+".repeat(MAX_EXPRESSION_CHARS) + "1";
    for expression in [deep_parentheses, nested_predicates, long] {
        assert!(CompiledForm::compile(&with_expression(&expression)).is_err());
        assert!(check_form(&with_expression(&expression)).has_errors());
    }
}

#[test]
fn long_operator_chains_within_the_limits_evaluate() {
    let negations = format!("{}1 = 1", "-".repeat(MAX_EXPRESSION_CHARS / 2));
    let sums = "1+".repeat(MAX_EXPRESSION_CHARS / 2 - 8) + "1 > 0";
    for expression in [negations, sums] {
        if let Ok(form) = CompiledForm::compile(&with_expression(&expression)) {
            let _ = form.validate_instance();
        }
    }
}

#[test]
fn oversized_selections_are_refused_before_evaluation() {
    let form =
        CompiledForm::compile(&sample("edsc-example-form2.xml")).unwrap_or_else(|e| panic!("{e}"));
    let deep = format!(
        "<a>{}{}</a>",
        "<b>".repeat(MAX_ELEMENT_DEPTH * 100),
        "</b>".repeat(MAX_ELEMENT_DEPTH * 100)
    );
    let wide = format!("<a>{}</a>", "<b/>".repeat(MAX_NODES + 1));
    let entities = "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>".to_owned();
    for selection in [deep, wide, entities] {
        let outcome = form.validate_selection(&selection);
        assert!(
            outcome
                .errors
                .iter()
                .all(|e| e.rule == Rule::UnreadableSelection),
            "{:?}",
            outcome.errors
        );
    }
}

#[test]
fn a_large_repeat_within_the_limits_validates() {
    let items: String = (0..2_000)
        .map(|i| format!("<p:pt><p:x>{i}</p:x></p:pt>"))
        .collect();
    let form_xml = sample("edsc-example-form1.xml").replace(
        "<prov:reference>123456</prov:reference>",
        "<prov:reference>123456</prov:reference><prov:pts xmlns:p='urn:p'/>",
    );
    let form_xml = form_xml.replace(
        "<ui>",
        r#"<ui><repeat id="pts" ref="prov:pts" xmlns:p="urn:p"><template><p:pt xmlns:p="urn:p"><p:x/></p:pt></template>
             <input id="x" ref="p:x" type="xs:int" relevant="count(../p:pt) &gt; 0"/></repeat>"#,
    );
    let form = CompiledForm::compile(&form_xml).unwrap_or_else(|e| panic!("{e}"));
    let selection = form.instance_xml().replace(
        "<prov:pts xmlns:p='urn:p'/>",
        &format!("<prov:pts xmlns:p='urn:p'>{items}</prov:pts>"),
    );
    let outcome = form.validate_selection(&selection);
    assert!(
        outcome
            .errors
            .iter()
            .all(|e| e.control_id.as_deref() != Some("x")),
        "{:?}",
        outcome.errors
    );
}
