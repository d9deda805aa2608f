//! Providers and their policies: set, read and remove policies, provider names, a live test
//! of a provider's endpoint, and approving a pinned certificate.

use super::Gateway;
use crate::error::{GatewayError, GatewayResult};
use crate::partner::endpoint_probe;
use crate::xml;
use echo_domain::account::Provider;
use echo_domain::caller::Caller;
use echo_domain::policy::{PolicyError, PolicyRecord, ProviderPolicies};
use echo_domain::timestamp::Timestamp;

/// Policies as a client sets them: the certificate comes apart because it stays pending, and
/// is never used, until an operator approves it.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    pub policies: ProviderPolicies,
    pub certificate: Option<String>,
}

/// The provider named by GUID or short ID, checked to be one the caller may manage.
pub fn managed_provider(
    gateway: &Gateway,
    caller: &Caller,
    guid_or_id: &str,
) -> GatewayResult<Provider> {
    let provider = gateway.find_provider(guid_or_id)?;
    caller.require_provider_access(&provider.guid)?;
    Ok(provider)
}

pub fn set_policies(
    gateway: &Gateway,
    caller: &Caller,
    provider: &str,
    change: PolicyChange,
) -> GatewayResult<()> {
    let provider = managed_provider(gateway, caller, provider)?;
    check_properties(change.policies.properties.as_deref())?;
    gateway
        .store
        .update_policies(provider.guid.as_str(), |previous| {
            PolicyRecord::apply(
                previous.as_ref(),
                change.policies.clone(),
                change.certificate.clone(),
                Timestamp::now(),
            )
            .map_err(GatewayError::from)
        })?;
    Ok(())
}

/// Properties is free XML handed to partners; it must be well-formed so they can parse it.
fn check_properties(properties: Option<&str>) -> GatewayResult<()> {
    match properties {
        Some(text) => {
            xml::check_well_formed(text).map_err(|e| PolicyError::Properties(e.to_string()).into())
        }
        None => Ok(()),
    }
}

/// The policies of one provider the caller may manage (`None`: none set).
pub fn policies(
    gateway: &Gateway,
    caller: &Caller,
    provider: &str,
) -> GatewayResult<Option<PolicyRecord>> {
    let provider = managed_provider(gateway, caller, provider)?;
    Ok(gateway.store.policies(provider.guid.as_str())?)
}

/// The policies of the named providers, or with `None` of every provider the caller may
/// manage (all for operators, their own for staff), in order.
pub fn policies_of_providers(
    gateway: &Gateway,
    caller: &Caller,
    providers: Option<&[String]>,
) -> GatewayResult<Vec<Option<PolicyRecord>>> {
    let providers = match providers {
        Some(named) => named
            .iter()
            .map(|guid| gateway.find_provider(guid))
            .collect::<GatewayResult<Vec<Provider>>>()?,
        None => visible_providers(gateway, caller)?,
    };
    providers
        .iter()
        .map(|provider| {
            caller.require_provider_access(&provider.guid)?;
            Ok(gateway.store.policies(provider.guid.as_str())?)
        })
        .collect()
}

/// Every provider the caller may manage (all for operators, their own for staff), in order,
/// with its policies if set.
pub fn managed_providers(
    gateway: &Gateway,
    caller: &Caller,
) -> GatewayResult<Vec<(Provider, Option<PolicyRecord>)>> {
    visible_providers(gateway, caller)?
        .into_iter()
        .map(|provider| {
            let policies = gateway.store.policies(provider.guid.as_str())?;
            Ok((provider, policies))
        })
        .collect()
}

pub fn remove_policies(gateway: &Gateway, caller: &Caller, provider: &str) -> GatewayResult<()> {
    let provider = managed_provider(gateway, caller, provider)?;
    gateway.store.remove_policies(provider.guid.as_str())?;
    Ok(())
}

/// Providers by GUID or ID, or all of them; any authenticated caller may read names.
pub fn providers(
    gateway: &Gateway,
    _caller: &Caller,
    named: Option<&[String]>,
) -> GatewayResult<Vec<Provider>> {
    match named {
        Some(guids) => guids
            .iter()
            .map(|guid| gateway.find_provider(guid))
            .collect(),
        None => Ok(gateway.store.providers()?),
    }
}

/// Makes a GET to the provider's endpoint with the policy's TLS rules.
pub fn test_endpoint(gateway: &Gateway, caller: &Caller, provider: &str) -> GatewayResult<()> {
    let provider = managed_provider(gateway, caller, provider)?;
    let record = gateway
        .store
        .policies(provider.guid.as_str())?
        .ok_or_else(|| GatewayError::not_found("ProviderPolicies", provider.guid.to_string()))?;
    endpoint_probe::probe_blocking(&record, gateway.settings.endpoint_test_timeout)
        .map_err(GatewayError::EndpointUnreachable)
}

/// Makes a provider's pending certificate the trusted one (operators only).
pub fn approve_certificate(
    gateway: &Gateway,
    caller: &Caller,
    provider: &str,
) -> GatewayResult<Provider> {
    caller.require_operator()?;
    let provider = gateway.find_provider(provider)?;
    gateway
        .store
        .update_policies(provider.guid.as_str(), |record| {
            let mut record = record.ok_or_else(|| {
                GatewayError::not_found("ProviderPolicies", provider.guid.to_string())
            })?;
            record.approve_pending_certificate(Timestamp::now())?;
            Ok::<_, GatewayError>(record)
        })?;
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
