//! The requests: `QuoteOrder`, `SubmitOrder` and `CancelOrder`, each
//! `(idempotencyKey, order: FulfillmentOrder)`. Items travel open (their state is not sent)
//! and carry their catalog price.

use super::{in_v10_terms, operation_name, transaction_named, write_envelope};
use crate::error::RequestError;
use crate::soap::TYPES_NS;
use crate::soap::message::Fields;
use crate::soap::order_codec::{
    decode_option_selection, decode_quantity, decode_user_information, encode_option_selection,
    encode_user_information, java_double, nested, optional_field, optional_text, required_guid,
    within,
};
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::fulfillment::{FulfillmentItem, FulfillmentRequest};
use echo_domain::guid::Guid;
use echo_domain::order::{CatalogItemRef, ItemState, OptionSelection, OrderItem, ProviderOrderKey};
use echo_domain::policy::Transaction;

/// The whole SOAP 1.1 envelope of a request.
pub fn encode_request(request: &FulfillmentRequest) -> String {
    let operation = Out::echo(operation_name(request.transaction))
        .child(Out::echo("idempotencyKey").text(&request.idempotency_key))
        .child(encode_order(request));
    write_envelope(&operation)
}

fn encode_order(request: &FulfillmentRequest) -> Out {
    let key = &request.provider_order;
    let text = |name, value: &Option<String>| optional_field(name, value.as_ref());
    Out::echo("order")
        .child(Out::field("OrderGuid", &key.order_guid))
        .child(Out::field("ProviderGuid", &key.provider_guid))
        .optional(text("ProviderTrackingId", &request.provider_tracking_id))
        .optional(text("NotifyLevel", &request.notify_level))
        .optional(text("ClientIdentity", &request.client_identity))
        .child(encode_user_information(
            "UserInformation",
            &request.user_information,
        ))
        .child(Out::types("Items").children(request.items.iter().map(encode_item)))
        .optional(text("Properties", &request.properties))
}

fn encode_item(item: &FulfillmentItem) -> Out {
    let item = &item.item;
    let catalog_item = &item.catalog_item;
    let text = |name, value: &Option<String>| optional_field(name, value.as_ref());
    Out::types("Item")
        .child(Out::field("ItemGuid", &item.guid))
        .child(Out::field("CatalogItemGuid", &catalog_item.item_guid))
        .optional(text("GranuleUR", &catalog_item.granule_ur))
        .optional(text("ProducerGranuleId", &catalog_item.producer_granule_id))
        .child(Out::field("DatasetId", &catalog_item.dataset_id))
        .child(Out::field("CollectionId", &catalog_item.collection_id))
        .child(Out::field("QuantityOrdered", item.quantity))
        .child(Out::field("Price", java_double(catalog_item.price)))
        .optional(item.option_selection.as_ref().map(partner_selection))
}

/// Partners always get the definition's Guid, also for a selection the client named by Name.
fn partner_selection(selection: &OptionSelection) -> Out {
    encode_option_selection(&OptionSelection {
        guid_given: true,
        ..selection.clone()
    })
}

/// Reads a request's operation element (the first child of the SOAP Body).
pub fn decode_request(operation: Element) -> Result<FulfillmentRequest, RequestError> {
    let transaction =
        transaction_named(&operation.name, "").ok_or_else(|| RequestError::UnknownOperation {
            service: "OrderFulfillment".into(),
            ns: operation.name.ns.to_string(),
            name: operation.name.local.clone(),
        })?;
    let operation = in_v10_terms(operation);
    let params = Fields::params(&operation);
    let idempotency_key = required_guid(params, "idempotencyKey")?;
    let order = params.required_element("order")?;
    decode_order(transaction, idempotency_key, order).map_err(within("order"))
}

fn decode_order(
    transaction: Transaction,
    idempotency_key: Guid,
    order: &Element,
) -> Result<FulfillmentRequest, RequestError> {
    let fields = Fields::of_type(order);
    let provider_order = ProviderOrderKey {
        order_guid: required_guid(fields, "OrderGuid")?,
        provider_guid: required_guid(fields, "ProviderGuid")?,
    };
    let information = fields.required_element("UserInformation")?;
    let items = fields
        .element("Items")
        .map(|list| decode_items(list, &provider_order));
    Ok(FulfillmentRequest {
        transaction,
        idempotency_key,
        provider_tracking_id: optional_text(fields, "ProviderTrackingId"),
        notify_level: optional_text(fields, "NotifyLevel"),
        client_identity: optional_text(fields, "ClientIdentity"),
        user_information: decode_user_information(information)
            .map_err(within("UserInformation"))?,
        items: items
            .transpose()
            .map_err(within("Items"))?
            .unwrap_or_default(),
        properties: fields
            .text("Properties")
            .filter(|text| !text.trim().is_empty())
            .map(str::to_owned),
        provider_order,
    })
}

fn decode_items(
    list: &Element,
    key: &ProviderOrderKey,
) -> Result<Vec<FulfillmentItem>, RequestError> {
    list.children_named(TYPES_NS, "Item")
        .map(|item| decode_item(item, key).map_err(within("Item")))
        .collect()
}

fn decode_item(element: &Element, key: &ProviderOrderKey) -> Result<FulfillmentItem, RequestError> {
    let fields = Fields::of_type(element);
    let catalog_item = CatalogItemRef {
        item_guid: fields.required_text("CatalogItemGuid")?.to_owned(),
        provider_guid: key.provider_guid.clone(),
        collection_id: optional_text(fields, "CollectionId").unwrap_or_default(),
        dataset_id: fields.required_text("DatasetId")?.to_owned(),
        granule_ur: optional_text(fields, "GranuleUR"),
        producer_granule_id: optional_text(fields, "ProducerGranuleId"),
        price: fields
            .double("Price")?
            .ok_or_else(|| RequestError::Missing("Price".into()))?,
    };
    let item = OrderItem {
        guid: required_guid(fields, "ItemGuid")?,
        catalog_item,
        quantity: decode_quantity(fields)?,
        option_selection: nested(fields, "OptionSelection", decode_selection)?,
        provider_order: key.clone(),
        state: ItemState::NotSet,
    };
    Ok(FulfillmentItem { item })
}

/// An option selection as sent to partners: its definition's Guid is required.
fn decode_selection(element: &Element) -> Result<OptionSelection, RequestError> {
    let selection = decode_option_selection(element)?;
    Ok(OptionSelection {
        guid: selection
            .guid
            .ok_or_else(|| RequestError::Missing("Guid".into()))?,
        guid_given: true,
        name: selection.name,
        content: selection.content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::parse_request;
    use crate::soap::fulfillment::{FULFILLMENT_NS, write_sample};
    use crate::xml::XmlLimits;
    use echo_domain::order::{Address, Contact, Phone, UserInformation};

    fn contact(email: &str) -> Contact {
        Contact {
            guid: Some(Guid::random()),
            role: Some("Order Contact".into()),
            first_name: Some("Alien".into()),
            last_name: Some("Bobcat".into()),
            address: Address {
                us_format: true,
                street1: Some("1 Main St".into()),
                city: Some("Greenbelt".into()),
                state: Some("MD".into()),
                zip: Some("20771".into()),
                country: Some("United States".into()),
                ..Address::default()
            },
            phones: vec![Phone {
                guid: None,
                number: "0000000000".into(),
                phone_number_type: "BUSINESS".into(),
            }],
            email: Some(email.into()),
            organization: Some("NASA & friends".into()),
        }
    }

    fn item(key: &ProviderOrderKey, number: u32, selection: bool) -> FulfillmentItem {
        let option_selection = selection.then(|| OptionSelection {
            guid: Guid::random(),
            guid_given: true,
            name: "GLAH09.33 Order".into(),
            content: r#"<ecs:options xmlns:ecs="http://ecs.nasa.gov/options"/>"#.into(),
        });
        let item = OrderItem {
            guid: Guid::random(),
            catalog_item: CatalogItemRef {
                item_guid: format!("G100000502{number}-DEV07"),
                provider_guid: key.provider_guid.clone(),
                collection_id: "C1000000003-DEV07".into(),
                dataset_id: "GLAS/ICESat L1B Global Waveform-based Range Corrections".into(),
                granule_ur: (number == 1).then(|| "SC:GLAH05.033:31377567".into()),
                producer_granule_id: None,
                price: f64::from(number) * 12.5,
            },
            quantity: number,
            option_selection,
            provider_order: key.clone(),
            state: ItemState::NotSet,
        };
        FulfillmentItem { item }
    }

    /// A request with every optional field set (and one item with none set).
    fn sample_request(transaction: Transaction) -> FulfillmentRequest {
        let key = ProviderOrderKey {
            order_guid: Guid::random(),
            provider_guid: Guid::random(),
        };
        let items = match transaction {
            Transaction::Cancel => Vec::new(),
            _ => vec![item(&key, 1, true), item(&key, 2, false)],
        };
        FulfillmentRequest {
            transaction,
            idempotency_key: Guid::random(),
            provider_tracking_id: Some("SIM-0600030379".into()),
            notify_level: Some("INFO".into()),
            client_identity: Some("Mw9_IJ-1U-zSz8uKSrgVlQ".into()),
            user_information: UserInformation {
                shipping_address: Some(contact("ship@example.org")),
                billing_address: None,
                contact_address: Some(contact("abobcat@nasa.gov")),
                user_domain: Some("OTHER".into()),
                user_region: Some("USA".into()),
            },
            items,
            properties: Some(r#"<test attr="x">a &amp; b</test>"#.into()),
            provider_order: key,
        }
    }

    fn operation_of(envelope: &str) -> Element {
        parse_request(envelope.as_bytes(), XmlLimits::default())
            .unwrap()
            .operation
    }

    #[test]
    fn every_operation_round_trips() {
        for transaction in [Transaction::Quote, Transaction::Submit, Transaction::Cancel] {
            let request = sample_request(transaction);
            let envelope = encode_request(&request);
            write_sample(&format!("request-{}", transaction.wire_name()), &envelope);
            let operation = operation_of(&envelope);
            assert!(
                operation
                    .name
                    .is(FULFILLMENT_NS, operation_name(transaction))
            );
            assert_eq!(decode_request(operation).unwrap(), request);
        }
    }

    #[test]
    fn minimal_request_round_trips() {
        let mut request = sample_request(Transaction::Submit);
        request.provider_tracking_id = None;
        request.notify_level = None;
        request.client_identity = None;
        request.properties = None;
        request.user_information = UserInformation::default();
        let operation = operation_of(&encode_request(&request));
        assert_eq!(decode_request(operation).unwrap(), request);
    }

    #[test]
    fn requests_are_read_by_namespace_not_prefix() {
        let request = sample_request(Transaction::Quote);
        let renamed = encode_request(&request)
            .replace("ns2:", "op:")
            .replace("xmlns:ns2", "xmlns:op")
            .replace("ns3:", "t:")
            .replace("xmlns:ns3", "xmlns:t");
        assert_eq!(decode_request(operation_of(&renamed)).unwrap(), request);
    }

    #[test]
    fn v10_requests_and_unknown_operations_are_refused() {
        let request = sample_request(Transaction::Submit);
        let v10 = encode_request(&request).replace(FULFILLMENT_NS, crate::soap::ECHO_NS);
        assert!(matches!(
            decode_request(operation_of(&v10)),
            Err(RequestError::UnknownOperation { .. })
        ));
    }

    #[test]
    fn errors_name_the_element() {
        let request = sample_request(Transaction::Submit);
        let envelope = encode_request(&request);
        let price = java_double(request.items[0].item.catalog_item.price);
        let bad_price = envelope.replacen(
            &format!("<ns3:Price>{price}</ns3:Price>"),
            "<ns3:Price>cheap</ns3:Price>",
            1,
        );
        assert!(matches!(
            decode_request(operation_of(&bad_price)),
            Err(RequestError::Invalid { element, .. }) if element == "order/Items/Item/Price"
        ));
        let key = request.idempotency_key.to_string();
        let no_key = envelope.replace(&key, " ");
        assert_eq!(
            decode_request(operation_of(&no_key)),
            Err(RequestError::Missing("idempotencyKey".into()))
        );
    }
}
