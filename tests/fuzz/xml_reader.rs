//! The bounded XML reader (`xml::parse_document`): mutated recorded requests and forms, and
//! generated deep or wide documents.

use std::sync::Arc;

use echo_gateway::xml::{XmlLimits, check_well_formed, parse_document};
use proptest::prelude::*;

use crate::harness::{fuzz, mutated};
use crate::seeds::{recorded_requests, sample_forms};

fn seeds() -> Arc<Vec<Vec<u8>>> {
    let mut seeds: Vec<Vec<u8>> = sample_forms().into_iter().map(String::into_bytes).collect();
    match recorded_requests() {
        Ok(requests) => seeds.extend(requests.into_iter().map(|r| r.body.into_bytes())),
        Err(reason) => println!("xml reader: recorded requests skipped: {reason}"),
    }
    Arc::new(seeds)
}

/// Nested and repeated elements with attributes, namespaces and text.
fn generated() -> impl Strategy<Value = Vec<u8>> {
    (1..200usize, 1..50usize, "[a-z:]{0,6}", "[ -~]{0,12}").prop_map(
        |(depth, width, name, text)| {
            let name = if name.is_empty() {
                "e".to_owned()
            } else {
                name
            };
            let mut doc = String::new();
            for _ in 0..depth {
                doc.push_str(&format!("<{name} a=\"{}\" xmlns:p=\"urn:x\">", text.len()));
            }
            for _ in 0..width {
                doc.push_str(&format!("<p:{name}>{text}</p:{name}>"));
            }
            for _ in 0..depth {
                doc.push_str(&format!("</{name}>"));
            }
            doc.into_bytes()
        },
    )
}

fn read(bytes: Vec<u8>) {
    let text = String::from_utf8_lossy(&bytes);
    let _ = parse_document(&text, XmlLimits::default());
    let _ = check_well_formed(&text);
}

#[test]
fn xml_reader_mutated() {
    fuzz("xml reader, mutated", mutated(seeds()), read);
}

#[test]
fn xml_reader_generated() {
    fuzz("xml reader, generated", generated(), read);
}
