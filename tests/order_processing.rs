//! OrderProcessingService against the real gateway: data partners accept, close, cancel and
//! quote their provider orders, set tracking ids and post status lines; repeated calls change
//! nothing; illegal transitions and callers acting for another provider are refused without
//! change. Then the recorded `order_processing_service` traffic, replayed on orders created to
//! match the recorded ones.
//!
//! There is no partner delivery in these tests (deliveries to the shop's unreachable endpoint
//! fail and wait a minute before retrying): orders reach SUBMITTING through SubmitOrder and the
//! partner's own calls drive them on.

mod common;

use common::orders::{
    OMS, SHOP_PROVIDERS, Shop, guid_list_param, oms_ok, order_guid_param, order_items_param,
    order_policies, place_submitted_order, user_information_param,
};
use common::replay::{assert_same, exchanges};
use common::{
    TestGateway, cli, element_text, element_texts, parse, provider_staff_token, token_envelope,
    traffic_dir,
};
use echo_gateway::wire::xml::Element;

const OPS: &str = "OrderProcessingService";
/// Staff of the first and second shop provider.
const SHOP1: usize = 0;
const SHOP2: usize = 1;

struct Partners {
    gateway: TestGateway,
    shop: Shop,
    /// Tokens of SHOP1's and SHOP2's staff.
    staff: [String; 2],
    _dir: tempfile::TempDir,
}

async fn partners() -> Partners {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path();
    let shop = Shop::prepare(path, 3);
    let staff =
        SHOP_PROVIDERS.map(|(id, _)| provider_staff_token(path, &format!("{id}-staff"), id));
    let gateway = TestGateway::start(path, &[]);
    shop.set_policies(&gateway).await;
    Partners {
        gateway,
        shop,
        staff,
        _dir: dir,
    }
}

impl Partners {
    /// A submitted order of G1-SHOP1, G2-SHOP1 and G1-SHOP2.
    async fn submitted_order(&self) -> String {
        let items = order_items_param(&["G1-SHOP1", "G2-SHOP1", "G1-SHOP2"]);
        let soap = self.gateway.soap_client();
        place_submitted_order(&soap, &self.shop.buyer, &items, None).await
    }

    /// Calls `operation` on `order` with `token`.
    async fn call(&self, token: &str, operation: &str, order: &str, params: &str) -> (u16, String) {
        let params = format!("{}{params}", order_guid_param(order));
        self.gateway.call(OPS, operation, token, &params).await
    }

    /// Calls `operation` as `staff`'s provider; panics unless it answers the empty response.
    async fn ok(&self, staff: usize, operation: &str, order: &str, params: &str) {
        let (status, body) = self
            .call(&self.staff[staff], operation, order, params)
            .await;
        assert_eq!(status, 200, "{operation}: {body}");
        let (document, name) = (parse(&body), format!("{operation}Response"));
        let mut responses = Vec::new();
        common::descendants(&document, &name, &mut responses);
        assert!(
            responses.len() == 1 && responses[0].children.is_empty(),
            "{body}"
        );
    }

    /// Calls `operation` with `token` expecting a fault with `code`; the order must read the
    /// same afterwards.
    async fn refused(&self, token: &str, operation: &str, order: &str, params: &str, code: &str) {
        let before = self.orders(order).await;
        let (status, body) = self.call(token, operation, order, params).await;
        assert_eq!(status, 500, "{operation}: {body}");
        assert_eq!(element_text(&body, "ErrorCode"), Some(code), "{body}");
        assert_eq!(
            self.orders(order).await,
            before,
            "{operation} changed the order"
        );
    }

    /// Calls `operation` as `staff`'s provider expecting success without any change.
    async fn repeat(&self, staff: usize, operation: &str, order: &str, params: &str) {
        let before = self.orders(order).await;
        self.ok(staff, operation, order, params).await;
        assert_eq!(self.orders(order).await, before, "repeated {operation}");
    }

    /// GetOrders of `order`, as its owner.
    async fn orders(&self, order: &str) -> String {
        let soap = self.gateway.soap_client();
        let params = guid_list_param("orderGuids", &[order]);
        oms_ok(&soap, &self.shop.buyer, "GetOrders", &params).await
    }

    /// The provider order of SHOP1 or SHOP2 in GetOrders.
    async fn provider_order(&self, order: &str, provider: usize) -> Element {
        let guid = SHOP_PROVIDERS[provider].1;
        let orders = parse(&self.orders(order).await);
        let mut lists = Vec::new();
        common::descendants(&orders, "ProviderOrders", &mut lists);
        let provider_orders = lists.pop().expect("ProviderOrders");
        provider_orders
            .children
            .iter()
            .find(|item| field(&item.children[0], "ProviderGuid") == guid)
            .cloned()
            .unwrap_or_else(|| panic!("no provider order of {guid}"))
    }

    /// The State of the provider order of SHOP1 or SHOP2.
    async fn state(&self, order: &str, provider: usize) -> String {
        field(&self.provider_order(order, provider).await, "State")
    }

    /// (ItemGuid, State) of the order's items, as its owner reads them.
    async fn item_states(&self, order: &str) -> Vec<(String, String)> {
        let soap = self.gateway.soap_client();
        let buyer = &self.shop.buyer;
        let names = oms_ok(
            &soap,
            buyer,
            "GetOrderItemNamesByOrder",
            &guid_list_param("orderGuids", &[order]),
        )
        .await;
        let guids = element_texts(&names, "Guid");
        let guids: Vec<&str> = guids.iter().map(String::as_str).collect();
        let params = guid_list_param("orderItemGuids", &guids);
        let items = oms_ok(&soap, buyer, "GetOrderItems", &params).await;
        element_texts(&items, "ItemGuid")
            .into_iter()
            .zip(element_texts(&items, "State"))
            .collect()
    }

    /// An order of G1-SHOP1 with user information, quoted (SHOP1 must quote).
    async fn quoted_order(&self) -> String {
        let soap = self.gateway.soap_client();
        let buyer = &self.shop.buyer;
        let created = oms_ok(
            &soap,
            buyer,
            "CreateOrder",
            &order_items_param(&["G1-SHOP1"]),
        )
        .await;
        let order = element_text(&created, "result").expect("order").to_owned();
        let information = format!("{}{}", order_guid_param(&order), user_information_param());
        oms_ok(&soap, buyer, "SetUserInformationForOrder", &information).await;
        oms_ok(&soap, buyer, "QuoteOrder", &order_guid_param(&order)).await;
        order
    }

    /// SHOP1 quotes: its policies support QUOTE too.
    async fn allow_quotes(&self) {
        let guid = SHOP_PROVIDERS[SHOP1].1;
        let quoting = order_policies(guid, 100).replace(
            "<ns3:Item>SUBMIT</ns3:Item>",
            "<ns3:Item>QUOTE</ns3:Item><ns3:Item>SUBMIT</ns3:Item>",
        );
        let (status, body) = self
            .gateway
            .call(
                "ProviderService",
                "SetProviderPolicies",
                &self.shop.operator,
                &quoting,
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
}

/// The text of the child `name` of `element`.
fn field(element: &Element, name: &str) -> String {
    element
        .children
        .iter()
        .find(|c| c.name.local == name)
        .map(|c| c.text.clone())
        .unwrap_or_default()
}

/// The StatusMessage lines' texts; each line must be `<Java date in UTC> : <text>`.
fn status_texts(provider_order: &Element) -> Vec<String> {
    field(provider_order, "StatusMessage")
        .lines()
        .map(|line| {
            let (date, text) = line.split_once(" : ").expect("`<date> : <text>`");
            let parts: Vec<&str> = date.split(' ').collect();
            assert!(parts.len() == 6 && parts[4] == "UTC", "date of {line:?}");
            text.to_owned()
        })
        .collect()
}

fn tracking_id(id: &str) -> String {
    format!("<ns2:providerTrackingId>{id}</ns2:providerTrackingId>")
}

fn message(text: &str) -> String {
    format!("<ns2:statusMessage>{text}</ns2:statusMessage>")
}

/// CloseProviderOrder / AcceptProviderOrderCancellation parameters for these catalog items.
fn settle(tracking: &str, items: &[&str], text: &str) -> String {
    settle_list(tracking, &guid_list_param("catalogItemGuids", items), text)
}

/// CloseProviderOrder / AcceptProviderOrderCancellation parameters for all items (xsi:nil).
fn settle_all(tracking: &str, text: &str) -> String {
    settle_list(tracking, "<ns2:catalogItemGuids xsi:nil=\"true\"/>", text)
}

fn settle_list(tracking: &str, list: &str, text: &str) -> String {
    format!("{}{list}{}", tracking_id(tracking), message(text))
}

const SUBMITTED: [&str; 3] = [
    "ECHO: Transitioning from state [null] to state [NOT_VALIDATED]",
    "ECHO: Transitioning from state [NOT_VALIDATED] to state [VALIDATED]",
    "ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]",
];

#[tokio::test]
async fn manual_flow_closes_item_by_item_with_the_full_history() {
    let p = partners().await;
    let order = p.submitted_order().await;
    let accept = format!("{}{}", tracking_id("T-1"), message("Order received"));
    p.ok(SHOP1, "AcceptProviderOrderSubmission", &order, &accept)
        .await;
    p.ok(
        SHOP1,
        "UpdateProviderOrderStatusMessage",
        &order,
        &message("Staging files"),
    )
    .await;
    p.ok(
        SHOP1,
        "CloseProviderOrder",
        &order,
        &settle("T-1", &["G1-SHOP1"], "G1 shipped"),
    )
    .await;
    assert_eq!(p.state(&order, SHOP1).await, "PROCESSING");
    p.ok(
        SHOP1,
        "CloseProviderOrder",
        &order,
        &settle_all("T-1", "All shipped"),
    )
    .await;

    let closed = p.provider_order(&order, SHOP1).await;
    assert_eq!(field(&closed, "State"), "CLOSED");
    assert_eq!(field(&closed, "ProviderTrackingId"), "T-1");
    assert!(!field(&closed, "ClosedDate").is_empty());
    let expected: Vec<String> = SUBMITTED
        .iter()
        .copied()
        .chain([
            "Order received",
            "ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]",
            "Staging files",
            "G1 shipped",
            "All shipped",
            "ECHO: Transitioning from state [PROCESSING] to state [CLOSED]",
        ])
        .map(str::to_owned)
        .collect();
    assert_eq!(status_texts(&closed), expected);
    let states = p.item_states(&order).await;
    let state_of = |item: &str| {
        states
            .iter()
            .find(|(i, _)| i == item)
            .map(|(_, s)| s.as_str())
    };
    assert_eq!(state_of("G1-SHOP1"), Some("CLOSED"));
    assert_eq!(state_of("G2-SHOP1"), Some("CLOSED"));
    assert_eq!(
        state_of("G1-SHOP2"),
        Some("NOT_SET"),
        "the other provider's item"
    );
    assert_eq!(p.state(&order, SHOP2).await, "SUBMITTING");
}

#[tokio::test]
async fn repeated_calls_change_nothing() {
    let p = partners().await;
    let order = p.submitted_order().await;
    let accept = format!("{}{}", tracking_id("T-1"), message("Order received"));
    let steps = [
        ("AcceptProviderOrderSubmission", accept),
        ("SetProviderTrackingId", tracking_id("T-2")),
        ("UpdateProviderOrderStatusMessage", message("Staging files")),
        (
            "CloseProviderOrder",
            settle("T-2", &["G2-SHOP1"], "G2 shipped"),
        ),
        ("CloseProviderOrder", settle_all("T-2", "All shipped")),
    ];
    for (operation, params) in &steps {
        p.ok(SHOP1, operation, &order, params).await;
        p.repeat(SHOP1, operation, &order, params).await;
    }
    let closed = p.provider_order(&order, SHOP1).await;
    assert_eq!(field(&closed, "State"), "CLOSED");
    let named = settle("T-2", &["G1-SHOP1", "G2-SHOP1"], "again");
    p.repeat(SHOP1, "CloseProviderOrder", &order, &named).await;
    p.repeat(SHOP1, "SetProviderTrackingId", &order, &tracking_id("T-2"))
        .await;
    assert_eq!(status_texts(&closed).len(), SUBMITTED.len() + 6);
}

#[tokio::test]
async fn illegal_transitions_are_faults_without_change() {
    let p = partners().await;
    let order = p.submitted_order().await;
    let staff = &p.staff[SHOP1];
    let receipt = "<ns2:orderReceipt><ns3:Pricing><ns3:TotalPrice>1.0</ns3:TotalPrice></ns3:Pricing></ns2:orderReceipt>";
    let invalid = "InvalidOrderState";
    p.refused(
        staff,
        "CloseProviderOrder",
        &order,
        &settle_all("T", "x"),
        invalid,
    )
    .await;
    p.refused(staff, "AcceptProviderOrderQuote", &order, receipt, invalid)
        .await;
    p.refused(
        staff,
        "RejectProviderOrderCancellation",
        &order,
        &message("no"),
        invalid,
    )
    .await;
    p.ok(SHOP1, "AcceptProviderOrderSubmission", &order, "")
        .await;
    p.refused(
        staff,
        "RejectProviderOrderSubmission",
        &order,
        &message("no"),
        invalid,
    )
    .await;
    let unknown = settle("T", &["G1-SHOP2"], "x");
    p.refused(
        staff,
        "CloseProviderOrder",
        &order,
        &unknown,
        "CatalogItemNotInProviderOrder",
    )
    .await;
    p.refused(
        staff,
        "UpdateProviderOrderStatusMessage",
        &order,
        "",
        "MissingElement",
    )
    .await;
    p.ok(
        SHOP1,
        "CloseProviderOrder",
        &order,
        &settle_all("T", "done"),
    )
    .await;
    let cancel = settle_all("T", "x");
    p.refused(
        staff,
        "AcceptProviderOrderCancellation",
        &order,
        &cancel,
        invalid,
    )
    .await;
    let other_answer = format!("{}{}", tracking_id("T-9"), message("x"));
    p.refused(
        staff,
        "AcceptProviderOrderSubmission",
        &order,
        &other_answer,
        invalid,
    )
    .await;
}

#[tokio::test]
async fn only_the_provider_of_the_provider_order_may_act() {
    let p = partners().await;
    let soap = p.gateway.soap_client();
    let items = order_items_param(&["G1-SHOP1"]);
    let order = place_submitted_order(&soap, &p.shop.buyer, &items, None).await;
    let denied = "PermissionDenied";
    let operation = "AcceptProviderOrderSubmission";
    for token in [&p.staff[SHOP2], &p.shop.buyer, &p.shop.operator] {
        p.refused(token, operation, &order, "", denied).await;
    }
    let (_, body) = p.call(&p.staff[SHOP2], operation, &order, "").await;
    assert!(body.contains("AuthorizationFault"), "{body}");
    let context = format!(
        "<ns2:behalfOfProvider>{}</ns2:behalfOfProvider>",
        SHOP_PROVIDERS[SHOP1].0
    );
    let (status, body) = p
        .gateway
        .soap(
            "AuthenticationService",
            &token_envelope("GetProviderContextToken", &p.shop.operator, &context),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let operator_for_shop1 = element_text(&body, "result").expect("token");
    let (status, body) = p.call(operator_for_shop1, operation, &order, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(p.state(&order, SHOP1).await, "PROCESSING");
}

#[tokio::test]
async fn cancellations_are_rejected_or_accepted() {
    let p = partners().await;
    let order = p.submitted_order().await;
    p.ok(SHOP1, "AcceptProviderOrderSubmission", &order, "")
        .await;
    let soap = p.gateway.soap_client();
    let provider_order = format!(
        "<ns2:providerOrderGuid><ns3:ProviderGuid>{}</ns3:ProviderGuid><ns3:OrderGuid>{order}</ns3:OrderGuid></ns2:providerOrderGuid>",
        SHOP_PROVIDERS[SHOP1].1
    );
    let cancel = || oms_ok(&soap, &p.shop.buyer, "CancelProviderOrder", &provider_order);
    cancel().await;
    let reject = message("Already on its way");
    p.ok(SHOP1, "RejectProviderOrderCancellation", &order, &reject)
        .await;
    p.repeat(SHOP1, "RejectProviderOrderCancellation", &order, &reject)
        .await;
    assert_eq!(p.state(&order, SHOP1).await, "PROCESSING");
    cancel().await;
    assert_eq!(p.state(&order, SHOP1).await, "CANCELLING");
    p.ok(
        SHOP1,
        "AcceptProviderOrderCancellation",
        &order,
        &settle_all("T-1", "Cancelled"),
    )
    .await;

    let cancelled = p.provider_order(&order, SHOP1).await;
    assert_eq!(field(&cancelled, "State"), "CANCELLED");
    let texts = status_texts(&cancelled);
    let tail: Vec<&str> = texts[texts.len() - 6..]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "ECHO: Transitioning from state [PROCESSING] to state [CANCELLING]",
            "Already on its way",
            "ECHO: Transitioning from state [CANCELLING] to state [PROCESSING]",
            "ECHO: Transitioning from state [PROCESSING] to state [CANCELLING]",
            "Cancelled",
            "ECHO: Transitioning from state [CANCELLING] to state [CANCELLED]",
        ]
    );
    let states = p.item_states(&order).await;
    let shop1: Vec<&str> = states
        .iter()
        .filter(|(item, _)| item.ends_with("SHOP1"))
        .map(|(_, state)| state.as_str())
        .collect();
    assert_eq!(shop1, ["CANCELLED", "CANCELLED"]);
}

#[tokio::test]
async fn quotes_are_answered_with_a_receipt() {
    let p = partners().await;
    p.allow_quotes().await;
    let receipt = "<ns3:LatestCancelDate>2031-02-15T13:53:43.227Z</ns3:LatestCancelDate>\
        <ns3:EstimatedShipDate>2031-03-01T00:00:00.000Z</ns3:EstimatedShipDate>\
        <ns3:AcceptanceDate>2031-02-15T13:53:43.620Z</ns3:AcceptanceDate><ns3:Pricing>\
        <ns3:TotalPrice>12.5</ns3:TotalPrice><ns3:DataPrice>10.0</ns3:DataPrice>\
        <ns3:MediaPrice>1.0</ns3:MediaPrice><ns3:ShippingFee>1.0</ns3:ShippingFee>\
        <ns3:HandlingFee>0.5</ns3:HandlingFee><ns3:Discount>0.0</ns3:Discount>\
        <ns3:QuantityOfMedia>1</ns3:QuantityOfMedia></ns3:Pricing>";
    let accept = format!(
        "<ns2:orderReceipt>{receipt}</ns2:orderReceipt>{}",
        message("Quoted")
    );

    let order = p.quoted_order().await;
    p.ok(SHOP1, "AcceptProviderOrderQuote", &order, &accept)
        .await;
    p.repeat(SHOP1, "AcceptProviderOrderQuote", &order, &accept)
        .await;
    let orders = p.orders(&order).await;
    assert!(
        orders.contains(&format!("<ns3:OrderReceipt>{receipt}</ns3:OrderReceipt>")),
        "{orders}"
    );
    assert_eq!(element_text(&orders, "OrderPrice"), Some("12.5"));
    assert_eq!(p.state(&order, SHOP1).await, "QUOTED");
    let staff = &p.staff[SHOP1];
    p.refused(
        staff,
        "RejectProviderOrderQuote",
        &order,
        "",
        "InvalidOrderState",
    )
    .await;

    let rejected = p.quoted_order().await;
    p.ok(
        SHOP1,
        "RejectProviderOrderQuote",
        &rejected,
        &message("Not quotable"),
    )
    .await;
    p.repeat(
        SHOP1,
        "RejectProviderOrderQuote",
        &rejected,
        &message("Not quotable"),
    )
    .await;
    let provider_order = p.provider_order(&rejected, SHOP1).await;
    assert_eq!(field(&provider_order, "State"), "QUOTE_REJECTED");
    let texts = status_texts(&provider_order);
    assert_eq!(
        texts[texts.len() - 2..],
        [
            "Not quotable",
            "ECHO: Transitioning from state [QUOTING] to state [QUOTE_REJECTED]"
        ]
    );
}

// ------------------------------------------------------------------ recorded traffic replay

const DEV07: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
/// The recorded provider order flows, each with its folders in the order they were recorded.
const FLOWS: [(&str, [&str; 3]); 2] = [
    ("close_provider_order", ["list", "close_one", "close_all"]),
    (
        "cancel_provider_order",
        ["list", "cancel_one", "cancel_all"],
    ),
];
/// A form the recorded option selection (`GLAH09.33 Order`) answers validly.
const GLAH09_FORM: &str = r#"<form xmlns="http://echo.nasa.gov/v9/echoforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="http://ecs.nasa.gov/options"><model><instance><ecs:options xmlns:ecs="http://ecs.nasa.gov/options"><ecs:distribution><ecs:mediatype><ecs:value>FtpPull</ecs:value></ecs:mediatype><ecs:mediaformat><ecs:ftppull-format><ecs:value>FILEFORMAT</ecs:value></ecs:ftppull-format><ecs:ftppush-format><ecs:value>FILEFORMAT</ecs:value></ecs:ftppush-format></ecs:mediaformat></ecs:distribution><ecs:ancillary><ecs:orderPH>false</ecs:orderPH><ecs:orderQA>false</ecs:orderQA><ecs:orderHDF_MAP>false</ecs:orderHDF_MAP><ecs:orderBrowse>false</ecs:orderBrowse></ecs:ancillary></ecs:options></instance></model><ui><select id="mediatype" label="Media type" ref="ecs:distribution/ecs:mediatype/ecs:value" type="xsd:string" required="true()"><item value="FtpPull" label="FTP pull"/></select></ui></form>"#;
/// The recorded addresses hold UsFormat and Country only; a US-format address needs a street,
/// city, state and zip too, so the replayed order's addresses have these after UsFormat.
const US_FORMAT: &str = "<ns3:UsFormat>true</ns3:UsFormat>";
const STREET: &str = "<ns3:Street1>8800 Greenbelt Rd</ns3:Street1><ns3:City>Greenbelt</ns3:City>\
    <ns3:State>MD</ns3:State><ns3:Zip>20771</ns3:Zip>";

/// The recorded provider order flows replay with the recorded response structure and values
/// (dates the gateway sets and the dates of StatusMessage lines aside).
///
/// Each recorded order was PROCESSING when the recording began, accepted by the partner with
/// a tracking id and a receipt (and, in the cancel flow, one more status line posted), and ECHO
/// cannot be made to reach that state by itself here: there is no partner. So each order is
/// created as recorded (DEV07's three GLAH09 granules with the recorded option selection, the
/// recorded user information), submitted, and driven to the recorded state with this
/// service's own AcceptProviderOrderSubmission (tracking id, receipt and the recorded
/// `Order received` line) and UpdateProviderOrderStatusMessage calls, as the partner did.
#[tokio::test]
async fn recorded_traffic_replays_with_the_recorded_structure() {
    for (flow, folders) in FLOWS {
        let root = traffic_dir().join("order_processing_service").join(flow);
        let recorded = Recorded::read(&root);
        let replay = Replay::prepare(&recorded).await;
        for folder in folders {
            replay.folder(&root.join(folder)).await;
        }
    }
}

/// What a flow's `list` folder recorded about its order.
struct Recorded {
    orders: String,
    item_names: String,
    items: String,
}

impl Recorded {
    fn read(root: &std::path::Path) -> Recorded {
        let list = exchanges(&root.join("list"));
        let response = |operation: &str| {
            list.iter()
                .find(|(name, _, _)| name.ends_with(operation))
                .map(|(_, _, response)| response.clone())
                .unwrap_or_else(|| panic!("{operation} in {}", root.display()))
        };
        Recorded {
            orders: response("GetOrders"),
            item_names: response("GetOrderItemNamesByProviderOrder"),
            items: response("GetOrderItems"),
        }
    }

    /// The recorded element `<ns3:{local}>…</ns3:{local}>` (the first), as XML text.
    fn raw<'a>(xml: &'a str, local: &str) -> &'a str {
        let open = format!("<ns3:{local}>");
        let close = format!("</ns3:{local}>");
        let start = xml.find(&open).unwrap_or_else(|| panic!("{open}"));
        let end = xml[start..].find(&close).expect("closed") + start + close.len();
        &xml[start..end]
    }

    /// The StatusMessage lines' texts, without their dates.
    fn status_texts(&self) -> Vec<String> {
        let message = element_text(&self.orders, "StatusMessage").expect("StatusMessage");
        message
            .lines()
            .filter_map(|line| line.split_once(" : ").map(|(_, text)| text.to_owned()))
            .collect()
    }
}

/// A gateway holding an order like the recorded one, and how recorded text maps to it.
struct Replay {
    gateway: TestGateway,
    staff: String,
    /// (recorded, live) text: order, order item, owner and option definition GUIDs, and the
    /// completed US addresses.
    substitutions: Vec<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Replay {
    async fn prepare(recorded: &Recorded) -> Replay {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path();
        cli(path, &["provider", "add", "DEV07", "--guid", DEV07], None);
        import_recorded_catalog(path, &recorded.items);
        let operator = common::operator_token(path);
        let staff = provider_staff_token(path, "dev07-staff", "DEV07");
        cli(path, &["user", "add", "buyer", "--role", "user"], None);
        let buyer = cli(path, &["token", "issue", "buyer"], None);
        let gateway = TestGateway::start(path, &[]);
        let (status, body) = gateway
            .call(
                "ProviderService",
                "SetProviderPolicies",
                &operator,
                &order_policies(DEV07, 100),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let definition = create_glah09_definition(&gateway, &staff).await;
        let mut replay = Replay {
            gateway,
            staff,
            substitutions: vec![(US_FORMAT.to_owned(), format!("{US_FORMAT}{STREET}"))],
            _dir: dir,
        };
        let selection = Recorded::raw(&recorded.items, "OptionSelection");
        let recorded_definition = element_text(selection, "Guid").expect("option definition");
        replay.substitute(recorded_definition, &definition);
        replay.place_order(recorded, &buyer).await;
        replay
    }

    fn substitute(&mut self, recorded: &str, live: &str) {
        self.substitutions
            .push((recorded.to_owned(), live.to_owned()));
    }

    fn live(&self, recorded: &str) -> String {
        self.substitutions
            .iter()
            .fold(recorded.to_owned(), |text, (from, to)| {
                text.replace(from, to)
            })
    }

    /// Creates, submits and accepts the order as recorded (see the test's documentation).
    async fn place_order(&mut self, recorded: &Recorded, buyer: &str) {
        let soap = self.gateway.soap_client();
        let selection = self.live(Recorded::raw(&recorded.items, "OptionSelection"));
        let items: String = element_texts(&recorded.items, "ItemGuid")
            .iter()
            .map(|item| {
                format!(
                    "<ns3:Item><ns3:ItemGuid>{item}</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered>{selection}</ns3:Item>"
                )
            })
            .collect();
        let orders = &recorded.orders;
        let create = format!(
            "<ns2:orderItems>{items}</ns2:orderItems><ns2:notifyLevel>{}</ns2:notifyLevel>\
             <ns2:clientIdentity>{}</ns2:clientIdentity>",
            element_text(orders, "NotifyLevel").expect("NotifyLevel"),
            element_text(orders, "ClientIdentity").expect("ClientIdentity"),
        );
        let created = oms_ok(&soap, buyer, "CreateOrder", &create).await;
        let order = element_text(&created, "result").expect("order").to_owned();
        self.substitute("test_order_guid", &order);
        let information: String = [
            "ShippingAddress",
            "BillingAddress",
            "ContactAddress",
            "UserDomain",
            "UserRegion",
        ]
        .iter()
        .map(|local| self.live(Recorded::raw(orders, local)))
        .collect();
        let information = format!(
            "{}<ns2:userInformation>{information}</ns2:userInformation>",
            order_guid_param(&order)
        );
        oms_ok(&soap, buyer, "SetUserInformationForOrder", &information).await;
        oms_ok(&soap, buyer, "SubmitOrder", &order_guid_param(&order)).await;
        self.accept_as_recorded(recorded, &order).await;
        self.map_ids(recorded, &order, buyer).await;
    }

    /// AcceptProviderOrderSubmission with the recorded tracking id, receipt and the line logged
    /// just before `[SUBMITTING] -> [PROCESSING]`; then the lines logged after it.
    async fn accept_as_recorded(&self, recorded: &Recorded, order: &str) {
        let texts = recorded.status_texts();
        let processing = texts
            .iter()
            .position(|t| t.ends_with("to state [PROCESSING]"))
            .expect("recorded as PROCESSING");
        let orders = &recorded.orders;
        let receipt = Recorded::raw(orders, "OrderReceipt")
            .replace("<ns3:OrderReceipt>", "<ns2:orderReceipt>")
            .replace("</ns3:OrderReceipt>", "</ns2:orderReceipt>");
        let accept = format!(
            "{}{receipt}{}",
            tracking_id(element_text(orders, "ProviderTrackingId").expect("tracking id")),
            message(&texts[processing - 1]),
        );
        self.ok("AcceptProviderOrderSubmission", order, &accept)
            .await;
        for line in &texts[processing + 1..] {
            self.ok("UpdateProviderOrderStatusMessage", order, &message(line))
                .await;
        }
    }

    async fn ok(&self, operation: &str, order: &str, params: &str) {
        let params = format!("{}{params}", order_guid_param(order));
        let (status, body) = self
            .gateway
            .call(OPS, operation, &self.staff, &params)
            .await;
        assert_eq!(status, 200, "{operation}: {body}");
    }

    /// Maps the recorded order item GUIDs (by catalog item) and owner GUID to the live ones.
    async fn map_ids(&mut self, recorded: &Recorded, order: &str, buyer: &str) {
        let soap = self.gateway.soap_client();
        let live = oms_ok(
            &soap,
            buyer,
            "GetOrderItemNamesByOrder",
            &guid_list_param("orderGuids", &[order]),
        )
        .await;
        let pairs = |xml: &str| {
            element_texts(xml, "Name")
                .into_iter()
                .zip(element_texts(xml, "Guid"))
        };
        for (name, recorded_guid) in pairs(&recorded.item_names) {
            let (_, live_guid) = pairs(&live)
                .find(|(n, _)| *n == name)
                .expect("item ordered");
            self.substitute(&recorded_guid, &live_guid);
        }
        let orders = oms_ok(
            &soap,
            buyer,
            "GetOrders",
            &guid_list_param("orderGuids", &[order]),
        )
        .await;
        let owner = element_text(&orders, "OwnerGuid")
            .expect("owner")
            .to_owned();
        self.substitute(
            element_text(&recorded.orders, "OwnerGuid").expect("owner"),
            &owner,
        );
    }

    /// Replays a folder's requests as DEV07's staff and compares each response.
    async fn folder(&self, folder: &std::path::Path) {
        for (name, request, response) in exchanges(folder) {
            let service = if name.contains("GetProviderNames") {
                "ProviderService"
            } else if name.contains("-Get") {
                OMS
            } else {
                OPS
            };
            let request = self.live(&request).replace("REDACTED-TOKEN", &self.staff);
            let (status, body) = self.gateway.soap(service, &request).await;
            let here = format!("{}/{name}", folder.display());
            assert_eq!(status, 200, "{here}: {body}");
            assert_same(
                &parse(&self.live(&response)),
                &parse(&body),
                &here,
                comparable,
            );
        }
    }
}

/// A leaf value as far as it can equal the recording: dates the gateway sets are left out,
/// StatusMessage lines keep their text only (ECHO wrote its zone, the gateway writes UTC).
fn comparable(element: &Element) -> String {
    match element.name.local.as_str() {
        "CreationDate" | "SubmissionDate" | "LastUpdateDate" | "ClosedDate" => String::new(),
        "StatusMessage" => element
            .text
            .lines()
            .map(|line| line.split_once(" : ").map_or(line, |(_, text)| text))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => element.text.clone(),
    }
}

/// Imports the recorded granules (ItemGuid, GranuleUR, ProducerGranuleId, DatasetId) as
/// DEV07's catalog.
fn import_recorded_catalog(data_dir: &std::path::Path, recorded_items: &str) {
    let texts = |local| element_texts(recorded_items, local);
    let items: String = texts("ItemGuid")
        .iter()
        .zip(texts("GranuleUR"))
        .zip(texts("ProducerGranuleId"))
        .zip(texts("DatasetId"))
        .map(|(((item, granule), producer), dataset)| {
            format!(
                "<Item><ItemGuid>{item}</ItemGuid><ProviderGuid>{DEV07}</ProviderGuid>\
                 <CollectionId>C1000000001-DEV07</CollectionId><DatasetId>{dataset}</DatasetId>\
                 <GranuleUR>{granule}</GranuleUR><ProducerGranuleId>{producer}</ProducerGranuleId></Item>"
            )
        })
        .collect();
    let file = data_dir.join("dev07-catalog.xml");
    let catalog = format!(
        "<CatalogItems xmlns=\"{}\">{items}</CatalogItems>",
        common::TYPES_NS
    );
    std::fs::write(&file, catalog).expect("catalog written");
    cli(
        data_dir,
        &["catalog", "import", file.to_str().expect("UTF-8 path")],
        None,
    );
}

/// Publishes the `GLAH09.33 Order` option definition; returns its GUID.
async fn create_glah09_definition(gateway: &TestGateway, staff: &str) -> String {
    let escaped = GLAH09_FORM
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let definitions = format!(
        "<ns2:optionDefinitions><ns3:Item><ns3:Name>GLAH09.33 Order</ns3:Name><ns3:Scope>PROVIDER</ns3:Scope>\
         <ns3:Form>{escaped}</ns3:Form></ns3:Item></ns2:optionDefinitions>"
    );
    let (status, body) = gateway
        .call(
            "DataManagementService",
            "CreateCatalogItemOptionDefinitions",
            staff,
            &definitions,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    element_text(&body, "Item")
        .expect("definition GUID")
        .to_owned()
}
