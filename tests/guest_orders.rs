//! Guest ordering end to end against the real gateway (issue 10, item 4): a guest signs in
//! with `Login` as `guest` and an email address, orders with the information a guest must
//! give (a ContactAddress with an Email), and GetOrders answers the order as ECHO did, without
//! an OwnerGuid. Only that guest token, operators and the provider's staff (for their part)
//! may read it; `--guest-orders off` refuses guest sign-in and retires guest tokens.

mod common;

use common::orders::{
    OMS, SHOP_PROVIDERS, Shop, guid_list_param, oms_ok, order_guid_param, order_items_param,
};
use common::{
    TestGateway, assert_fault, descendants, element_text, envelope, parse, provider_staff_token,
};
use echo_gateway::xml::Element;

const EMAIL: &str = "Alien.Bobcat@nasa.gov";

/// `Login` as ECHO's guest with `email` as password.
async fn guest_login(gateway: &TestGateway, email: &str) -> (u16, String) {
    let params = format!(
        "<ns2:username>guest</ns2:username><ns2:password>{email}</ns2:password>\
         <ns2:clientInfo><ns3:ClientId>guest-test</ns3:ClientId>\
         <ns3:UserIpAddress>127.0.0.1</ns3:UserIpAddress></ns2:clientInfo>"
    );
    gateway
        .soap("AuthenticationService", &envelope("Login", &params))
        .await
}

async fn guest_token(gateway: &TestGateway) -> String {
    let (status, body) = guest_login(gateway, EMAIL).await;
    assert_eq!(status, 200, "{body}");
    element_text(&body, "result").expect("token").to_owned()
}

/// User information with a country-only shipping address and, if `contact_email`, a
/// ContactAddress with that Email.
fn user_information(contact_email: Option<&str>) -> String {
    let address = "<ns3:Address><ns3:UsFormat>true</ns3:UsFormat>\
         <ns3:Country>United States</ns3:Country></ns3:Address>";
    let contact = contact_email.map_or(String::new(), |email| {
        format!(
            "<ns3:ContactAddress><ns3:Role>Order Contact</ns3:Role><ns3:FirstName>Alien</ns3:FirstName>\
             <ns3:LastName>Bobcat</ns3:LastName>{address}<ns3:Email>{email}</ns3:Email></ns3:ContactAddress>"
        )
    });
    format!(
        "<ns2:userInformation><ns3:ShippingAddress><ns3:Role>Shipping Contact</ns3:Role>\
         {address}</ns3:ShippingAddress>{contact}<ns3:UserDomain>OTHER</ns3:UserDomain>\
         <ns3:UserRegion>USA</ns3:UserRegion></ns2:userInformation>"
    )
}

/// GetOrders of `order` as `token`: status and body.
async fn get_order(gateway: &TestGateway, token: &str, order: &str) -> (u16, String) {
    let params = guid_list_param("orderGuids", &[order]);
    gateway.call(OMS, "GetOrders", token, &params).await
}

fn order_item(body: &str) -> Element {
    let document = parse(body);
    let mut results = Vec::new();
    descendants(&document, "result", &mut results);
    results[0].children[0].clone()
}

#[tokio::test]
async fn a_guest_orders_and_reads_the_order_back_without_an_owner() {
    let dir = tempfile::tempdir().expect("temp dir");
    let shop = Shop::prepare(dir.path(), 1);
    let gateway = TestGateway::start(dir.path(), &[]);
    shop.set_policies(&gateway).await;
    let soap = gateway.soap_client();
    let guest = guest_token(&gateway).await;

    let items = order_items_param(&[&shop.catalog[0][0], &shop.catalog[1][0]]);
    let created = oms_ok(&soap, &guest, "CreateOrder", &items).await;
    let order = element_text(&created, "result").expect("order").to_owned();
    let param = order_guid_param(&order);
    let set = |information: String| format!("{param}{information}");

    // A guest must say how to reach them.
    oms_ok(
        &soap,
        &guest,
        "SetUserInformationForOrder",
        &set(user_information(None)),
    )
    .await;
    let (status, body) = gateway.call(OMS, "SubmitOrder", &guest, &param).await;
    assert_fault(status, &body, "InvalidUserInformation");
    assert!(
        body.contains("a guest order needs a ContactAddress with an Email"),
        "{body}"
    );
    let with_contact = set(user_information(Some(EMAIL)));
    oms_ok(&soap, &guest, "SetUserInformationForOrder", &with_contact).await;
    oms_ok(&soap, &guest, "SubmitOrder", &param).await;

    let (status, body) = get_order(&gateway, &guest, &order).await;
    assert_eq!(status, 200, "{body}");
    let item = order_item(&body);
    let names: Vec<&str> = item
        .children
        .iter()
        .map(|c| c.name.local.as_str())
        .collect();
    assert_eq!(
        names[..4],
        ["UserDomain", "UserRegion", "Guid", "State"],
        "no OwnerGuid: {names:?}"
    );
    for present in ["ShippingAddress", "ContactAddress", "ProviderOrders"] {
        assert!(names.contains(&present), "{present} in {names:?}");
    }
    assert_eq!(element_text(&body, "State"), Some("SUBMITTING"));

    // Operators read all of it, the provider's staff their part; others nothing.
    assert_eq!(get_order(&gateway, &shop.operator, &order).await.0, 200);
    let staff = provider_staff_token(dir.path(), "shop1-staff", SHOP_PROVIDERS[0].0);
    let (status, body) = get_order(&gateway, &staff, &order).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        !body.contains(SHOP_PROVIDERS[1].1),
        "only SHOP1's part: {body}"
    );
    let other_guest = guest_token(&gateway).await;
    for stranger in [&other_guest, &shop.buyer] {
        let (status, body) = get_order(&gateway, stranger, &order).await;
        assert_fault(status, &body, "PermissionDenied");
        let (status, body) = gateway.call(OMS, "CancelOrder", stranger, &param).await;
        assert_fault(status, &body, "PermissionDenied");
    }
}

// Two workers: `stop()` blocks one while the other answers the gateway's HTTP/2 shutdown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operators_turn_guest_ordering_off() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut gateway = TestGateway::start(dir.path(), &[]);
    let guest = guest_token(&gateway).await;
    let (status, body) = guest_login(&gateway, "not an address").await;
    assert_fault(status, &body, "InvalidValue");
    gateway.stop();

    let gateway = TestGateway::start(dir.path(), &["--guest-orders", "off"]);
    let (status, body) = guest_login(&gateway, EMAIL).await;
    assert_fault(status, &body, "GuestOrdersDisabled");
    assert!(body.contains("<ns4:AuthorizationFault"), "{body}");
    let (status, body) = gateway
        .call(OMS, "CreateOrder", &guest, &order_items_param(&[]))
        .await;
    assert_fault(status, &body, "GuestOrdersDisabled");
}
