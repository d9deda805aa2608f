//! Where the recorded ECHO v10 server did something else than its guide said, the gateway does
//! what ECHO did (issue 10), checked end to end against the real `serve` and `partner-sim`
//! processes: addresses with `UsFormat` and `Country` only, orders without a contact address,
//! the `*_WITH_EXCEPTIONS` order states, submission to a provider that does not support it,
//! ResubmitProviderOrder in ECHO's form, and the ItemNotFoundFault of an unknown order.

mod common;

use std::time::Duration;

use common::delivery::{PartnerPolicy, list_deliveries, poll, provider_orders};
use common::orders::{
    OMS, SHOP_PROVIDERS, Shop, guid_list_param, oms_ok, order_guid_param, order_items_param,
    order_policies, place_submitted_order,
};
use common::partner::PartnerSim;
use common::{
    SoapClient, TestGateway, assert_fault, descendants, element_text, parse, provider_staff_token,
};
use echo_gateway::xml::Element;

const FAULTS_NS: &str = "http://echo.nasa.gov/echo/v10/faults";
/// How long a provider order may take to reach the state a test waits for.
const SETTLE: Duration = Duration::from_secs(30);

/// A gateway with the shop's two providers, catalog and buyer.
struct Fixture {
    gateway: TestGateway,
    shop: Shop,
    dir: tempfile::TempDir,
}

impl Fixture {
    async fn start() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("gateway");
        std::fs::create_dir(&data).expect("data dir");
        let shop = Shop::prepare(&data, 2);
        let gateway = TestGateway::start(&data, &[]);
        shop.set_policies(&gateway).await;
        Fixture { gateway, shop, dir }
    }

    fn soap(&self) -> SoapClient {
        self.gateway.soap_client()
    }

    /// Points shop provider `index` at a new partner-sim `name` started with `flags`, tried
    /// once per delivery.
    async fn partner(&self, index: usize, name: &str, flags: &[&str]) -> PartnerSim {
        let home = self.dir.path().join(name);
        std::fs::create_dir_all(&home).expect("partner dir");
        let partner = PartnerSim::start(&home, flags);
        let policy = PartnerPolicy {
            retry_attempts: 1,
            ..PartnerPolicy::plain(&partner.url)
        };
        let (_, provider) = SHOP_PROVIDERS[index];
        policy
            .apply(&self.gateway, &self.shop.operator, provider)
            .await;
        partner
    }

    /// CreateOrder of these catalog items with this user information; returns the order GUID.
    async fn order_with(&self, items: &[&str], user_information: &str) -> String {
        let soap = self.soap();
        let created = oms_ok(
            &soap,
            &self.shop.buyer,
            "CreateOrder",
            &order_items_param(items),
        )
        .await;
        let order = element_text(&created, "result")
            .expect("order GUID")
            .to_owned();
        let params = format!(
            "{}<ns2:userInformation>{user_information}</ns2:userInformation>",
            order_guid_param(&order)
        );
        oms_ok(
            &soap,
            &self.shop.buyer,
            "SetUserInformationForOrder",
            &params,
        )
        .await;
        order
    }

    /// Places and submits an order of these catalog items; returns its GUID.
    async fn submit(&self, items: &[&str]) -> String {
        let items = order_items_param(items);
        place_submitted_order(&self.soap(), &self.shop.buyer, &items, None).await
    }

    /// Orders the first catalog item with this user information and submits it; returns
    /// SubmitOrder's status and body, and the order GUID.
    async fn submit_with(&self, user_information: &str) -> (u16, String, String) {
        let order = self.order_with(&[self.item_of(0)], user_information).await;
        let (status, body) = self
            .gateway
            .call(
                OMS,
                "SubmitOrder",
                &self.shop.buyer,
                &order_guid_param(&order),
            )
            .await;
        (status, body, order)
    }

    /// Like [`Self::submit_with`], which must succeed; returns the order as GetOrders reads it.
    async fn submitted_with(&self, user_information: &str) -> Element {
        let (status, body, order) = self.submit_with(user_information).await;
        assert_eq!(status, 200, "SubmitOrder: {body}");
        let read = self.read(&order).await;
        assert_eq!(child_text(&read, "State"), "SUBMITTING");
        read
    }

    /// GetOrders of one order as the buyer: the order's `Item` element.
    async fn read(&self, order: &str) -> Element {
        let params = guid_list_param("orderGuids", &[order]);
        let body = oms_ok(&self.soap(), &self.shop.buyer, "GetOrders", &params).await;
        let document = parse(&body);
        let mut results = Vec::new();
        descendants(&document, "result", &mut results);
        results[0].children[0].clone()
    }

    /// Polls GetOrders until the order's own State is `state`.
    async fn wait_for_order_state(&self, order: &str, state: &str) -> Element {
        poll(&format!("order {order} {state}"), SETTLE, || async {
            let read = self.read(order).await;
            (child_text(&read, "State") == state).then_some(read)
        })
        .await
    }

    fn item_of(&self, provider: usize) -> &str {
        &self.shop.catalog[provider][0]
    }
}

fn child<'a>(element: &'a Element, local: &str) -> Option<&'a Element> {
    element.children.iter().find(|c| c.name.local == local)
}

fn child_text<'a>(element: &'a Element, local: &str) -> &'a str {
    child(element, local).map_or("", |c| c.text.as_str())
}

fn child_names(element: &Element) -> Vec<&str> {
    element
        .children
        .iter()
        .map(|c| c.name.local.as_str())
        .collect()
}

/// A contact with this `Address` element, as the recorded orders had them.
fn contact(element: &str, role: &str, address: &str) -> String {
    format!(
        "<ns3:{element}><ns3:Role>{role}</ns3:Role><ns3:FirstName>Alien</ns3:FirstName>\
         <ns3:LastName>Bobcat</ns3:LastName>{address}<ns3:Email>Alien.Bobcat@nasa.gov</ns3:Email>\
         </ns3:{element}>"
    )
}

/// The recorded shipping and billing address: UsFormat true and Country only.
const COUNTRY_ONLY: &str = "<ns3:Address><ns3:UsFormat>true</ns3:UsFormat>\
     <ns3:Country>United States</ns3:Country></ns3:Address>";
const DOMAIN_AND_REGION: &str =
    "<ns3:UserDomain>GOVERNMENT</ns3:UserDomain><ns3:UserRegion>USA</ns3:UserRegion>";

#[tokio::test]
async fn addresses_with_us_format_and_only_a_country_are_submitted_as_recorded() {
    let f = Fixture::start().await;
    let information = [
        contact("ShippingAddress", "Shipping Contact", COUNTRY_ONLY),
        contact("BillingAddress", "Billing Contact", COUNTRY_ONLY),
        contact("ContactAddress", "Order Contact", COUNTRY_ONLY),
    ]
    .concat()
        + DOMAIN_AND_REGION;
    let read = f.submitted_with(&information).await;
    for element in ["ShippingAddress", "BillingAddress", "ContactAddress"] {
        let address = child(child(&read, element).expect(element), "Address").expect("Address");
        assert_eq!(
            child_names(address),
            ["Guid", "UsFormat", "Country"],
            "{element}"
        );
        assert_eq!(
            (
                child_text(address, "UsFormat"),
                child_text(address, "Country")
            ),
            ("true", "United States")
        );
    }

    // What no partner could use is still refused: an address without a country.
    let no_country = "<ns3:Address><ns3:UsFormat>true</ns3:UsFormat>\
         <ns3:Street1>210 N. Lee Street</ns3:Street1></ns3:Address>";
    let shipping = contact("ShippingAddress", "Shipping Contact", no_country);
    let (status, body, _) = f.submit_with(&shipping).await;
    assert_fault(status, &body, "InvalidUserInformation");
    assert_eq!(
        element_text(&body, "SystemMessage"),
        Some("user information: ShippingAddress: Country is required")
    );
}

#[tokio::test]
async fn an_order_without_a_contact_address_is_submitted() {
    let f = Fixture::start().await;
    let information = contact("ShippingAddress", "Shipping Contact", COUNTRY_ONLY)
        + &contact("BillingAddress", "Billing Contact", COUNTRY_ONLY)
        + DOMAIN_AND_REGION;
    let read = f.submitted_with(&information).await;
    let names = child_names(&read);
    assert!(names.contains(&"ShippingAddress") && names.contains(&"BillingAddress"));
    assert!(!names.contains(&"ContactAddress"), "{names:?}");
}

#[tokio::test]
async fn orders_whose_provider_orders_went_wrong_are_in_a_with_exceptions_state() {
    let f = Fixture::start().await;
    let _rejecting = f.partner(0, "rejecting", &["--answer", "rejected"]).await;
    let _refusing = f.partner(1, "refusing", &["--refuse-first", "1000"]).await;

    // An order whose only provider order is SUBMIT_REJECTED, or SUBMIT_FAILED.
    let rejected = f.submit(&[f.item_of(0)]).await;
    let read = f
        .wait_for_order_state(&rejected, "SUBMITTED_WITH_EXCEPTIONS")
        .await;
    assert_eq!(provider_states(&read), ["SUBMIT_REJECTED"]);
    let failed = f.submit(&[f.item_of(1)]).await;
    let read = f
        .wait_for_order_state(&failed, "SUBMITTED_WITH_EXCEPTIONS")
        .await;
    assert_eq!(provider_states(&read), ["SUBMIT_FAILED"]);

    // Beside a rejected provider order: one the partner closed, one it is processing.
    let both = [f.item_of(0), f.item_of(1)];
    let _automatic = f.partner(1, "automatic", &["--answer", "automatic"]).await;
    let closed = f.submit(&both).await;
    let read = f
        .wait_for_order_state(&closed, "CLOSED_WITH_EXCEPTIONS")
        .await;
    assert_eq!(provider_states(&read), ["SUBMIT_REJECTED", "CLOSED"]);
    let _manual = f.partner(1, "manual", &["--answer", "manual"]).await;
    let processing = f.submit(&both).await;
    let read = f
        .wait_for_order_state(&processing, "PROCESSING_WITH_EXCEPTIONS")
        .await;
    assert_eq!(provider_states(&read), ["SUBMIT_REJECTED", "PROCESSING"]);
}

#[tokio::test]
async fn a_provider_without_submit_support_fails_its_part_with_echos_status_line() {
    let f = Fixture::start().await;
    let (_, shop2) = SHOP_PROVIDERS[1];
    let quote_only = order_policies(shop2, 100).replace("<ns3:Item>SUBMIT</ns3:Item>", "");
    let (status, body) = f
        .gateway
        .call(
            "ProviderService",
            "SetProviderPolicies",
            &f.shop.operator,
            &quote_only,
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let order = f.submit(&[f.item_of(0), f.item_of(1)]).await;
    let read = f.read(&order).await;
    assert_eq!(child_text(&read, "State"), "SUBMITTED_WITH_EXCEPTIONS");
    assert_eq!(provider_states(&read), ["SUBMITTING", "SUBMIT_FAILED"]);
    let views = provider_orders(&f.soap(), &f.shop.buyer, &order).await;
    let failed = views
        .iter()
        .find(|v| v.provider_guid == shop2)
        .expect("SHOP2");
    assert_eq!(
        failed.status_lines[failed.status_lines.len() - 3..],
        [
            "ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]",
            "The provider does not support order submission.",
            "ECHO: Transitioning from state [SUBMITTING] to state [SUBMIT_FAILED]",
        ]
    );
    let owed: Vec<_> = list_deliveries(&f.gateway.data_dir, &[])
        .into_iter()
        .filter(|d| d["entry"]["provider_order"]["order_guid"] == order.as_str())
        .map(|d| d["entry"]["provider_order"]["provider_guid"].clone())
        .collect();
    assert_eq!(owed, [SHOP_PROVIDERS[0].1], "only SHOP1 is asked to submit");
}

#[tokio::test]
async fn provider_staff_resubmit_their_part_in_echos_form_and_each_time_the_original_says_so() {
    let f = Fixture::start().await;
    let _refusing = f.partner(0, "refusing", &["--refuse-first", "1000"]).await;
    let order = f.submit(&[f.item_of(0)]).await;
    f.wait_for_order_state(&order, "SUBMITTED_WITH_EXCEPTIONS")
        .await;
    let data = &f.gateway.data_dir;
    let staff = provider_staff_token(data, "shop1-staff", SHOP_PROVIDERS[0].0);
    let resubmit = |tracking_id: &str| {
        format!(
            "{}<ns2:providerTrackingId>{tracking_id}</ns2:providerTrackingId>",
            order_guid_param(&order)
        )
    };

    let mut resubmitted = Vec::new();
    for tracking_id in ["", "0600030372"] {
        let body = oms_ok(
            &f.soap(),
            &staff,
            "ResubmitProviderOrder",
            &resubmit(tracking_id),
        )
        .await;
        let document = parse(&body);
        let result = find(&document, "result");
        assert!(
            result.children.is_empty() && result.text.len() == 36,
            "{body}"
        );
        resubmitted.push(result.text.clone());
    }
    let views = provider_orders(&f.soap(), &f.shop.buyer, &order).await;
    let lines = &views[0].status_lines;
    let expected: Vec<String> = resubmitted
        .iter()
        .map(|guid| format!("This order has been resubmitted as order [{guid}]"))
        .collect();
    assert_eq!(lines[lines.len() - 2..], expected, "{lines:?}");
    let copy = f.read(&resubmitted[1]).await;
    let provider_order = find(&copy, "ProviderOrders").children[0].clone();
    assert_eq!(
        child_text(&provider_order, "ProviderTrackingId"),
        "0600030372"
    );

    // Another provider's staff may not.
    let other = provider_staff_token(data, "shop2-staff", SHOP_PROVIDERS[1].0);
    let (status, body) = f
        .gateway
        .call(OMS, "ResubmitProviderOrder", &other, &resubmit(""))
        .await;
    assert_fault(status, &body, "PermissionDenied");
}

/// The provider orders' states, in SHOP_PROVIDERS order.
fn provider_states(order: &Element) -> Vec<String> {
    let list = child(order, "ProviderOrders").expect("ProviderOrders");
    SHOP_PROVIDERS
        .iter()
        .filter_map(|(_, guid)| {
            list.children.iter().find(|item| {
                let mut found = Vec::new();
                descendants(item, "ProviderGuid", &mut found);
                found.first().is_some_and(|g| g.text == *guid)
            })
        })
        .map(|item| child_text(item, "State").to_owned())
        .collect()
}

#[tokio::test]
async fn unknown_orders_and_items_are_item_not_found_faults_as_recorded() {
    let f = Fixture::start().await;
    let unknown = "5E3C1A2B-0D4F-4E6A-8B9C-7D1E2F3A4B5C";
    let buyer = &f.shop.buyer;
    let cases = [
        (
            "GetOrders",
            guid_list_param("orderGuids", &[unknown]),
            "Order",
        ),
        ("SubmitOrder", order_guid_param(unknown), "Order"),
        (
            "GetOrderItems",
            guid_list_param("orderItemGuids", &[unknown]),
            "OrderItem",
        ),
    ];
    for (operation, params, kind) in cases {
        let (status, body) = f.gateway.call(OMS, operation, buyer, &params).await;
        let noun = if kind == "Order" {
            "order"
        } else {
            "order item"
        };
        let message = format!("Could not find {noun} with guid [{unknown}].");
        assert_item_not_found(status, &body, &format!("{kind}NotFound"), &message);
        assert_arguments(&body, &[(&format!("{kind}Guid"), unknown)]);
    }
}

/// The recorded shape: HTTP 500, `SOAP-ENV:Client`, the message as faultstring and
/// SystemMessage, and an `ItemNotFoundFault` in the faults namespace with this ErrorCode.
fn assert_item_not_found(status: u16, body: &str, code: &str, message: &str) {
    assert_eq!(status, 500, "{body}");
    let document = parse(body);
    let fault = find(&document, "Fault");
    assert_eq!(child_text(fault, "faultcode"), "SOAP-ENV:Client");
    assert_eq!(child_text(fault, "faultstring"), message);
    let detail = child(fault, "detail").expect("detail");
    let [item_not_found] = detail.children.as_slice() else {
        panic!("one fault element: {body}");
    };
    assert_eq!(
        (&*item_not_found.name.ns, item_not_found.name.local.as_str()),
        (FAULTS_NS, "ItemNotFoundFault")
    );
    assert_eq!(
        child_names(item_not_found),
        [
            "ErrorCode",
            "OpsMessage",
            "SystemMessage",
            "Timestamp",
            "ErrorInstanceId",
            "Arguments"
        ]
    );
    assert_eq!(child_text(item_not_found, "ErrorCode"), code);
    assert_eq!(child_text(item_not_found, "SystemMessage"), message);
}

/// The fault's Arguments, in order.
fn assert_arguments(body: &str, expected: &[(&str, &str)]) {
    let document = parse(body);
    let arguments: Vec<(String, String)> = find(&document, "Arguments")
        .children
        .iter()
        .map(|a| {
            (
                child_text(a, "Name").to_owned(),
                child_text(a, "Value").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(arguments, expected, "{body}");
}

fn find<'a>(document: &'a Element, local: &'a str) -> &'a Element {
    let mut found = Vec::new();
    descendants(document, local, &mut found);
    found
        .first()
        .copied()
        .unwrap_or_else(|| panic!("no {local}"))
}
