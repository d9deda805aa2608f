//! Real provider forms from the recorded traffic: every option definition in the recorded
//! GetCatalogItemOptionDefinitions2 responses passes `forms check` and validates its own
//! instance, is accepted by CreateCatalogItemOptionDefinitions, and the replayed recorded request
//! answers each definition with the recorded structure and values (GUIDs and LastUpdate are
//! generated; ECHO left LastUpdate out of the older single_list definition, the gateway always
//! writes it).

mod common;

use std::path::Path;

use common::replay::{assert_same, exchanges};
use common::{
    TestGateway, cli, descendants, element_text, parse, provider_staff_token, traffic_dir,
    xml_escape,
};
use echo_forms::{CompiledForm, check_form};
use echo_gateway::xml::Element;

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";

fn field<'a>(item: &'a Element, local: &str) -> Option<&'a str> {
    item.children
        .iter()
        .find(|c| c.name.local == local)
        .map(|c| c.text.as_str())
}

fn generated(element: &Element) -> String {
    match element.name.local.as_str() {
        "Guid" | "LastUpdate" => String::new(),
        _ => element.text.clone(),
    }
}

async fn replay(folder: &Path) {
    let exchanges = exchanges(folder);
    let (_, request, response) = exchanges.first().expect("one exchange");
    let recorded = parse(response);
    let mut items = Vec::new();
    descendants(&recorded, "Item", &mut items);
    assert!(!items.is_empty());
    for item in &items {
        let form = field(item, "Form").expect("a form");
        let report = check_form(form);
        assert!(
            report.readable && !report.has_errors(),
            "{:?}: {:?}",
            field(item, "Name"),
            report.findings
        );
        let compiled = CompiledForm::compile(form).expect("compiles");
        let outcome = compiled.validate_instance();
        assert!(
            outcome.errors.is_empty(),
            "{:?}: {:?}",
            field(item, "Name"),
            outcome.errors
        );
    }

    let dir = tempfile::tempdir().expect("temp dir");
    cli(
        dir.path(),
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let staff = provider_staff_token(dir.path(), "staff", "DEV07");
    let gateway = TestGateway::start(dir.path(), &[]);
    for item in &items {
        let optional = |name: &str| {
            field(item, name)
                .map(|v| format!("<ns3:{name}>{}</ns3:{name}>", xml_escape(v)))
                .unwrap_or_default()
        };
        let definition = format!(
            "<ns2:optionDefinitions><ns3:Item><ns3:Name>{}</ns3:Name><ns3:Scope>{}</ns3:Scope><ns3:Form>{}</ns3:Form>{}{}</ns3:Item></ns2:optionDefinitions>",
            xml_escape(field(item, "Name").unwrap()),
            field(item, "Scope").unwrap(),
            xml_escape(field(item, "Form").unwrap()),
            optional("Description"),
            optional("SortKey"),
        );
        let (status, body) = gateway
            .call(
                "DataManagementService",
                "CreateCatalogItemOptionDefinitions",
                &staff,
                &definition,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        if field(item, "Deprecated") == Some("true") {
            let guid = element_text(&body, "Item").unwrap();
            let params = format!("<ns2:optionGuids><ns3:Item>{guid}</ns3:Item></ns2:optionGuids>");
            let (status, body) = gateway
                .call(
                    "DataManagementService",
                    "SetCatalogItemOptionDefinitionsDeprecated",
                    &staff,
                    &params,
                )
                .await;
            assert_eq!(status, 200, "{body}");
        }
    }
    let (status, body) = gateway
        .soap(
            "DataManagementService",
            &request.replace("REDACTED-TOKEN", &staff),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let live = parse(&body);
    let mut live_items = Vec::new();
    descendants(&live, "Item", &mut live_items);
    assert_eq!(live_items.len(), items.len());
    for item in &items {
        let name = field(item, "Name");
        let mut matching = (*live_items
            .iter()
            .find(|l| field(l, "Name") == name)
            .expect("answered"))
        .clone();
        if field(item, "LastUpdate").is_none() {
            matching.children.retain(|c| c.name.local != "LastUpdate");
        }
        assert_same(item, &matching, &format!("{}", folder.display()), generated);
    }
}

#[tokio::test]
async fn recorded_option_definitions_replay() {
    let root = traffic_dir().join("data_management_service/option_definitions");
    for folder in ["list", "single_list"] {
        replay(&root.join(folder)).await;
    }
}
