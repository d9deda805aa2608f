//! Replays the recorded ECHO v10 ProviderService traffic (`provider_service/` and
//! `provider_names/`) against the real gateway and compares each response with the recorded
//! one: qualified names, nesting, order and `xsi:nil` placement exactly; values exactly except
//! time- or id-generated ones (timestamps, fault instance ids). Lists of plain `Item` values are
//! compared as multisets, because ECHO returned them in hash order (see updated-url-2, where the
//! same collections come back reordered).
//!
//! Each fixture folder runs against a fresh gateway prepared as the live system was: the
//! providers the recorded GetProviderNames lists (same names, GUIDs and order), a real operator
//! token in place of `REDACTED-TOKEN`, and, where a folder reads policies it never set, those
//! policies seeded from the recorded response.

mod common;

use std::path::{Path, PathBuf};

use common::replay::{assert_same, exchanges};
use common::{TestGateway, cli, descendants, envelope, operator_token, parse, traffic_dir};
use echo_gateway::xml::Element;

/// Folders (directly) holding `*.request.xml` files, below `root`.
fn fixture_folders(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut has_requests = false;
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.to_string_lossy().ends_with(".request.xml") {
                has_requests = true;
            }
        }
        if has_requests {
            found.push(dir);
        }
    }
    found.sort();
    found
}

/// Creates the providers a recorded GetProviderNames(nil) response lists, in its order.
fn create_providers(data_dir: &Path, exchanges: &[(String, String, String)]) {
    let Some((_, _, response)) = exchanges.iter().find(|(name, request, _)| {
        name.contains("GetProviderNames") && request.contains("xsi:nil=\"true\"")
    }) else {
        return;
    };
    let listing = parse(response);
    let mut items = Vec::new();
    descendants(&listing, "Item", &mut items);
    for item in items {
        let field = |n: &str| {
            item.children
                .iter()
                .find(|c| c.name.local == n)
                .map(|c| c.text.clone())
        };
        let (Some(name), Some(guid)) = (field("Name"), field("Guid")) else {
            continue;
        };
        cli(data_dir, &["provider", "add", &name, "--guid", &guid], None);
    }
}

/// Policies a folder reads before setting any: the recorded response's Item, minus the
/// server-generated SslLastUpdate, becomes a SetProviderPolicies request.
fn seed_request(exchanges: &[(String, String, String)]) -> Option<String> {
    let (_, request, response) = exchanges
        .iter()
        .take_while(|(name, _, _)| {
            !name.contains("SetProviderPolicies") && !name.contains("Remove")
        })
        .find(|(name, _, response)| {
            name.contains("GetProvidersPolicies") && response.contains("<ns3:EndPoint>")
        })?;
    let start = response.find("<ns3:Item>")? + "<ns3:Item>".len();
    let end = response.rfind("</ns3:Item></ns2:result>")?;
    let mut policies = response[start..end].to_owned();
    if let (Some(a), Some(b)) = (
        policies.find("<ns3:SslLastUpdate>"),
        policies.find("</ns3:SslLastUpdate>"),
    ) {
        policies.replace_range(a..b + "</ns3:SslLastUpdate>".len(), "");
    }
    let guid = common::element_text(request, "Item")?;
    Some(envelope(
        "SetProviderPolicies",
        &format!(
            "<ns2:token>TOKEN</ns2:token><ns2:providerGuid>{guid}</ns2:providerGuid><ns2:policies>{policies}</ns2:policies>"
        ),
    ))
}

/// A leaf value as compared: blank where the server generates it, so it cannot equal the
/// recording.
fn comparable(element: &Element) -> String {
    match element.name.local.as_str() {
        "Timestamp" | "ErrorInstanceId" | "SslLastUpdate" => String::new(),
        _ => element.text.clone(),
    }
}

fn replay_folder(folder: &Path) {
    let exchanges = exchanges(folder);
    let dir = tempfile::tempdir().expect("temp dir");
    create_providers(dir.path(), &exchanges);
    let token = operator_token(dir.path());
    let gateway = TestGateway::start(dir.path(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        if let Some(seed) = seed_request(&exchanges) {
            let (status, body) = gateway
                .soap("ProviderService", &seed.replace("TOKEN", &token))
                .await;
            assert_eq!(status, 200, "seeding policies: {body}");
        }
        for (name, request, recorded) in &exchanges {
            let service = if name.contains("GetUserNames") {
                "UserService"
            } else {
                "ProviderService"
            };
            let (status, body) = gateway
                .soap(service, &request.replace("REDACTED-TOKEN", &token))
                .await;
            assert_eq!(status, 200, "{}/{name}: {body}", folder.display());
            assert_same(
                &parse(recorded),
                &parse(&body),
                &format!("{}/{name}", folder.display()),
                comparable,
            );
        }
    });
}

#[test]
fn provider_service_traffic_replays_with_the_recorded_structure() {
    let traffic = traffic_dir();
    let folders: Vec<PathBuf> = ["provider_service", "provider_names"]
        .iter()
        .flat_map(|sub| fixture_folders(&traffic.join(sub)))
        .collect();
    assert!(
        folders.len() >= 7,
        "expected the recorded fixture folders under {}",
        traffic.display()
    );
    for folder in &folders {
        replay_folder(folder);
    }
}

#[test]
fn bad_token_gets_the_recorded_fault_shape() {
    let recorded = traffic_dir().join("order_management_service/provider_orders/bad_token");
    let request =
        std::fs::read_to_string(recorded.join("00-GetOrders.request.xml")).expect("fixture");
    let response =
        std::fs::read_to_string(recorded.join("00-GetOrders.response.xml")).expect("fixture");
    let dir = tempfile::tempdir().expect("temp dir");
    let gateway = TestGateway::start(dir.path(), &[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // The recorded request went to OrderManagementService; the token check comes first on
    // every service, so ProviderService answers the same fault for an operation it offers.
    let request = request
        .replace("GetOrders", "GetProviderNames")
        .replace("orderGuids", "guids");
    let (status, body) = runtime.block_on(gateway.soap("ProviderService", &request));
    assert_eq!(status, 500);
    let expected = parse(&response);
    let actual = parse(&body);
    let mut faults = (Vec::new(), Vec::new());
    descendants(&expected, "InvalidArgumentFault", &mut faults.0);
    descendants(&actual, "InvalidArgumentFault", &mut faults.1);
    assert_eq!(faults.1.len(), 1, "{body}");
    let shape = |e: &Element| {
        e.children
            .iter()
            .map(|c| (c.name.clone(), c.is_nil()))
            .collect::<Vec<_>>()
    };
    assert_eq!(shape(faults.0[0]), shape(faults.1[0]));
    assert!(body.contains("<faultcode>SOAP-ENV:Client</faultcode>"));
    assert!(body.contains("<ns4:ErrorCode>TokenNotFound</ns4:ErrorCode>"));
    assert!(
        !body.contains("REDACTED-TOKEN"),
        "the token is never echoed whole"
    );
}
