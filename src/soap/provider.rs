//! ProviderService over SOAP: decodes provider-policy operations, calls
//! [`app::providers`](crate::app::providers) and encodes the answers.

use super::{Gateway, caller, name_guid_item, response, result_response};
use crate::app::providers::{self, PolicyChange};
use crate::error::{GatewayResult, RequestError};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::xml::Element;
use echo_domain::policy::{PolicyRecord, ProviderPolicies, Transaction};

pub fn handle(gateway: &Gateway, name: &str, op: &Element) -> Option<GatewayResult<Out>> {
    Some(match name {
        "SetProviderPolicies" => set_policies(gateway, op),
        "GetProvidersPolicies" => get_providers_policies(gateway, op),
        "GetProviderPolicies" => get_provider_policies(gateway, op),
        "RemoveProviderPolicies" => remove_policies(gateway, op),
        "GetProviderNames" => provider_names(gateway, op),
        "TestEndpointConnection" => test_endpoint(gateway, op),
        "ApproveProviderSslCertificate" => approve_certificate(gateway, op),
        _ => return None,
    })
}

/// The `providerGuid` parameter most operations carry.
fn provider_param(op: &Element) -> GatewayResult<&str> {
    Ok(Fields::params(op).required_text("providerGuid")?)
}

fn set_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let provider = provider_param(op)?;
    let change = decode_policies(Fields::params(op).required_element("policies")?)?;
    providers::set_policies(gateway, &caller, provider, change)?;
    Ok(response("SetProviderPolicies"))
}

fn get_providers_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let named = Fields::params(op).string_list("providerGuids");
    let records = providers::policies_of_providers(gateway, &caller, named.as_deref())?;
    let items = records
        .iter()
        .map(|record| encode_record(Out::types("Item"), record.as_ref()));
    Ok(result_response(
        "GetProvidersPolicies",
        Out::echo("result").children(items),
    ))
}

fn get_provider_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let record = providers::policies(gateway, &caller, provider_param(op)?)?;
    let result = encode_record(Out::echo("result"), record.as_ref());
    Ok(result_response("GetProviderPolicies", result))
}

fn remove_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    providers::remove_policies(gateway, &caller, provider_param(op)?)?;
    Ok(response("RemoveProviderPolicies"))
}

fn provider_names(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    let named = Fields::params(op).string_list("guids");
    let found = providers::providers(gateway, &caller, named.as_deref())?;
    let items = found.iter().map(|p| name_guid_item(&p.id, p.guid.as_str()));
    Ok(result_response(
        "GetProviderNames",
        Out::echo("result").children(items),
    ))
}

fn test_endpoint(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    providers::test_endpoint(gateway, &caller, provider_param(op)?)?;
    Ok(response("TestEndpointConnection"))
}

fn approve_certificate(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = caller(gateway, op)?;
    providers::approve_certificate(gateway, &caller, provider_param(op)?)?;
    Ok(response("ApproveProviderSslCertificate"))
}

/// Reads a `ProviderPolicies` element.
fn decode_policies(element: &Element) -> GatewayResult<PolicyChange> {
    let fields = Fields::of_type(element);
    let ssl = fields.element("SslPolicy").map(Fields::of_type);
    let policies = ProviderPolicies {
        endpoint: fields.text("EndPoint").map(|s| s.trim().to_owned()),
        retry_attempts: fields.int("RetryAttempts")?,
        retry_wait_seconds: fields.int("RetryWaitTime")?,
        routing: fields.text("Routing").map(|s| s.trim().to_owned()),
        ssl_enabled: ssl
            .map(|s| s.bool("SslEnabled"))
            .transpose()?
            .flatten()
            .unwrap_or(false),
        order_supports_duplicate_catalog_items: fields
            .bool("OrderSupportsDuplicateCatalogItems")?,
        collections_supporting_duplicate_order_items: fields
            .string_list("CollectionsSupportingDuplicateOrderItems"),
        supported_transactions: decode_transactions(fields)?,
        max_items_per_order: fields.int("MaxItemsPerOrder")?,
        properties: fields
            .text("Properties")
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned),
        ordering_suspended_until: fields.timestamp("OrderingSuspendedUntilDate")?,
        override_notification_enabled: fields.bool("overrideNotificationEnabled")?,
    };
    let certificate = ssl
        .and_then(|s| s.text("SslCertificate"))
        .map(str::to_owned);
    Ok(PolicyChange {
        policies,
        certificate,
    })
}

fn decode_transactions(fields: Fields<'_>) -> GatewayResult<Option<Vec<Transaction>>> {
    let Some(names) = fields.string_list("SupportedTransactions") else {
        return Ok(None);
    };
    names
        .iter()
        .map(|name| {
            Transaction::from_wire(name).ok_or_else(|| {
                RequestError::Invalid {
                    element: "SupportedTransactions".into(),
                    value: name.clone(),
                    expected: "SUBMIT, QUOTE or CANCEL",
                }
                .into()
            })
        })
        .collect::<GatewayResult<Vec<_>>>()
        .map(Some)
}

/// Writes a record's policies into `container`, or marks it nil when there are none.
fn encode_record(container: Out, record: Option<&PolicyRecord>) -> Out {
    let Some(record) = record else {
        return container.nil();
    };
    let p = &record.policies;
    let list = |name: &'static str, items: Vec<String>| {
        Out::types(name).children(items.into_iter().map(|i| Out::field("Item", i)))
    };
    let certificate = record.visible_certificate();
    let ssl = Out::types("SslPolicy")
        .child(Out::field("SslEnabled", p.ssl_enabled))
        .optional(certificate.map(|pem| Out::field("SslCertificate", pem)))
        .child(Out::field(
            "SslLastUpdate",
            record.ssl_last_update.to_echo_string(),
        ))
        .optional(certificate.map(|_| {
            Out::field(
                "SslCertificateApproved",
                record.pending_certificate.is_none(),
            )
        }));
    container
        .optional(p.endpoint.as_ref().map(|v| Out::field("EndPoint", v)))
        .optional(p.retry_attempts.map(|v| Out::field("RetryAttempts", v)))
        .optional(p.retry_wait_seconds.map(|v| Out::field("RetryWaitTime", v)))
        .optional(p.routing.as_ref().map(|v| Out::field("Routing", v)))
        .child(ssl)
        .optional(
            p.order_supports_duplicate_catalog_items
                .map(|v| Out::field("OrderSupportsDuplicateCatalogItems", v)),
        )
        .optional(
            p.collections_supporting_duplicate_order_items
                .clone()
                .map(|v| list("CollectionsSupportingDuplicateOrderItems", v)),
        )
        .optional(p.supported_transactions.as_ref().map(|v| {
            list(
                "SupportedTransactions",
                v.iter().map(|t| t.wire_name().to_owned()).collect(),
            )
        }))
        .optional(
            p.max_items_per_order
                .map(|v| Out::field("MaxItemsPerOrder", v)),
        )
        .optional(p.properties.as_ref().map(|v| Out::field("Properties", v)))
        .optional(
            p.ordering_suspended_until
                .map(|v| Out::field("OrderingSuspendedUntilDate", v.to_echo_string())),
        )
        .optional(
            p.override_notification_enabled
                .map(|v| Out::field("overrideNotificationEnabled", v)),
        )
}
