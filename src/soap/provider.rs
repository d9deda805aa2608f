//! ProviderService: provider policies (set, get, remove, approve a pinned certificate), provider
//! names, and a live test of a provider's endpoint.

use super::{Gateway, name_guid_item, response, result_response};
use crate::delivery::endpoint_probe;
use crate::error::RequestError;
use crate::error::{GatewayError, GatewayResult};
use crate::soap::message::Fields;
use crate::soap::writer::Out;
use crate::soap::xml::{Element, XmlLimits, parse_document};
use echo_domain::account::Provider;
use echo_domain::caller::Caller;
use echo_domain::policy::{PolicyError, PolicyRecord, ProviderPolicies, Transaction};
use echo_domain::timestamp::Timestamp;

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

fn set_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let provider = managed_provider(gateway, op)?;
    let element = Fields::params(op).required_element("policies")?;
    let (policies, certificate) = decode_policies(element)?;
    gateway
        .store
        .update_policies(provider.guid.as_str(), |previous| {
            PolicyRecord::apply(previous.as_ref(), policies, certificate, Timestamp::now())
                .map_err(GatewayError::from)
        })?;
    Ok(response("SetProviderPolicies"))
}

fn get_providers_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    let providers = match Fields::params(op).string_list("providerGuids") {
        Some(guids) => guids
            .iter()
            .map(|guid| gateway.find_provider(guid))
            .collect::<GatewayResult<Vec<Provider>>>()?,
        None => visible_providers(gateway, &caller)?,
    };
    let mut result = Out::echo("result");
    for provider in &providers {
        caller.require_provider_access(&provider.guid)?;
        let record = gateway.store.policies(provider.guid.as_str())?;
        result.push(encode_record(Out::types("Item"), record.as_ref()));
    }
    Ok(result_response("GetProvidersPolicies", result))
}

fn get_provider_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let provider = managed_provider(gateway, op)?;
    let record = gateway.store.policies(provider.guid.as_str())?;
    let result = encode_record(Out::echo("result"), record.as_ref());
    Ok(result_response("GetProviderPolicies", result))
}

fn remove_policies(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let provider = managed_provider(gateway, op)?;
    gateway.store.remove_policies(provider.guid.as_str())?;
    Ok(response("RemoveProviderPolicies"))
}

fn provider_names(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    crate::soap::caller(gateway, op)?;
    let providers = match Fields::params(op).string_list("guids") {
        Some(guids) => guids
            .iter()
            .map(|guid| gateway.find_provider(guid))
            .collect::<GatewayResult<Vec<Provider>>>()?,
        None => gateway.store.providers()?,
    };
    let items = providers
        .iter()
        .map(|p| name_guid_item(&p.id, p.guid.as_str()));
    Ok(result_response(
        "GetProviderNames",
        Out::echo("result").children(items),
    ))
}

fn test_endpoint(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let provider = managed_provider(gateway, op)?;
    let record = gateway
        .store
        .policies(provider.guid.as_str())?
        .ok_or_else(|| GatewayError::not_found("ProviderPolicies", provider.guid.to_string()))?;
    endpoint_probe::probe_blocking(&record, gateway.settings.endpoint_test_timeout)
        .map_err(GatewayError::EndpointUnreachable)?;
    Ok(response("TestEndpointConnection"))
}

fn approve_certificate(gateway: &Gateway, op: &Element) -> GatewayResult<Out> {
    let caller = crate::soap::caller(gateway, op)?;
    caller.require_operator()?;
    let provider = gateway.find_provider(Fields::params(op).required_text("providerGuid")?)?;
    approve_pending_certificate(gateway, &provider)?;
    Ok(response("ApproveProviderSslCertificate"))
}

/// Makes a provider's pending certificate the trusted one (SOAP and CLI share this).
pub fn approve_pending_certificate(gateway: &Gateway, provider: &Provider) -> GatewayResult<()> {
    gateway
        .store
        .update_policies(provider.guid.as_str(), |record| {
            let mut record = record.ok_or_else(|| {
                GatewayError::not_found("ProviderPolicies", provider.guid.to_string())
            })?;
            record.approve_pending_certificate(Timestamp::now())?;
            Ok::<_, GatewayError>(record)
        })?;
    Ok(())
}

/// The provider named by `providerGuid`, checked to be one the caller may manage.
fn managed_provider(gateway: &Gateway, op: &Element) -> GatewayResult<Provider> {
    let caller = crate::soap::caller(gateway, op)?;
    let provider = gateway.find_provider(Fields::params(op).required_text("providerGuid")?)?;
    caller.require_provider_access(&provider.guid)?;
    Ok(provider)
}

/// The providers whose policies a nil list means: all for operators, one's own for staff.
fn visible_providers(gateway: &Gateway, caller: &Caller) -> GatewayResult<Vec<Provider>> {
    if caller.is_operator() {
        return Ok(gateway.store.providers()?);
    }
    caller
        .provider
        .iter()
        .map(|guid| gateway.find_provider(guid.as_str()))
        .collect()
}

/// Reads a `ProviderPolicies` element; the certificate is returned apart because it is not
/// part of the policies until approved.
fn decode_policies(element: &Element) -> GatewayResult<(ProviderPolicies, Option<String>)> {
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
        properties: decode_properties(fields)?,
        ordering_suspended_until: fields.timestamp("OrderingSuspendedUntilDate")?,
        override_notification_enabled: fields.bool("overrideNotificationEnabled")?,
    };
    let certificate = ssl
        .and_then(|s| s.text("SslCertificate"))
        .map(str::to_owned);
    Ok((policies, certificate))
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

/// Properties is free XML sent escaped; it must be well-formed so partners can parse it.
fn decode_properties(fields: Fields<'_>) -> GatewayResult<Option<String>> {
    let Some(text) = fields.text("Properties").filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    parse_document(text, XmlLimits::default())
        .map_err(|e| PolicyError::Properties(e.to_string()))?;
    Ok(Some(text.to_owned()))
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
