//! Structure-aware mutations of JSON request bodies and query strings: a valid seed document
//! with some of its values replaced by awkward ones, fields removed or unknown ones added,
//! values wrapped in arrays or objects, and then, now and then, byte edits of the serialized
//! text (the harness's mutations) for documents that are no longer JSON at all.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::harness::{Mutation, apply, mutations};

/// Values put in place of a field's value: wrong types, limits, malformed dates and ids.
fn awkward(index: usize) -> Value {
    let values = [
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1e308),
        json!(""),
        json!(" "),
        json!("x"),
        json!("-1"),
        json!("99999999999999999999"),
        json!("2026-13-45T25:61:61Z"),
        json!("2026-11-30T12:00:00.123456Z"),
        json!("created"),
        json!("closed"),
        json!("in_progress"),
        json!("public"),
        json!("user_direct"),
        json!("provider"),
        json!("user"),
        json!("\u{0}\u{FFFD}é<>&\"'"),
        json!("a".repeat(20_000)),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({"nested": {"deeper": [{}]}}),
    ];
    values[index % values.len()].clone()
}

/// Query parameter values: the same kinds of trouble as text.
const QUERY_VALUES: &[&str] = &[
    "",
    "0",
    "1",
    "-1",
    "2",
    "1000",
    "1001",
    "18446744073709551615",
    "18446744073709551616",
    "1e3",
    "0x10",
    "true",
    "false",
    "yes",
    "x",
    "%",
    "%00",
    "%FF",
    "2026-11-30T12:00:00.123456Z",
    "2026-11-30T12:00:00Z",
    "2026-13-45T25:61:61Z",
    "1970-01-01T00:00:00Z",
    "+1",
    " 1",
];

/// Query parameter names: those the API knows and some it does not.
const QUERY_NAMES: &[&str] = &[
    "from_sequence",
    "from_timestamp",
    "from_id",
    "limit",
    "exclude_own",
    "project_id",
    "project_item_id",
    "unknown",
    "",
    "limit[]",
];

/// One structural edit; `at` picks a node (pre-order, modulo the node count).
#[derive(Debug, Clone)]
pub enum JsonEdit {
    Replace { at: usize, value: usize },
    Remove { at: usize },
    AddField { at: usize, value: usize },
    WrapInArray { at: usize },
}

fn json_edit() -> impl Strategy<Value = JsonEdit> {
    let at = any::<usize>();
    prop_oneof![
        (at, any::<usize>()).prop_map(|(at, value)| JsonEdit::Replace { at, value }),
        at.prop_map(|at| JsonEdit::Remove { at }),
        (at, any::<usize>()).prop_map(|(at, value)| JsonEdit::AddField { at, value }),
        at.prop_map(|at| JsonEdit::WrapInArray { at }),
    ]
}

/// A seed from `seeds` with up to 4 structural edits, and in one case of four byte edits of
/// its text too.
pub fn mutated_json(seeds: Arc<Vec<Value>>) -> impl Strategy<Value = Vec<u8>> {
    let count = seeds.len();
    (
        0..count,
        prop::collection::vec(json_edit(), 0..=4),
        prop::bool::weighted(0.25),
        mutations(),
    )
        .prop_map(move |(index, edits, raw, bytes)| {
            let mut document = seeds[index].clone();
            for edit in &edits {
                edit_json(&mut document, edit);
            }
            let text = document.to_string().into_bytes();
            match raw {
                true => apply(&text, &bytes),
                false => text,
            }
        })
}

fn edit_json(document: &mut Value, edit: &JsonEdit) {
    let nodes = count_nodes(document);
    match *edit {
        JsonEdit::Replace { at, value } => {
            if let Some(node) = node_mut(document, at % nodes) {
                *node = awkward(value);
            }
        }
        JsonEdit::Remove { at } => remove_child(document, at % nodes),
        JsonEdit::AddField { at, value } => {
            if let Some(Value::Object(map)) = node_mut(document, at % nodes) {
                map.insert(format!("unknown_{}", value % 3), awkward(value));
            }
        }
        JsonEdit::WrapInArray { at } => {
            if let Some(node) = node_mut(document, at % nodes) {
                *node = Value::Array(vec![node.take()]);
            }
        }
    }
}

fn children_mut(value: &mut Value) -> Vec<&mut Value> {
    match value {
        Value::Object(map) => map.values_mut().collect(),
        Value::Array(items) => items.iter_mut().collect(),
        _ => Vec::new(),
    }
}

fn count_nodes(value: &Value) -> usize {
    1 + match value {
        Value::Object(map) => map.values().map(count_nodes).sum(),
        Value::Array(items) => items.iter().map(count_nodes).sum(),
        _ => 0,
    }
}

/// The node numbered `index` in pre-order.
fn node_mut(value: &mut Value, mut index: usize) -> Option<&mut Value> {
    if index == 0 {
        return Some(value);
    }
    index -= 1;
    for child in children_mut(value) {
        let size = count_nodes(child);
        if index < size {
            return node_mut(child, index);
        }
        index -= size;
    }
    None
}

/// Removes the node numbered `index` (pre-order) from its parent; the root stays.
fn remove_child(value: &mut Value, index: usize) {
    let mut next = 1;
    remove_below(value, index, &mut next);
}

fn remove_below(value: &mut Value, index: usize, next: &mut usize) -> bool {
    let position = match value {
        Value::Object(map) => position_in(map.values_mut(), index, next),
        Value::Array(items) => position_in(items.iter_mut(), index, next),
        _ => Err(false),
    };
    match (position, value) {
        (Ok(i), Value::Object(map)) => {
            let key = map.keys().nth(i).cloned();
            key.map(|k| map.remove(&k)).is_some()
        }
        (Ok(i), Value::Array(items)) => {
            items.remove(i);
            true
        }
        (Err(done), _) => done,
        _ => false,
    }
}

/// `Ok(i)`: child `i` is the node to remove; `Err(true)`: removed deeper; `Err(false)`: not
/// among these children.
fn position_in<'a>(
    children: impl Iterator<Item = &'a mut Value>,
    index: usize,
    next: &mut usize,
) -> Result<usize, bool> {
    for (i, child) in children.enumerate() {
        if *next == index {
            return Ok(i);
        }
        *next += 1;
        if remove_below(child, index, next) {
            return Err(true);
        }
    }
    Err(false)
}

/// One edit of a query string's parameters.
#[derive(Debug, Clone)]
pub enum QueryEdit {
    SetValue { at: usize, value: usize },
    Remove { at: usize },
    Add { name: usize, value: usize },
    Bytes(Vec<Mutation>),
}

fn query_edit() -> impl Strategy<Value = QueryEdit> {
    let at = any::<usize>();
    prop_oneof![
        3 => (at, any::<usize>()).prop_map(|(at, value)| QueryEdit::SetValue { at, value }),
        1 => at.prop_map(|at| QueryEdit::Remove { at }),
        2 => (any::<usize>(), any::<usize>())
            .prop_map(|(name, value)| QueryEdit::Add { name, value }),
        1 => mutations().prop_map(QueryEdit::Bytes),
    ]
}

/// A seed query string (`a=1&b=2`) with up to 4 edits, percent-encoded where it must be.
pub fn mutated_query(seeds: &'static [&'static str]) -> impl Strategy<Value = String> {
    (0..seeds.len(), prop::collection::vec(query_edit(), 0..=4)).prop_map(move |(index, edits)| {
        let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(seeds[index].as_bytes())
            .into_owned()
            .collect();
        let mut raw = None;
        for edit in edits {
            match edit {
                QueryEdit::SetValue { at, value } if !pairs.is_empty() => {
                    let n = pairs.len();
                    pairs[at % n].1 = QUERY_VALUES[value % QUERY_VALUES.len()].to_owned();
                }
                QueryEdit::Remove { at } if !pairs.is_empty() => {
                    let n = pairs.len();
                    pairs.remove(at % n);
                }
                QueryEdit::Add { name, value } => pairs.push((
                    QUERY_NAMES[name % QUERY_NAMES.len()].to_owned(),
                    QUERY_VALUES[value % QUERY_VALUES.len()].to_owned(),
                )),
                QueryEdit::Bytes(bytes) => raw = Some(bytes),
                _ => {}
            }
        }
        let text = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        match raw {
            Some(bytes) => percent_encoded(&apply(text.as_bytes(), &bytes)),
            None => text,
        }
    })
}

/// Bytes as a query string: `&`, `=`, `%` and URL-safe characters as they are, others encoded.
fn percent_encoded(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b':'
            | b'&'
            | b'='
            | b'%'
            | b'+' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
