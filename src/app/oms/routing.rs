//! Routing `OMS`: a provider whose policy routes to its OMS gets no SOAP deliveries; its
//! provider orders wait (QUOTING, SUBMITTING, CANCELLING) for the OMS to answer by PATCH, and
//! the change reaches the OMS as events and a trigger from the same transaction.

use crate::app::Gateway;
use crate::error::GatewayResult;
use echo_domain::outbox::DeliveryRequest;

/// The deliveries that go out over SOAP: those to providers not routed to an OMS.
pub fn soap_only(
    gateway: &Gateway,
    deliveries: Vec<DeliveryRequest>,
) -> GatewayResult<Vec<DeliveryRequest>> {
    let mut kept = Vec::with_capacity(deliveries.len());
    for delivery in deliveries {
        let provider = delivery.provider_order.provider_guid.as_str();
        let to_oms = gateway
            .store
            .policies(provider)?
            .is_some_and(|record| record.policies.routes_to_oms());
        if !to_oms {
            kept.push(delivery);
        }
    }
    Ok(kept)
}
