//! ECHO's v9 OrderFulfillment contract (`wsdl/OrderFulfillment.wsdl`): the SOAP 1.1 messages
//! the gateway sends a data partner to quote, submit or cancel one provider order, and the
//! partner's answers and faults. Pure functions in both directions, shared by the delivery
//! worker (client, through `soap::partner_protocol`), the inbound relay (server) and
//! `partner-sim`.
//!
//! The v9 contract is shaped like ECHO v10 (operations with lowerCamel parameters, PascalCase
//! types, faults) in its own three namespaces, and its Contact, Address, Receipt and option
//! selection types are the v10 ones. So elements are built with the v10 [`Out`] roles and
//! written with the prefixes bound to the v9 namespaces, and received elements are read by the
//! order codec after their namespaces are translated v9 ↔ v10 by URI (a v10 element inside a
//! v9 message thus stays foreign).

mod answer;
mod request;

pub use answer::{AnswerError, decode_answer, encode_answer, encode_fault};
pub use request::{decode_request, encode_request};

use std::sync::{Arc, LazyLock};

use super::envelope::{SoapVersion, wrap_body};
use super::writer::Out;
use super::{ECHO_NS, FAULTS_NS, TYPES_NS};
use crate::xml::{Element, QName};
use echo_domain::policy::Transaction;

/// Operations and their parameters.
pub const FULFILLMENT_NS: &str = "http://echo.nasa.gov/v9/order/fulfillment";
/// Types and their fields.
pub const FULFILLMENT_TYPES_NS: &str = "http://echo.nasa.gov/v9/order/fulfillment/types";
/// Fault details.
pub const FULFILLMENT_FAULTS_NS: &str = "http://echo.nasa.gov/v9/order/fulfillment/faults";

/// The v9 namespaces in the order of the v10 roles they play.
const V9: [&str; 3] = [FULFILLMENT_NS, FULFILLMENT_TYPES_NS, FULFILLMENT_FAULTS_NS];
const V10: [&str; 3] = [ECHO_NS, TYPES_NS, FAULTS_NS];

const TRANSACTIONS: [Transaction; 3] =
    [Transaction::Quote, Transaction::Submit, Transaction::Cancel];

/// The operation element of a transaction: `QuoteOrder`, `SubmitOrder` or `CancelOrder`.
pub fn operation_name(transaction: Transaction) -> &'static str {
    match transaction {
        Transaction::Quote => "QuoteOrder",
        Transaction::Submit => "SubmitOrder",
        Transaction::Cancel => "CancelOrder",
    }
}

fn response_name(transaction: Transaction) -> String {
    format!("{}Response", operation_name(transaction))
}

/// The transaction whose operation (or, with `suffix` "Response", response) element `name` is.
fn transaction_named(name: &QName, suffix: &str) -> Option<Transaction> {
    let local = name.local.strip_suffix(suffix)?;
    let found = TRANSACTIONS
        .into_iter()
        .find(|t| operation_name(*t) == local);
    found.filter(|_| &*name.ns == FULFILLMENT_NS)
}

/// A whole SOAP 1.1 envelope around `payload`, built in the v10 roles, written in v9.
fn write_envelope(payload: &Out) -> String {
    wrap_body(SoapVersion::V11, |out| payload.write_payload_in(out, V9))
}

/// `element` with the v9 and v10 namespaces swapped, for the order codec to read. Swapped in
/// place: a relayed request's whole tree passes here, and copying it cost as much as parsing.
fn in_v10_terms(mut element: Element) -> Element {
    swap_namespaces(&mut element);
    element
}

fn swap_namespaces(element: &mut Element) {
    if let Some(to) = swapped(&element.name.ns) {
        element.name.ns = to;
    }
    element.children.iter_mut().for_each(swap_namespaces);
}

/// The other version's namespace of a v9 or v10 namespace, one shared copy of each.
fn swapped(ns: &str) -> Option<Arc<str>> {
    static PAIRS: LazyLock<Vec<(&str, Arc<str>)>> = LazyLock::new(|| {
        V9.into_iter()
            .zip(V10)
            .flat_map(|(v9, v10)| [(v9, v10), (v10, v9)])
            .map(|(from, to)| (from, Arc::from(to)))
            .collect()
    });
    PAIRS
        .iter()
        .find(|(from, _)| *from == ns)
        .map(|(_, to)| to.clone())
}

/// Envelopes the unit tests write for the offline schema check
/// (`tests/interop/test_fulfillment_wsdl.py`).
#[cfg(test)]
fn write_sample(name: &str, envelope: &str) {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/tmp/fulfillment-samples"
    );
    std::fs::create_dir_all(dir).expect("samples directory");
    std::fs::write(format!("{dir}/{name}.xml"), envelope).expect("sample written");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::{XmlLimits, parse_document};

    #[test]
    fn translation_swaps_v9_and_v10_and_keeps_others() {
        let xml = format!(
            r#"<a:x xmlns:a="{FULFILLMENT_NS}" xmlns:b="{TYPES_NS}" xmlns:c="urn:other"><b:y/><c:z/></a:x>"#
        );
        let translated = in_v10_terms(parse_document(&xml, XmlLimits::default()).unwrap());
        assert!(translated.name.is(ECHO_NS, "x"));
        assert!(translated.children[0].name.is(FULFILLMENT_TYPES_NS, "y"));
        assert!(translated.children[1].name.is("urn:other", "z"));
    }

    #[test]
    fn operation_names_map_to_transactions() {
        for transaction in TRANSACTIONS {
            let name = QName {
                ns: FULFILLMENT_NS.into(),
                local: response_name(transaction),
            };
            assert_eq!(transaction_named(&name, "Response"), Some(transaction));
            let v10 = QName {
                ns: ECHO_NS.into(),
                local: operation_name(transaction).into(),
            };
            assert_eq!(transaction_named(&v10, ""), None);
        }
    }
}
