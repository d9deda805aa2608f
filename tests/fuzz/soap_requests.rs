//! Every SOAP request decoder, through the same path a request takes (`parse_request`, then
//! `soap::dispatch`) against a real store, signed in as an operator so that decoding gets
//! past the token: mutated recorded requests, and generated operation elements for every
//! operation of every service WSDL.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use echo_domain::account::Role;
use echo_domain::caller::Caller;
use echo_gateway::app::accounts::{self, NewUser};
use echo_gateway::app::{Gateway, ServiceSettings, sessions};
use echo_gateway::soap::envelope::parse_request;
use echo_gateway::soap::{Service, dispatch};
use echo_gateway::storage::Store;
use echo_gateway::xml::XmlLimits;
use proptest::prelude::*;

use crate::common::envelope;
use crate::harness::{apply, fuzz, mutations};
use crate::seeds::{recorded_requests, wsdl_operations};

/// A gateway on a temporary store with an operator and its token, shared by all cases.
struct Fixture {
    gateway: Arc<Gateway>,
    token: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let gateway = Gateway::new(Arc::new(store), ServiceSettings::default());
        let operator = Caller::local_operator();
        let user = NewUser {
            name: "fuzz-ops".into(),
            role: Role::Operator,
            provider: None,
            guid: None,
            password: None,
        };
        accounts::add_user(&gateway, &operator, user).expect("operator");
        let lifetime = std::time::Duration::from_secs(3600);
        let token =
            sessions::issue_token(&gateway, &operator, "fuzz-ops", lifetime).expect("token");
        Fixture {
            gateway: Arc::new(gateway),
            token,
            _dir: dir,
        }
    })
}

/// `body` with the text of its first `token` element replaced by `token`.
fn with_token(body: &str, token: &str) -> String {
    let Some(open) = body.find("token>").filter(|&i| !body[..i].ends_with('/')) else {
        return body.to_owned();
    };
    let start = open + "token>".len();
    let end = body[start..].find('<').map_or(body.len(), |i| start + i);
    format!("{}{token}{}", &body[..start], &body[end..])
}

/// Requests parsed and dispatched, and of those the ones answered without a fault: printed,
/// so that a run shows the cases get past the envelope and the token into the decoders.
struct Tally {
    dispatched: AtomicU64,
    answered: AtomicU64,
}

impl Tally {
    const fn new() -> Tally {
        Tally {
            dispatched: AtomicU64::new(0),
            answered: AtomicU64::new(0),
        }
    }

    fn report(&self, target: &str) {
        println!(
            "{target}: {} dispatched, {} answered without a fault",
            self.dispatched.load(Ordering::Relaxed),
            self.answered.load(Ordering::Relaxed)
        );
    }
}

fn run(port: &str, body: &[u8], tally: &Tally) {
    let Some(service) = Service::from_port(port) else {
        return;
    };
    let fixture = fixture();
    // Logout would end the shared session and leave every later case at the token check.
    let request = parse_request(body, XmlLimits::default());
    if let Some(request) = request.ok().filter(|r| r.operation.name.local != "Logout") {
        let client = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let dispatched = dispatch(&fixture.gateway, service, &request.operation, client);
        tally.dispatched.fetch_add(1, Ordering::Relaxed);
        if dispatched.result.is_ok() {
            tally.answered.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn recorded() -> Arc<Vec<(String, Vec<u8>)>> {
    let token = &fixture().token;
    match recorded_requests() {
        Ok(requests) => Arc::new(
            requests
                .into_iter()
                .map(|r| (r.port, with_token(&r.body, token).into_bytes()))
                .collect(),
        ),
        Err(reason) => {
            println!("SOAP request decoders: recorded requests skipped: {reason}");
            Arc::new(Vec::new())
        }
    }
}

fn mutated_recorded() -> impl Strategy<Value = (String, Vec<u8>)> {
    let seeds = recorded();
    let count = seeds.len().max(1);
    (0..count, mutations()).prop_map(move |(index, edits)| match seeds.get(index) {
        Some((port, body)) => (port.clone(), apply(body, &edits)),
        None => (String::new(), Vec::new()),
    })
}

/// Values that stress field decoders.
const VALUES: &[&str] = &[
    "",
    "x",
    "-1",
    "0",
    "1",
    "2147483648",
    "1e308",
    "NaN",
    "true",
    "false",
    "nil",
    "1282C3FE-6892-81C3-A86B-594FDCC13AF3",
    "DEV07",
    "2026-11-30T12:00:00Z",
    "2026-02-30",
    "QUOTED",
    "SUBMITTED",
    "ORDER_FULFILLMENT_V9",
    "https://127.0.0.1:1/x",
    "<a>b</a>",
    "&lt;&amp;",
    "é\u{FFFD}",
];

/// Element names the decoders look for, from the recorded requests (and a few more).
fn field_names() -> Vec<String> {
    let mut names: Vec<String> = ["token", "guids", "Item", "Guid", "Name", "Value", "Filter"]
        .map(str::to_owned)
        .to_vec();
    if let Ok(requests) = recorded_requests() {
        for request in requests {
            for part in request.body.split('<').skip(1) {
                let name = part.split(['>', ' ', '/']).next().unwrap_or_default();
                let local = name.rsplit(':').next().unwrap_or_default();
                let fits = !local.is_empty() && local.chars().all(|c| c.is_ascii_alphanumeric());
                if fits && !names.iter().any(|n| n == local) {
                    names.push(local.to_owned());
                }
            }
        }
    }
    names
}

/// One field: its name, whether in the types namespace, its value, whether nil.
type Leaf = (usize, bool, usize, bool);

/// One generated child: a field holding a value or a few nested fields.
fn child(names: Arc<Vec<String>>) -> impl Strategy<Value = String> {
    let leaf = (
        0..names.len(),
        any::<bool>(),
        0..VALUES.len(),
        any::<bool>(),
    );
    (leaf.clone(), prop::collection::vec(leaf, 0..4)).prop_map(move |(outer, inner)| {
        let nested: String = inner.into_iter().map(|l| element(&names, l, "")).collect();
        element(&names, outer, &nested)
    })
}

fn element(names: &[String], (name, types, value, nil): Leaf, content: &str) -> String {
    let prefix = if types { "ns3" } else { "ns2" };
    let name = &names[name];
    if nil {
        return format!("<{prefix}:{name} xsi:nil=\"true\"/>");
    }
    let value = if content.is_empty() {
        VALUES[value]
    } else {
        content
    };
    format!("<{prefix}:{name}>{value}</{prefix}:{name}>")
}

/// An operation of some service WSDL with the token and generated fields.
fn generated() -> impl Strategy<Value = (String, Vec<u8>)> {
    let operations = Arc::new(wsdl_operations());
    let names = Arc::new(field_names());
    let token = fixture().token.clone();
    let children = prop::collection::vec(child(names), 0..12);
    (0..operations.len(), children).prop_map(move |(index, children)| {
        let (port, operation) = &operations[index];
        let inner = format!("<ns2:token>{token}</ns2:token>{}", children.concat());
        (port.clone(), envelope(operation, &inner).into_bytes())
    })
}

#[test]
fn soap_requests_mutated() {
    static TALLY: Tally = Tally::new();
    let target = "SOAP requests, mutated recordings";
    fuzz(target, mutated_recorded(), |(port, body)| {
        run(&port, &body, &TALLY)
    });
    TALLY.report(target);
}

#[test]
fn soap_requests_generated() {
    static TALLY: Tally = Tally::new();
    let target = "SOAP requests, generated operations";
    fuzz(target, generated(), |(port, body)| {
        run(&port, &body, &TALLY)
    });
    TALLY.report(target);
}
