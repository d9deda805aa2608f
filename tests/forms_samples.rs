//! The real provider forms in `forms/samples/`: each parses, passes `check`, and validating
//! its own instance gives the result the specification predicts (justified per form).

use echo_forms::{CompiledForm, Rule, ValidationOutcome, check_form};

fn sample(name: &str) -> String {
    let path = format!("{}/forms/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn validate_own_instance(name: &str) -> ValidationOutcome {
    let xml = sample(name);
    let report = check_form(&xml);
    assert!(
        report.readable && !report.has_errors(),
        "{name}: {:#?}",
        report.findings
    );
    CompiledForm::compile(&xml)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .validate_instance()
}

fn errors(outcome: &ValidationOutcome) -> Vec<(Option<&str>, Rule)> {
    outcome
        .errors
        .iter()
        .map(|e| (e.control_id.as_deref().or(e.label.as_deref()), e.rule))
        .collect()
}

/// demo-form1 binds many controls to `prov:reference` (value "123456"):
/// - `dateinput` (type `xs:datetime`, read as xs:dateTime) fails the type check: "123456"
///   is not an xs:dateTime (4.2.2, Appendix 9.1 "validate");
/// - `range` (start 1, `stop` read as end 10) fails: 123456 is above the end (4.2.5.2.2);
/// - `select` is single (multiple defaults to false, 4.2.4.2.3) but the instance holds two
///   `selectValue` elements.
///
/// Nothing is pruned: every `relevant` is true because `boolreference` is 'true'.
#[test]
fn demo_form1_own_instance_breaks_three_rules() {
    let outcome = validate_own_instance("edsc-demo-form1.xml");
    assert_eq!(
        errors(&outcome),
        vec![
            (Some("dateinput"), Rule::Type),
            (Some("range"), Rule::Range),
            (Some("select"), Rule::MultipleValues)
        ]
    );
}

/// example-form1 gives every control its own node with a valid default, except that the
/// single `select` and the `multiple-select` share `prov:selectReference`, which holds two
/// values: a single select may hold one (4.2.4.2.3). The tree values name items
/// (/Parent1/Child1-1/Child1-1-2/Child1-1-2-1 and /Parent4), the range value 5.0 lies on a
/// 0.1 step from 1.0, and the long 999999999999 and short 30000 are within bounds.
#[test]
fn example_form1_own_instance_only_breaks_the_single_select() {
    let outcome = validate_own_instance("edsc-example-form1.xml");
    assert_eq!(
        errors(&outcome),
        vec![(Some("select"), Rule::MultipleValues)]
    );
    let pruned = outcome.selection.unwrap_or_default();
    assert!(
        pruned.contains("/Parent4"),
        "every control is relevant, nothing is pruned"
    );
}

/// example-form2 defaults to FtpPull without processing: the FTP push group and the push
/// format select are not relevant (mediatype is not 'FtpPush'), nor are the subsetting
/// group (do-processing is 'false') and the ancillary group (do-ancillaryprocessing is not
/// 'true'), so their nodes are pruned (4.1.1.3, 5.1.4) and the pruned selection is valid:
/// the required media type select holds 'FtpPull', an item, and the processing switch's
/// constraint holds because do-processing = 'false'.
#[test]
fn example_form2_own_instance_is_valid_once_pruned() {
    let outcome = validate_own_instance("edsc-example-form2.xml");
    assert_eq!(errors(&outcome), vec![]);
    let pruned = outcome.selection.unwrap_or_default();
    for gone in ["ftppush>", "ftppush-format", "processing>", "ancillary>"] {
        assert!(
            !pruned.contains(&format!("ecs:{gone}")),
            "{gone} should be pruned: {pruned}"
        );
    }
    assert!(pruned.contains("<ecs:value>FtpPull</ecs:value>"));
}

/// example-form3 imports ECHO_SYSTEM_OPTIONS_V2, unavailable here, so its selectrefs keep
/// their own items. The instance is empty: processingType (required="true") and
/// browseTypeSelect (required="true") are relevant and hold no value, which Appendix 9.1
/// makes an error. processingOption and mediaType are not relevant (no processingType
/// value) and the shipping group is not relevant (no DVD media), so they are pruned.
#[test]
fn example_form3_own_instance_lacks_its_required_selections() {
    let outcome = validate_own_instance("edsc-example-form3.xml");
    assert_eq!(
        errors(&outcome),
        vec![
            (Some("Offered Data Processing Types"), Rule::RequiredEmpty),
            (Some("browseTypeSelect"), Rule::RequiredEmpty)
        ]
    );
    let pruned = outcome.selection.unwrap_or_default();
    assert!(
        !pruned.contains("processingOption") && !pruned.contains("shippingInfo"),
        "{pruned}"
    );
}

/// Validating the unpruned instance as submitted turns the pruned nodes into errors.
#[test]
fn example_form2_unpruned_instance_is_invalid_as_submitted() {
    let xml = sample("edsc-example-form2.xml");
    let form = CompiledForm::compile(&xml).unwrap_or_else(|e| panic!("{e}"));
    let outcome = form.validate_selection(form.instance_xml());
    let not_relevant: Vec<_> = outcome
        .errors
        .iter()
        .filter(|e| e.rule == Rule::NotRelevant)
        .collect();
    assert!(not_relevant.len() >= 4, "{:#?}", outcome.errors);
}
