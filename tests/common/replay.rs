//! Replaying recorded ECHO traffic: a fixture folder's exchanges in recorded order, and the
//! comparison of a live response with the recorded one (qualified names, nesting, order and
//! `xsi:nil` placement exactly; leaf values as the caller's `value` renders them, so that
//! time- or id-generated values can be left out). Lists of plain `Item` values are compared
//! as multisets, because ECHO returned them in hash order (see updated-url-2, where the same
//! collections come back reordered).

use std::path::{Path, PathBuf};

use echo_gateway::xml::{Element, XSI_NS};

/// The (name, request, response) exchanges of a folder, in recorded order; `name` is the
/// file stem such as `01-GetOrders`.
pub fn exchanges(folder: &Path) -> Vec<(String, String, String)> {
    let mut requests: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".request.xml"))
        .collect();
    requests.sort();
    requests
        .into_iter()
        .map(|request| {
            let name = request
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".request.xml", "");
            let response = request.with_file_name(format!("{name}.response.xml"));
            let read = |p: &Path| std::fs::read_to_string(p).expect("fixture file");
            (name, read(&request), read(&response))
        })
        .collect()
}

/// Compares structure exactly and leaf values as `value` renders them (e.g. blank for values
/// the server generates).
pub fn assert_same(
    expected: &Element,
    actual: &Element,
    path: &str,
    value: fn(&Element) -> String,
) {
    let here = format!("{path}/{}", expected.name.local);
    assert_eq!(expected.name, actual.name, "element name at {here}");
    assert_eq!(expected.is_nil(), actual.is_nil(), "xsi:nil at {here}");
    let expected_nil = expected.attribute(XSI_NS, "nil").is_some();
    assert_eq!(
        expected_nil,
        actual.attribute(XSI_NS, "nil").is_some(),
        "nil attribute at {here}"
    );
    let names = |e: &Element| {
        e.children
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(expected), names(actual), "children of {here}");
    if expected.children.is_empty() {
        assert_eq!(value(expected), value(actual), "value of {here}");
        return;
    }
    if is_value_list(expected) {
        let mut want: Vec<&str> = expected.children.iter().map(|c| c.text.as_str()).collect();
        let mut got: Vec<&str> = actual.children.iter().map(|c| c.text.as_str()).collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(want, got, "items of {here}");
        return;
    }
    for (e, a) in expected.children.iter().zip(&actual.children) {
        assert_same(e, a, &here, value);
    }
}

fn is_value_list(element: &Element) -> bool {
    element
        .children
        .iter()
        .all(|c| c.name.local == "Item" && c.children.is_empty() && !c.is_nil())
}
