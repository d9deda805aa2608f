//! The ECHO REST API end to end, with a real gateway and a real partner-sim: Earthdata
//! Search's ordering sequence (tokens, order_information, create, bulk_action with a
//! selection valid for the provider's ECHO Form, user_information with country-only
//! addresses and phones keyed "0", "1", submit, polling `orders.json?id=`) until the partner
//! has processed and closed the order; SOAP GetOrders and REST agreeing on every shared
//! field; the documented `{"errors": […]}` answers that change nothing; preferences and
//! users; and one bulk_action of 5,000 items.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::delivery::PartnerPolicy;
use common::partner::PartnerSim;
use common::rest::{RestClient, assert_errors};
use common::{
    TYPES_NS, TestGateway, cli, descendants, element_text, operator_token, parse,
    provider_staff_token, service_path, xml_escape,
};
use serde_json::{Value, json};

const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const PROVIDER_ID: &str = "DEV07";
const DMS: &str = "DataManagementService";
const OMS: &str = "OrderManagementService";
const SETTLE: Duration = Duration::from_secs(30);
/// Catalog items G1..G<BULK>-DEV07; odd ones are NIGHT granules the Format definition applies to.
const BULK: usize = 5_000;
/// A granule of collection C2-DEV07, to which only the Packaging definition applies.
const PACKAGED: &str = "P1-DEV07";

const FORM: &str = r#"<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://example.org/opts"><model><instance><opts:options xmlns:opts="http://example.org/opts"><opts:format>HDF</opts:format></opts:options></instance></model><ui><select id="fmt" label="Format" ref="opts:format" type="xsd:string" required="true()"><item value="HDF" label="HDF"/><item value="NETCDF" label="NetCDF"/></select></ui></form>"#;

fn selection_content(format: &str) -> String {
    format!(
        "<opts:options xmlns:opts=\"http://example.org/opts\"><opts:format>{format}</opts:format></opts:options>"
    )
}

fn item(n: usize) -> String {
    format!("G{n}-{PROVIDER_ID}")
}

struct Fixture {
    gateway: TestGateway,
    operator: String,
    definition: String,
    _partner: PartnerSim,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// A gateway with provider DEV07, its catalog, an operator, a buyer `buyer` with
    /// password `pw` and another user `other`; DEV07's Format form assigned to its
    /// collection for NIGHT granules; DEV07 delivering to a manual partner-sim that calls
    /// back (PROCESSING, then CLOSED).
    async fn start() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("gateway");
        std::fs::create_dir(&data).expect("data dir");
        cli(
            &data,
            &["provider", "add", PROVIDER_ID, "--guid", PROVIDER],
            None,
        );
        import_catalog(&data);
        let operator = operator_token(&data);
        for name in ["buyer", "other"] {
            let add = ["user", "add", name, "--role", "user", "--password-stdin"];
            cli(&data, &add, Some("pw\n"));
        }
        let gateway = TestGateway::start(&data, &["--max-body-bytes", "8000000"]);
        let staff = provider_staff_token(&data, "staff", PROVIDER_ID);
        let partner = manual_partner(dir.path(), &gateway, &staff);
        let policy = PartnerPolicy {
            retry_wait_seconds: 1,
            ..PartnerPolicy::plain(&partner.url)
        };
        policy.apply(&gateway, &operator, PROVIDER).await;
        let definition = publish_form(&gateway, &staff).await;
        Fixture {
            gateway,
            operator,
            definition,
            _partner: partner,
            _dir: dir,
        }
    }

    fn rest(&self) -> RestClient {
        RestClient::new(&self.gateway, "/echo-rest")
    }

    /// Logs `username` in through `tokens.json`; returns a client with the token.
    async fn login(&self, username: &str) -> RestClient {
        let rest = self.rest();
        let answer = rest
            .post_json(
                "/tokens.json",
                &json!({"token": {"username": username, "password": "pw",
                        "client_id": common::rest::CLIENT_ID, "user_ip_address": "127.0.0.1"}}),
            )
            .await;
        assert_eq!(answer.0, 201, "{:?}", answer.1);
        let token = answer.1["token"]["id"].as_str().expect("token id");
        rest.with_token(token)
    }

    fn selection(&self, format: &str) -> Value {
        json!({"id": self.definition, "option_definition_name": "Format",
               "content": selection_content(format)})
    }

    async fn soap_get_order(&self, token: &str, order: &str) -> String {
        let params = format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>");
        let (status, body) = self.gateway.call(OMS, "GetOrders", token, &params).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

/// G1..G<BULK>: odd items are NIGHT granules, even ones DAY.
fn import_catalog(data: &Path) {
    let items: String = (1..=BULK)
        .map(|n| {
            let flag = if n % 2 == 1 { "NIGHT" } else { "DAY" };
            let metadata = xml_escape(&format!("<Granule><DayNightFlag>{flag}</DayNightFlag></Granule>"));
            format!(
                "<Item><ItemGuid>{}</ItemGuid><ProviderGuid>{PROVIDER}</ProviderGuid><CollectionId>C1-DEV07</CollectionId>\
                 <DatasetId>MYD14.005</DatasetId><GranuleUR>SC:MYD14.005:{n}</GranuleUR><Price>0.0</Price>\
                 <Metadata>{metadata}</Metadata></Item>",
                item(n)
            )
        })
        .collect();
    let not_orderable = format!(
        "<Item><ItemGuid>G0-{PROVIDER_ID}</ItemGuid><ProviderGuid>{PROVIDER}</ProviderGuid><CollectionId>C1-DEV07</CollectionId>\
         <DatasetId>MYD14.005</DatasetId><GranuleUR>SC:MYD14.005:0</GranuleUR><Orderable>false</Orderable></Item>"
    );
    let other_collection = format!(
        "<Item><ItemGuid>{PACKAGED}</ItemGuid><ProviderGuid>{PROVIDER}</ProviderGuid><CollectionId>C2-DEV07</CollectionId>\
         <DatasetId>MYD14.006</DatasetId><GranuleUR>SC:MYD14.006:1</GranuleUR></Item>"
    );
    let file = data.join("catalog.xml");
    std::fs::write(
        &file,
        format!("<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">{items}{not_orderable}{other_collection}</CatalogItems>"),
    )
    .expect("catalog written");
    cli(
        data,
        &["catalog", "import", file.to_str().expect("UTF-8")],
        None,
    );
}

fn manual_partner(dir: &Path, gateway: &TestGateway, staff: &str) -> PartnerSim {
    let home = dir.join("partner");
    std::fs::create_dir_all(&home).expect("partner dir");
    let callback = format!("{}{}", gateway.url, service_path("OrderProcessingService"));
    let cert = gateway.data_dir.join("tls/cert.pem");
    let flags = [
        "--answer",
        "manual",
        "--latency-ms",
        "500",
        "--callback-url",
        &callback,
        "--callback-token",
        staff,
        "--callback-cert",
        cert.to_str().expect("UTF-8 path"),
    ];
    PartnerSim::start(&home, &flags)
}

/// Publishes the Format form as DEV07 and assigns it to C1-DEV07 for NIGHT granules;
/// returns the definition's GUID. The same form as Packaging applies to all of C2-DEV07.
async fn publish_form(gateway: &TestGateway, staff: &str) -> String {
    let packaging = publish_definition(gateway, staff, "Packaging").await;
    assign(gateway, staff, "C2-DEV07", &packaging, "").await;
    let definition = publish_definition(gateway, staff, "Format").await;
    let filter = "<ns3:Filter>/Granule/DayNightFlag = 'NIGHT'</ns3:Filter>";
    assign(gateway, staff, "C1-DEV07", &definition, filter).await;
    definition
}

async fn publish_definition(gateway: &TestGateway, staff: &str, name: &str) -> String {
    let definitions = format!(
        "<ns2:optionDefinitions><ns3:Item><ns3:Name>{name}</ns3:Name><ns3:Scope>PROVIDER</ns3:Scope>\
         <ns3:Form>{}</ns3:Form></ns3:Item></ns2:optionDefinitions>",
        xml_escape(FORM)
    );
    let (status, body) = gateway
        .call(
            DMS,
            "CreateCatalogItemOptionDefinitions",
            staff,
            &definitions,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    element_text(&body, "Item").expect("definition").to_owned()
}

async fn assign(
    gateway: &TestGateway,
    staff: &str,
    collection: &str,
    definition: &str,
    filter: &str,
) {
    let assignment = format!(
        "<ns2:optionAssignments><ns3:Item><ns3:CatalogItemId>{collection}</ns3:CatalogItemId>\
         <ns3:OptionDefinitionGuid>{definition}</ns3:OptionDefinitionGuid>{filter}</ns3:Item></ns2:optionAssignments>"
    );
    let (status, body) = gateway
        .call(
            DMS,
            "CreateCatalogItemOptionAssignments",
            staff,
            &assignment,
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Earthdata Search's user information: country-only addresses, phones keyed "0", "1".
fn user_information() -> Value {
    let contact = |role: &str| {
        json!({"role": role, "first_name": "Ada", "last_name": "Lovelace",
               "email": "ada@example.org", "organization": "Analytical Engines",
               "address": {"country": "United Kingdom"},
               "phones": {"0": {"number": "555-0100", "phone_number_type": "BUSINESS"},
                          "1": {"number": "555-0101", "phone_number_type": "FAX"}}})
    };
    json!({"user_information": {
        "shipping_contact": contact("Shipping Contact"),
        "billing_contact": contact("Billing Contact"),
        "order_contact": contact("Order Contact"),
        "user_domain": "OTHER", "user_region": "INTERNATIONAL"}})
}

/// The order of `orders.json?id=<order>`.
async fn polled(rest: &RestClient, order: &str) -> Value {
    let (status, list) = rest.get(&format!("/orders.json?id={order}")).await;
    assert_eq!(status, 200, "{list:?}");
    let list = list.as_array().expect("a list").clone();
    assert_eq!(list.len(), 1, "{list:?}");
    list[0]["order"].clone()
}

/// Creates an order through REST and adds `items` with bulk_action; returns its id.
async fn rest_order(rest: &RestClient, items: Value) -> String {
    let (status, created) = rest.post_json("/orders.json", &json!({"order": {}})).await;
    assert_eq!(status, 201, "{created:?}");
    let order = created["order"]["id"]
        .as_str()
        .expect("order id")
        .to_owned();
    let (status, added) = rest
        .post_json(&format!("/orders/{order}/order_items/bulk_action"), &items)
        .await;
    assert_eq!(status, 201, "{added:?}");
    order
}

#[tokio::test]
async fn earthdata_search_orders_through_rest_and_the_partner_closes_the_order() {
    let f = Fixture::start().await;
    assert_eq!(f.rest().get("/availability.json").await.0, 200);
    let rest = f.login("buyer").await;

    // order_information for the granules: unknown and non-orderable ones are left out.
    let asked = [
        item(1),
        item(2),
        "G999999-DEV07".to_owned(),
        format!("G0-{PROVIDER_ID}"),
    ];
    let pairs: Vec<(&str, &str)> = asked
        .iter()
        .map(|id| ("catalog_item_id[]", id.as_str()))
        .collect();
    let (status, information) = rest.post_form("/order_information.json", &pairs).await;
    assert_eq!(status, 200, "{information:?}");
    assert_eq!(
        information,
        json!([
            {"order_information": {"catalog_item_ref": {"id": item(1)},
              "option_definition_refs": [{"id": f.definition, "name": "Format"}]}},
            {"order_information": {"catalog_item_ref": {"id": item(2)},
              "option_definition_refs": []}}
        ])
    );
    let (status, definition) = rest
        .get(&format!("/option_definitions/{}.json", f.definition))
        .await;
    assert_eq!(status, 200, "{definition:?}");
    assert_eq!(definition["option_definition"]["form"], FORM);

    // create, with the Ruby client's digest: a retry answers the same order.
    let create = json!({"order": {}, "digest": "3f7a9c-buyer-request"});
    let (status, created) = rest.post_json("/orders.json", &create).await;
    assert_eq!(status, 201, "{created:?}");
    let order = created["order"]["id"]
        .as_str()
        .expect("order id")
        .to_owned();
    assert_eq!(created["order"]["state"], "NOT_VALIDATED");
    assert_eq!(created["order"]["client_identity"], common::rest::CLIENT_ID);
    let (_, again) = rest.post_json("/orders.json", &create).await;
    assert_eq!(again["order"]["id"], order.as_str());
    let (_, mine) = rest.get("/orders.json").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine:?}");

    // bulk_action: the NIGHT granule with its selection, the DAY granule without.
    let items = json!([
        {"order_item": {"catalog_item_id": item(1), "quantity": 1, "option_selection": f.selection("NETCDF")}},
        {"order_item": {"catalog_item_id": item(2), "quantity": 1}}
    ]);
    let (status, added) = rest
        .post_json(&format!("/orders/{order}/order_items/bulk_action"), &items)
        .await;
    assert_eq!(status, 201, "{added:?}");
    assert_eq!(added.as_array().map(Vec::len), Some(2), "{added:?}");

    let (status, body) = rest
        .put_json(
            &format!("/orders/{order}/user_information"),
            &user_information(),
        )
        .await;
    assert_eq!(status, 204, "{body:?}");
    let (status, body) = rest
        .post_json(&format!("/orders/{order}/submit"), &json!({}))
        .await;
    assert_eq!(status, 204, "{body:?}");

    // Poll orders.json?id= as the client did, recording each state seen.
    let mut seen: Vec<String> = Vec::new();
    let deadline = Instant::now() + SETTLE;
    let closed = loop {
        let polled = polled(&rest, &order).await;
        let state = polled["state"].as_str().expect("state").to_owned();
        if seen.last() != Some(&state) {
            seen.push(state.clone());
        }
        if state == "CLOSED" {
            break polled;
        }
        assert!(
            Instant::now() < deadline,
            "not CLOSED in {SETTLE:?}: {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    eprintln!("polled states: {seen:?}");
    let expected = ["SUBMITTING", "PROCESSING", "CLOSED"];
    let positions: Vec<usize> = seen
        .iter()
        .map(|s| {
            expected
                .iter()
                .position(|e| e == s)
                .expect("an expected state")
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{seen:?}");

    // The provider order at its location: state, tracking id, the whole status history.
    let references = closed["provider_orders"]
        .as_array()
        .expect("provider orders");
    assert_eq!(references.len(), 1);
    let reference = &references[0]["reference"];
    assert_eq!(reference["id"], PROVIDER_ID);
    let location = reference["location"].as_str().expect("location");
    let path = location
        .strip_prefix("/echo-rest")
        .expect("under the prefix");
    let (status, provider_order) = rest.get(path).await;
    assert_eq!(status, 200, "{provider_order:?}");
    let provider_order = &provider_order["provider_order"];
    assert_eq!(provider_order["state"], "CLOSED");
    let tracking = format!("SIM-{}", order.split('-').next().unwrap());
    assert_eq!(provider_order["provider_tracking_id"], tracking.as_str());
    let messages: Vec<&str> = provider_order["status_messages"]
        .as_array()
        .expect("status messages")
        .iter()
        .map(|m| m["message"].as_str().expect("message"))
        .collect();
    for transition in [
        "ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]",
        "ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]",
        "ECHO: Transitioning from state [PROCESSING] to state [CLOSED]",
    ] {
        assert!(messages.contains(&transition), "{messages:?}");
    }
    assert_eq!(
        provider_order["order_items"].as_array().map(Vec::len),
        Some(2)
    );

    // The same order through SOAP agrees on every shared field.
    let soap = f.soap_get_order(&f.operator, &order).await;
    assert_agrees(&closed, &soap);
}

/// The fields SOAP GetOrders and REST share, compared one by one.
fn assert_agrees(rest: &Value, soap: &str) {
    let document = parse(soap);
    let mut items = Vec::new();
    descendants(&document, "Item", &mut items);
    let order = items.first().expect("a GetOrders item");
    let field = |name: &str| order.child(TYPES_NS, name).map(|c| c.text.clone());
    let text = |v: &Value| v.as_str().map(str::to_owned);
    assert_eq!(field("Guid"), text(&rest["id"]));
    assert_eq!(field("OwnerGuid"), text(&rest["owner_id"]));
    assert_eq!(field("State"), text(&rest["state"]));
    assert_eq!(field("CreationDate"), text(&rest["created_at"]));
    assert_eq!(field("SubmissionDate"), text(&rest["submitted_at"]));
    assert_eq!(field("LastUpdateDate"), text(&rest["updated_at"]));
    assert_eq!(field("UserDomain"), text(&rest["user_domain"]));
    assert_eq!(field("UserRegion"), text(&rest["user_region"]));
    assert_eq!(field("ClientIdentity"), text(&rest["client_identity"]));
    assert_eq!(field("NotifyLevel"), text(&rest["notification_level"]));
    let price: f64 = field("OrderPrice")
        .expect("OrderPrice")
        .parse()
        .expect("a number");
    assert_eq!(Some(price), rest["order_price"].as_f64());
    let contact = order
        .child(TYPES_NS, "ContactAddress")
        .expect("ContactAddress");
    let rest_contact = &rest["order_contact"];
    assert_eq!(
        contact.child(TYPES_NS, "FirstName").map(|c| c.text.clone()),
        text(&rest_contact["first_name"])
    );
    assert_eq!(
        contact.child(TYPES_NS, "Email").map(|c| c.text.clone()),
        text(&rest_contact["email"])
    );
    let mut numbers = Vec::new();
    descendants(contact, "Number", &mut numbers);
    let soap_numbers: Vec<String> = numbers.iter().map(|n| n.text.clone()).collect();
    let rest_numbers: Vec<String> = rest_contact["phones"]
        .as_array()
        .expect("phones")
        .iter()
        .map(|p| p["number"].as_str().expect("number").to_owned())
        .collect();
    assert_eq!(soap_numbers, rest_numbers);
    let mut provider_orders = Vec::new();
    descendants(order, "ProviderOrders", &mut provider_orders);
    let soap_states: Vec<String> = provider_orders[0]
        .children
        .iter()
        .map(|p| p.child(TYPES_NS, "State").expect("State").text.clone())
        .collect();
    assert_eq!(
        soap_states.len(),
        rest["provider_orders"].as_array().map_or(0, Vec::len)
    );
}

#[tokio::test]
async fn an_order_made_through_soap_reads_the_same_through_rest() {
    let f = Fixture::start().await;
    let rest = f.login("buyer").await;
    let token = rest.token.clone().expect("token");
    let items = format!(
        "<ns2:orderItems><ns3:Item><ns3:ItemGuid>{}</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered></ns3:Item></ns2:orderItems>\
         <ns2:notifyLevel>INFO</ns2:notifyLevel><ns2:clientIdentity>soap-client</ns2:clientIdentity>",
        item(2)
    );
    let (status, body) = f.gateway.call(OMS, "CreateOrder", &token, &items).await;
    assert_eq!(status, 200, "{body}");
    let order = element_text(&body, "result").expect("order").to_owned();
    let info = format!(
        "<ns2:orderGuid>{order}</ns2:orderGuid><ns2:userInformation><ns3:ContactAddress><ns3:FirstName>Grace</ns3:FirstName>\
         <ns3:Address><ns3:UsFormat>false</ns3:UsFormat><ns3:Country>France</ns3:Country></ns3:Address>\
         <ns3:Phones><ns3:Item><ns3:Number>1</ns3:Number><ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType></ns3:Item></ns3:Phones>\
         <ns3:Email>g@example.org</ns3:Email></ns3:ContactAddress><ns2:UserDomain>OTHER</ns2:UserDomain></ns2:userInformation>"
    );
    let (status, body) = f
        .gateway
        .call(OMS, "SetUserInformationForOrder", &token, &info)
        .await;
    assert_eq!(status, 200, "{body}");
    let rest_view = polled(&rest, &order).await;
    let soap = f.soap_get_order(&token, &order).await;
    assert_agrees(&rest_view, &soap);
    assert_eq!(rest_view["notification_level"], "INFO");
    assert_eq!(rest_view["client_identity"], "soap-client");
    // The legacy path serves the same order, its provider orders located under that path.
    let legacy = RestClient::new(&f.gateway, "/legacy-services/rest").with_token(&token);
    let legacy_view = polled(&legacy, &order).await.to_string();
    let relocated = legacy_view.replace("/legacy-services/rest/", "/echo-rest/");
    assert_eq!(
        serde_json::from_str::<Value>(&relocated).unwrap(),
        rest_view
    );
}

#[tokio::test]
async fn refused_requests_answer_errors_and_change_nothing() {
    let f = Fixture::start().await;
    let rest = f.login("buyer").await;
    let order = rest_order(&rest, json!([{"order_item": {"catalog_item_id": item(2)}}])).await;
    let before = polled(&rest, &order).await;
    let bulk = format!("/orders/{order}/order_items/bulk_action");

    // A selection answering a definition that does not apply (only Packaging applies to
    // PACKAGED): nothing of the batch is added.
    let wrong = json!([
        {"order_item": {"catalog_item_id": item(3), "option_selection": f.selection("HDF")}},
        {"order_item": {"catalog_item_id": PACKAGED, "option_selection": f.selection("HDF")}}
    ]);
    let message = assert_errors(&rest.post_json(&bulk, &wrong).await, 422);
    assert!(message.contains("does not apply"), "{message}");
    // An invalid selection for an item it applies to.
    let invalid = json!([{"order_item": {"catalog_item_id": item(3), "option_selection": f.selection("JPEG")}}]);
    assert_errors(&rest.post_json(&bulk, &invalid).await, 422);
    // An unknown catalog item.
    let unknown = json!([{"order_item": {"catalog_item_id": "G999999-DEV07"}}]);
    let message = assert_errors(&rest.post_json(&bulk, &unknown).await, 422);
    assert!(message.contains("G999999-DEV07"), "{message}");
    // Malformed JSON, and JSON of the wrong shape.
    assert_errors(
        &rest
            .post_raw(&bulk, "application/json", b"[{\"order_item\": ".to_vec())
            .await,
        400,
    );
    assert_errors(&rest.post_json(&bulk, &json!({"order_item": 1})).await, 400);
    // A body over --max-body-bytes.
    let huge = vec![b' '; 8_000_001];
    assert_errors(&rest.post_raw(&bulk, "application/json", huge).await, 413);
    // No token, a bad token, a Bearer token.
    let anonymous = f.rest();
    assert_errors(
        &anonymous.get(&format!("/orders.json?id={order}")).await,
        401,
    );
    let forged = f.rest().with_token("0123456789abcdef");
    assert_errors(&forged.post_json(&bulk, &json!([])).await, 401);
    // Another user's order: as if it did not exist, for reading and for every change.
    let other = f.login("other").await;
    let hidden = format!("Could not find order with guid [{order}].");
    for answer in [
        other.get(&format!("/orders.json?id={order}")).await,
        other
            .post_json(
                &bulk,
                &json!([{"order_item": {"catalog_item_id": item(4)}}]),
            )
            .await,
        other
            .put_json(
                &format!("/orders/{order}/user_information"),
                &user_information(),
            )
            .await,
        other
            .post_json(&format!("/orders/{order}/submit"), &json!({}))
            .await,
        other.delete(&format!("/orders/{order}")).await,
    ] {
        assert_eq!(assert_errors(&answer, 404), hidden);
    }
    assert_errors(
        &other
            .get("/orders.json?id=00000000-0000-0000-0000-000000000001")
            .await,
        404,
    );
    assert_eq!(polled(&rest, &order).await, before);
    let (_, theirs) = other.get("/orders.json").await;
    assert_eq!(theirs, json!([]));
}

#[tokio::test]
async fn bearer_tokens_users_and_preferences() {
    let f = Fixture::start().await;
    let rest = f.login("buyer").await;
    let token = rest.token.clone().expect("token");
    let bearer = reqwest::Client::clone(&rest.client)
        .get(format!("{}/users/current.json", rest.base))
        .header("Authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("answer");
    assert_eq!(bearer.status().as_u16(), 200);
    let user: Value = serde_json::from_str(&bearer.text().await.expect("a body")).expect("JSON");
    assert_eq!(user["user"]["username"], "buyer");
    let id = user["user"]["id"].as_str().expect("user id").to_owned();
    assert_eq!(rest.get(&format!("/users/{id}.json")).await.1, user);

    let preferences = format!("/users/{id}/preferences.json");
    assert_errors(&rest.get(&preferences).await, 404);
    let wanted = json!({"preferences": {"order_notification_level": "INFO",
        "general_contact": {"first_name": "Ada", "email": "ada@example.org",
            "address": {"country": "United Kingdom"},
            "phones": [{"number": "555-0100", "phone_number_type": "BUSINESS"}]}}});
    let (status, stored) = rest.put_json(&preferences, &wanted).await;
    assert_eq!(status, 200, "{stored:?}");
    assert_eq!(stored["preferences"]["order_notification_level"], "INFO");
    assert_eq!(
        stored["preferences"]["general_contact"]["address"]["country"],
        "United Kingdom"
    );
    assert_eq!(rest.get(&preferences).await, (200, stored.clone()));
    let (status, phones) = rest.get(&format!("/users/{id}/phones.json")).await;
    assert_eq!(status, 200);
    assert_eq!(phones[0]["phone"]["number"], "555-0100");

    let other = f.login("other").await;
    assert_errors(&other.get(&preferences).await, 404);
    assert_errors(&other.put_json(&preferences, &wanted).await, 404);
    assert_errors(&other.get(&format!("/users/{id}.json")).await, 404);
    assert_eq!(rest.get(&preferences).await, (200, stored));
    let wrong_password = f
        .rest()
        .post_json(
            "/tokens.json",
            &json!({"token": {"username": "buyer", "password": "nope"}}),
        )
        .await;
    assert_errors(&wrong_password, 401);
}

#[tokio::test]
async fn one_bulk_action_adds_five_thousand_items() {
    let f = Fixture::start().await;
    let rest = f.login("buyer").await;
    let items: Vec<Value> = (1..=BULK)
        .map(|n| {
            let mut item = json!({"catalog_item_id": item(n), "quantity": 1});
            if n % 2 == 1 {
                item["option_selection"] = f.selection("HDF");
            }
            json!({"order_item": item})
        })
        .collect();
    let body = Value::Array(items);
    let peak_before = peak_memory_kib(&f.gateway);
    let mut timings = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let order = rest_order(&rest, body.clone()).await;
        timings.push(started.elapsed());
        let (_, provider_order) = rest
            .get(&format!(
                "/orders/{order}/provider_orders/{PROVIDER_ID}.json"
            ))
            .await;
        let count = provider_order["provider_order"]["order_items"]
            .as_array()
            .map(Vec::len);
        assert_eq!(count, Some(BULK));
    }
    timings.sort();
    eprintln!(
        "bulk_action of {BULK} items ({} bytes): runs {timings:?}, median {:?}; gateway peak \
         RSS {peak_before} KiB before, {} KiB after",
        body.to_string().len(),
        timings[timings.len() / 2],
        peak_memory_kib(&f.gateway)
    );
}

/// The gateway process's peak resident memory so far (VmHWM), in KiB; 0 where unknown.
fn peak_memory_kib(gateway: &TestGateway) -> u64 {
    let status = gateway
        .pid()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
