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
    SHOP_PROVIDERS, Shop, guid_list_param, oms_ok, order_guid_param, order_items_param,
    order_policies, place_submitted_order, set_provider_policies, user_information_param,
};
use common::recorded_order::{DEV07, Provider, Recorded, RecordedOrder, message, tracking_id};
use common::{
    TestGateway, element_text, element_texts, parse, provider_staff_token, token_envelope,
    traffic_dir,
};
use echo_gateway::xml::Element;

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
        set_provider_policies(&self.gateway, &self.shop.operator, &quoting).await;
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

/// The recorded provider order flows, each with its folders in the order they were recorded.
const FLOWS: [(&str, [&str; 3]); 2] = [
    ("close_provider_order", ["list", "close_one", "close_all"]),
    (
        "cancel_provider_order",
        ["list", "cancel_one", "cancel_all"],
    ),
];

/// The recorded provider order flows replay with the recorded response structure and values
/// (dates the gateway sets and the dates of StatusMessage lines aside), each on an order made
/// to match its `list` folder's (see `common::recorded_order`).
#[tokio::test]
async fn recorded_traffic_replays_with_the_recorded_structure() {
    let dev07 = Provider {
        id: "DEV07",
        guid: DEV07,
    };
    for (flow, folders) in FLOWS {
        let root = traffic_dir().join("order_processing_service").join(flow);
        let recorded = Recorded::read(&[&root.join("list")]);
        let order = RecordedOrder::prepare(&recorded, &dev07).await;
        for folder in folders {
            order.replay_folder(&root.join(folder)).await;
        }
    }
}
