//! The lint audit of `forms check` (issue 11): an error is only for what makes a form
//! unusable; a violation of the specification's wording that real forms contain is a warning
//! and the form still compiles. One minimal form per moved rule and per remaining error.

use echo_forms::{CheckReport, CompiledForm, Severity, check_form};

/// A form whose instance root is `<p:o xmlns:p="urn:test">` holding `instance`.
fn form(instance: &str, ui: &str) -> String {
    format!(
        r#"<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xs="http://www.w3.org/2001/XMLSchema"
                 targetNamespace="urn:form"><model><instance><p:o xmlns:p="urn:test">{instance}</p:o></instance></model>
           <ui>{ui}</ui></form>"#
    )
}

/// Whether a finding of `severity` says `expected`.
fn mentions(report: &CheckReport, severity: Severity, expected: &str) -> bool {
    report
        .of_severity(severity)
        .any(|finding| finding.message.contains(expected))
}

/// The form lints with no error, warns with `expected`, and compiles.
fn assert_warning(xml: &str, expected: &str) {
    let report = check_form(xml);
    assert!(
        report.readable && !report.has_errors(),
        "{:?}",
        report.findings
    );
    assert!(
        mentions(&report, Severity::Warning, expected),
        "no warning with {expected:?}: {:?}",
        report.findings
    );
    assert!(CompiledForm::compile(xml).is_ok(), "a warned form compiles");
}

/// The form lints with an error saying `expected`. Problems found only by evaluating the
/// form against its own instance are lint errors; the others also stop compilation.
fn assert_lint_error(xml: &str, expected: &str) {
    let report = check_form(xml);
    assert!(
        mentions(&report, Severity::Error, expected),
        "no error with {expected:?}: {:?}",
        report.findings
    );
}

/// The form lints with an error saying `expected`, and does not compile.
fn assert_error(xml: &str, expected: &str) {
    assert_lint_error(xml, expected);
    assert!(
        CompiledForm::compile(xml).is_err(),
        "an unusable form does not compile"
    );
}

mod moved_to_warnings {
    use super::*;

    /// The production form of issue 11: `<item label="No Reformatting" value=""/>`.
    #[test]
    fn an_item_with_an_empty_value() {
        let xml = form(
            "<p:fmt><p:value/></p:fmt>",
            r#"<select id="fmt" ref="p:fmt" type="xs:string" valueElementName="value">
                 <item label="No Reformatting" value=""/><item label="GeoTIFF" value="GeoTIFF"/></select>"#,
        );
        assert_warning(&xml, "at least one character");
        let compiled = CompiledForm::compile(&xml).expect("compiles");
        assert!(compiled.validate_instance().is_valid());
    }

    #[test]
    fn a_type_that_is_not_an_echo_forms_type() {
        let xml = form("<p:a/>", r#"<input id="a" ref="p:a" type="xs:float"/>"#);
        assert_warning(&xml, "validated as xs:string");
    }

    #[test]
    fn a_type_prefix_that_is_not_xml_schema() {
        let bound_elsewhere = r#"<input id="a" ref="p:a" type="q:int" xmlns:q="urn:x"/>"#;
        assert_warning(&form("<p:a/>", bound_elsewhere), "not XML Schema");
        let undeclared = r#"<input id="a" ref="p:a" type="q:int"/>"#;
        assert_warning(&form("<p:a/>", undeclared), "is not declared");
    }

    #[test]
    fn a_boolean_attribute_that_is_neither_true_nor_false() {
        let xml = form(
            "<p:a/>",
            r#"<select id="s" ref="p:a" type="xs:string" multiple="yes"><item value="x"/></select>"#,
        );
        assert_warning(&xml, "read as 'false'");
    }

    #[test]
    fn a_constraint_with_both_xpath_and_pattern() {
        let xml = form(
            "<p:a>ab</p:a>",
            r#"<input id="a" ref="p:a" type="xs:string"><constraints><constraint>
                 <xpath>string-length(.) &lt; 5</xpath><pattern>[a-z]+</pattern><alert>x</alert>
               </constraint></constraints></input>"#,
        );
        assert_warning(&xml, "both are applied");
    }

    #[test]
    fn a_constraint_with_neither_xpath_nor_pattern() {
        let xml = form(
            "<p:a/>",
            r#"<input id="a" ref="p:a" type="xs:string"><constraints><constraint><alert>x</alert></constraint></constraints></input>"#,
        );
        assert_warning(&xml, "tests nothing");
    }

    #[test]
    fn an_output_with_both_ref_and_value() {
        let xml = form(
            "<p:a/>",
            r#"<output id="o" ref="p:a" value="'shown'" type="xs:string"/>"#,
        );
        assert_warning(&xml, "not both");
    }

    #[test]
    fn a_range_bound_that_is_not_a_value_of_its_type() {
        let xml = form(
            "<p:a>1</p:a>",
            r#"<range id="r" ref="p:a" type="xs:int" start="one" end="10"/>"#,
        );
        assert_warning(&xml, "it is ignored");
    }

    #[test]
    fn a_range_whose_start_is_after_its_end() {
        let xml = form(
            "<p:a/>",
            r#"<range id="r" ref="p:a" type="xs:int" start="10" end="1"/>"#,
        );
        assert_warning(&xml, "after its end");
    }

    #[test]
    fn a_repeat_count_that_is_not_a_non_negative_int() {
        let xml = form(
            "<p:pts/>",
            r#"<repeat id="r" ref="p:pts" minItems="-1"><template><p:pt xmlns:p="urn:test"/></template></repeat>"#,
        );
        assert_warning(&xml, "non-negative xs:int");
    }

    #[test]
    fn a_repeat_whose_min_items_exceeds_max_items() {
        let xml = form(
            "<p:pts/>",
            r#"<repeat id="r" ref="p:pts" minItems="3" maxItems="1"><template><p:pt xmlns:p="urn:test"/></template></repeat>"#,
        );
        assert_warning(&xml, "minItems is greater than maxItems");
    }

    #[test]
    fn a_selectref_item_missing_from_its_target() {
        let xml = form(
            "<p:a/><p:b/>",
            r#"<select id="s" ref="p:a" type="xs:string"><item value="x"/></select>
               <selectref idref="s" ref="p:b"><item value="x"/><item value="y"/></selectref>"#,
        );
        assert_warning(&xml, "the item is dropped");
    }

    #[test]
    fn a_group_bound_to_an_attribute() {
        let xml = form("<p:e p:flag='1'/>", r#"<group id="g" ref="p:e/@p:flag"/>"#);
        assert_warning(&xml, "should select an element");
    }
}

mod still_errors {
    use super::*;

    #[test]
    fn not_well_formed_xml() {
        let report = check_form("<form><model>");
        assert!(!report.readable && report.has_errors());
        assert!(CompiledForm::compile("<form><model>").is_err());
    }

    #[test]
    fn a_root_element_that_is_not_form() {
        assert_error("<notaform/>", "not <form>");
    }

    #[test]
    fn no_model() {
        assert_error(
            r#"<form xmlns="http://echo.nasa.gov/v9/echoforms"><ui/></form>"#,
            "no <model>",
        );
    }

    #[test]
    fn a_model_without_an_instance_root() {
        assert_error(
            r#"<form xmlns="http://echo.nasa.gov/v9/echoforms"><model><instance/></model><ui/></form>"#,
            "no <instance>",
        );
    }

    #[test]
    fn an_idref_naming_no_control() {
        assert_error(
            &form("<p:a/>", r#"<controlref idref="nowhere" ref="p:a"/>"#),
            "names no control",
        );
    }

    #[test]
    fn a_circular_reference() {
        assert_error(
            &form(
                "<p:a/>",
                r#"<group id="g" ref="p:a"><controlref idref="g"/></group>"#,
            ),
            "circular",
        );
    }

    #[test]
    fn a_reference_to_a_reference() {
        assert_error(
            &form(
                "<p:a/>",
                r#"<input id="a" ref="p:a" type="xs:string"/><controlref id="r" idref="a"/><controlref idref="r"/>"#,
            ),
            "another reference control",
        );
    }

    #[test]
    fn a_selectref_to_a_control_that_is_not_a_select() {
        assert_error(
            &form(
                "<p:a/>",
                r#"<input id="a" ref="p:a" type="xs:string"/><selectref idref="a" ref="p:a"><item value="x"/></selectref>"#,
            ),
            "must reference a select",
        );
    }

    #[test]
    fn an_xpath_that_does_not_compile() {
        assert_error(
            &form("<p:a/>", r#"<input id="a" ref="p:a[" type="xs:string"/>"#),
            "not an XPath 1.0 expression",
        );
    }

    #[test]
    fn an_xpath_with_an_undeclared_prefix() {
        assert_error(
            &form("<p:a/>", r#"<input id="a" ref="z:a" type="xs:string"/>"#),
            "prefix 'z'",
        );
    }

    #[test]
    fn an_xpath_calling_an_unknown_function() {
        assert_lint_error(
            &form(
                "<p:a/>",
                r#"<input id="a" ref="p:a" type="xs:string" relevant="nope()"/>"#,
            ),
            "failed",
        );
    }

    #[test]
    fn a_pattern_that_does_not_compile() {
        assert_error(
            &form(
                "<p:a/>",
                r#"<input id="a" ref="p:a" type="xs:string"><constraints><constraint><pattern>(</pattern></constraint></constraints></input>"#,
            ),
            "pattern",
        );
    }

    #[test]
    fn an_extension_ref_that_does_not_compile() {
        let extension = r#"<extension name="pre:prepopulate" xmlns:pre="http://echo.nasa.gov/v9/echoforms/prepopulate">
            <pre:expressions><pre:expression ref="p:a[" source="X"/></pre:expressions></extension>"#;
        let xml = form("<p:a/>", r#"<input id="a" ref="p:a" type="xs:string"/>"#)
            .replace("</instance>", &format!("</instance>{extension}"));
        assert_error(&xml, "prepopulate ref");
    }

    #[test]
    fn a_control_bound_to_nothing() {
        assert_lint_error(
            &form(
                "<p:a/>",
                r#"<input id="a" ref="p:missing" type="xs:string"/>"#,
            ),
            "selects no node",
        );
    }
}
