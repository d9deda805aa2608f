//! PATCH of a project item by its primary OMS: a status is the provider-order change the
//! README's PATCH table names for the current state, applied as a partner's report through
//! the one transition table and OrderProcessingService's own `apply_reports` (illegal ones
//! are refused with the current state); user secrets merge. Every change leaves a line in the
//! provider order's StatusMessage (secrets by key, never by value) and commits with its events
//! in one transaction, marked as the OMS's own (its `ChangeOrigin` names it).

use super::administered_oms;
use super::feed::{ItemView, item_view, readable_item};
use crate::app::Gateway;
use crate::app::order_processing::{apply_reports, settled};
use crate::error::{GatewayResult, RequestError};
use crate::storage::{ChangeOrigin, UserSecrets};
use echo_domain::caller::Caller;
use echo_domain::oms::{OmsError, StatusType, requested_change};
use echo_domain::order::{ProviderReport, ReportedChange};

/// The largest number of user secrets one PATCH may set.
pub const MAX_SECRETS: usize = 100;

/// What a PATCH asks for; at least one part.
pub struct ItemUpdate {
    /// The EOSC status: a free value (the reason, for `rejected`) and its type.
    pub status: Option<(String, StatusType)>,
    pub user_secrets: Option<UserSecrets>,
}

pub fn update(
    gateway: &Gateway,
    caller: &Caller,
    oms: u64,
    project: u64,
    item: u64,
    update: ItemUpdate,
) -> GatewayResult<ItemView> {
    let (oms, all) = administered_oms(gateway, caller, oms)?;
    let (view, roles) = readable_item(gateway, &all, &oms, project, item)?;
    if !roles.provider {
        return Err(OmsError::NotPrimary { item }.into());
    }
    let mut reports = Vec::new();
    if let Some((value, status)) = &update.status {
        let current = view.provider_order.state();
        let change = requested_change(current, *status).ok_or(OmsError::StatusNotApplicable {
            current,
            requested: status.name(),
        })?;
        let line = format!("OMS {}: status {} ({value})", oms.name, status.name());
        reports.push(ProviderReport::new(change, line));
    }
    let secrets = update.user_secrets.filter(|s| !s.is_empty());
    if let Some(secrets) = &secrets {
        if secrets.len() > MAX_SECRETS {
            return Err(RequestError::Invalid {
                element: "user_secrets".into(),
                value: secrets.len().to_string(),
                expected: "at most 100 entries",
            }
            .into());
        }
        let keys: Vec<&str> = secrets.keys().map(String::as_str).collect();
        let line = format!(
            "OMS {}: user_secrets changed: {}",
            oms.name,
            keys.join(", ")
        );
        reports.push(ProviderReport::new(ReportedChange::Nothing, line));
    }
    if reports.is_empty() {
        return Err(RequestError::Missing("status or user_secrets".into()).into());
    }
    let key = view.provider_order.key.clone();
    let guid = key.order_guid.as_str();
    let origin = ChangeOrigin {
        actor: &caller.user_guid,
        operation: "PatchProjectItem",
        oms: Some(oms.id),
    };
    gateway.store.oms_write(oms.id, |write| {
        if let Some(secrets) = &secrets {
            write.merge_user_secrets(&key, item, project, secrets)?;
        }
        // Settled inside the transaction: a status already in place still commits the secrets.
        let outcome = write.update_order(
            guid,
            origin,
            apply_reports(caller, &key.provider_guid, guid, &reports),
        );
        settled(outcome, guid)
    })?;
    item_view(gateway, project, item)
}
