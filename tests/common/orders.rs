//! Order fixtures shared by the order tests and the orders benchmark: two providers whose
//! policies support SUBMIT and CANCEL but not QUOTE, a catalog imported through the CLI, a
//! buying user, and the parameter XML of OrderManagementService operations.

use std::path::Path;

use super::{SoapClient, TestGateway, cli, operator_token};

pub const OMS: &str = "OrderManagementService";
/// (provider id, provider GUID) of the two providers of [`Shop`].
pub const SHOP_PROVIDERS: [(&str, &str); 2] = [
    ("SHOP1", "1282C3FE-6892-81C3-A86B-594FDCC13AF3"),
    ("SHOP2", "07ACF84C-6360-0BC7-92A8-E95A958DDE12"),
];

/// What [`Shop::prepare`] created: tokens and the orderable catalog item GUIDs per provider.
pub struct Shop {
    pub operator: String,
    pub buyer: String,
    /// Catalog item GUIDs, per provider in [`SHOP_PROVIDERS`] order.
    pub catalog: [Vec<String>; 2],
}

impl Shop {
    /// Before the gateway starts (or while it runs): both providers, `items_per_provider`
    /// catalog items each, an operator and the user `buyer`, with tokens.
    pub fn prepare(data_dir: &Path, items_per_provider: usize) -> Shop {
        for (id, guid) in SHOP_PROVIDERS {
            cli(data_dir, &["provider", "add", id, "--guid", guid], None);
        }
        let catalog = SHOP_PROVIDERS.map(|(id, _)| {
            (1..=items_per_provider)
                .map(|n| format!("G{n}-{id}"))
                .collect::<Vec<_>>()
        });
        import_catalog(data_dir, &catalog);
        let operator = operator_token(data_dir);
        cli(data_dir, &["user", "add", "buyer", "--role", "user"], None);
        Shop {
            operator,
            buyer: cli(data_dir, &["token", "issue", "buyer"], None),
            catalog,
        }
    }

    /// Once the gateway runs: sets both providers' policies.
    pub async fn set_policies(&self, gateway: &TestGateway) {
        for (_, guid) in SHOP_PROVIDERS {
            set_provider_policies(gateway, &self.operator, &order_policies(guid, 100)).await;
        }
    }

    /// `count` catalog item GUIDs taken alternately from the two providers.
    pub fn mixed_items(&self, count: usize) -> Vec<&str> {
        (0..count)
            .map(|i| self.catalog[i % 2][i / 2].as_str())
            .collect()
    }
}

/// Writes the catalog file (types namespace, `<Item>` per item) and runs `catalog import`.
fn import_catalog(data_dir: &Path, catalog: &[Vec<String>; 2]) {
    let mut items = String::new();
    for ((_, provider), guids) in SHOP_PROVIDERS.iter().zip(catalog) {
        for (n, guid) in guids.iter().enumerate() {
            items.push_str(&format!(
                "<Item><ItemGuid>{guid}</ItemGuid><ProviderGuid>{provider}</ProviderGuid>\
                 <CollectionId>C1-{provider}</CollectionId><DatasetId>Dataset of {provider}</DatasetId>\
                 <GranuleUR>SC:{guid}</GranuleUR><ProducerGranuleId>{guid}_{n}.H5</ProducerGranuleId>\
                 <Price>0.0</Price></Item>"
            ));
        }
    }
    let file = data_dir.join("shop-catalog.xml");
    std::fs::write(
        &file,
        format!(
            "<CatalogItems xmlns=\"http://echo.nasa.gov/echo/v10/types\">{items}</CatalogItems>"
        ),
    )
    .expect("catalog file written");
    cli(
        data_dir,
        &["catalog", "import", file.to_str().expect("UTF-8 path")],
        None,
    );
}

/// SetProviderPolicies parameters: SSL off, no duplicate catalog items, SUBMIT and CANCEL
/// (no QUOTE), at most `max_items` items per order.
pub fn order_policies(provider_guid: &str, max_items: u32) -> String {
    format!(
        "<ns2:providerGuid>{provider_guid}</ns2:providerGuid><ns2:policies>\
         <ns3:EndPoint>http://127.0.0.1:9/fulfill</ns3:EndPoint><ns3:RetryAttempts>3</ns3:RetryAttempts>\
         <ns3:RetryWaitTime>60</ns3:RetryWaitTime><ns3:SslPolicy><ns3:SslEnabled>false</ns3:SslEnabled></ns3:SslPolicy>\
         <ns3:OrderSupportsDuplicateCatalogItems>false</ns3:OrderSupportsDuplicateCatalogItems>\
         <ns3:SupportedTransactions><ns3:Item>SUBMIT</ns3:Item><ns3:Item>CANCEL</ns3:Item></ns3:SupportedTransactions>\
         <ns3:MaxItemsPerOrder>{max_items}</ns3:MaxItemsPerOrder></ns2:policies>"
    )
}

/// SetProviderPolicies with `params` (e.g. [`order_policies`]) as `operator`; panics on a fault.
pub async fn set_provider_policies(gateway: &TestGateway, operator: &str, params: &str) {
    let (status, body) = gateway
        .call("ProviderService", "SetProviderPolicies", operator, params)
        .await;
    assert_eq!(status, 200, "SetProviderPolicies: {body}");
}

/// `<ns2:orderItems>` ordering each catalog item once.
pub fn order_items_param(catalog_guids: &[&str]) -> String {
    let items: String = catalog_guids
        .iter()
        .map(|guid| {
            format!(
                "<ns3:Item><ns3:ItemGuid>{guid}</ns3:ItemGuid>\
                 <ns3:QuantityOrdered>1</ns3:QuantityOrdered></ns3:Item>"
            )
        })
        .collect();
    format!("<ns2:orderItems>{items}</ns2:orderItems>")
}

pub fn order_guid_param(order_guid: &str) -> String {
    format!("<ns2:orderGuid>{order_guid}</ns2:orderGuid>")
}

/// A list parameter `<ns2:{name}>` of plain `<ns3:Item>` values.
pub fn guid_list_param(name: &str, guids: &[&str]) -> String {
    let items: String = guids
        .iter()
        .map(|guid| format!("<ns3:Item>{guid}</ns3:Item>"))
        .collect();
    format!("<ns2:{name}>{items}</ns2:{name}>")
}

/// `<ns2:userInformation>` with the same valid US contact as shipping, billing and contact
/// address (the recorded order's contact, with a full street address).
pub fn user_information_param() -> String {
    let contact = "<ns3:Role>Order Contact</ns3:Role><ns3:FirstName>Alien</ns3:FirstName>\
         <ns3:LastName>Bobcat</ns3:LastName><ns3:Address><ns3:UsFormat>true</ns3:UsFormat>\
         <ns3:Street1>8800 Greenbelt Rd</ns3:Street1><ns3:City>Greenbelt</ns3:City>\
         <ns3:State>MD</ns3:State><ns3:Zip>20771</ns3:Zip><ns3:Country>United States</ns3:Country>\
         </ns3:Address><ns3:Phones><ns3:Item><ns3:Number>0000000000</ns3:Number>\
         <ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType></ns3:Item></ns3:Phones>\
         <ns3:Email>abobcat@nasa.gov</ns3:Email>";
    format!(
        "<ns2:userInformation><ns3:ShippingAddress>{contact}</ns3:ShippingAddress>\
         <ns3:BillingAddress>{contact}</ns3:BillingAddress><ns3:ContactAddress>{contact}</ns3:ContactAddress>\
         <ns3:UserDomain>OTHER</ns3:UserDomain><ns3:UserRegion>USA</ns3:UserRegion></ns2:userInformation>"
    )
}

/// Calls an OrderManagementService operation; panics unless it answers 200. Returns the body.
pub async fn oms_ok(soap: &SoapClient, token: &str, operation: &str, params: &str) -> String {
    let (status, body) = soap
        .try_call(OMS, operation, token, params)
        .await
        .expect("request reaches the gateway");
    assert_eq!(status, 200, "{operation}: {body}");
    body
}

/// CreateOrder with `create_items` (an `<ns2:orderItems>` parameter, or empty), AddOrderItems
/// with `add_items` when given, then SetUserInformationForOrder and SubmitOrder; returns the
/// order GUID. Panics on any fault.
pub async fn place_submitted_order(
    soap: &SoapClient,
    token: &str,
    create_items: &str,
    add_items: Option<&str>,
) -> String {
    let created = oms_ok(soap, token, "CreateOrder", create_items).await;
    let order = super::element_text(&created, "result")
        .expect("CreateOrder result")
        .to_owned();
    let guid = order_guid_param(&order);
    if let Some(items) = add_items {
        oms_ok(soap, token, "AddOrderItems", &format!("{guid}{items}")).await;
    }
    let user_information = format!("{guid}{}", user_information_param());
    oms_ok(soap, token, "SetUserInformationForOrder", &user_information).await;
    oms_ok(soap, token, "SubmitOrder", &guid).await;
    order
}
