//! Order-management systems (OMS): the operator's registry (add, list, show, attach, detach,
//! remove) and the access rule of the Ordering API (a caller uses an OMS it administers).
//! `feed` reads what an OMS sees, `items` and `messages` are its writes.

pub mod feed;
pub mod items;
pub mod messages;
pub mod routing;

use crate::app::Gateway;
use crate::error::{GatewayError, GatewayResult};
use crate::webhook;
use echo_domain::caller::Caller;
use echo_domain::guid::Guid;
use echo_domain::oms::{
    BasicAuthorization, Oms, OmsError, OmsType, Trigger, TriggerMethod, validate_registration,
};
use echo_domain::oms_feed::TriggerState;

/// What an operator gives to register an OMS (also the CLI's `oms add` command as it travels
/// to a running server's admin socket).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Registration {
    pub name: String,
    pub oms_type: OmsType,
    pub default: bool,
    /// Provider IDs or GUIDs.
    pub providers: Vec<String>,
    /// User names.
    pub admins: Vec<String>,
    pub trigger: Option<(String, TriggerMethod, Option<BasicAuthorization>)>,
}

/// An OMS as operators see it: the record without its secret, and its trigger state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OmsStatus {
    pub id: u64,
    pub name: String,
    pub oms_type: OmsType,
    pub default: bool,
    pub providers: Vec<String>,
    pub admins: Vec<String>,
    pub trigger_url: Option<String>,
    pub trigger_method: Option<TriggerMethod>,
    pub last_sequence: u64,
    pub trigger_state: TriggerState,
}

/// Registers an OMS; returns it and, when it has a trigger, the signing secret (shown once).
pub fn add(
    gateway: &Gateway,
    caller: &Caller,
    registration: Registration,
) -> GatewayResult<(Oms, Option<String>)> {
    caller.require_operator()?;
    let trigger_url = registration.trigger.as_ref().map(|(url, ..)| url.as_str());
    validate_registration(&registration.name, trigger_url)?;
    let providers = registration
        .providers
        .iter()
        .map(|p| gateway.find_provider(p).map(|found| found.guid))
        .collect::<GatewayResult<Vec<Guid>>>()?;
    let admins = registration
        .admins
        .iter()
        .map(|name| user_guid(gateway, name))
        .collect::<GatewayResult<Vec<Guid>>>()?;
    let trigger = registration
        .trigger
        .map(|(url, method, authorization)| Trigger {
            url,
            method,
            authorization,
            secret: webhook::new_secret(),
        });
    let secret = trigger.as_ref().map(|t| t.secret.clone());
    let oms = Oms {
        id: 0,
        name: registration.name,
        oms_type: registration.oms_type,
        default: registration.default,
        providers,
        admins,
        trigger,
    };
    let stored = gateway.store.add_oms(oms, check_unique)?;
    Ok((stored, secret))
}

/// Every registered OMS with its trigger state.
pub fn list(gateway: &Gateway, caller: &Caller) -> GatewayResult<Vec<OmsStatus>> {
    caller.require_operator()?;
    gateway
        .store
        .omses()?
        .into_iter()
        .map(|oms| status(gateway, oms))
        .collect()
}

pub fn show(gateway: &Gateway, caller: &Caller, id: u64) -> GatewayResult<OmsStatus> {
    caller.require_operator()?;
    status(gateway, find(gateway, id)?)
}

/// Makes the OMS the primary OMS of a provider's provider orders (`attach` false: no longer).
pub fn attach(
    gateway: &Gateway,
    caller: &Caller,
    id: u64,
    provider: &str,
    attach: bool,
) -> GatewayResult<()> {
    caller.require_operator()?;
    let provider = gateway.find_provider(provider)?.guid;
    gateway.store.update_oms(id, |mut oms, others| {
        oms.providers.retain(|p| *p != provider);
        if attach {
            oms.providers.push(provider.clone());
        }
        check_unique(&oms, others)?;
        Ok::<_, GatewayError>(Some(oms))
    })
}

pub fn remove(gateway: &Gateway, caller: &Caller, id: u64) -> GatewayResult<()> {
    caller.require_operator()?;
    gateway
        .store
        .update_oms(id, |_, _| Ok::<_, GatewayError>(None))
}

/// The OMSes the caller administers (the API's `GET /oms`).
pub fn administered(gateway: &Gateway, caller: &Caller) -> GatewayResult<Vec<Oms>> {
    Ok(gateway
        .store
        .omses()?
        .into_iter()
        .filter(|oms| oms.admins.contains(&caller.user_guid))
        .collect())
}

/// The OMS `id` for a caller who administers it, with every registered OMS (for roles).
pub fn administered_oms(
    gateway: &Gateway,
    caller: &Caller,
    id: u64,
) -> GatewayResult<(Oms, Vec<Oms>)> {
    let all = gateway.store.omses()?;
    let oms = all
        .iter()
        .find(|o| o.id == id)
        .cloned()
        .ok_or_else(|| GatewayError::not_found("OMS", id.to_string()))?;
    if !oms.admins.contains(&caller.user_guid) {
        return Err(OmsError::NotAdministered(id).into());
    }
    Ok((oms, all))
}

fn find(gateway: &Gateway, id: u64) -> GatewayResult<Oms> {
    gateway
        .store
        .omses()?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or_else(|| GatewayError::not_found("OMS", id.to_string()))
}

/// One default OMS; a provider attached to one OMS at most.
fn check_unique(oms: &Oms, others: &[Oms]) -> Result<(), GatewayError> {
    for other in others.iter().filter(|o| o.id != oms.id) {
        if oms.default && other.default {
            return Err(OmsError::DefaultTaken(other.id).into());
        }
        if let Some(provider) = oms.providers.iter().find(|p| other.providers.contains(p)) {
            return Err(OmsError::ProviderTaken {
                provider: provider.clone(),
                oms: other.id,
            }
            .into());
        }
    }
    Ok(())
}

fn status(gateway: &Gateway, oms: Oms) -> GatewayResult<OmsStatus> {
    let name_of = |guid: &Guid| -> GatewayResult<String> {
        Ok(gateway
            .store
            .user(guid.as_str())?
            .map_or_else(|| guid.to_string(), |u| u.name))
    };
    let provider_id = |guid: &Guid| -> GatewayResult<String> {
        Ok(gateway
            .store
            .provider(guid.as_str())?
            .map_or_else(|| guid.to_string(), |p| p.id))
    };
    Ok(OmsStatus {
        id: oms.id,
        name: oms.name.clone(),
        oms_type: oms.oms_type,
        default: oms.default,
        providers: oms
            .providers
            .iter()
            .map(provider_id)
            .collect::<GatewayResult<_>>()?,
        admins: oms
            .admins
            .iter()
            .map(name_of)
            .collect::<GatewayResult<_>>()?,
        trigger_url: oms.trigger.as_ref().map(|t| t.url.clone()),
        trigger_method: oms.trigger.as_ref().map(|t| t.method),
        last_sequence: gateway.store.oms_last_sequence(oms.id)?,
        trigger_state: gateway.store.oms_trigger_state(oms.id)?,
    })
}

fn user_guid(gateway: &Gateway, name: &str) -> GatewayResult<Guid> {
    Ok(gateway
        .store
        .user_by_name(name)?
        .ok_or_else(|| GatewayError::not_found("User", name))?
        .guid)
}
