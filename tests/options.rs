//! Option definitions end to end: a provider publishes an ECHO form, assigns it to a
//! collection with a metadata filter, and orders of that collection then need a valid
//! selection; removing the definition sends validated orders back to NOT_VALIDATED.

mod common;

use std::time::{Duration, Instant};

use common::{
    TestGateway, assert_fault, cli, descendants, element_text, operator_token, parse,
    provider_staff_token, xml_escape,
};

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const DMS: &str = "DataManagementService";
const OMS: &str = "OrderManagementService";

const FORM: &str = r#"<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://example.org/opts"><model><instance><opts:options xmlns:opts="http://example.org/opts"><opts:format>HDF</opts:format></opts:options></instance></model><ui><select id="fmt" label="Format" ref="opts:format" type="xsd:string" required="true()"><item value="HDF" label="HDF"/><item value="NETCDF" label="NetCDF"/></select></ui></form>"#;

fn selection(definition: &str, format: &str) -> String {
    selection_named(Some(definition), "Format", format)
}

fn format_content(format: &str) -> String {
    format!(
        "<opts:options xmlns:opts=\"http://example.org/opts\"><opts:format>{format}</opts:format></opts:options>"
    )
}

/// A selection naming its definition by `guid` and `name`, or by `name` only.
fn selection_named(guid: Option<&str>, name: &str, format: &str) -> String {
    let guid = guid.map_or(String::new(), |g| format!("<ns3:Guid>{g}</ns3:Guid>"));
    format!(
        "<ns3:OptionSelection>{guid}<ns3:Name>{name}</ns3:Name><ns3:Content>{}</ns3:Content></ns3:OptionSelection>",
        xml_escape(&format_content(format))
    )
}

struct Setup {
    gateway: TestGateway,
    staff: String,
    user: String,
    definition: String,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    cli(
        path,
        &["provider", "add", "DEV07", "--guid", PROVIDER],
        None,
    );
    let operator = operator_token(path);
    cli(path, &["user", "add", "buyer", "--role", "user"], None);
    let catalog = path.join("catalog.xml");
    let item = |n: u32, flag: &str| {
        format!(
            "<Item><ItemGuid>G{n}-DEV07</ItemGuid><ProviderGuid>{PROVIDER}</ProviderGuid><CollectionId>C1-DEV07</CollectionId>\
             <DatasetId>MYD14.005</DatasetId><GranuleUR>SC:MYD14.005:{n}</GranuleUR>\
             <Metadata>{}</Metadata></Item>",
            xml_escape(&format!(
                "<Granule><DayNightFlag>{flag}</DayNightFlag></Granule>"
            ))
        )
    };
    std::fs::write(
        &catalog,
        format!(
            "<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">{}{}</CatalogItems>",
            item(1, "NIGHT"),
            item(2, "DAY")
        ),
    )
    .unwrap();
    cli(
        path,
        &["catalog", "import", catalog.to_str().unwrap()],
        None,
    );
    let gateway = TestGateway::start(path, &[]);
    let policies = format!(
        "<ns2:providerGuid>{PROVIDER}</ns2:providerGuid><ns2:policies><ns3:EndPoint>http://127.0.0.1:9/of</ns3:EndPoint>\
         <ns3:SslPolicy><ns3:SslEnabled>false</ns3:SslEnabled></ns3:SslPolicy>\
         <ns3:SupportedTransactions><ns3:Item>SUBMIT</ns3:Item></ns3:SupportedTransactions></ns2:policies>"
    );
    let (status, body) = gateway
        .call(
            "ProviderService",
            "SetProviderPolicies",
            &operator,
            &policies,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let staff = provider_staff_token(path, "staff", "DEV07");
    let definitions = format!(
        "<ns2:optionDefinitions><ns3:Item><ns3:Name>Format</ns3:Name><ns3:Scope>PROVIDER</ns3:Scope>\
         <ns3:Form>{}</ns3:Form><ns3:Description>Output format</ns3:Description></ns3:Item></ns2:optionDefinitions>",
        xml_escape(FORM)
    );
    let (status, body) = gateway
        .call(
            DMS,
            "CreateCatalogItemOptionDefinitions",
            &staff,
            &definitions,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let definition = element_text(&body, "Item")
        .expect("definition guid")
        .to_owned();
    let assignment = format!(
        "<ns2:optionAssignments><ns3:Item><ns3:CatalogItemId>C1-DEV07</ns3:CatalogItemId>\
         <ns3:OptionDefinitionGuid>{definition}</ns3:OptionDefinitionGuid>\
         <ns3:Filter>/Granule/DayNightFlag = 'NIGHT'</ns3:Filter></ns3:Item></ns2:optionAssignments>"
    );
    let (status, body) = gateway
        .call(
            DMS,
            "CreateCatalogItemOptionAssignments",
            &staff,
            &assignment,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    Setup {
        user: cli(path, &["token", "issue", "buyer"], None),
        gateway,
        staff,
        definition,
        _dir: dir,
    }
}

impl Setup {
    async fn order_with(&self, item: u32, selection: &str) -> String {
        let items = format!(
            "<ns2:orderItems><ns3:Item><ns3:ItemGuid>G{item}-DEV07</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered>{selection}</ns3:Item></ns2:orderItems>"
        );
        let (status, body) = self
            .gateway
            .call(OMS, "CreateOrder", &self.user, &items)
            .await;
        assert_eq!(status, 200, "{body}");
        let order = element_text(&body, "result").unwrap().to_owned();
        let info = "<ns3:ContactAddress><ns3:Address><ns3:UsFormat>false</ns3:UsFormat><ns3:Street1>1 Rue</ns3:Street1><ns3:Country>France</ns3:Country></ns3:Address></ns3:ContactAddress>";
        let (status, body) = self
            .gateway
            .call(OMS, "SetUserInformationForOrder", &self.user, &format!("<ns2:orderGuid>{order}</ns2:orderGuid><ns2:userInformation>{info}</ns2:userInformation>"))
            .await;
        assert_eq!(status, 200, "{body}");
        order
    }

    async fn validate(&self, order: &str) -> (u16, String) {
        self.gateway
            .call(
                OMS,
                "ValidateOrder",
                &self.user,
                &format!("<ns2:orderGuid>{order}</ns2:orderGuid>"),
            )
            .await
    }

    async fn state(&self, order: &str) -> String {
        let (_, body) = self
            .gateway
            .call(
                OMS,
                "GetOrders",
                &self.user,
                &format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>"),
            )
            .await;
        element_text(&body, "State").unwrap_or_default().to_owned()
    }
}

#[tokio::test]
async fn assigned_forms_decide_which_selections_orders_need() {
    let s = setup().await;
    let night_without = s.order_with(1, "").await;
    let (status, body) = s.validate(&night_without).await;
    assert_fault(status, &body, "InvalidOptionSelection");
    assert!(
        body.contains("[Format]"),
        "the missing definition is named: {body}"
    );

    let day_without = s.order_with(2, "").await;
    assert_eq!(
        s.validate(&day_without).await.0,
        200,
        "the filter does not hold for a DAY granule"
    );

    let (status, body) = s
        .gateway
        .call(OMS, "CreateOrder", &s.user, &format!("<ns2:orderItems><ns3:Item><ns3:ItemGuid>G1-DEV07</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered>{}</ns3:Item></ns2:orderItems>", selection(&s.definition, "GIF")))
        .await;
    assert_eq!(
        status, 500,
        "a selection sent with an item is checked at once"
    );
    assert!(body.contains("not one of the select"), "{body}");

    let valid = s.order_with(1, &selection(&s.definition, "NETCDF")).await;
    let (status, body) = s.validate(&valid).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.state(&valid).await, "VALIDATED");

    let (status, body) = s
        .gateway
        .call(
            DMS,
            "GetCatalogItemOptionDefinitions2",
            &s.user,
            "<ns2:optionGuids xsi:nil=\"true\"/>",
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !body.contains(&s.definition),
        "users see no provider-scope definitions: {body}"
    );
    let (_, body) = s
        .gateway
        .call(
            DMS,
            "GetCatalogItemOptionDefinitions2",
            &s.staff,
            "<ns2:optionGuids xsi:nil=\"true\"/>",
        )
        .await;
    assert!(
        body.contains("<ns3:Name>Format</ns3:Name>")
            && body.contains("<ns3:Deprecated>false</ns3:Deprecated>"),
        "{body}"
    );

    let remove = format!(
        "<ns2:optionGuids><ns3:Item>{}</ns3:Item></ns2:optionGuids>",
        s.definition
    );
    let (status, body) = s
        .gateway
        .call(DMS, "RemoveCatalogItemOptionDefinitions", &s.staff, &remove)
        .await;
    assert_eq!(status, 200, "{body}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while s.state(&valid).await != "NOT_VALIDATED" {
        assert!(
            Instant::now() < deadline,
            "the validated order was not invalidated"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, body) = s
        .gateway
        .call(
            OMS,
            "GetOrders",
            &s.user,
            &format!("<ns2:orderGuids><ns3:Item>{valid}</ns3:Item></ns2:orderGuids>"),
        )
        .await;
    assert!(
        body.contains("option definition [Format] was removed"),
        "{body}"
    );
}

#[tokio::test]
async fn definitions_are_checked_and_owned() {
    let s = setup().await;
    let broken = format!(
        "<ns2:optionDefinitions><ns3:Item><ns3:Name>Broken</ns3:Name><ns3:Form>{}</ns3:Form></ns3:Item></ns2:optionDefinitions>",
        xml_escape(
            "<form xmlns=\"http://echo.nasa.gov/v9/echoforms\"><model><instance><a/></instance></model><ui><input ref=\"b[\"/></ui></form>"
        )
    );
    let (status, body) = s
        .gateway
        .call(DMS, "CreateCatalogItemOptionDefinitions", &s.staff, &broken)
        .await;
    assert_fault(status, &body, "InvalidForm");
    let duplicate = format!(
        "<ns2:optionDefinitions><ns3:Item><ns3:Name>Format</ns3:Name><ns3:Form>{}</ns3:Form></ns3:Item></ns2:optionDefinitions>",
        xml_escape(FORM)
    );
    let (status, body) = s
        .gateway
        .call(
            DMS,
            "CreateCatalogItemOptionDefinitions",
            &s.staff,
            &duplicate,
        )
        .await;
    assert_fault(status, &body, "AlreadyExists");
    let (status, body) = s
        .gateway
        .call(
            DMS,
            "CreateCatalogItemOptionDefinitions",
            &s.user,
            &duplicate,
        )
        .await;
    assert_eq!(status, 500, "users own no provider: {body}");
    let deprecate = format!(
        "<ns2:optionGuids><ns3:Item>{}</ns3:Item></ns2:optionGuids>",
        s.definition
    );
    let (status, _) = s
        .gateway
        .call(
            DMS,
            "SetCatalogItemOptionDefinitionsDeprecated",
            &s.user,
            &deprecate,
        )
        .await;
    assert_eq!(
        status, 500,
        "users may not deprecate a provider's definition"
    );
    let (status, body) = s
        .gateway
        .call(
            DMS,
            "SetCatalogItemOptionDefinitionsDeprecated",
            &s.staff,
            &deprecate,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .gateway
        .call(OMS, "CreateOrder", &s.user, &format!("<ns2:orderItems><ns3:Item><ns3:ItemGuid>G1-DEV07</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered>{}</ns3:Item></ns2:orderItems>", selection(&s.definition, "HDF")))
        .await;
    assert_fault(status, &body, "OptionDefinitionDeprecated");
}

#[tokio::test]
async fn a_selection_without_a_guid_is_resolved_by_name_and_answered_as_given() {
    let s = setup().await;
    let order = s
        .order_with(1, &selection_named(None, "Format", "NETCDF"))
        .await;
    let (status, body) = s.validate(&order).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.state(&order).await, "VALIDATED");

    let orders = format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>");
    let (_, names) = s
        .gateway
        .call(OMS, "GetOrderItemNamesByOrder", &s.user, &orders)
        .await;
    let item = element_text(&names, "Guid").expect("order item GUID");
    let items = format!("<ns2:orderItemGuids><ns3:Item>{item}</ns3:Item></ns2:orderItemGuids>");
    let (status, body) = s.gateway.call(OMS, "GetOrderItems", &s.user, &items).await;
    assert_eq!(status, 200, "{body}");
    let document = parse(&body);
    let mut found = Vec::new();
    descendants(&document, "OptionSelection", &mut found);
    let answered: Vec<(&str, &str)> = found[0]
        .children
        .iter()
        .map(|c| (c.name.local.as_str(), c.text.as_str()))
        .collect();
    let content = format_content("NETCDF");
    assert_eq!(
        answered,
        [("Name", "Format"), ("Content", content.as_str())],
        "as given: no Guid"
    );

    // No definition of that name applies: to this granule, or at all.
    for (granule, name) in [(2, "Format"), (1, "Colour")] {
        let selection = selection_named(None, name, "HDF");
        let items = format!(
            "<ns2:orderItems><ns3:Item><ns3:ItemGuid>G{granule}-DEV07</ns3:ItemGuid>\
             <ns3:QuantityOrdered>1</ns3:QuantityOrdered>{selection}</ns3:Item></ns2:orderItems>"
        );
        let (status, body) = s.gateway.call(OMS, "CreateOrder", &s.user, &items).await;
        assert_fault(status, &body, "OptionDefinitionNotFound");
        let message = format!(
            "Could not find option definition with name [{name}] for catalog item [G{granule}-DEV07]."
        );
        assert_eq!(element_text(&body, "SystemMessage"), Some(message.as_str()));
    }
}
