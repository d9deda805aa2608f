//! Catalog publishing: streaming import of a large catalog file through the CLI (with the server
//! stopped and while it runs), and the AddCatalogItems SOAP operation's access rules.

mod common;

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use common::{BIN, TestGateway, cli, operator_token};

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const OTHER: &str = "07ACF84C-6360-0BC7-92A8-E95A958DDE12";

/// One catalog `Item`; `p` is the types-namespace prefix in use (`""` or `"ns3:"`).
fn item_xml(index: usize, provider: &str, p: &str) -> String {
    let field = |name: &str, value: &str| format!("<{p}{name}>{value}</{p}{name}>");
    let metadata =
        format!("<![CDATA[<Granule><GranuleUR>SC:GLAH09.033:{index}</GranuleUR></Granule>]]>");
    [
        field("ItemGuid", &format!("G{index:09}-DEV07")),
        field("ProviderGuid", provider),
        field("CollectionId", "C1200189943-DEV07"),
        field("DatasetId", "GLAS/ICESat L2 V033"),
        field("GranuleUR", &format!("SC:GLAH09.033:{index}")),
        field("Price", "1.5"),
        field("Metadata", &metadata),
    ]
    .into_iter()
    .fold(format!("<{p}Item>"), |xml, f| xml + &f)
        + &format!("</{p}Item>")
}

fn write_catalog(path: &Path, items: usize) {
    let mut text = String::from("<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">\n");
    for index in 0..items {
        let _ = writeln!(text, "{}", item_xml(index, PROVIDER, ""));
    }
    text.push_str("</CatalogItems>\n");
    std::fs::write(path, text).expect("catalog file written");
}

#[test]
fn imports_a_large_catalog_with_and_without_a_running_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let file = dir.path().join("catalog.xml");
    write_catalog(&file, 20_000);
    let offline = cli(
        dir.path(),
        &["catalog", "import", file.to_str().unwrap()],
        None,
    );
    assert_eq!(offline, "imported 20000 catalog items");

    let _gateway = TestGateway::start(dir.path(), &[]);
    write_catalog(&file, 2_500);
    let online = cli(
        dir.path(),
        &["catalog", "import", file.to_str().unwrap()],
        None,
    );
    assert_eq!(online, "imported 2500 catalog items");
}

#[test]
fn a_bad_item_names_its_position_and_unknown_providers_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let file = dir.path().join("catalog.xml");
    let bad = "<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\"><Item><ItemGuid>G1</ItemGuid></Item></CatalogItems>";
    std::fs::write(&file, bad).unwrap();
    let run = || {
        Command::new(BIN)
            .arg("--data-dir")
            .arg(dir.path())
            .args(["catalog", "import"])
            .arg(&file)
            .output()
            .unwrap()
    };
    let output = run();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("item 1"),
        "{output:?}"
    );

    let unknown = format!(
        "<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">{}</CatalogItems>",
        item_xml(1, OTHER, "")
    );
    std::fs::write(&file, unknown).unwrap();
    let output = run();
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains(&format!("Could not find provider with guid [{OTHER}].")),
        "{output:?}"
    );
}

#[tokio::test]
async fn provider_staff_publish_only_their_own_items() {
    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    cli(
        dir.path(),
        &["provider", "add", "MMT_2", "--guid", OTHER],
        None,
    );
    cli(
        dir.path(),
        &[
            "user",
            "add",
            "dev07",
            "--role",
            "provider",
            "--provider",
            "DEV07",
        ],
        None,
    );
    let staff = cli(dir.path(), &["token", "issue", "dev07"], None);
    let operator = operator_token(dir.path());
    let gateway = TestGateway::start(dir.path(), &[]);
    let items = |provider: &str| {
        format!(
            "<ns2:catalogItems>{}</ns2:catalogItems>",
            item_xml(7, provider, "ns3:")
        )
    };
    let own = items(PROVIDER);
    let (status, body) = gateway
        .call("DataManagementService", "AddCatalogItems", &staff, &own)
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = gateway
        .call(
            "DataManagementService",
            "AddCatalogItems",
            &staff,
            &items(OTHER),
        )
        .await;
    assert_eq!(status, 500);
    assert!(body.contains("AuthorizationFault"), "{body}");
    let (status, body) = gateway
        .call(
            "DataManagementService",
            "AddCatalogItems",
            &operator,
            &items(OTHER),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
