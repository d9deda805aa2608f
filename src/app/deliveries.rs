//! Deliveries to partners as operators and providers see them: listing them with their state,
//! showing one's attempt history, and retrying a failed one (a new round of tries with the
//! same idempotency key; the provider order goes back in flight). Operators see and retry
//! every delivery, provider staff their own provider's.

use super::Gateway;
use super::paging::{Page, PageRequest};
use crate::error::{GatewayError, GatewayResult, LookupKey};
use crate::storage::OrderChange;
use echo_domain::caller::Caller;
use echo_domain::delivery::{Delivery, DeliveryState, retry_event};
use echo_domain::timestamp::Timestamp;

/// The deliveries the caller may see, oldest first, optionally only one provider's (ID or
/// GUID; one the caller may act for) or in one state.
pub fn list(
    gateway: &Gateway,
    caller: &Caller,
    provider: Option<&str>,
    state: Option<DeliveryState>,
) -> GatewayResult<Vec<Delivery>> {
    let provider = provider.map(|p| gateway.find_provider(p)).transpose()?;
    if let Some(provider) = &provider {
        caller.require_provider_access(&provider.guid)?;
    }
    Ok(gateway
        .store
        .deliveries()?
        .into_iter()
        .filter(|d| {
            let guid = &d.entry.provider_order.provider_guid;
            caller.require_provider_access(guid).is_ok()
                && provider.as_ref().is_none_or(|p| *guid == p.guid)
        })
        .filter(|d| state.is_none_or(|s| d.status.state == s))
        .collect())
}

/// One page of [`list`], newest first.
pub fn newest_first(
    gateway: &Gateway,
    caller: &Caller,
    provider: Option<&str>,
    state: Option<DeliveryState>,
    page: PageRequest,
) -> GatewayResult<Page<Delivery>> {
    let mut listed = list(gateway, caller, provider, state)?;
    listed.reverse();
    Ok(Page::of(listed, page))
}

/// One delivery of a provider the caller may act for.
pub fn show(gateway: &Gateway, caller: &Caller, id: u64) -> GatewayResult<Delivery> {
    let delivery = gateway
        .store
        .delivery(id)?
        .ok_or_else(|| GatewayError::not_found_by("Delivery", LookupKey::Id, id.to_string()))?;
    caller.require_provider_access(&delivery.entry.provider_order.provider_guid)?;
    Ok(delivery)
}

/// Retries a failed delivery: its provider order returns to QUOTING, SUBMITTING or CANCELLING
/// and the worker makes a new round of RetryAttempts tries.
pub fn retry(gateway: &Gateway, caller: &Caller, id: u64) -> GatewayResult<Delivery> {
    let Delivery { entry, mut status } = show(gateway, caller, id)?;
    if status.state != DeliveryState::Failed {
        return Err(GatewayError::DeliveryNotFailed(id));
    }
    let now = Timestamp::now();
    status.restart(now);
    let provider = &entry.provider_order.provider_guid;
    let (stored_entry, stored_status) = (entry.clone(), status.clone());
    gateway
        .store
        .settle_delivery(stored_entry, stored_status, "RetryDelivery", |mut order| {
            order.record_message(provider, "ECHO: an operator retried the delivery", now)?;
            order.apply_to_provider_order(provider, retry_event(entry.transaction), now)?;
            Ok::<_, GatewayError>(OrderChange {
                order,
                deliveries: Vec::new(),
            })
        })?;
    gateway.delivery_signals.returned(id);
    gateway.deliveries.notify_one();
    Ok(Delivery { entry, status })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::app::ServiceSettings;
    use crate::storage::Store;
    use echo_domain::account::Role;
    use echo_domain::guid::Guid;
    use echo_domain::order::ProviderOrderKey;
    use echo_domain::outbox::DeliveryRequest;
    use echo_domain::policy::Transaction;

    /// A relayed submit to `provider`, queued as a delivery; returns its id.
    fn relay_to(gateway: &Gateway, provider: &Guid) -> u64 {
        let delivery = DeliveryRequest {
            provider_order: ProviderOrderKey {
                order_guid: Guid::random(),
                provider_guid: provider.clone(),
            },
            transaction: Transaction::Submit,
        };
        let queued = gateway
            .store
            .enqueue_relay(Guid::random(), delivery, String::new());
        let runtime = tokio::runtime::Builder::new_current_thread().build();
        runtime
            .expect("runtime")
            .block_on(queued)
            .expect("queued")
            .id
    }

    fn ids(listed: GatewayResult<Vec<Delivery>>) -> Vec<u64> {
        listed.expect("listed").iter().map(|d| d.entry.id).collect()
    }

    fn denied<T>(result: GatewayResult<T>) -> bool {
        matches!(result, Err(GatewayError::AccessDenied(_)))
    }

    #[test]
    fn provider_staff_see_and_retry_only_their_providers_deliveries() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::open(dir.path()).expect("store");
        let gateway = Gateway::new(Arc::new(store), ServiceSettings::default());
        let add = |id: &str| gateway.store.add_provider(id, Guid::random(), None);
        let (own, other) = (add("OWN").expect("added"), add("OTHER").expect("added"));
        let (mine, theirs) = (
            relay_to(&gateway, &own.guid),
            relay_to(&gateway, &other.guid),
        );
        let staff = Caller {
            user_guid: Guid::random(),
            user_name: "staff".into(),
            role: Role::Provider,
            provider: Some(own.guid.clone()),
            guest: false,
        };
        let operator = Caller::local_operator();
        assert_eq!(ids(list(&gateway, &operator, None, None)), [mine, theirs]);
        assert_eq!(ids(list(&gateway, &staff, None, None)), [mine]);
        assert_eq!(ids(list(&gateway, &staff, Some("OWN"), None)), [mine]);
        assert!(denied(list(&gateway, &staff, Some("OTHER"), None)));
        assert!(show(&gateway, &staff, mine).is_ok());
        assert!(denied(show(&gateway, &staff, theirs)));
        assert!(denied(retry(&gateway, &staff, theirs)));
    }
}
