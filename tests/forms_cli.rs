//! `echo-gateway forms check|validate` run as a provider would, checking exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("forms/samples")
        .join(name)
}

fn forms(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echo-gateway"))
        .arg("forms")
        .args(args)
        .env_remove("ECHO_GATEWAY_CONFIG")
        .output()
        .unwrap_or_else(|e| panic!("cannot run echo-gateway: {e}"))
}

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

fn path(path: &std::path::Path) -> &str {
    path.to_str().unwrap_or_default()
}

#[test]
fn check_passes_a_sample_with_warnings_and_exit_zero() {
    let output = forms(&["check", path(&sample("edsc-example-form3.xml"))]);
    assert_eq!(code(&output), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("warning"));
}

#[test]
fn check_rejects_broken_and_missing_files_with_exit_two_and_problems_with_one() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let broken = dir.path().join("broken.xml");
    std::fs::write(&broken, "<form><model>").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(&forms(&["check", path(&broken)])), Some(2));
    assert_eq!(
        code(&forms(&["check", path(&dir.path().join("absent.xml"))])),
        Some(2)
    );
    let bad_ref = dir.path().join("bad-ref.xml");
    let form = std::fs::read_to_string(sample("edsc-example-form3.xml")).unwrap_or_default();
    std::fs::write(
        &bad_ref,
        form.replace("ref=\"prov:mediaLabel\"", "ref=\"prov:nowhere\""),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let output = forms(&["check", path(&bad_ref)]);
    assert_eq!(code(&output), Some(1));
    // The finding names the file, line and column of the control with the bad ref.
    let text = std::fs::read_to_string(&bad_ref).unwrap_or_default();
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("ref=\"prov:nowhere\"").map(|_| (i + 1, l.find('<'))))
        .unwrap_or_else(|| panic!("no bad ref in {text}"));
    let column = column.map_or(0, |c| c + 1);
    let expected = format!("{}:{line}:{column}: error: ", bad_ref.display());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&expected), "{expected} not in {stdout}");
}

#[test]
fn validate_reports_errors_as_json_and_writes_the_pruned_selection() {
    let output = forms(&[
        "validate",
        path(&sample("edsc-example-form3.xml")),
        "--json",
    ]);
    assert_eq!(code(&output), Some(1), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["rule"], "required-empty");
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let pruned = dir.path().join("pruned.xml");
    let output = forms(&[
        "validate",
        path(&sample("edsc-example-form2.xml")),
        "--output",
        path(&pruned),
    ]);
    assert_eq!(code(&output), Some(0), "{output:?}");
    let selection = std::fs::read_to_string(&pruned).unwrap_or_default();
    assert!(selection.contains("FtpPull") && !selection.contains("ecs:ftppush>"));
    let output = forms(&[
        "validate",
        path(&sample("edsc-example-form2.xml")),
        path(&pruned),
    ]);
    assert_eq!(
        code(&output),
        Some(0),
        "the pruned selection is valid as submitted: {output:?}"
    );
}

#[test]
fn validate_treats_an_unreadable_selection_as_exit_two() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let selection = dir.path().join("selection.xml");
    std::fs::write(&selection, "<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>")
        .unwrap_or_else(|e| panic!("{e}"));
    let output = forms(&[
        "validate",
        path(&sample("edsc-example-form2.xml")),
        path(&selection),
    ]);
    assert_eq!(code(&output), Some(2), "{output:?}");
}

/// The text of every `Form` element (any prefix) of a recorded SOAP response; the recorded
/// responses use only the predefined entities.
fn recorded_forms(response: &std::path::Path) -> Vec<String> {
    let xml = std::fs::read_to_string(response).unwrap_or_else(|e| panic!("{e}"));
    let element = regex::Regex::new(r"(?s)<(?:\w+:)?Form>(.*?)</(?:\w+:)?Form>")
        .unwrap_or_else(|e| panic!("{e}"));
    element
        .captures_iter(&xml)
        .map(|form| {
            form[1]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// Issue 11: `forms check` accepts (exit 0, warnings allowed) every form ECHO accepted: the
/// real forms of the recorded traffic, the samples, the benchmark form and a form whose select
/// has an item with an empty value.
#[test]
fn check_exits_zero_on_every_real_form() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let traffic = std::env::var_os("ECHO_REFERENCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/reference"))
        .join("echo-v10-traffic/data_management_service/option_definitions");
    let mut files = Vec::new();
    for folder in ["list", "single_list"] {
        let response = traffic
            .join(folder)
            .join("00-GetCatalogItemOptionDefinitions2.response.xml");
        for (n, form) in recorded_forms(&response).into_iter().enumerate() {
            let file = dir.path().join(format!("{folder}-{n}.xml"));
            std::fs::write(&file, form).unwrap_or_else(|e| panic!("{e}"));
            files.push(file);
        }
    }
    assert!(files.len() >= 29, "the recorded forms: {files:?}");
    for name in [
        "edsc-demo-form1.xml",
        "edsc-example-form1.xml",
        "edsc-example-form2.xml",
        "edsc-example-form3.xml",
    ] {
        files.push(sample(name));
    }
    files.push(root.join("forms/bench/large-provider-form.xml"));
    files.push(root.join("tests/interop/forms_diff/corners/empty-item-select.xml"));
    for file in &files {
        let output = forms(&["check", path(file)]);
        assert_eq!(code(&output), Some(0), "{}: {output:?}", file.display());
    }
}
