//! The order types on the wire: encoding orders, order items and their names as GetOrders,
//! GetOrderItems and GetOrderItemNames* answer them (element names, nesting and order as in the
//! recorded ECHO traffic and the draft `echo-v10-types.xsd`; unset optional fields are left
//! out), and decoding the order types requests carry (UserInformation, OrderItem,
//! ProviderOrderGuid). Pure functions: no storage, no access checks.

use super::name_guid_item;
use crate::app::orders::edit::{OptionSelectionInput, OrderItemInput};
use crate::error::GatewayResult;
use crate::error::RequestError;
use crate::soap::TYPES_NS;
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::guid::Guid;
use echo_domain::order::{
    Address, Contact, OptionSelection, Order, OrderItem, OrderReceipt, Phone, Pricing,
    ProviderOrder, ProviderOrderKey, UserInformation,
};
use echo_domain::timestamp::Timestamp;

/// An order as a GetOrders result `Item`.
pub fn encode_order(order: &Order) -> Out {
    let information = order.user_information();
    Out::types("Item")
        // A guest's order has no owner, as ECHO answered it.
        .optional((!order.guest).then(|| Out::field("OwnerGuid", &order.owner_guid)))
        .optional(optional_field(
            "UserDomain",
            information.user_domain.as_ref(),
        ))
        .optional(optional_field(
            "UserRegion",
            information.user_region.as_ref(),
        ))
        .child(Out::field("Guid", &order.guid))
        .child(Out::field("State", order.state()))
        .child(date_field("CreationDate", order.creation_date))
        .optional(
            order
                .submission_date
                .map(|d| date_field("SubmissionDate", d)),
        )
        .child(date_field("LastUpdateDate", order.last_update_date))
        .optional(optional_contact(
            "ShippingAddress",
            &information.shipping_address,
        ))
        .optional(optional_contact(
            "BillingAddress",
            &information.billing_address,
        ))
        .optional(optional_contact(
            "ContactAddress",
            &information.contact_address,
        ))
        .optional(optional_field("NotifyLevel", order.notify_level.as_ref()))
        .optional(optional_field(
            "ClientIdentity",
            order.client_identity.as_ref(),
        ))
        .child(Out::field("OrderPrice", java_double(order.order_price())))
        .child(
            Out::types("ProviderOrders")
                .children(order.provider_orders().iter().map(encode_provider_order)),
        )
}

/// An order item as a GetOrderItems result `Item`.
pub fn encode_order_item(item: &OrderItem) -> Out {
    let catalog_item = &item.catalog_item;
    let detail = Out::types("OrderItemDetail")
        .child(encode_provider_order_guid(
            "OwningProviderOrderGuid",
            &item.provider_order,
        ))
        .child(Out::field("State", item.state.wire_name()))
        .optional(optional_field(
            "GranuleUR",
            catalog_item.granule_ur.as_ref(),
        ))
        .optional(optional_field(
            "ProducerGranuleId",
            catalog_item.producer_granule_id.as_ref(),
        ))
        .child(Out::field("DatasetId", &catalog_item.dataset_id));
    Out::types("Item")
        .child(Out::field("Guid", &item.guid))
        .child(Out::field("ItemGuid", &catalog_item.item_guid))
        .child(Out::field("QuantityOrdered", item.quantity))
        .optional(item.option_selection.as_ref().map(encode_option_selection))
        .child(detail)
}

/// As the client gave it: without a Guid when it named its definition by Name only.
pub(crate) fn encode_option_selection(selection: &OptionSelection) -> Out {
    let guid = selection
        .guid_given
        .then(|| Out::field("Guid", &selection.guid));
    Out::types("OptionSelection")
        .optional(guid)
        .child(Out::field("Name", &selection.name))
        .child(Out::field("Content", &selection.content))
}

/// An item as a GetOrderItemNamesByOrder / ByProviderOrder `Item`: Name is the catalog item
/// id, Guid the order item's GUID.
pub fn encode_order_item_name(item: &OrderItem) -> Out {
    name_guid_item(&item.catalog_item.item_guid, item.guid.as_str())
}

fn encode_provider_order(provider_order: &ProviderOrder) -> Out {
    Out::types("Item")
        .child(encode_provider_order_guid("Guid", &provider_order.key))
        .optional(optional_field(
            "ProviderTrackingId",
            provider_order.provider_tracking_id.as_ref(),
        ))
        .child(Out::field("State", provider_order.state()))
        .optional(
            provider_order
                .closed_date
                .map(|d| date_field("ClosedDate", d)),
        )
        .optional(provider_order.receipt.as_ref().map(encode_receipt))
        .child(Out::field(
            "StatusMessage",
            provider_order.status().to_echo_string(),
        ))
}

pub fn encode_provider_order_guid(name: &'static str, key: &ProviderOrderKey) -> Out {
    Out::types(name)
        .child(Out::field("ProviderGuid", &key.provider_guid))
        .child(Out::field("OrderGuid", &key.order_guid))
}

pub(crate) fn encode_receipt(receipt: &OrderReceipt) -> Out {
    let date = |name, value: Option<Timestamp>| value.map(|d| date_field(name, d));
    Out::types("OrderReceipt")
        .optional(date("LatestCancelDate", receipt.latest_cancel_date))
        .optional(date("EstimatedShipDate", receipt.estimated_ship_date))
        .optional(date("AcceptanceDate", receipt.acceptance_date))
        .optional(receipt.pricing.as_ref().map(encode_pricing))
}

fn encode_pricing(pricing: &Pricing) -> Out {
    let price = |name, value| Out::field(name, java_double(value));
    Out::types("Pricing")
        .child(price("TotalPrice", pricing.total_price))
        .child(price("DataPrice", pricing.data_price))
        .child(price("MediaPrice", pricing.media_price))
        .child(price("ShippingFee", pricing.shipping_fee))
        .child(price("HandlingFee", pricing.handling_fee))
        .child(price("Discount", pricing.discount))
        .child(Out::field("QuantityOfMedia", pricing.quantity_of_media))
}

/// A `UserInformation` element, as SetUserInformationForOrder takes it.
pub(crate) fn encode_user_information(name: &'static str, information: &UserInformation) -> Out {
    let contact = |name, contact| optional_contact(name, contact);
    Out::types(name)
        .optional(contact("ShippingAddress", &information.shipping_address))
        .optional(contact("BillingAddress", &information.billing_address))
        .optional(contact("ContactAddress", &information.contact_address))
        .optional(optional_field(
            "UserDomain",
            information.user_domain.as_ref(),
        ))
        .optional(optional_field(
            "UserRegion",
            information.user_region.as_ref(),
        ))
}

fn optional_contact(name: &'static str, contact: &Option<Contact>) -> Option<Out> {
    contact
        .as_ref()
        .map(|contact| encode_contact(name, contact))
}

/// A Contact: the type of all three addresses of an order.
fn encode_contact(name: &'static str, contact: &Contact) -> Out {
    Out::types(name)
        .optional(optional_field("Guid", contact.guid.as_ref()))
        .optional(optional_field("Role", contact.role.as_ref()))
        .optional(optional_field("FirstName", contact.first_name.as_ref()))
        .optional(optional_field("LastName", contact.last_name.as_ref()))
        .child(encode_address(&contact.address))
        .child(Out::types("Phones").children(contact.phones.iter().map(encode_phone)))
        .optional(optional_field("Email", contact.email.as_ref()))
        .optional(optional_field(
            "Organization",
            contact.organization.as_ref(),
        ))
}

fn encode_address(address: &Address) -> Out {
    Out::types("Address")
        .optional(optional_field("Guid", address.guid.as_ref()))
        .optional(optional_field("AddressName", address.address_name.as_ref()))
        .child(Out::field("UsFormat", address.us_format))
        .optional(optional_field("Street1", address.street1.as_ref()))
        .optional(optional_field("Street2", address.street2.as_ref()))
        .optional(optional_field("Street3", address.street3.as_ref()))
        .optional(optional_field("Street4", address.street4.as_ref()))
        .optional(optional_field("Street5", address.street5.as_ref()))
        .optional(optional_field("City", address.city.as_ref()))
        .optional(optional_field("State", address.state.as_ref()))
        .optional(optional_field("Zip", address.zip.as_ref()))
        .optional(optional_field("Country", address.country.as_ref()))
}

fn encode_phone(phone: &Phone) -> Out {
    Out::types("Item")
        .optional(optional_field("Guid", phone.guid.as_ref()))
        .child(Out::field("Number", &phone.number))
        .child(Out::field("PhoneNumberType", &phone.phone_number_type))
}

/// A text field, left out when the value is unset.
pub(crate) fn optional_field(name: &'static str, value: Option<impl ToString>) -> Option<Out> {
    value.map(|value| Out::field(name, value))
}

fn date_field(name: &'static str, value: Timestamp) -> Out {
    Out::field(name, value.to_echo_string())
}

/// A double as Java's `Double.toString` writes it: `0.0`, `12.5`, and `1.0E7` from 10^7 up or
/// below 10^-3.
pub(crate) fn java_double(value: f64) -> String {
    let magnitude = value.abs();
    if value == 0.0 || !value.is_finite() || (1e-3..1e7).contains(&magnitude) {
        return format!("{value:?}");
    }
    let scientific = format!("{value:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    if mantissa.contains('.') {
        format!("{mantissa}E{exponent}")
    } else {
        format!("{mantissa}.0E{exponent}")
    }
}

/// Reads a `UserInformation` element (SetUserInformationForOrder). The address rules are not
/// checked here: the domain checks them at validation, as ECHO did.
pub fn decode_user_information(element: &Element) -> Result<UserInformation, RequestError> {
    let fields = Fields::of_type(element);
    Ok(UserInformation {
        shipping_address: nested(fields, "ShippingAddress", decode_contact)?,
        billing_address: nested(fields, "BillingAddress", decode_contact)?,
        contact_address: nested(fields, "ContactAddress", decode_contact)?,
        user_domain: optional_text(fields, "UserDomain"),
        user_region: optional_text(fields, "UserRegion"),
    })
}

/// Reads an `OrderItem` element of AddOrderItems, UpdateOrderItems or CreateOrder.
pub fn decode_order_item_input(element: &Element) -> GatewayResult<OrderItemInput> {
    let fields = Fields::of_type(element);
    Ok(OrderItemInput {
        item_guid: fields.required_text("ItemGuid")?.to_owned(),
        quantity: decode_quantity(fields)?,
        option_selection: nested(fields, "OptionSelection", decode_option_selection)?,
    })
}

/// The Guid of an `OrderItem` element: UpdateOrderItems names the item to change with it.
pub fn decode_order_item_guid(element: &Element) -> GatewayResult<Guid> {
    Ok(required_guid(Fields::of_type(element), "Guid")?)
}

/// Reads a `ProviderOrderGuid` element: {ProviderGuid, OrderGuid}.
pub fn decode_provider_order_guid(element: &Element) -> GatewayResult<ProviderOrderKey> {
    let fields = Fields::of_type(element);
    let provider_guid = required_guid(fields, "ProviderGuid")?;
    Ok(ProviderOrderKey {
        order_guid: required_guid(fields, "OrderGuid")?,
        provider_guid,
    })
}

fn decode_contact(element: &Element) -> Result<Contact, RequestError> {
    let fields = Fields::of_type(element);
    Ok(Contact {
        guid: optional_guid(fields, "Guid")?,
        role: optional_text(fields, "Role"),
        first_name: optional_text(fields, "FirstName"),
        last_name: optional_text(fields, "LastName"),
        address: nested(fields, "Address", decode_address)?.unwrap_or_default(),
        phones: nested(fields, "Phones", decode_phones)?.unwrap_or_default(),
        email: optional_text(fields, "Email"),
        organization: optional_text(fields, "Organization"),
    })
}

fn decode_address(element: &Element) -> Result<Address, RequestError> {
    let fields = Fields::of_type(element);
    let text = |name| optional_text(fields, name);
    Ok(Address {
        guid: optional_guid(fields, "Guid")?,
        address_name: text("AddressName"),
        us_format: fields.bool("UsFormat")?.unwrap_or(false),
        street1: text("Street1"),
        street2: text("Street2"),
        street3: text("Street3"),
        street4: text("Street4"),
        street5: text("Street5"),
        city: text("City"),
        state: text("State"),
        zip: text("Zip"),
        country: text("Country"),
    })
}

fn decode_phones(list: &Element) -> Result<Vec<Phone>, RequestError> {
    list.children_named(TYPES_NS, "Item")
        .map(|item| decode_phone(item).map_err(within("Item")))
        .collect()
}

fn decode_phone(element: &Element) -> Result<Phone, RequestError> {
    let fields = Fields::of_type(element);
    Ok(Phone {
        guid: optional_guid(fields, "Guid")?,
        number: fields.required_text("Number")?.to_owned(),
        phone_number_type: fields.required_text("PhoneNumberType")?.to_owned(),
    })
}

pub(crate) fn decode_option_selection(
    element: &Element,
) -> Result<OptionSelectionInput, RequestError> {
    let fields = Fields::of_type(element);
    let content = fields
        .text("Content")
        .filter(|content| !content.trim().is_empty())
        .ok_or_else(|| RequestError::Missing("Content".into()))?;
    Ok(OptionSelectionInput {
        guid: optional_guid(fields, "Guid")?,
        name: fields.required_text("Name")?.to_owned(),
        content: content.to_owned(),
    })
}

pub(crate) fn decode_quantity(fields: Fields<'_>) -> Result<u32, RequestError> {
    let name = "QuantityOrdered";
    optional_count(fields, name)?.ok_or_else(|| RequestError::Missing(name.into()))
}

fn optional_count(fields: Fields<'_>, name: &str) -> Result<Option<u32>, RequestError> {
    let count = |value: i64| {
        u32::try_from(value).map_err(|_| RequestError::Invalid {
            element: name.into(),
            value: value.to_string(),
            expected: "a non-negative integer",
        })
    };
    fields.int(name)?.map(count).transpose()
}

/// Reads an `OrderReceipt` element; absent prices count as 0.
pub(crate) fn decode_receipt(element: &Element) -> Result<OrderReceipt, RequestError> {
    let fields = Fields::of_type(element);
    let date = |name| optional_date(fields, name);
    Ok(OrderReceipt {
        latest_cancel_date: date("LatestCancelDate")?,
        estimated_ship_date: date("EstimatedShipDate")?,
        acceptance_date: date("AcceptanceDate")?,
        pricing: nested(fields, "Pricing", decode_pricing)?,
    })
}

fn decode_pricing(element: &Element) -> Result<Pricing, RequestError> {
    let fields = Fields::of_type(element);
    let price = |name| fields.double(name).map(Option::unwrap_or_default);
    Ok(Pricing {
        total_price: price("TotalPrice")?,
        data_price: price("DataPrice")?,
        media_price: price("MediaPrice")?,
        shipping_fee: price("ShippingFee")?,
        handling_fee: price("HandlingFee")?,
        discount: price("Discount")?,
        quantity_of_media: optional_count(fields, "QuantityOfMedia")?.unwrap_or_default(),
    })
}

fn optional_date(fields: Fields<'_>, name: &str) -> Result<Option<Timestamp>, RequestError> {
    let parse = |text: String| {
        Timestamp::parse(&text).map_err(|_| RequestError::Invalid {
            element: name.to_owned(),
            value: text,
            expected: "an xs:dateTime such as 2016-11-27T15:59:10.513Z",
        })
    };
    optional_text(fields, name).map(parse).transpose()
}

/// Decodes the child `name` when present; its errors name the element by its path from here.
pub(crate) fn nested<T>(
    fields: Fields<'_>,
    name: &str,
    decode: fn(&Element) -> Result<T, RequestError>,
) -> Result<Option<T>, RequestError> {
    fields
        .element(name)
        .map(|element| decode(element).map_err(within(name)))
        .transpose()
}

/// Prefixes the element an error names with its parent: `ContactAddress/Phones/Item/Number`.
pub(crate) fn within(parent: &str) -> impl Fn(RequestError) -> RequestError + '_ {
    move |error| match error {
        RequestError::Missing(name) => RequestError::Missing(format!("{parent}/{name}")),
        RequestError::Invalid {
            element,
            value,
            expected,
        } => RequestError::Invalid {
            element: format!("{parent}/{element}"),
            value,
            expected,
        },
        other => other,
    }
}

/// The trimmed text of a child; absent, nil or blank gives `None`.
pub(crate) fn optional_text(fields: Fields<'_>, name: &str) -> Option<String> {
    fields
        .text(name)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

fn optional_guid(fields: Fields<'_>, name: &str) -> Result<Option<Guid>, RequestError> {
    optional_text(fields, name)
        .map(|text| parse_guid(name, &text))
        .transpose()
}

pub(crate) fn required_guid(fields: Fields<'_>, name: &str) -> Result<Guid, RequestError> {
    parse_guid(name, fields.required_text(name)?)
}

fn parse_guid(name: &str, text: &str) -> Result<Guid, RequestError> {
    Guid::parse(text).map_err(|_| RequestError::Invalid {
        element: name.to_owned(),
        value: text.to_owned(),
        expected: "a GUID such as 1282C3FE-6892-81C3-A86B-594FDCC13AF3",
    })
}

#[cfg(test)]
mod tests {
    use time::PrimitiveDateTime;
    use time::macros::{format_description, offset};

    use super::*;
    use crate::soap::ECHO_NS;
    use crate::soap::SOAP11_NS;
    use crate::xml::{XmlLimits, parse_document};
    use echo_domain::order::{CatalogItemRef, ItemSettlement, OptionSelection, OrderEvent};

    /// The escaped option selection Content of every recorded item.
    macro_rules! recorded_options {
        () => {
            concat!(
                r#"&lt;ecs:options xmlns:ecs="http://ecs.nasa.gov/options"&gt;"#,
                r#"&lt;ecs:distribution xmlns="http://ecs.nasa.gov/options"&gt;"#,
                r#"&lt;ecs:mediatype&gt;&lt;ecs:value&gt;FtpPull&lt;/ecs:value&gt;"#,
                r#"&lt;/ecs:mediatype&gt;&lt;ecs:mediaformat&gt;&lt;ecs:ftppull-format&gt;"#,
                r#"&lt;ecs:value&gt;FILEFORMAT&lt;/ecs:value&gt;&lt;/ecs:ftppull-format&gt;"#,
                r#"&lt;ecs:ftppush-format&gt;&lt;ecs:value&gt;FILEFORMAT&lt;/ecs:value&gt;"#,
                r#"&lt;/ecs:ftppush-format&gt;&lt;/ecs:mediaformat&gt;&lt;/ecs:distribution&gt;"#,
                r#"&lt;ecs:ancillary xmlns="http://ecs.nasa.gov/options"&gt;"#,
                r#"&lt;ecs:orderPH&gt;false&lt;/ecs:orderPH&gt;"#,
                r#"&lt;ecs:orderQA&gt;false&lt;/ecs:orderQA&gt;"#,
                r#"&lt;ecs:orderHDF_MAP&gt;false&lt;/ecs:orderHDF_MAP&gt;"#,
                r#"&lt;ecs:orderBrowse&gt;false&lt;/ecs:orderBrowse&gt;&lt;/ecs:ancillary&gt;"#,
                r#"&lt;/ecs:options&gt;"#,
            )
        };
    }

    /// close_one/01-GetOrders.response.xml, verbatim.
    const GET_ORDERS: &str = concat!(
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">"#,
        r#"<SOAP-ENV:Header/><SOAP-ENV:Body>"#,
        r#"<ns2:GetOrdersResponse xmlns:ns2="http://echo.nasa.gov/echo/v10" xmlns:ns3="http://echo.nasa.gov/echo/v10/types" xmlns:ns4="http://echo.nasa.gov/echo/v10/faults">"#,
        r#"<ns2:result><ns3:Item>"#,
        r#"<ns3:OwnerGuid>4D4C94EF-3D03-B2D6-8BBE-335C7DD7D61B</ns3:OwnerGuid>"#,
        r#"<ns3:UserDomain>OTHER</ns3:UserDomain><ns3:UserRegion>USA</ns3:UserRegion>"#,
        r#"<ns3:Guid>test_order_guid</ns3:Guid><ns3:State>PROCESSING</ns3:State>"#,
        r#"<ns3:CreationDate>2017-02-15T15:09:18.662Z</ns3:CreationDate>"#,
        r#"<ns3:SubmissionDate>2017-02-15T15:09:21.415Z</ns3:SubmissionDate>"#,
        r#"<ns3:LastUpdateDate>2017-02-15T15:09:23.266Z</ns3:LastUpdateDate><ns3:ShippingAddress>"#,
        r#"<ns3:Guid>BD666780-06A0-E865-4002-FDF084F0F1D2</ns3:Guid>"#,
        r#"<ns3:Role>Order Contact</ns3:Role><ns3:FirstName>Alien</ns3:FirstName>"#,
        r#"<ns3:LastName>Bobcat</ns3:LastName><ns3:Address>"#,
        r#"<ns3:Guid>82CAAC9A-7A34-034E-8D30-A0CCF830B804</ns3:Guid>"#,
        r#"<ns3:UsFormat>true</ns3:UsFormat><ns3:Country>United States</ns3:Country></ns3:Address>"#,
        r#"<ns3:Phones><ns3:Item><ns3:Guid>6BCE1CB2-C79D-D3D4-4DB8-1463E709DEAB</ns3:Guid>"#,
        r#"<ns3:Number>0000000000</ns3:Number><ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType>"#,
        r#"</ns3:Item></ns3:Phones><ns3:Email>abobcat@nasa.gov</ns3:Email></ns3:ShippingAddress>"#,
        r#"<ns3:BillingAddress><ns3:Guid>C599AB6F-5CC6-F376-831C-0E30E7224CF6</ns3:Guid>"#,
        r#"<ns3:Role>Order Contact</ns3:Role><ns3:FirstName>Alien</ns3:FirstName>"#,
        r#"<ns3:LastName>Bobcat</ns3:LastName><ns3:Address>"#,
        r#"<ns3:Guid>154F35FE-6FB8-EFF5-EFBE-9EADCD51E5C4</ns3:Guid>"#,
        r#"<ns3:UsFormat>true</ns3:UsFormat><ns3:Country>United States</ns3:Country></ns3:Address>"#,
        r#"<ns3:Phones><ns3:Item><ns3:Guid>40D606A6-5490-3E71-6B3B-2F46E4B6F19A</ns3:Guid>"#,
        r#"<ns3:Number>0000000000</ns3:Number><ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType>"#,
        r#"</ns3:Item></ns3:Phones><ns3:Email>abobcat@nasa.gov</ns3:Email></ns3:BillingAddress>"#,
        r#"<ns3:ContactAddress><ns3:Guid>E6800A39-1AE7-A24F-B6E6-C50FAF718D27</ns3:Guid>"#,
        r#"<ns3:Role>Order Contact</ns3:Role><ns3:FirstName>Alien</ns3:FirstName>"#,
        r#"<ns3:LastName>Bobcat</ns3:LastName><ns3:Address>"#,
        r#"<ns3:Guid>0236DAF3-0F8A-B947-3DEF-ECDD70C61D98</ns3:Guid>"#,
        r#"<ns3:UsFormat>true</ns3:UsFormat><ns3:Country>United States</ns3:Country></ns3:Address>"#,
        r#"<ns3:Phones><ns3:Item><ns3:Guid>515305CF-9251-905C-5E3C-31FAB838718E</ns3:Guid>"#,
        r#"<ns3:Number>0000000000</ns3:Number><ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType>"#,
        r#"</ns3:Item></ns3:Phones><ns3:Email>abobcat@nasa.gov</ns3:Email></ns3:ContactAddress>"#,
        r#"<ns3:NotifyLevel>INFO</ns3:NotifyLevel>"#,
        r#"<ns3:ClientIdentity>Mw9_IJ-1U-zSz8uKSrgVlQ</ns3:ClientIdentity>"#,
        r#"<ns3:OrderPrice>0.0</ns3:OrderPrice><ns3:ProviderOrders><ns3:Item><ns3:Guid>"#,
        r#"<ns3:ProviderGuid>1282C3FE-6892-81C3-A86B-594FDCC13AF3</ns3:ProviderGuid>"#,
        r#"<ns3:OrderGuid>test_order_guid</ns3:OrderGuid></ns3:Guid>"#,
        r#"<ns3:ProviderTrackingId>0600030379</ns3:ProviderTrackingId>"#,
        r#"<ns3:State>PROCESSING</ns3:State><ns3:OrderReceipt>"#,
        r#"<ns3:LatestCancelDate>2017-02-15T15:09:23.060Z</ns3:LatestCancelDate>"#,
        r#"<ns3:EstimatedShipDate>2017-02-15T15:09:23.060Z</ns3:EstimatedShipDate>"#,
        r#"<ns3:AcceptanceDate>2017-02-15T15:09:23.233Z</ns3:AcceptanceDate><ns3:Pricing>"#,
        r#"<ns3:TotalPrice>0.0</ns3:TotalPrice><ns3:DataPrice>0.0</ns3:DataPrice>"#,
        r#"<ns3:MediaPrice>0.0</ns3:MediaPrice><ns3:ShippingFee>0.0</ns3:ShippingFee>"#,
        r#"<ns3:HandlingFee>0.0</ns3:HandlingFee><ns3:Discount>0.0</ns3:Discount>"#,
        r#"<ns3:QuantityOfMedia>0</ns3:QuantityOfMedia></ns3:Pricing></ns3:OrderReceipt>"#,
        r#"<ns3:StatusMessage>Wed Feb 15 10:09:19 EST 2017 : ECHO: Transitioning from state [null] to state [NOT_VALIDATED]
Wed Feb 15 10:09:21 EST 2017 : ECHO: Transitioning from state [NOT_VALIDATED] to state [VALIDATED]
Wed Feb 15 10:09:21 EST 2017 : ECHO: Transitioning from state [VALIDATED] to state [SUBMITTING]
Wed Feb 15 10:09:23 EST 2017 : Order received
Wed Feb 15 10:09:23 EST 2017 : ECHO: Transitioning from state [SUBMITTING] to state [PROCESSING]
Wed Feb 15 10:11:29 EST 2017 : Running tests
</ns3:StatusMessage>"#,
        r#"</ns3:Item></ns3:ProviderOrders></ns3:Item></ns2:result></ns2:GetOrdersResponse>"#,
        r#"</SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
    );
    /// close_one/03-GetOrderItemNamesByProviderOrder.response.xml, verbatim.
    const GET_ORDER_ITEM_NAMES: &str = concat!(
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">"#,
        r#"<SOAP-ENV:Header/><SOAP-ENV:Body>"#,
        r#"<ns2:GetOrderItemNamesByProviderOrderResponse xmlns:ns2="http://echo.nasa.gov/echo/v10" xmlns:ns3="http://echo.nasa.gov/echo/v10/types" xmlns:ns4="http://echo.nasa.gov/echo/v10/faults">"#,
        r#"<ns2:result><ns3:Item><ns3:Name>G1000005034-DEV07</ns3:Name>"#,
        r#"<ns3:Guid>54D62134-4FA5-116C-9282-214F9824B327</ns3:Guid></ns3:Item><ns3:Item>"#,
        r#"<ns3:Name>G1000005024-DEV07</ns3:Name>"#,
        r#"<ns3:Guid>F9EEC3E5-367F-A419-8CB9-141AAE83B18A</ns3:Guid></ns3:Item><ns3:Item>"#,
        r#"<ns3:Name>G1000005028-DEV07</ns3:Name>"#,
        r#"<ns3:Guid>8B882FEF-DA2C-FD58-301E-FE0B9AB2921F</ns3:Guid></ns3:Item></ns2:result>"#,
        r#"</ns2:GetOrderItemNamesByProviderOrderResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
    );
    /// close_one/04-GetOrderItems.response.xml, verbatim but for the option selection, written once in
    /// [`recorded_options`].
    const GET_ORDER_ITEMS: &str = concat!(
        r#"<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">"#,
        r#"<SOAP-ENV:Header/><SOAP-ENV:Body>"#,
        r#"<ns2:GetOrderItemsResponse xmlns:ns2="http://echo.nasa.gov/echo/v10" xmlns:ns3="http://echo.nasa.gov/echo/v10/types" xmlns:ns4="http://echo.nasa.gov/echo/v10/faults">"#,
        r#"<ns2:result><ns3:Item><ns3:Guid>54D62134-4FA5-116C-9282-214F9824B327</ns3:Guid>"#,
        r#"<ns3:ItemGuid>G1000005034-DEV07</ns3:ItemGuid>"#,
        r#"<ns3:QuantityOrdered>1</ns3:QuantityOrdered><ns3:OptionSelection>"#,
        r#"<ns3:Guid>7E47401F-FA1C-FE07-2A1C-0DBE91366B06</ns3:Guid>"#,
        r#"<ns3:Name>GLAH09.33 Order</ns3:Name><ns3:Content>"#,
        recorded_options!(),
        r#"</ns3:Content></ns3:OptionSelection>"#,
        r#"<ns3:OrderItemDetail><ns3:OwningProviderOrderGuid>"#,
        r#"<ns3:ProviderGuid>1282C3FE-6892-81C3-A86B-594FDCC13AF3</ns3:ProviderGuid>"#,
        r#"<ns3:OrderGuid>test_order_guid</ns3:OrderGuid></ns3:OwningProviderOrderGuid>"#,
        r#"<ns3:State>NOT_SET</ns3:State><ns3:GranuleUR>SC:GLAH09.033:93581</ns3:GranuleUR>"#,
        r#"<ns3:ProducerGranuleId>GLAH09_633_2111_001_1261_0_01_0001.H5</ns3:ProducerGranuleId>"#,
        r#"<ns3:DatasetId>GLAS/ICESat L2 Global Cloud Heights for Multi-layer Clouds (HDF5) V033</ns3:DatasetId>"#,
        r#"</ns3:OrderItemDetail></ns3:Item><ns3:Item>"#,
        r#"<ns3:Guid>F9EEC3E5-367F-A419-8CB9-141AAE83B18A</ns3:Guid>"#,
        r#"<ns3:ItemGuid>G1000005024-DEV07</ns3:ItemGuid>"#,
        r#"<ns3:QuantityOrdered>1</ns3:QuantityOrdered><ns3:OptionSelection>"#,
        r#"<ns3:Guid>7E47401F-FA1C-FE07-2A1C-0DBE91366B06</ns3:Guid>"#,
        r#"<ns3:Name>GLAH09.33 Order</ns3:Name><ns3:Content>"#,
        recorded_options!(),
        r#"</ns3:Content></ns3:OptionSelection>"#,
        r#"<ns3:OrderItemDetail><ns3:OwningProviderOrderGuid>"#,
        r#"<ns3:ProviderGuid>1282C3FE-6892-81C3-A86B-594FDCC13AF3</ns3:ProviderGuid>"#,
        r#"<ns3:OrderGuid>test_order_guid</ns3:OrderGuid></ns3:OwningProviderOrderGuid>"#,
        r#"<ns3:State>NOT_SET</ns3:State><ns3:GranuleUR>SC:GLAH09.033:93583</ns3:GranuleUR>"#,
        r#"<ns3:ProducerGranuleId>GLAH09_633_2111_001_1247_0_01_0001.H5</ns3:ProducerGranuleId>"#,
        r#"<ns3:DatasetId>GLAS/ICESat L2 Global Cloud Heights for Multi-layer Clouds (HDF5) V033</ns3:DatasetId>"#,
        r#"</ns3:OrderItemDetail></ns3:Item><ns3:Item>"#,
        r#"<ns3:Guid>8B882FEF-DA2C-FD58-301E-FE0B9AB2921F</ns3:Guid>"#,
        r#"<ns3:ItemGuid>G1000005028-DEV07</ns3:ItemGuid>"#,
        r#"<ns3:QuantityOrdered>1</ns3:QuantityOrdered><ns3:OptionSelection>"#,
        r#"<ns3:Guid>7E47401F-FA1C-FE07-2A1C-0DBE91366B06</ns3:Guid>"#,
        r#"<ns3:Name>GLAH09.33 Order</ns3:Name><ns3:Content>"#,
        recorded_options!(),
        r#"</ns3:Content></ns3:OptionSelection>"#,
        r#"<ns3:OrderItemDetail><ns3:OwningProviderOrderGuid>"#,
        r#"<ns3:ProviderGuid>1282C3FE-6892-81C3-A86B-594FDCC13AF3</ns3:ProviderGuid>"#,
        r#"<ns3:OrderGuid>test_order_guid</ns3:OrderGuid></ns3:OwningProviderOrderGuid>"#,
        r#"<ns3:State>CLOSED</ns3:State><ns3:GranuleUR>SC:GLAH09.033:93587</ns3:GranuleUR>"#,
        r#"<ns3:ProducerGranuleId>GLAH09_633_2107_002_0113_0_01_0001.H5</ns3:ProducerGranuleId>"#,
        r#"<ns3:DatasetId>GLAS/ICESat L2 Global Cloud Heights for Multi-layer Clouds (HDF5) V033</ns3:DatasetId>"#,
        r#"</ns3:OrderItemDetail></ns3:Item></ns2:result></ns2:GetOrderItemsResponse>"#,
        r#"</SOAP-ENV:Body></SOAP-ENV:Envelope>"#,
    );

    const PROVIDER: &str = "1282C3FE-6892-81C3-A86B-594FDCC13AF3";
    const OPTION_DEFINITION: &str = "7E47401F-FA1C-FE07-2A1C-0DBE91366B06";
    const DATASET: &str = "GLAS/ICESat L2 Global Cloud Heights for Multi-layer Clouds (HDF5) V033";
    /// The recorded items: catalog item, GranuleUR, ProducerGranuleId and order item GUID.
    const ITEMS: [(&str, &str, &str, &str); 3] = [
        (
            "G1000005034-DEV07",
            "SC:GLAH09.033:93581",
            "GLAH09_633_2111_001_1261_0_01_0001.H5",
            "54D62134-4FA5-116C-9282-214F9824B327",
        ),
        (
            "G1000005024-DEV07",
            "SC:GLAH09.033:93583",
            "GLAH09_633_2111_001_1247_0_01_0001.H5",
            "F9EEC3E5-367F-A419-8CB9-141AAE83B18A",
        ),
        (
            "G1000005028-DEV07",
            "SC:GLAH09.033:93587",
            "GLAH09_633_2107_002_0113_0_01_0001.H5",
            "8B882FEF-DA2C-FD58-301E-FE0B9AB2921F",
        ),
    ];

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).unwrap()
    }

    fn guid(text: &str) -> Guid {
        Guid::parse(text).unwrap()
    }

    fn parse(xml: &str) -> Element {
        parse_document(xml, XmlLimits::default()).unwrap()
    }

    /// Serialises as part of a payload would be, with the prefixes declared here.
    fn written(out: &Out) -> String {
        let mut xml = String::new();
        out.write(&mut xml, &[("ns2", ECHO_NS), ("ns3", TYPES_NS)]);
        xml
    }

    /// A types-namespace element holding `inner`, as a request would carry it.
    fn request_element(inner: &str) -> Element {
        parse(&format!(
            r#"<ns3:Item xmlns:ns3="{TYPES_NS}">{inner}</ns3:Item>"#
        ))
    }

    /// The `result` element of a recorded response envelope.
    fn recorded_result(envelope: &str) -> Element {
        let root = parse(envelope);
        let response = &root.child(SOAP11_NS, "Body").unwrap().children[0];
        response.child(ECHO_NS, "result").unwrap().clone()
    }

    fn child_mut<'a>(element: &'a mut Element, name: &str) -> &'a mut Element {
        let found = element.children.iter_mut().find(|c| c.name.local == name);
        found.unwrap_or_else(|| panic!("no {name}"))
    }

    /// The recorded StatusMessage with ECHO's EST dates written in UTC, as the gateway writes
    /// them (see `domain::order::status`).
    fn status_in_utc(recorded: &str) -> String {
        let est = format_description!(
            "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] EST [year]"
        );
        let utc = format_description!(
            "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
        );
        recorded
            .lines()
            .map(|line| {
                let (date, text) = line.split_once(" : ").unwrap();
                let date = PrimitiveDateTime::parse(date, &est).unwrap();
                let date = date.assume_offset(offset!(-5)).to_offset(offset!(UTC));
                format!("{} : {text}\n", date.format(&utc).unwrap())
            })
            .collect()
    }

    /// Replaces the GUIDs the test cannot choose (the order's and its items') by the recorded
    /// ones; every other value is compared as encoded.
    fn with_recorded_guids(out: &Out, order: &Order) -> Element {
        let mut xml = written(out).replace(order.guid.as_str(), "test_order_guid");
        for (item, (.., recorded)) in order.items().iter().zip(ITEMS) {
            xml = xml.replace(item.guid.as_str(), recorded);
        }
        parse(&xml)
    }

    /// Same qualified names, nesting and order; same text in every leaf.
    fn assert_same_tree(actual: &Element, expected: &Element, parent: &str) {
        let path = format!("{parent}/{}", expected.name.local);
        assert_eq!(actual.name, expected.name, "{path}");
        let names = |e: &Element| -> Vec<String> {
            e.children.iter().map(|c| c.name.local.clone()).collect()
        };
        assert_eq!(names(actual), names(expected), "children of {path}");
        if expected.children.is_empty() {
            assert_eq!(actual.text, expected.text, "{path}");
        }
        for (actual, expected) in actual.children.iter().zip(&expected.children) {
            assert_same_tree(actual, expected, &path);
        }
    }

    /// The recording's three contacts differ only in their GUIDs.
    fn recorded_contact(contact: &str, address: &str, phone: &str) -> Contact {
        Contact {
            guid: Some(guid(contact)),
            role: Some("Order Contact".into()),
            first_name: Some("Alien".into()),
            last_name: Some("Bobcat".into()),
            address: Address {
                guid: Some(guid(address)),
                us_format: true,
                country: Some("United States".into()),
                ..Address::default()
            },
            phones: vec![Phone {
                guid: Some(guid(phone)),
                number: "0000000000".into(),
                phone_number_type: "BUSINESS".into(),
            }],
            email: Some("abobcat@nasa.gov".into()),
            organization: None,
        }
    }

    fn recorded_information() -> UserInformation {
        UserInformation {
            shipping_address: Some(recorded_contact(
                "BD666780-06A0-E865-4002-FDF084F0F1D2",
                "82CAAC9A-7A34-034E-8D30-A0CCF830B804",
                "6BCE1CB2-C79D-D3D4-4DB8-1463E709DEAB",
            )),
            billing_address: Some(recorded_contact(
                "C599AB6F-5CC6-F376-831C-0E30E7224CF6",
                "154F35FE-6FB8-EFF5-EFBE-9EADCD51E5C4",
                "40D606A6-5490-3E71-6B3B-2F46E4B6F19A",
            )),
            contact_address: Some(recorded_contact(
                "E6800A39-1AE7-A24F-B6E6-C50FAF718D27",
                "0236DAF3-0F8A-B947-3DEF-ECDD70C61D98",
                "515305CF-9251-905C-5E3C-31FAB838718E",
            )),
            user_domain: Some("OTHER".into()),
            user_region: Some("USA".into()),
        }
    }

    fn recorded_catalog_item(
        (item_guid, granule_ur, producer_granule_id, _): (&str, &str, &str, &str),
    ) -> CatalogItemRef {
        CatalogItemRef {
            item_guid: item_guid.into(),
            provider_guid: guid(PROVIDER),
            collection_id: "C1000000003-DEV07".into(),
            dataset_id: DATASET.into(),
            granule_ur: Some(granule_ur.into()),
            producer_granule_id: Some(producer_granule_id.into()),
            price: 0.0,
        }
    }

    fn recorded_selection() -> OptionSelection {
        OptionSelection {
            guid: guid(OPTION_DEFINITION),
            guid_given: true,
            name: "GLAH09.33 Order".into(),
            content: recorded_options!()
                .replace("&lt;", "<")
                .replace("&gt;", ">"),
        }
    }

    /// The close_one order, driven through the recorded calls at the recorded times.
    fn close_one_order() -> Order {
        let provider = guid(PROVIDER);
        let created = at("2017-02-15T15:09:18.662Z");
        let mut order = Order::new(
            Guid::random(),
            guid("4D4C94EF-3D03-B2D6-8BBE-335C7DD7D61B"),
            created,
        );
        order.notify_level = Some("INFO".into());
        order.client_identity = Some("Mw9_IJ-1U-zSz8uKSrgVlQ".into());
        order
            .set_user_information(recorded_information(), created)
            .unwrap();
        for item in ITEMS {
            let selection = Some(recorded_selection());
            let catalog_item = recorded_catalog_item(item);
            order
                .add_item(catalog_item, 1, selection, at("2017-02-15T15:09:19Z"))
                .unwrap();
        }
        let submitted = at("2017-02-15T15:09:21.415Z");
        order
            .apply_to_all_validating(OrderEvent::Submit, submitted)
            .unwrap();
        order
            .record_message(&provider, "Order received", at("2017-02-15T15:09:23Z"))
            .unwrap();
        let accepted = at("2017-02-15T15:09:23.266Z");
        order
            .apply_to_provider_order(&provider, OrderEvent::SubmitAccepted, accepted)
            .unwrap();
        let provider_order = order.provider_order_mut(&provider).unwrap();
        provider_order.provider_tracking_id = Some("0600030379".into());
        provider_order.receipt = Some(OrderReceipt {
            latest_cancel_date: Some(at("2017-02-15T15:09:23.060Z")),
            estimated_ship_date: Some(at("2017-02-15T15:09:23.060Z")),
            acceptance_date: Some(at("2017-02-15T15:09:23.233Z")),
            pricing: Some(Pricing::default()),
        });
        let closed = ["G1000005028-DEV07".to_owned()];
        let message = "Running tests";
        let settled = at("2017-02-15T15:11:29Z");
        order
            .settle_items(&provider, &closed, ItemSettlement::Close, message, settled)
            .unwrap();
        // ECHO left LastUpdateDate at the last state change; the domain moves it with every
        // provider message.
        order.last_update_date = accepted;
        order
    }

    #[test]
    fn orders_encode_as_recorded() {
        let order = close_one_order();
        let mut expected = recorded_result(GET_ORDERS).children.remove(0);
        let provider_order = child_mut(child_mut(&mut expected, "ProviderOrders"), "Item");
        let status = child_mut(provider_order, "StatusMessage");
        status.text = status_in_utc(&status.text);
        let actual = with_recorded_guids(&encode_order(&order), &order);
        assert_same_tree(&actual, &expected, "");
    }

    #[test]
    fn order_items_encode_as_recorded() {
        let order = close_one_order();
        let items = order.items().iter().map(encode_order_item);
        let result = Out::echo("result").children(items);
        let actual = with_recorded_guids(&result, &order);
        assert_same_tree(&actual, &recorded_result(GET_ORDER_ITEMS), "");
    }

    #[test]
    fn order_item_names_encode_as_recorded() {
        let order = close_one_order();
        let names = order.items().iter().map(encode_order_item_name);
        let result = Out::echo("result").children(names);
        let actual = with_recorded_guids(&result, &order);
        assert_same_tree(&actual, &recorded_result(GET_ORDER_ITEM_NAMES), "");
    }

    #[test]
    fn unset_fields_are_left_out() {
        let mut order = Order::new(Guid::random(), Guid::random(), at("2017-02-15T15:09:18Z"));
        let catalog_item = CatalogItemRef {
            granule_ur: None,
            producer_granule_id: None,
            ..recorded_catalog_item(ITEMS[0])
        };
        order
            .add_item(catalog_item, 2, None, at("2017-02-15T15:09:19Z"))
            .unwrap();
        let names = |out: &Out| -> Vec<String> {
            let element = parse(&written(out));
            element
                .children
                .iter()
                .map(|c| c.name.local.clone())
                .collect()
        };
        let order_fields = [
            "OwnerGuid",
            "Guid",
            "State",
            "CreationDate",
            "LastUpdateDate",
        ];
        let order_fields = [&order_fields[..], &["OrderPrice", "ProviderOrders"]].concat();
        assert_eq!(names(&encode_order(&order)), order_fields);
        let provider_order = encode_provider_order(&order.provider_orders()[0]);
        assert_eq!(names(&provider_order), ["Guid", "State", "StatusMessage"]);
        let item = encode_order_item(&order.items()[0]);
        assert_eq!(
            names(&item),
            ["Guid", "ItemGuid", "QuantityOrdered", "OrderItemDetail"]
        );
    }

    #[test]
    fn doubles_print_like_java() {
        let cases = [
            (0.0, "0.0"),
            (12.5, "12.5"),
            (100.0, "100.0"),
            (-3.25, "-3.25"),
            (0.001, "0.001"),
            (9_999_999.5, "9999999.5"),
            (1e7, "1.0E7"),
            (12_345_678.0, "1.2345678E7"),
            (0.00025, "2.5E-4"),
        ];
        for (value, java) in cases {
            assert_eq!(java_double(value), java, "{value}");
        }
    }

    #[test]
    fn user_information_round_trips() {
        let full = Contact {
            organization: Some("Raytheon".into()),
            address: Address {
                guid: None,
                address_name: Some("Shipping".into()),
                us_format: false,
                street1: Some("1 Rue de la Paix".into()),
                street2: Some("Bâtiment B".into()),
                street3: Some("3e étage".into()),
                street4: Some("Porte 4".into()),
                street5: Some("Boîte 5".into()),
                city: Some("Paris".into()),
                state: None,
                zip: Some("75002".into()),
                country: Some("France".into()),
            },
            phones: Vec::new(),
            ..recorded_contact(OPTION_DEFINITION, PROVIDER, PROVIDER)
        };
        let international = UserInformation {
            shipping_address: Some(full),
            billing_address: None,
            user_region: Some("INTERNATIONAL".into()),
            ..recorded_information()
        };
        for information in [recorded_information(), international] {
            let mut order = Order::new(Guid::random(), Guid::random(), Timestamp::now());
            let now = Timestamp::now();
            order.set_user_information(information, now).unwrap();
            let element = parse(&written(&encode_order(&order)));
            let decoded = decode_user_information(&element).unwrap();
            assert_eq!(&decoded, order.user_information());
        }
    }

    #[test]
    fn order_item_input_ignores_guid_and_detail() {
        let element = request_element(
            "<ns3:Guid>junk</ns3:Guid><ns3:ItemGuid> G1000005024-DEV07 </ns3:ItemGuid>\
             <ns3:QuantityOrdered>2</ns3:QuantityOrdered>\
             <ns3:OptionSelection><ns3:Name>GLAH09.33 Order</ns3:Name>\
             <ns3:Content>&lt;ecs:options/&gt;</ns3:Content></ns3:OptionSelection>\
             <ns3:OrderItemDetail><ns3:State>CLOSED</ns3:State></ns3:OrderItemDetail>",
        );
        let expected = OrderItemInput {
            item_guid: "G1000005024-DEV07".into(),
            quantity: 2,
            option_selection: Some(OptionSelectionInput {
                guid: None,
                name: "GLAH09.33 Order".into(),
                content: "<ecs:options/>".into(),
            }),
        };
        assert_eq!(decode_order_item_input(&element).unwrap(), expected);
        assert!(decode_order_item_guid(&element).is_err());

        let selection = recorded_selection();
        let item = request_element(&format!(
            "<ns3:Guid>{}</ns3:Guid><ns3:ItemGuid>G1</ns3:ItemGuid>\
             <ns3:QuantityOrdered>1</ns3:QuantityOrdered><ns3:OptionSelection>\
             <ns3:Guid>{OPTION_DEFINITION}</ns3:Guid><ns3:Name>{}</ns3:Name>\
             <ns3:Content>{}</ns3:Content></ns3:OptionSelection>",
            ITEMS[0].3.to_lowercase(),
            selection.name,
            recorded_options!(),
        ));
        let decoded = decode_order_item_input(&item).unwrap();
        let decoded_selection = decoded.option_selection.unwrap();
        assert_eq!(decoded_selection.guid, Some(selection.guid));
        assert_eq!(decoded_selection.content, selection.content);
        assert_eq!(decode_order_item_guid(&item).unwrap(), guid(ITEMS[0].3));
    }

    fn message_error(result: GatewayResult<impl std::fmt::Debug>) -> RequestError {
        match result {
            Err(crate::error::GatewayError::Request(error)) => error,
            other => panic!("expected a message error, got {other:?}"),
        }
    }

    #[test]
    fn order_item_input_errors_name_the_element() {
        let decode = |inner: &str| message_error(decode_order_item_input(&request_element(inner)));
        let missing = |name: &str| RequestError::Missing(name.into());
        assert_eq!(
            decode("<ns3:QuantityOrdered>1</ns3:QuantityOrdered>"),
            missing("ItemGuid")
        );
        assert_eq!(
            decode("<ns3:ItemGuid>G1</ns3:ItemGuid>"),
            missing("QuantityOrdered")
        );
        assert_eq!(
            decode("<ns3:ItemGuid>G1</ns3:ItemGuid><ns3:QuantityOrdered>-1</ns3:QuantityOrdered>"),
            RequestError::Invalid {
                element: "QuantityOrdered".into(),
                value: "-1".into(),
                expected: "a non-negative integer",
            }
        );
        let selection = |inner: &str| {
            decode(&format!(
                "<ns3:ItemGuid>G1</ns3:ItemGuid><ns3:QuantityOrdered>1</ns3:QuantityOrdered>\
                 <ns3:OptionSelection>{inner}</ns3:OptionSelection>"
            ))
        };
        assert_eq!(
            selection("<ns3:Name>n</ns3:Name><ns3:Content> </ns3:Content>"),
            missing("OptionSelection/Content")
        );
        assert!(matches!(
            selection("<ns3:Guid>x</ns3:Guid><ns3:Name>n</ns3:Name><ns3:Content>c</ns3:Content>"),
            RequestError::Invalid { element, .. } if element == "OptionSelection/Guid"
        ));
    }

    #[test]
    fn user_information_errors_name_the_element() {
        let decode = |inner: &str| decode_user_information(&request_element(inner)).unwrap_err();
        assert_eq!(
            decode(
                "<ns3:ContactAddress><ns3:Phones><ns3:Item>\
                 <ns3:PhoneNumberType>BUSINESS</ns3:PhoneNumberType>\
                 </ns3:Item></ns3:Phones></ns3:ContactAddress>"
            ),
            RequestError::Missing("ContactAddress/Phones/Item/Number".into())
        );
        assert!(matches!(
            decode(
                "<ns3:BillingAddress><ns3:Address><ns3:UsFormat>yes</ns3:UsFormat>\
                 </ns3:Address></ns3:BillingAddress>"
            ),
            RequestError::Invalid { element, .. } if element == "BillingAddress/Address/UsFormat"
        ));
    }

    #[test]
    fn provider_order_guids_decode() {
        let order = Guid::random();
        let element = request_element(&format!(
            "<ns3:ProviderGuid>{}</ns3:ProviderGuid><ns3:OrderGuid>{order}</ns3:OrderGuid>",
            PROVIDER.to_lowercase()
        ));
        let key = decode_provider_order_guid(&element).unwrap();
        assert_eq!(
            key,
            ProviderOrderKey {
                order_guid: order,
                provider_guid: guid(PROVIDER),
            }
        );
        // The recordings' sanitised `test_order_guid` is no GUID.
        let recorded = request_element(&format!(
            "<ns3:ProviderGuid>{PROVIDER}</ns3:ProviderGuid>\
             <ns3:OrderGuid>test_order_guid</ns3:OrderGuid>"
        ));
        assert!(matches!(
            message_error(decode_provider_order_guid(&recorded)),
            RequestError::Invalid { element, .. } if element == "OrderGuid"
        ));
        let missing = request_element(&format!("<ns3:OrderGuid>{PROVIDER}</ns3:OrderGuid>"));
        assert_eq!(
            message_error(decode_provider_order_guid(&missing)),
            RequestError::Missing("ProviderGuid".into())
        );
    }
}
