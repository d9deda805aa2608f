//! OrderManagementService end to end against the real gateway: an order across two providers
//! through validation, quoting and submission with its outbox entries, access rules, and bad
//! input (each a specific fault with no state change).

mod common;

use common::orders::order_policies;
use common::{TestGateway, assert_fault, cli, element_text, operator_token};

const P1: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
const P2: &str = "07ACF84C-6360-0BC7-92A8-E95A958DDE12";
const OMS: &str = "OrderManagementService";

struct Setup {
    gateway: TestGateway,
    owner: String,
    stranger: String,
    staff: String,
    _dir: tempfile::TempDir,
}

fn catalog_item(index: usize, provider: &str, orderable: bool) -> String {
    format!(
        "<Item><ItemGuid>G{index}-P</ItemGuid><ProviderGuid>{provider}</ProviderGuid>\
         <CollectionId>C{index}-P</CollectionId><DatasetId>Dataset {index}</DatasetId>\
         <GranuleUR>SC:GR:{index}</GranuleUR><Orderable>{orderable}</Orderable></Item>"
    )
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    cli(path, &["provider", "add", "P1", "--guid", P1], None);
    cli(path, &["provider", "add", "P2", "--guid", P2], None);
    let operator = operator_token(path);
    for name in ["owner", "stranger"] {
        cli(path, &["user", "add", name, "--role", "user"], None);
    }
    cli(
        path,
        &[
            "user",
            "add",
            "staff2",
            "--role",
            "provider",
            "--provider",
            "P2",
        ],
        None,
    );
    let catalog = path.join("catalog.xml");
    let items: String = (1..=4)
        .map(|i| catalog_item(i, P1, true))
        .chain((5..=7).map(|i| catalog_item(i, P2, true)))
        .chain([catalog_item(8, P1, false)])
        .collect();
    std::fs::write(
        &catalog,
        format!(
            "<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">{items}</CatalogItems>"
        ),
    )
    .unwrap();
    cli(
        path,
        &["catalog", "import", catalog.to_str().unwrap()],
        None,
    );
    let gateway = TestGateway::start(path, &[]);
    for (provider, max) in [(P1, 3), (P2, 10)] {
        let (status, body) = gateway
            .call(
                "ProviderService",
                "SetProviderPolicies",
                &operator,
                &order_policies(provider, max),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let token = |name: &str| cli(path, &["token", "issue", name], None);
    Setup {
        owner: token("owner"),
        stranger: token("stranger"),
        staff: token("staff2"),
        gateway,
        _dir: dir,
    }
}

fn order_items(guids: &[usize]) -> String {
    let items: String = guids
        .iter()
        .map(|i| format!("<ns3:Item><ns3:ItemGuid>G{i}-P</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered></ns3:Item>"))
        .collect();
    format!("<ns2:orderItems>{items}</ns2:orderItems>")
}

/// A US-format contact; without a `country` it is the one address no partner could use.
fn user_information(country: Option<&str>) -> String {
    let country = country
        .map(|c| format!("<ns3:Country>{c}</ns3:Country>"))
        .unwrap_or_default();
    format!(
        "<ns2:userInformation><ns3:ContactAddress><ns3:Role>Order Contact</ns3:Role>\
         <ns3:FirstName>Alien</ns3:FirstName><ns3:LastName>Bobcat</ns3:LastName><ns3:Address>\
         <ns3:UsFormat>true</ns3:UsFormat><ns3:Street1>1 Main St</ns3:Street1><ns3:City>Greenbelt</ns3:City>\
         <ns3:State>MD</ns3:State><ns3:Zip>20771</ns3:Zip>{country}</ns3:Address>\
         <ns3:Phones><ns3:Item><ns3:Number>0000000000</ns3:Number><ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType></ns3:Item></ns3:Phones>\
         <ns3:Email>abobcat@nasa.gov</ns3:Email></ns3:ContactAddress><ns3:UserDomain>OTHER</ns3:UserDomain>\
         <ns3:UserRegion>USA</ns3:UserRegion></ns2:userInformation>"
    )
}

impl Setup {
    async fn ok(&self, operation: &str, token: &str, params: &str) -> String {
        let (status, body) = self.gateway.call(OMS, operation, token, params).await;
        assert_eq!(status, 200, "{operation}: {body}");
        body
    }

    async fn create(&self, items: &[usize]) -> String {
        let body = self
            .ok("CreateOrder", &self.owner, &order_items(items))
            .await;
        element_text(&body, "result")
            .expect("order guid")
            .to_owned()
    }

    async fn read(&self, order: &str) -> String {
        self.ok(
            "GetOrders",
            &self.owner,
            &format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>"),
        )
        .await
    }

    /// Expects a fault with `code`, and the order unchanged.
    async fn refused(&self, operation: &str, token: &str, params: &str, order: &str, code: &str) {
        let before = self.read(order).await;
        let (status, body) = self.gateway.call(OMS, operation, token, params).await;
        assert_fault(status, &body, code);
        assert_eq!(
            before,
            self.read(order).await,
            "{operation} changed the order"
        );
    }
}

fn order_param(order: &str) -> String {
    format!("<ns2:orderGuid>{order}</ns2:orderGuid>")
}

#[tokio::test]
async fn an_order_across_two_providers_is_validated_quoted_submitted_and_read_back() {
    let s = setup().await;
    let order = s.create(&[1, 2]).await;
    assert!(
        s.read(&order)
            .await
            .contains("<ns3:OrderPrice>0.0</ns3:OrderPrice>")
    );
    let added = s
        .ok(
            "AddOrderItems",
            &s.owner,
            &format!("{}{}", order_param(&order), order_items(&[3, 5, 6])),
        )
        .await;
    assert_eq!(added.matches("<ns3:Item>").count(), 3, "{added}");
    s.ok(
        "SetUserInformationForOrder",
        &s.owner,
        &format!(
            "{}{}",
            order_param(&order),
            user_information(Some("United States"))
        ),
    )
    .await;
    s.ok("ValidateOrder", &s.owner, &order_param(&order)).await;
    s.ok("QuoteOrder", &s.owner, &order_param(&order)).await;
    let quoted = s.read(&order).await;
    assert_eq!(
        quoted
            .matches("<ns3:State>QUOTE_REJECTED</ns3:State>")
            .count(),
        2,
        "both provider orders: {quoted}"
    );
    assert!(
        quoted.contains("<ns3:State>QUOTED_WITH_EXCEPTIONS</ns3:State><ns3:CreationDate>"),
        "the order: {quoted}"
    );
    assert!(
        quoted.contains("does not support the QUOTE transaction"),
        "{quoted}"
    );
    s.ok("SubmitOrder", &s.owner, &order_param(&order)).await;

    let read = s.read(&order).await;
    assert_eq!(
        read.matches("<ns3:State>SUBMITTING</ns3:State>").count(),
        3,
        "{read}"
    );
    assert!(read.contains("<ns3:SubmissionDate>"));
    assert!(
        read.contains("Transitioning from state [QUOTE_REJECTED] to state [SUBMITTING]"),
        "{read}"
    );
    assert!(read.contains(&format!("<ns3:ProviderGuid>{P1}</ns3:ProviderGuid>")));
    assert!(read.contains(&format!("<ns3:ProviderGuid>{P2}</ns3:ProviderGuid>")));

    let names = s
        .ok(
            "GetOrderItemNamesByOrder",
            &s.owner,
            &format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>"),
        )
        .await;
    let item_guids: Vec<&str> = names
        .split("<ns3:Guid>")
        .skip(1)
        .map(|rest| &rest[..36])
        .collect();
    assert_eq!(item_guids.len(), 5, "{names}");
    let list: String = item_guids
        .iter()
        .map(|g| format!("<ns3:Item>{g}</ns3:Item>"))
        .collect();
    let items = s
        .ok(
            "GetOrderItems",
            &s.owner,
            &format!("<ns2:orderItemGuids>{list}</ns2:orderItemGuids>"),
        )
        .await;
    assert_eq!(items.matches("<ns3:GranuleUR>").count(), 5, "{items}");

    let deliveries = cli(&s.gateway.data_dir, &["deliveries", "list"], None);
    let submits: Vec<&str> = deliveries
        .lines()
        .filter(|l| l.contains("\"SUBMIT\"") && l.contains(&order))
        .collect();
    assert_eq!(
        submits.len(),
        2,
        "one submit per provider order: {deliveries}"
    );

    let staff_view = s
        .ok(
            "GetOrders",
            &s.staff,
            &format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>"),
        )
        .await;
    assert!(
        staff_view.contains(P2) && !staff_view.contains(&format!("<ns3:ProviderGuid>{P1}")),
        "staff see their provider's part: {staff_view}"
    );
}

#[tokio::test]
async fn bad_input_gets_specific_faults_and_changes_nothing() {
    let s = setup().await;
    let order = s.create(&[1]).await;
    let p = order_param(&order);
    let missing = order_param("00000000-0000-0000-0000-000000000000");
    let (status, body) = s
        .gateway
        .call(OMS, "ValidateOrder", &s.owner, &missing)
        .await;
    assert_fault(status, &body, "OrderNotFound");
    s.refused(
        "AddOrderItems",
        &s.stranger,
        &format!("{p}{}", order_items(&[2])),
        &order,
        "PermissionDenied",
    )
    .await;
    let (status, body) = s
        .gateway
        .call(
            OMS,
            "GetOrders",
            &s.stranger,
            &format!("<ns2:orderGuids><ns3:Item>{order}</ns3:Item></ns2:orderGuids>"),
        )
        .await;
    assert_fault(status, &body, "PermissionDenied");
    s.refused(
        "AddOrderItems",
        &s.owner,
        &format!("{p}{}", order_items(&[99])),
        &order,
        "CatalogItemNotFound",
    )
    .await;
    s.refused(
        "AddOrderItems",
        &s.owner,
        &format!("{p}{}", order_items(&[8])),
        &order,
        "CatalogItemNotOrderable",
    )
    .await;
    s.ok(
        "SetUserInformationForOrder",
        &s.owner,
        &format!("{p}{}", user_information(None)),
    )
    .await;
    s.refused(
        "ValidateOrder",
        &s.owner,
        &p,
        &order,
        "InvalidUserInformation",
    )
    .await;
    s.ok(
        "SetUserInformationForOrder",
        &s.owner,
        &format!("{p}{}", user_information(Some("United States"))),
    )
    .await;
    s.ok(
        "AddOrderItems",
        &s.owner,
        &format!("{p}{}", order_items(&[1])),
    )
    .await;
    s.refused(
        "ValidateOrder",
        &s.owner,
        &p,
        &order,
        "DuplicateCatalogItem",
    )
    .await;

    let crowded = s.create(&[1, 2, 3, 4]).await;
    s.ok(
        "SetUserInformationForOrder",
        &s.owner,
        &format!(
            "{}{}",
            order_param(&crowded),
            user_information(Some("United States"))
        ),
    )
    .await;
    s.refused(
        "SubmitOrder",
        &s.owner,
        &order_param(&crowded),
        &crowded,
        "TooManyItems",
    )
    .await;

    let submitted = s.create(&[5]).await;
    let q = order_param(&submitted);
    s.ok(
        "SetUserInformationForOrder",
        &s.owner,
        &format!("{q}{}", user_information(Some("United States"))),
    )
    .await;
    s.ok("SubmitOrder", &s.owner, &q).await;
    s.refused(
        "AddOrderItems",
        &s.owner,
        &format!("{q}{}", order_items(&[6])),
        &submitted,
        "InvalidOrderState",
    )
    .await;
    s.refused("SubmitOrder", &s.owner, &q, &submitted, "InvalidOrderState")
        .await;
    s.refused(
        "RemoveOrders",
        &s.owner,
        &format!("<ns2:orderGuids><ns3:Item>{submitted}</ns3:Item></ns2:orderGuids>"),
        &submitted,
        "OrderNotRemovable",
    )
    .await;
}
